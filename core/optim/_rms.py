"""Second-moment building blocks: RMS (plain / centered), RSS (Adagrad), Adadelta, SM3 and
factored RMS (Adafactor)."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from core._docstrings import fill_doc
from core._validation import as_int, check_floating, check_real, check_same_structure

from . import _tree as tu
from ._base import GradientTransformation, NeedsParams, OptState, ParamFree, Params, Updates
from ._docs import OPTIMIZER


class ScaleByRmsState(NamedTuple):
    """Step count, mean ``mu`` (centered only, else ``()``) and mean square ``nu``."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    mu: Updates
    nu: Updates


class _ScaleByRms(ParamFree):  # each hyperparameter next to its option
    decay: Any
    bias_correction: bool = eqx.field(static=True)
    eps: Any
    eps_in_sqrt: bool = eqx.field(static=True)
    initial_scale: Any
    centered: bool = eqx.field(static=True)

    def init(self, params: Params) -> OptState:
        mu = tu.zeros_like(params) if self.centered else ()
        return ScaleByRmsState(tu.zero_count(), mu, tu.full_like(params, self.initial_scale))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)

        def debias(x: jax.Array) -> jax.Array:
            return tu.bias_correction(x, self.decay, count) if self.bias_correction else x

        def leaf(g: jax.Array, v: jax.Array, *m: jax.Array) -> tuple[jax.Array, ...]:
            v = tu.ema(g, v, self.decay, 2)
            mean = tuple(tu.ema(g, x, self.decay, 1) for x in m)  # centered: the mean
            var = debias(v) - sum((debias(x) ** 2 for x in mean), start=jnp.zeros_like(v))
            var = jnp.maximum(var, 0.0)  # rounding can make a centered variance negative
            eps = tu.hp(self.eps, v)
            scale = jax.lax.rsqrt(var + eps) if self.eps_in_sqrt else 1 / (jnp.sqrt(var) + eps)
            return (scale * g, v, *mean)

        if self.centered:
            out, nu, mu = tu.leafwise(leaf, updates, state.nu, state.mu)
        else:
            (out, nu), mu = tu.leafwise(leaf, updates, state.nu), state.mu
        return out, ScaleByRmsState(count, mu, nu)


@fill_doc(**OPTIMIZER)
def scale_by_rms(
    decay: float = 0.9,
    eps: float = 1e-8,
    initial_scale: float = 0.0,
    eps_in_sqrt: bool = True,
    bias_correction: bool = False,
    *,
    centered: bool = False,
) -> GradientTransformation:
    r"""Divide updates by the root of a moving mean square (RMSProp); ``centered`` subtracts
    the squared moving mean (a moving standard deviation).

    .. math::

        v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
        u_t = \frac{g_t}{\sqrt{v_t - [m_t^2] + \epsilon}}

    with :math:`m_t = \rho m_{t-1} + (1-\rho) g_t` when centered.

    Args:
        decay: :math:`\rho`, in [0, 1).
        eps: > 0, inside the root (``eps_in_sqrt``) or added to it.
        initial_scale: initial value of :math:`v`.
        eps_in_sqrt: put ``eps`` inside the square root.
        bias_correction: debias the moments by :math:`1-\rho^t`.
        centered: subtract the squared mean.

    {transform_example}
        >>> u = first_update(optim.scale_by_rms(decay=0.75), jnp.array([2.0, -1.0]))
        >>> print(jnp.round(u, 3))
        [ 2. -2.]

    References:
        Tieleman & Hinton, *Lecture 6.5 - RMSProp*, 2012; Graves, 2013 (centered).
    """
    check_real("decay", decay, low=0, high=1, high_open=True)
    check_real("eps", eps, low=0, low_open=True)
    check_real("initial_scale", initial_scale, low=0)
    return _ScaleByRms(decay, bias_correction, eps, eps_in_sqrt, initial_scale, centered)


