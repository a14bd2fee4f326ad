"""Training across processes (hosts) and devices: JAX's distributed runtime, data parallelism.

JAX runs one Python process per host; :func:`initialize` joins them (from arguments,
the launcher's environment or SLURM), :func:`data_mesh` spans every device of every
process, :func:`process_slice` says which examples of a global batch this process
loads and :func:`shard_batch` assembles the global batch from every process's share.
Parameters and optimizer state are :func:`replicate`\\ d (or :func:`shard_rows`
split); ``jax.jit`` then averages the gradients with XLA's collectives. The training
step itself does not change. :func:`save_sharded` / :func:`restore_sharded`
checkpoint sharded state with orbax-checkpoint (the ``distributed`` extra), and
:func:`launch_local` starts several processes on one machine, for tests and demos.
"""

from __future__ import annotations

from ._checkpoint import restore_sharded as restore_sharded
from ._checkpoint import save_sharded as save_sharded
from ._placement import data_mesh as data_mesh
from ._placement import process_slice as process_slice
from ._placement import replicate as replicate
from ._placement import shard_batch as shard_batch
from ._placement import shard_rows as shard_rows
from ._runtime import Cluster as Cluster
from ._runtime import free_port as free_port
from ._runtime import initialize as initialize
from ._runtime import launch_local as launch_local
from ._runtime import launched_by_cluster as launched_by_cluster

__all__ = [
    "Cluster",
    "initialize",
    "launched_by_cluster",
    "launch_local",
    "free_port",
    "data_mesh",
    "process_slice",
    "replicate",
    "shard_rows",
    "shard_batch",
    "save_sharded",
    "restore_sharded",
]
