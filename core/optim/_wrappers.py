"""Wrappers around a transform: gradient accumulation, skipping non-finite steps, parameter
EMA, reduce-on-plateau and lookahead."""

from __future__ import annotations

import abc
from typing import Any, ClassVar, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from core._validation import as_int, check_floating, check_real

from . import _tree as tu
from ._base import (
    GradientTransformation,
    OptState,
    Params,
    TransformLike,
    Updates,
    call_update,
    check_transform,
    require_params,
)


class MultiStepsState(NamedTuple):
    """Micro-step within the window, completed steps, inner state, the one accumulator."""

    mini_step: jax.Array
    gradient_step: jax.Array
    inner_state: OptState
    acc_grads: Updates


class _MultiSteps(GradientTransformation):
    inner: TransformLike
    every_k: int = eqx.field(static=True)
    use_grad_mean: bool = eqx.field(static=True)

    def init(self, params: Params) -> OptState:
        return MultiStepsState(
            tu.zero_count(), tu.zero_count(), self.inner.init(params), tu.zeros_like(params)
        )

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        n = state.mini_step

        def accumulate(g: jax.Array, a: jax.Array) -> jax.Array:
            g = g.astype(a.dtype)
            return a + (g - a) / (n + 1).astype(a.dtype) if self.use_grad_mean else a + g

        acc = tu.tree_map(accumulate, updates, state.acc_grads)
        emit = n == self.every_k - 1

        def apply(operands: tuple[Any, Any]) -> tuple[Any, Any, Any]:
            acc_, inner_state = operands
            grads = jax.tree.map(lambda a, g: a.astype(g.dtype), acc_, updates)
            out, new_inner = call_update(self.inner, grads, inner_state, params, extra)
            return out, new_inner, tu.tree_map(jnp.zeros_like, acc_)

        def hold(operands: tuple[Any, Any]) -> tuple[Any, Any, Any]:
            acc_, inner_state = operands
            shapes = jax.eval_shape(lambda: apply(operands)[0])
            zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)
            return zeros, inner_state, acc_

        out, inner_state, acc = jax.lax.cond(emit, apply, hold, (acc, state.inner_state))
        new_state = MultiStepsState(
            jnp.where(emit, 0, n + 1).astype(n.dtype),
            jnp.where(emit, tu.increment(state.gradient_step), state.gradient_step),
            inner_state,
            acc,
        )
        return out, new_state


def multi_steps(
    inner: TransformLike, every_k: int, use_grad_mean: bool = True
) -> GradientTransformation:
    r"""Gradient accumulation: apply ``inner`` once every ``every_k`` micro-steps.

    The mean (or sum) of the ``every_k`` gradients is kept in one accumulator buffer;
    between applications the updates are zero and the inner state is unchanged.

    .. math::

        \bar g = \frac{1}{k}\sum_{i=1}^{k} g_i,\quad
        u = \begin{cases} T(\bar g) & \text{every } k\text{-th micro-step}\\ 0 & \text{else}
        \end{cases}

    Args:
        inner: the transform applied to the accumulated gradient.
        every_k: number of micro-steps per step, >= 1.
        use_grad_mean: average (default) rather than sum the gradients.

    Returns:
        The wrapped transform (like ``optax.MultiSteps``).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.multi_steps(optim.sgd(1.0), every_k=2)
        >>> state = tx.init(jnp.zeros(1))
        >>> u, state = tx.update(jnp.array([1.0]), state)
        >>> print(u)
        [0.]
        >>> u, state = tx.update(jnp.array([3.0]), state)
        >>> print(u)
        [-2.]
    """
    check_transform("inner", inner)
    as_int("every_k", every_k, minimum=1)
    return _MultiSteps(inner, every_k, use_grad_mean)


class SkipNotFiniteState(NamedTuple):
    """Inner state, the number of skipped steps, and whether the last step was finite."""

    inner_state: OptState
    notfinite_count: jax.Array
    last_finite: jax.Array


