"""A jitted function called with too few arguments."""

import brainstate
import jax
import jax.numpy as jnp


@brainstate.transform.jit
def predict(x: jax.Array, scale: jax.Array) -> jax.Array:
    return x * scale


print(predict(jnp.ones(3)))  # expect: call-arg
