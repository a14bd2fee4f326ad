"""brainstate modules over the :mod:`core.neuron` cells (no maths here)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

import brainstate
import equinox as eqx
import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core import neuron as core_neuron
from core._docstrings import fill_doc
from core._validation import as_shape, resolve_alias
from core.neuron import Cell, Reset
from core.neuron._hyper import HyperValue
from core.surrogate import ReluGrad, SpikeFunction

C = TypeVar("C", bound=Cell[Any])
T = TypeVar("T")

Size = int | Sequence[int]
BatchSize = int | Sequence[int] | None


class _Neuron(brainstate.nn.Dynamics, Generic[C]):
    """Holds a core cell; its state in ``HiddenState``s; its trainable leaves in ``ParamState``s.

    Each subclass names its HiddenStates in ``_state_names``, in the order of the leaves of
    its core cell's state (``("V",)`` for a bare potential, ``("V", "a")`` for ALIF's).
    """

    _state_names: tuple[str, ...]
    _state_treedef: Any

    def __init__(self, in_size: Size, cell: C, name: str | None) -> None:
        super().__init__(in_size, name=name)
        dynamic, static = eqx.partition(cell, eqx.is_array)
        leaves, treedef = jax.tree.flatten(dynamic)
        self._static_cell = static
        self._param_treedef = treedef
        self._param_names: tuple[str, ...] = tuple(
            f"{_leaf_name(path)}_param" for path, _ in jax.tree_util.tree_leaves_with_path(dynamic)
        )
        for param_name, leaf in zip(self._param_names, leaves, strict=True):
            setattr(self, param_name, brainstate.ParamState(leaf))

    @property
    def cell(self) -> C:
        """The :mod:`core.neuron` cell, with the current values of trainable hyperparameters."""
        values = [getattr(self, n).value for n in self._param_names]
        dynamic = jax.tree.unflatten(self._param_treedef, values)
        cell: C = eqx.combine(dynamic, self._static_cell)
        return cell

    def _batch_shape(self, batch_size: BatchSize) -> tuple[int, ...]:
        if batch_size is None:
            first = getattr(self, self._state_names[0], None)
            if isinstance(first, brainstate.State):
                shape: tuple[int, ...] = tuple(jnp.shape(first.value))
                return shape[: len(shape) - len(self.varshape)]
            return ()
        return as_shape("batch_size", batch_size, min_ndim=0)

    def init_state(self, batch_size: BatchSize = None, **kwargs: object) -> None:
        """Create (or re-initialise) the state at rest, shape ``batch + size``.

        ``batch_size=None`` keeps the batch shape of an existing state (no batch
        axis the first time), so ``brainstate.nn.init_all_states(net)`` inside a
        loss function resets the network for the batch it was initialised with.
        An int gives one batch axis; a tuple, several; ``()`` none. When the state
        exists its value is overwritten in place (the same ``HiddenState``
        object), which keeps the call safe under ``jit`` and ``grad``.
        """
        initial = self.cell.init(self._batch_shape(batch_size), dtype=brainstate.environ.dftype())
        values, self._state_treedef = jax.tree.flatten(initial)
        for state_name, value in zip(self._state_names, values, strict=True):
            existing = getattr(self, state_name, None)
            if isinstance(existing, brainstate.State):
                existing.value = value
            else:
                setattr(self, state_name, brainstate.HiddenState(value))

    def reset_state(self, batch_size: BatchSize = None, **kwargs: object) -> None:
        """Reset the state to rest: :meth:`init_state`, with the same arguments."""
        self.init_state(batch_size, **kwargs)

    def _state_value(self) -> Any:
        """The core cell's state, rebuilt from the ``HiddenState`` values."""
        values = []
        for state_name in self._state_names:
            state = getattr(self, state_name, None)
            if not isinstance(state, brainstate.State):
                raise RuntimeError(
                    f"{type(self).__name__} has no state yet: call "
                    "brainstate.nn.init_all_states(net, batch_size=...) first"
                )
            values.append(state.value)
        return jax.tree.unflatten(self._state_treedef, values)

    def __call__(self, x: ArrayLike) -> Array:
        """Advance one time step (``update``, with brainstate's before/after hooks)."""
        call = cast(Callable[[ArrayLike], Array], super().__call__)  # brainstate's is untyped
        return call(x)

    def update(self, x: ArrayLike) -> Array:
        """Advance one time step with input ``x``; return the output (spikes or potential)."""
        state, output = self.cell.update(self._state_value(), x)
        for state_name, value in zip(self._state_names, jax.tree.leaves(state), strict=True):
            getattr(self, state_name).value = value
        return output


