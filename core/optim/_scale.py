"""Scaling building blocks: constant / learning-rate / schedule scaling, weight decay, momentum,
EMA, sign, gradient noise and trust ratio."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.typing import DTypeLike

from core._docstrings import fill_doc
from core._validation import as_dtype, as_key, check_real

from . import _tree as tu
from ._base import (
    EmptyState,
    GradientTransformation,
    NeedsParams,
    OptState,
    ParamFree,
    Params,
    ScalarOrSchedule,
    Schedule,
    Updates,
)
from ._docs import OPTIMIZER

if TYPE_CHECKING:
    from typing_extensions import TypeIs


def is_schedule(value: object) -> TypeIs[Schedule]:
    """A hyperparameter given as a schedule (a callable, not an array or number)."""
    return callable(value) and not isinstance(value, jax.Array)


class Stateless(GradientTransformation):
    """Base of transforms without state: ``init`` returns :class:`EmptyState`."""

    def init(self, params: Params) -> OptState:
        del params
        return EmptyState()


class ByParam(Stateless, NeedsParams):
    """Base of the stateless transforms that rewrite each update leaf from its parameter leaf;
    subclasses give :meth:`leaf`."""

    @abc.abstractmethod
    def leaf(self, u: jax.Array, p: jax.Array) -> jax.Array:
        """The new update leaf from the update ``u`` and the parameter ``p``."""

    def step(self, updates: Updates, state: OptState, params: Params) -> tuple[Updates, OptState]:
        return tu.tree_map(self.leaf, updates, params), state


class ScheduleState(NamedTuple):
    """The step count of a schedule-driven transform."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax


def _value_at(value: Any, state: OptState) -> Any:
    return value(state.count) if is_schedule(value) else value


def _next_state(value: Any, state: OptState) -> OptState:
    return ScheduleState(tu.increment(state.count)) if is_schedule(value) else state


def _init_for(value: Any) -> OptState:
    return ScheduleState(tu.zero_count()) if is_schedule(value) else EmptyState()


class _Scale(ParamFree):
    step_size: Any

    def init(self, params: Params) -> OptState:
        del params
        return _init_for(self.step_size)

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        s = _value_at(self.step_size, state)
        out = jax.tree.map(lambda g: g * tu.hp(s, g), updates)
        return out, _next_state(self.step_size, state)


@fill_doc(**OPTIMIZER)
def scale(step_size: float | jax.Array) -> GradientTransformation:
    r"""Multiply updates by a constant, :math:`u_t = \alpha g_t`.

    Args:
        step_size: the factor (a number or a scalar array).

    Returns:
        The (stateless) transform.

    {example_head}
        >>> print(first_update(optim.scale(-2.0), jnp.array([1.0, 0.5])))
        [-2. -1.]
    """
    check_real("step_size", step_size)
    return _Scale(step_size)


def scale_by_schedule(step_size_fn: Schedule) -> GradientTransformation:
    r"""Multiply updates by a schedule of the step count, :math:`u_t = \alpha(t)\, g_t`.

    Args:
        step_size_fn: a schedule ``count -> factor``.

    Returns:
        The transform; its state counts steps.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.scale_by_schedule(lambda t: 1.0 / (t + 1).astype(jnp.float32))
        >>> state = tx.init(None)
        >>> u, state = tx.update(jnp.array([1.0]), state)
        >>> u, state = tx.update(jnp.array([1.0]), state)
        >>> print(u)
        [0.5]
    """
    if not is_schedule(step_size_fn):
        raise TypeError(f"step_size_fn must be a callable schedule, got {step_size_fn!r}.")
    return _Scale(step_size_fn)


