"""brainstate's own transforms with a hand-written model, as the brainstate docs show them."""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp


class Readout(brainstate.nn.Module):
    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.w = brainstate.ParamState(jnp.zeros((n_in, n_out)))
        self.b = brainstate.ParamState(jnp.zeros(n_out))
        self.v = brainstate.HiddenState(jnp.zeros(n_out))

    def update(self, x: jax.Array) -> jax.Array:
        self.v.value = 0.9 * self.v.value + x @ self.w.value + self.b.value
        return self.v.value


brainstate.random.seed(1)
model = Readout(4, 2)
weights = model.states(brainstate.ParamState)
hidden, trainable = model.states(brainstate.HiddenState, brainstate.ParamState)


def loss(x: jax.Array) -> jax.Array:
    return jnp.sum(model(x) ** 2)


def loss_and_norm(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    out = model(x)
    return jnp.sum(out**2), jnp.linalg.norm(out)


@brainstate.transform.jit
def sgd_step(x: jax.Array) -> jax.Array:
    grads, value = brainstate.transform.grad(loss, weights, return_value=True)(x)
    for path, state in weights.items():
        state.value = state.value - 0.1 * grads[path]
    return value


@brainstate.transform.jit(static_argnums=1)
def scaled(x: jax.Array, factor: int) -> jax.Array:
    return model(x) * factor


def norm_of_step(x: jax.Array) -> jax.Array:
    _, norm = brainstate.transform.grad(loss_and_norm, weights, has_aux=True)(x)
    return norm


def per_sample(xs: jax.Array) -> jax.Array:
    return brainstate.transform.vmap(lambda x: jnp.sum(x**2))(xs)


def scan_sum(xs: jax.Array) -> jax.Array:
    def body(carry: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        return carry + x, carry

    total, _ = brainstate.transform.scan(body, jnp.zeros(4), xs)
    return total


losses = [float(sgd_step(jnp.ones(4))) for _ in range(3)]
bias: jax.Array = model.b.value
key: jax.Array = brainstate.random.split_key()
brainstate.nn.reset_all_states(model)
print(losses, bias, key, scaled(jnp.ones(4), 2), norm_of_step(jnp.ones(4)))
