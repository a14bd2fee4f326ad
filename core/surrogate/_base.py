"""The surrogate base module and the Heaviside spike with a surrogate derivative."""

from __future__ import annotations

import abc
from typing import TypeAlias

import equinox as eqx
import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

Hyperparameter: TypeAlias = float | Array
"""A surrogate hyperparameter: a Python number or a (possibly batched) JAX array."""


def floating_input(x: ArrayLike, name: str = "x") -> Array:
    """Return ``x`` as a JAX array, refusing non-floating dtypes with a clear ``TypeError``."""
    array = jnp.asarray(x)
    if not jnp.issubdtype(array.dtype, jnp.floating):
        raise TypeError(
            f"{name} must be a floating-point array (membrane potential minus threshold); "
            f"got dtype {array.dtype}. Cast it first, e.g. {name}.astype(jnp.float32)."
        )
    return array


class Surrogate(eqx.Module):
    r"""A spike function: Heaviside forward, a smooth surrogate derivative backward.

    Calling a surrogate on ``x`` (membrane potential minus threshold) returns the
    spike :math:`\Theta(x) = [x \ge 0]` in the floating dtype of ``x`` -- a spike is
    emitted at exactly the threshold. Differentiation goes through
    :func:`jax.custom_jvp` with tangent :math:`g(x)\,\dot x`, where :math:`g` is
    :meth:`surrogate_grad`. Because the rule is a JVP, forward mode
    (:func:`jax.jvp`, :func:`jax.jacfwd`), reverse mode, :func:`jax.vmap` and
    :func:`jax.jit` all work, and second derivatives are :math:`g'(x)` (the
    derivative of the surrogate), not silently zero.

    A surrogate is an Equinox module: its hyperparameters are fields (pytree
    leaves), so it can live inside a model, be vmapped over, or be stored. The
    derivative with respect to a hyperparameter is exactly zero by default. With
    ``learnable=True`` it is the derivative of :meth:`surrogate_fun` with respect
    to that hyperparameter, so a width can be trained on purpose. With
    ``smooth_forward=True`` the forward pass returns :meth:`surrogate_fun` itself
    (an ANN-style relaxation for pretraining) and ordinary autodiff applies.

    Hyperparameters are cast to the dtype of ``x`` before use, so a ``float16``
    or ``bfloat16`` input gives ``float16`` / ``bfloat16`` spikes and gradients.

    To define your own surrogate, subclass and write only :meth:`surrogate_grad`
    (and, optionally, :meth:`surrogate_fun`, which enables ``learnable`` and
    ``smooth_forward``).

    Args:
        learnable: keyword-only. Give hyperparameters the gradient of
            :meth:`surrogate_fun` instead of zero.
        smooth_forward: keyword-only. Return :meth:`surrogate_fun` in the forward
            pass instead of the Heaviside step.

    Example:
        A custom surrogate needs one method:

        >>> import jax, jax.numpy as jnp
        >>> from core.surrogate import Surrogate
        >>> class Cauchy(Surrogate):
        ...     width: float = 0.5
        ...     def surrogate_grad(self, x):
        ...         return 1.0 / (jnp.pi * self.width * (1.0 + (x / self.width) ** 2))
        >>> spike = Cauchy()
        >>> print(spike(jnp.array([-1.0, 0.0, 2.0])))
        [0. 1. 1.]
        >>> print(round(float(jax.grad(spike)(0.0)), 4))
        0.6366
    """

    learnable: bool = eqx.field(default=False, static=True, kw_only=True)
    smooth_forward: bool = eqx.field(default=False, static=True, kw_only=True)

    @abc.abstractmethod
    def surrogate_grad(self, x: Array) -> Array:
        """The surrogate derivative :math:`g(x)` used in place of the Dirac delta."""

    def surrogate_fun(self, x: Array) -> Array:
        """The smooth function whose derivative is :meth:`surrogate_grad`.

        Every surrogate of the built-in catalogue defines it in closed form. A
        user-defined surrogate that writes only :meth:`surrogate_grad` has none,
        and calling this raises ``NotImplementedError`` naming the class.
        """
        raise NotImplementedError(
            f"{type(self).__name__} defines only surrogate_grad; define surrogate_fun "
            "to use learnable=True, smooth_forward=True or to plot it."
        )

    def __call__(self, x: ArrayLike) -> Array:
        """Spikes ``[x >= 0]`` in the dtype of ``x`` (or ``surrogate_fun(x)`` if smooth)."""
        x = floating_input(x)
        if self.smooth_forward:
            return _in_dtype(self, x.dtype).surrogate_fun(x)
        return _spike(_as_arrays(self), x)


def _as_arrays(surrogate: Surrogate) -> Surrogate:
    """Make every hyperparameter leaf an array, as :func:`jax.custom_jvp` requires."""
    converted: Surrogate = jax.tree.map(jnp.asarray, surrogate)
    return converted


def _in_dtype(surrogate: Surrogate, dtype: jnp.dtype) -> Surrogate:
    """Cast every hyperparameter leaf to ``dtype`` (the dtype of the input)."""
    converted: Surrogate = jax.tree.map(lambda leaf: jnp.asarray(leaf, dtype), surrogate)
    return converted


@jax.custom_jvp
def _spike(surrogate: Surrogate, x: Array) -> Array:
    return (x >= 0).astype(x.dtype)


@_spike.defjvp
def _spike_jvp(
    primals: tuple[Surrogate, Array], tangents: tuple[Surrogate, Array]
) -> tuple[Array, Array]:
    surrogate, x = primals
    surrogate_dot, x_dot = tangents
    spikes = (x >= 0).astype(x.dtype)
    spikes_dot = _in_dtype(surrogate, x.dtype).surrogate_grad(x) * x_dot
    if surrogate.learnable:
        _, fun_dot = jax.jvp(
            lambda s: _in_dtype(s, x.dtype).surrogate_fun(x), (surrogate,), (surrogate_dot,)
        )
        spikes_dot = spikes_dot + fun_dot
    return spikes, spikes_dot
