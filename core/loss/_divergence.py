"""Kullback-Leibler divergences and label smoothing."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import check_real

from . import _docs
from . import _validate as v
from ._jit import kernel

__all__ = [
    "convex_kl_divergence",
    "kl_divergence",
    "kl_divergence_with_log_targets",
    "smooth_labels",
]


def _pair(log_predictions: ArrayLike, name_b: str, b: ArrayLike) -> tuple[jax.Array, jax.Array]:
    return v.paired("log_predictions", log_predictions, name_b, b, floating=True)


@fill_doc(**_docs.FLOAT_PAIR)
def kl_divergence(log_predictions: ArrayLike, targets: ArrayLike) -> jax.Array:
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` over the last axis.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \sum_k p_k \,(\log p_k - \log q_k),
        \qquad 0 \log 0 := 0

    The :math:`0 \log 0` terms are masked so value and gradient stay finite where a
    target probability is zero.

    Args:
        log_predictions: Float log-probabilities :math:`\log q`, shape ``(..., classes)``.
        targets: Float probabilities :math:`p`, same shape.

    {divergence_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import kl_divergence
        >>> p = jnp.array([0.5, 0.3, 0.2])
        >>> q = jnp.array([0.4, 0.4, 0.2])
        >>> print(f"{kl_divergence(jnp.log(q), p):.4f}")
        0.0253
    """
    return _divergence(*_pair(log_predictions, "targets", targets), kind="kl")


@kernel("kind")
def _divergence(lq: jax.Array, target: jax.Array, *, kind: str) -> jax.Array:
    """The divergence ``kind`` of ``q`` (given as ``log q``) from the target.

    ``"kl"``: ``sum p (log p - log q)`` with the ``0 log 0`` terms masked (value and
    gradient); ``"convex"``: that plus ``sum (q - p)``; ``"log_targets"``: the target is
    ``log p`` and terms with ``log p = -inf`` are 0.
    """
    if kind == "log_targets":
        absent = jnp.isneginf(target)
        safe_lp = jnp.where(absent, 0.0, target)
        terms = jnp.where(absent, 0.0, jnp.exp(safe_lp) * (safe_lp - lq))
        return jnp.sum(terms, axis=-1)
    zero = target == 0
    log_p = jnp.where(zero, 0.0, jnp.log(jnp.where(zero, 1.0, target)))
    kl = jnp.sum(target * (log_p - lq), axis=-1)
    return kl if kind == "kl" else kl + jnp.sum(jnp.exp(lq) - target, axis=-1)


@fill_doc(**_docs.FLOAT_PAIR)
def kl_divergence_with_log_targets(log_predictions: ArrayLike, log_targets: ArrayLike) -> jax.Array:
    r"""KL divergence with the targets given as log-probabilities.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \sum_k e^{\log p_k} (\log p_k - \log q_k)

    Terms with :math:`\log p_k = -\infty` contribute 0 (value and gradient).

    Args:
        log_predictions: Float log-probabilities :math:`\log q`, shape ``(..., classes)``.
        log_targets: Float log-probabilities :math:`\log p`, same shape.

    {divergence_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import kl_divergence_with_log_targets
        >>> log_p = jnp.log(jnp.array([0.5, 0.5, 0.0]))  # log 0 = -inf: contributes 0
        >>> print(f"{kl_divergence_with_log_targets(jnp.zeros(3) - jnp.log(3.0), log_p):.4f}")
        0.4055
    """
    return _divergence(*_pair(log_predictions, "log_targets", log_targets), kind="log_targets")


@fill_doc(**_docs.FLOAT_PAIR)
def convex_kl_divergence(log_predictions: ArrayLike, targets: ArrayLike) -> jax.Array:
    r"""Generalized (convex in :math:`\log q`) KL divergence for unnormalized measures.

    .. math::

        D(p \,\|\, q) = \sum_k p_k (\log p_k - \log q_k) + \sum_k (q_k - p_k)

    Args:
        log_predictions: Float log-values :math:`\log q`, shape ``(..., classes)``.
        targets: Float non-negative values :math:`p`, same shape.

    {divergence_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import convex_kl_divergence
        >>> # unnormalized p = (2, 2) against q = (1, 1): 2 (2 log 2) + (1 + 1 - 2 - 2)
        >>> print(f"{convex_kl_divergence(jnp.zeros(2), jnp.array([2.0, 2.0])):.4f}")
        0.7726
    """
    return _divergence(*_pair(log_predictions, "targets", targets), kind="convex")


def smooth_labels(labels: ArrayLike, alpha: float) -> jax.Array:
    r"""Label smoothing: mix one-hot targets with the uniform distribution.

    .. math::

        \tilde y_k = (1 - \alpha)\, y_k + \frac{\alpha}{K}

    Args:
        labels: Float one-hot (or probability) labels, shape ``(..., K)``.
        alpha: Smoothing weight in ``[0, 1]``.

    Returns:
        The smoothed labels, same shape and dtype.

    Raises:
        TypeError: ``labels`` is not floating point.
        ValueError: ``alpha`` is outside ``[0, 1]`` (checked when concrete).

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import smooth_labels
        >>> print(smooth_labels(jnp.array([[1.0, 0.0, 0.0, 0.0]]), 0.2))
        [[0.85 0.05 0.05 0.05]]

    References:
        Szegedy et al., *Rethinking the Inception Architecture for Computer Vision*,
        CVPR 2016.
    """
    y = v.float_array("labels", labels)
    v.min_ndim("labels", y, 1, "classes on the last axis")
    check_real("alpha", alpha, low=0, high=1)
    return (1.0 - alpha) * y + alpha / y.shape[-1]
