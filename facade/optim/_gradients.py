"""What one optimizer step checks and guards: gradients against parameters, non-finite
values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

from core._validation import check_floating, check_same_structure

from ._states import StatePath


@dataclass(frozen=True)
class Route:
    """Where the gradient of each registered parameter lies among the leaves of a grads tree.

    Built once per gradient structure by :func:`route`; hashable, so a compiled update can
    take it as a static argument.
    """

    indices: tuple[tuple[int, ...], ...]
    structures: tuple[Any, ...]
    used: tuple[int, ...] | None = None
    """The leaves of the grads tree that the parameters' gradients use, in order (``None``:
    all of them); :attr:`indices` count among these."""

    def select(self, leaves: list[Any]) -> list[Any]:
        """The leaves of a grads tree that :meth:`gather` reads (others are never traced)."""
        return leaves if self.used is None else [leaves[i] for i in self.used]

    def gather(self, leaves: Sequence[Any]) -> list[Any]:
        """The gradient of each parameter, in registration order, from the selected leaves."""
        return [
            structure.unflatten([leaves[i] for i in where])
            for where, structure in zip(self.indices, self.structures, strict=True)
        ]


def route(grads: Any, parameters: Sequence[tuple[str, StatePath]]) -> Route:
    """The :class:`Route` of ``grads`` for the registered ``(name, key path)`` pairs.

    Raises:
        KeyError: naming a parameter whose gradient is missing.
        TypeError: naming a parameter whose gradient is ``None`` or empty.
    """
    leaves, treedef = jax.tree.flatten(grads)
    positions = jax.tree.unflatten(
        treedef, range(len(leaves))
    )  # the same tree, leaves -> their index
    indices, structures = [], []
    for name, path in parameters:
        where, structure = jax.tree.flatten(subtree(positions, path, name))
        if not where:
            raise TypeError(f"grads for the registered parameter {name} is empty (None)")
        indices.append(tuple(where))
        structures.append(structure)
    used = sorted({i for where in indices for i in where})
    if used == list(range(len(leaves))):
        return Route(tuple(indices), tuple(structures))
    position = {leaf: i for i, leaf in enumerate(used)}
    indices = [tuple(position[i] for i in where) for where in indices]
    return Route(tuple(indices), tuple(structures), tuple(used))


def subtree(grads: Any, path: StatePath, name: str) -> Any:
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


def check_gradient(name: str, grad: Any, value: Any) -> None:
    """Refuse a gradient that cannot update the parameter ``value`` registered as ``name``."""
    if (
        isinstance(grad, jax.Array)
        and isinstance(value, jax.Array)
        and grad.shape == value.shape
        and grad.dtype == value.dtype
    ):
        return  # the common case (parameters were checked floating at registration)
    if grad is None or not jax.tree.leaves(grad):
        raise TypeError(f"grads for the registered parameter {name} is empty (None)")
    check_same_structure(f"grads for {name}", grad, value, what="the parameter")
    check_floating(f"grads for {name}", grad)


class RefusedGradientError(Exception):
    """Carries the error of :func:`check_gradient` out of a traced update unchanged (JAX
    appends its traceback note to exceptions that cross a ``jit`` boundary)."""

    def __init__(self, error: TypeError | ValueError) -> None:
        super().__init__(str(error))
        self.error = error


def keep_if(finite: jax.Array, new: Any, old: Any) -> Any:
    """``new`` where ``finite`` holds, else ``old`` (leaf by leaf, in ``new``'s dtypes)."""

    def pick(n: Any, o: Any) -> Any:
        return jnp.where(finite, n, jnp.asarray(o, jnp.result_type(n)))

    return jax.tree.map(pick, new, old)


def unchanged(update: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The branch of a skipped step: ``update``'s inputs, in the dtypes ``update`` returns
    (the other branch of the ``lax.cond``), so that both branches agree."""

    def keep(operands: Any) -> Any:
        shapes = jax.eval_shape(update, operands)
        return jax.tree.map(lambda old, new: jnp.asarray(old, new.dtype), operands, shapes)

    return keep
