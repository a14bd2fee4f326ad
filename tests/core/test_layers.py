"""core.layers.dense: equals x @ W + b (NumPy reference) and lowers to one 2-D matmul."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core.layers import dense

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("x_shape", [(3,), (4, 3), (5, 4, 3), (2, 5, 4, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_equals_numpy_affine_map(x_shape: tuple[int, ...], with_bias: bool) -> None:
    x = RNG.normal(size=x_shape).astype(np.float32)
    w = RNG.normal(size=(3, 6)).astype(np.float32)
    b = RNG.normal(size=6).astype(np.float32)
    y = dense(jnp.asarray(x), jnp.asarray(w), jnp.asarray(b) if with_bias else None)
    expected = x @ w + (b if with_bias else 0.0)
    assert y.shape == (*x_shape[:-1], 6)
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-5, atol=1e-5)


def test_gradients_equal_those_of_the_plain_expression() -> None:
    x = jnp.asarray(RNG.normal(size=(7, 4, 3)), jnp.float32)
    w = jnp.asarray(RNG.normal(size=(3, 5)), jnp.float32)
    b = jnp.asarray(RNG.normal(size=5), jnp.float32)

    def ours(w: jax.Array, b: jax.Array) -> jax.Array:
        return jnp.sum(jnp.tanh(dense(x, w, b)))

    def plain(w: jax.Array, b: jax.Array) -> jax.Array:
        return jnp.sum(jnp.tanh(x @ w + b))

    for g_ours, g_plain in zip(
        jax.grad(ours, (0, 1))(w, b), jax.grad(plain, (0, 1))(w, b), strict=True
    ):
        np.testing.assert_allclose(np.asarray(g_ours), np.asarray(g_plain), rtol=1e-5)


def test_forward_and_weight_gradient_are_2d_matmuls() -> None:
    x = jnp.ones((7, 4, 3))

    def loss(w: jax.Array) -> jax.Array:
        return jnp.sum(dense(x, w) ** 2)

    jaxpr = jax.make_jaxpr(jax.grad(loss))(jnp.ones((3, 5)))
    dots = [e for e in jaxpr.eqns if e.primitive.name == "dot_general"]
    assert len(dots) == 2
    for eqn in dots:
        assert all(v.aval.ndim == 2 for v in eqn.invars)


@pytest.mark.parametrize(
    ("x", "w", "b", "match"),
    [
        (np.ones((2, 3)), np.ones(3), None, "weight must be 2-D"),
        (np.ones((2, 4)), np.ones((3, 5)), None, "last axis of x must have"),
        (np.float32(1.0), np.ones((1, 5)), None, "last axis of x must have"),
        (np.ones((2, 3)), np.ones((3, 5)), np.ones(4), "bias must broadcast to"),
        (np.ones((2, 3)), np.ones((3, 5)), np.ones((5, 1)), "bias must broadcast to"),
    ],
)
def test_bad_shapes_raise_naming_the_argument(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        dense(x, w, b)