def _leaf_name(path: tuple[object, ...]) -> str:
    """``tau`` for the path ``.tau.raw`` of a Learnable inside the cell."""
    first = path[0]
    name = getattr(first, "name", None)
    return str(name) if name is not None else str(first)


_ONE: HyperValue = 1.0
_ZERO: HyperValue = 0.0


_BRAINPY = {
    "brainpy_threshold": """V_th: brainpy's name for ``v_threshold`` (give one of the two).
V_reset: brainpy's name for ``v_reset`` (give one of the two).""",
    "brainpy_spike": """spk_fun: brainpy's name for ``spike_fun`` (give one of the two).
spk_reset: brainpy's name for ``reset`` (give one of the two).""",
}
"""Docstring fragments: the brainpy spellings the spiking neurons accept (``fill_doc``)."""


def _either(name: str, value: T | None, alias: str, alias_value: T | None, default: T) -> T:
    """``value`` or its brainpy spelling ``alias_value`` (not both); ``default`` if neither."""
    chosen = resolve_alias(name, value, None, alias, alias_value)
    return default if chosen is None else chosen


@fill_doc(**_BRAINPY)
class LIF(_Neuron[core_neuron.LIF]):
    r"""Leaky integrate-and-fire neurons as a brainstate module (``brainpy.state.LIF``-style).

    The maths is :class:`core.neuron.LIF`'s (exact exponential decay, spike at
    :math:`v \ge \vartheta`, soft or hard reset); this module holds the membrane
    potential in a ``brainstate.HiddenState`` named ``V`` and, with
    ``learn_tau`` / ``learn_threshold``, the trainable hyperparameters in
    ``brainstate.ParamState``\ s ``tau_param`` (:math:`\log\tau`) and
    ``v_threshold_param``. Calling the module advances one step and returns spikes.

    .. math::

        V \leftarrow \alpha V + (1-\alpha)(V_{rest} + x), \quad s = \Theta(V - V_{th}),
        \quad V \leftarrow \text{reset}(V, s), \quad \alpha = e^{-\Delta t/\tau}.

    brainpy spellings are accepted too: ``V_th``, ``V_reset``, ``V_rest``,
    ``spk_fun``, ``spk_reset``.

    Args:
        in_size: number of neurons (an int) or their shape (``LIF(100, ...)``).
        tau: membrane time constant, same unit as ``dt``.
        v_threshold: firing threshold (alias ``V_th``).
        v_reset: reset potential (alias ``V_reset``).
        v_rest: resting potential and initial state (alias ``V_rest``).
        dt: the time step; ``None`` takes ``brainstate.environ``'s ``dt`` when it is
            set (at construction), else 1.
        reset: ``"soft"`` or ``"hard"`` (alias ``spk_reset``).
        detach_reset: pass the reset term through ``jax.lax.stop_gradient``.
        spike_fun: a surrogate instance, built-in (``surrogate.ReluGrad()``) or of your
            own :class:`facade.surrogate.Surrogate` subclass: any
            :class:`core.surrogate.SpikeFunction` (alias ``spk_fun``); default
            ``surrogate.ReluGrad()``.
        learn_tau: train ``tau`` (a ``ParamState``).
        learn_threshold: train ``v_threshold`` (a ``ParamState``).
        name: the module name.
        {brainpy_threshold}
        V_rest: brainpy's name for ``v_rest`` (give one of the two).
        {brainpy_spike}

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> import facade as braintools
        >>> neuron = braintools.nn.LIF(3, tau=2.0, spike_fun=braintools.surrogate.ReluGrad())
        >>> _ = brainstate.nn.init_all_states(neuron, batch_size=2)
        >>> spikes = neuron(jnp.full((2, 3), 4.0))
        >>> print(spikes, neuron.V.value.shape)
        [[1. 1. 1.]
         [1. 1. 1.]] (2, 3)
    """

    _state_names = ("V",)

    def __init__(
        self,
        in_size: Size,
        tau: HyperValue = 5.0,
        v_threshold: HyperValue | None = None,
        v_reset: HyperValue | None = None,
        v_rest: HyperValue | None = None,
        *,
        dt: float | None = None,
        reset: Reset | None = None,
        detach_reset: bool = False,
        spike_fun: SpikeFunction | None = None,
        learn_tau: bool = False,
        learn_threshold: bool = False,
        name: str | None = None,
        V_th: HyperValue | None = None,
        V_reset: HyperValue | None = None,
        V_rest: HyperValue | None = None,
        spk_fun: SpikeFunction | None = None,
        spk_reset: Reset | None = None,
    ) -> None:
        cell = core_neuron.LIF(
            in_size,
            tau=tau,
            v_threshold=_either("v_threshold", v_threshold, "V_th", V_th, _ONE),
            v_reset=_either("v_reset", v_reset, "V_reset", V_reset, _ZERO),
            v_rest=_either("v_rest", v_rest, "V_rest", V_rest, _ZERO),
            dt=environ_dt(dt),
            reset=_either("reset", reset, "spk_reset", spk_reset, "soft"),
            detach_reset=detach_reset,
            spike_fun=_either("spike_fun", spike_fun, "spk_fun", spk_fun, ReluGrad()),
            learn_tau=learn_tau,
            learn_threshold=learn_threshold,
        )
        super().__init__(in_size, cell, name)


