"""A user program of core.layers, type-checked with ``mypy --strict``."""

from __future__ import annotations

from typing import assert_type

import jax.numpy as jnp
import numpy as np
from jax import Array

from core import layers

xs = jnp.ones((25, 8, 3))
assert_type(layers.dense(xs, jnp.ones((3, 4))), Array)
assert_type(layers.dense(np.ones((2, 3)), np.ones((3, 4)), 0.5), Array)
