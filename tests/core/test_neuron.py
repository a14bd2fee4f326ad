"""core.neuron: closed-form membrane updates, resets, gradients, dtypes and the time loop."""

from __future__ import annotations

import copy
import functools
import math
import pickle
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import surrogate
from core.neuron import ALIF, IF, LIF, ALIFState, Fixed, LeakyReadout, Learnable, run

# ---------------------------------------------------------------- closed forms


def test_lif_matches_hand_computation() -> None:
    tau, dt, theta, v_reset, v_rest = 4.0, 0.5, 1.0, 0.1, -0.2
    lif = LIF(2, tau=tau, dt=dt, v_threshold=theta, v_reset=v_reset, v_rest=v_rest)
    alpha = math.exp(-dt / tau)
    inputs = [np.array([3.0, 9.0]), np.array([2.0, 9.0]), np.array([0.0, 9.0])]
    v_ref = np.full(2, v_rest)
    v = lif.init()
    np.testing.assert_allclose(v, v_ref)
    for x in inputs:
        u = alpha * v_ref + (1 - alpha) * (v_rest + x)
        s = (u >= theta).astype(float)
        v_ref = u - s * (theta - v_reset)
        v, spikes = lif.update(v, jnp.asarray(x, jnp.float32))
        np.testing.assert_allclose(spikes, s)
        np.testing.assert_allclose(v, v_ref, rtol=1e-5, atol=1e-6)
    assert lif.init().dtype == jnp.float32


def test_soft_and_hard_reset_values() -> None:
    x = jnp.array([3.0])
    soft = LIF(1, tau=1.0, v_reset=0.25, reset="soft")
    hard = LIF(1, tau=1.0, v_reset=0.25, reset="hard")
    u = (1 - math.exp(-1.0)) * 3.0
    v_soft, s_soft = soft.update(soft.init(), x)
    v_hard, s_hard = hard.update(hard.init(), x)
    assert float(s_soft[0]) == float(s_hard[0]) == 1.0
    np.testing.assert_allclose(v_soft, [u - (1.0 - 0.25)], rtol=1e-6)
    assert float(v_hard[0]) == 0.25  # exactly the reset value
    # below threshold, both leave the potential alone
    v_soft2, _ = soft.update(soft.init(), jnp.array([0.5]))
    v_hard2, _ = hard.update(hard.init(), jnp.array([0.5]))
    np.testing.assert_array_equal(v_soft2, v_hard2)


def test_if_and_readout_closed_forms() -> None:
    cell = IF(1, v_threshold=1.0, v_reset=-0.5, reset="hard")
    v = cell.init()
    outs = []
    for _ in range(4):
        v, s = cell.update(v, jnp.array([0.4]))
        outs.append((float(s[0]), round(float(v[0]), 5)))
    assert outs == [(0.0, 0.4), (0.0, 0.8), (1.0, -0.5), (0.0, -0.1)]

    readout = LeakyReadout(1, tau=2.0)
    alpha = math.exp(-0.5)
    v = readout.init()
    ref = 0.0
    for x in (1.0, -3.0, 2.0):
        ref = alpha * ref + (1 - alpha) * x
        v, out = readout(v, jnp.array([x]))
        np.testing.assert_allclose(out, [ref], rtol=1e-6)
        np.testing.assert_array_equal(out, v)
    # unit DC gain: a constant input is reached in the limit
    _, outs_long = run(readout, readout.init(), jnp.full((200, 1), 0.7))
    np.testing.assert_allclose(outs_long[-1], [0.7], rtol=1e-5)


def test_alif_threshold_adapts() -> None:
    cell = ALIF(1, tau=1.0, tau_a=10.0, beta=0.5)
    alpha, rho = math.exp(-1.0), math.exp(-0.1)
    state = cell.init()
    v, b = 0.0, 0.0
    for _ in range(5):
        a = rho * b
        u = alpha * v + (1 - alpha) * 2.0
        s = float(u >= 1.0 + 0.5 * a)
        v, b = u - s * 1.0, a + s
        state, spikes = cell(state, jnp.array([2.0]))
        assert float(spikes[0]) == s
        np.testing.assert_allclose([state.v[0], state.a[0]], [v, b], rtol=1e-5)
    assert isinstance(state, ALIFState)


