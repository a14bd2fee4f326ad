"""Classification losses: softmax / sigmoid cross-entropies, NLL, hinge and perceptron."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from core._docstrings import fill_doc
from core._validation import check_real

from . import _docs
from . import _validate as v
from ._jit import kernel

__all__ = [
    "hinge_loss",
    "multiclass_hinge_loss",
    "multiclass_perceptron_loss",
    "nll_loss",
    "perceptron_loss",
    "poly_loss_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "sigmoid_focal_loss",
    "softmax_cross_entropy",
    "softmax_cross_entropy_with_integer_labels",
]


def _scores_and_labels(
    name_scores: str, scores: ArrayLike, labels: ArrayLike, check: v.Check
) -> tuple[jax.Array, jax.Array, int]:
    """Validate ``(..., classes)`` float scores against ``(...)`` integer labels."""
    s = v.float_array(name_scores, scores)
    y = v.int_array("labels", labels)
    v.min_ndim(name_scores, s, 1, "classes on the last axis")
    v.labels_shape("labels", y, name_scores, s, s.shape[:-1], f"{name_scores}.shape[:-1]")
    num_classes = s.shape[-1]
    v.labels_in_range("labels", y, num_classes, check=check)
    return s, y, num_classes


def _pick(scores: jax.Array, labels: jax.Array, num_classes: int) -> jax.Array:
    """``scores[..., labels]`` along the last axis (out-of-range labels read class 0)."""
    index = v.safe_index(labels, num_classes)[..., None]
    return jnp.take_along_axis(scores, index, axis=-1)[..., 0]


@kernel()
def integer_label_cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Unchecked kernel: ``logsumexp(logits) - logits[label]``, NaN for bad labels.

    Shared by :func:`softmax_cross_entropy_with_integer_labels` and the SNN readout
    losses; callers validate first.
    """
    num_classes = logits.shape[-1]
    loss = jax.nn.logsumexp(logits, axis=-1) - _pick(logits, labels, num_classes)
    return v.mask_invalid(loss, labels, num_classes)


def softmax_cross_entropy_with_integer_labels(
    logits: ArrayLike, labels: ArrayLike, *, check: v.Check = False
) -> jax.Array:
    r"""Softmax cross-entropy against integer class labels, one loss per example.

    .. math::

        \ell(z, y) = -\log \operatorname{softmax}(z)_y
                   = \log \sum_k e^{z_k} - z_y

    computed as a log-sum-exp with the maximum subtracted, so it is finite (value and
    gradient) for any finite logits, in every floating dtype.

    Args:
        logits: Float scores of shape ``(..., classes)``, e.g. ``(batch, classes)`` or,
            for a per-time-step readout, ``(T, batch, classes)``.
        labels: Integer class indices of shape ``logits.shape[:-1]``, in
            ``[0, classes)``.
        check: Only matters when ``labels`` is traced (under ``jit``, ``vmap`` or a
            staging transform such as ``brainstate.transform.grad``); concrete labels are
            always checked. ``True``: emit a :func:`jax.experimental.checkify.check` for
            the label range; run the caller through ``checkify.checkify`` and call
            ``err.throw()``. ``"callback"``: a :func:`jax.debug.callback` raises the same
            ``ValueError`` as the eager check when the computation runs (no ``checkify``
            needed; one small device-to-host transfer per call). ``False`` (default): a
            traced out-of-range label gives a NaN loss for that example.

    Returns:
        The per-example loss, shape ``labels.shape``, dtype of ``logits``.

    Raises:
        TypeError: ``logits`` is not floating point or ``labels`` is not integer.
        ValueError: ``labels.shape != logits.shape[:-1]``, or a (concrete) label is out
            of range; the message names the bad index.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import softmax_cross_entropy_with_integer_labels
        >>> logits = jnp.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
        >>> labels = jnp.array([0, 1])
        >>> loss = softmax_cross_entropy_with_integer_labels(logits, labels)
        >>> print(*(f"{x:.4f}" for x in loss.tolist()))
        0.4170 0.2200
        >>> # a (T, batch, classes) readout gives a (T, batch) loss
        >>> print(softmax_cross_entropy_with_integer_labels(
        ...     jnp.zeros((4, 2, 3)), jnp.zeros((4, 2), jnp.int32)).shape)
        (4, 2)
    """
    z, y, _ = _scores_and_labels("logits", logits, labels, check)
    return integer_label_cross_entropy(z, y)


