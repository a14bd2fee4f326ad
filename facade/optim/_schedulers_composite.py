r"""Schedulers driven by a metric or by other schedulers: plateau, chained, sequential."""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_float, as_int, check_choice

from ._docs import SCHEDULER
from ._scheduler_base import (
    LRScheduler,
    epoch_arg,
    float64,
    float_list,
    per_group,
)

__all__ = ["ChainedScheduler", "ReduceLROnPlateau", "SequentialLR"]


def _metric(value: object) -> float:
    """The metric passed to ``ReduceLROnPlateau.step`` as a Python float."""
    if isinstance(value, jax.core.Tracer):
        raise TypeError(
            "metric must be a concrete value: call ReduceLROnPlateau.step(metric) outside "
            "jit, with the metric returned by the compiled step"
        )
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.ndarray | jax.Array):
        raise TypeError(f"metric must be a real number, got {type(value).__name__}")
    array = np.asarray(value)
    if array.size != 1 or not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ):
        raise TypeError(f"metric must be a real scalar, got shape {array.shape} {array.dtype}")
    return float(array.reshape(()))


@fill_doc(**SCHEDULER)
class ReduceLROnPlateau(LRScheduler):
    r"""Reduce the learning rates when a metric stops improving.

    Call ``step(metric)`` once per epoch. The metric improves on the best one :math:`b` if
    it is below :math:`b(1 - \theta)` (``mode="min"``, ``threshold_mode="rel"``), below
    :math:`b - \theta` (``"abs"``), or symmetrically above in ``"max"`` mode. After more than
    ``patience`` epochs without improvement every learning rate becomes
    :math:`\max(\eta f, \eta_{\min})` (unless that lowers it by ``eps`` or less) and a
    cool-down of ``cooldown`` epochs starts, during which the best and the bad-epoch count
    are frozen (braintools semantics). The decision is :func:`core.optim.plateau_update`.

    Args:
        base_lr: the initial learning rate, or one per parameter group.
        mode: ``"min"`` or ``"max"``.
        factor: the reduction factor, in ``[0, 1)``.
        patience: non-negative number of epochs without improvement to tolerate.
        threshold: non-negative improvement threshold :math:`\theta`.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: non-negative number of epochs to wait after a reduction.
        min_lr: non-negative lower bound, one or one per parameter group.
        eps: non-negative; a reduction of ``eps`` or less is skipped.
        {last_epoch}

    Raises:
        ValueError: for an argument out of range or an unknown mode.

    Example:
        >>> from facade import optim
        >>> scheduler = optim.ReduceLROnPlateau(base_lr=1.0, factor=0.5, patience=1)
        >>> lrs = []
        >>> for loss in [3.0, 2.0, 2.5, 2.5, 2.5, 2.5]:
        ...     scheduler.step(loss)
        ...     lrs.append(scheduler.get_last_lr()[0])
        >>> print(lrs)
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(
        self,
        base_lr: float | Sequence[float] = 1e-3,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
        last_epoch: int = 0,
    ) -> None:
        groups = len(float_list("base_lr", base_lr))
        self.mode: Literal["min", "max"] = check_choice(  # type: ignore[assignment]
            "mode", mode, ("min", "max")
        )
        self.factor = as_float("factor", factor, low=0.0, high=1.0, high_open=True)
        self.patience = as_int("patience", patience)
        self.threshold = as_float("threshold", threshold, low=0.0)
        self.threshold_mode: Literal["rel", "abs"] = check_choice(  # type: ignore[assignment]
            "threshold_mode", threshold_mode, ("rel", "abs")
        )
        self.cooldown = as_int("cooldown", cooldown)
        self.min_lrs = per_group("min_lr", float_list("min_lr", min_lr), groups)
        self.eps = as_float("eps", eps, low=0.0)
        with float64():
            self.best = _state(float(core_optim.plateau_init([0.0], mode=self.mode).best))
        self.num_bad_epochs = _state(0)
        self.cooldown_counter = _state(0)
        super().__init__(base_lr, last_epoch)

    def get_lr(self) -> list[float]:
        """The current learning rates (they change only in :meth:`step`).

        Returns:
            One Python float per parameter group.
        """
        return self.get_last_lr()

    def step(  # type: ignore[override]
        self, metric: ArrayLike | None = None, epoch: int | None = None
    ) -> None:
        """Record this epoch's ``metric``; reduce the learning rates on a plateau.

        Args:
            metric: the monitored value (a real scalar, not traced).
            epoch: the epoch to jump to; ``None`` advances by one.

        Raises:
            TypeError: if ``metric`` is missing, not a real scalar, or traced.
        """
        if metric is None:
            raise TypeError("ReduceLROnPlateau.step needs the metric: step(metric)")
        value = _metric(metric)
        target = self._epoch() + 1 if epoch is None else epoch_arg(epoch)
        with float64():
            state = core_optim.plateau_init(self.get_last_lr(), mode=self.mode)
            state = state._replace(
                best=jnp.asarray(self.best.value, state.best.dtype),
                num_bad_epochs=jnp.asarray(self.num_bad_epochs.value, jnp.int32),
                cooldown_counter=jnp.asarray(self.cooldown_counter.value, jnp.int32),
            )
            new = core_optim.plateau_update(
                state,
                value,
                mode=self.mode,
                factor=self.factor,
                patience=self.patience,
                threshold=self.threshold,
                threshold_mode=self.threshold_mode,
                cooldown=self.cooldown,
                min_lrs=self.min_lrs,
                eps=self.eps,
            )
            best, bad = float(new.best), int(new.num_bad_epochs)
            counter, lrs = int(new.cooldown_counter), [float(v) for v in new.learning_rates]
        self.last_epoch.value = target
        self.best.value = best
        self.num_bad_epochs.value = bad
        self.cooldown_counter.value = counter
        self._update_lrs(lrs)

    def state_dict(self) -> dict[str, Any]:
        """The state, with the best metric and the counters.

        Returns:
            ``last_epoch``, ``base_lrs``, ``current_lrs``, ``best``, ``num_bad_epochs`` and
            ``cooldown_counter``, as plain Python values.
        """
        return {
            **super().state_dict(),
            "best": float(self.best.value),
            "num_bad_epochs": int(self.num_bad_epochs.value),
            "cooldown_counter": int(self.cooldown_counter.value),
        }

    def _parse_state(self, state_dict: object, where: str) -> dict[str, Any]:
        parsed = super()._parse_state(state_dict, where)
        if not isinstance(state_dict, Mapping):  # already refused by super(); for mypy
            raise TypeError(f"{where} must be a mapping")
        for key in ("current_lrs", "best", "num_bad_epochs", "cooldown_counter"):
            if key not in state_dict:
                raise ValueError(f"{where} is missing the entry {key!r}")
        current = float_list(f"{where}['current_lrs']", state_dict["current_lrs"])
        parsed["current_lrs"] = per_group(f"{where}['current_lrs']", current, len(self.base_lrs))
        best = state_dict["best"]
        if isinstance(best, bool) or not isinstance(best, numbers.Real) or math.isnan(best):
            raise TypeError(f"{where}['best'] must be a real number, got {best!r}")
        parsed["best"] = float(best)
        for key in ("num_bad_epochs", "cooldown_counter"):
            parsed[key] = as_int(f"{where}[{key!r}]", state_dict[key])
        return parsed

    def _apply_state(self, parsed: dict[str, Any]) -> None:
        self.last_epoch.value = parsed["last_epoch"]
        self.base_lrs = parsed["base_lrs"]
        self.best.value = parsed["best"]
        self.num_bad_epochs.value = parsed["num_bad_epochs"]
        self.cooldown_counter.value = parsed["cooldown_counter"]
        self._current_lrs.value = parsed["current_lrs"]


def _state(value: float | int) -> brainstate.LongTermState:
    return brainstate.LongTermState(value)


def _check_members(name: str, schedulers: object) -> list[LRScheduler]:
    if isinstance(schedulers, str) or not isinstance(schedulers, Sequence):
        raise TypeError(f"{name} must be a sequence of LR schedulers, got {schedulers!r}")
    members = list(schedulers)
    if not members:
        raise ValueError(f"{name} must hold at least one scheduler")
    for i, member in enumerate(members):
        if not isinstance(member, LRScheduler):
            raise TypeError(f"{name}[{i}] must be an LRScheduler, got {type(member).__name__}")
        if isinstance(member, ReduceLROnPlateau):
            raise TypeError(
                f"{name}[{i}] is a ReduceLROnPlateau, which needs a metric at every step; "
                "step it on its own"
            )
    return members


def _parse_members(
    members: list[LRScheduler], state_dict: Mapping[str, Any], where: str
) -> list[dict[str, Any]]:
    saved = state_dict.get("schedulers")
    if isinstance(saved, str) or not isinstance(saved, Sequence):
        raise TypeError(f"{where}['schedulers'] must be a list of scheduler states")
    if len(saved) != len(members):
        raise ValueError(f"{where}['schedulers'] has {len(saved)} entries, expected {len(members)}")
    for i, (member, sub) in enumerate(zip(members, saved, strict=True)):
        member._check_identity(sub, f"{where}['schedulers'][{i}]")
    return [
        member._parse_state(sub, f"{where}['schedulers'][{i}]")
        for i, (member, sub) in enumerate(zip(members, saved, strict=True))
    ]


@fill_doc(**SCHEDULER)
class ChainedScheduler(LRScheduler):
    r"""Step several schedulers together and multiply their effects.

    Each group's learning rate is the first scheduler's base learning rate times every
    scheduler's ratio of current to base learning rate:

    .. math::

        \eta_e = \eta_0^{(1)} \prod_k \frac{\eta_e^{(k)}}{\eta_0^{(k)}}

    (:func:`core.optim.chained_value`; a ratio with a zero base is 0). The member
    schedulers are not attached to the optimizer; only the chain is.

    Args:
        schedulers: a non-empty sequence of schedulers (not ``ReduceLROnPlateau``).

    Raises:
        ValueError: if ``schedulers`` is empty.
        TypeError: if a member is not an LR scheduler or is a ``ReduceLROnPlateau``.

    {lrs}
        >>> warmup = optim.ConstantLR(base_lr=1.0, factor=0.5, total_iters=2)
        >>> decay = optim.ExponentialLR(base_lr=1.0, gamma=0.5)
        >>> print(lrs(optim.ChainedScheduler([warmup, decay]), 4))
        [0.5, 0.25, 0.25, 0.125]
    """

    def __init__(self, schedulers: Sequence[LRScheduler]) -> None:
        self.schedulers = _check_members("schedulers", schedulers)
        super().__init__(list(self.schedulers[0].base_lrs))

    def get_lr(self) -> list[float]:
        """The product of the members' ratios, for every parameter group.

        Returns:
            One Python float per entry of :attr:`base_lrs`.
        """
        lrs = []
        for i, base in enumerate(self.base_lrs):
            values, bases = [], []
            for member in self.schedulers:
                current, member_bases = member.get_last_lr(), member.base_lrs
                values.append(current[min(i, len(current) - 1)])
                bases.append(member_bases[min(i, len(member_bases) - 1)])
            with float64():
                lrs.append(float(core_optim.chained_value(base, values, bases)))
        return lrs

    def step(self, epoch: int | None = None) -> None:
        """Step every member (with ``epoch`` if given) and recombine.

        Args:
            epoch: the epoch to jump to; ``None`` advances by one.
        """
        target = self._epoch() + 1 if epoch is None else epoch_arg(epoch)
        self.last_epoch.value = target
        for member in self.schedulers:
            member.step(epoch)
        self._update_lrs(self.get_lr())

    def state_dict(self) -> dict[str, Any]:
        """The chain's epoch and every member's state.

        Returns:
            ``{"last_epoch": ..., "schedulers": [member states]}``.
        """
        return {
            **self._identity(),
            "last_epoch": int(self.last_epoch.value),
            "schedulers": [member.state_dict() for member in self.schedulers],
        }

    def _parse_state(self, state_dict: object, where: str) -> dict[str, Any]:
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where} must be a mapping, got {type(state_dict).__name__}")
        epoch = as_int(f"{where}['last_epoch']", state_dict.get("last_epoch", 0))
        members = _parse_members(self.schedulers, state_dict, where)
        return {"last_epoch": epoch, "schedulers": members}

    def _apply_state(self, parsed: dict[str, Any]) -> None:
        for member, sub in zip(self.schedulers, parsed["schedulers"], strict=True):
            member._apply_state(sub)
        self.last_epoch.value = parsed["last_epoch"]
        self._current_lrs.value = self.get_lr()


@fill_doc(**SCHEDULER)
class SequentialLR(LRScheduler):
    r"""Run schedulers one after the other, switching at milestone epochs.

    From epoch :math:`m_{k-1}` (with :math:`m_0 = 0`) scheduler :math:`k` is active: each
    :meth:`step` steps it to the epoch counted from its milestone, ``e - m_{k-1}``, and the
    learning rate is its learning rate (braintools semantics).

    Args:
        schedulers: a non-empty sequence of schedulers (not ``ReduceLROnPlateau``).
        milestones: ``len(schedulers) - 1`` non-negative, non-decreasing epochs.
        {last_epoch}

    Raises:
        ValueError: if the lengths do not match or a milestone is negative or decreasing.
        TypeError: if a member is not an LR scheduler or is a ``ReduceLROnPlateau``.

    {lrs}
        >>> warmup = optim.LinearLR(base_lr=1.0, start_factor=0.5, total_iters=2)
        >>> decay = optim.ExponentialLR(base_lr=1.0, gamma=0.5)
        >>> print(lrs(optim.SequentialLR([warmup, decay], milestones=[2]), 5))
        [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    _state_keys = LRScheduler._state_keys | {"milestones", "current_scheduler_idx"}

    def __init__(
        self,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = 0,
    ) -> None:
        self.schedulers = _check_members("schedulers", schedulers)
        self.milestones = self._check_milestones("milestones", milestones)
        super().__init__(list(self.schedulers[0].base_lrs), last_epoch)

    def _check_milestones(self, name: str, milestones: object) -> list[int]:
        if isinstance(milestones, str) or not isinstance(milestones, Sequence):
            raise TypeError(f"{name} must be a sequence of integers, got {milestones!r}")
        values = [as_int(f"{name}[{i}]", m) for i, m in enumerate(milestones)]
        if len(values) != len(self.schedulers) - 1:
            raise ValueError(
                f"{name} must have len(schedulers) - 1 = {len(self.schedulers) - 1} entries, "
                f"got {len(values)}"
            )
        for i in range(1, len(values)):
            if values[i] < values[i - 1]:
                raise ValueError(f"{name} must be non-decreasing, got {values}")
        return values

    @property
    def current_scheduler_idx(self) -> int:
        """The index of the active scheduler."""
        return bisect.bisect_right(self.milestones, self._epoch())

    def get_lr(self) -> list[float]:
        """The learning rates of the active scheduler.

        Returns:
            Its :meth:`get_last_lr`.
        """
        return self.schedulers[self.current_scheduler_idx].get_last_lr()

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``) and step the active scheduler.

        Args:
            epoch: the epoch to jump to; ``None`` advances by one.
        """
        target = self._epoch() + 1 if epoch is None else epoch_arg(epoch)
        self.last_epoch.value = target
        index = self.current_scheduler_idx
        offset = 0 if index == 0 else self.milestones[index - 1]
        self.schedulers[index].step(target - offset)
        self._update_lrs(self.get_lr())

    def state_dict(self) -> dict[str, Any]:
        """The epoch, the milestones and every member's state.

        Returns:
            ``schedulers``, ``milestones``, ``last_epoch`` and ``current_scheduler_idx``.
        """
        return {
            **self._identity(),
            "schedulers": [member.state_dict() for member in self.schedulers],
            "milestones": list(self.milestones),
            "last_epoch": int(self.last_epoch.value),
            "current_scheduler_idx": self.current_scheduler_idx,
        }

    def _parse_state(self, state_dict: object, where: str) -> dict[str, Any]:
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where} must be a mapping, got {type(state_dict).__name__}")
        if "last_epoch" not in state_dict:
            raise ValueError(f"{where} is missing the entry 'last_epoch'")
        epoch = as_int(f"{where}['last_epoch']", state_dict["last_epoch"])
        milestones = self._check_milestones(
            f"{where}['milestones']", state_dict.get("milestones", self.milestones)
        )
        members = _parse_members(self.schedulers, state_dict, where)
        return {"last_epoch": epoch, "milestones": milestones, "schedulers": members}

    def _apply_state(self, parsed: dict[str, Any]) -> None:
        for member, sub in zip(self.schedulers, parsed["schedulers"], strict=True):
            member._apply_state(sub)
        self.milestones = parsed["milestones"]
        self.last_epoch.value = parsed["last_epoch"]
        self._current_lrs.value = self.get_lr()
