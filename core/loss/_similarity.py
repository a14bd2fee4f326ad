"""Cosine similarity / distance (paired and pairwise) and the gradient-safe norm."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._validation import check_real

from . import _validate as v
from ._jit import kernel

__all__ = [
    "cosine_distance",
    "cosine_similarity",
    "pairwise_cosine_distance",
    "pairwise_cosine_similarity",
]


def safe_norm(x: jax.Array, floor: float, axis: v.Axis = -1, keepdims: bool = False) -> jax.Array:
    """``max(||x||_2, floor)`` over ``axis`` with a finite gradient (0 below the floor).

    The square root is only ever taken of values above the floor, so the gradient at
    ``x = 0`` is 0 instead of NaN.
    """
    norm2 = jnp.sum(x * x, axis=axis, keepdims=keepdims)
    small = norm2 <= floor * floor
    return jnp.where(small, floor, jnp.sqrt(jnp.where(small, 1.0, norm2))).astype(x.dtype)


def cosine_similarity(
    predictions: ArrayLike, targets: ArrayLike, epsilon: float = 1e-8
) -> jax.Array:
    r"""Cosine similarity between paired vectors along the last axis.

    .. math::

        \cos(a, b) = \frac{a \cdot b}{\max(\|a\|, \epsilon)\,\max(\|b\|, \epsilon)}

    Args:
        predictions: Float vectors, shape ``(..., d)``.
        targets: Float vectors, same shape.
        epsilon: Floor of each norm, which keeps zero vectors finite (similarity 0).

    Returns:
        The similarity per vector pair, shape ``(...)``.

    Raises:
        TypeError: An input is not floating point.
        ValueError: The shapes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import cosine_similarity
        >>> a = jnp.array([[1.0, 0.0], [1.0, 1.0]])
        >>> b = jnp.array([[0.0, 1.0], [2.0, 2.0]])
        >>> print(cosine_similarity(a, b).round(4))
        [0. 1.]
    """
    a = v.float_array("predictions", predictions)
    b = v.float_array("targets", targets).astype(a.dtype)
    v.same_shape("predictions", a, "targets", b)
    v.min_ndim("predictions", a, 1, "vectors on the last axis")
    check_real("epsilon", epsilon, low=0)
    return _cosine(a, b, epsilon, pairwise=False)


@kernel("pairwise")
def _cosine(a: jax.Array, b: jax.Array, epsilon: float, *, pairwise: bool) -> jax.Array:
    """Cosine of paired rows (last axis), or of every row pair (``a @ b.T``)."""
    unit_a = a / safe_norm(a, epsilon, keepdims=True)
    unit_b = b / safe_norm(b, epsilon, keepdims=True)
    if pairwise:
        return unit_a @ unit_b.T
    return jnp.sum(unit_a * unit_b, axis=-1)


def cosine_distance(predictions: ArrayLike, targets: ArrayLike, epsilon: float = 1e-8) -> jax.Array:
    r"""Cosine distance :math:`1 - \cos(a, b)` between paired vectors (last axis).

    .. math::

        d(a, b) = 1 - \frac{a \cdot b}{\max(\|a\|, \epsilon)\,\max(\|b\|, \epsilon)}

    Args:
        predictions: Float vectors, shape ``(..., d)``.
        targets: Float vectors, same shape.
        epsilon: Floor of each norm.

    Returns:
        The distance per vector pair, shape ``(...)``.

    Raises:
        TypeError: An input is not floating point.
        ValueError: The shapes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import cosine_distance
        >>> print(cosine_distance(jnp.array([1.0, 0.0]), jnp.array([-1.0, 0.0])))
        2.0
    """
    return 1.0 - cosine_similarity(predictions, targets, epsilon)


def pairwise_cosine_similarity(
    X: ArrayLike, Y: ArrayLike | None = None, eps: float = 1e-8
) -> jax.Array:
    r"""Cosine similarity between every row of ``X`` and every row of ``Y``.

    .. math::

        S_{ij} = \frac{x_i \cdot y_j}{\max(\|x_i\|, \epsilon)\,\max(\|y_j\|, \epsilon)}

    Args:
        X: Float matrix of shape ``(n, d)``.
        Y: Float matrix of shape ``(m, d)``; ``X`` itself when ``None``.
        eps: Floor of each row norm (a zero row has similarity 0 with everything).

    Returns:
        The ``(n, m)`` similarity matrix.

    Raises:
        TypeError: An input is not floating point.
        ValueError: An input is not 2-D, or the feature sizes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import pairwise_cosine_similarity
        >>> X = jnp.array([[1.0, 0.0], [0.0, 2.0]])
        >>> print(pairwise_cosine_similarity(X))
        [[1. 0.]
         [0. 1.]]
    """
    x = v.float_array("X", X)
    y = x if Y is None else v.float_array("Y", Y).astype(x.dtype)
    v.exact_ndim("X", x, 2, "(n_samples, n_features)")
    v.exact_ndim("Y", y, 2, "(n_samples, n_features)")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features, got X.shape={x.shape} and "
            f"Y.shape={y.shape}."
        )
    check_real("eps", eps, low=0)
    return _cosine(x, y, eps, pairwise=True)


def pairwise_cosine_distance(
    X: ArrayLike, Y: ArrayLike | None = None, eps: float = 1e-8
) -> jax.Array:
    r"""Cosine distance :math:`1 - S_{ij}` between every row of ``X`` and of ``Y``.

    .. math::

        D_{ij} = 1 - \frac{x_i \cdot y_j}{\max(\|x_i\|, \epsilon)\,\max(\|y_j\|, \epsilon)}

    Args:
        X: Float matrix of shape ``(n, d)``.
        Y: Float matrix of shape ``(m, d)``; ``X`` itself when ``None``.
        eps: Floor of each row norm.

    Returns:
        The ``(n, m)`` distance matrix.

    Raises:
        TypeError: An input is not floating point.
        ValueError: An input is not 2-D, or the feature sizes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import pairwise_cosine_distance
        >>> X = jnp.array([[1.0, 0.0], [0.0, 2.0]])
        >>> print(pairwise_cosine_distance(X))
        [[0. 1.]
         [1. 0.]]
    """
    return 1.0 - pairwise_cosine_similarity(X, Y, eps)
