"""``OptaxOptimizer`` over a core transform, checked against optax and braintools 0.3.0.

* without ``lr`` a core named optimizer trains at its own rate (it trained at the default
  ``1e-3``, which was written over it) and ``current_lr`` reports it;
* a schedule keeps running and ``current_lr`` reports the rate of its last step (it said
  ``1e-3`` forever); a given ``lr`` is refused for it;
* per-layer rates (a partition of named optimizers) each train their own parameters;
* the transform receives the parameters nested along their registration keys, as
  braintools hands them over (labels ``{"w1": "a"}`` did not match ``"['w1']"``), for a
  flat dict, ``net.states(ParamState)`` (tuple keys) and nested dicts/lists, and checkpoints
  (ours, and braintools' state dicts) still load.
"""

from __future__ import annotations

from collections.abc import Callable
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

W0 = {"w1": np.array([1.0, -2.0], np.float32), "w2": np.array([0.5, 3.0], np.float32)}
GRADS = [
    {
        "w1": np.array([0.5 * (t + 1), -1.0 + t], np.float32),
        "w2": np.array([2.0 - t, 0.25], np.float32),
    }
    for t in range(3)
]
LABELS = {"w1": "a", "w2": "b"}
Trajectory = list[dict[str, np.ndarray]]


def _states() -> dict[str, brainstate.ParamState[Any]]:
    return {k: brainstate.ParamState(jnp.asarray(v)) for k, v in W0.items()}


def _ours(opt: fo.Optimizer, steps: int = len(GRADS), promotion: str = "strict") -> Trajectory:
    """The weights after each step of ``GRADS`` under a facade optimizer (``promotion``:
    ``"standard"`` for one running an optax transform, not strict-promotion clean)."""
    states = _states()
    opt.register_trainable_weights(states)
    out = []
    with jax.numpy_dtype_promotion(promotion):
        for g in GRADS[:steps]:
            opt.update({k: jnp.asarray(v) for k, v in g.items()})
            out.append({k: np.asarray(s.value) for k, s in states.items()})
    return out


def _optax(tx: optax.GradientTransformation) -> Trajectory:
    """The same steps with optax alone (the oracle; not strict-promotion clean)."""
    params = {k: jnp.asarray(v) for k, v in W0.items()}
    state = tx.init(params)
    out = []
    with jax.numpy_dtype_promotion("standard"):
        for g in GRADS:
            updates, state = tx.update({k: jnp.asarray(v) for k, v in g.items()}, state, params)
            params = optax.apply_updates(params, updates)
            out.append({k: np.asarray(v) for k, v in params.items()})
    return out


def _braintools(tx: optax.GradientTransformation, **kwargs: Any) -> Trajectory:
    """The same steps with braintools 0.3.0's OptaxOptimizer over an optax transform."""
    states = _states()
    opt = braintools.optim.OptaxOptimizer(tx, **kwargs)
    opt.register_trainable_weights(states)
    out = []
    with jax.numpy_dtype_promotion("standard"):  # braintools is not strict-promotion clean
        for g in GRADS:
            opt.step({k: jnp.asarray(v) for k, v in g.items()})
            out.append({k: np.asarray(s.value) for k, s in states.items()})
    return out


def _same(ours: Trajectory, reference: Trajectory) -> None:
    assert len(ours) == len(reference)
    for a, b in zip(ours, reference, strict=True):
        for name in W0:
            np.testing.assert_allclose(a[name], b[name], rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("ours", "theirs", "rate"),
    [
        (lambda: optim.sgd(0.1), lambda: optax.sgd(0.1), 0.1),
        (lambda: optim.adam(0.01), lambda: optax.adam(0.01), 0.01),
    ],
    ids=["sgd", "adam"],
)
def test_a_core_optimizer_trains_at_its_own_rate_without_lr(
    ours: Callable[[], Any], theirs: Callable[[], optax.GradientTransformation], rate: float
) -> None:
    opt = fo.OptaxOptimizer(ours())
    assert opt.current_lr == rate and opt.base_lr == rate  # before registration too
    trajectory = _ours(opt)
    _same(trajectory, _optax(theirs()))
    _same(trajectory, _braintools(theirs()))  # braintools: the transform keeps its own rate
    assert opt.current_lr == rate and opt.get_last_lr() == [rate]
    assert opt.state_dict()["lr"] == rate
    plain = fo.Optimizer(ours())  # the same class under its own name
    _same(_ours(plain), trajectory)
    assert plain.current_lr == rate  # exactly, not float32's 0.10000000149011612


