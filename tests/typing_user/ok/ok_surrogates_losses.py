"""Surrogate spike functions and losses from both faces of the library."""

from __future__ import annotations

import jax
import jax.numpy as jnp

import facade as braintools
from core import loss, surrogate

v = jnp.linspace(-1.0, 1.0, 5)
spike = surrogate.Sigmoid(alpha=4.0)
spikes: jax.Array = spike(v)
slope: jax.Array = jax.grad(lambda x: spike(x).sum())(v)
relu = braintools.surrogate.ReluGrad(alpha=0.5)
neuron = braintools.nn.LIF(5, spike_fun=relu)
functional: jax.Array = surrogate.sigmoid(v, alpha=2.0)

logits = jnp.zeros((8, 10))
labels = jnp.zeros(8, jnp.int32)
trains = jnp.zeros((20, 8, 10))
ce: jax.Array = loss.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
rate: jax.Array = loss.ce_rate_loss(trains, labels, time_axis=0)
first: jax.Array = loss.first_spike_time(trains)
metric: jax.Array = braintools.metric.softmax_cross_entropy_with_integer_labels(logits, labels)
print(spikes, slope, functional, ce, rate, first, metric, neuron)
