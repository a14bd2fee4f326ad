"""``Linear`` with weights drawn on the host: building a network compiles nothing.

``brainstate.nn.Linear`` draws its Kaiming-normal weights with eager JAX operations,
and XLA compiles each of them anew for every weight shape (about a second per
shape on a CPU). Drawing the same distribution with NumPy, seeded from
brainstate's random state, and placing the result on the device once, costs
microseconds, so start-up is dominated by the training step's own compilation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import cast

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.typing import ArrayLike, DTypeLike

from core import init as core_init
from core import layers as core_layers
from core._validation import as_shape
from core.init import Mode

Size = int | Sequence[int]


class KaimingNormal:
    r"""Kaiming (He) normal initializer in brainstate's style: called with a shape.

    The distribution of ``brainstate.nn.init.KaimingNormal`` (and of
    ``jax.nn.initializers.he_normal``), drawn on the host by
    :class:`core.init.KaimingNormal`, so no XLA program is compiled: a normal with
    variance :math:`\text{scale}/n` truncated to :math:`\pm 2` standard deviations
    (and rescaled so the truncated samples keep that variance), where :math:`n` is the
    fan-in, fan-out or their mean.

    Without ``seed`` each call draws a fresh key from brainstate's global random
    state, so ``brainstate.random.seed(s)`` makes a network's weights reproducible;
    with ``seed`` the initializer owns its own generator.

    Args:
        scale: the variance numerator (2 for ReLU-like units).
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        seed: an int for a private generator; ``None`` uses brainstate's random state.

    Example:
        >>> import brainstate
        >>> from facade.nn import KaimingNormal
        >>> brainstate.random.seed(0)
        >>> w = KaimingNormal()((400, 300))
        >>> print(w.shape, w.dtype, round(float(w.std() * 20), 1))  # sqrt(2 / 400) * 20
        (400, 300) float32 1.4
        >>> bool(abs(w).max() <= 2 * (2 / 400) ** 0.5 / 0.8796)
        True
    """

    def __init__(self, scale: float = 2.0, mode: Mode = "fan_in", seed: int | None = None) -> None:
        self._init = core_init.KaimingNormal(scale, mode)  # validates scale and mode
        given: object = seed
        if given is not None and (isinstance(given, bool) or not isinstance(given, int)):
            raise TypeError(f"seed must be an int or None; got {seed!r}")
        self._rng: np.random.Generator | None = (
            None if seed is None else np.random.default_rng(seed)
        )

    @property
    def scale(self) -> float:
        """The variance numerator."""
        return self._init.scale

    @property
    def mode(self) -> Mode:
        """Which fan divides the scale."""
        return self._init.mode

    def __call__(self, shape: Size, dtype: DTypeLike | None = None) -> Array:
        """Draw an array of ``shape`` (at least 2-D: ``(..., fan_in, fan_out)``)."""
        dims = as_shape("shape", shape)
        if len(dims) < 2:
            raise ValueError(f"shape must have >= 2 dimensions (fan_in, fan_out); got {shape!r}")
        dtype = core_init.float_dtype(brainstate.environ.dftype() if dtype is None else dtype)
        if self._rng is not None:
            return self._init(self._rng, dims, dtype)
        key = brainstate.random.split_key()
        if isinstance(key, jax.core.Tracer):
            raise TypeError(
                "facade.nn.KaimingNormal draws on the host: build the network outside "
                "brainstate.transform.jit / vmap, or pass "
                "w_init=brainstate.nn.init.KaimingNormal() to draw inside the trace"
            )
        return self._init(key, dims, dtype)

    def __repr__(self) -> str:
        return f"KaimingNormal(scale={self.scale}, mode={self.mode!r})"


_KAIMING_NORMAL = KaimingNormal()


class Linear(brainstate.nn.Linear):
    r"""``brainstate.nn.Linear`` whose default weights are drawn on the host.

    .. math::

        y = x W + b \quad \text{over the last axis of } x

    The same module as ``brainstate.nn.Linear`` (a subclass: the same ``weight``
    ``ParamState`` holding ``{"weight", "bias"}``, the same results), with three
    differences: the default weights come from :class:`KaimingNormal` (the same
    distribution, drawn with NumPy, so building a network compiles no XLA program:
    1.2-1.5 s saved per new weight shape on a CPU); ``b_init`` may be a number (a
    constant bias; ``None`` for none); and an input with more than two axes, such as
    ``(T, batch, n)``, goes through :func:`core.layers.dense`, one 2-D matmul whose
    weight gradient is faster on a CPU than brainstate's contraction over two axes
    (inputs with units, and 1-D or 2-D inputs, take brainstate's ``update``). Any
    brainstate initializer or array is accepted as well.

    Args:
        in_size: the number of input features (or a shape whose leading dimensions
            equal ``out_size``'s).
        out_size: the number of output features (or a shape).
        w_init: an initializer called with ``(in, out)``, or an array of that shape.
        b_init: a number, an initializer called with ``(out,)``, an array, or ``None``.
        w_mask: an optional mask multiplied into the weights, as in brainstate.
        name: the module name.
        param_type: the state class of the weights (``brainstate.ParamState``).

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> import facade as braintools
        >>> brainstate.random.seed(0)
        >>> layer = braintools.nn.Linear(100, 256)
        >>> isinstance(layer, brainstate.nn.Linear), layer(jnp.ones((8, 100))).shape
        (True, (8, 256))
        >>> print(layer.weight.value["bias"][:3])
        [0. 0. 0.]
    """

    def __init__(
        self,
        in_size: Size,
        out_size: Size,
        w_init: Callable[..., ArrayLike] | ArrayLike = _KAIMING_NORMAL,
        b_init: float | Callable[..., ArrayLike] | ArrayLike | None = 0.0,
        w_mask: Callable[..., ArrayLike] | ArrayLike | None = None,
        name: str | None = None,
        param_type: type = brainstate.ParamState,
    ) -> None:
        ins, outs = as_shape("in_size", in_size), as_shape("out_size", out_size)
        if ins[:-1] != outs[:-1]:
            raise ValueError(
                "the leading dimensions of in_size and out_size must be equal; "
                f"got in_size={in_size!r}, out_size={out_size!r}"
            )
        bias: object = b_init
        if isinstance(bias, complex | np.complexfloating):
            raise TypeError(f"b_init must be a real number, an initializer or an array; got {bias}")
        if isinstance(bias, int | float | np.number) and not isinstance(bias, bool):
            bias = jax.device_put(np.full(outs[-1], float(bias), brainstate.environ.dftype()))
        elif hasattr(bias, "shape") and math.prod(bias.shape) not in (1, outs[-1]):
            # checked here, before brainstate draws the weights from its random state
            raise ValueError(
                f"b_init must broadcast to ({outs[-1]},) (out_size); got shape {bias.shape}"
            )
        super().__init__(
            ins, outs, w_init=w_init, b_init=bias, w_mask=w_mask, name=name, param_type=param_type
        )

    def __call__(self, x: ArrayLike) -> Array:
        """Apply the layer (``update``, with brainstate's hooks)."""
        call = cast(Callable[[ArrayLike], Array], super().__call__)  # brainstate's is untyped
        return call(x)

    def update(self, x: ArrayLike) -> Array:
        """``x @ W + b`` over the last axis of ``x``, for any number of leading axes.

        An array with more than two axes (e.g. time, batch, features) is computed by
        :func:`core.layers.dense` as one 2-D matmul; anything else (1-D or 2-D
        inputs, quantities with units) by ``brainstate.nn.Linear.update``.
        """
        params = self.weight.value
        weight, bias = params["weight"], params.get("bias")
        arrays = [x, weight] + [a for a in (bias, self.w_mask) if a is not None]
        if jnp.ndim(x) <= 2 or not all(isinstance(a, jax.Array | np.ndarray) for a in arrays):
            brainstate_update = cast(Callable[[ArrayLike], Array], super().update)
            return brainstate_update(x)
        if self.w_mask is not None:
            weight = weight * self.w_mask
        return core_layers.dense(x, weight, bias)
