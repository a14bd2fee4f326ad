"""Online learning (e-prop, OTTT) for brainstate networks built from :mod:`facade.nn` neurons.

:class:`OnlineNetwork` is a spiking layer and a linear readout whose weights are
``brainstate.ParamState``\\ s and whose eligibility traces are ``brainstate.HiddenState``\\ s;
:func:`online_grad` returns the gradients of a sequence, computed forward in time by
:mod:`core.online`, for ``optimizer.update(grads)``; :meth:`OnlineNetwork.fit` updates
every K steps while the network runs.
"""

from __future__ import annotations

from ._network import OnlineNetwork as OnlineNetwork
from ._network import cross_entropy as cross_entropy
from ._network import online_grad as online_grad

__all__ = ["OnlineNetwork", "cross_entropy", "online_grad"]
