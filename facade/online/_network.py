"""A brainstate network trained online (e-prop or OTTT) by :mod:`core.online` kernels."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

import brainstate
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike

from core import loss as core_loss
from core import online as core_online
from core._validation import as_int, check_choice
from core.neuron import LeakyReadout as CoreReadout
from core.online import OnlineState
from facade import nn

Grads = dict[tuple[str, ...], Array]
"""Gradients keyed like ``net.states(brainstate.ParamState)``: ``{("w_in",): ...}``."""

_PARAMS = ("w_in", "b_in", "w_rec", "w_out", "b_out")


def cross_entropy(y: Array, labels: Array) -> Array:
    r"""Mean softmax cross-entropy of logits ``y`` ``(batch, n_out)`` and integer ``labels``.

    .. math::

        \ell = -\frac{1}{B}\sum_b \log \operatorname{softmax}(y_b)_{c_b}

    Args:
        y: the readout output of one step, ``(batch, n_out)``.
        labels: integer class labels, ``(batch,)``.

    Returns:
        The mean loss, a scalar.

    Example:
        >>> import jax.numpy as jnp
        >>> from facade.online import cross_entropy
        >>> print(round(float(cross_entropy(jnp.zeros((2, 4)), jnp.array([0, 3]))), 4))
        1.3863
    """
    return core_loss.softmax_cross_entropy_with_integer_labels(y, labels).mean()


@functools.partial(jax.jit, static_argnames=("rule", "whole", "loss_fn"))
def _kernel(
    rule: core_online.Rule,
    whole: bool,
    cell: Any,
    params: dict[str, Array],
    data: Array,
    targets: Any,
    loss_fn: Callable[[Array, Any], Array],
    readout: CoreReadout | None,
    feedback: Array | None,
    state: OnlineState,
) -> Any:
    """The network's compiled :mod:`core.online` call: a whole sequence, or one step.

    ``whole=True`` gives :func:`core.online.online_grad`'s ``(grads, OnlineResult)`` for
    ``data`` ``(T, batch, n_in)``; ``whole=False`` the rule's step function's
    ``(state, grads, StepOutput)`` for ``data`` ``(batch, n_in)``.
    """
    if whole:
        return core_online.online_grad(
            rule, cell, params, data, targets,
            loss_fn=loss_fn, readout=readout, feedback=feedback, state=state,
        )  # fmt: skip
    step = core_online.eprop_step if rule == "eprop" else core_online.ottt_step
    return step(
        cell, params, state, data, targets, loss_fn=loss_fn, readout=readout, feedback=feedback
    )


class OnlineNetwork(brainstate.nn.Module):
    r"""A spiking layer and a linear readout, trained online by e-prop or OTTT.

    The network of :func:`core.online.eprop_step`:

    .. math::

        I_t = x_t W_{in} + s_{t-1} W_{rec} + b_{in}, \quad
        s_t = \text{hidden}(I_t), \quad
        y_t = \kappa y_{t-1} + (1-\kappa)(s_t W_{out} + b_{out}),

    with ``hidden`` a :mod:`facade.nn` neuron (``LIF``, ``ALIF``, ``IF``) and the
    readout a :class:`facade.nn.LeakyReadout` (:math:`\kappa = e^{-\Delta t/\tau}`) or
    none (:math:`\kappa = 0`). The weights are ``brainstate.ParamState``\ s ``w_in``,
    ``b_in``, ``w_rec``, ``w_out``, ``b_out`` (those that exist); the network state and
    the rule's eligibility traces are ``brainstate.HiddenState``\ s, whose size does not
    depend on the sequence length. Every number comes from :mod:`core.online`.

    Use it from a braintools-style loop::

        optimizer.register_trainable_weights(net.states(brainstate.ParamState))
        brainstate.nn.init_all_states(net, batch_size=64)
        grads = online_grad(net, xs, targets)    # a whole sequence, memory flat in T
        optimizer.update(grads)

    or let it learn while it runs, updating every ``K`` steps
    (:meth:`fit`), or one step at a time (:meth:`step`).

    Args:
        n_in: number of inputs.
        hidden: the hidden neurons, a :mod:`facade.nn` neuron with fixed hyperparameters
            (its trainable hyperparameters would get no gradient, so they are refused).
        n_out: number of readout units.
        rule: keyword-only, ``"eprop"`` or ``"ottt"``.
        readout: ``None`` or a :class:`facade.nn.LeakyReadout` of ``n_out`` units.
        recurrent: add recurrent weights ``w_rec`` (initialised to zero).
        bias: add the biases ``b_in`` and ``b_out``.
        feedback: ``"symmetric"`` (:math:`B = W_{out}`) or ``"random"`` (a fixed random
            matrix, random e-prop).
        loss_fn: ``loss_fn(y_t, target_t) -> scalar``; default: mean softmax
            cross-entropy with integer labels (:func:`cross_entropy`).
        name: the module name.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> import facade as braintools
        >>> brainstate.random.seed(0)
        >>> net = braintools.online.OnlineNetwork(
        ...     4, braintools.nn.LIF(16, tau=5.0, detach_reset=True), 3, rule="eprop")
        >>> optimizer = braintools.optim.Adam(learning_rate=1e-2)
        >>> optimizer.register_trainable_weights(net.states(brainstate.ParamState))
        >>> _ = brainstate.nn.init_all_states(net, batch_size=8)
        >>> xs = jnp.ones((50, 8, 4))                          # (T, batch, n_in)
        >>> labels = jnp.zeros((50, 8), jnp.int32)              # a label per step
        >>> grads = braintools.online.online_grad(net, xs, labels)
        >>> optimizer.update(grads)
        >>> print(sorted(k[0] for k in grads))
        ['b_in', 'b_out', 'w_in', 'w_out']
    """

    def __init__(
        self,
        n_in: int,
        hidden: nn.LIF | nn.ALIF | nn.IF,
        n_out: int,
        *,
        rule: core_online.Rule = "eprop",
        readout: nn.LeakyReadout | None = None,
        recurrent: bool = False,
        bias: bool = True,
        feedback: str = "symmetric",
        loss_fn: Callable[[Array, Any], Array] = cross_entropy,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        n_in = as_int("n_in", n_in, minimum=1)
        n_out = as_int("n_out", n_out, minimum=1)
        if not isinstance(hidden, nn.LIF | nn.ALIF | nn.IF):
            raise TypeError(f"hidden must be a facade.nn LIF, ALIF or IF; got {hidden!r}")
        if jax.tree.leaves(eqx.filter(hidden.cell, eqx.is_array)):
            raise ValueError(
                "hidden must have fixed hyperparameters (learn_tau=False, "
                "learn_threshold=False): the online rules train the weights only"
            )
        if readout is not None and not isinstance(readout, nn.LeakyReadout):
            raise TypeError(f"readout must be None or a facade.nn.LeakyReadout; got {readout!r}")
        self.rule: core_online.Rule = cast(
            core_online.Rule, check_choice("rule", rule, ("eprop", "ottt"))
        )
        check_choice("feedback", feedback, ("symmetric", "random"))
        if not callable(loss_fn):
            raise TypeError(f"loss_fn must be callable (y, target) -> scalar; got {loss_fn!r}")
        self.hidden = hidden
        self.readout_module = readout
        self.loss_fn = loss_fn
        n_hidden = int(np.prod(hidden.varshape))
        init = nn.KaimingNormal()
        dtype = brainstate.environ.dftype()
        self.w_in = brainstate.ParamState(init((n_in, n_hidden)))
        if bias:
            self.b_in = brainstate.ParamState(jnp.zeros(n_hidden, dtype))
        if recurrent:
            self.w_rec = brainstate.ParamState(jnp.zeros((n_hidden, n_hidden), dtype))
        self.w_out = brainstate.ParamState(init((n_hidden, n_out)))
        if bias:
            self.b_out = brainstate.ParamState(jnp.zeros(n_out, dtype))
        self.feedback = init((n_hidden, n_out)) if feedback == "random" else None
        self._online_names: tuple[str, ...] = ()
        self._online_treedef: Any = None
        self._rest(())  # validates the network for the rule (e.g. one tau for OTTT)

    @property
    def cell(self) -> Any:
        """The hidden layer's :mod:`core.neuron` cell."""
        return self.hidden.cell

    @property
    def core_readout(self) -> CoreReadout | None:
        """The readout's :class:`core.neuron.LeakyReadout` (``None`` without one)."""
        if self.readout_module is None:
            return None
        readout: CoreReadout = self.readout_module.cell
        return readout

    @property
    def params(self) -> dict[str, Array]:
        """The current weights as the :mod:`core.online` parameter dict."""
        return {k: getattr(self, k).value for k in _PARAMS if hasattr(self, k)}

    def init_state(self, batch_size: int | None = None, **kwargs: object) -> None:
        """Create (or reset) the network state and the traces at rest for ``batch_size``.

        ``None`` keeps the batch size of the existing state (no batch axis at first).
        """
        if batch_size is None and self._online_names:
            batch: tuple[int, ...] = tuple(self.online_state.spikes.shape[:-1])
        else:
            batch = () if batch_size is None else (as_int("batch_size", batch_size, minimum=1),)
        self._write(self._rest(batch))

    def reset_state(self, batch_size: int | None = None, **kwargs: object) -> None:
        """Reset the network state and the traces to rest (see :meth:`init_state`)."""
        self.init_state(batch_size)

    def _rest(self, batch: tuple[int, ...]) -> OnlineState:
        init = core_online.eprop_init if self.rule == "eprop" else core_online.ottt_init
        return init(
            self.cell, self.params, batch,
            readout=self.core_readout, dtype=brainstate.environ.dftype(),
        )  # fmt: skip

    def _write(self, state: OnlineState) -> None:
        leaves, treedef = jax.tree.flatten(state)
        names = tuple(f"online_{i}" for i in range(len(leaves)))
        for state_name, leaf in zip(names, leaves, strict=True):
            existing = getattr(self, state_name, None)
            if isinstance(existing, brainstate.State):
                existing.value = leaf
            else:
                setattr(self, state_name, brainstate.HiddenState(leaf))
        self._online_names, self._online_treedef = names, treedef

    @property
    def online_state(self) -> OnlineState:
        """The network state and the rule's traces (a :class:`core.online.OnlineState`)."""
        if not self._online_names:
            raise RuntimeError(
                "OnlineNetwork has no state yet: call "
                "brainstate.nn.init_all_states(net, batch_size=...) first"
            )
        values = [getattr(self, n).value for n in self._online_names]
        state: OnlineState = jax.tree.unflatten(self._online_treedef, values)
        return state

    def _grads(self, grads: dict[str, Array]) -> Grads:
        return {(k,): v for k, v in grads.items()}

    def sequence_grad(self, inputs: ArrayLike, targets: Any) -> tuple[Grads, Array]:
        """Run ``inputs`` ``(T, batch, n_in)``; return the summed gradients and the losses.

        The network state and traces advance to the end of the sequence. The memory of
        the compiled call does not grow with ``T``.
        """
        grads, (state, losses) = self._run(True, inputs, targets)
        self._write(state)
        return self._grads(grads), losses

    def step(self, x: ArrayLike, target: Any) -> tuple[Grads, core_online.StepOutput]:
        """Advance one time step; return this step's gradients and its output."""
        state, grads, output = self._run(False, x, target)
        self._write(state)
        return self._grads(grads), output

    def _run(self, whole: bool, data: ArrayLike, targets: Any) -> Any:
        """:func:`_kernel` on this network's cell, weights, readout, feedback and state."""
        return _kernel(
            self.rule, whole, self.cell, self.params, jnp.asarray(data), targets,
            self.loss_fn, self.core_readout, self.feedback, self.online_state,
        )  # fmt: skip

    def fit(self, inputs: ArrayLike, targets: Any, optimizer: Any, *, every: int) -> Array:
        """Learn while running: ``optimizer.update(grads)`` every ``every`` time steps.

        Args:
            inputs: ``(T, batch, n_in)``.
            targets: a pytree with time on axis 0.
            optimizer: a :mod:`facade.optim` optimizer with this network's
                ``states(brainstate.ParamState)`` registered.
            every: keyword-only, the number of steps between updates (>= 1).

        Returns:
            The loss of every step, ``(T,)``.

        Example:
            >>> import brainstate, jax.numpy as jnp
            >>> import facade as braintools
            >>> net = braintools.online.OnlineNetwork(
            ...     2, braintools.nn.LIF(6, detach_reset=True), 2, rule="ottt")
            >>> optimizer = braintools.optim.SGD(learning_rate=0.1)
            >>> optimizer.register_trainable_weights(net.states(brainstate.ParamState))
            >>> _ = brainstate.nn.init_all_states(net, batch_size=4)
            >>> losses = net.fit(jnp.ones((30, 4, 2)), jnp.ones((30, 4), jnp.int32),
            ...                  optimizer, every=10)
            >>> print(losses.shape, int(optimizer.step_count.value))
            (30,) 3
        """
        k = as_int("every", every, minimum=1)
        if not callable(getattr(optimizer, "update", None)):
            raise TypeError(f"optimizer must have an update(grads) method; got {optimizer!r}")
        xs = jnp.asarray(inputs)
        losses = []
        for start in range(0, xs.shape[0], k):
            part = jax.tree.map(lambda a, i=start: jnp.asarray(a)[i : i + k], (xs, targets))
            grads, segment_losses = self.sequence_grad(*part)
            optimizer.update(grads)
            losses.append(segment_losses)
        return jnp.concatenate(losses)


