"""An optimizer's ``state_dict``: the snapshot, its exact restore, and braintools' format.

The snapshot has braintools 0.3.0's top-level keys (``step_count``, ``lr``, ``base_lr``,
``param_groups``, ``opt_state``, ``param_groups_opt_states``) plus ``skipped_steps``; each
core state is stored as ``{key path: numpy array}``. A state dict written by braintools
holds an optax state instead; it is mapped onto the core state leaf by leaf, by field name
(``mu``, ``nu``, ``count``, ...) and parameter key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from core._validation import as_float, as_int, check_same_structure, keystr

if TYPE_CHECKING:
    from ._optimizer import Optimizer


def leaves_by_path(tree: Any) -> dict[str, Any]:
    """``{keystr(path): leaf}`` for every leaf of ``tree``."""
    return {keystr(path): leaf for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]}


def carry_over(old: Any, new: Any) -> Any:
    """``new`` with the value of every leaf that ``old`` already had at the same path.

    Per-parameter parts of a core state are keyed by the registration key paths, so the
    moments of parameters registered earlier (and the step counters) survive a later
    registration, while new parameters start from their initial state.
    """
    previous = leaves_by_path(old)
    paths_and_leaves, treedef = jax.tree_util.tree_flatten_with_path(new)
    merged = []
    for path, leaf in paths_and_leaves:
        before = previous.get(keystr(path))
        same_kind = before is not None and (
            jnp.shape(before) == jnp.shape(leaf)
            and jnp.result_type(before) == jnp.result_type(leaf)
        )
        merged.append(before if same_kind else leaf)
    return jax.tree_util.tree_unflatten(treedef, merged)


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def snapshot(opt: Optimizer) -> dict[str, Any]:
    """The optimizer's mutable state as host copies (see :meth:`Optimizer.state_dict`)."""
    groups = opt._groups
    states = [jax.tree.map(np.array, leaves_by_path(g.opt_state.value)) for g in groups]
    return {
        "step_count": np.array(opt.step_count.value),
        "skipped_steps": np.array(opt.skipped_steps.value),
        "lr": opt._read_lr(groups[0].lr) if groups and groups[0].lr is not None else None,
        "base_lr": opt._initial_lr,
        "param_groups": {
            str(i): {
                "lr": None if g.lr is None else opt._read_lr(g.lr),
                **{k: v for k, v in g.hyperparams.items() if _plain(v) and k != "lr"},
            }
            for i, g in enumerate(groups)
        },
        "opt_state": states[0] if states else {},
        "param_groups_opt_states": {str(i): s for i, s in enumerate(states) if i > 0},
    }


