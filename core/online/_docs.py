"""Docstring fragments shared by the online rules (placed with :func:`core._docstrings.fill_doc`).

The rules' functions take the same network arguments; their description is written once
here. Each docstring keeps its summary, maths, particular arguments and its own example.
"""

from __future__ import annotations

INIT = """batch_shape: the leading batch dimensions.
readout: keyword-only, ``None`` (non-leaky readout) or a
    :class:`core.neuron.LeakyReadout` with one fixed ``tau``.
dtype: the floating dtype of the state."""

NETWORK = r"""loss_fn: keyword-only, ``loss_fn(y_t, target_t) -> scalar``, the loss of one step.
readout: ``None`` (non-leaky readout, :math:`\kappa = 0`) or a
    :class:`core.neuron.LeakyReadout` with one fixed ``tau`` (that of the state).
feedback: ``None`` (symmetric, :math:`B = W_{out}`) or a fixed ``(n_h, n_out)``
    feedback matrix (random feedback)."""

ONLINE = {"init": INIT, "network": NETWORK}
"""The fragments of the online rules, by placeholder name."""
