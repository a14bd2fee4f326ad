"""Named optimizers built on momentum, signs, trust ratios, curvature and wrappers.

Same pattern as :mod:`facade.optim._named`: each class names its :mod:`core.optim`
direction; classes whose braintools 0.3.0 chain hands the learning rate to the core
optimizer itself (Rprop, Fromage, LBFGS) or ignores it (Lookahead) override ``_build``
once, in :class:`LearningRateInside`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_pair, check_real

from ._docs import OPTIMIZER
from ._named import LearningRate, NamedOptimizer
from ._named_adaptive import betas_config


class LearningRateInside(NamedOptimizer):
    """A named optimizer whose direction takes the learning rate (and weight decay) itself.

    The chain is ``clip_by_global_norm? -> clip? -> direction(learning_rate, weight_decay,
    ...)``; the learning rate lives in the state of the core named optimizer that
    ``direction`` returns.
    """

    def _build(
        self, lr: float, weight_decay: float, config: Mapping[str, Any]
    ) -> core_optim.TransformLike:
        inner = self.direction(learning_rate=lr, weight_decay=weight_decay, **config)
        return core_optim.chain(*self._clips(), inner)


@fill_doc(**OPTIMIZER)
class Momentum(NamedOptimizer):
    r"""SGD with heavy-ball momentum.

    .. math::

        m_t = \mu m_{t-1} + g_t,\qquad \theta_t = \theta_{t-1} - \eta\, m_t

    braintools 0.3.0: ``Momentum(lr=1e-3, momentum=0.9, weight_decay=0.0, grad_clip_norm=None,
    grad_clip_value=None)``.

    Args:
        {momentum_family}

    {descend}
        >>> print(descend(optim.Momentum(lr=0.1, momentum=0.5), w=[1.0], grad=[1.0], steps=2))
        [0.75]

    References:
        Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    """

    nesterov = False
    """Use Nesterov's look-ahead form of the momentum."""

    def __init__(
        self,
        lr: LearningRate = 1e-3,
        momentum: float = 0.9,
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
        )

    @property
    def momentum(self) -> float:
        """The momentum :math:`\\mu`."""
        return float(self._config["momentum"])

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.trace(decay=config["momentum"], nesterov=self.nesterov)


@fill_doc(**OPTIMIZER)
class MomentumNesterov(Momentum):
    r"""SGD with Nesterov momentum.

    .. math::

        m_t = \mu m_{t-1} + g_t,\qquad \theta_t = \theta_{t-1} - \eta\,(g_t + \mu m_t)

    braintools 0.3.0: ``MomentumNesterov(lr=1e-3, momentum=0.9, weight_decay=0.0, ...)``.

    Args:
        {momentum_family}

    {descend}
        >>> print(descend(optim.MomentumNesterov(lr=0.1, momentum=0.5), w=[1.0], grad=[1.0]))
        [0.85]

    References:
        Sutskever et al., "On the importance of initialization and momentum in deep
        learning", ICML 2013.
    """

    nesterov = True


