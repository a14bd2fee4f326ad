"""Named optimizers with adaptive (per-element) step sizes, in braintools 0.3.0's chains.

Each class only names the :mod:`core.optim` block that gives its direction; clipping,
weight decay and the learning rate kept in the state come from :class:`NamedOptimizer`.
braintools' ``lr`` is the first argument; ``learning_rate=`` is accepted too. The Adam
family (``lr, betas, eps, weight_decay, ...``) shares one constructor, :class:`AdamFamily`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_pair, check_real

from ._docs import OPTIMIZER
from ._named import LearningRate, NamedOptimizer


def betas_config(betas: tuple[float, float]) -> dict[str, float]:
    """Validated ``{"b1", "b2"}`` from braintools' ``betas``."""
    b1, b2 = as_pair("betas", betas, what="a pair (beta1, beta2)")
    check_real("betas[0]", b1, low=0, high=1, high_open=True)
    check_real("betas[1]", b2, low=0, high=1, high_open=True)
    return {"b1": float(b1), "b2": float(b2)}


class AdamFamily(NamedOptimizer):
    """A braintools Adam-family optimizer: ``(lr, betas, eps, weight_decay, clipping)``.

    A member names its :mod:`core.optim` direction block, :attr:`scale_by`, and (where core
    has one) its named optimizer, :attr:`named`; both take ``b1``, ``b2``, ``eps`` and the
    member's extra settings by keyword (the named optimizer the learning rate first). The
    member's constructor declares its own signature and defaults and hands them here.
    """

    scale_by: ClassVar[Callable[..., core_optim.TransformLike]]
    """The direction block, ``scale_by(b1=, b2=, eps=, **extra)``."""
    named: ClassVar[Callable[..., core_optim.TransformLike] | None] = None
    """The core named optimizer, ``named(learning_rate, b1=, b2=, eps=, **extra)``, or ``None``."""

    def __init__(
        self,
        lr: LearningRate,
        betas: tuple[float, float],
        eps: float,
        weight_decay: float,
        grad_clip_norm: float | None,
        grad_clip_value: float | None,
        learning_rate: LearningRate | None,
        **extra: float,
    ) -> None:
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            **betas_config(betas),
            eps=eps,
            **extra,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return type(self).scale_by(**config)

    def core_optimizer(
        self, learning_rate: float, decoupled_decay: float | None, **config: Any
    ) -> core_optim.TransformLike | None:
        named = type(self).named
        return None if named is None else named(learning_rate, **config)


class _InverseTimeDecay:
    """The schedule ``count -> 1 / (1 + count * decay)`` (PyTorch Adagrad's ``lr_decay``)."""

    def __init__(self, decay: float) -> None:
        self.decay = decay

    def __call__(self, count: jax.Array) -> jax.Array:
        return 1.0 / (1.0 + count.astype(jnp.float32) * self.decay)


