"""Value and gradient of pure functions of parameter pytrees (thin over Equinox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import equinox as eqx


def value_and_grad(
    fun: Callable[..., Any], *, has_aux: bool = False
) -> Callable[..., tuple[Any, Any]]:
    r"""Value and gradient of ``fun`` with respect to the floating arrays of its first argument.

    The first argument is a pytree of parameters -- a dict, an Equinox model -- in
    which only inexact (floating) arrays are differentiated; integers, Python
    floats, functions and surrogate settings pass through untouched (their
    gradient entries are ``None``). Returns ``(value, grads)``, or
    ``((value, aux), grads)`` with ``has_aux=True``, as :func:`jax.value_and_grad`.

    Args:
        fun: ``fun(params, *args, **kwargs)`` returning a scalar (or ``(scalar, aux)``).
        has_aux: ``fun`` returns ``(value, aux)``.

    Returns:
        The transformed function, with ``fun``'s signature.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import transform
        >>> params = {"w": jnp.array([1.0, 2.0]), "n": 3}
        >>> loss, grads = transform.value_and_grad(lambda p, x: (p["w"] * x).sum() * p["n"])(
        ...     params, jnp.array([1.0, 1.0]))
        >>> print(loss, grads["w"], grads["n"])
        9.0 [3. 3.] None
    """
    if not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    transformed: Callable[..., tuple[Any, Any]] = eqx.filter_value_and_grad(fun, has_aux=has_aux)
    return transformed


def grad(fun: Callable[..., Any], *, has_aux: bool = False) -> Callable[..., Any]:
    r"""Gradient of ``fun`` with respect to the floating arrays of its first argument.

    :func:`value_and_grad` without the value: returns ``grads``, or
    ``(grads, aux)`` with ``has_aux=True``.

    Args:
        fun: ``fun(params, *args, **kwargs)`` returning a scalar (or ``(scalar, aux)``).
        has_aux: ``fun`` returns ``(value, aux)``.

    Returns:
        The transformed function.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import transform
        >>> print(transform.grad(lambda p: (p ** 2).sum())(jnp.array([1.0, -2.0])))
        [ 2. -4.]
    """
    if not callable(fun):
        raise TypeError(f"fun must be callable; got {type(fun).__name__}")
    transformed: Callable[..., Any] = eqx.filter_grad(fun, has_aux=has_aux)
    return transformed
