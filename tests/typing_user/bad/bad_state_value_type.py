"""A string written into an array-valued parameter state."""

import brainstate
import jax.numpy as jnp

w = brainstate.ParamState(jnp.ones(3))
w.value = "zeros"  # expect: assignment