@fill_doc(**_docs.CLASSIFICATION)
def softmax_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> jax.Array:
    r"""Softmax cross-entropy against a target distribution (soft or one-hot labels).

    .. math::

        \ell(z, p) = -\sum_k p_k \log \operatorname{softmax}(z)_k

    Args:
        {soft_args}

    {soft_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import softmax_cross_entropy
        >>> logits = jnp.array([[2.0, 1.0, 0.1]])
        >>> loss = softmax_cross_entropy(logits, jnp.array([[1.0, 0.0, 0.0]]))
        >>> print(f"{loss[0]:.4f}")
        0.4170
    """
    z, p = v.paired("logits", logits, "labels", labels, floating=True)
    return _soft_cross_entropy(z, p, 0.0)


@fill_doc(**_docs.CLASSIFICATION)
def poly_loss_cross_entropy(
    logits: ArrayLike, labels: ArrayLike, epsilon: float = 2.0
) -> jax.Array:
    r"""Poly-1 loss: cross-entropy plus a first-order polynomial correction.

    .. math::

        \ell(z, p) = -\sum_k p_k \log \operatorname{softmax}(z)_k
                     + \epsilon \sum_k p_k \bigl(1 - \operatorname{softmax}(z)_k\bigr)

    Args:
        {soft_args}
        epsilon: Weight of the polynomial term (``-1 <= epsilon``; 0 gives cross-entropy).

    {soft_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import poly_loss_cross_entropy
        >>> logits, labels = jnp.array([2.0, 1.0, 0.1]), jnp.array([1.0, 0.0, 0.0])
        >>> print(f"{poly_loss_cross_entropy(logits, labels):.4f}")  # 0.4170 + 2 (1 - 0.6590)
        1.0990

    References:
        Leng et al., *PolyLoss: A Polynomial Expansion Perspective of Classification
        Loss Functions*, ICLR 2022.
    """
    z, p = v.paired("logits", logits, "labels", labels, floating=True)
    check_real("epsilon", epsilon)
    return _soft_cross_entropy(z, p, epsilon)


@kernel()
def _soft_cross_entropy(z: jax.Array, p: jax.Array, epsilon: float | jax.Array) -> jax.Array:
    """Cross-entropy with target distribution ``p`` plus ``epsilon`` times the Poly-1 term."""
    log_q = jax.nn.log_softmax(z, axis=-1)
    cross_entropy = -jnp.sum(p * log_q, axis=-1)
    one_minus_pt = jnp.sum(p * (1.0 - jnp.exp(log_q)), axis=-1)
    return cross_entropy + epsilon * one_minus_pt


@fill_doc(**_docs.CLASSIFICATION)
def sigmoid_binary_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> jax.Array:
    r"""Element-wise binary cross-entropy on logits (numerically stable).

    .. math::

        \ell(z, y) = -y \log \sigma(z) - (1 - y) \log \sigma(-z)

    Args:
        logits: Float logits of any shape.
        labels: Targets in ``[0, 1]`` (float, int or bool), same shape as ``logits``.

    {sigmoid_bce_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import sigmoid_binary_cross_entropy
        >>> logits = jnp.array([2.0, -1.0, 0.5])
        >>> labels = jnp.array([1.0, 0.0, 1.0])
        >>> loss = sigmoid_binary_cross_entropy(logits, labels)
        >>> print(*(f"{x:.4f}" for x in loss.tolist()))
        0.1269 0.3133 0.4741
    """
    z, y = v.paired("logits", logits, "labels", labels)
    return _binary_cross_entropy(z, y)


@kernel()
def _binary_cross_entropy(z: jax.Array, y: jax.Array) -> jax.Array:
    return -y * jax.nn.log_sigmoid(z) - (1.0 - y) * jax.nn.log_sigmoid(-z)


