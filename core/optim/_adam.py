"""Adam-family building blocks: Adam (AMSGrad, Nesterov), NAdam, Adamax, RAdam, Yogi, AdaBelief."""

from __future__ import annotations

import abc
import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.typing import DTypeLike

from core._docstrings import fill_doc
from core._validation import as_dtype, check_real

from . import _tree as tu
from ._base import GradientTransformation, OptState, ParamFree, Params, Updates
from ._docs import OPTIMIZER


class ScaleByAdamState(NamedTuple):
    """Step count, first moment ``mu``, second moment ``nu`` (and ``nu_max`` for AMSGrad)."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    mu: Updates
    nu: Updates
    nu_max: Updates = ()


def _check_adam_args(b1: Any, b2: Any, eps: Any, eps_root: Any) -> None:
    check_real("b1", b1, low=0, high=1, high_open=True)
    check_real("b2", b2, low=0, high=1, high_open=True)
    check_real("eps", eps, low=0, low_open=True)
    check_real("eps_root", eps_root, low=0)


def _nesterov_mu_hat(m: jax.Array, g: jax.Array, b1: Any, count: jax.Array) -> jax.Array:
    """Nesterov look-ahead of the debiased first moment (NAdam)."""
    m_hat = tu.bias_correction(m, b1, tu.increment(count))
    g = g.astype(m.dtype)
    g_hat = tu.bias_correction(g, b1, count)
    d = tu.hp(b1, m)
    return d * m_hat + (1 - d) * g_hat


def _debiased_mu(
    m: jax.Array, g: jax.Array, b1: Any, count: jax.Array, nesterov: bool
) -> jax.Array:
    """The debiased first moment, with the Nesterov look-ahead when ``nesterov``."""
    if nesterov:
        return _nesterov_mu_hat(m, g, b1, count)
    return tu.bias_correction(m, b1, count)


LeafRule: TypeAlias = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, ...]]
"""One step on one leaf: ``(g, m, v) -> (u, m, v)``."""


class MomentPair(ParamFree):
    """Base of the Adam-like blocks whose state is a step count and two moments, updated leaf by
    leaf (:class:`ScaleByAdamState` without ``nu_max``); subclasses give :meth:`rule`.

    Every such block has the decays ``b1``, ``b2`` of its moments and an ``eps``.
    """

    b1: Any
    b2: Any
    eps: Any

    def init(self, params: Params) -> OptState:
        return ScaleByAdamState(tu.zero_count(), tu.zeros_like(params), tu.zeros_like(params))

    @abc.abstractmethod
    def rule(self, count: jax.Array) -> LeafRule:
        """The leaf rule of step ``count`` (counted from 1)."""

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)
        out, mu, nu = tu.leafwise(self.rule(count), updates, state.mu, state.nu)
        return out, ScaleByAdamState(count, mu, nu)


class _ScaleByAdam(ParamFree):
    mu_dtype: Any = eqx.field(static=True)
    nesterov: bool = eqx.field(static=True)
    amsgrad: bool = eqx.field(static=True)
    b1: Any
    b2: Any
    eps: Any
    eps_root: Any

    def init(self, params: Params) -> OptState:
        mu = tu.zeros_like(params, self.mu_dtype)
        nu = tu.zeros_like(params)
        nu_max = tu.zeros_like(params) if self.amsgrad else ()
        return ScaleByAdamState(tu.zero_count(), mu, nu, nu_max)

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)
        mu = tu.tree_map(lambda g, m: tu.ema(g, m, self.b1, 1), updates, state.mu)
        nu = jax.tree.map(lambda g, v: tu.ema(g, v, self.b2, 2).astype(v.dtype), updates, state.nu)
        mu_hat = jax.tree.map(
            lambda m, g: _debiased_mu(m, g, self.b1, count, self.nesterov), mu, updates
        )
        nu_hat = jax.tree.map(lambda v: tu.bias_correction(v, self.b2, count), nu)
        nu_max = state.nu_max
        if self.amsgrad:
            nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu_hat)
            nu_hat = nu_max

        def step(m: jax.Array, v: jax.Array, g: jax.Array) -> jax.Array:
            v = v.astype(m.dtype)
            out = m / (jnp.sqrt(v + tu.hp(self.eps_root, v)) + tu.hp(self.eps, v))
            return out.astype(g.dtype)

        out = jax.tree.map(step, mu_hat, nu_hat, updates)
        mu = jax.tree.map(lambda m, old: m.astype(old.dtype), mu, state.mu)
        return out, ScaleByAdamState(count, mu, nu, nu_max)


@fill_doc(**OPTIMIZER)
def scale_by_adam(
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: DTypeLike | None = None,
    *,
    nesterov: bool = False,
    amsgrad: bool = False,
) -> GradientTransformation:
    r"""Rescale updates by Adam's debiased moment ratio.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
        u_t = \frac{\hat m_t}{\sqrt{\hat v_t + \bar\epsilon} + \epsilon}

    with :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.
    ``nesterov`` uses
    :math:`\hat m_t = \beta_1 m_t/(1-\beta_1^{t+1}) + (1-\beta_1) g_t/(1-\beta_1^t)`
    (NAdam); ``amsgrad`` divides by the running maximum of :math:`\hat v_t`.

    Args:
        {adam_decays}
        {adam_eps}
        {mu_dtype}
        nesterov: use Nesterov momentum (NAdam).
        amsgrad: use the running maximum of the second moment (AMSGrad).

    {transform_example}
        >>> u = first_update(optim.scale_by_adam(), {"w": jnp.array([0.5, -2.0])})
        >>> print(jnp.round(u["w"], 4))
        [ 1. -1.]

    References:
        Kingma & Ba, *Adam: A Method for Stochastic Optimization*, 2014;
        Dozat, *Incorporating Nesterov Momentum into Adam*, 2016;
        Reddi et al., *On the Convergence of Adam and Beyond*, 2018.
    """
    _check_adam_args(b1, b2, eps, eps_root)
    mu_dtype = as_dtype("mu_dtype", mu_dtype)
    return _ScaleByAdam(mu_dtype, nesterov, amsgrad, b1, b2, eps, eps_root)


class ScaleByNadamState(NamedTuple):
    """Step count, product of the scheduled momenta, first moment ``mu``, second moment ``nu``."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    mu_product: jax.Array
    mu: Updates
    nu: Updates


