"""Data-parallel training of brainstate networks across processes and devices.

The object-style companion of :mod:`core.distributed` (whose :func:`initialize`,
``data_mesh``, ``process_slice`` and ``shard_batch`` serve both styles): place the
values of brainstate states on a mesh and checkpoint them with orbax-checkpoint.
"""

from __future__ import annotations

from ._states import replicate_states as replicate_states
from ._states import restore_states as restore_states
from ._states import save_states as save_states

__all__ = ["replicate_states", "save_states", "restore_states"]
