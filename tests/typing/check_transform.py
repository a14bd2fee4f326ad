"""A user program of the gradient API, type-checked with ``mypy --strict``.

The overloads of ``facade.transform.grad`` / ``value_and_grad`` / ``vector_grad`` give the
value and the auxiliary data the types the function returns, for every combination of
``has_aux`` and ``return_value``; the gradients are ``Gradients`` (their structure follows
the states and arguments, which a type cannot express).
"""

from __future__ import annotations

from collections.abc import Callable
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


def loss_with_aux(params: Any, net: brainstate.nn.Linear, X: Array, y: Array) -> tuple[Array, int]:
    return jnp.mean((net(X) - y) ** 2), 3


gradient = braintools.transform.grad(loss_fn, params, return_value=True)
assert_type(gradient, StateGradient[tuple[Any, Array]])
grads, loss = gradient(net, X, y)
assert_type(loss, Array)
assert_type(braintools.transform.grad(loss_fn, params), StateGradient[Any])
assert_type(
    braintools.transform.grad(loss_with_aux, params, has_aux=True), StateGradient[tuple[Any, int]]
)
assert_type(
    braintools.transform.grad(loss_with_aux, params, has_aux=True, return_value=True),
    StateGradient[tuple[Any, Array, int]],
)
value, grads = braintools.transform.value_and_grad(loss_fn, params)(net, X, y)
assert_type(value, Array)
(value, aux), grads = braintools.transform.value_and_grad(loss_with_aux, params, has_aux=True)(
    net, X, y
)
assert_type(aux, int)
assert_type(braintools.transform.vector_grad(jnp.sin), StateGradient[Any])
decorator = braintools.transform.grad(grad_states=params)
assert_type(decorator, Callable[[Callable[..., Any]], StateGradient[Any]])


def pure_loss(p: dict[str, Array], x: Array) -> Array:
    return (p["w"] * x).sum()


loss_value, pure_grads = functional.value_and_grad(pure_loss)({"w": jnp.ones(3)}, jnp.ones(3))


# facade.transform.jit keeps the step's parameters and return type, bare or configured
@braintools.transform.jit
def train_step(X: Array, y: Array) -> Array:
    _, loss = braintools.transform.grad(loss_fn, params, return_value=True)(net, X, y)
    return loss


@braintools.transform.jit(static_argnums=(1,))
def repeated(X: Array, times: int) -> float:
    return float(times)


assert_type(train_step(X, y), Array)
assert_type(repeated(X, 2), float)
train_step(X, "y")  # type: ignore[arg-type]
