"""braintools' ``OptaxOptimizer``: the object-style way to run any optax or core transform."""

from __future__ import annotations

from core import optim as core_optim
from core._validation import check_real

from ._optimizer import LRSchedulerLike, NonFinite, Optimizer, initial_learning_rate


def regularized(
    tx: core_optim.TransformLike,
    weight_decay: float,
    grad_clip_norm: float | None,
    grad_clip_value: float | None,
) -> core_optim.TransformLike:
    """``tx`` after braintools' gradient clipping and coupled (L2) weight decay, if any.

    Checks the three settings (``weight_decay >= 0``, clip thresholds ``> 0``) first.
    """
    check_real("weight_decay", weight_decay, low=0)
    clips: list[core_optim.TransformLike] = []
    for name, clip, block in (
        ("grad_clip_norm", grad_clip_norm, core_optim.clip_by_global_norm),
        ("grad_clip_value", grad_clip_value, core_optim.clip),
    ):
        if clip is not None:
            check_real(name, clip, low=0, low_open=True)
            clips.append(block(clip))
    decay = [core_optim.add_decayed_weights(weight_decay)] if weight_decay > 0 else []
    return core_optim.chain(*clips, *decay, tx) if clips or decay else tx


class OptaxOptimizer(Optimizer):
    """An optimizer over any optax or :mod:`core.optim` transform (braintools' base class).

    The object-style way to use a composed transform (:func:`core.optim.chain`,
    :func:`core.optim.skip_not_finite`, :func:`core.optim.multi_transform` ...): braintools'
    gradient clipping and coupled weight decay come first, then ``tx``. Without ``tx`` it is
    braintools' default, Adam (:func:`core.optim.adam`) at learning rate ``lr``. A transform
    that keeps its learning rate in its state (a named core optimizer, or one from
    :func:`core.optim.inject_hyperparams`) is driven by ``lr``, :attr:`current_lr` and
    schedulers; for any other, ``lr`` is only recorded.

    Args:
        tx: the transform, or ``None`` for Adam.
        lr: the learning rate (a number or an LR scheduler).
        weight_decay: L2 penalty added to the gradient before ``tx`` (>= 0).
        grad_clip_norm: clip the global gradient norm first (> 0).
        grad_clip_value: clip each gradient element first (> 0).
        nonfinite: the policy for non-finite gradients (see :class:`Optimizer`).

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from core import optim
        >>> from facade.optim import OptaxOptimizer
        >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        >>> opt = OptaxOptimizer(optim.sgd(learning_rate=0.1), lr=0.1, grad_clip_norm=1.0)
        >>> opt.register_trainable_weights({"w": w})
        >>> opt.step({"w": jnp.array([3.0, 4.0])})  # clipped to norm 1, then SGD
        >>> print(w.value)
        [0.94 1.92]
    """

    def __init__(
        self,
        tx: core_optim.TransformLike | None = None,
        lr: float | LRSchedulerLike = 1e-3,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        nonfinite: NonFinite = "skip",
    ) -> None:
        inner = core_optim.adam(initial_learning_rate(lr)) if tx is None else tx
        self.weight_decay = weight_decay
        self.grad_clip_norm = grad_clip_norm
        self.grad_clip_value = grad_clip_value
        transform = regularized(inner, weight_decay, grad_clip_norm, grad_clip_value)
        super().__init__(transform, lr, nonfinite=nonfinite)
