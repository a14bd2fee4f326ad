r"""Warm-up and cyclical schedulers: warm-up, cyclic, one-cycle, warm restarts, warm-up cosine.

Each is an :class:`~facade.optim.LRScheduler` whose learning rate at epoch :math:`e` is a
:mod:`core.optim` schedule of the epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from jax import Array
from jax.typing import ArrayLike

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_float, as_int, check_choice

from ._docs import SCHEDULER
from ._scheduler_base import (
    EpochScheduler,
    ScheduleFn,
    float64,
    float_list,
    per_group,
)

__all__ = [
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "WarmupCosineSchedule",
    "WarmupScheduler",
]


@fill_doc(**SCHEDULER)
class WarmupScheduler(EpochScheduler):
    r"""Raise the learning rate linearly from ``warmup_start_lr`` to ``base_lr``.

    .. math::

        \eta_e = \eta_s + (\eta_0 - \eta_s) \min\left(\frac{e}{W}, 1\right)

    (:math:`\eta_0` at once when :math:`W = 0`). Uses :func:`core.optim.linear_schedule`.

    Args:
        base_lr: the learning rate after the warm-up, or one per parameter group.
        warmup_epochs: non-negative length of the warm-up (:math:`W`).
        warmup_start_lr: non-negative learning rate at epoch 0 (:math:`\eta_s`).
        {last_epoch}

    Raises:
        ValueError: if ``warmup_epochs`` or ``warmup_start_lr`` is negative.

    {lrs}
        >>> print(lrs(optim.WarmupScheduler(base_lr=1.0, warmup_epochs=4), 6))
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        warmup_epochs: int = 5,
        warmup_start_lr: float = 0.0,
        last_epoch: int = 0,
    ) -> None:
        self.warmup_epochs = as_int("warmup_epochs", warmup_epochs)
        self.warmup_start_lr = as_float("warmup_start_lr", warmup_start_lr, low=0.0)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        if self.warmup_epochs == 0:
            return core_optim.constant_schedule(base_lr)
        return core_optim.linear_schedule(self.warmup_start_lr, base_lr, self.warmup_epochs)


