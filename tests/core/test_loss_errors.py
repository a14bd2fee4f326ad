"""Every bad input to core.loss raises a clear error before anything is computed; under
``jit`` the label range is checked through ``check=True`` + checkify, and an unchecked
out-of-range label gives NaN, never a wrapped-around class."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.experimental import checkify

from core import loss
from core.loss import _decoded, _snn

Z = jnp.zeros((4, 3))  # float scores (batch=4, classes=3)
Y = jnp.array([0, 1, 2, 0])  # integer labels
SPIKES = jnp.zeros((5, 4, 3))  # (T=5, batch=4, classes=3)
ZI = jnp.zeros((4, 3), jnp.int32)
YF = jnp.array([0.0, 1.0, 2.0, 0.0])

# functions taking (scores, integer labels)
INT_LABEL_FNS: dict[str, tuple[Callable[..., jax.Array], str]] = {
    "softmax_cross_entropy_with_integer_labels": (
        loss.softmax_cross_entropy_with_integer_labels,
        "logits",
    ),
    "multiclass_hinge_loss": (loss.multiclass_hinge_loss, "scores"),
    "multiclass_perceptron_loss": (loss.multiclass_perceptron_loss, "scores"),
}
# every SNN readout: the decoder readouts and the target readouts
SNN_FNS: dict[str, Callable[..., jax.Array]] = {
    name: getattr(loss, name) for name in (*_decoded.__all__, *_snn.__all__)
}


@pytest.mark.parametrize("name", sorted(INT_LABEL_FNS))
def test_integer_label_losses_validate(name: str) -> None:
    fn, scores = INT_LABEL_FNS[name]
    with pytest.raises(TypeError, match=rf"^{scores} must be a floating-point array"):
        fn(ZI, Y)
    with pytest.raises(TypeError, match=r"^labels must be an integer array"):
        fn(Z, YF)
    with pytest.raises(ValueError, match=r"\(4,\).*\(3,\)|\(3,\).*\(4, 3\)"):
        fn(Z, Y[:3])
    with pytest.raises(ValueError, match=r"labels\[3\] = 3 is out of range: .*\[0, 3\)"):
        fn(Z, Y.at[3].set(3))
    with pytest.raises(ValueError, match=r"labels\[1\] = -1 is out of range"):
        fn(Z, Y.at[1].set(-1))
    with pytest.raises(TypeError, match="check must be a bool"):
        fn(Z, Y, check="yes")


@pytest.mark.parametrize("name", sorted(SNN_FNS))
def test_snn_readouts_validate(name: str) -> None:
    fn = SNN_FNS[name]
    arg = next(iter(inspect.signature(fn).parameters))  # spikes, membrane or outputs
    with pytest.raises(TypeError, match=rf"^{arg} must be a floating-point array"):
        fn(SPIKES.astype(jnp.int32), Y)
    with pytest.raises(TypeError, match=r"^labels must be an integer array"):
        fn(SPIKES, YF)
    with pytest.raises(ValueError, match=r"labels.shape must equal .*\(4,\).*labels.shape=\(5,\)"):
        fn(SPIKES, jnp.zeros(5, jnp.int32))
    with pytest.raises(ValueError, match=r"labels\[2\] = 7 is out of range: .*\[0, 3\)"):
        fn(SPIKES, Y.at[2].set(7))
    with pytest.raises(ValueError, match=r"labels\[1\] = 1 is out of range: .*\[0, 1\)"):
        fn(SPIKES, Y, population=3)  # 3 neurons = 1 class of 3
    with pytest.raises(ValueError, match="not a multiple of population=2"):
        fn(SPIKES, Y, population=2)
    with pytest.raises(ValueError, match="population must be an integer >= 1"):
        fn(SPIKES, Y, population=0)
    with pytest.raises(TypeError, match="population must be an integer"):
        fn(SPIKES, Y, population=True)
    with pytest.raises(ValueError, match="time_axis=3 is out of range"):
        fn(SPIKES, Y, time_axis=3)
    with pytest.raises(ValueError, match="time_axis=-1 points at the last axis"):
        fn(SPIKES, Y, time_axis=-1)
    with pytest.raises(ValueError, match="at least 2 dimension"):
        fn(SPIKES[0, 0], Y[0])


BAD_CALLS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("softmax_ce float labels", lambda: loss.softmax_cross_entropy(Z, Y), TypeError, "^labels"),
    ("softmax_ce int logits", lambda: loss.softmax_cross_entropy(ZI, Z), TypeError, "^logits"),
    (
        "softmax_ce shapes",
        lambda: loss.softmax_cross_entropy(Z, Z[:2]),
        ValueError,
        r"logits.shape=\(4, 3\) and labels.shape=\(2, 3\)",
    ),
    ("poly int logits", lambda: loss.poly_loss_cross_entropy(ZI, Z), TypeError, "^logits"),
    (
        "poly shapes",
        lambda: loss.poly_loss_cross_entropy(Z, Z.T),
        ValueError,
        r"\(4, 3\).*\(3, 4\)",
    ),
    ("bce int logits", lambda: loss.sigmoid_binary_cross_entropy(ZI, Z), TypeError, "^logits"),
    (
        "bce shapes",
        lambda: loss.sigmoid_binary_cross_entropy(Z, Z[0]),
        ValueError,
        r"logits.shape=\(4, 3\) and labels.shape=\(3,\)",
    ),
    (
        "bce string labels",
        lambda: loss.sigmoid_binary_cross_entropy(Z, np.array(["a"])),
        TypeError,
        "^labels",
    ),
    ("focal int logits", lambda: loss.sigmoid_focal_loss(ZI, Z), TypeError, "^logits"),
    ("focal shapes", lambda: loss.sigmoid_focal_loss(Z, Z[:1]), ValueError, r"\(1, 3\)"),
    ("focal alpha", lambda: loss.sigmoid_focal_loss(Z, Z, alpha=1.5), ValueError, "alpha"),
    ("focal gamma", lambda: loss.sigmoid_focal_loss(Z, Z, gamma=-1.0), ValueError, "gamma"),
    ("nll int log_probs", lambda: loss.nll_loss(ZI, Y), TypeError, "^log_probs"),
    ("nll float target", lambda: loss.nll_loss(Z, YF), TypeError, "^target"),
    ("nll ndim", lambda: loss.nll_loss(Z[0], Y), ValueError, r"log_probs must have 2 dimension"),
    (
        "nll shapes",
        lambda: loss.nll_loss(Z, Y[:3]),
        ValueError,
        r"log_probs.shape=\(4, 3\) does not match target.shape=\(3,\)",
    ),
    ("nll range", lambda: loss.nll_loss(Z, Y.at[0].set(3)), ValueError, r"target\[0\] = 3"),
    (
        "nll range N-D",
        lambda: loss.nll_loss(jnp.zeros((2, 3, 4)), jnp.zeros((2, 4), jnp.int32).at[1, 2].set(-2)),
        ValueError,
        r"target\[1, 2\] = -2",
    ),
    ("hinge int outputs", lambda: loss.hinge_loss(ZI, Z), TypeError, "^predictor_outputs"),
    ("hinge shapes", lambda: loss.hinge_loss(Z, Z[0]), ValueError, r"\(4, 3\).*\(3,\)"),
    ("perceptron shapes", lambda: loss.perceptron_loss(Z, Z[0]), ValueError, r"\(4, 3\).*\(3,\)"),
    ("kl int", lambda: loss.kl_divergence(ZI, Z), TypeError, "^log_predictions"),
    ("kl int targets", lambda: loss.kl_divergence(Z, ZI), TypeError, "^targets"),
    ("kl shapes", lambda: loss.kl_divergence(Z, Z[0]), ValueError, r"\(4, 3\).*\(3,\)"),
    (
        "kl log targets shapes",
        lambda: loss.kl_divergence_with_log_targets(Z, Z[0]),
        ValueError,
        r"log_targets.shape=\(3,\)",
    ),
    ("convex kl shapes", lambda: loss.convex_kl_divergence(Z, Z[0]), ValueError, r"\(3,\)"),
    ("smooth int labels", lambda: loss.smooth_labels(ZI, 0.1), TypeError, "^labels"),
    (
        "smooth alpha",
        lambda: loss.smooth_labels(Z, 1.5),
        ValueError,
        r"alpha must be .*in \[0, 1\]",
    ),
    ("squared int", lambda: loss.squared_error(ZI), TypeError, "^predictions"),
    ("squared shapes", lambda: loss.squared_error(Z, Z[0]), ValueError, r"\(4, 3\).*\(3,\)"),
    ("squared reduction", lambda: loss.squared_error(Z, reduction="avg"), ValueError, "reduction"),  # type: ignore[arg-type]
    ("absolute shapes", lambda: loss.absolute_error(Z, Z[0]), ValueError, r"\(3,\)"),
    (
        "absolute reduction",
        lambda: loss.absolute_error(Z, reduction="max"),
        ValueError,
        "reduction",
    ),  # type: ignore[arg-type]
    ("l1 int", lambda: loss.l1_loss(ZI, Z), TypeError, "^logits"),
    ("l1 shapes", lambda: loss.l1_loss(Z, Z[0]), ValueError, r"\(3,\)"),
    ("l1 reduction", lambda: loss.l1_loss(Z, Z, reduction="x"), ValueError, "reduction"),  # type: ignore[arg-type]
    ("l2 shapes", lambda: loss.l2_loss(Z, Z[0]), ValueError, r"\(3,\)"),
    ("l2_norm shapes", lambda: loss.l2_norm(Z, Z[0]), ValueError, r"\(3,\)"),
    ("huber shapes", lambda: loss.huber_loss(Z, Z[0]), ValueError, r"\(3,\)"),
    ("huber reduction", lambda: loss.huber_loss(Z, reduction="x"), ValueError, "reduction"),  # type: ignore[arg-type]
    ("log_cosh int", lambda: loss.log_cosh(ZI), TypeError, "^predictions"),
    ("cosine int", lambda: loss.cosine_similarity(ZI, Z), TypeError, "^predictions"),
    ("cosine int targets", lambda: loss.cosine_distance(Z, ZI), TypeError, "^targets"),
    ("cosine shapes", lambda: loss.cosine_similarity(Z, Z[0]), ValueError, r"\(3,\)"),
    ("pairwise int", lambda: loss.pairwise_cosine_similarity(ZI), TypeError, "^X"),
    ("pairwise ndim", lambda: loss.pairwise_cosine_similarity(Z[0]), ValueError, "^X must have 2"),
    (
        "pairwise features",
        lambda: loss.pairwise_cosine_distance(Z, Z.T),
        ValueError,
        r"X.shape=\(4, 3\) and Y.shape=\(3, 4\)",
    ),
    ("tet lamb", lambda: loss.tet_loss(SPIKES, Y, lamb=2.0), ValueError, "lamb"),
    (
        "first spike int",
        lambda: loss.first_spike_time(SPIKES.astype(jnp.int32)),
        TypeError,
        "^spikes",
    ),
    (
        "first spike axis",
        lambda: loss.first_spike_time(SPIKES, time_axis=2),
        ValueError,
        "time_axis",
    ),
    ("l1 rate empty", lambda: loss.l1_rate_sparsity({}), ValueError, "empty pytree"),
    (
        "silence int leaf",
        lambda: loss.silence_penalty({"h": SPIKES.astype(jnp.int32)}),
        TypeError,
        r"spikes\['h'\] must be a floating-point array",
    ),
    (
        "sparsity 1-D leaf",
        lambda: loss.sparsity_penalty([SPIKES[0, 0]], 1.0),
        ValueError,
        r"spikes\[0\] must have at least 2",
    ),
    (
        "sparsity axis",
        lambda: loss.sparsity_penalty(SPIKES, 1.0, time_axis=5),
        ValueError,
        "time_axis=5",
    ),
]


@pytest.mark.parametrize(
    ("case", "call", "error", "pattern"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS]
)
def test_bad_input_raises(
    case: str, call: Callable[[], Any], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        call()


CTC_Z = jnp.zeros((2, 4, 3))
CTC_FP = jnp.zeros((2, 4))
CTC_Y = jnp.array([[1, 2], [2, 0]])
CTC_LP = jnp.array([[0.0, 0.0], [0.0, 1.0]])


def test_ctc_validation() -> None:
    with pytest.raises(TypeError, match=r"^logits"):
        loss.ctc_loss(CTC_Z.astype(jnp.int32), CTC_FP, CTC_Y, CTC_LP)
    with pytest.raises(TypeError, match=r"^labels"):
        loss.ctc_loss(CTC_Z, CTC_FP, CTC_Y.astype(jnp.float32), CTC_LP)
    with pytest.raises(ValueError, match="logits must have 3 dimension"):
        loss.ctc_loss(CTC_Z[0], CTC_FP, CTC_Y, CTC_LP)
    with pytest.raises(ValueError, match=r"logit_paddings.shape=\(2, 3\)"):
        loss.ctc_loss(CTC_Z, CTC_FP[:, :3], CTC_Y, CTC_LP)
    with pytest.raises(ValueError, match=r"labels.shape=\(1, 2\) and logits.shape=\(2, 4, 3\)"):
        loss.ctc_loss(CTC_Z, CTC_FP, CTC_Y[:1], CTC_LP[:1])
    with pytest.raises(
        ValueError, match=r"labels.shape=\(2, 2\) and label_paddings.shape=\(2, 1\)"
    ):
        loss.ctc_loss(CTC_Z, CTC_FP, CTC_Y, CTC_LP[:, :1])
    with pytest.raises(ValueError, match=r"blank_id=3 is out of range"):
        loss.ctc_loss(CTC_Z, CTC_FP, CTC_Y, CTC_LP, blank_id=3)
    with pytest.raises(ValueError, match=r"labels\[0, 1\] = 5 is out of range"):
        loss.ctc_loss(CTC_Z, CTC_FP, CTC_Y.at[0, 1].set(5), CTC_LP)
    # a padded position may hold any filler value, e.g. -1
    value = loss.ctc_loss(CTC_Z, CTC_FP, CTC_Y.at[1, 1].set(-1), CTC_LP)
    assert np.all(np.isfinite(np.asarray(value)))


def test_validation_runs_before_computing_under_jit() -> None:
    """Shapes and dtypes are static: jit raises the same errors at trace time."""
    with pytest.raises(ValueError, match=r"labels.shape must equal"):
        jax.jit(loss.softmax_cross_entropy_with_integer_labels)(Z, Y[:2])
    with pytest.raises(TypeError, match=r"^logits"):
        jax.jit(loss.softmax_cross_entropy_with_integer_labels)(ZI, Y)


@pytest.mark.parametrize("bad", [3, -1, 100])
def test_traced_out_of_range_labels_give_nan_never_a_wrapped_class(bad: int) -> None:
    z = jnp.array([[0.0, 1.0, 5.0], [1.0, 0.0, 0.0]])
    y = jnp.array([bad, 0])
    for fn in (
        loss.softmax_cross_entropy_with_integer_labels,
        loss.multiclass_hinge_loss,
        loss.multiclass_perceptron_loss,
        loss.nll_loss,
    ):
        value = np.asarray(jax.jit(fn)(z, y))
        assert np.isnan(value[0]), fn.__name__
        assert np.isfinite(value[1]), fn.__name__
    spikes = jnp.broadcast_to(z, (3, 2, 3))
    for snn in (loss.ce_rate_loss, loss.mse_count_loss, loss.ce_temporal_loss, loss.tet_loss):
        assert np.isnan(np.asarray(jax.jit(snn)(spikes, y))[0]), snn.__name__
    assert np.isnan(np.asarray(jax.jit(loss.accuracy_count)(spikes, y)))


def test_traced_bad_label_keeps_other_gradients_finite() -> None:
    z = jnp.array([[0.0, 1.0, 5.0], [1.0, 0.0, 0.0]])

    def total(z: jax.Array, y: jax.Array) -> jax.Array:
        return jnp.nansum(loss.softmax_cross_entropy_with_integer_labels(z, y))

    grad = jax.jit(jax.grad(total))(z, jnp.array([7, 0]))
    assert np.all(np.isfinite(np.asarray(grad)))
    np.testing.assert_allclose(grad[0], 0.0)


@pytest.mark.parametrize("bad", [3, -1])
def test_check_true_raises_through_checkify_under_jit(bad: int) -> None:
    def step(z: jax.Array, y: jax.Array) -> jax.Array:
        return loss.softmax_cross_entropy_with_integer_labels(z, y, check=True).mean()

    checked = checkify.checkify(jax.jit(step))
    err, _ = checked(Z, Y)
    err.throw()  # valid labels: no error
    err, _ = checked(Z, Y.at[2].set(bad))
    with pytest.raises(Exception, match=rf"labels.ravel\(\)\[2\] = {bad}"):
        err.throw()


def test_check_true_covers_grad_and_the_snn_losses() -> None:
    def step(spikes: jax.Array, y: jax.Array) -> jax.Array:
        return loss.ce_count_loss(spikes, y, check=True).mean()

    checked = checkify.checkify(jax.jit(jax.grad(step)))
    err, _ = checked(SPIKES, Y)
    err.throw()
    err, _ = checked(SPIKES, Y.at[0].set(3))
    with pytest.raises(Exception, match="out of range"):
        err.throw()


def test_check_true_ctc_ignores_padded_labels() -> None:
    def step(y: jax.Array) -> jax.Array:
        return loss.ctc_loss(CTC_Z, CTC_FP, y, CTC_LP, check=True).sum()

    checked = checkify.checkify(jax.jit(step))
    err, _ = checked(CTC_Y.at[1, 1].set(-1))
    err.throw()
    err, _ = checked(CTC_Y.at[0, 0].set(-1))
    with pytest.raises(Exception, match="out of range"):
        err.throw()


def test_check_true_without_checkify_is_reported_at_trace_time() -> None:
    """The documented contract: check=True under jit needs checkify.checkify."""
    step = jax.jit(lambda z, y: loss.softmax_cross_entropy_with_integer_labels(z, y, check=True))
    with pytest.raises(ValueError, match="checkify"):
        step(Z, Y)


def test_check_callback_raises_the_eager_message_under_jit() -> None:
    step = jax.jit(
        lambda z, y: loss.softmax_cross_entropy_with_integer_labels(z, y, check="callback")
    )
    np.testing.assert_allclose(step(Z, Y), np.log(3.0), rtol=1e-6)  # valid labels: no error
    with pytest.raises(Exception, match=r"labels\[2\] = 9 is out of range"):
        jax.block_until_ready(step(Z, Y.at[2].set(9)))


def test_check_callback_under_grad_vmap_and_ctc_padding() -> None:
    def total(spikes: jax.Array, y: jax.Array) -> jax.Array:
        return loss.ce_rate_loss(spikes, y, check="callback").sum()

    grad = jax.jit(jax.grad(total))
    jax.block_until_ready(grad(SPIKES, Y))
    with pytest.raises(Exception, match="out of range"):
        jax.block_until_ready(grad(SPIKES, Y.at[0].set(-4)))
    per_row = jax.vmap(
        lambda z, y: loss.multiclass_hinge_loss(z, y, check="callback"), in_axes=(0, 0)
    )
    with pytest.raises(Exception, match="out of range"):
        jax.block_until_ready(per_row(Z, Y.at[1].set(3)))
    ctc = jax.jit(lambda y: loss.ctc_loss(CTC_Z, CTC_FP, y, CTC_LP, check="callback"))
    jax.block_until_ready(ctc(CTC_Y.at[1, 1].set(-1)))  # padded filler is fine
    with pytest.raises(Exception, match=r"labels\[0, 0\] = -1"):
        jax.block_until_ready(ctc(CTC_Y.at[0, 0].set(-1)))


def test_check_rejects_unknown_modes() -> None:
    with pytest.raises(TypeError, match="check must be a bool or 'callback'"):
        loss.ce_count_loss(SPIKES, Y, check="checkify")  # type: ignore[arg-type]
