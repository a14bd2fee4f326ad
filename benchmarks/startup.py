"""Start-up cost of a whole training process: ours (facade) vs braintools vs pure JAX + optax.

Each run is a fresh ``python`` subprocess that imports its libraries, builds the
100 -> 256 LIF -> 10 network of ``benchmarks/snn_step.py`` and its Adam optimizer,
and runs the first (compiled) training step to completion; the wall-clock time of
the whole subprocess is measured from outside. Variants run in turn (round-robin),
``--repeats`` times each; medians, and ratios to pure JAX + optax.

* ``facade``: ours, facade style (``brainstate`` + ``facade.nn`` / ``facade.optim``);
* ``functional``: ours, functional style (:mod:`core` only, ``jax.jit``);
* ``braintools``: brainstate 0.5.4 + braintools 0.3.0 (with ``facade.nn.LIF``:
  neither has a LIF neuron);
* ``jax``: hand-written JAX + optax.

Every package imports from compiled bytecode, as an installed one does: the
children may write Python's bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped)
and each variant runs once untimed first.

``--hide matplotlib`` runs every variant as if the named optional packages were not
installed (a plain ``pip install spiketrain`` has no matplotlib; brainstate's unit
library imports it when it is present, which costs the brainstate-based variants
about half a second here; braintools itself needs matplotlib, so its variant
keeps it).

Run:  python benchmarks/startup.py [--repeats 3] [--steps 100] [--hide matplotlib]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = ("facade", "functional", "braintools", "jax")


def child(variant: str, steps: int, hide: list[str]) -> None:
    """The measured program: imports, construction, first training step."""
    if variant == "braintools":
        hide = []  # braintools 0.3.0 imports matplotlib.pyplot: a hard dependency of it
    for name in hide:  # find_spec() and import both see the package as absent
        sys.modules[name] = None  # type: ignore[assignment]
    sys.path.insert(0, str(HERE))
    import jax
    import snn_step

    x, y = snn_step.data(steps)
    step = snn_step.BUILDERS[variant](x, y)
    jax.block_until_ready(step())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100, help="time steps T")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--hide", nargs="*", default=[], help="packages to treat as absent")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.steps, args.hide)
        return
    samples: dict[str, list[float]] = {v: [] for v in args.variants}
    command = [sys.executable, str(Path(__file__).resolve()), "--steps", str(args.steps)]
    if args.hide:
        command += ["--hide", *args.hide]
    # Installed packages come with compiled bytecode; a source checkout gets it on its
    # first import unless PYTHONDONTWRITEBYTECODE forbids caching it. Allow the cache
    # and run each variant once untimed, so every package starts from bytecode.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for variant in args.variants:
        subprocess.run([*command, "--child", variant], check=True, env=env)
    for _ in range(args.repeats):
        for variant in args.variants:  # in turn, so load drifts hit every variant alike
            start = time.perf_counter()
            subprocess.run([*command, "--child", variant], check=True, env=env)
            samples[variant].append(time.perf_counter() - start)
    hidden = f", hiding {' '.join(args.hide)}" if args.hide else ""
    print(
        f"whole-process start-up (import + build + first step), medians of {args.repeats}" + hidden
    )
    base = statistics.median(samples["jax"]) if "jax" in samples else None
    header = f"{'variant':<12}{'seconds':>9}{'vs jax':>9}   runs"
    print(header)
    print("-" * len(header))
    for variant, values in samples.items():
        median = statistics.median(values)
        ratio = f"{median / base:>9.2f}" if base else f"{'-':>9}"
        runs = " ".join(f"{v:.2f}" for v in values)
        print(f"{variant:<12}{median:>9.2f}{ratio}   {runs}")


if __name__ == "__main__":
    main()
