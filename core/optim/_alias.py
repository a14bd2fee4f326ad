"""Named optimizers as compositions of building blocks (optax's names and keywords).

Each one is a :class:`~core.optim.InjectHyperparams`: its learning rate (and weight decay)
live in the state; read them with :func:`~core.optim.get_learning_rate`.
"""

from __future__ import annotations

from typing import Any

import jax
from jax.typing import DTypeLike

from core._validation import as_int, check_real

from ._base import GradientTransformation, ScalarOrSchedule
from ._clipping import clip_by_block_rms
from ._combine import chain, identity, masked
from ._named import named_optimizer, resolved
from ._rms import scale_by_adadelta, scale_by_factored_rms, scale_by_rms, scale_by_rss, scale_by_sm3
from ._scale import (
    _AddDecayedWeights,
    add_decayed_weights,
    add_noise,
    ema,
    scale,
    scale_by_learning_rate,
    scale_by_param_block_rms,
    scale_by_sign,
    scale_by_trust_ratio,
    trace,
)
from ._sign_based import scale_by_novograd, scale_by_rprop


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
        learning_rate: :math:`\eta` (number or schedule), >= 0.
        momentum: :math:`\mu`, or ``None`` for plain SGD.
        nesterov: use Nesterov momentum.
        accumulator_dtype: dtype of the momentum buffer.

    Returns:
        The optimizer (:func:`trace` then :func:`scale_by_learning_rate`).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.sgd(learning_rate=0.1, momentum=0.9)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.062, -0.124]
    """
    if momentum is not None:
        check_real("momentum", momentum, low=0, high=1)
    first = identity() if momentum is None else trace(momentum, nesterov, accumulator_dtype)
    return chain(first, scale_by_learning_rate(learning_rate))


@named_optimizer
def adagrad(
    learning_rate: ScalarOrSchedule, initial_accumulator_value: float = 0.1, eps: float = 1e-7
) -> GradientTransformation:
    r"""Adagrad: divide by the root of the running sum of squared gradients.

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{g_t}{\sqrt{\sum_{s \le t} g_s^2 + \epsilon}}

    Args:
        learning_rate: :math:`\eta` (number or schedule), >= 0.
        initial_accumulator_value: initial sum, >= 0.
        eps: > 0.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.adagrad(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.782, -1.776]

    References:
        Duchi et al., *Adaptive Subgradient Methods*, JMLR 2011.
    """
    return chain(
        scale_by_rss(initial_accumulator_value, eps), scale_by_learning_rate(learning_rate)
    )


@named_optimizer
def adadelta(
    learning_rate: ScalarOrSchedule | None = None,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: ScalarOrSchedule = 0.0,
    weight_decay_mask: Any = None,
) -> GradientTransformation:
    r"""Adadelta: weight decay, :func:`scale_by_adadelta`, then the learning rate (if given).

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{\sqrt{E[u^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t
        + \epsilon}} (g_t + \lambda\theta_t)

    Args:
        learning_rate: :math:`\eta` (number or schedule) or ``None`` (no scaling, no descent
            sign flip), >= 0.
        rho: decay, in [0, 1).
        eps: > 0.
        weight_decay: :math:`\lambda`, >= 0.
        weight_decay_mask: where to decay (see :func:`masked`).

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.adadelta(learning_rate=1.0)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.99, -1.99]

    References:
        Zeiler, *ADADELTA: An Adaptive Learning Rate Method*, 2012.
    """
    return chain(
        add_decayed_weights(weight_decay, weight_decay_mask),
        scale_by_adadelta(rho, eps),
        identity() if learning_rate is None else scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def rmsprop(
    learning_rate: ScalarOrSchedule,
    decay: float = 0.9,
    eps: float = 1e-8,
    initial_scale: float = 0.0,
    eps_in_sqrt: bool = True,
    centered: bool = False,
    momentum: float | None = None,
    nesterov: bool = False,
    bias_correction: bool = False,
) -> GradientTransformation:
    r"""RMSProp (optionally centered, with momentum).

    .. math::

        v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
        \theta_{t+1} = \theta_t - \eta \frac{g_t}{\sqrt{v_t + \epsilon}}

    Args:
        learning_rate: :math:`\eta` (number or schedule), >= 0.
        decay: :math:`\rho`, in [0, 1).
        eps: > 0.
        initial_scale: initial mean square.
        eps_in_sqrt: put ``eps`` inside the root.
        centered: divide by a moving standard deviation instead.
        momentum: momentum applied after scaling, or ``None``.
        nesterov: Nesterov momentum.
        bias_correction: debias the moments.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.rmsprop(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.369, -1.309]

    References:
        Tieleman & Hinton, 2012; Graves, *Generating Sequences With RNNs*, 2013.
    """
    if momentum is not None:
        check_real("momentum", momentum, low=0, high=1)
    return chain(
        scale_by_rms(decay, eps, initial_scale, eps_in_sqrt, bias_correction, centered=centered),
        scale_by_learning_rate(learning_rate),
        identity() if momentum is None else trace(momentum, nesterov),
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
        learning_rate: :math:`\eta` (number or schedule), >= 0.
        weight_decay: :math:`\lambda`, >= 0.
        weight_decay_mask: where to decay (see :func:`masked`).
        trust_coefficient: :math:`c`.
        eps: added to the update norm.
        trust_ratio_mask: where to apply the trust ratio.
        momentum: :math:`\mu`.
        nesterov: Nesterov momentum.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.lars(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
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
        learning_rate: :math:`\eta` (number or schedule), >= 0.
        b1: momentum decay, in [0, 1).
        b2: second-moment decay, in [0, 1).
        eps: > 0.
        eps_root: >= 0.
        weight_decay: >= 0.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.novograd(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.751, -1.503]

    References:
        Ginsburg et al., 2019.
    """
    return chain(
        scale_by_novograd(b1, b2, eps, eps_root, resolved("weight_decay", weight_decay)),
        scale_by_learning_rate(learning_rate),
    )


