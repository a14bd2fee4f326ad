"""braintools names of the spike-train, correlation and LFP analyses (units, default ``dt``).

Each function converts ``brainunit`` quantities and brainstate's default time step into
the plain numbers of the :mod:`core.analysis` kernel it calls, and holds no maths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import brainstate
import jax
import numpy as np

from core import analysis as core_analysis

from ._units import in_unit, magnitude, ratio, seconds, with_unit_of

__all__ = [
    "burst_synchrony_index",
    "coherence_analysis",
    "correlation_index",
    "cross_correlation",
    "current_source_density",
    "firing_rate",
    "functional_connectivity",
    "functional_connectivity_dynamics",
    "lfp_phase_coherence",
    "matrix_correlation",
    "phase_amplitude_coupling",
    "phase_locking_value",
    "power_spectral_density",
    "raster_plot",
    "spectral_entropy",
    "spike_time_tiling_coefficient",
    "spike_train_synchrony",
    "theta_gamma_coupling",
    "unitary_LFP",
    "van_rossum_distance",
    "victor_purpura_distance",
    "voltage_fluctuation",
    "weighted_correlation",
]

F = TypeVar("F", bound=Callable[..., Any])
Band = tuple[float, float]


_PREAMBLE = """    >>> import brainunit as u
    >>> import numpy as np
    >>> import facade as braintools
"""
"""The imports every example starts with (placed by :func:`_braintools`)."""


def _braintools(kernel: Callable[..., Any], units: str, example: str) -> Callable[[F], F]:
    """Give a wrapper the docstring: kernel summary, unit rules, and a runnable example.

    ``example`` is written without its imports: :data:`_PREAMBLE` is placed before it.
    """
    summary = (kernel.__doc__ or "").strip().splitlines()[0]

    def decorate(fn: F) -> F:
        fn.__doc__ = (
            f"{summary}\n\n"
            f"braintools-compatible form of :func:`core.analysis.{kernel.__name__}` (same\n"
            f"maths, arguments and defaults as ``braintools.metric.{fn.__name__}``). {units}\n\n"
            f"Example:\n{_PREAMBLE}{example}"
        )
        return fn

    return decorate


_DT = "``dt=None`` uses ``brainstate.environ.get_dt()``."
_WINDOW = f"Window and ``dt`` are numbers in one unit or Quantities; {_DT}"
_SECONDS = "``dt`` is a Quantity or a number of seconds (frequencies are in Hz)."


@_braintools(
    core_analysis.raster_plot,
    "A Quantity ``times`` keeps its unit in the returned times.",
    """    >>> spikes = np.array([[0, 1], [1, 0]])
    >>> idx, t = braintools.metric.raster_plot(spikes, np.arange(2) * 0.5 * u.ms)
    >>> print(idx, t)
    [1 0] [0.  0.5] ms
""",
)
def raster_plot(sp_matrix: Any, times: Any) -> tuple[jax.Array, Any]:
    index, found = core_analysis.raster_plot(magnitude(sp_matrix), magnitude(times))
    return index, with_unit_of(times, found)


@_braintools(
    core_analysis.firing_rate,
    f"The rate is in Hz: Quantities are converted, plain numbers are seconds. {_DT}",
    """    >>> rate = braintools.metric.firing_rate(np.ones((100, 3)), 5 * u.ms, 1 * u.ms)
    >>> print(f"{rate[50]:.1f}")
    1000.0
""",
)
def firing_rate(spikes: Any, width: Any, dt: Any = None) -> jax.Array:
    return core_analysis.firing_rate(magnitude(spikes), in_unit(width, "second"), seconds(dt))


@_braintools(
    core_analysis.victor_purpura_distance,
    "Quantities are reduced to their magnitudes (use one time unit).",
    """    >>> d = braintools.metric.victor_purpura_distance(
    ...     np.array([1.0]), np.array([1.1]), cost_factor=5.0)
    >>> print(f"{d:.2f}")
    0.50
""",
)
def victor_purpura_distance(
    spike_times_1: Any, spike_times_2: Any, cost_factor: Any = 1.0
) -> jax.Array:
    return core_analysis.victor_purpura_distance(
        magnitude(spike_times_1), magnitude(spike_times_2), magnitude(cost_factor)
    )


@_braintools(
    core_analysis.van_rossum_distance,
    "Quantities are reduced to their magnitudes (use one time unit). Unlike braintools, "
    "the integral is exact (braintools sums a grid of step ``tau / 20``, within ~5%).",
    """    >>> d = braintools.metric.van_rossum_distance(np.array([0.0]), np.array([1.0]))
    >>> print(f"{d:.4f}")
    0.7951
