"""The surrogate base module and the Heaviside spike with a surrogate derivative."""

from __future__ import annotations

import abc
import dataclasses
import functools
from collections.abc import Callable
from typing import Any, ClassVar, Literal, Protocol, TypeAlias, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

from core._validation import check_real

from ._docs import documented

Hyperparameter: TypeAlias = float | Array
"""A surrogate hyperparameter: a Python number or a (possibly batched) JAX array."""

_BOUND = "surrogate_bound"
"""The key of a :func:`hyperparameter` field's metadata that holds its :class:`_Bound`."""


def floating_input(x: ArrayLike, name: str = "x") -> Array:
    """Return ``x`` as a JAX array, refusing non-floating dtypes with a clear ``TypeError``."""
    array = jnp.asarray(x)
    if not jnp.issubdtype(array.dtype, jnp.floating):
        raise TypeError(
            f"{name} must be a floating-point array (membrane potential minus threshold); "
            f"got dtype {array.dtype}. Cast it first, e.g. {name}.astype(jnp.float32)."
        )
    return array


def abs_up(x: Array) -> Array:
    """``|x|`` whose derivative at ``0`` is ``+1``.

    Antiderivatives built on it have the right slope exactly at the threshold,
    where ``jnp.abs`` (derivative ``sign(0) = 0``) would give zero.
    """
    return jnp.where(x < 0, -x, x)


@dataclasses.dataclass(frozen=True)
class _Bound:
    """The valid interval ``(low, inf)`` or ``[low, inf)`` of a hyperparameter.

    A learnable hyperparameter is stored as an unconstrained leaf ``raw``, mapped to its
    value by ``low + exp(raw)`` (open interval) or ``low + |raw|`` (closed interval), so
    no optimizer update can leave the interval.
    """

    low: float
    low_open: bool

    def check(self, name: str, value: object) -> None:
        check_real(name, value, low=self.low, low_open=self.low_open)

    def to_raw(self, value: Hyperparameter) -> Array:
        shifted = jnp.asarray(value) - self.low
        return jnp.log(shifted) if self.low_open else shifted

    def to_value(self, raw: Hyperparameter) -> Hyperparameter:
        raw = jnp.asarray(raw)
        return self.low + (jnp.exp(raw) if self.low_open else abs_up(raw))


def hyperparameter(default: float, *, low: float = 0.0, low_open: bool = True) -> Any:
    r"""Declare a surrogate hyperparameter field valid on ``(low, inf)`` or ``[low, inf)``.

    A field declared this way is checked when the surrogate is built: a concrete value
    outside the interval, a non-finite one or a non-number is refused with an error naming
    the field (a traced value passes: only its dtype can be checked). With
    ``learnable=True`` the field stores an unconstrained leaf :math:`r` and the formulas
    see :math:`\text{low} + e^{r}` (open interval) or :math:`\text{low} + |r|` (closed),
    so whatever an optimizer does to the leaf, the value stays valid; read the values
    with :meth:`Surrogate.hyperparameters`.

    Args:
        default: the default value.
        low: the lower end of the valid interval.
        low_open: exclude ``low`` itself (``alpha > 0``); ``False`` allows it
            (a leaky slope ``c >= 0``).

    Returns:
        An Equinox field specification, to assign to an annotated class attribute.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core.surrogate import Surrogate, hyperparameter
        >>> class Cauchy(Surrogate):
        ...     width: float = hyperparameter(0.5)
        ...     def surrogate_grad(self, x):
        ...         return 1.0 / (jnp.pi * self.width * (1.0 + (x / self.width) ** 2))
        >>> Cauchy(width=0.0)
        Traceback (most recent call last):
        ...
        ValueError: width must be a finite number > 0, got 0.0
    """
    return eqx.field(default=default, metadata={_BOUND: _Bound(float(low), low_open)})


@functools.cache
def _bounds(cls: type) -> dict[str, _Bound]:
    """The :func:`hyperparameter` fields of a surrogate class and their bounds."""
    return {
        field.name: field.metadata[_BOUND]
        for field in dataclasses.fields(cls)
        if _BOUND in field.metadata
    }


class SurrogateLike(Protocol):
    """What :func:`spike` needs: a pytree of hyperparameters with two methods and two flags.

    Every :class:`Surrogate` is one; so is a braintools-style
    :class:`facade.surrogate.Surrogate` subclass.

    Example:
        >>> from core.surrogate import Sigmoid, SurrogateLike
        >>> spike_fun: SurrogateLike = Sigmoid()
        >>> spike_fun.learnable
        False
    """

    @property
    def learnable(self) -> bool:
        """Give hyperparameters the derivative of :meth:`surrogate_fun` instead of zero."""

    @property
    def smooth_forward(self) -> bool:
        """Return :meth:`surrogate_fun` in the forward pass instead of the Heaviside step."""

    def surrogate_grad(self, x: Array) -> Array:
        """The surrogate derivative :math:`g(x)`."""

    def surrogate_fun(self, x: Array) -> Array:
        """The smooth function whose derivative is :meth:`surrogate_grad`."""


