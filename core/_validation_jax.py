"""Argument rules for values only JAX gives meaning to: dtypes and random keys.

Part of :mod:`core._validation` (which re-exports both rules; import them from there): a
constructor that stores a dtype or a PRNG key checks it when it is built, so a bad one is
refused by name instead of failing later, inside NumPy or ``jax.random``, when the state is
first made. Neither rule makes a device array.
"""

from __future__ import annotations

import functools
import operator
from typing import Any, Literal, cast

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["as_dtype", "as_key"]

_INT64 = np.iinfo(np.int64)


def as_dtype(
    name: str, value: object, *, kind: Literal["inexact", "floating"] = "inexact"
) -> np.dtype | None:
    """``value`` as a canonical NumPy dtype after checking it names a floating dtype.

    For the dtype an optimizer keeps an accumulator in (``mu_dtype``, ``accumulator_dtype``,
    ``dtype_momentum``). Accepted is what :func:`jax.numpy.dtype` understands and names a
    floating dtype: a JAX or NumPy type (``jnp.bfloat16``, ``np.float16``), a dtype, a name
    (``"float32"``) or Python's ``float``. With ``kind="inexact"`` (the default) complex
    dtypes are accepted too: optax's Adam, like ours, works on complex parameters, whose
    moments must be complex (a real one would drop the imaginary part). ``None`` (the
    parameter's own dtype) passes through. The result is canonicalised as optax 0.2.8 does
    (:func:`jax.dtypes.canonicalize_dtype`): ``float64`` stands for ``float32`` unless
    ``jax_enable_x64`` is set, and ``float`` for JAX's default float.

    Args:
        name: the argument's name, as the user wrote it.
        value: the value to check.
        kind: ``"inexact"`` (floating or complex) or ``"floating"`` (real only).

    Returns:
        The canonical dtype, or ``None`` for ``None``.

    Raises:
        TypeError: ``value`` is not a dtype (a string no dtype is named, a number, an array)
            or names one of another kind (integer, bool, and complex for ``"floating"``).

    Example:
        >>> import jax.numpy as jnp
        >>> from core._validation import as_dtype
        >>> as_dtype("mu_dtype", jnp.bfloat16)
        dtype(bfloat16)
        >>> as_dtype("mu_dtype", "float16")
        dtype('float16')
        >>> as_dtype("mu_dtype", jnp.int32)
        Traceback (most recent call last):
        ...
        TypeError: mu_dtype must be a floating dtype such as jnp.float32 or jnp.bfloat16 (or a complex one, for complex parameters), or None; got <class 'jax.numpy.int32'> (dtype int32)
    """  # noqa: E501
    if value is None:
        return None
    wanted = "a floating dtype such as jnp.float32 or jnp.bfloat16"
    if kind == "inexact":
        wanted += " (or a complex one, for complex parameters)"
    message = f"{name} must be {wanted}, or None; got {value!r}"
    if hasattr(value, "shape") and not isinstance(value, type | np.dtype):  # an array, say
        raise TypeError(f"{message} of type {type(value).__name__}")
    try:
        dtype = jnp.dtype(cast(Any, value))
    except (TypeError, ValueError):
        raise TypeError(f"{message} of type {type(value).__name__}") from None
    if not jnp.issubdtype(dtype, jnp.inexact if kind == "inexact" else jnp.floating):
        raise TypeError(f"{message} (dtype {dtype})")
    return np.dtype(jax.dtypes.canonicalize_dtype(dtype))


def _raw_key_shape() -> tuple[int, ...]:
    """The shape of a legacy ``uint32`` key of JAX's default PRNG implementation."""
    return _key_shape_of(str(jax.config.jax_default_prng_impl))  # type: ignore[attr-defined]


@functools.cache
def _key_shape_of(impl: str) -> tuple[int, ...]:
    """The shape of a legacy key of the PRNG implementation ``impl`` (the current default; no
    array is made: the shape comes from an abstract evaluation, once per implementation)."""
    del impl  # the cache key
    return tuple(jax.eval_shape(lambda: jax.random.PRNGKey(0)).shape)  # a fresh lambda: not
    # jax's trace cache, which would keep the first implementation's shape


def as_key(name: str, value: object) -> int | jax.Array:
    """``value`` after checking it is a random seed or a single PRNG key.

    For the ``key`` of a transform that draws random numbers. Accepted is what optax 0.2.8's
    ``add_noise`` accepts, and the legacy keys it refuses at ``init``:

    * an integer seed in the ``int64`` range: a Python or NumPy integer or a 0-d integer
      array; a concrete seed comes back as a Python ``int`` (the key is made with the state,
      so building makes no device array), a traced one as it is;
    * a typed key, ``jax.random.key(seed)``, of shape ``()``;
    * a legacy raw key, ``jax.random.PRNGKey(seed)``: a ``uint32`` array of the default
      implementation's key shape (``(2,)`` for threefry).

    Args:
        name: the argument's name, as the user wrote it.
        value: the value to check.

    Returns:
        The seed as a Python ``int``, or the key (or traced seed) unchanged.

    Raises:
        TypeError: ``value`` is neither an integer nor a key (a ``bool``, a float, a string,
            ``None``, a list, a float or signed-integer array).
        ValueError: a seed outside the ``int64`` range, a batch of typed keys, or a ``uint32``
            array of another shape than a key's.

    Example:
        >>> import jax
        >>> from core._validation import as_key
        >>> as_key("key", 3)
        3
        >>> as_key("key", jax.random.key(0)).shape
        ()
        >>> as_key("key", 0.5)
        Traceback (most recent call last):
        ...
        TypeError: key must be an integer seed or a PRNG key (jax.random.key(seed) or the legacy jax.random.PRNGKey(seed)); got 0.5 of type float
    """  # noqa: E501
    wanted = (
        "an integer seed or a PRNG key (jax.random.key(seed) or the legacy "
        "jax.random.PRNGKey(seed))"
    )
    dtype = getattr(value, "dtype", None)
    shape = tuple(getattr(value, "shape", ()))
    if dtype is not None and jnp.issubdtype(dtype, jax.dtypes.prng_key):
        if shape:
            raise ValueError(f"{name} must be a single PRNG key, got a batch of shape {shape}")
        return cast(jax.Array, value)
    if dtype is not None and shape and jnp.dtype(dtype) == jnp.uint32:
        if shape != _raw_key_shape():
            raise ValueError(
                f"{name} must be {wanted}; a legacy key has shape {_raw_key_shape()}, got a "
                f"uint32 array of shape {shape}"
            )
        return cast(jax.Array, value)
    integer = dtype is not None and not shape and jnp.issubdtype(dtype, jnp.integer)
    if isinstance(value, jax.core.Tracer) and integer:
        return value
    if isinstance(value, bool | np.bool_) or not (isinstance(value, int) or integer):
        described = (
            f"an array of dtype {dtype} and shape {shape}"
            if shape
            else f"{value!r} of type {type(value).__name__}"
        )
        raise TypeError(f"{name} must be {wanted}; got {described}")
    seed = operator.index(cast(Any, value))
    if not _INT64.min <= seed <= _INT64.max:
        raise ValueError(f"{name} must be an integer seed in the int64 range, got {seed}")
    return seed