""",
)
def van_rossum_distance(
    spike_times_1: Any, spike_times_2: Any, tau: Any = 1.0, t_max: Any = None
) -> jax.Array:
    return core_analysis.van_rossum_distance(
        magnitude(spike_times_1),
        magnitude(spike_times_2),
        magnitude(tau),
        None if t_max is None else magnitude(t_max),
    )


class _WindowMeasure(Protocol):
    """A braintools windowed population measure (spikes, window and step in one unit)."""

    def __call__(self, spike_matrix: Any, window_size: Any, dt: Any = None) -> jax.Array: ...


def _window_measure(kernel: Callable[..., jax.Array], example: str) -> _WindowMeasure:
    """The braintools form of ``kernel(spikes, window, dt)``: the window in steps of ``dt``."""

    def measure(spike_matrix: Any, window_size: Any, dt: Any = None) -> jax.Array:
        return kernel(magnitude(spike_matrix), ratio(window_size, dt), 1.0)

    measure.__name__ = measure.__qualname__ = kernel.__name__
    return _braintools(kernel, _WINDOW, example)(measure)


spike_train_synchrony = _window_measure(
    core_analysis.spike_train_synchrony,
    """    >>> s = np.zeros((100, 3), np.float32)
    >>> s[[20, 50]] = 1  # the three neurons fire together, twice
    >>> print(braintools.metric.spike_train_synchrony(s, window_size=10.0, dt=1.0))
    1.0
""",
)


@_braintools(
    core_analysis.burst_synchrony_index,
    f"``max_isi`` and ``dt`` are numbers in one unit or Quantities; {_DT}",
    """    >>> s = np.zeros((50, 2), np.float32)
    >>> s[10:15] = 1
    >>> print(braintools.metric.burst_synchrony_index(s, max_isi=2.0, dt=1.0))
    1.0
""",
)
def burst_synchrony_index(
    spike_matrix: Any, burst_threshold: int = 3, max_isi: Any = 100.0, dt: Any = None
) -> jax.Array:
    return core_analysis.burst_synchrony_index(
        magnitude(spike_matrix), burst_threshold, ratio(max_isi, dt), 1.0
    )


@_braintools(
    core_analysis.phase_locking_value,
    f"``reference_freq`` in Hz (or a Quantity); {_SECONDS} {_DT}",
    """    >>> s = np.zeros((1000, 1), np.float32)
    >>> s[::100] = 1
    >>> plv = braintools.metric.phase_locking_value(s, 10.0, dt=1.0 * u.ms)
    >>> print(f"{plv[0]:.3f}")
    1.000
""",
)
def phase_locking_value(spike_matrix: Any, reference_freq: Any, dt: Any = None) -> jax.Array:
    return core_analysis.phase_locking_value(
        magnitude(spike_matrix), in_unit(reference_freq, "Hz"), seconds(dt)
    )


@_braintools(
    core_analysis.spike_time_tiling_coefficient,
    f"``tau`` and ``dt`` are numbers in one unit or Quantities; {_DT}",
    """    >>> s = np.zeros((100, 2), np.float32)
    >>> s[10:30] = 1
    >>> print(braintools.metric.spike_time_tiling_coefficient(s, dt=1.0, tau=5.0)[0, 1])
    1.0
""",
)
def spike_time_tiling_coefficient(spike_matrix: Any, dt: Any = None, tau: Any = 0.005) -> jax.Array:
    return core_analysis.spike_time_tiling_coefficient(magnitude(spike_matrix), 1.0, ratio(tau, dt))


correlation_index = _window_measure(
    core_analysis.correlation_index,
    """    >>> base = (np.arange(200) % 9 == 0).astype(np.float32)
    >>> print(braintools.metric.correlation_index(np.stack([base, base], 1), 10.0, dt=1.0))
    1.0
""",
)


@_braintools(
    core_analysis.cross_correlation,
    f"``bin`` and ``dt`` are numbers in one unit or Quantities; {_DT}",
    """    >>> print(braintools.metric.cross_correlation(np.ones((100, 4)), 1.0, dt=1.0))
    1.0
