"""core.loss against optax 0.2.8, braintools 0.3.0 and closed forms written here.

Every braintools training loss is compared with braintools itself and, where optax has
the function, with optax; functions neither has (or inputs where braintools is
defective) are compared with a numpy closed form.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import braintools.metric as bt
import jax
import jax.numpy as jnp
import numpy as np
import optax.losses as ox
import pytest
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine_similarity

from core import loss

RNG = np.random.default_rng(0)


def f32(*shape: int, scale: float = 1.0) -> jax.Array:
    return jnp.asarray(RNG.normal(size=shape) * scale, jnp.float32)


def probs(*shape: int) -> jax.Array:
    return jax.nn.softmax(f32(*shape, scale=2.0), axis=-1)


def ints(high: int, *shape: int) -> jax.Array:
    return jnp.asarray(RNG.integers(0, high, size=shape), jnp.int32)


LOGITS = f32(6, 5, scale=3.0)
LOGITS_3D = f32(4, 3, 5, scale=3.0)
LABELS = ints(5, 6)
LABELS_2D = ints(5, 4, 3)
LABELS_N_D = ints(3, 4, 5)
SOFT = probs(6, 5)
BINARY = jnp.asarray(RNG.integers(0, 2, size=(6, 5)), jnp.float32)
CONTINUOUS = jnp.asarray(RNG.uniform(size=(6, 5)), jnp.float32)
SIGNS = 2.0 * BINARY - 1.0
PRED = f32(6, 5, scale=2.0)
TARGET = f32(6, 5, scale=2.0)
P_WITH_ZEROS = jnp.asarray([[0.5, 0.0, 0.5, 0.0], [0.1, 0.2, 0.3, 0.4]], jnp.float32)
LOG_Q = jax.nn.log_softmax(f32(2, 4), axis=-1)


# name -> (our call, [reference calls]); every reference must agree with ours.
Case = tuple[Callable[[], Any], list[Callable[[], Any]]]


def same_call(
    name: str, *args: Any, tag: str = "", references: tuple[ModuleType, ...] = (ox, bt), **kw: Any
) -> dict[str, Case]:
    """The case ``name[tag]``: ``name(*args, **kw)`` here and in each of ``references``."""

    def call(module: ModuleType) -> Callable[[], Any]:
        return lambda: getattr(module, name)(*args, **kw)

    return {f"{name}[{tag}]" if tag else name: (call(loss), [call(ref) for ref in references])}


LOG_P = jnp.log(SOFT[:2, :4])
ONE_HOT = jax.nn.one_hot(LABELS, 5)
CASES: dict[str, Case] = {
    **same_call("softmax_cross_entropy_with_integer_labels", LOGITS, LABELS),
    **same_call(
        "softmax_cross_entropy_with_integer_labels",
        LOGITS_3D,
        LABELS_2D,
        tag="T,batch",
        references=(ox,),
    ),
    **same_call("softmax_cross_entropy", LOGITS, SOFT),
    **same_call("sigmoid_binary_cross_entropy", LOGITS, CONTINUOUS),
    **same_call("sigmoid_focal_loss", LOGITS, BINARY),
    "sigmoid_focal_loss[alpha,gamma]": (
        lambda: loss.sigmoid_focal_loss(LOGITS, CONTINUOUS, 0.25, 1.5),
        [
            lambda: ox.sigmoid_focal_loss(LOGITS, CONTINUOUS, alpha=0.25, gamma=1.5),
            lambda: bt.sigmoid_focal_loss(LOGITS, CONTINUOUS, 0.25, 1.5),
        ],
    ),
    **same_call("nll_loss", jax.nn.log_softmax(LOGITS), LABELS, tag="batch", references=(bt,)),
    **same_call(
        "nll_loss", jax.nn.log_softmax(LOGITS[0]), LABELS[0], tag="scalar", references=(bt,)
    ),
    **same_call(
        "nll_loss",
        jax.nn.log_softmax(LOGITS_3D, axis=1),
        LABELS_N_D,
        tag="N,C,d",
        references=(bt,),
    ),
    **same_call("poly_loss_cross_entropy", LOGITS, SOFT),
    "poly_loss_cross_entropy[epsilon]": (
        lambda: loss.poly_loss_cross_entropy(LOGITS, SOFT, -0.5),
        [
            lambda: ox.poly_loss_cross_entropy(LOGITS, SOFT, epsilon=-0.5),
            lambda: bt.poly_loss_cross_entropy(LOGITS, SOFT, -0.5),
        ],
    ),
    **same_call("hinge_loss", PRED, SIGNS),
    **same_call("perceptron_loss", PRED, SIGNS),
    **same_call("multiclass_hinge_loss", LOGITS, LABELS),
    **same_call("multiclass_perceptron_loss", LOGITS, LABELS),
    **same_call("kl_divergence", LOG_Q, P_WITH_ZEROS),
    **same_call("kl_divergence_with_log_targets", LOG_Q, LOG_P),
    "convex_kl_divergence": (
        lambda: loss.convex_kl_divergence(LOG_Q, P_WITH_ZEROS),
        [
            lambda: ox.generalized_kl_divergence(LOG_Q, P_WITH_ZEROS),
            lambda: bt.convex_kl_divergence(LOG_Q, P_WITH_ZEROS),
        ],
    ),
    **same_call("squared_error", PRED, TARGET),
    **same_call(
        "squared_error", PRED, TARGET, tag="mean,axis", references=(bt,), axis=1, reduction="mean"
    ),
    **same_call("squared_error", PRED, tag="no target"),
    **same_call("absolute_error", PRED, TARGET, references=(bt,)),
    **same_call("absolute_error", PRED, TARGET, tag="none", references=(bt,), reduction="none"),
    **same_call("l1_loss", PRED, TARGET, references=(bt,)),
    **same_call("l1_loss", PRED, TARGET, tag="none", references=(bt,), reduction="none"),
    **same_call("l2_loss", PRED, TARGET),
    **same_call("l2_loss", PRED, TARGET, tag="sum", references=(bt,), reduction="sum"),
    **same_call("l2_norm", PRED[0], TARGET[0], tag="1d", references=(bt,)),
    **same_call("l2_norm", PRED, TARGET, tag="axis", references=(bt,), axis=1),
    **same_call("huber_loss", PRED, TARGET),
    "huber_loss[delta]": (
        lambda: loss.huber_loss(PRED, TARGET, 0.5),
        [lambda: ox.huber_loss(PRED, TARGET, delta=0.5), lambda: bt.huber_loss(PRED, TARGET, 0.5)],
    ),
    **same_call("log_cosh", PRED, TARGET),
    **same_call("cosine_similarity", PRED, TARGET),
    **same_call("cosine_distance", PRED, TARGET),
    "pairwise_cosine_similarity": (
        lambda: loss.pairwise_cosine_similarity(PRED, TARGET[:4]),
        [
            lambda: bt.pairwise_cosine_similarity(PRED, TARGET[:4]),
            lambda: sk_cosine_similarity(np.asarray(PRED), np.asarray(TARGET[:4])),
        ],
    ),
    "pairwise_cosine_distance": (
        lambda: loss.pairwise_cosine_distance(PRED),
        [
            lambda: bt.pairwise_cosine_distance(PRED),
            lambda: 1.0 - sk_cosine_similarity(np.asarray(PRED)),
        ],
    ),
    **same_call("smooth_labels", ONE_HOT, 0.1),
}

CTC_LOGITS = f32(3, 8, 5, scale=2.0)
CTC_FRAME_PAD = jnp.zeros((3, 8), jnp.float32).at[1, 6:].set(1.0).at[2, 7:].set(1.0)
CTC_LABELS = jnp.asarray([[1, 2, 2, 3], [4, 4, 1, 0], [3, 1, 2, 1]], jnp.int32)
CTC_LABEL_PAD = jnp.asarray([[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 1]], jnp.float32)
CASES["ctc_loss"] = (
    lambda: loss.ctc_loss(CTC_LOGITS, CTC_FRAME_PAD, CTC_LABELS, CTC_LABEL_PAD),
    [
        # the references run their scan op by op when eager: jit them to keep this fast
        lambda: jax.jit(ox.ctc_loss)(CTC_LOGITS, CTC_FRAME_PAD, CTC_LABELS, CTC_LABEL_PAD),
        lambda: jax.jit(bt.ctc_loss)(CTC_LOGITS, CTC_FRAME_PAD, CTC_LABELS, CTC_LABEL_PAD),
    ],
)
CASES["ctc_loss[blank_id]"] = (
    lambda: loss.ctc_loss(CTC_LOGITS, CTC_FRAME_PAD, CTC_LABELS % 4, CTC_LABEL_PAD, blank_id=4),
    [
        lambda: jax.jit(ox.ctc_loss, static_argnames="blank_id")(
            CTC_LOGITS, CTC_FRAME_PAD, CTC_LABELS % 4, CTC_LABEL_PAD, blank_id=4
        ),
    ],
)


def _evaluate(reference: Callable[[], Any]) -> np.ndarray:
    """A JAX reference as one compiled call (cheaper than its eager ops); numpy ones as is."""
    try:
        return np.asarray(jax.jit(reference)())
    except jax.errors.TracerArrayConversionError:  # sklearn reads the values
        return np.asarray(reference())


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_matches_references(name: str) -> None:
    ours, references = CASES[name]
    value = np.asarray(ours())
    assert np.all(np.isfinite(value))
    for reference in references:
        expected = _evaluate(reference)
        assert value.shape == expected.shape
        np.testing.assert_allclose(value, expected, rtol=2e-5, atol=2e-6)


# facade.metric losses compared with braintools in tests/reference/test_metric_braintools.py
COVERED_ELSEWHERE = {
    "ctc_loss_with_forward_probs",
    "make_fenchel_young_loss",
    "ranking_softmax_loss",
    "safe_norm",
}


def test_every_braintools_training_loss_is_covered() -> None:
    """Every facade.metric name that is a core.loss function has a case here (or there)."""
    from facade import metric

    losses = {n for n in metric.__all__ if getattr(metric, n).__module__.startswith("core.loss")}
    assert len(losses) > 25  # the scan does see the losses
    names = {name.split("[")[0] for name in CASES}
    assert losses - COVERED_ELSEWHERE <= names


GRAD_CASES: dict[str, tuple[Callable[[jax.Array], jax.Array], Callable[[jax.Array], jax.Array]]] = {
    "softmax_cross_entropy_with_integer_labels": (
        lambda z: loss.softmax_cross_entropy_with_integer_labels(z, LABELS).sum(),
        lambda z: ox.softmax_cross_entropy_with_integer_labels(z, LABELS).sum(),
    ),
    "sigmoid_focal_loss": (
        lambda z: loss.sigmoid_focal_loss(z, BINARY, 0.25).sum(),
        lambda z: ox.sigmoid_focal_loss(z, BINARY, alpha=0.25).sum(),
    ),
    "poly_loss_cross_entropy": (
        lambda z: loss.poly_loss_cross_entropy(z, SOFT).sum(),
        lambda z: ox.poly_loss_cross_entropy(z, SOFT).sum(),
    ),
    "multiclass_hinge_loss": (
        lambda z: loss.multiclass_hinge_loss(z, LABELS).sum(),
        lambda z: ox.multiclass_hinge_loss(z, LABELS).sum(),
    ),
}


def assert_same_gradient(
    ours: Callable[[jax.Array], jax.Array],
    reference: Callable[[jax.Array], jax.Array],
    at: jax.Array,
    rtol: float = 2e-5,
    atol: float = 2e-6,
) -> None:
    """The gradients of two scalar functions agree at ``at`` (each one compiled call)."""
    np.testing.assert_allclose(
        jax.jit(jax.grad(ours))(at), jax.jit(jax.grad(reference))(at), rtol=rtol, atol=atol
    )


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradient_matches_optax(name: str) -> None:
    assert_same_gradient(*GRAD_CASES[name], LOGITS)


def test_ctc_gradient_matches_optax() -> None:
    def ours(z: jax.Array) -> jax.Array:
        return loss.ctc_loss(z, CTC_FRAME_PAD, CTC_LABELS, CTC_LABEL_PAD).sum()

    def reference(z: jax.Array) -> jax.Array:
        return ox.ctc_loss(z, CTC_FRAME_PAD, CTC_LABELS, CTC_LABEL_PAD).sum()

    assert_same_gradient(ours, reference, CTC_LOGITS, rtol=1e-4, atol=1e-6)


def test_ctc_equals_brute_force_sum_over_alignments() -> None:
    """-log of the summed probability of every frame path that collapses to the labels."""
    num_steps, num_classes, labels = 4, 3, [1, 2]
    z = np.random.default_rng(2).normal(size=(num_steps, num_classes))
    log_q = z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(num_classes), repeat=num_steps):
        collapsed = [k for i, k in enumerate(path) if k != 0 and (i == 0 or path[i - 1] != k)]
        if collapsed == labels:
            total += np.exp(sum(log_q[t, k] for t, k in enumerate(path)))
    value = loss.ctc_loss(
        jnp.asarray(z[None], jnp.float32),
        jnp.zeros((1, num_steps)),
        jnp.asarray([labels]),
        jnp.zeros((1, len(labels))),
    )
    np.testing.assert_allclose(value, [-np.log(total)], rtol=1e-5)


def test_l2_norm_of_a_matrix_is_the_frobenius_norm() -> None:
    """braintools uses ord=2 (spectral norm) for 2-D inputs with axis=None; we do not."""
    e = np.asarray(PRED - TARGET, np.float64)
    np.testing.assert_allclose(loss.l2_norm(PRED, TARGET), np.sqrt(np.sum(e**2)), rtol=1e-6)


def test_integer_cross_entropy_closed_form_in_float64() -> None:
    with jax.enable_x64(True):
        z = np.random.default_rng(1).normal(size=(5, 7)) * 10.0
        y = np.arange(5) % 7
        expected = np.log(np.sum(np.exp(z), axis=-1)) - z[np.arange(5), y]
        value = loss.softmax_cross_entropy_with_integer_labels(jnp.asarray(z), jnp.asarray(y))
        assert value.dtype == jnp.float64
        np.testing.assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("bad", [-1, 5])
def test_braintools_defect_out_of_range_label_raises_instead_of_nan(bad: int) -> None:
    labels = LABELS.at[2].set(bad)
    reference = np.asarray(bt.softmax_cross_entropy_with_integer_labels(LOGITS, labels))
    # braintools gives NaN (bad = 5) or silently wraps around to the last class (bad = -1)
    assert np.isnan(reference[2]) or np.isfinite(reference[2])
    with pytest.raises(ValueError, match=rf"labels\[2\] = {bad} is out of range"):
        loss.softmax_cross_entropy_with_integer_labels(LOGITS, labels)
