"""First-spike-time (temporal code) readout losses.

They take spikes shaped ``(T, *batch, classes * population)`` (time-major; see
``time_axis``) and integer ``labels`` of shape ``batch``, and return one loss per example.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import check_real

from . import _docs
from . import _readout as r
from . import _validate as v
from ._jit import kernel
from ._snn import decoded_cross_entropy

__all__ = ["ce_temporal_loss", "mse_temporal_loss"]

_SPIKES = _docs.readout("spikes")


@fill_doc(**_SPIKES)
def ce_temporal_loss(
    spikes: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Cross-entropy on negated first-spike times: the labelled class should fire first.

    With :math:`t^{\mathrm f}_c` the first-spike time of class :math:`c` (see
    :func:`first_spike_time`; the earliest over its population, ``T`` when silent),

    .. math::

        \ell = \log \sum_c e^{-t^{\mathrm f}_c} + t^{\mathrm f}_y

    Args:
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_temporal_loss
        >>> spikes = jnp.array([[[0.0, 1.0]], [[1.0, 0.0]], [[0.0, 0.0]]])  # times (1, 0)
        >>> print(f"{ce_temporal_loss(spikes, jnp.array([0]))[0]:.4f}")  # log(e^-1 + 1) + 1
        1.3133
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    return decoded_cross_entropy(x, y, decoder="first_spike", population=population)


@fill_doc(**_SPIKES)
def mse_temporal_loss(
    spikes: ArrayLike,
    labels: ArrayLike,
    on_target: float = 0.0,
    off_target: float | None = None,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Squared error between first-spike times and target times.

    The labelled class should first fire at step ``on_target``, the others at
    ``off_target`` (default ``T``: not at all). With :math:`t^{\mathrm f}_c` as in
    :func:`ce_temporal_loss` and :math:`\tau_c` the target,

    .. math::

        \ell = \frac1C \sum_{c=1}^{C} \bigl(t^{\mathrm f}_c - \tau_c\bigr)^2

    Args:
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {labels}
        on_target: Target first-spike step of the labelled class.
        off_target: Target first-spike step of the other classes; ``T`` when ``None``.
        {readout_options}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import mse_temporal_loss
        >>> spikes = jnp.array([[[0.0, 1.0]], [[1.0, 0.0]]])  # first spikes at (1, 0), T=2
        >>> print(mse_temporal_loss(spikes, jnp.array([0])))  # off_target T: (1 + 2^2) / 2
        [2.5]
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    check_real("on_target", on_target)
    if off_target is not None:
        check_real("off_target", off_target)
    off = float(x.shape[0]) if off_target is None else off_target
    return _mse_temporal(x, y, on_target, off, population=population)


@kernel("population")
def _mse_temporal(
    x: jax.Array, y: jax.Array, on_target: float, off_target: float, *, population: int
) -> jax.Array:
    num_classes = x.shape[-1] // population
    times = r.pool(r.spike_times(x), population, "min")
    target = r.targets(y, num_classes, on_target, off_target, times)
    loss = jnp.mean(jnp.square(times - target), axis=-1)
    return v.mask_invalid(loss, y, num_classes)
