r"""Sigmoid-like surrogates: smooth, monotone :math:`F` from 0 to a constant."""

from __future__ import annotations

import math

import jax.numpy as jnp
from jax import Array

from ._base import Hyperparameter, Surrogate, abs_up, hyperparameter
from ._docs import documented
from ._shapes import FAST_SIGMOID, LOGISTIC, OnCurve, Steepness, UnitArea


@documented
class Sigmoid(Steepness):
    r"""Logistic surrogate, the derivative of :math:`\sigma(\alpha x)`.

    .. math::

        g(x) = \alpha\,\sigma(\alpha x)\,\bigl(1 - \sigma(\alpha x)\bigr),
        \qquad F(x) = \sigma(\alpha x).

    Same formula as braintools ``Sigmoid`` and spikingjelly ``Sigmoid`` (both
    :math:`\alpha = 4`); snntorch ``sigmoid(slope=25)`` is ``alpha=slope``.

    Args:
        alpha: steepness; the peak :math:`g(0)` is :math:`\alpha / 4`; > 0.
        {flags}

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core.surrogate import Sigmoid
        >>> spike = Sigmoid(alpha=4.0)
        >>> print(spike(jnp.array([-0.5, 0.0, 0.5])))
        [0. 1. 1.]
        >>> print(round(float(jax.grad(spike)(0.0)), 4))
        1.0

    References:
        Zenke & Vogels, "The remarkable robustness of surrogate gradient learning
        for instilling complex function in spiking neural networks", Neural
        Computation 33(4), 2021.
    """

    alpha: Hyperparameter = hyperparameter(4.0)

    _curve = LOGISTIC


@documented
class Tanh(OnCurve):
    r"""Hyperbolic-tangent surrogate, the derivative of :math:`(1 + \tanh(\alpha x)) / 2`.

    .. math::

        g(x) = \frac{\alpha}{2}\bigl(1 - \tanh^2(\alpha x)\bigr),
        \qquad F(x) = \frac{1 + \tanh(\alpha x)}{2} = \sigma(2\alpha x).

    It is :class:`Sigmoid` with twice the steepness; norse's ``tanh`` threshold
    method uses this shape. braintools has no ``Tanh`` surrogate.

    Args:
        alpha: steepness; the peak :math:`g(0)` is :math:`\alpha / 2`; > 0.
        {flags}

    Example:
        >>> from core.surrogate import Sigmoid, Tanh
        >>> print(Tanh(alpha=2.0).surrogate_grad(0.5) == Sigmoid(alpha=4.0).surrogate_grad(0.5))
        True

    References:
        {neftci_2019}
    """

    alpha: Hyperparameter = hyperparameter(2.0)

    _curve = LOGISTIC

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, 2.0 * self.alpha


@documented
class SoftSign(UnitArea):
    r"""Soft-sign surrogate, the derivative of :math:`\tfrac12 + x / (2/\alpha + 2|x|)`.

    .. math::

        g(x) = \frac{\alpha}{2\,(1 + |\alpha x|)^2},
        \qquad F(x) = \frac12 + \frac{x}{2/\alpha + 2|x|}.

    Same formula as braintools ``SoftSign`` and spikingjelly ``SoftSign``.

    Args:
        alpha: steepness; :math:`g(0) = \alpha / 2`; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import SoftSign
        >>> print(SoftSign(alpha=1.0).surrogate_fun(jnp.array([-1.0, 0.0, 1.0])))
        [0.25 0.5  0.75]

    References:
        {spikingjelly}
    """

    _curve = FAST_SIGMOID


