"""Integrate-and-fire neurons: LIF, IF and adaptive LIF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import equinox as eqx
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core._validation import as_shape
from core.surrogate import ReluGrad, SpikeFunction

from ._base import (
    BatchShape,
    Cell,
    Reset,
    check_common,
    check_input,
    fire,
    full_state,
    leak,
)
from ._hyper import Fixed, Hyper, HyperValue, decay, make_fixed, make_hyper, resolve


class LIF(Cell[Array]):
    r"""Leaky integrate-and-fire neuron (exact exponential decay, one spike function call).

    One step with input current :math:`x_t` (in units of voltage, :math:`R I`):

    .. math::

        \alpha &= e^{-\Delta t/\tau}, \\
        u_t &= \alpha\, v_{t-1} + (1-\alpha)\,(v_{rest} + x_t)
             \quad\text{(exact solution of } \tau\dot v = -(v - v_{rest}) + x
             \text{ for } x \text{ constant over the step)}, \\
        s_t &= \Theta(u_t - \vartheta) \quad\text{(forward; surrogate derivative backward)}, \\
        v_t &= \begin{cases}
            u_t - r_t\,(\vartheta - v_{reset}) & \text{soft reset} \\
            (1 - r_t)\,u_t + r_t\,v_{reset} & \text{hard reset}
        \end{cases}

    where :math:`r_t = s_t`, or :math:`\operatorname{stop\_gradient}(s_t)` with
    ``detach_reset=True``. The state is the membrane potential *after* the reset,
    :math:`v_t`; the output is :math:`s_t`. A spike is emitted at exactly the
    threshold. This is the exponential-Euler discretisation of brainpy's
    ``brainpy.state.LIF`` (same spikes); the surrogate sees
    :math:`u - \vartheta` unscaled (brainpy divides by :math:`\vartheta - v_{reset}`,
    which is 1 at the defaults).

    Hyperparameters may be scalars or one value per neuron. Fixed ones are
    compile-time constants (:class:`Fixed`, not pytree leaves); with
    ``learn_tau`` / ``learn_threshold`` they become :class:`Learnable` leaves
    (``tau`` stored as ``log(tau)``, so it stays positive).

    Args:
        size: number of neurons (an int) or the neuron shape (a tuple).
        tau: membrane time constant :math:`\tau` (same unit as ``dt``), > 0.
        dt: keyword-only, the time step :math:`\Delta t`. Default 1: ``tau`` in steps.
        v_threshold: firing threshold :math:`\vartheta`.
        v_reset: reset potential :math:`v_{reset}`.
        v_rest: resting potential :math:`v_{rest}` (also the initial state).
        reset: ``"soft"`` (subtract) or ``"hard"`` (set to ``v_reset``).
        detach_reset: pass the reset term through ``jax.lax.stop_gradient``.
        spike_fun: the spike function, any :class:`core.surrogate.SpikeFunction`.
        learn_tau: make ``tau`` a trainable leaf.
        learn_threshold: make ``v_threshold`` a trainable leaf.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.neuron import LIF
        >>> lif = LIF(3, tau=2.0)
        >>> v = lif.init(batch_shape=())
        >>> for t in range(3):
        ...     v, s = lif.update(v, jnp.array([0.5, 2.0, 4.0]))
        ...     print(s, [round(float(x), 3) for x in v])
        [0. 0. 1.] [0.197, 0.787, 0.574]
        [0. 1. 1.] [0.316, 0.264, 0.922]
        [0. 0. 1.] [0.388, 0.947, 1.133]

    References:
        Gerstner, Kistler, Naud, Paninski (2014), *Neuronal Dynamics*, ch. 1.3.
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    tau: Hyper
    v_threshold: Hyper
    v_reset: Fixed
    v_rest: Fixed
    dt: float = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_fun: SpikeFunction

    def __init__(
        self,
        size: int | Sequence[int],
        tau: HyperValue = 5.0,
        v_threshold: HyperValue = 1.0,
        v_reset: HyperValue = 0.0,
        v_rest: HyperValue = 0.0,
        *,
        dt: float = 1.0,
        reset: Reset = "soft",
        detach_reset: bool = False,
        spike_fun: SpikeFunction = ReluGrad(),  # noqa: B008 (an immutable module)
        learn_tau: bool = False,
        learn_threshold: bool = False,
    ) -> None:
        self.shape = as_shape("size", size, min_ndim=0)
        check_common(reset, dt, spike_fun)
        self.tau = make_hyper("tau", tau, self.shape, learnable=learn_tau, positive=True)
        self.v_threshold = make_hyper(
            "v_threshold", v_threshold, self.shape, learnable=learn_threshold
        )
        self.v_reset = make_fixed("v_reset", v_reset, self.shape)
        self.v_rest = make_fixed("v_rest", v_rest, self.shape)
        self.dt = float(dt)
        self.reset = reset
        self.detach_reset = bool(detach_reset)
        self.spike_fun = spike_fun

    def init(self, batch_shape: BatchShape = (), dtype: DTypeLike = jnp.float32) -> Array:
        """Membrane potential at rest, shape ``batch_shape + shape``."""
        return full_state(self.v_rest, batch_shape, self.shape, dtype)

    def update(self, state: Array, x: ArrayLike) -> tuple[Array, Array]:
        """One step: returns ``(v_after_reset, spikes)``, both in the state's dtype."""
        current = check_input(x, state, "LIF")
        alpha, one_minus = decay(self.tau, self.dt, state.dtype)
        u = leak(state, current, alpha, one_minus, self.v_rest)
        threshold = resolve(self.v_threshold, state.dtype)
        return fire(u, threshold, self.v_reset, self.spike_fun, self.reset, self.detach_reset)


