"""Online rules over a whole sequence: summed gradients, or updates every K steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeAlias

import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import as_int, check_choice
from core.neuron import Cell, LeakyReadout
from core.optim import TransformLike, apply_updates

from ._docs import ONLINE
from ._eprop import eprop_init, eprop_step
from ._model import LossFn, Network, OnlineState, Params, StepOutput, check_network
from ._ottt import ottt_init, ottt_step

Rule: TypeAlias = Literal["eprop", "ottt"]
"""The online rule: ``"eprop"`` (:func:`eprop_step`) or ``"ottt"`` (:func:`ottt_step`)."""

_Step: TypeAlias = Callable[..., tuple[OnlineState, Params, StepOutput]]
_RULES: dict[str, tuple[Callable[..., OnlineState], _Step]] = {
    "eprop": (eprop_init, eprop_step),
    "ottt": (ottt_init, ottt_step),
}


class OnlineResult(NamedTuple):
    """What :func:`online_grad` and :func:`online_train` return besides parameters.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.online import OnlineResult
        >>> from core import neuron, online
        >>> params = {"w_in": jnp.ones((3, 4)), "w_out": jnp.ones((4, 2))}
        >>> state = online.ottt_init(neuron.LIF(4), params)
        >>> result = online.OnlineResult(state=state, losses=jnp.zeros(10))
        >>> print(result.losses.shape)
        (10,)
    """

    state: OnlineState
    """The state after the last step (pass it back in to continue the sequence)."""
    losses: Array
    """The loss of every time step, ``(T,)`` (a scalar per step: T numbers, nothing more)."""


@fill_doc(**ONLINE)
def online_grad(
    rule: Rule,
    cell: Cell[Any],
    params: Params,
    inputs: ArrayLike,
    targets: Any,
    *,
    loss_fn: LossFn,
    readout: LeakyReadout | None = None,
    feedback: ArrayLike | None = None,
    state: OnlineState | None = None,
) -> tuple[Params, OnlineResult]:
    r"""The online gradient of :math:`\sum_t \ell_t` over a sequence, in memory flat in T.

    Scans ``rule``'s step (:func:`eprop_step` or :func:`ottt_step`) over the time axis
    0 of ``inputs`` and ``targets`` and sums the step gradients,
    :math:`\sum_t \widehat{d\ell_t/d\theta}`. Nothing per time step is stored except
    the scalar losses, so the memory of a compiled training step does not grow with
    the sequence length, unlike backpropagation through time. The gradients are an
    ordinary pytree (a dict like ``params``): pass them to any :mod:`core.optim`
    optimizer.

    Args:
        rule: ``"eprop"`` or ``"ottt"``.
        cell: the hidden :mod:`core.neuron` cell.
        params: ``{"w_in", "w_out"}``, optionally ``"b_in"``, ``"w_rec"``, ``"b_out"``.
        inputs: ``(T, *batch, n_in)``.
        targets: a pytree whose leaves have time on axis 0 (one target per step), or
            ``()`` when ``loss_fn`` closes over a target that does not change with time
            (then no ``(T, ...)`` copy of it is made).
        {network}
        state: the state to start from; ``None`` starts at rest for the batch of ``inputs``.

    Returns:
        ``(grads, OnlineResult(state, losses))``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core import loss, neuron, online, optim
        >>> cell = neuron.LIF(8, tau=5.0, detach_reset=True)
        >>> k1, k2 = jax.random.split(jax.random.key(0))
        >>> params = {"w_in": jax.random.normal(k1, (4, 8)),
        ...           "w_out": jax.random.normal(k2, (8, 2))}
        >>> xs = jnp.ones((100, 3, 4))                       # (T, batch, n_in)
        >>> labels = jnp.zeros((100, 3), jnp.int32)           # a label per step
        >>> def ce(y, label):
        ...     return loss.softmax_cross_entropy_with_integer_labels(y, label).mean()
        >>> grads, result = online.online_grad("eprop", cell, params, xs, labels, loss_fn=ce)
        >>> tx = optim.adam(1e-2)
        >>> updates, _ = tx.update(grads, tx.init(params), params)
        >>> print(grads["w_in"].shape, result.losses.shape)
        (4, 8) (100,)

    References:
        Bellec et al. (2020), Nature Communications 11, 3625 (e-prop); Xiao et al.
        (2022), NeurIPS (OTTT).
    """
    init, step = _rule(rule)
    xs = jnp.asarray(inputs)
    state = _at_start(init, Network(cell, params, readout, feedback), xs, state)
    zero = jax.tree.map(jnp.zeros_like, params)

    def body(carry: tuple[OnlineState, Params], xt: tuple[Array, Any]) -> tuple[Any, Array]:
        current, total = carry
        current, grads, out = step(
            cell,
            params,
            current,
            xt[0],
            xt[1],
            loss_fn=loss_fn,
            readout=readout,
            feedback=feedback,
        )
        return (current, jax.tree.map(jnp.add, total, grads)), out.loss

    (final, grads), losses = jax.lax.scan(body, (state, zero), (xs, targets))
    return grads, OnlineResult(final, losses)


@fill_doc(**ONLINE)
def online_train(
    rule: Rule,
    cell: Cell[Any],
    params: Params,
    opt_state: Any,
    inputs: ArrayLike,
    targets: Any,
    *,
    tx: TransformLike,
    every: int,
    loss_fn: LossFn,
    readout: LeakyReadout | None = None,
    feedback: ArrayLike | None = None,
    state: OnlineState | None = None,
) -> tuple[Params, Any, OnlineResult]:
    r"""Learn while the network runs: an optimizer update every ``every`` time steps.

    The sequence is cut into segments of :math:`K` = ``every`` steps (the last one may
    be shorter). Within a segment the step gradients are summed (:func:`online_grad`);
    at its end ``tx`` updates the parameters, and the next segment runs with the new
    parameters from the network state and traces reached so far (the network is not
    reset). ``every=T`` is one update per sequence; ``every=1`` is the fully online rule
    of the papers.

    Args:
        rule: ``"eprop"`` or ``"ottt"``.
        cell: the hidden cell.
        params: the parameters (see :func:`eprop_step`).
        opt_state: ``tx.init(params)`` (or the state of a previous call).
        inputs: ``(T, *batch, n_in)``.
        targets: a pytree with time on axis 0, or ``()`` (see :func:`online_grad`).
        tx: keyword-only, any :mod:`core.optim` (or optax) transform.
        every: update every ``every >= 1`` steps.
        {network}
        state: the network state to start from (``None``: at rest).

    Returns:
        ``(params, opt_state, OnlineResult(state, losses))``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core import neuron, online, optim
        >>> cell = neuron.LIF(6, tau=4.0, detach_reset=True)
        >>> params = {"w_in": jax.random.normal(jax.random.key(1), (2, 6)),
        ...           "w_out": jnp.zeros((6, 1))}
        >>> xs, targets = jnp.ones((40, 2)), jnp.ones((40, 1))
        >>> def mse(y, target):
        ...     return ((y - target) ** 2).sum()
        >>> tx = optim.sgd(0.05)
        >>> params, opt_state, result = online.online_train(
        ...     "ottt", cell, params, tx.init(params), xs, targets, tx=tx, every=10,
        ...     loss_fn=mse)
        >>> print(bool(result.losses[-10:].mean() < result.losses[:10].mean()))
        True
    """
    k = as_int("every", every, minimum=1)
    init, _ = _rule(rule)
    xs = jnp.asarray(inputs)
    state = _at_start(init, Network(cell, params, readout, feedback), xs, state)

    def segment(carry: tuple[Params, Any, OnlineState], seq: tuple[Array, Any]) -> Any:
        p, o, s = carry
        grads, result = online_grad(
            rule,
            cell,
            p,
            seq[0],
            seq[1],
            loss_fn=loss_fn,
            readout=readout,
            feedback=feedback,
            state=s,
        )
        updates, o = tx.update(grads, o, p)
        return (apply_updates(p, updates), o, result.state), result.losses

    length = xs.shape[0]
    n, rest = divmod(length, k)
    carry = (params, opt_state, state)
    losses = []
    if n > 0:
        head = jax.tree.map(lambda a: a[: n * k].reshape((n, k, *a.shape[1:])), (xs, targets))
        carry, seg_losses = jax.lax.scan(segment, carry, head)
        losses.append(seg_losses.reshape(-1))
    if rest > 0:
        tail = jax.tree.map(lambda a: a[n * k :], (xs, targets))
        carry, tail_losses = segment(carry, tail)
        losses.append(tail_losses)
    params, opt_state, final = carry
    return params, opt_state, OnlineResult(final, jnp.concatenate(losses))


def _at_start(
    init: Callable[..., OnlineState], network: Network, xs: Array, state: OnlineState | None
) -> OnlineState:
    """``state``, or else the rule's state at rest for the batch of ``xs`` ``(T, *batch, n_in)``."""
    if state is not None:
        return state
    cell, params, readout, feedback = network
    check_network(cell, params, readout, feedback)
    return init(cell, params, xs.shape[1:-1], readout=readout, dtype=xs.dtype)


def _rule(rule: object) -> tuple[Callable[..., OnlineState], _Step]:
    return _RULES[check_choice("rule", rule, tuple(_RULES))]
