"""Spike-train distances: Victor-Purpura and van Rossum (differentiable in the spike times)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._validation import as_int, check_real
from ..loss._jit import kernel
from ._common import real_array

__all__ = ["van_rossum_distance", "van_rossum_distance_binned", "victor_purpura_distance"]


def _spike_times(name: str, value: object) -> tuple[jax.Array, jax.Array]:
    """A 1-D train of spike times and its mask of real spikes (``inf`` / NaN entries pad)."""
    times = real_array(name, value)
    if times.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of spike times, got shape {times.shape}")
    valid = jnp.isfinite(times)
    return jnp.where(valid, times, 0), valid


def _safe_sqrt(x: jax.Array) -> jax.Array:
    """``sqrt(max(x, 0))`` with a zero (not infinite) gradient at 0."""
    positive = x > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, x, 1)), 0)


def victor_purpura_distance(
    spike_times_1: jax.typing.ArrayLike,
    spike_times_2: jax.typing.ArrayLike,
    cost_factor: jax.typing.ArrayLike = 1.0,
) -> jax.Array:
    r"""Victor-Purpura distance: the cheapest edit turning one spike train into the other.

    Deleting or inserting a spike costs 1, moving a spike by :math:`\Delta t` costs
    :math:`q |\Delta t|`. With :math:`D_{i,j}` the distance between the first :math:`i`
    spikes of train 1 and the first :math:`j` of train 2,

    .. math::

        D_{i,j} = \min\bigl(D_{i-1,j} + 1,\; D_{i,j-1} + 1,\;
                  D_{i-1,j-1} + q\,|s_i - t_j|\bigr),\qquad D_{i,0} = i,\; D_{0,j} = j.

    Each row is computed at once: :math:`D_{i,j} = j + \min_{k \le j}(A_k - k)` where
    :math:`A_j` is the best of the delete and move moves, so the cost is :math:`n_1` vector
    steps of length :math:`n_2` (a :func:`jax.lax.scan`). The result is piecewise linear in
    the spike times and ``cost_factor``, so :func:`jax.grad` gives the gradient of the
    optimal edit. Works under ``jit`` and ``vmap``.

    Args:
        spike_times_1: 1-D spike times in increasing order. Non-finite entries (``inf``)
            are padding, not spikes, which lets trains of different lengths share one
            array shape under ``vmap``.
        spike_times_2: the other train, same conventions.
        cost_factor: :math:`q`, cost per unit of time shift (same time unit as the spikes).

    Returns:
        The distance, a 0-d array.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.analysis import victor_purpura_distance
        >>> a = jnp.array([1.0, 2.0])
        >>> print(f"{victor_purpura_distance(a, jnp.array([1.1, 2.0, 3.0]), 5.0):.2f}")
        1.50

    References:
        Victor & Purpura, *Nature and precision of temporal coding in visual cortex: a
        metric-space analysis*, J. Neurophysiol. 76 (1996) 1310-1326.
    """
    a, valid_a = _spike_times("spike_times_1", spike_times_1)
    b, valid_b = _spike_times("spike_times_2", spike_times_2)
    check_real("cost_factor", cost_factor, low=0.0)
    dtype = jnp.result_type(a.dtype, b.dtype)
    a, b = a.astype(dtype), b.astype(dtype)
    return _victor_purpura(a, valid_a, b, valid_b, jnp.asarray(cost_factor, dtype))


@kernel()
def _victor_purpura(
    a: jax.Array, valid_a: jax.Array, b: jax.Array, valid_b: jax.Array, q: jax.Array
) -> jax.Array:
    dtype = a.dtype
    insert = valid_b.astype(dtype)
    cum_insert = jnp.concatenate([jnp.zeros((1,), dtype), jnp.cumsum(insert)])
    if a.shape[0] == 0:
        return cum_insert[-1]

    def row(prev: jax.Array, xs: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, None]:
        s, real = xs
        move = jnp.where(valid_b, prev[:-1] + q * jnp.abs(s - b), jnp.inf)
        best = jnp.minimum(move, prev[1:] + 1)
        first = prev[:1] + 1
        start = jnp.concatenate([first, best]) - cum_insert
        new = cum_insert + jax.lax.cummin(start)
        return jnp.where(real, new, prev), None

    last, _ = jax.lax.scan(row, cum_insert, (a, valid_a))
    return last[-1]


def _kernel_overlap(
    x: jax.Array,
    valid_x: jax.Array,
    y: jax.Array,
    valid_y: jax.Array,
    tau: jax.Array,
    t_max: jax.Array | None,
) -> jax.Array:
    r""":math:`2\tau \int_{-\infty}^{t_{max}} f_x f_y\,dt` for exponential kernels (closed form)."""
    overlap = jnp.exp(-jnp.abs(x[:, None] - y[None, :]) / tau)
    if t_max is not None:
        later = jnp.maximum(x[:, None], y[None, :])
        tail = jnp.exp(jnp.minimum(x[:, None] + y[None, :] - 2 * t_max, 0) / tau)
        overlap = jnp.where(later < t_max, overlap - tail, 0)
    return jnp.sum(jnp.where(valid_x[:, None] & valid_y[None, :], overlap, 0))


def van_rossum_distance(
    spike_times_1: jax.typing.ArrayLike,
    spike_times_2: jax.typing.ArrayLike,
    tau: jax.typing.ArrayLike = 1.0,
    t_max: jax.typing.ArrayLike | None = None,
) -> jax.Array:
    r"""van Rossum distance between two trains of spike times, in closed form.

    Each train is filtered with :math:`K(t) = \tfrac{1}{\tau} e^{-t/\tau} H(t)` and the
    distance is :math:`D = \sqrt{\int_{-\infty}^{t_{max}} (f_1 - f_2)^2\,dt}`. The integral
    is exact: for two spikes at :math:`a, b` with :math:`m = \max(a, b) < t_{max}`,

    .. math::

        \int_m^{t_{max}} K(t-a) K(t-b)\,dt = \frac{1}{2\tau}
        \Bigl(e^{-|a-b|/\tau} - e^{(a + b - 2 t_{max})/\tau}\Bigr),

    so :math:`D^2 = \frac{1}{2\tau}\bigl(\sum_{ij} k(a_i,a_j) + \sum_{ij} k(b_i,b_j)
    - 2\sum_{ij} k(a_i,b_j)\bigr)`. ``t_max=None`` integrates to infinity. The result is
    differentiable in the spike times and ``tau`` (the gradient at :math:`D = 0` is 0).

    Args:
        spike_times_1: 1-D spike times; non-finite entries (``inf``) are padding.
        spike_times_2: the other train, same conventions.
        tau: kernel time constant (same unit as the spikes), ``> 0``.
        t_max: end of the integration window, or ``None`` for the whole real line.

    Returns:
        The distance, a 0-d array.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.analysis import van_rossum_distance
        >>> d = van_rossum_distance(jnp.array([0.0]), jnp.array([1.0]), tau=1.0)
        >>> print(f"{d:.4f}")  # sqrt(1 - exp(-1)), the closed form for two single spikes
        0.7951

    References:
        van Rossum, *A novel spike distance*, Neural Computation 13 (2001) 751-763.
    """
    a, valid_a = _spike_times("spike_times_1", spike_times_1)
    b, valid_b = _spike_times("spike_times_2", spike_times_2)
    check_real("tau", tau, low=0.0, low_open=True)
    dtype = jnp.result_type(a.dtype, b.dtype)
    a, b = a.astype(dtype), b.astype(dtype)
    tau_ = jnp.asarray(tau, dtype)
    end = None
    if t_max is not None:
        check_real("t_max", t_max)
        end = jnp.asarray(t_max, dtype)
    return _van_rossum(a, valid_a, b, valid_b, tau_, end)


@kernel()
def _van_rossum(
    a: jax.Array,
    valid_a: jax.Array,
    b: jax.Array,
    valid_b: jax.Array,
    tau_: jax.Array,
    end: jax.Array | None,
) -> jax.Array:
    squared = (
        _kernel_overlap(a, valid_a, a, valid_a, tau_, end)
        + _kernel_overlap(b, valid_b, b, valid_b, tau_, end)
        - 2 * _kernel_overlap(a, valid_a, b, valid_b, tau_, end)
    ) / (2 * tau_)
    return _safe_sqrt(squared)


def van_rossum_distance_binned(
    spikes_1: jax.typing.ArrayLike,
    spikes_2: jax.typing.ArrayLike,
    tau: jax.typing.ArrayLike = 1.0,
    dt: jax.typing.ArrayLike = 1.0,
    axis: int = 0,
) -> jax.Array:
    r"""van Rossum distance between binned, real-valued spike trains (a training loss).

    Bin :math:`k` of a train is a spike of weight :math:`s_k` at time :math:`k\,\Delta t`
    (0/1 for spikes, real values for surrogate spikes or rates). With the same kernel and
    integral as :func:`van_rossum_distance` over the whole line,

    .. math::

        D^2 = \frac{1}{2\tau}\sum_{k,l} d_k d_l\, r^{|k-l|}
            = \frac{1}{2\tau}\Bigl(2\sum_k d_k u_k - \sum_k d_k^2\Bigr),\qquad
        u_k = d_k + r\,u_{k-1},

    where :math:`d = s^{(1)} - s^{(2)}` and :math:`r = e^{-\Delta t/\tau}`: one linear
    recursion (a :func:`jax.lax.scan`), :math:`O(T)` time and memory. For 0/1 trains it
    equals :func:`van_rossum_distance` of the spike times. Differentiable in the spike
    values, so surrogate-gradient networks can be trained on it.

    Args:
        spikes_1: spike trains, time along ``axis``; any other axes are batch axes.
        spikes_2: the target trains, same shape.
        tau: kernel time constant, ``> 0`` (same unit as ``dt``).
        dt: bin width.
        axis: the time axis.

    Returns:
        The distance for each train, the input shape without ``axis``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.analysis import van_rossum_distance_binned
        >>> s1 = jnp.array([1.0, 0.0, 0.0])
        >>> s2 = jnp.array([0.0, 1.0, 0.0])
        >>> print(f"{van_rossum_distance_binned(s1, s2, tau=1.0):.4f}")  # = two spikes 1 apart
        0.7951

    References:
        van Rossum, *A novel spike distance*, Neural Computation 13 (2001) 751-763.
    """
    x = real_array("spikes_1", spikes_1)
    y = real_array("spikes_2", spikes_2)
    if x.shape != y.shape:
        raise ValueError(
            f"spikes_1 and spikes_2 must have the same shape, got {x.shape} and {y.shape}"
        )
    if x.ndim == 0:
        raise ValueError("spikes_1 must have a time axis, got a 0-d array")
    as_int("axis", axis, minimum=None)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis={axis} is out of range for arrays with {x.ndim} dimension(s)")
    check_real("tau", tau, low=0.0, low_open=True)
    check_real("dt", dt, low=0.0, low_open=True)
    dtype = jnp.result_type(x.dtype, y.dtype)
    diff = jnp.moveaxis(x.astype(dtype) - y.astype(dtype), axis, 0)
    return _binned_van_rossum(diff, jnp.asarray(tau, dtype), jnp.asarray(dt, dtype))


@kernel()
def _binned_van_rossum(diff: jax.Array, tau_: jax.Array, dt: jax.Array) -> jax.Array:
    decay = jnp.exp(-dt / tau_)

    def step(u: jax.Array, d: jax.Array) -> tuple[jax.Array, jax.Array]:
        u = d + decay * u
        return u, u

    _, filtered = jax.lax.scan(step, jnp.zeros_like(diff[0]), diff)
    squared = jnp.sum(2 * diff * filtered - diff * diff, axis=0) / (2 * tau_)
    return _safe_sqrt(squared)
