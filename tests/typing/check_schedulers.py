"""A user program of the LR-scheduler API, type-checked with ``mypy --strict``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, assert_type

import jax
import jax.numpy as jnp

from core import optim as core_optim
from facade import optim

step_lr = optim.StepLR(base_lr=0.1, step_size=30, gamma=0.1)
step_lr.step()
step_lr.step(5)
assert_type(step_lr.get_last_lr(), list[float])
assert_type(step_lr.get_lr(), list[float])
assert_type(step_lr.base_lrs, list[float])
saved = step_lr.state_dict()
assert_type(saved, dict[str, Any])
step_lr.load_state_dict(saved)

schedulers: list[optim.LRScheduler] = [
    optim.MultiStepLR(base_lr=[0.1, 0.2], milestones=[10, 20]),
    optim.ExponentialLR(gamma=0.9),
    optim.ExponentialDecayLR(decay_steps=10, decay_rate=0.5, staircase=True, end_value=1e-5),
    optim.CosineAnnealingLR(T_max=10, eta_min=1e-5),
    optim.PolynomialLR(total_iters=10, power=2.0),
    optim.WarmupScheduler(warmup_epochs=3),
    optim.CyclicLR(base_lr=1e-3, max_lr=1e-2, step_size_up=4, mode="triangular2"),
    optim.CyclicLR(scale_fn=lambda x: 1.0 / x, scale_mode="cycle"),
    optim.OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=10, anneal_strategy="linear"),
    optim.LinearLR(start_factor=0.1, total_iters=4),
    optim.ConstantLR(factor=0.5, total_iters=2),
    optim.CosineAnnealingWarmRestarts(T_0=5, T_mult=2),
    optim.WarmupCosineSchedule(warmup_steps=2, total_steps=10),
    optim.PiecewiseConstantSchedule(boundaries=[5], values=[0.1, 0.01]),
    optim.ChainedScheduler([optim.ConstantLR(), optim.ExponentialLR()]),
    optim.SequentialLR([optim.LinearLR(), optim.ExponentialLR()], milestones=[5]),
]
sequential = optim.SequentialLR([optim.LinearLR(), optim.ExponentialLR()], milestones=[5])
assert_type(sequential.current_scheduler_idx, int)

plateau = optim.ReduceLROnPlateau(base_lr=0.1, mode="max", patience=2, min_lr=[1e-4])
plateau.step(0.5)
plateau.step(jnp.float32(0.7))
assert_type(plateau.get_last_lr(), list[float])


class MyOptimizer:
    def __init__(self) -> None:
        self.lrs: list[float] = []

    def _set_scheduled_lr(self, lrs: Sequence[float]) -> None:
        self.lrs = list(lrs)


step_lr.attach_optimizer(MyOptimizer())

cyclic = core_optim.cyclic_schedule(1e-3, 1e-2, step_size_up=4)
assert_type(cyclic(3), jax.Array)
assert_type(core_optim.one_cycle_lr_schedule(100, 0.1)(jnp.arange(4)), jax.Array)
assert_type(core_optim.cosine_warm_restarts_schedule(0.1, 10, 2)(7), jax.Array)
assert_type(core_optim.chained_value(0.1, [0.05], [0.1]), jax.Array)
state = core_optim.plateau_init([0.1, 0.01])
assert_type(state, core_optim.PlateauState)
state = core_optim.plateau_update(state, 1.0, patience=1, min_lrs=[1e-4, 1e-5])
assert_type(state.learning_rates, jax.Array)
