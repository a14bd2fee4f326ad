"""Checkpoints: exact resume in a fresh process, clear errors, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import brainstate
import jax.numpy as jnp
import numpy as np
import pytest

from facade.optim import (
    SGD,
    Adam,
    CheckpointError,
    ExponentialLR,
    StepLR,
    load_checkpoint,
    save_checkpoint,
)

# The training code shared by this process and the fresh one (run from a script file).
TRAINING = textwrap.dedent(
    """
    import brainstate
    import jax.numpy as jnp
    import numpy as np

    from facade.optim import Adam, StepLR

    X = jnp.linspace(-1.0, 1.0, 12, dtype=jnp.float32).reshape(4, 3)
    Y = jnp.linspace(0.0, 1.0, 8, dtype=jnp.float32).reshape(4, 2)


    def build():
        brainstate.random.seed(3)
        net = brainstate.nn.Sequential(brainstate.nn.Linear(3, 5), brainstate.nn.Linear(5, 2))
        scheduler = StepLR(base_lr=0.05, step_size=3, gamma=0.5)
        optimizer = Adam(lr=scheduler, weight_decay=0.01)
        optimizer.register_trainable_weights(net.states(brainstate.ParamState))
        return net, optimizer, scheduler


    def train(net, optimizer, scheduler, steps):
        params = net.states(brainstate.ParamState)
        for _ in range(steps):
            grads = brainstate.transform.grad(lambda: jnp.mean((net(X) - Y) ** 2), params)()
            optimizer.update(grads)
            scheduler.step()

    """
)


def _namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(TRAINING, namespace)  # the same code the fresh process runs
    return namespace


def _leaves(net: Any) -> list[np.ndarray]:
    import jax

    return [
        np.array(x) for x in jax.tree.leaves(net.states(brainstate.ParamState).to_dict_values())
    ]


def test_resume_in_a_fresh_process_is_bit_for_bit(tmp_path: Path) -> None:
    ns = _namespace()
    net, optimizer, scheduler = ns["build"]()
    ns["train"](net, optimizer, scheduler, 10)
    uninterrupted = _leaves(net)

    net, optimizer, scheduler = ns["build"]()
    ns["train"](net, optimizer, scheduler, 5)
    checkpoint = tmp_path / "run.npz"
    save_checkpoint(
        checkpoint,
        net.states(),
        optimizer=optimizer,
        scheduler=scheduler,
        step=5,
        epoch=0,
        metadata={"note": "half way"},
    )
    script = tmp_path / "resume.py"
    script.write_text(
        TRAINING
        + textwrap.dedent(
            f"""
            import jax
            from facade.optim import load_checkpoint

            net, optimizer, scheduler = build()
            info = load_checkpoint({str(checkpoint)!r}, net.states(), optimizer=optimizer,
                                   scheduler=scheduler)
            assert info.step == 5 and info.metadata == {{"note": "half way"}}, info
            train(net, optimizer, scheduler, 5)
            leaves = jax.tree.leaves(net.states(brainstate.ParamState).to_dict_values())
            np.savez({str(tmp_path / "resumed.npz")!r}, *[np.array(x) for x in leaves])
            """
        )
    )
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(tmp_path / "resumed.npz", allow_pickle=False) as resumed:
        got = [resumed[f"arr_{i}"] for i in range(len(resumed.files))]
    assert len(got) == len(uninterrupted)
    for a, b in zip(got, uninterrupted, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def _trained(tmp_path: Path) -> tuple[Path, brainstate.ParamState, Adam]:
    w = brainstate.ParamState(jnp.array([1.0, -1.0, 0.5], jnp.float32))
    opt = Adam(lr=0.1)
    opt.register_trainable_weights({"w": w})
    for _ in range(3):
        opt.update({"w": jnp.array([0.3, -0.2, 0.1], jnp.float32)})
    path = save_checkpoint(tmp_path / "ckpt.npz", {"w": w}, optimizer=opt, step=3)
    return path, w, opt


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_files_raise_a_clear_error(tmp_path: Path, damage: str) -> None:
    path, w, opt = _trained(tmp_path)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage" * 64)
    else:
        path.write_bytes(b"")
    before: np.ndarray = np.array(w.value)
    with pytest.raises(CheckpointError, match=rf"{path.name}.*(corrupt or truncated|not a)"):
        load_checkpoint(path, {"w": w}, optimizer=opt)
    assert np.array_equal(np.array(w.value), before)


def test_flipped_bytes_inside_an_array_are_detected(tmp_path: Path) -> None:
    path, w, opt = _trained(tmp_path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=path.name):
        load_checkpoint(path, {"w": w}, optimizer=opt)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.npz"):
        load_checkpoint(tmp_path / "nope.npz", {"w": brainstate.ParamState(jnp.zeros(1))})


def test_a_non_checkpoint_npz_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(2))
    with pytest.raises(CheckpointError, match=r"other\.npz: not a spiketrain checkpoint"):
        load_checkpoint(path, {"w": brainstate.ParamState(jnp.zeros(2))})


def _state_of(opt: Any, w: Any) -> tuple[np.ndarray, int, list[np.ndarray]]:
    import jax

    sd = opt.state_dict()
    return np.array(w.value), int(sd["step_count"]), [np.array(x) for x in jax.tree.leaves(sd)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"w": brainstate.ParamState(jnp.zeros(4, jnp.float32))},
            r"the leaf at .*\['w'\].* has shape \(3,\), expected \(4,\)",
        ),
        (
            {"w": brainstate.ParamState(jnp.zeros(3, jnp.float16))},
            r"has dtype float32, expected float16",
        ),
        (
            {"v": brainstate.ParamState(jnp.zeros(3, jnp.float32))},
            r"do not match the structure of the live ones: .*\['w'\].* vs .*\['v'\]",
        ),
    ],
)
def test_mismatched_model_raises_and_changes_nothing(
    tmp_path: Path, params: dict[str, Any], message: str
) -> None:
    path, _, _ = _trained(tmp_path)
    before = {k: np.array(s.value) for k, s in params.items()}
    with pytest.raises(CheckpointError, match=rf"ckpt\.npz: .*{message}"):
        load_checkpoint(path, params)
    for key, state in params.items():
        assert np.array_equal(np.array(state.value), before[key])


def test_extra_parameters_in_the_file_are_reported(tmp_path: Path) -> None:
    a, b = brainstate.ParamState(jnp.ones(2)), brainstate.ParamState(jnp.ones(2))
    path = save_checkpoint(tmp_path / "two.npz", {"a": a, "b": b})
    with pytest.raises(
        CheckpointError,
        match=r"the key path \[\"\['b'\]\"\] is present only in the saved parameters",
    ):
        load_checkpoint(path, {"a": a})


def test_optimizer_mismatch_is_found_before_parameters_change(tmp_path: Path) -> None:
    path, _, _ = _trained(tmp_path)
    w2 = brainstate.ParamState(jnp.zeros(3, jnp.float32))
    other = SGD(learning_rate=0.1, momentum=0.9)  # a different optimizer state layout
    other.register_trainable_weights({"w": w2})
    before = _state_of(other, w2)
    with pytest.raises(CheckpointError, match=r"ckpt\.npz: the saved optimizer state do not match"):
        load_checkpoint(path, {"w": w2}, optimizer=other)
    after = _state_of(other, w2)
    assert np.array_equal(before[0], after[0]) and before[1] == after[1]
    assert all(np.array_equal(x, y) for x, y in zip(before[2], after[2], strict=True))


def test_missing_optimizer_state_is_reported(tmp_path: Path) -> None:
    w = brainstate.ParamState(jnp.ones(2, jnp.float32))
    path = save_checkpoint(tmp_path / "params_only.npz", {"w": w})
    opt = SGD()
    opt.register_trainable_weights({"w": w})
    with pytest.raises(CheckpointError, match="holds no optimizer state"):
        load_checkpoint(path, {"w": w}, optimizer=opt)


def test_a_failed_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, w, opt = _trained(tmp_path)
    good = path.read_bytes()

    def broken_savez(file: Any, **arrays: Any) -> None:
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, {"w": w}, optimizer=opt, step=4)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(tmp_path / "new.npz", {"w": w})
    assert path.read_bytes() == good  # the old checkpoint is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npz"]  # no temporary left


def test_unserializable_metadata_writes_nothing(tmp_path: Path) -> None:
    w = brainstate.ParamState(jnp.ones(2, jnp.float32))
    with pytest.raises(TypeError, match="metadata must be JSON-serializable"):
        save_checkpoint(tmp_path / "m.npz", {"w": w}, metadata={"f": object()})
    assert list(tmp_path.iterdir()) == []


def test_bfloat16_and_nested_values_round_trip(tmp_path: Path) -> None:
    states: dict[str, Any] = {
        "h": brainstate.ParamState(jnp.array([1.5, -2.0], jnp.bfloat16)),
        "layer": {"p": brainstate.ParamState({"w": jnp.ones((2, 2)), "b": jnp.zeros(2)})},
        "n": brainstate.ShortTermState(jnp.array([3], jnp.int32)),
    }
    path = save_checkpoint(tmp_path / "mixed.npz", states, epoch=7)
    fresh: dict[str, Any] = {
        "h": brainstate.ParamState(jnp.zeros(2, jnp.bfloat16)),
        "layer": {"p": brainstate.ParamState({"w": jnp.zeros((2, 2)), "b": jnp.ones(2)})},
        "n": brainstate.ShortTermState(jnp.array([0], jnp.int32)),
    }
    assert load_checkpoint(path, fresh).epoch == 7
    assert fresh["h"].value.dtype == jnp.bfloat16
    assert np.array_equal(np.array(fresh["h"].value, np.float32), [1.5, -2.0])
    assert np.array_equal(np.array(fresh["layer"]["p"].value["w"]), np.ones((2, 2)))
    assert int(fresh["n"].value[0]) == 3


def test_random_bytes_and_pickles_never_suggest_allow_pickle(tmp_path: Path) -> None:
    w = brainstate.ParamState(jnp.ones(2, jnp.float32))
    noise = tmp_path / "noise.npz"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, __checkpoint__=np.array([{"format": "x"}], dtype=object))
    for path in (noise, pickled):
        with pytest.raises(CheckpointError, match=path.name) as caught:
            load_checkpoint(path, {"w": w})
        assert "allow_pickle" not in str(caught.value) and "unsafely" not in str(caught.value)


def test_a_float64_parameter_into_a_float32_model_names_the_dtype(tmp_path: Path) -> None:
    saved = brainstate.ParamState(np.ones(3, np.float64))  # a NumPy float64 parameter
    path = save_checkpoint(tmp_path / "f64.npz", {"w": saved})
    live = brainstate.ParamState(jnp.zeros(3, jnp.float32))
    with pytest.raises(CheckpointError, match="has dtype float64, expected float32") as caught:
        load_checkpoint(path, {"w": live})
    assert "shape" not in str(caught.value)
    assert not np.asarray(live.value).any()


def test_an_array_stored_in_another_dtype_than_recorded_names_both(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "ok.npz", {"w": brainstate.ParamState(jnp.ones(3))})
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["params['w']"] = arrays["params['w']"].astype(np.float64)  # 24 bytes, 3 x float32
    np.savez(path, **arrays)
    with pytest.raises(CheckpointError, match="stored as float64 but recorded as float32"):
        load_checkpoint(path, {"w": brainstate.ParamState(jnp.zeros(3))})


def test_a_scheduler_checkpoint_loads_only_into_the_same_scheduler(tmp_path: Path) -> None:
    w = brainstate.ParamState(jnp.ones(2, jnp.float32))
    saved = StepLR(base_lr=0.1, step_size=2, gamma=0.5)
    for _ in range(3):
        saved.step()
    path = save_checkpoint(tmp_path / "sched.npz", {"w": w}, scheduler=saved)
    w.value = jnp.zeros(2, jnp.float32)
    wrong = ExponentialLR(base_lr=0.1, gamma=0.9)
    with pytest.raises(CheckpointError, match=r"written by StepLR .* live: ExponentialLR"):
        load_checkpoint(path, {"w": w}, scheduler=wrong)
    assert not np.asarray(w.value).any() and wrong.get_last_lr() == [0.1]
    same = StepLR(base_lr=0.1, step_size=2, gamma=0.5)
    load_checkpoint(path, {"w": w}, scheduler=same)
    assert same.get_last_lr() == saved.get_last_lr() == [0.05]


def _with_version(path: Path, version: int) -> None:
    """Rewrite ``path``'s header as format ``version`` (1: the optimizer keyed by key strings)."""
    import json

    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = json.loads(str(arrays["__checkpoint__"][()]))
    header["version"] = version
    arrays["__checkpoint__"] = np.array(json.dumps(header))
    np.savez(path, **arrays)


