"""The "Training Workflow" example of the braintools "Training Utilities" page, as written.

``import facade as braintools`` runs it.

One substitution: the page calls ``brainstate.transform.grad``; brainstate 0.5.4's own
``grad`` cannot take the model as an argument nor a ``loss_fn(params, net, X, y)``, so
the example uses ``braintools.transform.grad`` (ours), which accepts both.
"""

from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import facade as braintools


class TrainableSNN(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = brainstate.nn.Linear(20, 64)
        self.lif = braintools.nn.LIF(64, spike_fun=braintools.surrogate.ReluGrad())
        self.out = brainstate.nn.Linear(64, 4)

    def update(self, x: jax.Array) -> jax.Array:
        return self.out(self.lif(self.fc(x)))


def run_network(net: TrainableSNN, X: jax.Array) -> jax.Array:
    return brainstate.transform.for_loop(net.update, X).sum(axis=0)  # Simulate and accumulate


def make_data_loader() -> list[tuple[jax.Array, jax.Array]]:
    """Four batches of 32: time-major Bernoulli inputs whose rate encodes the class."""
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(4):
        y = rng.integers(0, 4, 32)
        rates = np.zeros((32, 20), np.float32)
        for i, label in enumerate(y):
            rates[i, label * 5 : label * 5 + 5] = 0.8
        X = (rng.random((10, 32, 20)) < rates).astype(np.float32)
        batches.append((jnp.asarray(X), jnp.asarray(y, jnp.int32)))
    return batches


def test_page_training_workflow_runs_and_learns(capsys: pytest.CaptureFixture[str]) -> None:
    brainstate.random.seed(0)
    data_loader = make_data_loader()
    num_epochs = 8

    # 1. Create network
    net = TrainableSNN()
    brainstate.nn.init_all_states(net, batch_size=32)

    # 2. Create optimizer
    optimizer = braintools.optim.Adam(learning_rate=1e-3)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)

    # 3. Define loss function
    def loss_fn(params: Any, net: TrainableSNN, X: jax.Array, y: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net)
        logits = run_network(net, X)  # Simulate and accumulate
        loss = braintools.metric.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss

    # 4. Training loop
    losses = []
    for _epoch in range(num_epochs):
        for X_batch, y_batch in data_loader:
            # Compute gradients
            grads, loss = braintools.transform.grad(loss_fn, params, return_value=True)(
                net, X_batch, y_batch
            )

            # Update parameters
            optimizer.update(grads)

            print(f"Loss: {loss:.4f}")
            losses.append(float(loss))

    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == num_epochs * len(data_loader) and printed[0].startswith("Loss: ")
    assert np.mean(losses[-4:]) < 0.95 * np.mean(losses[:4])  # it learns (lr 1e-3, 32 steps)
