"""``L1Loss``: braintools' object form of the mean absolute error."""

from __future__ import annotations

import jax
from jax.typing import ArrayLike

from core._validation import check_choice
from core.loss import l1_loss

__all__ = ["L1Loss"]


class L1Loss:
    r"""Mean absolute error criterion: ``L1Loss(reduction).update(input, target)``.

    Holds the ``reduction`` and calls :func:`core.loss.l1_loss` (the function form):
    per-sample :math:`\ell_n = \frac{1}{D}\sum_d |x_{n,d} - y_{n,d}|`, then the mean
    (default), the sum, or the ``(N,)`` values with ``'none'``.

    Args:
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Example:
        >>> import jax.numpy as jnp
        >>> import facade as braintools
        >>> loss = braintools.metric.L1Loss()
        >>> x = jnp.array([[1.0, 2.0], [3.0, 4.0]])
        >>> print(loss.update(x, jnp.array([[1.5, 2.5], [2.0, 5.0]])))
        0.75
    """

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = check_choice("reduction", reduction, ("none", "mean", "sum"))

    def update(self, input: ArrayLike, target: ArrayLike) -> jax.Array:
        """The loss of ``input`` against ``target`` (see :func:`core.loss.l1_loss`).

        Args:
            input: predictions ``(N, ...)``.
            target: targets of the same shape.

        Returns:
            The reduced loss, or ``(N,)`` values with ``reduction='none'``.

        Example:
            >>> import jax.numpy as jnp
            >>> from facade.metric import L1Loss
            >>> print(L1Loss("none").update(jnp.array([1.0, 3.0]), jnp.array([1.5, 2.0])))
            [0.5 1. ]
        """
        return l1_loss(input, target, reduction=self.reduction)  # type: ignore[arg-type]

    __call__ = update
