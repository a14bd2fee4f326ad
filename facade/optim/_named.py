"""Named optimizers with the "Training Utilities" page's and braintools' constructor arguments.

Each class only says which :mod:`core.optim` block gives the update direction; the
shared chain (gradient clipping, weight decay, the learning rate kept in the state)
is built once in :class:`NamedOptimizer`, in braintools 0.3.0's order.
"""

from __future__ import annotations

import abc
import functools
import inspect
from collections.abc import Mapping
from typing import Any, cast

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import as_pair, check_real, resolve_alias

from ._docs import OPTIMIZER
from ._optax_optimizer import OptaxOptimizer, regularized
from ._optimizer import Optimizer
from ._optimizer_lr import LRSchedulerLike, initial_learning_rate

LearningRate = float | LRSchedulerLike

BETAS = "a pair (beta1, beta2)"

_SPELLINGS = frozenset({"lr", "learning_rate"})
"""Constructor arguments that are spellings of the learning rate (read ``current_lr``)."""


class NamedOptimizer(OptaxOptimizer, abc.ABC):
    """Base of the named optimizers: braintools' chain around one core direction block.

    The transform is ``chain(clip_by_global_norm?, clip?, add_decayed_weights?,
    direction, scale_by_learning_rate)`` with the learning rate held in the state
    (:func:`core.optim.inject_hyperparams`). Subclasses implement :meth:`direction`
    and record their constructor arguments, so that :meth:`add_param_group` can
    rebuild the algorithm with a group's own hyperparameters.

    Example:
        >>> from facade.optim import Adam, NamedOptimizer
        >>> isinstance(Adam(), NamedOptimizer)
        True
    """

    decoupled_weight_decay = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make every constructor argument a readable attribute (braintools' names).

        ``Adam(eps=1e-6).eps``, ``SGD(momentum=0.9).momentum``, ``Adafactor().factored``:
        each subclass's ``__init__`` records its arguments after they were checked. An
        argument that the class exposes otherwise (a property such as ``betas``) or that
        is only an alternative spelling (``learning_rate``/``lr``) is left alone.
        """
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        signature = inspect.signature(init)

        @functools.wraps(init)
        def recording_init(self: NamedOptimizer, *args: Any, **kw: Any) -> None:
            init(self, *args, **kw)
            bound = signature.bind(self, *args, **kw)
            bound.apply_defaults()
            for name, value in list(bound.arguments.items())[1:]:
                if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                    continue  # a family base's extra settings: recorded by the member's own init
                if name not in _SPELLINGS and not hasattr(type(self), name) and value is not None:
                    setattr(self, name, value)

        cls.__init__ = recording_init  # type: ignore[method-assign]

    state_may_hold_inputs = False  # moments are fresh arrays; LBFGS and Lookahead say True
    """Apply weight decay after the direction (AdamW style) rather than before it."""

    def __init__(
        self,
        lr: LearningRate,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        **config: Any,
    ) -> None:
        check_real("weight_decay", weight_decay, low=0)
        for name, clip in (
            ("grad_clip_norm", grad_clip_norm),
            ("grad_clip_value", grad_clip_value),
        ):
            if clip is not None:
                check_real(name, clip, low=0, low_open=True)
        self.weight_decay = weight_decay
        self.grad_clip_norm = grad_clip_norm
        self.grad_clip_value = grad_clip_value
        self._config = dict(config)
        tx = self._build(initial_learning_rate(lr), weight_decay, self._config)
        Optimizer.__init__(self, tx, lr)  # the chain already holds clipping and weight decay

    def _learning_rate(
        self, lr: LearningRate | None, learning_rate: LearningRate | None
    ) -> LearningRate:
        """The learning rate, given as braintools' ``lr`` or as the page's ``learning_rate``.

        The spelling a class takes by position is the main one (``lr`` for the braintools
        classes, ``learning_rate`` for the page's); the keyword-only one wins when given, and
        giving both is refused (:func:`~core._validation.resolve_alias`). The main spelling's
        default is read from the signature of the nearest class (in the MRO) whose constructor
        takes both spellings and gives the main one a default.
        """
        for klass in type(self).__mro__:
            init = klass.__dict__.get("__init__")
            parameters = {} if init is None else inspect.signature(init).parameters
            if not {"lr", "learning_rate"} <= parameters.keys():
                continue
            keyword_only = parameters["learning_rate"].kind is inspect.Parameter.KEYWORD_ONLY
            main, alias = ("lr", "learning_rate") if keyword_only else ("learning_rate", "lr")
            default = parameters[main].default
            if default is not inspect.Parameter.empty:
                given = {"lr": lr, "learning_rate": learning_rate}
                return cast(
                    LearningRate, resolve_alias(main, given[main], default, alias, given[alias])
                )
        raise TypeError(f"{type(self).__name__} takes no learning rate spelling with a default")

    @abc.abstractmethod
    def direction(self, **config: Any) -> core_optim.TransformLike:
        """The core block that turns gradients into an update direction."""

    def _clips(self) -> list[core_optim.TransformLike]:
        """The gradient clipping that starts every named optimizer's chain."""
        clips: list[core_optim.TransformLike] = []
        if self.grad_clip_norm is not None:
            clips.append(core_optim.clip_by_global_norm(self.grad_clip_norm))
        if self.grad_clip_value is not None:
            clips.append(core_optim.clip(self.grad_clip_value))
        return clips

    def core_optimizer(
        self, learning_rate: float, decoupled_decay: float | None, **config: Any
    ) -> core_optim.TransformLike | None:
        """The named :mod:`core.optim` optimizer of this algorithm, if core has one.

        It is the whole composition (direction and learning rate, kept in its state), so
        the facade adds only clipping and coupled weight decay around it. ``decoupled_decay``
        is given for a decoupled-decay optimizer (AdamW), ``None`` otherwise. The default,
        ``None``, means "no core counterpart": :meth:`direction` is composed here instead.
        """
        return None

    def _build(
        self, lr: float, weight_decay: float, config: Mapping[str, Any]
    ) -> core_optim.TransformLike:
        decoupled = weight_decay if self.decoupled_weight_decay else None
        named = self.core_optimizer(lr, decoupled, **config)
        if named is not None:
            coupled = 0.0 if self.decoupled_weight_decay else weight_decay
            return regularized(named, coupled, self.grad_clip_norm, self.grad_clip_value)
        clips = self._clips()
        decay = [core_optim.add_decayed_weights(weight_decay)] if weight_decay > 0 else []
        direction = self.direction(**config)
        body = [direction, *decay] if self.decoupled_weight_decay else [*decay, direction]

        def chain(learning_rate: float) -> core_optim.GradientTransformation:
            return core_optim.chain(*clips, *body, core_optim.scale_by_learning_rate(learning_rate))

        return core_optim.inject_hyperparams(chain, ["learning_rate"])(learning_rate=lr)

    def _group_transform(self, hyperparams: Mapping[str, Any]) -> core_optim.TransformLike:
        hyper = dict(hyperparams)
        lr = hyper.pop("lr", hyper.pop("learning_rate", self._initial_lr))
        weight_decay = hyper.pop("weight_decay", self.weight_decay)
        unknown = sorted(set(hyper) - set(self._config))
        if unknown:
            raise TypeError(
                f"add_param_group: {type(self).__name__} has no hyperparameter {unknown}; "
                f"it has lr, weight_decay, {', '.join(sorted(self._config))}"
            )
        check_real("lr", lr, low=0)
        check_real("weight_decay", weight_decay, low=0)
        return self._build(float(lr), weight_decay, {**self._config, **hyper})


@fill_doc(**OPTIMIZER)
class SGD(NamedOptimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    .. math::

        m_t = \mu m_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, m_t

    (or :math:`\theta_t = \theta_{t-1} - \eta (g_t + \mu m_t)` with Nesterov).
    The page's defaults: ``SGD(learning_rate=0.01, momentum=0.0)``; braintools' ``lr``
    spelling is accepted.

    Args:
        learning_rate: :math:`\eta`, a number or an LR scheduler.
        momentum: :math:`\mu`; 0 disables momentum.
        lr: braintools' name for ``learning_rate``.
        {l2}
        nesterov: use Nesterov momentum.
        {page_tail}

    {descend}
        >>> print(descend(optim.SGD(learning_rate=0.1), w=[1.0], grad=[2.0]))
        [0.8]
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        *,
        lr: LearningRate | None = None,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
    ) -> None:
        check_real("momentum", momentum, low=0, high=1, high_open=True)
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            momentum=momentum,
            nesterov=nesterov,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        if config["momentum"] > 0:
            return core_optim.trace(decay=config["momentum"], nesterov=config["nesterov"])
        return core_optim.identity()

    def core_optimizer(
        self, learning_rate: float, decoupled_decay: float | None, **config: Any
    ) -> core_optim.TransformLike:
        momentum = config["momentum"] or None
        return core_optim.sgd(learning_rate, momentum=momentum, nesterov=config["nesterov"])


@fill_doc(**OPTIMIZER)
class Adam(NamedOptimizer):
    r"""Adam: bias-corrected first and second moment estimates.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,\quad
        \theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    The page's signature ``Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8)``;
    braintools' ``lr`` and ``betas=(b1, b2)`` are accepted too. ``weight_decay`` is an
    L2 penalty added to the gradient before the moments (use :class:`AdamW` for
    decoupled decay).

    Args:
        learning_rate: :math:`\eta`, a number or an LR scheduler.
        beta1: :math:`\beta_1`.
        beta2: :math:`\beta_2`.
        eps: :math:`\epsilon`.
        lr: braintools' name for ``learning_rate``.
        betas: braintools' ``(beta1, beta2)``.
        {l2}
        amsgrad: use the running maximum of :math:`\hat v_t` (AMSGrad).
        {page_tail}

    {descend}
        >>> print(descend(optim.Adam(learning_rate=1e-3), w=[1.0, -1.0], grad=[0.5, -0.5]))
        [0.999, -0.999]

    References:
        Kingma & Ba, "Adam: A method for stochastic optimization", ICLR 2015.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        lr: LearningRate | None = None,
        betas: tuple[float, float] | None = None,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
    ) -> None:
        pair = (None, None) if betas is None else as_pair("betas", betas, what=BETAS)
        b1 = resolve_alias("beta1", beta1, 0.9, "betas", pair[0])
        b2 = resolve_alias("beta2", beta2, 0.999, "betas", pair[1])
        check_real("beta1", b1, low=0, high=1, high_open=True)
        check_real("beta2", b2, low=0, high=1, high_open=True)
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            b1=b1,
            b2=b2,
            eps=eps,
            amsgrad=amsgrad,
        )

    @property
    def betas(self) -> tuple[float, float]:
        """``(beta1, beta2)``."""
        return self._config["b1"], self._config["b2"]

    def direction(self, **config: Any) -> core_optim.TransformLike:
        return core_optim.scale_by_adam(
            b1=config["b1"], b2=config["b2"], eps=config["eps"], amsgrad=config["amsgrad"]
        )

    def core_optimizer(
        self, learning_rate: float, decoupled_decay: float | None, **config: Any
    ) -> core_optim.TransformLike | None:
        moments = {"b1": config["b1"], "b2": config["b2"], "eps": config["eps"]}
        if decoupled_decay is None:
            factory = core_optim.amsgrad if config["amsgrad"] else core_optim.adam
            return factory(learning_rate, **moments)
        if config["amsgrad"]:
            return None  # core has no AMSGrad with decoupled decay: composed from the blocks
        return core_optim.adamw(learning_rate, **moments, weight_decay=decoupled_decay)


@fill_doc(**OPTIMIZER)
class AdamW(Adam):
    r"""Adam with decoupled weight decay (applied after the moments).

    .. math::

        \theta_t = \theta_{t-1} - \eta\Bigl(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
            + \lambda\,\theta_{t-1}\Bigr)

    Same arguments as :class:`Adam`; braintools' default ``weight_decay=0.01``.

    Args:
        learning_rate: :math:`\eta`, a number or an LR scheduler.
        beta1: :math:`\beta_1`.
        beta2: :math:`\beta_2`.
        eps: :math:`\epsilon`.
        lr: braintools' name for ``learning_rate``.
        betas: braintools' ``(beta1, beta2)``.
        weight_decay: :math:`\lambda`.
        amsgrad: use AMSGrad.
        {page_tail}

    Example:
        >>> from facade.optim import AdamW
        >>> AdamW(lr=1e-3).weight_decay
        0.01

    References:
        Loshchilov & Hutter, "Decoupled weight decay regularization", ICLR 2019.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        lr: LearningRate | None = None,
        betas: tuple[float, float] | None = None,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
    ) -> None:
        super().__init__(
            learning_rate,
            beta1,
            beta2,
            eps,
            lr=lr,
            betas=betas,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            grad_clip_norm=grad_clip_norm,
            grad_clip_value=grad_clip_value,
        )


@fill_doc(**OPTIMIZER)
class RMSprop(NamedOptimizer):
    r"""RMSprop: divide by a running root mean square of the gradients.

    .. math::

        v_t = \rho v_{t-1} + (1 - \rho) g_t^2, \qquad
        \theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \epsilon}

    The page's signature ``RMSprop(learning_rate=0.001, decay=0.9, eps=1e-8)``; braintools'
    ``lr`` and ``alpha`` (for ``decay``) are accepted, with the page's defaults.

    Args:
        learning_rate: :math:`\eta`, a number or an LR scheduler.
        decay: :math:`\rho`.
        eps: :math:`\epsilon`.
        lr: braintools' name for ``learning_rate``.
        alpha: braintools' name for ``decay``.
        {l2}
        momentum: momentum on the scaled update; 0 disables it.
        centered: divide by the centred second moment (variance estimate).
        {page_tail}

    Example:
        >>> from facade.optim import RMSprop
        >>> opt = RMSprop(lr=0.01, alpha=0.99)
        >>> opt.decay, opt.current_lr
        (0.99, 0.01)

    References:
        Tieleman & Hinton, Lecture 6.5 - RMSprop, COURSERA: Neural Networks for
        Machine Learning, 2012.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        decay: float = 0.9,
        eps: float = 1e-8,
        *,
        lr: LearningRate | None = None,
        alpha: float | None = None,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
    ) -> None:
        rho = resolve_alias("decay", decay, 0.9, "alpha", alpha)
        check_real("decay", rho, low=0, high=1, high_open=True)
        check_real("momentum", momentum, low=0, high=1, high_open=True)
        super().__init__(
            self._learning_rate(lr, learning_rate),
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            decay=rho,
            eps=eps,
            momentum=momentum,
            centered=centered,
        )

    @property
    def decay(self) -> float:
        """The moving-average factor :math:`\\rho` (braintools' ``alpha``)."""
        return float(self._config["decay"])

    @property
    def alpha(self) -> float:
        """braintools' name of :attr:`decay`."""
        return self.decay

    def direction(self, **config: Any) -> core_optim.TransformLike:
        rms = core_optim.scale_by_rms(
            decay=config["decay"], eps=config["eps"], centered=config["centered"]
        )
        if config["momentum"] > 0:
            return core_optim.chain(rms, core_optim.trace(decay=config["momentum"]))
        return rms
