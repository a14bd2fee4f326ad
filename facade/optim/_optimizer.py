"""The stateful optimizer shell: brainstate states in, one compiled core update, states out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, cast, runtime_checkable

import brainstate
import jax
import jax.numpy as jnp
import numpy as np

from core import optim as core_optim

PyTreeOfStates: TypeAlias = Any
"""A ``State`` or a (nested) dict/list of them, e.g. ``net.states(brainstate.ParamState)``."""


@runtime_checkable
class LRSchedulerLike(Protocol):
    """What an optimizer needs from a learning-rate scheduler passed as its learning rate.

    The optimizer calls ``attach_optimizer(self)``; the scheduler then calls the
    optimizer's ``_set_scheduled_lr(lrs)`` whenever its learning rates change.

    Example:
        >>> from facade.optim import LRSchedulerLike
        >>> class Halving:
        ...     base_lrs = [0.1]
        ...     def attach_optimizer(self, optimizer): self.optimizer = optimizer
        ...     def get_last_lr(self): return [0.1]
        >>> isinstance(Halving(), LRSchedulerLike)
        True
    """

    base_lrs: list[float]

    def attach_optimizer(self, optimizer: Any) -> None: ...

    def get_last_lr(self) -> list[float]: ...


def initial_learning_rate(lr: float | LRSchedulerLike) -> float:
    """The starting value of a learning rate given as a number or a scheduler."""
    if isinstance(lr, LRSchedulerLike):
        initial = float(lr.get_last_lr()[0])
    elif isinstance(lr, int | float | np.floating) and not isinstance(lr, bool):
        initial = float(lr)
    else:
        raise TypeError(
            f"learning_rate must be a number or an LR scheduler; got {type(lr).__name__}"
        )
    if not initial >= 0:
        raise ValueError(f"learning_rate must be >= 0; got {initial}")
    return initial


def _is_state(x: object) -> bool:
    return isinstance(x, brainstate.State)


def _flatten_states(states: PyTreeOfStates) -> dict[str, tuple[Any, brainstate.State[Any]]]:
    """``{keystr(path): (path, state)}`` for every State in ``states``; refuses anything else."""
    leaves = jax.tree_util.tree_flatten_with_path(states, is_leaf=_is_state)[0]
    if not leaves:
        raise ValueError("params must contain at least one brainstate.State; got an empty tree")
    flat: dict[str, tuple[Any, brainstate.State[Any]]] = {}
    for path, leaf in leaves:
        name = jax.tree_util.keystr(path) or "<state>"
        if not _is_state(leaf):
            raise TypeError(
                f"params must hold brainstate.State objects (e.g. net.states(ParamState)); "
                f"found {type(leaf).__name__} at {name}"
            )
        for value in jax.tree.leaves(leaf.value):
            dtype = jnp.asarray(value).dtype
            if not jnp.issubdtype(dtype, jnp.floating):
                raise TypeError(
                    f"params: the state at {name} holds a {dtype} array; only floating-point "
                    "parameters can be trained"
                )
        flat[name] = (path, leaf)
    return flat


def _subtree(grads: Any, path: Sequence[Any], name: str) -> Any:
    """The part of ``grads`` at ``path`` (the key path of a registered state)."""
    node = grads
    try:
        for key in path:
            if isinstance(key, jax.tree_util.GetAttrKey):
                node = getattr(node, key.name)
            elif isinstance(key, jax.tree_util.SequenceKey):
                node = node[key.idx]
            else:  # DictKey, FlattenedIndexKey
                node = node[key.key]
    except (KeyError, IndexError, TypeError, AttributeError):
        raise KeyError(
            f"grads has no entry for the registered parameter {name}; pass the gradients of "
            "every registered state (e.g. grad(loss_fn, params) with the registered params)"
        ) from None
    return node


_FLOATING = frozenset(np.dtype(d) for d in ("float16", "float32", "float64")) | {
    jnp.dtype(jnp.bfloat16)
}


def _check_gradient(name: str, grad: Any, value: Any) -> None:
    """Refuse a gradient that cannot update the parameter ``value`` registered as ``name``."""
    if isinstance(grad, jax.Array) and isinstance(value, jax.Array):
        if grad.shape == value.shape and grad.dtype == value.dtype:
            return  # the common case (parameters were checked floating at registration)
        pairs: Any = ((grad, value),)
    else:
        grad_leaves, grad_tree = jax.tree.flatten(grad)
        value_leaves, value_tree = jax.tree.flatten(value)
        if grad is None or not grad_leaves:
            raise TypeError(f"grads for the registered parameter {name} is empty (None)")
        if cast(Any, grad_tree) != value_tree:
            raise ValueError(
                f"grads for {name} has structure {grad_tree}; the parameter has {value_tree}"
            )
        pairs = zip(grad_leaves, value_leaves, strict=True)
    for g, p in pairs:
        g_dtype = g.dtype if hasattr(g, "dtype") else np.result_type(g)
        if g_dtype not in _FLOATING and not jnp.issubdtype(g_dtype, jnp.floating):
            raise TypeError(f"grads for {name} has dtype {g_dtype}; expected a floating dtype")
        if np.shape(g) != p.shape:
            raise ValueError(
                f"grads for {name} has shape {np.shape(g)}; the parameter has {p.shape}"
            )


def _leaves_by_path(tree: Any) -> dict[str, Any]:
    """``{keystr(path): leaf}`` for every leaf of ``tree``."""
    return {
        jax.tree_util.keystr(path): leaf
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]
    }


def _carry_over(old: Any, new: Any) -> Any:
    """``new`` with the value of every leaf that ``old`` already had at the same path.

    Per-parameter parts of a core state are keyed by the registered names, so the
    moments of parameters registered earlier (and the step counters) survive a later
    registration, while new parameters start from their initial state.
    """
    previous = _leaves_by_path(old)
    paths_and_leaves, treedef = jax.tree_util.tree_flatten_with_path(new)
    merged = []
    for path, leaf in paths_and_leaves:
        before = previous.get(jax.tree_util.keystr(path))
        same_kind = before is not None and (
            jnp.shape(before) == jnp.shape(leaf)
            and jnp.result_type(before) == jnp.result_type(leaf)
        )
        merged.append(before if same_kind else leaf)
    return jax.tree_util.tree_unflatten(treedef, merged)


@dataclass
class _Group:
    """A parameter group: its transform, core state and learning rate."""

    names: list[str]
    tx: core_optim.TransformLike
    opt_state: brainstate.LongTermState
    lr: brainstate.LongTermState | None
    hyperparams: dict[str, Any]


class Optimizer:
    """A stateful optimizer over brainstate states, driven by a :mod:`core.optim` transform.

    It holds the transform, the optimizer state, the step count and the learning rate,
    and delegates every number to the core kernel (the Flax ``nnx.Optimizer`` pattern).
    Use a named optimizer (:class:`Adam`, :class:`SGD`, ...) or pass any core or optax
    transform as ``tx``. ``update(grads)`` is one compiled call, cached on the tree
    structure, with the parameter and optimizer-state buffers donated; it works eagerly
    and inside ``brainstate.transform.jit``. Its mutable parts are brainstate states, so
    they trace correctly and are saved by :meth:`state_dict`.

    The learning rate lives in the transform's state as an array: changing it
    (``current_lr = ...``, a scheduler step) never recompiles. A transform from
    :func:`core.optim.inject_hyperparams` or a named core optimizer exposes it; an optax
    transform does not, and then the learning-rate API raises ``ValueError``.

    Args:
        tx: the transform, a :mod:`core.optim` or optax one.
        lr: the learning rate the transform starts from (a number or an LR scheduler
            that drives it); ``None`` keeps the one stored in the transform's state.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from core import optim
        >>> from facade.optim import Optimizer
        >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        >>> opt = Optimizer(tx=optim.sgd(learning_rate=0.5))
        >>> opt.register_trainable_weights({"w": w})
        >>> opt.update({"w": jnp.array([1.0, 1.0])})
        >>> print(w.value, round(opt.current_lr, 3))
        [0.5 1.5] 0.5
    """

    state_may_hold_inputs = True
    """Whether the transform's state may keep the very parameter or gradient arrays it was
    given (L-BFGS, Lookahead): such arrays are copied before the buffers are donated."""

    def __init__(
        self, tx: core_optim.TransformLike, lr: float | LRSchedulerLike | None = None
    ) -> None:
        if not (hasattr(tx, "init") and hasattr(tx, "update")):
            raise TypeError(f"tx must be a transform with init and update; got {type(tx).__name__}")
        self._tx = tx
        self._initial_lr = None if lr is None else initial_learning_rate(lr)
        self._scheduler = lr if isinstance(lr, LRSchedulerLike) else None
        self._states: dict[str, tuple[Any, brainstate.State[Any]]] = {}
        self._groups: list[_Group] = []
        self.step_count = brainstate.LongTermState(jnp.zeros((), jnp.int32))
        self._compiled: Callable[..., Any] | None = None
        if self._scheduler is not None:
            self._scheduler.attach_optimizer(self)

    # -- registration --------------------------------------------------------------------
    def register_trainable_weights(self, params: PyTreeOfStates) -> None:
        """Register the states to optimize: ``net.states(brainstate.ParamState)``, or a
        (nested) dict/list of states, or a single ``State``.

        Registering again with more states keeps the optimizer state (moments, step
        count) of those already registered. A state must hold floating-point arrays.
        Gradients passed to :meth:`update` must have the same structure; entries for
        unregistered states are ignored.

        Args:
            params: the states.

        Raises:
            TypeError: for non-State leaves or integer parameters.
            ValueError: for an empty tree, or a key path already used by another state.
        """
        flat = _flatten_states(params)
        merged = dict(self._states)
        for name, (path, state) in flat.items():
            if name in merged and merged[name][1] is not state:
                raise ValueError(
                    f"params: the key path {name} is already registered for another state; "
                    "register all parameters in one structure"
                )
            merged[name] = (path, state)
        grouped = {n for g in self._groups[1:] for n in g.names}
        main_names = [n for n in merged if n not in grouped]
        values = {n: merged[n][1].value for n in main_names}
        new_state = self._tx.init(values)
        if self._groups:
            main = self._groups[0]
            new_state = _carry_over(main.opt_state.value, new_state)
            main.names, main.opt_state.value = main_names, new_state
        else:
            lr = self._lr_state(new_state, self._initial_lr)
            self._groups.append(
                _Group(main_names, self._tx, brainstate.LongTermState(new_state), lr, {})
            )
        self._states = merged
        self._compiled = None

    def add_param_group(self, params: PyTreeOfStates, **hyperparams: Any) -> None:
        """Optimize ``params`` with this optimizer's algorithm and other hyperparameters.

        ``lr`` (or ``learning_rate``), ``weight_decay`` and any other constructor argument
        of the optimizer can be given; the rest are this optimizer's. A scheduler attached
        to the optimizer drives each group's learning rate (braintools semantics).

        Args:
            params: the states of the group (not registered yet).
            **hyperparams: the group's hyperparameters.

        Raises:
            ValueError: before :meth:`register_trainable_weights`, or for states already
                registered.
        """
        if not self._groups:
            raise ValueError("register_trainable_weights must be called before add_param_group")
        flat = _flatten_states(params)
        taken = [n for n, (_, s) in flat.items() if n in self._states]
        if taken:
            raise ValueError(f"params: {', '.join(taken)} already registered")
        tx = self._group_transform(hyperparams)
        values = {n: s.value for n, (_, s) in flat.items()}
        state = tx.init(values)
        lr_value = hyperparams.get("lr", hyperparams.get("learning_rate", self._initial_lr))
        self._groups.append(
            _Group(
                list(flat),
                tx,
                brainstate.LongTermState(state),
                self._lr_state(state, lr_value),
                dict(hyperparams),
            )
        )
        self._states.update(flat)
        self._compiled = None

    def _group_transform(self, hyperparams: Mapping[str, Any]) -> core_optim.TransformLike:
        """The transform of a new parameter group; named optimizers rebuild theirs."""
        if hyperparams:
            raise TypeError(
                f"{type(self).__name__}(tx=...) cannot change hyperparameters per group; "
                f"got {sorted(hyperparams)}"
            )
        return self._tx

    @staticmethod
    def _lr_state(opt_state: Any, initial: float | None) -> brainstate.LongTermState | None:
        try:
            stored = core_optim.get_learning_rate(opt_state)
        except ValueError:
            return None
        value = stored if initial is None else jnp.asarray(initial, stored.dtype)
        return brainstate.LongTermState(value)

    # -- the update ----------------------------------------------------------------------
    def update(self, grads: Any, **extra: Any) -> None:
        """Apply one step: ``params <- params + tx(grads)``, written into the states.

        The arrays the states held before are donated to the update (their buffers are
        reused): keep a copy (``jnp.array(state.value)``) if you need the old values.

        Args:
            grads: what ``brainstate.transform.grad`` (or :func:`facade.transform.grad`)
                returns for the registered states.
            **extra: extra arguments for the transform's ``update`` (e.g. ``value`` and
                ``value_fn`` for a line search), passed to every group's transform inside
                the compiled call. Arrays are traced; callables are static (a new
                function object compiles a new update).

        Raises:
            ValueError: before :meth:`register_trainable_weights`, or for a gradient whose
                structure or shape differs from its parameter's (named).
            KeyError: naming the registered parameter whose gradient is missing.
            TypeError: for a ``None`` or non-floating gradient (named).

        Nothing (parameters, optimizer state, step count) changes when it raises.
        """
        if not self._groups:
            raise ValueError("register_trainable_weights must be called before update")
        group_grads = [
            {n: _subtree(grads, self._states[n][0], n) for n in g.names} for g in self._groups
        ]
        group_params = [{n: self._states[n][1].value for n in g.names} for g in self._groups]
        for params, gradients in zip(group_params, group_grads, strict=True):
            for name, value in params.items():
                _check_gradient(name, gradients[name], value)
        opt_states = [g.opt_state.value for g in self._groups]
        if self.state_may_hold_inputs:
            group_params, opt_states = _unaliased(group_params, opt_states, group_grads)
        lrs = [None if g.lr is None else g.lr.value for g in self._groups]
        arrays = {k: v for k, v in extra.items() if not callable(v)}
        static = tuple(sorted(((k, v) for k, v in extra.items() if callable(v)), key=_first))
        if self._compiled is None:
            self._compiled = jax.jit(
                self._pure_update, donate_argnums=(0, 2), static_argnames=("static_extra",)
            )
        new_params, new_states, step = self._compiled(
            group_params,
            group_grads,
            opt_states,
            lrs,
            self.step_count.value,
            arrays,
            static_extra=static,
        )
        for group, values, state in zip(self._groups, new_params, new_states, strict=True):
            group.opt_state.value = state
            for name, value in values.items():
                self._states[name][1].value = value
        self.step_count.value = step

    def _pure_update(
        self,
        group_params: list[dict[str, Any]],
        group_grads: list[dict[str, Any]],
        opt_states: list[Any],
        lrs: list[Any],
        step: jax.Array,
        extra: dict[str, Any],
        static_extra: tuple[tuple[str, Any], ...] = (),
    ) -> tuple[list[dict[str, Any]], list[Any], jax.Array]:
        extra = {**extra, **dict(static_extra)}
        new_params, new_states = [], []
        for group, params, grads, state, lr in zip(
            self._groups, group_params, group_grads, opt_states, lrs, strict=True
        ):
            if lr is not None:
                state = core_optim.set_learning_rate(state, lr)
            if extra:
                updates, state = group.tx.update(grads, state, params, **extra)
            else:
                updates, state = group.tx.update(grads, state, params)
            new_params.append(core_optim.apply_updates(params, updates))
            new_states.append(state)
        return new_params, new_states, step + 1

    # -- learning rate -------------------------------------------------------------------
    def _lr_states(self) -> list[brainstate.LongTermState]:
        states = [g.lr for g in self._groups if g.lr is not None]
        if self._groups and len(states) < len(self._groups):
            raise ValueError(
                f"the transform of this {type(self).__name__} keeps no learning rate in its "
                "state; build it with a named core optimizer or core.optim.inject_hyperparams"
            )
        return states

    @property
    def lr(self) -> float | LRSchedulerLike:
        """The learning rate as given: the scheduler, if one was passed, else the number."""
        if self._scheduler is not None:
            return self._scheduler
        return self.current_lr

    @property
    def base_lr(self) -> float:
        """The initial learning rate (of the first group)."""
        if self._initial_lr is None:
            raise ValueError(f"this {type(self).__name__} has no learning rate")
        return self._initial_lr

    @property
    def current_lr(self) -> float:
        """The learning rate of the next step (first group); settable, never recompiles."""
        states = self._lr_states()
        if states:
            return float(states[0].value)
        if self._initial_lr is None:
            raise ValueError(f"this {type(self).__name__} has no learning rate")
        return self._initial_lr

    @current_lr.setter
    def current_lr(self, value: float) -> None:
        if not float(value) >= 0:
            raise ValueError(f"current_lr must be >= 0; got {value!r}")
        for state in self._lr_states()[:1]:
            _write_lr(state, value)
        if not self._groups:
            self._initial_lr = float(value)

    def get_last_lr(self) -> list[float]:
        """The current learning rate of every parameter group."""
        if not self._groups:
            return [self.current_lr]
        return [float(s.value) for s in self._lr_states()]

    def _set_scheduled_lr(self, lrs: Sequence[float]) -> None:
        """Called by an attached scheduler when its learning rates change."""
        if not lrs:
            return
        if not self._groups:
            self._initial_lr = float(lrs[0])
            return
        for i, state in enumerate(self._lr_states()):
            _write_lr(state, lrs[min(i, len(lrs) - 1)])

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        """Each group's parameter names, learning rate and hyperparameters (a snapshot)."""
        return [
            {
                "params": list(g.names),
                "lr": None if g.lr is None else float(g.lr.value),
                **g.hyperparams,
            }
            for g in self._groups
        ]

    # -- checkpointing -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the optimizer's mutable state: nested dicts of numpy arrays.

        The arrays are host copies, unaffected by later (buffer-donating) updates.

        Returns:
            ``{"step_count", "groups": [{"lr", "opt_state": {path: array}}]}``.
        """
        snapshot: dict[str, Any] = {
            "step_count": self.step_count.value,
            "groups": [
                {
                    "lr": None if g.lr is None else g.lr.value,
                    "opt_state": _leaves_by_path(g.opt_state.value),
                }
                for g in self._groups
            ],
        }
        copied: dict[str, Any] = jax.tree.map(np.array, snapshot)
        return copied

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned; the registered parameters must match.

        Everything is validated (structure, shapes, dtypes) before anything is written.

        Args:
            state_dict: a dict from :meth:`state_dict`.

        Raises:
            ValueError: naming the first mismatch.
        """
        groups = state_dict.get("groups")
        if not isinstance(groups, Sequence) or len(groups) != len(self._groups):
            raise ValueError(
                f"state_dict has {0 if not isinstance(groups, Sequence) else len(groups)} "
                f"parameter groups; this optimizer has {len(self._groups)}"
            )
        restored = []
        for i, (group, saved) in enumerate(zip(self._groups, groups, strict=True)):
            restored.append(
                _restore_leaves(group.opt_state.value, saved["opt_state"], f"group {i}")
            )
            if (saved["lr"] is None) != (group.lr is None):
                raise ValueError(f"state_dict group {i}: learning-rate presence differs")
        step = jnp.asarray(state_dict["step_count"], jnp.int32)
        for group, saved, state in zip(self._groups, groups, restored, strict=True):
            group.opt_state.value = state
            if group.lr is not None:
                _write_lr(group.lr, saved["lr"])
        self.step_count.value = step
        self._compiled = None

    def __iter__(self) -> Iterator[brainstate.State[Any]]:
        """The optimizer's own states (step count, optimizer states, learning rates)."""
        yield self.step_count
        for g in self._groups:
            yield g.opt_state
            if g.lr is not None:
                yield g.lr


