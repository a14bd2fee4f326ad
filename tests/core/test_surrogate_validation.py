"""Surrogates refuse hyperparameters that would train silently wrong (issue 11).

Every case here built before and gave all-zero, sign-flipped or NaN gradients (or failed
only when called, with a raw JAX message); now it is refused at construction, naming the
argument. Learnable hyperparameters stay valid whatever an optimizer does to them.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import facade
from core import surrogate
from core.surrogate import GaussianGrad, LogTailedRelu, ReluGrad, Sigmoid, Surrogate

CATALOGUE = surrogate.catalogue()
X = jnp.asarray([-1.5, -0.3, 0.0, 0.4, 2.0], jnp.float32)

# The valid range of every hyperparameter, from each formula (not read from the code):
# ">0" for a steepness, width, scale or period; ">=0" for a leaky slope, a side-lobe weight
# or an offset, where zero is a meaningful (ReLU-like, single-Gaussian, no-offset) setting.
RANGES: dict[str, dict[str, str]] = {
    "Sigmoid": {"alpha": ">0"},
    "Tanh": {"alpha": ">0"},
    "SoftSign": {"alpha": ">0"},
    "SuperSpike": {"beta": ">0"},
    "InvSquareGrad": {"alpha": ">0"},
    "Arctan": {"alpha": ">0"},
    "Circ": {"alpha": ">0"},
    "NonzeroSignLog": {"alpha": ">0"},
    "QPseudoSpike": {"alpha": ">0"},
    "PiecewiseQuadratic": {"alpha": ">0"},
    "Triangular": {"width": ">0"},
    "ReluGrad": {"alpha": ">0", "width": ">0"},
    "Boxcar": {"width": ">0"},
    "StraightThrough": {},
    "PiecewiseLeakyRelu": {"c": ">=0", "w": ">0"},
    "LeakyRelu": {"alpha": ">=0", "beta": ">0"},
    "LogTailedRelu": {"alpha": ">=0"},
    "S2NN": {"alpha": ">0", "beta": ">0", "epsilon": ">=0"},
    "PiecewiseExp": {"alpha": ">0"},
    "SlayerGrad": {"alpha": ">0"},
    "SpikeRateEscape": {"beta": ">0", "slope": ">0"},
    "ERF": {"alpha": ">0"},
    "GaussianGrad": {"sigma": ">0", "alpha": ">0"},
    "MultiGaussianGrad": {"h": ">=0", "s": ">0", "sigma": ">0", "scale": ">0"},
    "SquarewaveFourierSeries": {"t_period": ">0"},
}
CASES = [(cls, name, rule) for cls in CATALOGUE for name, rule in RANGES[cls.__name__].items()]
FUNCTIONS = {
    type(getattr(surrogate, name)()).__name__: getattr(surrogate, name)
    for name in surrogate.__all__
    if name[0].islower() and name not in {"catalogue", "hyperparameter", "plot_gallery", "spike"}
}


def case_id(case: Any) -> str:
    return f"{case[0].__name__}.{case[1]}" if isinstance(case, tuple) else str(case)


def test_the_table_covers_every_hyperparameter() -> None:
    assert sorted(RANGES) == sorted(cls.__name__ for cls in CATALOGUE)
    for cls in CATALOGUE:
        assert sorted(cls().hyperparameters()) == sorted(RANGES[cls.__name__]), cls.__name__


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: Sigmoid(alpha=0.0), "alpha"),  # all-zero gradients
        (lambda: ReluGrad(alpha=0.0), "alpha"),  # all-zero gradients
        (lambda: Sigmoid(alpha=-4.0), "alpha"),  # sign-flipped gradients
        (lambda: surrogate.Arctan(alpha=-1.0), "alpha"),  # sign-flipped gradients
        (lambda: Sigmoid(alpha=float("nan")), "alpha"),  # NaN gradients
        (lambda: GaussianGrad(sigma=0.0), "sigma"),  # NaN gradients
        (lambda: ReluGrad(width=0), "width"),  # NaN at the threshold
        (lambda: surrogate.sigmoid(alpha=0.0), "alpha"),  # the lowercase form
        (lambda: facade.surrogate.ReluGrad(width=-1.0), "width"),  # the braintools name
        (lambda: facade.surrogate.relu_grad(X, alpha=0.0), "alpha"),  # before any spike
    ],
)
def test_the_issue_cases_are_refused_naming_the_argument(build: Any, argument: str) -> None:
    with pytest.raises(ValueError, match=rf"^{argument} must be a finite number > 0, got"):
        build()


def test_a_string_is_refused_at_construction_not_when_called() -> None:
    with pytest.raises(TypeError, match="alpha must be a real number or a real-valued array"):
        Sigmoid(alpha="4")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="alpha must be a real number, got the bool True"):
        surrogate.sigmoid(X, alpha=True)


def outside(rule: str) -> list[Any]:
    """Values just outside ``rule``'s range, and values no range allows."""
    edge = [0.0, -1e-6, -3.0] if rule == ">0" else [-1e-6, -3.0]
    return [*edge, math.nan, math.inf, -math.inf, np.array([1.0, edge[0]])]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_hyperparameter_refuses_values_outside_its_range(case: Any) -> None:
    cls, name, rule = case
    function = FUNCTIONS[cls.__name__]
    for bad in outside(rule):
        for build in (cls, function, getattr(facade.surrogate, cls.__name__)):
            with pytest.raises(ValueError, match=rf"^{name} must be (a )?finite"):
                build(**{name: bad})
    with pytest.raises(TypeError, match=rf"^{name} must be a real number"):
        cls(**{name: "1.0"})


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_edge_of_a_closed_range_is_valid_and_gives_finite_gradients(case: Any) -> None:
    cls, name, rule = case
    value = 0.0 if rule == ">=0" else 1e-3
    spike = cls(**{name: value})
    grad = np.asarray(jax.grad(lambda v: spike(v).sum())(X))
    assert np.all(np.isfinite(grad)), grad
    assert np.all(grad[np.abs(np.asarray(X)) < 0.5] >= 0), grad  # no sign flip at threshold


