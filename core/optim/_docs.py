"""Docstring fragments shared by the optimizers (placed with :func:`core._docstrings.fill_doc`).

A fragment is the text of an argument (or of example scaffolding) that a family of
functions shares word for word; each docstring keeps its summary, maths, particular
arguments and its own example call and result.
"""

from __future__ import annotations

LEARNING_RATE = r"learning_rate: :math:`\eta` (number or schedule), >= 0."

ADAM_DECAYS = """b1: decay of the first moment, in [0, 1).
b2: decay of the second moment, in [0, 1)."""

ADAM_EPS = """eps: added to the denominator outside the square root, > 0.
eps_root: added inside the square root, >= 0."""

MU_DTYPE = """mu_dtype: floating (complex for complex parameters) dtype of the first moment, or
    ``None`` for the parameter's dtype."""

DECAY_MASK = (
    "mask: where to decay (booleans like the params, or a function of them): see :func:`masked`."
)

DESCEND = """Example:
    >>> import jax.numpy as jnp
    >>> from core import optim
    >>> def descend(tx, steps=3):  # steps down sum(w ** 2) (gradient 2 w) from w = [1, -2]
    ...     params = {"w": jnp.array([1.0, -2.0])}
    ...     state = tx.init(params)
    ...     for _ in range(steps):
    ...         updates, state = tx.update({"w": 2 * params["w"]}, state, params)
    ...         params = optim.apply_updates(params, updates)
    ...     return [round(float(x), 3) for x in params["w"]]"""
"""The head of an Example section (placed at the section's indentation, the call and its
result follow, indented): ``descend(tx)`` runs three steps of the optimizer ``tx`` on
:math:`\\sum w^2` from ``w = [1, -2]`` and returns the parameters, rounded."""

EXAMPLE_HEAD = """Example:
    >>> import jax.numpy as jnp
    >>> from core import optim
    >>> def first_update(tx, g, params=None):  # the update of tx's first step for gradient g
    ...     state = tx.init(g if params is None else params)
    ...     return tx.update(g, state, params)[0]"""
"""The head of a building block's Example section: ``first_update(tx, g)`` (the call and its
result follow, indented)."""

TRANSFORM_EXAMPLE = "Returns:\n    The transform.\n\n" + EXAMPLE_HEAD
"""A building block's Returns section (the transform) and the head of its Example section."""

OPTIMIZER = {
    "learning_rate": LEARNING_RATE,
    "adam_decays": ADAM_DECAYS,
    "adam_eps": ADAM_EPS,
    "mu_dtype": MU_DTYPE,
    "decay_mask": DECAY_MASK,
    "descend": DESCEND,
    "example_head": EXAMPLE_HEAD,
    "transform_example": TRANSFORM_EXAMPLE,
}
"""The fragments of the named optimizers and building blocks, by placeholder name."""

ONECYCLE_START = """transition_steps: positive length of the cycle.
peak_value: the highest value, reached at step ``int(pct_start * transition_steps)``.
pct_start: fraction of the cycle spent rising, in ``[0, 1]``."""

ONECYCLE_DIVS = """div_factor: positive; the value starts at ``peak_value / div_factor``.
final_div_factor: positive; the value ends at ``peak_value / (div_factor *
    final_div_factor)``."""

SCHEDULE = {"onecycle_start": ONECYCLE_START, "onecycle_divs": ONECYCLE_DIVS}
"""The fragments of the one-cycle schedules, by placeholder name."""
