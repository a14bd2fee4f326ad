"""braintools' ``OptaxOptimizer``: the object-style way to run any optax or core transform."""

from __future__ import annotations

from core import optim as core_optim
from core._validation import check_real

from ._optimizer import NonFinite, Optimizer
from ._optimizer_lr import LRSchedulerLike, initial_learning_rate

BRAINTOOLS_LR = 1e-3
"""braintools' default ``lr``: Adam's rate without ``tx``; only recorded for a transform that
keeps no learning rate of its own."""


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
    :func:`core.optim.skip_not_finite`, :func:`core.optim.partition` ...): braintools'
    gradient clipping and coupled weight decay come first, then ``tx``. Without ``tx`` it is
    braintools' default, Adam (:func:`core.optim.adam`) at learning rate ``lr`` (``1e-3``
    when not given).

    The learning rate, as in braintools, is the transform's own unless ``lr`` is given:

    * ``lr`` not given: a transform that keeps its learning rate in its state (a named core
      optimizer such as ``core.optim.sgd(0.1)``, alone or composed) trains at its own rate,
      which :attr:`current_lr` reports (and setting it, or a scheduler, drives it later); a
      schedule keeps running (:attr:`current_lr` reports the rate of the last step); several
      different rates (``core.optim.partition`` of named optimizers: per-layer rates) each
      train their own parameters, and :attr:`current_lr`, which has no single value, raises
      ``ValueError`` naming them (braintools would report the unused ``1e-3``); a rate hidden
      inside an optax transform (``optax.chain(..., core.optim.sgd(0.1))``) is used as it is
      and read from the state, like a schedule (it may be one).
    * ``lr`` given (a number or an LR scheduler): it drives every numeric rate the
      transform keeps, from the first step; refused for a transform whose rate is a
      schedule (it could not drive it).
    * a transform without a learning rate in its state (an optax transform, a chain of
      plain blocks): as in braintools, ``lr`` (default ``1e-3``) is only recorded
      (:attr:`base_lr`), and the learning-rate API raises once weights are registered (an
      LR scheduler, which could drive nothing, is refused then, naming ``lr``).

    The transform receives the parameters as braintools does, nested along their
    registration keys (see :class:`Optimizer`), so label trees written for braintools'
    ``OptaxOptimizer`` (``{"w1": "a", "w2": "b"}`` after registering ``{"w1": ..., "w2":
    ...}``) work unchanged.

    Args:
        tx: the transform, or ``None`` for Adam.
        lr: the learning rate (a number or an LR scheduler), or ``None`` (default): the
            transform's own (see above).
        weight_decay: L2 penalty added to the gradient before ``tx`` (>= 0).
        grad_clip_norm: clip the global gradient norm first (> 0).
        grad_clip_value: clip each gradient element first (> 0).
        nonfinite: the policy for non-finite gradients (see :class:`Optimizer`).

    Raises:
        ValueError: naming ``lr`` for a transform whose learning rate is a schedule.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from core import optim
        >>> from facade.optim import OptaxOptimizer
        >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        >>> opt = OptaxOptimizer(optim.sgd(learning_rate=0.1), grad_clip_norm=1.0)
        >>> opt.register_trainable_weights({"w": w})
        >>> opt.step({"w": jnp.array([3.0, 4.0])})  # clipped to norm 1, then SGD at 0.1
        >>> print(w.value, opt.current_lr)
        [0.94 1.92] 0.1
        >>> u, v = brainstate.ParamState(jnp.zeros(1)), brainstate.ParamState(jnp.zeros(1))
        >>> per_layer = optim.partition({"a": optim.sgd(0.1), "b": optim.sgd(1.0)},
        ...                             {"u": "a", "v": "b"})
        >>> opt = OptaxOptimizer(per_layer)
        >>> opt.register_trainable_weights({"u": u, "v": v})
        >>> opt.step({"u": jnp.ones(1), "v": jnp.ones(1)})
        >>> print(u.value, v.value)
        [-0.1] [-1.]
    """

    def __init__(
        self,
        tx: core_optim.TransformLike | None = None,
        lr: float | LRSchedulerLike | None = None,
        weight_decay: float = 0.0,
        grad_clip_norm: float | None = None,
        grad_clip_value: float | None = None,
        *,
        nonfinite: NonFinite = "skip",
    ) -> None:
        default = tx is None  # braintools' default Adam applies its lr
        if tx is None:
            tx = core_optim.adam(BRAINTOOLS_LR if lr is None else initial_learning_rate(lr))
        self.weight_decay = weight_decay
        self.grad_clip_norm = grad_clip_norm
        self.grad_clip_value = grad_clip_value
        transform = regularized(tx, weight_decay, grad_clip_norm, grad_clip_value)
        super().__init__(transform, lr, nonfinite=nonfinite)
        self._lr_own = self._lr_own and not default
        if self._initial_lr is None and not (self._own_rates.numbers or self._own_rates.schedules):
            self._initial_lr = BRAINTOOLS_LR  # recorded (base_lr), never written
