"""The LR-scheduler base class: epoch counters in brainstate states, values from ``core``.

A scheduler holds its epoch counter (and the last learning rates) in
``brainstate.LongTermState`` objects, so they are saved with the other states of a model and
restored by :meth:`LRScheduler.load_state_dict`. Every learning-rate value comes from a pure
:mod:`core.optim` schedule evaluated at the epoch; the values are kept as Python floats
(stepping happens in Python, between compiled training steps). The schedules are evaluated
in float64 (``jax.enable_x64`` for the call), so the floats are as exact as the formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any, Protocol, TypeAlias, cast

import brainstate
import jax

from core._validation import as_float, as_int

__all__ = ["LRScheduler"]

ScheduleFn: TypeAlias = Callable[[int], jax.Array]
"""A :mod:`core.optim` schedule, evaluated at an epoch."""


class SchedulableOptimizer(Protocol):
    """What a scheduler needs from the optimizer it drives."""

    def _set_scheduled_lr(self, lrs: Sequence[float]) -> None: ...


# --------------------------------------------------------------------------- argument checks


def float_list(name: str, value: object, *, low: float | None = 0.0) -> list[float]:
    """A number or a non-empty sequence of numbers as a list of floats (each ``>= low``)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) == 0:
            raise ValueError(f"{name} must be a number or a non-empty sequence of numbers")
        return [as_float(f"{name}[{i}]", v, low=low) for i, v in enumerate(value)]
    return [as_float(name, value, low=low)]


