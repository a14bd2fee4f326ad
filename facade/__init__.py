"""spiketrain's object-style facade, compatible with the braintools API.

``import facade as braintools`` runs the braintools "Training Utilities"
examples as written. The facade holds no maths: every number it produces comes
from a :mod:`core` kernel.

Sub-packages:

* :mod:`facade.surrogate` -- the braintools surrogate names (classes and functions).
* :mod:`facade.transform` -- ``grad`` / ``value_and_grad`` / ``vector_grad`` over states,
  and ``jit``, brainstate's ``jit`` with the written states donated.
* :mod:`facade.online` -- online learning (e-prop, OTTT) of brainstate spiking networks.
* :mod:`facade.distributed` -- replicating, sharding and saving brainstate states across
  devices and processes.
"""

from __future__ import annotations

from . import distributed as distributed
from . import metric as metric
from . import nn as nn
from . import online as online
from . import optim as optim
from . import surrogate as surrogate
from . import transform as transform

__all__ = ["surrogate", "transform", "metric", "nn", "optim", "online", "distributed"]
