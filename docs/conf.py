"""Sphinx configuration for the spiketrain documentation."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

project = "spiketrain"
author = "spiketrain developers"
copyright = "2026, spiketrain developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

exclude_patterns = ["_build", "_generated_static"]
html_theme = "alabaster"
html_static_path = ["_generated_static"]


def _draw_surrogate_gallery() -> None:
    """Draw the gallery of the whole surrogate catalogue for ``api/surrogate.rst``."""
    from core.surrogate import catalogue, plot_gallery

    out = Path(__file__).parent / "_generated_static"
    out.mkdir(exist_ok=True)
    plot_gallery([cls() for cls in catalogue()], out / "surrogate_gallery.png")


_draw_surrogate_gallery()


class BraintoolsDeviations(SphinxDirective):
    """``.. braintools-deviations::`` renders ``tests/external/braintools_deviations.toml``.

    The list of braintools tests expected to fail against the facade is the one the test
    ``tests/external/test_braintools_suite.py`` enforces, so the page cannot drift from it.
    """

    def run(self) -> list[Any]:
        """Parse the rendered list in place of the directive."""
        from tests.external.braintools_suite import DEVIATIONS, deviations_rst

        self.env.note_dependency(str(DEVIATIONS))
        return list(nested_parse_to_nodes(self.state, deviations_rst(), source=str(DEVIATIONS)))


def setup(app: Sphinx) -> dict[str, bool]:
    """Register the project's directives."""
    app.add_directive("braintools-deviations", BraintoolsDeviations)
    return {"parallel_read_safe": True}
