"""facade.online: an OnlineNetwork's gradients are core.online's, usable by facade optimizers."""

from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import facade as braintools
from core import neuron, online

T, B, N_IN, N_H, N_OUT = 6, 3, 4, 8, 2


def mse(y: jax.Array, goal: jax.Array) -> jax.Array:
    return 0.5 * jnp.sum((y - goal) ** 2)


def data(seed: int = 0) -> tuple[jax.Array, jax.Array]:
    rng = np.random.default_rng(seed)
    xs = jnp.asarray(rng.uniform(0.0, 2.0, (T, B, N_IN)), jnp.float32)
    goals = jnp.asarray(rng.normal(size=(T, B, N_OUT)), jnp.float32)
    return xs, goals


def network(rule: online.Rule = "eprop", **kw: Any) -> braintools.online.OnlineNetwork:
    brainstate.random.seed(1)
    hidden = braintools.nn.LIF(N_H, tau=3.0, detach_reset=True)
    net = braintools.online.OnlineNetwork(N_IN, hidden, N_OUT, rule=rule, loss_fn=mse, **kw)
    brainstate.nn.init_all_states(net, batch_size=B)
    return net


def bptt(net: braintools.online.OnlineNetwork, xs: jax.Array, goals: jax.Array) -> Any:
    """BPTT through core.neuron.run of the same network (non-leaky readout)."""
    cell = net.cell

    def total(p: dict[str, jax.Array]) -> jax.Array:
        def step(h: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
            h, s = cell.update(h, x @ p["w_in"] + p["b_in"])
            return h, s @ p["w_out"] + p["b_out"]

        _, ys = neuron.run(step, cell.init(B), xs)
        return 0.5 * jnp.sum((ys - goals) ** 2)

    return jax.grad(total)(net.params)


def test_eprop_gradients_are_bptts_and_keyed_like_the_param_states() -> None:
    net, (xs, goals) = network(), data()
    expected = bptt(net, xs, goals)
    grads = braintools.online.online_grad(net, xs, goals)
    assert set(grads) == set(net.states(brainstate.ParamState).keys())
    for (key,), value in grads.items():
        np.testing.assert_allclose(value, expected[key], rtol=2e-4, atol=1e-5)
    assert float(jnp.abs(grads[("w_in",)]).max()) > 1e-3


def test_step_by_step_equals_the_sequence_and_the_state_advances() -> None:
    xs, goals = data(1)
    whole = network("ottt", recurrent=True)
    summed = braintools.online.online_grad(whole, xs, goals)
    stepped = network("ottt", recurrent=True)
    total = {k: jnp.zeros_like(v) for k, v in summed.items()}
    for t in range(T):
        grads, out = stepped.step(xs[t], goals[t])
        total = {k: total[k] + grads[k] for k in total}
    assert out.y.shape == (B, N_OUT)
    for key in summed:
        np.testing.assert_allclose(total[key], summed[key], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(stepped.online_state.neuron, whole.online_state.neuron, rtol=1e-5)
    brainstate.nn.reset_all_states(whole)
    assert float(jnp.abs(whole.online_state.traces["w_in"]).max()) == 0.0


def test_fit_updates_every_k_steps_and_learns() -> None:
    xs = jnp.ones((40, B, N_IN), jnp.float32)
    goals = jnp.ones((40, B, N_OUT), jnp.float32)
    net = network("eprop", readout=braintools.nn.LeakyReadout(N_OUT, tau=2.0), feedback="random")
    optimizer = braintools.optim.SGD(learning_rate=0.02)
    optimizer.register_trainable_weights(net.states(brainstate.ParamState))
    before = np.asarray(net.w_out.value)
    losses = net.fit(xs, goals, optimizer, every=10)
    assert losses.shape == (40,)
    assert int(optimizer.step_count.value) == 4
    assert not np.allclose(before, net.w_out.value)
    assert float(losses[-10:].mean()) < float(losses[:10].mean())


def test_bad_input_is_refused_before_anything_changes() -> None:
    with pytest.raises(ValueError, match="fixed hyperparameters"):
        braintools.online.OnlineNetwork(N_IN, braintools.nn.LIF(N_H, learn_tau=True), N_OUT)
    with pytest.raises(ValueError, match="rule"):
        braintools.online.OnlineNetwork(N_IN, braintools.nn.LIF(N_H), N_OUT, rule="bptt")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="feedback"):
        braintools.online.OnlineNetwork(N_IN, braintools.nn.LIF(N_H), N_OUT, feedback="x")
    with pytest.raises(ValueError, match="one tau"):
        braintools.online.OnlineNetwork(
            N_IN, braintools.nn.LIF(N_H, tau=np.arange(1.0, N_H + 1)), N_OUT, rule="ottt"
        )
    fresh = braintools.online.OnlineNetwork(N_IN, braintools.nn.LIF(N_H), N_OUT)
    with pytest.raises(RuntimeError, match="init_all_states"):
        braintools.online.online_grad(fresh, *data())
    net = network()
    optimizer = braintools.optim.SGD(learning_rate=0.1)
    optimizer.register_trainable_weights(net.states(brainstate.ParamState))
    before = np.asarray(net.w_in.value)
    with pytest.raises(ValueError, match="every"):
        net.fit(*data(), optimizer, every=0)
    np.testing.assert_array_equal(before, net.w_in.value)
    with pytest.raises(TypeError, match="net"):
        braintools.online.online_grad(object(), *data())  # type: ignore[arg-type]
