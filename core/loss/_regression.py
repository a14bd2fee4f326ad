"""Regression losses: squared / absolute error, L1, L2, Huber, log-cosh."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import check_real

from . import _docs
from . import _validate as v
from ._jit import kernel
from ._similarity import safe_norm

__all__ = [
    "absolute_error",
    "huber_loss",
    "l1_loss",
    "l2_loss",
    "l2_norm",
    "log_cosh",
    "squared_error",
]


def _pair(
    predictions: ArrayLike, targets: ArrayLike | None, name: str = "predictions"
) -> tuple[jax.Array, jax.Array | None]:
    """``(predictions, targets)`` after dtype and shape checks (``targets`` may be ``None``)."""
    if targets is None:
        return v.float_array(name, predictions), None
    return v.paired(name, predictions, "targets", targets)


def _axis(axis: v.Axis | list[int]) -> v.Axis:
    return tuple(axis) if isinstance(axis, list) else axis


def _loss(
    kind: str,
    predictions: ArrayLike,
    targets: ArrayLike | None,
    axis: v.Axis | list[int],
    reduction: str,
    delta: float | ArrayLike = 0.0,
    name: str = "predictions",
) -> jax.Array:
    """The loss ``kind`` of the validated inputs, then ``reduction`` over ``axis``.

    ``name`` is the argument name of ``predictions`` in error messages.
    """
    v.check_reduction(reduction)
    p, t = _pair(predictions, targets, name)
    if kind == "huber":
        check_real("delta", delta, low=0, low_open=True)
    return _regression(p, t, delta, kind=kind, reduction=reduction, axis=_axis(axis))


@kernel("kind", "reduction", "axis")
def _regression(
    p: jax.Array,
    t: jax.Array | None,
    delta: ArrayLike,
    *,
    kind: str,
    reduction: str,
    axis: v.Axis,
) -> jax.Array:
    """The element-wise loss ``kind`` of the error ``p - t``, then ``reduction``."""
    e = p if t is None else p - t
    abs_e = jnp.abs(e)
    if kind == "squared":
        loss = jnp.square(e)
    elif kind == "absolute":
        loss = abs_e
    elif kind == "half_squared":
        loss = 0.5 * jnp.square(e)
    elif kind == "huber":
        quadratic = jnp.minimum(abs_e, delta)
        loss = (0.5 * jnp.square(quadratic) + delta * (abs_e - quadratic)).astype(e.dtype)
    elif kind == "log_cosh":
        loss = abs_e + jax.nn.softplus(-2.0 * abs_e) - jnp.log(2.0).astype(e.dtype)
    elif kind == "norm":
        return safe_norm(e, 0.0, axis=axis)
    else:  # "l1": per-sample mean over the non-batch axes
        flat = jnp.atleast_1d(abs_e)
        loss = jnp.mean(flat.reshape(flat.shape[0], -1), axis=-1)
    return v.reduce(loss, reduction, axis)


@fill_doc(**_docs.REGRESSION)
def squared_error(
    predictions: ArrayLike,
    targets: ArrayLike | None = None,
    axis: v.Axis = None,
    reduction: v.Reduction = "none",
) -> jax.Array:
    r"""Squared error, element-wise or reduced (MSE with ``reduction='mean'``).

    .. math::

        \ell(\hat y, y) = (\hat y - y)^2

    Args:
        {pair_args}
        {axis_reduction}

    {elementwise_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import squared_error
        >>> p, t = jnp.array([1.0, 2.0, 3.0]), jnp.array([1.5, 2.0, 2.0])
        >>> print(squared_error(p, t), squared_error(p, t, reduction="sum"))
        [0.25 0.   1.  ] 1.25
    """
    return _loss("squared", predictions, targets, axis, reduction)


@fill_doc(**_docs.REGRESSION)
def absolute_error(
    predictions: ArrayLike,
    targets: ArrayLike | None = None,
    axis: v.Axis = None,
    reduction: v.Reduction = "mean",
) -> jax.Array:
    r"""Absolute error; reduced to the MAE by default (``reduction='mean'``, as braintools).

    .. math::

        \ell(\hat y, y) = |\hat y - y|

    Args:
        {pair_args}
        {reduced_axis}
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Returns:
        The reduced or element-wise loss.

    {regression_raises}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import absolute_error
        >>> p, t = jnp.array([1.0, 2.0, 3.0]), jnp.array([1.5, 2.0, 2.0])
        >>> print(absolute_error(p, t), absolute_error(p, t, reduction="none"))
        0.5 [0.5 0.  1. ]
    """
    return _loss("absolute", predictions, targets, axis, reduction)


def l1_loss(logits: ArrayLike, targets: ArrayLike, reduction: v.Reduction = "mean") -> jax.Array:
    r"""Per-sample mean absolute error over all non-batch axes, then reduced.

    With :math:`D` features per sample (the product of the non-batch dimensions),

    .. math::

        \ell_n = \frac{1}{D} \sum_{d=1}^{D} |x_{n,d} - y_{n,d}|

    Args:
        logits: Float predictions of shape ``(N, ...)`` (a 1-D input is ``N`` samples of
            one feature).
        targets: Targets of the same shape.
        reduction: ``'mean'`` (default) or ``'sum'`` over samples, or ``'none'`` for the
            ``(N,)`` per-sample values.

    Returns:
        A scalar, or the ``(N,)`` per-sample losses with ``reduction='none'``.

    Raises:
        TypeError: ``logits`` is not floating point.
        ValueError: The shapes differ, or ``reduction`` is unknown.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import l1_loss
        >>> x = jnp.array([[1.0, 2.0], [3.0, 4.0]])
        >>> y = jnp.array([[1.5, 2.5], [2.0, 5.0]])
        >>> print(l1_loss(x, y), l1_loss(x, y, reduction="none"))
        0.75 [0.5 1. ]
    """
    return _loss("l1", logits, targets, None, reduction, name="logits")


@fill_doc(**_docs.REGRESSION)
def l2_loss(
    predictions: ArrayLike,
    targets: ArrayLike | None = None,
    axis: v.Axis = None,
    reduction: v.Reduction = "none",
) -> jax.Array:
    r"""Half the squared error.

    .. math::

        \ell(\hat y, y) = \tfrac12 (\hat y - y)^2

    Args:
        {pair_args}
        {axis_reduction}

    {elementwise_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import l2_loss
        >>> print(l2_loss(jnp.array([1.0, 2.0, 3.0]), jnp.array([1.5, 2.5, 2.0])))
        [0.125 0.125 0.5  ]
    """
    return _loss("half_squared", predictions, targets, axis, reduction)


@fill_doc(**_docs.REGRESSION)
def l2_norm(
    predictions: ArrayLike, targets: ArrayLike | None = None, axis: v.Axis = None
) -> jax.Array:
    r"""Euclidean norm of the error over ``axis`` (over all elements when ``None``).

    .. math::

        \|\hat y - y\|_2 = \sqrt{\textstyle\sum_i (\hat y_i - y_i)^2}

    The gradient at a zero error is 0 (not NaN). Unlike braintools 0.3.0, a 2-D input
    with ``axis=None`` gives the Frobenius norm of the error, not its spectral norm.

    Args:
        {pair_args}
        axis: Axis or axes of the norm; all axes when ``None``.

    Returns:
        The norm, with ``axis`` removed.

    Raises:
        TypeError: ``predictions`` is not floating point.
        ValueError: The shapes differ.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import l2_norm
        >>> print(l2_norm(jnp.array([3.0, 4.0])), l2_norm(jnp.array([[3.0], [4.0]]), axis=1))
        5.0 [3. 4.]
    """
    return _loss("norm", predictions, targets, axis, "none")


@fill_doc(**_docs.REGRESSION)
def huber_loss(
    predictions: ArrayLike,
    targets: ArrayLike | None = None,
    delta: float | ArrayLike = 1.0,
    axis: v.Axis = None,
    reduction: v.Reduction = "none",
) -> jax.Array:
    r"""Huber loss: quadratic for small errors, linear beyond ``delta``.

    With :math:`e = \hat y - y`,

    .. math::

        \ell(e) = \begin{cases}
            \tfrac12 e^2 & |e| \le \delta \\
            \delta\,(|e| - \tfrac12 \delta) & |e| > \delta
        \end{cases}

    Args:
        {pair_args}
        delta: Transition point, ``> 0``.
        {axis_reduction}

    {elementwise_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import huber_loss
        >>> print(huber_loss(jnp.array([0.5, 3.0]), jnp.array([0.0, 0.0])))
        [0.125 2.5  ]

    References:
        Huber, *Robust Estimation of a Location Parameter*, 1964.
    """
    return _loss("huber", predictions, targets, axis, reduction, delta)


@fill_doc(**_docs.REGRESSION)
def log_cosh(
    predictions: ArrayLike,
    targets: ArrayLike | None = None,
    axis: v.Axis = None,
    reduction: v.Reduction = "none",
) -> jax.Array:
    r"""Log-cosh loss, evaluated stably for large errors.

    .. math::

        \ell(e) = \log\cosh(e) = |e| + \log\bigl(1 + e^{-2|e|}\bigr) - \log 2

    Args:
        {pair_args}
        {axis_reduction}

    {elementwise_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import log_cosh
        >>> loss = log_cosh(jnp.array([0.0, 1.0, 100.0]))
        >>> print(*(f"{x:.4f}" for x in loss.tolist()))
        0.0000 0.4338 99.3069
    """
    return _loss("log_cosh", predictions, targets, axis, reduction)
