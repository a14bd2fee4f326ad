"""Gradients with respect to brainstate states, in both call styles of the braintools examples."""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeAlias, TypeVar, cast, overload

import brainstate
import jax
import numpy as np

from core._docstrings import fill_doc

from ._docs import GRADIENT

GradStates: TypeAlias = (
    brainstate.State[Any]
    | Mapping[Any, Any]
    | Sequence[brainstate.State[Any] | Mapping[Any, Any]]
    | None
)
"""A ``State``, or a list/dict of them such as ``net.states(brainstate.ParamState)``."""

Argnums: TypeAlias = int | Sequence[int] | None

Gradients: TypeAlias = Any
"""Gradients for type checkers: their structure (that of ``grad_states`` and/or of the
differentiated arguments) is not expressible as a type."""

_T_co = TypeVar("_T_co", covariant=True)
_R = TypeVar("_R")
_Aux = TypeVar("_Aux")

_BrainstateTransform = Callable[..., Any]
_CACHE_SIZE = 16


def _is_state(x: object) -> bool:
    return isinstance(x, brainstate.State)


def _is_array_tree(x: object) -> bool:
    """True when every leaf of ``x`` is an array or a number: it can be traced by JAX."""
    leaves = jax.tree.leaves(x, is_leaf=_is_state)
    return all(
        isinstance(leaf, jax.Array | np.ndarray | np.generic | int | float | complex)
        for leaf in leaves
    )


def _checked_grad_states(grad_states: GradStates) -> GradStates:
    if grad_states is None:
        return None
    leaves = jax.tree.leaves(grad_states, is_leaf=_is_state)
    bad = [type(leaf).__name__ for leaf in leaves if not _is_state(leaf)]
    if bad or not leaves:
        raise TypeError(
            "grad_states must be a brainstate.State or a list/dict of them "
            "(e.g. net.states(brainstate.ParamState)); "
            + (f"found {', '.join(sorted(set(bad)))}" if bad else "it holds no State")
        )
    return grad_states


def _checked_argnums(argnums: Argnums) -> tuple[int, ...] | None:
    if argnums is None:
        return None
    values = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(
                f"argnums must be a non-negative int or a sequence of them; got {argnums!r}"
            )
    return values


def _takes_params_first(fun: Callable[..., Any], n_args: int, kwargs: dict[str, Any]) -> bool:
    """Whether ``fun`` is written as ``loss_fn(params, *call_args)``, as braintools examples are.

    It is when its required positional parameters number exactly one more than the
    call's positional arguments; otherwise the call's arguments go to ``fun`` as they are.
    """
    try:
        signature = inspect.signature(fun)
    except (TypeError, ValueError):
        return False
    parameters = list(signature.parameters.values())
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return False
    required = [
        p
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and p.default is inspect.Parameter.empty
        and p.name not in kwargs
    ]
    return len(required) == n_args + 1


