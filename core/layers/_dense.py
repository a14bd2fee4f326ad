"""An affine layer over the last axis, computed as one 2-D matmul."""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike


def dense(x: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None) -> Array:
    r"""Affine map of the last axis, :math:`y = x W + b`, as one 2-D matmul.

    .. math::

        y_{\dots, j} = \sum_i x_{\dots, i} W_{ij} + b_j

    The same numbers as ``x @ weight + bias``, but the leading axes of ``x`` (time
    and batch of a ``(T, batch, n_in)`` input) are flattened into one before the
    product. XLA then emits one 2-D matmul, and in the backward pass the weight
    gradient is one 2-D matmul contracting over all ``T * batch`` rows rather than a
    contraction over two axes, which is faster on a CPU (about 10% of a whole SNN
    training step of ``benchmarks/snn_step.py``). This is how to project the inputs
    of every time step at once, outside the time loop (see :func:`core.neuron.run`).

    Args:
        x: the input, ``(..., n_in)``.
        weight: the weights, ``(n_in, n_out)``.
        bias: ``None`` or a bias broadcastable to ``(n_out,)``.

    Returns:
        ``(..., n_out)``.

    Raises:
        ValueError: if ``weight`` is not 2-D, ``x`` is a scalar, the last axis of
            ``x`` differs from the first of ``weight``, or ``bias`` does not
            broadcast to ``(n_out,)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.layers import dense
        >>> xs = jnp.ones((100, 64, 3))                 # (time, batch, inputs)
        >>> w, b = jnp.full((3, 5), 0.5), jnp.arange(5.0)
        >>> y = dense(xs, w, b)
        >>> print(y.shape, y[0, 0])
        (100, 64, 5) [1.5 2.5 3.5 4.5 5.5]
    """
    x, weight = jnp.asarray(x), jnp.asarray(weight)
    if weight.ndim != 2:
        raise ValueError(f"weight must be 2-D (n_in, n_out); got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[0]:
        raise ValueError(
            f"the last axis of x must have weight.shape[0] = {weight.shape[0]} entries; "
            f"got x of shape {x.shape}"
        )
    n_out = weight.shape[1]
    if bias is not None:
        bias = jnp.asarray(bias)
        if bias.ndim > 1 or bias.size not in (1, n_out):
            raise ValueError(f"bias must broadcast to ({n_out},) (n_out); got shape {bias.shape}")
    y = x.reshape(-1, x.shape[-1]) @ weight if x.ndim > 2 else x @ weight
    if bias is not None:
        y = y + bias
    return y.reshape(*x.shape[:-1], n_out)
