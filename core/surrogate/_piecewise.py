r"""Piecewise surrogates: triangles, boxes, leaky ramps and their relatives."""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

from ._base import Hyperparameter, Surrogate, hyperparameter
from ._docs import documented
from ._shapes import TRIANGLE, OnCurve, logistic_fun, logistic_grad


@documented
class PiecewiseQuadratic(OnCurve):
    r"""Piecewise-quadratic surrogate: a triangle of height :math:`\alpha`, width :math:`2/\alpha`.

    .. math::

        g(x) = \max(\alpha - \alpha^2 |x|,\ 0), \qquad
        F(x) = \begin{cases}
            0 & x < -1/\alpha \\
            -\tfrac12\alpha^2 x|x| + \alpha x + \tfrac12 & |x| \le 1/\alpha \\
            1 & x > 1/\alpha
        \end{cases}

    Same formula as braintools ``PiecewiseQuadratic`` and spikingjelly
    ``PiecewiseQuadratic``.

    Args:
        alpha: height of the triangle, the inverse of its half-width; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import PiecewiseQuadratic
        >>> print(round(float(jax.grad(PiecewiseQuadratic(alpha=1.0))(0.5)), 4))
        0.5

    References:
        Esser et al., "Convolutional networks for fast, energy-efficient
        neuromorphic computing", PNAS 113(41), 2016.
    """

    alpha: Hyperparameter = hyperparameter(1.0)

    _curve = TRIANGLE

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, self.alpha, 1.0 / self.alpha


@documented
class Triangular(OnCurve):
    r"""A true triangle of unit area and half-width ``width``.

    .. math::

        g(x) = \frac{1}{w}\max\Bigl(1 - \frac{|x|}{w},\ 0\Bigr), \qquad
        F(x) = \text{its integral from } -\infty \text{ (0 to 1)}.

    snntorch's ``triangular`` is not a triangle: its "gradient" is
    :math:`+\theta` below and :math:`-\theta` above threshold. norse's
    ``triangle`` and braintools' :class:`ReluGrad` / :class:`PiecewiseQuadratic`
    are triangles with other normalisations.

    Args:
        width: half-width :math:`w` of the support; the peak is :math:`1/w`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import Triangular
        >>> print(round(float(jax.grad(Triangular(width=2.0))(1.0)), 4))
        0.25

    References:
        Bellec et al., "Long short-term memory and learning-to-learn in networks
        of spiking neurons", NeurIPS 2018.
    """

    width: Hyperparameter = hyperparameter(1.0)

    _curve = TRIANGLE

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, 1.0 / self.width, self.width


@documented
class ReluGrad(OnCurve):
    r"""ReLU-shaped triangle of braintools: :math:`\max(\alpha w - \alpha|x|, 0)`.

    .. math::

        g(x) = \max\bigl(\alpha (w - |x|),\ 0\bigr), \qquad
        F(x) = \text{its integral from } -\infty \text{ (0 to } \alpha w^2).

    braintools 0.3.0 defaults to ``alpha=0.3``; the braintools "Training Utilities" page sets
    ``alpha=1.0``, which is ours. braintools defines no ``surrogate_fun``.

    Args:
        alpha: slope of the triangle's sides; > 0.
        width: half-width :math:`w` of the support; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import ReluGrad
        >>> print(ReluGrad().surrogate_grad(jnp.array([0.0, 0.25, 1.0])))
        [1.   0.75 0.  ]

    References:
        {neftci_2019}
    """

    alpha: Hyperparameter = hyperparameter(1.0)
    width: Hyperparameter = hyperparameter(1.0)

    _curve = TRIANGLE

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, self.alpha * self.width, self.width