@fill_doc(**OPTIMIZER)
def scale_by_learning_rate(
    learning_rate: ScalarOrSchedule, *, flip_sign: bool = True
) -> GradientTransformation:
    r"""Scale updates by the learning rate, :math:`u_t = -\eta_t g_t` (descent direction).

    ``learning_rate`` is a number, a scalar array, or a schedule of the step count.
    Named optimizers keep the learning rate in their state (see :func:`inject_hyperparams`),
    so it can be read and changed between steps without recompiling.

    Args:
        learning_rate: :math:`\eta`, >= 0, or a schedule.
        flip_sign: multiply by :math:`-\eta` (default) rather than :math:`\eta`.

    {transform_example}
        >>> print(first_update(optim.scale_by_learning_rate(0.1), jnp.array([1.0, -2.0])))
        [-0.1  0.2]
    """
    if is_schedule(learning_rate):
        fn = learning_rate
        return _Scale((lambda t: -fn(t)) if flip_sign else fn)
    check_real("learning_rate", learning_rate, low=0)
    return _Scale(-learning_rate if flip_sign else learning_rate)


class _AddDecayedWeights(NeedsParams):
    weight_decay: Any
    public_name = "add_decayed_weights"

    def init(self, params: Params) -> OptState:
        del params
        return _init_for(self.weight_decay)

    def step(self, updates: Updates, state: OptState, params: Params) -> tuple[Updates, OptState]:
        wd = _value_at(self.weight_decay, state)
        new_state = _next_state(self.weight_decay, state)
        if isinstance(wd, int | float) and wd == 0.0:
            return updates, new_state
        out = tu.tree_map(lambda g, p: g + tu.hp(wd, g) * p.astype(g.dtype), updates, params)
        return out, new_state


@fill_doc(**OPTIMIZER)
def add_decayed_weights(
    weight_decay: ScalarOrSchedule = 0.0, mask: Any = None
) -> GradientTransformation:
    r"""Add decoupled weight decay, :math:`u_t = g_t + \lambda \theta_t`.

    Args:
        weight_decay: :math:`\lambda` (>= 0) or a schedule of the step count.
        mask: optional pytree of booleans (or a plain function of the params returning one):
            decay only where ``True``. See :func:`masked`.

    Returns:
        The transform (needs ``params`` in ``update``).

    {example_head}
        >>> print(first_update(optim.add_decayed_weights(0.1), jnp.zeros(2), jnp.array([1.0, 2.0])))
        [0.1 0.2]

    References:
        Loshchilov & Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
    """
    if not is_schedule(weight_decay):
        check_real("weight_decay", weight_decay, low=0)
    tx = _AddDecayedWeights(weight_decay)
    if mask is not None:
        from ._combine import masked

        return masked(tx, mask)
    return tx


class TraceState(NamedTuple):
    """The momentum buffer."""

    trace: Updates


class _Accumulating(ParamFree):
    """Base of :func:`trace` and :func:`ema`: a decayed accumulation of the updates, stored in
    ``accumulator_dtype``, whose output takes the updates' dtypes."""

    decay: Any
    accumulator_dtype: Any = eqx.field(static=True)

    def zeros(self, params: Params) -> Updates:
        """An empty accumulator for ``params``."""
        return tu.zeros_like(params, self.accumulator_dtype)

    @staticmethod
    def cast(out: Updates, updates: Updates, new: Updates, old: Updates) -> tuple[Updates, Updates]:
        """``out`` in the dtypes of ``updates``, and ``new`` in the stored dtypes of ``old``."""
        out = jax.tree.map(lambda o, g: o.astype(g.dtype), out, updates)
        return out, jax.tree.map(lambda t, o: t.astype(o.dtype), new, old)


class _Trace(_Accumulating):
    nesterov: bool = eqx.field(static=True)

    def init(self, params: Params) -> OptState:
        return TraceState(self.zeros(params))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:

        def f(g: jax.Array, t: jax.Array) -> jax.Array:
            dt = tu.wider(g.dtype, t.dtype)
            return g.astype(dt) + tu.hp(self.decay, t.astype(dt)) * t.astype(dt)

        new_trace = tu.tree_map(f, updates, state.trace)
        out = jax.tree.map(f, updates, new_trace) if self.nesterov else new_trace
        out, stored = self.cast(out, updates, new_trace, state.trace)
        return out, TraceState(stored)


