"""Settings that used to train silently wrong in facade.optim, checked against optax/braintools.

* ``Lookahead`` over a core named optimizer keeps the base's learning rate unless ``lr`` is
  given (it was overwritten by Lookahead's stored ``lr=1e-3``);
* a State registered under two names is one parameter (it was updated twice, last write
  winning, with its moments stored twice);
* ``Fromage(momentum)`` and ``OneCycleLR(epochs, steps_per_epoch)`` are checked.
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
from core import optim as core_optim
from core.optim._wrappers import LookaheadState

W0 = np.array([1.0, -2.0], np.float32)
GRADS = [np.array([0.5 * (t + 1), -1.0 + t], np.float32) for t in range(7)]
SYNC, ALPHA = 3, 0.5


def _slow(opt_state: Any) -> np.ndarray:
    """The slow weights in a facade Lookahead's state."""
    found: list[Any] = []

    def visit(node: Any) -> bool:
        if isinstance(node, LookaheadState):
            found.append(node.slow)
            return True
        return False

    jax.tree.leaves(opt_state, is_leaf=visit)
    (slow,) = found
    return np.asarray(slow["w"])  # the parameters as registered (braintools' tree)


def _optax_lookahead(fast: optax.GradientTransformation) -> list[tuple[np.ndarray, np.ndarray]]:
    """optax's (fast, slow) weights after each step of ``GRADS`` (optax and braintools mix
    dtypes: run under standard promotion)."""
    with jax.numpy_dtype_promotion("standard"):
        return _optax_lookahead_steps(fast)


def _optax_lookahead_steps(
    fast: optax.GradientTransformation,
) -> list[tuple[np.ndarray, np.ndarray]]:
    tx = optax.lookahead(fast, sync_period=SYNC, slow_step_size=ALPHA)
    params = optax.LookaheadParams.init_synced(jnp.asarray(W0))
    state = tx.init(params)
    trajectory = []
    for g in GRADS:
        updates, state = tx.update(jnp.asarray(g), state, params)
        params = optax.apply_updates(params, updates)
        trajectory.append((np.asarray(params.fast), np.asarray(params.slow)))
    return trajectory