@fill_doc(**SCHEDULER)
class CyclicLR(EpochScheduler):
    r"""Cycle the learning rate between ``base_lr`` and ``max_lr`` along triangles.

    With the cycle :math:`c = \lfloor e / (U + D) \rfloor + 1` and :math:`r = e - (c - 1)(U + D)`:

    .. math::

        \eta_e = \eta_0 + (\eta_{\max} - \eta_0)\, s \cdot
        \begin{cases} r / U & r \le U \\ (U + D - r) / D & r > U \end{cases}

    with :math:`s = 1` (``"triangular"``), :math:`2^{1 - c}` (``"triangular2"``),
    :math:`\gamma^e` (``"exp_range"``) or ``scale_fn`` of :math:`c` or :math:`e`. Uses
    :func:`core.optim.cyclic_schedule`.

    Args:
        base_lr: the lower learning rate of the cycle, or one per parameter group.
        max_lr: the upper learning rate, one or one per parameter group.
        step_size_up: positive number of rising epochs (:math:`U`).
        step_size_down: positive number of falling epochs (:math:`D`); ``None`` means
            ``step_size_up``.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the base of the ``"exp_range"`` scale.
        scale_fn: optional custom amplitude scale (a jax-traceable function); overrides
            ``mode``.
        scale_mode: ``"cycle"`` or ``"iterations"``: the argument of ``scale_fn``.
        {last_epoch}

    Raises:
        ValueError: for a non-positive step size, an unknown mode, or a ``max_lr`` list whose
            length is neither 1 nor the number of parameter groups.

    {lrs}
        >>> print(lrs(optim.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=2), 6))
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.55]

    References:
        Smith, `Cyclical Learning Rates for Training Neural Networks
        <https://arxiv.org/abs/1506.01186>`_, 2017.
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        max_lr: float | Sequence[float] = 1e-2,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[Array], ArrayLike] | None = None,
        scale_mode: Literal["cycle", "iterations"] = "cycle",
        last_epoch: int = 0,
    ) -> None:
        groups = len(float_list("base_lr", base_lr))
        self.max_lrs = per_group("max_lr", float_list("max_lr", max_lr), groups)
        self.step_size_up = as_int("step_size_up", step_size_up, minimum=1)
        self.step_size_down = (
            self.step_size_up
            if step_size_down is None
            else as_int("step_size_down", step_size_down, minimum=1)
        )
        self.mode = check_choice("mode", mode, ("triangular", "triangular2", "exp_range"))
        self.gamma = as_float("gamma", gamma, low=0.0, low_open=True)
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn must be a callable or None, got {scale_fn!r}")
        self.scale_fn = scale_fn
        self.scale_mode = check_choice("scale_mode", scale_mode, ("cycle", "iterations"))
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.cyclic_schedule(
            base_lr,
            self.max_lrs[group],
            self.step_size_up,
            self.step_size_down,
            mode=self.mode,  # type: ignore[arg-type]
            gamma=self.gamma,
            scale_fn=self.scale_fn,
            scale_mode=self.scale_mode,  # type: ignore[arg-type]
        )


@fill_doc(**SCHEDULER)
class OneCycleLR(EpochScheduler):
    r"""The one-cycle policy (braintools formula): rise linearly to ``max_lr``, then anneal.

    With :math:`W = p\,T` (``pct_start`` times ``total_steps``), the initial learning rate
    :math:`\eta_{\max} / d` and the final one :math:`\eta_{\max} / d_f`:

    .. math::

        \eta_e = \begin{cases}
            \frac{\eta_{\max}}{d} + \min\left(\frac{e}{W}, 1\right)
            \left(\eta_{\max} - \frac{\eta_{\max}}{d}\right) & e \le W \\
            \frac{\eta_{\max}}{d_f} + a\left(\min\left(\frac{e - W}{(1 - p)T}, 1\right)\right)
            \left(\eta_{\max} - \frac{\eta_{\max}}{d_f}\right) & e > W
        \end{cases}

    with :math:`a(x) = (1 + \cos\pi x)/2` (``"cos"``) or :math:`1 - x` (``"linear"``). Uses
    :func:`core.optim.one_cycle_lr_schedule`. :attr:`base_lrs` are the initial learning
    rates :math:`\eta_{\max} / d`.

    Args:
        max_lr: the peak learning rate, or one per parameter group.
        total_steps: positive length of the cycle; or give ``epochs`` and
            ``steps_per_epoch``.
        epochs: positive number of epochs (with ``steps_per_epoch``); checked when given,
            unused when ``total_steps`` is given.
        steps_per_epoch: positive number of steps per epoch (with ``epochs``); checked when
            given, unused when ``total_steps`` is given.
        pct_start: fraction of the cycle spent rising, in ``(0, 1)``.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        div_factor: positive; the initial learning rate is ``max_lr / div_factor``.
        final_div_factor: positive; the final learning rate is ``max_lr / final_div_factor``.
        last_epoch: the epoch (step) to start from.

    Raises:
        ValueError: if neither ``total_steps`` nor both ``epochs`` and ``steps_per_epoch``
            are given, or an argument is out of range.

    {lrs}
        >>> scheduler = optim.OneCycleLR(max_lr=1.0, total_steps=10, pct_start=0.2,
        ...                              div_factor=10.0, final_div_factor=100.0)
        >>> print(lrs(scheduler, 11))
        [0.1, 0.55, 1.0, 0.9623, 0.855, 0.6944, 0.505, 0.3156, 0.155, 0.0477, 0.01]

    References:
        Smith & Topin, `Super-Convergence: Very Fast Training of Neural Networks Using Large
        Learning Rates <https://arxiv.org/abs/1708.07120>`_, 2017.
    """

    def __init__(
        self,
        max_lr: float | Sequence[float] = 1e-2,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        last_epoch: int = 0,
    ) -> None:
        if epochs is not None:  # checked whenever given, even if total_steps wins
            epochs = as_int("epochs", epochs, minimum=1)
        if steps_per_epoch is not None:
            steps_per_epoch = as_int("steps_per_epoch", steps_per_epoch, minimum=1)
        if total_steps is not None:
            self.total_steps = as_int("total_steps", total_steps, minimum=1)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("give total_steps, or both epochs and steps_per_epoch")
        self.max_lrs = float_list("max_lr", max_lr)
        self.pct_start = as_float(
            "pct_start", pct_start, low=0.0, high=1.0, low_open=True, high_open=True
        )
        self.anneal_strategy = check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
        self.div_factor = as_float("div_factor", div_factor, low=0.0, low_open=True)
        self.final_div_factor = as_float(
            "final_div_factor", final_div_factor, low=0.0, low_open=True
        )
        self._cycles = [
            core_optim.one_cycle_lr_schedule(
                self.total_steps,
                peak,
                pct_start=self.pct_start,
                anneal_strategy=self.anneal_strategy,  # type: ignore[arg-type]
                div_factor=self.div_factor,
                final_div_factor=self.final_div_factor,
            )
            for peak in self.max_lrs
        ]
        with float64():
            initial = [float(cycle(0)) for cycle in self._cycles]
        super().__init__(initial, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return self._cycles[group]


@fill_doc(**SCHEDULER)
class CosineAnnealingWarmRestarts(EpochScheduler):
    r"""Cosine annealing to ``eta_min`` with warm restarts every :math:`T_0 m^k` epochs (SGDR).

    With :math:`t_k` the epoch within cycle :math:`k`, which lasts :math:`T_k = T_0 m^k`:

    .. math::

        \eta_e = \eta_{\min} + (\eta_0 - \eta_{\min})\,
        \tfrac{1}{2}\left(1 + \cos\frac{\pi t_k}{T_k}\right)

    Uses :func:`core.optim.cosine_warm_restarts_schedule`.

    Args:
        base_lr: the learning rate at each restart, or one per parameter group.
        T_0: positive length of the first cycle.
        T_mult: integer ``>= 1``, the growth factor of the cycle length (:math:`m`).
        eta_min: non-negative learning rate approached at the end of each cycle.
        {last_epoch}

    Raises:
        ValueError: if ``T_0`` is not positive, ``T_mult < 1`` or ``eta_min`` is negative.

    {lrs}
        >>> print(lrs(optim.CosineAnnealingWarmRestarts(base_lr=1.0, T_0=2, T_mult=2), 7))
        [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]

    {sgdr}
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        T_0: int = 10,
        T_mult: int = 1,
        eta_min: float = 0,
        last_epoch: int = 0,
    ) -> None:
        self.T_0 = as_int("T_0", T_0, minimum=1)
        self.T_mult = as_int("T_mult", T_mult, minimum=1)
        self.eta_min = as_float("eta_min", eta_min, low=0.0)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.cosine_warm_restarts_schedule(
            base_lr, self.T_0, period_mult=self.T_mult, end_value=self.eta_min
        )


