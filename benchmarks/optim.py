"""One Adam step: ours vs optax 0.2.8 vs the bandwidth floor, in one process.

The parameters are 20 float32 arrays of realistic mixed shapes (conv kernels
``(16, k, 3, 3)``, dense matrices, odd-length biases) totalling about 1e6 and 1e7
elements. Each variant is a ``jax.jit`` step with the parameters and the optimizer
state donated; the floor is the same Adam arithmetic fused over one flat buffer of the
same size, rounded up to a multiple of 1024 (the least memory traffic an Adam
step can have). Variants run in turn
(round-robin), medians after warm-up; ratios are printed against optax and the floor.

Run:  python benchmarks/optim.py [--sizes 1000000 10000000] [--repeats 15]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax
from _timing import medians_ms

from core import optim

LR, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8


def shapes(total: int) -> list[tuple[int, ...]]:
    """20 shapes (conv kernels, dense layers, odd biases) whose sizes sum to about ``total``."""
    k = max(1, round((total / 1.0e6) ** 0.5 * 8))
    base: list[tuple[int, ...]] = []
    for i in range(5):
        c = 16 * k + i
        base += [(16, c, 3, 3), (16 * k * 4 + 2 * i + 1,)]  # conv kernel + odd bias
        base += [(c * 3 + i, 24 * k + 1), (24 * k + 1 + 2 * i,)]  # dense + odd bias
    size = sum(int(jnp.prod(jnp.array(s))) for s in base)
    scale = total / size
    out = []
    for s in base:  # stretch the largest axis so the total matches
        j = max(range(len(s)), key=lambda a: s[a])
        out.append(tuple(max(1, round(d * scale)) if a == j else d for a, d in enumerate(s)))
    return out


def make_params(total: int) -> dict[str, jax.Array]:
    keys = jax.random.split(jax.random.PRNGKey(0), 20)
    return {
        f"p{i:02d}": jax.random.normal(k, s, jnp.float32) * 0.1
        for i, (k, s) in enumerate(zip(keys, shapes(total), strict=True))
    }


def tree_step(tx: Any) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    def step(params: Any, state: Any, grads: Any) -> tuple[Any, Any]:
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    return jax.jit(step, donate_argnums=(0, 1))


def floor_step() -> Callable[..., Any]:
    """Adam on one flat buffer: reads p, g, m, v; writes p, m, v (28 bytes per parameter)."""

    def step(p: jax.Array, m: jax.Array, v: jax.Array, t: jax.Array, g: jax.Array) -> Any:
        t = t + 1
        m = B1 * m + (1 - B1) * g
        v = B2 * v + (1 - B2) * g * g
        tf = t.astype(jnp.float32)
        m_hat = m / (1 - B1**tf)
        v_hat = v / (1 - B2**tf)
        return p - LR * m_hat / (jnp.sqrt(v_hat) + EPS), m, v, t

    return jax.jit(step, donate_argnums=(0, 1, 2, 3))


def bytes_accessed(step: Any, *args: Any) -> float:
    """XLA's estimate of the memory traffic of one compiled step (noise-free)."""
    cost = step.lower(*args).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return float(cost.get("bytes accessed", float("nan")))


def bench(total: int, repeats: int) -> dict[str, float]:
    params = make_params(total)
    n = sum(x.size for x in jax.tree.leaves(params))
    n_flat = -(-n // 1024) * 1024  # XLA:CPU is much slower on odd-length 1-D buffers
    grads = jax.tree.map(lambda x: x * 0.01, params)
    ours_tx, optax_tx = optim.adam(LR), optax.adam(LR)
    ours_step, optax_step, flat_step = tree_step(ours_tx), tree_step(optax_tx), floor_step()
    state: dict[str, Any] = {
        "ours": (jax.tree.map(jnp.copy, params), ours_tx.init(params)),
        "optax": (jax.tree.map(jnp.copy, params), optax_tx.init(params)),
        "floor": (
            jnp.zeros(n_flat),
            jnp.zeros(n_flat),
            jnp.zeros(n_flat),
            jnp.zeros([], jnp.int32),
        ),
    }
    flat_g = jnp.full((n_flat,), 0.01)
    traffic = {
        "ours_bytes": bytes_accessed(ours_step, *state["ours"], grads),
        "optax_bytes": bytes_accessed(optax_step, *state["optax"], grads),
    }

    steps = {"ours": (ours_step, grads), "optax": (optax_step, grads), "floor": (flat_step, flat_g)}

    def run(name: str) -> Callable[[], Any]:
        step, g = steps[name]

        def one() -> Any:
            state[name] = step(*state[name], g)
            return state[name]

        return one

    medians = medians_ms({name: run(name) for name in steps}, repeats, sync=jax.block_until_ready)
    medians["n"] = float(n)
    return {**medians, **traffic}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    print(f"jax {jax.__version__}, optax {optax.__version__}, backend {jax.default_backend()}")
    header = (
        f"{'params':>10} {'ours ms':>9} {'optax ms':>9} {'floor ms':>9} "
        f"{'ours/optax':>11} {'ours/floor':>11} {'optax/floor':>12} {'bytes/param ours, optax':>24}"
    )
    print(header)
    for total in args.sizes:
        m = bench(total, args.repeats)
        print(
            f"{int(m['n']):>10d} {m['ours']:>9.2f} {m['optax']:>9.2f} "
            f"{m['floor']:>9.2f} {m['ours'] / m['optax']:>11.2f} "
            f"{m['ours'] / m['floor']:>11.2f} {m['optax'] / m['floor']:>12.2f} "
            f"{m['ours_bytes'] / m['n']:>15.1f}, {m['optax_bytes'] / m['n']:.1f}"
        )


if __name__ == "__main__":
    main()
