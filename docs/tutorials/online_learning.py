"""Online learning side by side: BPTT, e-prop and OTTT on the digits, and memory against T.

Run:  python docs/tutorials/online_learning.py [--epochs 30] [--steps 25] [--long-steps 400]
      [--long-epochs 10] [--memory-steps 100 400 1600] [--every 0] [--out out]

The same network -- 64 rate-coded inputs, a layer of LIF neurons with a detached reset,
a leaky readout of 10 units -- is trained three ways on the scikit-learn digits, with
the same loss (the softmax cross-entropy of the readout at every time step, averaged
over time) and the same Adam optimizer:

* **BPTT**: ``jax.grad`` through :func:`core.neuron.run` (stores every step);
* **e-prop** (Bellec et al. 2020) and **OTTT** (Xiao et al. 2022):
  :func:`core.online.online_grad`, gradients computed forward in time with eligibility
  traces, in memory that does not depend on the sequence length T.

A long-sequence variant samples the same task finer in time (``--long-steps`` steps:
``dt = steps / long_steps``, so the neurons' time constants, the input rates and the
charge an input spike delivers are unchanged in physical time). Finally the peak memory
of one compiled training step (XLA's memory analysis: arguments + outputs + temporaries,
less the input sequence) is measured for each method at each T of ``--memory-steps``.
With ``--every K`` the online rules update the weights every K steps while the network
runs (:func:`core.online.online_train`).

Writes ``online_learning.png`` (accuracy and peak memory against T) and
``online_learning_summary.json`` into ``--out`` and prints one line per method.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from core import init, loss, neuron, online, optim, surrogate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits_data import load_digits, progress, regular_spikes

Params = dict[str, jax.Array]
METHODS = ("bptt", "eprop", "ottt")
TrainStep = Callable[[Params, Any, jax.Array, jax.Array], tuple[Params, Any, jax.Array]]


def cells(dt: float, n_hidden: int) -> tuple[neuron.LIF, neuron.LeakyReadout]:
    """The hidden LIF layer and the leaky readout, at time step ``dt``."""
    hidden = neuron.LIF(n_hidden, tau=5.0, dt=dt, detach_reset=True, spike_fun=surrogate.ReluGrad())
    return hidden, neuron.LeakyReadout(10, tau=10.0, dt=dt)


def init_params(key: jax.Array, n_hidden: int) -> Params:
    """He-normal weights (drawn on the host) and zero biases, in :mod:`core.online`'s names."""
    k1, k2 = jax.random.split(key)
    he = init.kaiming_normal()
    return {
        "w_in": he(k1, (64, n_hidden), jnp.float32),
        "b_in": jnp.zeros(n_hidden, jnp.float32),
        "w_out": he(k2, (n_hidden, 10), jnp.float32),
        "b_out": jnp.zeros(10, jnp.float32),
    }


def forward(
    hidden: neuron.LIF, readout: neuron.LeakyReadout, params: Params, spikes: jax.Array
) -> jax.Array:
    """Readout outputs ``(T, batch, 10)`` for input spikes ``(T, batch, 64)``."""

    def step(state: tuple[jax.Array, jax.Array], x: jax.Array) -> tuple[Any, jax.Array]:
        v, y = state
        v, s = hidden.update(v, x @ params["w_in"] + params["b_in"])
        y, out = readout.update(y, s @ params["w_out"] + params["b_out"])
        return (v, y), out

    batch = spikes.shape[1]
    return neuron.run(step, (hidden.init(batch), readout.init(batch)), spikes)[1]


