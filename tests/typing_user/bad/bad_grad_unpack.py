"""Three results unpacked from grad(..., return_value=True), which returns two."""

import brainstate
import jax
import jax.numpy as jnp

import facade as braintools

w = brainstate.ParamState(jnp.ones(3))


def loss_fn(x: jax.Array) -> jax.Array:
    return (w.value * x).sum()


gradient = braintools.transform.grad(loss_fn, w, return_value=True)
grads, loss, aux = gradient(jnp.ones(3))  # expect: misc
