"""The transform protocol shared by every optimizer: ``init`` / ``update`` / ``apply_updates``,
and the combinator every named optimizer is built with: ``chain`` (with ``identity`` and
``named_chain``)."""

from __future__ import annotations

import abc
import functools
import inspect
from collections.abc import Callable, Hashable, Iterator
from typing import Any, ClassVar, NamedTuple, Protocol, TypeAlias, cast, runtime_checkable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

Params: TypeAlias = Any
"""A pytree of parameter arrays."""
Updates: TypeAlias = Any
"""A pytree of updates (gradients on the way in, parameter increments on the way out)."""
OptState: TypeAlias = Any
"""A pytree of optimizer state."""
Schedule: TypeAlias = Callable[[jax.Array], jax.Array]
"""A schedule: a pure function from the step count (an integer array) to a value array."""
ScalarOrSchedule: TypeAlias = float | jax.Array | Schedule
"""A hyperparameter given either as a constant or as a schedule of the step count."""


@runtime_checkable
class TransformLike(Protocol):
    """Anything with optax-style ``init`` and ``update``: our transforms and optax's.

    Example:
        >>> from core import optim
        >>> isinstance(optim.adam(1e-3), optim.TransformLike)
        True
    """

    def init(self, params: Params) -> OptState: ...

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None
    ) -> tuple[Updates, OptState]: ...


class GradientTransformation(eqx.Module):
    r"""Base class of every transform: pure ``init(params)`` and ``update(updates, state, params)``.

    A transform maps a pytree of gradients :math:`g_t` and a state :math:`s_t` to a pytree
    of updates :math:`u_t` and a new state :math:`s_{t+1}`; parameters then move by
    :math:`\theta_{t+1} = \theta_t + u_t` (:func:`apply_updates`). Subclasses are Equinox
    modules whose fields are hyperparameters; they are duck-type compatible with optax: they
    can be used inside ``optax.chain`` and unpack as ``init, update = transform``.

    Keyword arguments beyond ``params`` (``value``, ``loss``, ``value_fn``, ...) are *extra
    arguments*: transforms that do not need them ignore them.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.sgd(learning_rate=0.1)
        >>> isinstance(tx, optim.GradientTransformation)
        True
        >>> params = {"w": jnp.array([1.0, 2.0])}
        >>> state = tx.init(params)
        >>> updates, state = tx.update({"w": jnp.array([1.0, 1.0])}, state, params)
        >>> print(optim.apply_updates(params, updates)["w"])
        [0.9 1.9]
    """

    @abc.abstractmethod
    def init(self, params: Params) -> OptState:
        """Return the initial state for ``params``."""

    @abc.abstractmethod
    def update(
        self,
        updates: Updates,
        state: OptState,
        params: Params | None = None,
        **extra: Any,
    ) -> tuple[Updates, OptState]:
        """Transform ``updates`` given ``state`` (and optionally ``params``)."""

    def __hash__(self) -> int:
        """Hash consistently with ``==`` (Equinox's field-by-field equality).

        Equal transforms hash equal, so a set or dict keeps one of them and ``jax.jit`` with
        the transform as a static argument reuses its compilation. Array fields (which may
        be traced) contribute only their shape and dtype, unhashable fields only their type.
        """
        leaves, treedef = jax.tree_util.tree_flatten(self)
        try:
            return hash((treedef, tuple(_hash_key(leaf) for leaf in leaves)))
        except TypeError:  # an unhashable static field
            return hash(type(self))

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        """Unpack as ``init, update = transform`` like an optax ``GradientTransformation``."""
        return iter((self.init, self.update))


class ParamFree(GradientTransformation):
    """A transform whose update reads only the updates and the state (no params, no extras).

    Subclasses implement :meth:`step`; ``update`` accepts (and ignores) ``params`` and the
    extra arguments, as the protocol requires.
    """

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        """Return :meth:`step` of ``updates`` and ``state``; ``params`` and ``extra`` unused."""
        del params, extra
        return self.step(updates, state)

    @abc.abstractmethod
    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        """Transform ``updates`` given ``state``."""


class NeedsParams(GradientTransformation):
    """A transform whose update reads the params (and no extra arguments).

    Subclasses name themselves in ``public_name`` and implement :meth:`step`; ``update``
    without ``params`` raises a ``ValueError`` that names the transform.
    """

    public_name: ClassVar[str]

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        """Return :meth:`step` of ``updates``, ``state`` and ``params`` (required)."""
        del extra
        return self.step(updates, state, require_params(self.public_name, params))

    @abc.abstractmethod
    def step(self, updates: Updates, state: OptState, params: Params) -> tuple[Updates, OptState]:
        """Transform ``updates`` given ``state`` and ``params``."""


def require_params(name: str, params: Params | None) -> Params:
    """``params``, or a ``ValueError`` saying that the transform ``name`` needs them."""
    if params is None:
        raise ValueError(f"{name} needs params: call update(updates, state, params).")
    return params


def _hash_key(leaf: Any) -> Hashable:
    """What a field contributes to a transform's hash: equal fields give equal keys."""
    if isinstance(leaf, np.ndarray | np.generic | jax.Array):
        return ("array", np.shape(leaf), str(leaf.dtype))
    try:
        hash(leaf)
    except TypeError:
        return type(leaf).__qualname__
    return cast(Hashable, leaf)


