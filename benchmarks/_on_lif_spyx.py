"""spyx variant of ``on_lif.py``, run by it in a separate interpreter (a spyx venv).

``Linear(N, N)`` then one LIF layer, batch 16, T=500, loss = sum of output spikes, the
forward (``jax.vjp`` under ``jit``) and the backward timed separately, exactly as
``on_lif.py`` times its variants (its ``bench`` is imported and reused).
The spyx model is written the spyx way: ``spyx.nn.Sequential(nnx.Linear(N, N),
spyx.nn.LIF((N,), beta=exp(-1/5)))`` driven by :func:`spyx.nn.run` (one ``lax.scan``
whose body applies the Linear and the LIF each step), with the ``ReluGrad``-shaped
surrogate ``spyx.axn.custom(0.3 * max(0, 1 - |v|))``; the harness's weight and bias are
put into the module with ``nnx.merge`` so the gradient is taken with respect to them.
``spyx.nn.LIF`` fires from the membrane before the update and adds its input without a
``1 - beta`` factor (``V = beta * V + x - spikes``); the cost per step is the same.

The same interpreter times ``on_lif.py``'s hand-written ``jax`` variant in turn with
spyx, so the spyx ratio is measured in one process. Prints one JSON object
``{N: {"spyx": [forward_ms, backward_ms], "jax": [...]}, "versions": {...}}``.

Run:  /path/to/spyx/python benchmarks/_on_lif_spyx.py --sizes 512 1024 2048
"""

from __future__ import annotations

import argparse

import flax
import jax
import numpy as np
import spyx
from _peers import report
from _spike import relu_grad
from flax import nnx
from on_lif import TAU, Loss, bench, jax_loss


def spyx_loss(n: int) -> Loss:
    spike = spyx.axn.custom(relu_grad)  # the ReluGrad() shape
    rngs = nnx.Rngs(0)
    model = spyx.nn.Sequential(
        nnx.Linear(n, n, rngs=rngs),
        spyx.nn.LIF((n,), beta=float(np.exp(-1 / TAU)), activation=spike, rngs=rngs),
    )
    weights = nnx.All(nnx.Param, nnx.Any(nnx.PathContains("kernel"), nnx.PathContains("bias")))
    graphdef, _, rest = nnx.split(model, weights, ...)

    def loss(p: dict[str, jax.Array], xs: jax.Array) -> jax.Array:
        linear = nnx.State(
            {"layers": {0: {"kernel": nnx.Param(p["w"]), "bias": nnx.Param(p["b"])}}}
        )
        spikes, _ = spyx.nn.run(nnx.merge(graphdef, linear, rest), xs)
        return spikes.sum()

    return loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    result = {
        str(n): bench(n, {"spyx": spyx_loss(n), "jax": jax_loss(tuned=False)}, args.repeats)
        for n in args.sizes
    }
    report(result, spyx, jax, flax)


if __name__ == "__main__":
    main()
