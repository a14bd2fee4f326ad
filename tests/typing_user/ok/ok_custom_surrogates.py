"""Custom surrogates written the braintools way, used in neurons and called directly."""

from __future__ import annotations

from typing import assert_type

import brainstate
import jax
import jax.numpy as jnp

import facade as braintools
from core import neuron


class TanhSurrogate(braintools.surrogate.Surrogate):
    """The braintools documentation's custom surrogate, with types."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def surrogate_fun(self, x: jax.Array) -> jax.Array:
        return jnp.tanh(x * self.alpha) * 0.5 + 0.5

    def surrogate_grad(self, x: jax.Array) -> jax.Array:
        return self.alpha * 0.5 * (1 - jnp.tanh(x * self.alpha) ** 2)


class Triangle(braintools.surrogate.Surrogate):
    """A gradient-only surrogate: ``surrogate_fun`` is optional."""

    def __init__(self, width: float = 0.5) -> None:
        super().__init__()
        self.width = width

    def surrogate_grad(self, x: jax.Array) -> jax.Array:
        return jnp.maximum(0.0, 1.0 - jnp.abs(x) / self.width) / self.width


class SNN(brainstate.nn.Module):
    """A surrogate of either kind, built-in or custom, passed through the model's constructor."""

    def __init__(self, spike_fun: braintools.surrogate.SpikeFunction) -> None:
        super().__init__()
        self.fc = braintools.nn.Linear(4, 3)
        self.lif = braintools.nn.LIF(3, tau=2.0, spike_fun=spike_fun)
        self.alif = braintools.nn.ALIF(3, spk_fun=spike_fun)

    def update(self, x: jax.Array) -> jax.Array:
        return self.alif(self.lif(self.fc(x)))


sg = TanhSurrogate(alpha=2.0)
v = jnp.linspace(-1.0, 1.0, 5)
assert_type(sg(v), jax.Array)
assert_type(sg.surrogate_grad(v), jax.Array)
assert_type(sg.surrogate_fun(v), jax.Array)
assert_type(Triangle()(v), jax.Array)
slope = jax.grad(lambda x: sg(x).sum())(v)

built_in: braintools.surrogate.SpikeFunction = braintools.surrogate.sigmoid(alpha=4.0)
for spike_fun in (sg, Triangle(width=0.25), braintools.surrogate.ReluGrad(), built_in):
    net = SNN(spike_fun)
    brainstate.nn.init_all_states(net, batch_size=2)
    assert_type(net(jnp.ones((2, 4))), jax.Array)

if_layer = braintools.nn.IF(3, V_th=0.5, spike_fun=Triangle())
cell = neuron.LIF(3, spike_fun=sg)
assert_type(cell.spike_fun, braintools.surrogate.SpikeFunction)
state, spikes = cell.update(cell.init(2), jnp.full((2, 3), 10.0))
assert_type(spikes, jax.Array)
print(slope, spikes, if_layer.cell.spike_fun)
