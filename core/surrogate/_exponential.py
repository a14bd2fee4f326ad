r"""Exponential surrogates: Laplace-shaped :math:`e^{-\alpha|x|}` derivatives."""

from __future__ import annotations

from ._base import Hyperparameter, hyperparameter
from ._docs import documented
from ._shapes import EXP_ABS, OnCurve, Steepness, UnitArea


@documented
class PiecewiseExp(UnitArea):
    r"""Piecewise-exponential surrogate of unit area (a Laplace density).

    .. math::

        g(x) = \frac{\alpha}{2} e^{-\alpha |x|}, \qquad
        F(x) = \begin{cases} \tfrac12 e^{\alpha x} & x < 0 \\
        1 - \tfrac12 e^{-\alpha x} & x \ge 0 \end{cases}

    Same formula as braintools ``PiecewiseExp`` and spikingjelly ``PiecewiseExp``; it is
    :class:`SlayerGrad` with the same ``alpha``, scaled by :math:`\alpha/2`.

    Args:
        alpha: steepness; :math:`g(0) = \alpha / 2`; > 0.
        {flags}

    Example:
        >>> from core.surrogate import PiecewiseExp
        >>> laplace = PiecewiseExp(alpha=2.0)
        >>> print(laplace.surrogate_grad(0.0), laplace.surrogate_fun(20.0))  # peak, area
        1.0 1.0

    References:
        {neftci_2019}
    """

    _curve = EXP_ABS


@documented
class SlayerGrad(Steepness):
    r"""SLAYER's exponential surrogate :math:`e^{-\alpha|x|}`.

    .. math::

        g(x) = e^{-\alpha |x|}, \qquad
        F(x) = \begin{cases} e^{\alpha x}/\alpha & x < 0 \\
        (2 - e^{-\alpha x})/\alpha & x \ge 0 \end{cases}

    Same formula as braintools ``SlayerGrad``. The the braintools "Training Utilities" page sets
    ``slayer_grad(alpha=4.0)`` where braintools 0.3.0 uses ``alpha=1.0``; the
    class and its function both default to 4.0 here. braintools defines no
    ``surrogate_fun``.

    Args:
        alpha: decay rate; :math:`g(0) = 1`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import SlayerGrad
        >>> print(round(float(jax.grad(SlayerGrad(alpha=4.0))(0.0)), 4))
        1.0

    References:
        Shrestha & Orchard, "SLAYER: Spike layer error reassignment in time",
        NeurIPS 2018.
    """

    alpha: Hyperparameter = hyperparameter(4.0)

    _curve = EXP_ABS


@documented
class SpikeRateEscape(OnCurve):
    r"""Escape-rate surrogate :math:`k\,e^{-\beta|x|}` (snntorch's ``spike_rate_escape``).

    .. math::

        g(x) = k\, e^{-\beta |x|}, \qquad F(x) = k \cdot \text{(integral of } e^{-\beta|x|}).

    snntorch centres its curve one unit above the threshold
    (:math:`e^{-\beta|x - 1|}`); ours is centred on the threshold like every
    other surrogate here. braintools has no escape-rate surrogate.

    Args:
        beta: decay rate; > 0.
        slope: scale :math:`k`; :math:`g(0) = k`; > 0.
        {flags}

    Example:
        >>> import jax
        >>> from core.surrogate import SpikeRateEscape
        >>> print(round(float(jax.grad(SpikeRateEscape(beta=1.0, slope=25.0))(0.0)), 4))
        25.0

    References:
        Gerstner et al., "Neuronal Dynamics", chapter 9 (escape noise), 2014.
    """

    beta: Hyperparameter = hyperparameter(1.0)
    slope: Hyperparameter = hyperparameter(25.0)

    _curve = EXP_ABS

    def _on_curve(self) -> tuple[Hyperparameter, ...]:
        return self.slope, self.beta
