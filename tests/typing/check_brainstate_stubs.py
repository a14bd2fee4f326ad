"""What ``typing_stubs/brainstate-stubs`` gives brainstate code under ``mypy --strict``.

Each ``assert_type`` is a type that brainstate's own annotations leave as ``Any`` (its
functions pass through an unannotated decorator) or as a union users cannot call. Types
that only the stubs make generic (``ParamState[...]``, ``GradientTransform[...]``) are
written as strings: the program also runs.
"""

from __future__ import annotations

from typing import Any, assert_type

import brainstate
import jax
import jax.numpy as jnp
from brainstate.transform._jit import JittedFunction  # not re-exported by brainstate
from jax import Array


class Leaky(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = brainstate.ParamState(jnp.ones(3))
        self.v = brainstate.HiddenState(jnp.zeros(3))

    def update(self, x: Array, scale: float = 1.0) -> Array:
        self.v.value = 0.9 * self.v.value + scale * x * self.w.value
        return self.v.value


net = brainstate.nn.init_all_states(Leaky())
assert_type(net, Leaky)
assert_type(net(jnp.ones(3)), Array)
assert_type(net(jnp.ones(3), scale=0.5), Array)
assert_type(net.w, "brainstate.ParamState[Array]")  # subscripted for type checkers only
assert_type(net.w.value, Array)
assert_type(brainstate.ParamState({"w": jnp.ones(2)}).value, dict[str, Array])
bare: brainstate.LongTermState = brainstate.LongTermState(0)
assert_type(bare.value, Any)

params = net.states(brainstate.ParamState)
assert_type(params, "dict[tuple[str | int, ...], brainstate.ParamState[Any]]")
assert_type(net.states(), dict[tuple[str | int, ...], brainstate.State[Any]])
hidden, trainable = net.states(brainstate.HiddenState, brainstate.ParamState)
assert_type(hidden, dict[tuple[str | int, ...], brainstate.State[Any]])


def loss(x: Array) -> Array:
    return jnp.sum(net(x) ** 2)


def loss_aux(x: Array) -> tuple[Array, int]:
    return loss(x), 1


assert_type(brainstate.transform.grad(loss, params), "brainstate.transform.GradientTransform[Any]")
with_value = brainstate.transform.grad(loss, params, return_value=True)
assert_type(with_value, "brainstate.transform.GradientTransform[tuple[Any, Array]]")
with_aux = brainstate.transform.grad(loss_aux, params, has_aux=True)
assert_type(with_aux, "brainstate.transform.GradientTransform[tuple[Any, int]]")
assert_type(
    brainstate.transform.grad(loss_aux, params, has_aux=True, return_value=True),
    "brainstate.transform.GradientTransform[tuple[Any, Array, int]]",
)
grads, value = brainstate.transform.grad(loss, params, return_value=True)(jnp.ones(3))
assert_type(value, Array)


@brainstate.transform.jit
def step(x: Array) -> Array:
    return loss(x)


@brainstate.transform.jit(static_argnums=1)
def scaled(x: Array, k: int) -> Array:
    return x * k


def as_jitted(f: JittedFunction[[Array], Array]) -> JittedFunction[[Array], Array]:
    return f


as_jitted(step)
assert_type(step(jnp.ones(3)), Array)
assert_type(scaled(jnp.ones(3), 2), Array)
assert_type(brainstate.transform.for_loop(loss, jnp.ones((4, 3))), Array)
carry, ys = brainstate.transform.scan(lambda c, x: (c + x, c), jnp.zeros(3), jnp.ones((4, 3)))


def pure(x: Array) -> Array:
    return jnp.sum(x**2)


assert_type(brainstate.transform.vmap(pure)(jnp.ones((2, 3))), Array)
assert_type(brainstate.transform.vmap(in_axes=0)(pure)(jnp.ones((2, 3))), Array)
assert_type(brainstate.transform.checkpoint(pure)(jnp.ones(3)), Array)
assert_type(brainstate.random.split_key(), jax.Array)
brainstate.random.seed(0)
