"""A brainstate module called with one argument more than its update takes."""

import brainstate
import jax
import jax.numpy as jnp


class Scale(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = brainstate.ParamState(jnp.ones(3))

    def update(self, x: jax.Array) -> jax.Array:
        return x * self.w.value


net = Scale()
print(net(jnp.ones(3), jnp.ones(3)))  # expect: call-arg
