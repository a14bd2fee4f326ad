"""A user program of the gradient API, type-checked with ``mypy --strict``."""

from __future__ import annotations

from typing import Any, assert_type

import brainstate
import jax.numpy as jnp
from jax import Array

import facade as braintools
from core import transform as functional
from facade.transform import StateGradient

net = brainstate.nn.Linear(3, 2)
params = net.states(brainstate.ParamState)
X, y = jnp.ones((4, 3)), jnp.zeros((4, 2))


def loss_fn(params: Any, net: brainstate.nn.Linear, X: Array, y: Array) -> Array:
    return jnp.mean((net(X) - y) ** 2)


gradient = braintools.transform.grad(loss_fn, params, return_value=True)
assert_type(gradient, StateGradient)
grads, loss = gradient(net, X, y)
value, grads = braintools.transform.value_and_grad(loss_fn, params)(net, X, y)
assert_type(braintools.transform.vector_grad(jnp.sin), StateGradient)


def pure_loss(p: dict[str, Array], x: Array) -> Array:
    return (p["w"] * x).sum()


loss_value, pure_grads = functional.value_and_grad(pure_loss)({"w": jnp.ones(3)}, jnp.ones(3))
