"""Small pytree and numeric helpers shared by the transforms (one place for each idea)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from core._validation import check_floating, check_same_structure

from ._base import Params, Updates


def hp(value: Any, like: jax.Array) -> jax.Array | float:
    """A hyperparameter ready to combine with ``like``: Python scalars stay weak, arrays cast."""
    if isinstance(value, int | float):
        return value
    return jnp.asarray(value).astype(like.dtype)


def zeros_like(tree: Params, dtype: Any = None) -> Any:
    """Zeros shaped like ``tree`` (in ``dtype`` if given, else each leaf's dtype).

    A leaf that is a sharded ``jax.Array`` gives zeros with the same sharding, so an
    optimizer state starts where its parameters live (replicated or sharded).
    """
    check_floating("params", tree)
    return jax.tree.map(lambda x: jnp.zeros_like(x, dtype or jnp.result_type(x)), tree)


def full_like(tree: Params, value: Any, dtype: Any = None) -> Any:
    """``value`` broadcast to every leaf of ``tree`` (keeping a leaf's sharding)."""
    check_floating("params", tree)

    def fill(x: Any) -> jax.Array:
        dt = dtype or jnp.result_type(x)
        return jnp.full_like(x, jnp.asarray(value).astype(dt), dt)

    return jax.tree.map(fill, tree)


def wider(a: Any, b: Any) -> Any:
    """The wider of two floating dtypes (explicit, so it works under strict promotion).

    Two different dtypes of one size (``bfloat16`` and ``float16``) hold each other's values
    only in ``float32``, which is then returned.
    """
    a, b = jnp.dtype(a), jnp.dtype(b)
    if a.itemsize == b.itemsize and a != b:
        return jnp.dtype(jnp.float32) if a.itemsize == 2 else a
    return a if a.itemsize >= b.itemsize else b


def ema(g: jax.Array, m: jax.Array, decay: Any, order: int = 1) -> jax.Array:
    r"""One step of an exponential moving average, :math:`(1-\beta) g^{k} + \beta m`.

    Computed in the wider of the two dtypes (so a low-precision moment does not
    degrade the step); the caller casts the value it stores.
    """
    dt = wider(g.dtype, m.dtype)
    g = g.astype(dt)
    m = m.astype(dt)
    d = hp(decay, g)
    gk = g if order == 1 else (jnp.real(jnp.conj(g) * g) if order == 2 else g**order)
    return (1 - d) * gk + d * m


def bias_correction(m: jax.Array, decay: Any, count: jax.Array) -> jax.Array:
    r"""Divide a moment by :math:`1 - \beta^t`."""
    d = decay if isinstance(decay, int | float) else jnp.asarray(decay, jnp.float32)
    correction = 1 - d ** count.astype(jnp.float32)
    return m / jnp.asarray(correction).astype(m.dtype)


def leafwise(fn: Callable[..., tuple[Any, ...]], updates: Updates, *states: Any) -> Any:
    """Apply ``fn(g, *s) -> (u, *new_s)`` leaf by leaf, in the widest dtype of its inputs.

    The one dtype rule of the transforms: ``fn`` computes in the wider of the gradient's and
    the state's dtypes; the update comes back in the gradient's dtype and every new state leaf
    in the dtype of the state leaf it replaces (a state "leaf" may be a small pytree, such as
    SM3's list of per-axis accumulators), so a state keeps its dtypes across steps (and
    ``lax.scan`` can carry it) whatever the mix of parameter and gradient dtypes.

    Returns:
        The tuple ``(updates, *new_states)`` of trees with the structure of ``updates``.
    """
    for state in states[:1]:
        check_same_structure("updates", updates, state)
    leaves, structure = jax.tree.flatten(updates)
    treedef: Any = structure  # flatten_up_to / unflatten are missing from jax's stubs
    columns = [treedef.flatten_up_to(state) for state in states]

    def one(g: jax.Array, *olds: Any) -> tuple[Any, ...]:
        dtype = functools.reduce(wider, [x.dtype for x in jax.tree.leaves(olds)], g.dtype)
        wide = jax.tree.map(lambda x: x.astype(dtype), olds)
        out, *new = fn(g.astype(dtype), *wide)
        back = jax.tree.map(lambda n, o: n.astype(o.dtype), tuple(new), olds)
        return (out.astype(g.dtype), *back)

    results = [one(g, *olds) for g, *olds in zip(leaves, *columns, strict=True)]
    return tuple(treedef.unflatten([r[i] for r in results]) for i in range(1 + len(states)))


def increment(count: jax.Array) -> jax.Array:
    """``count + 1``, saturating at the dtype's maximum instead of overflowing."""
    top = np.iinfo(count.dtype).max
    return jnp.where(count < top, count + 1, count)


def zero_count() -> jax.Array:
    """The initial step counter: a scalar ``int32`` zero."""
    return jnp.zeros([], jnp.int32)


def tree_map(fn: Callable[..., Any], updates: Updates, *rest: Any) -> Any:
    """``jax.tree.map`` over ``updates`` and state trees, after a structure check."""
    if rest:
        check_same_structure("updates", updates, rest[0])
    return jax.tree.map(fn, updates, *rest)


def tree_sum_sq(tree: Any) -> jax.Array:
    """Sum of squares of all leaves, accumulated in float32 (or wider)."""
    leaves = jax.tree.leaves(tree)
    if not leaves:
        return jnp.zeros([], jnp.float32)
    parts = [
        jnp.sum(jnp.real(jnp.conj(x) * x).astype(wider(jnp.real(x).dtype, jnp.float32)))
        for x in leaves
    ]
    dt = functools.reduce(wider, [p.dtype for p in parts])
    return sum((p.astype(dt) for p in parts), start=jnp.zeros([], dt))


def tree_norm(tree: Any) -> jax.Array:
    """Global L2 norm of a pytree."""
    return jnp.sqrt(tree_sum_sq(tree))


def safe_norm(x: jax.Array, min_norm: Any) -> jax.Array:
    """L2 norm of ``x``, at least ``min_norm``, with a finite gradient at zero."""
    norm = jnp.linalg.norm(x)
    x = jnp.where(norm <= min_norm, jnp.ones_like(x), x)
    return jnp.where(norm <= min_norm, hp(min_norm, norm), jnp.linalg.norm(x))


def all_finite(tree: Any) -> jax.Array:
    """A scalar boolean: every element of every leaf is finite (no host sync)."""
    leaves = jax.tree.leaves(tree)
    if not leaves:
        return jnp.array(True)
    # x * 0 is 0 where x is finite and NaN where it is NaN or infinite, and a sum of zeros
    # cannot overflow: one fused reduction per leaf, where jnp.all(jnp.isfinite(x))
    # materialises an element-wise boolean temporary (10 MB per 1e7 parameters on CPU)
    return jnp.stack([jnp.isfinite(jnp.sum(x * 0)) for x in leaves]).all()