def _momentum(b1: Any, psi: Any, t: jax.Array) -> jax.Array:
    r"""The scheduled momentum :math:`\mu_t = \beta_1 (1 - \tfrac12 0.96^{t\psi})`."""
    return tu.hp(b1, t) * (1 - 0.5 * 0.96 ** (t * tu.hp(psi, t)))


class _ScaleByNadam(ParamFree):
    b1: Any
    b2: Any
    eps: Any
    momentum_decay: Any

    def init(self, params: Params) -> OptState:
        mu = tu.zeros_like(params)
        dtypes = [jnp.result_type(x) for x in jax.tree.leaves(mu)]
        product = jnp.ones([], functools.reduce(tu.wider, dtypes, jnp.dtype(jnp.float32)))
        return ScaleByNadamState(tu.zero_count(), product, mu, tu.zeros_like(params))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)
        t = count.astype(state.mu_product.dtype)
        mu_t = _momentum(self.b1, self.momentum_decay, t)
        mu_next = _momentum(self.b1, self.momentum_decay, t + 1)
        product: jax.Array = state.mu_product * mu_t
        grad_coef = (1 - mu_t) / (1 - product)
        mom_coef = mu_next / (1 - product * mu_next)
        mu = tu.tree_map(lambda g, m: tu.ema(g, m, self.b1, 1), updates, state.mu)
        nu = jax.tree.map(lambda g, v: tu.ema(g, v, self.b2, 2), updates, state.nu)

        def step(g: jax.Array, m: jax.Array, v: jax.Array) -> jax.Array:
            d = jnp.sqrt(tu.bias_correction(v, self.b2, count)) + tu.hp(self.eps, v)
            d = d.astype(m.dtype)
            out = grad_coef.astype(m.dtype) * g.astype(m.dtype) / d
            return (out + mom_coef.astype(m.dtype) * m / d).astype(g.dtype)

        out = jax.tree.map(step, updates, mu, nu)
        mu = jax.tree.map(lambda m, old: m.astype(old.dtype), mu, state.mu)
        nu = jax.tree.map(lambda v, old: v.astype(old.dtype), nu, state.nu)
        return out, ScaleByNadamState(count, product, mu, nu)


