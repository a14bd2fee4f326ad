"""Named optimizers with per-coordinate second-moment scaling, as compositions of building
blocks (optax's names; learning rate and weight decay in the state): Adagrad, Adadelta,
RMSProp, SM3 and Adafactor.
"""

from __future__ import annotations

from typing import Any

from jax.typing import DTypeLike

from core._validation import as_dtype, as_int, check_real

from ._base import GradientTransformation, ScalarOrSchedule, chain, identity
from ._clipping import clip_by_block_rms
from ._named import named_optimizer
from ._rms import scale_by_adadelta, scale_by_factored_rms, scale_by_rms, scale_by_rss, scale_by_sm3
from ._scale import (
    add_decayed_weights,
    ema,
    scale,
    scale_by_learning_rate,
    scale_by_param_block_rms,
    trace,
)


@named_optimizer
def adagrad(
    learning_rate: ScalarOrSchedule, initial_accumulator_value: float = 0.1, eps: float = 1e-7
) -> GradientTransformation:
    r"""Adagrad: divide by the root of the running sum of squared gradients.

    .. math::

        \theta_{t+1} = \theta_t - \eta \frac{g_t}{\sqrt{\sum_{s \le t} g_s^2 + \epsilon}}

    Args:
        {learning_rate}
        initial_accumulator_value: initial sum, >= 0.
        eps: > 0, added to the sum inside the square root.

    Returns:
        The optimizer: the accumulated-square scaling times the learning rate.

    {descend}
        >>> descend(optim.adagrad(learning_rate=0.1))
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
        The optimizer: weight decay, :func:`scale_by_adadelta`, then the learning rate.

    {descend}
        >>> descend(optim.adadelta(learning_rate=1.0))
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
        {learning_rate}
        decay: :math:`\rho`, in [0, 1).
        eps: > 0.
        initial_scale: initial mean square.
        eps_in_sqrt: put ``eps`` inside the root.
        centered: divide by a moving standard deviation instead.
        momentum: momentum applied after scaling, or ``None``.
        nesterov: Nesterov momentum.
        bias_correction: debias the moments.

    Returns:
        The optimizer: :func:`scale_by_rms`, the learning rate, then momentum (if any).

    {descend}
        >>> descend(optim.rmsprop(learning_rate=0.1))
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
def sm3(learning_rate: ScalarOrSchedule, momentum: float = 0.9) -> GradientTransformation:
    r"""SM3: memory-efficient adaptive optimizer with per-axis accumulators.

    .. math::

        \theta_{t+1} = \theta_t - \eta\, u_t^{\text{SM3}}

    Args:
        learning_rate: :math:`\eta`, >= 0.
        momentum: momentum decay, in [0, 1).

    Returns:
        The optimizer: per-axis accumulators, then the step size.

    {descend}
        >>> descend(optim.sm3(learning_rate=0.1))
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
    dtype_momentum: DTypeLike | None = "float32",
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
        dtype_momentum: floating (complex for complex parameters) dtype of the momentum, or
            ``None`` for the parameter's dtype.
        weight_decay_rate: decay rate, or ``None``.
        eps: added to :math:`g^2`.
        factored: factor the second moments.
        weight_decay_mask: where to decay (see :func:`masked`).

    Returns:
        The optimizer: :func:`scale_by_factored_rms`, clipping, scalings, sign flip.

    {descend}
        >>> descend(optim.adafactor(learning_rate=0.1))
        [0.599, -1.582]

    References:
        Shazeer & Stern, *Adafactor*, ICML 2018.
    """
    as_int("min_dim_size_to_factor", min_dim_size_to_factor)
    dtype_momentum = as_dtype("dtype_momentum", dtype_momentum)
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
