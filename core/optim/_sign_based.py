"""Building blocks whose step is (mostly) set by signs or layer norms: Lion, Rprop, Novograd."""

from __future__ import annotations

from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.typing import DTypeLike

from core._docstrings import fill_doc
from core._validation import as_dtype, check_real

from . import _tree as tu
from ._adam import _check_adam_args
from ._base import GradientTransformation, NeedsParams, OptState, ParamFree, Params, Updates
from ._docs import OPTIMIZER


class ScaleByLionState(NamedTuple):
    """Step count and momentum."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    mu: Updates


class _ScaleByLion(ParamFree):
    b1: Any
    b2: Any
    mu_dtype: Any = eqx.field(static=True)

    def init(self, params: Params) -> OptState:
        return ScaleByLionState(tu.zero_count(), tu.zeros_like(params, self.mu_dtype))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        out = tu.tree_map(
            lambda g, m: jnp.sign(tu.ema(g, m, self.b1, 1)).astype(g.dtype), updates, state.mu
        )
        mu = jax.tree.map(lambda g, m: tu.ema(g, m, self.b2, 1).astype(m.dtype), updates, state.mu)
        return out, ScaleByLionState(tu.increment(state.count), mu)


@fill_doc(**OPTIMIZER)
def scale_by_lion(
    b1: float = 0.9, b2: float = 0.99, mu_dtype: DTypeLike | None = None
) -> GradientTransformation:
    r"""Lion: the sign of an interpolation of momentum and gradient.

    .. math::

        u_t = \mathrm{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t),\quad
        m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t

    Args:
        b1: interpolation weight for the update, in [0, 1).
        b2: momentum decay, in [0, 1).
        mu_dtype: floating (complex for complex parameters) dtype of the momentum, or ``None``
            for the parameter's dtype.

    {transform_example}
        >>> print(first_update(optim.scale_by_lion(), jnp.array([0.3, -2.0])))
        [ 1. -1.]

    References:
        Chen et al., *Symbolic Discovery of Optimization Algorithms*, 2023.
    """
    check_real("b1", b1, low=0, high=1, high_open=True)
    check_real("b2", b2, low=0, high=1, high_open=True)
    return _ScaleByLion(b1, b2, as_dtype("mu_dtype", mu_dtype))


class ScaleByRpropState(NamedTuple):
    """Per-element step sizes and the previous update."""

    step_sizes: Updates
    prev_updates: Updates


class _ScaleByRprop(ParamFree):
    learning_rate: Any
    eta_minus: Any
    eta_plus: Any
    min_step_size: Any
    max_step_size: Any

    def init(self, params: Params) -> OptState:
        return ScaleByRpropState(tu.full_like(params, self.learning_rate), tu.zeros_like(params))

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:

        def leaf(g: jax.Array, step: jax.Array, prev: jax.Array) -> tuple[jax.Array, ...]:
            sign = g * prev
            factor = jnp.where(sign > 0, tu.hp(self.eta_plus, step), tu.hp(self.eta_minus, step))
            clipped = jnp.clip(
                step * factor, tu.hp(self.min_step_size, step), tu.hp(self.max_step_size, step)
            )
            step = jnp.where(sign == 0, step, clipped)
            flipped = sign < 0
            new_prev = jnp.where(flipped, jnp.zeros_like(g), step * jnp.sign(g))
            # as optax 0.2.8: the step emitted is the previous one, zeroed after a sign flip
            return jnp.where(flipped, jnp.zeros_like(prev), prev), step, new_prev

        out, steps, prev = tu.leafwise(leaf, updates, state.step_sizes, state.prev_updates)
        return out, ScaleByRpropState(steps, prev)


def scale_by_rprop(
    learning_rate: float | jax.Array,
    eta_minus: float = 0.5,
    eta_plus: float = 1.2,
    min_step_size: float = 1e-6,
    max_step_size: float = 50.0,
) -> GradientTransformation:
    r"""Rprop: per-element step sizes grown while the gradient sign holds, shrunk when it flips.

    .. math::

        \Delta_t = \begin{cases} \min(\eta^+ \Delta_{t-1}, \Delta_{\max}) & g_t g_{t-1} > 0\\
        \max(\eta^- \Delta_{t-1}, \Delta_{\min}) & g_t g_{t-1} < 0\\ \Delta_{t-1} & \text{else}
        \end{cases},\quad u_t = \Delta_t\,\mathrm{sign}(g_t)

    (zero after a sign flip).

    Args:
        learning_rate: the initial step size :math:`\Delta_0`, >= 0.
        eta_minus: shrink factor, in (0, 1).
        eta_plus: growth factor, > 1.
        min_step_size: :math:`\Delta_{\min}`.
        max_step_size: :math:`\Delta_{\max}`.

    Returns:
        The transform (its output is an ascent direction; :func:`rprop` flips the sign).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.scale_by_rprop(0.1)
        >>> g = jnp.array([3.0, -1.0])
        >>> state = tx.init(g)
        >>> u, state = tx.update(g, state)
        >>> print(u)
        [0. 0.]

    References:
        Riedmiller & Braun, *A direct adaptive method for faster backpropagation learning:
        the RPROP algorithm*, 1993.
    """
    check_real("learning_rate", learning_rate, low=0)
    check_real("eta_minus", eta_minus, low=0, low_open=True)
    check_real("eta_plus", eta_plus, low=0, low_open=True)
    check_real("min_step_size", min_step_size, low=0)
    check_real("max_step_size", max_step_size, low=0)
    return _ScaleByRprop(learning_rate, eta_minus, eta_plus, min_step_size, max_step_size)


class ScaleByNovogradState(NamedTuple):
    """Step count, momentum and per-leaf (scalar) second moments."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    mu: Updates
    nu: Updates


