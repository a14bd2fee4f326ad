"""Sphinx configuration for the spiketrain documentation."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
