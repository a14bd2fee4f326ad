r"""Decaying schedulers: step, multi-step, exponential, cosine, polynomial, linear, constant.

Each is an :class:`~facade.optim.LRScheduler` whose learning rate at epoch :math:`e` is a
:mod:`core.optim` schedule of the epoch (one per parameter group, built from its base
learning rate :math:`\eta_0`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_float, as_int

from ._docs import SCHEDULER
from ._scheduler_base import EpochScheduler, ScheduleFn, sequence

__all__ = [
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialDecayLR",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "PiecewiseConstantSchedule",
    "PolynomialLR",
    "StepLR",
]


@fill_doc(**SCHEDULER)
class StepLR(EpochScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    .. math::

        \eta_e = \eta_0 \, \gamma^{\lfloor e / s \rfloor}

    Uses :func:`core.optim.exponential_decay` (``staircase=True``).

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        step_size: positive number of epochs between two decays (:math:`s`).
        gamma: positive decay factor (:math:`\gamma`).
        {last_epoch}

    Raises:
        ValueError: if ``step_size`` or ``gamma`` is not positive.

    {lrs}
        >>> print(lrs(optim.StepLR(base_lr=0.1, step_size=2, gamma=0.5), 5))
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        step_size: int = 30,
        gamma: float = 0.1,
        last_epoch: int = 0,
    ) -> None:
        self.step_size = as_int("step_size", step_size, minimum=1)
        self.gamma = as_float("gamma", gamma, low=0.0, low_open=True)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.exponential_decay(
            base_lr, transition_steps=self.step_size, decay_rate=self.gamma, staircase=True
        )


@fill_doc(**SCHEDULER)
class MultiStepLR(EpochScheduler):
    r"""Multiply the learning rate by ``gamma`` at each milestone epoch.

    .. math::

        \eta_e = \eta_0 \, \gamma^{\#\{i :\, e \ge m_i\}}

    Uses :func:`core.optim.piecewise_constant_schedule`. A milestone listed twice decays
    twice (as in braintools and PyTorch).

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        milestones: non-negative epochs at which to decay (any order).
        gamma: positive decay factor.
        {last_epoch}

    Raises:
        ValueError: if a milestone is negative or ``gamma`` is not positive.

    {lrs}
        >>> print(lrs(optim.MultiStepLR(base_lr=1.0, milestones=[1, 3], gamma=0.1), 4))
        [1.0, 0.1, 0.1, 0.01]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        milestones: Sequence[int] = (30, 60, 90),
        gamma: float = 0.1,
        last_epoch: int = 0,
    ) -> None:
        self.milestones = sorted(
            as_int(f"milestones[{i}]", m) for i, m in enumerate(sequence("milestones", milestones))
        )
        self.gamma = as_float("gamma", gamma, low=0.0, low_open=True)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        repeats = Counter(self.milestones)
        scales = {m: self.gamma**count for m, count in repeats.items()}
        return core_optim.piecewise_constant_schedule(base_lr, scales)


