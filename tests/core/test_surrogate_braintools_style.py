"""Custom surrogates written the braintools way on ``facade.surrogate.Surrogate`` (issue 13).

A braintools user subclasses ``braintools.surrogate.Surrogate``, assigns hyperparameters
in ``__init__`` (no field declarations) and writes ``surrogate_grad``. The expected
gradients are closed forms evaluated in NumPy, never the class's own method alone.
"""

from __future__ import annotations

import math

import brainstate
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import Array

import facade as braintools
from core import neuron, surrogate

X = jnp.asarray(np.linspace(-2.0, 2.0, 9) + 0.013, jnp.float32)


class TanhSurrogate(braintools.surrogate.Surrogate):
    """braintools' documented example, verbatim apart from the annotations."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def surrogate_fun(self, x: Array) -> Array:
        return jnp.tanh(x * self.alpha) * 0.5 + 0.5

    def surrogate_grad(self, x: Array) -> Array:
        return self.alpha * 0.5 * (1 - jnp.tanh(x * self.alpha) ** 2)


class Harmonics(braintools.surrogate.Surrogate):
    """An integer attribute is static (``range`` works), a float one is a leaf."""

    def __init__(self, n: int = 3, period: float = 4.0) -> None:
        super().__init__()
        self.n = n
        self.period = period

    def surrogate_grad(self, x: Array) -> Array:
        w = 2 * jnp.pi / self.period
        return sum((jnp.cos((2 * i + 1) * w * x) for i in range(self.n)), jnp.zeros_like(x))


def tanh_grad(x: np.ndarray, alpha: float) -> np.ndarray:
    return alpha * 0.5 / np.cosh(alpha * x) ** 2


def test_forward_is_heaviside_and_backward_the_closed_form() -> None:
    spike = TanhSurrogate(alpha=2.0)
    np.testing.assert_array_equal(np.asarray(spike(X)), np.asarray(X >= 0, np.float32))
    grad = jax.vmap(jax.grad(spike))(X)
    expected = tanh_grad(np.asarray(X, np.float64), 2.0)
    np.testing.assert_allclose(np.asarray(grad), expected, rtol=1e-5, atol=1e-6)
    jitted = jax.jit(jax.vmap(jax.grad(spike)))(X)  # XLA may fuse differently: float32 noise
    np.testing.assert_allclose(np.asarray(jitted), expected, rtol=1e-5, atol=1e-6)
    vector = brainstate.transform.vector_grad(spike)(X)
    np.testing.assert_allclose(np.asarray(vector), expected, rtol=1e-5, atol=1e-6)


def test_forward_mode_second_derivative_and_dtype() -> None:
    spike = TanhSurrogate(alpha=1.5)
    _, tangent = jax.jvp(spike, (X,), (jnp.ones_like(X),))
    expected = tanh_grad(np.asarray(X, np.float64), 1.5)
    np.testing.assert_allclose(np.asarray(tangent), expected, rtol=1e-5, atol=1e-6)
    x = 0.3
    second = float(jax.grad(jax.grad(spike))(jnp.float32(x)))
    expected = -(1.5**2) * math.tanh(1.5 * x) / math.cosh(1.5 * x) ** 2
    assert math.isclose(second, expected, rel_tol=1e-5)
    half = X.astype(jnp.bfloat16)
    assert spike(half).dtype == jnp.bfloat16
    assert jax.grad(lambda v: spike(v).sum())(half).dtype == jnp.bfloat16


def test_hyperparameter_gradient_is_zero_unless_learnable() -> None:
    def loss(alpha: Array, learnable: bool) -> Array:
        spike = TanhSurrogate(alpha)
        spike.learnable = learnable
        return spike(jnp.float32(0.4))

    assert float(jax.grad(loss)(jnp.float32(2.0), False)) == 0.0
    # learnable: d surrogate_fun / d alpha = 0.5 * x / cosh^2(alpha x)
    expected = 0.5 * 0.4 / math.cosh(2.0 * 0.4) ** 2
    assert math.isclose(float(jax.grad(loss)(jnp.float32(2.0), True)), expected, rel_tol=1e-5)


def test_it_is_a_pytree_with_float_leaves_and_static_integers() -> None:
    spike = Harmonics(n=2, period=4.0)
    leaves, treedef = jax.tree_util.tree_flatten_with_path(spike)
    assert [(jax.tree_util.keystr(path), leaf) for path, leaf in leaves] == [(".period", 4.0)]
    rebuilt = jax.tree.unflatten(treedef, [8.0])
    assert type(rebuilt) is Harmonics and rebuilt.n == 2 and rebuilt.period == 8.0
    grad = float(jax.grad(spike)(jnp.float32(0.5)))
    w = 2 * math.pi / 4.0
    assert math.isclose(grad, math.cos(w * 0.5) + math.cos(3 * w * 0.5), abs_tol=1e-6)

    traces: list[None] = []

    @jax.jit
    def grad_of(spike_fun: Harmonics, x: Array) -> Array:
        traces.append(None)
        return jax.grad(lambda v: spike_fun(v).sum())(x)

    grad_of(Harmonics(n=2, period=4.0), X)
    grad_of(Harmonics(n=2, period=5.0), X)  # a new leaf value: no retrace
    assert len(traces) == 1


def test_the_structure_does_not_depend_on_leaf_values() -> None:
    """Filter specs (booleans), ``None`` holes and tangents keep the same tree structure."""
    spike = Harmonics(n=2, period=4.0)
    params, static = eqx.partition(spike, eqx.is_array_like)
    assert params.period == 4.0 and static.period is None and static.n == 2
    assert eqx.combine(params, static).period == 4.0
    doubled = jax.tree.map(lambda a, b: a + b, spike, spike)
    assert type(doubled) is Harmonics and doubled.period == 8.0 and doubled.n == 2
    spike.period = jnp.float32(5.0)  # reassigned: still the one leaf
    spike.n = 3  # an int stays static
    assert [leaf for leaf in jax.tree.leaves(spike)] == [5.0]


def test_a_facade_neuron_accepts_a_braintools_style_surrogate() -> None:
    lif = braintools.nn.LIF(3, tau=2.0, spike_fun=TanhSurrogate(alpha=2.0))
    brainstate.nn.init_all_states(lif)
    out = lif(jnp.asarray([0.5, 2.5, 4.0], jnp.float32))
    np.testing.assert_array_equal(np.asarray(out), [0.0, 0.0, 1.0])  # v = 0.39 x, threshold 1


def test_base_without_surrogate_grad_says_so() -> None:
    base = braintools.surrogate.Surrogate()
    for call in (base, base.surrogate_grad):
        with pytest.raises(NotImplementedError, match="Surrogate must define surrogate_grad"):
            call(X)
    with pytest.raises(NotImplementedError, match="does not define surrogate_fun"):
        base.surrogate_fun(X)


def test_repr_and_isinstance_across_the_two_bases() -> None:
    assert repr(TanhSurrogate(alpha=2.0)) == "TanhSurrogate(alpha=2.0)"
    assert repr(Harmonics(period=jnp.ones(3))) == "Harmonics(n=3, period=f32[3])"
    assert isinstance(TanhSurrogate(), surrogate.Surrogate)
    assert isinstance(surrogate.Sigmoid(), braintools.surrogate.Surrogate)
    assert issubclass(surrogate.ReluGrad, braintools.surrogate.Surrogate)
    assert not isinstance(3.0, braintools.surrogate.Surrogate)
    assert not isinstance(3.0, surrogate.Surrogate)
    assert not issubclass(surrogate.Surrogate, braintools.surrogate.Surrogate)


def test_a_neuron_accepts_a_braintools_style_surrogate() -> None:
    cell = neuron.LIF(3, tau=2.0, spike_fun=TanhSurrogate(alpha=2.0))
    state = cell.init(batch_shape=())
    drive = jnp.asarray([0.5, 2.5, 4.0], jnp.float32)

    def spikes(x: Array) -> Array:
        _, out = cell.update(state, x)
        return out.sum()

    grad = np.asarray(jax.grad(spikes)(drive))
    gain = 1.0 - math.exp(-1.0 / 2.0)  # one exact step from rest: v = (1 - e^{-dt/tau}) x
    v = gain * np.asarray(drive, np.float64)
    np.testing.assert_allclose(grad, tanh_grad(v - 1.0, 2.0) * gain, rtol=1e-5)


def test_squarewave_phase_is_exact_near_the_threshold() -> None:
    """Within half a period the phase is omega * x itself (braintools' formula)."""
    xs = jnp.linspace(-2.0, 2.0, 11)
    ours = np.asarray(surrogate.SquarewaveFourierSeries(n=1, t_period=8.0).surrogate_grad(xs))
    np.testing.assert_allclose(ours, np.asarray(jnp.cos(jnp.pi / 4.0 * xs) * 0.5), atol=1e-8)
