"""Shared docstring fragments: one text for an argument that many functions take.

Families of functions take the same arguments (the Adam family's ``b1``, ``b2``, ``eps``; the
readout losses' ``time_axis``, ``population``, ``check``). Their description is written
once, as a fragment, and placed into each docstring by :func:`fill_doc`: a line that holds
only ``{name}`` is replaced by the fragment ``name``, indented like the placeholder. Every
other brace (LaTeX, formatted examples) is left alone, so docstrings stay ordinary text.

``tests/test_docs_coverage.py`` checks that every parameter of every public function is
described in its final docstring, so a fragment can never leave an argument undocumented.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}[ \t]*$")


def fill_doc(**fragments: str) -> Callable[[F], F]:
    """Decorator: replace each placeholder line ``{name}`` of the docstring by ``fragments[name]``.

    Args:
        **fragments: the texts, by placeholder name; each may span several lines (written
            without indentation: the placeholder's indentation is added to every line).

    Returns:
        A decorator that rewrites ``__doc__`` of a function or class and returns it.

    Raises:
        KeyError: a placeholder has no fragment (at import time, naming it).

    Example:
        >>> from core._docstrings import fill_doc
        >>> EPS = "eps: > 0, added to the denominator."
        >>> @fill_doc(eps=EPS)
        ... def scale(x, eps=1e-8):
        ...     '''Scale ``x``.
        ...
        ...     Args:
        ...         x: the input.
        ...         {eps}
        ...     '''
        ...     return x
        >>> print(scale.__doc__.splitlines()[4].strip())
        eps: > 0, added to the denominator.
    """

    def decorate(obj: F) -> F:
        doc = inspect.getdoc(obj) if obj.__doc__ is None else obj.__doc__
        if doc is None:
            return obj
        obj.__doc__ = fill_text(doc, fragments, where=getattr(obj, "__qualname__", repr(obj)))
        return obj

    return decorate


def fill_text(doc: str, fragments: dict[str, str], *, where: str = "docstring") -> str:
    """``doc`` with every placeholder line replaced by its fragment (see :func:`fill_doc`).

    Args:
        doc: the text.
        fragments: the texts, by placeholder name.
        where: what ``doc`` belongs to, for the error message.

    Returns:
        The filled text.

    Example:
        >>> from core._docstrings import fill_text
        >>> print(fill_text("Args:\\n    {x}", {"x": "x: the input."}))
        Args:
            x: the input.
    """
    lines: list[str] = []
    for line in doc.splitlines():
        match = _PLACEHOLDER.match(line)
        if match is None:
            lines.append(line)
            continue
        name, indent = match["name"], match["indent"]
        if name not in fragments:
            raise KeyError(f"{where}: no docstring fragment named {name!r}")
        lines.extend(indent + part if part else part for part in fragments[name].splitlines())
    return "\n".join(lines) + ("\n" if doc.endswith("\n") else "")
