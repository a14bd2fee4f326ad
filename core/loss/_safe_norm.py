"""``safe_norm``: a norm bounded below, with finite gradients at zero."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from .._validation import check_real
from . import _validate as v
from ._jit import kernel

__all__ = ["safe_norm"]


def safe_norm(
    x: ArrayLike,
    min_norm: ArrayLike,
    ord: int | float | str | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
) -> jax.Array:
    r""":math:`\max(\lVert x\rVert, m)` whose gradient is finite everywhere.

    ``jnp.maximum(jnp.linalg.norm(x), m)`` has a NaN gradient at :math:`x = 0` (the
    norm's derivative :math:`x / \lVert x\rVert` is evaluated even when the maximum
    selects :math:`m`). Here the norm is recomputed on ``where(norm <= m, 1, x)``, so the
    branch that is not selected never sees a zero vector:

    .. math::

        \operatorname{safe\_norm}(x) =
        \begin{cases} m & \lVert x\rVert \le m \\ \lVert x\rVert & \text{otherwise}
        \end{cases},\qquad \nabla = 0 \text{ where } \lVert x\rVert \le m.

    Args:
        x: float array.
        min_norm: the lower bound :math:`m`, ``>= 0``.
        ord: norm order, as :func:`jax.numpy.linalg.norm` (``None``: 2-norm / Frobenius).
        axis: axes reduced (``None``: all).
        keepdims: keep the reduced axes with size one.

    Returns:
        The bounded norm, shaped as :func:`jax.numpy.linalg.norm` returns it.

    Example:
        >>> import jax
        >>> import jax.numpy as jnp
        >>> from core.loss import safe_norm
        >>> print(safe_norm(jnp.zeros(3), 0.1), safe_norm(jnp.array([3.0, 4.0]), 0.1))
        0.1 5.0
        >>> print(jax.grad(safe_norm)(jnp.zeros(3), 0.1))
        [0. 0. 0.]
    """
    arr = v.float_array("x", x)
    check_real("min_norm", min_norm, low=0.0)
    axes = tuple(axis) if isinstance(axis, list) else axis
    return _safe_norm(arr, min_norm, ord=ord, axis=axes, keepdims=keepdims)


@kernel("ord", "axis", "keepdims")
def _safe_norm(
    arr: jax.Array,
    min_norm: ArrayLike,
    *,
    ord: int | float | str | None,
    axis: int | tuple[int, ...] | None,
    keepdims: bool,
) -> jax.Array:
    """The bounded norm of validated ``arr`` (one compiled call)."""
    norm = jnp.linalg.norm(arr, ord=ord, axis=axis, keepdims=True)
    small = norm <= min_norm
    masked = jnp.linalg.norm(jnp.where(small, 1, arr), ord=ord, axis=axis, keepdims=keepdims)
    if not keepdims:
        small = jnp.squeeze(small, axis=axis)
    return jnp.where(small, jnp.asarray(min_norm, masked.dtype), masked)
