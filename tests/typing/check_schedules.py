"""A user program of the schedules API, type-checked with ``mypy --strict``."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_type

import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core import optim

ScheduleFn = Callable[[ArrayLike], Array]

warmup = optim.linear_schedule(init_value=0.0, end_value=1e-3, transition_steps=100)
assert_type(warmup, ScheduleFn)
assert_type(warmup(0), Array)
assert_type(warmup(jnp.int32(5)), Array)
assert_type(warmup(jnp.arange(4)), Array)
step_values = jax.jit(warmup)(jnp.arange(4))

schedules: list[ScheduleFn] = [
    optim.constant_schedule(0.1),
    optim.polynomial_schedule(1.0, 0.0, power=2, transition_steps=10),
    optim.exponential_decay(1.0, transition_steps=10, decay_rate=0.5, staircase=True),
    optim.cosine_decay_schedule(1.0, decay_steps=10, alpha=0.1, exponent=1.0),
    optim.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=2, decay_steps=10),
    optim.warmup_constant_schedule(0.0, 1.0, warmup_steps=2),
    optim.warmup_exponential_decay_schedule(0.0, 1.0, 2, 10, 0.5, end_value=0.01),
    optim.piecewise_constant_schedule(1.0, {10: 0.1, 20: 0.1}),
    optim.piecewise_interpolate_schedule("cosine", 1.0, {10: 0.1}),
    optim.sgdr_schedule(
        [{"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1, "decay_steps": 5}]
    ),
    optim.cosine_onecycle_schedule(100, peak_value=0.1),
    optim.linear_onecycle_schedule(100, peak_value=0.1, pct_final=0.9),
]
joined = optim.join_schedules(schedules, boundaries=list(range(10, 120, 10)))
assert_type(joined, ScheduleFn)


def learning_rate(step: int) -> float:
    return float(joined(step))


# A schedule also fits where the optimizers take a ``Schedule`` (a step array to a value).
as_schedule: optim.Schedule = optim.cosine_decay_schedule(1.0, 10)
assert_type(as_schedule(jnp.int32(3)), Array)


def _planted_errors() -> None:
    """Wrong argument types are refused (each ignore is checked by warn_unused_ignores)."""
    optim.linear_schedule(0.0, 1.0, transition_steps=10.5)  # type: ignore[arg-type]
    optim.cosine_decay_schedule(1.0, decay_steps="10")  # type: ignore[arg-type]
    optim.exponential_decay(1.0, 10, 0.5, staircase="yes")  # type: ignore[arg-type]
    optim.adam(optim.linear_schedule)  # type: ignore[arg-type]