@documented
class SuperSpike(OnCurve):
    r"""SuperSpike (fast sigmoid) surrogate of Zenke & Ganguli.

    .. math::

        g(x) = \frac{1}{(1 + \beta |x|)^2},
        \qquad F(x) = \frac{1}{\beta}\Bigl(1 + \frac{x}{|x| + 1/\beta}\Bigr).

    The same curve is snntorch's ``fast_sigmoid(slope=25)`` (``beta=slope``, the
    default here), norse's ``SuperSpike`` (``alpha=100``) and braintools'
    :class:`InvSquareGrad` (``alpha=100``). braintools' ``slayer_grad`` is
    described as "SLAYER/SuperSpike" on the braintools "Training Utilities" page
    but is the exponential :class:`SlayerGrad`, not this curve.

    Args:
        beta: steepness; :math:`g(0) = 1` for every ``beta``; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import SuperSpike
        >>> print(SuperSpike(beta=25.0).surrogate_grad(jnp.array([0.0, 0.04])))
        [1.   0.25]

    References:
        {superspike}
    """

    beta: Hyperparameter = hyperparameter(25.0)

    _curve = FAST_SIGMOID

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return 1.0, self.beta


@documented
class InvSquareGrad(Steepness):
    r"""Inverse-square surrogate (braintools' name for the fast sigmoid).

    .. math::

        g(x) = \frac{1}{(\alpha |x| + 1)^2},
        \qquad F(x) = \frac{1}{\alpha}\Bigl(1 + \frac{x}{|x| + 1/\alpha}\Bigr).

    Same formula and default as braintools ``InvSquareGrad``; it is
    :class:`SuperSpike` with ``beta=alpha``. braintools defines no
    ``surrogate_fun`` for it; ours is the closed form above.

    Args:
        alpha: steepness; :math:`g(0) = 1`; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import InvSquareGrad, SuperSpike
        >>> x = jnp.linspace(-1.0, 1.0, 5)
        >>> g = InvSquareGrad(alpha=100.0).surrogate_grad(x)
        >>> bool(jnp.array_equal(g, SuperSpike(beta=100.0).surrogate_grad(x)))
        True

    References:
        {superspike}
    """

    alpha: Hyperparameter = hyperparameter(100.0)

    _curve = FAST_SIGMOID


@documented
class Arctan(Surrogate):
    r"""Arctangent surrogate, the derivative of :math:`\arctan(\pi\alpha x / 2)/\pi + 1/2`.

    .. math::

        g(x) = \frac{\alpha / 2}{1 + (\pi \alpha x / 2)^2},
        \qquad F(x) = \frac{1}{\pi}\arctan\Bigl(\frac{\pi}{2}\alpha x\Bigr) + \frac12.

    Same formula as braintools ``Arctan`` (:math:`\alpha = 1`), spikingjelly
    ``ATan`` and snntorch ``atan`` (both :math:`\alpha = 2`).

    Args:
        alpha: steepness; :math:`g(0) = \alpha / 2`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import Arctan
        >>> print(round(float(jax.grad(Arctan(alpha=2.0))(0.0)), 4))
        1.0

    References:
        Fang et al., "Incorporating learnable membrane time constant to enhance
        learning of spiking neural networks", ICCV 2021.
    """

    alpha: Hyperparameter = hyperparameter(1.0)

    def surrogate_grad(self, x: Array) -> Array:
        return 0.5 * self.alpha / (1.0 + (0.5 * math.pi * self.alpha * x) ** 2)

    def surrogate_fun(self, x: Array) -> Array:
        return jnp.arctan(0.5 * math.pi * self.alpha * x) / math.pi + 0.5


@documented
class Circ(Surrogate):
    r"""Algebraic ("circle") surrogate, derivative of :math:`\tfrac12 + x/(2\sqrt{x^2+\alpha^2})`.

    .. math::

        g(x) = \frac{\alpha^2}{2\,(x^2 + \alpha^2)^{3/2}},
        \qquad F(x) = \frac12 + \frac{x}{2\sqrt{x^2 + \alpha^2}}.

    Heavy-tailed like :class:`Arctan`; norse offers this family as its ``circ``
    threshold method. braintools has no such surrogate.

    Args:
        alpha: width; :math:`g(0) = 1 / (2\alpha)`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import Circ
        >>> print(round(float(jax.grad(Circ(alpha=0.5))(0.0)), 4))
        1.0

    References:
        Pehle & Pedersen, "Norse -- A deep learning library for spiking neural
        networks", Zenodo, 2021.
    """

    alpha: Hyperparameter = hyperparameter(1.0)

    def surrogate_grad(self, x: Array) -> Array:
        return 0.5 * self.alpha**2 / jnp.hypot(x, self.alpha) ** 3

    def surrogate_fun(self, x: Array) -> Array:
        return 0.5 + 0.5 * x / jnp.hypot(x, self.alpha)


