"""Checkpoints, optimizer state dicts and LR schedulers."""

from __future__ import annotations

from pathlib import Path

import brainstate
import jax.numpy as jnp

import facade as braintools

params = {"w": brainstate.ParamState(jnp.zeros(3)), "b": brainstate.ParamState(jnp.zeros(1))}
scheduler = braintools.optim.StepLR(base_lr=0.1, step_size=10, gamma=0.5)
optimizer = braintools.optim.SGD(learning_rate=scheduler, momentum=0.9)
optimizer.register_trainable_weights(params)


def train(epochs: int) -> list[float]:
    for _ in range(epochs):
        optimizer.update({"w": jnp.ones(3), "b": jnp.ones(1)})
        scheduler.step()
    return scheduler.get_last_lr()


def save(directory: Path) -> Path:
    return braintools.optim.save_checkpoint(
        directory / "ckpt.npz", params, optimizer=optimizer, scheduler=scheduler, epoch=3
    )


def restore(path: Path) -> int | None:
    checkpoint = braintools.optim.load_checkpoint(
        path, params, optimizer=optimizer, scheduler=scheduler
    )
    return checkpoint.epoch


saved = optimizer.state_dict()
optimizer.load_state_dict(saved)
weights: dict[str, float] = {name: float(state.value.sum()) for name, state in params.items()}
