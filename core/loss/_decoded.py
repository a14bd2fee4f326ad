"""SNN readouts through a decoder: each decoder's accuracy and cross-entropy loss.

A decoder turns a recording ``(T, *batch, classes * population)`` (time-major; see
``time_axis``) into class scores (``_readout.class_scores``): the rate (spikes per step),
the count (spikes over time), the maximum membrane potential, or minus the first-spike
time. The accuracy of a decoder is how often its highest score is the label; its loss is
the cross-entropy of its scores (for the rate, at every step, averaged over time):

    decoder        accuracy                 loss
    rate           accuracy_rate            ce_rate_loss
    count          accuracy_count           ce_count_loss
    max membrane   accuracy_max_membrane    ce_max_membrane_loss
    first spike    accuracy_first_spike     ce_temporal_loss
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc

from . import _docs
from . import _readout as r
from . import _validate as v
from ._classification import integer_label_cross_entropy
from ._jit import kernel

__all__ = [
    "accuracy_count",
    "accuracy_first_spike",
    "accuracy_max_membrane",
    "accuracy_rate",
    "ce_count_loss",
    "ce_max_membrane_loss",
    "ce_rate_loss",
    "ce_temporal_loss",
]

_SPIKES = _docs.readout("spikes")
_MEMBRANE = _docs.readout("membrane")


def per_step_cross_entropy(outputs: jax.Array, labels: jax.Array) -> jax.Array:
    """Cross-entropy at every step of time-major ``outputs``, shape ``(T, *batch)``."""
    return integer_label_cross_entropy(outputs, jnp.broadcast_to(labels, outputs.shape[:-1]))


@kernel("decoder", "population")
def _accuracy(x: jax.Array, labels: jax.Array, *, decoder: str, population: int) -> jax.Array:
    """Fraction of correct ``decoder`` predictions; NaN if a traced label is out of range."""
    # "count" is also the rate decoder (same argmax); ties go to the lowest class index
    predicted = jnp.argmax(r.class_scores(x, population, decoder), axis=-1)
    correct = (predicted == labels).astype(jnp.float32)
    return jnp.mean(v.mask_invalid(correct, labels, x.shape[-1] // population))


@kernel("decoder", "population")
def _cross_entropy(x: jax.Array, y: jax.Array, *, decoder: str, population: int) -> jax.Array:
    """Cross-entropy of the class scores of ``decoder`` (for ``"rate"``: every step, averaged)."""
    scores = r.class_scores(x, population, decoder)
    if decoder == "rate":
        return jnp.mean(per_step_cross_entropy(scores, y), axis=0)
    return integer_label_cross_entropy(scores, y)


def _decode(
    metric: Callable[..., jax.Array],
    decoder: str,
    name: str,
    recording: ArrayLike,
    labels: ArrayLike,
    time_axis: int,
    population: int,
    check: v.Check,
) -> jax.Array:
    """``metric`` (``_accuracy`` or ``_cross_entropy``) of ``decoder`` on a validated readout.

    ``name`` is the argument name of ``recording`` (``"spikes"``, ``"membrane"``) in
    error messages.
    """
    x, y, _ = r.readout(
        name, recording, labels, time_axis=time_axis, population=population, check=check
    )
    return metric(x, y, decoder=decoder, population=population)


@fill_doc(**_SPIKES)
def accuracy_rate(
    spikes: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Accuracy of the rate decoder: the class with the highest mean firing rate wins.

    .. math::

        \hat y = \arg\max_c \frac1T \sum_t s_{t,c}, \qquad
        \mathrm{acc} = \frac1B \sum_b [\hat y_b = y_b]

    Ties go to the lowest class index (so an all-silent output predicts class 0).

    Args:
        {readout_args}

    {accuracy_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_rate
        >>> spikes = jnp.array([[[1.0, 0.0], [0.0, 1.0]],
        ...                     [[1.0, 1.0], [0.0, 1.0]]])  # (T=2, batch=2, classes=2)
        >>> print(accuracy_rate(spikes, jnp.array([0, 0])))
        0.5
    """
    return _decode(_accuracy, "count", "spikes", spikes, labels, time_axis, population, check)


