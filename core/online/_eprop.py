"""e-prop: eligibility traces times a learning signal from the readout (Bellec et al. 2020)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core._docstrings import fill_doc
from core.neuron import IF, LIF, Cell, LeakyReadout

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

_HIDDEN = ("w_in", "w_rec", "b_in")


@fill_doc(**ONLINE)
def eprop_init(
    cell: Cell[Any],
    params: Mapping[str, ArrayLike],
    batch_shape: int | tuple[int, ...] = (),
    *,
    readout: LeakyReadout | None = None,
    dtype: DTypeLike = jnp.float32,
) -> OnlineState:
    r"""The e-prop state at rest: neuron state, zero eligibility vectors and traces.

    For each hidden parameter (``"w_in"``, and ``"w_rec"``, ``"b_in"`` when present)
    the traces hold the eligibility vector :math:`\epsilon_{ji}` of every hidden-state
    component (``(C, *batch, n_pre, n_hidden)``, :math:`C` = 1 for LIF, 2 for ALIF)
    and, with a leaky readout, the filtered eligibility trace :math:`\bar e_{ji}`
    (``"<name>:filtered"``). For a ``LIF`` or ``IF`` with a detached soft reset and one
    ``tau`` (the paper's LIF), the eligibility vector does not depend on the
    postsynaptic neuron, and only its presynaptic factor is kept (``(*batch, n_pre)``,
    see :func:`eprop_step`). Their size does not depend on the sequence length.

    Args:
        cell: the hidden :mod:`core.neuron` cell (1-D neuron shape ``(n_hidden,)``).
        params: the parameters (see :func:`eprop_step`).
        {init}

    Returns:
        An :class:`OnlineState`.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import neuron, online
        >>> params = {"w_in": jnp.ones((3, 4)), "w_out": jnp.ones((4, 2))}
        >>> state = online.eprop_init(neuron.ALIF(4), params, 5)
        >>> print(state.traces["w_in"].shape)
        (2, 5, 3, 4)
    """
    components = len(jax.tree.leaves(cell.init((), dtype)))
    filtered = readout is not None
    presynaptic_only = _presynaptic_leak(cell) is not None

    def shapes(
        batch: tuple[int, ...], n_in: int, n_h: int, n_out: int
    ) -> dict[str, tuple[int, ...]]:
        pre = {"w_in": n_in, "w_rec": n_h, "b_in": 1}
        out: dict[str, tuple[int, ...]] = {}
        for key, n in pre.items():
            out[key] = (*batch, n) if presynaptic_only else (components, *batch, n, n_h)
            if filtered:
                out[f"{key}:filtered"] = (*batch, n, n_h)
        out["w_out"] = (*batch, n_h)
        out["b_out"] = (*batch, 1)
        return out

    return init_state(cell, params, batch_shape, readout, dtype, shapes)


@fill_doc(**ONLINE)
def eprop_step(
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
    r"""One e-prop step: advance the network and return this step's parameter gradients.

    The network is one layer of spiking cells and a linear readout:

    .. math::

        I_t = x_t W_{in} + s_{t-1} W_{rec} + b_{in}, \qquad
        (h_t, s_t) = \text{cell}(h_{t-1}, I_t), \qquad
        y_t = \kappa y_{t-1} + (1-\kappa)(s_t W_{out} + b_{out}),

    with :math:`\kappa = 0` without a readout cell (``y_t = s_t W_{out} + b_{out}``).
    For a hidden weight :math:`W_{ji}` with presynaptic activity :math:`p_{i,t}`
    (input, last spikes, or 1 for the bias), e-prop keeps the eligibility vector
    :math:`\epsilon_{ji,t}` (one entry per state component of neuron :math:`j`) and the
    eligibility trace :math:`e_{ji,t}`:

    .. math::

        e_{ji,t} = \frac{\partial s_{j,t}}{\partial h_{j,t-1}}\,\epsilon_{ji,t-1}
                 + \frac{\partial s_{j,t}}{\partial I_{j,t}}\,p_{i,t}, \qquad
        \epsilon_{ji,t} = \frac{\partial h_{j,t}}{\partial h_{j,t-1}}\,\epsilon_{ji,t-1}
                 + \frac{\partial h_{j,t}}{\partial I_{j,t}}\,p_{i,t},

    where the partial derivatives are the cell's own, taken by :func:`jax.linearize`
    of ``cell.update`` (so the spike's derivative is the cell's surrogate,
    :math:`\psi_{j,t}`). For a LIF with ``detach_reset=True`` this is the paper's
    :math:`e_{ji,t} = \psi_{j,t}\bar x_{i,t}`, :math:`\bar x_{i,t} = \alpha\bar x_{i,t-1}
    + (1-\alpha)p_{i,t}` (kept per presynaptic input only, with a soft reset and one
    ``tau``); for an ALIF it is the paper's two-component recursion with the
    adaptive threshold. The gradient of the step's loss :math:`\ell_t(y_t, y^*_t)` is

    .. math::

        \widehat{\frac{d\ell_t}{dW_{ji}}} = L_{j,t}\,\bar e_{ji,t}, \qquad
        L_{j,t} = \sum_k B_{jk}\,\frac{\partial \ell_t}{\partial y_{k,t}}, \qquad
        \bar e_{ji,t} = \kappa\,\bar e_{ji,t-1} + (1-\kappa)\,e_{ji,t},

    with :math:`B = W_{out}` (symmetric e-prop) or a fixed ``feedback`` matrix (random
    e-prop), summed over the batch. The readout's gradients are exact:
    :math:`\hat s_t^\top \partial\ell_t/\partial y_t` with :math:`\hat s_t = \kappa\hat s_{t-1}
    + (1-\kappa)s_t`. Summed over :math:`t`, the gradients equal BPTT's for one
    feedforward layer with a detached reset; with recurrence they drop the paths through
    other neurons' future spikes (the paper's approximation). The cell's own trainable
    hyperparameters get no gradient.

    Args:
        cell: the hidden cell, any :mod:`core.neuron` cell with a 1-D shape.
        params: ``{"w_in": (n_in, n_h), "w_out": (n_h, n_out)}``, optionally ``"b_in"``
            ``(n_h,)``, ``"w_rec"`` ``(n_h, n_h)``, ``"b_out"`` ``(n_out,)``.
        state: from :func:`eprop_init` or the previous step.
        x: this step's input, ``(*batch, n_in)``.
        target: this step's target, passed to ``loss_fn`` (any pytree).
        {network}

    Returns:
        ``(state, grads, output)``: the new state, this step's gradients (a dict like
        ``params``) and a :class:`StepOutput`.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core import loss, neuron, online
        >>> cell = neuron.LIF(4, tau=5.0, detach_reset=True)
        >>> params = {"w_in": jnp.full((3, 4), 2.0), "w_out": jnp.ones((4, 2))}
        >>> def loss_fn(y, label):
        ...     return loss.softmax_cross_entropy_with_integer_labels(y, label).mean()
        >>> state = online.eprop_init(cell, params, 1)
        >>> for t in range(3):
        ...     state, grads, out = online.eprop_step(
        ...         cell, params, state, jnp.ones((1, 3)), jnp.array([0]), loss_fn=loss_fn)
        >>> print(grads["w_in"].shape, out.spikes)
        (3, 4) [[1. 1. 1. 1.]]

    References:
        Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein, Maass (2020), *A solution
        to the learning dilemma for recurrent networks of spiking neurons*, Nature
        Communications 11, 3625.
    """

    def hidden(
        pre: dict[str, Array], current: Array, jvp: Any, out: ReadoutStep
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        leak = _presynaptic_leak(cell)
        d_state, d_spikes = _jacobians(jvp, state.neuron, current, only_input=leak is not None)
        traces: dict[str, Array] = {}
        grads: dict[str, Array] = {}
        for key in _HIDDEN:
            if key not in pre:
                continue
            if leak is not None:  # e = (ds/dI) a_hat, a_hat = alpha a_hat + p: per input only
                decay = leak if isinstance(leak, float) else leak.astype(pre[key].dtype)
                a_hat = decay * state.traces[key] + pre[key]
                traces[key] = a_hat
                if readout is None:
                    grads[key] = hidden_grad(key, batch_outer(a_hat, out.signal * d_spikes[-1]))
                    continue
                trace = d_spikes[-1][..., None, :] * a_hat[..., :, None]
            else:
                p = pre[key][..., :, None]
                eps = state.traces[key]
                trace = _propagate(d_spikes, eps, p)
                traces[key] = jnp.stack([_propagate(row, eps, p) for row in d_state])
            if readout is not None:
                trace = out.kappa * state.traces[f"{key}:filtered"] + (1.0 - out.kappa) * trace
                traces[f"{key}:filtered"] = trace
            total = (trace * out.signal[..., None, :]).reshape(-1, *trace.shape[-2:]).sum(0)
            grads[key] = hidden_grad(key, total)
        return traces, grads

    return rule_step(Network(cell, params, readout, feedback), state, x, target, loss_fn, hidden)


def _propagate(derivatives: list[Array], eps: Array, p: Array) -> Array:
    """``sum_c derivatives[c] * eps[c] + derivatives[-1] * p`` over ``(..., n_pre, n_h)``."""
    out = derivatives[-1][..., None, :] * p
    for c in range(eps.shape[0]):
        out = out + derivatives[c][..., None, :] * eps[c]
    return out


def _presynaptic_leak(cell: Cell[Any]) -> float | Array | None:
    r"""The leak :math:`\alpha` when the eligibility vector is presynaptic only, else ``None``.

    For a ``LIF`` / ``IF`` with a detached soft reset,
    :math:`\partial v_t/\partial v_{t-1} = \alpha` for every neuron, so
    :math:`\epsilon_{ji,t} = (1-\alpha)\hat a_{i,t}` with
    :math:`\hat a_t = \alpha \hat a_{t-1} + p_t`, and
    :math:`e_{ji,t} = (\partial s_{j,t}/\partial I_{j,t})\,\hat a_{i,t}`.
    """
    if not isinstance(cell, LIF | IF) or not cell.detach_reset or cell.reset != "soft":
        return None
    alpha = membrane_decay(cell)
    return alpha if isinstance(alpha, float) or alpha.shape == () else None


def _jacobians(
    jvp: Any, h: Any, current: Array, *, only_input: bool = False
) -> tuple[list[list[Array]], list[Array]]:
    r"""Per-neuron derivatives of an elementwise cell step.

    Returns ``(d_state, d_spikes)``: ``d_state[c'][c]`` is :math:`\partial h^{c'}_t /
    \partial h^{c}_{t-1}` for ``c < C`` and :math:`\partial h^{c'}_t/\partial I_t` for
    ``c = C``; ``d_spikes[c]`` the same for the spikes.
    """
    leaves, treedef = jax.tree.flatten(h)
    zero_h = [jnp.zeros_like(leaf) for leaf in leaves]
    columns = []
    for c in range(len(leaves) if only_input else 0, len(leaves) + 1):
        tangent_h = [jnp.ones_like(leaf) if i == c else zero_h[i] for i, leaf in enumerate(leaves)]
        tangent_i = jnp.ones_like(current) if c == len(leaves) else jnp.zeros_like(current)
        d_h, d_s = jvp(jax.tree.unflatten(treedef, tangent_h), tangent_i)
        columns.append((jax.tree.leaves(d_h), d_s))
    d_state = [[col[0][row] for col in columns] for row in range(len(leaves))]
    d_spikes = [col[1] for col in columns]
    return d_state, d_spikes
