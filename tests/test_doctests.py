"""Run the docstring examples of every module of ``core`` and ``facade``.

They run here, under the strict ``conftest.py`` (strict dtype promotion, warnings
as errors), rather than through ``--doctest-modules``, so that the examples users
copy are held to the same bar as the tests.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest


def _modules(package_name: str) -> list[str]:
    package = importlib.import_module(package_name)
    names = [package_name]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        names.append(info.name)
    return sorted(names)


MODULES = _modules("core") + _modules("facade")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_public_names_have_runnable_examples() -> None:
    """Every public name re-exported by a public package carries a ``>>>`` example."""
    missing = []
    for name in MODULES:
        if any(part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", []):
            obj = getattr(module, public)
            if isinstance(obj, ModuleType):
                continue  # a sub-package: its members are checked in its own turn
            doc = getattr(obj, "__doc__", None) or ""
            if ">>>" not in doc:
                missing.append(f"{name}.{public}")
    assert missing == [], f"public names without a docstring example: {missing}"
