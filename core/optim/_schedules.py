r"""Schedules: pure functions from the step count to a hyperparameter value.

Every schedule here is built by a constructor that checks its arguments eagerly and returns a
closure ``step -> value``. The closure

* accepts a Python ``int``, an integer array or a floating array of any shape (it is
  elementwise: the value has the shape of the step broadcast against the hyperparameters);
* has no Python branch on the value of the step, so it works with a traced step under
  ``jax.jit`` (one compilation for every step), ``jax.vmap`` and ``jax.lax.scan``;
* returns a floating array whose dtype is the floating dtype of the array-valued
  hyperparameters, or the default float dtype (``float32``; ``float64`` under x64) when they
  are Python numbers.

Names, argument names and values follow optax 0.2.8 (``optax.schedules``).

Step-count arguments (``transition_steps``, ``transition_begin``, boundaries, ...) must be
Python integers: they fix the shape of the schedule. Value arguments (``init_value``,
``decay_rate``, ...) may be numbers or arrays (also traced ones); they are checked when their
value is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeAlias

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike

from core._validation import as_int, check_real

ScheduleFn: TypeAlias = Callable[[ArrayLike], Array]
"""What every constructor returns: ``step -> value``, ``step`` an int, an int array or a float
array (a subtype of :data:`core.optim.Schedule`)."""

# --------------------------------------------------------------------------- argument checks


def check_boundaries_and_scales(
    name: str, boundaries_and_scales: Mapping[int, float] | None
) -> list[tuple[int, float]]:
    """Validate a ``{step: scale}`` mapping and return its items sorted by step."""
    if boundaries_and_scales is None:
        return []
    if not isinstance(boundaries_and_scales, Mapping):
        raise TypeError(
            f"{name} must be a mapping {{step: scale}} or None, "
            f"got {type(boundaries_and_scales).__name__}"
        )
    items = []
    for step, scale in boundaries_and_scales.items():
        boundary = as_int(f"{name} key {step!r}", step)
        check_real(f"{name}[{step!r}] (a scale)", scale, low=0)
        items.append((boundary, scale))
    return sorted(items, key=lambda item: item[0])


# --------------------------------------------------------------------------- dtypes and steps


def float_dtype(what: str, values: Mapping[str, object]) -> np.dtype:
    """The floating dtype of the array-valued ``values``; the default float without arrays."""
    dtypes = {
        key: np.dtype(value.dtype)
        for key, value in values.items()
        if hasattr(value, "dtype") and jnp.issubdtype(value.dtype, jnp.floating)
    }
    if not dtypes:
        return np.dtype(jax.dtypes.canonicalize_dtype(float))
    try:
        dtype = jnp.result_type(*dtypes.values())
    except jax.dtypes.TypePromotionError:
        listed = ", ".join(f"{key}: {dtype}" for key, dtype in dtypes.items())
        raise TypeError(
            f"{what} have floating dtypes that do not promote ({listed}); cast them to one dtype"
        ) from None
    return np.dtype(jax.dtypes.canonicalize_dtype(dtype))


def schedule_dtypes(**values: object) -> tuple[np.dtype, np.dtype]:
    """The output dtype (:func:`float_dtype` of ``values``, by argument name) and the dtype to
    compute in.

    Steps are converted to a float to compute with; ``float16`` and ``bfloat16`` cannot count
    past 2048 and 256 exactly, so narrow dtypes compute in ``float32`` and round at the end.
    """
    *first, last = values
    out = float_dtype(f"{', '.join(first)} and {last}" if first else last, values)
    return out, (out if out.itemsize >= 4 else np.dtype(np.float32))


def as_value(value: ArrayLike, dtype: np.dtype | None = None) -> Array | float:
    """Python numbers stay Python numbers (weakly typed, as in optax); arrays become ``dtype``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    array = jnp.asarray(value, dtype)
    if not jnp.issubdtype(array.dtype, jnp.floating):
        array = array.astype(jax.dtypes.canonicalize_dtype(float))
    return array


def as_step(step: ArrayLike) -> Array:
    """``step`` as an array, checked to be an integer or floating array."""
    count = jnp.asarray(step)
    if not (jnp.issubdtype(count.dtype, jnp.integer) or jnp.issubdtype(count.dtype, jnp.floating)):
        raise TypeError(
            f"step must be an integer or floating number/array, got dtype {count.dtype}"
        )
    return count


def float_step(step: ArrayLike, dtype: np.dtype) -> Array:
    """``step`` converted to the floating ``dtype`` the schedule computes in."""
    return as_step(step).astype(dtype)


def constant_like(t: Array, value: ArrayLike, dtype: np.dtype) -> Array:
    """``value`` in ``dtype``, broadcast to the shape of the step ``t``."""
    array = jnp.asarray(value, dtype)
    return jnp.broadcast_to(array, jnp.broadcast_shapes(t.shape, array.shape))


def anneal(start: Array | float, end: Array | float, factor: Array) -> Array:
    """``end + (start - end) * factor``: ``start`` at ``factor = 1``, exactly ``end`` at 0."""
    return end + (start - end) * factor


