"""Kaiming (He) normal weights, truncated at two standard deviations, drawn with NumPy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import DTypeLike

from core._validation import as_dtype, as_float, as_shape, check_choice

Mode = Literal["fan_in", "fan_out", "fan_avg"]
Key = Array | np.random.Generator

TRUNCATED_STD = 0.87962566103423978
"""Standard deviation of a standard normal truncated to [-2, 2]."""


class KaimingNormal(eqx.Module):
    r"""Kaiming (He) normal initializer, truncated at two standard deviations, drawn on the host.

    The distribution of ``jax.nn.initializers.he_normal`` (``variance_scaling`` with a
    truncated normal) and of ``brainstate.nn.init.KaimingNormal``: a normal with
    variance :math:`\text{scale}/n`, truncated to :math:`\pm 2` standard deviations
    and rescaled so that the truncated samples keep that variance,

    .. math::

        w = \frac{\sigma}{0.8796}\, z, \quad z \sim \mathcal N(0, 1 \mid |z| \le 2), \quad
        \sigma^2 = \frac{\text{scale}}{n}, \quad
        n \in \{\text{fan}_\text{in}, \text{fan}_\text{out},
        (\text{fan}_\text{in} + \text{fan}_\text{out})/2\},

    where for a shape ``(..., fan_in', fan_out')`` the fans are the last two
    dimensions times the product of the leading (receptive-field) dimensions.

    Called as ``init(key, shape, dtype)``, like a ``jax.nn.initializers`` function.
    ``key`` is a JAX key (``jax.random.key`` or ``PRNGKey``): the same key gives the
    same weights. The samples come from NumPy (a generator seeded by the key's bits),
    so no XLA program is compiled, and are placed on the default device. A
    ``numpy.random.Generator`` is accepted too and advanced. The draw happens on the
    host, so call it outside ``jax.jit`` (parameters are built once, before training):
    a traced key raises a ``TypeError``, and a NumPy generator inside a trace would
    be drawn once, at trace time, baking the same weights into every call.

    Args:
        scale: the variance numerator (2 for ReLU-like units, 1 for LeCun scaling).
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.

    References:
        K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers: Surpassing
        Human-Level Performance on ImageNet Classification", ICCV 2015.

    Example:
        >>> import jax
        >>> from core.init import KaimingNormal
        >>> init = KaimingNormal()
        >>> w = init(jax.random.key(0), (400, 300))
        >>> print(w.shape, w.dtype, round(float(w.std()) * 20, 1))  # sqrt(2 / 400) * 20
        (400, 300) float32 1.4
        >>> bool((init(jax.random.key(0), (400, 300)) == w).all())
        True
    """

    scale: float = eqx.field(static=True, default=2.0)
    mode: Mode = eqx.field(static=True, default="fan_in")

    def __check_init__(self) -> None:
        as_float("scale", self.scale, low=0, low_open=True)
        check_choice("mode", self.mode, ("fan_in", "fan_out", "fan_avg"))

    def __call__(self, key: Key, shape: Sequence[int], dtype: DTypeLike | None = None) -> Array:
        """Draw weights of ``shape`` (at least 2-D) in ``dtype`` from ``key``.

        ``dtype`` must be a floating dtype; ``None`` is JAX's default float
        (``float32``, or ``float64`` with ``jax_enable_x64``).
        """
        dims = as_shape("shape", shape, min_ndim=2, allow_int=False)
        dtype = float_dtype(dtype)
        rng = _generator(key)
        receptive = int(np.prod(dims[:-2], dtype=np.int64))
        fan_in, fan_out = dims[-2] * receptive, dims[-1] * receptive
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        std = np.sqrt(float(self.scale) / n) / TRUNCATED_STD
        values = _truncated_standard_normal(rng, dims) * std
        placed: Array = jax.device_put(values.astype(dtype))  # no XLA program, unlike asarray
        return placed


def kaiming_normal(scale: float = 2.0, mode: Mode = "fan_in") -> KaimingNormal:
    """The :class:`KaimingNormal` initializer, spelled like ``jax.nn.initializers.he_normal()``.

    Args:
        scale: the variance numerator.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.

    Returns:
        The initializer, called as ``init(key, shape, dtype)``.

    Example:
        >>> import jax
        >>> from core import init
        >>> w = init.kaiming_normal()(jax.random.key(1), (64, 256))
        >>> print(w.shape, bool(abs(w).max() <= 2 * (2 / 64) ** 0.5 / 0.8796))
        (64, 256) True
    """
    return KaimingNormal(scale, mode)


def float_dtype(dtype: DTypeLike | None) -> np.dtype:
    """``dtype`` (``None``: JAX's default float) as a floating NumPy dtype, or a clear error.

    The rule of :func:`core._validation.as_dtype` (real floating dtypes only), canonicalised
    (``float64`` is ``float32`` unless ``jax_enable_x64`` is set).

    Example:
        >>> import jax.numpy as jnp
        >>> from core.init import float_dtype
        >>> float_dtype(None), float_dtype(jnp.bfloat16)
        (dtype('float32'), dtype(bfloat16))
    """
    resolved = as_dtype("dtype", jnp.float64 if dtype is None else dtype, kind="floating")
    return cast(np.dtype, resolved)


def _generator(key: Key) -> np.random.Generator:
    """A NumPy generator seeded by the bits of a JAX key (or ``key`` itself)."""
    if isinstance(key, np.random.Generator):
        return key
    if isinstance(key, jax.core.Tracer):
        raise TypeError(
            "KaimingNormal draws on the host and cannot be traced: call it outside "
            "jax.jit / jax.vmap (or use jax.nn.initializers.he_normal inside)"
        )
    if not isinstance(key, jax.Array | np.ndarray):
        raise TypeError(f"key must be a JAX random key; got {type(key).__name__}")
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise ValueError(f"key must be a single key; got a key array of shape {key.shape}")
        bits = np.asarray(jax.random.key_data(key))
    elif key.dtype == np.uint32 and key.shape == (2,):
        bits = np.asarray(key)  # a raw jax.random.PRNGKey
    else:
        raise TypeError(
            "key must be a JAX random key (jax.random.key or jax.random.PRNGKey); "
            f"got an array of dtype {key.dtype} and shape {key.shape}"
        )
    return np.random.default_rng(bits.astype(np.uint64).tolist())


def _truncated_standard_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Standard normal samples conditioned on ``|z| <= 2`` (by redrawing the rest)."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    while outside.any():  # 4.6% per round: a handful of rounds
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return z