class ScaleByRssState(NamedTuple):
    """The running sum of squared gradients."""

    sum_of_squares: Updates


class _ScaleByRss(ParamFree):
    initial_accumulator_value: Any
    eps: Any

    def init(self, params: Params) -> OptState:
        return ScaleByRssState(tu.full_like(params, self.initial_accumulator_value))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:

        def leaf(g: jax.Array, s: jax.Array) -> tuple[jax.Array, ...]:
            s = g * g + s
            return g * jnp.where(s > 0, jax.lax.rsqrt(s + tu.hp(self.eps, s)), 0.0), s

        out, sos = tu.leafwise(leaf, updates, state.sum_of_squares)
        return out, ScaleByRssState(sos)


@fill_doc(**OPTIMIZER)
def scale_by_rss(
    initial_accumulator_value: float = 0.1, eps: float = 1e-7
) -> GradientTransformation:
    r"""Divide updates by the root of the running sum of squares (Adagrad).

    .. math::

        s_t = s_{t-1} + g_t^2,\quad u_t = \frac{g_t}{\sqrt{s_t + \epsilon}}

    Args:
        initial_accumulator_value: :math:`s_0`, >= 0.
        eps: > 0.

    {transform_example}
        >>> tx = optim.scale_by_rss(initial_accumulator_value=0.0)
        >>> print(jnp.round(first_update(tx, jnp.array([2.0, -1.0])), 3))
        [ 1. -1.]

    References:
        Duchi et al., *Adaptive Subgradient Methods for Online Learning*, JMLR 2011.
    """
    check_real("initial_accumulator_value", initial_accumulator_value, low=0)
    check_real("eps", eps, low=0, low_open=True)
    return _ScaleByRss(initial_accumulator_value, eps)


class ScaleByAdaDeltaState(NamedTuple):
    """Moving mean squares of gradients ``e_g`` and of updates ``e_x``."""

    e_g: Updates
    e_x: Updates


class _ScaleByAdaDelta(ParamFree):
    rho: Any
    eps: Any

    def init(self, params: Params) -> OptState:
        return ScaleByAdaDeltaState(tu.zeros_like(params), tu.zeros_like(params))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:

        def leaf(g: jax.Array, eg: jax.Array, ex: jax.Array) -> tuple[jax.Array, ...]:
            eg = tu.ema(g, eg, self.rho, 2)
            eps = tu.hp(self.eps, g)
            out = jnp.sqrt(ex + eps) / jnp.sqrt(eg + eps) * g
            return out, eg, tu.ema(out, ex, self.rho, 2)

        out, e_g, e_x = tu.leafwise(leaf, updates, state.e_g, state.e_x)
        return out, ScaleByAdaDeltaState(e_g, e_x)


@fill_doc(**OPTIMIZER)
def scale_by_adadelta(rho: float = 0.9, eps: float = 1e-6) -> GradientTransformation:
    r"""Adadelta's unit-correcting rescaling.

    .. math::

        E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2,\quad
        u_t = \frac{\sqrt{E[u^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t,\quad
        E[u^2]_t = \rho E[u^2]_{t-1} + (1-\rho) u_t^2

    Args:
        rho: decay, in [0, 1).
        eps: > 0.

    {transform_example}
        >>> print(jnp.round(first_update(optim.scale_by_adadelta(), jnp.array([1.0])), 5))
        [0.00316]

    References:
        Zeiler, *ADADELTA: An Adaptive Learning Rate Method*, 2012.
    """
    check_real("rho", rho, low=0, high=1, high_open=True)
    check_real("eps", eps, low=0, low_open=True)
    return _ScaleByAdaDelta(rho, eps)


class ScaleBySM3State(NamedTuple):
    """Per-axis accumulators ``mu`` (a list per leaf) and the momentum ``nu``."""

    mu: Updates
    nu: Updates