@fill_doc(**_SPIKES)
def accuracy_count(
    spikes: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Accuracy of the count decoder: the class with the most spikes wins.

    .. math::

        \hat y = \arg\max_c \sum_t s_{t,c}

    It predicts what :func:`accuracy_rate` predicts (the rate is the count over
    :math:`T`); both names exist for readability. Ties go to the lowest class index.

    Args:
        {readout_args}

    {accuracy_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_count
        >>> spikes = jnp.array([[[1.0, 0.0, 0.0, 1.0]], [[1.0, 0.0, 1.0, 1.0]]])
        >>> # population=2: class counts (2, 3)
        >>> print(accuracy_count(spikes, jnp.array([1]), population=2))
        1.0
    """
    return _decode(_accuracy, "count", "spikes", spikes, labels, time_axis, population, check)


@fill_doc(**_MEMBRANE)
def accuracy_max_membrane(
    membrane: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Accuracy of the max-membrane decoder: the highest peak potential wins.

    .. math::

        \hat y = \arg\max_c \max_t V_{t,c}

    (:math:`V` averaged over each class's population). Ties go to the lowest index.

    Args:
        {readout_args}

    {accuracy_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_max_membrane
        >>> v = jnp.array([[[0.2, 1.0]], [[0.9, -1.0]]])
        >>> print(accuracy_max_membrane(v, jnp.array([1])))
        1.0
    """
    return _decode(
        _accuracy, "max_membrane", "membrane", membrane, labels, time_axis, population, check
    )


@fill_doc(**_SPIKES)
def accuracy_first_spike(
    spikes: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int = 0,
    population: int = 1,
    check: v.Check = False,
) -> jax.Array:
    r"""Accuracy of the first-spike (time-to-first-spike) decoder: the earliest class wins.

    .. math::

        \hat y = \arg\min_c t^{\mathrm f}_c

    with :math:`t^{\mathrm f}` from :func:`first_spike_time` (earliest over the
    population, ``T`` when silent). Ties go to the lowest class index.

    Args:
        {readout_args}

    {accuracy_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_first_spike
        >>> spikes = jnp.array([[[0.0, 1.0]], [[1.0, 1.0]]])  # class 1 fires first
        >>> print(accuracy_first_spike(spikes, jnp.array([1])))
        1.0
    """
    return _decode(_accuracy, "first_spike", "spikes", spikes, labels, time_axis, population, check)


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
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_rate_loss
        >>> spikes = jnp.array([[[1.0, 0.0]], [[0.0, 0.0]]])  # (T=2, batch=1, classes=2)
        >>> print(f"{ce_rate_loss(spikes, jnp.array([0]))[0]:.4f}")  # (0.3133 + 0.6931) / 2
        0.5032
    """
    return _decode(_cross_entropy, "rate", "spikes", spikes, labels, time_axis, population, check)


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
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_count_loss
        >>> spikes = jnp.array([[[1.0, 0.0]], [[1.0, 1.0]]])  # counts (2, 1)
        >>> print(f"{ce_count_loss(spikes, jnp.array([1]))[0]:.4f}")  # log(e^2 + e) - 1
        1.3133
    """
    return _decode(_cross_entropy, "count", "spikes", spikes, labels, time_axis, population, check)


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
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_max_membrane_loss
        >>> v = jnp.array([[[0.2, 1.0]], [[0.9, -1.0]]])  # max over time: (0.9, 1.0)
        >>> print(f"{ce_max_membrane_loss(v, jnp.array([0]))[0]:.4f}")  # log(e^0.9 + e) - 0.9
        0.7444
    """
    return _decode(
        _cross_entropy, "max_membrane", "membrane", membrane, labels, time_axis, population, check
    )


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
        {readout_args}

    {loss_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ce_temporal_loss
        >>> spikes = jnp.array([[[0.0, 1.0]], [[1.0, 0.0]], [[0.0, 0.0]]])  # times (1, 0)
        >>> print(f"{ce_temporal_loss(spikes, jnp.array([0]))[0]:.4f}")  # log(e^-1 + 1) + 1
        1.3133
    """
    return _decode(
        _cross_entropy, "first_spike", "spikes", spikes, labels, time_axis, population, check
    )
