"""The stateful optimizer shell: brainstate states in, one compiled core update, states out."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import brainstate
import jax
import jax.numpy as jnp
import numpy as np

from core import optim as core_optim
from core._validation import check_choice
from core.optim._base import call_update
from core.optim._tree import all_finite

from .._state_access import BulkAccess, can_donate, states_donated, traced, unshared
from . import _optimizer_state as saved_state
from ._gradients import (
    RefusedGradientError,
    Route,
    check_gradient,
    keep_if,
    route,
    unchanged,
)
from ._optimizer_lr import Group, LearningRates, LRSchedulerLike, initial_learning_rate
from ._own_lr import (
    own_learning_rates,
    refuse_lr_for_schedules,
    stored_learning_rates,
)
from ._param_tree import ParamTree
from ._states import PyTreeOfStates, StatePath, UniqueStateManager, flatten_states

NonFinite = Literal["skip", "raise", "apply"]
"""What :meth:`Optimizer.update` does with a step whose gradients hold NaN or infinity."""

NONFINITE_POLICIES: tuple[str, ...] = ("skip", "raise", "apply")


@dataclass(frozen=True)
class _Plan:
    """What an update needs for one gradient structure, built on its first call."""

    donated: int
    """How many of the states are donated (the parameters and the optimizer states, first;
    then the step counts, written but not donated, and the learning rates, only read)."""
    access: BulkAccess
    """The parameters, the groups' optimizer states, the step count, the skipped count and
    the groups' learning rates."""
    compiled: Any
    undonated: Any
    """``compiled`` without donation: for a call under a transformation (``vmap``, ``grad``),
    whose concrete inputs would be deleted though its outputs are tracers, or while a
    brainstate trace records (it may restore the old values)."""
    gradient_route: Route
    """Where each parameter's gradient lies (only its leaves are passed to ``compiled``)."""


