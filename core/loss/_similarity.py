"""Cosine similarity / distance (paired and pairwise) and the gradient-safe norm."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import check_real

from . import _docs
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


@fill_doc(**_docs.FLOAT_PAIR)
def cosine_similarity(
    predictions: ArrayLike, targets: ArrayLike, epsilon: float = 1e-8
) -> jax.Array:
    r"""Cosine similarity between paired vectors along the last axis.

    .. math::

        \cos(a, b) = \frac{a \cdot b}{\max(\|a\|, \epsilon)\,\max(\|b\|, \epsilon)}

    Args:
        {vector_args}
        epsilon: Floor of each norm, which keeps zero vectors finite (similarity 0).

    {vector_similarity_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import cosine_similarity
        >>> a = jnp.array([[1.0, 0.0], [1.0, 1.0]])
        >>> b = jnp.array([[0.0, 1.0], [2.0, 2.0]])
        >>> print(cosine_similarity(a, b).round(4))
        [0. 1.]
    """
    return _cosine(*_vectors(predictions, targets, epsilon), epsilon, pairwise=False)


def _vectors(
    predictions: ArrayLike, targets: ArrayLike, epsilon: float
) -> tuple[jax.Array, jax.Array]:
    """The paired vectors of :func:`cosine_similarity` after every check."""
    a, b = v.paired("predictions", predictions, "targets", targets, floating=True)
    v.min_ndim("predictions", a, 1, "vectors on the last axis")
    check_real("epsilon", epsilon, low=0)
    return a, b


def _matrices(X: ArrayLike, Y: ArrayLike | None, eps: float) -> tuple[jax.Array, jax.Array]:
    """The row matrices of :func:`pairwise_cosine_similarity` after every check."""
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
    return x, y


@kernel("pairwise", "distance")
def _cosine(
    a: jax.Array, b: jax.Array, epsilon: float, *, pairwise: bool, distance: bool = False
) -> jax.Array:
    """Cosine of paired rows (last axis) or of every row pair (``a @ b.T``); ``1 - cos``
    when ``distance``."""
    unit_a = a / safe_norm(a, epsilon, keepdims=True)
    unit_b = b / safe_norm(b, epsilon, keepdims=True)
    cos = unit_a @ unit_b.T if pairwise else jnp.sum(unit_a * unit_b, axis=-1)
    return 1.0 - cos if distance else cos


@fill_doc(**_docs.FLOAT_PAIR)
def cosine_distance(predictions: ArrayLike, targets: ArrayLike, epsilon: float = 1e-8) -> jax.Array:
    r"""Cosine distance :math:`1 - \cos(a, b)` between paired vectors (last axis).

    .. math::

        d(a, b) = 1 - \frac{a \cdot b}{\max(\|a\|, \epsilon)\,\max(\|b\|, \epsilon)}

    Args:
        {vector_args}
        epsilon: Floor of each norm.

    {vector_distance_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import cosine_distance
        >>> print(cosine_distance(jnp.array([1.0, 0.0]), jnp.array([-1.0, 0.0])))
        2.0
    """
    return _cosine(*_vectors(predictions, targets, epsilon), epsilon, pairwise=False, distance=True)


@fill_doc(**_docs.FLOAT_PAIR)
def pairwise_cosine_similarity(
    X: ArrayLike, Y: ArrayLike | None = None, eps: float = 1e-8
) -> jax.Array:
    r"""Cosine similarity between every row of ``X`` and every row of ``Y``.

    .. math::

        S_{ij} = \frac{x_i \cdot y_j}{\max(\|x_i\|, \epsilon)\,\max(\|y_j\|, \epsilon)}

    Args:
        {matrix_args}
        eps: Floor of each row norm (a zero row has similarity 0 with everything).

    {matrix_similarity_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import pairwise_cosine_similarity
        >>> X = jnp.array([[1.0, 0.0], [0.0, 2.0]])
        >>> print(pairwise_cosine_similarity(X))
        [[1. 0.]
         [0. 1.]]
    """
    return _cosine(*_matrices(X, Y, eps), eps, pairwise=True)


@fill_doc(**_docs.FLOAT_PAIR)
def pairwise_cosine_distance(
    X: ArrayLike, Y: ArrayLike | None = None, eps: float = 1e-8
) -> jax.Array:
    r"""Cosine distance :math:`1 - S_{ij}` between every row of ``X`` and of ``Y``.

    .. math::

        D_{ij} = 1 - \frac{x_i \cdot y_j}{\max(\|x_i\|, \epsilon)\,\max(\|y_j\|, \epsilon)}

    Args:
        {matrix_args}
        eps: Floor of each row norm.

    {matrix_distance_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import pairwise_cosine_distance
        >>> X = jnp.array([[1.0, 0.0]])
        >>> print(pairwise_cosine_distance(X, jnp.array([[0.0, 3.0], [-2.0, 0.0]])))
        [[1. 2.]]
    """
    return _cosine(*_matrices(X, Y, eps), eps, pairwise=True, distance=True)