def environ_dt(dt: float | None) -> float:
    """``dt`` if given, else ``brainstate.environ``'s ``dt`` if set, else 1."""
    if dt is not None:
        return dt
    value = brainstate.environ.get("dt", None)
    if value is None:
        return 1.0
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(
        f"brainstate.environ's dt is {value!r}; spiketrain neurons take a unitless dt "
        "(a float in the unit of tau): pass dt= explicitly"
    )


@fill_doc(**_BRAINPY)
class IF(_Neuron[core_neuron.IF]):
    r"""Integrate-and-fire neurons (:class:`core.neuron.IF`) as a brainstate module.

    .. math::

        V \leftarrow V + x, \quad s = \Theta(V - V_{th}), \quad V \leftarrow \text{reset}(V, s).

    The membrane potential is the ``HiddenState`` ``V`` (starting at 0); a
    trainable threshold is the ``ParamState`` ``v_threshold_param``. brainpy
    spellings ``V_th``, ``V_reset``, ``spk_fun``, ``spk_reset`` are accepted.

    Args:
        in_size: number of neurons (an int) or their shape.
        v_threshold: firing threshold (alias ``V_th``).
        v_reset: reset potential (alias ``V_reset``).
        reset: keyword-only, ``"soft"`` or ``"hard"`` (alias ``spk_reset``).
        detach_reset: pass the reset term through ``jax.lax.stop_gradient``.
        spike_fun: any :class:`core.surrogate.SpikeFunction`, built-in or a
            :class:`facade.surrogate.Surrogate` subclass's instance (alias ``spk_fun``).
        learn_threshold: train ``v_threshold``.
        name: the module name.
        {brainpy_threshold}
        {brainpy_spike}

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade.nn import IF
        >>> neuron = IF(2)
        >>> _ = brainstate.nn.init_all_states(neuron)
        >>> print([neuron(jnp.array([0.6, 0.3])).tolist() for _ in range(3)])
        [[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]
    """

    _state_names = ("V",)

    def __init__(
        self,
        in_size: Size,
        v_threshold: HyperValue | None = None,
        v_reset: HyperValue | None = None,
        *,
        reset: Reset | None = None,
        detach_reset: bool = False,
        spike_fun: SpikeFunction | None = None,
        learn_threshold: bool = False,
        name: str | None = None,
        V_th: HyperValue | None = None,
        V_reset: HyperValue | None = None,
        spk_fun: SpikeFunction | None = None,
        spk_reset: Reset | None = None,
    ) -> None:
        cell = core_neuron.IF(
            in_size,
            v_threshold=_either("v_threshold", v_threshold, "V_th", V_th, _ONE),
            v_reset=_either("v_reset", v_reset, "V_reset", V_reset, _ZERO),
            reset=_either("reset", reset, "spk_reset", spk_reset, "soft"),
            detach_reset=detach_reset,
            spike_fun=_either("spike_fun", spike_fun, "spk_fun", spk_fun, ReluGrad()),
            learn_threshold=learn_threshold,
        )
        super().__init__(in_size, cell, name)