class Optimizer(LearningRates):
    """A stateful optimizer over brainstate states, driven by a :mod:`core.optim` transform.

    It holds the transform, the optimizer state, the step count and the learning rate,
    and delegates every number to the core kernel (the Flax ``nnx.Optimizer`` pattern).
    Use a named optimizer (:class:`Adam`, :class:`SGD`, ...) or pass any core or optax
    transform as ``tx`` (:class:`OptaxOptimizer` is the same class under braintools' name).
    ``update(grads)`` is one compiled call, cached on the tree structure, with the parameter
    and optimizer-state buffers donated; it works eagerly and inside
    ``brainstate.transform.jit``. Its mutable parts are brainstate states, so they trace
    correctly and are saved by :meth:`state_dict`.

    The learning rate lives in the transform's state as an array: changing it
    (``current_lr = ...``, a scheduler step) never recompiles. A transform from
    :func:`core.optim.inject_hyperparams` or a named core optimizer exposes it; an optax
    transform does not, and then the learning-rate API raises ``ValueError``.

    **The transform's own learning rates.** Without ``lr``, the rates the transform keeps
    (a named core optimizer's, alone or inside a chain, a partition, a wrapper) are used as
    they are:

    * one number: :attr:`current_lr` reports it, and setting it (or a scheduler) drives it;
    * a schedule: it keeps running; :attr:`current_lr` reports the rate of the last step
      (read from the state) and cannot be set;
    * several different rates (per-layer rates, e.g. :func:`core.optim.partition` of two
      named optimizers): each trains its own parameters; :attr:`current_lr` has no single
      value and raises ``ValueError`` (listing them), as does setting it;
    * a rate hidden in a closure (a named core optimizer inside an optax transform such as
      ``optax.chain``), which may be a schedule: used as it is; :attr:`current_lr` reports
      the rate of the last step (read from the state) and cannot be set (a given ``lr``
      drives it if it is a number; a hidden schedule, which cannot be seen, ignores it).

    A given ``lr`` (a number or an LR scheduler) drives every numeric rate the transform
    keeps; it is refused for a transform whose rate is a schedule (it could not drive it).

    **The parameter tree.** The transform receives the parameters as braintools 0.3.0 hands
    them over: nested along their registration key paths (``{"w1": ..., "w2": ...}`` for a
    flat dict, ``{("l1", "weight"): ...}`` for ``net.states(ParamState)``, ``{"dec": {0:
    ...}}`` for a list inside a dict), so label trees and masks written for braintools work
    unchanged. Its state (:attr:`opt_state`, :meth:`state_dict`) is keyed the same way.

    **Non-finite gradients.** ``nonfinite`` says what a step does when a gradient holds NaN
    or infinity (one bad element would otherwise put NaN into every parameter):

    * ``"skip"`` (default): the step is not applied (parameters, optimizer state and
      :attr:`step_count` keep their values) and :attr:`skipped_steps` counts it. Works
      eagerly and under ``jit`` (the choice is made on device, no host synchronisation).
    * ``"raise"``: as ``"skip"``, then ``ValueError`` naming the parameters with non-finite
      gradients. It needs concrete values, so it works eagerly only: inside
      ``brainstate.transform.jit`` the call is refused when it is traced.
    * ``"apply"``: no check; the step is applied whatever it holds.

    Args:
        tx: the transform, a :mod:`core.optim` or optax one.
        lr: the learning rate the transform starts from (a number or an LR scheduler
            that drives it); ``None`` keeps the one stored in the transform's state.
        nonfinite: ``"skip"``, ``"raise"`` or ``"apply"`` (see above).

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from core import optim
        >>> from facade.optim import Optimizer
        >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        >>> opt = Optimizer(tx=optim.sgd(learning_rate=0.5))
        >>> opt.register_trainable_weights({"w": w})
        >>> opt.update({"w": jnp.array([1.0, 1.0])})
        >>> opt.update({"w": jnp.array([jnp.nan, 1.0])})  # skipped and counted
        >>> print(w.value, opt.current_lr, int(opt.skipped_steps.value))
        [0.5 1.5] 0.5 1
    """

    state_may_hold_inputs = True
    """Whether the transform's state may keep the very parameter or gradient arrays it was
    given (L-BFGS, Lookahead): such arrays are copied before the buffers are donated."""

    def __init__(
        self,
        tx: core_optim.TransformLike,
        lr: float | LRSchedulerLike | None = None,
        *,
        nonfinite: NonFinite = "skip",
    ) -> None:
        if not (hasattr(tx, "init") and hasattr(tx, "update")):
            raise TypeError(f"tx must be a transform with init and update; got {type(tx).__name__}")
        self._nonfinite = check_choice("nonfinite", nonfinite, NONFINITE_POLICIES)
        self._own_rates = own_learning_rates(tx)
        given = None if lr is None else initial_learning_rate(lr)
        if lr is not None and not self.lr_beside_schedule:
            refuse_lr_for_schedules(self._own_rates, "tx")
        self._tx = tx
        self._initial_lr = self._own_rates.single if given is None else given
        self._lr_given = self._initial_lr is not None
        """Whether ``_initial_lr`` drives the transform's rates (given, or its one own)."""
        self._lr_own = lr is None
        """Whether the rates are the transform's own (no ``lr`` given): the ``lr`` of a
        braintools state dict, which its ``OptaxOptimizer(tx)`` records but never applies,
        is then not loaded over them."""
        self._scheduler = lr if isinstance(lr, LRSchedulerLike) else None
        self._states: dict[str, tuple[StatePath, brainstate.State[Any]]] = {}
        self._groups: list[Group] = []
        self._given_lr: dict[int, float] = {}
        self.step_count = brainstate.LongTermState(jnp.zeros((), jnp.int32))
        """The number of steps applied (skipped steps are not counted)."""
        self.skipped_steps = brainstate.LongTermState(jnp.zeros((), jnp.int32))
        """The number of steps skipped for non-finite gradients (``nonfinite="skip"``)."""
        self._plans: dict[Any, _Plan] = {}
        if self._scheduler is not None:
            self._scheduler.attach_optimizer(self)

    @property
    def tx(self) -> core_optim.TransformLike:
        """The transform of the first parameter group."""
        return self._tx

    @property
    def nonfinite(self) -> str:
        """The policy for non-finite gradients: ``"skip"``, ``"raise"`` or ``"apply"``.

        Settable (the next update compiles again).
        """
        return self._nonfinite

    @nonfinite.setter
    def nonfinite(self, value: NonFinite) -> None:
        self._nonfinite = check_choice("nonfinite", value, NONFINITE_POLICIES)
        self._plans.clear()

    # -- registration --------------------------------------------------------------------
    def register_trainable_weights(self, params: PyTreeOfStates) -> None:
        """Register the states to optimize: ``net.states(brainstate.ParamState)``, or a
        (nested) dict/list of states, or a single ``State``.

        Registering again with more states keeps the optimizer state (moments, step
        count) of those already registered. A state must hold floating-point arrays.
        Gradients passed to :meth:`update` must have the same structure; entries for
        unregistered states are ignored.

        A state given under several names (a shared weight: ``{"a": s, "b": s}``, or one
        already registered) is registered once, under its first name, as braintools 0.3.0
        does: it is updated once per step with the gradient under that name (the others
        are ignored), and its moments are stored once.

        Args:
            params: the states.

        Raises:
            TypeError: for non-State leaves or integer parameters.
            ValueError: for an empty tree, a key path already used by another state, or
                (naming ``lr``) an LR scheduler given for a transform that keeps no learning
                rate in its state.
        """
        flat = flatten_states(params, floating=True)
        merged = dict(self._states)
        for name, (_, state) in flat.items():
            if name in merged and merged[name][1] is not state:
                raise ValueError(
                    f"params: the key path {name} is already registered for another state; "
                    "register all parameters in one structure"
                )
        held = {id(state) for _, state in merged.values()}
        merged.update(_first_names(flat, held))
        grouped = {n for g in self._groups[1:] for n in g.names}
        main_names = [n for n in merged if n not in grouped]
        tree = ParamTree({n: merged[n][0] for n in main_names})
        values = tree.nest({n: merged[n][1].value for n in main_names})
        new_state = unshared(self._tx.init(values), values)  # donated: no shared buffer
        if self._groups:
            main = self._groups[0]
            new_state = saved_state.carry_over(main.opt_state.value, new_state)
            main.names, main.tree, main.opt_state.value = main_names, tree, new_state
        else:
            lr = self._lr_state(new_state, self._initial_lr if self._lr_given else None)
            self._groups.append(
                Group(main_names, self._tx, brainstate.LongTermState(new_state), lr, {}, tree)
            )
        self._states = merged
        self._plans.clear()

    def add_param_group(self, params: PyTreeOfStates, **hyperparams: Any) -> None:
        """Optimize ``params`` with this optimizer's algorithm and other hyperparameters.

        ``lr`` (or ``learning_rate``), ``weight_decay`` and any other constructor argument
        of the optimizer can be given; the rest are this optimizer's. A scheduler attached
        to the optimizer drives the groups it has a learning rate for, in order (one per
        ``base_lr``); the others keep their own (braintools semantics).

        Args:
            params: the states of the group (not registered yet).
            **hyperparams: the group's hyperparameters.

        Raises:
            ValueError: before :meth:`register_trainable_weights`, or for states already
                registered (under any name). A state given twice in ``params`` joins the
                group once, under its first name.
        """
        if not self._groups:
            raise ValueError("register_trainable_weights must be called before add_param_group")
        flat = flatten_states(params, floating=True)
        held = {id(state) for _, state in self._states.values()}
        taken = [n for n, (_, s) in flat.items() if n in self._states or id(s) in held]
        if taken:
            raise ValueError(f"params: {', '.join(taken)} already registered")
        flat = _first_names(flat, held)
        tx = self._group_transform(hyperparams)
        tree = ParamTree({n: path for n, (path, _) in flat.items()})
        values = tree.nest({n: s.value for n, (_, s) in flat.items()})
        state = brainstate.LongTermState(unshared(tx.init(values), values))
        default = self._initial_lr if self._lr_given else None
        lr_value = hyperparams.get("lr", hyperparams.get("learning_rate", default))
        lr_state = self._lr_state(state.value, lr_value)
        self._groups.append(Group(list(flat), tx, state, lr_state, dict(hyperparams), tree))
        self._states.update(flat)
        self._plans.clear()

    def _group_transform(self, hyperparams: Mapping[str, Any]) -> core_optim.TransformLike:
        """The transform of a new parameter group; named optimizers rebuild theirs."""
        if hyperparams:
            raise TypeError(
                f"{type(self).__name__}(tx=...) cannot change hyperparameters per group; "
                f"got {sorted(hyperparams)}"
            )
        return self._tx

    def _lr_state(self, opt_state: Any, initial: float | None) -> brainstate.LongTermState | None:
        """The state of a group's driven learning rate, starting at ``initial``; ``None`` when
        the transform keeps no rate, or (without ``initial``) keeps a schedule or several
        different rates, which are then used as they are."""
        stored = stored_learning_rates(opt_state)
        if not stored:
            if self._scheduler is not None:  # refused now, not at every scheduler.step()
                raise ValueError(
                    f"lr: an LR scheduler cannot drive this {type(self).__name__}: its transform "
                    "keeps no learning rate in its state (an optax transform keeps it in a "
                    "closure); build it with a named core optimizer or "
                    "core.optim.inject_hyperparams, or pass lr as a number (recorded only)"
                )
            return None
        several = not traced(stored) and len({float(rate) for rate in stored}) > 1
        if initial is None and (self._own_rates.schedules or several or self._own_rates.hidden):
            return None  # a rate hidden in a closure may be a schedule: read, never written
        state = brainstate.LongTermState(jnp.array(stored[0]))  # a copy: the core state is donated
        if initial is not None:
            self._write_lr(state, initial)
        return state

    # -- the update ----------------------------------------------------------------------
    def update(self, grads: Any, **extra: Any) -> None:
        """Apply one step: ``params <- params + tx(grads)``, written into the states.

        The arrays the states held before are donated to an eager update (their buffers are
        reused; under ``vmap``, ``grad`` or ``jit`` nothing is donated): keep a copy
        (``jnp.array(state.value)``) if you need the old values. What
        happens to a step whose gradients hold NaN or infinity is :attr:`nonfinite`'s choice.

        Args:
            grads: what ``brainstate.transform.grad`` (or :func:`facade.transform.grad`)
                returns for the registered states.
            **extra: extra arguments for the transform's ``update`` (e.g. ``value`` and
                ``value_fn`` for a line search), passed to every group's transform inside
                the compiled call, when the transform accepts them (as
                :func:`core.optim.chain` does). Arrays are traced; callables are static (a
                new function object compiles a new update).

        Raises:
            ValueError: before :meth:`register_trainable_weights`, for a gradient whose
                structure or shape differs from its parameter's (named), or, with
                ``nonfinite="raise"``, for non-finite gradients (named; the step is not
                applied) or a call being traced by ``jit``.
            KeyError: naming the registered parameter whose gradient is missing.
            TypeError: for a ``None`` or non-floating gradient (named).

        Nothing (parameters, optimizer state, step count) changes when it raises.
        """
        if not self._groups:
            raise ValueError("register_trainable_weights must be called before update")
        leaves, treedef = jax.tree.flatten(grads)
        plan = self._plans.get(treedef)
        if plan is None:  # a new gradient structure: find each parameter's leaves once
            plan = self._plans[treedef] = self._plan(grads)
        leaves = plan.gradient_route.select(leaves)  # unregistered entries are ignored
        if self._nonfinite == "raise" and traced(leaves):
            raise ValueError(
                "nonfinite='raise' needs concrete gradients and works eagerly only; inside "
                "jit use nonfinite='skip' (the default) and read optimizer.skipped_steps"
            )
        direct = plan.access.unobserved()
        values = plan.access.read(direct)
        donated, kept = values[: plan.donated], values[plan.donated :]
        params = plan.donated - len(self._groups)
        if self.state_may_hold_inputs:
            donated = unshared(donated, (leaves, kept))
        else:  # fresh moments, but parameters may share a buffer (with each other, a gradient)
            donated[:params] = unshared(donated[:params], (leaves, kept))
        inputs = (leaves, kept, donated[:params])
        compiled = plan.compiled if can_donate(inputs) else plan.undonated
        arrays: dict[str, Any] = {}
        static: tuple[tuple[str, Any], ...] = ()
        if extra:
            arrays = {k: v for k, v in extra.items() if not callable(v)}
            static = tuple(sorted(((k, v) for k, v in extra.items() if callable(v)), key=_first))
        try:
            new, finite = compiled(
                donated,
                kept,
                leaves,
                arrays,
                in_place=states_donated() or not isinstance(kept[0], jax.core.Tracer),
                static_extra=static,
            )
        except RefusedGradientError as refused:  # raised while tracing: nothing was written
            raise refused.error from None
        plan.access.write(new, direct)
        if self._nonfinite == "raise" and not bool(jnp.all(finite)):
            names = [n for n, ok in zip(self._names(), np.asarray(finite), strict=True) if not ok]
            raise ValueError(
                f"grads for {', '.join(names)} hold NaN or infinity; the step was not applied "
                "(nonfinite='raise')"
            )

    def step(self, grads: Any, **extra: Any) -> None:
        """Apply one step (braintools' name for :meth:`update`).

        Args:
            grads: the gradients of the registered states.
            **extra: extra arguments for the transform (see :meth:`update`).
        """
        self.update(grads, **extra)

    def _names(self) -> list[str]:
        return [n for g in self._groups for n in g.names]

    def _pure_update(
        self,
        donated: list[Any],
        kept: list[Any],
        leaves: list[Any],
        extra: dict[str, Any],
        *,
        gradient_route: Route,
        check: bool,
        in_place: bool,
        static_extra: tuple[tuple[str, Any], ...],
    ) -> tuple[list[Any], jax.Array | None]:
        """The update as one pure function of the values of the states :meth:`_plan` lists:
        ``donated`` (parameters, the groups' optimizer states) and ``kept`` (step count,
        skipped count: a user may keep their old values; the groups' learning rates)."""
        names = self._names()
        params, opt_states = donated[: len(names)], donated[len(names) :]
        step, skipped, *stored_lrs = kept
        lr_values = iter(stored_lrs)
        lrs = [None if g.lr is None else next(lr_values) for g in self._groups]
        grads = dict(zip(names, gradient_route.gather(leaves), strict=True))
        for name, value in zip(names, params, strict=True):  # at trace time, before any write
            try:
                check_gradient(name, grads[name], value)
            except (TypeError, ValueError) as error:
                raise RefusedGradientError(error) from None
        extra = {**extra, **dict(static_extra)}

        def apply(operands: tuple[list[Any], list[Any]]) -> tuple[list[Any], list[Any]]:
            params, opt_states = operands
            by_name = dict(zip(names, params, strict=True))
            new_params, new_states = [], []
            for group, state, lr in zip(self._groups, opt_states, lrs, strict=True):
                if lr is not None:
                    state = core_optim.set_learning_rate(state, lr)
                p = group.tree.nest({n: by_name[n] for n in group.names})
                g = group.tree.nest({n: grads[n] for n in group.names})
                updates, state = call_update(group.tx, g, state, p, extra)
                new_params += group.tree.leaves(core_optim.apply_updates(p, updates))
                new_states.append(state)
            return new_params, new_states

        if not check:
            new_params, new_states = apply((params, opt_states))
            return [*new_params, *new_states, step + 1, skipped], None
        per_param = jnp.stack([all_finite(grads[n]) for n in names])
        finite = jnp.all(per_param)
        if in_place:  # a branch: XLA updates the donated buffers in place (a select would
            # hold the old and the new parameters and moments at once)
            keep = unchanged(apply)
            new_params, new_states = jax.lax.cond(finite, apply, keep, (params, opt_states))
        else:  # undonated (brainstate.transform.jit): a select needs the least memory
            new_params, new_states = keep_if(
                finite, apply((params, opt_states)), (params, opt_states)
            )
        applied = finite.astype(step.dtype)
        named = per_param if self._nonfinite == "raise" else None  # only "raise" names them
        return [*new_params, *new_states, step + applied, skipped + 1 - applied], named

    def _plan(self, grads: Any) -> _Plan:
        """The update of gradients structured like ``grads``: where each parameter's gradient
        lies, the states it reads and writes, and its compiled function."""
        names = self._names()
        gradient_route = route(grads, [(n, self._states[n][0]) for n in names])
        update = functools.partial(
            self._pure_update, gradient_route=gradient_route, check=self._nonfinite != "apply"
        )
        donated = [*(self._states[n][1] for n in names), *(g.opt_state for g in self._groups)]
        counters = [self.step_count, self.skipped_steps]
        lr_states = [g.lr for g in self._groups if g.lr is not None]  # read only
        jit = functools.partial(jax.jit, update, static_argnames=("in_place", "static_extra"))
        access = BulkAccess([*donated, *counters, *lr_states])
        return _Plan(len(donated), access, jit(donate_argnums=(0,)), jit(), gradient_route)

    def _compilations(self) -> int:
        """How many times the update has been compiled for the current registration."""
        return sum(
            plan.compiled._cache_size() + plan.undonated._cache_size()
            for plan in self._plans.values()
        )

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        """Each group's parameter names, learning rate and hyperparameters (a snapshot)."""
        return [
            {
                "params": list(g.names),
                "lr": None if g.lr is None else self._read_lr(g.lr),
                **g.hyperparams,
            }
            for g in self._groups
        ]

    @property
    def param_states(self) -> UniqueStateManager:
        """The registered states (all groups), as braintools' ``UniqueStateManager``."""
        manager = UniqueStateManager()
        for path, state in self._states.values():
            manager.unique_paths.append(path)
            manager.unique_states.append(state)
        return manager

    @property
    def opt_state(self) -> brainstate.LongTermState | None:
        """The state holding the first group's core optimizer state (``None`` before
        :meth:`register_trainable_weights`)."""
        return self._groups[0].opt_state if self._groups else None

    # -- checkpointing -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the optimizer's mutable state, with braintools' top-level keys.

        Host copies (numpy arrays and Python numbers), unaffected by later updates.

        Returns:
            ``{"step_count", "skipped_steps", "lr", "base_lr", "param_groups",
            "opt_state", "param_groups_opt_states"}``: ``opt_state`` is the first group's
            core state by key path, ``param_groups_opt_states`` the other groups' by index.
        """
        return saved_state.snapshot(self)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned; the registered parameters must match.

        A state dict written by braintools 0.3.0's optimizer of the same algorithm is
        accepted too (its optax state is mapped onto the core state by field and parameter
        name), so a run can move over; its ``lr`` is not loaded over a transform's own rates
        (no ``lr`` given here), since braintools' ``OptaxOptimizer(tx)`` only records it.
        Everything is validated (structure, shapes, dtypes) before anything is written.

        Args:
            state_dict: a dict from :meth:`state_dict` (or braintools').

        Raises:
            ValueError: naming the first mismatch.
        """
        saved_state.restore(self, state_dict)
        for group in self._groups:  # updates donate it: never the very arrays of the dict
            group.opt_state.value = unshared(group.opt_state.value, state_dict)
        self._plans.clear()

    def __iter__(self) -> Iterator[brainstate.State[Any]]:
        """The optimizer's own states (step counts, optimizer states, learning rates)."""
        yield self.step_count
        yield self.skipped_steps
        for g in self._groups:
            yield g.opt_state
            if g.lr is not None:
                yield g.lr


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _first_names(
    flat: dict[str, tuple[StatePath, brainstate.State[Any]]], held: set[int]
) -> dict[str, tuple[StatePath, brainstate.State[Any]]]:
    """The entries of ``flat`` whose state is neither in ``held`` (ids) nor under an earlier
    name: one entry per State object, the first name wins (braintools' ``merge_with``)."""
    seen = set(held)
    first: dict[str, tuple[StatePath, brainstate.State[Any]]] = {}
    for name, (path, state) in flat.items():
        if id(state) not in seen:
            seen.add(id(state))
            first[name] = (path, state)
    return first
