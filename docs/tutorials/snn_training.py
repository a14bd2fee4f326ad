"""Train a spiking network on handwritten digits, in the braintools style.

Run:  python docs/tutorials/snn_training.py [--epochs 40] [--batch-size 64] [--seed 0] [--out out]
      [--devices 1] [--processes 1]

The 8x8 digits of scikit-learn are rate-coded into spike trains (``--steps`` time
steps), fed to 64 -> 256 LIF -> 10 leaky-readout neurons, and trained with
backpropagation through time: surrogate gradients (``ReluGrad``), Adam, and the
cross-entropy of the readout's maximum membrane potential. It follows the
"Training Workflow" of the braintools page line by line, with
``import facade as braintools``. It writes a checkpoint, a PNG of the loss and
accuracy curves and a PNG spike raster of the hidden layer into ``--out``, and ends
with ``test accuracy: 0.XXX``. With ``--devices N`` the training is data parallel:
each batch is split over a mesh of N devices while the parameters and the optimizer
state are replicated (see ``docs/howto_multidevice.rst``). With ``--processes N`` it
runs as N processes of one JAX cluster (launched here on 127.0.0.1, or joined from a
launcher's environment such as ``srun``), each loading only its share of every batch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import brainstate
import jax
import jax.numpy as jnp
import numpy as np

import facade as braintools

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits_data import (
    History,
    output_dir,
    save_curves,
    save_raster,
    spike_digits,
    training_setup,
)


class TrainableSNN(brainstate.nn.Module):
    """64 inputs -> LIF hidden layer -> leaky (non-spiking) readout."""

    def __init__(self, n_in: int = 64, n_hidden: int = 256, n_out: int = 10) -> None:
        super().__init__()
        self.fc1 = braintools.nn.Linear(n_in, n_hidden)
        self.lif = braintools.nn.LIF(
            n_hidden, tau=5.0, detach_reset=True, spike_fun=braintools.surrogate.ReluGrad()
        )
        self.fc2 = braintools.nn.Linear(n_hidden, n_out)
        self.out = braintools.nn.LeakyReadout(n_out, tau=10.0)

    def step(self, current: jax.Array) -> tuple[jax.Array, jax.Array]:
        """One time step from the hidden layer's input current: (readout, hidden spikes)."""
        spikes = self.lif(current)
        return self.out(self.fc2(spikes)), spikes


def run_network(net: TrainableSNN, X: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Simulate the time-major spike trains ``X`` of shape ``(T, batch, 64)``.

    The input projection of every time step is one matmul outside the loop; the
    loop carries only the neuron dynamics. Returns the readout ``(T, batch, 10)``
    and the hidden spikes ``(T, batch, 256)``.
    """
    readout, spikes = brainstate.transform.for_loop(net.step, net.fc1(X))
    return readout, spikes


def main() -> None:
    args, parallel = training_setup(__doc__.splitlines()[0])

    train_spikes, y_train, test_spikes, y_test = spike_digits(args.seed, args.steps)

    # 1. Create network
    brainstate.random.seed(args.seed)
    net = TrainableSNN()
    brainstate.nn.init_all_states(net, batch_size=args.batch_size)

    # 2. Create optimizer
    optimizer = braintools.optim.Adam(learning_rate=args.lr)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)
    for state in [*net.states().values(), *optimizer]:  # weights, membranes, optimizer state:
        state.value = parallel.replicate(state.value)  # a copy on every device

    # 3. Define loss function
    def loss_fn(params: object, net: TrainableSNN, X: jax.Array, y: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=X.shape[1])  # fresh membranes per batch
        logits = run_network(net, X)[0].max(axis=0)  # maximum membrane over time
        return braintools.metric.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @brainstate.transform.jit
    def train_step(X: jax.Array, y: jax.Array) -> jax.Array:
        grads, loss = braintools.transform.grad(loss_fn, params, return_value=True)(net, X, y)
        optimizer.update(grads)
        return loss

    @brainstate.transform.jit
    def predict(X: jax.Array) -> tuple[jax.Array, jax.Array]:
        brainstate.nn.init_all_states(net, batch_size=X.shape[1])
        readout, spikes = run_network(net, X)
        # brainstate.transform.jit keys its cache on the shapes of the states it is
        # called with: leave them at the training batch size, or train_step retraces
        # after every evaluation (about 0.1 s each)
        brainstate.nn.init_all_states(net, batch_size=args.batch_size)
        return readout.max(axis=0).argmax(axis=-1), spikes

    def accuracy(X: jax.Array, y: jax.Array) -> float:
        return float(jnp.mean(predict(X)[0] == y))

    # 4. Training loop
    history = History()
    for batches in history.epochs(args, parallel, train_spikes, y_train, "training"):
        losses = [train_step(X, y) for X, y in batches]
        history.end_epoch(losses, accuracy(train_spikes, y_train), accuracy(test_spikes, y_test))

    args.out = output_dir(args.out)  # --processes: process 0 writes to --out, the others below
    braintools.optim.save_checkpoint(
        args.out / "snn_training.ckpt.npz",
        params,
        optimizer=optimizer,
        step=int(optimizer.step_count.value),
        epoch=args.epochs,
        metadata={"seed": args.seed, "steps": args.steps, "lr": args.lr},
    )
    save_curves(history, args.out / "snn_training_curves.png")
    _, hidden = predict(test_spikes[:, :1])
    save_raster(np.asarray(hidden[:, 0]), int(y_test[0]), args.out / "snn_training_raster.png")
    summary = {
        "test_accuracy": history.test_accuracy[-1],
        "train_accuracy": history.train_accuracy[-1],
        "seconds": round(history.seconds(), 1),
        "skipped_steps": int(optimizer.skipped_steps.value),  # non-finite gradients skipped
    }
    (args.out / "snn_training_summary.json").write_text(json.dumps(summary, indent=2))
    print(f"trained {args.epochs} epochs in {summary['seconds']} s; outputs in {args.out}")
    print(f"steps skipped for non-finite gradients: {summary['skipped_steps']}")
    print(f"test accuracy: {history.test_accuracy[-1]:.3f}")


if __name__ == "__main__":
    main()
