"""Spiking neurons as pure step functions, and the time loop.

Every neuron is an Equinox module (a *cell*) with two pure methods:
``init(batch_shape, dtype) -> state`` and ``update(state, x) -> (state, output)``.
Hyperparameters are fields: fixed ones are compile-time constants
(:class:`Fixed`), trainable ones (``learn_tau=True``, ``learn_threshold=True``)
are :class:`Learnable` pytree leaves. :func:`run` scans a cell, or any step
function, over time with optional gradient checkpointing and truncated BPTT.
"""

from __future__ import annotations

from ._base import BatchShape as BatchShape
from ._base import Cell as Cell
from ._base import Reset as Reset
from ._hyper import Fixed as Fixed
from ._hyper import Learnable as Learnable
from ._lif import ALIF as ALIF
from ._lif import IF as IF
from ._lif import LIF as LIF
from ._lif import ALIFState as ALIFState
from ._loop import run as run
from ._readout import LeakyReadout as LeakyReadout

__all__ = [
    "ALIF",
    "IF",
    "LIF",
    "ALIFState",
    "Cell",
    "Fixed",
    "Learnable",
    "LeakyReadout",
    "run",
]