class StateGradient(Generic[_T_co]):
    """A function's gradient with respect to brainstate states and/or its arguments.

    Built by :func:`grad`, :func:`value_and_grad` and :func:`vector_grad`; call it with
    the function's arguments. For type checkers it is generic in what a call returns:
    ``StateGradient[tuple[Any, Array]]`` for ``grad(loss_fn, params,
    return_value=True)`` with a ``loss_fn`` returning an ``Array``. Arguments that are
    not arrays (a model, a config) are closed over rather than traced, so
    ``grad(loss_fn, params)(net, X, y)`` works. A function whose required positional
    parameters are one more than the call's arguments receives the current values of
    ``grad_states`` first (the braintools examples' ``loss_fn(params, net, X, y)``); gradients flow
    both through those values and through the states read by the model.

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade import transform
        >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        >>> g = transform.grad(lambda x: (w.value * x).sum(), w)
        >>> print(g(jnp.array([3.0, 4.0])))
        [3. 4.]
    """

    def __init__(
        self,
        fun: Callable[..., Any],
        grad_states: GradStates,
        argnums: Argnums,
        has_aux: bool,
        return_value: bool,
        transform: _BrainstateTransform,
    ) -> None:
        if not callable(fun):
            raise TypeError(f"fun must be callable; got {type(fun).__name__}")
        self.fun = fun
        self.grad_states = _checked_grad_states(grad_states)
        self.argnums = _checked_argnums(argnums)
        self._argnums_is_int = isinstance(argnums, int)
        self.has_aux = bool(has_aux)
        self.return_value = bool(return_value)
        self._transform = transform
        self._compiled: OrderedDict[Hashable, Callable[..., Any]] = OrderedDict()

    def __call__(self, *args: Any, **kwargs: Any) -> _T_co:
        static_positions = tuple(i for i, a in enumerate(args) if not _is_array_tree(a))
        static_names = tuple(sorted(k for k, v in kwargs.items() if not _is_array_tree(v)))
        key = (
            len(args),
            static_positions,
            tuple(id(args[i]) for i in static_positions),
            static_names,
            tuple(id(kwargs[k]) for k in static_names),
            tuple(sorted(kwargs)),
        )
        transformed = self._compiled.get(key)
        if transformed is None:
            transformed = self._build(args, kwargs, static_positions, static_names)
            self._compiled[key] = transformed
            if len(self._compiled) > _CACHE_SIZE:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        dynamic_args = [a for i, a in enumerate(args) if i not in static_positions]
        dynamic_kwargs = {k: v for k, v in kwargs.items() if k not in static_names}
        return cast(_T_co, transformed(*dynamic_args, **dynamic_kwargs))

    def _build(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        static_positions: tuple[int, ...],
        static_names: tuple[str, ...],
    ) -> Callable[..., Any]:
        statics = {i: args[i] for i in static_positions}
        static_kwargs = {k: kwargs[k] for k in static_names}
        n_args = len(args)
        fun, grad_states = self.fun, self.grad_states
        params_first = grad_states is not None and _takes_params_first(fun, n_args, kwargs)

        def target(*dynamic: Any, **dynamic_kwargs: Any) -> Any:
            remaining = iter(dynamic)
            call_args = [statics[i] if i in statics else next(remaining) for i in range(n_args)]
            if params_first:
                values = jax.tree.map(lambda s: s.value, grad_states, is_leaf=_is_state)
                return fun(values, *call_args, **static_kwargs, **dynamic_kwargs)
            return fun(*call_args, **static_kwargs, **dynamic_kwargs)

        argnums: Argnums = None
        if self.argnums is not None:
            dynamic_index = [i for i in range(n_args) if i not in statics]
            for a in self.argnums:
                if a >= n_args:
                    raise ValueError(
                        f"argnums={a} but the function was called with {n_args} arguments"
                    )
                if a in statics:
                    raise TypeError(
                        f"argnums={a} points at a non-array argument "
                        f"({type(args[a]).__name__}); only arrays can be differentiated"
                    )
            remapped = tuple(dynamic_index.index(a) for a in self.argnums)
            argnums = remapped[0] if self._argnums_is_int else remapped
        return cast(
            Callable[..., Any],
            self._transform(
                target,
                grad_states=grad_states,
                argnums=argnums,
                has_aux=self.has_aux,
                return_value=self.return_value,
            ),
        )


@overload
def grad(
    fun: None = None,
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: bool = False,
    return_value: bool = False,
) -> Callable[[Callable[..., Any]], StateGradient[Any]]: ...
@overload
def grad(
    fun: Callable[..., Any],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: Literal[False] = False,
    return_value: Literal[False] = False,
) -> StateGradient[Gradients]: ...
@overload
def grad(
    fun: Callable[..., _R],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: Literal[False] = False,
    *,
    return_value: Literal[True],
) -> StateGradient[tuple[Gradients, _R]]: ...
@overload
def grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[False] = False,
) -> StateGradient[tuple[Gradients, _Aux]]: ...
@overload
def grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[True],
) -> StateGradient[tuple[Gradients, _R, _Aux]]: ...