def trace(
    decay: float, nesterov: bool = False, accumulator_dtype: DTypeLike | None = None
) -> GradientTransformation:
    r"""Heavy-ball momentum, :math:`m_t = g_t + \mu m_{t-1}`, :math:`u_t = m_t` (or
    :math:`g_t + \mu m_t` with Nesterov).

    Args:
        decay: the momentum :math:`\mu`, in [0, 1].
        nesterov: use Nesterov momentum.
        accumulator_dtype: floating (complex for complex parameters) dtype of the buffer, or
            ``None`` for the parameter's dtype.

    Returns:
        The transform.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.trace(0.9)
        >>> state = tx.init(jnp.zeros(1))
        >>> u, state = tx.update(jnp.ones(1), state)
        >>> u, state = tx.update(jnp.ones(1), state)
        >>> print(u)
        [1.9]

    References:
        Polyak, 1964; Sutskever et al., *On the importance of initialization and momentum*, 2013.
    """
    check_real("decay", decay, low=0, high=1)
    return _Trace(decay, as_dtype("accumulator_dtype", accumulator_dtype), nesterov)


class EmaState(NamedTuple):
    """Step count and the moving average."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    ema: Updates


class _Ema(_Accumulating):
    debias: bool = eqx.field(static=True)

    def init(self, params: Params) -> OptState:
        return EmaState(tu.zero_count(), self.zeros(params))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)
        new = tu.tree_map(lambda g, e: tu.ema(g, e, self.decay, 1), updates, state.ema)
        out = (
            jax.tree.map(lambda e: tu.bias_correction(e, self.decay, count), new)
            if self.debias
            else new
        )
        out, stored = self.cast(out, updates, new, state.ema)
        return out, EmaState(count, stored)


@fill_doc(**OPTIMIZER)
def ema(
    decay: float, debias: bool = True, accumulator_dtype: DTypeLike | None = None
) -> GradientTransformation:
    r"""Exponential moving average of the updates, :math:`e_t = \beta e_{t-1} + (1-\beta) g_t`.

    Args:
        decay: :math:`\beta`, in [0, 1].
        debias: divide by :math:`1-\beta^t`.
        accumulator_dtype: floating (complex for complex parameters) dtype of the average, or
            ``None`` for the parameter's dtype.

    {transform_example}
        >>> print(first_update(optim.ema(0.5, debias=False), jnp.ones(1)))
        [0.5]
    """
    check_real("decay", decay, low=0, high=1)
    return _Ema(decay, as_dtype("accumulator_dtype", accumulator_dtype), debias)


class _ScaleBySign(Stateless, ParamFree):
    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        return jax.tree.map(jnp.sign, updates), state


@fill_doc(**OPTIMIZER)
def scale_by_sign() -> GradientTransformation:
    r"""Replace updates by their sign, :math:`u_t = \mathrm{sign}(g_t)`.

    Returns:
        The (stateless) transform.

    {example_head}
        >>> print(first_update(optim.scale_by_sign(), jnp.array([0.3, -4.0, 0.0])))
        [ 1. -1.  0.]

    References:
        Bernstein et al., *signSGD: Compressed Optimisation for Non-Convex Problems*, 2018.
    """
    return _ScaleBySign()


class AddNoiseState(NamedTuple):
    """Step count and the PRNG key."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    rng_key: jax.Array


class _AddNoise(ParamFree):
    eta: Any
    gamma: Any
    key: Any

    def init(self, params: Params) -> OptState:
        del params
        seed = jnp.ndim(self.key) == 0 and jnp.issubdtype(jnp.result_type(self.key), jnp.integer)
        key = jax.random.PRNGKey(self.key) if seed else self.key  # a seed (see as_key)
        return AddNoiseState(tu.zero_count(), key)

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)
        std = jnp.sqrt(self.eta / count.astype(jnp.float32) ** self.gamma)
        rng_key, sample_key = jax.random.split(state.rng_key)
        leaves, treedef = jax.tree.flatten(updates)
        keys = jax.random.split(sample_key, len(leaves))
        noisy = [
            g + std.astype(g.dtype) * jax.random.normal(k, g.shape, g.dtype)
            for g, k in zip(leaves, keys, strict=True)
        ]
        return jax.tree.unflatten(treedef, noisy), AddNoiseState(count, rng_key)