def scale_by_nadam(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, momentum_decay: float = 4e-3
) -> GradientTransformation:
    r"""Rescale updates by PyTorch's NAdam: Adam with Dozat's *scheduled* Nesterov momentum.

    This is ``torch.optim.NAdam`` (and braintools 0.3.0's ``Nadam``), whose momentum
    coefficient warms up with the step count :math:`t`; :func:`nadam` is instead optax's
    fixed-:math:`\beta_1` Nesterov Adam (:func:`scale_by_adam` with ``nesterov=True``).

    .. math::

        \mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr),\quad
        \Pi_t = \prod_{i=1}^{t} \mu_i,\quad
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,

    .. math::

        d_t = \sqrt{\frac{v_t}{1-\beta_2^t}} + \epsilon,\quad
        u_t = \frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{d_t}
            + \frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,\frac{m_t}{d_t}

    The updates are the (positive) direction; chain :func:`scale_by_learning_rate` to
    descend. The moments keep each parameter's dtype; the step count and :math:`\Pi_t` are
    scalars (``int32`` and float32, or float64 when a parameter is).

    Args:
        b1: :math:`\beta_1`, decay of the first moment and scale of :math:`\mu_t`, in [0, 1).
        b2: :math:`\beta_2`, decay of the second moment, in [0, 1).
        eps: :math:`\epsilon`, added to the denominator outside the square root, > 0.
        momentum_decay: :math:`\psi`, speed of the momentum warm-up, >= 0.

    Returns:
        The transform.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.chain(optim.scale_by_nadam(), optim.scale_by_learning_rate(0.1))
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     grads = {"w": 2 * params["w"]}  # gradient of sum(w ** 2)
        ...     updates, state = tx.update(grads, state, params)
        ...     params = optim.apply_updates(params, updates)
        >>> print([round(float(x), 3) for x in params["w"]])
        [0.753, -1.748]

    References:
        Dozat, *Incorporating Nesterov Momentum into Adam*, ICLR workshop 2016;
        PyTorch, ``torch.optim.NAdam``
        (https://pytorch.org/docs/stable/generated/torch.optim.NAdam.html).
    """
    _check_adam_args(b1, b2, eps, 0.0)
    check_real("momentum_decay", momentum_decay, low=0)
    return _ScaleByNadam(b1, b2, eps, momentum_decay)


class _ScaleByAdamax(MomentPair):
    def rule(self, count: jax.Array) -> LeafRule:
        def leaf(g: jax.Array, m: jax.Array, v: jax.Array) -> tuple[jax.Array, ...]:
            m = tu.ema(g, m, self.b1, 1)
            v = jnp.maximum(jnp.abs(g) + tu.hp(self.eps, g), tu.hp(self.b2, v) * v)
            return tu.bias_correction(m, self.b1, count) / v, m, v

        return leaf


