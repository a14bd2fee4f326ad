r"""Piecewise schedules: piecewise constant, piecewise interpolated and one-cycle.

They share one interpolation kernel (:func:`piecewise_interpolate`); see
:mod:`core.optim._schedules` for the conventions every schedule follows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeAlias

import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import as_float, as_int, check_real

from ._docs import SCHEDULE
from ._schedules import (
    ScheduleFn,
    as_step,
    as_value,
    check_boundaries_and_scales,
    constant_like,
    cosine_anneal,
    schedule_dtypes,
)

_Interpolate: TypeAlias = Callable[[Array, Array, Array], Array]


# --------------------------------------------------------------------------- interpolation


def interpolate_linear(start: Array, end: Array, pct: Array) -> Array:
    """Straight line from ``start`` (``pct = 0``) to ``end`` (``pct = 1``)."""
    return (end - start) * pct + start


INTERPOLATIONS: dict[str, _Interpolate] = {
    "linear": interpolate_linear,
    "cosine": cosine_anneal,
}


def piecewise_interpolate(
    interpolate_type: str, init_value: ArrayLike, pairs: list[tuple[int, ArrayLike]]
) -> ScheduleFn:
    """Interpolate between the running products of ``init_value`` and the sorted scales.

    ``pairs`` are ``(boundary, scale)`` sorted by boundary; equal boundaries make a jump.
    """
    check_real("init_value", init_value)
    interpolate = INTERPOLATIONS[interpolate_type]
    bounds = [0] + [boundary for boundary, _ in pairs]
    scales = [scale for _, scale in pairs]

    def schedule(step: ArrayLike) -> Array:
        out_dtype, dtype = schedule_dtypes(init_value=init_value)
        count = as_step(step)
        t = count.astype(dtype)
        values = [jnp.asarray(init_value, dtype)]
        for scale in scales:
            values.append(values[-1] * jnp.asarray(scale, dtype))
        out = constant_like(t, values[-1], dtype)
        for i in reversed(range(len(scales))):
            low, high = bounds[i], bounds[i + 1]
            if high > low:
                segment = interpolate(values[i], values[i + 1], (t - low) / (high - low))
                out = jnp.where(count < high, segment, out)
        return jnp.where(count < 0, values[0], out).astype(out_dtype)

    return schedule


# --------------------------------------------------------------------------- schedules


def piecewise_constant_schedule(
    init_value: ArrayLike,
    boundaries_and_scales: Mapping[int, float] | None = None,
) -> ScheduleFn:
    r"""Multiply ``init_value`` by a scale at each boundary step.

    With :math:`I` = ``init_value`` and ``boundaries_and_scales`` = :math:`\{b_i: s_i\}`:

    .. math::

        v(t) = I \prod_{i:\, t \ge b_i} s_i

    Args:
        init_value: the value before the first boundary.
        boundaries_and_scales: mapping from a non-negative step to the non-negative factor
            applied from that step on; ``None`` or ``{}`` gives a constant schedule.

    Returns:
        A schedule ``step -> value``.

    Raises:
        TypeError: if a boundary is not an integer.
        ValueError: if a boundary or a scale is negative.

    Example:
        >>> from core import optim
        >>> schedule = optim.piecewise_constant_schedule(1.0, {100: 0.1, 200: 0.1})
        >>> print([round(float(schedule(t)), 4) for t in [0, 99, 100, 199, 200, 500]])
        [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]
    """
    check_real("init_value", init_value)
    pairs = check_boundaries_and_scales("boundaries_and_scales", boundaries_and_scales)

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(init_value=init_value)
        count = as_step(step)  # compared exactly, also past float32's integers
        value = constant_like(count, init_value, dtype)
        for boundary, scale in pairs:
            value = jnp.where(count >= boundary, value * jnp.asarray(scale, dtype), value)
        return value.astype(out)

    return schedule


def piecewise_interpolate_schedule(
    interpolate_type: str,
    init_value: ArrayLike,
    boundaries_and_scales: Mapping[int, float] | None = None,
) -> ScheduleFn:
    r"""Interpolate (linearly or along a half cosine) between scaled values at boundaries.

    With boundaries :math:`0 = b_0 < b_1 < \dots < b_n` and the running products
    :math:`v_0 = I`, :math:`v_i = v_{i-1} s_i` of ``init_value`` and the scales:

    .. math::

        v(t) = \begin{cases}
            f\left(v_i, v_{i+1}, \frac{t - b_i}{b_{i+1} - b_i}\right) & b_i \le t < b_{i+1} \\
            v_n & t \ge b_n
        \end{cases}

    where :math:`f(a, b, x) = a + (b - a) x` (``"linear"``) or
    :math:`f(a, b, x) = b + \frac{a - b}{2}(1 + \cos \pi x)` (``"cosine"``). Note that the
    interpolation runs between the accumulated values :math:`v_i`, not between the scales.
    Negative steps give :math:`I` (optax gives 0).

    Args:
        interpolate_type: ``"linear"`` or ``"cosine"``.
        init_value: the value at step 0.
        boundaries_and_scales: mapping from a non-negative step to the non-negative factor
            reached at that step; ``None`` or ``{}`` gives a constant schedule.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``interpolate_type`` is neither ``"linear"`` nor ``"cosine"``, or a
            boundary or scale is negative.
        TypeError: if a boundary is not an integer.

    Example:
        >>> from core import optim
        >>> schedule = optim.piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})
        >>> print([round(float(schedule(t)), 4) for t in range(0, 11, 2)])
        [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    """
    if interpolate_type not in INTERPOLATIONS:
        raise ValueError(f"interpolate_type must be 'linear' or 'cosine', got {interpolate_type!r}")
    pairs = check_boundaries_and_scales("boundaries_and_scales", boundaries_and_scales)
    return piecewise_interpolate(interpolate_type, init_value, list(pairs))


def _onecycle(
    interpolate_type: str,
    transition_steps: int,
    peak_value: ArrayLike,
    pct_points: list[float],
    div_factor: ArrayLike,
    final_div_factor: ArrayLike,
) -> ScheduleFn:
    """A one-cycle schedule through the points ``int(pct * transition_steps)`` and the end.

    As in optax, the value starts at ``peak_value / div_factor``, is multiplied by
    ``div_factor`` at the first point, by ``1 / div_factor`` at the second (linear cycle only)
    and ends at ``peak_value / (div_factor * final_div_factor)``.
    """
    steps = as_int("transition_steps", transition_steps, minimum=1)
    check_real("peak_value", peak_value)
    check_real("div_factor", div_factor, low=0, low_open=True)
    check_real("final_div_factor", final_div_factor, low=0, low_open=True)
    div, final = as_value(div_factor), as_value(final_div_factor)
    if interpolate_type == "cosine":
        scales = [div, 1.0 / (div * final)]
    else:
        scales = [div, 1.0 / div, 1.0 / final]
    boundaries = [int(pct * steps) for pct in pct_points] + [steps]
    init_value = as_value(peak_value) / div
    pairs: list[tuple[int, ArrayLike]] = list(zip(boundaries, scales, strict=True))
    return piecewise_interpolate(interpolate_type, init_value, pairs)


@fill_doc(**SCHEDULE)
def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: ArrayLike,
    pct_start: float = 0.3,
    div_factor: ArrayLike = 25.0,
    final_div_factor: ArrayLike = 1e4,
) -> ScheduleFn:
    r"""One cycle: a half-cosine rise to ``peak_value``, then a half-cosine fall.

    With :math:`P` = ``peak_value``, :math:`d` = ``div_factor``, :math:`d_f` =
    ``final_div_factor``, :math:`T` = ``transition_steps`` and :math:`s =
    \lfloor` ``pct_start`` :math:`\cdot T \rfloor`, the value goes along half cosines from
    :math:`P / d` at step 0 to :math:`P` at step :math:`s` and to :math:`P / (d\, d_f)` at
    step :math:`T`, where it stays:

    .. math::

        v(t) = \begin{cases}
            P + \frac{P/d - P}{2}\left(1 + \cos\frac{\pi t}{s}\right) & t < s \\
            \frac{P}{d\,d_f} + \frac{P - P/(d\,d_f)}{2}\left(1 + \cos\frac{\pi (t - s)}{T - s}
            \right) & s \le t < T \\
            \frac{P}{d\,d_f} & t \ge T
        \end{cases}

    Args:
        {onecycle_start}
        {onecycle_divs}

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``transition_steps``, ``div_factor`` or ``final_div_factor`` is not
            positive or ``pct_start`` is outside ``[0, 1]``.

    Example:
        >>> from core import optim
        >>> schedule = optim.cosine_onecycle_schedule(10, peak_value=1.0, pct_start=0.2,
        ...                                           div_factor=10.0, final_div_factor=10.0)
        >>> print([round(float(schedule(t)), 3) for t in [0, 1, 2, 6, 10, 12]])
        [0.1, 0.55, 1.0, 0.505, 0.01, 0.01]

    References:
        Smith & Topin, `Super-Convergence: Very Fast Training of Neural Networks Using Large
        Learning Rates <https://arxiv.org/abs/1708.07120>`_, 2017.
    """
    start = as_float("pct_start", pct_start, low=0, high=1)
    return _onecycle("cosine", transition_steps, peak_value, [start], div_factor, final_div_factor)


@fill_doc(**SCHEDULE)
def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: ArrayLike,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: ArrayLike = 25.0,
    final_div_factor: ArrayLike = 1e4,
) -> ScheduleFn:
    r"""One cycle in three straight lines: rise to ``peak_value``, fall back, then anneal.

    With :math:`P` = ``peak_value``, :math:`d` = ``div_factor``, :math:`d_f` =
    ``final_div_factor`` and :math:`T` = ``transition_steps``, the value is piecewise linear
    through the points

    .. math::

        (0, \tfrac{P}{d}),\;
        (\lfloor p_s T \rfloor, P),\;
        (\lfloor p_f T \rfloor, \tfrac{P}{d}),\;
        (T, \tfrac{P}{d\, d_f})

    and stays at :math:`P / (d\, d_f)` after step :math:`T` (:math:`p_s` = ``pct_start``,
    :math:`p_f` = ``pct_final``). When two of these steps coincide the value jumps there
    (optax instead drops one of the scales).

    Args:
        {onecycle_start}
        pct_final: fraction of the cycle at whose end the value is back at ``peak_value /
            div_factor``, in ``[pct_start, 1]``.
        {onecycle_divs}

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``transition_steps``, ``div_factor`` or ``final_div_factor`` is not
            positive, or not ``0 <= pct_start <= pct_final <= 1``.

    Example:
        >>> from core import optim
        >>> schedule = optim.linear_onecycle_schedule(10, peak_value=1.0, pct_start=0.2,
        ...                                           pct_final=0.6, div_factor=10.0,
        ...                                           final_div_factor=10.0)
        >>> print([round(float(schedule(t)), 3) for t in [0, 1, 2, 4, 6, 8, 10, 11]])
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.055, 0.01, 0.01]

    References:
        Smith & Topin, `Super-Convergence: Very Fast Training of Neural Networks Using Large
        Learning Rates <https://arxiv.org/abs/1708.07120>`_, 2017.
    """
    start = as_float("pct_start", pct_start, low=0, high=1)
    final = as_float("pct_final", pct_final, low=start, high=1)
    return _onecycle(
        "linear", transition_steps, peak_value, [start, final], div_factor, final_div_factor
    )
