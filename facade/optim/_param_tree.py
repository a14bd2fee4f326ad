"""The parameter tree a facade optimizer hands its transform: braintools' nesting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._states import StatePath, key_entry


class ParamTree:
    """The registered parameters arranged as the transform sees them (braintools 0.3.0).

    Each parameter sits at its registration key path, turned into nested dicts: dict keys
    stay as given (``{"w1": ...}``; ``net.states(ParamState)``'s tuple keys
    ``{("l1", "weight"): ...}``), sequence indices become int keys and attributes their
    names (``{"dec": [s]}`` gives ``{"dec": {0: ...}}``). So label trees and masks written
    for braintools' ``OptaxOptimizer`` (``partition``, ``masked``, ``optax.multi_transform``)
    apply unchanged. A single ``State`` registered alone is handed over bare.

    Args:
        paths: each parameter's name and key path, in registration order.

    Raises:
        ValueError: naming ``params`` for two parameters at the same place, or one inside
            another (a bare ``State`` registered beside others).

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade.optim._param_tree import ParamTree
        >>> from facade.optim._states import flatten_states
        >>> flat = flatten_states({"enc": {"w": brainstate.ParamState(jnp.ones(1))},
        ...                        "dec": [brainstate.ParamState(jnp.zeros(1))]}, floating=True)
        >>> tree = ParamTree({name: path for name, (path, _) in flat.items()})
        >>> nested = tree.nest({name: state.value for name, (_, state) in flat.items()})
        >>> nested
        {'dec': {0: Array([0.], dtype=float32)}, 'enc': {'w': Array([1.], dtype=float32)}}
        >>> tree.leaves(nested)
        [Array([0.], dtype=float32), Array([1.], dtype=float32)]
    """

    def __init__(self, paths: Mapping[str, StatePath]) -> None:
        self._keys = {name: tuple(key_entry(k) for k in path) for name, path in paths.items()}
        self._bare = list(self._keys.values()) == [()]
        if not self._bare:
            self.nest(dict.fromkeys(self._keys))  # refuses overlapping paths, before any use

    def nest(self, flat: Mapping[str, Any]) -> Any:
        """The values of ``flat`` (``{name: value}``) at their places in nested dicts.

        Args:
            flat: a value for every parameter, by name.

        Returns:
            Nested dicts (or the single bare value).
        """
        if self._bare:
            return next(iter(flat.values()))
        root: dict[Any, Any] = {}
        where: dict[tuple[Any, ...], str] = {}
        for name, keys in self._keys.items():
            if not keys:
                raise ValueError(
                    "params: a single State registered alone cannot share an optimizer with "
                    f"others (here {', '.join(n for n in self._keys if n)}); register all "
                    "parameters in one dict"
                )
            node = root
            for depth, key in enumerate(keys[:-1]):
                child = node.setdefault(key, {})
                if not isinstance(child, dict) or keys[: depth + 1] in where:
                    self._overlap(name, where[keys[: depth + 1]])
                node = child
            if keys in where or keys[-1] in node:
                self._overlap(name, where.get(keys) or self._below(keys))
            node[keys[-1]] = flat[name]
            where[keys] = name
        return root

    def leaves(self, tree: Any) -> list[Any]:
        """The value at every parameter's place in ``tree`` (shaped as :meth:`nest` gives).

        Args:
            tree: nested dicts as :meth:`nest` returns (e.g. the new parameters).

        Returns:
            The values, in registration order.
        """
        if self._bare:
            return [tree]
        found = []
        for keys in self._keys.values():
            node = tree
            for key in keys:
                node = node[key]
            found.append(node)
        return found

    def _below(self, keys: tuple[Any, ...]) -> str:
        return next(n for n, k in self._keys.items() if k[: len(keys)] == keys and k != keys)

    @staticmethod
    def _overlap(name: str, other: str) -> None:
        raise ValueError(
            f"params: {name} and {other} would sit at the same place in the parameter tree "
            "the transform receives (nested along their key paths, as braintools does); "
            "register the parameters in one structure with distinct keys"
        )