""",
)
def cross_correlation(spikes: Any, bin: Any, dt: Any = None, method: str = "loop") -> jax.Array:
    return core_analysis.cross_correlation(magnitude(spikes), ratio(bin, dt), 1.0, method)


@_braintools(
    core_analysis.voltage_fluctuation,
    "A Quantity is reduced to its magnitude.",
    """    >>> v = np.sin(np.arange(100.0))[:, None] * np.ones((1, 4)) * u.mV
    >>> print(f"{braintools.metric.voltage_fluctuation(v):.4f}")
    1.0000
""",
)
def voltage_fluctuation(potentials: Any, method: str = "loop") -> jax.Array:
    return core_analysis.voltage_fluctuation(magnitude(potentials), method)


@_braintools(
    core_analysis.matrix_correlation,
    "Quantities are reduced to their magnitudes.",
    """    >>> a = np.arange(9.0).reshape(3, 3)
    >>> print(braintools.metric.matrix_correlation(a, a))
    1.0
""",
)
def matrix_correlation(x: Any, y: Any) -> jax.Array:
    return core_analysis.matrix_correlation(magnitude(x), magnitude(y))


@_braintools(
    core_analysis.weighted_correlation,
    "Quantities are reduced to their magnitudes.",
    """    >>> x = np.array([1.0, 2.0, 3.0])
    >>> print(braintools.metric.weighted_correlation(x, -x, np.ones(3)))
    -1.0
""",
)
def weighted_correlation(x: Any, y: Any, w: Any) -> jax.Array:
    return core_analysis.weighted_correlation(magnitude(x), magnitude(y), magnitude(w))


@_braintools(
    core_analysis.functional_connectivity,
    "A Quantity is reduced to its magnitude.",
    """    >>> t = np.arange(10.0)
    >>> print(braintools.metric.functional_connectivity(np.stack([t, 2 * t], 1)))
    [[1. 1.]
     [1. 1.]]
""",
)
def functional_connectivity(activities: Any) -> jax.Array:
    return core_analysis.functional_connectivity(magnitude(activities))


@_braintools(
    core_analysis.functional_connectivity_dynamics,
    "A Quantity is reduced to its magnitude.",
    """    >>> x = np.random.default_rng(1).normal(size=(60, 3))
    >>> braintools.metric.functional_connectivity_dynamics(x, 30, 10).shape
    (4, 4)
""",
)
def functional_connectivity_dynamics(
    activities: Any, window_size: int = 30, step_size: int = 5
) -> jax.Array:
    return core_analysis.functional_connectivity_dynamics(
        magnitude(activities), window_size, step_size
    )


@_braintools(
    core_analysis.unitary_lfp,
    "Positions are drawn by ``brainstate.random.RandomState(seed)`` as in braintools, so "
    "a seed gives braintools' LFP; ``times`` are in ms.",
    """    >>> spikes = np.zeros((200, 3), np.float32)
    >>> spikes[20] = 1
    >>> lfp = braintools.metric.unitary_LFP(np.arange(200.0) * 0.1, spikes, "exc", seed=0)
    >>> lfp.shape
    (200,)
""",
)
def unitary_LFP(  # noqa: N802 - the braintools name
    times: Any,
    spikes: Any,
    spike_type: str,
    xmax: float = 0.2,
    ymax: float = 0.2,
    va: float = 200.0,
    lambda_: float = 0.2,
    sig_i: float = 2.1,
    sig_e: float = 2.1 * 1.5,
    location: str = "soma layer",
    seed: Any = None,
) -> jax.Array:
    spikes_ = magnitude(spikes)
    shape = np.shape(spikes_)
    positions = None
    if spike_type in ("exc", "inh") and len(shape) == 2:
        positions = brainstate.random.RandomState(seed).rand(2, shape[1])
    return core_analysis.unitary_lfp(
        magnitude(times),
        spikes_,
        spike_type,
        xmax,
        ymax,
        va,
        lambda_,
        sig_i,
        sig_e,
        location,
        positions=positions,
    )


@_braintools(
    core_analysis.power_spectral_density,
    _SECONDS,
    """    >>> x = np.sin(2 * np.pi * 10 * np.arange(4000.0) * 0.001)
    >>> freqs, psd = braintools.metric.power_spectral_density(x, 1.0 * u.ms)
    >>> print(freqs[np.argmax(psd)])
    10.0