@fill_doc(**OPTIMIZER)
def scale_by_adamax(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> GradientTransformation:
    r"""Rescale updates by Adamax's infinity-norm second moment.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        v_t = \max(|g_t| + \epsilon, \beta_2 v_{t-1}),\quad
        u_t = \frac{m_t}{(1-\beta_1^t)\, v_t}

    Args:
        b1: decay of the first moment, in [0, 1).
        b2: decay of the infinity norm, in [0, 1).
        eps: added to :math:`|g_t|`, > 0.

    {transform_example}
        >>> print(jnp.round(first_update(optim.scale_by_adamax(), jnp.array([0.5, -2.0])), 4))
        [ 1. -1.]

    References:
        Kingma & Ba, *Adam: A Method for Stochastic Optimization*, 2014 (section 7).
    """
    _check_adam_args(b1, b2, eps, 0.0)
    return _ScaleByAdamax(b1, b2, eps)


class _ScaleByRAdam(MomentPair):
    eps_root: Any
    threshold: Any
    nesterov: bool = eqx.field(static=True)

    def rule(self, count: jax.Array) -> LeafRule:
        rho, rho_inf, one_minus_b2t = _radam_rho(self.b2, count)
        rect = jnp.sqrt(
            (rho - 4.0) * (rho - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho)
        )
        adaptive = rho >= self.threshold

        def leaf(g: jax.Array, m: jax.Array, v: jax.Array) -> tuple[jax.Array, ...]:
            m = tu.ema(g, m, self.b1, 1)
            v = tu.ema(g, v, self.b2, 2)
            m_hat = _debiased_mu(m, g, self.b1, count, self.nesterov)
            v_hat = v / one_minus_b2t.astype(v.dtype)
            denom = jnp.sqrt(v_hat + tu.hp(self.eps_root, v)) + tu.hp(self.eps, v)
            return jnp.where(adaptive, rect.astype(m.dtype) * m_hat / denom, m_hat), m, v

        return leaf


def _radam_rho(b2: Any, count: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    r"""RAdam's :math:`\rho_t`, :math:`\rho_\infty` and :math:`1-\beta_2^t` without cancellation.

    With :math:`L = -\log\beta_2` (from ``log1p(-(1 - b2))``, exact for :math:`\beta_2`
    near 1) and :math:`\psi(y) = 1/y - 1/(e^y - 1)`, the textbook
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)` equals

    .. math::

        \rho_t = 1 + 2\bigl(t\,\psi(tL) - \psi(L)\bigr),\quad
        \rho_\infty = 1 + 2/\mathrm{expm1}(L),\quad 1-\beta_2^t = -\mathrm{expm1}(-tL),

    where :math:`\psi` comes from its Taylor series (Bernoulli numbers) below 1 and from its
    definition above: no term is a small difference of large ones, so float32 keeps
    :math:`\rho_t` (and the rectified step) to a few ulps, where the textbook form loses
    about 0.6% at the first rectified step.
    """
    if isinstance(b2, int | float):
        log_b2 = jnp.float32(-math.log1p(-(1.0 - b2)))
    else:
        b2 = jnp.asarray(b2, jnp.float32)
        log_b2 = -jnp.log1p(-(1.0 - b2))
    t = count.astype(jnp.float32)

    def psi(y: jax.Array) -> jax.Array:
        small = jnp.minimum(y, 1.0)  # the series branch, kept finite where it is not used
        y2 = small * small
        series = 0.5 - small / 12.0 + small * y2 * (1 / 720 - y2 * (1 / 30240 - y2 / 1209600))
        big = jnp.maximum(y, 1.0)
        return jnp.where(y < 1.0, series, 1.0 / big - 1.0 / jnp.expm1(big))

    rho = 1.0 + 2.0 * (t * psi(t * log_b2) - psi(log_b2))
    rho_inf = 1.0 + 2.0 / jnp.expm1(log_b2)
    return rho, rho_inf, -jnp.expm1(-t * log_b2)


@fill_doc(**OPTIMIZER)
def scale_by_radam(
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    threshold: float = 5.0,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""Rescale updates by Rectified Adam: Adam once the variance estimate is reliable.

    .. math::

        \rho_\infty = \frac{2}{1-\beta_2} - 1,\quad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t},\quad
        u_t = \begin{cases} r_t \hat m_t / (\sqrt{\hat v_t + \bar\epsilon} + \epsilon)
        & \rho_t \ge \text{threshold}\\ \hat m_t & \text{otherwise}\end{cases}

    with

    .. math::

        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}
        {(\rho_\infty-4)(\rho_\infty-2)\rho_t}}

    :math:`\rho_t` is evaluated in a form without cancellation (``expm1`` / ``log1p``), so
    float32 stays within 1e-4 of float64 at every step; the textbook form, as in optax
    0.2.8, loses about 1% in float32 at the first rectified step.

    Args:
        {adam_decays}
        {adam_eps}
        threshold: :math:`\rho_t` above which the adaptive step is used.
        nesterov: use Nesterov momentum.

    {transform_example}
        >>> u = first_update(optim.scale_by_radam(), jnp.array([0.5, -2.0]))
        >>> print(jnp.round(u, 4))  # first steps: plain momentum
        [ 0.5 -2. ]

    References:
        Liu et al., *On the Variance of the Adaptive Learning Rate and Beyond*, 2020.
    """
    _check_adam_args(b1, b2, eps, eps_root)
    check_real("threshold", threshold)
    return _ScaleByRAdam(b1, b2, eps, eps_root, threshold, nesterov)
