"""Data-parallel placement over every device of every process: mesh, batches, replicas."""

from __future__ import annotations

from typing import Any, TypeVar

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec, Sharding

from .._validation import as_int

T = TypeVar("T")


def _spec(*axes: str | None) -> PartitionSpec:
    """``PartitionSpec(*axes)``: which mesh axis splits each array axis."""
    return PartitionSpec(*axes)  # type: ignore[no-untyped-call]  # jax leaves it untyped


def data_mesh(devices: int | None = None, *, axis: str = "batch") -> Mesh:
    """A 1-D mesh over the devices of every process, for data parallelism.

    With ``devices=None`` it spans all of ``jax.devices()``. With ``devices=n`` it takes
    the first ``n / jax.process_count()`` devices of each process, so every process
    keeps the same share.

    Args:
        devices: how many devices in all, a multiple of the process count, at most
            ``jax.device_count()``.
        axis: the name of the mesh axis.

    Returns:
        A :class:`jax.sharding.Mesh` with one axis named ``axis``.

    Raises:
        ValueError: ``devices`` is out of range or not a multiple of the process count.

    Example:
        >>> from core.distributed import data_mesh
        >>> dict(data_mesh(1).shape)
        {'batch': 1}
    """
    processes = jax.process_count()
    if devices is None:
        return Mesh(np.array(jax.devices()), (axis,))
    devices = as_int("devices", devices, minimum=1)
    if devices > jax.device_count() or devices % processes:
        raise ValueError(
            f"devices must be a multiple of the {processes} process(es) and at most the "
            f"{jax.device_count()} device(s) JAX sees, got {devices}"
        )
    share = devices // processes
    chosen = [
        device
        for p in range(processes)
        for device in [d for d in jax.devices() if d.process_index == p][:share]
    ]
    return Mesh(np.array(chosen), (axis,))


def _place(leaf: Any, sharding: Sharding) -> jax.Array:
    """``leaf`` (the same value in every process) as a global array with ``sharding``."""
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        placed: jax.Array = jax.device_put(leaf, sharding)  # global already: re-shard
        return placed
    host = np.asarray(leaf)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def replicate(tree: T, mesh: Mesh) -> T:
    """Copy every array of ``tree`` to every device of ``mesh``, in every process.

    For parameters and optimizer state under data parallelism. Each process passes the
    same values (same seed); the result is one global, fully replicated array per leaf.

    Args:
        tree: a pytree of arrays (NumPy, JAX or Python scalars).
        mesh: the device mesh, e.g. from :func:`data_mesh`.

    Returns:
        ``tree`` with every leaf a ``jax.Array`` replicated on ``mesh``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.distributed import data_mesh, replicate
        >>> w = replicate({"w": jnp.ones(3)}, data_mesh(1))["w"]
        >>> w.sharding.is_fully_replicated
        True
    """
    full = NamedSharding(mesh, _spec())
    placed: T = jax.tree.map(lambda leaf: _place(leaf, full), tree)
    return placed


def shard_rows(tree: T, mesh: Mesh) -> T:
    """Split every array of ``tree`` over ``mesh`` on its first axis where that divides.

    The optional "sharded optimizer state" of data parallelism (ZeRO stage 1): each
    device keeps a slice of Adam's moments instead of a full copy. Arrays whose first
    axis is not a multiple of the mesh size, and scalars, are replicated. Pass the
    result's shardings to ``jax.jit(..., in_shardings=..., out_shardings=...)`` to keep
    the state split across steps.

    Args:
        tree: a pytree of arrays (e.g. an optimizer state).
        mesh: a 1-D device mesh.

    Returns:
        ``tree`` with every leaf a global ``jax.Array``, row-split or replicated.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.distributed import data_mesh, shard_rows
        >>> shard_rows(jnp.ones((4, 2)), data_mesh(1)).sharding.spec
        P('batch',)
    """
    (axis,) = mesh.axis_names
    size = mesh.devices.size

    def place(leaf: Any) -> jax.Array:
        shape = np.shape(leaf)
        split = bool(shape) and shape[0] % size == 0
        return _place(leaf, NamedSharding(mesh, _spec(axis) if split else _spec()))

    placed: T = jax.tree.map(place, tree)
    return placed


def process_slice(batch_size: int) -> slice:
    """This process's share of a global batch of ``batch_size`` examples.

    Process ``i`` of ``P`` gets examples ``i * b / P .. (i + 1) * b / P``: index the
    global batch's examples with it and load only those.

    Args:
        batch_size: the global batch size, a multiple of ``jax.process_count()``.

    Returns:
        A ``slice`` into the global batch.

    Raises:
        ValueError: ``batch_size`` is not a positive multiple of the process count.

    Example:
        >>> from core.distributed import process_slice
        >>> process_slice(8)  # one process: the whole batch
        slice(0, 8, None)
    """
    batch_size = as_int("batch_size", batch_size, minimum=1)
    processes = jax.process_count()
    if batch_size % processes:
        raise ValueError(
            f"batch_size must be a multiple of the {processes} processes, so that each "
            f"loads the same number of examples, got {batch_size}"
        )
    share = batch_size // processes
    return slice(jax.process_index() * share, (jax.process_index() + 1) * share)


def shard_batch(tree: T, mesh: Mesh, *, batch_axis: Any = 0) -> T:
    """One global batch from each process's share, split over ``mesh`` by example.

    Every process passes only its own examples (see :func:`process_slice`); the result
    is one global array per leaf, of ``process_count()`` times the local batch, each
    device holding ``batch / mesh.size`` examples. This is
    :func:`jax.make_array_from_process_local_data` with the divisibility checked first.

    Args:
        tree: a pytree of this process's arrays, e.g. ``(spikes, labels)``.
        mesh: a 1-D device mesh, e.g. from :func:`data_mesh`.
        batch_axis: the example axis: an int for every leaf, or a tree prefix of
            ``tree`` of ints (``(1, 0)`` for time-major spikes and labels).

    Returns:
        ``tree`` with every leaf a global ``jax.Array`` split on its ``batch_axis``.

    Raises:
        ValueError: the global batch size is not divisible by the number of devices
            of ``mesh`` (the message says which sizes work).

    Example:
        >>> import numpy as np
        >>> from core.distributed import data_mesh, shard_batch
        >>> x = shard_batch(np.zeros((5, 4, 3)), data_mesh(1), batch_axis=1)
        >>> x.shape, x.sharding.spec
        ((5, 4, 3), P(None, 'batch'))
    """
    (axis,) = mesh.axis_names
    devices, processes = mesh.devices.size, jax.process_count()

    def place(batch_axis: Any, leaf: Any) -> Any:
        def one(local: Any) -> jax.Array:
            local = np.asarray(local) if not isinstance(local, jax.Array) else local
            dim = as_int("batch_axis", batch_axis)
            if dim >= local.ndim:
                raise ValueError(
                    f"batch_axis must be an axis of every array, got {dim} for an array "
                    f"of shape {tuple(local.shape)}"
                )
            size = local.shape[dim] * processes
            if size % devices:
                raise ValueError(
                    f"the global batch size {size} ({local.shape[dim]} examples per process "
                    f"x {processes} process(es)) must be divisible by the {devices} devices "
                    f"of the mesh: use a global batch size that is a multiple of {devices}"
                )
            spec = _spec(*([None] * dim), axis)
            sharding = NamedSharding(mesh, spec)
            made: jax.Array = jax.make_array_from_process_local_data(  # type: ignore[no-untyped-call]
                sharding, local
            )
            return made

        return jax.tree.map(one, leaf)

    placed: T = jax.tree.map(place, batch_axis, tree)
    return placed