@named_optimizer
def sm3(learning_rate: ScalarOrSchedule, momentum: float = 0.9) -> GradientTransformation:
    r"""SM3: memory-efficient adaptive optimizer with per-axis accumulators.

    .. math::

        \theta_{t+1} = \theta_t - \eta\, u_t^{\text{SM3}}

    Args:
        learning_rate: :math:`\eta`, >= 0.
        momentum: momentum decay, in [0, 1).

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.sm3(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.954, -1.954]

    References:
        Anil et al., *Memory-Efficient Adaptive Optimization*, NeurIPS 2019.
    """
    check_real("momentum", momentum, low=0, high=1)
    return chain(scale_by_sm3(momentum), scale_by_learning_rate(learning_rate))


@named_optimizer
def adafactor(
    learning_rate: ScalarOrSchedule | None = None,
    min_dim_size_to_factor: int = 128,
    decay_rate: float = 0.8,
    decay_offset: int = 0,
    multiply_by_parameter_scale: bool = True,
    clipping_threshold: float | None = 1.0,
    momentum: float | None = None,
    dtype_momentum: DTypeLike = "float32",
    weight_decay_rate: ScalarOrSchedule | None = None,
    eps: float = 1e-30,
    factored: bool = True,
    weight_decay_mask: Any = None,
) -> GradientTransformation:
    r"""Adafactor: factored second moments, update clipping, relative step sizes.

    .. math::

        u_t = \mathrm{clip}_{\mathrm{rms}}\left(\frac{g_t}{\sqrt{\hat V_t}}\right)
        \cdot \eta \cdot \max(\mathrm{rms}(\theta_t), 10^{-3}),\quad
        \theta_{t+1} = \theta_t - u_t

    Args:
        learning_rate: :math:`\eta` (number or schedule) or ``None``.
        min_dim_size_to_factor: smallest second-largest axis to factor.
        decay_rate: exponent of the second-moment decay schedule.
        decay_offset: step offset of that schedule.
        multiply_by_parameter_scale: scale by the parameter RMS.
        clipping_threshold: block-RMS clipping threshold, or ``None``.
        momentum: momentum (EMA of updates), or ``None``.
        dtype_momentum: dtype of the momentum.
        weight_decay_rate: decay rate, or ``None``.
        eps: added to :math:`g^2`.
        factored: factor the second moments.
        weight_decay_mask: where to decay (see :func:`masked`).

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.adafactor(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.599, -1.582]

    References:
        Shazeer & Stern, *Adafactor*, ICML 2018.
    """
    as_int("min_dim_size_to_factor", min_dim_size_to_factor)
    check_real("decay_rate", decay_rate)
    as_int("decay_offset", decay_offset)
    check_real("eps", eps, low=0, low_open=True)
    if clipping_threshold is not None:
        check_real("clipping_threshold", clipping_threshold, low=0, low_open=True)
    if momentum is not None:
        check_real("momentum", momentum, low=0, high=1)
    if weight_decay_rate is not None and not callable(weight_decay_rate):
        check_real("weight_decay_rate", weight_decay_rate, low=0)
    parts: list[GradientTransformation] = [
        scale_by_factored_rms(factored, decay_rate, decay_offset, min_dim_size_to_factor, eps)
    ]
    if clipping_threshold is not None:
        parts.append(clip_by_block_rms(clipping_threshold))
    if learning_rate is not None:
        parts.append(scale_by_learning_rate(learning_rate, flip_sign=False))
    if multiply_by_parameter_scale:
        parts.append(scale_by_param_block_rms())
    if momentum is not None:
        parts.append(ema(momentum, debias=False, accumulator_dtype=dtype_momentum))
    if weight_decay_rate is not None:
        parts.append(add_decayed_weights(weight_decay_rate, weight_decay_mask))
    parts.append(scale(-1.0))
    return chain(*parts)


@named_optimizer
def fromage(learning_rate: ScalarOrSchedule, min_norm: float = 1e-6) -> GradientTransformation:
    r"""Fromage: trust-ratio steps with a multiplicative shrink of the weights.

    .. math::

        \theta_{t+1} = \frac{\theta_t - \eta \frac{\|\theta_t\|}{\|g_t\|} g_t}{\sqrt{1+\eta^2}}

    Args:
        learning_rate: :math:`\eta` (number or schedule), >= 0.
        min_norm: lower bound of the norms.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.fromage(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
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
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.rprop(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
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
        key: integer seed or PRNG key.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.noisy_sgd(learning_rate=0.1, key=0)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
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
        learning_rate: :math:`\eta` (number or schedule), >= 0.

    Returns:
        The optimizer.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.sign_sgd(learning_rate=0.1)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.7, -1.7]

    References:
        Bernstein et al., *signSGD*, ICML 2018.
    """
    return chain(scale_by_sign(), scale_by_learning_rate(learning_rate))
