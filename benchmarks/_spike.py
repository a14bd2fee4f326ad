"""The hand-written spike function of the benchmarks' pure JAX baselines (imports only jax).

``on_lif.py`` is also imported by the spyx venv, which has no ``core``: hence a module
of its own instead of :mod:`core.surrogate`.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import Array


def custom_spike(surrogate_grad: Callable[[Array], Array]) -> Callable[[Array], Array]:
    """The smallest correct spike: Heaviside forward, ``surrogate_grad(x) * t`` backward."""

    @jax.custom_jvp
    def spike(x: Array) -> Array:
        return (x >= 0).astype(x.dtype)

    @spike.defjvp
    def spike_jvp(primals: tuple[Array], tangents: tuple[Array]) -> tuple[Array, Array]:
        (x,), (t,) = primals, tangents
        return spike(x), surrogate_grad(x) * t

    return spike


def relu_grad(x: Array) -> Array:
    """The ``ReluGrad()`` surrogate derivative ``0.3 * max(0, 1 - |x|)``."""
    return 0.3 * jnp.maximum(1.0 - jnp.abs(x), 0.0)


relu_grad_spike = custom_spike(relu_grad)
"""Heaviside forward, :func:`relu_grad` backward."""