class _ScaleByNovograd(NeedsParams):
    mu_dtype: Any = eqx.field(static=True)
    b1: Any
    b2: Any
    eps: Any
    eps_root: Any
    weight_decay: Any
    public_name = "scale_by_novograd"

    def init(self, params: Params) -> OptState:
        nu = jax.tree.map(lambda p: jnp.zeros([], jnp.result_type(p)), params)
        return ScaleByNovogradState(tu.zero_count(), tu.zeros_like(params, self.mu_dtype), nu)

    def step(self, updates: Updates, state: OptState, params: Params) -> tuple[Updates, OptState]:
        count = tu.increment(state.count)
        first = count == 1

        def leaf(g: jax.Array, m: jax.Array, n: jax.Array, p: jax.Array) -> tuple[jax.Array, ...]:
            sq = jnp.sum(g * g)
            n = jnp.where(first, sq, tu.ema(sq, n, self.b2, 1))
            add = g / (jnp.sqrt(n + tu.hp(self.eps_root, n)) + tu.hp(self.eps, n))
            add = add + tu.hp(self.weight_decay, p) * p
            m = jnp.where(first, add, tu.hp(self.b1, m) * m + add)
            return m, m, n, p

        out, mu, nu, _ = tu.leafwise(leaf, updates, state.mu, state.nu, params)
        return out, ScaleByNovogradState(count, mu, nu)


@fill_doc(**OPTIMIZER)
def scale_by_novograd(
    b1: float = 0.9,
    b2: float = 0.25,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    weight_decay: float | jax.Array = 0.0,
    mu_dtype: DTypeLike | None = None,
) -> GradientTransformation:
    r"""Novograd: layer-wise second moments and gradient normalisation before momentum.

    .. math::

        v_t = \beta_2 v_{t-1} + (1-\beta_2)\|g_t\|^2,\quad
        m_t = \beta_1 m_{t-1} + \frac{g_t}{\sqrt{v_t + \bar\epsilon} + \epsilon} + \lambda\theta_t

    (:math:`v_1 = \|g_1\|^2`, :math:`m_1` without the momentum term).

    Args:
        b1: momentum decay, in [0, 1).
        b2: second-moment decay, in [0, 1).
        {adam_eps}
        weight_decay: :math:`\lambda`, >= 0.
        mu_dtype: floating (complex for complex parameters) dtype of the momentum, or ``None``
            for the parameter's dtype.

    Returns:
        The transform (needs ``params``).

    {example_head}
        >>> p = jnp.array([1.0, 1.0])
        >>> u = first_update(optim.scale_by_novograd(), jnp.array([3.0, 4.0]), p)
        >>> print(jnp.round(u, 3))
        [0.6 0.8]

    References:
        Ginsburg et al., *Stochastic Gradient Methods with Layer-wise Adaptive Moments*, 2019.
    """
    _check_adam_args(b1, b2, eps, eps_root)
    check_real("weight_decay", weight_decay, low=0)
    mu_dtype = as_dtype("mu_dtype", mu_dtype)
    return _ScaleByNovograd(mu_dtype, b1, b2, eps, eps_root, weight_decay)