@documented
class Boxcar(Surrogate):
    r"""Rectangular (boxcar) surrogate of unit area and width ``width``.

    .. math::

        g(x) = \frac{1}{w}\,[\,|x| \le w/2\,], \qquad
        F(x) = \operatorname{clip}\bigl(x/w + \tfrac12,\ 0,\ 1\bigr).

    The "rectangular" pseudo-derivative of STBP (Wu et al.), also exported as
    ``Rect``. braintools has no boxcar; snntorch's ``heaviside`` has no gradient.

    Args:
        width: total width :math:`w` of the box; its height is :math:`1/w`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import Boxcar
        >>> print(round(float(jax.grad(Boxcar(width=0.5))(0.2)), 4))
        2.0

    References:
        Wu et al., "Spatio-temporal backpropagation for training high-performance
        spiking neural networks", Frontiers in Neuroscience 12, 2018.
    """

    width: Hyperparameter = hyperparameter(1.0)

    def surrogate_grad(self, x: Array) -> Array:
        return jnp.where(jnp.abs(x) <= 0.5 * self.width, 1.0 / self.width, 0.0)

    def surrogate_fun(self, x: Array) -> Array:
        return jnp.clip(x / self.width + 0.5, 0.0, 1.0)


Rect = Boxcar


@documented
class StraightThrough(Surrogate):
    r"""Straight-through estimator: the gradient passes unchanged.

    .. math::

        g(x) = 1, \qquad F(x) = x.

    snntorch's ``straight_through_estimator``. It has no hyperparameter, so
    ``learnable`` has no effect; ``smooth_forward`` makes the layer the identity.

    Args:
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import StraightThrough
        >>> print(float(jax.grad(StraightThrough())(-7.0)))
        1.0

    References:
        Bengio, Leonard & Courville, "Estimating or propagating gradients through
        stochastic neurons for conditional computation", arXiv:1308.3432, 2013.
    """

    def surrogate_grad(self, x: Array) -> Array:
        return jnp.ones_like(x)

    def surrogate_fun(self, x: Array) -> Array:
        return x


@documented
class PiecewiseLeakyRelu(Surrogate):
    r"""Piecewise leaky-ReLU surrogate: slope :math:`1/(2w)` inside, ``c`` outside.

    .. math::

        g(x) = \begin{cases} \frac{1}{2w} & |x| \le w \\ c & |x| > w \end{cases},
        \qquad
        F(x) = \begin{cases}
            c x + c w & x < -w \\
            \frac{x}{2w} + \frac12 & |x| \le w \\
            c x - c w + 1 & x > w
        \end{cases}

    Same formula as braintools ``PiecewiseLeakyRelu`` and spikingjelly
    ``PiecewiseLeakyReLU``.

    Args:
        c: slope outside the window; >= 0.
        w: half-width of the window; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import PiecewiseLeakyRelu
        >>> print(PiecewiseLeakyRelu(c=0.01, w=1.0).surrogate_grad(jnp.array([0.0, 3.0])))
        [0.5  0.01]

    References:
        {spikingjelly}
    """

    c: Hyperparameter = hyperparameter(0.01, low_open=False)
    w: Hyperparameter = hyperparameter(1.0)

    def surrogate_grad(self, x: Array) -> Array:
        return jnp.where(jnp.abs(x) > self.w, self.c, 0.5 / self.w)

    def surrogate_fun(self, x: Array) -> Array:
        inside = 0.5 * x / self.w + 0.5
        below = self.c * (x + self.w)
        above = self.c * (x - self.w) + 1.0
        return jnp.where(x < -self.w, below, jnp.where(x > self.w, above, inside))


@documented
class LeakyRelu(Surrogate):
    r"""Leaky-ReLU surrogate: slope ``alpha`` below threshold, ``beta`` above.

    .. math::

        g(x) = \begin{cases} \alpha & x < 0 \\ \beta & x \ge 0 \end{cases},
        \qquad F(x) = \begin{cases} \alpha x & x < 0 \\ \beta x & x \ge 0 \end{cases}

    Same formula as braintools ``LeakyRelu`` and spikingjelly ``LeakyKReLU``.

    Args:
        alpha: slope below threshold; >= 0.
        beta: slope at and above threshold; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import LeakyRelu
        >>> print(LeakyRelu().surrogate_grad(jnp.array([-2.0, 0.0, 2.0])))
        [0.1 1.  1. ]

    References:
        {spikingjelly}
    """

    alpha: Hyperparameter = hyperparameter(0.1, low_open=False)
    beta: Hyperparameter = hyperparameter(1.0)

    def surrogate_grad(self, x: Array) -> Array:
        return jnp.where(x < 0, self.alpha, self.beta)

    def surrogate_fun(self, x: Array) -> Array:
        return jnp.where(x < 0, self.alpha * x, self.beta * x)