def _axis_accumulators(p: jax.Array) -> list[jax.Array]:
    return [jnp.zeros((p.shape[i],), p.dtype) for i in range(p.ndim)]


class _ScaleBySM3(ParamFree):
    b1: Any
    b2: Any
    eps: Any

    def init(self, params: Params) -> OptState:
        check_floating("params", params)
        return ScaleBySM3State(jax.tree.map(_axis_accumulators, params), tu.zeros_like(params))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        c_new = 1.0 - self.b2 if self.b2 != 1.0 else 1.0

        def leaf(g: jax.Array, n: jax.Array, acc: list[jax.Array]) -> tuple[Any, ...]:
            a = c_new * g * g
            if g.ndim:  # a scalar leaf has no axis accumulator
                expanded = [
                    jnp.reshape(x, [1] * i + [g.shape[i]] + [1] * (g.ndim - i - 1))
                    for i, x in enumerate(acc)
                ]
                a = a + self.b2 * functools.reduce(jnp.minimum, expanded)
            scaled = g * jnp.where(a > 0, jax.lax.rsqrt(a + tu.hp(self.eps, a)), 0.0)
            n = tu.ema(scaled, n, self.b1, 1)
            axes = range(a.ndim) if a.ndim >= 2 else ()
            new_acc = [jnp.max(a, axis=[j for j in range(a.ndim) if j != i]) for i in axes]
            return n, n, new_acc if a.ndim >= 2 else [a][: a.ndim]

        out, nu, mu = tu.leafwise(leaf, updates, state.nu, state.mu)
        return out, ScaleBySM3State(mu, nu)


@fill_doc(**OPTIMIZER)
def scale_by_sm3(b1: float = 0.9, b2: float = 1.0, eps: float = 1e-8) -> GradientTransformation:
    r"""SM3: memory-efficient Adagrad with one accumulator per axis (cover sets of rows/columns).

    .. math::

        a_t = \min_i \mathrm{acc}_i + g_t^2,\quad
        u_t = \beta_1 u_{t-1} + (1-\beta_1) g_t / \sqrt{a_t}

    and each axis accumulator keeps the maximum of :math:`a_t` over the other axes.

    Args:
        b1: momentum decay, in [0, 1).
        b2: accumulator decay, in [0, 1] (1: plain sums).
        eps: > 0.

    {transform_example}
        >>> print(jnp.round(first_update(optim.scale_by_sm3(), jnp.array([[1.0, -2.0]])), 3))
        [[ 0.1 -0.1]]

    References:
        Anil et al., *Memory-Efficient Adaptive Optimization*, NeurIPS 2019.
    """
    check_real("b1", b1, low=0, high=1, high_open=True)
    check_real("b2", b2, low=0, high=1)
    check_real("eps", eps, low=0, low_open=True)
    return _ScaleBySM3(b1, b2, eps)


