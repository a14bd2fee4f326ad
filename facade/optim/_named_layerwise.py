"""Named optimizers with factored, per-axis or per-layer statistics (braintools 0.3.0 chains).

Adafactor and SM3 keep compact second moments; NovoGrad and LAMB normalize per layer and
apply the weight decay inside their direction (:class:`WeightDecayInside`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_pair, check_real, resolve_alias

from ._docs import OPTIMIZER
from ._named import LearningRate, NamedOptimizer
from ._named_adaptive import AdamFamily


class WeightDecayInside(NamedOptimizer):
    """A named optimizer whose direction block applies the weight decay itself.

    ``direction`` receives ``weight_decay`` among its arguments; the shared chain adds none.
    """

    def _build(
        self, lr: float, weight_decay: float, config: Mapping[str, Any]
    ) -> core_optim.TransformLike:
        return super()._build(lr, 0.0, {**config, "weight_decay": weight_decay})


@fill_doc(**OPTIMIZER)
class Adafactor(NamedOptimizer):
    r"""Adafactor: second moments kept as row and column factors for matrices.

    .. math::

        \hat v_t = \frac{R_t C_t^\top}{\mathbf 1^\top R_t},\quad
        \theta_t = \theta_{t-1} - \eta\Bigl(\frac{g_t}{\sqrt{\hat v_t}} + \lambda\theta_{t-1}\Bigr)

    (arrays with a dimension under 128 keep a full second moment). Weight decay
    :math:`\lambda` is decoupled (applied after the scaling), as in braintools 0.3.0:
    ``Adafactor(lr=None, eps=(1e-30, 1e-3), clip_threshold=1.0, decay_rate=0.8, beta1=None,
    weight_decay=0.0, factored=True, ...)``; ``lr=None`` means 1e-3.

    Like braintools, ``clip_threshold`` and ``eps[1]`` are accepted but not applied.
    Unlike braintools (which ignores it), ``beta1`` adds first-moment momentum
    (an un-debiased moving average of the scaled updates) when given.

    Args:
        lr: :math:`\eta`, a number or an LR scheduler (``None``: 1e-3).
        eps: ``(eps1, eps2)``; ``eps1`` regularizes the second moments.
        clip_threshold: accepted for compatibility (not applied, as in braintools).
        decay_rate: the exponent of the second-moment decay :math:`1 - t^{-c}`.
        beta1: momentum of the scaled updates (``None``: none).
        weight_decay: :math:`\lambda`.
        factored: factor the second moments of matrices.
        {braintools_tail}

    Example:
        >>> from facade.optim import Adafactor
        >>> print(Adafactor().current_lr)
        0.001

    References:
        Shazeer & Stern, "Adafactor: adaptive learning rates with sublinear memory cost",
        ICML 2018.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        lr: LearningRate | None = None,
        eps: tuple[float, float] = (1e-30, 1e-3),
        clip_threshold: float = 1.0,
        decay_rate: float = 0.8,
        beta1: float | None = None,
        weight_decay: float = 0.0,
        factored: bool = True,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        eps1, eps2 = as_pair("eps", eps, what="a pair (eps1, eps2)")
        check_real("eps[0]", eps1, low=0)
        check_real("eps[1]", eps2, low=0)
        check_real("clip_threshold", clip_threshold, low=0)
        check_real("decay_rate", decay_rate, low=0)
        if beta1 is not None:
            check_real("beta1", beta1, low=0, high=1, high_open=True)
        self.eps = eps
        self.clip_threshold = clip_threshold
        chosen = resolve_alias("lr", lr, None, "learning_rate", learning_rate)
        super().__init__(
            1e-3 if chosen is None else chosen,
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            decay_rate=decay_rate,
            beta1=beta1,
            factored=factored,
            epsilon=float(eps[0]),
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        rms = core_optim.scale_by_factored_rms(
            factored=config["factored"],
            decay_rate=config["decay_rate"],
            epsilon=config["epsilon"],
        )
        if config["beta1"] is None:
            return rms
        return core_optim.chain(rms, core_optim.ema(config["beta1"], debias=False))


@fill_doc(**OPTIMIZER)
class SM3(NamedOptimizer):
    r"""SM3: memory-efficient adaptive steps from per-axis accumulators (with momentum).

    .. math::

        a_t = \min_i \mathrm{acc}_i + g_t^2,\quad
        u_t = \mu u_{t-1} + (1-\mu)\, g_t / \sqrt{a_t},\quad
        \theta_t = \theta_{t-1} - \eta u_t

    braintools 0.3.0: ``SM3(lr=1.0, momentum=0.9, eps=1e-8, weight_decay=0.0, ...)``.

    Args:
        {lr}
        momentum: :math:`\mu`; 0 disables it.
        eps: added to the accumulators' root.
        {l2}
        {braintools_tail}

    Example:
        >>> from facade.optim import SM3
        >>> print(SM3(lr=0.1, momentum=0.5).current_lr)
        0.1

    References:
        Anil et al., "Memory-efficient adaptive optimization", NeurIPS 2019.
    """

    def __init__(
        self,
        lr: LearningRate = 1.0,
        momentum: float = 0.9,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        check_real("momentum", momentum, low=0, high=1, high_open=True)
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            momentum=momentum,
            eps=eps,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.scale_by_sm3(b1=config["momentum"], b2=1.0, eps=config["eps"])


@fill_doc(**OPTIMIZER)
class Novograd(WeightDecayInside, AdamFamily):
    r"""NovoGrad: Adam-like steps with a per-layer (scalar) second moment.

    .. math::

        v_t = \beta_2 v_{t-1} + (1-\beta_2)\|g_t\|^2,\quad
        m_t = \beta_1 m_{t-1} + \Bigl(\frac{g_t}{\sqrt{v_t} + \epsilon}
            + \lambda\theta_{t-1}\Bigr),\quad \theta_t = \theta_{t-1} - \eta m_t

    The weight decay :math:`\lambda` is part of the moment update (braintools 0.3.0:
    ``Novograd(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, ...)``).

    Args:
        {adam_family}
        weight_decay: :math:`\lambda`.
        {braintools_tail}

    Example:
        >>> from facade.optim import Novograd
        >>> print(Novograd(weight_decay=1e-3).weight_decay)
        0.001

    References:
        Ginsburg et al., "Stochastic gradient methods with layer-wise adaptive moments
        for training of deep networks", arXiv:1905.11286, 2019.
    """

    scale_by = staticmethod(core_optim.scale_by_novograd)

    def __init__(
        self,
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        super().__init__(
            lr, betas, eps, weight_decay, grad_clip_norm, grad_clip_value, learning_rate
        )


@fill_doc(**OPTIMIZER)
class Lamb(WeightDecayInside, AdamFamily):
    r"""LAMB: Adam direction plus decoupled weight decay, scaled by a layer-wise trust ratio.

    .. math::

        r_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_{t-1},\quad
        \theta_t = \theta_{t-1} - \eta\,\frac{\|\theta_{t-1}\|}{\|r_t\|}\, r_t

    braintools 0.3.0: ``Lamb(lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0, ...)``.

    Args:
        {adam_family}
        weight_decay: :math:`\lambda`.
        {braintools_tail}

    Example:
        >>> from facade.optim import Lamb
        >>> print(Lamb(lr=0.01, weight_decay=0.01).current_lr)
        0.01

    References:
        You et al., "Large batch optimization for deep learning: training BERT in 76
        minutes", ICLR 2020.
    """

    def __init__(
        self,
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        super().__init__(
            lr, betas, eps, weight_decay, grad_clip_norm, grad_clip_value, learning_rate
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        decay = config.pop("weight_decay")
        adam = core_optim.scale_by_adam(**config)
        blocks = [adam, core_optim.add_decayed_weights(decay)] if decay > 0 else [adam]
        return core_optim.chain(*blocks, core_optim.scale_by_trust_ratio())
