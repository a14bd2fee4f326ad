"""``opt.update(grads)`` of the facade Adam: ours vs braintools 0.3.0 vs optax, in one process.

Variants (each run in turn, round-robin, medians after warm-up):

* ``ours eager``        -- ``facade.optim.Adam.update(grads)`` called from Python, as users do;
* ``ours jit``          -- the same call inside ``brainstate.transform.jit``;
* ``braintools eager`` / ``braintools jit`` -- ``braintools.optim.Adam`` the same two ways;
* ``optax jit``         -- ``optax.adam`` in one ``jax.jit`` step with donated buffers (the
  measuring stick).

Parameter sets: 20 mixed-shape arrays totalling 1e6 and 1e7 float32 parameters (the
shapes of ``benchmarks/optim.py``) and a tiny model of 10 arrays of 100 parameters.

Run:  python benchmarks/facade_optim.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brainstate
import braintools
import jax
import jax.numpy as jnp
import optax

import facade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from optim import make_params


def states_of(values: dict[str, jax.Array]) -> dict[str, brainstate.ParamState[Any]]:
    return {k: brainstate.ParamState(jnp.array(v)) for k, v in values.items()}


def facade_variants(
    name: str, make: Callable[[], Any], values: dict[str, jax.Array]
) -> dict[str, Callable[[], Any]]:
    params = states_of(values)
    opt = make()
    opt.register_trainable_weights(params)
    grads = {k: jnp.full_like(v, 1e-3) for k, v in values.items()}

    def eager() -> Any:
        opt.update(grads)
        return next(iter(params.values())).value

    jitted_update = brainstate.transform.jit(lambda g: opt.update(g))

    def jit() -> Any:
        jitted_update(grads)
        return next(iter(params.values())).value

    return {f"{name} eager": eager, f"{name} jit": jit}


def optax_variant(values: dict[str, jax.Array]) -> dict[str, Callable[[], Any]]:
    tx = optax.adam(1e-3)
    state = {"params": {k: jnp.array(v) for k, v in values.items()}}
    state["opt"] = tx.init(state["params"])
    grads = {k: jnp.full_like(v, 1e-3) for k, v in values.items()}

    def step(params: Any, opt_state: Any, g: Any) -> Any:
        updates, opt_state = tx.update(g, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    compiled = jax.jit(step, donate_argnums=(0, 1))

    def run() -> Any:
        state["params"], state["opt"] = compiled(state["params"], state["opt"], grads)
        return state["params"]

    return {"optax jit": run}


def medians(variants: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    for fn in variants.values():
        for _ in range(3):
            jax.block_until_ready(fn())
    samples: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            jax.block_until_ready(fn())
            samples[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    cases = {
        "tiny (10 x 100)": {f"p{i}": jnp.full((100,), 0.1, jnp.float32) for i in range(10)},
        "1e6 (20 arrays)": make_params(1_000_000),
        "1e7 (20 arrays)": make_params(10_000_000),
    }
    print(f"jax {jax.__version__}, medians of {args.repeats}; ratios to optax jit+donated")
    header = f"{'case':<18}{'variant':<18}{'ms':>10}{'x optax':>10}"
    print(header)
    print("-" * len(header))
    for case, values in cases.items():
        variants = {
            **optax_variant(values),
            **facade_variants("ours", lambda: facade.optim.Adam(lr=1e-3), values),
            **facade_variants("braintools", lambda: braintools.optim.Adam(lr=1e-3), values),
        }
        with jax.numpy_dtype_promotion("standard"):
            times = medians(variants, args.repeats)
        for name, seconds in times.items():
            print(
                f"{case:<18}{name:<18}{seconds * 1e3:>10.3f}{seconds / times['optax jit']:>10.2f}"
            )


if __name__ == "__main__":
    main()