def test_traced_values_are_checked_for_type_only() -> None:
    """Inside jit the value is unknown: a traced alpha builds (a bad one is the caller's)."""
    grad = jax.jit(jax.grad(lambda a: Sigmoid(alpha=a, learnable=True)(X).sum()))(2.0)
    assert np.isfinite(float(grad))
    with pytest.raises(TypeError, match="alpha must be a real number or a real-valued array"):
        jax.jit(lambda a: Sigmoid(alpha=a.astype(jnp.complex64))(X))(jnp.float32(2.0))


@pytest.mark.parametrize(
    "cls", [Sigmoid, ReluGrad, GaussianGrad, LogTailedRelu], ids=lambda c: c.__name__
)
def test_a_learnable_hyperparameter_stays_in_range_under_any_update(
    cls: type[Surrogate],
) -> None:
    """The leaf is unconstrained: a step of e^10 either way (in log) leaves a valid value."""
    spike = cls(learnable=True)
    for step in (-10.0, 10.0):
        moved = jax.tree.map(lambda leaf, step=step: leaf + step, spike)
        for name, value in moved.hyperparameters().items():
            rule = RANGES[cls.__name__][name]
            assert np.all(np.asarray(value) > 0 if rule == ">0" else np.asarray(value) >= 0)
        grad = np.asarray(jax.grad(lambda v, s=moved: s(v).sum())(X))
        assert np.all(np.isfinite(grad)) and np.all(grad >= 0), (cls.__name__, step, grad)


def test_a_learnable_value_is_stored_as_its_logarithm() -> None:
    """log for a > 0 range (closed form), identity-with-|.| for a >= 0 range."""
    spike = Sigmoid(alpha=4.0, learnable=True)
    assert math.isclose(float(spike.alpha), math.log(4.0), rel_tol=1e-6)
    assert math.isclose(float(spike.hyperparameters()["alpha"]), 4.0, rel_tol=1e-6)
    leaky = LogTailedRelu(alpha=0.2, learnable=True)
    assert math.isclose(float(leaky.alpha), 0.2, rel_tol=1e-6)
    flipped = jax.tree.map(jnp.negative, leaky)
    assert math.isclose(float(flipped.hyperparameters()["alpha"]), 0.2, rel_tol=1e-6)
    # the derivative reaching the leaf r = log(alpha) is alpha * d/d alpha (chain rule)
    x = jnp.float32(0.3)
    d_leaf = float(jax.grad(lambda s: s(x))(spike).alpha)
    d_value = 0.3 * float(jax.nn.sigmoid(4.0 * x) * (1 - jax.nn.sigmoid(4.0 * x)))
    assert math.isclose(d_leaf, 4.0 * d_value, rel_tol=1e-5)
    # the methods see the value, not the leaf
    np.testing.assert_allclose(
        np.asarray(spike.surrogate_grad(X)), np.asarray(Sigmoid(alpha=4.0).surrogate_grad(X))
    )


def test_squarewave_harmonics_are_checked_with_the_shared_rule() -> None:
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        surrogate.squarewave_fourier_series(n=0)
    with pytest.raises(TypeError, match=r"n must be an integer, got 2\.5"):
        facade.surrogate.SquarewaveFourierSeries(n=2.5)  # type: ignore[arg-type]


def test_a_custom_init_is_checked_and_learnable_too() -> None:
    """The checks run after any __init__ (no Equinox warning about __post_init__)."""

    class Laplace(Surrogate):
        width: float = surrogate.hyperparameter(0.5)

        def __init__(self, width: float = 0.5, *, learnable: bool = False) -> None:
            self.width = width
            self.learnable = learnable

        def surrogate_grad(self, x: jax.Array) -> jax.Array:
            return jnp.exp(-jnp.abs(x) / self.width) / (2 * self.width)

        def surrogate_fun(self, x: jax.Array) -> jax.Array:
            return jnp.where(
                x < 0, 0.5 * jnp.exp(x / self.width), 1 - 0.5 * jnp.exp(-x / self.width)
            )

    with pytest.raises(ValueError, match=r"width must be a finite number > 0, got -0\.5"):
        Laplace(-0.5)
    learnable = Laplace(2.0, learnable=True)
    assert math.isclose(float(learnable.width), math.log(2.0), rel_tol=1e-6)
    assert math.isclose(float(jax.grad(learnable)(jnp.float32(0.0))), 0.25, rel_tol=1e-6)
