"""The Open Neuromorphic SNN library benchmark on CPU: Linear(N, N) then one LIF layer.

Batch 16, T=500, loss = sum of the output spikes; the forward pass (which keeps what
the backward pass needs) and the backward pass (weight and bias gradients) are
timed separately, as the Open Neuromorphic harness times ``model(x)`` and
``loss.backward()``: the forward is ``jax.vjp`` under ``jit`` and returns the
residuals, the backward is a second ``jit`` that applies them.

* ``ours``: :func:`core.neuron.run` over a :class:`core.neuron.LIF`, the inputs of all
  time steps projected by one matmul before the loop;
* ``jax``: hand-written JAX, the layer applied inside the ``lax.scan`` body each step
  (the usual step-by-step formulation), ``custom_jvp`` spike;
* ``jax-tuned``: hand-written JAX with the projection outside the loop (ours' layout).

Variants run in turn (round-robin), medians after warm-up. With ``--torch-python``
(the interpreter of a venv holding torch and snntorch), ``snntorch`` runs afterwards in
that interpreter (``benchmarks/_on_lif_torch.py``: ``torch.nn.Linear`` + ``snntorch.Leaky``,
the usual Python loop over time, ``--torch-threads`` threads, default 1) and, if norse
imports there, ``norse`` (``LIFBoxCell``, default SuperSpike surrogate). With
``--spyx-python`` (the interpreter of a venv holding spyx), ``benchmarks/_on_lif_spyx.py``
times ``spyx`` (``nnx.Linear`` + ``spyx.nn.LIF`` under :func:`spyx.nn.run`) in turn with
this file's ``jax`` variant (row ``jax (spyx)``) in that interpreter: the spyx ratios are
against that same-process ``jax (spyx)``, whose own ratios are against ``jax`` here.

Run:  python benchmarks/on_lif.py [--sizes 512 1024 2048] [--repeats 3]
      [--torch-python /tmp/peers_venv/bin/python] [--spyx-python /tmp/spyx_venv/bin/python]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from _peers import run_peer
from _spike import relu_grad_spike
from _timing import Lap, lap_medians_ms

BATCH, STEPS, TAU = 16, 500, 5.0
Loss = Callable[[dict[str, jax.Array], jax.Array], jax.Array]
Timed = Callable[[Lap[Any]], None]


def ours_loss() -> Loss:
    from core import neuron, surrogate  # here: the spyx venv imports this file without core

    def loss(p: dict[str, jax.Array], xs: jax.Array) -> jax.Array:
        cell = neuron.LIF(p["w"].shape[1], tau=TAU, spike_fun=surrogate.ReluGrad())
        _, spikes = neuron.run(cell, cell.init(xs.shape[1]), xs @ p["w"] + p["b"])
        return spikes.sum()

    return loss


def jax_loss(tuned: bool) -> Loss:
    a = float(np.exp(-1 / TAU))

    def lif(v: jax.Array, i: jax.Array) -> tuple[jax.Array, jax.Array]:
        u = a * v + (1 - a) * i
        s = relu_grad_spike(u - 1.0)
        return u - s, s

    def loss(p: dict[str, jax.Array], xs: jax.Array) -> jax.Array:
        v0 = jnp.zeros((xs.shape[1], p["w"].shape[1]), xs.dtype)
        if tuned:
            _, spikes = jax.lax.scan(lif, v0, xs @ p["w"] + p["b"])
        else:
            _, spikes = jax.lax.scan(lambda v, x: lif(v, x @ p["w"] + p["b"]), v0, xs)
        return spikes.sum()

    return loss


def forward_backward(loss: Loss, params: dict[str, jax.Array], xs: jax.Array) -> Timed:
    """One run of ``loss``'s jitted forward and backward passes, a lap each.

    The forward is ``jax.vjp`` (it returns the residuals), the backward applies them.
    """
    forward = jax.jit(lambda p, xs: jax.vjp(lambda q: loss(q, xs), p))
    backward = jax.jit(lambda vjp_fn: vjp_fn(jnp.ones((), jnp.float32))[0])

    def run(lap: Lap[Any]) -> None:
        _, vjp_fn = lap(forward(params, xs))
        lap(backward(vjp_fn))

    return run


def bench(n: int, variants: dict[str, Loss], repeats: int) -> dict[str, list[float]]:
    """Median forward and backward ms of each variant at size ``n``, timed in turn."""
    rng = np.random.default_rng(0)
    xs = jnp.asarray(rng.normal(0.0, 1.0, (STEPS, BATCH, n)).astype(np.float32))
    params = {
        "w": jnp.asarray(rng.normal(0.0, 2.0 / np.sqrt(n), (n, n)).astype(np.float32)),
        "b": jnp.zeros(n, jnp.float32),
    }
    runs = {name: forward_backward(loss, params, xs) for name, loss in variants.items()}
    return lap_medians_ms(runs, repeats, warmup=1, sync=jax.block_until_ready)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch-python", help="python of a venv with torch + snntorch (+ norse)")
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--spyx-python", help="python of a venv with spyx")
    args = parser.parse_args()
    variants = {
        "ours": ours_loss(),
        "jax": jax_loss(tuned=False),
        "jax-tuned": jax_loss(tuned=True),
    }
    print(
        f"jax {jax.__version__}, backend {jax.default_backend()}, batch {BATCH}, T={STEPS}, "
        f"medians of {args.repeats}"
    )
    sizes = ("--sizes", *map(str, args.sizes), "--repeats", str(args.repeats))
    results = {n: bench(n, variants, args.repeats) for n in args.sizes}
    # per N: (variant, forward ms, backward ms, the variant its ratios are against)
    rows: dict[int, list[tuple[str, float, float, str]]] = {
        n: [(name, f, b, "jax") for name, (f, b) in ms.items()] for n, ms in results.items()
    }
    notes: list[str] = []
    if args.torch_python:
        out = run_peer(
            args.torch_python, "_on_lif_torch.py", *sizes, "--threads", str(args.torch_threads)
        )
        versions = ", ".join(f"{k} {v}" for k, v in out.pop("versions").items())
        for size, peers in out.items():
            rows[int(size)] += [(name, f, b, "jax") for name, (f, b) in peers.items()]
        notes.append(f"torch peers: separate process, {versions}; ratios vs jax")
    if args.spyx_python:
        out = run_peer(args.spyx_python, "_on_lif_spyx.py", *sizes)
        versions = ", ".join(f"{k} {v}" for k, v in out.pop("versions").items())
        for size, pair in out.items():
            (fs, bs), (fj, bj) = pair["spyx"], pair["jax"]
            rows[int(size)] += [("spyx", fs, bs, "jax (spyx)"), ("jax (spyx)", fj, bj, "jax")]
        notes.append(
            f"spyx: separate process, {versions}; ratios vs `jax (spyx)`, the jax variant"
            " timed in turn in that process (whose ratios are vs jax here)"
        )
    header = (
        f"{'N':>6} {'variant':<11}{'fwd ms':>10}{'bwd ms':>10}{'total ms':>10}"
        f"{'fwd/jax':>9}{'bwd/jax':>9}{'total/jax':>10}"
    )
    print(header)
    print("-" * len(header))
    for n, table in rows.items():
        ref = {name: (f, b) for name, f, b, _ in table}
        for name, f, b, against in table:
            f0, b0 = ref[against]
            print(
                f"{n:>6} {name:<11}{f:>10.1f}{b:>10.1f}{f + b:>10.1f}"
                f"{f / f0:>9.2f}{b / b0:>9.2f}{(f + b) / (f0 + b0):>10.2f}"
            )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
