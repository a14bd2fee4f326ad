"""The epoch schedules of core.optim._epoch_schedules against closed forms written here.

Their behaviour under jit, vmap, scan and x64 is checked with every other schedule, in
``test_schedules.py``."""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.typing import ArrayLike

from core import optim
from tests.refusals import BadCase, refusal_test

ScheduleFn = Callable[[ArrayLike], jax.Array]


def _values(schedule: ScheduleFn, steps: range) -> np.ndarray:
    """The schedule at ``steps`` (one elementwise call; test_schedules checks scalar steps)."""
    return np.asarray(schedule(jnp.arange(steps.start, steps.stop)))


# --------------------------------------------------------------------------- cyclic


def _cyclic_closed_form(
    t: int, lo: float, hi: float, up: int, down: int, mode: str, gamma: float
) -> float:
    total = up + down
    cycle = t // total + 1
    r = t % total
    height = r / up if r <= up else (total - r) / down
    scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1), "exp_range": gamma**t}[mode]
    return lo + (hi - lo) * scale * height


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize(("up", "down"), [(3, None), (2, 5), (4, 1)])
def test_cyclic_matches_the_closed_form(mode: str, up: int, down: int | None) -> None:
    schedule = optim.cyclic_schedule(0.1, 1.0, up, down, mode=mode, gamma=0.95)  # type: ignore[arg-type]
    want = [_cyclic_closed_form(t, 0.1, 1.0, up, down or up, mode, 0.95) for t in range(30)]
    np.testing.assert_allclose(_values(schedule, range(30)), want, rtol=1e-6)


def test_cyclic_scale_fn_gets_cycle_or_step() -> None:
    by_cycle = optim.cyclic_schedule(0.0, 1.0, 2, scale_fn=lambda c: 1.0 / c)
    by_step = optim.cyclic_schedule(
        0.0, 1.0, 2, scale_fn=lambda t: 1.0 / (1.0 + t), scale_mode="iterations"
    )
    np.testing.assert_allclose(
        _values(by_cycle, range(8)), [0, 0.5, 1, 0.5, 0, 0.25, 0.5, 0.25], atol=1e-7
    )
    np.testing.assert_allclose(_values(by_step, range(4)), [0, 0.25, 1 / 3, 0.125], atol=1e-7)


# --------------------------------------------------------------------------- one cycle


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_matches_the_closed_form(strategy: str) -> None:
    total, pct, peak, div, final = 23, 0.35, 0.5, 20.0, 50.0
    schedule = optim.one_cycle_lr_schedule(total, peak, pct, strategy, div, final)  # type: ignore[arg-type]
    warm = pct * total
    want = []
    for t in range(30):
        if t <= warm:
            want.append(peak / div + min(t / warm, 1.0) * (peak - peak / div))
        else:
            x = min((t - warm) / ((1 - pct) * total), 1.0)
            a = (1 + math.cos(math.pi * x)) / 2 if strategy == "cos" else 1 - x
            want.append(peak / final + a * (peak - peak / final))
    np.testing.assert_allclose(_values(schedule, range(30)), want, rtol=2e-6)


# --------------------------------------------------------------------------- warm restarts


