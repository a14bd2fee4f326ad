# Stubs for brainstate.transform._grad_transform (brainstate 0.5.4).
# A GradientTransform is generic in what a call returns: the gradients, or a tuple of the
# gradients with the value and/or the auxiliary data (see brainstate.transform.grad).
from collections.abc import Callable
from typing import Any, Generic

from typing_extensions import TypeVar as TypeVarDefault

_T_co = TypeVarDefault("_T_co", covariant=True, default=Any)

class GradientTransform(Generic[_T_co]):
    target: Callable[..., Any]
    def __init__(
        self,
        target: Callable[..., Any],
        transform: Callable[..., Any],
        grad_states: Any = None,
        argnums: int | tuple[int, ...] | list[int] | None = None,
        return_value: bool = False,
        has_aux: bool = False,
        transform_params: dict[str, Any] | None = None,
        check_states: bool = True,
        debug_nan: bool = False,
    ) -> None: ...
    def __call__(self, *args: Any, **kwargs: Any) -> _T_co: ...
