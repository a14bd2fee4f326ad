"""Data-parallel training across 2 processes (JAX's distributed runtime) and orbax checkpoints.

Two launches of this file as a script, through :func:`core.distributed.launch_local`
(processes on 127.0.0.1 with gloo CPU collectives, every wait bounded):

1. ``train``: 2 processes x 2 CPU devices. Each process loads only its half of every
   batch; both styles (``jax.jit`` with :mod:`core`, ``brainstate.transform.jit`` with
   :mod:`facade`) train 3 Adam steps, the functional one also with the optimizer state
   split over the 4 devices; after 2 steps the state is saved with orbax-checkpoint.
2. ``resume``, run twice at once: in 1 process x 1 device (which also trains both
   styles the plain way: the reference) and in 2 processes x 1 device. Each restores
   the checkpoint onto its own mesh (``reshard=True``; without it the restore is
   refused) and trains the third step.

Each process prints its results as JSON on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

if __name__ == "__main__":
    # run as a script, tests/ comes first on sys.path and its core/ and facade/ test
    # folders would shadow the packages
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import numpy as np
import pytest

from core import distributed

STEPS, T, BATCH, N_IN, N_HIDDEN, N_OUT = 3, 6, 16, 12, 32, 4
R = TypeVar("R")
SAVE_AFTER = 2  # the checkpoint holds the state after this many steps


# -- the worker (runs in the subprocesses) ---------------------------------------------
def _data() -> tuple[np.ndarray, np.ndarray]:
    """Every step's global batch: spikes (STEPS, T, BATCH, N_IN), labels (STEPS, BATCH)."""
    rng = np.random.default_rng(1)
    spikes = (rng.random((STEPS, T, BATCH, N_IN)) < 0.3).astype(np.float32)
    return spikes, rng.integers(0, N_OUT, (STEPS, BATCH)).astype(np.int32)


def _batch(step: int, mesh: Any) -> tuple[Any, Any]:
    """This process's share of step ``step``'s batch, as one global (sharded) batch."""
    spikes, labels = _data()
    if mesh is None:
        return spikes[step], labels[step]
    mine = distributed.process_slice(BATCH)  # the examples this process loads
    local = (spikes[step][:, mine], labels[step][mine])
    return distributed.shard_batch(local, mesh, batch_axis=(1, 0))


def _sharding_facts(x: Any) -> dict[str, Any]:
    return {
        "devices": len(x.sharding.device_set),
        "replicated": bool(x.sharding.is_fully_replicated),
        "shard_shape": list(x.addressable_shards[0].data.shape),
    }


def _host(tree: dict[str, Any]) -> dict[str, Any]:
    import jax

    return {
        jax.tree_util.keystr(path): np.asarray(leaf).tolist()
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]
    }