@functools.lru_cache(maxsize=512)
def _signature_takes_extra(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def call_update(
    transform: TransformLike,
    updates: Updates,
    state: OptState,
    params: Params | None,
    extra: dict[str, Any],
) -> tuple[Updates, OptState]:
    """Call ``transform.update``, forwarding ``extra`` only if the transform accepts it."""
    if isinstance(transform, GradientTransformation):
        return transform.update(updates, state, params, **extra)
    update_fn = transform.update
    try:
        takes_extra = _signature_takes_extra(update_fn)
    except TypeError:  # unhashable callable
        takes_extra = False
    if takes_extra and extra:
        return update_fn(updates, state, params, **extra)
    return transform.update(updates, state, params)


def apply_updates(params: Params, updates: Updates) -> Params:
    r"""Add ``updates`` to ``params``, keeping each parameter's dtype.

    .. math::

        \theta_{t+1} = \theta_t + u_t

    ``None`` leaves (absent parameters) stay ``None``.

    Args:
        params: pytree of parameters.
        updates: pytree of updates with the structure of ``params``.

    Returns:
        The updated parameters, each leaf in the dtype of the parameter.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> new = optim.apply_updates({"w": jnp.ones(2)}, {"w": jnp.array([0.5, -0.5])})
        >>> print(new["w"])
        [1.5 0.5]
    """

    def add(p: Any, u: Any) -> Any:
        if p is None:
            return None
        p = jnp.asarray(p)
        return (p + jnp.asarray(u).astype(p.dtype)).astype(p.dtype)

    return jax.tree.map(add, params, updates, is_leaf=lambda x: x is None)


class EmptyState(NamedTuple):
    """The state of a stateless transform (a pytree without leaves).

    Example:
        >>> from core import optim
        >>> optim.scale(2.0).init(None)
        EmptyState()
    """


def empty_state() -> EmptyState:
    """Return the empty state (stateless transforms)."""
    return EmptyState()


# --------------------------------------------------------------------------- chain


def check_transform(name: str, tx: Any) -> None:
    if not (hasattr(tx, "init") and hasattr(tx, "update")):
        raise TypeError(f"{name} must be a transform with init and update, got {tx!r}.")


class _Identity(ParamFree):
    def init(self, params: Params) -> OptState:
        del params
        return EmptyState()

    def step(self, updates: Updates, state: OptState) -> tuple[Updates, OptState]:
        return updates, state


def identity() -> GradientTransformation:
    r"""The transform that returns the updates unchanged, :math:`u_t = g_t`.

    Returns:
        The (stateless) transform.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.identity()
        >>> u, _ = tx.update(jnp.array([1.0]), tx.init(None))
        >>> print(u)
        [1.]
    """
    return _Identity()


class _Chain(GradientTransformation):
    transforms: tuple[TransformLike, ...]

    def init(self, params: Params) -> OptState:
        return tuple(t.init(params) for t in self.transforms)

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        if not isinstance(state, tuple) or len(state) != len(self.transforms):
            raise ValueError(
                f"state must be the tuple of {len(self.transforms)} states returned by init, "
                f"got {type(state).__name__}."
            )
        new_state = []
        for tx, s in zip(self.transforms, state, strict=True):
            updates, s = call_update(tx, updates, s, params, extra)
            new_state.append(s)
        return updates, tuple(new_state)


def chain(*transforms: TransformLike) -> GradientTransformation:
    r"""Apply transforms in sequence: :math:`u = T_n(\dots T_1(g))`; the state is the tuple of
    their states.

    Any object with ``init`` / ``update`` works, optax transforms included. Extra keyword
    arguments reach only the transforms whose ``update`` accepts ``**kwargs``.

    Args:
        *transforms: the transforms, applied first to last.

    Returns:
        The chained transform.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.chain(optim.clip(1.0), optim.scale(-0.5))
        >>> u, _ = tx.update(jnp.array([4.0, 0.5]), tx.init(jnp.zeros(2)))
        >>> print(u)
        [-0.5  -0.25]
    """
    for i, tx in enumerate(transforms):
        check_transform(f"transforms[{i}]", tx)
    return _Chain(tuple(transforms))


class _NamedChain(GradientTransformation):
    names: tuple[str, ...] = eqx.field(static=True)
    transforms: tuple[TransformLike, ...]

    def init(self, params: Params) -> OptState:
        return {n: t.init(params) for n, t in zip(self.names, self.transforms, strict=True)}

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        new_state = {}
        for name, tx in zip(self.names, self.transforms, strict=True):
            updates, new_state[name] = call_update(tx, updates, state[name], params, extra)
        return updates, new_state


def named_chain(*transforms: tuple[str, TransformLike]) -> GradientTransformation:
    r"""Like :func:`chain`, but the state is a dict keyed by the given names.

    Args:
        *transforms: ``(name, transform)`` pairs, applied first to last.

    Returns:
        The chained transform; its state is a dict of the transforms' states by name.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.named_chain(("momentum", optim.trace(0.9)), ("lr", optim.scale(-0.1)))
        >>> state = tx.init(jnp.zeros(1))
        >>> sorted(state)
        ['lr', 'momentum']
    """
    names = tuple(n for n, _ in transforms)
    if len(set(names)) != len(names):
        raise ValueError(f"named_chain names must be unique, got {names}.")
    for name, tx in transforms:
        check_transform(f"transform {name!r}", tx)
    return _NamedChain(names, tuple(tx for _, tx in transforms))
