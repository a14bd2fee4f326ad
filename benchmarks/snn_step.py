"""One SNN training step: ours (facade and functional) vs pure JAX + optax vs braintools.

100 inputs -> 256 LIF -> 10 leaky readout, T=100, batch 64, BPTT, Adam,
cross-entropy of the readout's maximum membrane over time. Variants:

* ``facade``: ``facade.nn.Linear`` + ``LIF`` / ``LeakyReadout``,
  ``facade.transform.grad`` and ``facade.optim.Adam`` in ``brainstate.transform.jit``,
  both ``Linear`` layers outside the time loops;
* ``facade-tutorial``: the same in the digits tutorial's layout (input projection outside
  the loop, readout ``Linear`` inside);
* ``facade-stepwise``: the same with every layer inside one ``for_loop`` over time steps;
* ``facade-donating``: ``facade`` compiled with :func:`facade.transform.jit` (the written
  states donated) instead of ``brainstate.transform.jit``;
* ``functional``: :func:`core.init.kaiming_normal` weights, :func:`core.layers.dense`
  projections, :mod:`core.neuron` cells, :func:`core.neuron.run`,
  :func:`core.optim.adam`, one ``jax.jit`` step with donated buffers;
* ``jax``: the measuring stick, a hand-written pure JAX + optax step written the way
  a network is usually written step by step (both layers inside one ``lax.scan``
  body, a ``custom_jvp`` spike, ``jit`` with donation);
* ``jax-tuned``: the same hand-written JAX with the layout ours uses (every matmul
  outside the time loop), to show the floor of that layout;
* ``jax-tutorial``: the same hand-written JAX in the tutorial's layout;
* ``braintools``: brainstate 0.5.4 + braintools 0.3.0 (``brainstate.transform.grad``,
  ``braintools.optim.Adam``); brainstate 0.5.4 and braintools 0.3.0 have no LIF
  neuron, so it uses ``facade.nn.LIF`` / ``LeakyReadout`` in the per-step layout
  of the "Training Utilities" workflow.

Ours (both styles) runs the layers layer by layer: one matmul projects the inputs
of all time steps, :func:`core.neuron.run` scans only the fused LIF update, one matmul
projects the hidden spikes of all steps, and a second scan runs the readout. The
backward pass then has two large weight-gradient matmuls instead of T small ones.
All variants are built in one process, run in turn (round-robin), medians after
warm-up; ratios are against ``jax``.

Peers in their own interpreters, run after the JAX variants (each prints JSON back):

* ``--torch-python PATH`` (a venv with CPU torch + snntorch, optionally norse) runs
  ``benchmarks/_snn_step_torch.py``: rows ``snntorch`` (``snntorch.Leaky``, detached
  subtractive reset, ``ReluGrad``-shaped custom surrogate, tensor leaky readout) and,
  if norse imports, ``norse`` (``LIFBoxCell`` + ``LIBoxCell``, detached subtractive reset,
  norse's default SuperSpike surrogate); the same network, the same input arrays (passed
  as raw bytes), ``torch.optim.Adam``, the usual Python loop over time,
  ``--torch-threads`` threads (default 1). Their ratios are against ``jax`` of this
  process.
* ``--spyx-python PATH`` (a venv with spyx) runs ``benchmarks/_snn_step_spyx.py``: row
  ``spyx`` (``spyx.nn.Sequential`` of ``nnx.Linear`` / ``spyx.nn.LIF`` / ``spyx.nn.LI``
  under :func:`spyx.nn.run`, ``jax.jit`` + ``optax.adam``) and row ``jax (spyx)``, this
  file's ``jax`` step timed in turn with it in that interpreter; the spyx ratio is
  against that same-process ``jax (spyx)``, whose own ratio is against ``jax`` here.

Run:  python benchmarks/snn_step.py [--repeats 20] [--variants facade functional jax ...]
      [--torch-python /tmp/peers_venv/bin/python] [--spyx-python /tmp/spyx_venv/bin/python]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from _peers import run_peer
from _spike import relu_grad_spike
from _timing import medians_ms

N_IN, N_HIDDEN, N_OUT = 100, 256, 10
TAU, TAU_OUT, LR = 5.0, 10.0, 1e-3
Step = Callable[[], jax.Array]


def data(steps: int = 100, batch: int = 64, seed: int = 0) -> tuple[jax.Array, jax.Array]:
    """Random input spikes ``(T, batch, 100)`` at rate 0.1 and integer labels ``(batch,)``."""
    rng = np.random.default_rng(seed)
    spikes = (rng.random((steps, batch, N_IN)) < 0.1).astype(np.float32)
    return jnp.asarray(spikes), jnp.asarray(rng.integers(0, N_OUT, batch))


def init_params(seed: int = 0, he: Callable[..., jax.Array] | None = None) -> dict[str, jax.Array]:
    """He-normal weights (the scale of ``brainstate.nn.Linear``), zero biases.

    ``he`` is the initializer, ``jax.nn.initializers.he_normal()`` by default.
    """
    k1, k2 = jax.random.split(jax.random.key(seed))
    he = jax.nn.initializers.he_normal() if he is None else he
    return {
        "w1": he(k1, (N_IN, N_HIDDEN), jnp.float32) * 2.0,
        "b1": jnp.zeros(N_HIDDEN, jnp.float32),
        "w2": he(k2, (N_HIDDEN, N_OUT), jnp.float32),
        "b2": jnp.zeros(N_OUT, jnp.float32),
    }


def donated_runner(
    loss_fn: Callable[..., jax.Array],
    x: jax.Array,
    y: jax.Array,
    params: Any,
    tx: Any,
    apply_updates: Callable[[Any, Any], Any],
) -> Step:
    """One ``jax.jit`` step with donated parameters and optimizer state.

    The step takes ``value_and_grad`` of ``loss_fn(params, x, y)``, ``tx.update`` and
    ``apply_updates`` (:func:`core.optim.apply_updates` or ``optax.apply_updates``).
    """
    carry = [params, tx.init(params)]

    def step(p: Any, s: Any, xs: jax.Array, ys: jax.Array) -> tuple[Any, Any, jax.Array]:
        value, grads = jax.value_and_grad(loss_fn)(p, xs, ys)
        updates, s = tx.update(grads, s, p)
        return apply_updates(p, updates), s, value

    compiled = jax.jit(step, donate_argnums=(0, 1))

    def run() -> jax.Array:
        carry[0], carry[1], value = compiled(carry[0], carry[1], x, y)
        return value

    return run


def brainstate_snn(linear: Callable[[int, int], Any], layout: str, batch: int) -> Any:
    """The network as a ``brainstate.nn.Module``, seeded, its states initialized for ``batch``.

    ``linear`` makes both ``Linear`` layers (facade's or brainstate's); the neurons are
    ``facade.nn.LIF`` / ``LeakyReadout`` (brainstate 0.5.4 and braintools 0.3.0 have no
    LIF neuron). Called on the inputs of all time steps, it runs them in ``layout``
    (see :func:`facade_step`).
    """
    import brainstate

    import facade

    class SNN(brainstate.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = linear(N_IN, N_HIDDEN)
            self.lif = facade.nn.LIF(
                N_HIDDEN, tau=TAU, detach_reset=True, spike_fun=facade.surrogate.ReluGrad()
            )
            self.fc2 = linear(N_HIDDEN, N_OUT)
            self.out = facade.nn.LeakyReadout(N_OUT, tau=TAU_OUT)

        def readout_step(self, current: jax.Array) -> jax.Array:
            return self.out(self.fc2(self.lif(current)))

        def update(self, x_t: jax.Array) -> jax.Array:
            return self.readout_step(self.fc1(x_t))

        def __call__(self, xs: jax.Array) -> jax.Array:
            if layout == "stepwise":
                return brainstate.transform.for_loop(self.update, xs)
            if layout == "tutorial":
                return brainstate.transform.for_loop(self.readout_step, self.fc1(xs))
            spikes = brainstate.transform.for_loop(self.lif, self.fc1(xs))
            return brainstate.transform.for_loop(self.out, self.fc2(spikes))

    brainstate.random.seed(0)
    net = SNN()
    brainstate.nn.init_all_states(net, batch_size=batch)
    return net


# -- (a) ours, facade style -----------------------------------------------------------------
def facade_step(
    x: jax.Array,
    y: jax.Array,
    checkpoint: bool | int = False,
    layout: str = "layers",
    donate: bool = False,
) -> Step:
    """The facade network in one of three layouts users write.

    ``layers``: both ``Linear`` layers outside the time loops (``docs/performance.rst``'s
    advice); ``tutorial``: the input projection outside, the readout ``Linear`` inside the
    loop (the digits tutorial); ``stepwise``: every layer inside one
    ``brainstate.transform.for_loop`` over the time steps (the "Training Utilities"
    workflow, what a braintools user writes first). ``donate`` compiles the step with
    :func:`facade.transform.jit` instead of ``brainstate.transform.jit``.
    """
    import brainstate

    import facade as braintools

    net = brainstate_snn(braintools.nn.Linear, layout, x.shape[1])
    optimizer = braintools.optim.Adam(learning_rate=LR)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)

    def loss_fn(params: Any, net: Any, xs: jax.Array, ys: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=xs.shape[1])
        logits = net(xs).max(axis=0)
        return braintools.metric.softmax_cross_entropy_with_integer_labels(logits, ys).mean()

    def train_step(xs: jax.Array, ys: jax.Array) -> jax.Array:
        grads, loss = braintools.transform.grad(loss_fn, params, return_value=True)(net, xs, ys)
        optimizer.update(grads)
        return loss

    compiled = (braintools.transform.jit if donate else brainstate.transform.jit)(train_step)
    return lambda: compiled(x, y)


# -- (b) ours, functional style -------------------------------------------------------------
def functional_step(x: jax.Array, y: jax.Array, checkpoint: bool | int = False) -> Step:
    from core import init, layers, loss, neuron, optim, surrogate

    hidden = neuron.LIF(N_HIDDEN, tau=TAU, detach_reset=True, spike_fun=surrogate.ReluGrad())
    readout = neuron.LeakyReadout(N_OUT, tau=TAU_OUT)

    def loss_fn(p: dict[str, jax.Array], xs: jax.Array, ys: jax.Array) -> jax.Array:
        batch = xs.shape[1]
        currents = layers.dense(xs, p["w1"], p["b1"])  # one 2-D matmul for all steps
        _, spikes = neuron.run(hidden, hidden.init(batch), currents, checkpoint=checkpoint)
        _, v_out = neuron.run(readout, readout.init(batch), layers.dense(spikes, p["w2"], p["b2"]))
        return loss.softmax_cross_entropy_with_integer_labels(v_out.max(axis=0), ys).mean()

    params = init_params(he=init.kaiming_normal())  # drawn on the host: nothing to compile
    return donated_runner(loss_fn, x, y, params, optim.adam(LR), optim.apply_updates)


# -- (c) hand-written pure JAX + optax ------------------------------------------------------
def optax_runner(
    loss_fn: Callable[..., jax.Array], x: jax.Array, y: jax.Array, params: Any = None
) -> Step:
    """One jitted, donated ``value_and_grad`` + optax Adam step of ``loss_fn(params, x, y)``.

    ``params`` defaults to :func:`init_params`.
    """
    import optax

    params = init_params() if params is None else params
    return donated_runner(loss_fn, x, y, params, optax.adam(LR), optax.apply_updates)


def jax_step(
    x: jax.Array, y: jax.Array, checkpoint: bool | int = False, layout: str = "stepwise"
) -> Step:
    """Hand-written JAX + optax in one of the layouts of :func:`facade_step`.

    ``stepwise`` (the measuring stick ``jax``): both matmuls inside one ``lax.scan`` body;
    ``tutorial``: the input matmul outside, the readout matmul inside; ``layers``: every
    matmul outside, one scan per layer. ``checkpoint`` recomputes the stepwise body.
    """
    import optax

    a, a_out = float(np.exp(-1 / TAU)), float(np.exp(-1 / TAU_OUT))

    def lif(v: jax.Array, current: jax.Array) -> tuple[jax.Array, jax.Array]:
        u = a * v + (1 - a) * current
        s = relu_grad_spike(u - 1.0)
        return u - jax.lax.stop_gradient(s), s

    def leaky(o: jax.Array, current: jax.Array) -> tuple[jax.Array, jax.Array]:
        o = a_out * o + (1 - a_out) * current
        return o, o

    def loss_fn(p: dict[str, jax.Array], xs: jax.Array, ys: jax.Array) -> jax.Array:
        def body(carry: Any, x_t: jax.Array) -> Any:
            v, o = carry
            v, s = lif(v, x_t @ p["w1"] + p["b1"] if layout == "stepwise" else x_t)
            o, _ = leaky(o, s @ p["w2"] + p["b2"])
            return (v, o), o

        v0, o0 = jnp.zeros((xs.shape[1], N_HIDDEN)), jnp.zeros((xs.shape[1], N_OUT))
        if layout == "layers":
            _, spikes = jax.lax.scan(lif, v0, xs @ p["w1"] + p["b1"])
            _, outs = jax.lax.scan(leaky, o0, spikes @ p["w2"] + p["b2"])
        else:
            inputs = xs if layout == "stepwise" else xs @ p["w1"] + p["b1"]
            body = jax.checkpoint(body) if checkpoint else body
            _, outs = jax.lax.scan(body, (v0, o0), inputs)
        return optax.softmax_cross_entropy_with_integer_labels(outs.max(axis=0), ys).mean()

    return optax_runner(loss_fn, x, y)


# -- (d) brainstate 0.5.4 + braintools 0.3.0 -------------------------------------------------
def braintools_step(x: jax.Array, y: jax.Array, checkpoint: bool | int = False) -> Step:
    import brainstate
    import braintools

    net = brainstate_snn(brainstate.nn.Linear, "stepwise", x.shape[1])
    optimizer = braintools.optim.Adam(lr=LR)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)

    def loss_fn(xs: jax.Array, ys: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=xs.shape[1])
        logits = net(xs).max(axis=0)
        return braintools.metric.softmax_cross_entropy_with_integer_labels(logits, ys).mean()

    @brainstate.transform.jit
    def train_step(xs: jax.Array, ys: jax.Array) -> jax.Array:
        grads, loss = brainstate.transform.grad(loss_fn, params, return_value=True)(xs, ys)
        optimizer.update(grads)
        return loss

    return lambda: train_step(x, y)


BUILDERS: dict[str, Callable[..., Step]] = {
    "facade": facade_step,
    "facade-tutorial": functools.partial(facade_step, layout="tutorial"),
    "facade-stepwise": functools.partial(facade_step, layout="stepwise"),
    "facade-donating": functools.partial(facade_step, donate=True),
    "functional": functional_step,
    "jax": jax_step,
    "jax-tuned": functools.partial(jax_step, layout="layers"),
    "jax-tutorial": functools.partial(jax_step, layout="tutorial"),
    "braintools": braintools_step,
}


Row = tuple[str, float, float | None, float]  # variant, ms, ratio, first loss


def torch_peers(
    python: str, x: jax.Array, y: jax.Array, repeats: int, threads: int
) -> dict[str, Any]:
    """snntorch (and norse) rows: ``{name: {"ms", "loss"}, "versions": {...}}``."""
    with tempfile.TemporaryDirectory() as folder:
        np.asarray(x, "<f4").tofile(Path(folder) / "x.bin")
        np.asarray(y, "<i8").tofile(Path(folder) / "y.bin")
        return run_peer(
            python,
            "_snn_step_torch.py",
            *("--data", folder, "--steps", str(x.shape[0]), "--batch", str(x.shape[1])),
            *("--repeats", str(repeats), "--threads", str(threads)),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--steps", type=int, default=100, help="time steps T")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--variants", nargs="+", default=list(BUILDERS), choices=list(BUILDERS))
    parser.add_argument("--torch-python", help="python of a venv with torch + snntorch (+ norse)")
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--spyx-python", help="python of a venv with spyx")
    args = parser.parse_args()
    x, y = data(args.steps, args.batch)
    steps = {name: BUILDERS[name](x, y) for name in args.variants}
    losses = {name: float(step()) for name, step in steps.items()}
    ms = medians_ms(steps, args.repeats, sync=jax.block_until_ready)
    base = ms.get("jax")

    def row(name: str, r: dict[str, float], ref: float | None) -> Row:
        return name, r["ms"], r["ms"] / ref if ref else None, r["loss"]

    rows = [row(name, {"ms": ms[name], "loss": losses[name]}, base) for name in steps]
    notes: list[str] = []
    if args.torch_python:
        out = torch_peers(args.torch_python, x, y, args.repeats, args.torch_threads)
        versions = ", ".join(f"{k} {v}" for k, v in out.pop("versions").items())
        rows += [row(name, r, base) for name, r in out.items()]
        notes.append(f"{', '.join(out)}: separate process, {versions}; ratio vs jax")
    if args.spyx_python:
        sizes = ("--steps", str(args.steps), "--batch", str(args.batch))
        out = run_peer(
            args.spyx_python, "_snn_step_spyx.py", *sizes, "--repeats", str(args.repeats)
        )
        versions = ", ".join(f"{k} {v}" for k, v in out["versions"].items())
        rows += [row("spyx", out["spyx"], out["jax"]["ms"]), row("jax (spyx)", out["jax"], base)]
        notes.append(
            f"spyx: separate process, {versions}; ratio vs `jax (spyx)`, the jax step timed"
            " in turn in that process (whose ratio is vs jax here)"
        )
    print(
        f"jax {jax.__version__}, backend {jax.default_backend()}, T={args.steps}, "
        f"batch {args.batch}, {N_IN}-{N_HIDDEN}-{N_OUT}, medians of {args.repeats}"
    )
    header = f"{'variant':<16}{'ms/step':>10}{'vs jax':>9}{'first loss':>12}"
    print(header)
    print("-" * len(header))
    for name, t, ratio, first in rows:
        r = f"{ratio:>9.2f}" if ratio is not None else f"{'-':>9}"
        print(f"{name:<16}{t:>10.2f}{r}{first:>12.4f}")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