def test_spike_at_exactly_threshold() -> None:
    cell = IF(1, v_threshold=0.75)
    _, s = cell.update(cell.init(), jnp.array([0.75]))
    assert float(s[0]) == 1.0
    probe = LIF(1, tau=3.0, v_threshold=100.0)
    u, _ = probe.update(probe.init(), jnp.array([1.3]))
    exact = LIF(1, tau=3.0, v_threshold=float(u[0]))
    _, s = exact.update(exact.init(), jnp.array([1.3]))
    assert float(s[0]) == 1.0
    just_above = LIF(1, tau=3.0, v_threshold=float(np.nextafter(u[0], np.float32(2.0))))
    _, s = just_above.update(just_above.init(), jnp.array([1.3]))
    assert float(s[0]) == 0.0


def test_per_neuron_hyperparameters() -> None:
    lif = LIF(3, tau=np.array([1.0, 2.0, 4.0]), v_threshold=[0.1, 0.2, 10.0])
    v, s = lif.update(lif.init(batch_shape=2), jnp.ones((2, 3)))
    expected_v = 1 - np.exp(-1 / np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(v[0] + s[0] * np.array([0.1, 0.2, 10.0]), expected_v, rtol=1e-6)
    np.testing.assert_array_equal(s, [[1.0, 1.0, 0.0]] * 2)


# ---------------------------------------------------------------- gradients


def _reference_loss(detach: bool, reset: str) -> Callable[[jax.Array], jax.Array]:
    """A hand-written LIF in plain JAX (soft or hard reset, detached or not)."""
    alpha = math.exp(-1 / 3.0)
    spike = surrogate.Sigmoid(alpha=4.0)
    xs = jnp.linspace(0.2, 2.5, 6 * 2).reshape(6, 2)

    def loss(w: jax.Array) -> jax.Array:
        v = jnp.zeros(2)
        total = jnp.zeros(())
        for t in range(6):
            u = alpha * v + (1 - alpha) * xs[t] * w
            s = spike(u - 1.0)
            r = jax.lax.stop_gradient(s) if detach else s
            v = u - r * 1.0 if reset == "soft" else u * (1 - r)
            total = total + jnp.sum(s * (t + 1)) + jnp.sum(v**2)
        return total

    return loss


def _kernel_loss(detach: bool, reset: str) -> Callable[[jax.Array], jax.Array]:
    lif = LIF(
        2,
        tau=3.0,
        spike_fun=surrogate.Sigmoid(alpha=4.0),
        detach_reset=detach,
        reset="soft" if reset == "soft" else "hard",
    )
    xs = jnp.linspace(0.2, 2.5, 6 * 2).reshape(6, 2)

    def loss(w: jax.Array) -> jax.Array:
        v = lif.init()
        total = jnp.zeros(())
        for t in range(6):
            v, s = lif.update(v, xs[t] * w)
            total = total + jnp.sum(s * (t + 1)) + jnp.sum(v**2)
        return total

    return loss


@pytest.mark.parametrize("reset", ["soft", "hard"])
def test_detach_reset_gradients_match_reference(reset: str) -> None:
    w = jnp.array([1.3, 0.9])
    grads = {}
    for detach in (False, True):
        got = jax.jit(jax.grad(_kernel_loss(detach, reset)))(w)
        want = jax.jit(jax.grad(_reference_loss(detach, reset)))(w)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        grads[detach] = got
    assert not np.allclose(grads[False], grads[True])  # the option changes gradients


def test_uses_the_given_surrogate() -> None:
    def grad_with(spike_fun: surrogate.Surrogate) -> jax.Array:
        lif = LIF(1, tau=2.0, spike_fun=spike_fun)
        return jax.grad(lambda x: lif.update(lif.init(), x)[1].sum())(jnp.array([1.5]))

    g1, g2 = grad_with(surrogate.ReluGrad()), grad_with(surrogate.Sigmoid(alpha=4.0))
    assert float(g1[0]) != float(g2[0])
    assert float(g2[0]) > 0


def test_learnable_hyperparameters_are_leaves_and_get_gradients() -> None:
    fixed = LIF(3, tau=2.0, v_threshold=0.5)
    assert isinstance(fixed.tau, Fixed) and isinstance(fixed.v_threshold, Fixed)
    assert jax.tree.leaves(eqx.filter(fixed, eqx.is_array)) == []
    assert jax.tree.leaves(fixed.tau) == [] and jax.tree.leaves(fixed.v_threshold) == []

    cell = LIF(3, tau=2.0, v_threshold=0.5, learn_tau=True, learn_threshold=True)
    assert isinstance(cell.tau, Learnable) and isinstance(cell.v_threshold, Learnable)
    np.testing.assert_allclose(cell.tau.raw, math.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(cell.tau.get(), 2.0, rtol=1e-6)
    xs = jnp.linspace(0.0, 1.5, 5 * 3).reshape(5, 3)

    def loss(c: LIF) -> jax.Array:
        _, spikes = run(c, c.init(), xs)
        return jnp.sum(spikes)

    grads = eqx.filter_jit(eqx.filter_grad(loss))(cell)
    assert float(jnp.abs(grads.tau.raw)) > 0
    assert float(jnp.abs(grads.v_threshold.raw)) > 0
    # the same numbers as a fixed cell: learnability changes only the pytree
    np.testing.assert_allclose(loss(cell), loss(LIF(3, tau=2.0, v_threshold=0.5)), rtol=1e-6)


def test_learnable_tau_stays_positive_under_any_update() -> None:
    cell = LIF(2, tau=1.5, learn_tau=True)
    pushed = eqx.tree_at(lambda c: c.tau.raw, cell, cell.tau.raw - 50.0)
    v, _ = pushed.update(pushed.init(), jnp.ones(2))
    assert float(pushed.tau.get()) > 0 and bool(jnp.all(jnp.isfinite(v)))


# ---------------------------------------------------------------- dtypes, transforms


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16])
@pytest.mark.parametrize("learn", [False, True])
def test_dtype_follows_the_state(dtype: jnp.dtype, learn: bool) -> None:
    cells = [
        LIF(3, tau=np.array([2.0, 3.0, 4.0]), learn_tau=learn, learn_threshold=learn),
        ALIF(3, learn_tau=learn),
        LeakyReadout(3, learn_tau=learn),
        IF(3, learn_threshold=learn),
    ]
    for cell in cells:
        state = cell.init(batch_shape=(2,), dtype=dtype)
        new_state, out = cell.update(state, jnp.ones((2, 3), dtype))
        assert out.dtype == dtype
        assert all(leaf.dtype == dtype for leaf in jax.tree.leaves(new_state))
        # Python scalars are weakly typed and fine; spike (bool) inputs are cast
        _, out_scalar = cell.update(state, 0.5)
        assert out_scalar.dtype == dtype
        _, out_bool = cell.update(state, jnp.ones((2, 3), bool))
        assert out_bool.dtype == dtype