def restore(opt: Optimizer, state_dict: Mapping[str, Any]) -> None:
    """Check ``state_dict`` against ``opt`` and write it (see ``Optimizer.load_state_dict``)."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
    missing = [k for k in ("step_count", "opt_state") if k not in state_dict]
    if missing:
        raise ValueError(f"state_dict is missing the entries {missing}")
    step = as_int("state_dict['step_count']", np.asarray(state_dict["step_count"]).item())
    skipped = as_int(
        "state_dict['skipped_steps']", np.asarray(state_dict.get("skipped_steps", 0)).item()
    )
    if not opt._groups:
        raise ValueError("register_trainable_weights must be called before load_state_dict")
    saved = state_dict["opt_state"]
    ours = isinstance(saved, Mapping) and all(isinstance(k, str) for k in saved)
    new_states = _ours(opt, state_dict) if ours else [_from_braintools(opt, saved, step)]
    lrs = _saved_lrs(opt, state_dict)
    base = state_dict.get("base_lr")
    base_lr = None if base is None else as_float("state_dict['base_lr']", np.asarray(base), low=0)
    if not ours and opt._lr_own:  # braintools' OptaxOptimizer(tx) records lr, never applies it
        lrs, base_lr = [None] * len(lrs), None  # the transform's own rates stay
    for group, state, lr in zip(opt._groups, new_states, lrs, strict=True):
        group.opt_state.value = state
        if group.lr is not None and lr is not None:
            opt._write_lr(group.lr, lr)
    opt.step_count.value = jnp.asarray(step, jnp.int32)
    opt.skipped_steps.value = jnp.asarray(skipped, jnp.int32)
    if base_lr is not None:
        opt._initial_lr = base_lr


def _ours(opt: Optimizer, state_dict: Mapping[str, Any]) -> list[Any]:
    """The core states of a state dict written by :func:`snapshot`, checked leaf by leaf."""
    others = state_dict.get("param_groups_opt_states", {})
    if not isinstance(others, Mapping) or len(others) != len(opt._groups) - 1:
        count = len(others) + 1 if isinstance(others, Mapping) else "?"
        raise ValueError(
            f"state_dict has {count} parameter groups; this optimizer has {len(opt._groups)}"
        )
    restored = []
    for i, group in enumerate(opt._groups):
        where = (
            "state_dict['opt_state']" if i == 0 else f"state_dict['param_groups_opt_states']['{i}']"
        )
        saved = state_dict["opt_state"] if i == 0 else others[str(i)]
        live = leaves_by_path(group.opt_state.value)
        check_same_structure(where, dict(saved), live, what="this optimizer's state", dtypes=True)
        paths, treedef = jax.tree_util.tree_flatten_with_path(group.opt_state.value)
        values = [jnp.asarray(saved[keystr(p)]) for p, _ in paths]
        restored.append(jax.tree_util.tree_unflatten(treedef, values))
    return restored


def _saved_lrs(opt: Optimizer, state_dict: Mapping[str, Any]) -> list[float | None]:
    """Each group's saved learning rate (``None``: keep the current one)."""
    groups = state_dict.get("param_groups")
    lrs: list[float | None] = []
    for i in range(len(opt._groups)):
        entry = groups.get(str(i)) if isinstance(groups, Mapping) else None
        lr = entry.get("lr") if isinstance(entry, Mapping) else None
        if i == 0 and lr is None:
            lr = state_dict.get("lr")
        lrs.append(None if lr is None else float(np.asarray(lr)))
    for lr in lrs:
        if lr is not None and not lr >= 0:
            raise ValueError(f"state_dict holds the learning rate {lr}; expected >= 0")
    return lrs


def _field_and_param(path: tuple[Any, ...]) -> tuple[str | None, str]:
    """The last attribute on ``path`` (``mu``) and the parameter's key path after it.

    A core state and braintools' optax state both nest their per-parameter parts along the
    parameter tree the transform receives (the registration key paths, as braintools).
    """
    for i in range(len(path) - 1, -1, -1):
        if isinstance(path[i], jax.tree_util.GetAttrKey):
            rest = path[i + 1 :]
            return path[i].name, keystr(rest) if rest else ""
    return None, keystr(path)


def _from_braintools(opt: Optimizer, saved: Any, step: int) -> Any:
    """Map braintools' optax state ``saved`` onto the first group's core state."""
    if len(opt._groups) != 1:
        raise ValueError(
            "state_dict holds a braintools optax state; loading one is supported for an "
            "optimizer without extra parameter groups"
        )
    pool: list[tuple[str | None, str, Any]] = []
    for path, leaf in jax.tree_util.tree_flatten_with_path(saved)[0]:
        pool.append((*_field_and_param(tuple(path)), leaf))
    template = opt._groups[0].opt_state.value
    paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    values = []
    for path, live in paths:
        field, param = _field_and_param(tuple(path))
        if field == "hyperparams":  # a hyperparameter kept in the state: set separately
            values.append(live)
            continue
        found = next(
            (
                k
                for k, (f, p, leaf) in enumerate(pool)
                if f == field and p == param and np.shape(leaf) == np.shape(live)
            ),
            None,
        )
        if found is not None:
            values.append(jnp.asarray(pool.pop(found)[2], jnp.result_type(live)))
        elif field == "count" and np.shape(live) == ():
            values.append(jnp.asarray(step, jnp.result_type(live)))
        else:
            raise ValueError(
                f"state_dict['opt_state'] (a braintools optax state) has no {field} entry for "
                f"{param or 'the optimizer'}; it was written by another algorithm"
            )
    left = [f"{f}{p}" for f, p, leaf in pool if np.ndim(leaf) > 0]
    if left:
        raise ValueError(
            f"state_dict['opt_state'] (a braintools optax state) holds {left}, which this "
            f"{type(opt).__name__} does not keep; it was written by another algorithm"
        )
    return jax.tree_util.tree_unflatten(treedef, values)
