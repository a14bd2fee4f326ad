"""Gradients over brainstate states: ``brainstate.transform.grad`` and friends.

``grad`` follows brainstate 0.5.4 (return structures, ``grad_states``, ``argnums``,
``has_aux``, ``return_value``) and adds what the braintools examples need: non-array
arguments such as the model, and ``loss_fn(params, net, X, y)`` functions.
``value_and_grad`` returns ``(value, grads)`` as JAX does. For type checkers the
overloads follow ``has_aux`` / ``return_value``: the value and the auxiliary data keep
the types ``fun`` returns.

``jit`` compiles a training step like ``brainstate.transform.jit`` but donates the states
the step writes, so parameters and optimizer state are not held twice during the step.
"""

from __future__ import annotations

from ._grad import StateGradient as StateGradient
from ._grad import grad as grad
from ._grad import value_and_grad as value_and_grad
from ._grad import vector_grad as vector_grad
from ._jit import DonatingJit as DonatingJit
from ._jit import jit as jit

__all__ = ["DonatingJit", "StateGradient", "grad", "jit", "value_and_grad", "vector_grad"]
