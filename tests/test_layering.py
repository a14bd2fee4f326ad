"""``core`` is the functional layer: importing it must not pull in ``facade`` or brainstate."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "core",
    "core.surrogate",
    "core.transform",
    "core.loss",
    "core.optim",
    "core.neuron",
    "core.init",
    "core.layers",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_imports_neither_facade_nor_brainstate(module: str) -> None:
    program = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'facade', 'brainstate', 'braintools', 'optax'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} imported: {result.stdout.strip()}"


def test_facade_does_import_core() -> None:
    """The check above is not vacuous: the same probe sees ``core`` under ``facade``."""
    program = "import sys, facade; print('core' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
