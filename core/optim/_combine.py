"""Parameter groups: ``masked`` (one transform on part of the tree) and ``partition`` (one transform
per labelled group). ``chain`` and ``identity`` live with the protocol in ``_base.py``."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Hashable, Mapping
from typing import Any, NamedTuple

import equinox as eqx
import jax

from ._base import (
    GradientTransformation,
    OptState,
    Params,
    TransformLike,
    Updates,
    call_update,
    check_transform,
)


def is_label_function(value: Any) -> bool:
    """Only plain functions (``def``/``lambda``, methods, ``functools.partial``) are functions
    of the params; any other callable (an Equinox module, a callable pytree) is a pytree."""
    if isinstance(value, eqx.Module):
        return False
    return isinstance(
        value,
        types.FunctionType | types.BuiltinFunctionType | types.MethodType | functools.partial,
    )


class MaskedNode(NamedTuple):
    """Stands in for a parameter that a masked transform does not see (a pytree without leaves).

    Example:
        >>> import jax
        >>> from core import optim
        >>> jax.tree.leaves({"w": optim.MaskedNode()})
        []
    """


class MaskedState(NamedTuple):
    """The state of the inner transform, built on the masked params."""

    inner_state: OptState


def _is_masked(x: Any) -> bool:
    return isinstance(x, MaskedNode)


def _full_mask(mask: Any, tree: Any, name: str) -> Any:
    """Resolve ``mask`` (a pytree prefix of bools, or a plain function) against ``tree``."""
    if is_label_function(mask):
        mask = mask(tree)
    try:
        return jax.tree.map(
            lambda m, sub: jax.tree.map(lambda _: bool(m), sub, is_leaf=_is_masked),
            mask,
            tree,
            is_leaf=_is_masked,
        )
    except ValueError as err:
        raise ValueError(
            f"{name} must be a pytree of booleans whose structure is a prefix of the params "
            f"(or a plain function returning one): {err}"
        ) from err


def _apply_mask(tree: Any, full: Any) -> Any:
    return jax.tree.map(lambda m, x: x if m else MaskedNode(), full, tree, is_leaf=_is_masked)


class _Masked(GradientTransformation):
    inner: TransformLike
    mask: Any

    def init(self, params: Params) -> OptState:
        full = _full_mask(self.mask, params, "mask")
        return MaskedState(self.inner.init(_apply_mask(params, full)))

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        full = _full_mask(self.mask, updates, "mask")
        masked_params = None if params is None else _apply_mask(params, full)
        new, inner_state = call_update(
            self.inner, _apply_mask(updates, full), state.inner_state, masked_params, extra
        )
        out = jax.tree.map(lambda m, n, o: n if m else o, full, new, updates, is_leaf=_is_masked)
        return out, MaskedState(inner_state)


def masked(inner: TransformLike, mask: Any) -> GradientTransformation:
    r"""Apply ``inner`` only to the leaves where ``mask`` is ``True``; others pass unchanged.

    ``mask`` is a pytree of Python booleans with the structure of the params (or a prefix of
    it), or a *plain function* (``def``, ``lambda``, bound method, ``functools.partial``) that
    maps the params to such a pytree. Any other callable, such as an Equinox module, is treated
    as a pytree, never called (unlike optax, where any callable is taken for a function).

    Args:
        inner: the transform to apply to the selected leaves.
        mask: the selection (see above).

    Returns:
        The masked transform; the inner state covers only the selected leaves.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.masked(optim.scale(0.0), {"w": True, "b": False})
        >>> p = {"w": jnp.ones(2), "b": jnp.ones(1)}
        >>> u, _ = tx.update(p, tx.init(p))
        >>> print(u["w"], u["b"])
        [0. 0.] [1.]
    """
    check_transform("inner", inner)
    return _Masked(inner, mask)


class PartitionState(NamedTuple):
    """One masked state per label."""

    inner_states: dict[Hashable, MaskedState]


class _Partition(GradientTransformation):
    transforms: dict[Hashable, TransformLike]
    param_labels: Any

    def _labels(self, tree: Any) -> Any:
        labels = (
            self.param_labels(tree) if is_label_function(self.param_labels) else self.param_labels
        )
        try:
            full = jax.tree.map(
                lambda lab, sub: jax.tree.map(lambda _: lab, sub, is_leaf=_is_masked),
                labels,
                tree,
                is_leaf=_is_masked,
            )
        except ValueError as err:
            raise ValueError(
                "param_labels must be a pytree of labels whose structure is a prefix of the "
                f"params (or a plain function returning one): {err}"
            ) from err
        unknown = set(jax.tree.leaves(full)) - set(self.transforms)
        if unknown:
            raise ValueError(
                f"param_labels uses labels {sorted(map(str, unknown))} that have no transform; "
                f"transforms has {sorted(map(str, self.transforms))}."
            )
        return full

    def _group(self, label: Hashable, labels: Any) -> _Masked:
        mask = jax.tree.map(lambda lab: lab == label, labels)
        return _Masked(self.transforms[label], mask)

    def init(self, params: Params) -> OptState:
        labels = self._labels(params)
        return PartitionState({k: self._group(k, labels).init(params) for k in self.transforms})

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        labels = self._labels(updates)
        new_states = {}
        for k in self.transforms:
            updates, new_states[k] = self._group(k, labels).update(
                updates, state.inner_states[k], params, **extra
            )
        return updates, PartitionState(new_states)


def partition(
    transforms: Mapping[Hashable, TransformLike],
    param_labels: Any | Callable[[Params], Any],
) -> GradientTransformation:
    r"""Parameter groups: apply ``transforms[label]`` to the leaves labelled ``label``.

    ``param_labels`` is a pytree of labels with the structure of the params (or a prefix of
    it), or a *plain function* of the params returning one. As in :func:`masked`, an Equinox
    module or other callable pytree is never mistaken for a label function.

    Args:
        transforms: a mapping from label to transform (one group per label).
        param_labels: the labels (see above); every label must have a transform.

    Returns:
        The partitioned transform; its state holds one masked state per label.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.partition(
        ...     {"fast": optim.sgd(1.0), "frozen": optim.scale(0.0)},
        ...     {"w": "fast", "b": "frozen"},
        ... )
        >>> p = {"w": jnp.ones(2), "b": jnp.ones(1)}
        >>> u, _ = tx.update(p, tx.init(p), p)
        >>> print(u["w"], u["b"])
        [-1. -1.] [0.]
    """
    for label, tx in transforms.items():
        check_transform(f"transforms[{label!r}]", tx)
    return _Partition(dict(transforms), param_labels)
