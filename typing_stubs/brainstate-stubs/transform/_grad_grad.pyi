# Stubs for brainstate.transform._grad_grad (brainstate 0.5.4): grad and vector_grad.
# What a call of the returned GradientTransform gives depends on has_aux / return_value:
# grads, (grads, value), (grads, aux) or (grads, value, aux); value and aux take the types
# `fun` returns. The gradients mirror `grad_states` / the arguments: typed Any.
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypeVar, overload

from _typeshed import Incomplete
from brainstate._state import State
from brainstate.transform._grad_transform import GradientTransform

_R = TypeVar("_R")
_Aux = TypeVar("_Aux")

_GradStates: TypeAlias = State[Any] | Sequence[State[Any]] | Mapping[Any, State[Any]] | None

@overload
def grad(
    fun: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    holomorphic: bool | None = False,
    allow_int: bool | None = False,
    has_aux: Literal[False] | None = None,
    return_value: Literal[False] = False,
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[Any]: ...

@overload
def grad(
    fun: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    holomorphic: bool | None = False,
    allow_int: bool | None = False,
    has_aux: Literal[False] | None = None,
    return_value: Literal[True],
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[tuple[Any, _R]]: ...

@overload
def grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    holomorphic: bool | None = False,
    allow_int: bool | None = False,
    has_aux: Literal[True],
    return_value: Literal[False] = False,
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[tuple[Any, _Aux]]: ...

@overload
def grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    holomorphic: bool | None = False,
    allow_int: bool | None = False,
    has_aux: Literal[True],
    return_value: Literal[True],
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[tuple[Any, _R, _Aux]]: ...

@overload
def grad(
    *,
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    holomorphic: bool | None = False,
    allow_int: bool | None = False,
    has_aux: bool | None = None,
    return_value: bool = False,
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], GradientTransform[Any]]: ...

@overload
def vector_grad(
    func: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    has_aux: Literal[False] | None = None,
    return_value: Literal[False] = False,
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[Any]: ...

@overload
def vector_grad(
    func: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    has_aux: Literal[False] | None = None,
    return_value: Literal[True],
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[tuple[Any, _R]]: ...

@overload
def vector_grad(
    func: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[False] = False,
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[tuple[Any, _Aux]]: ...

@overload
def vector_grad(
    func: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[True],
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> GradientTransform[tuple[Any, _R, _Aux]]: ...

@overload
def vector_grad(
    *,
    grad_states: _GradStates = None,
    argnums: int | Sequence[int] | None = None,
    has_aux: bool | None = None,
    return_value: bool = False,
    unit_aware: bool = False,
    check_states: bool = True,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], GradientTransform[Any]]: ...

def __getattr__(name: str) -> Incomplete: ...