class IF(Cell[Array]):
    r"""Integrate-and-fire neuron: a perfect integrator with a threshold.

    .. math::

        u_t = v_{t-1} + x_t, \qquad s_t = \Theta(u_t - \vartheta), \qquad
        v_t = \text{reset}(u_t, s_t)

    with the soft/hard reset and ``detach_reset`` of :class:`LIF`. The input
    :math:`x_t` is the voltage increment of the step (no leak, no time constant).
    The state starts at 0.

    Args:
        size: number of neurons (an int) or the neuron shape (a tuple).
        v_threshold: firing threshold :math:`\vartheta`.
        v_reset: reset potential.
        reset: keyword-only, ``"soft"`` or ``"hard"``.
        detach_reset: pass the reset term through ``jax.lax.stop_gradient``.
        spike_fun: the spike function, any :class:`core.surrogate.SpikeFunction`.
        learn_threshold: make ``v_threshold`` a trainable leaf.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.neuron import IF
        >>> cell = IF(1, reset="hard")
        >>> v = cell.init()
        >>> for t in range(3):
        ...     v, s = cell(v, jnp.array([0.6]))
        ...     print(s, v)
        [0.] [0.6]
        [1.] [0.]
        [0.] [0.6]
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    v_threshold: Hyper
    v_reset: Fixed
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_fun: SpikeFunction

    def __init__(
        self,
        size: int | Sequence[int],
        v_threshold: HyperValue = 1.0,
        v_reset: HyperValue = 0.0,
        *,
        reset: Reset = "soft",
        detach_reset: bool = False,
        spike_fun: SpikeFunction = ReluGrad(),  # noqa: B008 (an immutable module)
        learn_threshold: bool = False,
    ) -> None:
        self.shape = as_shape("size", size, min_ndim=0)
        check_common(reset, 1.0, spike_fun)
        self.v_threshold = make_hyper(
            "v_threshold", v_threshold, self.shape, learnable=learn_threshold
        )
        self.v_reset = make_fixed("v_reset", v_reset, self.shape)
        self.reset = reset
        self.detach_reset = bool(detach_reset)
        self.spike_fun = spike_fun

    def init(self, batch_shape: BatchShape = (), dtype: DTypeLike = jnp.float32) -> Array:
        """Membrane potential 0, shape ``batch_shape + shape``."""
        return full_state(Fixed(0.0), batch_shape, self.shape, dtype)

    def update(self, state: Array, x: ArrayLike) -> tuple[Array, Array]:
        """One step: returns ``(v_after_reset, spikes)``."""
        u = state + check_input(x, state, "IF")
        threshold = resolve(self.v_threshold, state.dtype)
        return fire(u, threshold, self.v_reset, self.spike_fun, self.reset, self.detach_reset)


class ALIFState(NamedTuple):
    """State of an :class:`ALIF` neuron: membrane ``v`` and adaptation ``a``.

    Example:
        >>> from core.neuron import ALIF
        >>> state = ALIF(2).init(batch_shape=4)
        >>> print(type(state).__name__, state.v.shape, state.a.shape)
        ALIFState (4, 2) (4, 2)
    """

    v: Array
    """Membrane potential after the reset."""
    a: Array
    """Adaptation variable after this step's spike increment."""


