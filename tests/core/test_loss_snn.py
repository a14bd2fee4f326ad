"""SNN readout losses, accuracies and regularizers against values computed by hand on
small recordings (formulas written out here), including population coding."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import loss
from core.loss import _decoded, _snn


def lse(x: np.ndarray) -> np.ndarray:
    return np.log(np.sum(np.exp(x), axis=-1))


# (T=3, batch=2, classes=2)
S = np.array(
    [
        [[1.0, 0.0], [0.0, 1.0]],
        [[1.0, 1.0], [0.0, 0.0]],
        [[0.0, 1.0], [0.0, 1.0]],
    ],
    np.float32,
)
Y = np.array([0, 1])
V = np.array(
    [
        [[0.2, 0.5], [1.5, -0.3]],
        [[0.9, 0.1], [0.4, 0.8]],
        [[-0.4, 0.7], [0.0, 0.2]],
    ],
    np.float32,
)


def test_ce_rate_loss_is_the_time_average_of_per_step_cross_entropy() -> None:
    per_step = (
        lse(S) - np.take_along_axis(S, np.broadcast_to(Y[None, :, None], (3, 2, 1)), -1)[..., 0]
    )
    np.testing.assert_allclose(loss.ce_rate_loss(S, Y), per_step.mean(0), rtol=1e-6)
    # example 0 by hand: steps (1,0)->log(1+e^-1), (1,1)->log 2, (0,1)->log(1+e)
    by_hand = (np.log(1 + np.exp(-1)) + np.log(2) + np.log(1 + np.e)) / 3
    np.testing.assert_allclose(loss.ce_rate_loss(S, Y)[0], by_hand, rtol=1e-6)


def test_ce_count_loss() -> None:
    # counts: example 0 (2, 2), example 1 (0, 2)
    expected = [np.log(2.0), np.log(1 + np.exp(2.0)) - 2.0]
    np.testing.assert_allclose(loss.ce_count_loss(S, Y), expected, rtol=1e-6)


def test_ce_max_membrane_loss() -> None:
    # max over time: example 0 (0.9, 0.7), example 1 (1.5, 0.8)
    expected = [lse(np.array([0.9, 0.7])) - 0.9, lse(np.array([1.5, 0.8])) - 0.8]
    np.testing.assert_allclose(loss.ce_max_membrane_loss(V, Y), expected, rtol=1e-6)


def test_mse_count_loss_matches_snntorch_formula() -> None:
    # T=3, rates (0.8, 0.2) -> target counts (2.4, 0.6) for the labelled / other class
    t0 = [2.4, 0.6]
    t1 = [0.6, 2.4]
    expected = [
        ((2 - t0[0]) ** 2 + (2 - t0[1]) ** 2) / 2 / 3,
        ((0 - t1[0]) ** 2 + (2 - t1[1]) ** 2) / 2 / 3,
    ]
    np.testing.assert_allclose(loss.mse_count_loss(S, Y, 0.8, 0.2), expected, rtol=1e-6)


def test_mse_membrane_loss_sums_over_time() -> None:
    target = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = np.sum(np.mean((V - target) ** 2, axis=-1), axis=0)
    np.testing.assert_allclose(loss.mse_membrane_loss(V, Y), expected, rtol=1e-6)
    shifted = np.sum(np.mean((V - (0.5 + 1.5 * target)) ** 2, axis=-1), axis=0)
    np.testing.assert_allclose(loss.mse_membrane_loss(V, Y, 2.0, 0.5), shifted, rtol=1e-6)


def test_first_spike_time_values_and_gradient() -> None:
    spikes = jnp.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]).T  # (T=3, neurons=3)
    np.testing.assert_allclose(loss.first_spike_time(spikes), [1.0, 0.0, 3.0])
    # t_f = s1 (1 - s0) + 2 s2 (1 - s0)(1 - s1) + 3 (1 - s0)(1 - s1)(1 - s2); at s = (0, 1, 0):
    # d/ds0 = -1, d/ds1 = 1 - 3 = -2, d/ds2 = 0
    grad = jax.grad(lambda s: loss.first_spike_time(s[:, None])[0])(jnp.array([0.0, 1.0, 0.0]))
    np.testing.assert_allclose(grad, [-1.0, -2.0, 0.0])
    # spike probabilities: the expected first-spike time
    p = 0.5
    expected = 0 * p + 1 * p * (1 - p) + 2 * p * (1 - p) ** 2 + 3 * (1 - p) ** 3
    np.testing.assert_allclose(loss.first_spike_time(jnp.full((3, 1), p)), [expected])


def test_temporal_losses() -> None:
    # first-spike times: example 0 (0, 1), example 1 (3, 0)
    times = np.array([[0.0, 1.0], [3.0, 0.0]])
    ce = lse(-times) + times[np.arange(2), Y]
    np.testing.assert_allclose(loss.ce_temporal_loss(S, Y), ce, rtol=1e-6)
    target = np.array([[0.0, 3.0], [3.0, 0.0]])  # on 0, off T = 3
    np.testing.assert_allclose(loss.mse_temporal_loss(S, Y), np.mean((times - target) ** 2, -1))
    target = np.array([[1.0, 2.0], [2.0, 1.0]])
    np.testing.assert_allclose(
        loss.mse_temporal_loss(S, Y, on_target=1.0, off_target=2.0),
        np.mean((times - target) ** 2, -1),
    )


def test_tet_loss() -> None:
    per_step = (
        lse(V) - np.take_along_axis(V, np.broadcast_to(Y[None, :, None], (3, 2, 1)), -1)[..., 0]
    )
    mse = np.mean((V - 1.0) ** 2, axis=(0, 2))
    np.testing.assert_allclose(
        loss.tet_loss(V, Y, lamb=0.1), 0.9 * per_step.mean(0) + 0.1 * mse, rtol=1e-6
    )
    np.testing.assert_allclose(loss.tet_loss(S, Y, lamb=0.0), loss.ce_rate_loss(S, Y), rtol=1e-6)


# population coding: 2 classes x 2 neurons, (T=2, batch=1, 4)
P = np.array([[[1.0, 0.0, 1.0, 1.0]], [[1.0, 1.0, 0.0, 0.0]]], np.float32)
PV = np.array([[[0.2, 0.4, 1.0, 0.0]], [[0.6, 0.8, 0.1, 0.1]]], np.float32)


def test_population_coding_by_hand() -> None:
    y = np.array([1])
    # class spikes per step (sum over 2 neurons): t0 (1, 2), t1 (2, 0); counts (3, 2)
    rate = (lse(np.array([1.0, 2.0])) - 2.0 + lse(np.array([2.0, 0.0])) - 0.0) / 2
    np.testing.assert_allclose(loss.ce_rate_loss(P, y, population=2), [rate], rtol=1e-6)
    count = lse(np.array([3.0, 2.0])) - 2.0
    np.testing.assert_allclose(loss.ce_count_loss(P, y, population=2), [count], rtol=1e-6)
    # mse_count: each of the 2 neurons of class 1 should fire at rate 1 -> target (0, 4)
    np.testing.assert_allclose(
        loss.mse_count_loss(P, y, population=2), [((3 - 0) ** 2 + (2 - 4) ** 2) / 2 / 2]
    )
    # membrane averaged per class: t0 (0.3, 0.5), t1 (0.7, 0.1); max (0.7, 0.5)
    np.testing.assert_allclose(
        loss.ce_max_membrane_loss(PV, y, population=2), [lse(np.array([0.7, 0.5])) - 0.5], rtol=1e-6
    )
    target = np.array([0.0, 1.0])
    mem = np.mean((np.array([0.3, 0.5]) - target) ** 2) + np.mean(
        (np.array([0.7, 0.1]) - target) ** 2
    )
    np.testing.assert_allclose(loss.mse_membrane_loss(PV, y, population=2), [mem], rtol=1e-6)
    # first spikes per neuron (0, 1, 0, 0) -> per class (earliest) (0, 0)
    np.testing.assert_allclose(loss.ce_temporal_loss(P, y, population=2), [np.log(2.0)], rtol=1e-6)
    assert float(loss.accuracy_count(P, np.array([0]), population=2)) == 1.0
    assert float(loss.accuracy_rate(P, y, population=2)) == 0.0
    assert float(loss.accuracy_max_membrane(PV, np.array([0]), population=2)) == 1.0


def test_population_equals_pooling_by_hand() -> None:
    rng = np.random.default_rng(0)
    spikes = (rng.uniform(size=(6, 3, 8)) < 0.4).astype(np.float32)
    pooled = spikes.reshape(6, 3, 4, 2).sum(-1)
    y = np.array([0, 3, 2])
    for fn in (loss.ce_rate_loss, loss.ce_count_loss, loss.accuracy_count):
        np.testing.assert_allclose(fn(spikes, y, population=2), fn(pooled, y), rtol=1e-6)


def test_accuracies() -> None:
    # counts: ex0 (2, 2) tie -> class 0; ex1 (0, 2) -> 1
    assert float(loss.accuracy_count(S, Y)) == 1.0
    assert float(loss.accuracy_rate(S, np.array([1, 1]))) == 0.5
    # peaks: ex0 (0.9, 0.7) -> 0; ex1 (1.5, 0.8) -> 0
    assert float(loss.accuracy_max_membrane(V, Y)) == 0.5
    # first spikes: ex0 (0, 1) -> 0; ex1 (3, 0) -> 1
    assert float(loss.accuracy_first_spike(S, Y)) == 1.0
    assert loss.accuracy_first_spike(S, Y).dtype == jnp.float32


def test_regularizers() -> None:
    tree = {"a": S, "b": [V * 0 + 1.0]}
    # leaf a: counts per (example, neuron) ex0 (2, 2), ex1 (0, 2); batch mean (1, 2)
    # leaf b: all ones over T=3 -> mean counts (3, 3)
    np.testing.assert_allclose(
        loss.l1_rate_sparsity(tree, lamb=0.5), 0.5 * ((1 + 2) / 3 + (3 + 3) / 3), rtol=1e-6
    )
    np.testing.assert_allclose(loss.silence_penalty(tree, min_spikes=2.5), 1.5**2 + 0.5**2)
    np.testing.assert_allclose(loss.sparsity_penalty(tree, max_spikes=1.5), 0.5**2 + 2 * 1.5**2)
    moved = jax.tree.map(lambda x: np.moveaxis(x, 0, 1), tree)
    np.testing.assert_allclose(
        loss.silence_penalty(moved, min_spikes=2.5, time_axis=1), loss.silence_penalty(tree, 2.5)
    )
    grad = jax.grad(lambda s: loss.silence_penalty(s, 2.5))(jnp.asarray(S))
    assert np.all(np.isfinite(np.asarray(grad))) and float(jnp.abs(grad).sum()) > 0


# every SNN readout: the decoder readouts and the target readouts
READOUTS: dict[str, Callable[..., jax.Array]] = {
    name: getattr(loss, name) for name in (*_decoded.__all__, *_snn.__all__)
}


@pytest.mark.parametrize("name", sorted(READOUTS))
def test_time_axis_batch_shapes_jit_and_gradient(name: str) -> None:
    fn = READOUTS[name]
    rng = np.random.default_rng(1)
    x = jnp.asarray((rng.uniform(size=(5, 2, 3, 6)) < 0.5).astype(np.float32))  # (T, b1, b2, 3x2)
    y = jnp.asarray(rng.integers(0, 3, size=(2, 3)))
    value = fn(x, y, population=2)
    batch_major = fn(jnp.moveaxis(x, 0, 2), y, time_axis=2, population=2)
    np.testing.assert_allclose(batch_major, value, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(lambda a, b: fn(a, b, population=2))(x, y), value, rtol=1e-6)
    if name.startswith("accuracy"):
        assert value.shape == ()
        return
    assert value.shape == (2, 3)
    grad = jax.grad(lambda a: fn(a, y, population=2).sum())(x)
    assert np.all(np.isfinite(np.asarray(grad))) and float(jnp.abs(grad).sum()) > 0
    per_example = jax.vmap(lambda a, b: fn(a, b, population=2), in_axes=(1, 0))(x, y)
    np.testing.assert_allclose(per_example, value, rtol=1e-6)
