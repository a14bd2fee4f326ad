"""Surrogate spike functions: ours vs braintools 0.3.0 vs a minimal hand-written custom_jvp.

Times ``jit(grad(sum(spike(x))))`` for float32 ``x`` of 1e6 and 1e7 elements, every
variant in turn in one process (round-robin), medians after warm-up, and prints
the ratio of ours (and braintools) to the hand-written baseline for each surrogate
braintools also has, plus ours alone for the others. The last column compares XLA's
flop and memory-traffic estimates of ours and the baseline: "identical" means the two
compiled programs do the same work, so any timing difference is machine noise.

Run:  python benchmarks/surrogate.py [--sizes 1000000 10000000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
from _spike import custom_spike
from _timing import medians_ms
from jax import Array

from core import surrogate

Step = Callable[[Array], Array]


def compiled(spike: Callable[[Array], Array]) -> Step:
    return jax.jit(jax.grad(lambda x: spike(x).sum()))


def cost(step: Step, x: Array) -> tuple[float, float]:
    """XLA's flop and memory-traffic estimate of the compiled step (noise-free)."""
    analysis = step.lower(x).compile().cost_analysis()  # type: ignore[attr-defined]
    return float(analysis.get("flops", 0.0)), float(analysis.get("bytes accessed", 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    try:
        import braintools.surrogate as theirs
    except ImportError:  # pragma: no cover - braintools is a dev extra
        theirs = None

    print(f"jax {jax.__version__}, backend {jax.default_backend()}, medians of {args.repeats}")
    header = (
        f"{'surrogate':<26}{'n':>10}{'hand ms':>10}{'ours/hand':>11}{'braintools/hand':>17}"
        f"{'XLA cost ours/hand':>20}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for size in args.sizes:
        x = jax.random.normal(jax.random.key(0), (size,), jnp.float32)
        for cls in surrogate.catalogue():
            ours = cls()
            steps = {"hand": compiled(custom_spike(ours.surrogate_grad)), "ours": compiled(ours)}
            braintools_cls = getattr(theirs, cls.__name__, None) if theirs else None
            if braintools_cls is not None:
                kwargs = {k: getattr(ours, k) for k in ours.__dataclass_fields__}
                kwargs.pop("learnable"), kwargs.pop("smooth_forward")
                steps["braintools"] = compiled(braintools_cls(**kwargs))
            times = medians_ms(
                {name: functools.partial(step, x) for name, step in steps.items()},
                args.repeats,
                warmup=1,
                sync=jax.block_until_ready,
            )
            ratio = times["ours"] / times["hand"]
            worst = max(worst, ratio)
            theirs_ratio = (
                f"{times['braintools'] / times['hand']:>17.2f}"
                if "braintools" in times
                else f"{'-':>17}"
            )
            same_cost = cost(steps["ours"], x) == cost(steps["hand"], x)
            print(
                f"{cls.__name__:<26}{size:>10.0e}{times['hand']:>10.2f}"
                f"{ratio:>11.2f}{theirs_ratio}{'identical' if same_cost else 'DIFFERENT':>20}"
            )
    print(f"\nworst ours/hand ratio: {worst:.2f}")


if __name__ == "__main__":
    main()