def test_a_version_1_file_restores_parameters_and_refuses_its_optimizer_state(
    tmp_path: Path,
) -> None:
    w = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    opt = SGD(learning_rate=0.1)
    opt.register_trainable_weights({"w": w})
    path = save_checkpoint(tmp_path / "old.npz", {"w": w}, optimizer=opt, step=7)
    _with_version(path, 1)
    fresh = brainstate.ParamState(jnp.zeros(2, jnp.float32))
    other = SGD(learning_rate=0.1)
    other.register_trainable_weights({"w": fresh})
    with pytest.raises(CheckpointError, match=r"old\.npz: format version 1 .* optimizer=None"):
        load_checkpoint(path, {"w": fresh}, optimizer=other)
    assert np.array_equal(np.array(fresh.value), [0.0, 0.0])  # refused before any write
    assert load_checkpoint(path, {"w": fresh}).step == 7
    assert np.array_equal(np.array(fresh.value), [1.0, 2.0])


def test_an_unknown_version_is_refused(tmp_path: Path) -> None:
    w = brainstate.ParamState(jnp.ones(2, jnp.float32))
    path = save_checkpoint(tmp_path / "future.npz", {"w": w})
    _with_version(path, 3)
    with pytest.raises(
        CheckpointError, match=r"format version 3; this version reads versions 1, 2"
    ):
        load_checkpoint(path, {"w": w})
