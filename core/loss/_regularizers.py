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

from core._docstrings import fill_doc
from core._validation import check_real

from . import _docs
from . import _validate as v
from ._jit import kernel

__all__ = ["l1_rate_sparsity", "silence_penalty", "sparsity_penalty"]


def _penalty(spikes: PyTree[ArrayLike], time_axis: int, bound: float, *, kind: str) -> jax.Array:
    """The penalty ``kind`` summed over the leaves of ``spikes``, after validating them."""
    leaves = jax.tree_util.tree_leaves_with_path(spikes)
    if not leaves:
        raise ValueError("spikes must hold at least one array (got an empty pytree).")
    arrays, axes = [], []
    for path, leaf in leaves:
        name = f"spikes{jax.tree_util.keystr(path)}"
        x = v.float_array(name, leaf)
        v.min_ndim(name, x, 2, "time and batch")
        arrays.append(x)
        axes.append(v.normalize_axis("time_axis", time_axis, x.ndim))
    return _total(arrays, bound, axes=tuple(axes), kind=kind)


@kernel("axes", "kind")
def _total(arrays: list[jax.Array], bound: float, *, axes: tuple[int, ...], kind: str) -> jax.Array:
    """Sum over the leaves of the ``kind`` penalty of their batch-mean counts per neuron."""
    total = None
    for x, axis in zip(arrays, axes, strict=True):
        counts = jnp.mean(jnp.sum(jnp.abs(x), axis=axis), axis=0)
        if kind == "rate":  # bound is lamb
            term = bound * jnp.sum(counts) / x.shape[axis]
        else:  # squared excess below (silence) or above (sparsity) the bound
            excess = bound - counts if kind == "silence" else counts - bound
            term = jnp.sum(jnp.square(jnp.maximum(0.0, excess)))
        total = term if total is None else total + term.astype(total.dtype)
    assert total is not None  # at least one leaf (checked by _penalty)
    return total


@fill_doc(**_docs.REGULARIZERS)
def l1_rate_sparsity(
    spikes: PyTree[ArrayLike], lamb: float = 1e-5, *, time_axis: int = 0
) -> jax.Array:
    r"""L1 penalty on firing rates, summed over neurons and averaged over the batch.

    .. math::

        R = \lambda \sum_{\text{leaves}} \sum_j \frac1B \sum_b \frac1T \sum_t |s_{t,b,j}|

    Args:
        {spikes_pytree}
        lamb: Penalty weight :math:`\lambda`.
        {time_axis_leaves}

    {penalty_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import l1_rate_sparsity
        >>> hidden = jnp.ones((4, 2, 3))  # every neuron fires at rate 1
        >>> print(l1_rate_sparsity({"h1": hidden, "h2": hidden}, lamb=0.5))
        3.0
    """
    check_real("lamb", lamb, low=0)
    return _penalty(spikes, time_axis, lamb, kind="rate")


@fill_doc(**_docs.REGULARIZERS)
def silence_penalty(
    spikes: PyTree[ArrayLike], min_spikes: float = 1.0, *, time_axis: int = 0
) -> jax.Array:
    r"""Penalty on neurons that fire fewer than ``min_spikes`` spikes on average.

    .. math::

        R = \sum_{\text{leaves}} \sum_j \max\bigl(0, n_{\min} - \bar n_j\bigr)^2

    Args:
        {spikes_pytree}
        min_spikes: The mean count (per neuron and example) below which a neuron is
            penalised.
        {time_axis_leaves}

    {penalty_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import silence_penalty
        >>> counts_2_0 = jnp.array([[[1.0, 0.0]], [[1.0, 0.0]]])  # (T=2, batch=1, 2 neurons)
        >>> print(silence_penalty([counts_2_0], min_spikes=1.0))  # the silent one: (1 - 0)^2
        1.0
    """
    check_real("min_spikes", min_spikes, low=0)
    return _penalty(spikes, time_axis, min_spikes, kind="silence")


@fill_doc(**_docs.REGULARIZERS)
def sparsity_penalty(
    spikes: PyTree[ArrayLike], max_spikes: float, *, time_axis: int = 0
) -> jax.Array:
    r"""Penalty on neurons that fire more than ``max_spikes`` spikes on average.

    .. math::

        R = \sum_{\text{leaves}} \sum_j \max\bigl(0, \bar n_j - n_{\max}\bigr)^2

    Args:
        {spikes_pytree}
        max_spikes: Most spikes a neuron may fire per example, on average, for free.
        {time_axis_leaves}

    {penalty_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import sparsity_penalty
        >>> print(sparsity_penalty(jnp.ones((5, 1, 2)), max_spikes=3.0))  # 2 (5 - 3)^2
        8.0
    """
    check_real("max_spikes", max_spikes, low=0)
    return _penalty(spikes, time_axis, max_spikes, kind="sparsity")
