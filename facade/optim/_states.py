"""Trees of brainstate states: flattening by key path, and braintools' ``UniqueStateManager``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias

import brainstate
import jax

from core._validation import check_floating, keystr

PyTreeOfStates: TypeAlias = Any
"""A ``State`` or a (nested) dict/list of them, e.g. ``net.states(brainstate.ParamState)``."""

StatePath: TypeAlias = tuple[Any, ...]
"""A jax key path from the root of a tree of states to one state."""


def is_state(x: object) -> bool:
    """Whether ``x`` is a ``brainstate.State`` (the leaves of a tree of states)."""
    return isinstance(x, brainstate.State)


def flatten_states(
    params: PyTreeOfStates, *, floating: bool
) -> dict[str, tuple[StatePath, brainstate.State[Any]]]:
    """``{keystr(path): (path, state)}`` for every State in ``params``; refuses anything else.

    Args:
        params: a ``State`` or a (nested) dict/list of them.
        floating: also require every state to hold floating-point arrays (trainable ones).

    Returns:
        The states by key path, in tree order.

    Raises:
        ValueError: for a tree without states.
        TypeError: for a leaf that is not a State, or (with ``floating``) an integer state.
    """
    leaves = jax.tree_util.tree_flatten_with_path(params, is_leaf=is_state)[0]
    if not leaves:
        raise ValueError("params must contain at least one brainstate.State; got an empty tree")
    flat: dict[str, tuple[StatePath, brainstate.State[Any]]] = {}
    for path, leaf in leaves:
        name = keystr(path)
        if not is_state(leaf):
            raise TypeError(
                f"params must hold brainstate.State objects (e.g. net.states(ParamState)); "
                f"found {type(leaf).__name__} at {name}"
            )
        flat[name] = (tuple(path), leaf)
    if floating:
        check_floating("params", jax.tree.map(lambda s: s.value, params, is_leaf=is_state))
    return flat


class UniqueStateManager:
    """The distinct states of a tree of ``brainstate.State``, by key path (braintools' API).

    A state that appears twice in the tree (the same object under two paths, e.g. a shared
    weight) is kept once, at its first path. braintools' examples build an optimizer's
    parameter dict with ``UniqueStateManager().merge_with(net.states(ParamState)).to_dict()``.

    Args:
        pytree: a tree of states to start from (optional).

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade.optim import UniqueStateManager
        >>> w = brainstate.ParamState(jnp.ones(2))
        >>> manager = UniqueStateManager({"layer1": {"w": w}, "layer2": {"w": w}})
        >>> len(manager), list(manager.to_dict())
        (1, ['layer1.w'])
    """

    def __init__(self, pytree: PyTreeOfStates = None) -> None:
        self.unique_paths: list[StatePath] = []
        self.unique_states: list[brainstate.State[Any]] = []
        if pytree is not None:
            self.merge_with(pytree)

    def make_unique(self, pytree: PyTreeOfStates) -> dict[Any, Any]:
        """Replace the content with the distinct states of ``pytree``.

        Args:
            pytree: a tree of states.

        Returns:
            The distinct states as nested dicts (:meth:`to_pytree`).
        """
        self.clear()
        self.merge_with(pytree)
        return self.to_pytree()

    def merge_with(self, other_pytree: PyTreeOfStates) -> UniqueStateManager:
        """Add the states of ``other_pytree`` not held yet.

        Args:
            other_pytree: a tree of states.

        Returns:
            ``self``.
        """
        held = {id(s) for s in self.unique_states}
        for path, leaf in jax.tree_util.tree_flatten_with_path(other_pytree, is_leaf=is_state)[0]:
            if is_state(leaf) and id(leaf) not in held:
                held.add(id(leaf))
                self.unique_paths.append(tuple(path))
                self.unique_states.append(leaf)
        return self

    def get_flattened(self) -> list[tuple[StatePath, brainstate.State[Any]]]:
        """The ``(path, state)`` pairs.

        Returns:
            A new list.
        """
        return list(zip(self.unique_paths, self.unique_states, strict=True))

    def get_state_by_path(self, target_path: StatePath) -> brainstate.State[Any] | None:
        """The state at ``target_path`` (a key path), or ``None``.

        Args:
            target_path: a jax key path.

        Returns:
            The state, or ``None`` when no state has that path.
        """
        for path, state in self.get_flattened():
            if path == tuple(target_path):
                return state
        return None

    def update_state(self, target_path: StatePath, new_state: brainstate.State[Any]) -> bool:
        """Put ``new_state`` at ``target_path``.

        Args:
            target_path: a jax key path already held.
            new_state: the state to hold there.

        Returns:
            Whether ``target_path`` was found.
        """
        for i, path in enumerate(self.unique_paths):
            if path == tuple(target_path):
                self.unique_states[i] = new_state
                return True
        return False

    def to_pytree(self) -> dict[Any, Any]:
        """The states as nested dicts along their key paths.

        Returns:
            Nested dicts whose leaves are the states.
        """
        return self._nested(self.unique_states)

    def to_pytree_value(self) -> dict[Any, Any]:
        """The states' values as nested dicts along their key paths.

        Returns:
            Nested dicts whose leaves are the values.
        """
        return self._nested([s.value for s in self.unique_states])

    def to_dict(self) -> dict[str, brainstate.State[Any]]:
        """The states by dotted path (``"layer1.weight"``, ``"layers[0].w"``).

        Returns:
            A flat dict.
        """
        return {_dotted(p): s for p, s in self.get_flattened()}

    def to_dict_value(self) -> dict[str, Any]:
        """The states' values by dotted path.

        Returns:
            A flat dict.
        """
        return {_dotted(p): s.value for p, s in self.get_flattened()}

    @property
    def num_unique_states(self) -> int:
        """The number of distinct states."""
        return len(self.unique_states)

    def clear(self) -> None:
        """Forget every state."""
        self.unique_paths.clear()
        self.unique_states.clear()

    def __len__(self) -> int:
        """The number of distinct states."""
        return len(self.unique_states)

    def __iter__(self) -> Iterator[brainstate.State[Any]]:
        """The distinct states, in order."""
        return iter(list(self.unique_states))

    def _nested(self, leaves: list[Any]) -> dict[Any, Any]:
        root: dict[Any, Any] = {}
        for path, leaf in zip(self.unique_paths, leaves, strict=True):
            keys = [key_entry(k) for k in path] or ["<root>"]
            node = root
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = leaf
        return root


def key_entry(key: Any) -> Any:
    """The dict key, sequence index or attribute name of one key-path entry."""
    for attribute in ("key", "idx", "name"):
        if hasattr(key, attribute):
            return getattr(key, attribute)
    return key


def _dotted(path: StatePath) -> str:
    """``layer1.weight`` / ``layers[0]`` for a key path (braintools' spelling)."""
    text = ""
    for key in path:
        if hasattr(key, "idx"):
            text += f"[{key.idx}]"
        else:
            part = str(key_entry(key))
            text = part if not text else f"{text}.{part}"
    return text
