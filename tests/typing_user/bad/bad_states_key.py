"""A state looked up by a string: Module.states() is keyed by attribute paths (tuples)."""

import brainstate
import jax.numpy as jnp


class Layer(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = brainstate.ParamState(jnp.ones(3))


params = Layer().states(brainstate.ParamState)
print(params["w"])  # expect: index