def _restarts_by_counting(steps: int, t0: int, mult: int, hi: float, lo: float) -> list[float]:
    """The incremental definition: T_cur counts up, restarts at T_i, T_i grows by mult."""
    out, t_cur, t_i = [], 0, t0
    for _ in range(steps):
        out.append(lo + (hi - lo) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
        t_cur += 1
        if t_cur >= t_i:
            t_cur, t_i = 0, t_i * mult
    return out


@pytest.mark.parametrize(("t0", "mult"), [(1, 1), (5, 1), (1, 2), (3, 2), (2, 3), (1, 10)])
def test_warm_restarts_match_counting(t0: int, mult: int) -> None:
    steps = 400
    schedule = optim.cosine_warm_restarts_schedule(1.0, t0, mult, end_value=0.01)
    got = np.asarray(schedule(jnp.arange(steps)))
    np.testing.assert_allclose(
        got, _restarts_by_counting(steps, t0, mult, 1.0, 0.01), rtol=1e-5, atol=1e-6
    )


def test_warm_restarts_hit_every_restart_exactly() -> None:
    schedule = optim.cosine_warm_restarts_schedule(1.0, 3, 3)
    starts = [3 * (3**n - 1) // 2 for n in range(12)]  # 0, 3, 12, 39, ...
    assert [float(schedule(s)) for s in starts] == [1.0] * len(starts)


# --------------------------------------------------------------------------- chained value


def test_chained_value_multiplies_ratios_and_zero_base_gives_zero() -> None:
    assert float(optim.chained_value(2.0, [0.5, 3.0], [1.0, 2.0])) == pytest.approx(1.5)
    assert float(optim.chained_value(2.0, [0.5, 3.0], [0.0, 2.0])) == 0.0
    assert float(optim.chained_value(2.0, [], [])) == 2.0
    with pytest.raises(ValueError, match="same length"):
        optim.chained_value(1.0, [1.0], [])


# --------------------------------------------------------------------------- plateau


def _plateau_by_hand(
    metrics: list[float], lr: float, factor: float, patience: int, cooldown: int, min_lr: float
) -> list[float]:
    """braintools' rule with mode 'min', threshold 0 and eps 0, step by step."""
    best, bad, cool, out = math.inf, 0, 0, []
    for m in metrics:
        if cool > 0:
            cool -= 1
        else:
            if m < best:
                best, bad = m, 0
            else:
                bad += 1
            if bad > patience:
                lr, bad, cool = max(lr * factor, min_lr), 0, cooldown
        out.append(lr)
    return out


def test_plateau_update_follows_the_rule() -> None:
    rng = np.random.default_rng(0)
    metrics = [float(x) for x in np.round(rng.uniform(0, 1, 40), 2)]
    for patience, cooldown in [(0, 0), (1, 2), (3, 1)]:
        state = optim.plateau_init(1.0)

        def update(
            s: optim.PlateauState, m: jax.Array, p: int = patience, c: int = cooldown
        ) -> optim.PlateauState:
            return optim.plateau_update(
                s, m, factor=0.5, patience=p, cooldown=c, min_lrs=0.01, threshold=0.0, eps=0.0
            )

        def body(s: optim.PlateauState, m: jax.Array) -> tuple[optim.PlateauState, jax.Array]:
            new = update(s, m)
            return new, new.learning_rates[0]

        _, trace = jax.lax.scan(body, state, jnp.asarray(metrics, jnp.float32))
        got = [float(x) for x in trace]
        want = _plateau_by_hand(metrics, 1.0, 0.5, patience, cooldown, 0.01)
        np.testing.assert_allclose(got, want, rtol=1e-6)
        assert min(want) < 1.0  # some reductions happened


def test_plateau_update_is_pure_and_jits_with_a_traced_metric() -> None:
    state = optim.plateau_init([1.0, 0.5], mode="max")
    update = jax.jit(
        lambda s, m: optim.plateau_update(s, m, mode="max", patience=0, min_lrs=[0.2, 0.3])
    )
    eager = state
    for m in [1.0, 0.5, 0.5, 2.0, 1.0]:
        state = update(state, jnp.float32(m))
        eager = optim.plateau_update(eager, m, mode="max", patience=0, min_lrs=[0.2, 0.3])
    for a, b in zip(state, eager, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b))
    np.testing.assert_allclose(state.learning_rates, [0.2, 0.3])
    assert float(state.best) == 2.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "lower"}, "mode"),
        ({"factor": 1.0}, "factor"),
        ({"factor": -0.1}, "factor"),
        ({"patience": -1}, "patience"),
        ({"cooldown": 1.5}, "cooldown"),
        ({"threshold": -1e-3}, "threshold"),
        ({"threshold_mode": "pct"}, "threshold_mode"),
        ({"eps": -1.0}, "eps"),
        ({"min_lrs": [0.1, 0.2, 0.3]}, "min_lrs"),
        ({"min_lrs": -0.1}, "min_lrs"),
    ],
)
def test_plateau_update_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    state = optim.plateau_init([0.1, 0.2])
    with pytest.raises((ValueError, TypeError), match=match):
        optim.plateau_update(state, 1.0, **kwargs)  # type: ignore[arg-type]


def test_plateau_metric_must_be_a_scalar() -> None:
    with pytest.raises(ValueError, match="metric"):
        optim.plateau_update(optim.plateau_init(0.1), jnp.ones(2))
    with pytest.raises(ValueError, match="mode"):
        optim.plateau_init(0.1, mode="avg")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="learning_rates"):
        optim.plateau_init(-0.1)


# --------------------------------------------------------------------------- bad arguments


BAD: list[BadCase] = [
    (lambda: optim.cyclic_schedule(0.1, 1.0, 0), ValueError, "step_size_up"),
    (lambda: optim.cyclic_schedule(0.1, 1.0, 2, 0), ValueError, "step_size_down"),
    (lambda: optim.cyclic_schedule(0.1, 1.0, 2, mode="sine"), ValueError, "mode"),
    (lambda: optim.cyclic_schedule(0.1, 1.0, 2, scale_mode="x"), ValueError, "scale_mode"),
    (lambda: optim.cyclic_schedule(0.1, 1.0, 2, scale_fn=3), TypeError, "scale_fn"),
    (lambda: optim.one_cycle_lr_schedule(0, 1.0), ValueError, "total_steps"),
    (lambda: optim.one_cycle_lr_schedule(10, 1.0, 0.0), ValueError, "pct_start"),
    (
        lambda: optim.one_cycle_lr_schedule(10, 1.0, anneal_strategy="exp"),
        ValueError,
        "anneal_strategy",
    ),
    (lambda: optim.one_cycle_lr_schedule(10, 1.0, div_factor=0.0), ValueError, "div_factor"),
    (lambda: optim.cosine_warm_restarts_schedule(1.0, 0), ValueError, "first_period"),
    (lambda: optim.cosine_warm_restarts_schedule(1.0, 2, 0), ValueError, "period_mult"),
    (lambda: optim.cosine_warm_restarts_schedule(1.0, 2, 1.5), TypeError, "period_mult"),
]

test_bad_arguments = refusal_test(BAD)
