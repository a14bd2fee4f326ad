"""Gradients of pure functions of parameter pytrees (the functional ``facade.transform``)."""

from __future__ import annotations

from ._grad import grad as grad
from ._grad import value_and_grad as value_and_grad

__all__ = ["grad", "value_and_grad"]