def _unaliased(params: Any, opt_states: Any, grads: Any) -> tuple[Any, Any]:
    """``params`` and ``opt_states`` with no buffer donated twice or also passed undonated.

    A core state may hold the very arrays it was initialized from or last given (L-BFGS
    keeps the previous parameters and gradients); such a leaf is copied before donation.
    """
    ids = [id(x) for tree in (grads, params, opt_states) for x in jax.tree.leaves(tree)]
    if len(set(ids)) == len(ids):  # the usual case: nothing shared
        return params, opt_states
    seen = {id(leaf) for leaf in jax.tree.leaves(grads)}

    def fresh(leaf: Any) -> Any:
        if not isinstance(leaf, jax.Array):
            return leaf
        if id(leaf) in seen:
            return jnp.copy(leaf)
        seen.add(id(leaf))
        return leaf

    return jax.tree.map(fresh, params), jax.tree.map(fresh, opt_states)


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _write_lr(state: brainstate.LongTermState, value: Any) -> None:
    """Store a learning rate, keeping the stored dtype (so nothing is retraced)."""
    state.value = jnp.asarray(value, jnp.result_type(state.value))


def _restore_leaves(template: Any, saved: Mapping[str, Any], where: str) -> Any:
    paths_and_leaves, treedef = jax.tree_util.tree_flatten_with_path(template)
    expected = [jax.tree_util.keystr(p) for p, _ in paths_and_leaves]
    if sorted(expected) != sorted(saved):
        missing = sorted(set(expected) - set(saved))
        extra = sorted(set(saved) - set(expected))
        raise ValueError(f"state_dict {where}: missing {missing}, unexpected {extra}")
    leaves = []
    for (_, leaf), name in zip(paths_and_leaves, expected, strict=True):
        value = jnp.asarray(saved[name])
        if value.shape != jnp.shape(leaf) or value.dtype != jnp.result_type(leaf):
            raise ValueError(
                f"state_dict {where}: {name} has shape {value.shape} and dtype {value.dtype}; "
                f"expected {jnp.shape(leaf)} and {jnp.result_type(leaf)}"
            )
        leaves.append(value)
    return jax.tree_util.tree_unflatten(treedef, leaves)
