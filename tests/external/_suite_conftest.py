"""conftest.py of the temporary directory that runs braintools' own tests against the facade.

:mod:`tests.external.braintools_suite` copies this file, as ``conftest.py``, next to the test
files it copies out of the installed braintools wheel. It does two things:

* before any test module is imported, it makes ``import braintools`` (and the sub-modules
  the tests import, private ones included) resolve to the facade's modules, unless the
  environment variable ``SUITE_TARGET`` is ``braintools`` (the reference run);
* it records one outcome per test id (``passed``, ``failed``, ``skipped``, ``error``, ...)
  and one ``error`` per file that fails to import, with the first error line of each
  failure, and writes them as JSON to the path in ``SUITE_RESULTS`` at the end.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import types
from typing import Any

import pytest

# braintools module -> facade module. A private braintools module maps to the facade's public
# package: a name the facade does not offer then fails the test file's import, as it should.
# One exception: ``braintools.surrogate._base`` (below) also names braintools' private
# heaviside primitive, which we do not have; absent stand-ins let the file's public
# ``Surrogate`` tests run while every test of the primitive fails (a listed deviation).
ALIASES = {
    "braintools": "facade",
    "braintools.optim": "facade.optim",
    "braintools.surrogate": "facade.surrogate",
    "braintools.metric": "facade.metric",
    "braintools.metric._classification": "facade.metric",
    "braintools.metric._regression": "facade.metric",
    "braintools.metric._firings": "facade.metric",
    "braintools.metric._lfp": "facade.metric",
}

PRIVATE_PRIMITIVE = (
    "heaviside_p",
    "_heaviside_abstract",
    "_heaviside_imp",
    "_heaviside_batching",
    "_heaviside_transpose",
)


class _Absent:
    """Stands for a private braintools name the facade does not offer: any use fails."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"braintools.surrogate._base.{self._name} is braintools' private heaviside "
            "primitive; spiketrain's spike functions are jax.custom_jvp functions"
        )

    __call__ = _fail

    def __getattr__(self, attribute: str) -> Any:
        return self._fail()


def _surrogate_base() -> types.ModuleType:
    """``braintools.surrogate._base``: the facade's ``Surrogate`` and absent private names."""
    module = types.ModuleType("braintools.surrogate._base")
    module.Surrogate = importlib.import_module("facade.surrogate").Surrogate  # type: ignore[attr-defined]
    for name in PRIVATE_PRIMITIVE:
        setattr(module, name, _Absent(name))
    return module


TARGET = os.environ.get("SUITE_TARGET", "facade")
if TARGET == "facade":
    for alias, module in ALIASES.items():
        sys.modules[alias] = importlib.import_module(module)
    sys.modules["braintools.surrogate._base"] = _surrogate_base()

_outcomes: dict[str, str] = {}
_errors: dict[str, str] = {}


def _record(nodeid: str, outcome: str, report: pytest.TestReport | pytest.CollectReport) -> None:
    # a test keeps its worst outcome over setup, call and teardown, and its first error line
    if _outcomes.get(nodeid) in (None, "passed"):
        _outcomes[nodeid] = outcome
    if report.failed and nodeid not in _errors:
        lines = [line for line in report.longreprtext.splitlines() if line.startswith("E ")]
        _errors[nodeid] = (lines or report.longreprtext.splitlines()[-1:] or [""])[0][:300]


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A file that cannot be imported counts as one ``error`` under its own path."""
    if report.failed:
        _record(report.nodeid, "error", report)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """One outcome per test id, from its setup, call and teardown reports."""
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            _record(report.nodeid, "xfailed" if report.skipped else "xpassed", report)
        else:
            _record(report.nodeid, report.outcome, report)
    elif report.failed:
        _record(report.nodeid, "error", report)
    elif report.skipped:
        _record(report.nodeid, "skipped", report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the outcomes and which module ``braintools`` was."""
    result: dict[str, Any] = {
        "braintools_module": getattr(sys.modules.get("braintools"), "__name__", None),
        "outcomes": _outcomes,
        "errors": _errors,
    }
    with open(os.environ["SUITE_RESULTS"], "w") as handle:
        json.dump(result, handle, indent=0, sort_keys=True)
