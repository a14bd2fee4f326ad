"""``ReduceLROnPlateau``'s decision as a pure function: ``state, metric -> state``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core._validation import as_float, as_int, check_choice, check_real, check_real_type

from ._schedules import schedule_dtypes


class PlateauState(NamedTuple):
    """State of :func:`plateau_update` (a pytree of arrays).

    Attributes:
        learning_rates: the current value of every learning rate, shape ``(n,)``.
        best: the best metric seen so far (``inf`` / ``-inf`` before the first).
        num_bad_epochs: epochs since the last improvement (int32).
        cooldown_counter: epochs left in the cool-down after a reduction (int32).

    Example:
        >>> from core import optim
        >>> state = optim.plateau_init([0.1, 0.01], mode="max")
        >>> print(state.learning_rates.shape, float(state.best), int(state.num_bad_epochs))
        (2,) -inf 0
    """

    learning_rates: Array
    best: Array
    num_bad_epochs: Array
    cooldown_counter: Array


def plateau_init(
    learning_rates: ArrayLike | Sequence[float], mode: Literal["min", "max"] = "min"
) -> PlateauState:
    """The initial :class:`PlateauState`: no metric seen, no bad epoch, no cool-down.

    Args:
        learning_rates: the initial learning rates (a number, a sequence or a 1-d array).
        mode: ``"min"`` if a lower metric is better, ``"max"`` if a higher one is.

    Returns:
        The state.

    Raises:
        ValueError: if ``mode`` is unknown or a learning rate is negative.

    Example:
        >>> from core import optim
        >>> state = optim.plateau_init(0.1)
        >>> print(state.learning_rates.shape, float(state.best))
        (1,) inf
    """
    check_choice("mode", mode, ("min", "max"))
    if isinstance(learning_rates, Sequence):
        learning_rates = jnp.asarray([float(x) for x in learning_rates])
    check_real("learning_rates", learning_rates, low=0)
    out, _ = schedule_dtypes(learning_rates=learning_rates)
    lrs = jnp.atleast_1d(jnp.asarray(learning_rates, out))
    if lrs.ndim != 1:
        raise ValueError(f"learning_rates must be a number or a 1-d array, got shape {lrs.shape}")
    best = jnp.asarray(jnp.inf if mode == "min" else -jnp.inf, out)
    zero = jnp.zeros((), jnp.int32)
    return PlateauState(lrs, best, zero, zero)


def plateau_update(
    state: PlateauState,
    metric: ArrayLike,
    *,
    mode: Literal["min", "max"] = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: Literal["rel", "abs"] = "rel",
    cooldown: int = 0,
    min_lrs: ArrayLike | Sequence[float] = 0.0,
    eps: float = 1e-8,
) -> PlateauState:
    r"""One epoch of ``ReduceLROnPlateau``: compare ``metric`` with the best, maybe reduce.

    A metric :math:`a` improves on the best :math:`b` if (``"min"`` mode)
    :math:`a < b(1 - \theta)` (``"rel"``) or :math:`a < b - \theta` (``"abs"``), and
    symmetrically in ``"max"`` mode. Outside the cool-down, an improvement sets the best and
    clears the bad-epoch count, otherwise the count grows; once it exceeds ``patience`` every
    learning rate becomes

    .. math::

        \eta \leftarrow \max(\eta \cdot f, \eta_{\min})

    (kept unchanged when that lowers it by ``eps`` or less), the count is cleared and a
    cool-down of ``cooldown`` epochs starts, during which the best and the count are frozen
    (braintools 0.3.0 semantics).

    Args:
        state: the current state (:func:`plateau_init`).
        metric: the monitored value of this epoch, a real scalar.
        mode: ``"min"`` or ``"max"``.
        factor: the reduction factor :math:`f`, in ``[0, 1)``.
        patience: non-negative number of bad epochs tolerated before a reduction.
        threshold: non-negative improvement threshold :math:`\theta`.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: non-negative number of epochs to wait after a reduction.
        min_lrs: lower bound of the learning rates, a number or one per learning rate.
        eps: non-negative; a reduction of ``eps`` or less is skipped.

    Returns:
        The new state.

    Raises:
        ValueError: for an out-of-range argument or a non-scalar metric.

    Example:
        >>> from core import optim
        >>> state = optim.plateau_init(1.0)
        >>> lrs = []
        >>> for metric in [3.0, 2.0, 2.5, 2.5, 2.5, 1.0]:
        ...     state = optim.plateau_update(state, metric, factor=0.5, patience=1)
        ...     lrs.append(round(float(state.learning_rates[0]), 3))
        >>> print(lrs)
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    """
    check_choice("mode", mode, ("min", "max"))
    check_choice("threshold_mode", threshold_mode, ("rel", "abs"))
    as_float("factor", factor, low=0, high=1, high_open=True)
    as_int("patience", patience)
    as_int("cooldown", cooldown)
    as_float("threshold", threshold, low=0)
    as_float("eps", eps, low=0)
    if isinstance(min_lrs, Sequence):
        min_lrs = jnp.asarray([float(x) for x in min_lrs])
    check_real("min_lrs", min_lrs, low=0)
    check_real_type("metric", metric)
    dtype = state.best.dtype
    given = jnp.asarray(metric)
    if given.size != 1:
        raise ValueError(f"metric must be a scalar, got shape {given.shape}")
    value = given.reshape(()).astype(dtype)
    best = state.best
    if mode == "min":
        bar = best * (1 - threshold) if threshold_mode == "rel" else best - threshold
        better = value < bar
    else:
        bar = best * (1 + threshold) if threshold_mode == "rel" else best + threshold
        better = value > bar
    cooling = state.cooldown_counter > 0
    active = jnp.logical_not(cooling)
    new_best = jnp.where(active & better, value, best)
    bad = jnp.where(cooling, state.num_bad_epochs, jnp.where(better, 0, state.num_bad_epochs + 1))
    reduce = active & (bad > patience)
    lrs = state.learning_rates
    floor = jnp.ravel(jnp.asarray(min_lrs, lrs.dtype))
    if floor.size not in (1, lrs.size):
        raise ValueError(
            f"min_lrs must be one number or one per learning rate ({lrs.size}), "
            f"got {floor.size} values"
        )
    floor = jnp.broadcast_to(floor, lrs.shape)
    reduced = jnp.maximum(lrs * factor, floor)
    reduced = jnp.where(lrs - reduced > eps, reduced, lrs)
    counter = jnp.where(cooling, state.cooldown_counter - 1, state.cooldown_counter)
    return PlateauState(
        learning_rates=jnp.where(reduce, reduced, lrs),
        best=new_best,
        num_bad_epochs=jnp.where(reduce, 0, bad).astype(jnp.int32),
        cooldown_counter=jnp.where(reduce, cooldown, counter).astype(jnp.int32),
    )
