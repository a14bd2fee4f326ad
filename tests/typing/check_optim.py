"""Type-level check of the core.optim API (run through mypy --strict)."""

from __future__ import annotations

from typing import Any, assert_type

import jax
import jax.numpy as jnp

from core import optim

params = {"w": jnp.zeros((3, 2)), "b": jnp.zeros((2,))}
grads = {"w": jnp.ones((3, 2)), "b": jnp.ones((2,))}

tx = optim.adam(learning_rate=1e-3, b1=0.9, b2=0.999)
assert_type(tx, optim.InjectHyperparams)
assert_type(optim.sgd(0.1, momentum=0.9, nesterov=True), optim.InjectHyperparams)
assert_type(optim.lbfgs(memory_size=5), optim.InjectHyperparams)
assert_type(optim.scale_by_adam(amsgrad=True), optim.GradientTransformation)
assert_type(optim.clip_by_global_norm(1.0), optim.GradientTransformation)
assert_type(optim.chain(optim.clip(1.0), tx), optim.GradientTransformation)
assert_type(
    optim.partition({"a": tx, "b": optim.sgd(0.1)}, {"w": "a", "b": "b"}),
    optim.GradientTransformation,
)
assert_type(optim.masked(tx, {"w": True, "b": False}), optim.GradientTransformation)
assert_type(optim.multi_steps(tx, every_k=4), optim.GradientTransformation)
assert_type(optim.skip_not_finite(tx), optim.GradientTransformation)
assert_type(
    optim.inject_hyperparams(optim.adam, ["learning_rate", "b1"])(1e-3), optim.InjectHyperparams
)


def step(params: Any, state: Any) -> tuple[Any, Any]:
    updates, state = tx.update(grads, state, params)
    return optim.apply_updates(params, updates), state


state = tx.init(params)
params, state = jax.jit(step)(params, state)
assert_type(optim.get_learning_rate(state), jax.Array)
assert_type(optim.get_hyperparams(state), dict[str, jax.Array])
state = optim.set_learning_rate(state, 1e-4)
schedule: optim.Schedule = optim.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100)
assert_type(schedule(jnp.asarray(5)), jax.Array)
assert_type(optim.adamw(schedule, weight_decay=1e-2), optim.InjectHyperparams)
assert isinstance(tx, optim.TransformLike)


def _planted_errors() -> None:
    """Wrong hyperparameter types are refused (each ignore is checked by warn_unused_ignores:
    a signature that let the error through would make its ignore unused, which fails)."""
    optim.adam(learning_rate="fast")  # type: ignore[arg-type]
    optim.adam(0.1, b1="0.9")  # type: ignore[arg-type]
    optim.adam(0.1, mu_dtype=0.5)  # type: ignore[arg-type]
    optim.sgd(0.1, momentum="high")  # type: ignore[arg-type]
    optim.adamw(0.1, weight_decay="1e-4")  # type: ignore[arg-type]
    optim.lbfgs(learning_rate=None)  # type: ignore[arg-type]
    optim.noisy_sgd(0.1, key="seed")  # type: ignore[arg-type]
    optim.scale_by_learning_rate("0.1")  # type: ignore[arg-type]
    optim.scale_by_schedule(0.1)  # type: ignore[arg-type]
    optim.add_decayed_weights(weight_decay=[0.1])  # type: ignore[arg-type]
    optim.set_learning_rate(state, "0.01")  # type: ignore[arg-type]
    optim.trace(0.9, accumulator_dtype=1.5)  # type: ignore[arg-type]
