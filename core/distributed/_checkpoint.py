"""Sharded, multi-process checkpoints with orbax-checkpoint (an optional dependency)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, TypeVar

import jax

T = TypeVar("T")

_INSTALL = 'pip install "spiketrain[distributed]"  (or: pip install orbax-checkpoint)'


def _orbax() -> Any:
    """The ``orbax.checkpoint`` module, imported on first use."""
    try:
        return importlib.import_module("orbax.checkpoint")
    except ImportError as error:  # pragma: no cover - the dev extra installs it
        raise ImportError(f"sharded checkpoints need orbax-checkpoint: {_INSTALL}") from error


def _layout(tree: Any) -> dict[str, Any]:
    """Process count and mesh shape of ``tree``'s arrays: what a restore must match."""
    meshes: list[dict[str, int]] = [
        dict(leaf.sharding.mesh.shape)
        for leaf in jax.tree.leaves(tree)
        if isinstance(getattr(leaf, "sharding", None), jax.sharding.NamedSharding)
    ]
    return {"processes": jax.process_count(), "mesh": max(meshes, key=len, default={})}


def save_sharded(directory: str | os.PathLike[str], tree: Any) -> Path:
    """Save a pytree of (sharded, multi-process) arrays with orbax-checkpoint.

    Collective: every process calls it with its view of the same global arrays, and
    each writes the shards it holds (replicated arrays are written once). The
    directory is replaced if it exists. The process count and mesh shape are stored
    with the arrays, for :func:`restore_sharded` to compare.

    Args:
        directory: where to write (a new directory; shared by all processes).
        tree: a pytree of ``jax.Array`` (parameters, optimizer state, step counts).

    Returns:
        The absolute path of the checkpoint directory.

    Example:
        >>> import jax.numpy as jnp, tempfile
        >>> from core.distributed import restore_sharded, save_sharded
        >>> path = save_sharded(tempfile.mkdtemp() + "/ckpt", {"w": jnp.arange(3.0)})
        >>> restore_sharded(path, {"w": jnp.zeros(3)})["w"]
        Array([0., 1., 2.], dtype=float32)
    """
    ocp = _orbax()
    path = Path(directory).absolute()
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, tree, force=True, custom_metadata={"layout": _layout(tree)})
        checkpointer.wait_until_finished()
    return path


def restore_sharded(
    directory: str | os.PathLike[str], like: T, *, reshard: bool = False
) -> T:
    """Restore a :func:`save_sharded` checkpoint onto the shardings of ``like``.

    ``like`` is a pytree with the structure, shapes and dtypes of what was saved: arrays
    (e.g. the freshly initialised state) or ``jax.ShapeDtypeStruct``\\ s, each with the
    sharding it should have after the restore. Every process calls it; each reads the
    shards its devices need. A checkpoint written by another number of processes or
    another mesh shape is refused unless ``reshard=True``, which re-shards it onto
    ``like``'s mesh (any process and device count).

    Args:
        directory: a directory written by :func:`save_sharded`.
        like: the target pytree (values are not read, only shapes, dtypes, shardings).
        reshard: allow a checkpoint from another process count or mesh shape.

    Returns:
        The restored pytree, with ``like``'s structure and shardings.

    Raises:
        ValueError: the checkpoint's process count or mesh shape differs from
            ``like``'s and ``reshard`` is false; or the structures differ.
        FileNotFoundError: ``directory`` does not exist.

    Example:
        >>> import jax.numpy as jnp, tempfile
        >>> from core.distributed import restore_sharded, save_sharded
        >>> path = save_sharded(tempfile.mkdtemp() + "/ckpt", {"step": jnp.array(7)})
        >>> int(restore_sharded(path, {"step": jnp.array(0)})["step"])
        7
    """
    ocp = _orbax()
    path = Path(directory).absolute()
    if not path.is_dir():
        raise FileNotFoundError(f"directory must be a checkpoint directory, {path} is none")
    with ocp.StandardCheckpointer() as checkpointer:
        saved = (checkpointer.metadata(path).custom_metadata or {}).get("layout")
        wanted = _layout(like)
        if saved is not None and saved != wanted and not reshard:
            raise ValueError(
                f"the checkpoint {path} was written by {saved['processes']} process(es) on "
                f"a mesh {saved['mesh']}, but like lives in {wanted['processes']} "
                f"process(es) on a mesh {wanted['mesh']}: pass reshard=True to re-shard "
                "it onto like's mesh"
            )
        target = jax.tree.map(
            lambda leaf: jax.ShapeDtypeStruct(  # type: ignore[no-untyped-call]
                leaf.shape, leaf.dtype, sharding=getattr(leaf, "sharding", None)
            ),
            like,
        )
        try:
            restored: T = checkpointer.restore(path, target)
        except ValueError as error:
            raise ValueError(
                f"like must have the structure, shapes and dtypes of the checkpoint {path}: "
                f"{error}"
            ) from error
    return restored
