"""Correlation analyses: pairwise spike coincidence, voltage synchrony, connectivity."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import as_int, check_choice
from ..loss._jit import kernel
from ._common import correlation_matrix, gram, matrix, mean_over_pairs, positive, real_array, steps

__all__ = [
    "cross_correlation",
    "functional_connectivity",
    "functional_connectivity_dynamics",
    "matrix_correlation",
    "voltage_fluctuation",
    "weighted_correlation",
]

_METHODS = ("loop", "vmap")


def cross_correlation(
    spikes: jax.typing.ArrayLike, bin: float, dt: float = 1.0, method: str = "loop"
) -> jax.Array:
    r"""Mean pairwise coincidence of binned spike trains (a synchrony index in ``[0, 1]``).

    Time is cut into bins of :math:`b = \operatorname{round}(\text{bin}/\Delta t)` samples
    (the last one zero-padded); :math:`x_i(k) = 1` when neuron :math:`i` spikes in bin
    :math:`k`. Then

    .. math::

        \kappa_{ij} = \frac{\sum_k x_i(k)\,x_j(k)}{\sqrt{\sum_k x_i(k)\sum_k x_j(k)}},
        \qquad CC = \frac{2}{N(N-1)}\sum_{i<j}\kappa_{ij},

    with :math:`\kappa_{ij} = 0` when either neuron is silent.

    Args:
        spikes: ``(num_time, num_neurons)``.
        bin: bin width (concrete, same unit as ``dt``); at least one sample.
        dt: sampling step (concrete).
        method: ``'loop'`` or ``'vmap'``; accepted for braintools compatibility, both
            compute the same matrix product.

    Returns:
        A 0-d array; 0 with fewer than two neurons.

    Example:
        >>> import numpy as np
        >>> from core.analysis import cross_correlation
        >>> print(cross_correlation(np.ones((10, 3)), bin=1.0))
        1.0

    References:
        Wang & Buzsáki, *Gamma oscillation by synaptic inhibition in a hippocampal
        interneuronal network model*, J. Neurosci. 16 (1996) 6402-6413.
    """
    check_choice("method", method, _METHODS)
    s = matrix("spikes", spikes)
    ratio = steps(positive("bin", bin), positive("dt", dt))
    size = round(ratio)
    if size < 1:
        raise ValueError(f"bin must be at least dt (one sample), got bin / dt = {ratio:g}")
    if s.shape[1] < 2:
        return jnp.zeros((), s.dtype)
    return _cross_correlation(s, size=size)


@kernel("size")
def _cross_correlation(s: jax.Array, *, size: int) -> jax.Array:
    n_time, n_neurons = s.shape
    n_bins = math.ceil(n_time / size)
    padded = jnp.pad(s, ((0, n_bins * size - n_time), (0, 0)))
    states = (jnp.sum(padded.reshape(n_bins, size, n_neurons), axis=1) > 0).astype(s.dtype)
    counts = jnp.sum(states, axis=0)
    denom = jnp.sqrt(jnp.outer(counts, counts))
    ok = denom > 0
    kappa = jnp.where(ok, gram(states, states) / jnp.where(ok, denom, 1), 0)
    return mean_over_pairs(kappa, jnp.ones(kappa.shape, dtype=bool))


def voltage_fluctuation(potentials: jax.typing.ArrayLike, method: str = "loop") -> jax.Array:
    r"""Synchrony of membrane potentials: variance of the mean over the mean variance.

    .. math::

        \chi^2 = \frac{\operatorname{Var}_t\bigl(\tfrac{1}{N}\sum_i V_i(t)\bigr)}
                      {\tfrac{1}{N}\sum_i \operatorname{Var}_t V_i(t)}

    (1 when all neurons share one trace, about :math:`1/N` when independent). Constant
    potentials (zero variance) give 1.

    Args:
        potentials: ``(num_time, num_neurons)``.
        method: ``'loop'`` or ``'vmap'``; accepted for braintools compatibility, both
            compute the same thing.

    Returns:
        A 0-d array.

    Example:
        >>> import numpy as np
        >>> from core.analysis import voltage_fluctuation
        >>> v = np.sin(np.arange(100.0))[:, None] * np.ones((1, 5))
        >>> print(f"{voltage_fluctuation(v):.4f}")
        1.0000

    References:
        Golomb & Rinzel, *Dynamics of globally coupled inhibitory neurons with
        heterogeneity*, Phys. Rev. E 48 (1993) 4810; Golomb & Hansel, Neural Comput. 12
        (2000) 1095-1139.
    """
    check_choice("method", method, _METHODS)
    return _voltage_fluctuation(matrix("potentials", potentials))


@kernel()
def _voltage_fluctuation(v: jax.Array) -> jax.Array:
    mean_var = jnp.mean(jnp.var(v, axis=0))
    ok = mean_var != 0
    return jnp.where(ok, jnp.var(jnp.mean(v, axis=1)) / jnp.where(ok, mean_var, 1), 1)


def matrix_correlation(x: jax.typing.ArrayLike, y: jax.typing.ArrayLike) -> jax.Array:
    r"""Pearson correlation of the upper triangles (diagonal excluded) of two matrices.

    Used to compare connectivity matrices: :math:`\rho(\operatorname{triu}_1 X,
    \operatorname{triu}_1 Y)`; 0 when either triangle is constant.

    Args:
        x: 2-D array.
        y: 2-D array of the same shape.

    Returns:
        A 0-d array in ``[-1, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import matrix_correlation
        >>> a = np.arange(16.0).reshape(4, 4)
        >>> print(matrix_correlation(a, -2 * a))
        -1.0
    """
    a = matrix("x", x, "(square matrix)")
    b = matrix("y", y, "(square matrix)")
    if a.shape != b.shape:
        raise ValueError(f"x and y must have the same shape, got {a.shape} and {b.shape}")
    return _matrix_correlation(a, b)


@kernel()
def _matrix_correlation(a: jax.Array, b: jax.Array) -> jax.Array:
    rows, cols = np.triu_indices(a.shape[0], k=1, m=a.shape[1])
    pair = jnp.stack([a[rows, cols], b[rows, cols]], axis=1)
    return correlation_matrix(pair)[0, 1]


def weighted_correlation(
    x: jax.typing.ArrayLike, y: jax.typing.ArrayLike, w: jax.typing.ArrayLike
) -> jax.Array:
    r"""Weighted Pearson correlation of two 1-D series.

    .. math::

        \rho_w = \frac{\operatorname{cov}_w(x, y)}{\sqrt{\operatorname{cov}_w(x, x)
                 \operatorname{cov}_w(y, y)}},\quad
        \operatorname{cov}_w(a, b) = \frac{\sum_k w_k (a_k - \bar a_w)(b_k - \bar b_w)}
                                          {\sum_k w_k},

    with weighted means :math:`\bar a_w`. All-zero weights or a zero weighted variance
    give 0 (with a NaN-free gradient).

    Args:
        x: ``(n,)``.
        y: ``(n,)``.
        w: ``(n,)`` non-negative weights.

    Returns:
        A 0-d array in ``[-1, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import weighted_correlation
        >>> x = np.array([1.0, 2.0, 3.0, 4.0])
        >>> r = weighted_correlation(x, 3 * x + 1, np.array([1.0, 2.0, 0.5, 1.0]))
        >>> print(f"{r:.4f}")
        1.0000
    """
    arrays = []
    for name, value in (("x", x), ("y", y), ("w", w)):
        arr = real_array(name, value)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
        arrays.append(arr)
    a, b, weights = arrays
    if not a.shape == b.shape == weights.shape:
        raise ValueError(
            f"x, y and w must have the same length, got {a.shape}, {b.shape} and {weights.shape}"
        )
    dtype = jnp.result_type(a.dtype, b.dtype, weights.dtype)
    return _weighted_correlation(a.astype(dtype), b.astype(dtype), weights.astype(dtype))


@kernel()
def _weighted_correlation(a: jax.Array, b: jax.Array, weights: jax.Array) -> jax.Array:
    total = jnp.sum(weights)
    total = jnp.where(total == 0, 1, total)
    da = a - jnp.sum(weights * a) / total
    db = b - jnp.sum(weights * b) / total
    cov = jnp.sum(weights * da * db) / total
    denom = jnp.sqrt(jnp.sum(weights * da * da) / total * (jnp.sum(weights * db * db) / total))
    ok = denom != 0
    return jnp.clip(jnp.where(ok, cov / jnp.where(ok, denom, 1), 0), -1.0, 1.0)


def functional_connectivity(activities: jax.typing.ArrayLike) -> jax.Array:
    r"""Functional connectivity: Pearson correlation matrix of the signals.

    :math:`FC_{ij} = \rho(x_i, x_j)` over time; pairs with a constant signal give 0 and
    the diagonal is 1.

    Args:
        activities: ``(num_time, num_signals)``.

    Returns:
        ``(num_signals, num_signals)``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import functional_connectivity
        >>> t = np.arange(50.0)
        >>> print(functional_connectivity(np.stack([t, -t], axis=1)))
        [[ 1. -1.]
         [-1.  1.]]
    """
    return _functional_connectivity(matrix("activities", activities, "(num_time, num_signals)"))


@kernel()
def _functional_connectivity(x: jax.Array) -> jax.Array:
    corr = correlation_matrix(x)
    return jnp.where(jnp.eye(x.shape[1], dtype=bool), jnp.ones_like(corr), corr)


def functional_connectivity_dynamics(
    activities: jax.typing.ArrayLike, window_size: int = 30, step_size: int = 5
) -> jax.Array:
    r"""Functional connectivity dynamics: correlation between windowed FC matrices.

    For each window ``[k * step_size, k * step_size + window_size)`` the upper triangle of
    :func:`functional_connectivity` is a vector :math:`v_k`;
    :math:`FCD_{kl} = \rho(v_k, v_l)` (diagonal 1, constant vectors give 0).

    Args:
        activities: ``(num_time, num_signals)``, at least 2 signals.
        window_size: samples per window (static int ``>= 2``).
        step_size: samples between window starts (static int ``>= 1``).

    Returns:
        ``(num_windows, num_windows)``; ``(0, 0)`` when the recording is shorter than one
        window.

    Example:
        >>> import numpy as np
        >>> from core.analysis import functional_connectivity_dynamics
        >>> x = np.random.default_rng(0).normal(size=(100, 4))
        >>> functional_connectivity_dynamics(x, window_size=30, step_size=10).shape
        (8, 8)

    References:
        Hansen et al., *Functional connectivity dynamics: modeling the switching behavior
        of the resting state*, NeuroImage 105 (2015) 525-535.
    """
    x = matrix("activities", activities, "(num_time, num_signals)")
    window = as_int("window_size", window_size, minimum=2)
    step = as_int("step_size", step_size, minimum=1)
    n_time, n_signals = x.shape
    if n_signals < 2:
        raise ValueError(f"activities must hold at least 2 signals, got {n_signals}")
    if n_time < window:
        return jnp.zeros((0, 0), x.dtype)
    return _fcd(x, window=window, step=step)


@kernel("window", "step")
def _fcd(x: jax.Array, *, window: int, step: int) -> jax.Array:
    n_time, n_signals = x.shape
    starts = np.arange(0, n_time - window + 1, step)
    windows = x[starts[:, None] + np.arange(window)[None, :]]
    rows, cols = np.triu_indices(n_signals, k=1)
    vectors = jax.vmap(lambda seg: correlation_matrix(seg)[rows, cols])(windows)
    fcd = correlation_matrix(vectors.T)
    return jnp.where(jnp.eye(len(starts), dtype=bool), jnp.ones_like(fcd), fcd)
