"""``kernel``: ``jax.jit`` for the numeric bodies of the losses, keeping their types.

Each public loss validates its inputs in Python (static shapes and dtypes, concrete label
values) and then calls one jitted kernel, so an eager call is one compiled dispatch
instead of a dozen op-by-op ones; inside a user's ``jit`` the kernel is simply inlined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

import jax

P = ParamSpec("P")
R = TypeVar("R")

__all__: list[str] = []


def kernel(*static_argnames: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: ``jax.jit(fn, static_argnames=static_argnames)`` with ``fn``'s signature."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        return cast(Callable[P, R], jax.jit(fn, static_argnames=static_argnames))

    return wrap
