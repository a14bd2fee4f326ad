"""Every schedule equals optax 0.2.8's, step by step, eagerly and under ``jit``.

optax's schedules mix integer steps with Python floats, which the strict promotion of our
``conftest.py`` rejects, so the oracle runs under standard promotion; ours run strict.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from core import optim

RTOL = 1e-5
ATOL = 1e-7

SGDR_CYCLES = [
    {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 2, "decay_steps": 10},
    {"init_value": 0.1, "peak_value": 0.5, "warmup_steps": 3, "decay_steps": 12, "end_value": 0.01},
]

# (name, positional arguments, number of steps to compare: well past the end of the schedule);
# the arguments mean the same to both libraries: test_signature_equals_optax.
CASES: list[tuple[str, tuple[Any, ...], int]] = [
    ("constant_schedule", (0.3,), 5),
    ("constant_schedule", (2,), 5),
    ("linear_schedule", (1.0, 0.01, 20), 25),
    ("linear_schedule", (0.0, 3.0, 7, 5), 16),
    ("linear_schedule", (0.5, 0.1, 0), 5),
    ("polynomial_schedule", (1.0, 0.01, 2, 20, 5), 30),
    ("polynomial_schedule", (0.5, 2.0, 3.0, 9), 12),
    ("exponential_decay", (0.1, 5, 0.9), 30),
    ("exponential_decay", (1.0, 3, 0.7, 4, True, 0.2), 30),
    ("exponential_decay", (1.0, 3, 0.7, 4, False), 20),
    ("exponential_decay", (1.0, 3, 1.3, 0, False, 2.0), 20),
    ("exponential_decay", (0.4, 0, 0.5), 5),
    ("cosine_decay_schedule", (0.1, 25), 30),
    ("cosine_decay_schedule", (0.1, 25, 0.1, 2.0), 30),
    ("piecewise_constant_schedule", (1.0, {10: 0.5, 0: 2.0, 20: 0.1}), 25),
    ("piecewise_constant_schedule", (0.3, None), 5),
    ("piecewise_interpolate_schedule", ("linear", 1.0, {10: 0.5, 3: 2.0, 20: 0.1}), 25),
    ("piecewise_interpolate_schedule", ("cosine", 1.0, {0: 3.0, 10: 0.5, 20: 0.1}), 25),
    ("piecewise_interpolate_schedule", ("linear", 0.7, {}), 5),
    ("warmup_constant_schedule", (0.0, 1.0, 7), 10),
    ("warmup_cosine_decay_schedule", (0.0, 1.0, 5, 20), 25),
    ("warmup_cosine_decay_schedule", (0.01, 1.0, 7, 30, 0.05, 1.5), 35),
    ("warmup_cosine_decay_schedule", (0.2, 0.5, 0, 10), 12),
    ("warmup_cosine_decay_schedule", (0.0, 0.0, 2, 6), 8),
    ("warmup_exponential_decay_schedule", (0.01, 1.0, 7, 4, 0.5, 2, True, 0.1), 30),
    ("warmup_exponential_decay_schedule", (0.0, 0.5, 3, 2, 0.8), 20),
    ("sgdr_schedule", (SGDR_CYCLES,), 30),
    ("cosine_onecycle_schedule", (30, 0.5), 35),
    ("cosine_onecycle_schedule", (20, 2.0, 0.5, 4.0, 10.0), 25),
    ("linear_onecycle_schedule", (30, 0.5), 35),
    ("linear_onecycle_schedule", (40, 1.0, 0.25, 0.5, 10.0, 100.0), 45),
]

IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def _both(name: str, args: tuple[Any, ...]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    return getattr(optim, name)(*args), getattr(optax, name)(*args)


@pytest.mark.parametrize("name", sorted({name for name, _, _ in CASES} | {"join_schedules"}))
def test_signature_equals_optax(name: str) -> None:
    """Same parameters as optax's, in the same order, of the same kind, with the same defaults."""
    ours, theirs = (inspect.signature(getattr(lib, name)).parameters for lib in (optim, optax))
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


