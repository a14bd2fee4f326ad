"""Peak memory of T=500 BPTT with and without gradient checkpointing in the time loop.

A 100 -> 2048 LIF -> 10 leaky readout network, batch 64, T=500, run as one step
function by :func:`core.neuron.run` (both layers inside the loop), one jitted
``value_and_grad`` + Adam step. Each setting runs in its own subprocess, which
reports its peak resident memory (``resource.getrusage(...).ru_maxrss``), the
peak just before the first step (imports, data, parameters, compilation), and the
median time of a few steps after the first (compiled) one:

* ``off``: plain BPTT, every step's intermediates kept for the backward pass;
* ``step``: ``checkpoint=True``, each step recomputed in the backward pass;
* ``k``: ``checkpoint=k`` (``--segment``, default 22 ~ sqrt(T)), segments of k steps.

Settings run in turn, ``--repeats`` times each (medians).

Run:  python benchmarks/memory.py [--repeats 2] [--steps 500] [--hidden 2048]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(setting: str, steps: int, hidden: int, batch: int, timed: int) -> dict[str, float]:
    """Build and run the step in this process; return memory (MiB) and time (ms)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from core import loss, neuron, optim, surrogate

    checkpoint: bool | int = {"off": False, "step": True}.get(setting, False)
    if setting not in ("off", "step"):
        checkpoint = int(setting)
    lif = neuron.LIF(hidden, tau=5.0, detach_reset=True, spike_fun=surrogate.ReluGrad())
    readout = neuron.LeakyReadout(10, tau=10.0)
    rng = np.random.default_rng(0)
    xs = jnp.asarray((rng.random((steps, batch, 100)) < 0.1).astype(np.float32))
    ys = jnp.asarray(rng.integers(0, 10, batch))
    k1, k2 = jax.random.split(jax.random.key(0))
    params = {
        "w1": jax.random.normal(k1, (100, hidden)) * 0.3,
        "w2": jax.random.normal(k2, (hidden, 10)) * (2.0 / hidden) ** 0.5,
    }

    def loss_fn(p: dict[str, jax.Array]) -> jax.Array:
        def step(state: Any, x_t: jax.Array) -> tuple[Any, jax.Array]:
            v, o = state
            v, s = lif(v, x_t @ p["w1"])
            o, out = readout(o, s @ p["w2"])
            return (v, o), out

        init = (lif.init(batch), readout.init(batch))
        _, outs = neuron.run(step, init, xs, checkpoint=checkpoint)
        return loss.softmax_cross_entropy_with_integer_labels(outs.max(axis=0), ys).mean()

    tx = optim.adam(1e-3)

    def train(p: Any, s: Any) -> tuple[Any, Any, jax.Array]:
        value, grads = jax.value_and_grad(loss_fn)(
            p,
        )
        updates, s = tx.update(grads, s, p)
        return optim.apply_updates(p, updates), s, value

    state = (params, tx.init(params))
    compiled = jax.jit(train, donate_argnums=(0, 1)).lower(*state).compile()
    jax.block_until_ready(state)
    before = _rss_mb()  # after compiling: the step's own memory is what comes on top
    params, opt_state, _ = jax.block_until_ready(compiled(*state))
    times = []
    for _ in range(timed):
        start = time.perf_counter()
        params, opt_state, _ = jax.block_until_ready(compiled(params, opt_state))
        times.append(time.perf_counter() - start)
    return {"before": before, "peak": _rss_mb(), "ms": statistics.median(times) * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="subprocesses per setting")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--hidden", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--segment", type=int, default=22)
    parser.add_argument("--timed", type=int, default=3, help="timed steps per subprocess")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [str(args.steps), str(args.hidden), str(args.batch), str(args.timed)]
    if args.child:
        result = child(args.child, args.steps, args.hidden, args.batch, args.timed)
        print(json.dumps(result))
        return
    settings = ["off", "step", str(args.segment)]
    results: dict[str, list[dict[str, float]]] = {s: [] for s in settings}
    script = str(Path(__file__).resolve())
    for _ in range(args.repeats):
        for setting in settings:
            out = subprocess.run(
                [
                    sys.executable,
                    script,
                    "--child",
                    setting,
                    "--steps",
                    sizes[0],
                    "--hidden",
                    sizes[1],
                    "--batch",
                    sizes[2],
                    "--timed",
                    sizes[3],
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[setting].append(json.loads(out.strip().splitlines()[-1]))
    med = {
        s: {k: statistics.median(r[k] for r in rs) for k in ("before", "peak", "ms")}
        for s, rs in results.items()
    }
    print(
        f"T={args.steps}, batch {args.batch}, 100-{args.hidden}-10, medians of "
        f"{args.repeats} processes x {args.timed} timed steps"
    )
    header = (
        f"{'checkpoint':<12}{'peak MiB':>10}{'before MiB':>12}{'step MiB':>10}"
        f"{'ms/step':>10}{'mem off/this':>14}{'time this/off':>15}"
    )
    print(header)
    print("-" * len(header))
    off = med["off"]
    for setting, m in med.items():
        used, used_off = m["peak"] - m["before"], off["peak"] - off["before"]
        label = setting if setting in ("off", "step") else f"k={setting}"
        print(
            f"{label:<12}{m['peak']:>10.0f}{m['before']:>12.0f}{used:>10.0f}{m['ms']:>10.1f}"
            f"{used_off / used:>14.2f}{m['ms'] / off['ms']:>15.2f}"
        )
    print("step MiB = peak - before: the memory the training step itself adds")


if __name__ == "__main__":
    main()
