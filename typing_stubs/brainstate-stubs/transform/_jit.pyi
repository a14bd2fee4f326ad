# Stubs for brainstate.transform._jit (brainstate 0.5.4).
# `jit(f)` returns a JittedFunction with f's own signature, so a decorated function keeps
# its argument and return types; `jit(static_argnums=...)` without a function is a decorator.
# Both forms take the same options, keyword-only as in jax.jit; the extra keyword arguments
# brainstate forwards to jax.jit are jax.jit's own (compiler_options).
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypedDict, TypeVar, overload

from _typeshed import Incomplete
from typing_extensions import ParamSpec, Unpack

_P = ParamSpec("_P")
_R = TypeVar("_R")

class JittedFunction(Generic[_P, _R]):
    origin_fun: Callable[_P, _R]
    stateful_fun: Incomplete
    jitted_fun: Incomplete
    clear_cache: Callable[[], None]
    eval_shape: Callable[..., Incomplete]
    lower: Callable[..., Incomplete]
    trace: Callable[..., Incomplete]
    compile: Callable[..., Incomplete]
    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...

class _JitOptions(TypedDict, total=False):
    in_shardings: Any
    out_shardings: Any
    static_argnums: int | Sequence[int] | None
    donate_argnums: int | Sequence[int] | None
    static_argnames: str | Sequence[str] | None
    donate_argnames: str | Iterable[str] | None
    keep_unused: bool
    device: Any
    backend: str | None
    inline: bool
    name: str | None
    compiler_options: dict[str, Any] | None  # the one jax.jit option brainstate forwards

@overload
def jit(fun: Callable[_P, _R], **options: Unpack[_JitOptions]) -> JittedFunction[_P, _R]: ...
@overload
def jit(**options: Unpack[_JitOptions]) -> Callable[[Callable[_P, _R]], JittedFunction[_P, _R]]: ...
