"""Helpers shared by the analysis modules: input conversion, window counts, correlations."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import as_float, check_real

__all__: list[str] = []


def real_array(name: str, value: object) -> jax.Array:
    """``value`` as a floating JAX array; bool and integer inputs become the default float.

    Raises ``TypeError`` naming ``name`` (the shared :func:`core._validation.check_real`
    message) for anything that is not a real number or a real / bool array.
    """
    if isinstance(value, list | tuple):
        value = np.asarray(value)
    dtype = getattr(value, "dtype", None)
    if dtype is None or not (
        jnp.issubdtype(dtype, jnp.floating)
        or jnp.issubdtype(dtype, jnp.integer)
        or jnp.issubdtype(dtype, jnp.bool_)
    ):
        check_real(name, value)  # raises for non-real values; a Python number passes
    arr = jnp.asarray(value)
    if not jnp.issubdtype(arr.dtype, jnp.floating):
        arr = arr.astype(jnp.result_type(float))
    return arr


def matrix(name: str, value: object, what: str = "(num_time, num_neurons)") -> jax.Array:
    """``value`` as a 2-D floating array, else ``ValueError`` naming its shape."""
    arr = real_array(name, value)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array {what}, got shape {arr.shape}")
    return arr


def positive(name: str, value: object) -> float:
    """A concrete number ``> 0`` as a Python ``float``."""
    return as_float(name, value, low=0.0, low_open=True)


def steps(value: float, dt: float) -> float:
    """``value / dt`` with the representation error of decimal steps removed (``0.3/0.1 = 3``)."""
    ratio = value / dt
    nearest = round(ratio)
    return float(nearest) if math.isclose(ratio, nearest, rel_tol=1e-9) else ratio


def window_counts(active: jax.Array, half: int) -> jax.Array:
    """Number of non-zero samples of each column of ``active`` within ``[t - half, t + half]``.

    ``active`` is ``(T, N)``; the result has the same shape (clipped at the edges).
    """
    n_time = active.shape[0]
    cum = jnp.concatenate(
        [jnp.zeros((1, *active.shape[1:]), active.dtype), jnp.cumsum(active, axis=0)]
    )
    t = np.arange(n_time)
    upper = np.minimum(t + half, n_time - 1) + 1
    lower = np.maximum(t - half, 0)
    return cum[upper] - cum[lower]


def gram(a: jax.Array, b: jax.Array) -> jax.Array:
    """``a.T @ b`` at full float precision (exact integer counts on every backend)."""
    return jnp.matmul(a.T, b, precision=jax.lax.Precision.HIGHEST)


def correlation_matrix(x: jax.Array) -> jax.Array:
    """Pearson correlations between the columns of ``x`` (``(T, N)`` -> ``(N, N)``).

    A pair involving a constant column (zero variance) has correlation 0 (not NaN), with a
    NaN-free gradient; the diagonal of a constant column is 0 too.
    """
    centered = x - jnp.mean(x, axis=0, keepdims=True)
    cov = gram(centered, centered)
    var = jnp.diagonal(cov)
    denom = jnp.sqrt(jnp.outer(var, var))
    ok = denom > 0
    corr = jnp.where(ok, cov / jnp.where(ok, denom, 1), 0)
    return jnp.clip(corr, -1.0, 1.0)


def mean_over_pairs(values: jax.Array, valid: jax.Array) -> jax.Array:
    """Mean of ``values[i, j]`` over ``i < j`` where ``valid``; 0 when no pair is valid."""
    n = values.shape[0]
    upper = jnp.asarray(np.triu(np.ones((n, n), dtype=bool), k=1)) & valid
    count = jnp.sum(upper)
    total = jnp.sum(jnp.where(upper, values, 0))
    return jnp.where(count > 0, total / jnp.maximum(count, 1).astype(values.dtype), 0).astype(
        values.dtype
    )
