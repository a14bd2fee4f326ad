"""Peak memory of one training step against the sequence length T: BPTT, e-prop, OTTT.

The network of ``docs/tutorials/online_learning.py`` (64 inputs -> LIF -> leaky readout
of 10, batch 64; ``--hidden`` LIF neurons), one jitted training step (gradient + Adam)
per method, compiled for each T of ``--steps``. The figure is XLA's memory analysis
of the compiled step: arguments + outputs + temporaries, less the input sequence
(``T x batch x 64`` float32, the same for every method). It is deterministic and costs
a compilation per point, nothing is run. With ``--every K`` the online rules update the
weights every K steps inside the step (:func:`core.online.online_train`).

Prints one row per method, the ratio of the largest to the smallest T, and, with
``--json``, writes the numbers.

Run:  python benchmarks/online_memory.py [--steps 100 400 1600] [--hidden 128] [--every 0]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "tutorials"))
tutorial = importlib.import_module("online_learning")  # the tutorial's network and measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 400, 1600])
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--every", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    settings = argparse.Namespace(
        lr=1e-3, seed=0, hidden=args.hidden, memory_steps=args.steps, steps=25,
        every=args.every, batch_size=args.batch_size,
    )  # fmt: skip
    table = {method: tutorial.memory(method, settings) for method in tutorial.METHODS}
    header = "".join(f"{f'T={t}':>12}" for t in args.steps)
    print(f"{'method':<8}{header}{'max/min':>10}   (MiB per training step)")
    for method, row in table.items():
        cells = "".join(f"{row[t] / 2**20:>12.2f}" for t in args.steps)
        print(f"{method:<8}{cells}{max(row.values()) / min(row.values()):>10.3f}")
    if args.json is not None:
        args.json.write_text(
            json.dumps({m: {str(t): b for t, b in r.items()} for m, r in table.items()})
        )


if __name__ == "__main__":
    main()
