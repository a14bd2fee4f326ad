"""Type-level check of the core.loss / facade.metric API (run through mypy --strict)."""

from __future__ import annotations

from typing import assert_type

import jax
import jax.numpy as jnp

import facade as braintools
from core import loss

logits = jnp.zeros((8, 10))
labels = jnp.zeros((8,), jnp.int32)
spikes = jnp.zeros((20, 8, 10))

assert_type(loss.softmax_cross_entropy_with_integer_labels(logits, labels), jax.Array)
assert_type(loss.softmax_cross_entropy_with_integer_labels(logits, labels, check=True), jax.Array)
assert_type(braintools.metric.softmax_cross_entropy_with_integer_labels(logits, labels), jax.Array)
assert_type(loss.softmax_cross_entropy(logits, jax.nn.one_hot(labels, 10)), jax.Array)
assert_type(loss.sigmoid_focal_loss(logits, logits, alpha=0.25, gamma=2.0), jax.Array)
assert_type(loss.nll_loss(jax.nn.log_softmax(logits), labels), jax.Array)
assert_type(loss.squared_error(logits, logits, axis=1, reduction="mean"), jax.Array)
assert_type(loss.huber_loss(logits, delta=0.5), jax.Array)
assert_type(loss.l2_norm(logits), jax.Array)
assert_type(loss.pairwise_cosine_distance(logits), jax.Array)
assert_type(loss.smooth_labels(logits, 0.1), jax.Array)
assert_type(
    loss.ctc_loss(
        jnp.zeros((2, 5, 4)), jnp.zeros((2, 5)), jnp.zeros((2, 3), jnp.int32), jnp.zeros((2, 3))
    ),
    jax.Array,
)
assert_type(loss.ce_rate_loss(spikes, labels, time_axis=0, population=1), jax.Array)
assert_type(loss.mse_count_loss(spikes, labels, correct_rate=0.8, incorrect_rate=0.2), jax.Array)
assert_type(loss.tet_loss(spikes, labels, lamb=1e-3, means=1.0), jax.Array)
assert_type(loss.first_spike_time(spikes), jax.Array)
assert_type(loss.accuracy_first_spike(spikes, labels, population=1), jax.Array)
assert_type(loss.silence_penalty({"h1": spikes, "h2": [spikes]}, min_spikes=1.0), jax.Array)
assert_type(loss.sparsity_penalty(spikes, max_spikes=5.0, time_axis=0), jax.Array)
assert_type(loss.l1_rate_sparsity([spikes], lamb=1e-5), jax.Array)


def training_loss(params: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    return loss.softmax_cross_entropy_with_integer_labels(x @ params, y).mean()


assert_type(training_loss(jnp.zeros((3, 10)), jnp.ones((8, 3)), labels), jax.Array)
