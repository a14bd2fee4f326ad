"""How a named optimizer is made: a composition of blocks whose learning rate (and weight decay)
live in the state."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import jax

from core._docstrings import fill_doc

from ._base import GradientTransformation, ScalarOrSchedule
from ._docs import OPTIMIZER
from ._hyperparams import InjectHyperparams, inject_hyperparams
from ._scale import is_schedule

P = ParamSpec("P")

STATE_HYPERPARAMS = ("learning_rate", "weight_decay")
"""Hyperparameters every named optimizer keeps in its state (when it has them)."""


def named_optimizer(
    composition: Callable[P, GradientTransformation],
) -> Callable[P, InjectHyperparams]:
    """Turn a composition of blocks into a named optimizer with its hyperparameters in state.

    The composition's docstring is filled with the optimizer fragments (``{learning_rate}``,
    ``{descend}``, ...) of :mod:`core.optim._docs`.
    """
    composition = fill_doc(**OPTIMIZER)(composition)
    build = inject_hyperparams(composition, STATE_HYPERPARAMS)

    @functools.wraps(composition)
    def make(*args: P.args, **kwargs: P.kwargs) -> InjectHyperparams:
        return build(*args, **kwargs)

    return make


def resolved(name: str, value: ScalarOrSchedule) -> float | jax.Array:
    """A hyperparameter as a composition receives it: :func:`named_optimizer` evaluates a
    schedule before building the blocks (at every step), so only numbers and arrays arrive."""
    if is_schedule(value):
        raise TypeError(f"{name} reached a composition unresolved; build it with named_optimizer")
    return value
