"""``core`` is the functional layer: importing it must not pull in ``facade`` or brainstate."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib, pkgutil, sys
import {package} as package
names = [package.__name__] + [
    info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
]
for name in names:
    importlib.import_module(name)
print(len(names))
print(",".join(sorted(
    m for m in sys.modules if m.split(".")[0] in {{"facade", "brainstate", "braintools", "optax"}}
)))
"""


def _probe(package: str) -> tuple[int, str]:
    """Import ``package`` and all its modules in a fresh interpreter; what else got imported."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)],
        capture_output=True,
        text=True,
        check=True,
    )
    count, imported = [*result.stdout.splitlines(), ""][:2]
    return int(count), imported


def test_core_imports_neither_facade_nor_brainstate() -> None:
    """Every module of ``core`` (all of them, in one fresh interpreter) stays functional."""
    count, imported = _probe("core")
    assert count > 20  # the walk really visited the sub-packages' private modules
    assert imported == "", f"importing core's modules imported: {imported}"


def test_the_probe_sees_facade_imports() -> None:
    """The check above is not vacuous: the same probe sees brainstate under ``facade``."""
    _, imported = _probe("facade")
    assert "brainstate" in imported.split(",") and "facade" in imported.split(",")