class _SkipNotFinite(GradientTransformation):
    inner: TransformLike

    def init(self, params: Params) -> OptState:
        return SkipNotFiniteState(self.inner.init(params), tu.zero_count(), jnp.array(True))

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        finite = tu.all_finite(updates)
        out, inner_state = call_update(self.inner, updates, state.inner_state, params, extra)
        out = jax.tree.map(lambda u: jnp.where(finite, u, jnp.zeros_like(u)), out)
        inner_state = jax.tree.map(
            lambda new, old: jnp.where(finite, new, old), inner_state, state.inner_state
        )
        count = jnp.where(finite, state.notfinite_count, tu.increment(state.notfinite_count))
        return out, SkipNotFiniteState(inner_state, count, finite)


def skip_not_finite(inner: TransformLike) -> GradientTransformation:
    r"""Skip steps whose gradients hold a NaN or an infinity.

    On such a step the updates are zero (params unchanged), the inner state is kept as it
    was, and ``notfinite_count`` in the state goes up by one. The test is a reduction on
    device: no host synchronisation.

    .. math::

        u_t = \begin{cases} T(g_t) & g_t \text{ finite}\\ 0 & \text{otherwise}\end{cases}

    Args:
        inner: the transform to guard.

    Returns:
        The wrapped transform.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.skip_not_finite(optim.adam(0.1))
        >>> state = tx.init(jnp.zeros(2))
        >>> u, state = tx.update(jnp.array([1.0, jnp.nan]), state)
        >>> print(u, int(state.notfinite_count))
        [0. 0.] 1
    """
    check_transform("inner", inner)
    return _SkipNotFinite(inner)


class EmaParamsState(NamedTuple):
    """Inner state, step count and the moving average of the parameters."""

    inner_state: OptState
    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    ema: Params


class _CopyOfParams(GradientTransformation):
    """Base of the wrappers whose state is ``inner``'s state, a step count and a copy of the
    parameters that follows them (:func:`ema_params`, :func:`lookahead`)."""

    public_name: ClassVar[str]
    state_type: ClassVar[Any]  # the NamedTuple (inner_state, count, copy)
    inner: TransformLike

    def init(self, params: Params) -> OptState:
        check_floating("params", params)
        return self.state_type(
            self.inner.init(params), tu.zero_count(), jax.tree.map(jnp.asarray, params)
        )

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        params = require_params(self.public_name, params)
        out, inner_state = call_update(self.inner, updates, state.inner_state, params, extra)
        count = tu.increment(state.count)
        out, copy = self.follow(out, params, state[2], count)
        return out, self.state_type(inner_state, count, copy)

    @abc.abstractmethod
    def follow(
        self, out: Updates, params: Params, copy: Params, count: jax.Array
    ) -> tuple[Updates, Params]:
        """The updates and the new copy, from ``inner``'s updates ``out`` at step ``count``."""


class _EmaParams(_CopyOfParams):
    public_name = "ema_params"
    state_type = EmaParamsState
    decay: Any

    def follow(
        self, out: Updates, params: Params, copy: Params, count: jax.Array
    ) -> tuple[Updates, Params]:
        def average(e: jax.Array, p: jax.Array, u: jax.Array) -> jax.Array:
            new_p = (p + u.astype(p.dtype)).astype(e.dtype)
            d = tu.hp(self.decay, e)
            return (d * e + (1 - d) * new_p).astype(e.dtype)

        return out, tu.tree_map(average, copy, params, out)


def ema_params(inner: TransformLike, decay: float = 0.999) -> GradientTransformation:
    r"""Keep an exponential moving average of the parameters in the state (``state.ema``).

    .. math::

        \bar\theta_{t+1} = \beta \bar\theta_t + (1-\beta)\theta_{t+1},\quad
        \bar\theta_0 = \theta_0

    The updates are ``inner``'s, unchanged; evaluate with ``state.ema``.

    Args:
        inner: the optimizer.
        decay: :math:`\beta`, in [0, 1).

    Returns:
        The wrapped transform (needs ``params``).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.ema_params(optim.sgd(1.0), decay=0.5)
        >>> p = jnp.array([2.0])
        >>> u, state = tx.update(jnp.array([2.0]), tx.init(p), p)
        >>> print(state.ema)
        [1.]
    """
    check_transform("inner", inner)
    check_real("decay", decay, low=0, high=1, high_open=True)
    return _EmaParams(inner, decay)


