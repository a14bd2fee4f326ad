"""A misspelled optimizer method."""

import brainstate
import jax.numpy as jnp

import facade as braintools

params = {"w": brainstate.ParamState(jnp.zeros(3))}
optimizer = braintools.optim.Adam(learning_rate=1e-3)
optimizer.register_trainable_weights(params)
optimizer.updat({"w": jnp.ones(3)})  # expect: attr-defined
