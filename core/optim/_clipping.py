"""Clipping building blocks: elementwise, global norm, block RMS and adaptive (unit-wise)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from core._docstrings import fill_doc
from core._validation import check_real

from . import _tree as tu
from ._base import GradientTransformation, OptState, ParamFree, Updates
from ._docs import OPTIMIZER
from ._scale import ByParam, Stateless


class _Clip(Stateless, ParamFree):
    max_delta: Any

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        return jax.tree.map(
            lambda g: jnp.clip(g, -tu.hp(self.max_delta, g), tu.hp(self.max_delta, g)), updates
        ), state


@fill_doc(**OPTIMIZER)
def clip(max_delta: float) -> GradientTransformation:
    r"""Clip every element to :math:`[-\delta, \delta]`.

    Args:
        max_delta: :math:`\delta`, >= 0.

    Returns:
        The (stateless) transform.

    {example_head}
        >>> print(first_update(optim.clip(1.0), jnp.array([0.5, -3.0])))
        [ 0.5 -1. ]
    """
    check_real("max_delta", max_delta, low=0)
    return _Clip(max_delta)


class _ClipByGlobalNorm(Stateless, ParamFree):
    max_norm: Any

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        norm = tu.tree_norm(updates)
        keep = norm < self.max_norm

        def f(g: jax.Array) -> jax.Array:
            return jnp.where(keep, g, g / norm.astype(g.dtype) * tu.hp(self.max_norm, g))

        return jax.tree.map(f, updates), state


@fill_doc(**OPTIMIZER)
def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    r"""Rescale the whole update tree so that its global L2 norm is at most ``max_norm``.

    .. math::

        u_t = g_t \cdot \min\left(1, \frac{c}{\|g_t\|_2}\right)

    Args:
        max_norm: :math:`c`, > 0.

    Returns:
        The (stateless) transform.

    {example_head}
        >>> g = {"a": jnp.array([3.0]), "b": jnp.array([4.0])}
        >>> u = first_update(optim.clip_by_global_norm(1.0), g)
        >>> print(u["a"], u["b"])
        [0.6] [0.8]

    References:
        Pascanu et al., *On the difficulty of training recurrent neural networks*, 2013.
    """
    check_real("max_norm", max_norm, low=0, low_open=True)
    return _ClipByGlobalNorm(max_norm)


class _ClipByBlockRMS(Stateless, ParamFree):
    threshold: Any

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:

        def f(u: jax.Array) -> jax.Array:
            return u / jnp.maximum(1.0, jnp.sqrt(jnp.mean(u * u)) / tu.hp(self.threshold, u))

        return jax.tree.map(f, updates), state


@fill_doc(**OPTIMIZER)
def clip_by_block_rms(threshold: float) -> GradientTransformation:
    r"""Rescale each leaf so that its root mean square is at most ``threshold``.

    .. math::

        u_t = g_t / \max\left(1, \mathrm{rms}(g_t) / c\right)

    Args:
        threshold: :math:`c`, > 0.

    Returns:
        The (stateless) transform.

    {example_head}
        >>> print(first_update(optim.clip_by_block_rms(1.0), jnp.array([2.0, -2.0])))
        [ 1. -1.]
    """
    check_real("threshold", threshold, low=0, low_open=True)
    return _ClipByBlockRMS(threshold)


def _unitwise_norm(x: jax.Array) -> jax.Array:
    if jnp.squeeze(x).ndim <= 1:
        sq = jnp.sum(x * x, keepdims=True)
    elif x.ndim in (2, 3):
        sq = jnp.sum(x * x, axis=0, keepdims=True)
    else:
        sq = jnp.sum(x * x, axis=tuple(range(x.ndim - 1)), keepdims=True)
    return jnp.broadcast_to(jnp.sqrt(sq), x.shape)


class _AdaptiveGradClip(ByParam):
    clipping: Any
    eps: Any
    public_name = "adaptive_grad_clip"

    def leaf(self, given: jax.Array, p: jax.Array) -> jax.Array:
        dtype = tu.wider(given.dtype, p.dtype)
        g, p = given.astype(dtype), p.astype(dtype)
        g_norm = _unitwise_norm(g)
        max_norm = tu.hp(self.clipping, g) * jnp.maximum(_unitwise_norm(p), tu.hp(self.eps, g))
        clipped = g * (max_norm / jnp.maximum(g_norm, 1e-6))
        return jnp.where(g_norm < max_norm, g, clipped).astype(given.dtype)


@fill_doc(**OPTIMIZER)
def adaptive_grad_clip(clipping: float, eps: float = 1e-3) -> GradientTransformation:
    r"""Adaptive gradient clipping: clip each unit's gradient norm relative to its weight norm.

    .. math::

        u = \begin{cases} g & \|g\| < \lambda \max(\|\theta\|, \epsilon)\\
        \lambda \max(\|\theta\|, \epsilon)\, g / \|g\| & \text{otherwise}\end{cases}

    Norms are unit-wise: over the input axes (all but the last) of kernels, whole vectors
    for biases.

    Args:
        clipping: :math:`\lambda`, > 0.
        eps: lower bound of the weight norm, > 0.

    Returns:
        The transform (needs ``params``).

    {example_head}
        >>> p = jnp.array([3.0, 4.0])
        >>> u = first_update(optim.adaptive_grad_clip(0.1), jnp.array([6.0, 8.0]), p)
        >>> print(jnp.round(u, 3))
        [0.3 0.4]

    References:
        Brock et al., *High-Performance Large-Scale Image Recognition Without Normalization*, 2021.
    """
    check_real("clipping", clipping, low=0, low_open=True)
    check_real("eps", eps, low=0, low_open=True)
    return _AdaptiveGradClip(clipping, eps)
