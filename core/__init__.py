"""spiketrain's functional core: pure, stateless kernels for training spiking networks.

Everything here is an Equinox module or a pure function: it works under
``jax.jit``, ``jax.vmap``, ``jax.grad``, ``jax.jvp`` and ``jax.lax.scan`` and holds
no global state. ``core`` never imports ``facade`` or brainstate.

Sub-packages:

* :mod:`core.surrogate` -- spike functions with surrogate derivatives.
* :mod:`core.neuron` -- spiking cells (``init``/``update``) and the time loop.
* :mod:`core.loss` -- losses and metrics, including spike-based ones.
* :mod:`core.optim` -- optimizers (``init``/``update``) and schedules.
* :mod:`core.transform` -- value and gradient of pure parameter pytrees.
* :mod:`core.init` -- weight initializers drawn on the host.
* :mod:`core.layers` -- stateless layers (``dense``).
* :mod:`core.online` -- online learning (e-prop, OTTT): gradients forward in time.
* :mod:`core.distributed` -- training across processes (hosts) and devices.
"""

from __future__ import annotations

from . import distributed as distributed
from . import init as init
from . import layers as layers
from . import loss as loss
from . import neuron as neuron
from . import online as online
from . import optim as optim
from . import surrogate as surrogate
from . import transform as transform

__all__ = [
    "surrogate",
    "transform",
    "loss",
    "optim",
    "neuron",
    "init",
    "layers",
    "online",
    "distributed",
]
