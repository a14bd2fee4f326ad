"""Argument validation shared by ``core`` and ``facade``: one rule, one message, one place.

Every public constructor of the library checks its arguments with these helpers before it
builds anything, so a bad setting is refused with an exception that names the argument and
the expectation, and no state has been touched yet.

Two kinds of value reach a constructor:

* **concrete** values (Python numbers, NumPy arrays, JAX arrays that are not traced): their
  type *and* value are checked (finite, inside the valid interval);
* **traced** values (inside ``jax.jit`` / ``vmap`` / ``grad``): only their type (real dtype)
  can be checked; a value check would need a host synchronisation. Learnable values stay in
  range by construction (for example a positive parametrisation), never by a run-time check.

The helpers never force a device-to-host copy of a traced value. The rules for dtypes and
random keys (:func:`as_dtype`, :func:`as_key`) live in :mod:`core._validation_jax` and are
re-exported here: import every rule from this module.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Sequence
from typing import Any, TypedDict, TypeVar, Unpack, cast

import jax
import jax.numpy as jnp
import numpy as np

from core._docstrings import fill_doc
from core._validation_jax import as_dtype as as_dtype
from core._validation_jax import as_key as as_key

T = TypeVar("T")

__all__ = [
    "Bounds",
    "as_dtype",
    "as_float",
    "as_int",
    "as_key",
    "as_pair",
    "as_shape",
    "check_choice",
    "check_floating",
    "check_real",
    "check_real_type",
    "check_same_structure",
    "interval",
    "keystr",
    "resolve_alias",
]


def interval(
    low: float | None, high: float | None, *, low_open: bool = False, high_open: bool = False
) -> str:
    """Words for the interval ``low .. high``: ``"> 0"``, ``">= 0"``, ``"in [0, 1)"``."""
    if low is not None and high is not None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        return f"in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return "finite"


_BOUNDS = """low: the smallest valid value, or ``None`` (the default) for no lower bound.
high: the largest valid value, or ``None`` (the default) for no upper bound.
low_open: exclude ``low`` itself (default ``False``).
high_open: exclude ``high`` itself (default ``False``)."""
"""The four bounds of a real interval, described once (:class:`Bounds`, :func:`check_real`,
:func:`as_float`)."""


@fill_doc(bounds=_BOUNDS)
class Bounds(TypedDict, total=False):
    """The valid interval of a real setting: the keyword arguments ``**bounds`` of
    :func:`check_real` and :func:`as_float` (every key optional).

    Attributes:
        {bounds}

    Example:
        >>> from core._validation import Bounds, as_float
        >>> unit: Bounds = {"low": 0, "high": 1, "high_open": True}
        >>> as_float("b1", 0.9, **unit)
        0.9
    """

    low: float | None
    high: float | None
    low_open: bool
    high_open: bool


_BOUND_KEYS = ", ".join(Bounds.__annotations__)


def _outside(
    values: np.ndarray,
    low: float | None,
    high: float | None,
    low_open: bool,
    high_open: bool,
) -> bool:
    if not np.all(np.isfinite(values)):
        return True
    if low is not None and np.any(values <= low if low_open else values < low):
        return True
    return high is not None and bool(np.any(values >= high if high_open else values > high))


def _limits(bounds: Bounds) -> tuple[float | None, float | None, bool, bool]:
    """``(low, high, low_open, high_open)``, with the defaults of the keys not given; an
    unknown key (a misspelt bound, which mypy would flag) is refused as a keyword would be."""
    unknown = bounds.keys() - Bounds.__annotations__.keys()
    if unknown:
        raise TypeError(f"unexpected interval bound(s) {sorted(unknown)}; valid: {_BOUND_KEYS}")
    low_open, high_open = bounds.get("low_open", False), bounds.get("high_open", False)
    return bounds.get("low"), bounds.get("high"), low_open, high_open


def _type_name(value: object) -> str:
    return type(value).__name__


_REAL_INTERVAL = "\n".join(
    (
        "name: the argument's name, as the user wrote it.",
        "value: the value to check.",
        "**bounds: the valid interval (:class:`Bounds`), any of:",
        *(f"    {line}" for line in _BOUNDS.splitlines()),
    )
)
"""The arguments of :func:`check_real` and :func:`as_float`, described once."""


@fill_doc(real_interval=_REAL_INTERVAL)
def check_real(name: str, value: object, **bounds: Unpack[Bounds]) -> None:
    """Refuse ``value`` unless it is a real number or array lying in ``low .. high``.

    Accepts Python / NumPy numbers and integer or floating arrays (JAX arrays too). A traced
    array passes after its dtype check; a concrete one must be finite and, element by element,
    inside the interval (``low_open`` / ``high_open`` exclude the end points).

    Args:
        {real_interval}

    Raises:
        TypeError: ``value`` is not a real number or array (a ``bool``, a ``str``, ``None``,
            a complex number, ...).
        ValueError: a concrete ``value`` is not finite or lies outside the interval.

    Example:
        >>> from core._validation import check_real
        >>> check_real("alpha", 4.0, low=0, low_open=True)
        >>> check_real("alpha", -4.0, low=0, low_open=True)
        Traceback (most recent call last):
        ...
        ValueError: alpha must be a finite number > 0, got -4.0
    """
    low, high, low_open, high_open = _limits(bounds)
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a real number, got the bool {value!r}")
    if isinstance(value, numbers.Real):
        known: np.ndarray | None = np.asarray(float(value))
    else:
        dtype = getattr(value, "dtype", None)
        if dtype is None or not (
            jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.floating)
        ):
            raise TypeError(
                f"{name} must be a real number or a real-valued array, got {value!r} "
                f"of type {_type_name(value)}"
            )
        known = None if isinstance(value, jax.core.Tracer) else np.asarray(value, np.float64)
    if known is not None and _outside(known, low, high, low_open, high_open):
        need = interval(low, high, low_open=low_open, high_open=high_open)
        what = "a finite number" if known.ndim == 0 else "finite, every element"
        need = "" if need == "finite" else f" {need}"
        raise ValueError(f"{name} must be {what}{need}, got {value!r}")


@fill_doc(real_interval=_REAL_INTERVAL)
def as_float(name: str, value: object, **bounds: Unpack[Bounds]) -> float:
    """``value`` as a Python ``float`` after checking it is a concrete real in ``low .. high``.

    For settings that must be known when the object is built (a scheduler's ``gamma``, a
    clipping threshold). A 0-d NumPy or JAX array is accepted; a traced value is not.

    Args:
        {real_interval}

    Returns:
        The value as a Python ``float``.

    Example:
        >>> from core._validation import as_float
        >>> as_float("gamma", 0.5, low=0, high=1, low_open=True)
        0.5
        >>> as_float("gamma", "0.5")
        Traceback (most recent call last):
        ...
        TypeError: gamma must be a real number, got '0.5' of type str
    """
    if isinstance(value, jax.core.Tracer):
        raise TypeError(f"{name} must be a concrete number, got a traced value")
    if (
        isinstance(value, np.ndarray | jax.Array)
        and value.shape == ()
        and (jnp.issubdtype(value.dtype, jnp.integer) or jnp.issubdtype(value.dtype, jnp.floating))
    ):
        value = float(value)
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {_type_name(value)}")
    check_real(name, value, **bounds)
    return float(value)


def as_int(name: str, value: object, *, minimum: int | None = 0) -> int:
    """``value`` as a Python ``int`` after checking it is an integer ``>= minimum``.

    For static counts (step counts, window sizes, milestones): Python and NumPy integers are
    accepted, ``bool`` and floats are not.

    Args:
        name: the argument's name, as the user wrote it.
        value: the value to check.
        minimum: the smallest valid value, or ``None`` for no bound.

    Returns:
        The value as a Python ``int``.

    Example:
        >>> from core._validation import as_int
        >>> as_int("step_size", 10, minimum=1)
        10
        >>> as_int("step_size", 0, minimum=1)
        Traceback (most recent call last):
        ...
        ValueError: step_size must be an integer >= 1, got 0
    """
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be an integer, got the bool {value!r}")
    try:
        number = operator.index(cast(Any, value))
    except TypeError:
        raise TypeError(
            f"{name} must be an integer, got {value!r} of type {_type_name(value)}"
        ) from None
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {number}")
    return number


def check_choice(name: str, value: object, options: Sequence[str]) -> str:
    """``value`` after checking it is one of the strings ``options``.

    Args:
        name: the argument's name, as the user wrote it.
        value: the value to check.
        options: the valid strings.

    Returns:
        ``value``.

    Example:
        >>> from core._validation import check_choice
        >>> check_choice("mode", "min", ("min", "max"))
        'min'
        >>> check_choice("mode", "mean", ("min", "max"))
        Traceback (most recent call last):
        ...
        ValueError: mode must be one of 'min', 'max', got 'mean'
    """
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def resolve_alias(name: str, value: T, default: T, alias: str, alias_value: T | None) -> T:
    """The value of a setting that two spellings name (the page's and braintools').

    ``alias_value`` wins when given; giving both spellings (``value`` differs from its
    default too) is refused.

    Args:
        name: the first spelling (e.g. ``"learning_rate"``).
        value: the value given under ``name``.
        default: ``name``'s default value.
        alias: the second spelling (e.g. ``"lr"``).
        alias_value: the value given under ``alias``, or ``None`` when not given.

    Returns:
        The resolved value.

    Example:
        >>> from core._validation import resolve_alias
        >>> resolve_alias("learning_rate", 0.001, 0.001, "lr", 0.1)
        0.1
        >>> resolve_alias("learning_rate", 0.01, 0.001, "lr", 0.1)
        Traceback (most recent call last):
        ...
        TypeError: give either learning_rate or lr, not both
    """
    if alias_value is None:
        return value
    given = value is not default and (
        default is None or not np.array_equal(cast(Any, value), cast(Any, default))
    )
    if given:  # value differs from its default: both spellings were given
        raise TypeError(f"give either {name} or {alias}, not both")
    return alias_value


def keystr(path: Sequence[Any]) -> str:
    """A pytree key path as text (``['w'][0]``); the root is ``<root>``.

    Args:
        path: a key path from ``jax.tree_util.tree_flatten_with_path``.

    Returns:
        The path as text.

    Example:
        >>> import jax
        >>> from core._validation import keystr
        >>> [keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path({"w": [1.0]})[0]]
        ["['w'][0]"]
    """
    return jax.tree_util.keystr(tuple(path)) or "<root>"


def check_floating(name: str, tree: Any) -> None:
    """Refuse ``tree`` unless every leaf has a floating (or complex) dtype.

    The one float check of the library: parameters, gradients and spike-function inputs.

    Args:
        name: the argument's name, as the user wrote it.
        tree: a pytree of arrays or numbers.

    Raises:
        TypeError: naming the first leaf whose dtype is not inexact.

    Example:
        >>> import jax.numpy as jnp
        >>> from core._validation import check_floating
        >>> check_floating("params", {"w": jnp.ones(2)})
        >>> check_floating("params", {"w": jnp.arange(2)})
        Traceback (most recent call last):
        ...
        TypeError: params must hold floating-point arrays; the leaf at ['w'] has dtype int32
    """
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        dtype = jnp.result_type(leaf)
        if not jnp.issubdtype(dtype, jnp.inexact):
            raise TypeError(
                f"{name} must hold floating-point arrays; the leaf at {keystr(path)} has "
                f"dtype {dtype}"
            )


def check_same_structure(
    name: str,
    value: Any,
    reference: Any,
    *,
    what: str = "the state",
    dtypes: bool = False,
    error: type[Exception] = ValueError,
) -> None:
    """Refuse ``value`` unless it has ``reference``'s tree structure and leaf shapes.

    The one structure checker of the library: updates against optimizer state, gradients
    against parameters, a loaded checkpoint against the live model. Compares at trace time
    (shapes and, with ``dtypes``, dtypes), never values.

    Args:
        name: what ``value`` is, as the user knows it (``"updates"``, ``"grads"``).
        value: the tree to check.
        reference: the tree it must match.
        what: what ``reference`` is, for the message.
        dtypes: compare leaf dtypes too.
        error: the exception class to raise (a checkpoint loader raises its own).

    Raises:
        ValueError: (or ``error``) naming the first key path that differs.

    Example:
        >>> import jax.numpy as jnp
        >>> from core._validation import check_same_structure
        >>> check_same_structure("grads", {"w": jnp.ones(2)}, {"w": jnp.zeros(2)})
        >>> check_same_structure("grads", {"b": jnp.ones(2)}, {"w": jnp.zeros(2)},
        ...                      what="the params")
        Traceback (most recent call last):
        ...
        ValueError: grads do not match the structure of the params: first differing key path is ['b'] in grads vs ['w'] in the params
    """  # noqa: E501
    leaves, tree = jax.tree_util.tree_flatten_with_path(value)
    refs, ref_tree = jax.tree_util.tree_flatten_with_path(reference)
    if cast(Any, tree) != ref_tree:
        paths = [keystr(p) for p, _ in leaves]
        ref_paths = [keystr(p) for p, _ in refs]
        for a, b in zip(paths, ref_paths, strict=False):
            if a != b:
                raise error(
                    f"{name} do not match the structure of {what}: first differing key path "
                    f"is {a} in {name} vs {b} in {what}"
                )
        if len(paths) != len(ref_paths):
            longer, where = (paths, name) if len(paths) > len(ref_paths) else (ref_paths, what)
            first = longer[min(len(paths), len(ref_paths))]
            raise error(
                f"{name} do not match the structure of {what}: the key path {first} is "
                f"present only in {where}"
            )
        raise error(f"{name} do not match the structure of {what}: {tree} vs {ref_tree}")
    for (path, leaf), (_, ref) in zip(leaves, refs, strict=True):
        if np.shape(leaf) != np.shape(ref):
            raise error(
                f"{name} do not match {what}: the leaf at {keystr(path)} has shape "
                f"{np.shape(leaf)}, expected {np.shape(ref)}"
            )
        # a NumPy float64 leaf keeps its dtype (jnp.result_type would say float32 without x64)
        leaf_dtype = leaf.dtype if hasattr(leaf, "dtype") else jnp.result_type(leaf)
        ref_dtype = ref.dtype if hasattr(ref, "dtype") else jnp.result_type(ref)
        if dtypes and leaf_dtype != ref_dtype:
            raise error(
                f"{name} do not match {what}: the leaf at {keystr(path)} has dtype "
                f"{leaf_dtype}, expected {ref_dtype}"
            )


def as_shape(
    name: str, value: object, *, min_ndim: int = 1, allow_int: bool = True
) -> tuple[int, ...]:
    """``value`` as a tuple of positive ``int`` after checking it is a valid array shape.

    The one shape rule of the library: neuron sizes, weight shapes, layer sizes. A single
    integer ``n`` means ``(n,)`` (unless ``allow_int`` is false); ``bool`` entries are refused.

    Args:
        name: the argument's name, as the user wrote it.
        value: an integer or a sequence of integers.
        min_ndim: the fewest dimensions accepted (``0`` accepts the scalar shape ``()``).
        allow_int: accept a single integer as a one-dimensional shape.

    Returns:
        The shape as a tuple of Python ``int``, each ``>= 1``.

    Raises:
        TypeError: ``value`` is not an integer or a sequence of integers.
        ValueError: ``value`` has fewer than ``min_ndim`` dimensions or a dimension below 1.

    Example:
        >>> from core._validation import as_shape
        >>> as_shape("size", 3)
        (3,)
        >>> as_shape("shape", [4, 5], min_ndim=2)
        (4, 5)
        >>> as_shape("size", (2, 0))
        Traceback (most recent call last):
        ...
        ValueError: size must hold positive ints, got (2, 0)
    """
    kind = "an int or a sequence of ints" if allow_int else "a sequence of ints"
    is_sequence = isinstance(value, Sequence) and not isinstance(value, str)
    if not is_sequence and not allow_int:
        raise TypeError(f"{name} must be {kind}, got {value!r} of type {_type_name(value)}")
    dims = cast(Sequence[object], value) if is_sequence else (value,)
    try:
        if any(isinstance(d, bool | np.bool_) for d in dims):
            raise TypeError
        shape = tuple(operator.index(cast(Any, d)) for d in dims)
    except TypeError:
        raise TypeError(
            f"{name} must be {kind}, got {value!r} of type {_type_name(value)}"
        ) from None
    if len(shape) < min_ndim:
        plural = "" if min_ndim == 1 else "s"
        raise ValueError(f"{name} must have at least {min_ndim} dimension{plural}, got {value!r}")
    if any(d < 1 for d in shape):
        raise ValueError(f"{name} must hold positive ints, got {value!r}")
    return shape


def check_real_type(name: str, value: object) -> None:
    """Refuse ``value`` unless it is a real number or a real-valued array; any value passes.

    For measurements rather than settings (a loss handed to a plateau scheduler): NaN and
    infinity are legitimate values there, so only the type is checked, with
    :func:`check_real`'s message.

    Args:
        name: the argument's name, as the user wrote it.
        value: the value to check.

    Raises:
        TypeError: ``value`` is not a real number or array.

    Example:
        >>> from core._validation import check_real_type
        >>> check_real_type("metric", float("nan"))
        >>> check_real_type("metric", "low")
        Traceback (most recent call last):
        ...
        TypeError: metric must be a real number or a real-valued array, got 'low' of type str
    """
    dtype = getattr(value, "dtype", None)
    real_array = dtype is not None and (
        jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.floating)
    )
    if isinstance(value, bool | np.bool_) or not (isinstance(value, numbers.Real) or real_array):
        check_real(name, value)  # raises the TypeError


def as_pair(name: str, value: object, *, what: str = "a pair") -> tuple[Any, Any]:
    """``value``'s two items after checking it is a sequence of exactly two (not a string).

    For braintools' pair arguments (``betas=(b1, b2)``, ``etas``, ``step_sizes``); check the
    items themselves with :func:`check_real`.

    Args:
        name: the argument's name, as the user wrote it.
        value: the value to check.
        what: how the message names a valid value (``"a pair (beta1, beta2)"``).

    Returns:
        The two items.

    Raises:
        TypeError: ``value`` is not a sequence.
        ValueError: ``value`` does not hold exactly two items.

    Example:
        >>> from core._validation import as_pair
        >>> as_pair("betas", (0.9, 0.999))
        (0.9, 0.999)
        >>> as_pair("betas", (0.9,), what="a pair (beta1, beta2)")
        Traceback (most recent call last):
        ...
        ValueError: betas must be a pair (beta1, beta2), got (0.9,)
    """
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be {what}, got {value!r} of type {_type_name(value)}")
    if len(value) != 2:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value[0], value[1]
