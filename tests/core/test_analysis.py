"""core.analysis against closed forms and small direct implementations written here."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import analysis as an
from core import loss

RNG = np.random.default_rng(0)


def vp_numpy(a: np.ndarray, b: np.ndarray, q: float) -> float:
    """Victor-Purpura by the textbook O(n1 n2) dynamic programme."""
    d = np.zeros((len(a) + 1, len(b) + 1))
    d[:, 0] = np.arange(len(a) + 1)
    d[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i, j] = min(
                d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + q * abs(a[i - 1] - b[j - 1])
            )
    return float(d[-1, -1])


def test_victor_purpura_matches_direct_dynamic_programme() -> None:
    for n1, n2, q in [(0, 3, 1.0), (4, 0, 2.0), (5, 7, 0.7), (6, 6, 3.0), (1, 1, 10.0)]:
        a = np.sort(RNG.uniform(0, 5, n1))
        b = np.sort(RNG.uniform(0, 5, n2))
        got = an.victor_purpura_distance(
            jnp.asarray(a, jnp.float32), jnp.asarray(b, jnp.float32), q
        )
        np.testing.assert_allclose(float(got), vp_numpy(a, b, q), rtol=1e-5, atol=1e-5)


def test_victor_purpura_padding_vmap_and_gradient() -> None:
    a = np.sort(RNG.uniform(0, 5, 4))
    b = np.sort(RNG.uniform(0, 5, 3))
    pad = jnp.asarray(np.concatenate([b, [np.inf, np.inf]]), jnp.float32)
    batch = jnp.stack([pad, jnp.asarray(np.concatenate([b[:2], [np.inf] * 3]), jnp.float32)])
    got = jax.jit(jax.vmap(an.victor_purpura_distance, in_axes=(None, 0, None)))(
        jnp.asarray(a, jnp.float32), batch, 0.8
    )
    np.testing.assert_allclose(got, [vp_numpy(a, b, 0.8), vp_numpy(a, b[:2], 0.8)], rtol=1e-5)
    # one spike each, shift cheaper than delete + insert: d = q |a - b|, d d / d a = q sign(a - b)
    grad = jax.grad(an.victor_purpura_distance)(jnp.array([1.2]), jnp.array([1.0]), 5.0)
    np.testing.assert_allclose(grad, [5.0], rtol=1e-6)


def test_van_rossum_closed_forms() -> None:
    tau, delta = 2.0, 1.0
    d = an.van_rossum_distance(jnp.array([0.0]), jnp.array([delta]), tau=tau)
    np.testing.assert_allclose(float(d), np.sqrt((1 - np.exp(-delta / tau)) / tau), rtol=1e-6)
    # one spike against none, integrated up to t_max: (1 - exp(-2 T / tau)) / (2 tau)
    d = an.van_rossum_distance(jnp.array([0.0]), jnp.array([jnp.inf]), tau=tau, t_max=1.5)
    np.testing.assert_allclose(float(d) ** 2, (1 - np.exp(-3.0 / tau)) / (2 * tau), rtol=1e-5)
    same = jnp.array([0.5, 1.0, 3.0])
    assert float(an.van_rossum_distance(same, same)) == 0.0
    grad = jax.grad(an.van_rossum_distance)(same, same)
    assert np.all(np.isfinite(grad))


def test_binned_van_rossum_equals_spike_time_form_and_has_gradients() -> None:
    s1 = (RNG.uniform(size=(40,)) < 0.2).astype(np.float32)
    s2 = (RNG.uniform(size=(40,)) < 0.2).astype(np.float32)
    dt, tau = 0.5, 2.0
    t1 = jnp.asarray(np.nonzero(s1)[0] * dt, jnp.float32)
    t2 = jnp.asarray(np.nonzero(s2)[0] * dt, jnp.float32)
    binned = an.van_rossum_distance_binned(jnp.asarray(s1), jnp.asarray(s2), tau=tau, dt=dt)
    np.testing.assert_allclose(binned, an.van_rossum_distance(t1, t2, tau=tau), rtol=1e-4)
    batch = jnp.stack([jnp.asarray(s1), jnp.asarray(s2)], axis=1)  # (T, 2)
    per_train = an.van_rossum_distance_binned(batch, jnp.zeros_like(batch), tau=tau, dt=dt)
    assert per_train.shape == (2,)
    grad = jax.grad(lambda s: an.van_rossum_distance_binned(s, jnp.asarray(s2), tau, dt))(
        jnp.asarray(s1) * 0.7
    )
    assert np.all(np.isfinite(grad)) and np.any(grad != 0)


def test_power_spectral_density_peak_and_power() -> None:
    t = np.arange(4000) * 0.001
    x = jnp.asarray(np.sin(2 * np.pi * 10 * t), jnp.float32)
    freqs, psd = an.power_spectral_density(x, 0.001, nperseg=1000)
    assert float(freqs[jnp.argmax(psd)]) == 10.0
    np.testing.assert_allclose(np.trapezoid(np.asarray(psd), np.asarray(freqs)), 0.5, rtol=0.05)
    freqs, psd = an.power_spectral_density(x, 0.001, freq_range=(1e5, 2e5))
    assert freqs.shape == (1,) and float(psd[0]) == 0.0


def test_phase_measures_of_identical_phases_are_one() -> None:
    spikes = np.zeros((1000, 2), np.float32)
    spikes[::100, 0] = 1.0
    plv = an.phase_locking_value(spikes, 10.0, 0.001)
    np.testing.assert_allclose(plv, [1.0, 0.0], atol=1e-5)
    t = np.arange(2000.0) * 0.001
    x = np.stack(
        [np.sin(2 * np.pi * 10 * t), np.sin(2 * np.pi * 10 * t + 1.0)], 1, dtype=np.float32
    )
    np.testing.assert_allclose(an.lfp_phase_coherence(x, 0.001), np.ones((2, 2)), atol=1e-4)
    _, coh = an.coherence_analysis(x[:, 0], x[:, 1], 0.001)
    assert float(np.max(coh)) > 0.99


def test_synchrony_measures_closed_forms() -> None:
    s = np.zeros((100, 2), np.float32)
    s[[10, 20, 30, 40, 50], 0] = s[10, 1] = 1
    np.testing.assert_allclose(an.spike_train_synchrony(s, 4.0), 2 / 6, rtol=1e-6)
    same = np.zeros((100, 2), np.float32)
    same[10:30] = 1
    np.testing.assert_allclose(an.spike_time_tiling_coefficient(same, 1.0, 5.0), np.ones((2, 2)))
    touch, apart = np.zeros((20, 2), np.float32), np.zeros((40, 2), np.float32)
    touch[0:5, 0] = touch[4:9, 1] = apart[0:5, 0] = apart[20:25, 1] = 1
    assert float(an.burst_synchrony_index(touch, 3, 2.0)) == 1.0
    assert float(an.burst_synchrony_index(apart, 3, 2.0)) == 0.0
    rate = an.firing_rate(np.ones((200, 3), np.float32), 0.01, 0.001)
    np.testing.assert_allclose(rate[100], 1000.0, rtol=1e-5)


def test_correlations_against_numpy() -> None:
    x = RNG.normal(size=(50, 4)).astype(np.float32)
    fc = an.functional_connectivity(jnp.asarray(x))
    np.testing.assert_allclose(fc, np.corrcoef(x.T), atol=1e-5)
    w = RNG.uniform(size=50).astype(np.float32)
    xm = x[:, 0] - np.average(x[:, 0], weights=w)
    ym = x[:, 1] - np.average(x[:, 1], weights=w)
    expected = np.sum(w * xm * ym) / np.sqrt(np.sum(w * xm**2) * np.sum(w * ym**2))
    got = an.weighted_correlation(jnp.asarray(x[:, 0]), jnp.asarray(x[:, 1]), jnp.asarray(w))
    np.testing.assert_allclose(got, expected, atol=1e-5)
    v = jnp.asarray(np.tile(np.sin(np.arange(60.0))[:, None], (1, 3)), jnp.float32)
    np.testing.assert_allclose(an.voltage_fluctuation(v), 1.0, rtol=1e-5)


def test_current_source_density_of_a_quadratic() -> None:
    phi = np.tile(np.arange(6.0, dtype=np.float32) ** 2, (3, 1))  # (time, electrodes), 2nd diff 2
    csd = an.current_source_density(phi, 0.5, conductivity=2.0)
    np.testing.assert_allclose(csd, np.full((3, 4), -2.0 * 2.0 / 0.25))
    np.testing.assert_allclose(an.current_source_density(phi.T, 0.5, 2.0, axis=0), csd.T)


def test_jit_with_static_settings() -> None:
    spikes = jnp.asarray(RNG.uniform(size=(60, 3)) < 0.2, jnp.float32)
    for fn in (
        functools.partial(an.cross_correlation, bin=2.0),
        functools.partial(an.correlation_index, window_size=5.0),
        functools.partial(an.spike_train_synchrony, window_size=4.0),
        functools.partial(an.burst_synchrony_index, max_isi=3.0),
    ):
        np.testing.assert_allclose(jax.jit(fn)(spikes), fn(spikes), rtol=1e-6)
    idx, times = jax.jit(functools.partial(an.raster_plot, size=4))(
        jnp.eye(3), jnp.array([0.0, 1.0, 2.0])
    )
    np.testing.assert_array_equal(idx, [0, 1, 2, -1])
    assert np.isnan(times[3]) and float(times[2]) == 2.0


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(ValueError, match="spike_matrix"):
        an.spike_train_synchrony(jnp.ones(5), 1.0)
    with pytest.raises(ValueError, match="window_size"):
        an.correlation_index(jnp.ones((5, 2)), -1.0)
    with pytest.raises(TypeError, match="spike_times_1"):
        an.victor_purpura_distance("abc", jnp.ones(2))
    with pytest.raises(ValueError, match="method"):
        an.voltage_fluctuation(jnp.ones((5, 2)), method="fast")
    with pytest.raises(ValueError, match="bin"):
        an.cross_correlation(jnp.ones((5, 2)), 0.05, 0.1)
    with pytest.raises(an.UnknownLocationError):
        an.unitary_lfp(jnp.arange(3.0), jnp.ones((3, 2)), "exc", location="cortex")


def test_new_losses_closed_forms() -> None:
    grad = jax.grad(loss.safe_norm)(jnp.zeros(3), 1e-6)
    np.testing.assert_array_equal(grad, np.zeros(3))
    np.testing.assert_allclose(jax.grad(loss.safe_norm)(jnp.array([3.0, 4.0]), 0.1), [0.6, 0.8])
    scores = jnp.asarray(RNG.normal(size=(3, 4)), jnp.float32)
    onehot = jax.nn.one_hot(jnp.array([0, 2, 3]), 4)
    fy = loss.make_fenchel_young_loss(jax.scipy.special.logsumexp)(scores, onehot)
    ce = loss.softmax_cross_entropy(scores, onehot)
    np.testing.assert_allclose(fy, ce, rtol=1e-5)
    np.testing.assert_allclose(loss.ranking_softmax_loss(scores, onehot, reduction="none"), ce)
    logits = jnp.asarray(RNG.normal(size=(2, 6, 4)), jnp.float32)
    labels = jnp.array([[1, 2, 2], [3, 1, 0]])
    lpad = jnp.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    fpad = np.zeros((2, 6), np.float32)
    fpad[1, 5] = 1.0
    per_seq, blank, emit = loss.ctc_loss_with_forward_probs(logits, fpad, labels, lpad)
    np.testing.assert_allclose(per_seq, loss.ctc_loss(logits, fpad, labels, lpad), rtol=1e-5)
    assert blank.shape == (6, 2, 4) and emit.shape == (6, 2, 3)
    # the all-blank path: blank[-1, b, 0] = sum_t log q_t(blank) over unpadded frames
    log_q = jax.nn.log_softmax(logits)[:, :, 0]
    np.testing.assert_allclose(blank[-1, 0, 0], jnp.sum(log_q[0]), rtol=1e-5)
    np.testing.assert_allclose(blank[-1, 1, 0], jnp.sum(log_q[1, :5]), rtol=1e-5)
