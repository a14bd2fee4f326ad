"""A checkpoint step given as a string."""

from pathlib import Path

import brainstate
import jax.numpy as jnp

import facade as braintools

params = {"w": brainstate.ParamState(jnp.zeros(3))}


def save(directory: Path) -> Path:
    path = directory / "c.npz"
    return braintools.optim.save_checkpoint(path, params, step="3")  # expect: arg-type
