"""The neuron cell protocol and the maths shared by every neuron."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Generic, Literal, TypeAlias, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core._validation import as_float, check_choice
from core.surrogate import SpikeFunction, Surrogate

from ._hyper import Fixed, resolve

StateT = TypeVar("StateT")

Reset: TypeAlias = Literal["soft", "hard"]
"""``"soft"`` subtracts ``v_threshold - v_reset`` after a spike; ``"hard"`` sets ``v_reset``."""

BatchShape: TypeAlias = int | Sequence[int]
"""Leading batch dimensions of a state: ``()``, ``32`` or ``(32,)``, ``(4, 32)``..."""


class Cell(eqx.Module, Generic[StateT]):
    r"""A neuron as a pure step function: ``init(batch_shape)`` and ``update(state, x)``.

    Subclasses hold hyperparameters as fields (a cell is a pytree: only
    trainable hyperparameters are leaves) and implement two pure methods:

    * ``init(batch_shape=(), dtype=jnp.float32) -> state`` -- the resting state, of
      shape ``batch_shape + shape`` (``shape`` is the neuron shape);
    * ``update(state, x) -> (state, output)`` -- one time step with input current
      ``x`` (same shape as the state, or broadcastable to it).

    Calling a cell, ``cell(state, x)``, is ``cell.update(state, x)``, so a cell is a
    step function for :func:`jax.lax.scan` and :func:`core.neuron.run`.

    Example:
        A custom cell, a rectified linear rate unit with memory:

        >>> import jax.numpy as jnp
        >>> from core.neuron import Cell
        >>> class Rate(Cell[jnp.ndarray]):
        ...     shape: tuple[int, ...] = (2,)
        ...     def init(self, batch_shape=(), dtype=jnp.float32):
        ...         return jnp.zeros(tuple(batch_shape) + self.shape, dtype)
        ...     def update(self, state, x):
        ...         state = 0.5 * state + x
        ...         return state, jnp.maximum(state, 0.0)
        >>> cell = Rate()
        >>> state, out = cell(cell.init(), jnp.array([1.0, -1.0]))
        >>> print(out)
        [1. 0.]
    """

    @abc.abstractmethod
    def init(self, batch_shape: BatchShape = (), dtype: DTypeLike = jnp.float32) -> StateT:
        """The initial state for ``batch_shape`` leading dimensions, in ``dtype``."""

    @abc.abstractmethod
    def update(self, state: StateT, x: ArrayLike) -> tuple[StateT, Array]:
        """Advance one time step: return the new state and the output."""

    def __call__(self, state: StateT, x: ArrayLike) -> tuple[StateT, Array]:
        """Same as :meth:`update`."""
        return self.update(state, x)


def batch_tuple(batch_shape: BatchShape) -> tuple[int, ...]:
    """Normalise ``batch_shape`` (an int or a sequence of non-negative ints)."""
    if isinstance(batch_shape, bool):
        raise TypeError(f"batch_shape must be an int or a tuple of ints; got {batch_shape!r}")
    dims = (batch_shape,) if isinstance(batch_shape, int) else tuple(batch_shape)
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
        raise ValueError(f"batch_shape must hold non-negative ints; got {batch_shape!r}")
    return dims


def full_state(
    value: Fixed, batch_shape: BatchShape, shape: tuple[int, ...], dtype: DTypeLike
) -> Array:
    """A state array of ``batch_shape + shape`` filled with a fixed value."""
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"dtype must be a floating dtype; got {dtype}")
    full = batch_tuple(batch_shape) + shape
    return jnp.broadcast_to(jnp.asarray(value.value, dtype), full)


def check_input(x: ArrayLike, state: Array, cell: str) -> Array:
    """Check one time step's input against the state (at trace time, for free)."""
    array = jnp.asarray(x)
    if not jnp.issubdtype(array.dtype, jnp.floating):
        array = array.astype(state.dtype)
    elif array.dtype != state.dtype and not jax.typeof(array).weak_type:
        raise TypeError(
            f"{cell}.update: input x has dtype {array.dtype} but the state has dtype "
            f"{state.dtype}; create the state with init(batch_shape, dtype=x.dtype)"
        )
    try:
        broadcast = jnp.broadcast_shapes(array.shape, state.shape)
    except ValueError:
        broadcast = None
    if broadcast != state.shape:
        raise ValueError(
            f"{cell}.update: input x of shape {array.shape} does not broadcast to the state "
            f"shape {state.shape} (batch shape + neuron shape); re-initialise the state "
            "for this batch size"
        )
    return array


def check_dt(dt: float) -> None:
    """Validate a time step: a concrete number > 0."""
    as_float("dt", dt, low=0, low_open=True)


def check_common(reset: str, dt: float, spike_fun: object) -> None:
    """Validate the arguments every spiking cell shares."""
    check_choice("reset", reset, ("soft", "hard"))
    check_dt(dt)
    if not isinstance(spike_fun, Surrogate):
        kind = type(spike_fun).__name__
        got = f"the class {spike_fun.__name__}" if isinstance(spike_fun, type) else kind
        raise TypeError(
            "spike_fun must be a surrogate instance: a core.surrogate.Surrogate (e.g. "
            "surrogate.ReluGrad()) or an instance of a facade.surrogate.Surrogate subclass "
            f"that defines surrogate_grad (a plain function has no surrogate derivative); got {got}"
        )


def leak(
    v: Array, x: Array, alpha: float | Array, one_minus: float | Array, v_rest: Fixed
) -> Array:
    r"""Exact exponential decay towards ``v_rest + x``: :math:`\alpha v + (1-\alpha)(v_r + x)`."""
    integrated = alpha * v + one_minus * x
    if isinstance(v_rest.value, float) and v_rest.value == 0.0:
        return integrated
    return integrated + one_minus * resolve(v_rest, v.dtype)


def fire(
    v: Array,
    threshold: float | Array,
    v_reset: Fixed,
    spike_fun: SpikeFunction,
    reset: Reset,
    detach_reset: bool,
    reset_threshold: float | Array | None = None,
) -> tuple[Array, Array]:
    r"""Spike where ``v >= threshold`` and reset; returns ``(v_after_reset, spikes)``.

    Soft: :math:`v - r(\vartheta_0 - v_{reset})`; hard: :math:`(1 - r) v + r\,v_{reset}`,
    where :math:`r` is the spike, through ``stop_gradient`` if ``detach_reset``.
    ``reset_threshold`` (:math:`\vartheta_0`) defaults to ``threshold``.
    """
    spikes = spike_fun(v - threshold)
    r = jax.lax.stop_gradient(spikes) if detach_reset else spikes
    reset_value = resolve(v_reset, v.dtype)
    zero_reset = isinstance(reset_value, float) and reset_value == 0.0
    if reset == "soft":
        base = threshold if reset_threshold is None else reset_threshold
        step = base if zero_reset else base - reset_value
        if isinstance(step, float) and step == 1.0:
            return v - r, spikes
        return v - r * step, spikes
    kept = v - r * v
    return (kept if zero_reset else kept + r * reset_value), spikes
