"""snntorch and norse variants of ``snn_step.py``, run by it in a separate interpreter.

The interpreter is a torch venv (CPU torch with snntorch and, if installed, norse).
Both peers train the network of ``snn_step.py``'s ``jax`` variant, written the way
each library is usually used: ``torch.nn.Linear(100, 256)`` -> LIF -> ``Linear(256, 10)``
-> leaky readout, the usual Python loop over the T time steps, cross-entropy of the
readout's maximum over time, ``torch.optim.Adam(lr=1e-3)``. One timed step is
``zero_grad`` + forward + ``backward`` + ``optimizer.step``.

* ``snntorch``: ``snntorch.Leaky(beta=exp(-1/5), threshold=1, reset_mechanism="subtract")``
  with its default ``reset_delay=True``: snntorch then computes the reset from the
  previous membrane and detaches it (``mem_reset`` calls ``.detach()``), i.e. a detached
  subtractive reset; its update is ``mem = beta * mem + input - reset`` (no ``1 - beta``
  input factor). Surrogate: ``snntorch.surrogate.custom_surrogate`` with the
  ``ReluGrad`` shape ``0.3 * max(0, 1 - |v - 1|)``. Readout: a plain tensor recurrence
  ``o = a * o + (1 - a) * (s @ W2 + b2)`` with ``a = exp(-1/10)``.
* ``norse`` (only when ``import norse`` works): ``norse.torch.LIFBoxCell`` (LIF without
  a synaptic current) with ``dt = 1e-3`` and ``tau_mem_inv = (1 - exp(-1/5)) / dt`` so
  that its Euler step is ``v = a * v + (1 - a) * i``, threshold 1, a detached
  subtractive reset passed as ``reset_method``, and norse's default SuperSpike
  surrogate (``method="super"``, ``alpha=100``); readout ``norse.torch.LIBoxCell``
  with ``tau_mem_inv = (1 - exp(-1/10)) / dt``.

The inputs are the very arrays of ``snn_step.data()``: ``snn_step.py`` writes them as raw
little-endian bytes (float32 spikes ``(T, batch, 100)``, int64 labels ``(batch,)``)
into ``--data`` (a folder), so this script needs no NumPy. Variants run in turn
(round-robin) with ``--threads`` torch threads (default 1); prints one JSON object
``{variant: {"ms": median_ms, "loss": first_loss}, "versions": {...}}``.

Run:  /path/to/torch/python benchmarks/_snn_step_torch.py --data DIR --steps 100 --batch 64
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import torch
from _peers import report
from _timing import medians_ms

N_IN, N_HIDDEN, N_OUT = 100, 256, 10
TAU, TAU_OUT, LR = 5.0, 10.0, 1e-3
A, A_OUT = math.exp(-1 / TAU), math.exp(-1 / TAU_OUT)
DT = 1e-3  # norse's default Euler step; tau_mem_inv is chosen so that dt * tau_mem_inv = 1 - a
Step = Callable[[], float]


def load(folder: Path, steps: int, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The spikes ``(T, batch, 100)`` and labels ``(batch,)`` written by ``snn_step.py``."""
    x = torch.frombuffer(bytearray((folder / "x.bin").read_bytes()), dtype=torch.float32)
    y = torch.frombuffer(bytearray((folder / "y.bin").read_bytes()), dtype=torch.int64)
    return x.reshape(steps, batch, N_IN).clone(), y.clone()


def trainer(
    net: torch.nn.Module,
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
) -> Step:
    """One training step: zero_grad, forward, cross-entropy of max over time, backward, Adam."""
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)

    def step() -> float:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(forward(x).amax(dim=0), y)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    return step


def snntorch_step(x: torch.Tensor, y: torch.Tensor) -> Step:
    import snntorch
    from snntorch import surrogate

    def relu_grad(v: torch.Tensor, grad: torch.Tensor, spikes: torch.Tensor) -> torch.Tensor:
        return 0.3 * torch.clamp(1.0 - v.abs(), min=0.0) * grad  # ReluGrad(), v = mem - threshold

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = torch.nn.Linear(N_IN, N_HIDDEN)
            self.lif = snntorch.Leaky(
                beta=A,
                threshold=1.0,
                reset_mechanism="subtract",
                spike_grad=surrogate.custom_surrogate(relu_grad),
            )  # reset_delay=True (default): the reset is computed from the old mem, detached
            self.fc2 = torch.nn.Linear(N_HIDDEN, N_OUT)

        def forward(self, xs: torch.Tensor) -> torch.Tensor:
            mem = self.lif.reset_mem()
            out = torch.zeros(xs.shape[1], N_OUT)
            outs = []
            for t in range(xs.shape[0]):
                spk, mem = self.lif(self.fc1(xs[t]), mem)
                out = A_OUT * out + (1 - A_OUT) * self.fc2(spk)
                outs.append(out)
            return torch.stack(outs)

    torch.manual_seed(0)
    net = Net()
    return trainer(net, net, x, y)


def norse_step(x: torch.Tensor, y: torch.Tensor) -> Step:
    from norse.torch import LIBoxCell, LIBoxParameters, LIFBoxCell, LIFBoxParameters

    def detached_subtract(
        z: torch.Tensor, v: torch.Tensor, reset: torch.Tensor, th: torch.Tensor
    ) -> torch.Tensor:
        return v - z.detach() * th

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = torch.nn.Linear(N_IN, N_HIDDEN)
            self.lif = LIFBoxCell(
                LIFBoxParameters(
                    tau_mem_inv=torch.as_tensor((1 - A) / DT),
                    v_th=torch.as_tensor(1.0),
                    reset_method=detached_subtract,
                ),  # default surrogate: method="super" (SuperSpike), alpha=100
                dt=DT,
            )
            self.fc2 = torch.nn.Linear(N_HIDDEN, N_OUT)
            self.out = LIBoxCell(
                LIBoxParameters(tau_mem_inv=torch.as_tensor((1 - A_OUT) / DT)), dt=DT
            )

        def forward(self, xs: torch.Tensor) -> torch.Tensor:
            s_lif = s_out = None
            outs = []
            for t in range(xs.shape[0]):
                spk, s_lif = self.lif(self.fc1(xs[t]), s_lif)
                o, s_out = self.out(self.fc2(spk), s_out)
                outs.append(o)
            return torch.stack(outs)

    torch.manual_seed(0)
    net = Net()
    return trainer(net, net, x, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with x.bin and y.bin")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load(args.data, args.steps, args.batch)
    import snntorch

    modules = [torch, snntorch]
    steps = {"snntorch": snntorch_step(x, y)}
    try:
        import norse
    except ImportError:
        pass
    else:
        modules.append(norse)
        steps["norse"] = norse_step(x, y)
    losses = {name: step() for name, step in steps.items()}
    ms = medians_ms(steps, args.repeats, warmup=args.warmup)
    result = {name: {"ms": ms[name], "loss": losses[name]} for name in steps}
    report(result, *modules, threads=str(torch.get_num_threads()))


if __name__ == "__main__":
    main()
