"""The braintools-style ``Surrogate`` base class: plain attributes, ``__init__`` of your own."""

from __future__ import annotations

import abc
from typing import Any, ClassVar, Literal

import equinox as eqx
import jax
import numpy as np
from jax import Array
from jax.typing import ArrayLike

from core import surrogate as core_surrogate

_LEAVES = "__leaves__"
"""The instance attribute naming the attributes that are pytree leaves, in order."""


def _is_hyperparameter(value: object) -> bool:
    """Whether a value assigned to an attribute makes it a leaf: a float or an array."""
    return isinstance(value, float | jax.Array | np.ndarray | np.floating)


def _attributes(surrogate: Surrogate) -> dict[str, Any]:
    """The user's attributes (without the record of which are leaves)."""
    return {name: value for name, value in vars(surrogate).items() if name != _LEAVES}


def _missing_grad(surrogate: object) -> str:
    return f"{type(surrogate).__name__} must define surrogate_grad(x)"


class Surrogate(metaclass=abc.ABCMeta):  # noqa: B024 (ABCMeta for __subclasshook__ only)
    r"""Base class of braintools-style surrogates: write ``__init__``, set attributes.

    braintools users define a surrogate by subclassing and assigning hyperparameters in
    ``__init__`` (no field declarations), then writing ``surrogate_grad`` (and optionally
    ``surrogate_fun``)::

        class MySurrogate(braintools.surrogate.Surrogate):
            def __init__(self, alpha=1.0):
                super().__init__()
                self.alpha = alpha

            def surrogate_grad(self, x):
                return self.alpha * 0.5 * (1 - jnp.tanh(self.alpha * x) ** 2)

    Calling an instance runs the library's one spike kernel, :func:`core.surrogate.spike`:
    Heaviside spikes ``x >= 0`` in the dtype of ``x``, with derivative
    ``surrogate_grad(x)`` through :func:`jax.custom_jvp` (forward and reverse mode, ``vmap``,
    ``jit``, second derivatives). The derivative with respect to a hyperparameter is zero,
    as for every :class:`core.surrogate.Surrogate`; set ``self.learnable = True`` to get
    the derivative of ``surrogate_fun`` instead, or ``self.smooth_forward = True`` to
    return ``surrogate_fun(x)`` in the forward pass.

    Every subclass is a pytree: an attribute assigned a Python ``float`` or an array is a
    leaf (cast to the dtype of ``x`` before use, traced under ``jit``); one assigned
    anything else (``int``, ``bool``, a string, ...) is static, so ``range(self.n)``
    works. The choice is made when the attribute is assigned, so ``jax.tree.map``,
    ``eqx.partition`` and optimizers see one fixed structure.

    The built-in surrogates (:class:`~core.surrogate.Sigmoid`, ...) are
    :class:`core.surrogate.Surrogate` Equinox modules; ``isinstance`` treats the two base
    classes as one (each built-in is an instance of this class, and a subclass of this
    class is accepted wherever a :class:`core.surrogate.Surrogate` is checked for).
    For a type checker, an instance of a subclass and a built-in are both a
    :class:`core.surrogate.SpikeFunction` (also ``braintools.surrogate.SpikeFunction``),
    the type of every neuron's ``spike_fun``: annotate a parameter that takes any
    surrogate with it. This class as an annotation admits only its subclasses (a
    built-in is an Equinox module, not a subclass a type checker can see).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> import facade as braintools
        >>> class MySurrogate(braintools.surrogate.Surrogate):
        ...     def __init__(self, alpha=1.0):
        ...         super().__init__()
        ...         self.alpha = alpha
        ...     def surrogate_fun(self, x):
        ...         return jnp.tanh(x * self.alpha) * 0.5 + 0.5
        ...     def surrogate_grad(self, x):
        ...         return self.alpha * 0.5 * (1 - jnp.tanh(x * self.alpha) ** 2)
        >>> spike_fun = MySurrogate(alpha=2.0)
        >>> print(spike_fun(jnp.array([-1.0, 0.0, 1.0])))
        [0. 1. 1.]
        >>> print(float(jax.grad(spike_fun)(0.0)))
        1.0
        >>> spike_fun
        MySurrogate(alpha=2.0)
    """

    learnable: bool = False
    smooth_forward: bool = False
    # core.surrogate.Surrogate accepts it (see its __subclasshook__); a core.surrogate.SpikeFunction
    __spike_function__: ClassVar[Literal[True]] = True

    def __init__(self) -> None:  # noqa: B027 (braintools subclasses call super().__init__())
        """Nothing to set: subclasses assign their hyperparameters as attributes."""

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute; a float or array value makes it a pytree leaf, anything else static.

        The choice is made here, once per assignment, so the tree structure never depends on
        the values a leaf holds later (a filter spec of booleans, a tangent, ``None``).
        """
        leaves: tuple[str, ...] = self.__dict__.get(_LEAVES, ())
        leaves = tuple(leaf for leaf in leaves if leaf != name)
        if _is_hyperparameter(value):
            leaves = (*leaves, name)
        object.__setattr__(self, _LEAVES, leaves)
        object.__setattr__(self, name, value)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _register(cls)

    @classmethod
    def __subclasshook__(cls, subclass: type) -> bool:
        # a built-in (Equinox) surrogate is one of ours; core's base itself is not, so the
        # two hooks never consult each other. Anything else: the usual check (a subclass of
        # this class is one of ours; answering False here would deny it)
        built_in = core_surrogate.Surrogate in subclass.__mro__[1:]
        if cls is Surrogate and built_in:
            return True
        return NotImplemented  # type: ignore[no-any-return]  # typeshed: NotImplemented is Any

    def surrogate_fun(self, x: Array) -> Array:
        """The smooth function whose derivative is :meth:`surrogate_grad` (optional).

        Raises:
            NotImplementedError: the subclass does not define it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not define surrogate_fun (it is needed only for "
            "learnable, smooth_forward and plots)"
        )

    def surrogate_grad(self, x: Array) -> Array:
        """The surrogate derivative :math:`g(x)`; every subclass must define it.

        Raises:
            NotImplementedError: the subclass does not define it.
        """
        raise NotImplementedError(_missing_grad(self))

    def __call__(self, x: ArrayLike) -> Array:
        """Spikes ``[x >= 0]`` in the dtype of ``x``, differentiated through ``surrogate_grad``.

        Raises:
            NotImplementedError: the class does not define ``surrogate_grad``.
        """
        if type(self).surrogate_grad is Surrogate.surrogate_grad:
            raise NotImplementedError(_missing_grad(self))
        return core_surrogate.spike(self, x)

    def __repr__(self) -> str:
        """``Name(attribute=value, ...)``, arrays shown by dtype and shape."""
        shown = ", ".join(
            f"{name}={eqx.tree_pformat(value, short_arrays=True)}"
            for name, value in _attributes(self).items()
        )
        return f"{type(self).__name__}({shown})"