class ReduceOnPlateauState(NamedTuple):
    """Plateau bookkeeping and the current scale."""

    best_value: jax.Array
    plateau_count: jax.Array
    scale: jax.Array
    cooldown_count: jax.Array
    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    avg_value: jax.Array


class _ReduceOnPlateau(GradientTransformation):
    factor: float
    patience: int
    rtol: float
    atol: float
    cooldown: int
    accumulation_size: int
    min_scale: float

    def init(self, params: Params) -> OptState:
        del params
        f32 = jnp.float32
        zero = tu.zero_count()
        return ReduceOnPlateauState(
            jnp.asarray(jnp.inf, f32),
            zero,
            jnp.asarray(1.0, f32),
            zero,
            zero,
            jnp.asarray(0.0, f32),
        )

    def _rescale(self, s: ReduceOnPlateauState) -> ReduceOnPlateauState:
        improved = s.avg_value < (1 - self.rtol) * s.best_value - self.atol
        best = jnp.where(improved, s.avg_value, s.best_value)
        plateau = jnp.where(improved, 0, tu.increment(s.plateau_count))
        cooling = s.cooldown_count > 0
        hit = plateau == self.patience
        new_plateau = jnp.where(cooling, 0, jnp.where(hit, 0, plateau)).astype(jnp.int32)
        reduced = jnp.maximum(jnp.where(hit, s.scale * self.factor, s.scale), self.min_scale)
        new_scale = jnp.where(cooling, s.scale, reduced)
        new_cool = jnp.where(cooling, s.cooldown_count - 1, jnp.where(hit, self.cooldown, 0))
        zero = tu.zero_count()
        return ReduceOnPlateauState(
            best,
            new_plateau,
            new_scale,
            new_cool.astype(jnp.int32),
            zero,
            jnp.zeros([], jnp.float32),
        )

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        del params
        value = extra.get("value", extra.get("loss"))
        if value is None:
            raise ValueError("reduce_on_plateau needs the loss: call update(..., value=loss).")
        count = tu.increment(state.count)
        avg = (
            state.count.astype(jnp.float32) * state.avg_value + jnp.asarray(value, jnp.float32)
        ) / count.astype(jnp.float32)
        s = state._replace(avg_value=avg.astype(jnp.float32), count=count)
        full = count == self.accumulation_size
        rescaled = self._rescale(s)
        s = jax.tree.map(lambda a, b: jnp.where(full, a, b), rescaled, s)
        out = jax.tree.map(lambda g: g * s.scale.astype(g.dtype), updates)
        return out, s


