"""Schedules as pure functions of the step: jit/vmap/scan, step and value dtypes, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.typing import ArrayLike

from core import optim
from tests.refusals import BadCase, refusal_test

ScheduleFn = Callable[[ArrayLike], jax.Array]

SCHEDULES: dict[str, Callable[[], ScheduleFn]] = {
    "constant": lambda: optim.constant_schedule(0.3),
    "linear": lambda: optim.linear_schedule(1.0, 0.1, 10, 2),
    "polynomial": lambda: optim.polynomial_schedule(1.0, 0.1, 2, 10, 2),
    "exponential": lambda: optim.exponential_decay(1.0, 3, 0.5, 1, True, 0.1),
    "cosine": lambda: optim.cosine_decay_schedule(1.0, 10, 0.1, 2.0),
    "warmup_cosine": lambda: optim.warmup_cosine_decay_schedule(0.0, 1.0, 3, 12, 0.1),
    "warmup_constant": lambda: optim.warmup_constant_schedule(0.0, 1.0, 4),
    "warmup_exponential": lambda: optim.warmup_exponential_decay_schedule(0.0, 1.0, 3, 2, 0.5),
    "piecewise_constant": lambda: optim.piecewise_constant_schedule(1.0, {3: 0.5, 8: 0.1}),
    "piecewise_linear": lambda: optim.piecewise_interpolate_schedule("linear", 1.0, {4: 0.1}),
    "piecewise_cosine": lambda: optim.piecewise_interpolate_schedule("cosine", 1.0, {4: 0.1}),
    "join": lambda: optim.join_schedules(
        [optim.constant_schedule(1.0), optim.linear_schedule(1.0, 0.0, 5)], [3]
    ),
    "sgdr": lambda: optim.sgdr_schedule(
        [{"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1, "decay_steps": 5}] * 2
    ),
    "cosine_onecycle": lambda: optim.cosine_onecycle_schedule(12, 1.0),
    "linear_onecycle": lambda: optim.linear_onecycle_schedule(12, 1.0),
    "cyclic": lambda: optim.cyclic_schedule(0.1, 1.0, 3, 2, mode="triangular2"),
    "one_cycle_lr": lambda: optim.one_cycle_lr_schedule(12, 1.0),
    "warm_restarts": lambda: optim.cosine_warm_restarts_schedule(1.0, 2, 2, 0.1),
}
NAMES = list(SCHEDULES)
STEPS = list(range(16))


def _eager(schedule: ScheduleFn) -> np.ndarray:
    return np.array([float(schedule(s)) for s in STEPS])


@pytest.mark.parametrize("name", NAMES)
def test_jit_traces_once_for_many_steps(name: str) -> None:
    schedule = SCHEDULES[name]()
    traces = 0

    def counted(step: jax.Array) -> jax.Array:
        nonlocal traces
        traces += 1
        return schedule(step)

    jitted = jax.jit(counted)
    got = np.array([float(jitted(jnp.int32(s))) for s in STEPS])
    assert traces == 1
    np.testing.assert_allclose(got, _eager(schedule), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_vmap_over_steps_and_array_steps(name: str) -> None:
    schedule = SCHEDULES[name]()
    steps = jnp.arange(len(STEPS), dtype=jnp.int32)
    want = _eager(schedule)
    np.testing.assert_allclose(np.asarray(jax.vmap(schedule)(steps)), want, rtol=1e-6, atol=1e-7)
    direct = schedule(steps.reshape(4, 4))
    assert direct.shape == (4, 4)
    np.testing.assert_allclose(np.asarray(direct).ravel(), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_step_types_agree_and_output_is_float32(name: str) -> None:
    schedule = SCHEDULES[name]()
    for s in (0, 3, 7, 15):
        python = schedule(s)
        int32 = schedule(jnp.int32(s))
        uint8 = schedule(np.uint8(s))
        float32 = schedule(jnp.float32(s))
        for value in (python, int32, uint8, float32):
            assert isinstance(value, jax.Array)
            assert value.dtype == jnp.float32
            assert value.shape == ()
        np.testing.assert_array_equal(np.asarray(int32), np.asarray(python))
        np.testing.assert_array_equal(np.asarray(uint8), np.asarray(python))
        np.testing.assert_array_equal(np.asarray(float32), np.asarray(python))


@pytest.mark.parametrize("name", NAMES)
def test_inside_lax_scan(name: str) -> None:
    schedule = SCHEDULES[name]()

    def body(count: jax.Array, _: None) -> tuple[jax.Array, jax.Array]:
        return count + 1, schedule(count)

    _, values = jax.lax.scan(body, jnp.int32(0), None, length=len(STEPS))
    np.testing.assert_allclose(np.asarray(values), _eager(schedule), rtol=1e-6, atol=1e-7)


def test_float64_under_x64_with_int64_steps() -> None:
    with jax.enable_x64(True):
        schedule = optim.warmup_cosine_decay_schedule(0.0, 1.0, 3, 12)
        value = schedule(jnp.int64(5))
        assert value.dtype == jnp.float64
        assert float(value) == pytest.approx(0.5 * (1 + np.cos(np.pi * 2 / 9)), rel=1e-14)
        for name in NAMES:
            assert SCHEDULES[name]()(3).dtype == jnp.float64, name


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16, jnp.float32])
def test_output_follows_array_hyperparameter_dtype(dtype: Any) -> None:
    init = jnp.asarray(0.5, dtype)
    schedules = [
        optim.constant_schedule(init),
        optim.linear_schedule(init, 0.1, 5),
        optim.exponential_decay(init, 2, 0.5, end_value=0.1),
        optim.cosine_decay_schedule(init, 5),
        optim.piecewise_constant_schedule(init, {2: 0.5}),
        optim.piecewise_interpolate_schedule("cosine", init, {2: 0.5}),
        optim.warmup_cosine_decay_schedule(0.0, init, 2, 6),
        optim.linear_onecycle_schedule(10, init),
    ]
    for schedule in schedules:
        for step in (0, 3, jnp.int32(9)):
            assert schedule(step).dtype == dtype


def test_int_valued_hyperparameters_give_float_values() -> None:
    assert optim.constant_schedule(5)(0).dtype == jnp.float32
    assert optim.linear_schedule(jnp.asarray(4), 0, 4)(1).dtype == jnp.float32
    assert float(optim.linear_schedule(jnp.asarray(4), 0, 4)(1)) == 3.0


def test_hyperparameters_may_be_traced() -> None:
    """A schedule built inside jit from traced values works (no Python branch on them)."""

    @jax.jit
    def value(lr: jax.Array, peak: jax.Array, rate: jax.Array, step: jax.Array) -> jax.Array:
        return (
            optim.cosine_decay_schedule(lr, 10)(step)
            + optim.warmup_cosine_decay_schedule(0.0, peak, 2, 10, end_value=0.1)(step)
            + optim.exponential_decay(lr, 2, rate, end_value=0.01)(step)
            + optim.linear_onecycle_schedule(10, peak)(step)
        )

    lr, peak, rate = jnp.float32(0.1), jnp.float32(1.0), jnp.float32(0.5)
    for step in (0, 4, 11):
        want = (
            optim.cosine_decay_schedule(0.1, 10)(step)
            + optim.warmup_cosine_decay_schedule(0.0, 1.0, 2, 10, end_value=0.1)(step)
            + optim.exponential_decay(0.1, 2, 0.5, end_value=0.01)(step)
            + optim.linear_onecycle_schedule(10, 1.0)(step)
        )
        got = value(lr, peak, rate, jnp.int32(step))
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


def test_warmup_cosine_with_zero_traced_peak_is_finite() -> None:
    schedule = optim.warmup_cosine_decay_schedule(0.0, jnp.float32(0.0), 2, 6, end_value=0.1)
    values = np.asarray(jax.vmap(schedule)(jnp.arange(8)))
    assert np.all(np.isfinite(values))
    np.testing.assert_array_equal(values, 0.0)


def test_negative_steps_hold_the_initial_value() -> None:
    for schedule in (
        optim.linear_schedule(1.0, 0.0, 4),
        optim.exponential_decay(1.0, 2, 0.5),
        optim.piecewise_constant_schedule(1.0, {0: 0.5}),
        optim.piecewise_interpolate_schedule("linear", 1.0, {4: 0.5}),
    ):
        assert float(schedule(-3)) == 1.0


def test_coinciding_onecycle_boundaries_jump_instead_of_dropping_a_scale() -> None:
    """pct_final=1 puts two boundaries on the last step; the final value stays documented."""
    schedule = optim.linear_onecycle_schedule(
        10, 1.0, pct_start=0.2, pct_final=1.0, div_factor=10.0, final_div_factor=10.0
    )
    assert float(schedule(2)) == pytest.approx(1.0)
    assert float(schedule(10)) == pytest.approx(1.0 / 100.0)


def test_join_boundaries_may_repeat_zero_length_phase() -> None:
    schedule = optim.join_schedules(
        [optim.constant_schedule(1.0), optim.constant_schedule(2.0), optim.constant_schedule(3.0)],
        [2, 2],
    )
    assert [float(schedule(s)) for s in range(4)] == [1.0, 1.0, 3.0, 3.0]


# --------------------------------------------------------------------------- bad arguments

BAD: list[BadCase] = [
    (lambda: optim.constant_schedule(True), TypeError, "value must be a real number"),
    (lambda: optim.constant_schedule("0.1"), TypeError, "value must be a real number"),
    (lambda: optim.constant_schedule(1j), TypeError, "value must be a real number"),
    (
        lambda: optim.linear_schedule(float("nan"), 0.0, 4),
        ValueError,
        "init_value must be a finite number, got nan",
    ),
    (
        lambda: optim.linear_schedule(1.0, 0.0, -1),
        ValueError,
        "transition_steps must be an integer >= 0",
    ),
    (
        lambda: optim.linear_schedule(1.0, 0.0, 2.5),
        TypeError,
        "transition_steps must be an integer, got 2.5",
    ),
    (lambda: optim.linear_schedule(1.0, 0.0, True), TypeError, "transition_steps must be an int"),
    (
        lambda: optim.linear_schedule(1.0, 0.0, 4, -2),
        ValueError,
        "transition_begin must be an integer >= 0",
    ),
    (lambda: optim.linear_schedule(None, 0.0, 4), TypeError, "init_value must be a real"),
    (lambda: optim.linear_schedule(1.0, "x", 4), TypeError, "end_value must be a real"),
    (
        lambda: optim.polynomial_schedule(1.0, 0.0, -1.0, 4),
        ValueError,
        "power must be a finite number >= 0",
    ),
    (
        lambda: optim.exponential_decay(1.0, -3, 0.5),
        ValueError,
        "transition_steps must be an integer >= 0",
    ),
    (
        lambda: optim.exponential_decay(1.0, 3, 0.0),
        ValueError,
        "decay_rate must be a finite number > 0",
    ),
    (
        lambda: optim.exponential_decay(1.0, 3, -0.5),
        ValueError,
        "decay_rate must be a finite number > 0",
    ),
    (
        lambda: optim.exponential_decay(1.0, 3, 0.5, -1),
        ValueError,
        "transition_begin must be an integer >= 0",
    ),
    (lambda: optim.exponential_decay(1.0, 3, 0.5, staircase=1), TypeError, "staircase must be"),  # type: ignore[arg-type]
    (lambda: optim.exponential_decay(1.0, 3, 0.5, end_value="a"), TypeError, "end_value must"),
    (
        lambda: optim.cosine_decay_schedule(1.0, 0),
        ValueError,
        "decay_steps must be an integer >= 1",
    ),
    (
        lambda: optim.cosine_decay_schedule(1.0, -5),
        ValueError,
        "decay_steps must be an integer >= 1",
    ),
    (lambda: optim.cosine_decay_schedule(1.0, 5, alpha="a"), TypeError, "alpha must be a real"),
    (lambda: optim.cosine_decay_schedule(1.0, 5, exponent=None), TypeError, "exponent must be"),
    (
        lambda: optim.piecewise_constant_schedule(1.0, {5: -0.1}),
        ValueError,
        r"boundaries_and_scales\[5\] \(a scale\) must be a finite number >= 0",
    ),
    (
        lambda: optim.piecewise_constant_schedule(1.0, {-5: 0.1}),
        ValueError,
        "boundaries_and_scales key -5 must be an integer >= 0",
    ),
    (
        lambda: optim.piecewise_constant_schedule(1.0, {2.5: 0.1}),
        TypeError,
        "boundaries_and_scales key 2.5 must be an integer, got 2.5 of type float",
    ),
    (
        lambda: optim.piecewise_constant_schedule(1.0, [(1, 0.1)]),  # type: ignore[arg-type]
        TypeError,
        "boundaries_and_scales must be a mapping",
    ),
    (
        lambda: optim.piecewise_interpolate_schedule("cubic", 1.0, {1: 0.1}),
        ValueError,
        "interpolate_type must be 'linear' or 'cosine'",
    ),
    (
        lambda: optim.piecewise_interpolate_schedule("linear", 1.0, {1: -0.1}),
        ValueError,
        r"boundaries_and_scales\[1\] \(a scale\) must be a finite number >= 0",
    ),
    (lambda: optim.join_schedules([], []), ValueError, "schedules must hold at least one"),
    (
        lambda: optim.join_schedules([optim.constant_schedule(1.0)] * 2, []),
        ValueError,
        r"boundaries must have len\(schedules\) - 1 = 1 entries, got 0",
    ),
    (
        lambda: optim.join_schedules([optim.constant_schedule(1.0)] * 3, [5, 2]),
        ValueError,
        r"boundaries must be non-decreasing, got boundaries\[0\]=5 > boundaries\[1\]=2",
    ),
    (
        lambda: optim.join_schedules([optim.constant_schedule(1.0)] * 2, [-1]),
        ValueError,
        r"boundaries\[0\] must be an integer >= 0",
    ),
    (
        lambda: optim.join_schedules([optim.constant_schedule(1.0), 0.5], [3]),  # type: ignore[list-item]
        TypeError,
        r"schedules\[1\] must be a callable",
    ),
    (
        lambda: optim.warmup_constant_schedule(0.0, 1.0, -1),
        ValueError,
        "warmup_steps must be an integer >= 0",
    ),
    (
        lambda: optim.warmup_cosine_decay_schedule(0.0, 1.0, 10, 10),
        ValueError,
        "decay_steps must be greater than warmup_steps",
    ),
    (
        lambda: optim.warmup_cosine_decay_schedule(0.0, 1.0, -1, 10),
        ValueError,
        "warmup_steps must be an integer >= 0",
    ),
    (
        lambda: optim.warmup_exponential_decay_schedule(0.0, 1.0, -1, 2, 0.5),
        ValueError,
        "warmup_steps must be an integer >= 0",
    ),
    (
        lambda: optim.warmup_exponential_decay_schedule(0.0, 1.0, 2, 2, 0.0),
        ValueError,
        "decay_rate must be a finite number > 0",
    ),
    (lambda: optim.sgdr_schedule([]), ValueError, "cosine_kwargs must hold at least one cycle"),
    (
        lambda: optim.sgdr_schedule([{"init_value": 0.0}]),
        TypeError,
        r"cosine_kwargs\[0\]: .*missing",
    ),
    (
        lambda: optim.sgdr_schedule(
            [
                {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1, "decay_steps": 4},
                {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 5, "decay_steps": 4},
            ]
        ),
        ValueError,
        r"cosine_kwargs\[1\]: decay_steps must be greater than warmup_steps",
    ),
    (lambda: optim.sgdr_schedule([3]), TypeError, r"cosine_kwargs\[0\] must be a mapping"),  # type: ignore[list-item]
    (
        lambda: optim.cosine_onecycle_schedule(0, 1.0),
        ValueError,
        "transition_steps must be an integer >= 1",
    ),
    (
        lambda: optim.cosine_onecycle_schedule(10, 1.0, pct_start=1.5),
        ValueError,
        r"pct_start must be a finite number in \[0, 1\], got 1.5",
    ),
    (
        lambda: optim.cosine_onecycle_schedule(10, 1.0, div_factor=0.0),
        ValueError,
        "div_factor must be a finite number > 0",
    ),
    (
        lambda: optim.cosine_onecycle_schedule(10, 1.0, final_div_factor=-1.0),
        ValueError,
        "final_div_factor must be a finite number > 0",
    ),
    (
        lambda: optim.linear_onecycle_schedule(10, 1.0, pct_start=0.5, pct_final=0.4),
        ValueError,
        r"pct_final must be a finite number in \[0.5, 1\], got 0.4",
    ),
    (
        lambda: optim.linear_onecycle_schedule(-10, 1.0),
        ValueError,
        "transition_steps must be an integer >= 1",
    ),
    (
        lambda: optim.linear_onecycle_schedule(10, 1.0, pct_start="0.3"),  # type: ignore[arg-type]
        TypeError,
        "pct_start must be a real number, got '0.3' of type str",
    ),
]


test_bad_arguments_raise_eagerly = refusal_test(BAD)


def test_bad_step_dtype_raises() -> None:
    schedule = optim.linear_schedule(1.0, 0.0, 4)
    with pytest.raises(TypeError, match="step must be an integer or floating"):
        schedule(True)
    with pytest.raises(TypeError, match="step must be an integer or floating"):
        optim.join_schedules([schedule, schedule], [2])(jnp.asarray([True]))


def test_mismatched_value_dtypes_raise_a_clear_error() -> None:
    schedule = optim.linear_schedule(jnp.float16(1.0), jnp.bfloat16(0.0), 4)
    with pytest.raises(TypeError, match="init_value: float16, end_value: bfloat16"):
        schedule(1)


def test_step_count_arguments_must_be_static() -> None:
    @jax.jit
    def build(steps: jax.Array) -> jax.Array:
        return optim.linear_schedule(1.0, 0.0, steps)(0)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"transition_steps must be an integer, got .*Tracer"):
        build(jnp.int32(4))


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_narrow_dtypes_count_steps_exactly(dtype: Any) -> None:
    """bfloat16 cannot represent step 999; the schedule computes in float32 and rounds once."""
    init = jnp.asarray(1.0, dtype)
    linear = optim.linear_schedule(init, 0.0, 1000)
    want = jnp.asarray(1.0 / 1000, dtype)
    assert linear(999).dtype == dtype
    assert float(linear(999)) == float(want)
    assert float(linear(999)) != 0.0
    stairs = optim.piecewise_constant_schedule(init, {1001: 0.5})
    assert float(stairs(1000)) == 1.0
    assert float(stairs(1001)) == 0.5
    cosine = optim.piecewise_interpolate_schedule("linear", init, {3001: 0.0})
    assert float(cosine(3000)) == float(jnp.asarray(1.0 / 3001, dtype))


def test_piecewise_boundaries_compare_integer_steps_exactly() -> None:
    """Steps past float32's exact integers still switch at the right boundary."""
    boundary = 2**24 + 1
    schedule = optim.piecewise_constant_schedule(1.0, {boundary: 0.5})
    assert float(schedule(jnp.int32(boundary - 1))) == 1.0
    assert float(schedule(jnp.int32(boundary))) == 0.5


def test_integer_array_peak_value_in_onecycle() -> None:
    schedule = optim.linear_onecycle_schedule(10, jnp.asarray(2), div_factor=jnp.asarray(4))
    assert schedule(0).dtype == jnp.float32
    assert float(schedule(0)) == 0.5
    assert float(schedule(3)) == pytest.approx(2.0)
