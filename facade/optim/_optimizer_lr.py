"""The learning-rate side of an optimizer: the rates it drives, reads and lets schedulers set.

:class:`Optimizer` holds one :class:`Group` per parameter group; each may hold a learning
rate that the optimizer writes into its transform's state before every step (a number given
as ``lr``, or the transform's one own rate), or none (the transform's own rates are used as
they are: a schedule, per-layer rates, a rate hidden in a closure). :class:`LearningRates`
is the optimizer's learning-rate API over those groups (``current_lr``, ``get_last_lr``,
``lr_apply``, the scheduler hook), in the braintools 0.3.0 names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast, runtime_checkable

import brainstate
import jax
import jax.numpy as jnp
import numpy as np

from core import optim as core_optim
from core._validation import as_float

from .._state_access import traced
from ._own_lr import OwnRates, stored_learning_rates, why_no_single_rate
from ._param_tree import ParamTree
from ._scheduler_base import LRScheduler


@runtime_checkable
class LRSchedulerLike(Protocol):
    """What an optimizer needs from a learning-rate scheduler passed as its learning rate.

    The optimizer calls ``attach_optimizer(self)``; the scheduler then calls the
    optimizer's ``_set_scheduled_lr(lrs)`` whenever its learning rates change.

    Example:
        >>> from facade.optim import LRSchedulerLike
        >>> class Halving:
        ...     base_lrs = [0.1]
        ...     def attach_optimizer(self, optimizer): self.optimizer = optimizer
        ...     def get_last_lr(self): return [0.1]
        >>> isinstance(Halving(), LRSchedulerLike)
        True
    """

    base_lrs: list[float]

    def attach_optimizer(self, optimizer: Any) -> None: ...

    def get_last_lr(self) -> list[float]: ...


def initial_learning_rate(lr: float | LRSchedulerLike) -> float:
    """The starting value of a learning rate given as a number or a scheduler."""
    if isinstance(lr, LRSchedulerLike):
        return as_float("learning_rate", lr.get_last_lr()[0], low=0)
    if isinstance(lr, bool) or not isinstance(
        lr, int | float | np.floating | np.ndarray | jax.Array
    ):
        raise TypeError(
            f"learning_rate must be a number or an LR scheduler; got {type(lr).__name__}"
        )
    return as_float("learning_rate", lr, low=0)


@dataclass
class Group:
    """A parameter group: its transform, core state and learning rate."""

    names: list[str]
    tx: core_optim.TransformLike
    opt_state: brainstate.LongTermState
    lr: brainstate.LongTermState | None
    """The rate written into the transform's state before each step (``None``: nothing is
    written; the transform's own rates, if any, are used as they are)."""
    hyperparams: dict[str, Any]
    tree: ParamTree
    """How the group's parameters are arranged for its transform."""


