# Stubs for brainstate.transform._grad_checkpoint (brainstate 0.5.4): checkpoint / remat
# keep the function's signature; without a function they are decorators.
from collections.abc import Callable
from typing import Any, TypeVar, overload

_F = TypeVar("_F", bound=Callable[..., Any])

@overload
def checkpoint(
    fun: _F,
    *,
    prevent_cse: bool = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
) -> _F: ...
@overload
def checkpoint(
    *,
    prevent_cse: bool = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
) -> Callable[[_F], _F]: ...

remat = checkpoint
