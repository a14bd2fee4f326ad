# Stubs for brainstate._utils (brainstate 0.5.4).
# `set_module_as` only renames a function's __module__; typing it as returning its argument
# unchanged lets mypy see the inline annotations of every brainstate function it decorates
# (brainstate.random.*, brainstate.nn.init_all_states, brainstate.transform.for_loop, ...).
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

def set_module_as(module: str) -> Callable[[_F], _F]: ...
def deprecation_getattr(module: str, deprecations: dict[str, Any]) -> Callable[[str], Any]: ...
