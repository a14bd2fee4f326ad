"""braintools-compatible ``metric`` names for the training losses.

``facade.metric`` re-exports the braintools 0.3.0 loss names; each is the *same
function object* as in :mod:`core.loss` (same semantics and defaults as braintools),
so ``import facade as braintools`` runs
``braintools.metric.softmax_cross_entropy_with_integer_labels(logits, labels).mean()``
as written. Where braintools has a known defect the core function does the right thing
instead (out-of-range labels raise rather than give NaN, validation raises
``TypeError`` / ``ValueError`` instead of ``assert``); see the compatibility table in
the loss API page. The SNN readout losses live in :mod:`core.loss` only.

The spike-train, correlation and LFP analyses (``firing_rate``, ``van_rossum_distance``,
``power_spectral_density``, ...) are thin wrappers over :mod:`core.analysis` that accept
``brainunit`` quantities and default ``dt`` to ``brainstate.environ.get_dt()``, as
braintools does; ``L1Loss`` is the object form of :func:`core.loss.l1_loss`.

Example:
    >>> import jax.numpy as jnp
    >>> import facade as braintools
    >>> logits = jnp.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> labels = jnp.array([0, 1])
    >>> loss = braintools.metric.softmax_cross_entropy_with_integer_labels(logits, labels)
    >>> print(f"{loss.mean():.4f}")
    0.3185
"""

from __future__ import annotations

from core.loss import absolute_error as absolute_error
from core.loss import convex_kl_divergence as convex_kl_divergence
from core.loss import cosine_distance as cosine_distance
from core.loss import cosine_similarity as cosine_similarity
from core.loss import ctc_loss as ctc_loss
from core.loss import ctc_loss_with_forward_probs as ctc_loss_with_forward_probs
from core.loss import hinge_loss as hinge_loss
from core.loss import huber_loss as huber_loss
from core.loss import kl_divergence as kl_divergence
from core.loss import kl_divergence_with_log_targets as kl_divergence_with_log_targets
from core.loss import l1_loss as l1_loss
from core.loss import l2_loss as l2_loss
from core.loss import l2_norm as l2_norm
from core.loss import log_cosh as log_cosh
from core.loss import make_fenchel_young_loss as make_fenchel_young_loss
from core.loss import multiclass_hinge_loss as multiclass_hinge_loss
from core.loss import multiclass_perceptron_loss as multiclass_perceptron_loss
from core.loss import nll_loss as nll_loss
from core.loss import pairwise_cosine_distance as pairwise_cosine_distance
from core.loss import pairwise_cosine_similarity as pairwise_cosine_similarity
from core.loss import perceptron_loss as perceptron_loss
from core.loss import poly_loss_cross_entropy as poly_loss_cross_entropy
from core.loss import ranking_softmax_loss as ranking_softmax_loss
from core.loss import safe_norm as safe_norm
from core.loss import sigmoid_binary_cross_entropy as sigmoid_binary_cross_entropy
from core.loss import sigmoid_focal_loss as sigmoid_focal_loss
from core.loss import smooth_labels as smooth_labels
from core.loss import softmax_cross_entropy as softmax_cross_entropy
from core.loss import (
    softmax_cross_entropy_with_integer_labels as softmax_cross_entropy_with_integer_labels,
)
from core.loss import squared_error as squared_error

from . import _analysis
from ._analysis import burst_synchrony_index as burst_synchrony_index
from ._analysis import coherence_analysis as coherence_analysis
from ._analysis import correlation_index as correlation_index
from ._analysis import cross_correlation as cross_correlation
from ._analysis import current_source_density as current_source_density
from ._analysis import firing_rate as firing_rate
from ._analysis import functional_connectivity as functional_connectivity
from ._analysis import functional_connectivity_dynamics as functional_connectivity_dynamics
from ._analysis import lfp_phase_coherence as lfp_phase_coherence
from ._analysis import matrix_correlation as matrix_correlation
from ._analysis import phase_amplitude_coupling as phase_amplitude_coupling
from ._analysis import phase_locking_value as phase_locking_value
from ._analysis import power_spectral_density as power_spectral_density
from ._analysis import raster_plot as raster_plot
from ._analysis import spectral_entropy as spectral_entropy
from ._analysis import spike_time_tiling_coefficient as spike_time_tiling_coefficient
from ._analysis import spike_train_synchrony as spike_train_synchrony
from ._analysis import theta_gamma_coupling as theta_gamma_coupling
from ._analysis import unitary_LFP as unitary_LFP
from ._analysis import van_rossum_distance as van_rossum_distance
from ._analysis import victor_purpura_distance as victor_purpura_distance
from ._analysis import voltage_fluctuation as voltage_fluctuation
from ._analysis import weighted_correlation as weighted_correlation
from ._l1loss import L1Loss as L1Loss

# the losses (core.loss functions, L1Loss), then the analyses listed by _analysis
__all__ = [
    "absolute_error",
    "convex_kl_divergence",
    "cosine_distance",
    "cosine_similarity",
    "ctc_loss",
    "ctc_loss_with_forward_probs",
    "hinge_loss",
    "huber_loss",
    "kl_divergence",
    "kl_divergence_with_log_targets",
    "l1_loss",
    "L1Loss",
    "l2_loss",
    "l2_norm",
    "log_cosh",
    "make_fenchel_young_loss",
    "multiclass_hinge_loss",
    "multiclass_perceptron_loss",
    "nll_loss",
    "pairwise_cosine_distance",
    "pairwise_cosine_similarity",
    "perceptron_loss",
    "poly_loss_cross_entropy",
    "ranking_softmax_loss",
    "safe_norm",
    "sigmoid_binary_cross_entropy",
    "sigmoid_focal_loss",
    "smooth_labels",
    "softmax_cross_entropy",
    "softmax_cross_entropy_with_integer_labels",
    "squared_error",
]
__all__ += _analysis.__all__