def test_jit_vmap_grad() -> None:
    lif = LIF(4, tau=3.0)
    xs = jax.random.uniform(jax.random.PRNGKey(0), (3, 4), maxval=2.0)
    state = lif.init(batch_shape=3)
    eager = lif.update(state, xs)
    jitted = jax.jit(lif.update)(state, xs)
    mapped = jax.vmap(lif.update)(state, xs)
    for a, b in zip(jax.tree.leaves(eager), jax.tree.leaves(jitted), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    for a, b in zip(jax.tree.leaves(eager), jax.tree.leaves(mapped), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    g = jax.grad(lambda x: lif.update(state, x)[1].sum())(xs)
    assert g.shape == xs.shape and bool(jnp.all(jnp.isfinite(g))) and float(g.sum()) > 0
    # equal cells compare equal as static data: a second cell does not retrace
    traces = []

    @jax.jit
    def step(cell: LIF, v: jax.Array) -> jax.Array:
        traces.append(1)
        return cell.update(v, xs)[0]

    step(LIF(4, tau=3.0), state)
    step(LIF(4, tau=3.0), state)
    assert len(traces) == 1


# ---------------------------------------------------------------- the time loop


@jax.jit
def _python_loop(cell: LIF, xs: jax.Array) -> tuple[jax.Array, jax.Array]:
    v = cell.init(batch_shape=xs.shape[1:-1])
    outs = []
    for t in range(xs.shape[0]):
        v, s = cell.update(v, xs[t])
        outs.append(s)
    return v, jnp.stack(outs)


def test_run_equals_python_loop_and_time_axis() -> None:
    lif = LIF(3, tau=2.0)
    xs = jax.random.uniform(jax.random.PRNGKey(1), (7, 2, 3), maxval=2.5)
    v_ref, s_ref = _python_loop(lif, xs)
    v, s = run(lif, lif.init(2), xs)
    np.testing.assert_allclose(v, v_ref, rtol=1e-6)
    np.testing.assert_array_equal(s, s_ref)
    v1, s1 = run(lif, lif.init(2), jnp.swapaxes(xs, 0, 1), time_axis=1)
    np.testing.assert_array_equal(jnp.swapaxes(s1, 0, 1), s_ref)
    np.testing.assert_allclose(v1, v_ref, rtol=1e-6)
    _, s2 = run(lif, lif.init(2), xs, unroll=2)
    np.testing.assert_array_equal(s2, s_ref)


def _two_layer_loss(
    checkpoint: bool | str | int = False, truncate: int | None = None
) -> Callable[[jax.Array], jax.Array]:
    lif = LIF(4, tau=3.0, spike_fun=surrogate.Sigmoid(alpha=2.0))
    readout = LeakyReadout(2, tau=2.0)
    xs = jax.random.uniform(jax.random.PRNGKey(2), (5, 3, 5), maxval=1.5)

    def loss(w: jax.Array) -> jax.Array:
        def step(
            state: tuple[jax.Array, jax.Array], x: jax.Array
        ) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
            v, r = state
            v, s = lif(v, x @ w[:, :4])
            r, out = readout(r, s @ w[:4, 4:6])
            return (v, r), out

        init = (lif.init(3), readout.init(3))
        _, outs = run(step, init, xs, checkpoint=checkpoint, truncate=truncate)
        return jnp.sum(outs * jnp.arange(1.0, 6.0)[:, None, None])

    return loss


@functools.cache
def _plain_value_and_grad() -> tuple[jax.Array, jax.Array]:
    w = jax.random.normal(jax.random.PRNGKey(3), (5, 6))
    value, grad = jax.jit(jax.value_and_grad(_two_layer_loss()))(w)
    return value, grad


@pytest.mark.parametrize("checkpoint", [True, "step", 2, 10])
def test_checkpointing_gives_identical_gradients(checkpoint: bool | str | int) -> None:
    w = jax.random.normal(jax.random.PRNGKey(3), (5, 6))
    plain = _plain_value_and_grad()
    remat = jax.jit(jax.value_and_grad(_two_layer_loss(checkpoint=checkpoint)))(w)
    np.testing.assert_allclose(remat[0], plain[0], rtol=1e-6)
    np.testing.assert_allclose(remat[1], plain[1], rtol=1e-5, atol=1e-6)


def _truncated_reference(k: int) -> Callable[[jax.Array], jax.Array]:
    """Hand-written truncated BPTT: stop_gradient on the carry at t = k, 2k, ..."""
    lif = LIF(4, tau=3.0, spike_fun=surrogate.Sigmoid(alpha=2.0))
    readout = LeakyReadout(2, tau=2.0)
    xs = jax.random.uniform(jax.random.PRNGKey(2), (5, 3, 5), maxval=1.5)

    def loss(w: jax.Array) -> jax.Array:
        v, r = lif.init(3), readout.init(3)
        total = jnp.zeros(())
        for t in range(5):
            if t > 0 and t % k == 0:
                v, r = jax.lax.stop_gradient(v), jax.lax.stop_gradient(r)
            v, s = lif(v, xs[t] @ w[:, :4])
            r, out = readout(r, s @ w[:4, 4:6])
            total = total + jnp.sum(out) * (t + 1)
        return total

    return loss


@pytest.mark.parametrize(("k", "checkpoint"), [(1, False), (3, 2)])
def test_truncated_bptt_matches_reference(k: int, checkpoint: bool | int) -> None:
    w = jax.random.normal(jax.random.PRNGKey(3), (5, 6))
    got = jax.jit(jax.value_and_grad(_two_layer_loss(checkpoint=checkpoint, truncate=k)))(w)
    want = jax.jit(jax.value_and_grad(_truncated_reference(k)))(w)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    full = _plain_value_and_grad()[1]
    assert not np.allclose(got[1], full, rtol=1e-4)  # truncation really cuts paths


def test_run_with_learnable_cell_under_checkpoint() -> None:
    cell = LIF(3, tau=2.0, learn_tau=True, spike_fun=surrogate.Sigmoid())
    xs = jnp.linspace(0.0, 2.0, 6 * 3).reshape(6, 3)

    def loss(c: LIF, checkpoint: bool | int) -> jax.Array:
        return jnp.sum(run(c, c.init(), xs, checkpoint=checkpoint)[1])

    g_plain = eqx.filter_jit(eqx.filter_grad(lambda c: loss(c, False)))(cell)
    g_remat = eqx.filter_jit(eqx.filter_grad(lambda c: loss(c, 4)))(cell)
    np.testing.assert_allclose(g_remat.tau.raw, g_plain.tau.raw, rtol=1e-5)


# ---------------------------------------------------------------- errors


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="reset"):
        LIF(2, reset="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"tau must be a finite number > 0, got 0\.0"):
        LIF(2, tau=0.0)
    with pytest.raises(ValueError, match="tau must be a scalar or broadcast"):
        LIF(2, tau=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"dt must be a finite number > 0, got -1\.0"):
        LIF(2, dt=-1.0)
    with pytest.raises(TypeError, match="spike_fun"):
        LIF(2, spike_fun=jnp.tanh)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"size must hold positive ints, got 0"):
        LIF(0)
    with pytest.raises(TypeError, match="size must be an int or a sequence of ints"):
        LIF(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="concrete"):
        jax.jit(lambda tau: LIF(2, tau=tau).init())(2.0)
    lif = LIF(2)
    with pytest.raises(ValueError, match="does not broadcast"):
        lif.update(lif.init(4), jnp.ones((3, 2)))
    with pytest.raises(TypeError, match="dtype"):
        lif.update(lif.init(4), jnp.ones((4, 2), jnp.bfloat16))
    with pytest.raises(ValueError, match="checkpoint"):
        run(lif, lif.init(), jnp.ones((3, 2)), checkpoint=0)
    with pytest.raises(ValueError, match="truncate"):
        run(lif, lif.init(), jnp.ones((3, 2)), truncate=0)
    with pytest.raises(ValueError, match="time_axis"):
        run(lif, lif.init(), jnp.ones((3, 2)), time_axis=2)
    with pytest.raises(ValueError, match="same length"):
        run(lambda s, x: (s, x[0]), 0.0, (jnp.ones(3), jnp.ones(4)))


def test_cells_pickle_and_copy() -> None:
    for cell in (LIF(3, tau=np.array([1.0, 2.0, 3.0])), ALIF(2, learn_tau=True)):
        clone = pickle.loads(pickle.dumps(cell))
        assert jax.tree.structure(clone) == jax.tree.structure(cell)
        assert copy.deepcopy(cell).tau == cell.tau or isinstance(cell.tau, Learnable)
    assert Fixed(np.arange(3.0)) == Fixed([0.0, 1.0, 2.0]) != Fixed([0.0, 1.0, 2.5])
    assert hash(Fixed(2.0)) == hash(Fixed(2))
