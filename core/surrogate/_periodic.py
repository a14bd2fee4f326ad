r"""Periodic surrogates: truncated Fourier series of a square wave."""

from __future__ import annotations

import math

import equinox as eqx
import jax.numpy as jnp
from jax import Array

from core._validation import as_int

from ._base import Hyperparameter, Surrogate, hyperparameter
from ._docs import documented


@documented
class SquarewaveFourierSeries(Surrogate):
    r"""Square wave approximated by its first ``n`` odd Fourier harmonics.

    .. math::

        g(x) = \frac{4}{T}\sum_{i=1}^{n} \cos\bigl((2i - 1)\,\omega x\bigr), \qquad
        F(x) = \frac12 + \frac{2}{\pi}\sum_{i=1}^{n}
            \frac{\sin\bigl((2i - 1)\,\omega x\bigr)}{2i - 1},
        \qquad \omega = \frac{2\pi}{T}.

    Same formula and defaults as braintools ``SquarewaveFourierSeries`` and
    spikingjelly ``SquarewaveFourierSeries``. :math:`g` is periodic and can be
    negative away from the threshold. ``n`` is a static (compile-time) integer.

    Args:
        n: number of harmonics, an integer >= 1.
        t_period: period :math:`T`; > 0.
        {flags}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.surrogate import SquarewaveFourierSeries
        >>> g = SquarewaveFourierSeries(n=2, t_period=8.0).surrogate_grad
        >>> print(g(jnp.array([0.0, 4.0, 8.0])))  # period 8, negative in between
        [ 1. -1.  1.]

    References:
        {spikingjelly}
    """

    n: int = eqx.field(default=2, static=True)
    t_period: Hyperparameter = hyperparameter(8.0)

    def __check_init__(self) -> None:
        as_int("n", self.n, minimum=1)

    def surrogate_grad(self, x: Array) -> Array:
        phase = self._phase(x)
        harmonics = sum(
            (jnp.cos((2 * i - 1) * phase) for i in range(1, self.n + 1)), jnp.zeros_like(x)
        )
        return 4.0 / self.t_period * harmonics

    def surrogate_fun(self, x: Array) -> Array:
        phase = self._phase(x)
        harmonics = sum(
            (jnp.sin((2 * i - 1) * phase) / (2 * i - 1) for i in range(1, self.n + 1)),
            jnp.zeros_like(x),
        )
        return 0.5 + 2.0 / math.pi * harmonics

    def _phase(self, x: Array) -> Array:
        """``omega * x`` with ``x`` first reduced to ``[-T/2, T/2]``, so no harmonic overflows.

        Inside that interval ``x`` is used as it is, so near the threshold the phase is
        exactly ``omega * x`` (as in braintools), not a rounded remainder.
        """
        return 2.0 * math.pi / self.t_period * (x - self.t_period * jnp.round(x / self.t_period))
