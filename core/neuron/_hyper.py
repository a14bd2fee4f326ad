"""Neuron hyperparameters: compile-time constants or trainable pytree leaves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike

from core._validation import check_real

HyperValue: TypeAlias = float | Sequence[float] | np.ndarray | Array
"""What a user may pass for a hyperparameter: a number, or one value per neuron."""

Transform: TypeAlias = Literal["identity", "log"]


class Fixed:
    r"""A fixed neuron hyperparameter: a compile-time constant, not a pytree leaf.

    A :class:`Fixed` value is a pytree node with no children, so it never
    appears among ``jax.tree.leaves(cell)``: optimizers, ``jax.grad`` and
    ``eqx.partition`` do not see it, and inside ``jax.jit`` it is a constant that
    XLA folds (``exp(-dt / tau)`` is computed once, in NumPy, at trace time).
    Scalars are kept as Python floats (weakly typed, so they follow the dtype of
    the input); per-neuron values as read-only NumPy arrays.

    Args:
        value: a number or an array of numbers (one per neuron).

    Example:
        >>> import jax
        >>> from core.neuron import Fixed
        >>> tau = Fixed(5.0)
        >>> print(tau, jax.tree.leaves(tau))
        Fixed(5.0) []
    """

    __slots__ = ("_key", "value")

    value: float | np.ndarray
    _key: object

    def __init__(self, value: HyperValue) -> None:
        array = np.asarray(value)
        check_real("value", array)
        stored: float | np.ndarray
        if array.ndim == 0:
            stored = float(array)
            key: object = stored
        else:
            stored = np.array(array, dtype=np.float64)
            stored.setflags(write=False)
            key = (stored.shape, stored.dtype.str, stored.tobytes())
        object.__setattr__(self, "value", stored)
        object.__setattr__(self, "_key", key)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Fixed is immutable")

    def __reduce__(self) -> tuple[type[Fixed], tuple[float | np.ndarray]]:
        return (Fixed, (self.value,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fixed) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        if isinstance(self.value, float):
            return f"Fixed({self.value!r})"
        return f"Fixed(array(shape={self.value.shape}))"


jax.tree_util.register_pytree_node(Fixed, lambda f: ((), f), lambda aux, _: aux)


class Learnable(eqx.Module):
    r"""A trainable neuron hyperparameter: one pytree leaf, ``raw``.

    The value used by the neuron is :math:`\text{raw}` (``transform="identity"``,
    thresholds) or :math:`e^{\text{raw}}` (``transform="log"``, time constants,
    which stay positive whatever the optimizer does; the gradient reaching
    ``raw`` is then :math:`\tau\,\partial L/\partial\tau`).

    Args:
        raw: the stored leaf (already transformed: ``log(tau)`` for a time constant).
        transform: keyword-only, ``"identity"`` or ``"log"``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.neuron import Learnable
        >>> tau = Learnable.of(jnp.array([2.0, 4.0]), transform="log")
        >>> print(tau.raw.round(4), tau.get())
        [0.6931 1.3863] [2. 4.]
    """

    raw: Array
    transform: Transform = eqx.field(default="identity", static=True, kw_only=True)

    @classmethod
    def of(cls, value: ArrayLike, *, transform: Transform = "identity") -> Learnable:
        """Build from the hyperparameter's value (``tau``, not ``log(tau)``)."""
        array = jnp.asarray(value)
        if not jnp.issubdtype(array.dtype, jnp.floating):
            array = array.astype(jnp.float32)
        return cls(jnp.log(array) if transform == "log" else array, transform=transform)

    def get(self) -> Array:
        """The hyperparameter's value: ``raw`` or ``exp(raw)``."""
        return jnp.exp(self.raw) if self.transform == "log" else self.raw


Hyper: TypeAlias = Fixed | Learnable
"""A neuron hyperparameter as stored in a cell."""


def _validated(name: str, value: HyperValue, shape: tuple[int, ...], positive: bool) -> np.ndarray:
    if isinstance(value, Fixed | Learnable):
        raise TypeError(f"{name} must be a number or an array; got {type(value).__name__}")
    if isinstance(value, jax.core.Tracer):
        raise TypeError(
            f"{name} must be a concrete value, not a traced one: build the cell outside "
            "jit/grad, or make it learnable and replace its leaf (eqx.tree_at)"
        )
    array = np.asarray(jax.device_get(value))
    shown = array.item() if array.ndim == 0 and array.dtype.kind in "iuf" else array
    check_real(name, shown, low=0 if positive else None, low_open=positive)
    try:
        broadcast: tuple[int, ...] | None = np.broadcast_shapes(array.shape, shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(
            f"{name} must be a scalar or broadcast to the neuron shape {shape}; "
            f"got shape {array.shape}"
        )
    return array


def make_fixed(
    name: str, value: HyperValue, shape: tuple[int, ...], *, positive: bool = False
) -> Fixed:
    """Validate a hyperparameter against the neuron shape and make it a constant."""
    return Fixed(_validated(name, value, shape, positive))


def make_hyper(
    name: str,
    value: HyperValue,
    shape: tuple[int, ...],
    *,
    learnable: bool,
    positive: bool = False,
) -> Hyper:
    """Validate a hyperparameter; a :class:`Learnable` leaf if ``learnable``, else fixed."""
    array = _validated(name, value, shape, positive)
    if not learnable:
        return Fixed(array)
    transform: Transform = "log" if positive else "identity"
    floating = array if np.issubdtype(array.dtype, np.floating) else array.astype(np.float32)
    return Learnable.of(jnp.asarray(floating), transform=transform)


def resolve(hyper: Hyper, dtype: jnp.dtype) -> float | Array:
    """The hyperparameter as an operand for an input of ``dtype``.

    Fixed scalars stay Python floats (weakly typed); fixed arrays become constants
    of ``dtype``; learnable values are cast to ``dtype`` only when they differ.
    """
    if isinstance(hyper, Fixed):
        if isinstance(hyper.value, float):
            return hyper.value
        return jnp.asarray(hyper.value, dtype)
    value = hyper.get()
    return value if value.dtype == dtype else value.astype(dtype)


def decay(tau: Hyper, dt: float, dtype: jnp.dtype) -> tuple[float | Array, float | Array]:
    r"""The exact decay factor :math:`\alpha = e^{-\Delta t/\tau}` and :math:`1 - \alpha`.

    For a fixed time constant both are computed once in NumPy (float64) at trace time.
    """
    if isinstance(tau, Fixed):
        alpha = np.exp(-dt / np.asarray(tau.value, np.float64))
        one_minus = -np.expm1(-dt / np.asarray(tau.value, np.float64))
        if alpha.ndim == 0:
            return float(alpha), float(one_minus)
        return jnp.asarray(alpha, dtype), jnp.asarray(one_minus, dtype)
    ratio = dt * jnp.exp(-tau.raw) if tau.transform == "log" else dt / tau.raw
    alpha_l = jnp.exp(-ratio)
    one_minus_l = -jnp.expm1(-ratio)
    if alpha_l.dtype != dtype:
        alpha_l, one_minus_l = alpha_l.astype(dtype), one_minus_l.astype(dtype)
    return alpha_l, one_minus_l


def hyper_value(hyper: Hyper) -> float | np.ndarray | Array:
    """The user-facing value of a hyperparameter (``tau``, not ``log(tau)``)."""
    return hyper.value if isinstance(hyper, Fixed) else hyper.get()
