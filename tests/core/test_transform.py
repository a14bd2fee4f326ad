"""core.transform: value and gradient of pure parameter pytrees, against jax.value_and_grad."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import Array

from core import surrogate, transform


class Model(eqx.Module):
    weight: Array
    spike_fun: surrogate.Surrogate
    steps: int

    def __call__(self, x: Array) -> Array:
        return self.spike_fun(x @ self.weight)


def loss(model: Model, x: Array) -> Array:
    return jnp.sum(model(x) * jnp.arange(1.0, 4.0, dtype=jnp.float32)) * model.steps


X = jnp.linspace(-1.0, 1.0, 6, dtype=jnp.float32).reshape(2, 3)
MODEL = Model(jnp.eye(3, dtype=jnp.float32) * 0.5, surrogate.Sigmoid(alpha=2.0), steps=2)


def test_value_and_grad_equals_jax_on_the_array_leaves() -> None:
    value, grads = transform.value_and_grad(loss)(MODEL, X)

    def on_weight(w: Array) -> Array:
        return loss(eqx.tree_at(lambda m: m.weight, MODEL, w), X)

    expected_value, expected = jax.value_and_grad(on_weight)(MODEL.weight)
    assert float(value) == float(expected_value)
    np.testing.assert_allclose(np.asarray(grads.weight), np.asarray(expected), rtol=1e-6)
    assert grads.steps is None and grads.spike_fun.alpha is None


def test_has_aux_and_grad() -> None:
    (value, aux), grads = transform.value_and_grad(
        lambda m, x: (loss(m, x), m(x).mean()), has_aux=True
    )(MODEL, X)
    assert float(aux) == float(MODEL(X).mean())
    only, aux2 = transform.grad(lambda m, x: (loss(m, x), 1.0), has_aux=True)(MODEL, X)
    np.testing.assert_allclose(np.asarray(only.weight), np.asarray(grads.weight))
    assert aux2 == 1.0 and float(value) == float(loss(MODEL, X))


def test_refuses_a_non_callable() -> None:
    with pytest.raises(TypeError, match="fun must be callable"):
        transform.value_and_grad(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fun must be callable"):
        transform.grad("loss")  # type: ignore[arg-type]
