"""The tutorials run end to end (few epochs here) and write what they promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TUTORIALS = Path(__file__).resolve().parent.parent / "docs" / "tutorials"


def run(script: str, out: Path, *args: str) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(TUTORIALS / script), "--out", str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_main_job_learns_writes_its_outputs_and_is_reproducible(tmp_path: Path) -> None:
    """Two runs with the same seed: above chance, the promised files, identical results."""
    args = ("--epochs", "2", "--batch-size", "128")
    first = run("snn_training.py", tmp_path / "a", *args)
    second = run("snn_training.py", tmp_path / "b", *args)
    *_, skipped, last = first.strip().splitlines()
    assert skipped == "steps skipped for non-finite gradients: 0"  # the summary shows the counter
    assert last.startswith("test accuracy: 0.")
    assert float(last.split(": ")[1]) > 0.5  # two epochs are far above chance (0.1)
    for name in ("snn_training.ckpt.npz", "snn_training_curves.png", "snn_training_raster.png"):
        assert (tmp_path / "a" / name).stat().st_size > 1000, name
    assert (tmp_path / "a" / "snn_training_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert last == second.strip().splitlines()[-1]
    summaries = [json.loads((tmp_path / d / "snn_training_summary.json").read_text()) for d in "ab"]
    assert summaries[0]["test_accuracy"] == summaries[1]["test_accuracy"]
    assert summaries[0]["train_accuracy"] == summaries[1]["train_accuracy"]


def test_functional_tutorial_runs(tmp_path: Path) -> None:
    stdout = run("snn_training_functional.py", tmp_path, "--epochs", "2", "--batch-size", "128")
    accuracy = float(stdout.strip().splitlines()[-1].split(": ")[1])
    assert accuracy > 0.5
    assert (tmp_path / "snn_training_functional_curves.png").exists()


def test_surrogate_gallery_demo(tmp_path: Path) -> None:
    stdout = run("surrogate_gallery.py", tmp_path)
    assert "Sigmoid" in stdout and "Circ" in stdout
    assert (tmp_path / "surrogate_gallery.png").read_bytes()[:4] == b"\x89PNG"


def test_online_learning_tutorial(tmp_path: Path) -> None:
    """BPTT, e-prop and OTTT side by side (tiny): above chance; online memory flat in T."""
    args = ("--epochs", "2", "--steps", "10", "--long-steps", "0",
            "--memory-steps", "20", "80", "--hidden", "32", "--batch-size", "128")  # fmt: skip
    stdout = run("online_learning.py", tmp_path, *args)
    assert [line.split(":")[0] for line in stdout.strip().splitlines()[-3:]] == [
        "bptt", "eprop", "ottt"
    ]  # fmt: skip
    summary = json.loads((tmp_path / "online_learning_summary.json").read_text())
    for method in ("bptt", "eprop", "ottt"):
        assert summary["accuracy"][method]["10"]["test_accuracy"] > 0.3  # chance is 0.1
    memory = summary["peak_memory_bytes"]
    assert memory["bptt"]["80"] > 2 * memory["bptt"]["20"]
    for method in ("eprop", "ottt"):
        assert memory[method]["80"] < 1.05 * memory[method]["20"]
    assert (tmp_path / "online_learning.png").read_bytes()[:4] == b"\x89PNG"
