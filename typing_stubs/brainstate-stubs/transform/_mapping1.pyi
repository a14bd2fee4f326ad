# Stubs for brainstate.transform._mapping1 (brainstate 0.5.4): vmap.
# As jax.vmap is typed, `vmap(f)` keeps f's signature (the batch axis is not in the types);
# without a function it is a decorator.
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar, overload

from _typeshed import Incomplete

_F = TypeVar("_F", bound=Callable[..., Any])

@overload
def vmap(
    fn: _F,
    *,
    in_axes: int | Sequence[Any] | None = 0,
    out_axes: Any = 0,
    axis_name: Hashable | None = None,
    axis_size: int | None = None,
    spmd_axis_name: Hashable | tuple[Hashable, ...] | None = None,
    in_states: Any = None,
    out_states: Any = None,
) -> _F: ...
@overload
def vmap(
    *,
    in_axes: int | Sequence[Any] | None = 0,
    out_axes: Any = 0,
    axis_name: Hashable | None = None,
    axis_size: int | None = None,
    spmd_axis_name: Hashable | tuple[Hashable, ...] | None = None,
    in_states: Any = None,
    out_states: Any = None,
) -> Callable[[_F], _F]: ...
def __getattr__(name: str) -> Incomplete: ...
