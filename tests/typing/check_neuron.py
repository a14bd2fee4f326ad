"""A user program of the neuron API, type-checked with ``mypy --strict``."""

from __future__ import annotations

from typing import assert_type

import brainstate
import jax
import jax.numpy as jnp
from jax import Array

import facade as braintools
from core import neuron, surrogate
from core.neuron import ALIF, IF, LIF, ALIFState, Cell, Fixed, LeakyReadout, Learnable, run

# ---- functional core
lif = LIF(4, tau=2.0, spike_fun=surrogate.Sigmoid(alpha=4.0), learn_tau=True)
v = lif.init(batch_shape=(3,))
assert_type(v, Array)
v, spikes = lif.update(v, jnp.ones((3, 4)))
assert_type(spikes, Array)
assert_type(lif(v, jnp.ones((3, 4))), tuple[Array, Array])
assert_type(lif.tau, Fixed | Learnable)

alif = ALIF((2, 2), tau_a=50.0, reset="hard", detach_reset=True)
state = alif.init(8, dtype=jnp.bfloat16)
assert_type(state, ALIFState)
assert_type(alif.update(state, jnp.zeros((8, 2, 2), jnp.bfloat16)), tuple[ALIFState, Array])
assert_type(IF(3).init(), Array)
assert_type(LeakyReadout(10).update(jnp.zeros(10), jnp.ones(10)), tuple[Array, Array])

final, outs = run(lif, lif.init(3), jnp.ones((5, 3, 4)), checkpoint=2, truncate=4)
assert_type(final, Array)
assert_type(outs, Array)


def step(carry: tuple[Array, Array], x: Array) -> tuple[tuple[Array, Array], Array]:
    v_hidden, v_out = carry
    v_hidden, s = lif(v_hidden, x)
    v_out, out = LeakyReadout(4)(v_out, s)
    return (v_hidden, v_out), out


carry, readouts = run(step, (lif.init(3), jnp.zeros((3, 4))), jnp.ones((5, 3, 4)))
assert_type(carry, tuple[Array, Array])
assert_type(readouts, Array)


def spikes_of(cell: Cell[Array], x: Array) -> Array:
    return cell.update(cell.init(x.shape[:-1]), x)[1]


assert_type(spikes_of(neuron.LIF(4), jnp.ones((2, 4))), Array)
gradient: Array = jax.grad(lambda x: lif.update(lif.init(), x)[1].sum())(jnp.ones(4))

# ---- facade
layer = braintools.nn.LIF(100, spike_fun=braintools.surrogate.ReluGrad())
readout = braintools.nn.LeakyReadout(10, tau=5.0)
brainstate.nn.init_all_states(layer, batch_size=32)
assert_type(layer(jnp.zeros((32, 100))), Array)
assert_type(layer.cell, LIF)
assert_type(braintools.nn.ALIF(5).cell, ALIF)
assert_type(braintools.nn.IF(5, V_th=0.5).cell, IF)
assert_type(readout.cell, LeakyReadout)
