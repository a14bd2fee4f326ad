"""Every LR scheduler's learning-rate trace equals braintools 0.3.0's for 20 epochs.

Both are built with the same arguments and stepped in turn; the traces of every parameter
group must agree to ``rtol=1e-6``. braintools computes some schedules in float32 and runs
under standard dtype promotion; ours compute in float64, so where braintools' float32
cancels (a cosine near its end) the comparison also allows an absolute error of a few float32
ulps of the largest learning rate (``ATOL_ULPS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import braintools.optim as bt
import jax
import numpy as np
import pytest

from facade import optim

EPOCHS = 20
RTOL = 1e-6
ATOL_ULPS = 4 * float(np.finfo(np.float32).eps)

# (class name, keyword arguments); {} is the default set
CASES: list[tuple[str, dict[str, Any]]] = [
    ("StepLR", {}),
    ("StepLR", {"base_lr": 0.1, "step_size": 3, "gamma": 0.5}),
    ("StepLR", {"base_lr": [0.1, 0.02], "step_size": 7, "gamma": 0.9, "last_epoch": 4}),
    ("MultiStepLR", {}),
    ("MultiStepLR", {"base_lr": 0.1, "milestones": [3, 8, 15], "gamma": 0.5}),
    ("MultiStepLR", {"base_lr": [0.1, 0.3], "milestones": [10, 2, 10], "gamma": 0.2}),
    ("ExponentialLR", {}),
    ("ExponentialLR", {"base_lr": [0.1, 0.5], "gamma": 0.8, "last_epoch": 2}),
    ("ExponentialDecayLR", {}),
    ("ExponentialDecayLR", {"base_lr": 0.1, "decay_steps": 4, "decay_rate": 0.5}),
    (
        "ExponentialDecayLR",
        {
            "base_lr": 0.1,
            "decay_steps": 3,
            "decay_rate": 0.5,
            "transition_begin": 2,
            "staircase": True,
            "end_value": 0.01,
        },
    ),
    (
        "ExponentialDecayLR",
        {"base_lr": [0.01, 0.02], "decay_steps": 2, "decay_rate": 1.5, "end_value": 0.05},
    ),
    ("CosineAnnealingLR", {}),
    ("CosineAnnealingLR", {"base_lr": 0.1, "T_max": 10}),
    ("CosineAnnealingLR", {"base_lr": [0.1, 0.05], "T_max": 7, "eta_min": 0.01}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"base_lr": 0.1, "total_iters": 15, "power": 2.0}),
    ("PolynomialLR", {"base_lr": [0.1, 1.0], "total_iters": 10, "power": 0.5}),
    ("WarmupScheduler", {}),
    ("WarmupScheduler", {"base_lr": 0.1, "warmup_epochs": 8, "warmup_start_lr": 0.01}),
    ("WarmupScheduler", {"base_lr": [0.1, 0.2], "warmup_epochs": 0}),
    ("CyclicLR", {}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "mode": "triangular2"}),
    (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "exp_range", "gamma": 0.9},
    ),
    ("CyclicLR", {"base_lr": [0.01, 0.02], "max_lr": [0.1, 0.3], "step_size_up": 5}),
    ("OneCycleLR", {"total_steps": 100}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 15}),
    (
        "OneCycleLR",
        {
            "max_lr": [0.1, 0.2],
            "epochs": 4,
            "steps_per_epoch": 4,
            "pct_start": 0.25,
            "anneal_strategy": "linear",
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
    ),
    ("LinearLR", {}),
    ("LinearLR", {"base_lr": 0.1, "start_factor": 0.1, "end_factor": 0.5, "total_iters": 12}),
    ("LinearLR", {"base_lr": [0.1, 0.2], "start_factor": 1.0, "end_factor": 0.2, "total_iters": 0}),
    ("ConstantLR", {}),
    ("ConstantLR", {"base_lr": 0.1, "factor": 0.5, "total_iters": 8}),
    ("ConstantLR", {"base_lr": [0.1, 0.2], "factor": 0.25, "total_iters": 0}),
    ("CosineAnnealingWarmRestarts", {}),
    ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 3, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"base_lr": [0.1, 0.2], "T_0": 2, "T_mult": 2}),
    ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 1, "T_mult": 3, "eta_min": 0.01}),
    ("WarmupCosineSchedule", {}),
    ("WarmupCosineSchedule", {"base_lr": 0.1, "warmup_steps": 5, "total_steps": 15}),
    (
        "WarmupCosineSchedule",
        {
            "base_lr": [0.1, 0.2],
            "warmup_steps": 3,
            "total_steps": 12,
            "warmup_start_lr": 0.01,
            "eta_min": 0.001,
        },
    ),
    ("WarmupCosineSchedule", {"base_lr": 0.1, "warmup_steps": 0, "total_steps": 10}),
    ("WarmupCosineSchedule", {"base_lr": 0.1, "warmup_steps": 6, "total_steps": 4}),
    ("PiecewiseConstantSchedule", {}),
    ("PiecewiseConstantSchedule", {"boundaries": [3, 9], "values": [0.1, 0.05, 0.001]}),
    (
        "PiecewiseConstantSchedule",
        {"base_lr": [1.0, 2.0], "boundaries": [0, 5, 5, 12], "values": [0.3, 0.2, 0.1, 0.05, 0.0]},
    ),
]


def _ids(case: tuple[str, dict[str, Any]]) -> str:
    name, kwargs = case
    return name + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


def _lrs(values: Sequence[Any]) -> list[float]:
    return [float(v) for v in values]


def _trace(scheduler: Any, step: Callable[[int], None]) -> np.ndarray:
    rows = [_lrs(scheduler.get_last_lr())]
    for epoch in range(EPOCHS):
        step(epoch)
        rows.append(_lrs(scheduler.get_last_lr()))
    return np.array(rows)


def _braintools_trace(make: Callable[[], Any], step: Callable[[Any, int], None]) -> np.ndarray:
    # disable_jit: brainstate's switch (in braintools' SequentialLR) then runs the active
    # branch in Python instead of tracing every branch at every step; the values are the same
    with jax.numpy_dtype_promotion("standard"), jax.disable_jit():
        scheduler = make()
        return _trace(scheduler, lambda epoch: step(scheduler, epoch))


def _compare(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.shape == theirs.shape
    atol = ATOL_ULPS * float(np.max(np.abs(theirs)))
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=atol)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_trace_equals_braintools(case: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = case
    ours = getattr(optim, name)(**kwargs)
    mine = _trace(ours, lambda epoch: ours.step())
    theirs = _braintools_trace(lambda: getattr(bt, name)(**kwargs), lambda s, e: s.step())
    _compare(mine, theirs)
    assert int(ours.last_epoch.value) == kwargs.get("last_epoch", 0) + EPOCHS


def test_every_braintools_scheduler_is_covered() -> None:
    covered = {name for name, _ in CASES} | {
        "ReduceLROnPlateau",
        "ChainedScheduler",
        "SequentialLR",
    }
    theirs = {
        name
        for name in dir(bt)
        if isinstance(getattr(bt, name), type) and issubclass(getattr(bt, name), bt.LRScheduler)
    }
    assert covered == theirs - {"LRScheduler"}
    assert all(hasattr(optim, name) for name in theirs)


# --------------------------------------------------------------------------- plateau

METRICS = [
    5.0,
    4.0,
    4.0,
    3.9996,
    4.1,
    4.2,
    3.0,
    3.0,
    3.0,
    3.0,
    2.9,
    3.5,
    3.5,
    3.5,
    3.5,
    3.5,
    1.0,
    1.0,
    1.0,
    1.0,
]
PLATEAU_CASES: list[dict[str, Any]] = [
    {},
    {"base_lr": 0.1, "patience": 1, "factor": 0.5},
    {"base_lr": 0.1, "patience": 2, "factor": 0.5, "threshold": 0.01, "threshold_mode": "abs"},
    {"base_lr": [0.1, 0.2], "patience": 1, "factor": 0.3, "cooldown": 2, "min_lr": [0.01, 0.05]},
    {"base_lr": 0.1, "mode": "max", "patience": 1, "factor": 0.5},
    {
        "base_lr": 0.1,
        "mode": "max",
        "patience": 0,
        "threshold_mode": "abs",
        "threshold": 0.5,
        "cooldown": 1,
        "min_lr": 0.02,
    },
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES, ids=str)
def test_reduce_on_plateau_equals_braintools(kwargs: dict[str, Any]) -> None:
    ours = optim.ReduceLROnPlateau(**kwargs)
    mine = _trace(ours, lambda epoch: ours.step(METRICS[epoch]))
    theirs = _braintools_trace(
        lambda: bt.ReduceLROnPlateau(**kwargs), lambda s, epoch: s.step(METRICS[epoch])
    )
    _compare(mine, theirs)


# --------------------------------------------------------------------------- composites


def _members(lib: Any, kind: int) -> list[Any]:
    if kind == 0:
        return [
            lib.ConstantLR(base_lr=0.1, factor=0.5, total_iters=4),
            lib.ExponentialLR(base_lr=0.1, gamma=0.9),
        ]
    if kind == 1:
        return [
            lib.StepLR(base_lr=[0.1, 0.2], step_size=3, gamma=0.5),
            lib.CosineAnnealingLR(base_lr=[0.1, 0.2], T_max=12, eta_min=0.01),
            lib.LinearLR(base_lr=[0.1, 0.2], start_factor=0.5, total_iters=6),
        ]
    return [
        lib.WarmupScheduler(base_lr=0.1, warmup_epochs=5, warmup_start_lr=0.01),
        lib.CosineAnnealingLR(base_lr=0.1, T_max=6),
        lib.CosineAnnealingWarmRestarts(base_lr=0.05, T_0=3),
    ]


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_chained_scheduler_equals_braintools(kind: int) -> None:
    ours = optim.ChainedScheduler(_members(optim, kind))
    mine = _trace(ours, lambda epoch: ours.step())
    theirs = _braintools_trace(
        lambda: bt.ChainedScheduler(_members(bt, kind)), lambda s, e: s.step()
    )
    _compare(mine, theirs)


@pytest.mark.parametrize(
    ("kind", "milestones", "last_epoch"),
    [(0, [5], 0), (1, [3, 9], 0), (2, [5, 11], 0), (2, [0, 4], 0), (0, [5], 2)],
)
def test_sequential_lr_equals_braintools(kind: int, milestones: list[int], last_epoch: int) -> None:
    ours = optim.SequentialLR(
        _members(optim, kind)[: len(milestones) + 1], milestones, last_epoch=last_epoch
    )
    mine = _trace(ours, lambda epoch: ours.step())
    theirs = _braintools_trace(
        lambda: bt.SequentialLR(
            _members(bt, kind)[: len(milestones) + 1], milestones, last_epoch=last_epoch
        ),
        lambda s, e: s.step(),
    )
    _compare(mine, theirs)
