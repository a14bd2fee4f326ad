"""LBFGS (with a line search driven by ``update(grads, value=..., value_fn=...)``) and Lookahead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from core import optim as core_optim
from core._docstrings import fill_doc
from core._validation import check_real

from ._docs import OPTIMIZER
from ._named import LearningRate
from ._named_other import LearningRateInside
from ._states import key_entry


def _nest(flat: dict[str, Any], paths: dict[str, tuple[Any, ...]]) -> Any:
    """The registered parameter values ``{name: value}`` in the structure they were given.

    Dicts (and attributes, sequence indices) along each key path become nested dicts;
    a single registered bare state gives its value.
    """
    if list(paths.values()) == [()]:
        return next(iter(flat.values()))
    root: dict[Any, Any] = {}
    for name, path in paths.items():
        node = root
        keys = [key_entry(k) for k in path]
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = flat[name]
    return root


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
        self._value_fns: dict[Callable[..., Any], Callable[..., Any]] = {}
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
            extra["value_fn"] = self._structured(value_fn)
        super().update(grads, **extra)

    def _structured(self, value_fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``value_fn`` taking the flat ``{name: value}`` dict the core transform sees.

        Cached per function object (and per registration), so the compiled update is reused.
        """
        paths = {name: tuple(path) for name, (path, _) in self._states.items()}
        cached = self._value_fns.get(value_fn)
        if cached is None or getattr(cached, "paths", None) != paths:

            def flat_value_fn(flat: dict[str, Any]) -> Any:
                return value_fn(_nest(flat, paths))

            flat_value_fn.paths = paths  # type: ignore[attr-defined]
            self._value_fns[value_fn] = cached = flat_value_fn
        return cached


@fill_doc(**OPTIMIZER)
class Lookahead(LearningRateInside):
    r"""Lookahead: every ``sync_period`` steps, pull slow weights toward the fast ones.

    .. math::

        \phi_{t+1} = \phi_t + \alpha(\theta_{t,k} - \phi_t),\qquad \theta_{t+1,0} = \phi_{t+1}

    The fast weights follow ``base_optimizer`` (a :mod:`core.optim` or optax transform,
    with its own learning rate); ``weight_decay`` is added to its gradient. As in
    braintools 0.3.0 (``Lookahead(base_optimizer, sync_period=5, alpha=0.5, lr=1e-3,
    weight_decay=0.0, ...)``), ``lr`` is stored (``current_lr``) but not applied.

    A base optimizer that keeps its learning rate in its state (a :mod:`core.optim`
    named optimizer) has that learning rate overwritten by this ``lr`` at every step;
    pass an optax transform or a plain :func:`core.optim.chain` to keep its own.

    Args:
        base_optimizer: the fast (inner) transform.
        sync_period: :math:`k`, >= 1.
        alpha: :math:`\alpha`, in [0, 1].
        lr: stored, not applied.
        weight_decay: L2 penalty added to the fast optimizer's gradient.
        {braintools_tail}

    {descend}
        >>> from core.optim import chain, scale
        >>> opt = optim.Lookahead(chain(scale(-1.0)), sync_period=2, alpha=0.5)
        >>> print(descend(opt, w=[0.0], grad=[-1.0], steps=2))
        [1.0]

    References:
        Zhang et al., "Lookahead optimizer: k steps forward, 1 step back", NeurIPS 2019.
    """

    state_may_hold_inputs = True

    def __init__(
        self,
        base_optimizer: core_optim.TransformLike,
        sync_period: int = 5,
        alpha: float = 0.5,
        lr: LearningRate = 1e-3,
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
        self.base_optimizer = base_optimizer
        self.sync_period = sync_period
        self.alpha = alpha
        super().__init__(
            self._learning_rate(lr, learning_rate),
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
            del learning_rate  # braintools keeps Lookahead's learning rate but never applies it
            return wrapped

        return core_optim.inject_hyperparams(stored_lr, ["learning_rate"])(
            learning_rate=config["learning_rate"]
        )
