"""SNN readout losses against per-class targets: squared errors of counts, membrane
potentials and first-spike times, and TET.

All take a recording shaped ``(T, *batch, classes * population)`` (time-major; see
``time_axis``) and integer ``labels`` of shape ``batch``, and return one loss per
example (shape ``labels.shape``); take ``.mean()`` for the batch loss. The
cross-entropies of decoded class scores live with the accuracies in ``_decoded``.
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
from ._decoded import per_step_cross_entropy
from ._jit import kernel

__all__ = ["mse_count_loss", "mse_membrane_loss", "mse_temporal_loss", "tet_loss"]

_SPIKES = _docs.readout("spikes")
_MEMBRANE = _docs.readout("membrane")
_OUTPUTS = _docs.readout("outputs")


@fill_doc(**_SPIKES)
def mse_count_loss(
    spikes: ArrayLike,
    labels: ArrayLike,
    correct_rate: float = 1.0,
    incorrect_rate: float = 0.0,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Squared error between spike counts and target firing rates.

    Each of the :math:`P` neurons of the labelled class should fire at ``correct_rate``
    (spikes per step) and the others at ``incorrect_rate``; with :math:`n_c` the count of
    class :math:`c` (summed over its population) and :math:`r_c` its target rate,

    .. math::

        \ell = \frac{1}{C\,T} \sum_{c=1}^{C} \bigl(n_c - r_c P T\bigr)^2

    (snntorch's ``mse_count_loss``, per example).

    Args:
        {recording}
        {labels}
        correct_rate: Target rate of the labelled class, in ``[0, 1]``.
        incorrect_rate: Target rate of the other classes, in ``[0, 1]``.
        {readout_options}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import mse_count_loss
        >>> spikes = jnp.array([[[1.0, 1.0]], [[0.0, 1.0]]])  # counts (1, 2), T=2
        >>> # targets (0.8 * 2, 0.2 * 2) = (1.6, 0.4): ((1-1.6)^2 + (2-0.4)^2) / (2 * 2)
        >>> print(f"{mse_count_loss(spikes, jnp.array([0]), 0.8, 0.2)[0]:.4f}")
        0.7300
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    check_real("correct_rate", correct_rate, low=0, high=1)
    check_real("incorrect_rate", incorrect_rate, low=0, high=1)
    return _mse_count(x, y, correct_rate, incorrect_rate, population=population)


@kernel("population")
def _mse_count(
    x: jax.Array, y: jax.Array, correct_rate: float, incorrect_rate: float, *, population: int
) -> jax.Array:
    num_steps = x.shape[0]
    num_classes = x.shape[-1] // population
    counts = jnp.sum(r.pool(x, population, "sum"), axis=0)
    scale = num_steps * population
    target = r.targets(y, num_classes, correct_rate * scale, incorrect_rate * scale, counts)
    loss = jnp.mean(jnp.square(counts - target), axis=-1) / num_steps
    return v.mask_invalid(loss, y, num_classes)


@fill_doc(**_MEMBRANE)
def mse_membrane_loss(
    membrane: ArrayLike,
    labels: ArrayLike,
    on_target: float = 1.0,
    off_target: float = 0.0,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Squared error between the membrane potential and a per-class target, every step.

    With :math:`V_{t,c}` averaged over the population of :math:`c` and :math:`u_c` equal to
    ``on_target`` for the labelled class and ``off_target`` otherwise,

    .. math::

        \ell = \sum_{t=0}^{T-1} \frac1C \sum_{c=1}^{C} \bigl(V_{t,c} - u_c\bigr)^2

    (snntorch's ``mse_membrane_loss``: summed over time, mean over classes).

    Args:
        {recording}
        {labels}
        on_target: Target potential of the labelled class.
        off_target: Target potential of the other classes.
        {readout_options}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import mse_membrane_loss
        >>> v = jnp.array([[[0.5, 0.0]], [[1.0, 0.5]]])  # (T=2, batch=1, classes=2)
        >>> # t=0: (0.25 + 0) / 2, t=1: (0 + 0.25) / 2
        >>> print(mse_membrane_loss(v, jnp.array([0])))
        [0.25]
    """
    x, y, _ = r.readout(
        "membrane", membrane, labels, time_axis=time_axis, population=population, check=check
    )
    check_real("on_target", on_target)
    check_real("off_target", off_target)
    return _mse_membrane(x, y, on_target, off_target, population=population)


@kernel("population")
def _mse_membrane(
    x: jax.Array, y: jax.Array, on_target: float, off_target: float, *, population: int
) -> jax.Array:
    num_classes = x.shape[-1] // population
    pooled = r.pool(x, population, "mean")
    target = r.targets(y, num_classes, on_target, off_target, pooled)
    loss = jnp.sum(jnp.mean(jnp.square(pooled - target), axis=-1), axis=0)
    return v.mask_invalid(loss, y, num_classes)


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
        {recording}
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


@fill_doc(**_OUTPUTS)
def tet_loss(
    outputs: ArrayLike,
    labels: ArrayLike,
    lamb: float = 1e-3,
    means: float = 1.0,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Temporal efficient training (TET) loss: per-step cross-entropy plus an MSE anchor.

    With :math:`O_{t,c}` the output of class :math:`c` at step :math:`t` (averaged over its
    population), :math:`\lambda` = ``lamb`` and :math:`\phi` = ``means``,

    .. math::

        \ell = (1 - \lambda) \frac1T \sum_t \Bigl(\log\sum_c e^{O_{t,c}} - O_{t,y}\Bigr)
               + \lambda \frac{1}{T C} \sum_{t,c} \bigl(O_{t,c} - \phi\bigr)^2

    Args:
        {recording}
        {labels}
        lamb: Weight of the MSE term, in ``[0, 1]``.
        means: Target :math:`\phi` of the MSE term.
        {readout_options}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import tet_loss
        >>> out = jnp.array([[[1.0, 0.0]], [[1.0, 0.0]]])  # (T=2, batch=1, classes=2)
        >>> # 0.5 * 0.3133 + 0.5 * (0 + 1) / 2
        >>> print(f"{tet_loss(out, jnp.array([0]), lamb=0.5)[0]:.4f}")
        0.4066

    References:
        Deng et al., *Temporal Efficient Training of Spiking Neural Network via Gradient
        Re-weighting*, ICLR 2022.
    """
    check_real("lamb", lamb, low=0, high=1)
    check_real("means", means)
    x, y, _ = r.readout(
        "outputs", outputs, labels, time_axis=time_axis, population=population, check=check
    )
    return _tet(x, y, lamb, means, population=population)


@kernel("population")
def _tet(x: jax.Array, y: jax.Array, lamb: float, means: float, *, population: int) -> jax.Array:
    pooled = r.pool(x, population, "mean")
    ce = jnp.mean(per_step_cross_entropy(pooled, y), axis=0)
    anchor = jnp.mean(jnp.square(pooled - means), axis=(0, -1))
    return (1.0 - lamb) * ce + lamb * anchor
