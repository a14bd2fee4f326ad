"""The network the online rules train, its state, and the pieces both rules share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core.neuron import Cell, Fixed, LeakyReadout

Params: TypeAlias = dict[str, Array]
"""``{"w_in", "w_out"}`` and optionally ``"b_in"``, ``"w_rec"``, ``"b_out"``."""

LossFn: TypeAlias = Callable[[Array, Any], Array]
"""``loss_fn(y_t, target_t) -> scalar``: the loss of one time step."""

REQUIRED = ("w_in", "w_out")
OPTIONAL = ("b_in", "w_rec", "b_out")


class OnlineState(NamedTuple):
    """What an online rule carries from one time step to the next (nothing grows with T).

    Example:
        >>> import jax.numpy as jnp
        >>> from core import neuron, online
        >>> params = {"w_in": jnp.ones((3, 4)), "w_out": jnp.ones((4, 2))}
        >>> state = online.ottt_init(neuron.LIF(4), params, batch_shape=5)
        >>> print(state.neuron.shape, state.readout.shape, sorted(state.traces))
        (5, 4) (5, 2) ['w_in', 'w_out']
    """

    neuron: Any
    """The hidden cell's state (``cell.init(batch_shape)``)."""
    spikes: Array
    """The hidden spikes of the previous step, ``(*batch, n_hidden)`` (recurrent input)."""
    readout: Array
    """The readout output of the previous step, ``(*batch, n_out)``."""
    traces: dict[str, Array]
    """The rule's eligibility traces, one entry per parameter (see the rule)."""


class StepOutput(NamedTuple):
    """One step's readout output ``y``, loss and hidden ``spikes``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.online import StepOutput
        >>> out = StepOutput(jnp.zeros((2, 3)), jnp.array(0.5), jnp.zeros((2, 4)))
        >>> print(out.y.shape, out.loss, out.spikes.shape)
        (2, 3) 0.5 (2, 4)
    """

    y: Array
    """Readout output :math:`y_t`, ``(*batch, n_out)``."""
    loss: Array
    """The step's loss :math:`\\ell_t(y_t, y^*_t)` (a scalar)."""
    spikes: Array
    """Hidden spikes :math:`s_t`, ``(*batch, n_hidden)``."""


def check_network(
    cell: object,
    params: Mapping[str, ArrayLike],
    readout: object,
    feedback: ArrayLike | None = None,
) -> tuple[int, int, int]:
    """Validate the network; return ``(n_in, n_hidden, n_out)``."""
    if not isinstance(cell, Cell):
        raise TypeError(f"cell must be a core.neuron cell (LIF, ALIF, IF...); got {cell!r}")
    shape = getattr(cell, "shape", None)
    if not isinstance(shape, tuple) or len(shape) != 1:
        raise ValueError(f"cell must have a 1-D neuron shape (n_hidden,); got {shape!r}")
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays; got {type(params).__name__}")
    missing = [k for k in REQUIRED if k not in params]
    unknown = sorted(k for k in params if k not in REQUIRED + OPTIONAL)
    if missing or unknown:
        raise ValueError(
            f"params must hold 'w_in' and 'w_out' (and optionally 'b_in', 'w_rec', 'b_out'); "
            f"missing {missing}, unknown {unknown}"
        )
    for key, value in params.items():
        if not jnp.issubdtype(jnp.result_type(value), jnp.floating):
            raise TypeError(f"params['{key}'] must be floating point; got {jnp.result_type(value)}")
    n_hidden = shape[0]
    n_in = _dim(params, "w_in", 2, (None, n_hidden))[0]
    n_out = _dim(params, "w_out", 2, (n_hidden, None))[1]
    for key, expected in (("b_in", (n_hidden,)), ("w_rec", (n_hidden, n_hidden))):
        if key in params:
            _dim(params, key, len(expected), expected)
    if "b_out" in params:
        _dim(params, "b_out", 1, (n_out,))
    if readout is not None:
        if not isinstance(readout, LeakyReadout):
            raise TypeError(f"readout must be None or a core.neuron.LeakyReadout; got {readout!r}")
        if readout.shape != (n_out,):
            raise ValueError(
                f"readout must have shape (n_out,) = ({n_out},) like w_out's columns; "
                f"got {readout.shape}"
            )
        readout_decay(readout)
    if feedback is not None and np.shape(feedback) != (n_hidden, n_out):
        raise ValueError(
            f"feedback must have w_out's shape ({n_hidden}, {n_out}); got {np.shape(feedback)}"
        )
    return n_in, n_hidden, n_out


def _dim(
    params: Mapping[str, ArrayLike], key: str, ndim: int, expected: tuple[int | None, ...]
) -> tuple[int, ...]:
    shape = tuple(np.shape(params[key]))
    if len(shape) != ndim or any(
        e is not None and s != e for s, e in zip(shape, expected, strict=True)
    ):
        wanted = tuple("n" if e is None else e for e in expected)
        raise ValueError(f"params['{key}'] must have shape {wanted}; got {shape}")
    return shape