@fill_doc(**SCHEDULER)
class WarmupCosineSchedule(EpochScheduler):
    r"""Linear warm-up from ``warmup_start_lr`` to ``base_lr``, then cosine decay to ``eta_min``.

    With :math:`W` = ``warmup_steps`` and :math:`T` = ``total_steps``:

    .. math::

        \eta_e = \begin{cases}
            \eta_s + (\eta_0 - \eta_s) \frac{e}{W} & e < W \\
            \eta_{\min} + (\eta_0 - \eta_{\min})\, \tfrac{1}{2}\left(1 + \cos \pi
            \min\left(\frac{e - W}{\max(T - W, 1)}, 1\right)\right) & e \ge W
        \end{cases}

    Uses :func:`core.optim.warmup_cosine_decay_schedule` (``decay_steps = max(T, W + 1)``;
    a group whose base learning rate is 0 stays at 0 after the warm-up).

    Args:
        base_lr: the peak learning rate, or one per parameter group.
        warmup_steps: non-negative length of the warm-up.
        total_steps: non-negative length of the schedule, warm-up included.
        warmup_start_lr: non-negative learning rate at epoch 0.
        eta_min: non-negative final learning rate.
        {last_epoch}

    Raises:
        ValueError: for a negative argument.

    {lrs}
        >>> scheduler = optim.WarmupCosineSchedule(base_lr=1.0, warmup_steps=2, total_steps=6,
        ...                                        eta_min=0.1)
        >>> print(lrs(scheduler, 8))
        [0.0, 0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        warmup_steps: int = 1000,
        total_steps: int = 10000,
        warmup_start_lr: float = 0.0,
        eta_min: float = 0.0,
        last_epoch: int = 0,
    ) -> None:
        self.warmup_steps = as_int("warmup_steps", warmup_steps)
        self.total_steps = as_int("total_steps", total_steps)
        self.warmup_start_lr = as_float("warmup_start_lr", warmup_start_lr, low=0.0)
        self.eta_min = as_float("eta_min", eta_min, low=0.0)
        super().__init__(base_lr, last_epoch)

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        return core_optim.warmup_cosine_decay_schedule(
            init_value=self.warmup_start_lr,
            peak_value=base_lr,
            warmup_steps=self.warmup_steps,
            decay_steps=max(self.total_steps, self.warmup_steps + 1),
            end_value=self.eta_min,
        )
