"""SNN readout losses over a recorded time axis: rate, count, membrane and TET.

All take a recording shaped ``(T, *batch, classes * population)`` (time-major; see
``time_axis``) and integer ``labels`` of shape ``batch``, and return one loss per
example (shape ``labels.shape``); take ``.mean()`` for the batch loss.
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
from ._classification import integer_label_cross_entropy
from ._jit import kernel

__all__ = [
    "ce_count_loss",
    "ce_max_membrane_loss",
    "ce_rate_loss",
    "mse_count_loss",
    "mse_membrane_loss",
    "tet_loss",
]

_SPIKES = _docs.readout("spikes")
_MEMBRANE = _docs.readout("membrane")
_OUTPUTS = _docs.readout("outputs")


def _per_step_cross_entropy(outputs: jax.Array, labels: jax.Array) -> jax.Array:
    """Cross-entropy at every step of time-major ``outputs``, shape ``(T, *batch)``."""
    return integer_label_cross_entropy(outputs, jnp.broadcast_to(labels, outputs.shape[:-1]))


@fill_doc(**_SPIKES)
def ce_rate_loss(
    spikes: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Cross-entropy of the spikes at every time step, averaged over time (rate code).

    With :math:`s_{t,c}` the spikes of class :math:`c` at step :math:`t` (summed over its
    population),

    .. math::

        \ell = \frac1T \sum_{t=0}^{T-1} \Bigl(\log \sum_c e^{s_{t,c}} - s_{t,y}\Bigr)

    (snntorch's ``ce_rate_loss``, per example).

    Args:
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_rate_loss
        >>> spikes = jnp.array([[[1.0, 0.0]], [[0.0, 0.0]]])  # (T=2, batch=1, classes=2)
        >>> print(f"{ce_rate_loss(spikes, jnp.array([0]))[0]:.4f}")  # (0.3133 + 0.6931) / 2
        0.5032
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    return decoded_cross_entropy(x, y, decoder="rate", population=population)


@kernel("decoder", "population")
def decoded_cross_entropy(
    x: jax.Array, y: jax.Array, *, decoder: str, population: int
) -> jax.Array:
    """Cross-entropy of the class scores of ``decoder`` (for ``"rate"``: every step, averaged)."""
    scores = r.class_scores(x, population, decoder)
    if decoder == "rate":
        return jnp.mean(_per_step_cross_entropy(scores, y), axis=0)
    return integer_label_cross_entropy(scores, y)


@fill_doc(**_SPIKES)
def ce_count_loss(
    spikes: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Cross-entropy of the spike counts (count code).

    With :math:`n_c = \sum_t s_{t,c}` (summed over the population of class :math:`c`),

    .. math::

        \ell = \log \sum_c e^{n_c} - n_y

    Args:
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_count_loss
        >>> spikes = jnp.array([[[1.0, 0.0]], [[1.0, 1.0]]])  # counts (2, 1)
        >>> print(f"{ce_count_loss(spikes, jnp.array([1]))[0]:.4f}")  # log(e^2 + e) - 1
        1.3133
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    return decoded_cross_entropy(x, y, decoder="count", population=population)


@fill_doc(**_MEMBRANE)
def ce_max_membrane_loss(
    membrane: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Cross-entropy of the maximum membrane potential over time.

    With :math:`m_c = \max_t V_{t,c}` (:math:`V` averaged over the population of
    :math:`c`),

    .. math::

        \ell = \log \sum_c e^{m_c} - m_y

    Args:
        membrane: Float membrane potentials, ``(T, *batch, classes * population)``.
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_max_membrane_loss
        >>> v = jnp.array([[[0.2, 1.0]], [[0.9, -1.0]]])  # max over time: (0.9, 1.0)
        >>> print(f"{ce_max_membrane_loss(v, jnp.array([0]))[0]:.4f}")  # log(e^0.9 + e) - 0.9
        0.7444
    """
    x, y, _ = r.readout(
        "membrane", membrane, labels, time_axis=time_axis, population=population, check=check
    )
    return decoded_cross_entropy(x, y, decoder="max_membrane", population=population)


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
        spikes: Float spikes, ``(T, *batch, classes * population)``.
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
        membrane: Float membrane potentials, ``(T, *batch, classes * population)``.
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
        outputs: Float per-step outputs (logits, membrane or spikes),
            ``(T, *batch, classes * population)``.
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
    ce = jnp.mean(_per_step_cross_entropy(pooled, y), axis=0)
    anchor = jnp.mean(jnp.square(pooled - means), axis=(0, -1))
    return (1.0 - lamb) * ce + lamb * anchor
