"""Shared surrogate shapes: each derivative with its closed-form antiderivative.

Several named surrogates are the same curve with different parameterisations
(``PiecewiseQuadratic``, ``ReluGrad`` and ``Triangular`` are all triangles), so the
curve lives here once, as a :class:`Curve`, and such a surrogate is an :class:`OnCurve`:
it names its curve and maps its hyperparameters to the curve's parameters in one
place, from which both its derivative and its antiderivative follow.

Every formula is written to stay finite for any finite input in float16, bfloat16,
float32 and float64: no branch of a ``where`` is allowed to overflow to ``inf`` in a
way that could poison a gradient.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

from ._base import Hyperparameter, Surrogate, abs_up, hyperparameter

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


class Curve(NamedTuple):
    """A surrogate derivative and its antiderivative, both functions of ``(x, *parameters)``."""

    grad: Callable[..., Array]
    fun: Callable[..., Array]


TRIANGLE = Curve(triangle_grad, triangle_fun)
FAST_SIGMOID = Curve(fast_sigmoid_grad, fast_sigmoid_fun)
EXP_ABS = Curve(exp_abs_grad, exp_abs_fun)
LOGISTIC = Curve(logistic_grad, logistic_fun)
NORMAL = Curve(normal_pdf, normal_cdf)


class OnCurve(Surrogate):
    r"""A surrogate that is a scaled shared curve: :math:`g = s\,c'(x; p)`, :math:`F = s\,c(x; p)`.

    A subclass sets ``_curve`` and writes :meth:`_on_curve`, which gives the scale
    :math:`s` and the curve's parameters :math:`p` from its hyperparameters; the
    derivative and the antiderivative both follow from it, so they cannot disagree.
    """

    @property
    @abc.abstractmethod
    def _curve(self) -> Curve:
        """The shared curve (a class attribute in each subclass)."""

    @abc.abstractmethod
    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        """``(scale, *parameters)``: the factor :math:`s` and the curve's arguments :math:`p`."""

    def surrogate_grad(self, x: Array) -> Array:
        scale, *parameters = self._on_curve()
        return scale * self._curve.grad(x, *parameters)

    def surrogate_fun(self, x: Array) -> Array:
        scale, *parameters = self._on_curve()
        return scale * self._curve.fun(x, *parameters)



class Steepness(OnCurve):
    r"""A shared curve as it is, with steepness :math:`\alpha`: :math:`g = c'(x; \alpha)`.

    A subclass sets ``_curve`` and, where its default is not 1, redeclares ``alpha``.
    """

    alpha: Hyperparameter = hyperparameter(1.0)

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, self.alpha


class UnitArea(Steepness):
    r"""A curve of area :math:`2/\alpha` made a density: :math:`g = \tfrac{\alpha}{2}c'(x; \alpha)`.

    For :data:`EXP_ABS` and :data:`FAST_SIGMOID` (both :math:`c'(0) = 1`, area
    :math:`2/\alpha`) this gives a density with peak :math:`g(0) = \alpha/2`. A subclass
    sets only ``_curve``.
    """

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 0.5 * self.alpha, self.alpha