@fill_doc(**_docs.CLASSIFICATION)
def sigmoid_focal_loss(
    logits: ArrayLike, labels: ArrayLike, alpha: float | None = None, gamma: float = 2.0
) -> jax.Array:
    r"""Focal loss: binary cross-entropy down-weighted on well-classified examples.

    With :math:`p = \sigma(z)` and :math:`1 - p_t = y (1 - p) + (1 - y) p`,

    .. math::

        \ell(z, y) = \alpha_t \, (1 - p_t)^\gamma \,
                     \operatorname{BCE}(z, y), \qquad
        \alpha_t = \alpha y + (1 - \alpha)(1 - y)

    (:math:`\alpha_t = 1` when ``alpha`` is ``None``). :math:`(1 - p_t)^\gamma` is
    evaluated in log space, so it stays finite for saturated logits.

    Args:
        logits: Float logits of any shape.
        labels: Targets in ``[0, 1]``, same shape as ``logits``.
        alpha: Optional weight of the positive class, in ``[0, 1]``.
        gamma: Focusing exponent, ``>= 0``.

    Returns:
        The element-wise loss, shape of ``logits``.

    Raises:
        TypeError: ``logits`` is not floating point.
        ValueError: The shapes differ, or ``alpha`` / ``gamma`` is out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import sigmoid_focal_loss
        >>> logits, labels = jnp.array([2.0, -1.0, 0.5]), jnp.array([1.0, 0.0, 1.0])
        >>> print(*(f"{x:.4f}" for x in sigmoid_focal_loss(logits, labels, alpha=0.25).tolist()))
        0.0005 0.0170 0.0169

    References:
        Lin et al., *Focal Loss for Dense Object Detection*, ICCV 2017.
    """
    z, y = v.paired("logits", logits, "labels", labels)
    if alpha is not None:
        check_real("alpha", alpha, low=0, high=1)
    check_real("gamma", gamma, low=0)
    return _focal(z, y, 0.0 if alpha is None else alpha, gamma, weighted=alpha is not None)


@kernel("weighted")
def _focal(
    z: jax.Array, y: jax.Array, alpha: float, gamma: float | jax.Array, *, weighted: bool
) -> jax.Array:
    """Binary cross-entropy times ``(1 - p_t)^gamma`` (and ``alpha_t`` when ``weighted``)."""
    log_p = jax.nn.log_sigmoid(z)
    log_q = jax.nn.log_sigmoid(-z)
    # log(1 - p_t) = log((1 - y) p + y q), a weighted log-sum-exp of log p and log q
    log_one_minus_pt = jax.nn.logsumexp(
        jnp.stack([log_p, log_q], axis=-1), axis=-1, b=jnp.stack([1.0 - y, y], axis=-1)
    )
    loss = jnp.exp(gamma * log_one_minus_pt) * _binary_cross_entropy(z, y)
    if not weighted:
        return loss
    return (alpha * y + (1.0 - alpha) * (1.0 - y)) * loss


@fill_doc(**_docs.CLASSIFICATION)
def nll_loss(log_probs: ArrayLike, target: ArrayLike, *, check: v.Check = False) -> jax.Array:
    r"""Negative log-likelihood of integer targets under given log-probabilities.

    .. math::

        \ell(\log q, y) = -\log q_y

    Class-axis convention (as braintools / PyTorch): a scalar ``target`` goes with
    ``(classes,)`` log-probabilities, a ``(batch,)`` target with ``(batch, classes)``,
    and an ``(N, d1, ..., dK)`` target with ``(N, classes, d1, ..., dK)`` (class axis 1).

    Args:
        log_probs: Float log-probabilities (e.g. ``jax.nn.log_softmax(logits)``).
        target: Integer class indices.
        {check_target}

    Returns:
        The per-example loss, shape ``target.shape``.

    Raises:
        TypeError: ``log_probs`` is not floating point or ``target`` is not integer.
        ValueError: The shapes do not follow the convention above, or a (concrete)
            target is out of range.

    Example:
        >>> import jax
        >>> import jax.numpy as jnp
        >>> from core.loss import nll_loss
        >>> log_probs = jax.nn.log_softmax(jnp.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]))
        >>> loss = nll_loss(log_probs, jnp.array([0, 1]))
        >>> print(*(f"{x:.4f}" for x in loss.tolist()))
        0.4170 0.2200
    """
    lp = v.float_array("log_probs", log_probs)
    y = v.int_array("target", target)
    class_axis = 0 if y.ndim == 0 else 1
    v.exact_ndim("log_probs", lp, y.ndim + 1, f"(one class axis more than target.shape={y.shape})")
    if lp.shape[:class_axis] + lp.shape[class_axis + 1 :] != y.shape:
        raise ValueError(
            f"log_probs.shape={lp.shape} does not match target.shape={y.shape}: removing the "
            f"class axis {class_axis} of log_probs must leave target.shape."
        )
    num_classes = lp.shape[class_axis]
    v.labels_in_range("target", y, num_classes, check=check)
    return _nll(lp, y, class_axis=class_axis)


