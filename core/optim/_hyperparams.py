"""Hyperparameters in the state: read and change them between steps without recompiling."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from core._validation import check_floating, check_real

from . import _tree as tu
from ._base import GradientTransformation, OptState, Params, Updates
from ._scale import is_schedule


class InjectHyperparamsState(NamedTuple):
    """Step count, the hyperparameters as ``float32`` scalars, and the inner state."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    hyperparams: dict[str, jax.Array]
    inner_state: OptState


def _as_state_value(value: Any) -> jax.Array:
    return jnp.asarray(value, dtype=jnp.float32)


class InjectHyperparams(GradientTransformation):
    r"""A transform rebuilt each step from hyperparameters that live in its state.

    ``factory(**static, **hyperparams)`` builds the inner transform. The hyperparameters
    are stored in the state as ``float32`` scalars, so :func:`set_hyperparams` /
    :func:`set_learning_rate` change them between steps without retracing a jitted step.
    A hyperparameter given as a schedule is re-evaluated at every step from the step count
    (a value set by hand then holds until the next step only). Every named optimizer is an
    ``InjectHyperparams`` holding its learning rate (and weight decay, where it has one).

    Example:
        >>> from core import optim
        >>> tx = optim.adam(learning_rate=0.1)
        >>> isinstance(tx, optim.InjectHyperparams)
        True
        >>> sorted(tx.hyperparams)
        ['learning_rate']
    """

    factory: Callable[..., GradientTransformation]
    hyperparams: dict[str, Any]
    static: dict[str, Any]

    def _build(self, values: Mapping[str, Any]) -> GradientTransformation:
        return self.factory(**self.static, **values)

    def _values(self, state_values: Mapping[str, jax.Array], count: jax.Array) -> dict[str, Any]:
        return {
            k: _as_state_value(v(count)) if is_schedule(v) else state_values[k]
            for k, v in self.hyperparams.items()
        }

    def init(self, params: Params) -> OptState:
        check_floating("params", params)
        count = tu.zero_count()
        values = {
            k: _as_state_value(v(count) if is_schedule(v) else v)
            for k, v in self.hyperparams.items()
        }
        return InjectHyperparamsState(count, values, self._build(values).init(params))

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        values = self._values(state.hyperparams, state.count)
        inner = self._build(values)
        updates, inner_state = inner.update(updates, state.inner_state, params, **extra)
        return updates, InjectHyperparamsState(tu.increment(state.count), values, inner_state)


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, jax.Array) and value.ndim == 0


def inject_hyperparams(
    factory: Callable[..., GradientTransformation],
    hyperparam_names: Iterable[str] | None = None,
    static_args: Iterable[str] = (),
) -> Callable[..., InjectHyperparams]:
    r"""Wrap a transform factory so that its hyperparameters live in the optimizer state.

    ``inject_hyperparams(factory)(*args, **kwargs)`` binds the arguments like ``factory``
    would. The hyperparameters are the arguments named in ``hyperparam_names`` (numbers or
    schedules); by default every float argument plus ``learning_rate`` (which may also be a
    schedule), except those in ``static_args``. Everything else is passed through unchanged.
    Wrapping a named optimizer (already an :class:`InjectHyperparams`) merges the two sets.

    Args:
        factory: a function returning a transform (e.g. :func:`adam`).
        hyperparam_names: the names to keep in the state (default: see above).
        static_args: names never put in the state.

    Returns:
        A function with ``factory``'s signature returning an :class:`InjectHyperparams`.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.inject_hyperparams(optim.adam, ["learning_rate", "b1"])(0.1, b1=0.8)
        >>> state = tx.init(jnp.zeros(2))
        >>> print(sorted((k, round(float(v), 3)) for k, v in optim.get_hyperparams(state).items()))
        [('b1', 0.8), ('learning_rate', 0.1)]
    """
    names = None if hyperparam_names is None else set(hyperparam_names)
    static_names = set(static_args)
    signature = inspect.signature(factory)

    def build(*args: Any, **kwargs: Any) -> InjectHyperparams:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        hyper: dict[str, Any] = {}
        static: dict[str, Any] = {}
        for k, v in bound.arguments.items():
            if names is not None:
                chosen = k in names and (is_schedule(v) or _is_numeric(v))
            else:
                chosen = (_is_numeric(v) and not isinstance(v, int)) or (
                    k == "learning_rate" and (is_schedule(v) or _is_numeric(v))
                )
            (hyper if chosen and k not in static_names else static)[k] = v
        at_zero = {k: v(tu.zero_count()) if is_schedule(v) else v for k, v in hyper.items()}
        inner = factory(**static, **at_zero)  # validates the arguments eagerly
        if isinstance(inner, InjectHyperparams):
            merged_hyper = {**inner.hyperparams, **hyper}
            merged_static = {
                k: v for k, v in {**inner.static, **static}.items() if k not in merged_hyper
            }
            return InjectHyperparams(inner.factory, merged_hyper, merged_static)
        return InjectHyperparams(factory, hyper, static)

    return build


