"""Behaviour of the surrogate spike functions under JAX transformations and options."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import Array

import facade
from core import surrogate
from core.surrogate import Sigmoid, Surrogate
from tests.reference.surrogate_formulas import FORMULAS

CATALOGUE = surrogate.catalogue()
X = jnp.asarray(np.linspace(-2.5, 2.5, 41) + 0.0113, jnp.float32)


def hyperparameter_names(instance: Surrogate) -> list[str]:
    """The names of the array (pytree-leaf) fields: the hyperparameters."""
    paths = jax.tree_util.tree_flatten_with_path(instance)[0]
    return [path[0].name for path, _ in paths]


def closed_form(instance: Surrogate, x: Array) -> np.ndarray:
    kwargs = {
        field.name: getattr(instance, field.name)
        for field in dataclasses.fields(instance)  # not the ClassVar marker __spike_function__
        if field.name not in {"learnable", "smooth_forward"}
    }
    return FORMULAS[type(instance).__name__](np.asarray(x, np.float64), **kwargs)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16, jnp.float32])
@pytest.mark.parametrize("cls", CATALOGUE, ids=lambda c: c.__name__)
def test_spikes_and_gradients_keep_the_input_dtype(cls: type[Surrogate], dtype: Any) -> None:
    spike = cls()
    x = X.astype(dtype)
    out = spike(x)
    grad = jax.grad(lambda v: spike(v).sum())(x)
    assert out.dtype == dtype
    assert grad.dtype == dtype
    np.testing.assert_array_equal(np.asarray(out, np.float32), np.asarray(x >= 0, np.float32))


def test_float64_spikes_and_gradients() -> None:
    with jax.enable_x64(True):
        x = jnp.asarray([-1.0, 0.0, 1.0], jnp.float64)
        assert Sigmoid()(x).dtype == jnp.float64
        assert jax.grad(lambda v: Sigmoid()(v).sum())(x).dtype == jnp.float64


@pytest.mark.parametrize("bad", [jnp.arange(3), jnp.array([True, False]), 3])
def test_integer_and_boolean_inputs_are_refused(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"x must be a floating-point array.*got dtype"):
        Sigmoid()(bad)
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        surrogate.relu_grad(bad)


def test_spike_at_exactly_threshold() -> None:
    assert float(Sigmoid()(jnp.float32(0.0))) == 1.0
    assert float(Sigmoid()(jnp.float32(-1e-30))) == 0.0


@pytest.mark.parametrize("cls", CATALOGUE, ids=lambda c: c.__name__)
def test_forward_mode_jvp_and_jacfwd(cls: type[Surrogate]) -> None:
    spike = cls()
    tangent = jnp.linspace(0.5, 1.5, X.size, dtype=jnp.float32)
    primal_out, tangent_out = jax.jvp(spike, (X,), (tangent,))
    expected = closed_form(spike, X) * np.asarray(tangent)
    np.testing.assert_array_equal(np.asarray(primal_out), np.asarray(X >= 0, np.float32))
    np.testing.assert_allclose(np.asarray(tangent_out), expected, rtol=2e-5, atol=2e-6)
    jacobian = jax.jacfwd(spike)(X[:5])
    np.testing.assert_allclose(
        np.asarray(jacobian), np.diag(closed_form(spike, X[:5])), rtol=2e-5, atol=2e-6
    )


def test_reverse_mode_equals_forward_mode_under_jit() -> None:
    spike = surrogate.Arctan(alpha=2.0)
    reverse = jax.jit(jax.grad(lambda v: spike(v).sum()))(X)
    forward = jax.jit(lambda v: jax.jvp(spike, (v,), (jnp.ones_like(v),))[1])(X)
    np.testing.assert_allclose(np.asarray(reverse), np.asarray(forward), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(reverse), closed_form(spike, X), rtol=2e-5)


def test_vmap_over_inputs() -> None:
    batch = jnp.stack([X, -X, 2 * X])
    spike = surrogate.SoftSign(alpha=2.0)
    per_row = jax.vmap(lambda v: jax.grad(lambda u: spike(u).sum())(v))(batch)
    np.testing.assert_allclose(np.asarray(per_row), closed_form(spike, batch), rtol=2e-5, atol=2e-6)


def test_vmap_over_hyperparameters_both_ways() -> None:
    alphas = jnp.asarray([1.0, 2.0, 4.0], jnp.float32)
    by_construction = jax.vmap(lambda a: jax.grad(lambda v: Sigmoid(alpha=a)(v).sum())(X))(alphas)
    batched_module = Sigmoid(alpha=alphas)
    by_module = jax.vmap(lambda s: jax.grad(lambda v: s(v).sum())(X))(batched_module)
    expected = np.stack([closed_form(Sigmoid(alpha=float(a)), X) for a in alphas])
    np.testing.assert_allclose(np.asarray(by_construction), expected, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(np.asarray(by_module), expected, rtol=2e-5, atol=2e-6)


def test_a_surrogate_is_a_pytree_and_lives_in_a_model() -> None:
    class Layer(eqx.Module):
        weight: Array
        spike_fun: Surrogate

        def __call__(self, x: Array) -> Array:
            return self.spike_fun(x @ self.weight - 0.5)

    layer = Layer(jnp.eye(3, dtype=jnp.float32), surrogate.ReluGrad(alpha=0.5))
    assert jax.tree_util.tree_leaves(surrogate.ReluGrad(alpha=0.5, width=2.0)) == [0.5, 2.0]
    grads = eqx.filter_grad(lambda m, x: m(x).sum())(layer, jnp.ones(3, jnp.float32))
    # d spike / d W_ij = g(x_j w_jj - 0.5) * x_i ; g(0.5) = 0.5 * (1 - 0.5)
    np.testing.assert_allclose(np.asarray(grads.weight), np.full((3, 3), 0.25), rtol=1e-6)
    assert grads.spike_fun.alpha is None  # a Python-float hyperparameter is not trained
    array_layer = Layer(layer.weight, surrogate.ReluGrad(alpha=jnp.float32(0.5)))
    array_grads = eqx.filter_grad(lambda m, x: m(x).sum())(array_layer, jnp.ones(3, jnp.float32))
    assert float(array_grads.spike_fun.alpha) == 0.0  # an array one gets exactly zero


@pytest.mark.parametrize("cls", CATALOGUE, ids=lambda c: c.__name__)
def test_hyperparameter_gradient_is_exactly_zero_by_default(cls: type[Surrogate]) -> None:
    instance = cls()
    names = hyperparameter_names(instance)
    for name in names:
        value = jnp.asarray(getattr(instance, name), jnp.float32)

        def loss(p: Array, name: str = name) -> Array:
            return eqx.tree_at(lambda s: getattr(s, name), instance, p)(X).sum()

        assert float(jax.grad(loss)(value)) == 0.0


@pytest.mark.parametrize(
    "cls",
    [c for c in CATALOGUE if hyperparameter_names(c())],
    ids=lambda c: c.__name__,
)
def test_learnable_gradient_is_finite_difference_of_surrogate_fun(cls: type[Surrogate]) -> None:
    """d spikes / d value (through the stored unconstrained leaf) is d surrogate_fun / d value."""
    with jax.enable_x64(True):
        x = jnp.asarray(np.asarray(X, np.float64))
        for name, default in cls().hyperparameters().items():
            value = float(default) or 0.25  # a [0, inf) default of 0 is the edge of the range

            def built(p: Any, name: str = name) -> Surrogate:
                return cls(**{name: p}, learnable=True)

            grad = float(jax.grad(lambda p: built(p)(x).sum())(jnp.float64(value)))
            h = min(1e-6 * max(1.0, abs(value)), value / 2)  # stay inside the valid range
            plus = built(jnp.float64(value + h)).surrogate_fun(x).sum()
            minus = built(jnp.float64(value - h)).surrogate_fun(x).sum()
            finite_difference = float(plus - minus) / (2 * h)
            assert math.isclose(grad, finite_difference, rel_tol=1e-5, abs_tol=1e-6), name


def test_learnable_width_can_be_trained() -> None:
    """Gradient descent on a learnable alpha moves it; the default leaves it alone."""

    def loss(alpha: Array, learnable: bool) -> Array:
        return (Sigmoid(alpha=alpha, learnable=learnable)(X) - 0.3).sum() ** 2

    alpha = jnp.float32(2.0)
    assert float(jax.grad(loss)(alpha, True)) != 0.0
    assert float(jax.grad(loss)(alpha, False)) == 0.0


@pytest.mark.parametrize("cls", CATALOGUE, ids=lambda c: c.__name__)
def test_smooth_forward_returns_surrogate_fun(cls: type[Surrogate]) -> None:
    smooth = cls(smooth_forward=True)
    np.testing.assert_allclose(
        np.asarray(smooth(X)), np.asarray(cls().surrogate_fun(X)), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        np.asarray(jax.grad(lambda v: smooth(v).sum())(X)),
        closed_form(smooth, X),
        rtol=1e-4,
        atol=1e-5,
    )


class Cauchy(Surrogate):
    width: float = 0.5

    def surrogate_grad(self, x: Array) -> Array:
        return 1.0 / (jnp.pi * self.width * (1.0 + (x / self.width) ** 2))


def test_a_custom_surrogate_needs_only_surrogate_grad() -> None:
    spike = Cauchy(width=0.25)
    grad = jax.grad(lambda v: spike(v).sum())(X)
    expected = 1 / (np.pi * 0.25 * (1 + (np.asarray(X, np.float64) / 0.25) ** 2))
    np.testing.assert_allclose(np.asarray(grad), expected, rtol=2e-5)
    assert float(jax.grad(lambda w: Cauchy(width=w)(X).sum())(jnp.float32(0.3))) == 0.0


def test_custom_surrogate_without_surrogate_fun_says_so() -> None:
    with pytest.raises(NotImplementedError, match="Cauchy defines only surrogate_grad"):
        Cauchy(smooth_forward=True)(X)
    with pytest.raises(NotImplementedError, match="Cauchy defines only surrogate_grad"):
        jax.grad(lambda w: Cauchy(width=w, learnable=True)(X).sum())(jnp.float32(0.3))


def test_abstract_base_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError):
        Surrogate()  # type: ignore[abstract]


def test_squarewave_harmonics_must_be_a_positive_integer() -> None:
    for bad in (0, -1):
        with pytest.raises(ValueError, match="n must be an integer >= 1"):
            surrogate.SquarewaveFourierSeries(n=bad)
    for wrong_type in (2.5, True):
        with pytest.raises(TypeError, match="n must be an integer"):
            surrogate.SquarewaveFourierSeries(n=wrong_type)


NOT_SURROGATE_FUNCTIONS = {"catalogue", "hyperparameter", "plot_gallery", "spike"}
FUNCTIONS = {
    type(getattr(surrogate, name)()).__name__: name
    for name in surrogate.__all__
    if name[0].islower() and name not in NOT_SURROGATE_FUNCTIONS
}


def test_every_class_has_a_lowercase_function() -> None:
    assert set(FUNCTIONS) == {cls.__name__ for cls in CATALOGUE}


@pytest.mark.parametrize("cls", CATALOGUE, ids=lambda c: c.__name__)
def test_lowercase_function_call_forms(cls: type[Surrogate]) -> None:
    function = getattr(surrogate, FUNCTIONS[cls.__name__])
    assert function() == cls()
    names = hyperparameter_names(cls())
    if names:
        changed = {names[0]: 0.37}
        assert function(**changed) == cls(**changed)
        np.testing.assert_array_equal(np.asarray(function(X, **changed)), np.asarray(X >= 0))
        np.testing.assert_allclose(
            np.asarray(jax.grad(lambda v: function(v, **changed).sum())(X)),
            np.asarray(jax.grad(lambda v: cls(**changed)(v).sum())(X)),
        )


def test_page_call_forms() -> None:
    braintools = facade
    assert isinstance(braintools.surrogate.ReluGrad(), surrogate.ReluGrad)
    assert braintools.surrogate.sigmoid(alpha=4.0) == Sigmoid(alpha=4.0)
    assert braintools.surrogate.slayer_grad(alpha=4.0).alpha == 4.0
    spikes = braintools.surrogate.sigmoid(X, alpha=4.0)
    np.testing.assert_array_equal(np.asarray(spikes), np.asarray(X >= 0, np.float32))
    assert braintools.surrogate.sigmoid(X, 2.0).dtype == jnp.float32


def test_facade_objects_are_the_core_objects() -> None:
    """Every facade name is the core object, but the braintools-style ``Surrogate`` base."""
    for name in set(facade.surrogate.__all__) - {"Surrogate"}:
        assert getattr(facade.surrogate, name) is getattr(surrogate, name), name
    braintools_names = {
        "Surrogate", "Sigmoid", "sigmoid", "SoftSign", "soft_sign", "Arctan", "arctan", "ERF",
        "erf", "PiecewiseQuadratic", "piecewise_quadratic", "PiecewiseExp", "piecewise_exp",
        "PiecewiseLeakyRelu", "piecewise_leaky_relu", "LeakyRelu", "leaky_relu", "LogTailedRelu",
        "log_tailed_relu", "ReluGrad", "relu_grad", "GaussianGrad", "gaussian_grad",
        "InvSquareGrad", "inv_square_grad", "MultiGaussianGrad", "multi_gaussian_grad",
        "SquarewaveFourierSeries", "squarewave_fourier_series", "S2NN", "s2nn", "QPseudoSpike",
        "q_pseudo_spike", "SlayerGrad", "slayer_grad", "NonzeroSignLog", "nonzero_sign_log",
    }  # fmt: skip
    assert braintools_names <= set(facade.surrogate.__all__)


def test_catalogue_is_larger_than_every_peer() -> None:
    assert len(CATALOGUE) >= 25
    assert len(set(CATALOGUE)) == len(CATALOGUE)


def test_gallery_writes_a_png(tmp_path: Path) -> None:
    out = surrogate.plot_gallery([cls() for cls in CATALOGUE[:4]] + [Cauchy()], tmp_path / "g.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gallery_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one Surrogate"):
        surrogate.plot_gallery([], tmp_path / "g.png")
    with pytest.raises(ValueError, match="low < high"):
        surrogate.plot_gallery([Sigmoid()], tmp_path / "g.png", x_range=(1.0, -1.0))


def test_no_retrace_for_new_hyperparameter_values() -> None:
    """Hyperparameters are pytree leaves: new values reuse the compiled function."""
    traces = []

    @jax.jit
    def grad_of(spike: Surrogate, x: Array) -> Array:
        traces.append(None)
        return jax.grad(lambda v: spike(v).sum())(x)

    for alpha in (1.0, 2.0, 3.0):
        grad_of(Sigmoid(alpha=jnp.float32(alpha)), X)
    assert len(traces) == 1
