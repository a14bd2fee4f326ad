"""Population spike-train measures on a spike matrix ``(num_time, num_neurons)``."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import as_float, as_int, check_real
from ..loss._jit import kernel
from ._common import (
    correlation_matrix,
    gram,
    matrix,
    mean_over_pairs,
    positive,
    real_array,
    steps,
    window_counts,
)

__all__ = [
    "burst_synchrony_index",
    "correlation_index",
    "firing_rate",
    "phase_locking_value",
    "raster_plot",
    "spike_time_tiling_coefficient",
    "spike_train_synchrony",
]


def raster_plot(
    sp_matrix: jax.typing.ArrayLike, times: jax.typing.ArrayLike, *, size: int | None = None
) -> tuple[jax.Array, jax.Array]:
    """Neuron indices and times of the spikes of a spike matrix, for a raster plot.

    Spikes are the non-zero entries of ``sp_matrix``; they are listed in time order (and
    by neuron within a time step). This returns data, not a figure: plot it with
    ``plt.scatter(spike_times, neuron_indices, marker="|")``.

    Args:
        sp_matrix: ``(num_time, num_neurons)``.
        times: ``(num_time,)``, the time of each row.
        size: the number of entries to return, for use under ``jit`` (the number of spikes
            is not known at trace time). Missing entries are padded with neuron index -1
            and time NaN; extra spikes are dropped. ``None`` (eager only) returns exactly
            the spikes.

    Returns:
        ``(neuron_indices, spike_times)``, two 1-D arrays of equal length.

    Example:
        >>> import numpy as np
        >>> from core.analysis import raster_plot
        >>> spikes = np.array([[0, 1], [1, 1], [0, 0]])
        >>> idx, t = raster_plot(spikes, np.array([0.0, 0.1, 0.2]))
        >>> print(idx, t)
        [1 0 1] [0.  0.1 0.1]
    """
    spikes = matrix("sp_matrix", sp_matrix)
    t = real_array("times", times)
    if t.shape != spikes.shape[:1]:
        raise ValueError(
            f"times must have shape (num_time,) = {spikes.shape[:1]}, got shape {t.shape}"
        )
    if size is None:
        try:
            rows, cols = np.nonzero(np.asarray(spikes))
        except jax.errors.TracerArrayConversionError:
            raise ValueError(
                "raster_plot under jit needs size=: the number of spikes is not known at trace time"
            ) from None
        return jnp.asarray(cols), t[rows]
    count = as_int("size", size, minimum=0)
    rows_, cols_ = jnp.nonzero(spikes, size=count, fill_value=-1)
    real = rows_ >= 0
    return cols_, jnp.where(real, t[jnp.maximum(rows_, 0)], jnp.nan)


def firing_rate(spikes: jax.typing.ArrayLike, width: float, dt: float) -> jax.Array:
    r"""Population firing rate, smoothed with a centred rectangular window.

    .. math::

        r_t = \frac{1}{N}\sum_{i} s_{t,i},\qquad
        \bar r_t = \frac{1}{w\,\Delta t}\sum_{|k| \le (w-1)/2} r_{t+k},

    where :math:`w = 2\lfloor \text{width} / (2\Delta t)\rfloor + 1` samples (odd, so the
    window is centred). With ``width`` and ``dt`` in seconds the rate is in Hz. Outside
    the recording the signal counts as 0, so the edges are biased low.

    Args:
        spikes: ``(num_time, num_neurons)``.
        width: window width (concrete, same unit as ``dt``).
        dt: sampling step (concrete).

    Returns:
        ``(num_time,)``, the smoothed rate (per unit of ``dt``).

    Example:
        >>> import numpy as np
        >>> from core.analysis import firing_rate
        >>> rate = firing_rate(np.ones((100, 4)), width=0.01, dt=0.001)
        >>> print(f"{rate[50]:.1f}")  # every neuron spikes every ms: 1000 Hz
        1000.0

    References:
        Stimberg, Brette & Goodman, *Brian 2, an intuitive and efficient neural
        simulator*, eLife 8 (2019) e47314.
    """
    s = matrix("spikes", spikes)
    width_, dt_ = positive("width", width), positive("dt", dt)
    return _firing_rate(s, length=int(steps(width_, 2 * dt_)) * 2 + 1, dt=dt_)


@kernel("length", "dt")
def _firing_rate(s: jax.Array, *, length: int, dt: float) -> jax.Array:
    rate = jnp.mean(s, axis=1)
    window = jnp.full((length,), 1.0 / (length * dt), rate.dtype)
    start = (length - 1) // 2
    return jnp.convolve(rate, window, mode="full")[start : start + s.shape[0]]


def _coincidences(s: jax.Array, half: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Pairwise coincidences of the spike matrix ``s`` within ``half`` steps.

    Returns ``counts`` (``counts[i, j]``: spikes of ``i`` with a spike of ``j`` that near),
    ``near`` (``(T, N)``: 1 within ``half`` steps of a spike) and the spike counts.
    """
    active = (s > 0).astype(s.dtype)
    near = (window_counts(active, half) > 0).astype(active.dtype)
    return gram(active, near), near, jnp.sum(active, axis=0)


