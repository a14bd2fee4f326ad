"""The functional style: Equinox model, core.optim, core.transform, jax.jit."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from core import loss, neuron, optim, surrogate, transform


class Model(eqx.Module):
    w_in: jax.Array
    w_out: jax.Array
    cell: neuron.LIF

    def __call__(self, spikes: jax.Array) -> jax.Array:
        currents = spikes @ self.w_in
        _, hidden = neuron.run(self.cell, self.cell.init(spikes.shape[1]), currents)
        return (hidden @ self.w_out).sum(axis=0)


def make_model(key: jax.Array) -> Model:
    k1, k2 = jax.random.split(key)
    cell = neuron.LIF(16, tau=4.0, spike_fun=surrogate.Sigmoid(alpha=4.0))
    return Model(jax.random.normal(k1, (8, 16)), jax.random.normal(k2, (16, 3)), cell)


schedule = optim.warmup_cosine_decay_schedule(0.0, 1e-2, warmup_steps=5, decay_steps=50)
tx = optim.chain(optim.clip_by_global_norm(1.0), optim.adam(schedule))


def loss_fn(model: Model, spikes: jax.Array, labels: jax.Array) -> jax.Array:
    logits = model(spikes)
    return loss.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


@jax.jit
def step(
    model: Model, opt_state: object, spikes: jax.Array, labels: jax.Array
) -> tuple[Model, object, jax.Array]:
    value, grads = transform.value_and_grad(loss_fn)(model, spikes, labels)
    updates, opt_state = tx.update(grads, opt_state, model)
    model = optim.apply_updates(model, updates)
    return model, opt_state, value


model = make_model(jax.random.key(0))
opt_state = tx.init(model)
spikes = jnp.zeros((10, 4, 8))
labels = jnp.zeros(4, jnp.int32)
losses: list[float] = []
for _ in range(3):
    model, opt_state, value = step(model, opt_state, spikes, labels)
    losses.append(float(value))
print(losses, float(schedule(jnp.asarray(3))))
