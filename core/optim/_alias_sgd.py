"""Named optimizers of the SGD family, as compositions of building blocks (optax's names;
learning rate and weight decay in the state): plain, momentum, noisy and sign steps, Rprop,
and the trust-ratio methods LARS and Fromage.
"""

from __future__ import annotations

from typing import Any

import jax
from jax.typing import DTypeLike

from core._validation import as_dtype, check_real

from ._base import GradientTransformation, ScalarOrSchedule, chain, identity
from ._combine import masked
from ._named import named_optimizer, resolved
from ._scale import (
    _AddDecayedWeights,
    add_decayed_weights,
    add_noise,
    scale,
    scale_by_learning_rate,
    scale_by_sign,
    scale_by_trust_ratio,
    trace,
)
from ._sign_based import scale_by_rprop


@named_optimizer
def sgd(
    learning_rate: ScalarOrSchedule,
    momentum: float | None = None,
    nesterov: bool = False,
    accumulator_dtype: DTypeLike | None = None,
) -> GradientTransformation:
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    .. math::

        m_t = g_t + \mu m_{t-1},\quad \theta_{t+1} = \theta_t - \eta\, m_t

    Args:
        {learning_rate}
        momentum: :math:`\mu`, or ``None`` for plain SGD.
        nesterov: use Nesterov momentum.
        accumulator_dtype: floating (complex for complex parameters) dtype of the momentum
            buffer, or ``None`` for the parameter's dtype.

    Returns:
        The optimizer (:func:`trace` then :func:`scale_by_learning_rate`).

    {descend}
        >>> descend(optim.sgd(learning_rate=0.1, momentum=0.9))
        [0.062, -0.124]
    """
    if momentum is not None:
        check_real("momentum", momentum, low=0, high=1)
    accumulator_dtype = as_dtype("accumulator_dtype", accumulator_dtype)  # also without momentum
    first = identity() if momentum is None else trace(momentum, nesterov, accumulator_dtype)
    return chain(first, scale_by_learning_rate(learning_rate))


@named_optimizer
def noisy_sgd(
    learning_rate: ScalarOrSchedule,
    eta: float = 0.01,
    gamma: float = 0.55,
    key: int | jax.Array = 0,
) -> GradientTransformation:
    r"""SGD with annealed Gaussian gradient noise.

    .. math::

        \theta_{t+1} = \theta_t - \eta_{\text{lr}} (g_t + \mathcal N(0, \eta / t^\gamma))

    Args:
        learning_rate: the step size (number or schedule), >= 0.
        eta: initial noise variance.
        gamma: annealing exponent.
        key: an integer seed, a key ``jax.random.key(seed)`` or a legacy key
            ``jax.random.PRNGKey(seed)``.

    Returns:
        The optimizer: annealed Gaussian noise added, then the learning rate.

    {descend}
        >>> descend(optim.noisy_sgd(learning_rate=0.1, key=0))
        [0.525, -1.015]

    References:
        Neelakantan et al., 2015.
    """
    return chain(add_noise(eta, gamma, key), scale_by_learning_rate(learning_rate))


@named_optimizer
def sign_sgd(learning_rate: ScalarOrSchedule) -> GradientTransformation:
    r"""signSGD: step along the sign of the gradient.

    .. math::

        \theta_{t+1} = \theta_t - \eta\, \mathrm{sign}(g_t)

    Args:
        {learning_rate}

    Returns:
        The optimizer: the sign, scaled by the step size.

    {descend}
        >>> descend(optim.sign_sgd(learning_rate=0.1))
        [0.7, -1.7]

    References:
        Bernstein et al., *signSGD*, ICML 2018.
    """
    return chain(scale_by_sign(), scale_by_learning_rate(learning_rate))


@named_optimizer
def rprop(
    learning_rate: ScalarOrSchedule,
    eta_minus: float = 0.5,
    eta_plus: float = 1.2,
    min_step_size: float = 1e-6,
    max_step_size: float = 50.0,
) -> GradientTransformation:
    r"""Rprop: sign-based steps with per-element adaptive step sizes.

    .. math::

        \theta_{t+1} = \theta_t - \Delta_t\, \mathrm{sign}(g_t)

    Args:
        learning_rate: the initial step size :math:`\Delta_0`, >= 0 (used at ``init``).
        eta_minus: shrink factor.
        eta_plus: growth factor.
        min_step_size: smallest step.
        max_step_size: largest step.

    Returns:
        The optimizer: :func:`scale_by_rprop`, then a sign flip (descent).

    {descend}
        >>> descend(optim.rprop(learning_rate=0.1))
        [0.78, -1.78]

    References:
        Riedmiller & Braun, 1993.
    """
    return chain(
        scale_by_rprop(
            resolved("learning_rate", learning_rate),
            eta_minus,
            eta_plus,
            min_step_size,
            max_step_size,
        ),
        scale(-1.0),
    )


@named_optimizer
def lars(
    learning_rate: ScalarOrSchedule,
    weight_decay: ScalarOrSchedule = 0.0,
    weight_decay_mask: Any = True,
    trust_coefficient: float = 0.001,
    eps: float = 0.0,
    trust_ratio_mask: Any = True,
    momentum: float = 0.9,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""LARS: layer-wise trust ratio on SGD with momentum.

    .. math::

        r_t = c \frac{\|\theta_t\|}{\|g_t + \lambda\theta_t\|}(g_t + \lambda\theta_t),\quad
        m_t = -\eta r_t + \mu m_{t-1},\quad \theta_{t+1} = \theta_t + m_t

    Args:
        {learning_rate}
        weight_decay: :math:`\lambda`, >= 0.
        weight_decay_mask: where to decay (see :func:`masked`).
        trust_coefficient: :math:`c`.
        eps: added to the update norm.
        trust_ratio_mask: where to apply the trust ratio.
        momentum: :math:`\mu`.
        nesterov: Nesterov momentum.

    Returns:
        The optimizer: weight decay, masked trust ratio, learning rate, then :func:`trace`.

    {descend}
        >>> descend(optim.lars(learning_rate=0.1))
        [0.999, -1.999]

    References:
        You et al., *Large Batch Training of Convolutional Networks*, 2017.
    """
    check_real("momentum", momentum, low=0, high=1)
    return chain(
        add_decayed_weights(weight_decay, weight_decay_mask),
        masked(
            scale_by_trust_ratio(trust_coefficient=trust_coefficient, eps=eps), trust_ratio_mask
        ),
        scale_by_learning_rate(learning_rate),
        trace(momentum, nesterov),
    )


@named_optimizer
def fromage(learning_rate: ScalarOrSchedule, min_norm: float = 1e-6) -> GradientTransformation:
    r"""Fromage: trust-ratio steps with a multiplicative shrink of the weights.

    .. math::

        \theta_{t+1} = \frac{\theta_t - \eta \frac{\|\theta_t\|}{\|g_t\|} g_t}{\sqrt{1+\eta^2}}

    Args:
        {learning_rate}
        min_norm: lower bound of the norms.

    Returns:
        The optimizer: trust ratio, scaled learning rate, then a shrink of the weights.

    {descend}
        >>> descend(optim.fromage(learning_rate=0.1))
        [0.718, -1.436]

    References:
        Bernstein et al., *On the distance between two neural networks*, NeurIPS 2020.
    """
    lr = resolved("learning_rate", learning_rate)
    check_real("learning_rate", lr, low=0)
    mult = 1 / (1 + lr**2) ** 0.5
    return chain(
        scale_by_trust_ratio(min_norm),
        scale_by_learning_rate(lr * mult),
        _AddDecayedWeights(mult - 1),  # a shrink: negative decay, so no >= 0 check
    )