def spike_train_synchrony(
    spike_matrix: jax.typing.ArrayLike, window_size: float, dt: float = 1.0
) -> jax.Array:
    r"""Mean pairwise coincidence ratio of a population (0: none, 1: all coincident).

    .. math::

        S = \frac{1}{|P|}\sum_{(i,j)\in P} \frac{C_{i\to j} + C_{j\to i}}{N_i + N_j},

    where :math:`C_{i\to j}` counts the spikes of neuron :math:`i` with a spike of
    :math:`j` at most ``window_size / 2`` away, :math:`N_i` is the spike count, and
    :math:`P` holds the pairs in which both neurons spike.

    Args:
        spike_matrix: ``(num_time, num_neurons)``; non-zero entries are spikes.
        window_size: full coincidence window (concrete, same unit as ``dt``).
        dt: sampling step (concrete).

    Returns:
        A 0-d array in ``[0, 1]``; 0 with fewer than two neurons or no spiking pair.

    Example:
        >>> import numpy as np
        >>> from core.analysis import spike_train_synchrony
        >>> s = np.zeros((100, 2), np.float32)
        >>> s[[10, 20, 30, 40, 50], 0] = s[10, 1] = 1
        >>> print(f"{spike_train_synchrony(s, window_size=4.0):.4f}")  # (1 + 1) / (5 + 1)
        0.3333

    References:
        Kreuz et al., *Measuring spike train synchrony*, J. Neurosci. Methods 165 (2007)
        151-161.
    """
    s = matrix("spike_matrix", spike_matrix)
    half = math.floor(steps(positive("window_size", window_size), 2 * positive("dt", dt)))
    return _synchrony(s, half=half)


@kernel("half")
def _synchrony(s: jax.Array, *, half: int) -> jax.Array:
    counts, _, n = _coincidences(s, half)
    total = n[:, None] + n[None, :]
    ratio = (counts + counts.T) / jnp.where(total > 0, total, 1)
    return mean_over_pairs(ratio, (n[:, None] > 0) & (n[None, :] > 0))


def spike_time_tiling_coefficient(
    spike_matrix: jax.typing.ArrayLike, dt: float = 1.0, tau: float = 0.005
) -> jax.Array:
    r"""Spike time tiling coefficient (STTC) of every pair of neurons.

    .. math::

        \mathrm{STTC}_{AB} = \frac{1}{2}\left(\frac{P_A - T_B}{1 - P_A T_B}
                             + \frac{P_B - T_A}{1 - P_B T_A}\right),

    where :math:`P_A` is the fraction of spikes of :math:`A` with a spike of :math:`B`
    within :math:`\pm\tau`, and :math:`T_A` the fraction of the recording covered by the
    union of the :math:`\pm\tau` windows around the spikes of :math:`A`. A term whose
    denominator is 0 counts as 0; a pair with a silent neuron has STTC 0; the diagonal is 1.

    Args:
        spike_matrix: ``(num_time, num_neurons)``; non-zero entries are spikes.
        dt: sampling step (concrete, same unit as ``tau``).
        tau: coincidence half-window (concrete); rounded to whole steps.

    Returns:
        ``(num_neurons, num_neurons)``, symmetric, values in ``[-1, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import spike_time_tiling_coefficient
        >>> s = np.zeros((100, 2), np.float32)
        >>> s[10:30] = 1
        >>> print(spike_time_tiling_coefficient(s, dt=1.0, tau=5.0)[0, 1])
        1.0

    References:
        Cutts & Eglen, *Detecting pairwise correlations in spike trains: an objective
        comparison of methods and application to the study of retinal waves*,
        J. Neurosci. 34 (2014) 14288-14303.
    """
    s = matrix("spike_matrix", spike_matrix)
    check_real("tau", tau, low=0.0)
    half = round(steps(float(tau), positive("dt", dt)))
    return _sttc(s, half=half)


