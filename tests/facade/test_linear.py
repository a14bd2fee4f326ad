"""facade.nn.Linear / KaimingNormal: brainstate's Linear with host-drawn weights."""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import facade as braintools
from facade.nn import KaimingNormal, Linear

SHAPE = (300, 200)


@pytest.mark.parametrize(("mode", "n"), [("fan_in", 300.0), ("fan_out", 200.0), ("fan_avg", 250.0)])
@pytest.mark.parametrize("scale", [2.0, 1.0])
def test_samples_follow_the_truncated_normal_of_the_closed_form_variance(
    mode: str, n: float, scale: float
) -> None:
    w = np.asarray(KaimingNormal(scale, mode, seed=1)(SHAPE), np.float64)  # type: ignore[arg-type]
    std = np.sqrt(scale / n)
    reference = stats.truncnorm(-2.0, 2.0, scale=std / 0.87962566103423978)
    assert w.std() == pytest.approx(std, rel=0.01)
    assert abs(w.mean()) < 3 * std / np.sqrt(w.size)
    assert np.abs(w).max() <= reference.support()[1]
    assert stats.kstest(w.ravel(), reference.cdf).pvalue > 1e-3


def test_dtype_follows_argument_and_brainstate_environ() -> None:
    assert KaimingNormal(seed=0)((4, 5)).dtype == jnp.float32
    assert KaimingNormal(seed=0)((4, 5), dtype=jnp.bfloat16).dtype == jnp.bfloat16


def test_weights_are_reproducible_from_brainstate_seed() -> None:
    def build() -> tuple[np.ndarray, np.ndarray]:
        brainstate.random.seed(7)
        a, b = Linear(20, 30), Linear(20, 30)
        return np.asarray(a.weight.value["weight"]), np.asarray(b.weight.value["weight"])

    first, second = build(), build()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], first[1])  # each layer draws a fresh key


def test_own_seed_gives_own_stream() -> None:
    a, b = KaimingNormal(seed=3), KaimingNormal(seed=3)
    np.testing.assert_array_equal(np.asarray(a((5, 6))), np.asarray(b((5, 6))))
    assert not np.array_equal(np.asarray(a((5, 6))), np.asarray(KaimingNormal(seed=3)((5, 6))))


def test_is_brainstate_linear_and_computes_x_w_plus_b() -> None:
    layer = Linear(4, 3, b_init=0.5)
    assert isinstance(layer, brainstate.nn.Linear)
    params = layer.weight.value
    np.testing.assert_array_equal(np.asarray(params["bias"]), np.full(3, 0.5, np.float32))
    x = jnp.arange(8.0).reshape(2, 4)
    expected = np.asarray(x) @ np.asarray(params["weight"]) + 0.5
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-6)


@pytest.mark.parametrize("x_shape", [(4,), (2, 4), (5, 2, 4), (3, 5, 2, 4)])
@pytest.mark.parametrize("masked", [False, True])
def test_update_equals_brainstates_for_any_leading_axes(
    x_shape: tuple[int, ...], masked: bool
) -> None:
    mask = np.tril(np.ones((4, 3), np.float32)) if masked else None
    ours = Linear(4, 3, b_init=0.25, w_mask=mask)
    theirs = brainstate.nn.Linear(4, 3, w_init=ours.weight.value["weight"], w_mask=mask)
    theirs.weight.value = dict(ours.weight.value)
    x = jnp.asarray(np.random.default_rng(0).normal(size=x_shape), jnp.float32)
    y = ours(x)
    assert y.shape == (*x_shape[:-1], 3)
    np.testing.assert_allclose(np.asarray(y), np.asarray(theirs(x)), rtol=1e-6, atol=1e-6)
    w = np.asarray(ours.weight.value["weight"]) * (1 if mask is None else mask)
    np.testing.assert_allclose(np.asarray(y), np.asarray(x) @ w + 0.25, rtol=1e-5, atol=1e-6)


def test_tuple_sizes_equal_brainstates() -> None:
    ours = Linear((3, 4), (3, 5))
    theirs = brainstate.nn.Linear((3, 4), (3, 5), w_init=ours.weight.value["weight"])
    x = jnp.asarray(np.random.default_rng(1).normal(size=(7, 3, 4)), jnp.float32)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6)


def test_inputs_with_units_take_brainstates_update() -> None:
    import brainunit as u

    layer = Linear(4, 3)
    y = layer(jnp.ones((5, 2, 4)) * u.mV)
    assert isinstance(y, u.Quantity)
    assert y.shape == (5, 2, 3)


