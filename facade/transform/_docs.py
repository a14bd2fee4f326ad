"""Docstring fragments of :mod:`facade.transform`: the arguments the gradient builders share.

Placed by :func:`core._docstrings.fill_doc` (``@fill_doc(**_docs.GRADIENT)``): a docstring
line holding only ``{name}`` is replaced by the fragment ``name``.
"""

from __future__ import annotations

__all__: list[str] = []

GRADIENT = {
    # grad_states / argnums / has_aux of grad, vector_grad and value_and_grad
    "gradient_args": (
        "grad_states: a ``State`` or a list/dict of them to differentiate with respect to.\n"
        "argnums: index or indices of positional arguments to differentiate.\n"
        "has_aux: ``fun`` returns ``(value, aux)``."
    ),
    "return_value": "return_value: also return the value.",
    "gradient_returns": "Returns:\n    A callable taking ``fun``'s arguments.",
}
