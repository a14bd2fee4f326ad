"""Spiking neurons as brainstate modules, braintools/brainpy style.

``LIF(size, ..., spike_fun=surrogate.ReluGrad())`` and friends hold their
membrane state in ``brainstate.HiddenState``\\ s, created by
``brainstate.nn.init_all_states(net, batch_size=...)`` and reset by
``brainstate.nn.reset_all_states(net)``. Each step is computed by the
:mod:`core.neuron` cell the module holds (no maths here). For weights,
:class:`Linear` is ``brainstate.nn.Linear`` with its default weights drawn on the
host (:class:`KaimingNormal`), so building a network compiles nothing.
"""

from __future__ import annotations

from ._linear import KaimingNormal as KaimingNormal
from ._linear import Linear as Linear
from ._neurons import ALIF as ALIF
from ._neurons import IF as IF
from ._neurons import LIF as LIF
from ._neurons import LeakyReadout as LeakyReadout

__all__ = ["ALIF", "IF", "KaimingNormal", "LIF", "LeakyReadout", "Linear"]