@documented
class LogTailedRelu(Surrogate):
    r"""Log-tailed ReLU surrogate: leaky below 0, linear on (0, 1], logarithmic above.

    .. math::

        g(x) = \begin{cases} \alpha & x \le 0 \\ 1 & 0 < x \le 1 \\ 1/x & x > 1 \end{cases},
        \qquad
        F(x) = \begin{cases} \alpha x & x \le 0 \\ x & 0 < x \le 1 \\ 1 + \log x & x > 1 \end{cases}

    Same formula as braintools ``LogTailedRelu`` and spikingjelly ``LogTailedReLU``.

    Args:
        alpha: slope below threshold; >= 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import LogTailedRelu
        >>> print(round(float(jax.grad(LogTailedRelu())(4.0)), 4))
        0.25

    References:
        Cai et al., "Deep learning with low precision by half-wave Gaussian
        quantization", CVPR 2017.
    """

    alpha: Hyperparameter = hyperparameter(0.0, low_open=False)

    def surrogate_grad(self, x: Array) -> Array:
        x_tail = jnp.where(x > 1, x, 1.0)
        return jnp.where(x > 1, 1.0 / x_tail, jnp.where(x > 0, 1.0, self.alpha))

    def surrogate_fun(self, x: Array) -> Array:
        x_tail = jnp.where(x > 1, x, 1.0)
        return jnp.where(x > 1, 1.0 + jnp.log(x_tail), jnp.where(x > 0, x, self.alpha * x))


@documented
class S2NN(Surrogate):
    r"""S2NN surrogate: sigmoid below threshold, logarithmic above.

    .. math::

        g(x) = \begin{cases}
            \alpha\,\sigma(\alpha x)(1 - \sigma(\alpha x)) & x < 0 \\
            \beta / (x + 1) & x \ge 0
        \end{cases},
        \qquad
        F(x) = \begin{cases}
            \sigma(\alpha x) & x < 0 \\
            \beta \log(x + 1 + \epsilon) + \tfrac12 & x \ge 0
        \end{cases}

    Same formula as braintools ``S2NN`` and spikingjelly ``S2NN``. With the
    defaults, :math:`g` jumps at 0 (from :math:`\alpha/4 = 1` to :math:`\beta`).

    Args:
        alpha: steepness of the sigmoid branch; > 0.
        beta: scale of the logarithmic branch; > 0.
        epsilon: offset inside the logarithm of ``surrogate_fun``; >= 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import S2NN
        >>> print(S2NN().surrogate_grad(jnp.array([-1.0, 0.0, 1.0])))  # sigmoid, then 1/(x+1)
        [0.07065082 1.         0.5       ]

    References:
        Suetake et al., "S3NN: Time step reduction of spiking surrogate gradients
        for training energy efficient single-step spiking neural networks",
        Neural Networks 159, 2023.
    """

    alpha: Hyperparameter = hyperparameter(4.0)
    beta: Hyperparameter = hyperparameter(1.0)
    epsilon: Hyperparameter = hyperparameter(1e-8, low_open=False)

    def surrogate_grad(self, x: Array) -> Array:
        x_right = jnp.where(x < 0, 0.0, x)
        return jnp.where(x < 0, logistic_grad(x, self.alpha), self.beta / (x_right + 1.0))

    def surrogate_fun(self, x: Array) -> Array:
        x_right = jnp.where(x < 0, 0.0, x)
        right = self.beta * jnp.log(x_right + 1.0 + self.epsilon) + 0.5
        return jnp.where(x < 0, logistic_fun(x, self.alpha), right)