def reduce_on_plateau(
    factor: float = 0.1,
    patience: int = 10,
    rtol: float = 1e-4,
    atol: float = 0.0,
    cooldown: int = 0,
    accumulation_size: int = 1,
    min_scale: float = 0.0,
) -> GradientTransformation:
    r"""Scale updates down by ``factor`` when the loss stops improving (as ``optax.contrib``).

    Pass the loss as an extra argument, ``update(..., value=loss)`` (``loss=`` also works).
    Every ``accumulation_size`` steps the mean loss :math:`\bar f` counts as an improvement if
    :math:`\bar f < (1-r_{tol}) f^* - a_{tol}`; after ``patience`` checks without improvement
    the scale is multiplied by ``factor`` (not below ``min_scale``) and ``cooldown`` checks
    are skipped.

    Args:
        factor: reduction factor, in (0, 1).
        patience: checks without improvement before reducing.
        rtol: relative improvement threshold, >= 0.
        atol: absolute improvement threshold, >= 0 (``rtol`` or ``atol`` > 0).
        cooldown: checks to wait after a reduction.
        accumulation_size: steps averaged per check.
        min_scale: lower bound of the scale.

    Returns:
        The transform; put it after the optimizer in a :func:`chain`.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.reduce_on_plateau(factor=0.5, patience=1)
        >>> state = tx.init(jnp.zeros(1))
        >>> for loss in [1.0, 1.0, 1.0]:
        ...     u, state = tx.update(jnp.ones(1), state, value=loss)
        >>> print(u, float(state.scale))
        [0.25] 0.25
    """
    check_real("factor", factor, low=0, high=1, low_open=True, high_open=True)
    check_real("rtol", rtol, low=0)
    check_real("atol", atol, low=0)
    if rtol == 0.0 and atol == 0.0:
        raise ValueError("rtol and atol cannot both be 0.")
    as_int("patience", patience, minimum=1)
    as_int("cooldown", cooldown, minimum=0)
    as_int("accumulation_size", accumulation_size, minimum=1)
    check_real("min_scale", min_scale, low=0)
    return _ReduceOnPlateau(factor, patience, rtol, atol, cooldown, accumulation_size, min_scale)


class LookaheadState(NamedTuple):
    """Inner (fast) state, step count and the slow weights."""

    inner_state: OptState
    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    slow: Params


class _Lookahead(_CopyOfParams):
    public_name = "lookahead"
    state_type = LookaheadState
    sync_period: int = eqx.field(static=True)
    slow_step_size: Any

    def follow(
        self, out: Updates, params: Params, copy: Params, count: jax.Array
    ) -> tuple[Updates, Params]:
        sync = count % self.sync_period == 0

        def step(u: jax.Array, p: jax.Array, s: jax.Array) -> tuple[jax.Array, jax.Array]:
            fast_p = p + u.astype(p.dtype)
            new_slow = s + tu.hp(self.slow_step_size, s) * (fast_p - s)
            return jnp.where(sync, (new_slow - p).astype(u.dtype), u), jnp.where(sync, new_slow, s)

        pairs = tu.tree_map(step, out, params, copy)
        is_pair = lambda x: isinstance(x, tuple) and len(x) == 2  # noqa: E731
        out = jax.tree.map(lambda t: t[0], pairs, is_leaf=is_pair)
        return out, jax.tree.map(lambda t: t[1], pairs, is_leaf=is_pair)


def lookahead(
    fast_optimizer: TransformLike, sync_period: int = 6, slow_step_size: float = 0.5
) -> GradientTransformation:
    r"""Lookahead: every ``sync_period`` steps pull slow weights toward the fast ones and
    restart the fast weights from there.

    .. math::

        \phi_{t+1} = \phi_t + \alpha(\theta_{t,k} - \phi_t),\quad \theta_{t+1,0} = \phi_{t+1}

    Unlike optax's version the parameters stay an ordinary pytree (the fast weights); the
    slow weights are in the state (``state.slow``).

    Args:
        fast_optimizer: the inner optimizer.
        sync_period: :math:`k`, >= 1.
        slow_step_size: :math:`\alpha`, in [0, 1].

    Returns:
        The wrapped optimizer (needs ``params``).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.lookahead(optim.sgd(1.0), sync_period=2, slow_step_size=0.5)
        >>> p = jnp.array([0.0])
        >>> state = tx.init(p)
        >>> for _ in range(2):
        ...     u, state = tx.update(jnp.array([-1.0]), state, p)
        ...     p = optim.apply_updates(p, u)
        >>> print(p)
        [1.]

    References:
        Zhang et al., *Lookahead Optimizer: k steps forward, 1 step back*, NeurIPS 2019.
    """
    check_transform("fast_optimizer", fast_optimizer)
    as_int("sync_period", sync_period, minimum=1)
    check_real("slow_step_size", slow_step_size, low=0, high=1)
    return _Lookahead(fast_optimizer, sync_period, slow_step_size)
