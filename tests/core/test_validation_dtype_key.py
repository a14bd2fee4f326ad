"""The dtype and random-key rules (``as_dtype``, ``as_key``) and the one interval type of
``core._validation``, directly and through the optimizers that take such arguments.

Numerics are checked against optax 0.2.8 (the reference for ``core.optim``): a valid dtype or
key given in any accepted spelling gives optax's result for the canonical one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from core import optim
from core._validation import Bounds, as_dtype, as_float, as_key, check_real


def _id(value: Any) -> str | None:
    """A test id the same in every process (pytest-xdist compares them): the value's repr
    without memory addresses; ``None`` (pytest's numbered default) for a function."""
    if callable(value) and not isinstance(value, type):
        return None
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


# -- as_dtype -------------------------------------------------------------------------------
DEFAULT_FLOAT = jax.dtypes.canonicalize_dtype(jnp.float64)  # float32 unless x64 is enabled


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (jnp.float32, jnp.float32),
        (jnp.bfloat16, jnp.bfloat16),
        (np.float16, jnp.float16),
        ("float32", jnp.float32),
        ("bfloat16", jnp.bfloat16),
        (np.dtype("float16"), jnp.float16),
        (float, DEFAULT_FLOAT),
        (jnp.float64, DEFAULT_FLOAT),
        (jnp.complex64, jnp.complex64),
    ],
    ids=_id,
)
def test_as_dtype_returns_the_canonical_numpy_dtype(value: Any, expected: Any) -> None:
    dtype = as_dtype("mu_dtype", value)
    assert isinstance(dtype, np.dtype)
    assert dtype == np.dtype(expected)


def test_as_dtype_passes_none_through() -> None:
    assert as_dtype("mu_dtype", None) is None


@pytest.mark.parametrize(
    "value",
    ["nonsense", 3, 1.5, True, ["abc"], object(), jnp.int32, "int8", bool, np.ones(2, np.float32)],
    ids=_id,
)
def test_as_dtype_refuses_what_is_not_a_floating_dtype(value: Any) -> None:
    with pytest.raises(TypeError, match=r"^mu_dtype must be a floating dtype .*, or None; got"):
        as_dtype("mu_dtype", value)


def test_as_dtype_floating_kind_refuses_complex() -> None:
    assert as_dtype("dtype", jnp.complex64) == np.dtype(np.complex64)
    with pytest.raises(TypeError, match=r"^dtype must be a floating dtype such as jnp.float32 "
                       r"or jnp.bfloat16, or None; got .*complex64"):  # fmt: skip
        as_dtype("dtype", jnp.complex64, kind="floating")


# -- as_key ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, -3, np.int64(5), np.uint32(7), jnp.array(3)], ids=_id)
def test_as_key_returns_a_concrete_seed_as_int(seed: Any) -> None:
    out = as_key("key", seed)
    assert type(out) is int and out == int(seed)


@pytest.mark.parametrize(
    "key",
    [jax.random.key(1), jax.random.PRNGKey(1), np.array([0, 1], np.uint32)],
    ids=["typed", "legacy", "legacy-numpy"],
)
def test_as_key_returns_a_key_unchanged(key: Any) -> None:
    assert as_key("key", key) is key


def test_as_key_takes_the_legacy_key_shape_of_the_current_prng_implementation() -> None:
    threefry = np.zeros(2, np.uint32)
    assert as_key("key", threefry) is threefry
    with jax.default_prng_impl("rbg"):  # legacy rbg keys are uint32[4]
        rbg = np.zeros(4, np.uint32)
        assert as_key("key", rbg) is rbg
        with pytest.raises(ValueError, match=r"a legacy key has shape \(4,\), got .*\(2,\)"):
            as_key("key", threefry)