@kernel("half")
def _sttc(s: jax.Array, *, half: int) -> jax.Array:
    counts, near, n = _coincidences(s, half)
    covered = jnp.mean(near, axis=0)
    p = counts / jnp.where(n > 0, n, 1)[:, None]
    denom = 1 - p * covered[None, :]
    ok = denom != 0
    term = jnp.where(ok, (p - covered[None, :]) / jnp.where(ok, denom, 1), 0)
    sttc = 0.5 * (term + term.T)
    sttc = jnp.where((n[:, None] > 0) & (n[None, :] > 0), sttc, 0)
    eye = jnp.eye(s.shape[1], dtype=bool)
    return jnp.where(eye, jnp.ones_like(sttc), sttc)


def correlation_index(
    spike_matrix: jax.typing.ArrayLike, window_size: float, dt: float = 1.0
) -> jax.Array:
    r"""Mean pairwise Pearson correlation of binned spike counts.

    Spikes are summed in consecutive bins of :math:`\max(1, \lfloor w/\Delta t\rfloor)`
    samples (a trailing partial bin is dropped) and

    .. math::

        CI = \frac{2}{N(N-1)}\sum_{i<j} \rho_{ij},

    where a pair with a constant (zero-variance) binned train has :math:`\rho = 0`.

    Args:
        spike_matrix: ``(num_time, num_neurons)``.
        window_size: bin width (concrete, same unit as ``dt``).
        dt: sampling step (concrete).

    Returns:
        A 0-d array in ``[-1, 1]``; 0 with fewer than two neurons or two bins.

    Example:
        >>> import numpy as np
        >>> from core.analysis import correlation_index
        >>> base = (np.arange(100) % 7 == 0).astype(np.float32)
        >>> print(correlation_index(np.stack([base, base], axis=1), window_size=5.0))
        1.0

    References:
        Pearson, *Notes on regression and inheritance in the case of two parents*,
        Proc. R. Soc. Lond. 58 (1895) 240-242.
    """
    s = matrix("spike_matrix", spike_matrix)
    size = max(1, int(steps(positive("window_size", window_size), positive("dt", dt))))
    n_time, n_neurons = s.shape
    n_bins = n_time // size
    if n_neurons < 2 or n_bins < 2:
        return jnp.zeros((), s.dtype)
    return _correlation_index(s, size=size)


@kernel("size")
def _correlation_index(s: jax.Array, *, size: int) -> jax.Array:
    n_time, n_neurons = s.shape
    n_bins = n_time // size
    binned = jnp.sum(s[: n_bins * size].reshape(n_bins, size, n_neurons), axis=1)
    corr = correlation_matrix(binned)
    everyone = jnp.ones(corr.shape, dtype=bool)
    return jnp.clip(mean_over_pairs(corr, everyone), -1.0, 1.0)


def phase_locking_value(
    spike_matrix: jax.typing.ArrayLike,
    reference_freq: jax.typing.ArrayLike,
    dt: jax.typing.ArrayLike = 1.0,
) -> jax.Array:
    r"""Vector strength of each neuron's spikes relative to a reference oscillation.

    .. math::

        \mathrm{PLV}_i = \Bigl|\frac{1}{N_i}\sum_{t:\,s_{t,i} > 0} e^{\,2\pi i f t \Delta t}\Bigr|

    (1: every spike at the same phase, about :math:`1/\sqrt{N_i}` for random spikes, 0 for
    a silent neuron). This is a spike-field locking measure against an external
    oscillation, not the pairwise PLV of two signals.

    Args:
        spike_matrix: ``(num_time, num_neurons)``; non-zero entries are spikes.
        reference_freq: reference frequency (in Hz when ``dt`` is in seconds).
        dt: sampling step.

    Returns:
        ``(num_neurons,)`` values in ``[0, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import phase_locking_value
        >>> s = np.zeros((1000, 1), np.float32)
        >>> s[::100] = 1  # one spike per 10 Hz cycle
        >>> print(f"{phase_locking_value(s, 10.0, 0.001)[0]:.3f}")
        1.000

    References:
        Lachaux et al., *Measuring phase synchrony in brain signals*, Hum. Brain Mapp. 8
        (1999) 194-208.
    """
    s = matrix("spike_matrix", spike_matrix)
    check_real("reference_freq", reference_freq)
    check_real("dt", dt, low=0.0, low_open=True)
    return _plv(s, jnp.asarray(reference_freq, s.dtype) * jnp.asarray(dt, s.dtype))


