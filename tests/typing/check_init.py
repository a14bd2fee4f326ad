"""A user program of the host-drawn initializers, type-checked with ``mypy --strict``."""

from __future__ import annotations

from typing import assert_type

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

import facade as braintools
from core import init

key = jax.random.key(0)
he = init.kaiming_normal()
assert_type(he, init.KaimingNormal)
assert_type(he(key, (64, 256)), Array)
assert_type(
    init.KaimingNormal(1.0, "fan_avg")(np.random.default_rng(0), (3, 4), jnp.bfloat16), Array
)
mode: str = init.KaimingNormal(mode="fan_out").mode

layer = braintools.nn.Linear(64, 256, b_init=0.1)
assert_type(layer, braintools.nn.Linear)
assert_type(layer(jnp.ones((25, 8, 64))), Array)
assert_type(braintools.nn.KaimingNormal(seed=1)((4, 5)), Array)
brainstate.nn.Linear(4, 5, w_init=braintools.nn.KaimingNormal())