def _functional(mesh: Any, *, zero1: bool = False, ckpt: Path | None = None, resume: bool = False
                ) -> dict[str, Any]:  # fmt: skip
    """Adam steps of a 12 -> 32 LIF -> 4 readout SNN with ``jax.jit`` (core only)."""
    import jax
    import jax.numpy as jnp

    from core import loss, neuron, optim, surrogate

    hidden = neuron.LIF(N_HIDDEN, tau=5.0, spike_fun=surrogate.Sigmoid())
    readout = neuron.LeakyReadout(N_OUT, tau=10.0)

    def loss_fn(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
        def step(state: Any, current: jax.Array) -> tuple[Any, jax.Array]:
            v_h, v_o = state
            v_h, s = hidden.update(v_h, current)
            v_o, out = readout.update(v_o, s @ params["w2"])
            return (v_h, v_o), out

        batch = x.shape[1]
        init = (hidden.init(batch), readout.init(batch))
        _, outs = neuron.run(step, init, x @ params["w1"] + params["b1"])
        return loss.softmax_cross_entropy_with_integer_labels(outs.max(axis=0), y).mean()

    tx = optim.adam(learning_rate=1e-2)
    rng = np.random.default_rng(0)
    params = {
        "w1": jnp.asarray(rng.normal(size=(N_IN, N_HIDDEN)) * 0.5, jnp.float32),
        "b1": jnp.full((N_HIDDEN,), 0.1, jnp.float32),
        "w2": jnp.asarray(rng.normal(size=(N_HIDDEN, N_OUT)) * 0.3, jnp.float32),
    }
    opt_state = tx.init(params)
    facts: dict[str, Any] = {}
    if mesh is not None:
        params = distributed.replicate(params, mesh)
        place = distributed.shard_rows if zero1 else distributed.replicate
        opt_state = place(opt_state, mesh)
        facts["opt_state_split"] = [
            not leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(opt_state)
        ]
        facts["moments_w1"] = [  # Adam's mu and nu of w1
            _sharding_facts(m) for m in jax.tree.leaves(opt_state) if m.shape[:1] == (N_IN,)
        ]
        # an eager init from row-split parameters creates row-split moments
        fresh = tx.init(distributed.shard_rows(params, mesh))
        facts["init_follows_params"] = [
            _sharding_facts(m) for m in jax.tree.leaves(fresh) if m.ndim == 2
        ]

    def train_step(params: Any, opt_state: Any, x: jax.Array, y: jax.Array) -> Any:
        grads = jax.grad(loss_fn)(params, x, y)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state

    shardings = jax.tree.map(lambda a: a.sharding, (params, opt_state))
    step_fn = jax.jit(train_step, out_shardings=shardings if mesh is not None else None)
    first = 0
    if resume:
        assert ckpt is not None
        facts["refused"] = _refused(lambda: distributed.restore_sharded(ckpt, (params, opt_state)))
        params, opt_state = distributed.restore_sharded(ckpt, (params, opt_state), reshard=True)
        first = SAVE_AFTER
    for i in range(first, STEPS):
        if ckpt is not None and not resume and i == SAVE_AFTER:
            distributed.save_sharded(ckpt, (params, opt_state))
        x, y = _batch(i, mesh)
        if mesh is not None:
            facts.setdefault("x", _sharding_facts(x))
            facts.setdefault("y", _sharding_facts(y))
        params, opt_state = step_fn(params, opt_state, x, y)
    if mesh is not None:
        facts["opt_state_still_split"] = [
            not leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(opt_state)
        ]
    facts["w1"] = _sharding_facts(params["w1"])
    facts["params"] = _host(params)
    return facts


def _facade(mesh: Any, *, ckpt: Path | None = None, resume: bool = False) -> dict[str, Any]:
    """The same kind of SNN as brainstate modules, ``facade`` optimizer and gradients."""
    import brainstate
    import jax

    import facade as braintools
    from facade import distributed as fdist

    class Net(brainstate.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = braintools.nn.Linear(N_IN, N_HIDDEN)
            self.lif = braintools.nn.LIF(
                N_HIDDEN, tau=5.0, spike_fun=braintools.surrogate.Sigmoid()
            )
            self.fc2 = braintools.nn.Linear(N_HIDDEN, N_OUT)
            self.out = braintools.nn.LeakyReadout(N_OUT, tau=10.0)

        def step(self, current: jax.Array) -> jax.Array:
            return self.out(self.fc2(self.lif(current)))

    brainstate.random.seed(0)
    net = Net()
    brainstate.nn.init_all_states(net, batch_size=BATCH)
    params = net.states(brainstate.ParamState)
    optimizer = braintools.optim.Adam(learning_rate=1e-2)
    facts: dict[str, Any] = {}
    if mesh is not None:  # weights, membranes, optimizer state: a copy on every device
        fdist.replicate_states(net.states(), mesh)
    optimizer.register_trainable_weights(params)
    if mesh is not None:  # the moments were created where the parameters live
        moments = [leaf for state in optimizer for leaf in jax.tree.leaves(state.value)]
        facts["moments"] = [_sharding_facts(m) for m in moments if m.ndim == 2]
        fdist.replicate_states(optimizer, mesh)  # and the scalars (step count, lr) too

    def loss_fn(params: Any, net: Net, x: jax.Array, y: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=x.shape[1])
        outs = brainstate.transform.for_loop(net.step, net.fc1(x))
        value: jax.Array = braintools.metric.softmax_cross_entropy_with_integer_labels(
            outs.max(axis=0), y
        ).mean()
        return value

    @brainstate.transform.jit
    def train_step(x: jax.Array, y: jax.Array) -> None:
        optimizer.update(braintools.transform.grad(loss_fn, params)(net, x, y))

    saved = [*params.values(), *optimizer]
    first = 0
    if resume:
        assert ckpt is not None
        facts["refused"] = _refused(lambda: fdist.restore_states(ckpt, saved))
        fdist.restore_states(ckpt, saved, reshard=True)
        first = SAVE_AFTER
    for i in range(first, STEPS):
        if ckpt is not None and not resume and i == SAVE_AFTER:
            fdist.save_states(ckpt, saved)
        x, y = _batch(i, mesh)
        if mesh is not None:
            facts.setdefault("x", _sharding_facts(x))
        train_step(x, y)
    facts["w1"] = _sharding_facts(net.fc1.weight.value["weight"])
    facts["params"] = _host({str(key): state.value for key, state in params.items()})
    facts["step_count"] = int(np.asarray(optimizer.step_count.value))
    return facts


def _refused(restore: Any) -> str:
    """The message of the ValueError a restore without ``reshard`` raises ('' if none)."""
    try:
        restore()
    except ValueError as error:
        return str(error)
    return ""


def _errors(mesh: Any) -> dict[str, str]:
    """Messages of the helpers' refusals, as seen in a 2-process cluster."""
    messages = {}
    labels = _data()[1]
    calls: dict[str, Callable[[], object]] = {
        "indivisible": lambda: distributed.shard_batch(labels[0][:3], mesh),
        "mesh": lambda: distributed.data_mesh(3),
        "slice": lambda: distributed.process_slice(5),
    }
    for name, call in calls.items():
        try:
            call()
        except ValueError as error:
            messages[name] = str(error)
    return messages


def _worker(mode: str, ckpt: Path) -> None:
    import jax

    cluster = distributed.initialize(timeout=60)
    results: dict[str, Any] = {
        "process": cluster.process_id,
        "processes": jax.process_count(),
        "devices": jax.device_count(),
    }
    mesh = distributed.data_mesh()
    if mode == "devices":  # one process, its devices (tests/test_multidevice.py)
        results["functional_sharded"] = _functional(mesh)
        results["functional_zero1"] = _functional(mesh, zero1=True)
        results["facade_sharded"] = _facade(mesh)
    if mode == "train":
        results["functional"] = _functional(mesh)
        results["functional_zero1"] = _functional(mesh, zero1=True, ckpt=ckpt / "functional")
        results["facade"] = _facade(mesh, ckpt=ckpt / "facade")
        results["errors"] = _errors(mesh)
    if mode == "resume":
        results["functional_resumed"] = _functional(mesh, ckpt=ckpt / "functional", resume=True)
        results["facade_resumed"] = _facade(mesh, ckpt=ckpt / "facade", resume=True)
    if mode != "train" and jax.process_count() == 1:  # the reference: no mesh, one device
        results["functional_single"] = _functional(None)
        results["facade_single"] = _facade(None)
    print(json.dumps(results))


# -- the tests (run in the pytest process) ---------------------------------------------
def launch(mode: str, ckpt: Path, processes: int, devices: int) -> list[dict[str, Any]]:
    """Run the worker in ``mode`` as ``processes`` x ``devices``; every process's JSON."""
    runs = distributed.launch_local(
        [__file__, mode, str(ckpt)],
        processes,
        devices_per_process=devices,
        timeout=240,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    for run in runs:
        assert run.returncode == 0, run.stderr[-3000:]
    return [json.loads(run.stdout.strip().splitlines()[-1]) for run in runs]


def once(factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], R]) -> R:
    """``compute(folder)`` run once per pytest session, even over several xdist workers.

    The workers share the session's temporary folder: the first one computes under a
    file lock and stores the JSON result, the others read it.
    """
    import fcntl

    root = factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        root = root.parent  # the session's folder, above the workers' own
    folder = root / f"shared-{name}"
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored = folder / "result.json"
        if not stored.is_file():
            stored.write_text(json.dumps(compute(folder)))
        loaded: R = json.loads(stored.read_text())
    return loaded


def _launch_all(ckpt: Path) -> dict[str, list[dict[str, Any]]]:
    train = launch("train", ckpt, processes=2, devices=2)
    # the two restores run at the same time (they only read the checkpoint)
    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(launch, "resume", ckpt, 1, 1)
        two = pool.submit(launch, "resume", ckpt, 2, 1)
        return {"train": train, "one": one.result(), "two": two.result()}


@pytest.fixture(scope="module")
def launches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    return once(tmp_path_factory, "multiprocess", _launch_all)


def assert_close(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Same parameter names, values equal to float tolerance (reduction order differs)."""
    assert actual.keys() == expected.keys() and actual
    for name in expected:
        np.testing.assert_allclose(
            np.asarray(actual[name]), np.asarray(expected[name]), rtol=1e-5, atol=1e-6,
            err_msg=name,
        )  # fmt: skip


def test_two_processes_see_four_devices(launches: dict[str, list[dict[str, Any]]]) -> None:
    train = launches["train"]
    assert [r["process"] for r in train] == [0, 1]
    assert all(r["processes"] == 2 and r["devices"] == 4 for r in train)
    assert [r["devices"] for r in launches["two"]] == [2, 2]
    assert launches["one"][0]["processes"] == 1 and launches["one"][0]["devices"] == 1


@pytest.mark.parametrize("style", ["functional", "functional_zero1", "facade"])
def test_training_equals_one_device_and_is_identical_across_processes(
    launches: dict[str, list[dict[str, Any]]], style: str
) -> None:
    first, second = launches["train"]
    assert first[style]["params"] == second[style]["params"]  # bit for bit
    reference = launches["one"][0]["facade_single" if style == "facade" else "functional_single"]
    assert_close(first[style]["params"], reference["params"])
    if style != "facade":
        assert first[style]["w1"]["devices"] == 4 and first[style]["w1"]["replicated"]
        split = first[style]["opt_state_still_split"]
        assert any(split) == (style == "functional_zero1")
        assert split == first[style]["opt_state_split"]  # the moments stayed split


@pytest.mark.parametrize("target", ["one", "two"])
@pytest.mark.parametrize("style", ["functional", "facade"])
def test_checkpoint_from_two_processes_resumes_elsewhere(
    launches: dict[str, list[dict[str, Any]]], target: str, style: str
) -> None:
    uninterrupted = launches["train"][0]["functional_zero1" if style == "functional" else style]
    runs = [run[f"{style}_resumed"] for run in launches[target]]
    for resumed in runs:
        assert_close(resumed["params"], uninterrupted["params"])
        assert "pass reshard=True" in resumed["refused"]
        assert "written by 2 process(es) on a mesh {'batch': 4}" in resumed["refused"]
    assert all(run["params"] == runs[0]["params"] for run in runs)
    if style == "facade":
        assert runs[0]["step_count"] == uninterrupted["step_count"] == STEPS


def test_error_messages_in_a_cluster(launches: dict[str, list[dict[str, Any]]]) -> None:
    errors = launches["train"][0]["errors"]
    assert "global batch size 6 (3 examples per process x 2 process(es))" in errors["indivisible"]
    assert "multiple of 4" in errors["indivisible"]
    assert "multiple of the 2 process(es)" in errors["mesh"] and "got 3" in errors["mesh"]
    assert "multiple of the 2 processes" in errors["slice"]


def test_a_missing_coordinator_times_out_naming_its_address() -> None:
    address = f"127.0.0.1:{distributed.free_port()}"
    with pytest.raises(TimeoutError, match=f"no coordinator answered at {address} within 0.5 s"):
        distributed.initialize(address, num_processes=2, process_id=1, timeout=0.5)


def test_a_process_that_never_joins_times_out_naming_the_coordinator() -> None:
    address = f"127.0.0.1:{distributed.free_port()}"
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "JAX_COORDINATOR_ADDRESS": address,
           "JAX_NUM_PROCESSES": "2", "JAX_PROCESS_ID": "0"}  # fmt: skip
    code = "from core import distributed; distributed.initialize(timeout=1)"
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )  # process 0 runs the coordinator and waits for process 1, which never comes
    assert run.returncode == 1
    assert f"TimeoutError: process 0 of 2 waited 1 s at the coordinator {address}" in run.stderr
    assert "num_processes=2" in run.stderr


def test_initialize_refuses_bad_arguments_before_joining() -> None:
    with pytest.raises(ValueError, match="process_id must be between 0 and"):
        distributed.initialize("127.0.0.1:1", num_processes=2, process_id=2)
    with pytest.raises(ValueError, match="num_processes must be an integer >= 1"):
        distributed.initialize("127.0.0.1:1", num_processes=0, process_id=0)
    with pytest.raises(ValueError, match="timeout must be"):
        distributed.initialize(num_processes=1, timeout=0.0)
    assert distributed.initialize(num_processes=1) == distributed.Cluster(0, 1, None)


@pytest.mark.parametrize(
    "env",
    [
        {"JAX_COORDINATOR_ADDRESS": "127.0.0.1:1", "JAX_NUM_PROCESSES": "2", "JAX_PROCESS_ID": "3"},
        {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "1", "WORLD_SIZE": "2", "RANK": "3"},
    ],
    ids=["jax", "torchrun"],
)
def test_initialize_reads_the_launchers_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert distributed.launched_by_cluster()
    # the id comes from the environment, and is checked before anything joins
    with pytest.raises(ValueError, match=r"process_id must be between 0 and .* = 1, got 3"):
        distributed.initialize()
    monkeypatch.setenv("WORLD_SIZE" if "WORLD_SIZE" in env else "JAX_NUM_PROCESSES", "two")
    with pytest.raises(ValueError, match="must be an integer >= 1, got 'two'"):
        distributed.initialize()


def test_sharded_checkpoint_refusals(tmp_path: Path) -> None:
    import jax.numpy as jnp

    mesh = distributed.data_mesh(1)
    tree = {"w": distributed.replicate(jnp.arange(4.0), mesh)}
    path = distributed.save_sharded(tmp_path / "ckpt", tree)
    plain = {"w": jnp.zeros(4)}  # one device, no mesh: another layout
    with pytest.raises(ValueError, match=r"mesh \{'batch': 1\}, but like lives in 1 process"):
        distributed.restore_sharded(path, plain)
    restored = distributed.restore_sharded(path, plain, reshard=True)
    np.testing.assert_array_equal(np.asarray(restored["w"]), np.arange(4.0))
    with pytest.raises(ValueError, match="like must have the structure, shapes and dtypes"):
        distributed.restore_sharded(path, {"w": tree["w"], "b": tree["w"]})
    with pytest.raises(FileNotFoundError, match="must be a checkpoint directory"):
        distributed.restore_sharded(tmp_path / "missing", tree)


def test_placement_refusals() -> None:
    from facade.distributed import replicate_states

    mesh = distributed.data_mesh(1)
    with pytest.raises(ValueError, match="batch_axis must be an axis of every array, got 1"):
        distributed.shard_batch(np.zeros(4), mesh, batch_axis=1)
    with pytest.raises(ValueError, match="devices must be a multiple of the 1 process"):
        distributed.data_mesh(2)  # the pytest process has one CPU device
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        distributed.process_slice(0)
    with pytest.raises(TypeError, match=r"states must hold brainstate\.State objects"):
        replicate_states([np.zeros(3)], mesh)  # type: ignore[list-item]  # on purpose


if __name__ == "__main__":
    _worker(sys.argv[1], Path(sys.argv[2]))