@fill_doc(**_BRAINPY)
class ALIF(_Neuron[core_neuron.ALIF]):
    r"""Adaptive LIF neurons (:class:`core.neuron.ALIF`) as a brainstate module.

    .. math::

        a \leftarrow \rho a, \quad V \leftarrow \alpha V + (1-\alpha)(V_{rest} + x), \quad
        s = \Theta(V - V_{th} - \beta a), \quad V \leftarrow \text{reset}(V, s), \quad
        a \leftarrow a + s,

    with :math:`\alpha = e^{-\Delta t/\tau}`, :math:`\rho = e^{-\Delta t/\tau_a}`. The
    states are the ``HiddenState``\ s ``V`` and ``a`` (as in ``brainpy.state.ALIF``).

    Args:
        in_size: number of neurons (an int) or their shape.
        tau: membrane time constant.
        tau_a: adaptation time constant.
        beta: adaptation strength.
        v_threshold: baseline threshold (alias ``V_th``).
        v_reset: reset potential (alias ``V_reset``).
        v_rest: resting potential (alias ``V_rest``).
        dt: the time step; ``None``: ``brainstate.environ``'s ``dt`` if set, else 1.
        reset: ``"soft"`` or ``"hard"`` (alias ``spk_reset``).
        detach_reset: pass the membrane reset term through ``jax.lax.stop_gradient``.
        spike_fun: any :class:`core.surrogate.SpikeFunction`, built-in or a
            :class:`facade.surrogate.Surrogate` subclass's instance (alias ``spk_fun``).
        learn_tau: train ``tau``.
        learn_threshold: train ``v_threshold``.
        name: the module name.
        {brainpy_threshold}
        V_rest: brainpy's name for ``v_rest`` (give one of the two).
        {brainpy_spike}

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade.nn import ALIF
        >>> neuron = ALIF(1, tau=1.0, tau_a=10.0, beta=0.5)
        >>> _ = brainstate.nn.init_all_states(neuron)
        >>> print([neuron(jnp.array([2.0])).tolist() for _ in range(3)])
        [[1.0], [0.0], [1.0]]
    """

    _state_names = ("V", "a")

    def __init__(
        self,
        in_size: Size,
        tau: HyperValue = 5.0,
        tau_a: HyperValue = 100.0,
        beta: HyperValue = 0.1,
        v_threshold: HyperValue | None = None,
        v_reset: HyperValue | None = None,
        v_rest: HyperValue | None = None,
        *,
        dt: float | None = None,
        reset: Reset | None = None,
        detach_reset: bool = False,
        spike_fun: SpikeFunction | None = None,
        learn_tau: bool = False,
        learn_threshold: bool = False,
        name: str | None = None,
        V_th: HyperValue | None = None,
        V_reset: HyperValue | None = None,
        V_rest: HyperValue | None = None,
        spk_fun: SpikeFunction | None = None,
        spk_reset: Reset | None = None,
    ) -> None:
        cell = core_neuron.ALIF(
            in_size,
            tau=tau,
            tau_a=tau_a,
            beta=beta,
            v_threshold=_either("v_threshold", v_threshold, "V_th", V_th, _ONE),
            v_reset=_either("v_reset", v_reset, "V_reset", V_reset, _ZERO),
            v_rest=_either("v_rest", v_rest, "V_rest", V_rest, _ZERO),
            dt=environ_dt(dt),
            reset=_either("reset", reset, "spk_reset", spk_reset, "soft"),
            detach_reset=detach_reset,
            spike_fun=_either("spike_fun", spike_fun, "spk_fun", spk_fun, ReluGrad()),
            learn_tau=learn_tau,
            learn_threshold=learn_threshold,
        )
        super().__init__(in_size, cell, name)


class LeakyReadout(_Neuron[core_neuron.LeakyReadout]):
    r"""A leaky, non-spiking readout (:class:`core.neuron.LeakyReadout`) as a brainstate module.

    .. math::

        V \leftarrow \alpha V + (1 - \alpha)\, x, \qquad \alpha = e^{-\Delta t/\tau};
        \text{ the output is } V.

    The potential is the ``HiddenState`` ``V`` (starting at 0). Put a
    ``brainstate.nn.Linear`` before it: brainpy's ``LeakyRateReadout(in, out, tau)``
    is ``Linear(in, out)`` followed by this module, up to the input scale
    :math:`1-\alpha` (brainpy accumulates :math:`\alpha r + xW`).

    Args:
        in_size: number of readout units (an int) or their shape.
        tau: time constant.
        dt: keyword-only; ``None``: ``brainstate.environ``'s ``dt`` if set, else 1.
        learn_tau: train ``tau`` (the ``ParamState`` ``tau_param`` holds ``log(tau)``).
        name: the module name.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade.nn import LeakyReadout
        >>> readout = LeakyReadout(2, tau=1.0)
        >>> _ = brainstate.nn.init_all_states(readout)
        >>> for _ in range(2):
        ...     out = readout(jnp.array([1.0, -2.0]))
        >>> print([round(float(o), 2) for o in out])
        [0.86, -1.73]
    """

    _state_names = ("V",)

    def __init__(
        self,
        in_size: Size,
        tau: HyperValue = 5.0,
        *,
        dt: float | None = None,
        learn_tau: bool = False,
        name: str | None = None,
    ) -> None:
        cell = core_neuron.LeakyReadout(in_size, tau=tau, dt=environ_dt(dt), learn_tau=learn_tau)
        super().__init__(in_size, cell, name)
