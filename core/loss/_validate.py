"""Input validation shared by every loss in :mod:`core.loss`.

One place decides what a bad input is and how it is reported:

* dtypes and shapes are static, so they are checked at trace time (eagerly and under
  ``jit`` alike) and raise ``TypeError`` / ``ValueError`` naming the argument;
* label *values* are checked whenever they are concrete (eager calls, or labels closed
  over as constants): an out-of-range label raises ``ValueError`` naming the bad index;
* under a transformation (``jit``, ``vmap``, a traced ``grad`` argument) values are
  unknown. With ``check=True`` the range test is emitted as a
  :func:`jax.experimental.checkify.check`, raised by ``checkify.checkify(f)(...)`` +
  ``err.throw()``; with ``check="callback"`` a :func:`jax.debug.callback` raises the
  eager ``ValueError`` on the host when the computation runs (no ``checkify`` needed,
  works under any transformation, costs one small device-to-host transfer per call).
  With ``check=False`` the loss of an example with an out-of-range label is NaN
  (:func:`mask_invalid`), never a wrapped-around class.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import checkify
from jax.typing import ArrayLike, DTypeLike

from core._validation import as_int, check_choice

Reduction: TypeAlias = Literal["none", "mean", "sum"]
Check: TypeAlias = bool | Literal["callback"]
Axis: TypeAlias = int | tuple[int, ...] | None

__all__: list[str] = []


def as_array(name: str, x: ArrayLike) -> jax.Array:
    """``jnp.asarray(x)``, re-raising a conversion failure as a ``TypeError`` naming ``name``."""
    try:
        return jnp.asarray(x)
    except TypeError as err:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}: {err}") from err


def _of_kind(name: str, x: ArrayLike, kind: DTypeLike, what: str) -> jax.Array:
    """``x`` as an array whose dtype is a ``kind``, else ``TypeError``: ``name must be what``."""
    arr = as_array(name, x)
    if not jnp.issubdtype(arr.dtype, kind):
        raise TypeError(f"{name} must be {what}, got dtype {arr.dtype}.")
    return arr


def float_array(name: str, x: ArrayLike) -> jax.Array:
    """``x`` as an array with a floating dtype, else ``TypeError`` naming ``name``."""
    return _of_kind(name, x, jnp.floating, "a floating-point array (e.g. float32)")


def int_array(name: str, x: ArrayLike) -> jax.Array:
    """``x`` as an array with an integer dtype, else ``TypeError`` naming ``name``."""
    return _of_kind(name, x, jnp.integer, "an integer array of class indices (e.g. int32)")


def numeric_as(name: str, x: ArrayLike, like: jax.Array) -> jax.Array:
    """``x`` (float, int or bool) cast to the floating dtype of ``like``."""
    arr = as_array(name, x)
    if not (
        jnp.issubdtype(arr.dtype, jnp.floating)
        or jnp.issubdtype(arr.dtype, jnp.integer)
        or arr.dtype == jnp.bool_
    ):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}.")
    return arr.astype(like.dtype)


def same_shape(name_a: str, a: jax.Array, name_b: str, b: jax.Array) -> None:
    """Raise ``ValueError`` naming both shapes unless ``a.shape == b.shape``."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {name_a}.shape={a.shape} and {name_b}.shape={b.shape}."
        )


def paired(
    name_a: str, a: ArrayLike, name_b: str, b: ArrayLike, *, floating: bool = False
) -> tuple[jax.Array, jax.Array]:
    """``a`` as a float array and ``b`` cast to its dtype, of the same shape.

    ``b`` must be floating point too when ``floating``, else any real numeric dtype
    (:func:`numeric_as`); a mismatch raises naming both arguments.
    """
    x = float_array(name_a, a)
    y = float_array(name_b, b).astype(x.dtype) if floating else numeric_as(name_b, b, x)
    same_shape(name_a, x, name_b, y)
    return x, y


def min_ndim(name: str, x: jax.Array, ndim: int, what: str) -> None:
    """Raise ``ValueError`` unless ``x.ndim >= ndim``."""
    if x.ndim < ndim:
        raise ValueError(
            f"{name} must have at least {ndim} dimension(s) ({what}), got shape {x.shape}."
        )


def exact_ndim(name: str, x: jax.Array, ndim: int, what: str) -> None:
    """Raise ``ValueError`` unless ``x.ndim == ndim``."""
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s) {what}, got shape {x.shape}.")


