"""Docstring fragments shared by the surrogates (placed with :func:`core._docstrings.fill_doc`).

A fragment is text that several surrogate docstrings share word for word: the two
keyword-only flags every surrogate takes, and the papers several of them cite. Each
docstring keeps its own summary, maths, hyperparameters and example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from core._docstrings import fill_doc

FLAGS = """learnable: keyword-only. ``True`` gives each hyperparameter the derivative of
    :meth:`~core.surrogate.Surrogate.surrogate_fun` instead of zero (and stores it as an
    unconstrained leaf, see :func:`~core.surrogate.hyperparameter`).
smooth_forward: keyword-only. ``True`` returns
    :meth:`~core.surrogate.Surrogate.surrogate_fun` in the forward pass instead of the
    Heaviside step."""

SPIKINGJELLY = """Fang et al., "SpikingJelly: An open-source machine learning infrastructure
platform for spike-based intelligence", Science Advances 9(40), 2023."""

NEFTCI_2019 = """Neftci, Mostafa & Zenke, "Surrogate gradient learning in spiking neural
networks", IEEE Signal Processing Magazine 36(6), 2019."""

SUPERSPIKE = """Zenke & Ganguli, "SuperSpike: Supervised learning in multilayer spiking
neural networks", Neural Computation 30(6), 2018."""

YIN_2021 = """Yin, Corradi & Bohté, "Accurate and efficient time-domain classification
with adaptive spiking recurrent neural networks", Nature Machine
Intelligence 3, 2021."""

SURROGATE = {
    "flags": FLAGS,
    "spikingjelly": SPIKINGJELLY,
    "neftci_2019": NEFTCI_2019,
    "superspike": SUPERSPIKE,
    "yin_2021": YIN_2021,
}
"""The fragments of the surrogate classes, by placeholder name."""

C = TypeVar("C", bound=Callable[..., object])


def documented(cls: C) -> C:
    """Fill the ``{name}`` placeholder lines of a surrogate's docstring (:data:`SURROGATE`)."""
    return fill_doc(**SURROGATE)(cls)
