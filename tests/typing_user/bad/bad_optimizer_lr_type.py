"""A learning rate given as a string."""

import brainstate
import jax.numpy as jnp

import facade as braintools

params = {"w": brainstate.ParamState(jnp.zeros(3))}
optimizer = braintools.optim.Adam(learning_rate="1e-3")  # expect: arg-type
optimizer.register_trainable_weights(params)