def half_cosine(pct: Array) -> Array:
    """``(1 + cos(pi * pct)) / 2``: 1 at ``pct = 0``, 0 at ``pct = 1``."""
    return (1 + jnp.cos(jnp.pi * pct)) / 2


def cosine_anneal(start: Array | float, end: Array | float, pct: Array) -> Array:
    """Half cosine from ``start`` (``pct = 0``) to ``end`` (``pct = 1``): THE cosine annealing
    of the library (piecewise cosine interpolation, one-cycle, warm restarts)."""
    return anneal(start, end, half_cosine(pct))


# --------------------------------------------------------------------------- schedules


def constant_schedule(value: ArrayLike) -> ScheduleFn:
    r"""Hold a hyperparameter at ``value``.

    .. math::

        v(t) = v

    Args:
        value: the value returned at every step (a number or an array).

    Returns:
        A schedule ``step -> value`` (a floating array of the step's shape).

    Example:
        >>> from core import optim
        >>> schedule = optim.constant_schedule(0.1)
        >>> print(f"{float(schedule(0)):.2f} {float(schedule(1000)):.2f}")
        0.10 0.10
    """
    check_real("value", value)

    def schedule(step: ArrayLike) -> Array:
        dtype = float_dtype("value", {"value": value})
        return constant_like(as_step(step), value, dtype)

    return schedule


def polynomial_schedule(
    init_value: ArrayLike,
    end_value: ArrayLike,
    power: ArrayLike,
    transition_steps: int,
    transition_begin: int = 0,
) -> ScheduleFn:
    r"""Go from ``init_value`` to ``end_value`` along a polynomial of degree ``power``.

    With :math:`I` = ``init_value``, :math:`E` = ``end_value``, :math:`P` = ``power``,
    :math:`B` = ``transition_begin`` and :math:`T` = ``transition_steps``:

    .. math::

        v(t) = (I - E) \left(1 - \frac{\min(\max(t - B, 0), T)}{T}\right)^{P} + E

    so the value is :math:`I` up to step :math:`B` and :math:`E` from step :math:`B + T` on.

    Args:
        init_value: value before and at the start of the transition.
        end_value: value at and after the end of the transition.
        power: non-negative exponent of the polynomial (``1`` is linear).
        transition_steps: non-negative number of steps of the transition; ``0`` holds
            ``init_value`` for ever (as optax does).
        transition_begin: non-negative number of steps to hold ``init_value`` before the
            transition starts.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``transition_steps``, ``transition_begin`` or ``power`` is negative.

    Example:
        >>> from core import optim
        >>> schedule = optim.polynomial_schedule(
        ...     init_value=1.0, end_value=0.01, power=2, transition_steps=100, transition_begin=5)
        >>> print(" ".join(f"{float(schedule(t)):.4f}" for t in [0, 5, 6, 104, 105, 110]))
        1.0000 1.0000 0.9803 0.0101 0.0100 0.0100
    """
    check_real("init_value", init_value)
    check_real("end_value", end_value)
    check_real("power", power, low=0)
    steps = as_int("transition_steps", transition_steps)
    begin = as_int("transition_begin", transition_begin)
    if steps == 0:
        return constant_schedule(init_value)

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(init_value=init_value, end_value=end_value, power=power)
        t = jnp.clip(float_step(step, dtype) - begin, 0, steps)
        init, end = as_value(init_value, dtype), as_value(end_value, dtype)
        # XLA may turn ``t / steps`` into ``t * (1 / steps)``, a hair above 1 at the end;
        # clamping keeps ``frac ** power`` finite for fractional powers (optax gives NaN).
        frac = jnp.maximum(1 - t / steps, 0.0)
        return ((init - end) * frac ** as_value(power, dtype) + end).astype(out)

    return schedule


