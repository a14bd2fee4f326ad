"""Review of the own-learning-rate and parameter-tree changes, against braintools 0.3.0.

* a braintools ``OptaxOptimizer(tx)`` state dict records ``lr=1e-3`` that its transform
  never applies: loaded into ``OptaxOptimizer(core_tx)`` (no ``lr``), it must not replace
  the transform's own rate (the moved run trained 100 times slower); braintools' default
  Adam (no ``tx``) does apply its ``lr``, which is then restored;
* a scheduler the optimizer refuses (per-layer rates) is not attached;
* a scheduler drives only the parameter groups it has a rate for, as braintools: a group
  added with its own ``lr`` keeps it (the scheduler's last rate was broadcast to it);
* a scheduler given for a transform without a learning rate (optax) is refused at
  registration, not at every ``scheduler.step()``;
* a schedule hidden inside an optax transform is reported, and setting ``current_lr`` for
  it is refused (it was reported stale and the setting silently ignored).
"""

from __future__ import annotations

from typing import Any

import brainstate
import braintools
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import facade.optim as fo
from core import optim

GRAD = {"w": jnp.array([1.0, -2.0])}


def _braintools_after_one_step(opt: Any) -> tuple[brainstate.ParamState[Any], dict[str, Any]]:
    """braintools' ``opt`` after one step on ``w = [1, 1]``: the weight and its state dict."""
    w = brainstate.ParamState(jnp.ones(2))
    opt.register_trainable_weights({"w": w})
    with jax.numpy_dtype_promotion("standard"):  # braintools is not strict-promotion clean
        opt.step(GRAD)
    return w, opt.state_dict()


def _moved(theirs: Any, ours: fo.Optimizer) -> tuple[np.ndarray, np.ndarray]:
    """One more step of braintools' run and of ours resumed from its state dict."""
    w, saved = _braintools_after_one_step(theirs)
    v = brainstate.ParamState(jnp.array(w.value))
    ours.register_trainable_weights({"w": v})
    ours.load_state_dict(saved)
    with jax.numpy_dtype_promotion("standard"):
        theirs.step(GRAD)
    ours.step(GRAD)
    return np.asarray(v.value), np.asarray(w.value)


def test_a_braintools_state_dict_keeps_the_transforms_own_rate() -> None:
    ours = fo.OptaxOptimizer(optim.sgd(0.1))
    resumed, reference = _moved(braintools.optim.OptaxOptimizer(optax.sgd(0.1)), ours)
    np.testing.assert_allclose(resumed, reference, rtol=1e-6)
    assert ours.current_lr == 0.1 and ours.base_lr == 0.1


def test_a_braintools_default_adam_state_dict_restores_its_rate() -> None:
    theirs = braintools.optim.OptaxOptimizer()  # its default Adam applies lr
    theirs.current_lr = 0.01
    ours = fo.OptaxOptimizer()
    resumed, reference = _moved(theirs, ours)
    np.testing.assert_allclose(resumed, reference, rtol=1e-6)
    assert ours.current_lr == 0.01


def test_a_scheduler_refused_by_per_layer_rates_is_not_attached() -> None:
    u, v = brainstate.ParamState(jnp.zeros(1)), brainstate.ParamState(jnp.zeros(1))
    opt = fo.OptaxOptimizer(
        optim.partition({"a": optim.sgd(0.1), "b": optim.sgd(1.0)}, {"u": "a", "v": "b"})
    )
    opt.register_trainable_weights({"u": u, "v": v})
    scheduler = fo.StepLR(base_lr=1.0, step_size=1, gamma=0.5)
    with pytest.raises(ValueError, match="several learning rates"):
        scheduler.attach_optimizer(opt)
    assert scheduler.optimizer is None
    scheduler.step()  # it drives nothing, so its steps are not refused
    assert scheduler.get_last_lr() == [0.5]
    opt.step({"u": jnp.ones(1), "v": jnp.ones(1)})  # each layer at its own rate
    np.testing.assert_allclose([float(u.value[0]), float(v.value[0])], [-0.1, -1.0], rtol=1e-6)


def _two_groups(module: Any, scheduler: Any) -> tuple[Any, list[brainstate.ParamState[Any]]]:
    """``module.Adam`` driven by ``scheduler``, with a second group at its own ``lr=0.01``."""
    a, b = brainstate.ParamState(jnp.ones(2)), brainstate.ParamState(jnp.ones(2))
    opt = module.optim.Adam(lr=scheduler)
    opt.register_trainable_weights({"a": a})
    opt.add_param_group({"b": b}, lr=0.01)
    with jax.numpy_dtype_promotion("standard"):  # braintools is not strict-promotion clean
        for _ in range(3):
            opt.step({"a": GRAD["w"], "b": GRAD["w"]})
            scheduler.step()
    return opt, [a, b]


def test_a_scheduler_leaves_the_groups_it_has_no_rate_for() -> None:
    import facade

    ours, (a, b) = _two_groups(facade, fo.ExponentialLR(base_lr=0.1, gamma=0.5))
    _, (ref_a, ref_b) = _two_groups(braintools, braintools.optim.ExponentialLR(0.1, gamma=0.5))
    assert ours.get_last_lr() == [0.0125, 0.01]
    np.testing.assert_allclose(np.asarray(a.value), np.asarray(ref_a.value), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(b.value), np.asarray(ref_b.value), rtol=1e-6)
    both, _ = _two_groups(facade, fo.ExponentialLR(base_lr=[0.1, 0.02], gamma=0.5))
    assert both.get_last_lr() == [0.0125, 0.0025]  # one rate per group: each driven


def test_a_scheduler_for_a_transform_without_a_rate_is_refused_at_registration() -> None:
    """It could never drive it: refused by name when the state is made, not at every
    ``scheduler.step()`` (which had moved its epoch before raising)."""
    scheduler = fo.StepLR(base_lr=0.1, step_size=1, gamma=0.5)
    opt = fo.OptaxOptimizer(optax.sgd(0.01), lr=scheduler)
    w = brainstate.ParamState(jnp.ones(2))
    with pytest.raises(ValueError, match=r"^lr: .*scheduler.*keeps no learning rate"):
        opt.register_trainable_weights({"w": w})
    with pytest.raises(ValueError, match="register_trainable_weights must be called"):
        opt.update({"w": jnp.ones(2)})  # nothing was registered
    scheduler.step()
    assert int(scheduler.last_epoch.value) == 1


def test_a_schedule_hidden_in_an_optax_chain_is_reported_not_overridden() -> None:
    """A core optimizer inside ``optax.chain`` hides its rate from the walk: a schedule there
    kept running while ``current_lr`` reported its first value and setting it did nothing."""
    schedule = optim.exponential_decay(1.0, 1, 0.5)
    opt = fo.OptaxOptimizer(optax.chain(optax.identity(), optim.sgd(schedule)))
    w = brainstate.ParamState(jnp.zeros(1))
    opt.register_trainable_weights({"w": w})
    for _ in range(3):
        opt.step({"w": jnp.ones(1)})
    np.testing.assert_allclose(np.asarray(w.value), [-1.75], rtol=1e-6)  # 1 + 0.5 + 0.25
    assert opt.current_lr == 0.25  # the rate of the last step, read from the state
    with pytest.raises(ValueError, match="hides its learning rate"):
        opt.current_lr = 5.0
    opt.step({"w": jnp.ones(1)})
    np.testing.assert_allclose(np.asarray(w.value), [-1.875], rtol=1e-6)
