"""OTTT: presynaptic traces and the instantaneous loss (Xiao et al. 2022)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core._docstrings import fill_doc
from core.neuron import Cell, LeakyReadout

from ._docs import ONLINE
from ._model import (
    LossFn,
    Network,
    OnlineState,
    Params,
    ReadoutStep,
    StepOutput,
    batch_outer,
    hidden_grad,
    init_state,
    membrane_decay,
    rule_step,
)


@fill_doc(**ONLINE)
def ottt_init(
    cell: Cell[Any],
    params: Mapping[str, ArrayLike],
    batch_shape: int | tuple[int, ...] = (),
    *,
    readout: LeakyReadout | None = None,
    dtype: DTypeLike = jnp.float32,
) -> OnlineState:
    r"""The OTTT state at rest: neuron state and zero presynaptic traces.

    One trace per parameter, of its presynaptic activity only (``(*batch, n_pre)``):
    OTTT's memory is that of the forward pass plus one vector per layer input.

    Args:
        cell: the hidden :mod:`core.neuron` cell, with one ``tau`` for all neurons.
        params: the parameters (see :func:`ottt_step`).
        {init}

    Returns:
        An :class:`OnlineState`.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import neuron, online
        >>> params = {"w_in": jnp.ones((3, 4)), "b_in": jnp.zeros(4), "w_out": jnp.ones((4, 2))}
        >>> state = online.ottt_init(neuron.LIF(4), params, 5)
        >>> print({k: v.shape for k, v in state.traces.items()})
        {'w_in': (5, 3), 'b_in': (5, 1), 'w_out': (5, 4)}
    """
    _scalar_decay(cell)

    def shapes(
        batch: tuple[int, ...], n_in: int, n_h: int, n_out: int
    ) -> dict[str, tuple[int, ...]]:
        return {
            "w_in": (*batch, n_in),
            "w_rec": (*batch, n_h),
            "b_in": (*batch, 1),
            "w_out": (*batch, n_h),
            "b_out": (*batch, 1),
        }

    return init_state(cell, params, batch_shape, readout, dtype, shapes)


@fill_doc(**ONLINE)
def ottt_step(
    cell: Cell[Any],
    params: Params,
    state: OnlineState,
    x: ArrayLike,
    target: Any,
    *,
    loss_fn: LossFn,
    readout: LeakyReadout | None = None,
    feedback: ArrayLike | None = None,
) -> tuple[OnlineState, Params, StepOutput]:
    r"""One OTTT step: advance the network and return this step's parameter gradients.

    The network is :func:`eprop_step`'s. OTTT keeps, for each hidden weight, a trace of
    its presynaptic activity :math:`p_t` (input, last spikes, or 1 for the bias) with the
    membrane's leak :math:`\alpha = e^{-\Delta t/\tau}` (1 for an ``IF`` cell),

    .. math::

        \hat a_t = \alpha\,\hat a_{t-1} + p_t,

    and takes the gradient of the *instantaneous* loss :math:`\ell_t` back to the
    membrane through the current step only (no backpropagation through time):

    .. math::

        \frac{\partial \ell_t}{\partial I_t} = \Bigl((1-\kappa)\,
            \frac{\partial \ell_t}{\partial y_t} B^\top\Bigr) \odot
            \frac{\partial s_t}{\partial I_t}, \qquad
        \widehat{\frac{d\ell_t}{dW}} = \hat a_t^\top\,\frac{\partial \ell_t}{\partial I_t},

    where :math:`\partial s_t/\partial I_t = \psi_t (1-\alpha)` is the cell's surrogate
    derivative times the input gain (taken by :func:`jax.linearize` of ``cell.update``),
    :math:`B = W_{out}` (or a fixed ``feedback`` matrix), and :math:`\kappa` the readout's
    decay (0 without a readout cell). This is the paper's OTTT_A gradient
    :math:`\hat a_t^\top \partial\ell_t/\partial u_t`, with the trace in this library's
    discretisation (:math:`u_t = \alpha v_{t-1} + (1-\alpha) I_t`); the readout's
    gradients are exact (as in :func:`eprop_step`). The reset and the adaptation of an
    ``ALIF`` are not differentiated through time.

    Args:
        cell: the hidden cell (one ``tau`` for all neurons).
        params: ``{"w_in", "w_out"}``, optionally ``"b_in"``, ``"w_rec"``, ``"b_out"``.
        state: from :func:`ottt_init` or the previous step.
        x: this step's input, ``(*batch, n_in)``.
        target: this step's target, passed to ``loss_fn``.
        {network}

    Returns:
        ``(state, grads, output)``: the new state, this step's gradients (a dict like
        ``params``) and a :class:`StepOutput`.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import neuron, online
        >>> cell = neuron.LIF(4, tau=2.0)
        >>> params = {"w_in": jnp.full((3, 4), 1.0), "w_out": jnp.ones((4, 2))}
        >>> def loss_fn(y, target):
        ...     return 0.5 * ((y - target) ** 2).sum()
        >>> state = online.ottt_init(cell, params)
        >>> state, grads, out = online.ottt_step(
        ...     cell, params, state, jnp.ones(3), jnp.zeros(2), loss_fn=loss_fn)
        >>> print(out.spikes, grads["w_out"][0])
        [1. 1. 1. 1.] [4. 4.]

    References:
        Xiao, Meng, Zhang, Wang, Lin (2022), *Online Training Through Time for Spiking
        Neural Networks*, NeurIPS.
    """

    def hidden(
        pre: dict[str, Array], current: Array, jvp: Any, out: ReadoutStep
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        no_state = jax.tree.map(jnp.zeros_like, state.neuron)
        _, ds_dcurrent = jvp(no_state, jnp.ones_like(current))
        delta = (1.0 - out.kappa) * out.signal * ds_dcurrent
        alpha = _scalar_decay(cell)
        decay = alpha if isinstance(alpha, float) else alpha.astype(delta.dtype)
        traces = {key: decay * state.traces[key] + activity for key, activity in pre.items()}
        grads = {key: hidden_grad(key, batch_outer(trace, delta)) for key, trace in traces.items()}
        return traces, grads

    return rule_step(Network(cell, params, readout, feedback), state, x, target, loss_fn, hidden)


def _scalar_decay(cell: Cell[Any]) -> float | Array:
    """The membrane leak, refused unless it is one number for the whole layer."""
    alpha = membrane_decay(cell)
    if not isinstance(alpha, float) and np.shape(alpha) != ():
        raise ValueError("cell must have one tau for all neurons (a scalar) for OTTT")
    return alpha
