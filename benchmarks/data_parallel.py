"""Data-parallel scaling: training steps per second at 1, 2 processes and 1, 2, 4 devices.

The step is the functional digits tutorial's (``docs/tutorials/snn_training_functional.py``:
64 -> 256 LIF -> 10 leaky readout, ``T = 25``, BPTT, Adam, one ``jax.jit`` with donated
buffers), in two layouts: ``loop``, the tutorial's own (the readout's ``Linear`` inside
the time loop, the input's through :func:`core.layers.dense`), and ``layers`` (both
projections outside the loop as plain ``x @ w``, one matmul over all time steps), on a
fixed global batch (``--batch-size``, default 128) split over every device
of every process with :mod:`core.distributed`. Each configuration is a fresh launch of
:func:`core.distributed.launch_local` (processes on ``127.0.0.1``, gloo collectives,
``--xla_force_host_platform_device_count`` CPU devices per process); a worker warms up,
then times ``--steps`` steps one by one (each waited for) and process 0 reports the
median. The configurations run in turn, ``--rounds`` times; the table shows the median
over rounds of steps per second, and the speed-up against 1 process x 1 device.

On a CPU the "devices" of one process are slices of the same cores, and processes on
one host share them too: the figure shows what splitting costs (collectives, smaller
matmuls per device, processes competing for cores), not what more hardware gains.

Run:  python benchmarks/data_parallel.py [--steps 30] [--rounds 2] [--batch-size 128]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ((1, 1), (1, 2), (1, 4), (2, 2), (2, 4))  # (processes, devices in all)
LAYOUTS = ("loop", "layers")


def _worker(steps: int, batch_size: int, layout: str) -> None:
    import jax
    import numpy as np

    from core import distributed, loss, neuron, optim

    sys.path.insert(0, str(ROOT / "docs" / "tutorials"))
    from snn_training_functional import HIDDEN, READOUT, init_params
    from snn_training_functional import loss_fn as loop_loss

    def layers_loss(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
        """The tutorial's network with both projections outside the time loop.

        ``x @ w`` keeps the (sharded) batch axis apart; flattening ``(T, batch, n)`` to
        ``(T * batch, n)`` first, as ``core.layers.dense`` does, merges it with time and
        makes XLA all-gather the activations.
        """
        batch = x.shape[1]
        _, spikes = neuron.run(HIDDEN, HIDDEN.init(batch), x @ params["w1"] + params["b1"])
        readout_in = spikes @ params["w2"] + params["b2"]
        _, out = neuron.run(READOUT, READOUT.init(batch), readout_in)
        return loss.softmax_cross_entropy_with_integer_labels(out.max(axis=0), y).mean()

    loss_fn = loop_loss if layout == "loop" else layers_loss

    distributed.initialize()
    mesh = distributed.data_mesh()
    tx = optim.adam(learning_rate=1e-3)
    params = init_params(jax.random.key(0))
    params, opt_state = distributed.replicate((params, tx.init(params)), mesh)

    def step(params: object, opt_state: object, x: jax.Array, y: jax.Array) -> object:
        grads = jax.grad(loss_fn)(params, x, y)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state

    train_step = jax.jit(step, donate_argnums=(0, 1))
    rng = np.random.default_rng(0)
    spikes = (rng.random((25, batch_size, 64)) < 0.2).astype(np.float32)
    labels = rng.integers(0, 10, batch_size).astype(np.int32)
    mine = distributed.process_slice(batch_size)
    x, y = distributed.shard_batch((spikes[:, mine], labels[mine]), mesh, batch_axis=(1, 0))
    times = []
    for i in range(steps + 3):  # 3 untimed: compilation and warm-up
        start = time.perf_counter()
        params, opt_state = train_step(params, opt_state, x, y)
        jax.block_until_ready(params)
        if i >= 3:
            times.append(time.perf_counter() - start)
    if jax.process_index() == 0:
        median = statistics.median(times)
        print(json.dumps({"ms": median * 1e3, "devices": len(mesh.devices.flat)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--worker", choices=LAYOUTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.steps, args.batch_size, args.worker)
        return
    from core import distributed

    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    timings: dict[tuple[str, int, int], list[float]] = {
        (layout, *config): [] for layout in LAYOUTS for config in CONFIGS
    }
    for _ in range(args.rounds):
        for layout, processes, devices in timings:
            argv = [__file__, "--worker", layout, "--steps", str(args.steps)]
            runs = distributed.launch_local(
                [*argv, "--batch-size", str(args.batch_size)],
                processes,
                devices_per_process=devices // processes,
                timeout=900,
                env=env,
            )
            if any(run.returncode for run in runs):
                sys.exit(next(run.stderr for run in runs if run.returncode)[-3000:])
            result = json.loads(runs[0].stdout.strip().splitlines()[-1])
            assert result["devices"] == devices, result
            timings[(layout, processes, devices)].append(result["ms"])
    print(f"global batch {args.batch_size}, T = 25, median of {args.steps} steps per launch")
    print("readout  processes  devices  ms/step  steps/s  speed-up")
    for (layout, processes, devices), values in timings.items():
        base = statistics.median(timings[(layout, *CONFIGS[0])])
        ms = statistics.median(values)
        print(
            f"{layout:7s}  {processes:9d}  {devices:7d}  {ms:7.1f}  {1e3 / ms:7.1f}  "
            f"{base / ms:8.2f}"
        )


if __name__ == "__main__":
    main()
