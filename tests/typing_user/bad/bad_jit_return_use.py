"""The result of a jitted training step (an Array) used as a float-typed value."""

import brainstate
import jax
import jax.numpy as jnp

w = brainstate.ParamState(jnp.ones(3))


@brainstate.transform.jit
def train_step(x: jax.Array) -> jax.Array:
    grads, loss = brainstate.transform.grad(lambda: (w.value * x).sum(), w, return_value=True)()
    w.value = w.value - 0.1 * grads
    return loss


history: list[float] = []
history.append(train_step(jnp.ones(3)))  # expect: arg-type
