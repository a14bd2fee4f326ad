"""The optimizer examples of the braintools "Training Utilities" page, run as written.

``import facade as braintools`` is the only change.
"""

from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import pytest

import facade as braintools


def _net() -> brainstate.nn.Module:
    brainstate.random.seed(1)
    return brainstate.nn.Sequential(brainstate.nn.Linear(3, 5), brainstate.nn.Linear(5, 2))


X = jnp.linspace(-1.0, 1.0, 12, dtype=jnp.float32).reshape(4, 3)
Y = jnp.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], jnp.float32)


def test_adam_example_with_brainstate_grad() -> None:
    net = _net()

    def loss_fn() -> jax.Array:
        return jnp.mean((net(X) - Y) ** 2)

    # --- the "Training Utilities" page's example ---
    optimizer = braintools.optim.Adam(learning_rate=1e-3)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)

    # Training loop
    before = float(loss_fn())
    for _ in range(20):
        grads = brainstate.transform.grad(loss_fn, params)()
        optimizer.update(grads)
    # ---
    assert float(loss_fn()) < before
    assert int(optimizer.step_count.value) == 20


def test_complete_example_with_return_value() -> None:
    """Section 4 of the page's complete example: ``loss_fn(params, net, X, y)``."""
    net = _net()
    optimizer = braintools.optim.Adam(learning_rate=1e-2)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)

    def loss_fn(params: Any, net: Any, X: jax.Array, y: jax.Array) -> jax.Array:
        logits = net(X)
        return braintools.metric.softmax_cross_entropy_with_integer_labels(
            logits, jnp.argmax(y, axis=-1)
        ).mean()

    losses = []
    for _ in range(15):
        grads, loss = braintools.transform.grad(loss_fn, params, return_value=True)(net, X, Y)
        optimizer.update(grads)
        losses.append(float(loss))
    assert losses[-1] < losses[0]


@pytest.mark.parametrize(
    ("make", "lr"),
    [
        (lambda: braintools.optim.SGD(), 0.01),
        (lambda: braintools.optim.SGD(learning_rate=0.01, momentum=0.0), 0.01),
        (lambda: braintools.optim.RMSprop(), 0.001),
        (lambda: braintools.optim.RMSprop(learning_rate=0.001, decay=0.9, eps=1e-8), 0.001),
    ],
)
def test_sgd_and_rmsprop_with_the_page_defaults(make: Any, lr: float) -> None:
    net = _net()
    optimizer = make()
    assert optimizer.current_lr == pytest.approx(lr)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)

    def loss_fn() -> jax.Array:
        return jnp.mean((net(X) - Y) ** 2)

    before = float(loss_fn())
    for _ in range(10):
        optimizer.update(brainstate.transform.grad(loss_fn, params)())
    assert float(loss_fn()) < before


def test_page_defaults_are_the_documented_ones() -> None:
    sgd = braintools.optim.SGD()
    assert sgd.current_lr == pytest.approx(0.01) and sgd._config["momentum"] == 0.0
    rms = braintools.optim.RMSprop()
    assert rms.decay == pytest.approx(0.9) and rms._config["eps"] == pytest.approx(1e-8)
    adam = braintools.optim.Adam()
    assert adam.betas == (0.9, 0.999) and adam.current_lr == pytest.approx(1e-3)