def sequence(name: str, value: object) -> list[object]:
    """``value`` as a list, after checking it is a sequence (not a string)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence, got {value!r}")
    return list(value)


def per_group(name: str, values: list[float], groups: int) -> list[float]:
    """``values`` broadcast to ``groups`` entries (one value is repeated)."""
    if len(values) == 1:
        return values * groups
    if len(values) != groups:
        raise ValueError(
            f"{name} must be one number or one per base learning rate ({groups}), got {len(values)}"
        )
    return list(values)


def float64() -> AbstractContextManager[Any]:
    """A context in which the :mod:`core` schedules compute in float64."""
    return cast(AbstractContextManager[Any], jax.enable_x64(True))


def epoch_arg(epoch: object) -> int:
    """Check the ``epoch`` argument of ``step``."""
    return as_int("epoch", epoch)


# --------------------------------------------------------------------------- base class


class LRScheduler:
    """Base class of the epoch-based learning-rate schedulers (braintools 0.3.0 API).

    A scheduler counts epochs in :attr:`last_epoch` (a ``brainstate.LongTermState`` holding
    a Python ``int``); :meth:`step` advances it and recomputes the learning rate of every
    parameter group (one per entry of :attr:`base_lrs`) from a pure :mod:`core.optim`
    schedule. Pass a scheduler as an optimizer's learning rate to drive it: the optimizer
    calls :meth:`attach_optimizer`, and the scheduler pushes every new list of learning
    rates to it. A scheduler works unattached as well.

    Args:
        base_lr: the base learning rate, or one per parameter group (non-negative).
        last_epoch: the (non-negative) epoch to start from, e.g. when resuming.

    Raises:
        ValueError: for a negative learning rate or epoch.
        TypeError: for a learning rate or epoch of the wrong type.

    Example:
        >>> from facade import optim
        >>> scheduler = optim.StepLR(base_lr=0.1, step_size=2, gamma=0.5)
        >>> isinstance(scheduler, optim.LRScheduler)
        True
        >>> for _ in range(4):
        ...     scheduler.step()
        >>> print(scheduler.last_epoch.value, scheduler.get_last_lr())
        4 [0.025]
    """

    base_lrs: list[float]
    """The base learning rate of every parameter group."""
    optimizer: SchedulableOptimizer | None
    """The optimizer this scheduler drives, or ``None``."""
    _traceable: bool = False
    """Whether :meth:`step` may run inside ``jit`` (traced epoch and learning rates)."""
    _state_keys: frozenset[str] = frozenset({"last_epoch", "base_lrs", "current_lrs", "optimizer"})
    """Attributes saved as state (restored), not as settings (which must match)."""

    def __init__(self, base_lr: float | Sequence[float] = 1e-3, last_epoch: int = 0) -> None:
        self.base_lrs = float_list("base_lr", base_lr)
        start = as_int("last_epoch", last_epoch)
        self.optimizer = None
        self.last_epoch: brainstate.LongTermState = brainstate.LongTermState(start)
        self._current_lrs = brainstate.LongTermState(list(self.base_lrs))
        self._rebuild()
        # a user subclass may set what get_lr needs after super().__init__ (the braintools
        # pattern): its LRs are then computed on attaching or at the first step
        with suppress(AttributeError, NotImplementedError):
            self._current_lrs.value = _floats(self.get_lr())

    # -- what subclasses provide ---------------------------------------------------------
    def _rebuild(self) -> None:
        """(Re)build whatever depends on :attr:`base_lrs` (the per-group schedules)."""

    def get_lr(self) -> list[float]:
        """The learning rate of every parameter group at :attr:`last_epoch`.

        Returns:
            One Python float per entry of :attr:`base_lrs`.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr")

    # -- the public API ------------------------------------------------------------------
    @property
    def current_lrs(self) -> brainstate.LongTermState:
        """The state holding the current learning rates (a list of Python floats)."""
        return self._current_lrs

    def get_last_lr(self) -> list[float]:
        """The learning rates computed by the last :meth:`step` (or at construction).

        Returns:
            A new list with one Python float per parameter group.
        """
        return _floats(self._current_lrs.value)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``) and update the learning rates.

        Args:
            epoch: the non-negative epoch to jump to; ``None`` advances by one.

        Raises:
            ValueError: if ``epoch`` is negative.
            TypeError: if ``epoch`` is not an integer.
        """
        target = self._epoch() + 1 if epoch is None else epoch_arg(epoch)
        self.last_epoch.value = target
        self._update_lrs(self.get_lr())

    def apply(self, apply_fn: Callable[[float], float]) -> None:
        """Replace every current learning rate ``lr`` by ``apply_fn(lr)`` (until the next step).

        Args:
            apply_fn: maps a learning rate to a new one (>= 0).

        Raises:
            ValueError: if ``apply_fn`` returns a negative or non-finite value (nothing
                changes).
        """
        lrs = [as_float("apply_fn(lr)", apply_fn(lr), low=0) for lr in self.get_last_lr()]
        self._update_lrs(lrs)

    def step_epoch(self) -> None:
        """Advance one epoch (the same as :meth:`step` without arguments)."""
        self.step()

    def attach_optimizer(self, optimizer: SchedulableOptimizer) -> None:
        """Drive ``optimizer``: it receives the current and every later learning rate.

        Args:
            optimizer: an object with a ``_set_scheduled_lr(lrs)`` method (the facade
                optimizers call this when a scheduler is passed as their learning rate).

        Raises:
            TypeError: if ``optimizer`` has no ``_set_scheduled_lr`` method.
            ValueError: if ``optimizer`` has no single learning rate to drive (per-layer
                rates, a schedule of its own); nothing is attached.
        """
        if not callable(getattr(optimizer, "_set_scheduled_lr", None)):
            raise TypeError(
                "optimizer must be a facade optimizer (an object with a _set_scheduled_lr "
                f"method), got {type(optimizer).__name__}"
            )
        lrs = _floats(self.get_lr())
        optimizer._set_scheduled_lr(lrs)  # an optimizer that cannot take them refuses first
        self.optimizer = optimizer
        self._current_lrs.value = lrs

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state as plain Python values (for checkpoints).

        Returns:
            A dict with ``last_epoch``, ``base_lrs`` and ``current_lrs`` (and the extra
            counters of stateful schedulers).
        """
        return {
            **self._identity(),
            "last_epoch": int(self.last_epoch.value),
            "base_lrs": list(self.base_lrs),
            "current_lrs": self.get_last_lr(),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` (checked before anything changes).

        The saved state names the scheduler's class and settings (``step_size``, ``gamma``,
        ...); they must equal this scheduler's, so a ``StepLR`` checkpoint never loads into
        an ``ExponentialLR`` (or a ``StepLR`` with another ``gamma``). A state without
        them (written by braintools) is accepted.

        Args:
            state_dict: the saved state.

        Raises:
            TypeError: if ``state_dict`` is not a mapping or holds values of the wrong type.
            ValueError: if the saved class or settings differ from this scheduler's (both
                named), an entry is missing or out of range, or the number of base
                learning rates differs from this scheduler's.
        """
        self._check_identity(state_dict, "state_dict")
        self._apply_state(self._parse_state(state_dict, "state_dict"))
        self._notify()

    # -- identity of a saved state -------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        """The scheduler's public constructor settings that are plain values."""
        return {
            key: _plain(value)
            for key, value in sorted(vars(self).items())
            if not key.startswith("_") and key not in self._state_keys and _is_plain(value)
        }

    def _identity(self) -> dict[str, Any]:
        """``{"class": name, "settings": {...}}``, saved in :meth:`state_dict`."""
        return {"class": type(self).__name__, "settings": self._settings()}

    def _check_identity(self, state_dict: object, where: str) -> None:
        """Refuse a saved state written by another scheduler class or other settings."""
        if not isinstance(state_dict, Mapping) or "class" not in state_dict:
            return
        mine = self._identity()
        saved = {"class": state_dict["class"], "settings": state_dict.get("settings")}
        settings = saved["settings"]
        if isinstance(settings, Mapping):
            saved["settings"] = {k: _plain(v) for k, v in settings.items()}
        if saved != mine:
            raise ValueError(
                f"{where} was saved by {_describe(saved)}; it cannot be loaded into "
                f"{_describe(mine)}"
            )

    # -- helpers -------------------------------------------------------------------------
    def _epoch(self) -> int:
        """The current epoch: an int, or a traced one inside ``jit`` for schedulers whose
        rates are pure functions of the epoch; a clear error for the others."""
        value: object = self.last_epoch.value
        if isinstance(value, jax.core.Tracer):
            if self._traceable:
                return cast(int, value)
            raise RuntimeError(
                f"{type(self).__name__}.step() was called inside a jit-compiled function; "
                "step schedulers in Python, between the compiled training steps"
            )
        return int(cast(int, value))

    def _parse_state(self, state_dict: object, where: str) -> dict[str, Any]:
        """Check a saved state (without changing anything); return it parsed."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where} must be a mapping, got {type(state_dict).__name__}")
        for key in ("last_epoch", "base_lrs"):
            if key not in state_dict:
                raise ValueError(f"{where} is missing the entry {key!r}")
        epoch = as_int(f"{where}['last_epoch']", state_dict["last_epoch"])
        base_lrs = float_list(f"{where}['base_lrs']", state_dict["base_lrs"])
        if len(base_lrs) != len(self.base_lrs):
            raise ValueError(
                f"{where}['base_lrs'] has {len(base_lrs)} entries, this "
                f"{type(self).__name__} has {len(self.base_lrs)} parameter groups"
            )
        return {"last_epoch": epoch, "base_lrs": base_lrs}

    def _apply_state(self, parsed: dict[str, Any]) -> None:
        """Set a state checked by :meth:`_parse_state` (does not notify the optimizer)."""
        self.last_epoch.value = parsed["last_epoch"]
        if parsed["base_lrs"] != self.base_lrs:
            self.base_lrs = parsed["base_lrs"]
            self._rebuild()
        self._current_lrs.value = self.get_lr()

    def _update_lrs(self, lrs: Sequence[float]) -> None:
        self._current_lrs.value = _floats(lrs)
        self._notify()

    def _notify(self) -> None:
        if self.optimizer is not None:
            self.optimizer._set_scheduled_lr(self.get_last_lr())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(last_epoch={int(self.last_epoch.value)}, "
            f"lrs={self.get_last_lr()})"
        )


def _is_plain(value: object) -> bool:
    """Whether ``value`` is a setting worth saving: a number, string, ``None`` or a list of them."""
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    return False


def _plain(value: Any) -> Any:
    """A setting in the form it has after a checkpoint round trip (tuples as lists)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _describe(identity: Mapping[str, Any]) -> str:
    """``StepLR(step_size=2, gamma=0.5)`` from a saved identity."""
    settings = identity.get("settings")
    if not isinstance(settings, Mapping):
        return f"{identity.get('class')}(settings {settings!r})"
    inner = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    return f"{identity.get('class')}({inner})"


def _floats(values: Sequence[float]) -> list[float]:
    """A ``get_lr`` result (a list of numbers or 0-d arrays) as a list of Python floats;
    traced values (a step inside ``jit``) stay as they are."""
    items: list[object] = list(values)
    return [
        cast(float, v) if isinstance(v, jax.core.Tracer) else float(cast(float, v)) for v in items
    ]


class EpochScheduler(LRScheduler):
    """A scheduler whose learning rates are pure functions of the epoch.

    Subclasses define :meth:`_schedule`, the :mod:`core.optim` schedule of one group. Such a
    scheduler may also be stepped inside ``brainstate.transform.jit`` (braintools' usage):
    the epoch and the rates are then traced and computed in ``float32``.
    """

    _traceable = True

    _schedules: list[ScheduleFn]

    def _schedule(self, group: int, base_lr: float) -> ScheduleFn:
        raise NotImplementedError

    def _rebuild(self) -> None:
        self._schedules = [self._schedule(i, lr) for i, lr in enumerate(self.base_lrs)]

    def get_lr(self) -> list[float]:
        """The learning rate of every parameter group at :attr:`last_epoch`.

        Returns:
            One Python float per entry of :attr:`base_lrs`.
        """
        epoch: object = self._epoch()
        if isinstance(epoch, jax.core.Tracer):  # stepped inside jit: float32, traced
            return [cast(float, schedule(cast(int, epoch))) for schedule in self._schedules]
        with float64():
            return [float(schedule(cast(int, epoch))) for schedule in self._schedules]
