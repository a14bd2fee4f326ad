"""LBFGS (with a line search driven by ``update(grads, value=..., value_fn=...)``) and Lookahead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import check_real, resolve_alias

from ._docs import OPTIMIZER
from ._named import LearningRate
from ._named_other import LearningRateInside
from ._own_lr import own_learning_rates, refuse_lr_for_schedules


@fill_doc(**OPTIMIZER)
class LBFGS(LearningRateInside):
    r"""L-BFGS: quasi-Newton steps from the last ``memory_size`` curvature pairs.

    .. math::

        \theta_t = \theta_{t-1} - \eta\,\alpha_t\, H_t g_t

    where :math:`H_t` is the L-BFGS inverse-Hessian estimate and :math:`\alpha_t` the
    line-search step (1 without a line search). braintools 0.3.0: ``LBFGS(lr=1.0,
    memory_size=10, scale_init_precond=True, linesearch=None, grad_clip_norm=None,
    grad_clip_value=None)``; ``linesearch`` is ``None`` (no line search, the default),
    ``"backtracking"`` (:func:`core.optim.scale_by_backtracking_linesearch` with at most
    100 steps, as braintools) or a transform. braintools' ``"zoom"`` is not available
    (no zoom line search in :mod:`core.optim`).

    With a line search, call ``update(grads, value=loss, value_fn=loss_of_params)``:
    ``value_fn`` receives the parameter values in the structure they were registered with
    (e.g. ``{"w": array}``) and returns the loss. It is static in the compiled update
    (pass the same function object each step). The line search's ``grad`` is the gradient
    after clipping (braintools passes the unclipped one; the two agree without clipping).

    Args:
        {lr}
        memory_size: number of stored curvature pairs.
        scale_init_precond: scale the initial inverse Hessian by
            :math:`\langle s, y\rangle / \langle y, y\rangle`.
        linesearch: ``None``, ``"backtracking"`` or a line-search transform.
        {braintools_tail}

    Example:
        >>> import brainstate, jax, jax.numpy as jnp
        >>> from facade.optim import LBFGS
        >>> w = brainstate.ParamState(jnp.array([0.0, 0.0]))
        >>> loss = lambda p: jnp.sum((p["w"] - 3.0) ** 2 * jnp.array([1.0, 10.0]))
        >>> opt = LBFGS(linesearch="backtracking")
        >>> opt.register_trainable_weights({"w": w})
        >>> for _ in range(8):
        ...     value, grads = jax.value_and_grad(loss)({"w": w.value})
        ...     opt.update(grads, value=value, value_fn=loss)
        >>> print([round(float(x), 3) for x in w.value])
        [3.0, 3.0]

    References:
        Liu & Nocedal, "On the limited memory BFGS method for large scale optimization",
        Mathematical Programming, 1989.
    """

    state_may_hold_inputs = True

    def __init__(
        self,
        lr: LearningRate = 1.0,
        memory_size: int = 10,
        scale_init_precond: bool = True,
        linesearch: str | core_optim.TransformLike | None = None,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        if isinstance(memory_size, bool) or not isinstance(memory_size, int) or memory_size < 1:
            raise ValueError(f"memory_size must be an integer >= 1; got {memory_size!r}")
        search: core_optim.TransformLike | None
        if linesearch is None or not isinstance(linesearch, str):
            search = linesearch
        elif linesearch == "backtracking":
            search = core_optim.scale_by_backtracking_linesearch(max_backtracking_steps=100)
        else:
            raise ValueError(
                f"linesearch must be None, 'backtracking' or a transform; got {linesearch!r} "
                "('zoom' is not available)"
            )
        if search is not None and not isinstance(search, core_optim.TransformLike):
            raise TypeError(f"linesearch must be a transform; got {type(search).__name__}")
        self.memory_size = memory_size
        self.scale_init_precond = scale_init_precond
        self.linesearch = search
        super().__init__(
            self._learning_rate(lr, learning_rate),
            0.0,
            grad_clip_norm,
            grad_clip_value,
            memory_size=memory_size,
            scale_init_precond=scale_init_precond,
            linesearch=search,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        del config["weight_decay"]
        return core_optim.lbfgs(**config)

    def update(
        self,
        grads: Any,
        value: jax.typing.ArrayLike | None = None,
        value_fn: Callable[[Any], jax.typing.ArrayLike] | None = None,
        **extra: Any,
    ) -> None:
        """One L-BFGS step; ``value`` and ``value_fn`` feed the line search.

        Args:
            grads: the gradients of the registered states.
            value: the loss at the current parameters.
            value_fn: the loss as a function of the parameter values (structured as
                registered).
            **extra: further extra arguments for the transform.

        Raises:
            ValueError: for ``value_fn`` with more than one parameter group.
        """
        if value is not None:
            extra["value"] = value
        if value_fn is not None:
            if len(self._groups) > 1:
                raise ValueError("value_fn: LBFGS line searches need a single parameter group")
            extra["value_fn"] = value_fn  # the transform sees the parameters as registered
        super().update(grads, **extra)


@fill_doc(**OPTIMIZER)
class Lookahead(LearningRateInside):
    r"""Lookahead: every ``sync_period`` steps, pull slow weights toward the fast ones.

    .. math::

        \phi_{t+1} = \phi_t + \alpha(\theta_{t,k} - \phi_t),\qquad \theta_{t+1,0} = \phi_{t+1}

    The fast weights follow ``base_optimizer`` (a :mod:`core.optim` or optax transform);
    ``weight_decay`` is added to its gradient. braintools 0.3.0: ``Lookahead(base_optimizer,
    sync_period=5, alpha=0.5, lr=1e-3, weight_decay=0.0, ...)``, where the base optimizer
    keeps its own learning rate and ``lr`` is stored (``current_lr``) but not applied.

    Here the learning rate is what the base optimizer carries, unless ``lr`` is given:

    * a base that keeps a learning rate in its state (a :mod:`core.optim` named optimizer
      such as ``core.optim.sgd(0.1)``, alone or inside a :func:`core.optim.chain`): without
      ``lr`` it keeps its own (``current_lr`` reports it); a given ``lr`` (a number or an LR
      scheduler) replaces it and drives it, as do ``current_lr = ...`` and schedulers later.
    * a base whose learning rate is a schedule (``core.optim.sgd(schedule)``) keeps its
      schedule; ``lr`` is then stored, not applied, and giving it is refused (it could not
      drive the schedule).
    * a base without one in its state (an optax transform, a chain of plain blocks): as in
      braintools, ``lr`` (default ``1e-3``) is stored, not applied.

    Args:
        base_optimizer: the fast (inner) transform.
        sync_period: :math:`k`, >= 1.
        alpha: :math:`\alpha`, in [0, 1].
        lr: the base optimizer's learning rate (see above); ``None`` (default): the
            base's own, or a stored ``1e-3`` for a base without one.
        weight_decay: L2 penalty added to the fast optimizer's gradient.
        {braintools_tail}

    Raises:
        ValueError: for ``lr`` with a base whose learning rate is a schedule, or without
            ``lr`` for a base holding learning rates that differ (or a number and a schedule).

    {descend}
        >>> from core.optim import chain, scale
        >>> opt = optim.Lookahead(chain(scale(-1.0)), sync_period=2, alpha=0.5)
        >>> print(descend(opt, w=[0.0], grad=[-1.0], steps=2))
        [1.0]
        >>> from core.optim import sgd
        >>> opt = optim.Lookahead(sgd(0.1), sync_period=2, alpha=0.5)  # steps of 0.1
        >>> print(descend(opt, w=[0.0], grad=[-1.0], steps=2), opt.current_lr)
        [0.1] 0.1

    References:
        Zhang et al., "Lookahead optimizer: k steps forward, 1 step back", NeurIPS 2019.
    """

    state_may_hold_inputs = True
    lr_beside_schedule = True  # a base's schedule keeps running; lr is then stored only

    def __init__(
        self,
        base_optimizer: core_optim.TransformLike,
        sync_period: int = 5,
        alpha: float = 0.5,
        lr: LearningRate | None = None,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        learning_rate: LearningRate | None = None,
    ) -> None:
        if not isinstance(base_optimizer, core_optim.TransformLike):
            raise TypeError(
                "base_optimizer must be a transform with init and update; "
                f"got {type(base_optimizer).__name__}"
            )
        if isinstance(sync_period, bool) or not isinstance(sync_period, int) or sync_period < 1:
            raise ValueError(f"sync_period must be an integer >= 1; got {sync_period!r}")
        check_real("alpha", alpha, low=0, high=1)
        rate = _learning_rate_of(
            base_optimizer, resolve_alias("lr", lr, None, "learning_rate", learning_rate)
        )
        self.base_optimizer = base_optimizer
        self.sync_period = sync_period
        self.alpha = alpha
        super().__init__(
            rate,
            weight_decay,
            grad_clip_norm,
            grad_clip_value,
            base_optimizer=base_optimizer,
            sync_period=sync_period,
            alpha=alpha,
        )

    def direction(self, **config: Any) -> core_optim.TransformLike:
        fast = config["base_optimizer"]
        if config["weight_decay"] > 0:
            fast = core_optim.chain(core_optim.add_decayed_weights(config["weight_decay"]), fast)
        wrapped = core_optim.lookahead(fast, config["sync_period"], config["alpha"])

        def stored_lr(learning_rate: float) -> core_optim.GradientTransformation:
            # only stored here; the optimizer writes it into every learning rate of the state
            # at each step, so it drives the base's own (if numbers) and leaves a schedule be
            del learning_rate
            return wrapped

        return core_optim.inject_hyperparams(stored_lr, ["learning_rate"])(
            learning_rate=config["learning_rate"]
        )


def _learning_rate_of(base: core_optim.TransformLike, given: LearningRate | None) -> LearningRate:
    """Lookahead's learning rate: ``given``, or the one ``base`` keeps in its state.

    The facade writes its learning rate into every learning rate a state holds
    (:func:`core.optim.set_learning_rate`) before each step: ``given`` drives the base's
    numeric ones; without it, the base's own (one number) is used so that nothing changes.
    A schedule keeps running whatever is written (a given ``lr`` could not drive it).
    """
    rates = own_learning_rates(base)
    if given is not None:
        refuse_lr_for_schedules(rates, "base_optimizer")
        return given
    if rates.several:
        raise ValueError(
            f"lr: base_optimizer holds several learning rates ({rates.describe()}); Lookahead "
            "drives them all with one lr: give lr explicitly, or build the base with one "
            "learning rate"
        )
    return rates.single if rates.single is not None else 1e-3
