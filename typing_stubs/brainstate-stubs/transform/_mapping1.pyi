# Stubs for brainstate.transform._mapping1 (brainstate 0.5.4): vmap.
# As jax.vmap is typed, `vmap(f)` keeps f's signature (the batch axis is not in the types);
# without a function it is a decorator. Both forms take the same keyword-only options.
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypedDict, TypeVar, overload

from _typeshed import Incomplete
from typing_extensions import Unpack

_F = TypeVar("_F", bound=Callable[..., Any])

class _VmapOptions(TypedDict, total=False):
    in_axes: int | Sequence[Any] | None
    out_axes: Any
    axis_name: Hashable | None
    axis_size: int | None
    spmd_axis_name: Hashable | tuple[Hashable, ...] | None
    in_states: Any
    out_states: Any

@overload
def vmap(fn: _F, **options: Unpack[_VmapOptions]) -> _F: ...
@overload
def vmap(**options: Unpack[_VmapOptions]) -> Callable[[_F], _F]: ...
def __getattr__(name: str) -> Incomplete: ...
