"""How a named optimizer is made: a composition of blocks whose learning rate (and weight decay)
live in the state."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from ._base import GradientTransformation
from ._hyperparams import InjectHyperparams, inject_hyperparams

P = ParamSpec("P")

STATE_HYPERPARAMS = ("learning_rate", "weight_decay")
"""Hyperparameters every named optimizer keeps in its state (when it has them)."""


def named_optimizer(
    composition: Callable[P, GradientTransformation],
) -> Callable[P, InjectHyperparams]:
    """Turn a composition of blocks into a named optimizer with its hyperparameters in state."""
    build = inject_hyperparams(composition, STATE_HYPERPARAMS)

    @functools.wraps(composition)
    def make(*args: P.args, **kwargs: P.kwargs) -> InjectHyperparams:
        return build(*args, **kwargs)

    return make