""",
)
def power_spectral_density(
    lfp: Any,
    dt: Any,
    nperseg: int | None = None,
    noverlap: int | None = None,
    freq_range: Band | None = None,
) -> tuple[jax.Array, jax.Array]:
    return core_analysis.power_spectral_density(
        magnitude(lfp), seconds(dt), nperseg, noverlap, freq_range
    )


@_braintools(
    core_analysis.coherence_analysis,
    _SECONDS,
    """    >>> x = np.random.default_rng(0).normal(size=800)
    >>> freqs, coh = braintools.metric.coherence_analysis(x, x, 0.001)
    >>> print(f"{coh.mean():.3f}")
    1.000
""",
)
def coherence_analysis(
    lfp1: Any,
    lfp2: Any,
    dt: Any,
    nperseg: int | None = None,
    noverlap: int | None = None,
    freq_range: Band | None = None,
) -> tuple[jax.Array, jax.Array]:
    return core_analysis.coherence_analysis(
        magnitude(lfp1), magnitude(lfp2), seconds(dt), nperseg, noverlap, freq_range
    )


@_braintools(
    core_analysis.phase_amplitude_coupling,
    _SECONDS,
    """    >>> x = np.sin(2 * np.pi * 6 * np.arange(2000.0) * 0.001)
    >>> mi, centers, amp = braintools.metric.phase_amplitude_coupling(x, 0.001)
    >>> centers.shape, amp.shape
    ((18,), (18,))
""",
)
def phase_amplitude_coupling(
    lfp: Any,
    dt: Any,
    phase_freq_range: Band = (4, 8),
    amplitude_freq_range: Band = (30, 100),
    n_bins: int = 18,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    return core_analysis.phase_amplitude_coupling(
        magnitude(lfp), seconds(dt), phase_freq_range, amplitude_freq_range, n_bins
    )


@_braintools(
    core_analysis.theta_gamma_coupling,
    _SECONDS,
    """    >>> x = np.sin(2 * np.pi * 6 * np.arange(2000.0) * 0.001)
    >>> bool(0.0 <= braintools.metric.theta_gamma_coupling(x, 0.001) <= 1.0)
    True
""",
)
def theta_gamma_coupling(lfp: Any, dt: Any) -> jax.Array:
    return core_analysis.theta_gamma_coupling(magnitude(lfp), seconds(dt))


@_braintools(
    core_analysis.current_source_density,
    "``electrode_spacing`` is a Quantity or a number of mm.",
    """    >>> phi = np.array([0.0, 1.0, 4.0, 9.0])
    >>> print(braintools.metric.current_source_density(phi, 1000.0 * u.um))
    [-2. -2.]
""",
)
def current_source_density(
    lfp_laminar: Any, electrode_spacing: Any, conductivity: Any = 1.0, axis: int = -1
) -> jax.Array:
    return core_analysis.current_source_density(
        magnitude(lfp_laminar), in_unit(electrode_spacing, "mm"), conductivity, axis
    )


@_braintools(
    core_analysis.spectral_entropy,
    _SECONDS,
    """    >>> x = np.sin(2 * np.pi * 10 * np.arange(2000.0) * 0.001)
    >>> bool(braintools.metric.spectral_entropy(x, 0.001) < 0.5)
    True
""",
)
def spectral_entropy(lfp: Any, dt: Any, freq_range: Band = (1, 100)) -> jax.Array:
    return core_analysis.spectral_entropy(magnitude(lfp), seconds(dt), freq_range)


@_braintools(
    core_analysis.lfp_phase_coherence,
    _SECONDS,
    """    >>> x = np.sin(2 * np.pi * 10 * np.arange(2000.0) * 0.001)
    >>> plv = braintools.metric.lfp_phase_coherence(np.stack([x, x], 1), 0.001)
    >>> print(f"{plv[0, 1]:.3f}")
    1.000
""",
)
def lfp_phase_coherence(lfp_signals: Any, dt: Any, freq_band: Band = (8, 12)) -> jax.Array:
    return core_analysis.lfp_phase_coherence(magnitude(lfp_signals), seconds(dt), freq_band)
