"""Draw the whole surrogate catalogue and print what each one gives training.

Run:  python docs/tutorials/surrogate_gallery.py --out out

For every built-in surrogate it prints the derivative at the threshold g(0), the
area under g on [-5, 5] (how much gradient a spike passes in total) and whether
a smooth function F exists, then writes ``surrogate_gallery.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jax
import jax.numpy as jnp

from core import surrogate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="output folder")
    args = parser.parse_args()

    x = jnp.linspace(-5.0, 5.0, 20001, dtype=jnp.float32)
    dx = float(x[1] - x[0])
    print(f"{'surrogate':<26}{'g(0)':>10}{'area on [-5,5]':>16}")
    modules = [cls() for cls in surrogate.catalogue()]
    for module in modules:
        grad = jax.vmap(jax.grad(module))(x)
        area = float(jnp.sum(grad) * dx)
        print(f"{type(module).__name__:<26}{float(jax.grad(module)(0.0)):>10.4f}{area:>16.4f}")
    path = surrogate.plot_gallery(modules, args.out / "surrogate_gallery.png")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
