"""Online learning: gradients computed forward in time, in memory flat in the sequence length.

Backpropagation through time stores every step; the rules here carry eligibility
traces instead and return each step's parameter gradients as the network runs:

* :func:`eprop_step` -- e-prop (Bellec et al. 2020): eligibility traces of any cell
  (LIF, ALIF...) times a learning signal from the readout, symmetric or random feedback.
* :func:`ottt_step` -- OTTT (Xiao et al. 2022): presynaptic traces and the gradient of
  the instantaneous loss.
* :func:`online_grad` sums a sequence's step gradients; :func:`online_train` updates
  the parameters every K steps while the network runs.

The network is one layer of spiking cells (feedforward or recurrent) and a linear
readout; the gradients are a dict like the parameters, for any :mod:`core.optim`
optimizer.
"""

from __future__ import annotations

from ._eprop import eprop_init as eprop_init
from ._eprop import eprop_step as eprop_step
from ._loop import OnlineResult as OnlineResult
from ._loop import Rule as Rule
from ._loop import online_grad as online_grad
from ._loop import online_train as online_train
from ._model import OnlineState as OnlineState
from ._model import StepOutput as StepOutput
from ._ottt import ottt_init as ottt_init
from ._ottt import ottt_step as ottt_step

__all__ = [
    "OnlineResult",
    "OnlineState",
    "StepOutput",
    "eprop_init",
    "eprop_step",
    "online_grad",
    "online_train",
    "ottt_init",
    "ottt_step",
]
