r"""Schedules made by joining others: ``join_schedules``, the warm-up schedules and SGDR.

See :mod:`core.optim._schedules` for the conventions every schedule follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core._validation import as_int, check_real

from ._schedules import (
    ScheduleFn,
    as_step,
    cosine_decay_schedule,
    exponential_decay,
    float_dtype,
    linear_schedule,
)


def join_schedules(
    schedules: Sequence[Callable[[Array], ArrayLike]], boundaries: Sequence[int]
) -> ScheduleFn:
    r"""Run ``schedules`` one after the other, switching at ``boundaries``.

    With boundaries :math:`b_1 \le \dots \le b_n` (and :math:`b_0 = 0`), schedule :math:`k`
    runs from step :math:`b_k` on and sees the steps counted from its start:

    .. math::

        v(t) = f_k(t - b_k) \quad \text{for } b_k \le t < b_{k+1}

    Every schedule is evaluated at every step (there is no branch on the step value); the
    results are cast to one floating dtype. Schedules from optax work as well.

    Args:
        schedules: a non-empty sequence of schedules (callables ``step -> value``).
        boundaries: ``len(schedules) - 1`` non-negative, non-decreasing integer steps at which
            to switch to the next schedule.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``schedules`` is empty, the lengths do not match, or ``boundaries`` is
            negative or decreasing.
        TypeError: if a schedule is not callable or a boundary is not an integer.

    Example:
        >>> from core import optim
        >>> warmup = optim.linear_schedule(0.0, 1.0, transition_steps=2)
        >>> decay = optim.linear_schedule(1.0, 0.0, transition_steps=4)
        >>> schedule = optim.join_schedules([warmup, decay], boundaries=[2])
        >>> print([round(float(schedule(t)), 2) for t in range(8)])
        [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    funcs = list(schedules)
    if not funcs:
        raise ValueError("schedules must hold at least one schedule")
    for i, fn in enumerate(funcs):
        if not callable(fn):
            raise TypeError(f"schedules[{i}] must be a callable step -> value, got {fn!r}")
    try:
        given = list(boundaries)
    except TypeError:
        raise TypeError(f"boundaries must be a sequence of ints, got {boundaries!r}") from None
    bounds = [as_int(f"boundaries[{i}]", b) for i, b in enumerate(given)]
    if len(bounds) != len(funcs) - 1:
        raise ValueError(
            f"boundaries must have len(schedules) - 1 = {len(funcs) - 1} entries, got {len(bounds)}"
        )
    for i in range(1, len(bounds)):
        if bounds[i] < bounds[i - 1]:
            raise ValueError(
                f"boundaries must be non-decreasing, got boundaries[{i - 1}]={bounds[i - 1]} "
                f"> boundaries[{i}]={bounds[i]}"
            )
    starts = [0, *bounds]

    def schedule(step: ArrayLike) -> Array:
        count = as_step(step)
        outputs = [jnp.asarray(fn(count - start)) for fn, start in zip(funcs, starts, strict=True)]
        dtype = float_dtype(
            "the joined schedules' values",
            {f"schedules[{i}]": out for i, out in enumerate(outputs)},
        )
        value = outputs[0].astype(dtype)
        for start, out in zip(starts[1:], outputs[1:], strict=True):
            value = jnp.where(count < start, value, out.astype(dtype))
        return value

    return schedule


def warmup_constant_schedule(
    init_value: ArrayLike, peak_value: ArrayLike, warmup_steps: int
) -> ScheduleFn:
    r"""Rise linearly from ``init_value`` to ``peak_value``, then hold it.

    .. math::

        v(t) = I + \frac{\min(t, W)}{W} (P - I)

    Args:
        init_value: value at step 0 (:math:`I`).
        peak_value: value from step ``warmup_steps`` on (:math:`P`).
        warmup_steps: non-negative length of the warm-up (:math:`W`); ``0`` holds
            ``init_value``, as optax does.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``warmup_steps`` is negative.

    Example:
        >>> from core import optim
        >>> schedule = optim.warmup_constant_schedule(0.0, 1.0, warmup_steps=4)
        >>> print([round(float(schedule(t)), 2) for t in range(6)])
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    warmup = as_int("warmup_steps", warmup_steps)
    check_real("peak_value", peak_value)
    return linear_schedule(init_value, peak_value, transition_steps=warmup)


def _cosine_alpha(end_value: ArrayLike, peak_value: ArrayLike) -> Array | float:
    """``end_value / peak_value`` (0 when ``peak_value`` is 0), in Python when both are."""
    if isinstance(end_value, int | float) and isinstance(peak_value, int | float):
        return 0.0 if peak_value == 0.0 else end_value / peak_value
    end, peak = jnp.asarray(end_value), jnp.asarray(peak_value)
    safe_peak = jnp.where(peak == 0, jnp.ones_like(peak), peak)
    return jnp.where(peak == 0, jnp.zeros_like(end / safe_peak), end / safe_peak)


def warmup_cosine_decay_schedule(
    init_value: ArrayLike,
    peak_value: ArrayLike,
    warmup_steps: int,
    decay_steps: int,
    end_value: ArrayLike = 0.0,
    exponent: ArrayLike = 1.0,
) -> ScheduleFn:
    r"""Rise linearly to ``peak_value``, then decay along a half cosine to ``end_value``.

    With :math:`W` = ``warmup_steps`` and :math:`D` = ``decay_steps`` (which includes the
    warm-up):

    .. math::

        v(t) = \begin{cases}
            I + \frac{t}{W}(P - I) & t < W \\
            E + (P - E)\left(\tfrac{1}{2}\left(1 + \cos\frac{\pi \min(t - W, D - W)}{D - W}
            \right)\right)^{p} & t \ge W
        \end{cases}

    Args:
        init_value: value at step 0 (:math:`I`).
        peak_value: value at the end of the warm-up (:math:`P`).
        warmup_steps: non-negative length of the linear warm-up (:math:`W`).
        decay_steps: total length of the schedule, warm-up included (:math:`D > W`).
        end_value: value at and after step ``decay_steps`` (:math:`E`).
        exponent: exponent applied to the cosine factor (:math:`p`).

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``warmup_steps`` is negative or ``decay_steps <= warmup_steps``.

    Example:
        >>> from core import optim
        >>> schedule = optim.warmup_cosine_decay_schedule(
        ...     init_value=0.0, peak_value=1.0, warmup_steps=2, decay_steps=6, end_value=0.1)
        >>> print([round(float(schedule(t)), 3) for t in range(8)])
        [0.0, 0.5, 1.0, 0.868, 0.55, 0.232, 0.1, 0.1]

    References:
        Loshchilov & Hutter, `SGDR: Stochastic Gradient Descent with Warm Restarts
        <https://arxiv.org/abs/1608.03983>`_, 2017.
    """
    warmup = as_int("warmup_steps", warmup_steps)
    total = as_int("decay_steps", decay_steps)
    if total <= warmup:
        raise ValueError(
            f"decay_steps must be greater than warmup_steps (it counts the warm-up too), "
            f"got decay_steps={total}, warmup_steps={warmup}"
        )
    check_real("peak_value", peak_value)
    check_real("end_value", end_value)
    cosine = cosine_decay_schedule(
        peak_value,
        decay_steps=total - warmup,
        alpha=_cosine_alpha(end_value, peak_value),
        exponent=exponent,
    )
    return join_schedules([linear_schedule(init_value, peak_value, warmup), cosine], [warmup])


def warmup_exponential_decay_schedule(
    init_value: ArrayLike,
    peak_value: ArrayLike,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: ArrayLike,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: ArrayLike | None = None,
) -> ScheduleFn:
    r"""Rise linearly to ``peak_value``, then decay exponentially.

    With :math:`W` = ``warmup_steps`` and :math:`x(t)` the :func:`exponential_decay` of
    ``init_value=peak_value``:

    .. math::

        v(t) = \begin{cases}
            I + \frac{t}{W}(P - I) & t < W \\
            x(t - W) & t \ge W
        \end{cases}

    Args:
        init_value: value at step 0 (:math:`I`).
        peak_value: value at the end of the warm-up (:math:`P`).
        warmup_steps: non-negative length of the linear warm-up (:math:`W`).
        transition_steps: see :func:`exponential_decay`.
        decay_rate: positive decay factor, see :func:`exponential_decay`.
        transition_begin: steps after the warm-up to hold ``peak_value``.
        staircase: if ``True``, decay in discrete jumps.
        end_value: optional bound of the decay, see :func:`exponential_decay`.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if a step count is negative or ``decay_rate`` is not positive.

    Example:
        >>> from core import optim
        >>> schedule = optim.warmup_exponential_decay_schedule(
        ...     init_value=0.0, peak_value=1.0, warmup_steps=2, transition_steps=1,
        ...     decay_rate=0.5, end_value=0.2)
        >>> print([round(float(schedule(t)), 3) for t in range(7)])
        [0.0, 0.5, 1.0, 0.5, 0.25, 0.2, 0.2]
    """
    warmup = as_int("warmup_steps", warmup_steps)
    check_real("peak_value", peak_value)
    decay = exponential_decay(
        peak_value,
        transition_steps=transition_steps,
        decay_rate=decay_rate,
        transition_begin=transition_begin,
        staircase=staircase,
        end_value=end_value,
    )
    return join_schedules([linear_schedule(init_value, peak_value, warmup), decay], [warmup])


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> ScheduleFn:
    r"""SGD with warm restarts: warm-up + cosine decay cycles, one after the other.

    Cycle :math:`k` is :func:`warmup_cosine_decay_schedule` ``(**cosine_kwargs[k])``; it
    lasts its ``decay_steps`` steps, after which the next cycle starts from its own step 0.
    The last cycle holds its ``end_value``:

    .. math::

        v(t) = f_k(t - S_k), \quad S_k = \sum_{j < k} D_j \le t < S_{k+1}

    Args:
        cosine_kwargs: a non-empty iterable of keyword-argument mappings for
            :func:`warmup_cosine_decay_schedule` (``init_value``, ``peak_value``,
            ``warmup_steps``, ``decay_steps``, optionally ``end_value``, ``exponent``).

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if there is no cycle or a cycle's arguments are invalid (the message names
            the cycle).
        TypeError: if a cycle is not a mapping or has unknown or missing keys.

    Example:
        >>> from core import optim
        >>> cycle = dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=3)
        >>> schedule = optim.sgdr_schedule([cycle, cycle])
        >>> print([round(float(schedule(t)), 2) for t in range(8)])
        [0.0, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, 0.0]

    References:
        Loshchilov & Hutter, `SGDR: Stochastic Gradient Descent with Warm Restarts
        <https://arxiv.org/abs/1608.03983>`_, 2017.
    """
    schedules: list[ScheduleFn] = []
    boundaries: list[int] = []
    step = 0
    for i, kwargs in enumerate(cosine_kwargs):
        if not isinstance(kwargs, Mapping):
            raise TypeError(
                f"cosine_kwargs[{i}] must be a mapping of keyword arguments, "
                f"got {type(kwargs).__name__}"
            )
        try:
            schedules.append(warmup_cosine_decay_schedule(**kwargs))
        except (TypeError, ValueError) as err:
            raise type(err)(f"cosine_kwargs[{i}]: {err}") from err
        step += kwargs["decay_steps"]
        boundaries.append(step)
    if not schedules:
        raise ValueError("cosine_kwargs must hold at least one cycle")
    return join_schedules(schedules, boundaries[:-1])