class FactoredState(NamedTuple):
    """Step count and the row / column (factored leaves) or full (other leaves) second moments."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    v_row: Updates
    v_col: Updates
    v: Updates


def _factored_dims(shape: tuple[int, ...], factored: bool, min_size: int) -> tuple[int, int] | None:
    if not factored or len(shape) < 2:
        return None
    order = np.argsort(shape)
    if shape[order[-2]] < min_size:
        return None
    return int(order[-2]), int(order[-1])


class _ScaleByFactoredRms(NeedsParams):
    factored: bool = eqx.field(static=True)
    decay_rate: Any
    step_offset: Any
    min_dim_size_to_factor: int = eqx.field(static=True)
    epsilon: Any
    public_name = "scale_by_factored_rms"

    def _dims(self, p: jax.Array) -> tuple[int, int] | None:
        return _factored_dims(p.shape, self.factored, self.min_dim_size_to_factor)

    def init(self, params: Params) -> OptState:
        check_floating("params", params)

        def parts(p: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
            dims = self._dims(p)
            one = jnp.zeros((1,), p.dtype)
            if dims is None:
                return one, one, jnp.zeros_like(p)
            d1, d0 = dims
            return (
                jnp.zeros(np.delete(p.shape, d0), p.dtype),
                jnp.zeros(np.delete(p.shape, d1), p.dtype),
                one,
            )

        out = jax.tree.map(parts, params)
        is_triple = lambda x: isinstance(x, tuple) and len(x) == 3  # noqa: E731
        pick = [jax.tree.map(lambda t, i=i: t[i], out, is_leaf=is_triple) for i in range(3)]
        return FactoredState(tu.zero_count(), *pick)

    def step(self, updates: Updates, state: OptState, params: Params) -> tuple[Updates, OptState]:
        check_same_structure("updates", updates, params, what="the params")
        t = (state.count - self.step_offset + 1).astype(jnp.float32)
        rate = 1.0 - t ** (-tu.hp(self.decay_rate, t))

        def leaf(g: jax.Array, p: jax.Array, vr: jax.Array, vc: jax.Array, v: jax.Array) -> Any:
            r = rate.astype(g.dtype)
            g2 = g * g + tu.hp(self.epsilon, g)
            dims = self._dims(p)
            if dims is None:
                v = r * v + (1.0 - r) * g2
                return g * v ** (-0.5), p, vr, vc, v
            d1, d0 = dims
            vr = r * vr + (1.0 - r) * jnp.mean(g2, axis=d0)
            vc = r * vc + (1.0 - r) * jnp.mean(g2, axis=d1)
            reduced = d1 - 1 if d1 > d0 else d1
            row_factor = (vr / jnp.mean(vr, axis=reduced, keepdims=True)) ** (-0.5)
            col_factor = vc ** (-0.5)
            u = g * jnp.expand_dims(row_factor, d0) * jnp.expand_dims(col_factor, d1)
            return u, p, vr, vc, v

        u, _, vr, vc, v = tu.leafwise(leaf, updates, params, state.v_row, state.v_col, state.v)
        return u, FactoredState(tu.increment(state.count), vr, vc, v)


@fill_doc(**OPTIMIZER)
def scale_by_factored_rms(
    factored: bool = True,
    decay_rate: float = 0.8,
    step_offset: int = 0,
    min_dim_size_to_factor: int = 128,
    epsilon: float = 1e-30,
) -> GradientTransformation:
    r"""Adafactor's factored second moment: row and column means for matrices, full otherwise.

    .. math::

        \hat\beta_t = 1 - t^{-c},\quad R_t = \hat\beta_t R_{t-1} + (1-\hat\beta_t)\,
        \mathrm{mean}_{\text{cols}}(g_t^2 + \epsilon),\quad
        C_t = \dots,\quad u_t = \frac{g_t}{\sqrt{R_t C_t / \mathrm{mean}(R_t)}}

    Args:
        factored: factor leaves of rank >= 2 whose second-largest axis is large enough.
        decay_rate: exponent :math:`c` of the decay schedule.
        step_offset: subtracted from the step count in the schedule.
        min_dim_size_to_factor: smallest second-largest axis to factor.
        epsilon: added to :math:`g^2`.

    Returns:
        The transform (needs ``params``).

    {example_head}
        >>> p = jnp.array([1.0, 2.0])
        >>> u = first_update(optim.scale_by_factored_rms(), jnp.array([3.0, -4.0]), p)
        >>> print(jnp.round(u, 3))
        [ 1. -1.]

    References:
        Shazeer & Stern, *Adafactor: Adaptive Learning Rates with Sublinear Memory Cost*, 2018.
    """
    check_real("epsilon", epsilon, low=0, low_open=True)
    check_real("decay_rate", decay_rate)
    as_int("step_offset", step_offset)
    as_int("min_dim_size_to_factor", min_dim_size_to_factor)
    return _ScaleByFactoredRms(factored, decay_rate, step_offset, min_dim_size_to_factor, epsilon)
