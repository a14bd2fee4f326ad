# Stubs for brainstate.transform._jit (brainstate 0.5.4).
# `jit(f)` returns a JittedFunction with f's own signature, so a decorated function keeps
# its argument and return types; `jit(static_argnums=...)` without a function is a decorator.
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar, overload

from _typeshed import Incomplete
from typing_extensions import ParamSpec

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

@overload
def jit(
    fun: Callable[_P, _R],
    in_shardings: Any = ...,
    out_shardings: Any = ...,
    static_argnums: int | Sequence[int] | None = None,
    donate_argnums: int | Sequence[int] | None = None,
    static_argnames: str | Sequence[str] | None = None,
    donate_argnames: str | Iterable[str] | None = None,
    keep_unused: bool = False,
    device: Any = None,
    backend: str | None = None,
    inline: bool = False,
    name: str | None = None,
    **kwargs: Any,
) -> JittedFunction[_P, _R]: ...
@overload
def jit(
    *,
    in_shardings: Any = ...,
    out_shardings: Any = ...,
    static_argnums: int | Sequence[int] | None = None,
    donate_argnums: int | Sequence[int] | None = None,
    static_argnames: str | Sequence[str] | None = None,
    donate_argnames: str | Iterable[str] | None = None,
    keep_unused: bool = False,
    device: Any = None,
    backend: str | None = None,
    inline: bool = False,
    name: str | None = None,
    **kwargs: Any,
) -> Callable[[Callable[_P, _R]], JittedFunction[_P, _R]]: ...