@fill_doc(**OPTIMIZER)
def add_noise(eta: float, gamma: float, key: int | jax.Array = 0) -> GradientTransformation:
    r"""Add annealed Gaussian noise, :math:`u_t = g_t + \mathcal N(0, \eta / t^{\gamma})`.

    Args:
        eta: initial variance, >= 0.
        gamma: annealing exponent, >= 0.
        key: an integer seed, a key ``jax.random.key(seed)`` or a legacy key
            ``jax.random.PRNGKey(seed)`` (kept in the state, split each step).

    {transform_example}
        >>> print(first_update(optim.add_noise(0.0, 0.55, key=0), jnp.ones(2)))
        [1. 1.]

    References:
        Neelakantan et al., *Adding Gradient Noise Improves Learning for Very Deep Networks*, 2015.
    """
    check_real("eta", eta, low=0)
    check_real("gamma", gamma, low=0)
    return _AddNoise(eta, gamma, as_key("key", key))


class _ScaleByTrustRatio(ByParam):
    min_norm: Any
    trust_coefficient: Any
    eps: Any
    public_name = "scale_by_trust_ratio"

    def leaf(self, u: jax.Array, p: jax.Array) -> jax.Array:
        dtype = tu.wider(u.dtype, p.dtype)
        p_norm = tu.safe_norm(p.astype(dtype), self.min_norm)
        u_norm = tu.safe_norm(u.astype(dtype), self.min_norm)
        ratio = tu.hp(self.trust_coefficient, p_norm) * p_norm / (u_norm + tu.hp(self.eps, u_norm))
        zero = jnp.logical_or(p_norm == 0.0, u_norm == 0.0)
        return u * jnp.where(zero, jnp.ones([], u.dtype), ratio.astype(u.dtype))


def scale_by_trust_ratio(
    min_norm: float = 0.0, trust_coefficient: float = 1.0, eps: float = 0.0
) -> GradientTransformation:
    r"""Scale each leaf by the trust ratio :math:`c\,\|\theta\| / (\|u\| + \epsilon)` (LAMB/LARS).

    Where either norm is zero the ratio is 1.

    Args:
        min_norm: norms below this are clamped to it.
        trust_coefficient: :math:`c`.
        eps: added to the update norm.

    Returns:
        The transform (needs ``params``).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.scale_by_trust_ratio()
        >>> p, g = jnp.array([3.0, 4.0]), jnp.array([0.6, 0.8])
        >>> u, _ = tx.update(g, tx.init(p), p)
        >>> print(u)
        [3. 4.]

    References:
        You et al., *Large Batch Optimization for Deep Learning: Training BERT in 76 minutes*, 2020.
    """
    check_real("min_norm", min_norm, low=0)
    check_real("trust_coefficient", trust_coefficient, low=0)
    check_real("eps", eps, low=0)
    return _ScaleByTrustRatio(min_norm, trust_coefficient, eps)


class _ScaleByParamBlockRMS(ByParam):
    min_scale: Any
    public_name = "scale_by_param_block_rms"

    def leaf(self, u: jax.Array, p: jax.Array) -> jax.Array:
        rms = jnp.sqrt(jnp.mean(p * p))
        q = jnp.where(rms <= self.min_scale, jnp.ones_like(p), p)
        safe = jnp.where(
            rms <= self.min_scale, tu.hp(self.min_scale, rms), jnp.sqrt(jnp.mean(q * q))
        )
        return u * safe.astype(u.dtype)


@fill_doc(**OPTIMIZER)
def scale_by_param_block_rms(min_scale: float = 1e-3) -> GradientTransformation:
    r"""Scale each leaf by the root mean square of its parameter, at least ``min_scale``.

    .. math::

        u_t = g_t \cdot \max(\mathrm{rms}(\theta), s_{\min})

    Args:
        min_scale: lower bound :math:`s_{\min}` of the factor.

    Returns:
        The transform (needs ``params``).

    {example_head}
        >>> u = first_update(optim.scale_by_param_block_rms(), jnp.ones(2), jnp.array([3.0, 4.0]))
        >>> print([round(float(x), 3) for x in u])
        [3.536, 3.536]
    """
    check_real("min_scale", min_scale, low=0)
    return _ScaleByParamBlockRMS(min_scale)