class SpikeFunction(SurrogateLike, Protocol):
    r"""What a neuron's ``spike_fun`` accepts: a surrogate of either base class, called on ``x``.

    A :class:`Surrogate` (every built-in such as ``ReluGrad()``, and your own Equinox
    subclass) or an instance of a braintools-style :class:`facade.surrogate.Surrogate`
    subclass: :func:`spike`'s :class:`SurrogateLike` interface, a call
    :math:`x \mapsto \Theta(x)` returning an array, and the class attribute
    ``__spike_function__ = True`` by which the two base classes recognise each other at run
    time (``isinstance(s, core.surrogate.Surrogate)`` is true for both). It is the
    annotation of ``spike_fun`` in :mod:`core.neuron` and :mod:`facade.nn`; use it for a
    parameter of your own that takes any surrogate.

    A plain function, a ``jax.custom_jvp`` Heaviside, an uncalled lowercase form
    (``sigmoid`` rather than ``sigmoid(alpha=4.0)``) or a class rather than an instance is
    not one: the neurons refuse them at run time (a plain function carries no surrogate
    derivative the neuron could use), and a type checker refuses them too.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core.surrogate import Sigmoid, SpikeFunction
        >>> def fire(spike_fun: SpikeFunction, v: jax.Array) -> jax.Array:
        ...     return spike_fun(v - 1.0)
        >>> print(fire(Sigmoid(), jnp.array([0.5, 1.5])))
        [0. 1.]
    """

    @property
    def __spike_function__(self) -> Literal[True]:
        """Marks the two surrogate base classes (see :meth:`Surrogate.__subclasshook__`)."""

    def __call__(self, x: ArrayLike) -> Array:
        """Spikes ``[x >= 0]`` in the dtype of ``x``, with the surrogate derivative."""


S = TypeVar("S", bound=SurrogateLike)
M = TypeVar("M", bound="Surrogate")
_Method = Callable[[Any, Array], Array]


def _on_values(method: _Method) -> _Method:
    """Make ``method`` see hyperparameter values, not the raw leaves of a learnable module."""

    @functools.wraps(method)
    def on_values(self: Surrogate, x: Array) -> Array:
        return method(_values(self), x)

    on_values.__on_values__ = True  # type: ignore[attr-defined]
    return on_values


def _values(surrogate: M) -> M:
    """``surrogate`` with each bounded learnable leaf replaced by its value.

    The copy has ``learnable=False`` so that methods calling each other map only once.
    """
    if not surrogate.learnable:
        return surrogate
    copy: M = object.__new__(type(surrogate))
    copy.__dict__.update(surrogate.__dict__)
    object.__setattr__(copy, "learnable", False)
    for name, bound in _bounds(type(surrogate)).items():
        object.__setattr__(copy, name, bound.to_value(getattr(surrogate, name)))
    return copy


