"""Strict test configuration shared by the whole suite.

* dtype promotion is ``strict``: mixing ``float16`` and ``float32`` arrays (or
  any implicit promotion) raises, so a kernel that silently upcasts fails here;
* every warning is an error (``filterwarnings = ["error"]`` in ``pyproject.toml``).

The ``xla_compilations`` fixture records every XLA compilation while a test runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import jax
import pytest
from jax import monitoring

jax.config.update("jax_numpy_dtype_promotion", "strict")


@pytest.fixture
def xla_compilations() -> Iterator[list[str]]:
    """A list that receives one entry per XLA backend compilation during the test."""
    events: list[str] = []

    def listen(event: str, duration_secs: float, **kwargs: str | int) -> None:
        if "backend_compile" in event:
            events.append(event)

    monitoring.register_event_duration_secs_listener(listen)
    try:
        yield events
    finally:
        monitoring.unregister_event_duration_listener(listen)
