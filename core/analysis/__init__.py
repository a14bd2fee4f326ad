"""Analysis of spike trains and field potentials: pure, jittable functions.

Spike-train distances (differentiable, usable as training losses), population synchrony
measures, correlation / connectivity analyses and spectral analyses of local field
potentials. The braintools ``metric`` names of these live in :mod:`facade.metric`, which
adds unit (``brainunit``) handling and the ``brainstate`` default time step.

Conventions:

* **Spike matrices** are ``(num_time, num_neurons)``; a non-zero entry is a spike.
* **Spike trains** given as times are 1-D arrays; non-finite entries (``inf``) are
  padding, so trains of different lengths can share one array under ``vmap``.
* **Time settings** (``dt``, window widths, bands) that decide array shapes or offsets
  must be concrete Python numbers; they are plain numbers in one unit (seconds for the
  spectral functions, whose frequencies are in Hz).
* Arrays may be traced: every function works under ``jax.jit`` with those settings
  static (``raster_plot`` and ``unitary_lfp`` take a ``size`` / ``max_spikes`` there).

Example:
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from core.analysis import van_rossum_distance
    >>> target = jnp.array([1.0, 3.0])
    >>> grad = jax.grad(van_rossum_distance)(jnp.array([1.5, 3.0]), target)
    >>> bool(grad[0] > 0)  # moving the first spike towards 1.0 reduces the distance
    True
"""

from __future__ import annotations

from ._correlation import cross_correlation as cross_correlation
from ._correlation import functional_connectivity as functional_connectivity
from ._correlation import functional_connectivity_dynamics as functional_connectivity_dynamics
from ._correlation import matrix_correlation as matrix_correlation
from ._correlation import voltage_fluctuation as voltage_fluctuation
from ._correlation import weighted_correlation as weighted_correlation
from ._lfp import UnknownLocationError as UnknownLocationError
from ._lfp import current_source_density as current_source_density
from ._lfp import unitary_lfp as unitary_lfp
from ._spectral import coherence_analysis as coherence_analysis
from ._spectral import lfp_phase_coherence as lfp_phase_coherence
from ._spectral import phase_amplitude_coupling as phase_amplitude_coupling
from ._spectral import power_spectral_density as power_spectral_density
from ._spectral import spectral_entropy as spectral_entropy
from ._spectral import theta_gamma_coupling as theta_gamma_coupling
from ._spike_distance import van_rossum_distance as van_rossum_distance
from ._spike_distance import van_rossum_distance_binned as van_rossum_distance_binned
from ._spike_distance import victor_purpura_distance as victor_purpura_distance
from ._spike_sync import burst_synchrony_index as burst_synchrony_index
from ._spike_sync import correlation_index as correlation_index
from ._spike_sync import firing_rate as firing_rate
from ._spike_sync import phase_locking_value as phase_locking_value
from ._spike_sync import raster_plot as raster_plot
from ._spike_sync import spike_time_tiling_coefficient as spike_time_tiling_coefficient
from ._spike_sync import spike_train_synchrony as spike_train_synchrony

__all__ = [
    # spike-train distances
    "victor_purpura_distance",
    "van_rossum_distance",
    "van_rossum_distance_binned",
    # population spike measures
    "raster_plot",
    "firing_rate",
    "spike_train_synchrony",
    "burst_synchrony_index",
    "phase_locking_value",
    "spike_time_tiling_coefficient",
    "correlation_index",
    # correlation and connectivity
    "cross_correlation",
    "voltage_fluctuation",
    "matrix_correlation",
    "weighted_correlation",
    "functional_connectivity",
    "functional_connectivity_dynamics",
    # field potentials
    "unitary_lfp",
    "UnknownLocationError",
    "current_source_density",
    "power_spectral_density",
    "coherence_analysis",
    "phase_amplitude_coupling",
    "theta_gamma_coupling",
    "spectral_entropy",
    "lfp_phase_coherence",
]
