"""``opt.update(grads)`` of the facade Adam: ours vs braintools 0.3.0 vs optax, in one process.

Variants (each run in turn, round-robin, medians after warm-up):

* ``ours eager``        -- ``facade.optim.Adam.update(grads)`` called from Python, as users do;
* ``ours jit``          -- the same call inside ``brainstate.transform.jit``;
* ``ours donating``     -- the same call inside :func:`facade.transform.jit` (the states
  it writes donated);
* ``braintools eager`` / ``braintools jit`` -- ``braintools.optim.Adam`` the same two ways;
* ``optax jit``         -- ``optax.adam`` in one ``jax.jit`` step with donated buffers (the
  measuring stick).

Parameter sets: 20 mixed-shape arrays totalling 1e6 and 1e7 float32 parameters (the
shapes of ``benchmarks/optim.py``) and a tiny model of 10 arrays of 100 parameters.

``--memory`` measures instead the memory of one whole training step of an SNN with 1e7
parameters (2000 inputs -> 5000 LIF -> 10 leaky readout, T=8, batch 16, Adam), written
three ways: the facade step in ``brainstate.transform.jit``, the same step in
:func:`facade.transform.jit` (which donates the states the step writes), and the
functional step (:mod:`core`, ``jax.jit`` with donated parameters and optimizer state).
For each it prints XLA's buffer assignment of the compiled step (arguments + outputs +
temporaries - the outputs that reuse donated arguments: the bytes live during the step)
and the growth of the process's peak RSS over one step after warm-up, each variant in a
fresh subprocess.

Run:  python benchmarks/facade_optim.py [--repeats 15] [--memory]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
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
from _timing import medians_ms
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

    def compiled(jit: Callable[..., Any]) -> Callable[[], Any]:
        jitted_update = jit(lambda g: opt.update(g))

        def run() -> Any:
            jitted_update(grads)
            return next(iter(params.values())).value

        return run

    variants = {f"{name} eager": eager, f"{name} jit": compiled(brainstate.transform.jit)}
    if name == "ours":
        variants["ours donating"] = compiled(facade.transform.jit)
    return variants


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


MEMORY_SIZES = {"n_in": 2000, "n_hidden": 5000, "n_out": 10, "steps": 8, "batch": 16}


def memory_step(variant: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """``(step, lowered)`` of one training step of the 1e7-parameter SNN."""
    from core import layers, loss, neuron, optim

    n_in, n_hidden, n_out, steps, batch = MEMORY_SIZES.values()
    keys = jax.random.split(jax.random.key(0), 3)
    xs = (jax.random.uniform(keys[0], (steps, batch, n_in)) < 0.1).astype(jnp.float32)
    ys = jax.random.randint(keys[1], (batch,), 0, n_out)
    if variant == "functional":
        hidden, readout = neuron.LIF(n_hidden, tau=5.0), neuron.LeakyReadout(n_out, tau=10.0)
        w1, w2 = (
            jax.random.normal(k, s) * 0.01
            for k, s in zip(
                jax.random.split(keys[2]), [(n_in, n_hidden), (n_hidden, n_out)], strict=True
            )
        )
        params = {"w1": w1, "b1": jnp.zeros(n_hidden), "w2": w2, "b2": jnp.zeros(n_out)}

        def loss_fn(p: Any) -> jax.Array:
            _, spikes = neuron.run(hidden, hidden.init(batch), layers.dense(xs, p["w1"], p["b1"]))
            _, v = neuron.run(readout, readout.init(batch), layers.dense(spikes, p["w2"], p["b2"]))
            return loss.softmax_cross_entropy_with_integer_labels(v.max(axis=0), ys).mean()

        tx = optim.adam(1e-3)
        carry = [params, tx.init(params)]

        def pure(p: Any, s: Any) -> tuple[Any, Any, jax.Array]:
            value, grads = jax.value_and_grad(loss_fn)(p)
            updates, s = tx.update(grads, s, p)
            return optim.apply_updates(p, updates), s, value

        compiled = jax.jit(pure, donate_argnums=(0, 1))

        def run() -> Any:
            carry[0], carry[1], value = compiled(carry[0], carry[1])
            return value

        return run, lambda: compiled.lower(carry[0], carry[1])

    brainstate.random.seed(0)
    fc1, fc2 = facade.nn.Linear(n_in, n_hidden), facade.nn.Linear(n_hidden, n_out)
    lif, out = facade.nn.LIF(n_hidden, tau=5.0), facade.nn.LeakyReadout(n_out, tau=10.0)
    modules = [fc1, lif, fc2, out]
    for module in modules:
        brainstate.nn.init_all_states(module, batch_size=batch)
    params = {f"m{i}": m.states(brainstate.ParamState) for i, m in enumerate(modules)}
    opt = facade.optim.Adam(lr=1e-3)
    opt.nonfinite = os.environ.get("NONFINITE", "skip")  # type: ignore[assignment]
    opt.register_trainable_weights(params)

    def facade_loss() -> jax.Array:
        for module in (lif, out):
            brainstate.nn.init_all_states(module, batch_size=batch)
        spikes = brainstate.transform.for_loop(lif, fc1(xs))
        v = brainstate.transform.for_loop(out, fc2(spikes))
        return facade.metric.softmax_cross_entropy_with_integer_labels(v.max(axis=0), ys).mean()

    def train_step() -> jax.Array:
        grads, value = facade.transform.grad(facade_loss, params, return_value=True)()
        opt.update(grads)
        return value

    jitted = (facade.transform.jit if variant == "facade-donating" else brainstate.transform.jit)(
        train_step
    )
    return jitted, jitted.lower


def memory_child(variant: str) -> dict[str, float]:
    """Run in a fresh process: buffer bytes of the compiled step and peak-RSS growth."""
    step, lowered = memory_step(variant)
    jax.block_until_ready(step())
    jax.block_until_ready(step())
    stats = lowered().compile().memory_analysis()
    live = (
        stats.argument_size_in_bytes
        + stats.output_size_in_bytes
        + stats.temp_size_in_bytes
        - stats.alias_size_in_bytes
    )
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (Linux)
    before = _rss_kib("VmRSS")
    jax.block_until_ready(step())
    return {"xla_mib": live / 2**20, "rss_step_mib": (_rss_kib("VmHWM") - before) / 1024}


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_table(runs: int) -> None:
    import json
    import subprocess

    variants = ["functional", "facade", "facade-donating"]
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for _ in range(runs):
        for variant in variants:  # in turn, each in a fresh interpreter
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", variant],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[variant].append(json.loads(out.splitlines()[-1]))
    n_params = sum(
        a * b + b
        for a, b in [
            (MEMORY_SIZES["n_in"], MEMORY_SIZES["n_hidden"]),
            (MEMORY_SIZES["n_hidden"], MEMORY_SIZES["n_out"]),
        ]
    )
    print(
        f"one training step, {n_params / 1e6:.2f}M parameters, Adam; medians of {runs} "
        "processes; ratios to functional"
    )
    header = f"{'variant':<18}{'XLA MiB':>10}{'x':>7}{'RSS step MiB':>14}{'x':>7}"
    print(header)
    print("-" * len(header))
    base = {
        k: statistics.median(r[k] for r in results["functional"]) for k in results["functional"][0]
    }
    for variant, rows in results.items():
        xla = statistics.median(r["xla_mib"] for r in rows)
        rss = statistics.median(r["rss_step_mib"] for r in rows)
        print(
            f"{variant:<18}{xla:>10.1f}{xla / base['xla_mib']:>7.2f}"
            f"{rss:>14.1f}{rss / base['rss_step_mib']:>7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--memory", action="store_true", help="the training-step memory table")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        import json

        with jax.numpy_dtype_promotion("standard"):
            print(json.dumps(memory_child(args.memory_child)))
        return
    if args.memory:
        memory_table(max(3, args.repeats // 5))
        return
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
            times = medians_ms(variants, args.repeats, sync=jax.block_until_ready)
        for name, ms in times.items():
            print(f"{case:<18}{name:<18}{ms:>10.3f}{ms / times['optax jit']:>10.2f}")


if __name__ == "__main__":
    main()