def readout_decay(readout: LeakyReadout | None) -> float:
    r"""The readout's decay :math:`\kappa = e^{-\Delta t/\tau_{out}}` (0 without a readout cell)."""
    if readout is None:
        return 0.0
    if not isinstance(readout.tau, Fixed):
        raise ValueError("readout must have a fixed tau (learn_tau=False) for an online rule")
    taus = np.unique(np.asarray(readout.tau.value))
    if taus.size != 1:
        raise ValueError("readout must have one tau for all outputs (a scalar) for an online rule")
    return float(np.exp(-readout.dt / taus[0]))


def membrane_decay(cell: Cell[Any]) -> float | Array:
    r"""The hidden cell's membrane leak :math:`\alpha = e^{-\Delta t/\tau}` (1 without ``tau``)."""
    tau = getattr(cell, "tau", None)
    if tau is None:
        return 1.0
    dt = float(getattr(cell, "dt", 1.0))
    if isinstance(tau, Fixed):
        alpha = np.exp(-dt / np.asarray(tau.value, np.float64))
        return float(alpha) if alpha.ndim == 0 else jnp.asarray(alpha)
    return jnp.exp(-dt / tau.get())


def init_state(
    cell: Cell[Any],
    params: Mapping[str, ArrayLike],
    batch_shape: int | tuple[int, ...],
    readout: LeakyReadout | None,
    dtype: DTypeLike,
    traces: Callable[[tuple[int, ...], int, int, int], dict[str, tuple[int, ...]]],
) -> OnlineState:
    """A state at rest with zero traces of the shapes ``traces(batch, n_in, n_h, n_out)``."""
    n_in, n_hidden, n_out = check_network(cell, params, readout)
    neuron_state = cell.init(batch_shape, dtype)
    batch = tuple(jax.tree.leaves(neuron_state)[0].shape[:-1])
    shapes = traces(batch, n_in, n_hidden, n_out)
    return OnlineState(
        neuron=neuron_state,
        spikes=jnp.zeros((*batch, n_hidden), dtype),
        readout=jnp.zeros((*batch, n_out), dtype),
        traces={k: jnp.zeros(s, dtype) for k, s in shapes.items() if _present(k, params)},
    )


def _present(trace: str, params: Mapping[str, ArrayLike]) -> bool:
    """A trace ``"w_in"`` or ``"w_in:filtered"`` exists when its parameter does."""
    return trace.split(":")[0] in params


def presynaptic(params: Mapping[str, Array], x: Array, previous_spikes: Array) -> dict[str, Array]:
    """The presynaptic activity of each hidden parameter: input, last spikes, ones (bias)."""
    pre = {"w_in": x}
    if "w_rec" in params:
        pre["w_rec"] = previous_spikes
    if "b_in" in params:
        pre["b_in"] = jnp.ones((*x.shape[:-1], 1), x.dtype)
    return pre


def hidden_current(params: Mapping[str, Array], pre: Mapping[str, Array]) -> Array:
    r"""The input current :math:`I_t = x_t W_{in} + s_{t-1} W_{rec} + b_{in}`."""
    current = pre["w_in"] @ params["w_in"]
    if "w_rec" in params:
        current = current + pre["w_rec"] @ params["w_rec"]
    if "b_in" in params:
        current = current + params["b_in"]
    return current


def readout_step(
    params: Mapping[str, Array],
    readout: LeakyReadout | None,
    y_previous: Array,
    spikes: Array,
) -> Array:
    r"""The readout :math:`y_t = \kappa y_{t-1} + (1-\kappa)(s_t W_{out} + b_{out})`."""
    drive = spikes @ params["w_out"]
    if "b_out" in params:
        drive = drive + params["b_out"]
    if readout is None:
        return drive
    return readout.update(y_previous, drive)[1]


def step_loss(loss_fn: LossFn, y: Array, target: Any) -> tuple[Array, Array]:
    r"""The step's loss :math:`\ell_t` and its gradient :math:`\partial\ell_t/\partial y_t`."""

    def scalar(out: Array) -> Array:
        return jnp.asarray(loss_fn(out, target))

    shape = jax.eval_shape(scalar, y).shape
    if shape != ():
        raise ValueError(f"loss_fn must return a scalar per step; got shape {shape}")
    loss, grad = jax.value_and_grad(scalar)(y)
    return loss, grad


def batch_outer(pre: Array, post: Array) -> Array:
    """:math:`\\sum_b pre_{b,i}\\, post_{b,j}` over every leading (batch) axis."""
    return pre.reshape(-1, pre.shape[-1]).T @ post.reshape(-1, post.shape[-1])