def _facade_lookahead(
    opt: fo.Lookahead, after_step: Callable[[], None] = lambda: None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The facade's (fast, slow) weights after each step of ``GRADS``."""
    w = brainstate.ParamState(jnp.asarray(W0))
    opt.register_trainable_weights({"w": w})
    trajectory = []
    for g in GRADS:
        opt.update({"w": jnp.asarray(g)})
        after_step()
        assert opt.opt_state is not None
        trajectory.append((np.array(w.value), _slow(opt.opt_state.value)))
    return trajectory


def _assert_same(ours: list[Any], reference: list[Any]) -> None:
    for step, ((fast, slow), (ref_fast, ref_slow)) in enumerate(zip(ours, reference, strict=True)):
        np.testing.assert_allclose(fast, ref_fast, rtol=1e-6, atol=1e-6, err_msg=f"fast, {step}")
        np.testing.assert_allclose(slow, ref_slow, rtol=1e-6, atol=1e-6, err_msg=f"slow, {step}")


def _staircase(lr: float) -> optax.Schedule:
    """``lr`` halved every 2 steps (what ``StepLR(step_size=2, gamma=0.5)`` gives)."""
    return optax.exponential_decay(lr, transition_steps=2, decay_rate=0.5, staircase=True)


@pytest.mark.parametrize(
    ("base", "kwargs", "reference_lr", "current_lr"),
    [
        (lambda: core_optim.sgd(0.1), {}, 0.1, 0.1),  # the base's own rate (was 1e-3)
        (lambda: core_optim.sgd(0.1), {"lr": 0.05}, 0.05, 0.05),  # an explicit lr drives it
        (lambda: core_optim.sgd(0.1), {"learning_rate": 0.05}, 0.05, 0.05),
        # a named optimizer inside a chain keeps its rate too
        (lambda: core_optim.chain(core_optim.clip(1e3), core_optim.sgd(0.1)), {}, 0.1, 0.1),
        (lambda: optax.sgd(0.1), {}, 0.1, 1e-3),  # optax base: lr stored, not applied
        (lambda: optax.sgd(0.1), {"lr": 0.5}, 0.1, 0.5),
        # a schedule in the base keeps running; lr is stored (braintools' default)
        (lambda: core_optim.sgd(_staircase(0.2)), {}, _staircase(0.2), 1e-3),
    ],
    ids=["named", "named+lr", "named+learning_rate", "chain", "optax", "optax+lr", "schedule"],
)
def test_lookahead_follows_optax_lookahead(
    base: Callable[[], Any], kwargs: dict[str, Any], reference_lr: Any, current_lr: float
) -> None:
    opt = fo.Lookahead(base(), sync_period=SYNC, alpha=ALPHA, **kwargs)
    assert opt.current_lr == current_lr
    _assert_same(_facade_lookahead(opt), _optax_lookahead(optax.sgd(reference_lr)))
    assert opt.current_lr == current_lr


def test_lookahead_lr_scheduler_drives_a_named_base() -> None:
    scheduler = fo.StepLR(base_lr=0.2, step_size=2, gamma=0.5)
    opt = fo.Lookahead(core_optim.sgd(0.1), sync_period=SYNC, alpha=ALPHA, lr=scheduler)
    ours = _facade_lookahead(opt, after_step=scheduler.step)
    _assert_same(ours, _optax_lookahead(optax.sgd(_staircase(0.2))))
    assert opt.current_lr == pytest.approx(0.2 * 0.5 ** (len(GRADS) // 2))


def test_lookahead_refuses_what_one_lr_cannot_honour() -> None:
    with pytest.raises(ValueError, match=r"^lr: .*schedule"):
        fo.Lookahead(core_optim.sgd(_staircase(0.2)), lr=0.1)
    with pytest.raises(ValueError, match=r"^lr: .*several learning rates"):
        fo.Lookahead(core_optim.chain(core_optim.sgd(0.1), core_optim.sgd(0.2)))
    with pytest.raises(TypeError, match="give either lr or learning_rate"):
        fo.Lookahead(core_optim.sgd(0.1), lr=0.1, learning_rate=0.2)
    # one lr drives them all when given
    assert (
        fo.Lookahead(core_optim.chain(core_optim.sgd(0.1), core_optim.sgd(0.2)), lr=0.3).lr == 0.3
    )


def test_lookahead_param_group_lr_drives_its_base() -> None:
    opt = fo.Lookahead(core_optim.sgd(0.1), sync_period=SYNC, alpha=ALPHA)
    main = brainstate.ParamState(jnp.asarray(W0))
    other = brainstate.ParamState(jnp.asarray(W0))
    opt.register_trainable_weights({"main": main})
    opt.add_param_group({"other": other}, lr=0.02)
    g = jnp.asarray(GRADS[0])
    opt.update({"main": g, "other": g})
    np.testing.assert_allclose(main.value, W0 - 0.1 * GRADS[0], rtol=1e-6)
    np.testing.assert_allclose(other.value, W0 - 0.02 * GRADS[0], rtol=1e-6)
    assert opt.get_last_lr() == [0.1, 0.02]


# -- a State under two names -----------------------------------------------------------------
def _shared(opt: Any, tree: Callable[[brainstate.ParamState], Any]) -> brainstate.ParamState:
    s = brainstate.ParamState(jnp.asarray(W0))
    opt.register_trainable_weights(tree(s))
    return s


def test_a_state_under_two_names_is_one_parameter_as_in_braintools() -> None:
    ours = fo.Adam(lr=0.1)
    theirs: Any = braintools.optim.Adam(lr=0.1)  # untyped
    s_ours = _shared(ours, lambda s: {"a": s, "b": s})
    s_theirs = _shared(theirs, lambda s: {"a": s, "b": s})
    assert len(ours.param_states) == len(theirs.param_states) == 1
    assert list(ours.param_states.to_dict()) == list(theirs.param_states.to_dict()) == ["a"]
    adam = optax.adam(0.1)
    ref, ref_state = jnp.asarray(W0), adam.init(jnp.asarray(W0))
    for t in range(3):  # the gradient under the first name is used; "b"'s is ignored
        grads = {"a": jnp.asarray(GRADS[t]), "b": jnp.asarray(GRADS[t + 3])}
        ours.update(grads)
        with jax.numpy_dtype_promotion("standard"):
            theirs.update(grads)
            updates, ref_state = adam.update(grads["a"], ref_state, ref)
            ref = optax.apply_updates(ref, updates)
        np.testing.assert_allclose(s_ours.value, ref, rtol=1e-6, err_msg=f"step {t}")
        np.testing.assert_allclose(s_ours.value, s_theirs.value, rtol=1e-6)
    assert int(ours.step_count.value) == 3
    # the moments are stored once, as braintools stores them
    ours_moments = jax.tree.leaves(ours.state_dict()["opt_state"])
    theirs_moments = jax.tree.leaves(theirs.state_dict()["opt_state"])
    assert sum(np.size(x) for x in ours_moments if np.size(x) == W0.size) == 2 * W0.size
    assert sum(np.size(x) for x in theirs_moments if np.size(x) == W0.size) == 2 * W0.size


def test_a_state_in_a_dict_and_a_list_keeps_its_first_name() -> None:
    opt = fo.SGD(lr=0.1)
    s = _shared(opt, lambda s: {"d": {"w": s}, "l": [s]})
    assert len(opt.param_states) == 1
    opt.update({"d": {"w": jnp.asarray(GRADS[1])}, "l": [jnp.asarray(GRADS[2])]})
    np.testing.assert_allclose(s.value, W0 - 0.1 * GRADS[1], rtol=1e-6)
    # registering it again under a new name changes nothing (braintools' merge_with)
    opt.register_trainable_weights({"again": s})
    assert len(opt.param_states) == 1
    with pytest.raises(KeyError):  # its gradient is still expected under the first name
        opt.update({"again": jnp.asarray(GRADS[3])})


def test_add_param_group_refuses_a_state_registered_under_another_name() -> None:
    opt = fo.SGD(lr=0.1)
    s = _shared(opt, lambda s: {"a": s})
    with pytest.raises(ValueError, match=r"params: \['other'\] already registered"):
        opt.add_param_group({"other": s}, lr=0.5)
    t = brainstate.ParamState(jnp.asarray(W0))
    opt.add_param_group({"t1": t, "t2": t}, lr=0.5)
    assert len(opt.param_states) == 2
    assert opt.param_groups[1]["params"] == ["['t1']"]


# -- arguments checked although unused -------------------------------------------------------
@pytest.mark.parametrize("momentum", [-0.1, 1.5, float("nan"), "0.9", None])
def test_fromage_refuses_a_bad_momentum(momentum: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="momentum"):
        fo.Fromage(momentum=momentum)


@pytest.mark.parametrize("argument", ["epochs", "steps_per_epoch"])
@pytest.mark.parametrize("value", [0, -3, 1.5, "4"])
def test_one_cycle_checks_epochs_even_with_total_steps(argument: str, value: Any) -> None:
    with pytest.raises((TypeError, ValueError), match=argument):
        fo.OneCycleLR(max_lr=0.1, total_steps=100, **{argument: value})
    assert (
        fo.OneCycleLR(max_lr=0.1, total_steps=100, epochs=3, steps_per_epoch=7).total_steps == 100
    )
