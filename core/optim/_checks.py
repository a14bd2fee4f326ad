"""Validation of hyperparameters: clear errors naming the argument, before any state exists.

Only concrete Python / NumPy numbers are checked; arrays (which may be traced, e.g. when
a hyperparameter lives in the optimizer state) are accepted as they are, so validation never
forces a host synchronisation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return None


def check_non_negative(name: str, value: Any) -> None:
    """``value`` >= 0 and finite (learning rates, weight decay, eps_root)."""
    v = _number(value)
    if v is not None and not (v >= 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")


def check_positive(name: str, value: Any) -> None:
    """``value`` > 0 and finite (eps, thresholds)."""
    v = _number(value)
    if v is not None and not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")


def check_beta(name: str, value: Any, *, allow_one: bool = False) -> None:
    """``value`` in [0, 1) (or [0, 1] when ``allow_one``) for decay rates."""
    v = _number(value)
    if v is None:
        return
    ok = 0 <= v <= 1 if allow_one else 0 <= v < 1
    if not ok:
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}.")


def check_int(name: str, value: Any, minimum: int) -> None:
    """``value`` is an ``int`` >= ``minimum`` (window sizes, step counts)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
