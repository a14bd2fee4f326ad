"""The time loop: ``lax.scan`` with gradient checkpointing and truncated BPTT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeAlias, TypeVar

import jax
import jax.numpy as jnp
from jax import Array

S = TypeVar("S")
X = TypeVar("X")
Y = TypeVar("Y")

Checkpoint: TypeAlias = bool | Literal["step"] | int
"""``False``; ``True`` or ``"step"`` (remat every step); ``k`` (remat segments of k steps)."""

_Scan: TypeAlias = Callable[[Any, Any], tuple[Any, Any]]


def run(
    step: Callable[[S, X], tuple[S, Y]],
    state: S,
    inputs: X,
    *,
    time_axis: int = 0,
    checkpoint: Checkpoint = False,
    truncate: int | None = None,
    unroll: int | bool = 1,
) -> tuple[S, Y]:
    r"""Run ``step`` over time with :func:`jax.lax.scan`; return ``(final_state, outputs)``.

    ``step(state, x_t) -> (state, y_t)`` is any pure step function: a neuron cell
    (:class:`LIF` is callable as ``cell(state, x)``) or your own function, e.g. a
    linear layer followed by a LIF layer with the carried state a tuple. ``inputs``
    is a pytree of arrays whose axis ``time_axis`` is time; the outputs are stacked
    along the same axis.

    Backpropagation through time (BPTT) stores every step's intermediates. Two
    options trade that memory away:

    * ``checkpoint=True`` (or ``"step"``): :func:`jax.checkpoint` around each step,
      so only the carried states are stored and each step is recomputed in the
      backward pass. ``checkpoint=k`` (an int): checkpoint segments of ``k`` steps,
      storing only the states at segment boundaries (:math:`T/k` of them) and
      recomputing a segment at a time; ``k`` near :math:`\sqrt{T}` minimises memory.
      Gradients are identical to plain BPTT.
    * ``truncate=k``: truncated BPTT. The carried state is passed through
      :func:`jax.lax.stop_gradient` at steps :math:`k, 2k, \dots`, so the gradient
      of an output at step :math:`t` flows back only to the start of its segment
      :math:`\lfloor t/k \rfloor k`:

      .. math::

          \frac{\partial \mathcal L}{\partial \theta} =
          \sum_t \sum_{\tau = \lfloor t/k \rfloor k}^{t}
          \frac{\partial \mathcal L}{\partial y_t}
          \frac{\partial y_t}{\partial h_\tau}
          \frac{\partial h_\tau}{\partial \theta}.

    The time length need not be a multiple of ``k``.

    Args:
        step: ``(state, x_t) -> (state, y_t)``, pure.
        state: the initial state (any pytree; e.g. ``cell.init(batch_shape)``).
        inputs: a pytree of arrays with time along ``time_axis``.
        time_axis: keyword-only, the time axis of ``inputs`` and of the outputs.
        checkpoint: ``False``, ``True`` / ``"step"``, or a segment length ``k >= 1``.
        truncate: ``None`` (full BPTT) or the truncation length ``k >= 1``.
        unroll: passed to :func:`jax.lax.scan` (steps unrolled per loop iteration).

    Returns:
        ``(final_state, outputs)``, outputs stacked along ``time_axis``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core.neuron import LIF, run
        >>> lif = LIF(2, tau=2.0)
        >>> currents = jnp.ones((5, 3, 2)) * jnp.array([0.5, 3.0])  # (time, batch, neuron)
        >>> v, spikes = run(lif, lif.init(batch_shape=3), currents)
        >>> print(spikes.shape, spikes[:, 0].sum(axis=0))
        (5, 3, 2) [0. 5.]
        >>> def loss(w):
        ...     _, s = run(lif, lif.init(3), currents * w, checkpoint=2, truncate=3)
        ...     return s.sum()
        >>> print(jax.grad(loss)(1.0) > 0)
        True
    """
    leaves = jax.tree.leaves(inputs)
    if not leaves:
        raise ValueError("inputs must hold at least one array (time along time_axis)")
    arrays = [jnp.asarray(leaf) for leaf in leaves]
    axis = _check_time_axis(time_axis, arrays)
    lengths = {a.shape[axis] for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"every input must have the same length along time_axis; got {lengths}")
    _check_checkpoint(checkpoint)
    if truncate is not None and (
        isinstance(truncate, bool) or not isinstance(truncate, int) or truncate < 1
    ):
        raise ValueError(f"truncate must be None or an int >= 1; got {truncate!r}")

    xs = jax.tree.map(lambda a: jnp.moveaxis(jnp.asarray(a), axis, 0), inputs)

    def body(carry: S, x: X) -> tuple[S, Y]:  # a closure: a cell holding tracers is unhashable
        return step(carry, x)

    if checkpoint is True or checkpoint == "step":
        body = jax.checkpoint(body)

    def scan_all(carry: Any, seq: Any) -> tuple[Any, Any]:
        return jax.lax.scan(body, carry, seq, unroll=unroll)

    scan: _Scan = scan_all
    if not isinstance(checkpoint, bool) and isinstance(checkpoint, int):
        scan = _segmented(scan, checkpoint, remat=True)
    if truncate is not None:
        scan = _segmented(scan, truncate, detach=True)
    final, ys = scan(state, xs)
    if axis != 0:
        ys = jax.tree.map(lambda a: jnp.moveaxis(a, 0, axis), ys)
    return final, ys


def _segmented(inner: _Scan, k: int, *, remat: bool = False, detach: bool = False) -> _Scan:
    """Scan ``inner`` over segments of ``k`` steps (the last one may be shorter)."""

    def segment(carry: Any, seq_and_index: tuple[Any, Array]) -> tuple[Any, Any]:
        seq, index = seq_and_index
        if detach:
            carry = jax.tree.map(lambda c: jnp.where(index > 0, jax.lax.stop_gradient(c), c), carry)
        return inner(carry, seq)

    run_segment = jax.checkpoint(segment) if remat else segment

    def scan_segments(carry: Any, xs: Any) -> tuple[Any, Any]:
        length = jax.tree.leaves(xs)[0].shape[0]
        n, rest = divmod(length, k)
        parts = []
        if n > 0:
            head = jax.tree.map(lambda a: a[: n * k].reshape((n, k, *a.shape[1:])), xs)
            carry, ys = jax.lax.scan(run_segment, carry, (head, jnp.arange(n)))
            parts.append(jax.tree.map(lambda a: a.reshape((n * k, *a.shape[2:])), ys))
        if rest > 0:
            tail = jax.tree.map(lambda a: a[n * k :], xs)
            carry, ys_tail = run_segment(carry, (tail, jnp.asarray(n)))
            parts.append(ys_tail)
        if len(parts) == 1:
            return carry, parts[0]
        return carry, jax.tree.map(lambda *p: jnp.concatenate(p, axis=0), *parts)

    return scan_segments


def _check_time_axis(time_axis: int, arrays: list[Array]) -> int:
    if isinstance(time_axis, bool) or not isinstance(time_axis, int):
        raise TypeError(f"time_axis must be an int; got {time_axis!r}")
    ndim = min(a.ndim for a in arrays)
    if not -ndim <= time_axis < ndim:
        raise ValueError(f"time_axis {time_axis} is out of range for inputs with {ndim} dims")
    return time_axis


def _check_checkpoint(checkpoint: object) -> None:
    if isinstance(checkpoint, bool) or checkpoint == "step":
        return
    if isinstance(checkpoint, int) and checkpoint >= 1:
        return
    raise ValueError(
        f"checkpoint must be False, True, 'step' or a segment length >= 1; got {checkpoint!r}"
    )
