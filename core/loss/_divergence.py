"""Kullback-Leibler divergences and label smoothing."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._validation import check_real

from . import _validate as v
from ._jit import kernel

__all__ = [
    "convex_kl_divergence",
    "kl_divergence",
    "kl_divergence_with_log_targets",
    "smooth_labels",
]


def _pair(log_predictions: ArrayLike, name_b: str, b: ArrayLike) -> tuple[jax.Array, jax.Array]:
    lp = v.float_array("log_predictions", log_predictions)
    t = v.float_array(name_b, b).astype(lp.dtype)
    v.same_shape("log_predictions", lp, name_b, t)
    return lp, t


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

    Returns:
        The divergence per example, shape ``(...)``.

    Raises:
        TypeError: An input is not floating point.
        ValueError: The shapes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import kl_divergence
        >>> p = jnp.array([0.5, 0.3, 0.2])
        >>> q = jnp.array([0.4, 0.4, 0.2])
        >>> print(f"{kl_divergence(jnp.log(q), p):.4f}")
        0.0253
    """
    lp, p = _pair(log_predictions, "targets", targets)
    return _kl(lp, p)


@kernel()
def _kl(lq: jax.Array, p: jax.Array) -> jax.Array:
    """``sum p (log p - log q)`` with the ``0 log 0`` terms masked (value and gradient)."""
    zero = p == 0
    log_p = jnp.where(zero, 0.0, jnp.log(jnp.where(zero, 1.0, p)))
    return jnp.sum(p * (log_p - lq), axis=-1)


def kl_divergence_with_log_targets(log_predictions: ArrayLike, log_targets: ArrayLike) -> jax.Array:
    r"""KL divergence with the targets given as log-probabilities.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \sum_k e^{\log p_k} (\log p_k - \log q_k)

    Terms with :math:`\log p_k = -\infty` contribute 0 (value and gradient).

    Args:
        log_predictions: Float log-probabilities :math:`\log q`, shape ``(..., classes)``.
        log_targets: Float log-probabilities :math:`\log p`, same shape.

    Returns:
        The divergence per example, shape ``(...)``.

    Raises:
        TypeError: An input is not floating point.
        ValueError: The shapes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import kl_divergence_with_log_targets
        >>> p = jnp.array([0.5, 0.3, 0.2])
        >>> q = jnp.array([0.4, 0.4, 0.2])
        >>> print(f"{kl_divergence_with_log_targets(jnp.log(q), jnp.log(p)):.4f}")
        0.0253
    """
    lq, lp = _pair(log_predictions, "log_targets", log_targets)
    return _kl_log_targets(lq, lp)


@kernel()
def _kl_log_targets(lq: jax.Array, lp: jax.Array) -> jax.Array:
    absent = jnp.isneginf(lp)
    safe_lp = jnp.where(absent, 0.0, lp)
    terms = jnp.where(absent, 0.0, jnp.exp(safe_lp) * (safe_lp - lq))
    return jnp.sum(terms, axis=-1)


def convex_kl_divergence(log_predictions: ArrayLike, targets: ArrayLike) -> jax.Array:
    r"""Generalized (convex in :math:`\log q`) KL divergence for unnormalized measures.

    .. math::

        D(p \,\|\, q) = \sum_k p_k (\log p_k - \log q_k) + \sum_k (q_k - p_k)

    Args:
        log_predictions: Float log-values :math:`\log q`, shape ``(..., classes)``.
        targets: Float non-negative values :math:`p`, same shape.

    Returns:
        The divergence per example, shape ``(...)``.

    Raises:
        TypeError: An input is not floating point.
        ValueError: The shapes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import convex_kl_divergence
        >>> p = jnp.array([0.5, 0.3, 0.2])
        >>> q = jnp.array([0.5, 0.5, 0.5])
        >>> print(f"{convex_kl_divergence(jnp.log(q), p):.4f}")
        0.1635
    """
    lq, p = _pair(log_predictions, "targets", targets)
    return _convex_kl(lq, p)


@kernel()
def _convex_kl(lq: jax.Array, p: jax.Array) -> jax.Array:
    return _kl(lq, p) + jnp.sum(jnp.exp(lq) - p, axis=-1)


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