def labels_shape(
    name_labels: str,
    labels: jax.Array,
    name_scores: str,
    scores: jax.Array,
    expected: Sequence[int],
    how: str,
) -> None:
    """Raise ``ValueError`` naming both shapes unless ``labels.shape == expected``."""
    if labels.shape != tuple(expected):
        raise ValueError(
            f"{name_labels}.shape must equal {how} ({tuple(expected)}), got "
            f"{name_labels}.shape={labels.shape} and {name_scores}.shape={scores.shape}."
        )


def normalize_axis(name: str, axis: int, ndim: int) -> int:
    """``axis`` as a non-negative index into ``ndim`` dimensions, else ``ValueError``."""
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TypeError(f"{name} must be an int, got {axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an array with {ndim} dimension(s).")
    return int(axis) % ndim


def positive_int(name: str, value: int) -> int:
    """``value`` if it is a positive ``int``, else ``TypeError`` / ``ValueError``."""
    return as_int(name, value, minimum=1)


def reduce(loss: jax.Array, reduction: str, axis: Axis = None) -> jax.Array:
    """Apply ``reduction`` (``'none'``, ``'mean'`` or ``'sum'``) over ``axis``."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return jnp.mean(loss, axis=axis)
    check_reduction(reduction)
    return jnp.sum(loss, axis=axis)


def check_reduction(reduction: str) -> None:
    """Raise ``ValueError`` for an unknown ``reduction`` before anything is computed."""
    check_choice("reduction", reduction, ("none", "mean", "sum"))


def _concrete(x: jax.Array) -> np.ndarray | None:
    """The value of ``x`` when it is known (not a tracer), else ``None``."""
    try:
        return np.asarray(x)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return None


def labels_in_range(
    name: str,
    labels: jax.Array,
    num_classes: int,
    *,
    check: Check,
    valid: jax.Array | None = None,
) -> None:
    """Check ``0 <= labels < num_classes`` (only where ``valid`` is true, if given).

    Concrete labels: ``ValueError`` naming the first bad index and its value.
    Traced labels: with ``check=True`` a ``checkify.check`` (functionalize the caller with
    :func:`jax.experimental.checkify.checkify`); with ``check="callback"`` a host callback
    that raises the eager ``ValueError`` at run time; with ``check=False`` nothing here,
    and :func:`mask_invalid` turns the affected losses into NaN.
    """
    if not (isinstance(check, bool) or check == "callback"):
        raise TypeError(f"check must be a bool or 'callback', got {check!r}.")
    values = _concrete(labels)
    mask = None if valid is None else _concrete(valid)
    if values is not None and (valid is None or mask is not None):
        _raise_if_out_of_range(name, num_classes, values, mask)
        return
    if check == "callback":
        ones = jnp.ones(labels.shape, dtype=bool)
        jax.debug.callback(
            functools.partial(_raise_if_out_of_range, name, num_classes),
            labels,
            ones if valid is None else jnp.broadcast_to(valid.astype(bool), labels.shape),
        )
    elif check:
        ok = in_range(labels, num_classes)
        if valid is not None:
            ok = ok | ~valid.astype(bool)
        flat = jnp.ravel(ok)
        first = jnp.argmin(flat)  # first False, if any
        checkify.check(
            jnp.all(flat),
            f"{name} holds a class index out of range [0, {num_classes}): "
            f"{name}.ravel()[{{index}}] = {{value}}.",
            index=first,
            value=jnp.ravel(jnp.broadcast_to(labels, ok.shape))[first],
        )


def _raise_if_out_of_range(
    name: str, num_classes: int, values: np.ndarray, mask: np.ndarray | None
) -> None:
    """``ValueError`` naming the first out-of-range entry of ``values`` (where ``mask``)."""
    values = np.asarray(values)
    bad = (values < 0) | (values >= num_classes)
    if mask is not None:
        bad &= np.broadcast_to(np.asarray(mask).astype(bool), bad.shape)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name}[{', '.join(map(str, index))}] = {int(values[index])} is out of range: "
            f"class indices must lie in [0, {num_classes})."
        )


def in_range(labels: jax.Array, num_classes: int) -> jax.Array:
    """Boolean mask of ``0 <= labels < num_classes``."""
    return (labels >= 0) & (labels < num_classes)


def mask_invalid(loss: jax.Array, labels: jax.Array, num_classes: int) -> jax.Array:
    """``loss`` with NaN where ``labels`` is out of range (the traced, unchecked case).

    The NaN is selected by ``where``, so the gradient of the valid examples is unchanged.
    """
    return jnp.where(in_range(labels, num_classes), loss, jnp.nan)


def safe_index(labels: jax.Array, num_classes: int) -> jax.Array:
    """``labels`` with out-of-range entries replaced by 0, for gathering before masking."""
    return jnp.where(in_range(labels, num_classes), labels, 0)
