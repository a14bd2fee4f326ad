"""Reading and writing many brainstate states at once, cheaply when nothing observes them.

``state.value`` runs brainstate's bookkeeping on every access: the trace stacks that
record reads and writes for ``brainstate.transform`` functions, the read and write hooks,
the check against storing a tracer outside a trace. An optimizer step reads and writes
every parameter, so on a small model this bookkeeping costs more than the compiled update
itself (``benchmarks/facade_optim.py``). When no brainstate trace is active, no hook is
registered (globally or on one of the states) and the values are concrete arrays, the
bookkeeping has nothing to do; :class:`BulkAccess` then reads and writes the stored values
directly. In every other case it goes through ``state.value`` exactly as user code would.
"""

from __future__ import annotations

import contextlib
import operator
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import brainstate
import jax
import jax.numpy as jnp

_STORAGE = ("_read_value", "_write_value", "value", "check_if_deleted")
_HOOKS = operator.itemgetter("_hooks_manager")
_HAS_HOOKS = operator.attrgetter("_has_hooks")

try:  # brainstate's bookkeeping, as of 0.5.x; without it every access is a plain .value
    from brainstate._state import TRACE_CONTEXT
    from brainstate._state import _InvalidatedTraceValue as _Invalid
    from brainstate._state_global_hooks import GlobalHookRegistry

    _PLAIN: tuple[Any, ...] | None = tuple(getattr(brainstate.State, n) for n in _STORAGE)
except (ImportError, AttributeError):  # pragma: no cover - another brainstate layout
    _PLAIN = None


def _plain_storage(state: brainstate.State[Any]) -> bool:
    """Whether ``state`` keeps its value in ``_value`` as ``brainstate.State`` does (a class
    with its own ``value`` property or storage methods is accessed through them)."""
    kind = type(state)
    return (
        _PLAIN is not None
        and tuple(getattr(kind, n) for n in _STORAGE) == _PLAIN
        and "_hooks_manager" in vars(state)
        and "_value" in vars(state)
    )


class BulkAccess:
    """The values of a fixed sequence of states, read and written together.

    Call :meth:`unobserved` once per round of :meth:`read` and :meth:`write` and pass its
    answer to both; the direct path is taken only when it is ``True``.

    Args:
        states: the states, in the order of the value lists.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade._state_access import BulkAccess
        >>> a, b = brainstate.ParamState(jnp.zeros(2)), brainstate.ParamState(jnp.ones(1))
        >>> access = BulkAccess([a, b])
        >>> direct = access.unobserved()
        >>> values = access.read(direct)
        >>> access.write([values[0] + 1, values[1] * 3], direct)
        >>> print(a.value, b.value)
        [1. 1.] [3.]
    """

    def __init__(self, states: Sequence[brainstate.State[Any]]) -> None:
        self.states = tuple(states)
        plain = all(_plain_storage(s) for s in self.states)
        # the instance dictionaries: brainstate edits them in place, never replaces them
        self._slots = [vars(s) for s in self.states] if plain else None

    def unobserved(self) -> bool:
        """Whether no brainstate trace and no hook would see an access to the states now."""
        return (
            self._slots is not None
            and not recording()
            and not GlobalHookRegistry.instance().has_hooks()
            and not any(map(_HAS_HOOKS, map(_HOOKS, self._slots)))
        )

    def read(self, direct: bool) -> list[Any]:
        """The states' values, in order.

        Args:
            direct: what :meth:`unobserved` answered.
        """
        if direct and self._slots is not None:
            values = [slot["_value"] for slot in self._slots]
            if _Invalid not in map(type, values):
                return values
        return [s.value for s in self.states]

    def write(self, values: Sequence[Any], direct: bool) -> None:
        """Store ``values`` in the first ``len(values)`` states (the same structures as
        those states hold).

        Args:
            values: the new values.
            direct: what :meth:`unobserved` answered.
        """
        if direct and self._slots is not None and not traced(values[:1]):
            for slot, value in zip(self._slots, values, strict=False):
                slot["_value"] = value
                slot["_been_writen"] = True
            return
        for state, value in zip(self.states, values, strict=False):
            state.value = value


def recording() -> bool:
    """Whether a brainstate trace records state accesses now. Such a trace may hold the
    values it saw to restore them later (``brainstate.transform.vmap`` runs the function
    once eagerly to find the states it writes, then puts their old values back), so
    they must not be donated.

    Example:
        >>> import brainstate
        >>> from facade._state_access import recording
        >>> recording()
        False
        >>> brainstate.transform.jit(lambda: print(recording()))()
        True
    """
    return _PLAIN is not None and bool(TRACE_CONTEXT.state_stack)


def traced(tree: Any) -> bool:
    """Whether a leaf of ``tree`` is a JAX tracer (one C-level pass over the leaves' types,
    then one check per distinct type).

    Example:
        >>> import jax.numpy as jnp
        >>> from facade._state_access import traced
        >>> traced([jnp.ones(2), 1.0])
        False
    """
    kinds = set(map(type, jax.tree.leaves(tree)))
    return any(issubclass(kind, jax.core.Tracer) for kind in kinds)


def can_donate(inputs: Any) -> bool:
    """Whether a compiled call on ``inputs`` may donate its buffers now: no brainstate trace
    records the states (it may put back the values it saw, see :func:`recording`) and no
    input is a tracer (the call is being transformed, e.g. by ``jax.vmap``).

    Example:
        >>> import jax.numpy as jnp
        >>> from facade._state_access import can_donate
        >>> can_donate([jnp.ones(2), 2.0])
        True
    """
    return not recording() and not traced(inputs)


def unshared(donated: Any, kept: Any) -> Any:
    """``donated`` with every array that appears in it twice, or also in ``kept``, copied:
    XLA refuses to donate a buffer twice, or one it also receives undonated (a core state
    may hold the very arrays it was given: L-BFGS keeps the last parameters and gradients).

    Example:
        >>> import jax.numpy as jnp
        >>> from facade._state_access import unshared
        >>> x = jnp.ones(2)
        >>> a, b = unshared([x, x], kept=[])
        >>> a is x, b is x
        (True, False)
    """
    leaves = jax.tree.leaves((kept, donated))
    if len(set(map(id, leaves))) == len(leaves):  # the usual case: nothing shared
        return donated
    seen = {id(leaf) for leaf in jax.tree.leaves(kept)}

    def fresh(leaf: Any) -> Any:
        if not isinstance(leaf, jax.Array):
            return leaf
        if id(leaf) in seen:
            return jnp.copy(leaf)
        seen.add(id(leaf))
        return leaf

    return jax.tree.map(fresh, donated)


_donating = threading.local()


@contextlib.contextmanager
def writes_donated() -> Iterator[None]:
    """Mark the function traced inside as one whose written states are donated (in place).

    :func:`facade.transform.jit` traces its function inside this context; code that can
    update a state either in place or by a select (the optimizer's skipped steps) asks
    :func:`states_donated` which to compile.
    """
    depth = getattr(_donating, "depth", 0)
    _donating.depth = depth + 1
    try:
        yield
    finally:
        _donating.depth = depth


def states_donated() -> bool:
    """Whether the function being traced donates the states it writes (see
    :func:`writes_donated`)."""
    return getattr(_donating, "depth", 0) > 0
