"""Surrogate derivatives against closed forms (numpy, float64) and braintools 0.3.0."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import facade.surrogate as surrogate_facade
from core import surrogate
from core.surrogate import Surrogate
from tests.reference.surrogate_formulas import (
    BRAINTOOLS_NAMES,
    FORMULAS,
    OTHER_HYPERPARAMETERS,
)

# offset so that no grid point sits on a kink (|x| = width, 1/alpha, ...), plus 0 itself
GRID = np.concatenate([np.linspace(-3.0, 3.0, 121) + 0.0137, [0.0]])
NAMES = sorted(FORMULAS)


def hyperparameters(name: str, which: str) -> dict[str, Any]:
    """The default hyperparameters of our class, or the non-default set of the table."""
    if which == "other":
        return dict(OTHER_HYPERPARAMETERS[name])
    instance = getattr(surrogate, name)()
    fields = [f.name for f in dataclasses.fields(instance)]  # not the ClassVar marker
    return {f: getattr(instance, f) for f in fields if f not in {"learnable", "smooth_forward"}}


def spike_grad(spike: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(jax.vmap(jax.grad(spike))(jnp.asarray(x, jnp.float32)))


def test_the_table_covers_the_whole_catalogue() -> None:
    assert sorted(cls.__name__ for cls in surrogate.catalogue()) == NAMES
    assert len(NAMES) >= 25


@pytest.mark.parametrize("which", ["default", "other"])
@pytest.mark.parametrize("name", NAMES)
def test_grad_equals_closed_form(name: str, which: str) -> None:
    kwargs = hyperparameters(name, which)
    ours = spike_grad(getattr(surrogate, name)(**kwargs), GRID)
    expected = FORMULAS[name](GRID, **kwargs)
    np.testing.assert_allclose(ours, expected, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", NAMES)
def test_surrogate_fun_is_the_antiderivative(name: str) -> None:
    """``d surrogate_fun / dx`` is the closed-form ``g`` (float64, away from kinks)."""
    kwargs = hyperparameters(name, "other")
    module = getattr(surrogate, name)(**kwargs)
    with jax.enable_x64(True):
        x = jnp.asarray(GRID, jnp.float64)
        derivative = np.asarray(jax.vmap(jax.grad(module.surrogate_fun))(x))
    # S2NN's F carries braintools' epsilon inside its logarithm: F' = beta / (x + 1 + eps)
    rtol = 2 * kwargs["epsilon"] if name == "S2NN" else 1e-9
    np.testing.assert_allclose(derivative, FORMULAS[name](GRID, **kwargs), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_forward_is_heaviside(name: str) -> None:
    spike = getattr(surrogate, name)()
    x = jnp.asarray(GRID, jnp.float32)
    out = spike(x)
    assert out.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(out), (GRID >= 0).astype(np.float32))


@pytest.mark.parametrize("name", NAMES)
def test_second_derivative_is_derivative_of_g(name: str) -> None:
    """grad-of-grad gives g'(x), compared with a central difference of the closed form.

    Points are away from kinks (x = 0 is one for every |x|-shaped surrogate).
    """
    kwargs = hyperparameters(name, "other")
    spike = getattr(surrogate, name)(**kwargs)
    h = 1e-6
    grid = GRID[GRID != 0.0]
    expected = (FORMULAS[name](grid + h, **kwargs) - FORMULAS[name](grid - h, **kwargs)) / (2 * h)
    with jax.enable_x64(True):
        x = jnp.asarray(grid, jnp.float64)
        second = np.asarray(jax.vmap(jax.grad(jax.grad(spike)))(x))
    np.testing.assert_allclose(second, expected, rtol=1e-5, atol=1e-5)


braintools_surrogate = pytest.importorskip("braintools.surrogate")


@pytest.mark.parametrize("which", ["default", "other"])
@pytest.mark.parametrize("name", BRAINTOOLS_NAMES)
def test_grad_equals_braintools(name: str, which: str) -> None:
    """Same hyperparameters, same gradient as braintools 0.3.0 (our defaults passed explicitly)."""
    kwargs = hyperparameters(name, which)
    theirs = getattr(braintools_surrogate, name)(**kwargs)
    ours = getattr(surrogate, name)(**kwargs)
    x = jnp.asarray(GRID, jnp.float32)
    theirs_grad = np.asarray(jax.grad(lambda v: theirs(v).sum())(x))
    # atol covers float32 phase rounding in SquarewaveFourierSeries, which reduces x modulo the
    # period first (closer to the float64 truth, tested above) where braintools does not
    np.testing.assert_allclose(spike_grad(ours, GRID), theirs_grad, rtol=1e-5, atol=5e-6)
    np.testing.assert_array_equal(np.asarray(ours(x)), np.asarray(theirs(x)))


# braintools 0.3.0 defines surrogate_fun for these; ours has a closed form for all 25
BRAINTOOLS_GRAD_ONLY = (
    "ReluGrad",
    "GaussianGrad",
    "MultiGaussianGrad",
    "InvSquareGrad",
    "SlayerGrad",
)


@pytest.mark.parametrize("name", [n for n in BRAINTOOLS_NAMES if n not in BRAINTOOLS_GRAD_ONLY])
def test_surrogate_fun_equals_braintools(name: str) -> None:
    kwargs = hyperparameters(name, "other")
    theirs = getattr(braintools_surrogate, name)(**kwargs)
    ours: Surrogate = getattr(surrogate, name)(**kwargs)
    x = jnp.asarray(GRID, jnp.float32)
    expected = np.asarray(theirs.surrogate_fun(x))
    np.testing.assert_allclose(np.asarray(ours.surrogate_fun(x)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", BRAINTOOLS_GRAD_ONLY)
def test_braintools_lacks_surrogate_fun_where_we_have_one(name: str) -> None:
    with pytest.raises(NotImplementedError):
        getattr(braintools_surrogate, name)().surrogate_fun(jnp.zeros(3))
    assert np.all(np.isfinite(np.asarray(getattr(surrogate, name)().surrogate_fun(jnp.zeros(3)))))


def test_page_defaults_win_over_braintools() -> None:
    """The page: ``ReluGrad(alpha=1.0)``, ``slayer_grad(alpha=4.0)``; braintools: 0.3 and 1.0."""
    assert surrogate.ReluGrad().alpha == 1.0
    assert braintools_surrogate.ReluGrad().alpha == 0.3
    assert surrogate.slayer_grad().alpha == 4.0
    assert surrogate.SlayerGrad().alpha == 4.0
    assert braintools_surrogate.SlayerGrad().alpha == 1.0


# the Training Utilities page's defaults, which win over braintools 0.3.0's
PAGE_DEFAULTS = {("ReluGrad", "alpha"): 1.0, ("relu_grad", "alpha"): 1.0}
PAGE_DEFAULTS.update({("SlayerGrad", "alpha"): 4.0, ("slayer_grad", "alpha"): 4.0})


@pytest.mark.parametrize("name", sorted(braintools_surrogate.__all__))
def test_signatures_match_braintools(name: str) -> None:
    """Every braintools name exists with its argument names, order, kinds and defaults."""
    ours = inspect.signature(getattr(surrogate_facade, name))
    theirs = inspect.signature(getattr(braintools_surrogate, name))
    ours_parameters = [
        p for p in ours.parameters.values() if p.name not in {"learnable", "smooth_forward"}
    ]
    assert [p.name for p in ours_parameters] == list(theirs.parameters), name
    for parameter in ours_parameters:
        expected = theirs.parameters[parameter.name]
        default = PAGE_DEFAULTS.get((name, parameter.name), expected.default)
        if parameter.name == "x":  # braintools requires x; ours returns the module without it
            assert parameter.kind == expected.kind == parameter.POSITIONAL_OR_KEYWORD
            continue
        assert parameter.default == default, (name, parameter.name)
        assert parameter.kind == expected.kind, (name, parameter.name)