class LearningRates:
    """The learning-rate API of :class:`Optimizer`, over its parameter groups.

    Example:
        >>> from facade.optim import SGD
        >>> opt = SGD(learning_rate=0.1)
        >>> opt.current_lr = 0.05
        >>> opt.get_last_lr()
        [0.05]
    """

    _groups: list[Group]
    _scheduler: LRSchedulerLike | None
    _initial_lr: float | None
    _lr_given: bool
    _own_rates: OwnRates
    _given_lr: dict[int, float]
    lr_beside_schedule = False
    """Whether a given ``lr`` is only stored beside a transform whose learning rate is a
    schedule (Lookahead, as braintools) rather than refused."""

    def _lr_states(self) -> list[brainstate.LongTermState]:
        """The groups' driven learning rates (to set them); raises when a group has none."""
        for group in self._groups:
            if group.lr is None:
                raise ValueError(self._no_single_lr(group, setting=True))
        return [g.lr for g in self._groups if g.lr is not None]

    def _group_lr(self, group: Group) -> float:
        """The learning rate of a group's next step: the driven one, or the one a schedule
        (or a rate hidden in a closure) used last (stored in the transform's state)."""
        if group.lr is not None:
            return self._read_lr(group.lr)
        stored = stored_learning_rates(group.opt_state.value)
        rates = self._own_rates
        one = bool(stored) and (traced(stored) or len({float(rate) for rate in stored}) == 1)
        if not (stored and rates.schedules and not rates.several) and not (rates.hidden and one):
            raise ValueError(self._no_single_lr(group, setting=False))
        if isinstance(stored[0], jax.core.Tracer):  # inside jit: the traced value
            return cast(float, stored[0])
        return float(stored[0])

    def _no_single_lr(self, group: Group | None, *, setting: bool) -> str:
        """Why there is no learning rate to read (or set): none, a schedule, several."""
        stored = None if group is None else stored_learning_rates(group.opt_state.value)
        return why_no_single_rate(type(self).__name__, self._own_rates, stored, setting=setting)

    def _set_initial_lr(self, number: float) -> None:
        """Before registration: the learning rate to drive the transform's rates with."""
        if self._own_rates.schedules and not self.lr_beside_schedule:
            raise ValueError(self._no_single_lr(None, setting=True))
        self._initial_lr, self._lr_given = number, True

    def _write_lr(self, state: brainstate.LongTermState, value: Any) -> None:
        """Store a learning rate in the stored dtype (nothing is retraced); remember the
        number as given, which :meth:`_read_lr` returns while the state still holds it."""
        stored = jnp.asarray(value, jnp.result_type(state.value))
        state.value = stored
        if isinstance(value, int | float | np.floating) and not isinstance(stored, jax.core.Tracer):
            self._given_lr[id(state)] = float(value)
        else:
            self._given_lr.pop(id(state), None)

    def _read_lr(self, state: brainstate.LongTermState) -> float:
        """The learning rate in ``state``: exactly the number written, unless changed since."""
        if isinstance(state.value, jax.core.Tracer):  # inside jit: the traced value
            return cast(float, state.value)
        value = float(state.value)
        given = self._given_lr.get(id(state))
        if given is not None and float(np.asarray(given, np.dtype(state.value.dtype))) == value:
            return given
        return value

    @property
    def lr(self) -> float | LRSchedulerLike:
        """The learning rate as given: the scheduler, if one was passed, else the number."""
        if self._scheduler is not None:
            return self._scheduler
        return self.current_lr

    @property
    def lr_scheduler(self) -> LRSchedulerLike | None:
        """The scheduler driving the learning rate, or ``None``."""
        return self._scheduler

    @property
    def _lr_scheduler(self) -> LRSchedulerLike | None:
        """braintools' private name of :attr:`lr_scheduler` (its tests read it)."""
        return self._scheduler

    @property
    def base_lr(self) -> float:
        """The initial learning rate (of the first group)."""
        if self._initial_lr is None:
            raise ValueError(self._no_single_lr(None, setting=False))
        return self._initial_lr

    @property
    def current_lr(self) -> float:
        """The learning rate of the next step (first group); settable, never recompiles.

        The number set (or given to the constructor) comes back exactly, although the
        state stores it in ``float32``. For a transform whose learning rate is a schedule
        (and no ``lr``), the rate its last step used (read from its state, the initial one
        before the first step); it cannot be set.

        Raises:
            ValueError: for a transform that keeps no learning rate, or several different
                ones used as they are (no ``lr`` given: per-layer rates), naming them.
        """
        if self._groups:
            return self._group_lr(self._groups[0])
        if self._initial_lr is None:
            raise ValueError(self._no_single_lr(None, setting=False))
        return self._initial_lr

    @current_lr.setter
    def current_lr(self, value: float) -> None:
        number = as_float("current_lr", value, low=0)
        for state in self._lr_states()[:1]:
            self._write_lr(state, number)
        if not self._groups:
            self._set_initial_lr(number)

    def get_last_lr(self) -> list[float]:
        """The current learning rate of every parameter group (see :attr:`current_lr`)."""
        if not self._groups:
            return [self.current_lr]
        return [self._group_lr(g) for g in self._groups]

    def lr_apply(self, apply_fn: Callable[[float], float]) -> None:
        """Replace the learning rate ``lr`` of every group by ``apply_fn(lr)`` (braintools).

        With a scheduler attached, the scheduler's current rates change (until its next
        step) and are pushed to the groups it has rates for; never recompiles.

        Args:
            apply_fn: maps a learning rate to a new one (>= 0).
        """
        if isinstance(self._scheduler, LRScheduler):
            self._scheduler.apply(apply_fn)
            return
        lrs = [as_float("apply_fn(lr)", apply_fn(lr), low=0) for lr in self.get_last_lr()]
        if not self._groups:
            self._set_initial_lr(lrs[0])
            return
        for state, lr in zip(self._lr_states(), lrs, strict=True):
            self._write_lr(state, lr)

    def _set_scheduled_lr(self, lrs: Sequence[float]) -> None:
        """Called by an attached scheduler when its learning rates change."""
        if not lrs:
            return
        if not self._groups:
            self._set_initial_lr(float(lrs[0]))
            return
        for state, lr in zip(self._lr_states(), lrs, strict=False):  # groups beyond its
            self._write_lr(state, lr)  # rates keep their own (braintools' zip)
