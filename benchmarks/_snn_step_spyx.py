"""spyx variant of ``snn_step.py``, run by it in a separate interpreter (a spyx venv).

spyx 1.x is built on Flax NNX (older releases used Haiku). The network is written the
way spyx's documentation and ``spyx.bench`` write it: ``spyx.nn.Sequential(nnx.Linear(100,
256), spyx.nn.LIF((256,), beta=exp(-1/5)), nnx.Linear(256, 10), spyx.nn.LI((10,),
beta=exp(-1/10)))`` driven over time by :func:`spyx.nn.run` (one ``lax.scan`` whose body
runs all four layers), split with ``nnx.split`` into the trained weights and biases and
the rest (the fixed decays), one ``jax.jit`` training step with ``optax.adam(1e-3)`` and
donated buffers, cross-entropy of the readout's maximum over time. The surrogate is
``spyx.axn.custom`` with the ``ReluGrad`` shape ``0.3 * max(0, 1 - |v - 1|)``.

spyx's own neuron maths differ in detail from the ``jax`` variant (the cost per step is
the same): ``spyx.nn.LIF`` fires from the membrane *before* the update,
``V = beta * V + x - spikes * threshold`` (no ``1 - beta`` input factor, the reset is
not detached: spyx has no option for that), and ``spyx.nn.LI`` is ``V = beta * V + x``.

So that the spyx figure is a ratio measured in one process, the same interpreter also
times ``snn_step.py``'s hand-written pure JAX + optax step (``jax``, imported from
``snn_step``, the same function and data), the two in turn (round-robin). Prints one
JSON object ``{"spyx": {"ms": ..., "loss": ...}, "jax": {...}, "versions": {...}}``.

Run:  /path/to/spyx/python benchmarks/_snn_step_spyx.py --steps 100 --batch 64
"""

from __future__ import annotations

import argparse
from typing import Any

import flax
import jax
import numpy as np
import optax
import spyx
from _peers import report
from _spike import relu_grad
from _timing import medians_ms
from flax import nnx
from snn_step import (
    N_HIDDEN,
    N_IN,
    N_OUT,
    TAU,
    TAU_OUT,
    Step,
    data,
    jax_step,
    optax_runner,
)


def spyx_step(x: jax.Array, y: jax.Array) -> Step:
    spike = spyx.axn.custom(relu_grad)  # the ReluGrad() shape
    rngs = nnx.Rngs(0)
    model = spyx.nn.Sequential(
        nnx.Linear(N_IN, N_HIDDEN, rngs=rngs),
        spyx.nn.LIF((N_HIDDEN,), beta=float(np.exp(-1 / TAU)), activation=spike, rngs=rngs),
        nnx.Linear(N_HIDDEN, N_OUT, rngs=rngs),
        spyx.nn.LI((N_OUT,), beta=float(np.exp(-1 / TAU_OUT)), rngs=rngs),
    )
    weights = nnx.All(nnx.Param, nnx.Any(nnx.PathContains("kernel"), nnx.PathContains("bias")))
    graphdef, params, rest = nnx.split(model, weights, ...)  # the decays stay fixed

    def loss_fn(p: Any, xs: jax.Array, ys: jax.Array) -> jax.Array:
        outs, _ = spyx.nn.run(nnx.merge(graphdef, p, rest), xs)
        return optax.softmax_cross_entropy_with_integer_labels(outs.max(axis=0), ys).mean()

    return optax_runner(loss_fn, x, y, params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    x, y = data(args.steps, args.batch)
    steps = {"spyx": spyx_step(x, y), "jax": jax_step(x, y)}
    losses = {name: float(step()) for name, step in steps.items()}
    ms = medians_ms(steps, args.repeats, sync=jax.block_until_ready)
    report({k: {"ms": ms[k], "loss": losses[k]} for k in steps}, spyx, jax, flax, optax)


if __name__ == "__main__":
    main()