def linear_schedule(
    init_value: ArrayLike,
    end_value: ArrayLike,
    transition_steps: int,
    transition_begin: int = 0,
) -> ScheduleFn:
    r"""Go from ``init_value`` to ``end_value`` in a straight line.

    The :func:`polynomial_schedule` of ``power=1``:

    .. math::

        v(t) = I + \frac{\min(\max(t - B, 0), T)}{T} (E - I)

    Args:
        init_value: value before and at the start of the transition (:math:`I`).
        end_value: value at and after the end of the transition (:math:`E`).
        transition_steps: non-negative number of steps of the transition (:math:`T`); ``0``
            holds ``init_value`` for ever.
        transition_begin: non-negative number of steps before the transition starts
            (:math:`B`).

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``transition_steps`` or ``transition_begin`` is negative.

    Example:
        >>> from core import optim
        >>> schedule = optim.linear_schedule(init_value=1.0, end_value=0.0, transition_steps=4)
        >>> print([round(float(schedule(t)), 2) for t in range(6)])
        [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    return polynomial_schedule(init_value, end_value, 1, transition_steps, transition_begin)


def exponential_decay(
    init_value: ArrayLike,
    transition_steps: int,
    decay_rate: ArrayLike,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: ArrayLike | None = None,
) -> ScheduleFn:
    r"""Multiply ``init_value`` by ``decay_rate`` every ``transition_steps`` steps.

    With :math:`I` = ``init_value``, :math:`r` = ``decay_rate``, :math:`T` =
    ``transition_steps`` and :math:`B` = ``transition_begin``:

    .. math::

        v(t) = \begin{cases}
            I & t \le B \\
            I \, r^{p(t)} & t > B
        \end{cases}
        \qquad
        p(t) = \frac{t - B}{T} \quad\text{or}\quad
        \left\lfloor \frac{t - B}{T} \right\rfloor \text{ if staircase}

    then clipped from below by ``end_value`` when :math:`r < 1` (from above when
    :math:`r \ge 1`).

    Args:
        init_value: the initial value.
        transition_steps: non-negative number of steps over which the value is multiplied by
            ``decay_rate``; ``0`` holds ``init_value`` for ever (as optax does).
        decay_rate: positive decay factor (``< 1`` decays, ``> 1`` grows).
        transition_begin: non-negative number of steps to hold ``init_value`` first.
        staircase: if ``True``, decay in discrete jumps every ``transition_steps`` steps.
        end_value: optional bound the value does not cross: a lower bound when
            ``decay_rate < 1``, an upper bound otherwise.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``transition_steps`` or ``transition_begin`` is negative or
            ``decay_rate`` is not positive.
        TypeError: if ``staircase`` is not a bool.

    Example:
        >>> from core import optim
        >>> smooth = optim.exponential_decay(1.0, transition_steps=2, decay_rate=0.5)
        >>> stairs = optim.exponential_decay(1.0, transition_steps=2, decay_rate=0.5,
        ...                                  staircase=True, end_value=0.3)
        >>> print([round(float(smooth(t)), 3) for t in range(5)])
        [1.0, 0.707, 0.5, 0.354, 0.25]
        >>> print([round(float(stairs(t)), 3) for t in range(5)])
        [1.0, 1.0, 0.5, 0.5, 0.3]
    """
    check_real("init_value", init_value)
    steps = as_int("transition_steps", transition_steps)
    check_real("decay_rate", decay_rate, low=0, low_open=True)
    begin = as_int("transition_begin", transition_begin)
    if not isinstance(staircase, bool):
        raise TypeError(f"staircase must be a bool, got {staircase!r}")
    if end_value is not None:
        check_real("end_value", end_value)
    if steps == 0:
        return constant_schedule(init_value)

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(
            init_value=init_value, decay_rate=decay_rate, end_value=end_value
        )
        shifted = float_step(step, dtype) - begin
        init, rate = as_value(init_value, dtype), as_value(decay_rate, dtype)
        p = shifted / steps
        if staircase:
            p = jnp.floor(p)
        value = jnp.where(shifted <= 0, init, init * jnp.power(rate, p))
        if end_value is not None:
            end = as_value(end_value, dtype)
            value = jnp.where(rate < 1.0, jnp.maximum(value, end), jnp.minimum(value, end))
        return value.astype(out)

    return schedule


def cosine_decay_schedule(
    init_value: ArrayLike,
    decay_steps: int,
    alpha: ArrayLike = 0.0,
    exponent: ArrayLike = 1.0,
) -> ScheduleFn:
    r"""Decay ``init_value`` along a half cosine to ``alpha * init_value``.

    With :math:`I` = ``init_value``, :math:`T` = ``decay_steps``, :math:`\alpha` =
    ``alpha`` and :math:`p` = ``exponent``:

    .. math::

        v(t) = I \left[(1 - \alpha) \left(\tfrac{1}{2}\left(1 + \cos\frac{\pi \min(t, T)}{T}
        \right)\right)^{p} + \alpha\right]

    Args:
        init_value: the initial value.
        decay_steps: positive number of steps of the decay.
        alpha: the final value as a fraction of ``init_value``.
        exponent: exponent applied to the cosine factor.

    Returns:
        A schedule ``step -> value``.

    Raises:
        ValueError: if ``decay_steps`` is not positive.

    Example:
        >>> from core import optim
        >>> schedule = optim.cosine_decay_schedule(1.0, decay_steps=4, alpha=0.1)
        >>> print([round(float(schedule(t)), 3) for t in range(6)])
        [1.0, 0.868, 0.55, 0.232, 0.1, 0.1]

    References:
        Loshchilov & Hutter, `SGDR: Stochastic Gradient Descent with Warm Restarts
        <https://arxiv.org/abs/1608.03983>`_, 2017.
    """
    check_real("init_value", init_value)
    steps = as_int("decay_steps", decay_steps, minimum=1)
    check_real("alpha", alpha)
    check_real("exponent", exponent)

    def schedule(step: ArrayLike) -> Array:
        out, dtype = schedule_dtypes(init_value=init_value, alpha=alpha, exponent=exponent)
        t = jnp.minimum(float_step(step, dtype), steps)
        init, low = as_value(init_value, dtype), as_value(alpha, dtype)
        cosine = 0.5 * (1 + jnp.cos(jnp.pi * t / steps))
        decayed = (1 - low) * cosine ** as_value(exponent, dtype) + low
        return (init * decayed).astype(out)

    return schedule