def test_a_given_lr_drives_the_transform_and_can_change() -> None:
    opt = fo.OptaxOptimizer(optim.sgd(0.1), lr=0.5)
    _same(_ours(opt, steps=1), _optax(optax.sgd(0.5))[:1])
    assert opt.current_lr == 0.5
    opt.current_lr = 0.25
    w = {k: np.asarray(s.value) for k, s in opt.param_states.to_pytree().items()}
    opt.update({k: jnp.asarray(v) for k, v in GRADS[1].items()})
    after = {k: np.asarray(s.value) for k, s in opt.param_states.to_pytree().items()}
    for k in W0:  # SGD: w <- w - lr * g, at the new rate
        np.testing.assert_allclose(after[k], w[k] - 0.25 * GRADS[1][k], rtol=1e-6)


def test_a_schedule_keeps_running_and_current_lr_reports_its_last_step() -> None:
    schedule = optim.exponential_decay(1.0, 1, 0.5)
    opt = fo.OptaxOptimizer(optim.sgd(schedule))
    states = _states()
    opt.register_trainable_weights(states)
    assert opt.current_lr == 1.0  # the initial rate, read from the state
    seen, trajectory = [], []
    for g in GRADS:
        opt.update({k: jnp.asarray(v) for k, v in g.items()})
        seen.append(opt.current_lr)
        trajectory.append({k: np.asarray(s.value) for k, s in states.items()})
    assert seen == [1.0, 0.5, 0.25]  # the rate each step used
    reference = optax.sgd(optax.exponential_decay(1.0, 1, 0.5))
    _same(trajectory, _optax(reference))
    _same(trajectory, _braintools(reference))
    with pytest.raises(ValueError, match="schedule: it cannot be set"):
        opt.current_lr = 0.1
    assert opt.current_lr == 0.25  # unchanged by the refused call
    for make in (fo.OptaxOptimizer, fo.Optimizer):
        with pytest.raises(ValueError, match=r"^lr: tx's learning rate is a schedule"):
            make(optim.sgd(schedule), lr=0.1)
        with pytest.raises(ValueError, match=r"^lr: tx's learning rate is a schedule"):
            make(optim.chain(optim.clip(1.0), optim.sgd(schedule)), lr=fo.StepLR(0.1, 2))


def test_per_layer_rates_each_train_their_own_parameters() -> None:
    per_layer = optim.partition({"a": optim.sgd(0.1), "b": optim.adam(0.01)}, LABELS)
    opt = fo.OptaxOptimizer(per_layer)
    trajectory = _ours(opt)
    reference = optax.multi_transform({"a": optax.sgd(0.1), "b": optax.adam(0.01)}, LABELS)
    _same(trajectory, _optax(reference))
    _same(trajectory, _braintools(reference))
    for read in (lambda: opt.current_lr, opt.get_last_lr, lambda: opt.base_lr):
        with pytest.raises(ValueError, match=r"several learning rates \(0.01, 0.1\)"):
            read()
    with pytest.raises(ValueError, match="several learning rates"):
        opt.current_lr = 0.5
    # an optax transform with the same labels (as written for braintools) works unchanged
    _same(_ours(fo.OptaxOptimizer(reference), promotion="standard"), trajectory)
    # a given lr drives every rate
    driven = fo.OptaxOptimizer(per_layer, lr=0.05)
    both = optax.multi_transform({"a": optax.sgd(0.05), "b": optax.adam(0.05)}, LABELS)
    _same(_ours(driven), _optax(both))
    assert driven.current_lr == 0.05


def test_a_transform_hiding_its_rate_and_an_optax_transform() -> None:
    hidden = fo.OptaxOptimizer(optax.chain(optax.clip(10.0), optim.sgd(0.1)))  # in a closure
    _same(
        _ours(hidden, promotion="standard"), _optax(optax.chain(optax.clip(10.0), optax.sgd(0.1)))
    )
    assert hidden.current_lr == pytest.approx(0.1)
    plain = fo.OptaxOptimizer(optax.adam(0.01))  # no rate in the state: as braintools, lr recorded
    assert plain.base_lr == 1e-3 and plain.current_lr == 1e-3
    _same(_ours(plain, promotion="standard"), _optax(optax.adam(0.01)))
    with pytest.raises(ValueError, match="keeps no learning rate"):
        _ = plain.current_lr


