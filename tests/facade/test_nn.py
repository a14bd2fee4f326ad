"""facade.nn: brainstate neuron modules over the core.neuron kernels."""

from __future__ import annotations

from typing import Any

import brainstate
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import core.neuron
import facade as braintools
from core import neuron as core_neuron
from core import surrogate
from facade.nn import ALIF, IF, LIF, LeakyReadout
from facade.nn._neurons import _Neuron

T, BATCH, N_IN, N_HID, N_OUT = 6, 4, 5, 8, 3


class TwoLayer(brainstate.nn.Module):
    """Linear -> LIF -> Linear -> leaky readout: the ``TrainableSNN`` of the page."""

    def __init__(self, spike_fun: surrogate.Surrogate | None = None) -> None:
        super().__init__()
        self.l1 = brainstate.nn.Linear(N_IN, N_HID)
        self.lif = LIF(N_HID, tau=2.0, spike_fun=spike_fun, learn_tau=True)
        self.l2 = brainstate.nn.Linear(N_HID, N_OUT)
        self.out = LeakyReadout(N_OUT, tau=3.0)

    def update(self, x: jax.Array) -> jax.Array:
        out: jax.Array = self.out(self.l2(self.lif(self.l1(x))))
        return out


def _data() -> tuple[jax.Array, jax.Array]:
    xs = jax.random.uniform(jax.random.PRNGKey(0), (T, BATCH, N_IN), maxval=3.0)
    return xs, jnp.array([0, 1, 2, 0])


def _make_net(spike_fun: surrogate.Surrogate | None = None) -> TwoLayer:
    brainstate.random.seed(0)
    net = TwoLayer(spike_fun)
    brainstate.nn.init_all_states(net, batch_size=BATCH)
    return net


def _loss_fn(net: TwoLayer, xs: jax.Array, ys: jax.Array) -> jax.Array:
    brainstate.nn.init_all_states(net)  # as on the page: no batch size
    outs = brainstate.transform.for_loop(net, xs)
    logits = outs.mean(axis=0)
    return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(BATCH), ys])


def _functional_loss(params: dict[str, jax.Array], xs: jax.Array, ys: jax.Array) -> jax.Array:
    """The same network written with core.neuron only."""
    learnable = core.neuron.LIF(N_HID, tau=2.0, learn_tau=True)
    lif = eqx.tree_at(lambda c: c.tau.raw, learnable, params["log_tau"])
    readout = core.neuron.LeakyReadout(N_OUT, tau=3.0)

    def step(
        state: tuple[jax.Array, jax.Array], x: jax.Array
    ) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
        v, r = state
        v, s = lif(v, x @ params["w1"] + params["b1"])
        r, out = readout(r, s @ params["w2"] + params["b2"])
        return (v, r), out

    _, outs = core.neuron.run(step, (lif.init(BATCH), readout.init(BATCH)), xs)
    logits = outs.mean(axis=0)
    return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(BATCH), ys])


# ---------------------------------------------------------------- states


def test_init_and_reset_all_states_with_batch_sizes() -> None:
    net = brainstate.nn.Sequential(LIF(3), ALIF((2, 2)), IF(4), LeakyReadout(1))
    brainstate.nn.init_all_states(net)
    assert net.layers[0].V.value.shape == (3,)
    brainstate.nn.init_all_states(net, batch_size=5)
    assert net.layers[0].V.value.shape == (5, 3)
    assert net.layers[1].V.value.shape == net.layers[1].a.value.shape == (5, 2, 2)
    assert net.layers[2].V.value.shape == (5, 4) and net.layers[3].V.value.shape == (5, 1)
    lif_state = net.layers[0].V
    net.layers[0](jnp.full((5, 3), 0.9))
    assert float(lif_state.value.sum()) > 0
    brainstate.nn.reset_all_states(net)  # keeps the batch, back to rest
    assert net.layers[0].V is lif_state and lif_state.value.shape == (5, 3)
    assert float(jnp.abs(lif_state.value).sum()) == 0.0
    brainstate.nn.init_all_states(net)  # no batch size: keeps the existing one
    assert net.layers[0].V.value.shape == (5, 3)
    brainstate.nn.init_all_states(net, batch_size=(2, 3))
    assert net.layers[0].V.value.shape == (2, 3, 3)
    brainstate.nn.init_all_states(net, batch_size=())
    assert net.layers[0].V.value.shape == (3,)
    assert len(net.states(brainstate.HiddenState)) == 5
    assert len(net.states(brainstate.ParamState)) == 0  # nothing learnable by default


