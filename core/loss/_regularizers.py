"""Activity regularizers over a pytree of recorded spike trains.

Each leaf is a float recording ``(T, batch, *neurons)`` (time at ``time_axis``; after
removing it, the first axis is the batch). Counts are per neuron, averaged over the
batch: :math:`\\bar n_j = \\frac1B \\sum_b \\sum_t s_{t,b,j}`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike
from jaxtyping import PyTree

from core._validation import check_real

from . import _validate as v
from ._jit import kernel

__all__ = ["l1_rate_sparsity", "silence_penalty", "sparsity_penalty"]


def _mean_counts(spikes: PyTree[ArrayLike], time_axis: int) -> list[tuple[jax.Array, int]]:
    """``(batch-mean spike count per neuron, T)`` for every leaf, after validation."""
    leaves = jax.tree_util.tree_leaves_with_path(spikes)
    if not leaves:
        raise ValueError("spikes must hold at least one array (got an empty pytree).")
    out = []
    for path, leaf in leaves:
        name = f"spikes{jax.tree_util.keystr(path)}"
        x = v.float_array(name, leaf)
        v.min_ndim(name, x, 2, "time and batch")
        axis = v.normalize_axis("time_axis", time_axis, x.ndim)
        out.append((_batch_mean_counts(x, axis=axis), x.shape[axis]))
    return out


@kernel("axis")
def _batch_mean_counts(x: jax.Array, *, axis: int) -> jax.Array:
    return jnp.mean(jnp.sum(jnp.abs(x), axis=axis), axis=0)


def _total(terms: list[jax.Array]) -> jax.Array:
    total = terms[0]
    for term in terms[1:]:
        total = total + term.astype(total.dtype)
    return total


def l1_rate_sparsity(
    spikes: PyTree[ArrayLike], lamb: float = 1e-5, *, time_axis: int = 0
) -> jax.Array:
    r"""L1 penalty on firing rates, summed over neurons and averaged over the batch.

    .. math::

        R = \lambda \sum_{\text{leaves}} \sum_j \frac1B \sum_b \frac1T \sum_t |s_{t,b,j}|

    Args:
        spikes: A spike recording ``(T, batch, *neurons)`` or a pytree of them.
        lamb: Penalty weight :math:`\lambda`.
        time_axis: Position of the time axis in every leaf.

    Returns:
        The scalar penalty.

    Raises:
        TypeError: A leaf is not floating point.
        ValueError: The pytree is empty, a leaf has fewer than 2 axes, or ``time_axis``
            is out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import l1_rate_sparsity
        >>> hidden = jnp.ones((4, 2, 3))  # every neuron fires at rate 1
        >>> print(l1_rate_sparsity({"h1": hidden, "h2": hidden}, lamb=0.5))
        3.0
    """
    check_real("lamb", lamb, low=0)
    terms = [lamb * jnp.sum(counts) / steps for counts, steps in _mean_counts(spikes, time_axis)]
    return _total(terms)


def silence_penalty(
    spikes: PyTree[ArrayLike], min_spikes: float = 1.0, *, time_axis: int = 0
) -> jax.Array:
    r"""Penalty on neurons that fire fewer than ``min_spikes`` spikes on average.

    .. math::

        R = \sum_{\text{leaves}} \sum_j \max\bigl(0, n_{\min} - \bar n_j\bigr)^2

    Args:
        spikes: A spike recording ``(T, batch, *neurons)`` or a pytree of them.
        min_spikes: Minimum mean spike count per neuron and example.
        time_axis: Position of the time axis in every leaf.

    Returns:
        The scalar penalty.

    Raises:
        TypeError: A leaf is not floating point.
        ValueError: The pytree is empty, a leaf has fewer than 2 axes, or ``time_axis``
            is out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import silence_penalty
        >>> spikes = jnp.array([[[1.0, 0.0]], [[1.0, 0.0]]])  # counts (2, 0)
        >>> print(silence_penalty([spikes], min_spikes=1.0))
        1.0
    """
    check_real("min_spikes", min_spikes, low=0)
    terms = [
        jnp.sum(jnp.square(jnp.maximum(0.0, min_spikes - counts)))
        for counts, _ in _mean_counts(spikes, time_axis)
    ]
    return _total(terms)


def sparsity_penalty(
    spikes: PyTree[ArrayLike], max_spikes: float, *, time_axis: int = 0
) -> jax.Array:
    r"""Penalty on neurons that fire more than ``max_spikes`` spikes on average.

    .. math::

        R = \sum_{\text{leaves}} \sum_j \max\bigl(0, \bar n_j - n_{\max}\bigr)^2

    Args:
        spikes: A spike recording ``(T, batch, *neurons)`` or a pytree of them.
        max_spikes: Maximum mean spike count per neuron and example.
        time_axis: Position of the time axis in every leaf.

    Returns:
        The scalar penalty.

    Raises:
        TypeError: A leaf is not floating point.
        ValueError: The pytree is empty, a leaf has fewer than 2 axes, or ``time_axis``
            is out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import sparsity_penalty
        >>> spikes = jnp.ones((5, 1, 2))  # counts (5, 5)
        >>> print(sparsity_penalty(spikes, max_spikes=3.0))
        8.0
    """
    check_real("max_spikes", max_spikes, low=0)
    terms = [
        jnp.sum(jnp.square(jnp.maximum(0.0, counts - max_spikes)))
        for counts, _ in _mean_counts(spikes, time_axis)
    ]
    return _total(terms)
