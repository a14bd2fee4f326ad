"""Shared surrogate shapes: each derivative with its closed-form antiderivative.

Several named surrogates are the same curve with different parameterisations
(``PiecewiseQuadratic``, ``ReluGrad`` and ``Triangular`` are all triangles), so the
curve lives here once. Every formula is written to stay finite for any finite
input in float16, bfloat16, float32 and float64: no branch of a ``where`` is
allowed to overflow to ``inf`` in a way that could poison a gradient.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import Array

from ._base import Hyperparameter, abs_up

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def triangle_grad(x: Array, peak: Hyperparameter, half_width: Hyperparameter) -> Array:
    """``peak * max(1 - |x| / half_width, 0)``."""
    return peak * jnp.maximum(1.0 - jnp.abs(x) / half_width, 0.0)


def triangle_fun(x: Array, peak: Hyperparameter, half_width: Hyperparameter) -> Array:
    """Antiderivative of :func:`triangle_grad`, zero at ``-inf``."""
    c = jnp.clip(x, -half_width, half_width)
    return peak * (c - c * jnp.abs(c) / (2.0 * half_width) + half_width / 2.0)


def fast_sigmoid_grad(x: Array, alpha: Hyperparameter) -> Array:
    """``1 / (alpha |x| + 1)^2``."""
    return 1.0 / (alpha * jnp.abs(x) + 1.0) ** 2


def fast_sigmoid_fun(x: Array, alpha: Hyperparameter) -> Array:
    """Antiderivative of :func:`fast_sigmoid_grad`, zero at ``-inf``, ``2/alpha`` at ``+inf``."""
    return (1.0 + x / (jnp.abs(x) + 1.0 / alpha)) / alpha


def exp_abs_grad(x: Array, alpha: Hyperparameter) -> Array:
    """``exp(-alpha |x|)``."""
    return jnp.exp(-alpha * jnp.abs(x))


def exp_abs_fun(x: Array, alpha: Hyperparameter) -> Array:
    """Antiderivative of :func:`exp_abs_grad`, zero at ``-inf``, ``2/alpha`` at ``+inf``."""
    decay = jnp.exp(-alpha * abs_up(x))
    return jnp.where(x < 0, decay, 2.0 - decay) / alpha


def logistic_grad(x: Array, alpha: Hyperparameter) -> Array:
    """``alpha * sigmoid(alpha x) * (1 - sigmoid(alpha x))``."""
    s = jax.nn.sigmoid(alpha * x)
    return alpha * s * (1.0 - s)


def logistic_fun(x: Array, alpha: Hyperparameter) -> Array:
    """``sigmoid(alpha x)``."""
    return jax.nn.sigmoid(alpha * x)


def normal_pdf(x: Array, mean: Hyperparameter, std: Hyperparameter) -> Array:
    """Density of ``N(mean, std^2)`` at ``x``."""
    z = (x - mean) / std
    return jnp.exp(-0.5 * z * z) / (_SQRT2PI * std)


def normal_cdf(x: Array, mean: Hyperparameter, std: Hyperparameter) -> Array:
    """Distribution function of ``N(mean, std^2)`` at ``x``."""
    return 0.5 * jax.scipy.special.erfc(-(x - mean) / (_SQRT2 * std))
