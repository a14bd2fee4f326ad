"""Sharded parameters: updates keep the parameters' sharding and equal the unsharded result.

Runs in a subprocess with two virtual CPU devices (the flag must be set before JAX starts).
"""

from __future__ import annotations

import os
import subprocess
import sys

PROGRAM = r"""
import jax, jax.numpy as jnp, numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from core import optim

assert len(jax.devices()) == 2
mesh = Mesh(np.array(jax.devices()), ("x",))
shard = NamedSharding(mesh, P("x"))
params = {"w": jnp.arange(8.0).reshape(4, 2) / 8, "b": jnp.linspace(-1, 1, 6)}
grads = jax.tree.map(lambda p: jnp.sin(3 * p) + 0.1, params)
tx = optim.skip_not_finite(optim.chain(optim.clip_by_global_norm(0.5), optim.adamw(0.1)))

@jax.jit
def step(params, state, grads):
    updates, state = tx.update(grads, state, params)
    return optim.apply_updates(params, updates), state

expected, _ = step(params, tx.init(params), grads)
sharded = jax.device_put(params, shard)
state = jax.jit(tx.init)(sharded)
new, state = step(sharded, state, jax.device_put(grads, shard))
new, state = step(new, state, jax.device_put(grads, shard))
for leaf in jax.tree.leaves(new):
    assert leaf.sharding.is_equivalent_to(shard, leaf.ndim), leaf.sharding
once, _ = step(sharded, tx.init(sharded), jax.device_put(grads, shard))
for a, b in zip(jax.tree.leaves(once), jax.tree.leaves(expected)):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)
mu = state.inner_state[1].inner_state[0].mu
assert all(m.sharding.is_equivalent_to(shard, m.ndim) for m in jax.tree.leaves(mu))
print("ok")
"""


def test_sharded_parameters_keep_their_sharding() -> None:
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    env["JAX_PLATFORMS"] = "cpu"
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
