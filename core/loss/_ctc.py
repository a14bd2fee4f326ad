"""Connectionist temporal classification (CTC) loss."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _validate as v
from ._jit import kernel

__all__ = ["ctc_loss"]


def ctc_loss(
    logits: ArrayLike,
    logit_paddings: ArrayLike,
    labels: ArrayLike,
    label_paddings: ArrayLike,
    blank_id: int = 0,
    log_epsilon: float = -1e5,
    *,
    check: v.Check = False,
) -> jax.Array:
    r"""CTC loss: negative log-likelihood of a label sequence over all alignments.

    With the blank-extended label sequence :math:`z = (b, l_1, b, l_2, \dots, l_L, b)`
    of length :math:`S = 2L + 1` and per-frame log-probabilities
    :math:`\log q_t = \log\operatorname{softmax}(\text{logits}_t)`, the forward variables
    (in log space) are

    .. math::

        \alpha_t(s) = \log q_t(z_s) + \log\!\Bigl(e^{\alpha_{t-1}(s)} + e^{\alpha_{t-1}(s-1)}
                      + [z_s \ne b \wedge z_s \ne z_{s-2}]\, e^{\alpha_{t-1}(s-2)}\Bigr)

    and :math:`\ell = -\log\bigl(e^{\alpha_T(S-1)} + e^{\alpha_T(S-2)}\bigr)`. Padded frames
    leave :math:`\alpha` unchanged. Impossible states hold ``log_epsilon`` instead of
    :math:`-\infty`, so gradients stay finite.

    Args:
        logits: Float scores of shape ``(batch, T, classes)`` (batch-major, as optax and
            braintools).
        logit_paddings: ``(batch, T)``; 1 marks a padded frame (padding at the end).
        labels: Integer labels of shape ``(batch, N)``.
        label_paddings: ``(batch, N)``; 1 marks a padded label (padding at the end).
        blank_id: Index of the blank class.
        log_epsilon: Log-probability used for impossible states.
        check: Range check of traced unpadded ``labels`` (under ``jit``/``vmap``): ``True`` emits a
            ``checkify`` check, ``"callback"`` raises from a host callback (see
            :func:`softmax_cross_entropy_with_integer_labels`).

    Returns:
        The per-sequence loss, shape ``(batch,)``.

    Raises:
        TypeError: ``logits`` is not floating point or ``labels`` is not integer.
        ValueError: Shape mismatch (named with both shapes), ``blank_id`` out of range,
            or a concrete unpadded label out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ctc_loss
        >>> logits = jnp.zeros((1, 3, 3))  # uniform over {blank, a, b}
        >>> labels = jnp.array([[1, 2]])
        >>> loss = ctc_loss(logits, jnp.zeros((1, 3)), labels, jnp.zeros((1, 2)))
        >>> print(f"{loss[0]:.4f}")  # 5 alignments of probability 1/27 each: log(27 / 5)
        1.6864

    References:
        Graves et al., *Connectionist Temporal Classification: Labelling Unsegmented
        Sequence Data with Recurrent Neural Networks*, ICML 2006.
    """
    z, frame_pad, y, label_pad = validated_inputs(
        logits, logit_paddings, labels, label_paddings, blank_id, check
    )
    return _ctc(z, frame_pad, y, label_pad, log_epsilon, blank_id=blank_id)


def validated_inputs(
    logits: ArrayLike,
    logit_paddings: ArrayLike,
    labels: ArrayLike,
    label_paddings: ArrayLike,
    blank_id: int,
    check: v.Check,
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """The CTC inputs as arrays (paddings in the logits' dtype), after every check."""
    z = v.float_array("logits", logits)
    y = v.int_array("labels", labels)
    v.exact_ndim("logits", z, 3, "(batch, T, classes)")
    v.exact_ndim("labels", y, 2, "(batch, N)")
    frame_pad = v.numeric_as("logit_paddings", logit_paddings, z)
    label_pad = v.numeric_as("label_paddings", label_paddings, z)
    batch, _, num_classes = z.shape
    v.labels_shape("logit_paddings", frame_pad, "logits", z, z.shape[:2], "logits.shape[:2]")
    if y.shape[0] != batch:
        raise ValueError(
            f"labels and logits must have the same batch size, got labels.shape={y.shape} "
            f"and logits.shape={z.shape}."
        )
    v.same_shape("labels", y, "label_paddings", label_pad)
    if not 0 <= blank_id < num_classes:
        raise ValueError(f"blank_id={blank_id} is out of range [0, {num_classes}).")
    valid = label_pad == 0
    v.labels_in_range("labels", y, num_classes, check=check, valid=valid)
    return z, frame_pad, y, label_pad


@kernel("blank_id")
def _ctc(
    z: jax.Array,
    frame_pad: jax.Array,
    y: jax.Array,
    label_pad: jax.Array,
    log_epsilon: float,
    *,
    blank_id: int,
) -> jax.Array:
    """The CTC forward recursion over the blank-extended labels (inputs validated)."""
    batch, _, num_classes = z.shape
    valid = label_pad == 0
    n = y.shape[1]
    num_states = 2 * n + 1
    label_len = n - jnp.sum(label_pad, axis=1).astype(jnp.int32)
    safe_labels = jnp.where(valid, v.safe_index(y, num_classes), blank_id)
    ext = jnp.full((batch, num_states), blank_id, dtype=y.dtype).at[:, 1::2].set(safe_labels)
    skip = (
        jnp.zeros((batch, num_states), dtype=bool)
        .at[:, 3::2]
        .set(safe_labels[:, 1:] != safe_labels[:, :-1])
    )

    log_q = jax.nn.log_softmax(z, axis=-1)
    index = jnp.broadcast_to(ext[:, None, :], (batch, z.shape[1], num_states))
    emit = jnp.take_along_axis(log_q, index, axis=2)
    eps_col = jnp.full((batch, 1), log_epsilon, dtype=z.dtype)
    # alpha_{-1}: a virtual start that reaches s = 0 by "staying" and s = 1 by "advancing"
    alpha0 = jnp.full((batch, num_states), log_epsilon, dtype=z.dtype).at[:, 0].set(0.0)

    def step(alpha: jax.Array, xs: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, None]:
        emit_t, pad_t = xs
        advance = jnp.concatenate([eps_col, alpha[:, :-1]], axis=1)
        jump = jnp.concatenate([eps_col, eps_col, alpha[:, :-2]], axis=1)
        jump = jnp.where(skip, jump, log_epsilon)
        new = jax.nn.logsumexp(jnp.stack([alpha, advance, jump]), axis=0) + emit_t
        return jnp.where(pad_t[:, None] > 0, alpha, new), None

    alpha_T, _ = jax.lax.scan(
        step, alpha0, (jnp.moveaxis(emit, 1, 0), jnp.moveaxis(frame_pad, 1, 0))
    )
    last = jnp.take_along_axis(alpha_T, (2 * label_len)[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha_T, jnp.maximum(2 * label_len - 1, 0)[:, None], axis=1)
    before = jnp.where(label_len > 0, before[:, 0], log_epsilon)
    return -jnp.logaddexp(last, before)
