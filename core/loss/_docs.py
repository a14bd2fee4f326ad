"""Docstring fragments of :mod:`core.loss`: argument and error texts shared by a family.

Placed by :func:`core._docstrings.fill_doc` (``@fill_doc(**_docs.CLASSIFICATION)``): a
docstring line holding only ``{name}`` is replaced by the fragment ``name``. One dict per
family; the SNN readouts, whose recording is called ``spikes``, ``membrane`` or
``outputs``, get theirs from :func:`readout`.
"""

from __future__ import annotations

__all__: list[str] = []


def check(labels: str) -> str:
    """The ``check`` argument of a function taking integer class indices ``labels``."""
    return (
        f"check: Range check of traced ``{labels}`` (under ``jit``/``vmap``): ``True`` emits\n"
        '    a ``checkify`` check, ``"callback"`` raises from a host callback (see\n'
        "    :func:`softmax_cross_entropy_with_integer_labels`)."
    )


def _indent(text: str) -> str:
    """``text`` with its continuation lines indented by one level (for an ``Args`` entry)."""
    return text.replace("\n", "\n    ")


def _raises(type_error: str, value_error: str) -> str:
    """A ``Raises`` section with one ``TypeError`` and one ``ValueError`` line."""
    return f"Raises:\n    TypeError: {type_error}\n    ValueError: {_indent(value_error)}"


_RECORDINGS = {
    "spikes": "Float spikes",
    "membrane": "Float membrane potentials",
    "outputs": "Float per-step outputs (logits, membrane or spikes)",
}


def readout(recording: str) -> dict[str, str]:
    """Fragments of the SNN readouts (losses and accuracies) of a recording ``recording``.

    ``{readout_args}`` (the recording, ``labels``, ``time_axis``, ``population``,
    ``check``), or ``{recording}``, ``{labels}`` and ``{readout_options}`` around a
    function's own arguments; ``{loss_returns}`` or ``{accuracy_returns}`` (``Returns``
    and ``Raises``).
    """
    described = f"{recording}: {_RECORDINGS[recording]},"
    shape = "``(T, *batch, classes * population)``."
    # the shape on a line of its own after a long description
    recorded = f"{described} {shape}" if len(described) < 40 else f"{described}\n    {shape}"
    labels = "labels: Integer classes, shape ``batch``."
    options = (
        f"time_axis: Position of the time axis in ``{recording}``.\n"
        "population: Output neurons per class (consecutive neurons form a class).\n"
        f"{check('labels')}"
    )
    raises = _raises(
        f"``{recording}`` is not floating point or ``labels`` is not integer.",
        "Shape mismatch, bad ``time_axis`` / ``population`` (or a\n"
        "    hyperparameter out of range), or a concrete label out of range.",
    )
    return {
        "recording": recorded,
        "labels": labels,
        "readout_options": options,
        "readout_args": f"{recorded}\n{labels}\n{options}",
        "loss_returns": f"Returns:\n    The per-example loss, shape ``labels.shape``.\n\n{raises}",
        "accuracy_returns": f"Returns:\n    A float32 scalar in ``[0, 1]``.\n\n{raises}",
    }


_SAME_SHAPE = "The shapes differ."

CLASSIFICATION = {
    "check_target": check("target"),
    # multiclass hinge / perceptron: every section but the example
    "multiclass_sections": (
        "Args:\n"
        "    scores: Float scores of shape ``(..., classes)``.\n"
        "    labels: Integer class indices of shape ``scores.shape[:-1]``.\n"
        f"    {_indent(check('labels'))}\n\n"
        "Returns:\n    The per-example loss, shape ``labels.shape``.\n\n"
    )
    + _raises(
        "``scores`` is not floating point or ``labels`` is not integer.",
        "Shape mismatch or a (concrete) label out of range.",
    ),
    # cross-entropies against a target distribution
    "soft_args": (
        "logits: Float scores of shape ``(..., classes)``.\n"
        "labels: Float target probabilities, same shape as ``logits``."
    ),
    "soft_returns": "Returns:\n    The per-example loss, shape ``logits.shape[:-1]``.\n\n"
    + _raises("``logits`` or ``labels`` is not floating point.", _SAME_SHAPE),
    # sigmoid binary cross-entropy
    "sigmoid_bce_returns": "Returns:\n    The element-wise loss, shape of ``logits``.\n\n"
    + _raises("``logits`` is not floating point.", _SAME_SHAPE),
    # binary hinge / perceptron: every section but the example
    "signed_sections": (
        "Args:\n"
        "    predictor_outputs: Float outputs of any shape.\n"
        "    targets: Targets in ``{-1, 1}``, same shape.\n\n"
        "Returns:\n    The element-wise loss.\n\n"
    )
    + _raises("``predictor_outputs`` is not floating point.", _SAME_SHAPE),
}

_AXIS = "axis: Axes reduced by ``'mean'`` / ``'sum'`` (all when ``None``)."
_REGRESSION_RAISES = _raises(
    "``predictions`` is not floating point.", "The shapes differ, or ``reduction`` is unknown."
)

REGRESSION = {
    "pair_args": (
        "predictions: Float predictions of any shape.\n"
        "targets: Targets of the same shape; zeros when ``None``."
    ),
    "reduced_axis": _AXIS,
    "axis_reduction": f"{_AXIS}\nreduction: ``'none'`` (default), ``'mean'`` or ``'sum'``.",
    "elementwise_returns": "Returns:\n    The element-wise or reduced loss.\n\n"
    + _REGRESSION_RAISES,
    "regression_raises": _REGRESSION_RAISES,
}

_FLOAT_PAIR_RAISES = _raises("An input is not floating point.", _SAME_SHAPE)
_MATRIX_RAISES = _raises(
    "An input is not floating point.", "An input is not 2-D, or the feature sizes differ."
)

#: Two float arrays: divergences, cosine similarity / distance (paired and pairwise).
FLOAT_PAIR = {
    "divergence_returns": "Returns:\n    The divergence per example, shape ``(...)``.\n\n"
    + _FLOAT_PAIR_RAISES,
    "vector_args": "predictions: Float vectors, shape ``(..., d)``.\n"
    "targets: Float vectors, same shape.",
    "matrix_args": "X: Float matrix of shape ``(n, d)``.\n"
    "Y: Float matrix of shape ``(m, d)``; ``X`` itself when ``None``.",
}
for _what in ("similarity", "distance"):
    FLOAT_PAIR[f"vector_{_what}_returns"] = (
        f"Returns:\n    The {_what} per vector pair, shape ``(...)``.\n\n{_FLOAT_PAIR_RAISES}"
    )
    FLOAT_PAIR[f"matrix_{_what}_returns"] = (
        f"Returns:\n    The ``(n, m)`` {_what} matrix.\n\n{_MATRIX_RAISES}"
    )

REGULARIZERS = {
    "spikes_pytree": "spikes: A spike recording ``(T, batch, *neurons)`` or a pytree of them.",
    "time_axis_leaves": "time_axis: Position of the time axis in every leaf.",
    "penalty_returns": "Returns:\n    The scalar penalty.\n\n"
    + _raises(
        "A leaf is not floating point.",
        "The pytree is empty, a leaf has fewer than 2 axes, or ``time_axis``\n    is out of range.",
    ),
}