def _optax_values(schedule: Callable[..., Any], steps: list[Any]) -> np.ndarray:
    with jax.numpy_dtype_promotion("standard"):
        return np.array([float(schedule(s)) for s in steps])


@pytest.mark.parametrize(("name", "args", "n"), CASES, ids=IDS)
def test_equals_optax_eagerly(name: str, args: tuple[Any, ...], n: int) -> None:
    ours, theirs = _both(name, args)
    steps = list(range(n + 1))
    got = np.array([float(ours(s)) for s in steps])
    np.testing.assert_allclose(got, _optax_values(theirs, steps), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("name", "args", "n"), CASES, ids=IDS)
def test_equals_optax_under_jit(name: str, args: tuple[Any, ...], n: int) -> None:
    ours, theirs = _both(name, args)
    steps = jnp.arange(n + 1, dtype=jnp.int32)
    got = np.asarray(jax.jit(jax.vmap(ours))(steps))
    with jax.numpy_dtype_promotion("standard"):
        theirs_jit = jax.jit(theirs)
        want = np.array([float(theirs_jit(s)) for s in steps])
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    assert got.dtype == np.float32


def test_join_schedules_equals_optax() -> None:
    parts = [
        optim.linear_schedule(0.0, 1.0, 4),
        optim.constant_schedule(0.5),
        optim.exponential_decay(0.5, 2, 0.5),
    ]
    ours = optim.join_schedules(parts, [4, 9])
    theirs = optax.join_schedules(parts, [4, 9])
    steps = list(range(20))
    got = np.array([float(ours(s)) for s in steps])
    np.testing.assert_allclose(got, _optax_values(theirs, steps), rtol=RTOL, atol=ATOL)


def test_join_schedules_accepts_optax_schedules() -> None:
    """optax schedules (returning Python numbers or weak arrays) join like ours."""
    theirs_parts = [optax.constant_schedule(0.1), optax.linear_schedule(0.1, 0.0, 5)]
    ours = optim.join_schedules(theirs_parts, [3])
    with jax.numpy_dtype_promotion("standard"):
        got = np.array([float(ours(s)) for s in range(10)])
    want = np.array([0.1] * 3 + [0.1 - 0.02 * k for k in range(5)] + [0.0, 0.0])
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-7)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("cosine_decay_schedule", (0.1, 25, 0.1)),
        ("exponential_decay", (1.0, 3, 0.7)),
        ("warmup_cosine_decay_schedule", (0.0, 1.0, 5, 20)),
        ("linear_onecycle_schedule", (30, 0.5)),
    ],
)
def test_equals_optax_in_float64(name: str, args: tuple[Any, ...]) -> None:
    with jax.enable_x64(True):
        ours, theirs = _both(name, args)
        steps = list(range(32))
        got = [ours(s) for s in steps]
        assert all(v.dtype == np.float64 for v in got)
        np.testing.assert_allclose(
            np.array([float(v) for v in got]), _optax_values(theirs, steps), rtol=1e-12
        )


def test_polynomial_fractional_power_stays_finite_under_jit() -> None:
    """optax gives NaN at the end of a fractional-power schedule under jit; we do not."""
    kwargs = {"init_value": 0.5, "end_value": 2.0, "power": 0.5, "transition_steps": 7}
    ours = jax.jit(jax.vmap(optim.polynomial_schedule(**kwargs)))(jnp.arange(12))
    np.testing.assert_allclose(np.asarray(ours)[7:], 2.0, rtol=RTOL)
    steps = list(range(7))
    theirs = _optax_values(optax.polynomial_schedule(**kwargs), steps)
    np.testing.assert_allclose(np.asarray(ours)[:7], theirs, rtol=RTOL)