class ALIF(Cell[ALIFState]):
    r"""Adaptive LIF: a LIF whose threshold rises with each spike and decays back.

    .. math::

        a_t &= \rho\, b_{t-1}, \qquad \rho = e^{-\Delta t/\tau_a}, \\
        u_t &= \alpha\, v_{t-1} + (1-\alpha)(v_{rest} + x_t), \\
        s_t &= \Theta\bigl(u_t - \vartheta - \beta a_t\bigr), \\
        v_t &= \text{reset}(u_t, s_t) \text{ (as in } :class:`LIF`\text{, with } \vartheta), \\
        b_t &= a_t + s_t.

    The state is :class:`ALIFState` ``(v, a)`` with ``a`` = :math:`b_t`, the
    adaptation after the spike increment. This is brainpy's ``ALIF`` ordering
    (decay then spike) and Bellec et al.'s LSNN threshold; ``detach_reset`` affects the
    membrane reset only (the adaptation always receives the gradient of :math:`s_t`).

    Args:
        size: number of neurons (an int) or the neuron shape (a tuple).
        tau: membrane time constant, > 0.
        tau_a: adaptation time constant, > 0.
        beta: adaptation strength :math:`\beta`.
        v_threshold: baseline threshold :math:`\vartheta`.
        v_reset: reset potential.
        v_rest: resting potential (initial membrane state).
        dt: keyword-only, the time step. Default 1.
        reset: ``"soft"`` or ``"hard"``.
        detach_reset: pass the membrane reset term through ``jax.lax.stop_gradient``.
        spike_fun: the spike function, any :class:`core.surrogate.SpikeFunction`.
        learn_tau: make ``tau`` a trainable leaf.
        learn_threshold: make ``v_threshold`` a trainable leaf.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.neuron import ALIF
        >>> cell = ALIF(1, tau=1.0, tau_a=10.0, beta=0.5)
        >>> state = cell.init()
        >>> for t in range(3):
        ...     state, s = cell(state, jnp.array([2.0]))
        ...     print(s, round(float(state.v[0]), 3), round(float(state.a[0]), 3))
        [1.] 0.264 1.0
        [0.] 1.361 0.905
        [1.] 0.765 1.819

    References:
        Bellec et al. (2018), *Long short-term memory and learning-to-learn in
        networks of spiking neurons*, NeurIPS.
    """

    shape: tuple[int, ...] = eqx.field(static=True)
    tau: Hyper
    tau_a: Fixed
    beta: Fixed
    v_threshold: Hyper
    v_reset: Fixed
    v_rest: Fixed
    dt: float = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_fun: SpikeFunction

    def __init__(
        self,
        size: int | Sequence[int],
        tau: HyperValue = 5.0,
        tau_a: HyperValue = 100.0,
        beta: HyperValue = 0.1,
        v_threshold: HyperValue = 1.0,
        v_reset: HyperValue = 0.0,
        v_rest: HyperValue = 0.0,
        *,
        dt: float = 1.0,
        reset: Reset = "soft",
        detach_reset: bool = False,
        spike_fun: SpikeFunction = ReluGrad(),  # noqa: B008 (an immutable module)
        learn_tau: bool = False,
        learn_threshold: bool = False,
    ) -> None:
        self.shape = as_shape("size", size, min_ndim=0)
        check_common(reset, dt, spike_fun)
        self.tau = make_hyper("tau", tau, self.shape, learnable=learn_tau, positive=True)
        self.tau_a = make_fixed("tau_a", tau_a, self.shape, positive=True)
        self.beta = make_fixed("beta", beta, self.shape)
        self.v_threshold = make_hyper(
            "v_threshold", v_threshold, self.shape, learnable=learn_threshold
        )
        self.v_reset = make_fixed("v_reset", v_reset, self.shape)
        self.v_rest = make_fixed("v_rest", v_rest, self.shape)
        self.dt = float(dt)
        self.reset = reset
        self.detach_reset = bool(detach_reset)
        self.spike_fun = spike_fun

    def init(self, batch_shape: BatchShape = (), dtype: DTypeLike = jnp.float32) -> ALIFState:
        """Membrane at ``v_rest`` and adaptation 0, each of shape ``batch_shape + shape``."""
        return ALIFState(
            v=full_state(self.v_rest, batch_shape, self.shape, dtype),
            a=full_state(Fixed(0.0), batch_shape, self.shape, dtype),
        )

    def update(self, state: ALIFState, x: ArrayLike) -> tuple[ALIFState, Array]:
        """One step: returns ``(ALIFState(v, a), spikes)``."""
        v, b = state
        dtype = v.dtype
        current = check_input(x, v, "ALIF")
        alpha, one_minus = decay(self.tau, self.dt, dtype)
        rho, _ = decay(self.tau_a, self.dt, dtype)
        a = rho * b
        u = leak(v, current, alpha, one_minus, self.v_rest)
        base = resolve(self.v_threshold, dtype)
        threshold = base + resolve(self.beta, dtype) * a
        v_new, spikes = fire(
            u, threshold, self.v_reset, self.spike_fun, self.reset, self.detach_reset, base
        )
        return ALIFState(v_new, a + spikes), spikes
