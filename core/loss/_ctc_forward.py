"""CTC loss with the forward (alpha) variables, in the blank / emit layout of optax."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from . import _validate as v
from ._ctc import validated_inputs
from ._jit import kernel

__all__ = ["ctc_loss_with_forward_probs"]


def ctc_loss_with_forward_probs(
    logits: ArrayLike,
    logit_paddings: ArrayLike,
    labels: ArrayLike,
    label_paddings: ArrayLike,
    blank_id: int = 0,
    log_epsilon: float = -1e5,
    *,
    check: v.Check = False,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    r"""CTC loss together with its forward log-probabilities per frame.

    The alignment lattice has, for each number :math:`n` of labels emitted so far, a
    *blank* state :math:`\phi_n` (``n`` labels done, the last frame was a blank or the
    label was just closed) and an *emit* state :math:`e_n` (label :math:`n+1` being
    emitted). With per-frame log-probabilities :math:`q_t` and :math:`\oplus` the
    log-sum-exp, one frame does

    .. math::

        \tilde\phi_{n+1} &= \phi_{n+1} \oplus e_n \quad(\text{unless } l_{n+1} = l_{n+2})\\
        e'_n &= (\tilde\phi_n \oplus e_n) + q_t(l_{n+1}),\qquad
        \phi'_n = \tilde\phi_n + q_t(\text{blank})\\
        \phi'_{n+1} &\mathrel{\oplus}= e_n + q_t(\text{blank})
        \quad(\text{only if } l_{n+1} = l_{n+2}),

    padded frames keep the previous state, and the final frame closes the last label
    (:math:`\phi_{n+1} \mathrel{\oplus}= e_n`). The loss is :math:`-\phi_L` at the end,
    equal to :func:`ctc_loss`. Impossible states hold ``log_epsilon`` multiples instead
    of :math:`-\infty`.

    Args:
        logits: float ``(batch, T, classes)``.
        logit_paddings: ``(batch, T)``; 1 marks a padded frame.
        labels: integer ``(batch, N)``.
        label_paddings: ``(batch, N)``; 1 marks a padded label (right padding).
        blank_id: index of the blank class.
        log_epsilon: log-probability standing for impossible transitions.
        check: range check of traced labels (see :func:`ctc_loss`).

    Returns:
        ``(per_seq_loss, logalpha_blank, logalpha_emit)`` of shapes ``(batch,)``,
        ``(T, batch, N + 1)`` and ``(T, batch, N)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from core.loss import ctc_loss_with_forward_probs
        >>> logits = jnp.zeros((1, 3, 3))
        >>> loss, blank, emit = ctc_loss_with_forward_probs(
        ...     logits, jnp.zeros((1, 3)), jnp.array([[1, 2]]), jnp.zeros((1, 2)))
        >>> print(f"{loss[0]:.4f}", blank.shape, emit.shape)
        1.6864 (3, 1, 3) (3, 1, 2)

    References:
        Graves et al., *Connectionist Temporal Classification: Labelling Unsegmented
        Sequence Data with Recurrent Neural Networks*, ICML 2006.
    """
    z, frame_pad, y, label_pad = validated_inputs(
        logits, logit_paddings, labels, label_paddings, blank_id, check
    )
    return _forward(z, frame_pad, y, label_pad, log_epsilon, blank_id=blank_id)


def _close(phi: jax.Array, incoming: jax.Array) -> jax.Array:
    """``phi[:, 1:] (+)= incoming`` in log space (labels move from emit to blank)."""
    return jnp.concatenate([phi[:, :1], jnp.logaddexp(phi[:, 1:], incoming)], axis=1)


@kernel("blank_id")
def _forward(
    z: jax.Array,
    frame_pad: jax.Array,
    y: jax.Array,
    label_pad: jax.Array,
    log_epsilon: float,
    *,
    blank_id: int,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The blank / emit forward recursion (inputs validated by :func:`ctc_loss`)."""
    batch, _, num_classes = z.shape
    n = y.shape[1]
    log_q = jax.nn.log_softmax(z, axis=-1)
    safe = jnp.clip(y, 0, num_classes - 1)
    emit_q = jnp.take_along_axis(
        log_q, jnp.broadcast_to(safe[:, None, :], (batch, z.shape[1], n)), 2
    )
    blank_q = log_q[:, :, blank_id]
    repeat = jnp.pad((y[:, :-1] == y[:, 1:]).astype(z.dtype), ((0, 0), (0, 1)))
    phi0 = jnp.full((batch, n + 1), log_epsilon, z.dtype).at[:, 0].set(0.0)
    emit0 = jnp.full((batch, n), log_epsilon, z.dtype)

    def frame(
        carry: tuple[jax.Array, jax.Array], xs: tuple[jax.Array, jax.Array, jax.Array]
    ) -> tuple[tuple[jax.Array, jax.Array], tuple[jax.Array, jax.Array]]:
        phi, emit = carry
        q_emit, q_blank, pad = xs
        opened = _close(phi, emit + log_epsilon * repeat)
        new_emit = jnp.logaddexp(opened[:, :-1], emit) + q_emit
        new_phi = _close(
            opened + q_blank[:, None], emit + q_blank[:, None] + log_epsilon * (1 - repeat)
        )
        keep = pad[:, None] > 0
        out = (jnp.where(keep, phi, new_phi), jnp.where(keep, emit, new_emit))
        return out, out

    _, (phis, emits) = jax.lax.scan(
        frame,
        (phi0, emit0),
        (jnp.moveaxis(emit_q, 1, 0), jnp.moveaxis(blank_q, 1, 0), jnp.moveaxis(frame_pad, 1, 0)),
    )
    final = _close(phis[-1], emits[-1])
    phis = phis.at[-1].set(final)
    label_len = n - jnp.sum(label_pad, axis=1).astype(jnp.int32)
    loss = -jnp.take_along_axis(final, label_len[:, None], axis=1)[:, 0]
    return loss, phis, emits
