"""Shared pieces of the SNN readouts: the time-axis convention, population pooling and
the differentiable first-spike time.

Convention: recordings are time-major, ``(T, *batch, neurons)``; ``time_axis`` moves
the time axis elsewhere (e.g. ``time_axis=1`` for ``(batch, T, neurons)``). The last
axis always holds the output neurons, ``classes * population`` of them, grouped
contiguously: neuron ``j`` votes for class ``j // population``. Labels have the shape of
the recording with the time and neuron axes removed.
"""

from __future__ import annotations

from typing import Literal

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _validate as v
from ._jit import kernel

__all__ = ["first_spike_time"]

Pool = Literal["sum", "mean", "min"]


def time_major(name: str, x: ArrayLike, time_axis: int) -> jax.Array:
    """``x`` as a float ``(T, ..., neurons)`` array; the neuron axis must stay last."""
    arr = v.float_array(name, x)
    v.min_ndim(name, arr, 2, "time and neurons")
    axis = v.normalize_axis("time_axis", time_axis, arr.ndim)
    if axis == arr.ndim - 1:
        raise ValueError(
            f"time_axis={time_axis} points at the last axis of {name} (shape {arr.shape}), "
            "which holds the output neurons; put time on another axis."
        )
    return jnp.moveaxis(arr, axis, 0)


def readout(
    name: str,
    x: ArrayLike,
    labels: ArrayLike,
    *,
    time_axis: int,
    population: int,
    check: v.Check,
) -> tuple[jax.Array, jax.Array, int]:
    """Validate a recording and its labels; return ``(x (T, ..., N), labels, classes)``."""
    original = v.float_array(name, x)
    arr = time_major(name, original, time_axis)
    y = v.int_array("labels", labels)
    population = v.positive_int("population", population)
    neurons = arr.shape[-1]
    if neurons % population:
        raise ValueError(
            f"the last axis of {name} holds {neurons} neurons, which is not a multiple of "
            f"population={population} (neurons must be classes * population)."
        )
    how = f"{name}.shape without the time and neuron axes"
    v.labels_shape("labels", y, name, original, arr.shape[1:-1], how)
    num_classes = neurons // population
    v.labels_in_range("labels", y, num_classes, check=check)
    return arr, y, num_classes


def pool(x: jax.Array, population: int, how: Pool) -> jax.Array:
    """Pool groups of ``population`` consecutive neurons on the last axis into classes."""
    if population == 1:
        return x
    grouped = x.reshape(*x.shape[:-1], x.shape[-1] // population, population)
    if how == "sum":
        return jnp.sum(grouped, axis=-1)
    if how == "mean":
        return jnp.mean(grouped, axis=-1)
    return jnp.min(grouped, axis=-1)


@kernel()
def spike_times(spikes: jax.Array) -> jax.Array:
    """First-spike time of time-major ``spikes`` (kernel of :func:`first_spike_time`)."""
    num_steps = spikes.shape[0]
    silent_so_far = jnp.cumprod(1.0 - spikes, axis=0)
    silent_before = jnp.concatenate([jnp.ones_like(spikes[:1]), silent_so_far[:-1]], axis=0)
    steps = jnp.arange(num_steps, dtype=spikes.dtype).reshape((-1,) + (1,) * (spikes.ndim - 1))
    return jnp.sum(steps * spikes * silent_before, axis=0) + num_steps * silent_so_far[-1]


def class_scores(x: jax.Array, population: int, decoder: str) -> jax.Array:
    """Class scores of time-major ``x`` under ``decoder``: the highest score wins.

    ``"rate"``: the spikes of each class at every step, ``(T, ..., classes)``; ``"count"``:
    their sum over time; ``"max_membrane"``: the peak over time of the class-mean potential;
    ``"first_spike"``: minus the class's earliest first-spike time.
    """
    if decoder == "first_spike":
        return -pool(spike_times(x), population, "min")
    if decoder == "max_membrane":
        return jnp.max(pool(x, population, "mean"), axis=0)
    per_step = pool(x, population, "sum")
    return per_step if decoder == "rate" else jnp.sum(per_step, axis=0)


def first_spike_time(spikes: ArrayLike, *, time_axis: int = 0) -> jax.Array:
    r"""Differentiable time (in steps) of each neuron's first spike; ``T`` if it is silent.

    .. math::

        t^{\mathrm{f}} = \sum_{t=0}^{T-1} t\, s_t \prod_{t' < t} (1 - s_{t'})
                        + T \prod_{t=0}^{T-1} (1 - s_t)

    For binary spikes this is exactly the index of the first spike (``T`` when there is
    none); gradients flow through the surrogate gradient of :math:`s` and are finite.
    For spike probabilities :math:`s_t \in [0, 1]` it is the expected first-spike time.

    Args:
        spikes: Float spike trains, time-major ``(T, ..., neurons)`` by default.
        time_axis: Position of the time axis in ``spikes``.

    Returns:
        First-spike times, ``spikes.shape`` without the time axis, dtype of ``spikes``.

    Raises:
        TypeError: ``spikes`` is not floating point.
        ValueError: ``spikes`` has fewer than 2 axes or ``time_axis`` is out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import first_spike_time
        >>> spikes = jnp.array([[0.0, 0.0, 0.0],
        ...                     [1.0, 0.0, 0.0],
        ...                     [1.0, 1.0, 0.0]])  # (T=3, neurons=3)
        >>> print(first_spike_time(spikes))
        [1. 2. 3.]
    """
    return spike_times(time_major("spikes", spikes, time_axis))


def targets(
    labels: jax.Array,
    num_classes: int,
    on: float | jax.Array,
    off: float | jax.Array,
    like: jax.Array,
) -> jax.Array:
    """``on`` at the labelled class, ``off`` elsewhere, shape ``(*labels.shape, classes)``."""
    hot = jax.nn.one_hot(labels, num_classes, dtype=like.dtype)
    return off + (on - off) * hot