def make_train_step(
    method: online.Rule | str, hidden: neuron.LIF, readout: neuron.LeakyReadout, tx: Any, every: int
) -> TrainStep:
    """One jitted training step on a batch: BPTT, e-prop or OTTT, then the optimizer."""
    rule: online.Rule = "ottt" if method == "ottt" else "eprop"

    def step_loss(y: jax.Array, labels: jax.Array, steps: int) -> jax.Array:
        return loss.softmax_cross_entropy_with_integer_labels(y, labels).mean() / steps

    def train_step(
        params: Params, opt_state: Any, spikes: jax.Array, labels: jax.Array
    ) -> tuple[Params, Any, jax.Array]:
        steps = spikes.shape[0]

        def ce(y: jax.Array, _: object = None) -> jax.Array:  # the batch's labels, every step
            return step_loss(y, labels, steps)

        if method == "bptt":

            def total(p: Params) -> jax.Array:
                return jax.vmap(ce)(forward(hidden, readout, p, spikes)).sum()

            value, grads = jax.value_and_grad(total)(params)
        elif every:  # targets=(): ce closes over the labels, so no (T, batch) copy of them
            params, opt_state, result = online.online_train(
                rule, hidden, params, opt_state, spikes, (),
                tx=tx, every=every, loss_fn=ce, readout=readout,
            )  # fmt: skip
            return params, opt_state, result.losses.sum()
        else:
            grads, result = online.online_grad(
                rule, hidden, params, spikes, (), loss_fn=ce, readout=readout
            )
            value = result.losses.sum()
        updates, opt_state = tx.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, value

    return jax.jit(train_step, donate_argnums=(0, 1))


def peak_memory(
    train_step: TrainStep, params: Params, opt_state: Any, steps: int, batch: int
) -> int:
    """Bytes of one compiled training step (XLA's memory analysis), input sequence excluded.

    Arguments + outputs + temporaries, less the input spikes ``(T, batch, 64)``: those are
    the same for every method, and a streaming input would not hold them.
    """
    spikes = jax.ShapeDtypeStruct((steps, batch, 64), jnp.float32)  # type: ignore[no-untyped-call]
    labels = jax.ShapeDtypeStruct((batch,), jnp.int32)  # type: ignore[no-untyped-call]
    lowered = train_step.lower(params, opt_state, spikes, labels)  # type: ignore[attr-defined]
    stats = lowered.compile().memory_analysis()
    total = stats.argument_size_in_bytes + stats.output_size_in_bytes + stats.temp_size_in_bytes
    return int(total - steps * batch * 64 * 4)


def train(method: str, args: argparse.Namespace, steps: int, epochs: int) -> dict[str, float]:
    """Train ``method`` on the digits at ``steps`` time steps; test accuracy and seconds."""
    dt = args.steps / steps
    hidden, readout = cells(dt, args.hidden)
    digits = load_digits(args.seed)
    # the same spikes per unit of time at every resolution, each a pulse of area 1
    rate = 0.8 * dt
    train_spikes = regular_spikes(jnp.asarray(digits.x_train), steps, rate) / dt
    test_spikes = regular_spikes(jnp.asarray(digits.x_test), steps, rate) / dt
    y_train, y_test = jnp.asarray(digits.y_train), jnp.asarray(digits.y_test)
    tx = optim.adam(learning_rate=args.lr)
    params = init_params(jax.random.key(args.seed), args.hidden)
    opt_state = tx.init(params)
    train_step = make_train_step(method, hidden, readout, tx, args.every)

    @jax.jit
    def accuracy(params: Params, spikes: jax.Array, labels: jax.Array) -> jax.Array:
        return jnp.mean(forward(hidden, readout, params, spikes).mean(0).argmax(-1) == labels)

    rng = np.random.default_rng(args.seed)
    per_epoch = len(digits.y_train) // args.batch_size
    bar = progress(epochs * per_epoch, f"{method} T={steps}")
    started = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(digits.y_train))
        for b in range(per_epoch):
            chosen = jnp.asarray(order[b * args.batch_size : (b + 1) * args.batch_size])
            params, opt_state, value = train_step(
                params, opt_state, train_spikes[:, chosen], y_train[chosen]
            )
            bar.update()
        bar.set_postfix(loss=f"{float(value):.4f}")
    bar.close()
    test_accuracy = float(accuracy(params, test_spikes, y_test))
    return {"test_accuracy": test_accuracy, "seconds": round(time.perf_counter() - started, 1)}