@fill_doc(**GRADIENT)
def grad(
    fun: Callable[..., Any] | None = None,
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: bool = False,
    return_value: bool = False,
) -> StateGradient[Any] | Callable[[Callable[..., Any]], StateGradient[Any]]:
    r"""Gradient of ``fun`` with respect to brainstate states (and/or arguments).

    brainstate 0.5.4's semantics and return structures:

    * ``grad_states`` only: the gradients mirror the structure of ``grad_states``
      (for ``net.states(ParamState)``, a dict keyed by the state paths);
    * ``argnums`` only (or neither): gradients of the arguments, as :func:`jax.grad`;
    * both: ``(state_grads, arg_grads)``;
    * ``return_value=True`` appends the value, ``has_aux=True`` the auxiliary
      data: ``grads``, ``(grads, value)``, ``(grads, aux)`` or ``(grads, value, aux)``.

    Type checkers see the same structures (overloads on literal ``has_aux`` /
    ``return_value``): ``value`` has ``fun``'s return type and ``aux`` the type of the
    second element ``fun`` returns, so ``grads, loss = grad(loss_fn, params,
    return_value=True)(net, X, y)`` gives ``loss`` the loss function's type.

    Unlike brainstate, non-array arguments (a model) are allowed, and the braintools
    examples' ``loss_fn(params, net, X, y)`` style works: see :class:`StateGradient`. Works
    eagerly and inside ``brainstate.transform.jit``; states the function writes
    (e.g. membrane potentials) keep their new values afterwards. Used without
    ``fun`` it is a decorator.

    Args:
        fun: the scalar function to differentiate.
        {gradient_args}
        {return_value}

    {gradient_returns}

    Example:
        >>> import brainstate, jax.numpy as jnp
        >>> from facade import transform
        >>> net = brainstate.nn.Linear(2, 1)
        >>> params = net.states(brainstate.ParamState)
        >>> def loss_fn(params, net, X, y):
        ...     return jnp.mean((net(X) - y) ** 2)
        >>> X, y = jnp.ones((4, 2)), jnp.zeros((4, 1))
        >>> grads, loss = transform.grad(loss_fn, params, return_value=True)(net, X, y)
        >>> sorted(grads[("weight",)])
        ['bias', 'weight']
    """

    def build(f: Callable[..., Any]) -> StateGradient[Any]:
        return StateGradient(
            f, grad_states, argnums, has_aux, return_value, brainstate.transform.grad
        )

    return build if fun is None else build(fun)


@overload
def vector_grad(
    fun: Callable[..., Any],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: Literal[False] = False,
    return_value: Literal[False] = False,
) -> StateGradient[Gradients]: ...
@overload
def vector_grad(
    fun: Callable[..., _R],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: Literal[False] = False,
    *,
    return_value: Literal[True],
) -> StateGradient[tuple[Gradients, _R]]: ...


@fill_doc(**GRADIENT)
def vector_grad(
    fun: Callable[..., Any],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: bool = False,
    return_value: bool = False,
) -> StateGradient[Any]:
    r"""Gradient of a vector-valued ``fun``: the VJP with a cotangent of ones.

    For :math:`f: \mathbb R^n \to \mathbb R^m` it returns
    :math:`\sum_i \partial f_i / \partial \theta` with the same shape as
    :math:`\theta` -- for an elementwise ``f``, its elementwise derivative. Return
    structures and argument handling are those of :func:`grad`.

    Args:
        fun: the function to differentiate.
        {gradient_args}
        {return_value}

    {gradient_returns}

    Example:
        >>> import jax.numpy as jnp
        >>> from facade import transform
        >>> print(transform.vector_grad(lambda x: x**2)(jnp.array([1.0, 2.0])))
        [2. 4.]
    """
    return StateGradient(
        fun, grad_states, argnums, has_aux, return_value, brainstate.transform.vector_grad
    )


@overload
def value_and_grad(
    fun: Callable[..., _R],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: Literal[False] = False,
) -> Callable[..., tuple[_R, Gradients]]: ...
@overload
def value_and_grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    *,
    has_aux: Literal[True],
) -> Callable[..., tuple[tuple[_R, _Aux], Gradients]]: ...


@fill_doc(**GRADIENT)
def value_and_grad(
    fun: Callable[..., Any],
    grad_states: GradStates = None,
    argnums: Argnums = None,
    has_aux: bool = False,
) -> Callable[..., tuple[Any, Gradients]]:
    r"""Value and gradient in one pass, in JAX's order: ``(value, grads)``.

    With ``has_aux=True`` it returns ``((value, aux), grads)``, as
    :func:`jax.value_and_grad` does. ``argnums`` defaults to ``0`` when no
    ``grad_states`` are given (``value_and_grad(fun, argnums=0)`` of the braintools
    "Training Utilities" page) and to "states only" when they are. brainstate 0.5.4 has
    no such function; the gradient structures are those of :func:`grad`.

    Args:
        fun: the scalar function to differentiate.
        {gradient_args}

    Returns:
        A callable taking ``fun``'s arguments and returning ``(value, grads)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from facade import transform
        >>> value, g = transform.value_and_grad(lambda x: (x**2).sum())(jnp.array([1.0, 3.0]))
        >>> print(value, g)
        10.0 [2. 6.]
    """
    gradient: StateGradient[Any] = StateGradient(
        fun, grad_states, argnums, has_aux, True, brainstate.transform.grad
    )

    def value_and_gradient(*args: Any, **kwargs: Any) -> tuple[Any, Gradients]:
        result = gradient(*args, **kwargs)
        if has_aux:
            grads, value, aux = result
            return (value, aux), grads
        grads, value = result
        return value, grads

    value_and_gradient.__name__ = f"value_and_grad({getattr(fun, '__name__', 'fun')})"
    return value_and_gradient
