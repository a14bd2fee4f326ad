"""LR schedulers: checkpoints, the optimizer contract, epoch jumps and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import brainstate
import jax.numpy as jnp
import numpy as np
import pytest

from facade import optim

Factory = Callable[[], optim.LRScheduler]

FACTORIES: dict[str, Factory] = {
    "StepLR": lambda: optim.StepLR(base_lr=[0.1, 0.2], step_size=3, gamma=0.5),
    "MultiStepLR": lambda: optim.MultiStepLR(base_lr=0.1, milestones=[4, 12], gamma=0.3),
    "ExponentialLR": lambda: optim.ExponentialLR(base_lr=0.1, gamma=0.9),
    "ExponentialDecayLR": lambda: optim.ExponentialDecayLR(
        base_lr=0.1, decay_steps=3, decay_rate=0.5, staircase=True, end_value=0.01
    ),
    "CosineAnnealingLR": lambda: optim.CosineAnnealingLR(base_lr=0.1, T_max=15, eta_min=0.01),
    "PolynomialLR": lambda: optim.PolynomialLR(base_lr=0.1, total_iters=16, power=2.0),
    "WarmupScheduler": lambda: optim.WarmupScheduler(base_lr=0.1, warmup_epochs=14),
    "CyclicLR": lambda: optim.CyclicLR(
        base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2"
    ),
    "OneCycleLR": lambda: optim.OneCycleLR(max_lr=0.1, total_steps=18),
    "LinearLR": lambda: optim.LinearLR(base_lr=0.1, start_factor=0.1, total_iters=15),
    "ConstantLR": lambda: optim.ConstantLR(base_lr=0.1, factor=0.5, total_iters=13),
    "CosineAnnealingWarmRestarts": lambda: optim.CosineAnnealingWarmRestarts(
        base_lr=0.1, T_0=3, T_mult=2, eta_min=0.001
    ),
    "WarmupCosineSchedule": lambda: optim.WarmupCosineSchedule(
        base_lr=0.1, warmup_steps=4, total_steps=18
    ),
    "PiecewiseConstantSchedule": lambda: optim.PiecewiseConstantSchedule(
        boundaries=[5, 12], values=[0.1, 0.05, 0.01]
    ),
    "ChainedScheduler": lambda: optim.ChainedScheduler(
        [
            optim.ConstantLR(base_lr=0.1, factor=0.5, total_iters=12),
            optim.ExponentialLR(base_lr=0.1, gamma=0.9),
        ]
    ),
    "SequentialLR": lambda: optim.SequentialLR(
        [
            optim.WarmupScheduler(base_lr=0.1, warmup_epochs=5),
            optim.CosineAnnealingLR(base_lr=0.1, T_max=5),
            optim.ExponentialLR(base_lr=0.05, gamma=0.8),
        ],
        milestones=[5, 12],
    ),
}
METRICS = [
    3.0,
    2.0,
    2.0,
    2.0,
    1.5,
    1.5,
    1.5,
    1.5,
    1.4,
    1.4,
    1.4,
    1.4,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
]


def _plateau() -> optim.ReduceLROnPlateau:
    return optim.ReduceLROnPlateau(base_lr=0.1, patience=1, factor=0.5, cooldown=1)


def _step(scheduler: optim.LRScheduler, epoch: int) -> None:
    if isinstance(scheduler, optim.ReduceLROnPlateau):
        scheduler.step(METRICS[epoch])
    else:
        scheduler.step()


def _run(scheduler: optim.LRScheduler, epochs: Sequence[int]) -> list[list[float]]:
    trace = []
    for epoch in epochs:
        _step(scheduler, epoch)
        trace.append(scheduler.get_last_lr())
    return trace


ALL: dict[str, Factory] = {**FACTORIES, "ReduceLROnPlateau": _plateau}


@pytest.mark.parametrize("name", list(ALL))
def test_state_dict_round_trip_mid_way(name: str) -> None:
    make = ALL[name]
    uninterrupted = make()
    want = _run(uninterrupted, range(20))[10:]
    first = make()
    _run(first, range(10))
    saved = json.loads(json.dumps(first.state_dict()))  # plain Python values only
    resumed = make()
    resumed.load_state_dict(saved)
    assert resumed.get_last_lr() == first.get_last_lr()
    assert _run(resumed, range(10, 20)) == want
    assert resumed.state_dict() == uninterrupted.state_dict()
    assert len({tuple(lrs) for lrs in want}) > 1  # the second half is not constant


@pytest.mark.parametrize("name", list(ALL))
def test_counters_are_long_term_states(name: str) -> None:
    scheduler = ALL[name]()
    assert isinstance(scheduler.last_epoch, brainstate.LongTermState)
    assert isinstance(scheduler.current_lrs, brainstate.LongTermState)
    _step(scheduler, 0)
    assert scheduler.last_epoch.value == 1
    assert scheduler.current_lrs.value == scheduler.get_last_lr()
    assert all(type(lr) is float for lr in scheduler.get_last_lr())


@pytest.mark.parametrize("name", [n for n in FACTORIES if n != "ChainedScheduler"])
def test_step_to_an_epoch_equals_stepping_there(name: str) -> None:
    stepped, jumped = FACTORIES[name](), FACTORIES[name]()
    _run(stepped, range(13))
    jumped.step(13)
    assert jumped.last_epoch.value == 13
    np.testing.assert_allclose(jumped.get_last_lr(), stepped.get_last_lr(), rtol=1e-12)


def test_get_lr_recomputes_at_last_epoch() -> None:
    scheduler = optim.StepLR(base_lr=1.0, step_size=1, gamma=0.5, last_epoch=3)
    assert scheduler.get_lr() == scheduler.get_last_lr() == [0.125]
    assert scheduler.base_lrs == [1.0]


# --------------------------------------------------------------------------- optimizer contract


class RecordingOptimizer:
    """Stand-in for a facade optimizer: records what the scheduler pushes."""

    def __init__(self) -> None:
        self.calls: list[list[float]] = []

    def _set_scheduled_lr(self, lrs: Sequence[float]) -> None:
        self.calls.append(list(lrs))


@pytest.mark.parametrize("name", list(ALL))
def test_attached_optimizer_receives_every_change(name: str) -> None:
    scheduler = ALL[name]()
    opt = RecordingOptimizer()
    scheduler.attach_optimizer(opt)
    assert scheduler.optimizer is opt
    assert opt.calls == [scheduler.get_last_lr()]  # the initial LR on attach
    for epoch in range(3):
        _step(scheduler, epoch)
        assert opt.calls[-1] == scheduler.get_last_lr()
    assert len(opt.calls) == 4
    saved = ALL[name]().state_dict()
    scheduler.load_state_dict(saved)
    assert len(opt.calls) == 5
    assert opt.calls[-1] == scheduler.get_last_lr()


def test_chained_members_stay_detached() -> None:
    members = [
        optim.ConstantLR(base_lr=0.1, factor=0.5, total_iters=1),
        optim.ExponentialLR(base_lr=0.1, gamma=0.5),
    ]
    chain = optim.ChainedScheduler(members)
    opt = RecordingOptimizer()
    chain.attach_optimizer(opt)
    chain.step()
    assert all(m.optimizer is None for m in members)
    assert opt.calls == [[pytest.approx(0.05)], [pytest.approx(0.05)]]


def test_attach_refuses_an_object_without_the_hook() -> None:
    scheduler = optim.StepLR()
    with pytest.raises(TypeError, match="_set_scheduled_lr"):
        scheduler.attach_optimizer(object())  # type: ignore[arg-type]
    assert scheduler.optimizer is None


def test_unattached_scheduler_steps() -> None:
    scheduler = optim.ExponentialLR(base_lr=1.0, gamma=0.5)
    scheduler.step()
    scheduler.step_epoch()
    assert scheduler.get_last_lr() == [0.25]


def test_plateau_reduction_and_cooldown() -> None:
    scheduler = optim.ReduceLROnPlateau(base_lr=1.0, factor=0.5, patience=0, cooldown=1, min_lr=0.3)
    lrs = []
    for loss in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        scheduler.step(jnp.asarray(loss))
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs == [1.0, 0.5, 0.5, 0.3, 0.3, 0.3]
    state = scheduler.state_dict()
    assert state["best"] == 1.0 and state["cooldown_counter"] in (0, 1)


def test_plateau_eps_skips_tiny_reductions() -> None:
    scheduler = optim.ReduceLROnPlateau(base_lr=1e-9, factor=0.5, patience=0, eps=1e-8)
    scheduler.step(1.0)
    scheduler.step(1.0)
    assert scheduler.get_last_lr() == [1e-9]


# --------------------------------------------------------------------------- bad input

BAD: list[tuple[Callable[[], Any], type[Exception], str]] = [
    (lambda: optim.StepLR(step_size=0), ValueError, "step_size"),
    (lambda: optim.StepLR(step_size=2.5), TypeError, "step_size"),
    (lambda: optim.StepLR(gamma=0.0), ValueError, "gamma"),
    (lambda: optim.StepLR(base_lr=-0.1), ValueError, "base_lr"),
    (lambda: optim.StepLR(base_lr=[0.1, -0.1]), ValueError, r"base_lr\[1\]"),
    (lambda: optim.StepLR(base_lr=[]), ValueError, "base_lr"),
    (lambda: optim.StepLR(base_lr="0.1"), TypeError, "base_lr"),
    (lambda: optim.StepLR(last_epoch=-1), ValueError, "last_epoch"),
    (lambda: optim.MultiStepLR(milestones=[3, -1]), ValueError, r"milestones\[1\]"),
    (lambda: optim.MultiStepLR(milestones=5), TypeError, "milestones"),
    (lambda: optim.ExponentialLR(gamma=-0.5), ValueError, "gamma"),
    (lambda: optim.ExponentialDecayLR(decay_steps=0), ValueError, "decay_steps"),
    (lambda: optim.ExponentialDecayLR(decay_rate=0), ValueError, "decay_rate"),
    (lambda: optim.ExponentialDecayLR(transition_begin=-1), ValueError, "transition_begin"),
    (lambda: optim.ExponentialDecayLR(staircase=1), TypeError, "staircase"),
    (lambda: optim.CosineAnnealingLR(T_max=0), ValueError, "T_max"),
    (lambda: optim.CosineAnnealingLR(eta_min=-1.0), ValueError, "eta_min"),
    (lambda: optim.PolynomialLR(total_iters=0), ValueError, "total_iters"),
    (lambda: optim.PolynomialLR(power=-1.0), ValueError, "power"),
    (lambda: optim.WarmupScheduler(warmup_epochs=-1), ValueError, "warmup_epochs"),
    (lambda: optim.CyclicLR(step_size_up=0), ValueError, "step_size_up"),
    (lambda: optim.CyclicLR(step_size_down=0), ValueError, "step_size_down"),
    (lambda: optim.CyclicLR(mode="sine"), ValueError, "mode"),
    (lambda: optim.CyclicLR(scale_mode="epoch"), ValueError, "scale_mode"),
    (lambda: optim.CyclicLR(base_lr=[0.1, 0.2], max_lr=[1.0, 2.0, 3.0]), ValueError, "max_lr"),
    (lambda: optim.OneCycleLR(), ValueError, "total_steps"),
    (lambda: optim.OneCycleLR(total_steps=0), ValueError, "total_steps"),
    (lambda: optim.OneCycleLR(epochs=0, steps_per_epoch=3), ValueError, "epochs"),
    (lambda: optim.OneCycleLR(total_steps=10, pct_start=1.0), ValueError, "pct_start"),
    (
        lambda: optim.OneCycleLR(total_steps=10, anneal_strategy="exp"),
        ValueError,
        "anneal_strategy",
    ),
    (lambda: optim.OneCycleLR(total_steps=10, div_factor=0), ValueError, "div_factor"),
    (lambda: optim.ReduceLROnPlateau(factor=1.0), ValueError, "factor"),
    (lambda: optim.ReduceLROnPlateau(mode="up"), ValueError, "mode"),
    (lambda: optim.ReduceLROnPlateau(threshold_mode="pct"), ValueError, "threshold_mode"),
    (lambda: optim.ReduceLROnPlateau(patience=-1), ValueError, "patience"),
    (lambda: optim.ReduceLROnPlateau(min_lr=[0.1, 0.2]), ValueError, "min_lr"),
    (lambda: optim.LinearLR(total_iters=-1), ValueError, "total_iters"),
    (lambda: optim.LinearLR(start_factor=-0.5), ValueError, "start_factor"),
    (lambda: optim.ConstantLR(factor=-1.0), ValueError, "factor"),
    (lambda: optim.ConstantLR(total_iters=-2), ValueError, "total_iters"),
    (lambda: optim.ChainedScheduler([]), ValueError, "schedulers"),
    (lambda: optim.ChainedScheduler([0.1]), TypeError, r"schedulers\[0\]"),
    (lambda: optim.ChainedScheduler([optim.ReduceLROnPlateau()]), TypeError, "ReduceLROnPlateau"),
    (lambda: optim.SequentialLR([optim.StepLR()], milestones=[3]), ValueError, "milestones"),
    (
        lambda: optim.SequentialLR([optim.StepLR(), optim.StepLR(), optim.StepLR()], [5, 2]),
        ValueError,
        "non-decreasing",
    ),
    (lambda: optim.CosineAnnealingWarmRestarts(T_0=0), ValueError, "T_0"),
    (lambda: optim.CosineAnnealingWarmRestarts(T_mult=0), ValueError, "T_mult"),
    (lambda: optim.CosineAnnealingWarmRestarts(T_mult=1.5), TypeError, "T_mult"),
    (lambda: optim.WarmupCosineSchedule(warmup_steps=-1), ValueError, "warmup_steps"),
    (
        lambda: optim.PiecewiseConstantSchedule(boundaries=[5], values=[0.1]),
        ValueError,
        "boundaries",
    ),
    (
        lambda: optim.PiecewiseConstantSchedule(boundaries=[5, 2], values=[0.1, 0.2, 0.3]),
        ValueError,
        "non-decreasing",
    ),
    (
        lambda: optim.PiecewiseConstantSchedule(boundaries=[5], values=[0.1, -0.2]),
        ValueError,
        r"values\[1\]",
    ),
]


@pytest.mark.parametrize(("make", "error", "match"), BAD, ids=[m for _, _, m in BAD])
def test_bad_arguments_raise_naming_the_argument(
    make: Callable[[], Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        make()


def test_bad_step_changes_nothing() -> None:
    scheduler = optim.StepLR(base_lr=0.1, step_size=1, gamma=0.5)
    scheduler.step()
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match="epoch"):
        scheduler.step(-3)
    with pytest.raises(TypeError, match="epoch"):
        scheduler.step(2.0)  # type: ignore[arg-type]
    assert scheduler.state_dict() == before


@pytest.mark.parametrize(
    ("metric", "error"),
    [(None, TypeError), ("low", TypeError), (jnp.ones(3), TypeError), (True, TypeError)],
)
def test_plateau_bad_metric_changes_nothing(metric: Any, error: type[Exception]) -> None:
    scheduler = optim.ReduceLROnPlateau(base_lr=0.1, patience=0)
    scheduler.step(1.0)
    before = scheduler.state_dict()
    with pytest.raises(error, match="metric"):
        scheduler.step(metric)
    assert scheduler.state_dict() == before


@pytest.mark.parametrize(
    ("state", "error", "match"),
    [
        ([1, 2], TypeError, "mapping"),
        ({"base_lrs": [0.1]}, ValueError, "last_epoch"),
        ({"last_epoch": -1, "base_lrs": [0.1, 0.2]}, ValueError, "last_epoch"),
        ({"last_epoch": 2, "base_lrs": [0.1]}, ValueError, "parameter groups"),
        ({"last_epoch": 2, "base_lrs": [0.1, "x"]}, TypeError, "base_lrs"),
    ],
)
def test_bad_state_dict_changes_nothing(state: Any, error: type[Exception], match: str) -> None:
    scheduler = FACTORIES["StepLR"]()
    scheduler.step()
    opt = RecordingOptimizer()
    scheduler.attach_optimizer(opt)
    before = scheduler.state_dict()
    with pytest.raises(error, match=match):
        scheduler.load_state_dict(state)
    assert scheduler.state_dict() == before
    assert len(opt.calls) == 1


def test_bad_member_state_leaves_the_composite_unchanged() -> None:
    scheduler = FACTORIES["SequentialLR"]()
    _run(scheduler, range(7))
    before = scheduler.state_dict()
    bad = json.loads(json.dumps(before))
    bad["last_epoch"] = 3
    bad["schedulers"][2]["last_epoch"] = -4
    with pytest.raises(ValueError, match=r"\['schedulers'\]\[2\]\['last_epoch'\]"):
        scheduler.load_state_dict(bad)
    assert scheduler.state_dict() == before


def test_an_epoch_scheduler_steps_inside_jit_and_drives_the_optimizer() -> None:
    scheduler = optim.StepLR(base_lr=0.1, step_size=2, gamma=0.5)
    opt = optim.SGD(learning_rate=scheduler)
    w = brainstate.ParamState(jnp.zeros(1, jnp.float32))
    opt.register_trainable_weights({"w": w})

    @brainstate.transform.jit
    def train_step() -> jnp.ndarray:
        opt.update({"w": jnp.ones(1, jnp.float32)})
        scheduler.step()
        return jnp.asarray(opt.current_lr)

    lrs = [float(train_step()) for _ in range(5)]
    expected = [0.1 * 0.5 ** ((e + 1) // 2) for e in range(5)]  # the rate after each step
    np.testing.assert_allclose(lrs, expected, rtol=1e-6)
    applied = sum([0.1, *expected[:4]])  # each update used the rate before its step
    np.testing.assert_allclose(float(w.value[0]), -applied, rtol=1e-6)
    assert int(scheduler.last_epoch.value) == 5
    assert scheduler.get_last_lr() == pytest.approx([expected[-1]])


def test_a_chained_scheduler_inside_jit_is_refused_clearly() -> None:
    scheduler = optim.ChainedScheduler([optim.StepLR(base_lr=0.1, step_size=1, gamma=0.5)])

    @brainstate.transform.jit
    def train_step(x: jnp.ndarray) -> jnp.ndarray:
        scheduler.step()
        return x

    with pytest.raises(RuntimeError, match="between the compiled training steps"):
        train_step(jnp.ones(()))
    assert scheduler.last_epoch.value == 0
    assert scheduler.get_last_lr() == [0.1]


def test_zero_dim_arrays_are_numbers() -> None:
    scheduler = optim.ExponentialLR(base_lr=jnp.float32(0.5), gamma=np.float64(0.5))
    scheduler.step()
    assert scheduler.get_last_lr() == [0.25]


def test_user_subclass_in_the_braintools_style() -> None:
    class HalvingLR(optim.LRScheduler):
        def __init__(self, base_lr: float) -> None:
            super().__init__(base_lr)
            self.factor = 0.5  # set after super().__init__, as braintools subclasses do

        def get_lr(self) -> list[float]:
            return [b * self.factor ** int(self.last_epoch.value) for b in self.base_lrs]

    scheduler = HalvingLR(1.0)
    opt = RecordingOptimizer()
    scheduler.attach_optimizer(opt)
    scheduler.step()
    assert opt.calls == [[1.0], [0.5]]


@pytest.mark.parametrize(
    "other",
    [
        lambda: optim.ExponentialLR(base_lr=0.1, gamma=0.5),
        lambda: optim.CosineAnnealingLR(base_lr=0.1, T_max=4),
        lambda: optim.StepLR(base_lr=0.1, step_size=2, gamma=0.25),
    ],
)
def test_a_saved_state_loads_only_into_the_same_scheduler(other: Factory) -> None:
    saved = optim.StepLR(base_lr=0.1, step_size=2, gamma=0.5)
    for _ in range(3):
        saved.step()
    target = other()
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"saved by StepLR\(gamma=0.5, step_size=2\); .* into"):
        target.load_state_dict(saved.state_dict())
    assert target.state_dict() == before
    twin = optim.StepLR(base_lr=0.1, step_size=2, gamma=0.5)
    twin.load_state_dict(json.loads(json.dumps(saved.state_dict())))
    assert twin.get_last_lr() == saved.get_last_lr() and twin.last_epoch.value == 3


def test_lr_apply_changes_the_scheduled_and_the_plain_learning_rate() -> None:
    scheduled = optim.Adam(optim.StepLR(0.1))
    scheduled.lr_apply(lambda lr: lr * 0.5)
    assert scheduled.current_lr == 0.05 and scheduled.lr_scheduler is not None
    assert scheduled.lr_scheduler.get_last_lr() == [0.05]
    plain = optim.SGD(learning_rate=0.1)
    plain.register_trainable_weights({"w": brainstate.ParamState(jnp.ones(2, jnp.float32))})
    plain.lr_apply(lambda lr: lr / 4)
    assert plain.current_lr == 0.025
    with pytest.raises(ValueError, match=r"apply_fn\(lr\) must be a finite number >= 0"):
        plain.lr_apply(lambda lr: -lr)
    assert plain.current_lr == 0.025