def _flatten_with_keys(
    surrogate: Surrogate,
) -> tuple[list[tuple[jax.tree_util.GetAttrKey, Any]], tuple[Any, ...]]:
    attributes = _attributes(surrogate)
    leaves: tuple[str, ...] = vars(surrogate).get(_LEAVES, ())
    static = tuple((name, value) for name, value in attributes.items() if name not in leaves)
    children = [(jax.tree_util.GetAttrKey(name), attributes[name]) for name in leaves]
    return children, (tuple(attributes), leaves, static)


def _flatten(surrogate: Surrogate) -> tuple[list[Any], tuple[Any, ...]]:
    children, aux = _flatten_with_keys(surrogate)
    return [value for _, value in children], aux


def _unflatten(cls: type[Surrogate], aux: tuple[Any, ...], children: Any) -> Surrogate:
    order, leaves, static = aux
    attributes = dict(static)
    attributes.update(zip(leaves, children, strict=True))
    surrogate = object.__new__(cls)
    surrogate.__dict__.update((name, attributes[name]) for name in order)
    surrogate.__dict__[_LEAVES] = leaves
    return surrogate


def _register(cls: type[Surrogate]) -> None:
    """Make ``cls`` a pytree (its float and array attributes are the leaves)."""
    jax.tree_util.register_pytree_with_keys(
        cls,
        _flatten_with_keys,
        lambda aux, children: _unflatten(cls, aux, children),
        _flatten,
    )


_register(Surrogate)