@fill_doc(**OPTIMIZER)
class Lars(NamedOptimizer):
    r"""LARS: layer-wise trust-ratio scaling followed by momentum.

    .. math::

        d_t = g_t + \lambda\theta_{t-1},\quad
        m_t = \mu m_{t-1} + c\,\frac{\|\theta_{t-1}\|}{\|d_t\| + \epsilon}\, d_t,\quad
        \theta_t = \theta_{t-1} - \eta m_t

    braintools 0.3.0: ``Lars(lr=1.0, momentum=0.9, weight_decay=0.0, trust_coefficient=0.001,
    eps=1e-8, ...)``.

    Args:
        {lr}
        momentum: :math:`\mu`.
        weight_decay: :math:`\lambda`, added to the gradient before the trust ratio.
        trust_coefficient: :math:`c`.
        eps: :math:`\epsilon`.
        {braintools_tail}

    Example:
        >>> from facade.optim import Lars
        >>> print(Lars(lr=0.5, trust_coefficient=0.01).current_lr)
        0.5

    References:
        You, Gitman & Ginsburg, "Large batch training of convolutional networks",
        arXiv:1708.03888, 2017.
    """

    def __init__(
        self,
        lr: LearningRate = 1.0,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        trust_coefficient: float = 0.001,
        eps: float = 1e-8,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        check_real("momentum", momentum, low=0, high=1, high_open=True)
        check_real("trust_coefficient", trust_coefficient, low=0)
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            momentum=momentum,
            trust_coefficient=trust_coefficient,
            eps=eps,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.chain(
            core_optim.scale_by_trust_ratio(
                trust_coefficient=config["trust_coefficient"], eps=config["eps"]
            ),
            core_optim.trace(decay=config["momentum"]),
        )


@fill_doc(**OPTIMIZER)
class Lion(NamedOptimizer):
    r"""Lion: the sign of an interpolated momentum, with decoupled weight decay.

    .. math::

        u_t = \mathrm{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t),\quad
        m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t,\quad
        \theta_t = \theta_{t-1} - \eta(u_t + \lambda\theta_{t-1})

    braintools 0.3.0: ``Lion(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, ...)``.

    Args:
        {lr}
        betas: :math:`(\beta_1, \beta_2)`.
        weight_decay: :math:`\lambda` (decoupled).
        {braintools_tail}

    {descend}
        >>> print(descend(optim.Lion(lr=0.1), w=[1.0, 1.0], grad=[3.0, -0.5]))
        [0.9, 1.1]

    References:
        Chen et al., "Symbolic discovery of optimization algorithms", NeurIPS 2023.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        lr: LearningRate = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
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
            **betas_config(betas),
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.scale_by_lion(b1=config["b1"], b2=config["b2"])


@fill_doc(**OPTIMIZER)
class Rprop(LearningRateInside):
    r"""Rprop: sign steps with per-element step sizes that grow or shrink with sign agreement.

    .. math::

        \Delta_t = \begin{cases}\min(\eta_+\Delta_{t-1}, \Delta_{\max}) & g_t g_{t-1} > 0\\
        \max(\eta_-\Delta_{t-1}, \Delta_{\min}) & g_t g_{t-1} < 0\\
        \Delta_{t-1} & \text{otherwise}\end{cases},\qquad
        \theta_t = \theta_{t-1} - \Delta_t\,\mathrm{sign}(g_t)

    The learning rate is the initial step size :math:`\Delta_0`, used when parameters are
    registered; as in braintools 0.3.0 (``Rprop(lr=1e-2, etas=(0.5, 1.2),
    step_sizes=(1e-6, 50.0), ...)``), changing it later (or a scheduler) has no effect
    on the steps.

    Args:
        lr: :math:`\Delta_0`.
        etas: :math:`(\eta_-, \eta_+)`.
        step_sizes: :math:`(\Delta_{\min}, \Delta_{\max})`.
        {braintools_tail}

    {descend}
        >>> print(descend(optim.Rprop(lr=0.1), w=[1.0], grad=[5.0], steps=3))
        [0.78]

    References:
        Riedmiller & Braun, "A direct adaptive method for faster backpropagation learning:
        the RPROP algorithm", 1993.
    """

    def __init__(
        self,
        lr: LearningRate = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50.0),
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        eta_minus, eta_plus = as_pair("etas", etas, what="(eta_minus, eta_plus)")
        step_min, step_max = as_pair("step_sizes", step_sizes, what="(min, max)")
        for name, item in (
            ("etas[0]", eta_minus),
            ("etas[1]", eta_plus),
            ("step_sizes[0]", step_min),
            ("step_sizes[1]", step_max),
        ):
            check_real(name, item)
        if not 0 < eta_minus < 1 < eta_plus:
            raise ValueError(
                "etas must be (eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus; "
                f"got {etas!r}"
            )
        if not 0 <= step_min <= step_max:
            raise ValueError(
                f"step_sizes must be (min, max) with 0 <= min <= max; got {step_sizes!r}"
            )
        self.etas = etas
        self.step_sizes = step_sizes
        super().__init__(
            self._learning_rate(lr, learning_rate),
            0.0,
            grad_clip_norm,
            grad_clip_value,
            eta_minus=float(etas[0]),
            eta_plus=float(etas[1]),
            min_step_size=float(step_sizes[0]),
            max_step_size=float(step_sizes[1]),
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        del config["weight_decay"]
        return core_optim.rprop(**config)


@fill_doc(**OPTIMIZER)
class Fromage(LearningRateInside):
    r"""Fromage: trust-ratio steps followed by a multiplicative shrink of the weights.

    .. math::

        \theta_t = \frac{\theta_{t-1} - \eta\,\frac{\|\theta_{t-1}\|}{\|g_t\|}\, g_t}
            {\sqrt{1 + \eta^2}}

    (norms per array). braintools 0.3.0: ``Fromage(lr=1.0, momentum=0.0, ...)``; like
    braintools, ``momentum`` is not used and a non-zero value warns (a value that is no
    momentum, outside ``[0, 1)``, is refused). braintools freezes the
    learning rate at construction; here it lives in the state, so changing it (or a
    scheduler) takes effect.

    Args:
        lr: :math:`\eta`, a number or an LR scheduler.
        momentum: accepted for compatibility, in ``[0, 1)``; must be 0 to stay silent.
        {braintools_tail}

    {descend}
        >>> print(descend(optim.Fromage(lr=0.1), w=[3.0, 4.0], grad=[1.0, 0.0]))
        [2.4876, 3.9801]

    References:
        Bernstein et al., "On the distance between two neural networks and the stability
        of learning", NeurIPS 2020.
    """

    def __init__(
        self,
        lr: LearningRate = 1.0,
        momentum: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        check_real("momentum", momentum, low=0, high=1, high_open=True)
        if momentum:
            warnings.warn(
                "Fromage does not use a momentum term; the momentum argument is ignored",
                UserWarning,
                stacklevel=2,
            )
        self.momentum = momentum
        super().__init__(
            self._learning_rate(lr, learning_rate),
            0.0,
            grad_clip_norm,
            grad_clip_value,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.fromage(config["learning_rate"])