def memory(method: str, args: argparse.Namespace) -> dict[int, int]:
    """Peak bytes of one training step of ``method`` at each T of ``--memory-steps``."""
    tx = optim.adam(learning_rate=args.lr)
    params = init_params(jax.random.key(args.seed), args.hidden)
    out = {}
    for steps in args.memory_steps:
        hidden, readout = cells(args.steps / steps, args.hidden)
        train_step = make_train_step(method, hidden, readout, tx, args.every)
        out[steps] = peak_memory(train_step, params, tx.init(params), steps, args.batch_size)
    return out


def plot(results: dict[str, Any], path: Path) -> None:
    """Accuracy against T (left) and peak memory of a training step against T (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, method in enumerate(results["methods"]):
        accuracy = results["accuracy"][method]
        ts = sorted(int(t) for t in accuracy)
        left.plot(
            ts, [accuracy[str(t)]["test_accuracy"] for t in ts], "o-", color=f"C{i}", label=method
        )
        mem = results["peak_memory_bytes"][method]
        ms = sorted(int(t) for t in mem)
        right.plot(ms, [mem[str(t)] / 2**20 for t in ms], "o-", color=f"C{i}", label=method)
    epochs = ", ".join(f"T={t}: {e} epochs" for t, e in results["epochs"].items())
    left.set(xlabel="time steps T", ylabel="test accuracy", xscale="log")
    left.set_title(f"digits: test accuracy ({epochs})", fontsize=9)
    trained = sorted(int(t) for t in results["epochs"])
    left.set_xticks(trained, [str(t) for t in trained])
    left.minorticks_off()
    right.set(xlabel="time steps T", ylabel="MiB", title="peak memory of one training step")
    right.set(xscale="log", yscale="log")
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=25, help="time steps of the digits task")
    parser.add_argument("--long-steps", type=int, default=400, help="0: skip the long variant")
    parser.add_argument("--long-epochs", type=int, default=10)
    parser.add_argument("--memory-steps", type=int, nargs="*", default=[100, 400, 1600])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--every", type=int, default=0, help="online rules: update every K steps")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args()
    for name in ("epochs", "steps", "hidden", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.every < 0 or args.long_steps < 0 or any(t < 1 for t in args.memory_steps):
        parser.error("--every and --long-steps must be >= 0 and --memory-steps >= 1")

    results: dict[str, Any] = {"methods": args.methods, "accuracy": {}, "peak_memory_bytes": {}}
    results["epochs"] = {str(args.steps): args.epochs}
    if args.long_steps:
        results["epochs"][str(args.long_steps)] = args.long_epochs
    for method in args.methods:
        runs = {str(args.steps): train(method, args, args.steps, args.epochs)}
        if args.long_steps:
            runs[str(args.long_steps)] = train(method, args, args.long_steps, args.long_epochs)
        results["accuracy"][method] = runs
        results["peak_memory_bytes"][method] = {str(t): b for t, b in memory(method, args).items()}

    args.out.mkdir(parents=True, exist_ok=True)
    plot(results, args.out / "online_learning.png")
    (args.out / "online_learning_summary.json").write_text(json.dumps(results, indent=2))
    for method in args.methods:
        runs = results["accuracy"][method]
        accuracies = ", ".join(
            f"T={t}: {r['test_accuracy']:.3f} ({r['seconds']} s)" for t, r in runs.items()
        )
        mem = ", ".join(
            f"T={t}: {b / 2**20:.1f} MiB" for t, b in results["peak_memory_bytes"][method].items()
        )
        print(f"{method}: test accuracy {accuracies}; peak memory {mem}")


if __name__ == "__main__":
    main()
