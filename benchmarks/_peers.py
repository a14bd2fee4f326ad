"""Run a peer library's benchmark script in its own interpreter (a separate venv)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_peer(python: str, script: str, *args: str) -> dict[str, Any]:
    """Run ``benchmarks/<script>`` in interpreter ``python``; its last stdout line is JSON."""
    path = Path(__file__).resolve().parent / script
    proc = subprocess.run([python, str(path), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{script} failed in {python}:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result
