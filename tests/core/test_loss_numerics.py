"""Numerical safety of core.loss: finite values and gradients at extreme logits
(|logits| up to 1e4) in float32 and bfloat16, dtype preservation, and the masked
0·log 0 / zero-norm corners."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import loss

BATCH, CLASSES = 3, 4
LABELS = jnp.array([0, 3, 1])
ONE_HOT = jax.nn.one_hot(LABELS, CLASSES)
LOGIT_FNS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "softmax_cross_entropy_with_integer_labels": lambda z: (
        loss.softmax_cross_entropy_with_integer_labels(z, LABELS)
    ),
    "softmax_cross_entropy": lambda z: loss.softmax_cross_entropy(z, ONE_HOT.astype(z.dtype)),
    "poly_loss_cross_entropy": lambda z: loss.poly_loss_cross_entropy(z, ONE_HOT.astype(z.dtype)),
    "sigmoid_binary_cross_entropy": lambda z: loss.sigmoid_binary_cross_entropy(z, ONE_HOT),
    "sigmoid_focal_loss": lambda z: loss.sigmoid_focal_loss(z, ONE_HOT, 0.25),
    "multiclass_hinge_loss": lambda z: loss.multiclass_hinge_loss(z, LABELS),
    "nll_loss": lambda z: loss.nll_loss(jax.nn.log_softmax(z), LABELS),
    "kl_divergence": lambda z: loss.kl_divergence(jax.nn.log_softmax(z), ONE_HOT.astype(z.dtype)),
    "log_cosh": lambda z: loss.log_cosh(z),
    "huber_loss": lambda z: loss.huber_loss(z),
    "cosine_distance": lambda z: loss.cosine_distance(z, jnp.ones_like(z)),
    # the same scores as a (T=3, batch=1, classes) readout
    "ce_rate_loss": lambda z: loss.ce_rate_loss(z[:, None], LABELS[:1]),
    "ce_max_membrane_loss": lambda z: loss.ce_max_membrane_loss(z[:, None], LABELS[:1]),
    "tet_loss": lambda z: loss.tet_loss(z[:, None], LABELS[:1], lamb=0.0),
}
DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}
# compile each (loss, dtype) once; hypothesis then only feeds new values
COMPILED = {
    (name, dtype): jax.jit(jax.value_and_grad(lambda z, f=fn: jnp.sum(f(z).astype(jnp.float32))))
    for name, fn in LOGIT_FNS.items()
    for dtype in DTYPES
}

extreme = st.one_of(
    st.sampled_from([-1e4, 1e4, 0.0, -9999.0, 5000.0]),
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, width=32),
)


@pytest.mark.parametrize("dtype", sorted(DTYPES))
@pytest.mark.parametrize("name", sorted(LOGIT_FNS))
@settings(max_examples=15, deadline=None, derandomize=True)
@given(values=arrays(np.float32, (BATCH, CLASSES), elements=extreme))
def test_value_and_gradient_finite_at_extreme_logits(
    name: str, dtype: str, values: np.ndarray
) -> None:
    z = jnp.asarray(values).astype(DTYPES[dtype])
    value, grad = COMPILED[(name, dtype)](z)
    assert np.isfinite(float(value)), (name, values)
    assert grad.dtype == DTYPES[dtype]
    assert np.all(np.isfinite(np.asarray(grad, np.float32))), (name, values)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16, jnp.float32])
def test_output_dtype_follows_logits(dtype: jnp.dtype) -> None:
    z = jnp.zeros((BATCH, CLASSES), dtype)
    assert loss.softmax_cross_entropy_with_integer_labels(z, LABELS).dtype == dtype
    assert loss.sigmoid_focal_loss(z, ONE_HOT).dtype == dtype
    assert loss.squared_error(z, ONE_HOT).dtype == dtype
    assert loss.huber_loss(z, ONE_HOT).dtype == dtype
    assert loss.ce_count_loss(z[:, None], LABELS[:1]).dtype == dtype
    assert loss.first_spike_time(z).dtype == dtype


def test_saturated_cross_entropy_values() -> None:
    z = jnp.array([[1e4, -1e4, 0.0]])
    np.testing.assert_allclose(
        loss.softmax_cross_entropy_with_integer_labels(z, jnp.array([0])), [0.0]
    )
    np.testing.assert_allclose(
        loss.softmax_cross_entropy_with_integer_labels(z, jnp.array([1])), [2e4]
    )
    np.testing.assert_allclose(
        loss.sigmoid_binary_cross_entropy(z, jnp.array([[0.0, 1.0, 1.0]])),
        [[1e4, 1e4, np.log(2.0)]],
    )


def test_zero_corners_have_finite_gradients() -> None:
    # KL with zero target probabilities (0 log 0 = 0)
    p = jnp.array([0.0, 1.0, 0.0])
    g = jax.grad(lambda t: loss.kl_divergence(jnp.log(jnp.array([0.2, 0.5, 0.3])), t))(p)
    assert np.all(np.isfinite(np.asarray(g)))
    g = jax.grad(lambda lt: loss.kl_divergence_with_log_targets(jnp.zeros(3), lt))(jnp.log(p))
    assert np.all(np.isfinite(np.asarray(g)))
    # norms at the zero vector
    np.testing.assert_allclose(jax.grad(lambda e: loss.l2_norm(e))(jnp.zeros(3)), 0.0)
    g = jax.grad(lambda a: loss.cosine_similarity(a, jnp.ones(3)))(jnp.zeros(3))
    assert np.all(np.isfinite(np.asarray(g)))
    g = jax.grad(lambda x: loss.pairwise_cosine_similarity(x).sum())(jnp.zeros((2, 3)))
    assert np.all(np.isfinite(np.asarray(g)))
    np.testing.assert_allclose(loss.cosine_similarity(jnp.zeros(3), jnp.ones(3)), 0.0)


def test_log_cosh_is_stable_for_large_errors() -> None:
    value = loss.log_cosh(jnp.array([1e4, -1e4], jnp.float32))
    np.testing.assert_allclose(value, [1e4 - np.log(2.0)] * 2, rtol=1e-6)


def test_ctc_gradient_finite_with_extreme_logits() -> None:
    z = jnp.full((1, 5, 3), -1e4).at[:, :, 0].set(1e4)  # the network only ever says blank
    fn = jax.jit(
        jax.value_and_grad(
            lambda z: loss.ctc_loss(
                z, jnp.zeros((1, 5)), jnp.array([[1, 2]]), jnp.zeros((1, 2))
            ).sum()
        )
    )
    value, grad = fn(z)
    assert np.isfinite(float(value)) and float(value) > 1e3
    assert np.all(np.isfinite(np.asarray(grad)))


def test_losses_are_pure_under_jit_and_vmap() -> None:
    z = jax.random.normal(jax.random.PRNGKey(0), (5, BATCH, CLASSES))
    y = jnp.broadcast_to(LABELS, (5, BATCH))
    batched = jax.vmap(loss.softmax_cross_entropy_with_integer_labels)(z, y)
    np.testing.assert_allclose(
        batched, loss.softmax_cross_entropy_with_integer_labels(z, y), rtol=1e-6
    )
    jitted = jax.jit(loss.huber_loss, static_argnames=("reduction",))(z, reduction="mean")
    np.testing.assert_allclose(jitted, loss.huber_loss(z, reduction="mean"), rtol=1e-6)


def test_accepts_python_lists_and_numpy_arrays() -> None:
    from_lists = loss.softmax_cross_entropy_with_integer_labels([[2.0, 1.0, 0.1]], [0])
    from_numpy = loss.softmax_cross_entropy_with_integer_labels(
        np.array([[2.0, 1.0, 0.1]], np.float32), np.array([0])
    )
    np.testing.assert_allclose(from_lists, from_numpy)
    np.testing.assert_allclose(from_lists, [np.log(np.exp([2.0, 1.0, 0.1]).sum()) - 2.0], rtol=1e-6)
    spikes = np.zeros((3, 2, 2), np.float32)
    np.testing.assert_allclose(loss.ce_count_loss(spikes, np.array([0, 1])), [np.log(2.0)] * 2)
