"""Spectral analyses of field potentials: Welch PSD, coherence, phase-amplitude coupling."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import as_float, as_int
from ..loss._jit import kernel
from ._common import gram, matrix, positive, real_array

__all__ = [
    "coherence_analysis",
    "lfp_phase_coherence",
    "phase_amplitude_coupling",
    "power_spectral_density",
    "spectral_entropy",
    "theta_gamma_coupling",
]

Band = tuple[float, float]


def _band(name: str, value: Band) -> Band:
    """A concrete ``(low, high)`` frequency pair."""
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}") from None
    return as_float(f"{name}[0]", low), as_float(f"{name}[1]", high)


def _signal(name: str, value: object) -> tuple[jax.Array, bool]:
    """``(num_time,)`` or ``(num_time, channels)`` as 2-D, and whether it was 1-D."""
    x = real_array(name, value)
    if x.ndim not in (1, 2) or x.shape[0] == 0:
        raise ValueError(
            f"{name} must be (num_time,) or (num_time, num_channels) with num_time >= 1, "
            f"got shape {x.shape}"
        )
    return (x[:, None], True) if x.ndim == 1 else (x, False)


def _segments(n_time: int, nperseg: int | None, noverlap: int | None) -> tuple[int, int]:
    """Welch segment length and overlap (defaults and clipping as braintools)."""
    length = max(1, n_time // 8) if nperseg is None else as_int("nperseg", nperseg, minimum=1)
    length = min(length, n_time)
    overlap = length // 2 if noverlap is None else as_int("noverlap", noverlap, minimum=0)
    return length, min(overlap, length - 1) if length > 1 else 0


def _welch_spectra(x: jax.Array, length: int, overlap: int) -> jax.Array:
    """Hann-windowed FFTs of the Welch segments: ``(segments, freqs, channels)``."""
    n_time = x.shape[0]
    starts = np.arange(0, n_time - length + 1, max(1, length - overlap))
    segments = x[starts[:, None] + np.arange(length)[None, :]]
    window = jnp.asarray(np.hanning(length), x.dtype)
    return jnp.fft.rfft(segments * window[None, :, None], axis=1)


def _select(freqs: np.ndarray, values: jax.Array, band: Band | None) -> tuple[jax.Array, jax.Array]:
    """Keep the frequencies in ``band`` (one zero bin at its low end if none)."""
    dtype = values.dtype
    if band is None:
        return jnp.asarray(freqs, dtype), values
    low, high = band
    keep = np.nonzero((freqs >= low) & (freqs <= high))[0]
    if keep.size == 0:
        return jnp.asarray([low], dtype), jnp.zeros((1, *values.shape[1:]), dtype)
    return jnp.asarray(freqs[keep], dtype), values[keep]


def power_spectral_density(
    lfp: jax.typing.ArrayLike,
    dt: float,
    nperseg: int | None = None,
    noverlap: int | None = None,
    freq_range: Band | None = None,
) -> tuple[jax.Array, jax.Array]:
    r"""One-sided power spectral density by Welch's method (Hann window).

    The signal is cut into segments of ``nperseg`` samples overlapping by ``noverlap``;
    with window :math:`w` and :math:`f_s = 1/\Delta t`,

    .. math::

        P(f) = \frac{c_f}{f_s \sum_n w_n^2}\;\frac{1}{S}\sum_{s=1}^{S}
               \Bigl|\sum_n w_n x_{s,n} e^{-2\pi i f n/f_s}\Bigr|^2,

    with :math:`c_f = 2` except at 0 Hz and the Nyquist bin (:math:`c_f = 1`), so
    :math:`\int P\,df` is the signal's power.

    Args:
        lfp: ``(num_time,)`` or ``(num_time, num_channels)``.
        dt: sampling step in seconds (concrete).
        nperseg: segment length (default ``max(1, num_time // 8)``, at most ``num_time``).
        noverlap: overlap (default ``nperseg // 2``, at most ``nperseg - 1``).
        freq_range: optional ``(low, high)`` in Hz; when no bin falls inside, one bin at
            ``low`` with power 0 is returned.

    Returns:
        ``(freqs, psd)``: ``(num_freqs,)`` and ``(num_freqs,)`` or
        ``(num_freqs, num_channels)``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import power_spectral_density
        >>> t = np.arange(4000.0) * 0.001
        >>> freqs, psd = power_spectral_density(np.sin(2 * np.pi * 10 * t), 0.001)
        >>> print(freqs[np.argmax(psd)])
        10.0

    References:
        Welch, *The use of fast Fourier transform for the estimation of power spectra*,
        IEEE Trans. Audio Electroacoust. 15 (1967) 70-73.
    """
    x, squeeze = _signal("lfp", lfp)
    step = positive("dt", dt)
    length, overlap = _segments(x.shape[0], nperseg, noverlap)
    band = None if freq_range is None else _band("freq_range", freq_range)
    freqs, psd = _psd(x, step=step, length=length, overlap=overlap, band=band)
    return freqs, psd[:, 0] if squeeze else psd


@kernel("step", "length", "overlap", "band")
def _psd(
    x: jax.Array, *, step: float, length: int, overlap: int, band: Band | None
) -> tuple[jax.Array, jax.Array]:
    spectra = _welch_spectra(x, length, overlap)
    window_power = float(np.sum(np.hanning(length) ** 2))
    psd = jnp.mean(jnp.abs(spectra) ** 2, axis=0) / (window_power / step)
    scale = np.full(psd.shape[0], 2.0)
    scale[0] = 1.0
    if length % 2 == 0:
        scale[-1] = 1.0
    psd = psd * jnp.asarray(scale, psd.dtype)[:, None]
    return _select(np.fft.rfftfreq(length, step), psd, band)


def coherence_analysis(
    lfp1: jax.typing.ArrayLike,
    lfp2: jax.typing.ArrayLike,
    dt: float,
    nperseg: int | None = None,
    noverlap: int | None = None,
    freq_range: Band | None = None,
) -> tuple[jax.Array, jax.Array]:
    r"""Magnitude-squared coherence of two signals (Welch estimate).

    .. math::

        C_{xy}(f) = \frac{|\langle X_s(f) Y_s^*(f)\rangle_s|^2}
                         {\langle |X_s(f)|^2\rangle_s \langle |Y_s(f)|^2\rangle_s}

    over the Hann-windowed segments of :func:`power_spectral_density`; bins where either
    signal has no power give 0. With a single segment the estimate is 1 everywhere, so use
    several segments (the default gives about 15).

    Args:
        lfp1: ``(num_time,)`` or ``(num_time, num_channels)``.
        lfp2: same shape as ``lfp1``.
        dt: sampling step in seconds (concrete).
        nperseg: segment length (see :func:`power_spectral_density`).
        noverlap: overlap (see :func:`power_spectral_density`).
        freq_range: optional ``(low, high)`` in Hz.

    Returns:
        ``(freqs, coherence)`` with values in ``[0, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import coherence_analysis
        >>> x = np.random.default_rng(0).normal(size=1000)
        >>> freqs, coh = coherence_analysis(x, 2 * x, 0.001)
        >>> print(f"{coh.min():.3f}")
        1.000

    References:
        Carter, *Coherence and time delay estimation*, Proc. IEEE 75 (1987) 236-255.
    """
    x, squeeze = _signal("lfp1", lfp1)
    y, _ = _signal("lfp2", lfp2)
    if x.shape != y.shape:
        raise ValueError(f"lfp1 and lfp2 must have the same shape, got {x.shape} and {y.shape}")
    step = positive("dt", dt)
    length, overlap = _segments(x.shape[0], nperseg, noverlap)
    band = None if freq_range is None else _band("freq_range", freq_range)
    freqs, coherence = _coherence(x, y, step=step, length=length, overlap=overlap, band=band)
    return freqs, coherence[:, 0] if squeeze else coherence


@kernel("step", "length", "overlap", "band")
def _coherence(
    x: jax.Array, y: jax.Array, *, step: float, length: int, overlap: int, band: Band | None
) -> tuple[jax.Array, jax.Array]:
    fx = _welch_spectra(x, length, overlap)
    fy = _welch_spectra(y, length, overlap)
    cross = jnp.abs(jnp.mean(fx * jnp.conj(fy), axis=0)) ** 2
    denom = jnp.mean(jnp.abs(fx) ** 2, axis=0) * jnp.mean(jnp.abs(fy) ** 2, axis=0)
    ok = denom > 0
    coherence = jnp.clip(jnp.where(ok, cross / jnp.where(ok, denom, 1), 0), 0.0, 1.0)
    return _select(np.fft.rfftfreq(length, step), coherence, band)


def _analytic(x: jax.Array, step: float, band: Band) -> jax.Array:
    """Analytic signal of ``x`` (along axis 0) band-limited to ``band`` (ideal FFT filter).

    Positive in-band frequencies are doubled, 0 Hz is kept once, the rest is zeroed.
    """
    freqs = np.fft.fftfreq(x.shape[0], step)
    low, high = band
    factor = np.where((freqs >= low) & (freqs <= high), np.where(freqs == 0, 1.0, 2.0), 0.0)
    shape = (-1,) + (1,) * (x.ndim - 1)
    spectrum = jnp.fft.fft(x, axis=0)
    spectrum = spectrum * jnp.asarray(factor.reshape(shape), spectrum.dtype)
    return jnp.fft.ifft(spectrum, axis=0)


def phase_amplitude_coupling(
    lfp: jax.typing.ArrayLike,
    dt: float,
    phase_freq_range: Band = (4, 8),
    amplitude_freq_range: Band = (30, 100),
    n_bins: int = 18,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    r"""Phase-amplitude coupling: Tort's modulation index.

    The phase :math:`\phi(t)` of the ``phase_freq_range`` band and the envelope
    :math:`A(t)` of the ``amplitude_freq_range`` band come from FFT-filtered analytic
    signals. With :math:`\bar A_k` the mean envelope in phase bin :math:`k` and
    :math:`p_k = \bar A_k / \sum_j \bar A_j`,

    .. math::

        MI = \frac{\log K - H(p)}{\log K},\qquad H(p) = -\sum_k p_k \log p_k

    (0: amplitude independent of phase; 1: all amplitude in one bin).

    Args:
        lfp: ``(num_time,)``.
        dt: sampling step in seconds (concrete).
        phase_freq_range: ``(low, high)`` Hz of the phase band.
        amplitude_freq_range: ``(low, high)`` Hz of the amplitude band.
        n_bins: number of phase bins :math:`K` over :math:`[-\pi, \pi]` (static int).

    Returns:
        ``(modulation_index, bin_centers, mean_amplitudes)``: a 0-d array, ``(n_bins,)``
        and ``(n_bins,)``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import phase_amplitude_coupling
        >>> t = np.arange(4000.0) * 0.001
        >>> theta = np.sin(2 * np.pi * 6 * t)
        >>> lfp = theta + (1 + theta) * np.sin(2 * np.pi * 50 * t)
        >>> mi, centers, amp = phase_amplitude_coupling(lfp, 0.001)
        >>> bool(mi > 0.05), centers.shape
        (True, (18,))

    References:
        Tort et al., *Measuring phase-amplitude coupling between neuronal oscillations of
        different frequencies*, J. Neurophysiol. 104 (2010) 1195-1210.
    """
    x = real_array("lfp", lfp)
    if x.ndim != 1:
        raise ValueError(f"lfp must be a 1-D signal (num_time,), got shape {x.shape}")
    step = positive("dt", dt)
    bins = as_int("n_bins", n_bins, minimum=2)
    phase_band = _band("phase_freq_range", phase_freq_range)
    amplitude_band = _band("amplitude_freq_range", amplitude_freq_range)
    return _pac(x, step=step, phase_band=phase_band, amplitude_band=amplitude_band, bins=bins)


@kernel("step", "phase_band", "amplitude_band", "bins")
def _pac(
    x: jax.Array, *, step: float, phase_band: Band, amplitude_band: Band, bins: int
) -> tuple[jax.Array, jax.Array, jax.Array]:
    phase = jnp.angle(_analytic(x, step, phase_band))
    amplitude = jnp.abs(_analytic(x, step, amplitude_band))
    edges = jnp.linspace(-jnp.pi, jnp.pi, bins + 1, dtype=x.dtype)
    centers = (edges[:-1] + edges[1:]) / 2
    index = jnp.clip(jnp.digitize(phase, edges) - 1, 0, bins - 1)
    sums = jax.ops.segment_sum(amplitude, index, num_segments=bins)
    counts = jax.ops.segment_sum(jnp.ones_like(amplitude), index, num_segments=bins)
    mean_amplitudes = sums / jnp.maximum(counts, 1)
    p = mean_amplitudes / (jnp.sum(mean_amplitudes) + 1e-12)
    p = jnp.where(p > 0, p, 1e-12)
    max_entropy = np.log(bins)
    modulation = (max_entropy + jnp.sum(p * jnp.log(p))) / max_entropy
    return modulation, centers, mean_amplitudes


def theta_gamma_coupling(lfp: jax.typing.ArrayLike, dt: float) -> jax.Array:
    """Theta (4-8 Hz) phase / gamma (30-80 Hz) amplitude modulation index.

    :func:`phase_amplitude_coupling` with those bands and 18 bins; returns only the
    modulation index.

    Args:
        lfp: ``(num_time,)``.
        dt: sampling step in seconds (concrete).

    Returns:
        A 0-d array in ``[0, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import theta_gamma_coupling
        >>> t = np.arange(2000.0) * 0.001
        >>> bool(theta_gamma_coupling(np.sin(2 * np.pi * 6 * t), 0.001) < 0.05)  # no gamma
        True

    References:
        Lisman & Jensen, *The theta-gamma neural code*, Neuron 77 (2013) 1002-1016.
    """
    return phase_amplitude_coupling(lfp, dt, (4, 8), (30, 80))[0]


def spectral_entropy(
    lfp: jax.typing.ArrayLike, dt: float, freq_range: Band = (1, 100)
) -> jax.Array:
    r"""Normalised Shannon entropy of the power spectrum in ``freq_range``.

    With the Welch PSD :math:`P_k` of the :math:`n` bins in the band (averaged over
    channels) and :math:`p_k = P_k / \sum_j P_j`,

    .. math::

        SE = -\frac{1}{\log_2 n}\sum_k p_k \log_2 p_k

    (near 0 for a pure tone, near 1 for white noise). A band with no power counts as
    uniform; with :math:`n \le 1` the entropy is 0.

    Args:
        lfp: ``(num_time,)`` or ``(num_time, num_channels)``.
        dt: sampling step in seconds (concrete).
        freq_range: ``(low, high)`` in Hz.

    Returns:
        A 0-d array in ``[0, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import spectral_entropy
        >>> tone = np.sin(2 * np.pi * 10 * np.arange(1000) * 0.001)  # 10 Hz for 1 s at 1 kHz
        >>> bool(spectral_entropy(tone, 0.001) < 0.5)  # white noise is near 1
        True

    References:
        Inouye et al., *Quantification of EEG irregularity by use of the entropy of the
        power spectrum*, Electroencephalogr. Clin. Neurophysiol. 79 (1991) 204-210.
    """
    _, psd = power_spectral_density(lfp, dt, freq_range=freq_range)
    if psd.ndim > 1:
        psd = jnp.mean(psd, axis=-1)
    n = psd.shape[0]
    if n <= 1:
        return jnp.zeros((), psd.dtype)
    total = jnp.sum(psd)
    p = jnp.where(total > 0, psd / jnp.where(total > 0, total, 1), 1.0 / n)
    p = jnp.maximum(p, 1e-12)
    return -jnp.sum(p * jnp.log2(p)) / float(np.log2(n))


def lfp_phase_coherence(
    lfp_signals: jax.typing.ArrayLike, dt: float, freq_band: Band = (8, 12)
) -> jax.Array:
    r"""Pairwise phase-locking value of the channels' phases in ``freq_band``.

    With :math:`\phi_i(t)` the phase of channel :math:`i`'s band-limited analytic signal,

    .. math::

        \mathrm{PLV}_{ij} = \Bigl|\frac{1}{T}\sum_t e^{i(\phi_j(t) - \phi_i(t))}\Bigr|.

    A channel with negligible power in the band (below :math:`10^{-6}` of its total
    power) has no defined phase: its off-diagonal entries are 0. The diagonal is 1.

    Args:
        lfp_signals: ``(num_time, num_channels)``.
        dt: sampling step in seconds (concrete).
        freq_band: ``(low, high)`` in Hz.

    Returns:
        ``(num_channels, num_channels)``, symmetric, values in ``[0, 1]``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import lfp_phase_coherence
        >>> t = np.arange(2000.0) * 0.001
        >>> x = np.stack([np.sin(2 * np.pi * 10 * t), np.cos(2 * np.pi * 10 * t)], 1)
        >>> print(f"{lfp_phase_coherence(x, 0.001)[0, 1]:.3f}")
        1.000

    References:
        Lachaux et al., *Measuring phase synchrony in brain signals*, Hum. Brain Mapp. 8
        (1999) 194-208.
    """
    x = matrix("lfp_signals", lfp_signals, "(num_time, num_channels)")
    return _phase_coherence(x, step=positive("dt", dt), band=_band("freq_band", freq_band))


@kernel("step", "band")
def _phase_coherence(x: jax.Array, *, step: float, band: Band) -> jax.Array:
    analytic = _analytic(x, step, band)
    phase = jnp.angle(analytic)
    cos, sin = jnp.cos(phase), jnp.sin(phase)
    real = gram(cos, cos) + gram(sin, sin)
    imag = gram(cos, sin) - gram(sin, cos)
    plv = jnp.clip(jnp.sqrt(real * real + imag * imag) / x.shape[0], 0.0, 1.0)
    in_band = jnp.mean(jnp.abs(analytic) ** 2, axis=0)
    valid = in_band > 1e-6 * jnp.maximum(jnp.mean(x * x, axis=0), 1e-30)
    plv = jnp.where(valid[:, None] & valid[None, :], plv, 0)
    return jnp.where(jnp.eye(x.shape[1], dtype=bool), jnp.ones_like(plv), plv)
