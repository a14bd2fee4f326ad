"""snntorch variant of ``on_lif.py``, run by it in a separate interpreter (a torch venv).

Prints one JSON object ``{N: [forward_ms, backward_ms]}``: ``Linear(N, N)`` then
``snntorch.Leaky`` (beta = exp(-1/5), subtract reset, fast-sigmoid surrogate), batch 16,
T=500, loss = sum of output spikes; medians of ``--repeats`` after one warm-up.

Run:  /path/to/torch/python benchmarks/_on_lif_torch.py --sizes 512 1024 2048
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time

import snntorch
import torch

BATCH, STEPS, TAU = 16, 500, 5.0


def bench(n: int, repeats: int) -> tuple[float, float]:
    torch.manual_seed(0)
    fc = torch.nn.Linear(n, n)
    lif = snntorch.Leaky(beta=math.exp(-1 / TAU), threshold=1.0, reset_mechanism="subtract")
    xs = torch.randn(STEPS, BATCH, n)

    def forward() -> torch.Tensor:
        mem = lif.init_leaky()
        spikes = []
        for t in range(STEPS):
            spk, mem = lif(fc(xs[t]), mem)
            spikes.append(spk)
        return torch.stack(spikes).sum()

    forward().backward()  # warm-up
    fwd, bwd = [], []
    for _ in range(repeats):
        fc.zero_grad()
        start = time.perf_counter()
        loss = forward()
        middle = time.perf_counter()
        loss.backward()
        end = time.perf_counter()
        fwd.append(middle - start)
        bwd.append(end - middle)
    return statistics.median(fwd) * 1e3, statistics.median(bwd) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(json.dumps({n: bench(n, args.repeats) for n in args.sizes}))


if __name__ == "__main__":
    main()