def test_as_key_accepts_traced_seeds_and_keys() -> None:
    seed_out = jax.jit(lambda s: jnp.asarray(as_key("key", s)))(3)
    assert int(seed_out) == 3
    key_out = jax.jit(lambda k: as_key("key", k))(jax.random.key(2))
    np.testing.assert_array_equal(jax.random.key_data(key_out), jax.random.PRNGKey(2))


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1.5, TypeError),
        ("abc", TypeError),
        (None, TypeError),
        (["abc"], TypeError),
        (True, TypeError),
        (np.bool_(False), TypeError),
        (jnp.array(1.0), TypeError),
        (np.array([0, 1], np.int32), TypeError),
        (np.ones(2, np.float32), TypeError),
        (2**63, ValueError),
        (-(2**63) - 1, ValueError),
        (jax.random.split(jax.random.key(0)), ValueError),
        (np.array([0, 1, 2], np.uint32), ValueError),
    ],
    ids=_id,
)
def test_as_key_refuses_what_is_neither_a_seed_nor_one_key(value: Any, error: type) -> None:
    with pytest.raises(error, match=r"^key must be "):
        as_key("key", value)


# -- through the constructors ---------------------------------------------------------------
DTYPE_BUILDERS: list[tuple[str, Callable[..., Any], str]] = [
    ("scale_by_adam", optim.scale_by_adam, "mu_dtype"),
    ("adam", lambda **kw: optim.adam(0.1, **kw), "mu_dtype"),
    ("adamw", lambda **kw: optim.adamw(0.1, **kw), "mu_dtype"),
    ("nadam", lambda **kw: optim.nadam(0.1, **kw), "mu_dtype"),
    ("amsgrad", lambda **kw: optim.amsgrad(0.1, **kw), "mu_dtype"),
    ("lion", lambda **kw: optim.lion(0.1, **kw), "mu_dtype"),
    ("scale_by_lion", optim.scale_by_lion, "mu_dtype"),
    ("scale_by_novograd", optim.scale_by_novograd, "mu_dtype"),
    ("trace", lambda **kw: optim.trace(0.9, **kw), "accumulator_dtype"),
    ("ema", lambda **kw: optim.ema(0.9, **kw), "accumulator_dtype"),
    ("sgd", lambda **kw: optim.sgd(0.1, **kw), "accumulator_dtype"),  # no momentum: unused
    ("adafactor", lambda **kw: optim.adafactor(0.1, **kw), "dtype_momentum"),  # idem
]


@pytest.mark.parametrize(("name", "build", "argument"), DTYPE_BUILDERS, ids=_id)
@pytest.mark.parametrize("bad", ["nonsense", 3, jnp.int32], ids=_id)
def test_constructors_refuse_a_bad_dtype_when_built(
    name: str, build: Callable[..., Any], argument: str, bad: Any
) -> None:
    with pytest.raises(TypeError, match=rf"^{argument} must be a floating dtype"):
        build(**{argument: bad})


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda d: optim.adam(0.1, mu_dtype=d), lambda s: s.inner_state[0].mu),
        (lambda d: optim.lion(0.1, mu_dtype=d), lambda s: s.inner_state[0].mu),
        (lambda d: optim.scale_by_novograd(mu_dtype=d), lambda s: s.mu),
        (
            lambda d: optim.sgd(0.1, momentum=0.9, accumulator_dtype=d),
            lambda s: s.inner_state[0].trace,
        ),
        (lambda d: optim.ema(0.9, accumulator_dtype=d), lambda s: s.ema),
        (
            lambda d: optim.adafactor(0.1, momentum=0.9, dtype_momentum=d),
            lambda s: s.inner_state[4].ema,
        ),
    ],
    ids=["adam", "lion", "scale_by_novograd", "sgd", "ema", "adafactor"],
)
def test_accumulators_take_the_given_dtype(
    build: Callable[[Any], Any], field: Callable[[Any], Any]
) -> None:
    params = jnp.ones((2, 3), jnp.float32)
    assert field(build("bfloat16").init(params)).dtype == jnp.bfloat16
    assert field(build(None).init(params)).dtype == jnp.float32  # None: the parameter's dtype


def _descend(
    tx: Any, params: Any, steps: int = 3, *, promotion: Literal["standard", "strict"] = "strict"
) -> Any:
    """The parameters after ``steps`` steps of ``tx`` on ``sum(|w|^2)`` (gradient ``2 conj(w)``);
    optax runs under standard promotion, which it relies on."""
    with jax.numpy_dtype_promotion(promotion):
        state = tx.init(params)
        for _ in range(steps):
            updates, state = tx.update(jax.tree.map(lambda w: 2 * jnp.conj(w), params), state)
            params = optax.apply_updates(params, updates)
    return params


def _assert_equal_to(reference: Any, *results: Any, rtol: float = 1e-6) -> None:
    for ours in results:
        jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=rtol), ours, reference)


