"""Property test: spikes and surrogate gradients are finite for any finite input, any dtype."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from jax import Array

from core.surrogate import Surrogate, catalogue

SIZE = 16
DTYPES = {"float16": np.float16, "bfloat16": ml_dtypes.bfloat16, "float32": np.float32}
DTYPES_X64 = {"float64": np.float64}


@cache
def compiled(cls: type[Surrogate], smooth: bool) -> Callable[[Array], tuple[Array, Array]]:
    spike = cls(smooth_forward=smooth)
    return jax.jit(lambda x: (spike(x), jax.grad(lambda v: spike(v).sum())(x)))


def largest_finite(dtype: Any) -> float:
    return float(ml_dtypes.finfo(dtype).max)


@st.composite
def inputs(draw: st.DrawFn, dtypes: dict[str, Any]) -> tuple[np.ndarray, Any]:
    name = draw(st.sampled_from(sorted(dtypes)))
    dtype = dtypes[name]
    bound = min(1e30, largest_finite(dtype))
    magnitude = st.one_of(
        st.floats(-bound, bound, allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, -0.0, bound, -bound, 1e-30, -1e-30, 1.0, -1.0]),
    )
    values = draw(st.lists(magnitude, min_size=SIZE, max_size=SIZE))
    return np.clip(np.asarray(values, np.float64), -bound, bound).astype(dtype), dtype


def check_finite(cls: type[Surrogate], x: np.ndarray, smooth: bool) -> None:
    value, grad = compiled(cls, smooth)(jnp.asarray(x))
    assert value.dtype == x.dtype and grad.dtype == x.dtype
    assert np.all(np.isfinite(np.asarray(value, np.float64))), (cls.__name__, x, value)
    assert np.all(np.isfinite(np.asarray(grad, np.float64))), (cls.__name__, x, grad)


@settings(max_examples=150, deadline=None)
@given(
    cls=st.sampled_from(catalogue()),
    smooth=st.booleans(),
    data=inputs(DTYPES),
)
def test_finite_in_half_and_single_precision(
    cls: type[Surrogate], smooth: bool, data: tuple[np.ndarray, Any]
) -> None:
    x, _ = data
    check_finite(cls, x, smooth)


@settings(max_examples=40, deadline=None)
@given(cls=st.sampled_from(catalogue()), smooth=st.booleans(), data=inputs(DTYPES_X64))
def test_finite_in_double_precision(
    cls: type[Surrogate], smooth: bool, data: tuple[np.ndarray, Any]
) -> None:
    x, _ = data
    with jax.enable_x64(True):
        value, grad = jax.jit(
            lambda v: (cls(smooth_forward=smooth)(v), jax.grad(lambda u: cls()(u).sum())(v))
        )(jnp.asarray(x))
        assert value.dtype == jnp.float64
        assert np.all(np.isfinite(np.asarray(value))) and np.all(np.isfinite(np.asarray(grad)))


def test_every_surrogate_at_the_edges_of_every_dtype() -> None:
    """The deterministic worst cases, for every class and dtype, whatever hypothesis draws."""
    for dtype in DTYPES.values():
        bound = min(1e30, largest_finite(dtype))
        x = np.asarray([-bound, -1e4, -1.0, -1e-30, 0.0, 1e-30, 1.0, 1e4, bound], np.float64)
        x = np.clip(x, -bound, bound).astype(dtype)
        for cls in catalogue():
            for smooth in (False, True):
                check_finite(cls, x, smooth)
