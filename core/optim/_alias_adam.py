"""Named optimizers of the Adam family as compositions of building blocks (optax's names).

Each one is a :class:`~core.optim.InjectHyperparams`: its learning rate (and weight decay)
live in the state; read them with :func:`~core.optim.get_learning_rate`.
"""

from __future__ import annotations

from typing import Any

from jax.typing import DTypeLike

from ._adam import scale_by_adam, scale_by_adamax, scale_by_radam
from ._base import GradientTransformation, ScalarOrSchedule, chain
from ._named import named_optimizer, resolved
from ._scale import add_decayed_weights, scale_by_learning_rate, scale_by_trust_ratio
from ._sign_based import scale_by_lion, scale_by_novograd
from ._yogi_belief import scale_by_belief, scale_by_yogi


@named_optimizer
def adam(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: DTypeLike | None = None,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""Adam: :func:`scale_by_adam` then :func:`scale_by_learning_rate`.

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{\hat m_t}{\sqrt{\hat v_t + \bar\epsilon} + \epsilon}

    Args:
        {learning_rate}
        {adam_decays}
        {adam_eps}
        {mu_dtype}
        nesterov: use Nesterov momentum (NAdam).

    Returns:
        The optimizer: Adam's moment ratio, scaled by the learning rate.

    {descend}
        >>> descend(optim.adam(learning_rate=0.1))
        [0.702, -1.701]

    References:
        Kingma & Ba, *Adam: A Method for Stochastic Optimization*, 2014.
    """
    return chain(
        scale_by_adam(b1, b2, eps, eps_root, mu_dtype, nesterov=nesterov),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def nadam(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: DTypeLike | None = None,
) -> GradientTransformation:
    r"""NAdam: Adam with Nesterov momentum (:func:`adam` with ``nesterov=True``).

    This is optax's fixed-:math:`\beta_1` NAdam; PyTorch's (and braintools') NAdam with
    scheduled momentum is :func:`scale_by_nadam` chained with :func:`scale_by_learning_rate`.

    .. math::

        \hat m_t = \frac{\beta_1 m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1) g_t}{1-\beta_1^t}

    Args:
        {learning_rate}
        {adam_decays}
        {adam_eps}
        {mu_dtype}

    Returns:
        The optimizer: Adam with the Nesterov look-ahead (``nesterov=True``), then the step size.

    {descend}
        >>> descend(optim.nadam(learning_rate=0.1))
        [0.641, -1.634]

    References:
        Dozat, *Incorporating Nesterov Momentum into Adam*, 2016.
    """
    return chain(
        scale_by_adam(b1, b2, eps, eps_root, mu_dtype, nesterov=True),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def adamw(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: DTypeLike | None = None,
    weight_decay: ScalarOrSchedule = 1e-4,
    mask: Any = None,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""AdamW: Adam with decoupled weight decay (scaled by the learning rate).

    .. math::

        \theta_{t+1} = \theta_t - \eta\left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
        + \lambda \theta_t\right)

    Args:
        {learning_rate}
        {adam_decays}
        {adam_eps}
        {mu_dtype}
        weight_decay: :math:`\lambda`, >= 0 (kept in the state).
        {decay_mask}
        nesterov: use Nesterov momentum.

    Returns:
        The optimizer: :func:`scale_by_adam`, weight decay, then the learning rate.

    {descend}
        >>> descend(optim.adamw(learning_rate=0.1, weight_decay=0.01))
        [0.699, -1.695]

    References:
        Loshchilov & Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
    """
    return chain(
        scale_by_adam(b1, b2, eps, eps_root, mu_dtype, nesterov=nesterov),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def amsgrad(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: DTypeLike | None = None,
) -> GradientTransformation:
    r"""AMSGrad: Adam dividing by the running maximum of the debiased second moment.

    .. math::

        \hat v^{\max}_t = \max(\hat v^{\max}_{t-1}, \hat v_t),\quad
        \theta_{t+1} = \theta_t - \eta \frac{\hat m_t}{\sqrt{\hat v^{\max}_t} + \epsilon}

    Args:
        {learning_rate}
        {adam_decays}
        {adam_eps}
        {mu_dtype}

    Returns:
        The optimizer: Adam dividing by the running maximum (``amsgrad=True``), times the step size.

    {descend}
        >>> descend(optim.amsgrad(learning_rate=0.1))
        [0.716, -1.708]

    References:
        Reddi et al., *On the Convergence of Adam and Beyond*, ICLR 2018.
    """
    return chain(
        scale_by_adam(b1, b2, eps, eps_root, mu_dtype, amsgrad=True),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def radam(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    threshold: float = 5.0,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""Rectified Adam: :func:`scale_by_radam` then :func:`scale_by_learning_rate`.

    .. math::

        \theta_{t+1} = \theta_t - \eta\, u_t^{\text{RAdam}}

    Args:
        {learning_rate}
        {adam_decays}
        {adam_eps}
        threshold: variance-tractability threshold.
        nesterov: use Nesterov momentum.

    Returns:
        The optimizer: the rectified Adam direction times the learning rate.

    {descend}
        >>> descend(optim.radam(learning_rate=0.1))
        [0.462, -0.925]

    References:
        Liu et al., *On the Variance of the Adaptive Learning Rate and Beyond*, 2020.
    """
    return chain(
        scale_by_radam(b1, b2, eps, eps_root, threshold, nesterov=nesterov),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def adamax(
    learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> GradientTransformation:
    r"""Adamax: Adam with an infinity-norm second moment.

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{m_t}{(1-\beta_1^t) v_t},\quad
        v_t = \max(|g_t| + \epsilon, \beta_2 v_{t-1})

    Args:
        {learning_rate}
        b1: first-moment decay, in [0, 1).
        b2: infinity-norm decay, in [0, 1).
        eps: > 0, added to :math:`|g_t|`.

    Returns:
        The optimizer: :func:`scale_by_adamax` chained with the learning rate.

    {descend}
        >>> descend(optim.adamax(learning_rate=0.1))
        [0.715, -1.708]

    References:
        Kingma & Ba, *Adam: A Method for Stochastic Optimization*, 2014.
    """
    return chain(scale_by_adamax(b1, b2, eps), scale_by_learning_rate(learning_rate))


@named_optimizer
def lamb(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-6,
    eps_root: float = 0.0,
    weight_decay: ScalarOrSchedule = 0.0,
    mask: Any = None,
) -> GradientTransformation:
    r"""LAMB: Adam direction plus weight decay, rescaled per layer by the trust ratio.

    .. math::

        r_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_t,\quad
        \theta_{t+1} = \theta_t - \eta \frac{\|\theta_t\|}{\|r_t\|} r_t

    Args:
        {learning_rate}
        {adam_decays}
        {adam_eps}
        weight_decay: :math:`\lambda`, >= 0.
        {decay_mask}

    Returns:
        The optimizer: Adam, weight decay, trust ratio, then the learning rate.

    {descend}
        >>> descend(optim.lamb(learning_rate=0.1))
        [0.57, -1.567]

    References:
        You et al., *Large Batch Optimization for Deep Learning*, ICLR 2020.
    """
    return chain(
        scale_by_adam(b1, b2, eps, eps_root),
        add_decayed_weights(weight_decay, mask),
        scale_by_trust_ratio(),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def lion(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.99,
    mu_dtype: DTypeLike | None = None,
    weight_decay: ScalarOrSchedule = 1e-3,
    mask: Any = None,
) -> GradientTransformation:
    r"""Lion: sign of interpolated momentum, plus decoupled weight decay.

    .. math::

        \theta_{t+1} = \theta_t - \eta\left(\mathrm{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t)
        + \lambda\theta_t\right)

    Args:
        {learning_rate}
        b1: interpolation weight, in [0, 1).
        b2: momentum decay, in [0, 1).
        mu_dtype: floating (complex for complex parameters) dtype of the momentum, or ``None``
            for the parameter's dtype.
        weight_decay: :math:`\lambda`, >= 0.
        {decay_mask}

    Returns:
        The optimizer: :func:`scale_by_lion`, weight decay, then the learning rate.

    {descend}
        >>> descend(optim.lion(learning_rate=0.1))
        [0.7, -1.699]

    References:
        Chen et al., *Symbolic Discovery of Optimization Algorithms*, 2023.
    """
    return chain(
        scale_by_lion(b1, b2, mu_dtype),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def yogi(
    learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-3
) -> GradientTransformation:
    r"""Yogi: Adam with an additive (sign-controlled) second moment.

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    Args:
        {learning_rate}
        {adam_decays}
        eps: > 0.

    Returns:
        The optimizer: Yogi's moment ratio times the learning rate.

    {descend}
        >>> descend(optim.yogi(learning_rate=0.1))
        [0.702, -1.701]

    References:
        Zaheer et al., *Adaptive Methods for Nonconvex Optimization*, NeurIPS 2018.
    """
    return chain(scale_by_yogi(b1, b2, eps), scale_by_learning_rate(learning_rate))


@named_optimizer
def adabelief(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-16,
    eps_root: float = 1e-16,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""AdaBelief: Adam whose second moment tracks the gradient's deviation from its mean.

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{\hat m_t}{\sqrt{\hat s_t} + \epsilon}

    Args:
        {learning_rate}
        b1: first-moment decay, in [0, 1).
        b2: belief decay, in [0, 1).
        {adam_eps}
        nesterov: Nesterov momentum.

    Returns:
        The optimizer: AdaBelief's direction, then the step size.

    {descend}
        >>> descend(optim.adabelief(learning_rate=0.1))
        [0.652, -1.651]

    References:
        Zhuang et al., *AdaBelief Optimizer*, NeurIPS 2020.
    """
    return chain(
        scale_by_belief(b1, b2, eps, eps_root, nesterov=nesterov),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def novograd(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.25,
    eps: float = 1e-6,
    eps_root: float = 0.0,
    weight_decay: ScalarOrSchedule = 0.0,
) -> GradientTransformation:
    r"""Novograd: layer-wise normalised gradients with momentum.

    .. math::

        \theta_{t+1} = \theta_t - \eta\, m_t^{\text{Novograd}}

    Args:
        {learning_rate}
        b1: momentum decay, in [0, 1).
        b2: second-moment decay, in [0, 1).
        {adam_eps}
        weight_decay: >= 0.

    Returns:
        The optimizer: layer-wise normalised momentum times the learning rate.

    {descend}
        >>> descend(optim.novograd(learning_rate=0.1))
        [0.751, -1.503]

    References:
        Ginsburg et al., 2019.
    """
    return chain(
        scale_by_novograd(b1, b2, eps, eps_root, resolved("weight_decay", weight_decay)),
        scale_by_learning_rate(learning_rate),
    )
