"""Listwise softmax ranking loss."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from .._validation import check_choice
from . import _validate as v

__all__ = ["ranking_softmax_loss"]

_REDUCE: dict[str, Callable[..., jax.Array] | None] = {
    "mean": jnp.mean,
    "sum": jnp.sum,
    "none": None,
}


def _is_mean(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` (possibly a ``functools.partial``) is a mean."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return fn is jnp.mean or getattr(fn, "__name__", None) == "mean"


def ranking_softmax_loss(
    logits: ArrayLike,
    labels: ArrayLike,
    *,
    where: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    reduction: str | None = None,
    reduce_fn: Callable[..., jax.Array] | None = jnp.mean,
) -> jax.Array:
    r"""Listwise softmax cross-entropy between item scores and relevance labels.

    For one list with scores :math:`s` and relevance labels :math:`y` (used as raw
    weights, not normalised),

    .. math::

        \ell(s, y) = -\sum_i y_i \log \frac{e^{s_i}}{\sum_j e^{s_j}},

    over the last axis. Items where ``where`` is false take no part (neither in the sum
    nor in the softmax); ``weights`` multiply the labels. Lists without any valid item
    are left out of a mean (and give 0 when no list is valid), with finite gradients.

    Args:
        logits: float scores ``(..., list_size)``.
        labels: relevance labels, same shape.
        where: optional boolean mask of valid items, same shape.
        weights: optional per-item weights, broadcastable to the shape.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``; overrides ``reduce_fn`` when given.
        reduce_fn: a reduction called as ``reduce_fn(losses, where=valid_lists)``, or
            ``None`` for per-list losses (default :func:`jax.numpy.mean`).

    Returns:
        The reduced loss, or ``(...)`` per-list losses without reduction (0 for lists
        without valid items).

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ranking_softmax_loss
        >>> scores = jnp.array([[0.0, 0.0]])
        >>> print(f"{ranking_softmax_loss(scores, jnp.array([[1.0, 0.0]])):.4f}")  # log 2
        0.6931

    References:
        Cao et al., *Learning to rank: from pairwise approach to listwise approach*,
        ICML 2007; Pobrotyn et al., Rax, SIGIR 2023.
    """
    scores = v.float_array("logits", logits)
    target = v.numeric_as("labels", labels, scores)
    v.same_shape("logits", scores, "labels", target)
    if reduction is not None:
        check_choice("reduction", reduction, tuple(_REDUCE))
        reduce_fn = _REDUCE[reduction]
    valid_lists = None
    if where is not None:
        mask = jnp.broadcast_to(jnp.asarray(where).astype(bool), scores.shape)
        target = jnp.where(mask, target, 0)
        scores = jnp.where(mask, scores, -jnp.inf)
        valid_lists = jnp.any(mask, axis=-1)
    if weights is not None:
        target = target * v.numeric_as("weights", weights, scores)
    log_p = jax.nn.log_softmax(scores, axis=-1)
    terms = target * log_p if where is None else jnp.where(mask, target * log_p, 0)
    loss = -jnp.sum(terms, axis=-1)
    if reduce_fn is None:
        return loss if valid_lists is None else jnp.where(valid_lists, loss, 0)
    out = reduce_fn(loss, where=valid_lists)
    if _is_mean(reduce_fn):
        out = jnp.where(jnp.isnan(out) & ~jnp.any(jnp.isnan(loss)), 0, out)
    return out
