"""Data-parallel training over 4 (CPU) devices of one process computes what one device computes.

JAX is already initialised with one CPU device in the pytest process, so everything
multi-device runs in subprocesses started with
``XLA_FLAGS=--xla_force_host_platform_device_count=4``. The worker is the one of
``tests/test_multiprocess.py`` (in its ``devices`` mode, one process): it trains a small
SNN for a few steps on one device and on a 4-device mesh (batch sharded, parameters
replicated, optionally the optimizer state split), in the functional style
(``jax.jit``) and the facade style (``brainstate.transform.jit``), and prints the
parameters and the shardings it saw as JSON.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_multiprocess import BATCH, N_HIDDEN, N_IN, T, assert_close, launch, once

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "docs" / "tutorials"
DEVICES = 4


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    flags = f"--xla_force_host_platform_device_count={DEVICES}"
    env = {
        **os.environ,
        "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip(),
        "JAX_PLATFORMS": "cpu",
        "MPLBACKEND": "Agg",
    }
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    (results,) = once(
        tmp_path_factory, "multidevice", lambda folder: launch("devices", folder, 1, DEVICES)
    )
    assert results["processes"] == 1 and results["devices"] == DEVICES
    return results


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
    assert_close(sharded["params"], single["params"])


def test_functional_sharded_optimizer_state_equals_single_device(worker: dict[str, Any]) -> None:
    zero1 = worker["functional_zero1"]
    assert len(zero1["moments_w1"]) == 2  # Adam's mu and nu of w1
    for facts in zero1["moments_w1"]:
        assert facts["devices"] == DEVICES and not facts["replicated"]
        assert facts["shard_shape"] == [N_IN // DEVICES, N_HIDDEN]
    assert len(zero1["init_follows_params"]) == 4  # mu and nu of w1 and w2
    for facts in zero1["init_follows_params"]:
        assert facts["devices"] == DEVICES and not facts["replicated"]
    assert zero1["opt_state_still_split"] == zero1["opt_state_split"]
    assert_close(zero1["params"], worker["functional_single"]["params"])


def test_facade_sharded_step_equals_single_device(worker: dict[str, Any]) -> None:
    single, sharded = worker["facade_single"], worker["facade_sharded"]
    _assert_split_batch(sharded["x"], batch_axis=1)
    assert sharded["w1"]["devices"] == DEVICES and sharded["w1"]["replicated"]
    assert single["w1"]["devices"] == 1
    # Adam's moments were created replicated like the parameters they belong to
    assert len(sharded["moments"]) == 4  # mu and nu of the two weight matrices
    assert all(m["devices"] == DEVICES and m["replicated"] for m in sharded["moments"])
    assert_close(sharded["params"], single["params"])


def _tutorial_accuracy(tmp_path: Path, script: str, *options: str) -> float:
    """Train one epoch with the tutorial ``script`` and return its test accuracy."""
    result = _run(
        str(TUTORIALS / script), *options, "--epochs", "1", "--batch-size", "128",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    accuracy = [line for line in result.stdout.splitlines() if line.startswith("test accuracy")]
    assert accuracy and accuracy[0].startswith("test accuracy: 0."), result.stdout[-2000:]
    value = float(accuracy[0].split(": ")[1])
    assert value > 0.2  # one epoch is well above chance (0.1)
    return value


def test_functional_tutorial_on_4_devices_and_in_2_processes(tmp_path: Path) -> None:
    one = _tutorial_accuracy(tmp_path / "one", "snn_training_functional.py", "--devices", "4")
    # two processes of 2 devices each, each loading half of every batch: the same numbers
    two = _tutorial_accuracy(
        tmp_path / "two", "snn_training_functional.py", "--processes", "2", "--devices", "4"
    )
    assert two == pytest.approx(one, abs=0.003)  # up to float rounding of the reductions
    assert (tmp_path / "two" / "snn_training_functional_summary.json").is_file()
    assert (tmp_path / "two" / "process1" / "snn_training_functional_summary.json").is_file()


def test_facade_tutorial_in_2_processes(tmp_path: Path) -> None:
    _tutorial_accuracy(tmp_path, "snn_training.py", "--processes", "2", "--devices", "4")
    assert (tmp_path / "snn_training.ckpt.npz").is_file()


@pytest.mark.parametrize("script", ["snn_training.py", "snn_training_functional.py"])
def test_tutorial_refuses_more_devices_than_present(tmp_path: Path, script: str) -> None:
    result = _run(str(TUTORIALS / script), "--devices", "8", "--out", str(tmp_path))
    assert result.returncode == 2  # argparse's usage error
    assert "--devices 8 is not available: JAX sees 4 cpu device(s)" in result.stderr
    assert "XLA_FLAGS=--xla_force_host_platform_device_count=8" in result.stderr
    assert "Traceback" not in result.stderr