def test_weights_follow_brainstate_precision() -> None:
    with brainstate.environ.context(precision=64):
        layer = Linear(4, 3, b_init=0.5)
        assert layer.weight.value["weight"].dtype == jnp.float64
        assert layer.weight.value["bias"].dtype == jnp.float64
    with brainstate.environ.context(precision="bf16"):
        assert Linear(4, 3).weight.value["weight"].dtype == jnp.bfloat16


def test_accepts_brainstate_initializers_arrays_and_no_bias() -> None:
    w = jnp.ones((4, 3))
    layer = Linear(4, 3, w_init=w, b_init=brainstate.nn.init.Constant(2.0))
    np.testing.assert_array_equal(np.asarray(layer.weight.value["weight"]), np.ones((4, 3)))
    np.testing.assert_array_equal(np.asarray(layer.weight.value["bias"]), np.full(3, 2.0))
    assert set(Linear(4, 3, b_init=None).weight.value) == {"weight"}
    # and brainstate's own Linear takes ours as an initializer
    assert brainstate.nn.Linear(4, 3, w_init=KaimingNormal()).weight.value["weight"].shape == (4, 3)


def test_trains_through_facade_grad() -> None:
    layer = Linear(4, 2)
    params = layer.states(brainstate.ParamState)
    x = jnp.ones((3, 4))

    def loss_fn() -> jax.Array:
        return jnp.sum(layer(x) ** 2)

    grads = braintools.transform.grad(loss_fn, params)()
    (grad,) = grads.values()
    weight, bias = layer.weight.value["weight"], layer.weight.value["bias"]
    y = x @ weight + bias
    np.testing.assert_allclose(np.asarray(grad["weight"]), np.asarray(x.T @ (2 * y)), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(grad["bias"]), np.asarray((2 * y).sum(0)), rtol=1e-5)


def test_construction_compiles_no_xla_program(xla_compilations: list[str]) -> None:
    Linear(3, 4)  # the first key split of the process may compile
    xla_compilations.clear()
    Linear(37, 53)
    Linear(53, 11, b_init=0.1)
    assert xla_compilations == []
    brainstate.nn.Linear(41, 17)  # brainstate's eager initializer, for contrast
    assert xla_compilations


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"in_size": 0, "out_size": 3}, ValueError, "in_size must hold positive ints"),
        ({"in_size": 3, "out_size": -1}, ValueError, "out_size must hold positive ints"),
        ({"in_size": (), "out_size": 3}, ValueError, "in_size"),
        ({"in_size": 2.5, "out_size": 3}, TypeError, "in_size must be an int"),
        ({"in_size": True, "out_size": 3}, TypeError, "in_size must be an int"),
        ({"in_size": (2, 3), "out_size": (4, 5)}, ValueError, "leading dimensions"),
        ({"in_size": 3, "out_size": 4, "w_init": jnp.ones((4, 3))}, ValueError, "shape"),
    ],
)
def test_bad_sizes_raise_naming_the_argument(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Linear(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "shape", "error", "match"),
    [
        ({"scale": 0.0}, (3, 4), ValueError, "scale must be a finite number > 0"),
        ({"scale": "2"}, (3, 4), TypeError, "scale"),
        ({"mode": "fan"}, (3, 4), ValueError, "mode must be"),
        ({"seed": 1.5}, (3, 4), TypeError, "seed must be an int"),
        ({}, (5,), ValueError, "at least 2|>= 2 dimensions"),
        ({}, (5, 0), ValueError, "shape must hold positive ints"),
    ],
)
def test_kaiming_bad_input(
    kwargs: dict[str, object], shape: tuple[int, ...], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        KaimingNormal(**kwargs)(shape)  # type: ignore[arg-type]


def test_bad_input_leaves_brainstate_random_state_alone() -> None:
    brainstate.random.seed(11)
    before = np.asarray(jax.random.key_data(brainstate.random.DEFAULT.value))
    with pytest.raises(ValueError):
        Linear(3, 0)
    with pytest.raises(ValueError):
        KaimingNormal()((5,))
    with pytest.raises(ValueError, match="b_init must broadcast"):
        Linear(4, 3, b_init=jnp.ones(7))
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        KaimingNormal()((3, 4), dtype="not a dtype")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="b_init must be a real number"):
        Linear(4, 3, b_init=1j)  # type: ignore[arg-type]
    after = np.asarray(jax.random.key_data(brainstate.random.DEFAULT.value))
    np.testing.assert_array_equal(before, after)


def test_building_inside_a_brainstate_trace_says_what_to_do() -> None:
    with pytest.raises(TypeError, match="build the network outside"):
        brainstate.transform.jit(lambda: Linear(3, 2).weight.value["weight"])()