@fill_doc(**SCHEDULER)
class ExponentialLR(EpochScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch.

    .. math::

        \eta_e = \eta_0 \, \gamma^{e}

    Uses :func:`core.optim.exponential_decay` (``transition_steps=1``).

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        gamma: positive decay factor.
        {last_epoch}

    Raises:
        ValueError: if ``gamma`` is not positive.

    {lrs}
        >>> print(lrs(optim.ExponentialLR(base_lr=1.0, gamma=0.5), 3))
        [1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        gamma: float = 0.95,
        last_epoch: int = 0,
    ) -> None:
        self.gamma = as_float("gamma", gamma, low=0.0, low_open=True)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.exponential_decay(base_lr, transition_steps=1, decay_rate=self.gamma)


@fill_doc(**SCHEDULER)
class ExponentialDecayLR(EpochScheduler):
    r"""optax-style exponential decay, bounded by ``end_value``.

    With :math:`p = \max(e - B, 0) / T` (floored if ``staircase``):

    .. math::

        \eta_e = \eta_0 \, r^{p}

    clipped from below by ``end_value`` when :math:`r < 1` (from above otherwise). Uses
    :func:`core.optim.exponential_decay`.

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        decay_steps: positive number of epochs per factor ``decay_rate`` (:math:`T`).
        decay_rate: positive decay factor (:math:`r`).
        transition_begin: non-negative number of epochs to hold ``base_lr`` (:math:`B`).
        staircase: decay in discrete jumps.
        end_value: optional non-negative bound of the learning rate.
        {last_epoch}

    Raises:
        ValueError: for a non-positive ``decay_steps`` or ``decay_rate``, a negative
            ``transition_begin`` or ``end_value``.

    {lrs}
        >>> scheduler = optim.ExponentialDecayLR(base_lr=1.0, decay_steps=2, decay_rate=0.5,
        ...                                      staircase=True, end_value=0.3)
        >>> print(lrs(scheduler, 5))
        [1.0, 1.0, 0.5, 0.5, 0.3]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        decay_steps: int = 1000,
        decay_rate: float = 0.96,
        transition_begin: int = 0,
        staircase: bool = False,
        end_value: float | None = None,
        last_epoch: int = 0,
    ) -> None:
        self.decay_steps = as_int("decay_steps", decay_steps, minimum=1)
        self.decay_rate = as_float("decay_rate", decay_rate, low=0.0, low_open=True)
        self.transition_begin = as_int("transition_begin", transition_begin)
        if not isinstance(staircase, bool):
            raise TypeError(f"staircase must be a bool, got {staircase!r}")
        self.staircase = staircase
        self.end_value = None if end_value is None else as_float("end_value", end_value, low=0)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.exponential_decay(
            base_lr,
            transition_steps=self.decay_steps,
            decay_rate=self.decay_rate,
            transition_begin=self.transition_begin,
            staircase=self.staircase,
            end_value=self.end_value,
        )


@fill_doc(**SCHEDULER)
class CosineAnnealingLR(EpochScheduler):
    r"""Anneal the learning rate along a half cosine to ``eta_min`` over ``T_max`` epochs.

    .. math::

        \eta_e = \eta_{\min} + (\eta_0 - \eta_{\min})\,
        \tfrac{1}{2}\left(1 + \cos\frac{\pi \min(e, T_{\max})}{T_{\max}}\right)

    and :math:`\eta_{\min}` after :math:`T_{\max}`. Uses
    :func:`core.optim.cosine_decay_schedule` with ``alpha = eta_min / base_lr`` (a group
    whose base learning rate is 0 stays at 0).

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        T_max: positive number of epochs of the annealing.
        eta_min: non-negative final learning rate.
        {last_epoch}

    Raises:
        ValueError: if ``T_max`` is not positive or ``eta_min`` is negative.

    {lrs}
        >>> print(lrs(optim.CosineAnnealingLR(base_lr=1.0, T_max=4, eta_min=0.1), 6))
        [1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]

    {sgdr}
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        T_max: int = 50,
        eta_min: float = 0,
        last_epoch: int = 0,
    ) -> None:
        self.T_max = as_int("T_max", T_max, minimum=1)
        self.eta_min = as_float("eta_min", eta_min, low=0.0)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        alpha = self.eta_min / base_lr if base_lr != 0 else 0.0
        return core_optim.cosine_decay_schedule(base_lr, decay_steps=self.T_max, alpha=alpha)


@fill_doc(**SCHEDULER)
class PolynomialLR(EpochScheduler):
    r"""Decay the learning rate to 0 along a polynomial over ``total_iters`` epochs.

    .. math::

        \eta_e = \eta_0 \left(1 - \frac{\min(e, N)}{N}\right)^{p}

    Uses :func:`core.optim.polynomial_schedule` (``end_value=0``).

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        total_iters: positive number of epochs of the decay (:math:`N`).
        power: non-negative exponent (:math:`p`).
        {last_epoch}

    Raises:
        ValueError: if ``total_iters`` is not positive or ``power`` is negative.

    {lrs}
        >>> print(lrs(optim.PolynomialLR(base_lr=1.0, total_iters=4, power=2.0), 5))
        [1.0, 0.5625, 0.25, 0.0625, 0.0]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = 0,
    ) -> None:
        self.total_iters = as_int("total_iters", total_iters, minimum=1)
        self.power = as_float("power", power, low=0.0)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.polynomial_schedule(
            base_lr, 0.0, power=self.power, transition_steps=self.total_iters
        )


@fill_doc(**SCHEDULER)
class LinearLR(EpochScheduler):
    r"""Scale the learning rate by a factor going linearly from ``start_factor`` to ``end_factor``.

    .. math::

        \eta_e = \eta_0 \left(f_s + (f_e - f_s) \min\left(\frac{e}{N}, 1\right)\right)

    (:math:`\eta_0 f_e` at once when :math:`N = 0`). Uses :func:`core.optim.linear_schedule`
    from :math:`\eta_0 f_s` to :math:`\eta_0 f_e`.

    Args:
        base_lr: the base learning rate, or one per parameter group.
        start_factor: non-negative factor at epoch 0 (:math:`f_s`).
        end_factor: non-negative factor from epoch ``total_iters`` on (:math:`f_e`).
        total_iters: non-negative number of epochs of the ramp (:math:`N`).
        {last_epoch}

    Raises:
        ValueError: if a factor or ``total_iters`` is negative.

    {lrs}
        >>> print(lrs(optim.LinearLR(base_lr=1.0, start_factor=0.25, total_iters=3), 5))
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = 0,
    ) -> None:
        self.start_factor = as_float("start_factor", start_factor, low=0.0)
        self.end_factor = as_float("end_factor", end_factor, low=0.0)
        self.total_iters = as_int("total_iters", total_iters)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        start, end = base_lr * self.start_factor, base_lr * self.end_factor
        if self.total_iters == 0:
            return core_optim.constant_schedule(end)
        return core_optim.linear_schedule(start, end, transition_steps=self.total_iters)


