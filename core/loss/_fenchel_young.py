"""Fenchel-Young losses from a regularised max function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

__all__ = ["make_fenchel_young_loss"]


def make_fenchel_young_loss(max_fun: Callable[..., Any]) -> Callable[..., jax.Array]:
    r"""The Fenchel-Young loss of a (regularised) max function.

    For a convex :math:`\Omega^*` = ``max_fun`` mapping a score vector to a scalar,

    .. math::

        \ell(\theta, y) = \Omega^*(\theta) - \langle \theta, y\rangle,

    computed over the last axis (leading axes are batch axes). Its gradient in
    :math:`\theta` is :math:`\nabla\Omega^*(\theta) - y`; with
    :func:`jax.scipy.special.logsumexp` it is the softmax cross-entropy, with
    :func:`jax.numpy.max` the perceptron loss.

    Args:
        max_fun: maps a 1-D score vector (plus any extra arguments given to the loss) to a
            scalar.

    Returns:
        ``loss(scores, targets, *args, **kwargs)``: scores and targets of shape
        ``(..., n)`` give ``(...)``; extra arguments are passed to ``max_fun``.

    Example:
        >>> import jax.numpy as jnp
        >>> from jax.scipy.special import logsumexp
        >>> from core.loss import make_fenchel_young_loss
        >>> loss = make_fenchel_young_loss(logsumexp)
        >>> print(f"{loss(jnp.zeros(4), jnp.array([1.0, 0.0, 0.0, 0.0])):.4f}")  # log 4
        1.3863

    References:
        Blondel, Martins & Niculae, *Learning with Fenchel-Young losses*, JMLR 21 (2020)
        1-69.
    """
    if not callable(max_fun):
        raise TypeError(f"max_fun must be callable, got {max_fun!r}")

    def fenchel_young_loss(
        scores: ArrayLike, targets: ArrayLike, *args: Any, **kwargs: Any
    ) -> jax.Array:
        """``max_fun(scores) - <scores, targets>`` over the last axis."""
        theta = jnp.asarray(scores)
        value = jnp.vectorize(lambda s: max_fun(s, *args, **kwargs), signature="(n)->()")
        maximum: jax.Array = value(theta)
        return maximum - jnp.sum(jnp.asarray(targets) * theta, axis=-1)

    return fenchel_young_loss
