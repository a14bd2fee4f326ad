r"""Docstring fragments shared by the facade optimizers and LR schedulers.

Placed with :func:`core._docstrings.fill_doc`: a docstring line holding only ``{name}`` is
replaced by the fragment ``name``. A fragment is text that a family shares word for word
(braintools' trailing constructor arguments, the scaffolding of an example); each docstring
keeps its summary, maths, particular arguments and its own example call and result.
"""

from __future__ import annotations

LR = r"lr: :math:`\eta`, a number or an LR scheduler."
"""braintools' first argument, the learning rate."""

BRAINTOOLS_TAIL = """grad_clip_norm: clip the global gradient norm first.
grad_clip_value: clip each gradient element first.
learning_rate: the "Training Utilities" page's name for ``lr``."""
"""The arguments that end every braintools-style constructor (``lr`` first)."""

PAGE_TAIL = """grad_clip_norm: clip the global gradient norm first.
grad_clip_value: clip each gradient element first."""
"""The arguments that end the page-style constructors (``learning_rate`` first)."""

L2 = "weight_decay: L2 penalty added to the gradient."

ADAM_FAMILY = "\n".join([LR, r"betas: :math:`(\beta_1, \beta_2)`.", r"eps: :math:`\epsilon`."])
"""The leading arguments of the Adam family: ``lr``, ``betas`` and ``eps``."""

MOMENTUM_FAMILY = "\n".join([LR, r"momentum: :math:`\mu`.", L2, BRAINTOOLS_TAIL])
"""The arguments of the heavy-ball and Nesterov momentum optimizers."""

DESCEND = """Example:
    >>> import brainstate, jax.numpy as jnp
    >>> from facade import optim
    >>> def descend(opt, w, grad, steps=1):  # w after `steps` updates with gradient `grad`
    ...     param = brainstate.ParamState(jnp.array(w))
    ...     opt.register_trainable_weights({"w": param})
    ...     for _ in range(steps):
    ...         opt.update({"w": jnp.array(grad)})
    ...     return [round(float(x), 4) for x in param.value]"""
"""The head of an optimizer's Example section: ``descend(opt, w, grad)`` registers a parameter
``w``, updates it with the gradient ``grad`` and returns its values (the call and its result
follow)."""

OPTIMIZER = {
    "lr": LR,
    "braintools_tail": BRAINTOOLS_TAIL,
    "page_tail": PAGE_TAIL,
    "l2": L2,
    "adam_family": ADAM_FAMILY,
    "momentum_family": MOMENTUM_FAMILY,
    "descend": DESCEND,
}
"""The fragments of the named optimizers, by placeholder name."""

LAST_EPOCH = "last_epoch: the epoch to start from."

LRS = """Example:
    >>> from facade import optim
    >>> def lrs(scheduler, epochs):  # the learning rate of each epoch, stepping after each
    ...     values = []
    ...     for _ in range(epochs):
    ...         values.append(round(scheduler.get_last_lr()[0], 4))
    ...         scheduler.step()
    ...     return values"""
"""The head of a scheduler's Example section: ``lrs(scheduler, epochs)`` lists the learning
rate of the first ``epochs`` epochs (the call and its result follow)."""

SGDR = """References:
    Loshchilov & Hutter, `SGDR: Stochastic Gradient Descent with Warm Restarts
    <https://arxiv.org/abs/1608.03983>`_, 2017."""

SCHEDULER = {"last_epoch": LAST_EPOCH, "lrs": LRS, "sgdr": SGDR}
"""The fragments of the LR schedulers, by placeholder name."""
