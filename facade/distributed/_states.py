"""Data parallelism and sharded checkpoints for brainstate states (the object style)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import brainstate
from jax.sharding import Mesh

from core.distributed import replicate, restore_sharded, save_sharded

States = Mapping[Any, "brainstate.State[Any]"] | Iterable["brainstate.State[Any]"]


def _listed(name: str, states: States) -> list[brainstate.State[Any]]:
    """The states of a mapping (in its order), of an iterable, or one state alone."""
    if isinstance(states, brainstate.State):
        return [states]
    listed = list(states.values() if isinstance(states, Mapping) else states)
    for state in listed:
        if not isinstance(state, brainstate.State):
            raise TypeError(
                f"{name} must hold brainstate.State objects (net.states(), an optimizer), "
                f"got a {type(state).__name__}"
            )
    return listed


def replicate_states(states: States, mesh: Mesh) -> None:
    """Replace every state's value by a copy on every device of ``mesh``, in every process.

    Call it for the network's states (``net.states()``) and the optimizer (iterating a
    :class:`facade.optim.Optimizer` yields its states) before the first
    ``brainstate.transform.jit`` step; see :func:`core.distributed.replicate`.

    Args:
        states: a mapping or iterable of ``brainstate.State`` (or an optimizer).
        mesh: the device mesh, e.g. from :func:`core.distributed.data_mesh`.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from core.distributed import data_mesh
        >>> from facade.distributed import replicate_states
        >>> weight = brainstate.ParamState(jnp.ones(3))
        >>> replicate_states([weight], data_mesh(1))
        >>> weight.value.sharding.is_fully_replicated
        True
    """
    listed = _listed("states", states)
    values = replicate([state.value for state in listed], mesh)
    for state, value in zip(listed, values, strict=True):
        state.value = value


def save_states(directory: str | os.PathLike[str], states: States) -> Path:
    """Save the values of ``states`` (sharded, multi-process) with orbax-checkpoint.

    Collective, like :func:`core.distributed.save_sharded`: every process calls it.

    Args:
        directory: where to write (replaced if it exists).
        states: a mapping or iterable of ``brainstate.State``, e.g.
            ``[*net.states().values(), *optimizer]``.

    Returns:
        The checkpoint directory.

    Example:
        >>> import brainstate, jax.numpy as jnp, tempfile
        >>> from facade.distributed import restore_states, save_states
        >>> weight = brainstate.ParamState(jnp.arange(3.0))
        >>> path = save_states(tempfile.mkdtemp() + "/ckpt", [weight])
        >>> weight.value = jnp.zeros(3)
        >>> restore_states(path, [weight])
        >>> weight.value
        Array([0., 1., 2.], dtype=float32)
    """
    return save_sharded(directory, [state.value for state in _listed("states", states)])


def restore_states(
    directory: str | os.PathLike[str], states: States, *, reshard: bool = False
) -> None:
    """Load a :func:`save_states` checkpoint into ``states``, onto their current shardings.

    The states must come in the order they were saved in; each keeps its sharding
    (replicate them first to restore onto a mesh). Nothing is written unless every
    value restored.

    Args:
        directory: a directory written by :func:`save_states`.
        states: the same states as were saved (same order, shapes, dtypes).
        reshard: allow a checkpoint from another process count or mesh shape.

    Raises:
        ValueError: see :func:`core.distributed.restore_sharded`.

    Example:
        >>> import brainstate, jax.numpy as jnp, tempfile
        >>> from facade.distributed import restore_states, save_states
        >>> count = brainstate.State(jnp.array(5))
        >>> path = save_states(tempfile.mkdtemp() + "/ckpt", {"count": count})
        >>> count.value = jnp.array(0)
        >>> restore_states(path, {"count": count})
        >>> int(count.value)
        5
    """
    listed = _listed("states", states)
    values = restore_sharded(directory, [state.value for state in listed], reshard=reshard)
    for state, value in zip(listed, values, strict=True):
        state.value = value
