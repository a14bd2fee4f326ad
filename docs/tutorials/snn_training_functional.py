"""The same digits training as ``snn_training.py``, with the functional core only.

Run:  python docs/tutorials/snn_training_functional.py [--epochs 40] [--batch-size 64] [--seed 0]
      [--devices 1] [--processes 1]

No brainstate, no stateful objects: parameters are a dict of arrays, neurons are
:mod:`core.neuron` cells with pure ``init``/``update``, the time loop is
:func:`core.neuron.run` (``lax.scan``), the optimizer is :func:`core.optim.adam`
with pure ``init``/``update``, and the whole training step is one ``jax.jit``
function with donated buffers. With ``--devices N`` the training is data parallel:
each batch is split over a mesh of N devices, parameters and optimizer state are
replicated, and ``jax.jit`` does the rest (see ``docs/howto_multidevice.rst``); with
``--processes N`` it runs as N processes of one JAX cluster, each loading only its
share of every batch. It prints ``test accuracy: 0.XXX``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp

from core import init, layers, loss, neuron, optim, surrogate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits_data import (
    History,
    output_dir,
    save_curves,
    spike_digits,
    training_setup,
)

Params = dict[str, jax.Array]

HIDDEN = neuron.LIF(256, tau=5.0, detach_reset=True, spike_fun=surrogate.ReluGrad())
READOUT = neuron.LeakyReadout(10, tau=10.0)


def init_params(key: jax.Array, n_in: int = 64, n_hidden: int = 256, n_out: int = 10) -> Params:
    """He-normal weights (drawn on the host: nothing to compile) and zero biases."""
    k1, k2 = jax.random.split(key)
    he = init.kaiming_normal()
    return {
        "w1": he(k1, (n_in, n_hidden), jnp.float32),
        "b1": jnp.zeros(n_hidden, jnp.float32),
        "w2": he(k2, (n_hidden, n_out), jnp.float32),
        "b2": jnp.zeros(n_out, jnp.float32),
    }


def forward(params: Params, spikes: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Readout membranes ``(T, batch, 10)`` and hidden spikes ``(T, batch, 256)``."""
    currents = layers.dense(spikes, params["w1"], params["b1"])  # all steps: one matmul

    def step(state: tuple[jax.Array, jax.Array], current: jax.Array) -> tuple[Any, Any]:
        v_hidden, v_out = state
        v_hidden, hidden_spikes = HIDDEN.update(v_hidden, current)
        v_out, out = READOUT.update(v_out, hidden_spikes @ params["w2"] + params["b2"])
        return (v_hidden, v_out), (out, hidden_spikes)

    batch = spikes.shape[1]
    _, (outputs, hidden_spikes) = neuron.run(
        step, (HIDDEN.init(batch), READOUT.init(batch)), currents
    )
    return outputs, hidden_spikes


def loss_fn(params: Params, spikes: jax.Array, labels: jax.Array) -> jax.Array:
    logits = forward(params, spikes)[0].max(axis=0)
    return loss.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def main() -> None:
    args, parallel = training_setup(__doc__.splitlines()[0])

    train_spikes, y_train, test_spikes, y_test = spike_digits(args.seed, args.steps)

    tx = optim.adam(learning_rate=args.lr)
    params = init_params(jax.random.key(args.seed))
    opt_state = tx.init(params)
    params, opt_state = parallel.replicate((params, opt_state))  # a copy on every device

    def train_step(
        params: Params, opt_state: Any, spikes: jax.Array, labels: jax.Array
    ) -> tuple[Params, Any, jax.Array]:
        value, grads = jax.value_and_grad(loss_fn)(params, spikes, labels)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, value

    train_step = jax.jit(train_step, donate_argnums=(0, 1))

    @jax.jit
    def accuracy(params: Params, spikes: jax.Array, labels: jax.Array) -> jax.Array:
        return loss.accuracy_max_membrane(forward(params, spikes)[0], labels)

    history = History()
    for batches in history.epochs(args, parallel, train_spikes, y_train, "training (functional)"):
        losses = []
        for spikes, labels in batches:
            params, opt_state, value = train_step(params, opt_state, spikes, labels)
            losses.append(value)
        train_accuracy = float(accuracy(params, train_spikes, y_train))
        history.end_epoch(losses, train_accuracy, float(accuracy(params, test_spikes, y_test)))

    args.out = output_dir(args.out)  # --processes: process 0 writes to --out, the others below
    save_curves(history, args.out / "snn_training_functional_curves.png")
    summary = {"test_accuracy": history.test_accuracy[-1], "seconds": round(history.seconds(), 1)}
    (args.out / "snn_training_functional_summary.json").write_text(json.dumps(summary, indent=2))
    print(f"trained {args.epochs} epochs in {summary['seconds']} s; outputs in {args.out}")
    print(f"test accuracy: {history.test_accuracy[-1]:.3f}")


if __name__ == "__main__":
    main()
