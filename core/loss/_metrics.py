"""Classification accuracy of SNN readouts: rate, count, max-membrane, first-spike."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc

from . import _docs
from . import _readout as r
from . import _validate as v
from ._jit import kernel

__all__ = [
    "accuracy_count",
    "accuracy_first_spike",
    "accuracy_max_membrane",
    "accuracy_rate",
]

_SPIKES = _docs.readout("spikes")
_MEMBRANE = _docs.readout("membrane")


@kernel("decoder", "population")
def _accuracy(x: jax.Array, labels: jax.Array, *, decoder: str, population: int) -> jax.Array:
    """Fraction of correct ``decoder`` predictions; NaN if a traced label is out of range."""
    # "count" is also the rate decoder (same argmax); ties go to the lowest class index
    predicted = jnp.argmax(r.class_scores(x, population, decoder), axis=-1)
    correct = (predicted == labels).astype(jnp.float32)
    return jnp.mean(v.mask_invalid(correct, labels, x.shape[-1] // population))


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
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {readout_args}

    Returns:
        A float32 scalar in ``[0, 1]``.

    {readout_raises}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_rate
        >>> spikes = jnp.array([[[1.0, 0.0], [0.0, 1.0]],
        ...                     [[1.0, 1.0], [0.0, 1.0]]])  # (T=2, batch=2, classes=2)
        >>> print(accuracy_rate(spikes, jnp.array([0, 0])))
        0.5
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    return _accuracy(x, y, decoder="count", population=population)


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
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {readout_args}

    Returns:
        A float32 scalar in ``[0, 1]``.

    {readout_raises}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_count
        >>> spikes = jnp.array([[[1.0, 0.0, 0.0, 1.0]], [[1.0, 0.0, 1.0, 1.0]]])
        >>> # population=2: class counts (2, 3)
        >>> print(accuracy_count(spikes, jnp.array([1]), population=2))
        1.0
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    return _accuracy(x, y, decoder="count", population=population)


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
        membrane: Float membrane potentials, ``(T, *batch, classes * population)``.
        {readout_args}

    Returns:
        A float32 scalar in ``[0, 1]``.

    {readout_raises}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_max_membrane
        >>> v = jnp.array([[[0.2, 1.0]], [[0.9, -1.0]]])
        >>> print(accuracy_max_membrane(v, jnp.array([1])))
        1.0
    """
    x, y, _ = r.readout(
        "membrane", membrane, labels, time_axis=time_axis, population=population, check=check
    )
    return _accuracy(x, y, decoder="max_membrane", population=population)


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
        spikes: Float spikes, ``(T, *batch, classes * population)``.
        {readout_args}

    Returns:
        A float32 scalar in ``[0, 1]``.

    {readout_raises}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import accuracy_first_spike
        >>> spikes = jnp.array([[[0.0, 1.0]], [[1.0, 1.0]]])  # class 1 fires first
        >>> print(accuracy_first_spike(spikes, jnp.array([1])))
        1.0
    """
    x, y, _ = r.readout(
        "spikes", spikes, labels, time_axis=time_axis, population=population, check=check
    )
    return _accuracy(x, y, decoder="first_spike", population=population)
