"""Strict test configuration shared by the whole suite.

* dtype promotion is ``strict``: mixing ``float16`` and ``float32`` arrays (or
  any implicit promotion) raises, so a kernel that silently upcasts fails here;
* every warning is an error (``filterwarnings = ["error"]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import jax

jax.config.update("jax_numpy_dtype_promotion", "strict")
