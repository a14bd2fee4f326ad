"""A misspelled surrogate hyperparameter."""

import jax.numpy as jnp

from core import surrogate

spike = surrogate.Sigmoid(alpah=4.0)  # expect: call-arg
print(spike(jnp.zeros(3)))
