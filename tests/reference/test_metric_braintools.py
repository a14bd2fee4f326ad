"""facade.metric against braintools.metric 0.3.0 on random inputs.

Each braintools analysis / loss that facade.metric adds is called with the same arguments
in both libraries (braintools under standard dtype promotion, as it is written for it).
Where braintools is approximate (the van Rossum grid sum) the tolerance says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainstate
import braintools.metric as bt
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.scipy.special import logsumexp

from facade import metric as ours

RNG = np.random.default_rng(3)
SPIKES = (RNG.uniform(size=(80, 3)) < 0.2).astype(np.float32)
BURSTY = np.zeros((60, 3), np.float32)
BURSTY[5:10, 0] = BURSTY[8:12, 1] = BURSTY[30:34, 2] = BURSTY[40:44, 0] = 1.0
SIGNAL = np.asarray(
    np.sin(2 * np.pi * 6 * np.arange(1500) * 0.001)
    + (1 + np.sin(2 * np.pi * 6 * np.arange(1500) * 0.001))
    * np.sin(2 * np.pi * 45 * np.arange(1500) * 0.001)
    + 0.3 * RNG.normal(size=1500),
    np.float32,
)
CHANNELS = np.stack([SIGNAL, np.roll(SIGNAL, 7), RNG.normal(size=1500)], 1).astype(np.float32)
TRAIN_1 = np.sort(RNG.uniform(0, 4, 6)).astype(np.float32)
TRAIN_2 = np.sort(RNG.uniform(0, 4, 5)).astype(np.float32)
ACTIVITY = RNG.normal(size=(80, 4)).astype(np.float32)

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], float]] = [
    ("firing_rate", (SPIKES, 5 * u.ms, 1 * u.ms), {}, 1e-5),
    ("firing_rate", (SPIKES, 0.004, 0.001), {}, 1e-5),
    ("victor_purpura_distance", (TRAIN_1, TRAIN_2), {"cost_factor": 1.5}, 1e-5),
    ("spike_train_synchrony", (SPIKES,), {"window_size": 6.0, "dt": 1.0}, 1e-5),
    ("burst_synchrony_index", (BURSTY,), {"burst_threshold": 3, "max_isi": 2.0, "dt": 1.0}, 0),
    ("phase_locking_value", (SPIKES, 40.0), {"dt": 1.0 * u.ms}, 1e-4),
    ("spike_time_tiling_coefficient", (SPIKES,), {"dt": 1.0, "tau": 3.0}, 1e-5),
    ("correlation_index", (SPIKES,), {"window_size": 10.0, "dt": 1.0}, 1e-5),
    ("cross_correlation", (SPIKES, 3.0), {"dt": 1.0}, 1e-5),
    ("voltage_fluctuation", (ACTIVITY,), {}, 1e-5),
    ("matrix_correlation", (ACTIVITY[:4], ACTIVITY[4:8]), {}, 1e-5),
    ("weighted_correlation", (ACTIVITY[:, 0], ACTIVITY[:, 1], np.abs(ACTIVITY[:, 2])), {}, 1e-5),
    ("functional_connectivity", (ACTIVITY,), {}, 1e-5),
    ("functional_connectivity_dynamics", (ACTIVITY,), {"window_size": 20, "step_size": 15}, 1e-4),
    ("unitary_LFP", (np.arange(80) * 0.5, SPIKES, "inh"), {"seed": 7}, 1e-4),
    ("power_spectral_density", (CHANNELS, 0.001), {"nperseg": 256}, 1e-4),
    ("power_spectral_density", (SIGNAL, 1.0 * u.ms), {"freq_range": (5, 60)}, 1e-4),
    ("coherence_analysis", (SIGNAL, CHANNELS[:, 1], 0.001), {"freq_range": (2, 80)}, 1e-3),
    ("phase_amplitude_coupling", (SIGNAL, 0.001), {"amplitude_freq_range": (35, 60)}, 1e-3),
    ("theta_gamma_coupling", (SIGNAL, 0.001), {}, 1e-3),
    ("spectral_entropy", (CHANNELS, 0.001), {}, 1e-4),
    ("lfp_phase_coherence", (CHANNELS, 0.001), {"freq_band": (4, 8)}, 1e-3),
    ("current_source_density", (ACTIVITY, 100.0 * u.um), {"conductivity": 0.3}, 1e-5),
    ("safe_norm", (ACTIVITY, 9.0), {"axis": 1}, 1e-6),
    (
        "ranking_softmax_loss",
        (ACTIVITY[:3], np.abs(ACTIVITY[3:6])),
        {"where": ACTIVITY[6:9] > -0.5, "weights": np.abs(ACTIVITY[9:12])},
        1e-5,
    ),
]


def _close(got: Any, want: Any, rtol: float) -> None:
    got_leaves, want_leaves = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves, strict=True):
        g, w = np.asarray(u.get_magnitude(g)), np.asarray(u.get_magnitude(w))
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-6)


# braintools functions that trace under jax.jit (the others read their inputs' values):
# their reference is one compiled call instead of dozens of eagerly compiled operations
TRACEABLE = {
    "cross_correlation",
    "current_source_density",
    "functional_connectivity",
    "functional_connectivity_dynamics",
    "lfp_phase_coherence",
    "matrix_correlation",
    "phase_amplitude_coupling",
    "ranking_softmax_loss",
    "safe_norm",
    "theta_gamma_coupling",
    "voltage_fluctuation",
    "weighted_correlation",
}


def _braintools(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``braintools.metric.<name>(*args, **kwargs)``, jitted over the arrays if traceable."""
    fn = getattr(bt, name)
    if name not in TRACEABLE:
        return fn(*args, **kwargs)

    def call(*arrays: jax.Array) -> Any:
        it = iter(arrays)
        return fn(*(next(it) if isinstance(a, np.ndarray) else a for a in args), **kwargs)

    return jax.jit(call)(*(a for a in args if isinstance(a, np.ndarray)))