@documented
class NonzeroSignLog(Surrogate):
    r"""Sign-log surrogate, the derivative of :math:`\operatorname{sign}(x)\log(|\alpha x| + 1)`.

    .. math::

        g(x) = \frac{1}{1/\alpha + |x|},
        \qquad F(x) = \operatorname{sign}(x)\,\log(|\alpha x| + 1).

    Same formula as braintools ``NonzeroSignLog`` and spikingjelly
    ``NonzeroSignLogAbs``. :math:`F` is unbounded, so ``smooth_forward`` gives an
    unbounded (log-growing) activation.

    Args:
        alpha: steepness; :math:`g(0) = \alpha`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import NonzeroSignLog
        >>> print(round(float(jax.grad(NonzeroSignLog(alpha=1.0))(1.0)), 4))
        0.5

    References:
        {spikingjelly}
    """

    alpha: Hyperparameter = hyperparameter(1.0)

    def surrogate_grad(self, x: Array) -> Array:
        return 1.0 / (1.0 / self.alpha + jnp.abs(x))

    def surrogate_fun(self, x: Array) -> Array:
        log_magnitude = jnp.log(self.alpha) + jnp.log(abs_up(x) + 1.0 / self.alpha)
        return jnp.where(x < 0, -log_magnitude, log_magnitude)


@documented
class QPseudoSpike(Surrogate):
    r"""q-PseudoSpike surrogate with a tunable heavy tail.

    .. math::

        g(x) = \Bigl(1 + \frac{2|x|}{\alpha + 1}\Bigr)^{-\alpha},
        \qquad F(x) = \frac12 + \operatorname{sign}(x)\,
        \frac{\alpha + 1}{2(1 - \alpha)}
        \Bigl[\Bigl(1 + \frac{2|x|}{\alpha + 1}\Bigr)^{1 - \alpha} - 1\Bigr]

    (with the limit :math:`\tfrac{\alpha+1}{2}\log(\cdot)` at :math:`\alpha = 1`).
    Same formula as braintools ``QPseudoSpike``; spikingjelly's ``QPseudoSpike``
    writes :math:`2|x|/(\alpha - 1)` instead, a different tail for the same alpha.

    Args:
        alpha: tail index; smaller is heavier-tailed. :math:`g(0) = 1`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import QPseudoSpike
        >>> print(round(float(jax.grad(QPseudoSpike(alpha=2.0))(1.5)), 4))
        0.25

    References:
        Sun et al., "Surrogate module learning: Reduce the gradient error
        accumulation in training spiking neural networks", ICML 2023.
    """

    alpha: Hyperparameter = hyperparameter(2.0)

    def surrogate_grad(self, x: Array) -> Array:
        return (1.0 + 2.0 / (self.alpha + 1.0) * jnp.abs(x)) ** (-self.alpha)

    def surrogate_fun(self, x: Array) -> Array:
        a = self.alpha
        base = 1.0 + 2.0 / (a + 1.0) * abs_up(x)
        one_minus_a = 1.0 - a
        at_one = one_minus_a == 0.0
        safe = jnp.where(at_one, 1.0, one_minus_a)
        tail = jnp.where(
            at_one,
            0.5 * (a + 1.0) * jnp.log(base),
            0.5 * (a + 1.0) / safe * (base**safe - 1.0),
        )
        return 0.5 + jnp.where(x < 0, -tail, tail)
