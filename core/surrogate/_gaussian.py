r"""Gaussian surrogates: normal densities and their distribution functions."""

from __future__ import annotations

import math
from collections.abc import Callable

from jax import Array

from ._base import Hyperparameter, Surrogate, hyperparameter
from ._docs import documented
from ._shapes import NORMAL, OnCurve, normal_cdf, normal_pdf

_SQRT2 = math.sqrt(2.0)


@documented
class ERF(OnCurve):
    r"""Error-function surrogate, the derivative of :math:`\tfrac12\operatorname{erfc}(-\alpha x)`.

    .. math::

        g(x) = \frac{\alpha}{\sqrt\pi} e^{-\alpha^2 x^2}, \qquad
        F(x) = \tfrac12\bigl(1 + \operatorname{erf}(\alpha x)\bigr).

    A normal density of standard deviation :math:`1/(\alpha\sqrt2)`. Same
    formula as braintools ``ERF`` and spikingjelly ``Erf``.

    Args:
        alpha: steepness; :math:`g(0) = \alpha / \sqrt\pi`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import ERF
        >>> print(round(float(jax.grad(ERF(alpha=1.0))(0.0)), 4))
        0.5642

    References:
        Esser et al., "Backpropagation for energy-efficient neuromorphic
        computing", NeurIPS 2015.
    """

    alpha: Hyperparameter = hyperparameter(1.0)

    _curve = NORMAL

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, 0.0, 1.0 / (_SQRT2 * self.alpha)


@documented
class GaussianGrad(OnCurve):
    r"""Gaussian surrogate: a scaled normal density.

    .. math::

        g(x) = \alpha\,\frac{1}{\sqrt{2\pi}\sigma} e^{-x^2 / (2\sigma^2)}, \qquad
        F(x) = \alpha\,\Phi(x / \sigma).

    Same formula and defaults as braintools ``GaussianGrad``, which defines no
    ``surrogate_fun``; ours is the closed form above.

    Args:
        sigma: standard deviation :math:`\sigma`; > 0.
        alpha: scale (the area under :math:`g`); > 0.
        {flags}

    Example:
        >>> from core.surrogate import GaussianGrad
        >>> g = GaussianGrad(sigma=0.5, alpha=0.5)
        >>> print(round(float(g.surrogate_fun(10.0) - g.surrogate_fun(-10.0)), 4))  # the area
        0.5

    References:
        {yin_2021}
    """

    sigma: Hyperparameter = hyperparameter(0.5)
    alpha: Hyperparameter = hyperparameter(0.5)

    _curve = NORMAL

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return self.alpha, 0.0, self.sigma


@documented
class MultiGaussianGrad(Surrogate):
    r"""Multi-Gaussian surrogate: a central Gaussian minus two wide side lobes.

    .. math::

        g(x) = k\Bigl[(1 + h)\,\mathcal N(x; 0, \sigma)
            - h\,\mathcal N(x; \sigma, s\sigma)
            - h\,\mathcal N(x; -\sigma, s\sigma)\Bigr],

    with :math:`F` the same combination of normal distribution functions.
    Same formula and defaults as braintools ``MultiGaussianGrad`` (which defines
    no ``surrogate_fun``); ``scale`` is :math:`k`.

    Args:
        h: weight of the negative side lobes; >= 0.
        s: width of the side lobes relative to ``sigma``; > 0.
        sigma: standard deviation of the central lobe; > 0.
        scale: overall scale :math:`k`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import MultiGaussianGrad
        >>> print(round(float(jax.grad(MultiGaussianGrad())(0.0)), 4))
        0.4391

    References:
        {yin_2021}
    """

    h: Hyperparameter = hyperparameter(0.15, low_open=False)
    s: Hyperparameter = hyperparameter(6.0)
    sigma: Hyperparameter = hyperparameter(0.5)
    scale: Hyperparameter = hyperparameter(0.5)

    def surrogate_grad(self, x: Array) -> Array:
        return self._mixture(normal_pdf, x)

    def surrogate_fun(self, x: Array) -> Array:
        return self._mixture(normal_cdf, x)

    def _mixture(
        self, normal: Callable[[Array, Hyperparameter, Hyperparameter], Array], x: Array
    ) -> Array:
        """Apply the lobe weights to ``normal`` (a density or a distribution function)."""
        side = self.s * self.sigma
        centre = (1.0 + self.h) * normal(x, 0.0, self.sigma)
        lobes = self.h * (normal(x, self.sigma, side) + normal(x, -self.sigma, side))
        return self.scale * (centre - lobes)
