"""core.init: host-drawn Kaiming-normal weights against closed forms and scipy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from core import init

SHAPE = (300, 200)
TRUNCATED_STD = 0.87962566103423978


def test_truncation_constant_is_the_std_of_the_truncated_standard_normal() -> None:
    assert stats.truncnorm(-2.0, 2.0).std() == pytest.approx(TRUNCATED_STD, 1e-12)


@pytest.mark.parametrize(("mode", "n"), [("fan_in", 300.0), ("fan_out", 200.0), ("fan_avg", 250.0)])
@pytest.mark.parametrize("scale", [2.0, 1.0])
def test_samples_follow_the_truncated_normal_of_the_closed_form_variance(
    mode: init.Mode, n: float, scale: float
) -> None:
    w = np.asarray(init.KaimingNormal(scale, mode)(jax.random.key(1), SHAPE), np.float64)
    std = np.sqrt(scale / n)
    reference = stats.truncnorm(-2.0, 2.0, scale=std / TRUNCATED_STD)
    assert w.std() == pytest.approx(std, rel=0.01)
    assert abs(w.mean()) < 4 * std / np.sqrt(w.size)
    assert np.abs(w).max() <= reference.support()[1]
    assert stats.kstest(w.ravel(), reference.cdf).pvalue > 1e-3


def test_same_distribution_as_jax_he_normal() -> None:
    """Two-sample KS test against jax.nn.initializers.he_normal (the JAX reference)."""
    ours = np.asarray(init.kaiming_normal()(jax.random.key(2), SHAPE)).ravel()
    theirs = np.asarray(jax.nn.initializers.he_normal()(jax.random.key(3), SHAPE)).ravel()
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3


def test_receptive_field_multiplies_the_fans() -> None:
    w = np.asarray(init.kaiming_normal()(jax.random.key(0), (3, 3, 40, 30)))  # 9 * 40 fan-in
    assert w.std() == pytest.approx(np.sqrt(2.0 / 360.0), rel=0.03)


def test_key_determines_the_draw() -> None:
    he = init.kaiming_normal()
    a = np.asarray(he(jax.random.key(5), (6, 7)))
    np.testing.assert_array_equal(a, np.asarray(he(jax.random.key(5), (6, 7))))
    np.testing.assert_array_equal(a, np.asarray(he(jax.random.PRNGKey(5), (6, 7))))  # same bits
    assert not np.array_equal(a, np.asarray(he(jax.random.key(6), (6, 7))))
    k1, k2 = jax.random.split(jax.random.key(5))
    assert not np.array_equal(np.asarray(he(k1, (6, 7))), np.asarray(he(k2, (6, 7))))


def test_numpy_generator_is_advanced() -> None:
    rng = np.random.default_rng(0)
    he = init.kaiming_normal()
    assert not np.array_equal(np.asarray(he(rng, (4, 4))), np.asarray(he(rng, (4, 4))))


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16, jnp.float16])
def test_dtype(dtype: jnp.dtype) -> None:
    w = init.kaiming_normal()(jax.random.key(0), (200, 100), dtype)
    assert w.dtype == dtype
    assert isinstance(w, jax.Array)
    assert float(jnp.std(w.astype(jnp.float32))) == pytest.approx(np.sqrt(2 / 200), rel=0.03)


def test_default_dtype_is_jax_default_float() -> None:
    assert init.kaiming_normal()(jax.random.key(0), (3, 4)).dtype == jnp.zeros(()).dtype
    with jax.enable_x64(True):
        assert init.kaiming_normal()(jax.random.key(0), (3, 4)).dtype == jnp.float64


def test_is_a_static_equinox_module_usable_as_a_field() -> None:
    he = init.KaimingNormal(1.0, "fan_out")
    assert jax.tree.leaves(he) == []
    assert he == init.kaiming_normal(1.0, "fan_out")
    assert hash(he) == hash(init.kaiming_normal(1.0, "fan_out"))


def test_draw_compiles_no_xla_program(xla_compilations: list[str]) -> None:
    key = jax.random.key(0)
    xla_compilations.clear()
    init.kaiming_normal()(key, (37, 53))
    init.kaiming_normal(1.0, "fan_avg")(key, (53, 11))
    assert xla_compilations == []
    jax.nn.initializers.he_normal()(key, (41, 17))  # for contrast: jax.random compiles
    assert xla_compilations


def test_under_jit_raises_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"outside jax\.jit"):
        jax.jit(lambda k: init.kaiming_normal()(k, (3, 4)))(jax.random.key(0))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scale": 0.0}, ValueError, "scale must be a finite number > 0, got 0.0"),
        ({"scale": -1}, ValueError, "scale must be a finite number > 0, got -1"),
        ({"scale": "2"}, TypeError, "scale must be a real number, got '2' of type str"),
        ({"scale": True}, TypeError, "scale must be a real number, got True of type bool"),
        ({"scale": float("inf")}, ValueError, "scale must be a finite number > 0, got inf"),
        ({"mode": "fan"}, ValueError, "mode must be one of 'fan_in', 'fan_out', 'fan_avg'"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        init.KaimingNormal(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "shape", "error", "match"),
    [
        (jax.random.key(0), (5,), ValueError, r"shape must have at least 2 dimensions, got \(5,\)"),
        (jax.random.key(0), (5, 0), ValueError, r"shape must hold positive ints, got \(5, 0\)"),
        (jax.random.key(0), 5, TypeError, "shape must be a sequence of ints, got 5"),
        (jax.random.key(0), (2.5, 3), TypeError, "shape must be a sequence of ints"),
        (jax.random.key(0), (True, 3), TypeError, "shape must be a sequence of ints"),
        (0, (3, 4), TypeError, "key must be a JAX random key"),
        (jnp.zeros(2), (3, 4), TypeError, "key must be a JAX random key"),
        (jax.random.split(jax.random.key(0)), (3, 4), ValueError, "single key"),
        (jnp.zeros(5, jnp.uint32), (3, 4), TypeError, "key must be a JAX random key"),
    ],
)
def test_bad_call(key: object, shape: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        init.kaiming_normal()(key, shape)  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", [jnp.int32, "bool", "not a dtype"])
def test_non_float_dtype_is_refused(dtype: object) -> None:
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        init.kaiming_normal()(jax.random.key(0), (3, 4), dtype)  # type: ignore[arg-type]