def test_resting_potential_and_states_dtype() -> None:
    neuron = LIF(2, v_rest=-0.5)
    brainstate.nn.init_all_states(neuron, batch_size=3)
    np.testing.assert_array_equal(neuron.V.value, np.full((3, 2), -0.5))
    assert neuron.V.value.dtype == jnp.float32
    assert isinstance(neuron.V, brainstate.HiddenState)


def test_update_before_init_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="init_all_states"):
        LIF(2)(jnp.ones(2))
    neuron = LIF(2)
    brainstate.nn.init_all_states(neuron, batch_size=3)
    with pytest.raises(ValueError, match="does not broadcast"):
        neuron(jnp.ones((4, 2)))
    with pytest.raises(ValueError, match="batch_size"):
        brainstate.nn.init_all_states(neuron, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        brainstate.nn.init_all_states(neuron, batch_size="3")
    assert neuron.V.value.shape == (3, 2)  # refused before anything changed


# ---------------------------------------------------------------- equality with core


@pytest.mark.parametrize(
    ("module", "cell"),
    [
        (LIF(3, tau=2.0, reset="hard"), core.neuron.LIF(3, tau=2.0, reset="hard")),
        (IF(3, v_threshold=0.7), core.neuron.IF(3, v_threshold=0.7)),
        (ALIF(3, tau=2.0, beta=0.3), core.neuron.ALIF(3, tau=2.0, beta=0.3)),
        (LeakyReadout(3, tau=2.0), core.neuron.LeakyReadout(3, tau=2.0)),
    ],
)
def test_facade_outputs_equal_core_kernel(
    module: brainstate.nn.Module, cell: core.neuron.Cell[jax.Array]
) -> None:
    xs, _ = _data()
    xs = xs[..., :3]
    brainstate.nn.init_all_states(module, batch_size=BATCH)
    got = brainstate.transform.for_loop(module, xs)
    _, want = core.neuron.run(cell, cell.init(BATCH), xs)
    np.testing.assert_array_equal(got, want)


def test_brainpy_spellings_and_environ_dt() -> None:
    neuron = LIF(2, V_th=0.5, V_reset=0.1, spk_fun=surrogate.Sigmoid(), spk_reset="hard")
    cell = neuron.cell
    assert isinstance(cell.spike_fun, surrogate.Sigmoid) and cell.reset == "hard"
    assert cell.v_threshold == core.neuron.Fixed(0.5)
    with pytest.raises(TypeError, match="v_threshold or V_th"):
        LIF(2, v_threshold=1.0, V_th=0.5)
    with brainstate.environ.context(dt=0.25):
        assert LIF(2).cell.dt == 0.25
    assert LIF(2).cell.dt == 1.0 and LIF(2, dt=0.1).cell.dt == 0.1
    assert isinstance(LIF(2).cell.spike_fun, surrogate.ReluGrad)  # the page's default


# ---------------------------------------------------------------- training


def test_jitted_grad_with_init_inside_loss_matches_functional_and_does_not_leak() -> None:
    net = _make_net(surrogate.ReluGrad())
    params = net.states(brainstate.ParamState)
    assert ("lif", "tau_param") in params
    xs, ys = _data()
    grad_fn = brainstate.transform.jit(
        brainstate.transform.grad(
            lambda x, y: _loss_fn(net, x, y), grad_states=params, return_value=True
        )
    )
    with jax.checking_leaks():
        first_grads, first_loss = grad_fn(xs, ys)
        for _ in range(2):
            _, loss = grad_fn(xs, ys)
            assert float(loss) == float(first_loss)
    # the net is usable eagerly afterwards: concrete states, no tracers
    assert isinstance(net.lif.V.value, jax.Array) and not isinstance(
        net.lif.V.value, jax.core.Tracer
    )
    out = net(xs[0])
    assert out.shape == (BATCH, N_OUT)
    brainstate.nn.reset_all_states(net)
    assert float(jnp.abs(net.lif.V.value).sum()) == 0.0

    # gradients equal the same network written with core.neuron and jax.grad
    w1 = net.l1.weight.value
    w2 = net.l2.weight.value
    flat = {
        "w1": w1["weight"],
        "b1": w1["bias"],
        "w2": w2["weight"],
        "b2": w2["bias"],
        "log_tau": net.lif.tau_param.value,
    }
    ref_loss, ref_grads = jax.jit(jax.value_and_grad(_functional_loss))(flat, xs, ys)
    np.testing.assert_allclose(first_loss, ref_loss, rtol=1e-6)
    np.testing.assert_allclose(
        first_grads[("l1", "weight")]["weight"], ref_grads["w1"], rtol=1e-4, atol=1e-7
    )
    np.testing.assert_allclose(
        first_grads[("l2", "weight")]["bias"], ref_grads["b2"], rtol=1e-4, atol=1e-7
    )
    assert float(jnp.abs(first_grads[("lif", "tau_param")])) > 0


def test_init_inside_loss_with_changing_batch_size() -> None:
    net = _make_net()
    params = net.states(brainstate.ParamState)
    xs, _ = _data()

    def loss(x: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=x.shape[1])
        total: jax.Array = brainstate.transform.for_loop(net, x).sum()
        return total

    grad_fn = brainstate.transform.jit(brainstate.transform.grad(loss, params))
    with jax.checking_leaks():
        grad_fn(xs)
        grads = grad_fn(xs[:, :2])
    assert net.lif.V.value.shape == (2, N_HID)
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree.leaves(grads))
    assert net(xs[0, :2]).shape == (2, N_OUT)


