"""Weight initializers drawn on the host: building parameters compiles no XLA program.

``jax.random`` samplers are XLA programs, compiled anew for every shape they are
called with (about a second per weight shape for a truncated normal on a CPU); a
network with a few layers spends seconds of its start-up there. These initializers
draw the same distributions with NumPy from a JAX key and place the result on the
device once.
"""

from __future__ import annotations

from ._kaiming import KaimingNormal as KaimingNormal
from ._kaiming import Mode as Mode
from ._kaiming import float_dtype as float_dtype
from ._kaiming import kaiming_normal as kaiming_normal

__all__ = ["KaimingNormal", "kaiming_normal"]