class _Net(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.l1 = brainstate.nn.Linear(3, 2)
        self.l2 = brainstate.nn.Linear(2, 1)


def _net_grads(params: Any, t: int) -> dict[Any, Any]:
    return {
        k: jax.tree.map(lambda v: jnp.full_like(v, 0.1 * (t + 1)) + 0.01 * v, s.value)
        for k, s in params.items()
    }


def test_net_states_reach_the_transform_keyed_as_in_braintools() -> None:
    """``net.states(ParamState)``: tuple keys, dict values; labels written for braintools."""
    labels = {("l1", "weight"): "a", ("l2", "weight"): "b"}
    optax_tx = optax.multi_transform({"a": optax.sgd(0.1), "b": optax.adam(0.01)}, labels)
    core_tx = optim.partition({"a": optim.sgd(0.1), "b": optim.adam(0.01)}, labels)
    runs = []
    for make in (
        lambda: braintools.optim.OptaxOptimizer(optax_tx),
        lambda: fo.OptaxOptimizer(optax_tx),
        lambda: fo.OptaxOptimizer(core_tx),
    ):
        brainstate.random.seed(0)
        params = _Net().states(brainstate.ParamState)
        opt = make()
        opt.register_trainable_weights(params)
        with jax.numpy_dtype_promotion("standard"):
            for t in range(2):
                opt.step(_net_grads(params, t))
        runs.append(jax.tree.map(np.asarray, {k: s.value for k, s in params.items()}))
    for run in runs[1:]:
        for a, b in zip(jax.tree.leaves(run), jax.tree.leaves(runs[0]), strict=True):
            np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-7)


def test_checkpoints_of_a_net_still_load_ours_and_braintools() -> None:
    """Adam on ``net.states(ParamState)``: our state dict round-trips; braintools' migrates."""
    brainstate.random.seed(1)
    theirs_params = _Net().states(brainstate.ParamState)
    ours_params = {
        k: brainstate.ParamState(jax.tree.map(jnp.array, s.value)) for k, s in theirs_params.items()
    }
    theirs = braintools.optim.Adam(lr=0.01)
    theirs.register_trainable_weights(theirs_params)
    with jax.numpy_dtype_promotion("standard"):
        theirs.step(_net_grads(theirs_params, 0))
    ours = fo.Adam(lr=0.01)
    ours.register_trainable_weights(ours_params)
    for k, s in ours_params.items():
        s.value = jax.tree.map(jnp.array, theirs_params[k].value)
    ours.load_state_dict(theirs.state_dict())  # mapped by field and parameter key path
    with jax.numpy_dtype_promotion("standard"):
        theirs.step(_net_grads(theirs_params, 1))
    ours.step(_net_grads(ours_params, 1))
    for k in theirs_params:
        for a, b in zip(
            jax.tree.leaves(ours_params[k].value),
            jax.tree.leaves(theirs_params[k].value),
            strict=True,
        ):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-6, atol=1e-7)
    saved = ours.state_dict()
    assert any("('l1', 'weight')" in key and ".mu" in key for key in saved["opt_state"])
    twin = fo.Adam(lr=0.5)
    twin.register_trainable_weights(
        {
            k: brainstate.ParamState(jax.tree.map(jnp.zeros_like, s.value))
            for k, s in ours_params.items()
        }
    )
    twin.load_state_dict(saved)
    assert twin.state_dict()["opt_state"].keys() == saved["opt_state"].keys()
    assert twin.current_lr == 0.01


def test_nested_registration_and_overlapping_keys() -> None:
    enc, dec = brainstate.ParamState(jnp.zeros(2)), brainstate.ParamState(jnp.zeros(2))
    tx = optim.partition(
        {"a": optim.sgd(0.1), "b": optim.sgd(1.0)}, {"enc": {"w": "a"}, "dec": {0: "b"}}
    )
    opt = fo.OptaxOptimizer(tx)
    opt.register_trainable_weights({"enc": {"w": enc}, "dec": [dec]})  # the list: int keys
    opt.update({"enc": {"w": jnp.ones(2)}, "dec": [jnp.ones(2)]})
    np.testing.assert_allclose(np.asarray(enc.value), [-0.1, -0.1], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(dec.value), [-1.0, -1.0], rtol=1e-6)
    bare, other = brainstate.ParamState(jnp.ones(2)), brainstate.ParamState(jnp.ones(2))
    alone = fo.OptaxOptimizer(optim.sgd(0.5))
    alone.register_trainable_weights(bare)  # handed over bare, as braintools' single leaf
    alone.update(jnp.ones(2))
    np.testing.assert_allclose(np.asarray(bare.value), [0.5, 0.5], rtol=1e-6)
    with pytest.raises(ValueError, match=r"^params: a single State registered alone"):
        alone.register_trainable_weights({"v": other})
    assert list(alone.param_states.to_dict()) == [""] and len(alone.param_states) == 1
    alone.update(jnp.ones(2))  # still the one parameter, still training
    np.testing.assert_allclose(np.asarray(bare.value), [0.0, 0.0], atol=1e-7)
