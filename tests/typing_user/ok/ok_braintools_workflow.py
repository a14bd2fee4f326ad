"""The braintools "Training Workflow", written as a user would, without escape hatches."""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp

import facade as braintools


class SNN(brainstate.nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.fc1 = braintools.nn.Linear(n_in, n_hidden)
        self.lif = braintools.nn.LIF(n_hidden, tau=5.0, spike_fun=braintools.surrogate.ReluGrad())
        self.fc2 = braintools.nn.Linear(n_hidden, n_out)
        self.out = braintools.nn.LeakyReadout(n_out, tau=10.0)

    def update(self, x: jax.Array) -> jax.Array:
        return self.out(self.fc2(self.lif(self.fc1(x))))


brainstate.random.seed(0)
net = SNN(8, 16, 3)
brainstate.nn.init_all_states(net, batch_size=4)
optimizer = braintools.optim.Adam(learning_rate=1e-3)
params = net.states(brainstate.ParamState)
optimizer.register_trainable_weights(params)


def run(net: SNN, X: jax.Array) -> jax.Array:
    outputs: jax.Array = brainstate.transform.for_loop(net, X)
    return outputs


def loss_fn(params: object, net: SNN, X: jax.Array, y: jax.Array) -> jax.Array:
    brainstate.nn.init_all_states(net, batch_size=X.shape[1])
    logits = run(net, X).max(axis=0)
    return braintools.metric.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@brainstate.transform.jit
def train_step(X: jax.Array, y: jax.Array) -> jax.Array:
    grads, loss = braintools.transform.grad(loss_fn, params, return_value=True)(net, X, y)
    optimizer.update(grads)
    return loss


@brainstate.transform.jit
def predict(X: jax.Array) -> jax.Array:
    brainstate.nn.init_all_states(net, batch_size=X.shape[1])
    return run(net, X).max(axis=0).argmax(axis=-1)


def train(X: jax.Array, y: jax.Array, epochs: int) -> list[float]:
    losses: list[float] = []
    for _ in range(epochs):
        losses.append(float(train_step(X, y)))
    accuracy = float(jnp.mean(predict(X) == y))
    print(f"accuracy {accuracy:.3f}, lr {optimizer.current_lr}")
    return losses


def value_and_aux(X: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
    def with_aux(params: object, net: SNN, X: jax.Array, y: jax.Array) -> tuple[jax.Array, int]:
        return loss_fn(params, net, X, y), X.shape[0]

    (loss, steps), grads = braintools.transform.value_and_grad(with_aux, params, has_aux=True)(
        net, X, y
    )
    optimizer.update(grads)
    return loss, jnp.asarray(steps)


def first_weight() -> jax.Array:
    for state in params.values():
        if isinstance(state.value, jax.Array):
            return state.value
    raise LookupError("no array-valued parameter")