@pytest.mark.parametrize(("name", "args", "kwargs", "rtol"), CASES, ids=[c[0] for c in CASES])
def test_matches_braintools(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], rtol: float
) -> None:
    got = getattr(ours, name)(*args, **kwargs)
    with jax.numpy_dtype_promotion("standard"):
        want = _braintools(name, args, kwargs)
    _close(got, want, rtol)


def test_raster_plot_and_default_dt() -> None:
    times = np.arange(SPIKES.shape[0]) * 0.5 * u.ms
    got, want = ours.raster_plot(SPIKES, times), bt.raster_plot(SPIKES, times)
    np.testing.assert_array_equal(got[0], want[0])
    assert isinstance(got[1], u.Quantity)
    _close(got[1], want[1], 0)
    with brainstate.environ.context(dt=0.5), jax.numpy_dtype_promotion("standard"):
        want_sync = bt.correlation_index(SPIKES, window_size=5.0)
        got_sync = ours.correlation_index(SPIKES, window_size=5.0)
    _close(got_sync, want_sync, 1e-5)


def test_van_rossum_is_the_exact_integral_of_braintools_grid_sum() -> None:
    """braintools sums on a grid of step tau / 20 (a Riemann sum, within about 5%)."""
    want = bt.van_rossum_distance(jnp.asarray(TRAIN_1), jnp.asarray(TRAIN_2), tau=0.5)
    got = ours.van_rossum_distance(TRAIN_1, TRAIN_2, tau=0.5)
    np.testing.assert_allclose(float(got), float(want), rtol=0.05)
    # one spike on a grid point against none: braintools' D^2 is the left sum
    # dt / tau^2 * sum_k exp(-2 k dt / tau) = (1 / 2 tau) (2 dt / tau) / (1 - exp(-2 dt / tau))
    tau, dt = 0.5, 0.5 / 20
    grid = 2 * dt / tau / (1 - np.exp(-2 * dt / tau))
    want = bt.van_rossum_distance(jnp.array([1.0]), jnp.zeros((0,)), tau=tau)
    got = ours.van_rossum_distance(jnp.array([1.0]), jnp.zeros((0,)), tau=tau)
    np.testing.assert_allclose(float(got) ** 2, 1 / (2 * tau), rtol=1e-5)
    np.testing.assert_allclose(float(want) ** 2 / float(got) ** 2, grid, rtol=1e-3)


def test_losses_match_braintools() -> None:
    logits = jnp.asarray(RNG.normal(size=(3, 7, 5)), jnp.float32)
    labels = jnp.asarray([[1, 2, 2, 0], [4, 3, 1, 1], [2, 0, 0, 0]], jnp.int32)
    label_pad = jnp.asarray([[0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 1, 1]], jnp.float32)
    frame_pad = jnp.zeros((3, 7), jnp.float32).at[2, 5:].set(1.0)
    with jax.numpy_dtype_promotion("standard"):
        want = jax.jit(bt.ctc_loss_with_forward_probs)(logits, frame_pad, labels, label_pad)
    _close(ours.ctc_loss_with_forward_probs(logits, frame_pad, labels, label_pad), want, 1e-5)
    scores, targets = jnp.asarray(ACTIVITY[:5]), jax.nn.softmax(jnp.asarray(ACTIVITY[5:10]))
    for max_fun in (logsumexp, jnp.max):
        fy: Callable[..., Any] = ours.make_fenchel_young_loss(max_fun)
        want = jax.jit(bt.make_fenchel_young_loss(max_fun))(scores, targets)
        _close(fy(scores, targets), want, 1e-6)
    for reduction in ("mean", "sum", "none"):
        _close(
            ours.L1Loss(reduction).update(scores, targets),
            bt.L1Loss(reduction).update(scores, targets),
            1e-6,
        )