def online_grad(net: OnlineNetwork, inputs: ArrayLike, targets: Any) -> Grads:
    r"""The online gradient of :math:`\sum_t \ell_t` over a sequence, for ``optimizer.update``.

    ``net``'s rule (e-prop or OTTT, :mod:`core.online`) runs over ``inputs``
    ``(T, batch, n_in)``, and the step gradients are summed; the network state and
    traces advance to the end of the sequence (call
    ``brainstate.nn.reset_all_states(net)`` to start the next one at rest). The result
    is keyed like ``net.states(brainstate.ParamState)``.

    Args:
        net: an :class:`OnlineNetwork` with its state initialised.
        inputs: ``(T, batch, n_in)``.
        targets: one target per step (time on axis 0), as ``net.loss_fn`` takes them.

    Returns:
        The gradients.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> import facade as braintools
        >>> net = braintools.online.OnlineNetwork(3, braintools.nn.ALIF(8), 2, rule="eprop")
        >>> _ = brainstate.nn.init_all_states(net, batch_size=4)
        >>> grads = braintools.online.online_grad(net, jnp.ones((20, 4, 3)),
        ...                                       jnp.zeros((20, 4), jnp.int32))
        >>> print(grads[("w_in",)].shape)
        (3, 8)

    References:
        Bellec et al. (2020), Nature Communications 11, 3625; Xiao et al. (2022), NeurIPS.
    """
    if not isinstance(net, OnlineNetwork):
        raise TypeError(f"net must be a facade.online.OnlineNetwork; got {net!r}")
    return net.sequence_grad(inputs, targets)[0]