@kernel()
def _plv(s: jax.Array, cycles_per_step: jax.Array) -> jax.Array:
    cycles = jnp.arange(s.shape[0], dtype=s.dtype) * cycles_per_step
    phase = 2 * jnp.pi * (cycles - jnp.floor(cycles))
    active = (s > 0).astype(s.dtype)
    n = jnp.sum(active, axis=0)
    re = gram(active, jnp.cos(phase)[:, None])[:, 0]
    im = gram(active, jnp.sin(phase)[:, None])[:, 0]
    plv = jnp.sqrt(re * re + im * im) / jnp.where(n > 0, n, 1)
    return jnp.where(n > 0, jnp.clip(plv, 0.0, 1.0), 0)


def _largest_gap(max_isi: float, dt: float) -> int:
    """The largest whole number of steps ``g`` with ``g * dt <= max_isi``."""
    return math.floor(steps(max_isi, dt))


def _bursts(active: jax.Array, max_gap: int, threshold: int) -> tuple[jax.Array, ...]:
    """One neuron: group label per step, burst flag per label, burst coverage per step."""
    n_time = active.shape[0]
    t = jnp.arange(n_time)
    far = -(n_time + max_gap + 2)
    last_spike = jax.lax.cummax(jnp.where(active, t, far))
    previous = jnp.concatenate([jnp.full((1,), far), last_spike[:-1]])
    starts = active & (t - previous > max_gap)
    label = jnp.cumsum(starts)
    size = jax.ops.segment_sum(active.astype(jnp.int32), label, num_segments=n_time + 1)
    end = jax.ops.segment_max(jnp.where(active, t, -1), label, num_segments=n_time + 1)
    is_burst = (size >= threshold) & (jnp.arange(n_time + 1) > 0)
    covered = is_burst[label] & (t <= end[label])
    return label, is_burst, covered


def burst_synchrony_index(
    spike_matrix: jax.typing.ArrayLike,
    burst_threshold: int = 3,
    max_isi: float = 100.0,
    dt: float = 1.0,
) -> jax.Array:
    r"""Fraction of bursts that overlap a burst of another neuron.

    A burst is a run of at least ``burst_threshold`` spikes of one neuron whose successive
    inter-spike intervals are all at most ``max_isi``; it spans ``[first, last]`` spike.
    A burst is synchronous when its span intersects (endpoints included) the span of a
    burst of another neuron. The index is (synchronous bursts) / (all bursts).

    Computed without Python loops: per neuron, run labels come from a cumulative sum of
    run starts and run sizes / ends from segment sums, so it works under ``jit``.

    Args:
        spike_matrix: ``(num_time, num_neurons)``; non-zero entries are spikes.
        burst_threshold: fewest spikes in a burst (static int ``>= 1``).
        max_isi: largest inter-spike interval inside a burst (concrete, unit of ``dt``).
        dt: sampling step (concrete).

    Returns:
        A 0-d array in ``[0, 1]``; 0 when there is no burst.

    Example:
        >>> import numpy as np
        >>> from core.analysis import burst_synchrony_index
        >>> s = np.zeros((20, 2), np.float32)
        >>> s[0:5, 0] = s[4:9, 1] = 1  # touch at t = 4
        >>> print(burst_synchrony_index(s, burst_threshold=3, max_isi=2.0))
        1.0
    """
    s = matrix("spike_matrix", spike_matrix)
    threshold = as_int("burst_threshold", burst_threshold, minimum=1)
    max_gap = _largest_gap(as_float("max_isi", max_isi, low=0.0), positive("dt", dt))
    return _burst_synchrony(s, max_gap=max_gap, threshold=threshold)


@kernel("max_gap", "threshold")
def _burst_synchrony(s: jax.Array, *, max_gap: int, threshold: int) -> jax.Array:
    active = s > 0
    label, is_burst, covered = jax.vmap(
        lambda a: _bursts(a, max_gap, threshold), in_axes=1, out_axes=1
    )(active)
    counts = covered.astype(jnp.int32)
    others = jnp.sum(counts, axis=1, keepdims=True) - counts > 0
    touched = jax.vmap(
        lambda hit, lab: jax.ops.segment_max(
            hit.astype(jnp.int32), lab, num_segments=s.shape[0] + 1
        ),
        in_axes=1,
        out_axes=1,
    )(covered & others, label)
    n_bursts = jnp.sum(is_burst)
    n_sync = jnp.sum(is_burst & (touched > 0))
    ratio = n_sync.astype(s.dtype) / jnp.maximum(n_bursts, 1).astype(s.dtype)
    return jnp.where(n_bursts > 0, ratio, 0)
