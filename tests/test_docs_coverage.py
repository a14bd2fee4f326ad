"""The API reference names every public name of every public module."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _public_modules(package_name: str) -> list[str]:
    package = importlib.import_module(package_name)
    names = [package_name]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def _documented_targets() -> set[str]:
    text = "\n".join(path.read_text() for path in sorted((DOCS / "api").glob("*.rst")))
    return set(re.findall(r"\b((?:core|facade)(?:\.\w+)+)", text))


def test_every_public_name_is_in_the_api_reference() -> None:
    documented = _documented_targets()
    missing = [
        f"{module}.{name}"
        for module in _public_modules("core") + _public_modules("facade")
        for name in getattr(importlib.import_module(module), "__all__", [])
        if f"{module}.{name}" not in documented
    ]
    assert missing == [], f"public names missing from docs/api/*.rst: {missing}"


def test_the_check_sees_the_reference() -> None:
    """Guard against a vacuous pass: the scan does find documented names."""
    assert "core.surrogate.Sigmoid" in _documented_targets()


def _documented_arguments(doc: str) -> set[str]:
    """The argument names an ``Args:`` section of a (filled) Google-style docstring lists."""
    names: set[str] = set()
    in_args, indent = False, None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            in_args, indent = True, None
            continue
        if not in_args or not stripped:
            continue
        width = len(line) - len(line.lstrip())
        if indent is None:
            indent = width
        if width < indent:
            in_args = False
        elif width == indent:
            match = re.match(r"\**(\w+)(?: \([^)]*\))?:", stripped)
            if match:
                names.add(match[1])
    return names


def _public_callables() -> list[tuple[str, object]]:
    found = []
    for module_name in _public_modules("core") + _public_modules("facade"):
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type(importlib)):
                found.append((f"{module_name}.{name}", obj))
    return found


def test_every_argument_of_a_public_function_is_described() -> None:
    """The filled docstring (what users and Sphinx see) describes every named argument.

    This is ruff's D417 checked on the docstrings as they are at run time, after
    :func:`core._docstrings.fill_doc` placed the shared fragments into them.
    """
    import inspect

    undocumented = []
    for qualname, obj in _public_callables():
        doc = inspect.getdoc(obj) or ""
        if "Args:" not in doc:
            continue  # classes documented by attributes, protocols, re-exported aliases
        target = obj.__init__ if isinstance(obj, type) else obj  # type: ignore[misc]
        try:
            parameters = inspect.signature(target).parameters.values()
        except (TypeError, ValueError):
            continue
        described = _documented_arguments(doc)
        missing = [
            p.name
            for p in parameters
            if p.name not in ("self", "cls") and p.name not in described
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if missing:
            undocumented.append(f"{qualname}: {', '.join(missing)}")
    assert undocumented == [], "arguments missing from Args sections:\n" + "\n".join(undocumented)


def test_the_argument_check_reads_filled_docstrings() -> None:
    """Guard: a fragment placed by fill_doc counts as a description."""
    from core._docstrings import fill_doc

    @fill_doc(eps="eps: > 0.")
    def f(x: float, eps: float = 1.0) -> float:
        """Add.

        Args:
            x: the input.
            {eps}
        """
        return x + eps

    assert _documented_arguments(f.__doc__ or "") == {"x", "eps"}
