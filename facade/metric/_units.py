"""Unit handling of the braintools metric arguments (``brainunit`` quantities, ``dt``).

``brainunit``'s inline types do not export its public names to ``mypy --strict``, so the
module is used through an ``Any``-typed alias here, and only here.
"""

from __future__ import annotations

from typing import Any

import brainstate
import brainunit

__all__: list[str] = []

u: Any = brainunit


def magnitude(value: Any) -> Any:
    """``value`` without its unit (a plain value passes through)."""
    return u.get_magnitude(value) if isinstance(value, u.Quantity) else value


def time_step(dt: Any) -> Any:
    """``dt``, or brainstate's environment time step when ``dt`` is ``None``."""
    return brainstate.environ.get_dt() if dt is None else dt


def is_quantity(value: Any) -> bool:
    """Whether ``value`` is a ``brainunit.Quantity``."""
    return isinstance(value, u.Quantity)


def in_unit(value: Any, unit: str) -> float:
    """``value`` as a float in the unit named ``unit`` (``"second"``, ``"Hz"``, ``"mm"``).

    A Quantity is converted; a plain number is taken to be in that unit already.
    """
    if isinstance(value, u.Quantity):
        return float(value.to_decimal(getattr(u, unit)))
    return float(value)


def with_unit_of(reference: Any, value: Any) -> Any:
    """``value`` carrying ``reference``'s unit (``value`` itself if ``reference`` has none)."""
    return u.Quantity(value, unit=reference.unit) if is_quantity(reference) else value


def seconds(dt: Any) -> float:
    """A time step as seconds: a Quantity is converted, a plain number is seconds already."""
    return in_unit(time_step(dt), "second")


def ratio(value: Any, dt: Any) -> float:
    """``value / dt`` as a plain number (both Quantities of one dimension, or both numbers)."""
    step = time_step(dt)
    if isinstance(value, u.Quantity) and isinstance(step, u.Quantity):
        return float(u.maybe_decimal(value / step))
    return float(magnitude(value)) / float(magnitude(step))