def hyper_states(state: OptState, *, nested: bool = False) -> list[InjectHyperparamsState]:
    """The :class:`InjectHyperparamsState` nodes of ``state``, in tree order: the outermost
    ones, or with ``nested`` also those inside their inner states."""
    found: list[InjectHyperparamsState] = []

    def visit(x: Any) -> bool:
        if isinstance(x, InjectHyperparamsState):
            found.append(x)
            if nested:
                jax.tree.leaves(x.inner_state, is_leaf=visit)
            return True
        return False

    jax.tree.leaves(state, is_leaf=visit)
    return found


def get_hyperparams(state: OptState) -> dict[str, jax.Array]:
    """Return the hyperparameters stored in ``state`` (the outermost injected set).

    Args:
        state: the state of an :class:`InjectHyperparams` transform, or any state containing
            one (a chain, a wrapper).

    Returns:
        A dict from name to ``float32`` scalar array.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> state = optim.adamw(0.01, weight_decay=0.1).init(jnp.zeros(2))
        >>> print({k: round(float(v), 3) for k, v in optim.get_hyperparams(state).items()})
        {'learning_rate': 0.01, 'weight_decay': 0.1}
    """
    found = hyper_states(state)
    if not found:
        raise ValueError(
            "state holds no hyperparameters: build the optimizer with a named optimizer "
            "(optim.adam, ...) or optim.inject_hyperparams."
        )
    return dict(found[0].hyperparams)


def set_hyperparams(state: OptState, **values: float | jax.Array) -> OptState:
    """Return ``state`` with the named hyperparameters replaced (everywhere they are stored).

    The new values keep the stored dtype and shape, so a jitted step taking the state as an
    argument is not retraced.

    Args:
        state: a state containing an :class:`InjectHyperparamsState`.
        **values: new values (numbers or scalar arrays), by hyperparameter name.

    Returns:
        The new state.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> state = optim.adamw(0.01).init(jnp.zeros(2))
        >>> state = optim.set_hyperparams(state, weight_decay=0.5)
        >>> print(round(float(optim.get_hyperparams(state)["weight_decay"]), 3))
        0.5
    """
    found = hyper_states(state)
    names = set().union(*(s.hyperparams for s in found)) if found else set()
    unknown = set(values) - names
    if not found or unknown:
        raise ValueError(
            f"cannot set {sorted(unknown or values)}: the state stores hyperparameters "
            f"{sorted(names)}."
        )

    def replace(x: Any) -> Any:
        if not isinstance(x, InjectHyperparamsState):
            return x
        hp = dict(x.hyperparams)
        for k, v in values.items():
            if k in hp:
                hp[k] = jnp.asarray(v, hp[k].dtype).reshape(hp[k].shape)
        return x._replace(
            hyperparams=hp, inner_state=jax.tree.map(replace, x.inner_state, is_leaf=_is_hp)
        )

    return jax.tree.map(replace, state, is_leaf=_is_hp)


def _is_hp(x: Any) -> bool:
    return isinstance(x, InjectHyperparamsState)


def get_learning_rate(state: OptState) -> jax.Array:
    """Return the learning rate stored in ``state`` (the last one used, or the initial one).

    Args:
        state: the state of a named optimizer (or anything containing one).

    Returns:
        A ``float32`` scalar array.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> state = optim.sgd(0.1).init(jnp.zeros(2))
        >>> print(round(float(optim.get_learning_rate(state)), 4))
        0.1
    """
    hyper = get_hyperparams(state)
    if "learning_rate" not in hyper:
        raise ValueError(f"state has no learning_rate; it stores {sorted(hyper)}.")
    return hyper["learning_rate"]


def set_learning_rate(state: OptState, learning_rate: float | jax.Array) -> OptState:
    """Return ``state`` with a new learning rate, without changing its structure or dtypes.

    Passing the new state to a jitted step does not retrace it. If the learning rate was
    given as a schedule, the schedule takes over again at the next step.

    Args:
        state: the state of a named optimizer (or anything containing one).
        learning_rate: the new value (a number or a scalar array), >= 0.

    Returns:
        The new state, with the structure and dtypes of ``state``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> state = optim.sgd(0.1).init(jnp.zeros(2))
        >>> state = optim.set_learning_rate(state, 0.01)
        >>> print(round(float(optim.get_learning_rate(state)), 4))
        0.01
    """
    check_real("learning_rate", learning_rate, low=0)
    return set_hyperparams(state, learning_rate=learning_rate)