PARAMS = {"w": jnp.array([1.0, -2.0, 0.5]), "b": jnp.array(0.3)}


def test_adam_with_a_float32_moment_in_any_spelling_equals_optax() -> None:
    spellings = [jnp.float32, "float32", np.float32, np.dtype("float32"), float, jnp.float64]
    reference = _descend(optax.adam(0.1, mu_dtype=jnp.float32), PARAMS, promotion="standard")
    _assert_equal_to(reference, *(_descend(optim.adam(0.1, mu_dtype=d), PARAMS) for d in spellings))


def test_adam_with_a_bfloat16_moment_in_any_spelling_is_near_optax() -> None:
    # ours computes the step from the float32 moment before storing it in bfloat16 (see
    # core.optim._tree.ema), optax from the stored one: they differ by bfloat16 rounding
    spellings = [jnp.bfloat16, "bfloat16", np.dtype(jnp.bfloat16)]
    reference = _descend(optax.adam(0.1, mu_dtype=jnp.bfloat16), PARAMS, promotion="standard")
    results = [_descend(optim.adam(0.1, mu_dtype=d), PARAMS) for d in spellings]
    _assert_equal_to(results[0], *results[1:])
    for ours in results:
        jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=2e-3), ours, reference)


def test_adam_on_complex_params_with_a_complex_moment_equals_optax() -> None:
    # both keep the second moment complex (like the parameters) and add a real |g|^2 to it:
    # a promotion strict mode refuses, so both run under standard promotion
    params = jnp.array([1.0 + 1.0j, -2.0 + 0.5j], jnp.complex64)
    reference = _descend(optax.adam(0.1, mu_dtype=jnp.complex64), params, promotion="standard")
    ours = _descend(optim.adam(0.1, mu_dtype=jnp.complex64), params, promotion="standard")
    _assert_equal_to(reference, ours, rtol=1e-5)


KEY_BUILDERS = [
    ("add_noise", lambda key: optim.add_noise(0.1, 0.55, key=key)),
    ("noisy_sgd", lambda key: optim.noisy_sgd(0.1, key=key)),
]


@pytest.mark.parametrize(("name", "build"), KEY_BUILDERS, ids=_id)
@pytest.mark.parametrize("bad", [1.5, "abc", None, np.array([0, 1, 2], np.uint32)], ids=_id)
def test_constructors_refuse_a_bad_key_when_built(
    name: str, build: Callable[[Any], Any], bad: Any
) -> None:
    with pytest.raises((TypeError, ValueError), match=r"^key must be "):
        build(bad)


@pytest.mark.parametrize(
    "key",
    [3, np.int64(3), jnp.array(3), jax.random.key(3), jax.random.PRNGKey(3)],
    ids=["int", "numpy-int", "0d-array", "typed", "legacy"],
)
def test_noisy_sgd_with_any_key_spelling_equals_optax(key: Any) -> None:
    params = {"w": jnp.array([1.0, -2.0, 0.5])}
    reference = _descend(optax.noisy_sgd(0.1, key=3), params, 2, promotion="standard")
    _assert_equal_to(reference, _descend(optim.noisy_sgd(0.1, key=key), params, 2))


def test_add_noise_seed_traced_inside_jit() -> None:
    def first_key(seed: jax.Array) -> jax.Array:
        state = optim.add_noise(0.1, 0.55, key=seed).init(jnp.zeros(2))
        return jax.random.key_data(state.rng_key)

    np.testing.assert_array_equal(jax.jit(first_key)(jnp.array(4)), jax.random.PRNGKey(4))


# -- the interval type ----------------------------------------------------------------------
def test_bounds_as_a_dict_equal_the_keywords() -> None:
    unit: Bounds = {"low": 0, "high": 1, "high_open": True}
    assert as_float("b1", 0.5, **unit) == as_float("b1", 0.5, low=0, high=1, high_open=True)
    with pytest.raises(ValueError, match=r"^b1 must be a finite number in \[0, 1\), got 1.0$"):
        check_real("b1", 1.0, **unit)


def test_an_unknown_bound_is_refused() -> None:
    with pytest.raises(TypeError, match=r"unexpected interval bound\(s\) \['lo'\]"):
        check_real("x", 1.0, lo=0)  # type: ignore[call-arg]
