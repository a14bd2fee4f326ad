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
import math
from collections.abc import Callable
from typing import Any

import torch
from _peers import report
from _timing import Lap, lap_medians_ms

BATCH, STEPS, TAU = 16, 500, 5.0
DT = 1e-3  # norse's default Euler step
Forward = Callable[[], torch.Tensor]
Timed = Callable[[Lap[Any]], None]


def spike_count(
    lif: Callable[[torch.Tensor, Any], tuple[torch.Tensor, Any]],
    initial: Callable[[], Any],
    fc: torch.nn.Linear,
    xs: torch.Tensor,
) -> Forward:
    """The forward pass: ``lif`` over the T steps from state ``initial()``, spikes summed."""

    def forward() -> torch.Tensor:
        state = initial()
        spikes = []
        for t in range(STEPS):
            spk, state = lif(fc(xs[t]), state)
            spikes.append(spk)
        return torch.stack(spikes).sum()

    return forward


def snntorch_forward(fc: torch.nn.Linear, xs: torch.Tensor) -> Forward:
    import snntorch

    lif = snntorch.Leaky(beta=math.exp(-1 / TAU), threshold=1.0, reset_mechanism="subtract")
    return spike_count(lif, lif.reset_mem, fc, xs)


def norse_forward(fc: torch.nn.Linear, xs: torch.Tensor) -> Forward:
    from norse.torch import LIFBoxCell, LIFBoxParameters
    from norse.torch.functional.reset import reset_subtract

    p = LIFBoxParameters(
        tau_mem_inv=torch.as_tensor((1 - math.exp(-1 / TAU)) / DT),
        v_th=torch.as_tensor(1.0),
        reset_method=reset_subtract,
    )
    return spike_count(LIFBoxCell(p, dt=DT), lambda: None, fc, xs)


def forward_backward(fc: torch.nn.Linear, forward: Forward) -> Timed:
    """One run: the forward pass and ``loss.backward()``, a lap each; the gradient then zeroed."""

    def run(lap: Lap[Any]) -> None:
        loss = lap(forward())
        lap(loss.backward())
        fc.zero_grad()

    return run


def bench(n: int, repeats: int, names: list[str]) -> dict[str, list[float]]:
    """Median forward and backward ms of each variant at size ``n``, timed in turn."""
    torch.manual_seed(0)
    xs = torch.randn(STEPS, BATCH, n)
    builders = {"snntorch": snntorch_forward, "norse": norse_forward}
    runs: dict[str, Timed] = {}
    for name in names:
        fc = torch.nn.Linear(n, n)
        runs[name] = forward_backward(fc, builders[name](fc, xs))
    return lap_medians_ms(runs, repeats, warmup=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import snntorch

    names, modules = ["snntorch"], [torch, snntorch]
    try:
        import norse
    except ImportError:
        pass
    else:
        names.append("norse")
        modules.append(norse)
    result = {str(n): bench(n, args.repeats, names) for n in args.sizes}
    report(result, *modules, threads=str(torch.get_num_threads()))


if __name__ == "__main__":
    main()
