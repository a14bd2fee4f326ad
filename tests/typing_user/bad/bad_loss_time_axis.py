"""A float where a spike loss needs an integer axis."""

import jax.numpy as jnp

from core import loss

spikes = jnp.zeros((20, 8, 10))
labels = jnp.zeros(8, jnp.int32)
print(loss.ce_rate_loss(spikes, labels, time_axis=0.5))  # expect: arg-type
