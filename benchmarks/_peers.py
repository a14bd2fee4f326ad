"""Run a peer library's benchmark script in its own interpreter (a separate venv).

Both sides are here: :func:`run_peer` in the benchmark, :func:`report` in the peer
script, which prints its result as the one JSON line :func:`run_peer` reads. Standard
library only: the peer venvs import this file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


def run_peer(python: str, script: str, *args: str) -> dict[str, Any]:
    """Run ``benchmarks/<script>`` in interpreter ``python``; its last stdout line is JSON."""
    path = Path(__file__).resolve().parent / script
    proc = subprocess.run([python, str(path), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{script} failed in {python}:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def report(result: dict[str, Any], *modules: ModuleType, **extra: str) -> None:
    """Print ``result`` with ``"versions"``: each module's version, then ``extra``, as JSON."""
    versions = {m.__name__: getattr(m, "__version__", "?") for m in modules}
    print(json.dumps({**result, "versions": versions | extra}))