def readout_grads(
    params: Mapping[str, Array],
    traces: dict[str, Array],
    kappa: float,
    spikes: Array,
    dloss_dy: Array,
) -> tuple[dict[str, Array], dict[str, Array]]:
    r"""Exact readout gradients from presynaptic traces filtered by the readout's decay.

    :math:`\hat s_t = \kappa \hat s_{t-1} + (1-\kappa) s_t`, so
    :math:`\partial\ell_t/\partial W_{out} = \hat s_t^\top\,\partial\ell_t/\partial y_t`
    (the readout is linear in its weights, so this is exact).
    """
    new = dict(traces)
    new["w_out"] = kappa * traces["w_out"] + (1.0 - kappa) * spikes
    grads = {"w_out": batch_outer(new["w_out"], dloss_dy)}
    if "b_out" in params:
        new["b_out"] = kappa * traces["b_out"] + (1.0 - kappa)
        grads["b_out"] = (new["b_out"] * dloss_dy).reshape(-1, dloss_dy.shape[-1]).sum(0)
    return new, grads


def hidden_grad(key: str, value: Array) -> Array:
    """A bias gradient computed as a ``(1, n)`` outer product becomes ``(n,)``."""
    return value[0] if key == "b_in" else value


def hidden_input(
    cell: Cell[Any],
    params: Params,
    state: OnlineState,
    x: ArrayLike,
    readout: LeakyReadout | None,
    feedback: ArrayLike | None,
) -> tuple[dict[str, Array], Array]:
    """Validate the network; return the presynaptic activities and the input current."""
    check_network(cell, params, readout, feedback)
    pre = presynaptic(params, jnp.asarray(x), state.spikes)
    return pre, hidden_current(params, pre)


class ReadoutStep(NamedTuple):
    """The readout's part of a step, shared by the rules."""

    y: Array
    loss: Array
    kappa: float
    traces: dict[str, Array]
    grads: dict[str, Array]
    signal: Array
    """The learning signal :math:`L_t = \\partial\\ell_t/\\partial y_t\\, B^\top`."""


def read_out(
    params: Params,
    state: OnlineState,
    spikes: Array,
    target: Any,
    loss_fn: LossFn,
    readout: LeakyReadout | None,
    feedback: ArrayLike | None,
) -> ReadoutStep:
    """Readout output, loss, exact readout gradients and the learning signal of a step."""
    y = readout_step(params, readout, state.readout, spikes)
    loss, dloss_dy = step_loss(loss_fn, y, target)
    kappa = readout_decay(readout)
    traces, grads = readout_grads(params, state.traces, kappa, spikes, dloss_dy)
    weights = params["w_out"] if feedback is None else jnp.asarray(feedback, dloss_dy.dtype)
    return ReadoutStep(y, loss, kappa, traces, grads, dloss_dy @ weights.T)


HiddenRule: TypeAlias = Callable[
    [dict[str, Array], Array, Callable[..., Any], ReadoutStep],
    tuple[dict[str, Array], dict[str, Array]],
]
"""``hidden(pre, current, jvp, out) -> (traces, grads)``: a rule's part of a step.

From the presynaptic activities, the input current, ``jvp`` (the cell's step linearised in
``(state, current)``) and the readout's part, the new traces and the gradients of the
hidden parameters (``"w_in"``, and ``"w_rec"``, ``"b_in"`` when present)."""


class Network(NamedTuple):
    """What a step runs besides the state: the hidden cell, the parameters, the readout."""

    cell: Cell[Any]
    params: Params
    readout: LeakyReadout | None
    """``None`` (non-leaky readout) or the readout cell."""
    feedback: ArrayLike | None
    """``None`` (symmetric, ``w_out``) or a fixed ``(n_h, n_out)`` feedback matrix."""


def rule_step(
    network: Network,
    state: OnlineState,
    x: ArrayLike,
    target: Any,
    loss_fn: LossFn,
    hidden: HiddenRule,
) -> tuple[OnlineState, Params, StepOutput]:
    """One step of an online rule: what every rule shares, around the rule's ``hidden`` part.

    The input current, the cell's step linearised by :func:`jax.linearize`, the readout
    with its exact gradients and learning signal (:func:`read_out`), then ``hidden`` for
    the hidden parameters; the gradients come back in the order of ``params``.
    """
    cell, params, readout, feedback = network
    pre, current = hidden_input(cell, params, state, x, readout, feedback)
    (neuron_state, spikes), jvp = jax.linearize(cell.update, state.neuron, current)
    out = read_out(params, state, spikes, target, loss_fn, readout, feedback)
    hidden_traces, hidden_grads = hidden(pre, current, jvp, out)
    traces = {**out.traces, **hidden_traces}
    grads = {**out.grads, **hidden_grads}
    new_state = OnlineState(neuron_state, spikes, out.y, traces)
    return new_state, {k: grads[k] for k in params}, StepOutput(out.y, out.loss, spikes)