@documented
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
    leaves), so it can live inside a model, be vmapped over, or be stored. Each
    built-in hyperparameter is declared with :func:`hyperparameter`: a concrete
    value outside its valid interval (written in each class's Args) is refused
    when the surrogate is built, naming the argument.

    The derivative with respect to a hyperparameter is exactly zero by default.
    With ``learnable=True`` it is the derivative of :meth:`surrogate_fun` with
    respect to that hyperparameter, so a width can be trained on purpose; each
    bounded hyperparameter is then stored as an unconstrained leaf (:math:`\log
    \alpha` for :math:`\alpha > 0`, see :func:`hyperparameter`), so no update can
    make it invalid. :meth:`hyperparameters` gives the values. With
    ``smooth_forward=True`` the forward pass returns :meth:`surrogate_fun` itself
    (an ANN-style relaxation for pretraining) and ordinary autodiff applies.

    Hyperparameters are cast to the dtype of ``x`` before use, so a ``float16``
    or ``bfloat16`` input gives ``float16`` / ``bfloat16`` spikes and gradients.

    To define your own surrogate, subclass and write only :meth:`surrogate_grad`
    (and, optionally, :meth:`surrogate_fun`, which enables ``learnable`` and
    ``smooth_forward``).

    Args:
        {flags}

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
    __spike_function__: ClassVar[Literal[True]] = True  # a SpikeFunction

    @classmethod
    def __subclasshook__(cls, subclass: type) -> bool:
        # a class that declares __spike_function__ (the braintools-style, non-Equinox
        # facade.surrogate.Surrogate) is accepted wherever a Surrogate is checked for
        if cls is Surrogate and getattr(subclass, "__spike_function__", False):
            return True
        return NotImplemented  # type: ignore[no-any-return]  # typeshed: NotImplemented is Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("surrogate_grad", "surrogate_fun"):
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "__on_values__", False):
                setattr(cls, name, _on_values(method))

    def __check_init__(self) -> None:
        # Equinox runs this after any __init__ (generated or the user's own), never on
        # unflatten; the last step of construction is the only place a value becomes a leaf
        bounds = _bounds(type(self))
        for name, bound in bounds.items():
            bound.check(name, getattr(self, name))
        if self.learnable:
            for name, bound in bounds.items():
                object.__setattr__(self, name, bound.to_raw(getattr(self, name)))

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

    def hyperparameters(self) -> dict[str, Hyperparameter]:
        r"""The hyperparameter values by name (:math:`e^{r}`, not the leaf :math:`r`, if learnable).

        Returns:
            A dict from field name to value, for every pytree-leaf field.

        Example:
            >>> from core.surrogate import Sigmoid
            >>> spike = Sigmoid(alpha=4.0, learnable=True)
            >>> print(round(float(spike.alpha), 4))  # the stored leaf, log(4)
            1.3863
            >>> print(float(spike.hyperparameters()["alpha"]))
            4.0
        """
        values = _values(self)
        return {
            field.name: getattr(values, field.name)
            for field in dataclasses.fields(self)
            if not field.metadata.get("static", False)
        }

    def __call__(self, x: ArrayLike) -> Array:
        """Spikes ``[x >= 0]`` in the dtype of ``x`` (or ``surrogate_fun(x)`` if smooth)."""
        return spike(self, x)

    def __repr__(self) -> str:
        """``Name(alpha=4.0)``: every hyperparameter (arrays by dtype and shape), set flags."""
        fields = sorted(dataclasses.fields(self), key=lambda field: bool(field.kw_only))
        shown = [
            f"{field.name}={eqx.tree_pformat(getattr(self, field.name), short_arrays=True)}"
            for field in fields
            if not field.kw_only or getattr(self, field.name)
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


def spike(surrogate: SurrogateLike, x: ArrayLike) -> Array:
    r"""Heaviside spikes of ``x`` whose derivative is ``surrogate.surrogate_grad(x)``.

    The one spike kernel of the library: :meth:`Surrogate.__call__` and the braintools-style
    :class:`facade.surrogate.Surrogate` both call it. The forward value is
    :math:`[x \ge 0]` in the dtype of ``x`` (or ``surrogate.surrogate_fun(x)`` when
    ``surrogate.smooth_forward``); the tangent is :math:`g(x)\,\dot x`, plus the derivative
    of ``surrogate_fun`` with respect to the hyperparameters when ``surrogate.learnable``.

    Args:
        surrogate: a pytree whose leaves are the hyperparameters (a :class:`Surrogate`).
        x: membrane potential minus threshold, a floating-point array.

    Returns:
        The spikes, in the dtype of ``x``.

    Raises:
        TypeError: ``x`` is not a floating-point array.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from core.surrogate import Sigmoid, spike
        >>> print(spike(Sigmoid(), jnp.array([-0.5, 0.0])))
        [0. 1.]
        >>> print(float(jax.grad(lambda v: spike(Sigmoid(alpha=4.0), v))(0.0)))
        1.0
    """
    x = floating_input(x)
    if surrogate.smooth_forward:
        return _in_dtype(surrogate, x.dtype).surrogate_fun(x)
    return _spike(_as_arrays(surrogate), x)


def _as_arrays(surrogate: S) -> S:
    """Make every hyperparameter leaf an array, as :func:`jax.custom_jvp` requires."""
    converted: S = jax.tree.map(jnp.asarray, surrogate)
    return converted


def _in_dtype(surrogate: S, dtype: jnp.dtype) -> S:
    """Cast every hyperparameter leaf to ``dtype`` (the dtype of the input)."""
    converted: S = jax.tree.map(lambda leaf: jnp.asarray(leaf, dtype), surrogate)
    return converted


@jax.custom_jvp
def _spike(surrogate: SurrogateLike, x: Array) -> Array:
    return (x >= 0).astype(x.dtype)


@_spike.defjvp
def _spike_jvp(
    primals: tuple[SurrogateLike, Array], tangents: tuple[SurrogateLike, Array]
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
