r"""Epoch schedules of the PyTorch / braintools LR schedulers that no optax schedule covers.

The stateful schedulers of :mod:`facade.optim` (``CyclicLR``, ``OneCycleLR``,
``CosineAnnealingWarmRestarts``, ``ChainedScheduler``, ``ReduceLROnPlateau``) take every
learning-rate value from these pure functions. The schedules follow the conventions of
:mod:`core.optim._schedules`: a constructor checks its arguments eagerly and returns a closure
``step -> value`` that works elementwise on any step array, has no Python branch on the step
value (so it works under ``jax.jit``, ``jax.vmap`` and ``jax.lax.scan``) and returns a floating
array. The pure ``state, metric -> state`` decision of ``ReduceLROnPlateau`` is in
:mod:`core.optim._epoch_plateau`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike

from core._validation import as_float, as_int, check_choice, check_real

from ._schedules import (
    ScheduleFn,
    anneal,
    as_value,
    cosine_anneal,
    float_step,
    half_cosine,
    schedule_dtypes,
)

# --------------------------------------------------------------------------- cyclic


def cyclic_schedule(
    base_value: ArrayLike,
    max_value: ArrayLike,
    step_size_up: int,
    step_size_down: int | None = None,
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
    gamma: ArrayLike = 1.0,
    scale_fn: Callable[[Array], ArrayLike] | None = None,
    scale_mode: Literal["cycle", "iterations"] = "cycle",
) -> ScheduleFn:
    r"""Cycle between ``base_value`` and ``max_value`` along triangles (cyclical LR).

    With :math:`U` = ``step_size_up``, :math:`D` = ``step_size_down``, the cycle
    :math:`c = \lfloor t / (U + D) \rfloor + 1` and the position in it
    :math:`r = t - (c - 1)(U + D)`:

    .. math::

        v(t) = b + (m - b)\, s \cdot \begin{cases} r / U & r \le U \\
                                                  (U + D - r) / D & r > U \end{cases}

    where the amplitude scale :math:`s` is 1 (``"triangular"``), :math:`2^{-(c - 1)}`
    (``"triangular2"``), :math:`\gamma^t` (``"exp_range"``), or ``scale_fn(c)`` /
    ``scale_fn(t)`` (``scale_mode`` ``"cycle"`` / ``"iterations"``) when ``scale_fn`` is given.

    Args:
        base_value: the lower bound of the cycle (:math:`b`).
        max_value: the upper bound of the cycle (:math:`m`).
        step_size_up: positive number of steps of the rising half (:math:`U`).
        step_size_down: positive number of steps of the falling half (:math:`D`);
            ``None`` means ``step_size_up``.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``; ignored when
            ``scale_fn`` is given.
        gamma: the base of the ``"exp_range"`` scale.
        scale_fn: optional custom amplitude scale, a jax-traceable function of the cycle
            number (starting at 1) or of the step.
        scale_mode: ``"cycle"`` or ``"iterations"``: the argument of ``scale_fn``.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if a step size is not positive, or ``mode`` / ``scale_mode`` is unknown.
        TypeError: if ``scale_fn`` is not callable.

    Example:
        >>> from core import optim
        >>> schedule = optim.cyclic_schedule(0.0, 1.0, step_size_up=2, step_size_down=4)
        >>> print([round(float(schedule(t)), 2) for t in range(8)])
        [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.5]
        >>> halving = optim.cyclic_schedule(0.0, 1.0, step_size_up=1, mode="triangular2")
        >>> print([round(float(halving(t)), 2) for t in range(6)])
        [0.0, 1.0, 0.0, 0.5, 0.0, 0.25]

    References:
        Smith, `Cyclical Learning Rates for Training Neural Networks
        <https://arxiv.org/abs/1506.01186>`_, 2017.
    """
    check_real("base_value", base_value)
    check_real("max_value", max_value)
    up = as_int("step_size_up", step_size_up, minimum=1)
    down = up if step_size_down is None else as_int("step_size_down", step_size_down, minimum=1)
    check_choice("mode", mode, ("triangular", "triangular2", "exp_range"))
    check_choice("scale_mode", scale_mode, ("cycle", "iterations"))
    check_real("gamma", gamma)
    if scale_fn is not None and not callable(scale_fn):
        raise TypeError(f"scale_fn must be a callable or None, got {scale_fn!r}")
    total = up + down

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(base_value=base_value, max_value=max_value, gamma=gamma)
        t = float_step(step, dtype)
        cycles = jnp.floor(t / total)
        r = t - cycles * total
        cycle = cycles + 1
        height = jnp.where(r <= up, r / up, (total - r) / down)
        if scale_fn is not None:
            scale = jnp.asarray(scale_fn(cycle if scale_mode == "cycle" else t), dtype)
        elif mode == "triangular":
            scale = jnp.ones_like(t)
        elif mode == "triangular2":
            scale = 1 / 2.0 ** (cycle - 1)
        else:
            scale = jnp.power(as_value(gamma, dtype), t)
        low, high = as_value(base_value, dtype), as_value(max_value, dtype)
        return (low + (high - low) * scale * height).astype(out)

    return schedule


# --------------------------------------------------------------------------- one cycle


def one_cycle_lr_schedule(
    total_steps: int,
    max_value: ArrayLike,
    pct_start: float = 0.3,
    anneal_strategy: Literal["cos", "linear"] = "cos",
    div_factor: ArrayLike = 25.0,
    final_div_factor: ArrayLike = 1e4,
) -> ScheduleFn:
    r"""braintools' one-cycle policy: a linear rise to ``max_value``, then an annealing fall.

    With :math:`T` = ``total_steps``, :math:`p` = ``pct_start``, :math:`W = pT` (not rounded),
    :math:`M` = ``max_value``, the start :math:`M / d` and the end :math:`M / d_f`
    (``div_factor``, ``final_div_factor``):

    .. math::

        v(t) = \begin{cases}
            \frac{M}{d} + \min\left(\frac{t}{W}, 1\right)\left(M - \frac{M}{d}\right) & t \le W \\
            \frac{M}{d_f} + a\left(\min\left(\frac{t - W}{(1 - p) T}, 1\right)\right)
            \left(M - \frac{M}{d_f}\right) & t > W
        \end{cases}

    with :math:`a(x) = (1 + \cos \pi x) / 2` (``"cos"``) or :math:`1 - x` (``"linear"``). This
    is braintools 0.3.0's ``OneCycleLR``; :func:`cosine_onecycle_schedule` and
    :func:`linear_onecycle_schedule` are optax's variants.

    Args:
        total_steps: positive length of the cycle (:math:`T`).
        max_value: the peak value (:math:`M`), reached at step :math:`W`.
        pct_start: fraction of the cycle spent rising, in the open interval ``(0, 1)``.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        div_factor: positive; the value starts at ``max_value / div_factor``.
        final_div_factor: positive; the value ends at ``max_value / final_div_factor``.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``total_steps``, ``div_factor`` or ``final_div_factor`` is not positive,
            ``pct_start`` is outside ``(0, 1)`` or ``anneal_strategy`` is unknown.

    Example:
        >>> from core import optim
        >>> schedule = optim.one_cycle_lr_schedule(10, 1.0, pct_start=0.2,
        ...                                        div_factor=10.0, final_div_factor=100.0)
        >>> print([round(float(schedule(t)), 3) for t in [0, 1, 2, 6, 10, 12]])
        [0.1, 0.55, 1.0, 0.505, 0.01, 0.01]

    References:
        braintools' (and PyTorch's) ``OneCycleLR``, after Smith & Topin,
        `Super-Convergence <https://arxiv.org/abs/1708.07120>`_, 2017.
    """
    total = as_int("total_steps", total_steps, minimum=1)
    check_real("max_value", max_value)
    pct_start = as_float("pct_start", pct_start, low=0, high=1, low_open=True, high_open=True)
    check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    check_real("div_factor", div_factor, low=0, low_open=True)
    check_real("final_div_factor", final_div_factor, low=0, low_open=True)
    warmup = pct_start * total
    annealing = (1 - pct_start) * total

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(
            max_value=max_value, div_factor=div_factor, final_div_factor=final_div_factor
        )
        t = float_step(step, dtype)
        peak = as_value(max_value, dtype)
        start, end = peak / as_value(div_factor, dtype), peak / as_value(final_div_factor, dtype)
        rising = start + jnp.minimum(t / warmup, 1.0) * (peak - start)
        pct = jnp.clip((t - warmup) / annealing, 0.0, 1.0)
        factor = half_cosine(pct) if anneal_strategy == "cos" else 1 - pct
        return jnp.where(t <= warmup, rising, anneal(peak, end, factor)).astype(out)

    return schedule


# --------------------------------------------------------------------------- warm restarts


def cosine_warm_restarts_schedule(
    init_value: ArrayLike,
    first_period: int,
    period_mult: int = 1,
    end_value: ArrayLike = 0.0,
) -> ScheduleFn:
    r"""Cosine annealing from ``init_value`` to ``end_value``, restarted at growing periods.

    Cycle :math:`k` lasts :math:`T_k = T_0 m^k` steps (:math:`T_0` = ``first_period``,
    :math:`m` = ``period_mult``). With :math:`t_k` the step within the current cycle:

    .. math::

        v(t) = E + (I - E)\, \tfrac{1}{2}\left(1 + \cos \frac{\pi t_k}{T_k}\right)

    This is the SGDR schedule of PyTorch's / braintools' ``CosineAnnealingWarmRestarts``
    (:func:`sgdr_schedule` takes a finite list of cycles instead).

    Args:
        init_value: the value at the start of every cycle (:math:`I`).
        first_period: positive length of the first cycle (:math:`T_0`).
        period_mult: integer ``>= 1`` by which each cycle is longer than the previous.
        end_value: the value the cosine approaches at the end of every cycle (:math:`E`).

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``first_period`` is not positive or ``period_mult < 1``.

    Example:
        >>> from core import optim
        >>> schedule = optim.cosine_warm_restarts_schedule(1.0, first_period=2, period_mult=2)
        >>> print([round(float(schedule(t)), 3) for t in range(8)])
        [1.0, 0.5, 1.0, 0.854, 0.5, 0.146, 1.0, 0.962]

    References:
        Loshchilov & Hutter, `SGDR: Stochastic Gradient Descent with Warm Restarts
        <https://arxiv.org/abs/1608.03983>`_, 2017.
    """
    check_real("init_value", init_value)
    check_real("end_value", end_value)
    period = as_int("first_period", first_period, minimum=1)
    mult = as_int("period_mult", period_mult, minimum=1)

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(init_value=init_value, end_value=end_value)
        t = jnp.maximum(float_step(step, dtype), 0.0)
        if mult == 1:
            length = jnp.full_like(t, period)
            within = t - jnp.floor(t / period) * period
        else:

            def start(n: Array) -> Array:  # first step of cycle n
                return period * (mult**n - 1) / (mult - 1)

            n = jnp.floor(jnp.log1p(t / period * (mult - 1)) / np.log(mult))
            n = jnp.where(t < start(n), n - 1, n)  # the logarithm may round across
            n = jnp.where(t >= start(n + 1), n + 1, n)  # a cycle boundary
            length, within = period * mult**n, t - start(n)
        init, end = as_value(init_value, dtype), as_value(end_value, dtype)
        return cosine_anneal(init, end, within / length).astype(out)

    return schedule


# --------------------------------------------------------------------------- chaining


def chained_value(
    base_value: ArrayLike, values: Sequence[ArrayLike], base_values: Sequence[ArrayLike]
) -> Array:
    r"""Combine schedules multiplicatively, each relative to its own base value.

    .. math::

        v = v_0 \prod_i \begin{cases} v_i / b_i & b_i \ne 0 \\ 0 & b_i = 0 \end{cases}

    the rule of PyTorch's / braintools' ``ChainedScheduler``.

    Args:
        base_value: the value the factors scale (:math:`v_0`).
        values: the current value of each schedule (:math:`v_i`).
        base_values: the base value of each schedule (:math:`b_i`), as many as ``values``.

    Returns:
        The combined value, a floating scalar array.

    Raises:
        ValueError: if ``values`` and ``base_values`` differ in length.

    Example:
        >>> from core import optim
        >>> print(round(float(optim.chained_value(0.1, [0.05, 0.3], [0.1, 0.1])), 4))
        0.15
    """
    if len(values) != len(base_values):
        raise ValueError(
            f"values and base_values must have the same length, got {len(values)} and "
            f"{len(base_values)}"
        )
    check_real("base_value", base_value)
    out, dtype = schedule_dtypes(base_value=base_value)
    combined = jnp.asarray(base_value, dtype)
    for i, (value, base) in enumerate(zip(values, base_values, strict=True)):
        check_real(f"values[{i}]", value)
        check_real(f"base_values[{i}]", base)
        v, b = jnp.asarray(value, dtype), jnp.asarray(base, dtype)
        combined = combined * jnp.where(b != 0, v / jnp.where(b != 0, b, 1), 0.0)
    return combined.astype(out)