@kernel("class_axis")
def _nll(lp: jax.Array, y: jax.Array, *, class_axis: int) -> jax.Array:
    num_classes = lp.shape[class_axis]
    index = jnp.expand_dims(v.safe_index(y, num_classes), class_axis)
    picked = jnp.squeeze(jnp.take_along_axis(lp, index, axis=class_axis), class_axis)
    return v.mask_invalid(-picked, y, num_classes)


@fill_doc(**_docs.CLASSIFICATION)
def multiclass_hinge_loss(
    scores: ArrayLike, labels: ArrayLike, *, check: v.Check = False
) -> jax.Array:
    r"""Multiclass (Crammer-Singer) hinge loss.

    .. math::

        \ell(s, y) = \max_k \bigl(s_k + 1 - [k = y]\bigr) - s_y

    {multiclass_sections}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import multiclass_hinge_loss
        >>> scores = jnp.array([[2.0, 1.5, 0.1], [0.5, 2.5, 0.3]])
        >>> print(multiclass_hinge_loss(scores, jnp.array([0, 0])))
        [0.5 3. ]
    """
    s, y, _ = _scores_and_labels("scores", scores, labels, check)
    return _multiclass(s, y, 1.0)


@fill_doc(**_docs.CLASSIFICATION)
def multiclass_perceptron_loss(
    scores: ArrayLike, labels: ArrayLike, *, check: v.Check = False
) -> jax.Array:
    r"""Multiclass perceptron loss.

    .. math::

        \ell(s, y) = \max_k s_k - s_y

    {multiclass_sections}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import multiclass_perceptron_loss
        >>> labels = jnp.array([0, 0])  # no margin: a correct argmax costs nothing
        >>> print(multiclass_perceptron_loss(jnp.array([[2.0, 1.5], [0.5, 2.5]]), labels))
        [0. 2.]
    """
    s, y, _ = _scores_and_labels("scores", scores, labels, check)
    return _multiclass(s, y, 0.0)


@kernel()
def _multiclass(s: jax.Array, y: jax.Array, margin: float) -> jax.Array:
    """``max_k (s_k + margin [k != y]) - s_y``: hinge (margin 1) or perceptron (margin 0)."""
    num_classes = s.shape[-1]
    one_hot = jax.nn.one_hot(v.safe_index(y, num_classes), num_classes, dtype=s.dtype)
    loss = jnp.max(s + margin * (1.0 - one_hot), axis=-1) - _pick(s, y, num_classes)
    return v.mask_invalid(loss, y, num_classes)


@fill_doc(**_docs.CLASSIFICATION)
def hinge_loss(predictor_outputs: ArrayLike, targets: ArrayLike) -> jax.Array:
    r"""Binary hinge loss for targets in :math:`\{-1, +1\}`.

    .. math::

        \ell(f, t) = \max(0, 1 - f t)

    {signed_sections}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import hinge_loss
        >>> print(hinge_loss(jnp.array([0.5, -0.5, 0.25]), jnp.array([1.0, -1.0, -1.0])))
        [0.5  0.5  1.25]
    """
    out, t = v.paired("predictor_outputs", predictor_outputs, "targets", targets)
    return _margin(out, t, 1.0)


@fill_doc(**_docs.CLASSIFICATION)
def perceptron_loss(predictor_outputs: ArrayLike, targets: ArrayLike) -> jax.Array:
    r"""Binary perceptron loss for targets in :math:`\{-1, +1\}`.

    .. math::

        \ell(f, t) = \max(0, -f t)

    {signed_sections}

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import perceptron_loss
        >>> outputs, targets = jnp.array([0.9, -0.5, 0.3]), jnp.array([1.0, -1.0, -1.0])
        >>> print(perceptron_loss(outputs, targets))  # no margin: only the wrong sign costs
        [0.  0.  0.3]
    """
    out, t = v.paired("predictor_outputs", predictor_outputs, "targets", targets)
    return _margin(out, t, 0.0)


@kernel()
def _margin(out: jax.Array, t: jax.Array, margin: float) -> jax.Array:
    """``max(0, margin - f t)``: hinge (margin 1) or perceptron (margin 0)."""
    return jnp.maximum(0.0, margin - out * t)
