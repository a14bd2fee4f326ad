"""Field potentials from spikes (unitary LFP kernels) and current source density."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import as_int, check_real
from ..loss._jit import kernel
from ._common import matrix, positive, real_array

__all__ = ["UnknownLocationError", "current_source_density", "unitary_lfp"]

# Peak amplitude (uV) of the excitatory / inhibitory unitary LFP at each depth.
_AMPLITUDES = {
    "soma layer": (0.48, 3.0),
    "deep layer": (-0.16, -0.2),
    "superficial layer": (0.24, -1.2),
    "surface layer": (-0.08, 0.3),
    "surface": (-0.08, 0.3),
}


class UnknownLocationError(ValueError, NotImplementedError):
    """An unknown recording ``location`` for :func:`unitary_lfp`.

    A ``ValueError`` (a bad argument value); also a ``NotImplementedError``, which is
    what braintools raises for the same input.

    Example:
        >>> import numpy as np
        >>> from core.analysis import UnknownLocationError, unitary_lfp
        >>> try:
        ...     unitary_lfp(np.arange(3.0), np.ones((3, 2)), "exc", location="cortex")
        ... except UnknownLocationError as err:
        ...     print(isinstance(err, ValueError), isinstance(err, NotImplementedError))
        True True
    """


def unitary_lfp(
    times: jax.typing.ArrayLike,
    spikes: jax.typing.ArrayLike,
    spike_type: str,
    xmax: float = 0.2,
    ymax: float = 0.2,
    va: float = 200.0,
    lambda_: float = 0.2,
    sig_i: float = 2.1,
    sig_e: float = 2.1 * 1.5,
    location: str = "soma layer",
    *,
    key: jax.Array | None = None,
    positions: jax.typing.ArrayLike | None = None,
    max_spikes: int | None = None,
) -> jax.Array:
    r"""Local field potential at the centre of a population, by unitary LFP kernels.

    Neurons sit at uniform random positions in a ``xmax`` x ``ymax`` mm rectangle with
    the electrode at its centre, at distance :math:`d_n`. A spike of neuron :math:`n` at
    time :math:`t_k` adds a Gaussian bump

    .. math::

        A_n \exp\Bigl(-\frac{(t - t_k - \delta_n)^2}{2\sigma^2}\Bigr),\quad
        A_n = a\,e^{-d_n/\lambda},\quad \delta_n = 10.4 + 1000\,d_n / v_a,

    with the layer- and type-specific peak :math:`a` (uV), the delay :math:`\delta_n` in
    ms, and :math:`\sigma` = ``sig_e`` or ``sig_i`` (ms). ``times`` are in ms.

    Args:
        times: ``(num_time,)`` in ms.
        spikes: ``(num_time, num_neurons)``; non-zero entries are spikes.
        spike_type: ``'exc'`` or ``'inh'``.
        xmax: width of the population (mm).
        ymax: height of the population (mm).
        va: axonal velocity (mm/s).
        lambda_: spatial decay constant (mm).
        sig_i: width of the inhibitory kernel (ms).
        sig_e: width of the excitatory kernel (ms).
        location: ``'soma layer'``, ``'deep layer'``, ``'superficial layer'`` or
            ``'surface layer'`` (alias ``'surface'``).
        key: PRNG key drawing the positions (default ``jax.random.PRNGKey(0)``).
        positions: ``(2, num_neurons)`` positions in the unit square, scaled by
            ``(xmax, ymax)``; overrides ``key``.
        max_spikes: number of spike slots under ``jit`` (eagerly the exact count is used;
            under ``jit`` the default is ``num_time * num_neurons``).

    Returns:
        ``(num_time,)``, the LFP in uV.

    Raises:
        ValueError: bad ``spike_type`` or shapes.
        UnknownLocationError: unknown ``location``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import unitary_lfp
        >>> spikes = np.zeros((300, 4), np.float32)
        >>> spikes[50] = 1
        >>> lfp = unitary_lfp(np.arange(300.0) * 0.1, spikes, "exc")
        >>> lfp.shape, bool(lfp.max() > 0)
        ((300,), True)

    References:
        Telenczuk, Telenczuk & Destexhe, *Modelling unitary fields and the single-neuron
        contribution to local field potentials in the hippocampus*, J. Physiol. 598
        (2020) 3957-3972.
    """
    if spike_type not in ("exc", "inh"):
        raise ValueError(f'"spike_type" should be "exc" or "inh", but we got {spike_type!r}.')
    s = matrix("spikes", spikes)
    t = real_array("times", times)
    if t.ndim != 1 or t.shape[0] != s.shape[0]:
        raise ValueError(
            f"times must have shape (num_time,) = {s.shape[:1]} like spikes' first axis, "
            f"got shape {t.shape}"
        )
    if location not in _AMPLITUDES:
        raise UnknownLocationError(
            f"location must be one of {', '.join(map(repr, _AMPLITUDES))}, got {location!r}"
        )
    width, height = positive("xmax", xmax), positive("ymax", ymax)
    velocity, decay = positive("va", va), positive("lambda_", lambda_)
    sigma = positive("sig_e", sig_e) if spike_type == "exc" else positive("sig_i", sig_i)
    num_neurons = s.shape[1]
    if positions is None:
        draw_key = jax.random.PRNGKey(0) if key is None else key
        unit = jax.random.uniform(draw_key, (2, num_neurons), t.dtype)
    else:
        unit = real_array("positions", positions).astype(t.dtype)
        if unit.shape != (2, num_neurons):
            raise ValueError(f"positions must have shape (2, {num_neurons}), got {unit.shape}")
    if max_spikes is None:
        try:
            slots = int(np.count_nonzero(np.asarray(s)))
        except jax.errors.TracerArrayConversionError:
            slots = s.size
    else:
        slots = as_int("max_spikes", max_spikes, minimum=0)
    settings = (width, height, velocity, decay, sigma)
    peak = _AMPLITUDES[location][0 if spike_type == "exc" else 1]
    return _unitary(t, s, unit, settings=settings, peak=peak, slots=slots)


@kernel("settings", "peak", "slots")
def _unitary(
    t: jax.Array,
    s: jax.Array,
    unit: jax.Array,
    *,
    settings: tuple[float, float, float, float, float],
    peak: float,
    slots: int,
) -> jax.Array:
    width, height, velocity, decay, sigma = settings
    x = unit[0] * width - width / 2
    y = unit[1] * height - height / 2
    distance = jnp.sqrt(x * x + y * y)
    amplitude = peak * jnp.exp(-distance / decay)
    delay = 10.4 + distance / velocity * 1e3
    rows, cols = jnp.nonzero(s, size=slots, fill_value=-1)
    real = rows >= 0
    peak_times = t[jnp.maximum(rows, 0)] + delay[jnp.maximum(cols, 0)]
    weights = jnp.where(real, amplitude[jnp.maximum(cols, 0)], 0)
    width2 = 2 * sigma * sigma

    def at(time: jax.Array) -> jax.Array:
        return jnp.sum(weights * jnp.exp(-((time - peak_times) ** 2) / width2))

    lfp: jax.Array = jax.lax.map(at, t, batch_size=64)
    return lfp


def current_source_density(
    lfp_laminar: jax.typing.ArrayLike,
    electrode_spacing: float,
    conductivity: jax.typing.ArrayLike = 1.0,
    axis: int = -1,
) -> jax.Array:
    r"""Current source density along a laminar probe (second spatial difference).

    .. math::

        \mathrm{CSD}_k = -\sigma\,\frac{\phi_{k+1} - 2\phi_k + \phi_{k-1}}{h^2}

    for the inner electrodes :math:`k = 1 .. n-2` (spacing :math:`h`).

    Args:
        lfp_laminar: potentials with the electrodes along ``axis`` (at least 3).
        electrode_spacing: :math:`h` in mm (concrete).
        conductivity: :math:`\sigma`.
        axis: the electrode axis.

    Returns:
        The input shape with ``n - 2`` entries along ``axis``.

    Example:
        >>> import numpy as np
        >>> from core.analysis import current_source_density
        >>> phi = np.array([0.0, 1.0, 4.0, 9.0])  # x**2 at spacing 1: second difference 2
        >>> print(current_source_density(phi, 1.0))
        [-2. -2.]

    References:
        Nicholson & Freeman, *Theory of current source-density analysis and determination
        of conductivity tensor for anuran cerebellum*, J. Neurophysiol. 38 (1975) 356-368.
    """
    x = real_array("lfp_laminar", lfp_laminar)
    spacing = positive("electrode_spacing", electrode_spacing)
    check_real("conductivity", conductivity)
    as_int("axis", axis, minimum=None)
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis={axis} is out of range for lfp_laminar of shape {x.shape}")
    if x.shape[axis] < 3:
        raise ValueError(
            f"lfp_laminar needs at least 3 electrodes along axis {axis}, got {x.shape[axis]}"
        )
    v = jnp.moveaxis(x, axis, -1)
    second = v[..., 2:] - 2 * v[..., 1:-1] + v[..., :-2]
    sigma = jnp.asarray(conductivity, x.dtype)
    return jnp.moveaxis(-sigma * second / spacing**2, -1, axis)
