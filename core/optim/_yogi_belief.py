"""Yogi and AdaBelief: Adam with other second-moment estimates."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from core._docstrings import fill_doc
from core._validation import check_real

from . import _tree as tu
from ._adam import LeafRule, MomentPair, ScaleByAdamState, _check_adam_args, _debiased_mu
from ._base import GradientTransformation, OptState, Params
from ._docs import OPTIMIZER


class _ScaleByYogi(MomentPair):
    eps_root: Any
    initial_accumulator_value: Any

    def init(self, params: Params) -> OptState:
        v0 = self.initial_accumulator_value
        return ScaleByAdamState(tu.zero_count(), tu.full_like(params, v0), tu.full_like(params, v0))

    def rule(self, count: jax.Array) -> LeafRule:
        def leaf(g: jax.Array, m: jax.Array, v: jax.Array) -> tuple[jax.Array, ...]:
            m = tu.ema(g, m, self.b1, 1)
            g2 = g * g
            v = v - (1 - tu.hp(self.b2, v)) * jnp.sign(v - g2) * g2
            m_hat = tu.bias_correction(m, self.b1, count)
            v_hat = tu.bias_correction(v, self.b2, count)
            out = m_hat / (jnp.sqrt(v_hat + tu.hp(self.eps_root, v)) + tu.hp(self.eps, v))
            return out, m, v

        return leaf


@fill_doc(**OPTIMIZER)
def scale_by_yogi(
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-3,
    eps_root: float = 0.0,
    initial_accumulator_value: float = 1e-6,
) -> GradientTransformation:
    r"""Rescale updates by Yogi's additive second-moment estimate.

    .. math::

        v_t = v_{t-1} - (1-\beta_2)\,\mathrm{sign}(v_{t-1} - g_t^2)\, g_t^2,\quad
        u_t = \frac{\hat m_t}{\sqrt{\hat v_t + \bar\epsilon} + \epsilon}

    Args:
        {adam_decays}
        {adam_eps}
        initial_accumulator_value: initial value of both moments.

    {transform_example}
        >>> print(jnp.round(first_update(optim.scale_by_yogi(), jnp.array([0.5, -2.0])), 2))
        [ 1. -1.]

    References:
        Zaheer et al., *Adaptive Methods for Nonconvex Optimization*, NeurIPS 2018.
    """
    _check_adam_args(b1, b2, eps, eps_root)
    check_real("initial_accumulator_value", initial_accumulator_value, low=0)
    return _ScaleByYogi(b1, b2, eps, eps_root, initial_accumulator_value)


class _ScaleByBelief(MomentPair):
    eps_root: Any
    nesterov: bool = eqx.field(static=True)

    def rule(self, count: jax.Array) -> LeafRule:
        def leaf(g: jax.Array, m: jax.Array, s: jax.Array) -> tuple[jax.Array, ...]:
            m = tu.ema(g, m, self.b1, 1)
            s = tu.ema(g - m, s, self.b2, 2) + tu.hp(self.eps_root, s)
            m_hat = _debiased_mu(m, g, self.b1, count, self.nesterov)
            out = m_hat / (jnp.sqrt(tu.bias_correction(s, self.b2, count)) + tu.hp(self.eps, s))
            return out, m, s

        return leaf


@fill_doc(**OPTIMIZER)
def scale_by_belief(
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-16,
    eps_root: float = 1e-16,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""Rescale updates by AdaBelief: the second moment tracks :math:`(g_t - m_t)^2`.

    .. math::

        s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \bar\epsilon,\quad
        u_t = \frac{\hat m_t}{\sqrt{\hat s_t} + \epsilon}

    Args:
        b1: decay of the first moment, in [0, 1).
        b2: decay of the belief moment, in [0, 1).
        eps: added outside the square root, > 0.
        eps_root: added to the belief moment each step, >= 0.
        nesterov: use Nesterov momentum.

    {transform_example}
        >>> print(jnp.round(first_update(optim.scale_by_belief(), jnp.array([0.5, -2.0])), 2))
        [ 1.11 -1.11]

    References:
        Zhuang et al., *AdaBelief Optimizer*, NeurIPS 2020.
    """
    _check_adam_args(b1, b2, eps, eps_root)
    return _ScaleByBelief(b1, b2, eps, eps_root, nesterov)
