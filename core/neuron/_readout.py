"""The leaky, non-spiking readout (a leaky integrator)."""

from __future__ import annotations

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core._validation import as_shape

from ._base import BatchShape, Cell, check_dt, check_input, full_state, leak
from ._hyper import Fixed, Hyper, HyperValue, decay, make_hyper


class LeakyReadout(Cell[Array]):
    r"""Leaky integrator: the LIF membrane without spikes, read out as the output.

    .. math::

        v_t = \alpha\, v_{t-1} + (1 - \alpha)\, x_t, \qquad \alpha = e^{-\Delta t/\tau},

    the same exact-decay discretisation as :class:`LIF` (with :math:`v_{rest}=0`),
    so a constant input :math:`x` drives :math:`v` to :math:`x` (unit DC gain).
    The output is :math:`v_t`; the state starts at 0. Use it as the last layer
    of a spiking classifier, reading logits from the final (or time-averaged)
    membrane potential. brainpy's ``LeakyRateReadout`` includes the weight matrix
    and accumulates :math:`\alpha r + xW` (DC gain :math:`1/(1-\alpha)`); here the
    weights are a separate linear layer.

    Args:
        size: number of output units (an int) or their shape (a tuple).
        tau: time constant :math:`\tau`, > 0 (same unit as ``dt``).
        dt: keyword-only, the time step. Default 1: ``tau`` in steps.
        learn_tau: make ``tau`` a trainable leaf (stored as ``log(tau)``).

    Example:
        >>> import jax.numpy as jnp
        >>> from core.neuron import LeakyReadout
        >>> readout = LeakyReadout(2, tau=1.0)
        >>> v = readout.init()
        >>> for t in range(3):
        ...     v, out = readout(v, jnp.array([1.0, -2.0]))
        ...     print([round(float(o), 3) for o in out])
        [0.632, -1.264]
        [0.865, -1.729]
        [0.95, -1.9]
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    tau: Hyper
    dt: float = eqx.field(static=True)

    def __init__(
        self,
        size: int | Sequence[int],
        tau: HyperValue = 5.0,
        *,
        dt: float = 1.0,
        learn_tau: bool = False,
    ) -> None:
        self.shape = as_shape("size", size, min_ndim=0)
        check_dt(dt)
        self.tau = make_hyper("tau", tau, self.shape, learnable=learn_tau, positive=True)
        self.dt = float(dt)

    def init(self, batch_shape: BatchShape = (), dtype: DTypeLike = jnp.float32) -> Array:
        """Potential 0, shape ``batch_shape + shape``."""
        return full_state(Fixed(0.0), batch_shape, self.shape, dtype)

    def update(self, state: Array, x: ArrayLike) -> tuple[Array, Array]:
        """One step: returns ``(v, v)`` (the new state is also the output)."""
        current = check_input(x, state, "LeakyReadout")
        alpha, one_minus = decay(self.tau, self.dt, state.dtype)
        v = leak(state, current, alpha, one_minus, Fixed(0.0))
        return v, v
