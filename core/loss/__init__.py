"""Pure loss functions and SNN readout losses / metrics.

Every function here is pure: it works under ``jax.jit``, ``jax.vmap`` and ``jax.grad``
and holds no state.

Conventions:

* **Per-example outputs.** Losses return one value per example (``labels.shape`` for
  classification); take ``.mean()`` for the batch loss. The regression losses that
  braintools gives a ``reduction`` argument keep it (with braintools' defaults).
* **Time axis.** The SNN readouts take recordings shaped ``(T, *batch, neurons)``
  (time-major, as a ``jax.lax.scan`` over time stacks them); pass ``time_axis=1`` for
  ``(batch, T, neurons)``. The last axis holds ``classes * population`` output neurons;
  with ``population=P``, neurons ``[c P, (c + 1) P)`` vote for class ``c``.
* **Errors.** Float scores and integer labels are required (``TypeError`` naming the
  argument); shapes must match (``ValueError`` naming both shapes). Labels out of
  ``[0, classes)`` raise ``ValueError`` naming the bad index whenever their values are
  known. Under ``jit`` (or any staging transform) they are not known: pass
  ``check=True`` and run the function through :func:`jax.experimental.checkify.checkify`,
  or ``check="callback"`` to raise the same ``ValueError`` from a host callback; without
  ``check`` an out-of-range traced label yields a NaN loss for that example, never a
  wrapped-around class.

Example:
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from jax.experimental import checkify
    >>> from core.loss import softmax_cross_entropy_with_integer_labels as ce
    >>> logits = jnp.zeros((2, 3))
    >>> try:
    ...     ce(logits, jnp.array([0, 3]))            # eager: concrete labels are checked
    ... except ValueError as err:
    ...     print(err)
    labels[1] = 3 is out of range: class indices must lie in [0, 3).
    >>> step = jax.jit(lambda z, y: ce(z, y, check=True).mean())
    >>> err, loss = checkify.checkify(step)(logits, jnp.array([0, 3]))
    >>> try:
    ...     err.throw()                               # under jit: checkify + check=True
    ... except Exception as exc:
    ...     print(type(exc).__name__, "labels" in str(exc))
    JaxRuntimeError True
    >>> step = jax.jit(lambda z, y: ce(z, y, check="callback").mean())
    >>> try:
    ...     jax.block_until_ready(step(logits, jnp.array([0, 3])))  # host callback
    ... except Exception as exc:
    ...     print("labels[1] = 3 is out of range" in str(exc))
    True
"""

from __future__ import annotations

from ._classification import hinge_loss as hinge_loss
from ._classification import multiclass_hinge_loss as multiclass_hinge_loss
from ._classification import multiclass_perceptron_loss as multiclass_perceptron_loss
from ._classification import nll_loss as nll_loss
from ._classification import perceptron_loss as perceptron_loss
from ._classification import poly_loss_cross_entropy as poly_loss_cross_entropy
from ._classification import sigmoid_binary_cross_entropy as sigmoid_binary_cross_entropy
from ._classification import sigmoid_focal_loss as sigmoid_focal_loss
from ._classification import softmax_cross_entropy as softmax_cross_entropy
from ._classification import (
    softmax_cross_entropy_with_integer_labels as softmax_cross_entropy_with_integer_labels,
)
from ._ctc import ctc_loss as ctc_loss
from ._ctc_forward import ctc_loss_with_forward_probs as ctc_loss_with_forward_probs
from ._decoded import accuracy_count as accuracy_count
from ._decoded import accuracy_first_spike as accuracy_first_spike
from ._decoded import accuracy_max_membrane as accuracy_max_membrane
from ._decoded import accuracy_rate as accuracy_rate
from ._decoded import ce_count_loss as ce_count_loss
from ._decoded import ce_max_membrane_loss as ce_max_membrane_loss
from ._decoded import ce_rate_loss as ce_rate_loss
from ._decoded import ce_temporal_loss as ce_temporal_loss
from ._divergence import convex_kl_divergence as convex_kl_divergence
from ._divergence import kl_divergence as kl_divergence
from ._divergence import kl_divergence_with_log_targets as kl_divergence_with_log_targets
from ._divergence import smooth_labels as smooth_labels
from ._fenchel_young import make_fenchel_young_loss as make_fenchel_young_loss
from ._ranking import ranking_softmax_loss as ranking_softmax_loss
from ._readout import first_spike_time as first_spike_time
from ._regression import absolute_error as absolute_error
from ._regression import huber_loss as huber_loss
from ._regression import l1_loss as l1_loss
from ._regression import l2_loss as l2_loss
from ._regression import l2_norm as l2_norm
from ._regression import log_cosh as log_cosh
from ._regression import squared_error as squared_error
from ._regularizers import l1_rate_sparsity as l1_rate_sparsity
from ._regularizers import silence_penalty as silence_penalty
from ._regularizers import sparsity_penalty as sparsity_penalty
from ._safe_norm import safe_norm as safe_norm
from ._similarity import cosine_distance as cosine_distance
from ._similarity import cosine_similarity as cosine_similarity
from ._similarity import pairwise_cosine_distance as pairwise_cosine_distance
from ._similarity import pairwise_cosine_similarity as pairwise_cosine_similarity
from ._snn import mse_count_loss as mse_count_loss
from ._snn import mse_membrane_loss as mse_membrane_loss
from ._snn import mse_temporal_loss as mse_temporal_loss
from ._snn import tet_loss as tet_loss

__all__ = [
    # classification
    "softmax_cross_entropy_with_integer_labels",
    "softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "sigmoid_focal_loss",
    "nll_loss",
    "poly_loss_cross_entropy",
    "hinge_loss",
    "perceptron_loss",
    "multiclass_hinge_loss",
    "multiclass_perceptron_loss",
    "ctc_loss",
    "ctc_loss_with_forward_probs",
    "make_fenchel_young_loss",
    "ranking_softmax_loss",
    # divergences and smoothing
    "kl_divergence",
    "kl_divergence_with_log_targets",
    "convex_kl_divergence",
    "smooth_labels",
    # regression
    "squared_error",
    "absolute_error",
    "l1_loss",
    "l2_loss",
    "l2_norm",
    "safe_norm",
    "huber_loss",
    "log_cosh",
    "cosine_similarity",
    "cosine_distance",
    "pairwise_cosine_similarity",
    "pairwise_cosine_distance",
    # SNN readout losses
    "first_spike_time",
    "ce_rate_loss",
    "ce_count_loss",
    "ce_max_membrane_loss",
    "mse_count_loss",
    "mse_membrane_loss",
    "ce_temporal_loss",
    "mse_temporal_loss",
    "tet_loss",
    # SNN readout accuracy
    "accuracy_rate",
    "accuracy_count",
    "accuracy_max_membrane",
    "accuracy_first_spike",
    # activity regularizers
    "l1_rate_sparsity",
    "silence_penalty",
    "sparsity_penalty",
]
