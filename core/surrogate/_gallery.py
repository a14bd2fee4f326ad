"""Draw surrogate derivatives (and their smooth functions) to a PNG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ._base import SpikeFunction


def plot_gallery(
    surrogates: Sequence[SpikeFunction],
    path: str | Path,
    *,
    x_range: tuple[float, float] = (-3.0, 3.0),
    num_points: int = 401,
    columns: int = 5,
    show_fun: bool = True,
) -> Path:
    """Draw ``surrogate_grad`` (and ``surrogate_fun``) of each surrogate into one PNG.

    Each panel shows :math:`g(x)` computed through ``jax.grad`` of the spike (so
    the picture is what training sees), and, where the surrogate has one, the
    smooth function :math:`F(x)` as a dashed line. matplotlib is an optional
    dependency (``pip install spiketrain[examples]``).

    Args:
        surrogates: the surrogates to draw (any :class:`SpikeFunction`), one panel each.
        path: where to write the PNG; parent folders are created.
        x_range: the interval of ``x`` to draw.
        num_points: number of sample points.
        columns: panels per row.
        show_fun: also draw ``surrogate_fun`` where it exists.

    Returns:
        The path written.

    Raises:
        ValueError: if ``surrogates`` is empty or ``x_range`` is not increasing.
        ImportError: if matplotlib is not installed.

    Example:
        >>> import tempfile, pathlib
        >>> from core.surrogate import Sigmoid, ReluGrad, plot_gallery
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "gallery.png"
        >>> plot_gallery([Sigmoid(), ReluGrad()], out).exists()
        True
    """
    if len(surrogates) == 0:
        raise ValueError("surrogates must contain at least one Surrogate to draw")
    low, high = x_range
    if not high > low:
        raise ValueError(f"x_range must be (low, high) with low < high; got {x_range!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_gallery needs matplotlib: pip install 'spiketrain[examples]'"
        ) from error

    x = jnp.linspace(low, high, num_points, dtype=jnp.float32)
    rows = math.ceil(len(surrogates) / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(3.0 * columns, 2.4 * rows), squeeze=False, sharex=True
    )
    for axis, surrogate in zip(axes.flat, surrogates, strict=False):
        grad = jax.vmap(jax.grad(surrogate))(x)
        axis.plot(np.asarray(x), np.asarray(grad), color="C0", label="g(x)")
        if show_fun:
            try:
                fun = surrogate.surrogate_fun(x)
            except NotImplementedError:
                pass
            else:
                axis.plot(np.asarray(x), np.asarray(fun), "--", color="C1", label="F(x)")
        axis.set_title(type(surrogate).__name__, fontsize=10)
        axis.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
        axis.grid(alpha=0.3)
    for axis in list(axes.flat)[len(surrogates) :]:
        axis.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    figure.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return target
