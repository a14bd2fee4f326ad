"""The stacked outputs of brainstate.transform.for_loop (an Array) used as an int."""

import brainstate
import jax
import jax.numpy as jnp


def step(x: jax.Array) -> jax.Array:
    return x * 2


steps: int = brainstate.transform.for_loop(step, jnp.ones((5, 3)))  # expect: assignment
