"""Data-parallel training over 4 (CPU) devices computes what one device computes.

JAX is already initialised with one CPU device in the pytest process, so everything
multi-device runs in subprocesses started with
``XLA_FLAGS=--xla_force_host_platform_device_count=4``. The worker is this file run as
a script (``python tests/test_multidevice.py``): it trains a small SNN for a few steps
on one device and on a 4-device mesh (batch sharded, parameters replicated), in the
functional style (``jax.jit``) and the facade style (``brainstate.transform.jit``),
and prints the parameters and the shardings it saw as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "docs" / "tutorials"
DEVICES = 4
STEPS, T, BATCH, N_IN, N_HIDDEN, N_OUT = 3, 8, 16, 12, 32, 4


def _env() -> dict[str, str]:
    flags = f"--xla_force_host_platform_device_count={DEVICES}"
    return {
        **os.environ,
        "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip(),
        "JAX_PLATFORMS": "cpu",
        "MPLBACKEND": "Agg",
    }


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=_env(), timeout=300
    )


# -- the worker (runs in the subprocess) -----------------------------------------------
def _data() -> tuple[Any, Any]:
    import jax
    import jax.numpy as jnp

    k1, k2 = jax.random.split(jax.random.key(1))
    spikes = jax.random.bernoulli(k1, 0.3, (STEPS, T, BATCH, N_IN)).astype(jnp.float32)
    labels = jax.random.randint(k2, (STEPS, BATCH), 0, N_OUT)
    return spikes, labels


def _sharding_facts(x: Any) -> dict[str, Any]:
    return {
        "devices": len(x.sharding.device_set),
        "replicated": bool(x.sharding.is_fully_replicated),
        "shard_shape": list(x.addressable_shards[0].data.shape),
    }


def _functional(mesh: Any, shard_opt_state: bool = False) -> dict[str, Any]:
    """Three Adam steps of a 12 -> 32 LIF -> 4 readout SNN with ``jax.jit``."""
    import jax
    import jax.numpy as jnp
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    from core import loss, neuron, optim, surrogate

    hidden = neuron.LIF(N_HIDDEN, tau=5.0, spike_fun=surrogate.Sigmoid())
    readout = neuron.LeakyReadout(N_OUT, tau=10.0)

    def loss_fn(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
        currents = x @ params["w1"] + params["b1"]

        def step(state: Any, current: jax.Array) -> tuple[Any, jax.Array]:
            v_h, v_o = state
            v_h, s = hidden.update(v_h, current)
            v_o, out = readout.update(v_o, s @ params["w2"])
            return (v_h, v_o), out

        batch = x.shape[1]
        _, outs = neuron.run(step, (hidden.init(batch), readout.init(batch)), currents)
        return loss.softmax_cross_entropy_with_integer_labels(outs.max(axis=0), y).mean()

    tx = optim.adam(learning_rate=1e-2)

    @jax.jit
    def train_step(params: Any, opt_state: Any, x: jax.Array, y: jax.Array) -> Any:
        grads = jax.grad(loss_fn)(params, x, y)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state

    k1, k2 = jax.random.split(jax.random.key(0))
    params = {
        "w1": jax.random.normal(k1, (N_IN, N_HIDDEN)) * 0.5,
        "b1": jnp.full((N_HIDDEN,), 0.1),
        "w2": jax.random.normal(k2, (N_HIDDEN, N_OUT)) * 0.3,
    }
    facts: dict[str, Any] = {}
    opt_state = tx.init(params)
    if mesh is not None:
        params = jax.device_put(params, NamedSharding(mesh, P()))
        opt_state = jax.device_put(opt_state, NamedSharding(mesh, P()))
        if shard_opt_state:  # ZeRO-1 style: Adam's moments split on their first axis
            rows = NamedSharding(mesh, P("batch"))
            opt_state = jax.tree.map(
                lambda leaf: jax.device_put(leaf, rows) if leaf.ndim else leaf, opt_state
            )
            moments = [leaf for leaf in jax.tree.leaves(opt_state) if leaf.ndim == 2]
            facts["opt_state_w1"] = [_sharding_facts(m) for m in moments if m.shape[0] == N_IN]
            # an eager init from row-split parameters creates row-split moments
            fresh = tx.init(jax.device_put(params, rows))
            facts["init_follows_params"] = [
                _sharding_facts(m) for m in jax.tree.leaves(fresh) if m.ndim == 2
            ]
    spikes, labels = _data()
    for i in range(STEPS):
        x, y = spikes[i], labels[i]
        if mesh is not None:
            x = jax.device_put(x, NamedSharding(mesh, P(None, "batch")))
            y = jax.device_put(y, NamedSharding(mesh, P("batch")))
            facts.setdefault("x", _sharding_facts(x))
            facts.setdefault("y", _sharding_facts(y))
        params, opt_state = train_step(params, opt_state, x, y)
    facts["w1"] = _sharding_facts(params["w1"])
    facts["params"] = {k: np.asarray(v).tolist() for k, v in params.items()}
    return facts


def _facade(mesh: Any) -> dict[str, Any]:
    """Three Adam steps of the same kind of SNN as brainstate modules (the braintools "Training Utilities" style)."""
    import brainstate
    import jax
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    import facade as braintools

    class Net(brainstate.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = brainstate.nn.Linear(N_IN, N_HIDDEN)
            self.lif = braintools.nn.LIF(
                N_HIDDEN, tau=5.0, spike_fun=braintools.surrogate.Sigmoid()
            )
            self.fc2 = brainstate.nn.Linear(N_HIDDEN, N_OUT)
            self.out = braintools.nn.LeakyReadout(N_OUT, tau=10.0)

        def step(self, current: jax.Array) -> jax.Array:
            return self.out(self.fc2(self.lif(current)))

    brainstate.random.seed(0)
    net = Net()
    brainstate.nn.init_all_states(net, batch_size=BATCH)
    params = net.states(brainstate.ParamState)
    facts: dict[str, Any] = {}
    if mesh is not None:  # replicate the network's states before the optimizer sees them
        for state in net.states().values():
            state.value = jax.device_put(state.value, NamedSharding(mesh, P()))
    optimizer = braintools.optim.Adam(learning_rate=1e-2)
    optimizer.register_trainable_weights(params)
    if mesh is not None:  # the moments start where the parameters live
        moments = [leaf for state in optimizer for leaf in jax.tree.leaves(state.value)]
        facts["moments"] = [_sharding_facts(m) for m in moments if m.ndim == 2]

    def loss_fn(params: Any, net: Net, x: jax.Array, y: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=x.shape[1])
        outs = brainstate.transform.for_loop(net.step, net.fc1(x))
        logits = outs.max(axis=0)
        value: jax.Array = braintools.metric.softmax_cross_entropy_with_integer_labels(
            logits, y
        ).mean()
        return value

    @brainstate.transform.jit
    def train_step(x: jax.Array, y: jax.Array) -> jax.Array:
        grads, value = braintools.transform.grad(loss_fn, params, return_value=True)(net, x, y)
        optimizer.update(grads)
        return value

    spikes, labels = _data()
    for i in range(STEPS):
        x, y = spikes[i], labels[i]
        if mesh is not None:
            x = jax.device_put(x, NamedSharding(mesh, P(None, "batch")))
            y = jax.device_put(y, NamedSharding(mesh, P("batch")))
            facts.setdefault("x", _sharding_facts(x))
        train_step(x, y)
    weight = net.fc1.weight.value["weight"]
    facts["w1"] = _sharding_facts(weight)
    values = {str(key): state.value for key, state in params.items()}
    facts["params"] = {
        jax.tree_util.keystr(path): np.asarray(leaf).tolist()
        for path, leaf in jax.tree_util.tree_flatten_with_path(values)[0]
    }
    return facts


def _worker() -> None:
    import jax
    from jax.sharding import Mesh

    mesh = Mesh(np.array(jax.devices()[:DEVICES]), ("batch",))
    results = {
        "device_count": jax.device_count(),
        "functional_single": _functional(None),
        "functional_sharded": _functional(mesh),
        "functional_zero1": _functional(mesh, shard_opt_state=True),
        "facade_single": _facade(None),
        "facade_sharded": _facade(mesh),
    }
    print(json.dumps(results))


# -- the tests (run in the pytest process) ---------------------------------------------
@pytest.fixture(scope="module")
def worker() -> dict[str, Any]:
    result = _run(__file__)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["device_count"] == DEVICES
    return loaded


def _assert_same_params(single: dict[str, Any], sharded: dict[str, Any]) -> None:
    assert single.keys() == sharded.keys()
    for name in single:
        a, b = np.asarray(single[name]), np.asarray(sharded[name])
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg=name)


def _assert_split_batch(facts: dict[str, Any], batch_axis: int) -> None:
    assert facts["devices"] == DEVICES and not facts["replicated"]
    assert facts["shard_shape"][batch_axis] == BATCH // DEVICES


def test_functional_sharded_step_equals_single_device(worker: dict[str, Any]) -> None:
    single, sharded = worker["functional_single"], worker["functional_sharded"]
    _assert_split_batch(sharded["x"], batch_axis=1)
    assert sharded["x"]["shard_shape"] == [T, BATCH // DEVICES, N_IN]
    _assert_split_batch(sharded["y"], batch_axis=0)
    # the updated parameters live, replicated, on all 4 devices
    assert sharded["w1"]["devices"] == DEVICES and sharded["w1"]["replicated"]
    assert sharded["w1"]["shard_shape"] == [N_IN, N_HIDDEN]
    assert single["w1"]["devices"] == 1
    _assert_same_params(single["params"], sharded["params"])


def test_functional_sharded_optimizer_state_equals_single_device(worker: dict[str, Any]) -> None:
    zero1 = worker["functional_zero1"]
    assert len(zero1["opt_state_w1"]) == 2  # Adam's mu and nu of w1
    for facts in zero1["opt_state_w1"]:
        assert facts["devices"] == DEVICES and not facts["replicated"]
        assert facts["shard_shape"] == [N_IN // DEVICES, N_HIDDEN]
    assert len(zero1["init_follows_params"]) == 4  # mu and nu of w1 and w2
    for facts in zero1["init_follows_params"]:
        assert facts["devices"] == DEVICES and not facts["replicated"]
    _assert_same_params(worker["functional_single"]["params"], zero1["params"])


def test_facade_sharded_step_equals_single_device(worker: dict[str, Any]) -> None:
    single, sharded = worker["facade_single"], worker["facade_sharded"]
    _assert_split_batch(sharded["x"], batch_axis=1)
    assert sharded["w1"]["devices"] == DEVICES and sharded["w1"]["replicated"]
    assert single["w1"]["devices"] == 1
    # Adam's moments were created replicated like the parameters they belong to
    assert len(sharded["moments"]) == 4  # mu and nu of the two weight matrices
    assert all(m["devices"] == DEVICES and m["replicated"] for m in sharded["moments"])
    _assert_same_params(single["params"], sharded["params"])


@pytest.mark.parametrize("script", ["snn_training.py", "snn_training_functional.py"])
def test_tutorial_trains_on_4_devices(tmp_path: Path, script: str) -> None:
    result = _run(
        str(TUTORIALS / script), "--devices", "4", "--epochs", "1", "--batch-size", "128",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("test accuracy: 0.")
    assert float(last.split(": ")[1]) > 0.2  # one epoch is well above chance (0.1)


@pytest.mark.parametrize("script", ["snn_training.py", "snn_training_functional.py"])
def test_tutorial_refuses_more_devices_than_present(tmp_path: Path, script: str) -> None:
    result = _run(str(TUTORIALS / script), "--devices", "8", "--out", str(tmp_path))
    assert result.returncode == 2  # argparse's usage error
    assert "--devices 8 is not available: JAX sees 4 cpu device(s)" in result.stderr
    assert "XLA_FLAGS=--xla_force_host_platform_device_count=8" in result.stderr
    assert "Traceback" not in result.stderr


if __name__ == "__main__":
    # run as a script, tests/ comes first on sys.path and its core/ and facade/ test
    # folders would shadow the packages
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    _worker()
