"""Type-level check of the facade.optim optimizer catalogue and checkpoints (mypy --strict)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, assert_type

import brainstate
import jax
import jax.numpy as jnp
import optax

from facade import optim

w = brainstate.ParamState(jnp.zeros(3))
params = {"w": w}

opt = optim.Adam(learning_rate=1e-3)
assert_type(opt, optim.Adam)
opt.register_trainable_weights(params)
assert_type(opt.update({"w": jnp.ones(3)}), None)
assert_type(opt.current_lr, float)
assert_type(opt.get_last_lr(), list[float])
assert_type(opt.state_dict(), dict[str, Any])
assert_type(optim.Momentum(lr=0.1, momentum=0.5), optim.Momentum)
assert_type(optim.MomentumNesterov(learning_rate=0.1), optim.MomentumNesterov)
assert_type(optim.Adagrad(lr_decay=0.1), optim.Adagrad)
assert_type(optim.Adadelta(rho=0.95), optim.Adadelta)
assert_type(optim.Adamax(betas=(0.9, 0.99)), optim.Adamax)
assert_type(optim.Nadam(), optim.Nadam)
assert_type(optim.RAdam(), optim.RAdam)
assert_type(optim.Lamb(weight_decay=0.01), optim.Lamb)
assert_type(optim.Lars(trust_coefficient=0.01), optim.Lars)
assert_type(optim.Yogi(eps=1e-4), optim.Yogi)
assert_type(optim.LBFGS(linesearch="backtracking"), optim.LBFGS)
assert_type(optim.Rprop(etas=(0.5, 1.2)), optim.Rprop)
assert_type(optim.Adafactor(beta1=0.9), optim.Adafactor)
assert_type(optim.AdaBelief(), optim.AdaBelief)
assert_type(optim.Lion(betas=(0.9, 0.99)), optim.Lion)
assert_type(optim.SM3(momentum=0.5), optim.SM3)
assert_type(optim.Novograd(), optim.Novograd)
assert_type(optim.Fromage(lr=0.1), optim.Fromage)
assert_type(optim.Lookahead(optax.sgd(0.1), sync_period=3), optim.Lookahead)
named: optim.NamedOptimizer = optim.Lion()


def checkpoint_usage(directory: Path) -> None:
    """Saving and loading (a function, so that importing this file writes nothing)."""
    path = optim.save_checkpoint(
        directory / "run.npz", params, optimizer=opt, step=1, epoch=0, metadata={"note": "x"}
    )
    assert_type(path, Path)
    info = optim.load_checkpoint(path, params, optimizer=opt)
    assert_type(info, optim.Checkpoint)
    assert_type(info.step, int | None)
    assert_type(info.metadata, dict[str, Any])

# braintools' object surface and the non-finite policy
generic = optim.OptaxOptimizer(optax.sgd(0.1), lr=0.1, grad_clip_norm=1.0, nonfinite="raise")
assert_type(generic, optim.OptaxOptimizer)
base: optim.Optimizer = generic
assert_type(generic.nonfinite, str)
assert_type(generic.skipped_steps.value, jax.Array)
assert_type(generic.step({"w": jnp.ones(3)}), None)
assert_type(generic.param_states, optim.UniqueStateManager)
assert_type(generic.opt_state, brainstate.LongTermState | None)
manager = optim.UniqueStateManager().merge_with(params)
assert_type(manager.to_dict(), dict[str, brainstate.State[Any]])
assert_type(len(manager), int)
