"""snntorch and norse variants of ``on_lif.py``, run by it in a separate interpreter (a torch venv).

``Linear(N, N)`` then one LIF layer, batch 16, T=500, loss = sum of output spikes, the
usual Python loop over time; the forward (``model(x)``) and ``loss.backward()`` are timed
separately, medians of ``--repeats`` after one warm-up, the variants in turn:

* ``snntorch``: ``snntorch.Leaky`` (beta = exp(-1/5), subtract reset, its default
  arctan surrogate ``snntorch.surrogate.atan()``);
* ``norse`` (only when ``import norse`` works): ``norse.torch.LIFBoxCell`` with
  ``dt = 1e-3`` and ``tau_mem_inv = (1 - exp(-1/5)) / dt`` (so its Euler step is
  ``v = a * v + (1 - a) * i``), threshold 1, norse's ``reset_subtract`` and its default
  SuperSpike surrogate.

Prints one JSON object ``{N: {variant: [forward_ms, backward_ms]}, "versions": {...}}``.

Run:  /path/to/torch/python benchmarks/_on_lif_torch.py --sizes 512 1024 2048
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable

import torch

BATCH, STEPS, TAU = 16, 500, 5.0
DT = 1e-3  # norse's default Euler step
Forward = Callable[[], torch.Tensor]


def snntorch_forward(fc: torch.nn.Linear, xs: torch.Tensor) -> Forward:
    import snntorch

    lif = snntorch.Leaky(beta=math.exp(-1 / TAU), threshold=1.0, reset_mechanism="subtract")

    def forward() -> torch.Tensor:
        mem = lif.reset_mem()
        spikes = []
        for t in range(STEPS):
            spk, mem = lif(fc(xs[t]), mem)
            spikes.append(spk)
        return torch.stack(spikes).sum()

    return forward


def norse_forward(fc: torch.nn.Linear, xs: torch.Tensor) -> Forward:
    from norse.torch import LIFBoxCell, LIFBoxParameters
    from norse.torch.functional.reset import reset_subtract

    p = LIFBoxParameters(
        tau_mem_inv=torch.as_tensor((1 - math.exp(-1 / TAU)) / DT),
        v_th=torch.as_tensor(1.0),
        reset_method=reset_subtract,
    )
    lif = LIFBoxCell(p, dt=DT)

    def forward() -> torch.Tensor:
        state = None
        spikes = []
        for t in range(STEPS):
            spk, state = lif(fc(xs[t]), state)
            spikes.append(spk)
        return torch.stack(spikes).sum()

    return forward


def bench(n: int, repeats: int, names: list[str]) -> dict[str, tuple[float, float]]:
    torch.manual_seed(0)
    xs = torch.randn(STEPS, BATCH, n)
    builders = {"snntorch": snntorch_forward, "norse": norse_forward}
    models: dict[str, tuple[torch.nn.Linear, Forward]] = {}
    for name in names:
        fc = torch.nn.Linear(n, n)
        models[name] = fc, builders[name](fc, xs)
    for _, forward in models.values():
        forward().backward()  # warm-up
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in models}
    for _ in range(repeats):
        for name, (fc, forward) in models.items():
            fc.zero_grad()
            start = time.perf_counter()
            loss = forward()
            middle = time.perf_counter()
            loss.backward()
            end = time.perf_counter()
            times[name][0].append(middle - start)
            times[name][1].append(end - middle)
            del loss
    return {
        k: (statistics.median(f) * 1e3, statistics.median(b) * 1e3) for k, (f, b) in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import snntorch

    names = ["snntorch"]
    versions = {"torch": torch.__version__, "snntorch": snntorch.__version__}
    try:
        import norse
    except ImportError:
        pass
    else:
        names.append("norse")
        versions["norse"] = getattr(norse, "__version__", "?")
    result: dict[str, object] = {str(n): bench(n, args.repeats, names) for n in args.sizes}
    result["versions"] = versions | {"threads": str(torch.get_num_threads())}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
