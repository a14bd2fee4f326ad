# Stubs for brainstate.transform._grad_grad (brainstate 0.5.4): grad and vector_grad.
# What a call of the returned GradientTransform gives depends on has_aux / return_value:
# grads, (grads, value), (grads, aux) or (grads, value, aux); value and aux take the types
# `fun` returns. The gradients mirror `grad_states` / the arguments: typed Any. The options
# every overload takes are declared once (_GradOptions, _VectorGradOptions): keyword-only,
# with the one keyword brainstate forwards to GradientTransform (debug_nan).
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypedDict, TypeVar, overload

from _typeshed import Incomplete
from brainstate._state import State
from brainstate.transform._grad_transform import GradientTransform
from typing_extensions import Unpack

_R = TypeVar("_R")
_Aux = TypeVar("_Aux")

_GradStates: TypeAlias = State[Any] | Sequence[State[Any]] | Mapping[Any, State[Any]] | None
_Argnums: TypeAlias = int | Sequence[int] | None

class _VectorGradOptions(TypedDict, total=False):
    unit_aware: bool
    check_states: bool
    debug_nan: bool  # forwarded to GradientTransform

class _GradOptions(_VectorGradOptions, total=False):
    holomorphic: bool | None
    allow_int: bool | None

@overload
def grad(
    fun: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[False] | None = None,
    return_value: Literal[False] = False,
    **options: Unpack[_GradOptions],
) -> GradientTransform[Any]: ...

@overload
def grad(
    fun: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[False] | None = None,
    return_value: Literal[True],
    **options: Unpack[_GradOptions],
) -> GradientTransform[tuple[Any, _R]]: ...

@overload
def grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[False] = False,
    **options: Unpack[_GradOptions],
) -> GradientTransform[tuple[Any, _Aux]]: ...

@overload
def grad(
    fun: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[True],
    **options: Unpack[_GradOptions],
) -> GradientTransform[tuple[Any, _R, _Aux]]: ...

@overload
def grad(
    *,
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    has_aux: bool | None = None,
    return_value: bool = False,
    **options: Unpack[_GradOptions],
) -> Callable[[Callable[..., Any]], GradientTransform[Any]]: ...

@overload
def vector_grad(
    func: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[False] | None = None,
    return_value: Literal[False] = False,
    **options: Unpack[_VectorGradOptions],
) -> GradientTransform[Any]: ...

@overload
def vector_grad(
    func: Callable[..., _R],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[False] | None = None,
    return_value: Literal[True],
    **options: Unpack[_VectorGradOptions],
) -> GradientTransform[tuple[Any, _R]]: ...

@overload
def vector_grad(
    func: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[False] = False,
    **options: Unpack[_VectorGradOptions],
) -> GradientTransform[tuple[Any, _Aux]]: ...

@overload
def vector_grad(
    func: Callable[..., tuple[_R, _Aux]],
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    *,
    has_aux: Literal[True],
    return_value: Literal[True],
    **options: Unpack[_VectorGradOptions],
) -> GradientTransform[tuple[Any, _R, _Aux]]: ...

@overload
def vector_grad(
    *,
    grad_states: _GradStates = None,
    argnums: _Argnums = None,
    has_aux: bool | None = None,
    return_value: bool = False,
    **options: Unpack[_VectorGradOptions],
) -> Callable[[Callable[..., Any]], GradientTransform[Any]]: ...

def __getattr__(name: str) -> Incomplete: ...