@fill_doc(**SCHEDULER)
class ConstantLR(EpochScheduler):
    r"""Scale the learning rate by ``factor`` for the first ``total_iters`` epochs.

    .. math::

        \eta_e = \begin{cases} \eta_0 f & e < N \\ \eta_0 & e \ge N \end{cases}

    Uses :func:`core.optim.join_schedules` of two :func:`core.optim.constant_schedule`.

    Args:
        base_lr: the base learning rate, or one per parameter group.
        factor: non-negative factor of the first epochs (:math:`f`).
        total_iters: non-negative number of scaled epochs (:math:`N`).
        {last_epoch}

    Raises:
        ValueError: if ``factor`` or ``total_iters`` is negative.

    {lrs}
        >>> print(lrs(optim.ConstantLR(base_lr=1.0, factor=0.5, total_iters=2), 4))
        [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = 0,
    ) -> None:
        self.factor = as_float("factor", factor, low=0.0)
        self.total_iters = as_int("total_iters", total_iters)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        scaled = core_optim.constant_schedule(base_lr * self.factor)
        return core_optim.join_schedules(
            [scaled, core_optim.constant_schedule(base_lr)], [self.total_iters]
        )


@fill_doc(**SCHEDULER)
class PiecewiseConstantSchedule(EpochScheduler):
    r"""Absolute learning rates that change at boundary epochs.

    .. math::

        \eta_e = v_i \quad \text{for } b_i \le e < b_{i+1}

    with :math:`b_0 = 0` and :math:`b_{n+1} = \infty`. As in braintools, ``values`` are
    absolute learning rates: ``base_lr`` only sets the number of parameter groups. Uses
    :func:`core.optim.join_schedules` of :func:`core.optim.constant_schedule`.

    Args:
        base_lr: sets the number of parameter groups (its values are not used).
        boundaries: non-negative, non-decreasing epochs; default ``[1000, 2000]``.
        values: ``len(boundaries) + 1`` non-negative learning rates; default
            ``[1.0, 0.1, 0.01]``.
        {last_epoch}

    Raises:
        ValueError: if the lengths do not match, a boundary decreases or is negative, or a
            value is negative.

    {lrs}
        >>> scheduler = optim.PiecewiseConstantSchedule(boundaries=[1, 3], values=[0.1, 0.05, 0.01])
        >>> print(lrs(scheduler, 4))
        [0.1, 0.05, 0.05, 0.01]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        boundaries: Sequence[int] | None = None,
        values: Sequence[float] | None = None,
        last_epoch: int = 0,
    ) -> None:
        bounds = [1000, 2000] if boundaries is None else sequence("boundaries", boundaries)
        levels = [1.0, 0.1, 0.01] if values is None else sequence("values", values)
        self.boundaries = [as_int(f"boundaries[{i}]", b) for i, b in enumerate(bounds)]
        self.values = [as_float(f"values[{i}]", v, low=0.0) for i, v in enumerate(levels)]
        if len(self.boundaries) != len(self.values) - 1:
            raise ValueError(
                "boundaries must have one element less than values, got "
                f"{len(self.boundaries)} boundaries and {len(self.values)} values"
            )
        for i in range(1, len(self.boundaries)):
            if self.boundaries[i] < self.boundaries[i - 1]:
                raise ValueError(f"boundaries must be non-decreasing, got {self.boundaries}")
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        pieces = [core_optim.constant_schedule(v) for v in self.values]
        return core_optim.join_schedules(pieces, self.boundaries)