def test_lif_really_uses_its_surrogate() -> None:
    xs, _ = _data()
    grads = []
    for spike_fun in (braintools.surrogate.ReluGrad(), braintools.surrogate.sigmoid(alpha=4.0)):
        neuron = LIF(N_IN, tau=2.0, spike_fun=spike_fun, learn_threshold=True)
        brainstate.nn.init_all_states(neuron, batch_size=BATCH)
        params = neuron.states(brainstate.ParamState)

        def loss(neuron: LIF = neuron) -> jax.Array:
            brainstate.nn.init_all_states(neuron)
            total: jax.Array = brainstate.transform.for_loop(neuron, xs).sum()
            return total

        g = brainstate.transform.grad(loss, params)()
        grads.append(float(g[("v_threshold_param",)]))
    assert grads[0] != grads[1] and grads[1] < 0


class _TwoTraces(core_neuron.Cell[tuple[jax.Array, jax.Array]]):
    """A cell whose state is a pair (neither a bare potential nor ALIF's state)."""

    size: int = eqx.field(static=True)

    def init(
        self, batch_shape: core_neuron.BatchShape = (), dtype: Any = jnp.float32
    ) -> tuple[jax.Array, jax.Array]:
        batch = (batch_shape,) if isinstance(batch_shape, int) else tuple(batch_shape)
        zeros = jnp.zeros((*batch, self.size), dtype)
        return zeros, zeros + 1

    def update(
        self, state: tuple[jax.Array, jax.Array], x: Any
    ) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
        fast, slow = state
        return (fast + x, slow * 2), fast + slow


class _TwoTraceModule(_Neuron[_TwoTraces]):
    _state_names = ("fast", "slow")
    fast: brainstate.HiddenState[jax.Array]
    slow: brainstate.HiddenState[jax.Array]

    def __init__(self, size: int) -> None:
        super().__init__(size, _TwoTraces(size), None)


def test_the_neuron_base_holds_any_cell_state_and_reset_equals_init() -> None:
    module = _TwoTraceModule(2)
    brainstate.nn.init_all_states(module, batch_size=3)
    out = module(jnp.ones((3, 2), jnp.float32))
    np.testing.assert_array_equal(np.asarray(out), np.ones((3, 2)))
    np.testing.assert_array_equal(np.asarray(module.slow.value), 2 * np.ones((3, 2)))
    module.reset_state()  # keeps the batch shape, back to rest
    np.testing.assert_array_equal(np.asarray(module.fast.value), np.zeros((3, 2)))
    np.testing.assert_array_equal(np.asarray(module.slow.value), np.ones((3, 2)))