@fill_doc(**OPTIMIZER)
class Adagrad(NamedOptimizer):
    r"""Adagrad: divide by the root of the sum of all squared gradients.

    .. math::

        s_t = s_{t-1} + g_t^2,\qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{1 + (t-1)\,\delta}\,
            \frac{g_t}{\sqrt{s_t + \epsilon}}

    braintools 0.3.0: ``Adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0,
    initial_accumulator_value=0.0, eps=1e-10, grad_clip_norm=None, grad_clip_value=None)``.

    Args:
        {lr}
        lr_decay: :math:`\delta`, PyTorch-style decay of the step size.
        {l2}
        initial_accumulator_value: :math:`s_0`.
        eps: :math:`\epsilon`.
        {braintools_tail}

    {descend}
        >>> print(descend(optim.Adagrad(lr=0.1), w=[1.0], grad=[2.0]))
        [0.9]

    References:
        Duchi, Hazan & Singer, "Adaptive subgradient methods for online learning and
        stochastic optimization", JMLR 2011.
    """

    def __init__(
        self,
        lr: LearningRate = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        check_real("lr_decay", lr_decay, low=0)
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            lr_decay=lr_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        rss = core_optim.scale_by_rss(
            initial_accumulator_value=config["initial_accumulator_value"], eps=config["eps"]
        )
        if config["lr_decay"] == 0:
            return rss
        decay = core_optim.scale_by_schedule(_InverseTimeDecay(config["lr_decay"]))
        return core_optim.chain(rss, decay)


@fill_doc(**OPTIMIZER)
class Adadelta(NamedOptimizer):
    r"""Adadelta: step sizes from running averages of squared gradients and updates.

    .. math::

        v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
        u_t = \frac{\sqrt{x_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} g_t,\quad
        x_t = \rho x_{t-1} + (1-\rho) u_t^2,\quad \theta_t = \theta_{t-1} - \eta u_t

    braintools 0.3.0: ``Adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, ...)``.

    Args:
        {lr}
        rho: :math:`\rho`.
        eps: :math:`\epsilon`.
        {l2}
        {braintools_tail}

    Example:
        >>> from facade.optim import Adadelta
        >>> opt = Adadelta(rho=0.95)
        >>> print(opt.current_lr)
        1.0

    References:
        Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701, 2012.
    """

    def __init__(
        self,
        lr: LearningRate = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            rho=rho,
            eps=eps,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.scale_by_adadelta(rho=config["rho"], eps=config["eps"])


@fill_doc(**OPTIMIZER)
class Adamax(AdamFamily):
    r"""Adamax: Adam with the infinity norm in place of the second moment.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
        \theta_t = \theta_{t-1} - \eta\,\frac{m_t}{(1-\beta_1^t)\,u_t}

    braintools 0.3.0: ``Adamax(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, ...)``.

    Args:
        {adam_family}
        {l2}
        {braintools_tail}

    Example:
        >>> from facade.optim import Adamax
        >>> print(Adamax(learning_rate=0.01).current_lr)
        0.01

    References:
        Kingma & Ba, "Adam: A method for stochastic optimization", ICLR 2015, section 7.
    """

    scale_by = staticmethod(core_optim.scale_by_adamax)
    named = staticmethod(core_optim.adamax)

    def __init__(
        self,
        lr: LearningRate = 2e-3,
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
class Nadam(AdamFamily):
    r"""NAdam: Adam with Dozat's scheduled Nesterov momentum (PyTorch's ``NAdam``).

    .. math::

        \mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr),\quad
        \Pi_t = \prod_{i \le t} \mu_i,\quad
        \theta_t = \theta_{t-1} - \eta \left(
            \frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{d_t}
            + \frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\,\frac{m_t}{d_t}\right)

    with :math:`d_t = \sqrt{v_t / (1-\beta_2^t)} + \epsilon` and :math:`m_t, v_t` Adam's
    moments (:func:`core.optim.scale_by_nadam`). Equal to braintools 0.3.0 step by step.

    braintools 0.3.0: ``Nadam(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
    momentum_decay=4e-3, ...)``.

    Args:
        {adam_family}
        {l2}
        momentum_decay: :math:`\psi`, speed of the momentum warm-up.
        {braintools_tail}

    Example:
        >>> from facade.optim import Nadam
        >>> opt = Nadam(betas=(0.8, 0.99), momentum_decay=0.01)
        >>> print(opt.betas, opt.momentum_decay)
        (0.8, 0.99) 0.01

    References:
        Dozat, "Incorporating Nesterov momentum into Adam", ICLR workshop 2016;
        PyTorch ``torch.optim.NAdam``.
    """

    scale_by = staticmethod(core_optim.scale_by_nadam)

    def __init__(
        self,
        lr: LearningRate = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        super().__init__(
            lr,
            betas,
            eps,
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            learning_rate,
            momentum_decay=momentum_decay,
        )

    @property
    def betas(self) -> tuple[float, float]:
        """``(beta1, beta2)``."""
        return self._config["b1"], self._config["b2"]

    @property
    def momentum_decay(self) -> float:
        r"""``momentum_decay``: :math:`\psi`."""
        return float(self._config["momentum_decay"])


@fill_doc(**OPTIMIZER)
class RAdam(AdamFamily):
    r"""Rectified Adam: Adam whose adaptive step is switched on once its variance is tractable.

    .. math::

        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t},\quad
        \theta_t = \theta_{t-1} - \eta
        \begin{cases} r_t\,\hat m_t / (\sqrt{\hat v_t} + \epsilon) & \rho_t > 5\\
        \hat m_t & \text{otherwise}\end{cases}

    braintools 0.3.0: ``RAdam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, ...)``.

    Args:
        {adam_family}
        {l2}
        {braintools_tail}

    Example:
        >>> from facade.optim import RAdam
        >>> print(RAdam(lr=0.01).current_lr)
        0.01

    References:
        Liu et al., "On the variance of the adaptive learning rate and beyond", ICLR 2020.
    """

    scale_by = staticmethod(core_optim.scale_by_radam)
    named = staticmethod(core_optim.radam)

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
class Yogi(AdamFamily):
    r"""Yogi: Adam with an additive, sign-controlled second-moment update.

    .. math::

        v_t = v_{t-1} - (1-\beta_2)\,\mathrm{sign}(v_{t-1} - g_t^2)\, g_t^2,\quad
        \theta_t = \theta_{t-1} - \eta\,\frac{m_t}{\sqrt{v_t} + \epsilon}

    braintools 0.3.0: ``Yogi(lr=1e-3, betas=(0.9, 0.999), eps=1e-3, weight_decay=0.0, ...)``.

    Args:
        {adam_family}
        {l2}
        {braintools_tail}

    Example:
        >>> from facade.optim import Yogi
        >>> print(Yogi(eps=1e-4).current_lr)
        0.001

    References:
        Zaheer et al., "Adaptive methods for nonconvex optimization", NeurIPS 2018.
    """

    scale_by = staticmethod(core_optim.scale_by_yogi)
    named = staticmethod(core_optim.yogi)

    def __init__(
        self,
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-3,
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
class AdaBelief(AdamFamily):
    r"""AdaBelief: Adam whose second moment tracks the deviation from the first.

    .. math::

        s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2,\quad
        \theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat s_t} + \epsilon}

    braintools 0.3.0: ``AdaBelief(lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0.0,
    ...)``.

    Args:
        {adam_family}
        {l2}
        {braintools_tail}

    Example:
        >>> from facade.optim import AdaBelief
        >>> print(AdaBelief(lr=5e-4).current_lr)
        0.0005

    References:
        Zhuang et al., "AdaBelief optimizer", NeurIPS 2020.
    """

    scale_by = staticmethod(core_optim.scale_by_belief)
    named = staticmethod(core_optim.adabelief)

    def __init__(
        self,
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-16,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        super().__init__(
            lr, betas, eps, weight_decay, grad_clip_norm, grad_clip_value, learning_rate
        )
