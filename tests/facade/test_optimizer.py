"""The stateful optimizer shell: registration, update, learning rate, groups, state_dict."""

from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import facade as braintools
from core import optim as core_optim
from facade.optim import SGD, Adam, Optimizer, RMSprop


def param(*values: float) -> brainstate.ParamState[Any]:
    return brainstate.ParamState(jnp.asarray(values, jnp.float32))


def test_page_example_runs_as_written() -> None:
    brainstate.random.seed(0)
    net = brainstate.nn.Linear(3, 2)
    X, y = jnp.ones((4, 3)), jnp.zeros((4, 2))

    def loss_fn(params: Any, net: Any, X: Any, y: Any) -> Any:
        return jnp.mean((net(X) - y) ** 2)

    optimizer = braintools.optim.Adam(learning_rate=1e-3)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)
    before = float(loss_fn(params, net, X, y))
    for _ in range(5):
        grads = braintools.transform.grad(loss_fn, params)(net, X, y)
        optimizer.update(grads)
    assert float(loss_fn(params, net, X, y)) < before
    assert int(optimizer.step_count.value) == 5


def test_update_equals_the_core_kernel() -> None:
    """The facade adds no maths: its trajectory is the core transform's."""
    w, b = param(1.0, -2.0), param(0.5)
    opt = Adam(lr=0.1, weight_decay=0.01)
    opt.register_trainable_weights({"w": w, "b": b})
    tx = core_optim.chain(
        core_optim.add_decayed_weights(0.01),
        core_optim.scale_by_adam(),
        core_optim.scale_by_learning_rate(0.1),
    )
    values = {"b": jnp.array(b.value), "w": jnp.array(w.value)}  # copies: the states' are donated
    state = tx.init(values)
    for step in range(5):
        grads = {
            "w": jnp.array([0.3, -0.1 * step], jnp.float32),
            "b": jnp.array([step], jnp.float32),
        }
        opt.update(grads)
        updates, state = tx.update(grads, state, values)
        values = core_optim.apply_updates(values, updates)
    np.testing.assert_allclose(np.asarray(w.value), np.asarray(values["w"]), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(b.value), np.asarray(values["b"]), rtol=1e-6)


def test_a_bare_state_registers() -> None:
    w = param(1.0, 2.0)
    opt = SGD(learning_rate=0.5)
    opt.register_trainable_weights(w)
    opt.update(jnp.array([1.0, 1.0], jnp.float32))
    np.testing.assert_allclose(np.asarray(w.value), [0.5, 1.5])


def test_registering_more_keeps_the_moments_of_earlier_parameters() -> None:
    grads = {"a": jnp.array([1.0], jnp.float32), "b": jnp.array([2.0], jnp.float32)}
    a1, b1 = param(1.0), param(1.0)
    incremental = Adam(lr=0.1)
    incremental.register_trainable_weights({"a": a1})
    for _ in range(3):
        incremental.update({"a": grads["a"]})
    incremental.register_trainable_weights({"a": a1, "b": b1})
    incremental.update(grads)

    a2 = param(1.0)
    reference = Adam(lr=0.1)
    reference.register_trainable_weights({"a": a2})
    for _ in range(4):
        reference.update({"a": grads["a"]})
    np.testing.assert_allclose(np.asarray(a1.value), np.asarray(a2.value), rtol=1e-6)
    # b got one Adam step from fresh moments at the continued step count
    assert float(b1.value[0]) < 1.0


def test_integer_parameters_are_refused_before_anything_changes() -> None:
    opt = SGD()
    with pytest.raises(
        TypeError,
        match=r"params must hold floating-point arrays; the leaf at \['n'\] has dtype int32",
    ):
        opt.register_trainable_weights({"n": brainstate.ParamState(jnp.array([1], jnp.int32))})
    with pytest.raises(ValueError, match="register_trainable_weights must be called"):
        opt.update({})


def test_non_states_and_empty_trees_are_refused() -> None:
    with pytest.raises(TypeError, match=r"must hold brainstate\.State objects.*ndarray|Array"):
        SGD().register_trainable_weights({"w": jnp.ones(2)})
    with pytest.raises(ValueError, match=r"at least one brainstate\.State"):
        SGD().register_trainable_weights({})


def test_missing_gradient_names_its_key_and_extra_keys_are_ignored() -> None:
    w, v = param(1.0), param(2.0)
    opt = SGD(learning_rate=1.0)
    opt.register_trainable_weights({"w": w, "v": v})
    with pytest.raises(KeyError, match=r"\['v'\]"):
        opt.update({"w": jnp.ones(1, jnp.float32)})
    assert float(w.value[0]) == 1.0  # nothing was written
    opt.update({"w": jnp.ones(1, jnp.float32), "v": jnp.ones(1, jnp.float32), "z": 3})
    assert float(w.value[0]) == 0.0 and float(v.value[0]) == 1.0


def test_eager_update_is_one_cached_compiled_call() -> None:
    w = param(1.0, 2.0, 3.0)
    opt = Adam(lr=0.01)
    opt.register_trainable_weights({"w": w})
    for _ in range(4):
        opt.update({"w": jnp.ones(3, jnp.float32)})
    assert opt._compilations() == 1


def test_buffers_are_donated() -> None:
    w = param(1.0, 2.0)
    opt = SGD(learning_rate=0.1)
    opt.register_trainable_weights({"w": w})
    old = w.value
    opt.update({"w": jnp.ones(2, jnp.float32)})
    assert old.is_deleted()


def test_changing_the_learning_rate_never_recompiles() -> None:
    w = param(1.0)
    opt = SGD(learning_rate=0.5)
    opt.register_trainable_weights({"w": w})

    traces = []

    @brainstate.transform.jit
    def step(g: jax.Array) -> None:
        traces.append(None)
        opt.update({"w": g})

    g = jnp.ones(1, jnp.float32)
    step(g)
    opt.current_lr = 0.25
    step(g)
    assert opt.current_lr == 0.25 and opt.get_last_lr() == [0.25]
    np.testing.assert_allclose(np.asarray(w.value), [1.0 - 0.5 - 0.25])
    assert len(traces) == 1  # the new learning rate did not retrace the jitted step
    opt.update({"w": g})
    assert opt._compilations() == 1
    opt.current_lr = 0.1
    opt.update({"w": g})
    assert opt._compilations() == 1
    np.testing.assert_allclose(np.asarray(w.value), [1.0 - 0.5 - 0.25 - 0.25 - 0.1], rtol=1e-6)


def test_add_param_group_uses_the_parent_algorithm() -> None:
    main, extra = param(1.0), param(1.0)
    opt = SGD(learning_rate=0.1, momentum=0.9)
    opt.register_trainable_weights({"main": main})
    opt.add_param_group({"extra": extra}, lr=0.01)
    for _ in range(3):
        opt.update({"main": jnp.ones(1, jnp.float32), "extra": jnp.ones(1, jnp.float32)})
    # momentum SGD by hand: velocity 1, 1.9, 2.71 -> total displacement lr * 5.61
    np.testing.assert_allclose(float(main.value[0]), 1.0 - 0.1 * 5.61, rtol=1e-6)
    np.testing.assert_allclose(float(extra.value[0]), 1.0 - 0.01 * 5.61, rtol=1e-6)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([0.1, 0.01])
    with pytest.raises(TypeError, match="has no hyperparameter"):
        opt.add_param_group({"other": param(0.0)}, betas=(0.9, 0.9))


def test_state_dict_round_trip_continues_identically() -> None:
    def trained(steps: int) -> tuple[RMSprop, brainstate.ParamState[Any]]:
        w = param(1.0, -1.0)
        opt = RMSprop(lr=0.05, momentum=0.5)
        opt.register_trainable_weights({"w": w})
        for i in range(steps):
            opt.update({"w": jnp.array([0.1 * i, 1.0], jnp.float32)})
        return opt, w

    opt, w = trained(3)
    saved, saved_w = opt.state_dict(), jnp.array(w.value)
    for i in range(3, 6):
        opt.update({"w": jnp.array([0.1 * i, 1.0], jnp.float32)})
    fresh, fresh_w = trained(0)
    fresh_w.value = saved_w
    fresh.load_state_dict(saved)
    for i in range(3, 6):
        fresh.update({"w": jnp.array([0.1 * i, 1.0], jnp.float32)})
    np.testing.assert_allclose(np.asarray(fresh_w.value), np.asarray(w.value), rtol=1e-6)
    assert int(fresh.step_count.value) == 6


def test_load_state_dict_refuses_a_mismatch_before_writing() -> None:
    opt = Adam()
    opt.register_trainable_weights({"w": param(1.0, 2.0)})
    saved = opt.state_dict()
    other = Adam()
    other.register_trainable_weights({"w": param(1.0, 2.0, 3.0)})
    before = other.state_dict()
    with pytest.raises(ValueError, match="has shape"):
        other.load_state_dict(saved)
    for a, b in zip(jax.tree.leaves(before), jax.tree.leaves(other.state_dict()), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_page_and_braintools_spellings() -> None:
    assert Adam(learning_rate=0.002).current_lr == pytest.approx(0.002)
    assert Adam(lr=0.003, betas=(0.8, 0.9)).betas == (0.8, 0.9)
    assert SGD().current_lr == pytest.approx(0.01)
    assert RMSprop().decay == 0.9 and RMSprop(alpha=0.99).decay == 0.99
    with pytest.raises(TypeError, match="either learning_rate or lr"):
        Adam(learning_rate=0.1, lr=0.2)
    with pytest.raises(ValueError, match="beta1 must be a finite number in"):
        Adam(beta1=1.5)
    with pytest.raises(ValueError, match="learning_rate must be a finite number >= 0"):
        SGD(learning_rate=-1.0)


def test_generic_optimizer_takes_any_core_or_optax_transform() -> None:
    optax = pytest.importorskip("optax")
    for tx in (core_optim.adam(0.1), optax.adam(0.1)):
        w = param(1.0)
        opt = Optimizer(tx=tx)
        opt.register_trainable_weights({"w": w})
        with jax.numpy_dtype_promotion("standard"):  # optax itself is not strict-promotion clean
            opt.update({"w": jnp.ones(1, jnp.float32)})
        np.testing.assert_allclose(float(w.value[0]), 0.9, rtol=1e-5)
    with pytest.raises(ValueError, match="keeps no learning rate"):
        _ = opt.current_lr


def test_a_scheduler_passed_as_learning_rate_drives_the_optimizer() -> None:
    scheduler = braintools.optim.StepLR(base_lr=0.1, step_size=1, gamma=0.5)
    opt = SGD(learning_rate=scheduler)
    w = param(1.0)
    opt.register_trainable_weights({"w": w})
    assert opt.lr is scheduler and opt.current_lr == pytest.approx(0.1)
    opt.update({"w": jnp.ones(1, jnp.float32)})
    scheduler.step()
    assert opt.get_last_lr() == pytest.approx([0.05])
    opt.update({"w": jnp.ones(1, jnp.float32)})
    np.testing.assert_allclose(float(w.value[0]), 1.0 - 0.1 - 0.05, rtol=1e-6)


# -- non-finite gradients --------------------------------------------------------------------
NAN_GRADS = {"w": jnp.array([jnp.nan, 1.0], jnp.float32), "b": jnp.array([1.0], jnp.float32)}
GOOD_GRADS = {"w": jnp.array([1.0, 1.0], jnp.float32), "b": jnp.array([1.0], jnp.float32)}


def adam_on_two_params(nonfinite: Any = "skip") -> tuple[Adam, dict[str, Any]]:
    params = {"w": param(1.0, 2.0), "b": param(0.5)}
    opt = Adam(lr=0.1)
    opt.nonfinite = nonfinite
    opt.register_trainable_weights(params)
    opt.update(GOOD_GRADS)  # moments that a NaN would spoil
    return opt, params


def everything(opt: Adam, params: dict[str, Any]) -> list[np.ndarray]:
    values = {k: s.value for k, s in params.items()}
    return [np.array(x) for x in jax.tree.leaves((opt.state_dict(), values))]


def test_a_nan_gradient_skips_the_step_and_counts_it_by_default() -> None:
    opt, params = adam_on_two_params()
    assert opt.nonfinite == "skip"
    before = everything(opt, params)
    opt.update(NAN_GRADS)
    after = everything(opt, params)
    # nothing changed but the skip counter (the last-but-one entries of the state dict)
    assert int(opt.skipped_steps.value) == 1 and int(opt.step_count.value) == 1
    assert np.isfinite(np.asarray(params["w"].value)).all()
    np.testing.assert_array_equal(np.asarray(params["w"].value), before[-1])
    assert sum(not np.array_equal(a, b) for a, b in zip(before, after, strict=True)) == 1
    opt.update(GOOD_GRADS)  # training goes on from the same place
    reference, ref_params = adam_on_two_params()
    reference.update(GOOD_GRADS)
    np.testing.assert_array_equal(np.asarray(params["w"].value), np.asarray(ref_params["w"].value))


def test_nonfinite_skip_under_jit_and_apply_lets_it_through() -> None:
    opt, params = adam_on_two_params()

    @brainstate.transform.jit
    def step(grads: dict[str, jax.Array]) -> None:
        opt.update(grads)

    w0 = np.array(params["w"].value)
    step({"w": jnp.array([jnp.inf, 1.0], jnp.float32), "b": GOOD_GRADS["b"]})
    np.testing.assert_array_equal(np.asarray(params["w"].value), w0)
    assert int(opt.skipped_steps.value) == 1 and int(opt.step_count.value) == 1
    step(GOOD_GRADS)
    assert int(opt.step_count.value) == 2 and not np.array_equal(params["w"].value, w0)

    through, through_params = adam_on_two_params(nonfinite="apply")
    through.update(NAN_GRADS)
    assert np.isnan(np.asarray(through_params["w"].value)[0])  # the NaN reached the weights
    assert int(through.skipped_steps.value) == 0 and int(through.step_count.value) == 2


def test_nonfinite_raise_names_the_parameter_eagerly_and_is_refused_under_jit() -> None:
    opt, params = adam_on_two_params()
    opt.nonfinite = "raise"
    before = everything(opt, params)
    with pytest.raises(ValueError, match=r"grads for \['w'\] hold NaN or infinity; the step was"):
        opt.update(NAN_GRADS)
    after = everything(opt, params)
    changed = [
        i for i, (a, b) in enumerate(zip(before, after, strict=True)) if not np.array_equal(a, b)
    ]
    assert len(changed) == 1 and int(opt.skipped_steps.value) == 1  # only the counter moved

    @brainstate.transform.jit
    def step(grads: dict[str, jax.Array]) -> None:
        opt.update(grads)

    with pytest.raises(ValueError, match="nonfinite='raise' needs concrete gradients"):
        step(GOOD_GRADS)
    with pytest.raises(ValueError, match="nonfinite must be one of 'skip', 'raise', 'apply'"):
        Optimizer(tx=core_optim.sgd(0.1), nonfinite="ignore")  # type: ignore[arg-type]


def test_extra_update_arguments_reach_core_and_optax_transforms_alike() -> None:
    optax = pytest.importorskip("optax")
    results = []
    for tx in (optax.scale(-0.1), core_optim.chain(optax.scale(-0.1))):
        w = param(1.0, 2.0)
        opt = Optimizer(tx=tx)
        opt.register_trainable_weights({"w": w})
        with jax.numpy_dtype_promotion("standard"):  # optax itself is not strict-promotion clean
            opt.update({"w": jnp.ones(2, jnp.float32)}, value=jnp.asarray(3.0))
        results.append(np.asarray(w.value))
    np.testing.assert_allclose(results[0], [0.9, 1.9], rtol=1e-6)
    np.testing.assert_array_equal(results[0], results[1])


def test_eager_update_still_runs_state_hooks_and_brainstate_traces() -> None:
    """The direct state access of an eager update steps aside for hooks and traces."""
    w, v = param(1.0), param(2.0)
    opt = SGD(learning_rate=0.5)
    opt.register_trainable_weights({"w": w, "v": v})
    g = {"w": jnp.ones(1, jnp.float32), "v": jnp.ones(1, jnp.float32)}
    opt.update(g)  # direct: nothing observes the states
    seen: list[float] = []
    handle = v.register_hook("write_after", lambda ctx: seen.append(float(ctx.value[0])))
    opt.update(g)  # a hook on one state: every write goes through state.value
    assert seen == [1.0]
    v.unregister_hook(handle)
    opt.update(g)
    assert seen == [1.0]

    @brainstate.transform.jit
    def step(grads: dict[str, jax.Array]) -> None:
        opt.update(grads)

    step(g)  # inside a brainstate trace the writes are recorded, so the values come back
    np.testing.assert_allclose([float(w.value[0]), float(v.value[0])], [-1.0, 0.0])
    assert int(opt.step_count.value) == 4


def test_a_new_gradient_structure_gets_its_own_route() -> None:
    w = param(1.0, 2.0)
    opt = SGD(learning_rate=1.0)
    opt.register_trainable_weights({"w": w})
    opt.update({"w": jnp.ones(2, jnp.float32)})
    opt.update({"w": jnp.ones(2, jnp.float32), "unregistered": jnp.zeros(3)})
    np.testing.assert_allclose(np.asarray(w.value), [-1.0, 0.0])
    with pytest.raises(ValueError, match=r"grads for \['w'\] do not match"):
        opt.update({"w": jnp.ones(3, jnp.float32)})  # refused at trace time, nothing written
    np.testing.assert_allclose(np.asarray(w.value), [-1.0, 0.0])
    assert int(opt.step_count.value) == 2


def test_an_eager_update_does_no_per_parameter_python_work_after_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the first call, gradients are routed by a cached plan, checked only when the
    update is traced, and the states are read and written in bulk (no State.value)."""
    import facade.optim._optimizer as optimizer_module

    params = {f"p{i}": param(float(i), 1.0) for i in range(20)}
    opt = Adam(lr=1e-3)
    opt.register_trainable_weights(params)
    grads = {k: jnp.full(2, 0.1, jnp.float32) for k in params}
    opt.update(grads)  # the first call routes, traces and checks
    checks: list[str] = []
    original_check = optimizer_module.check_gradient
    monkeypatch.setattr(
        optimizer_module,
        "check_gradient",
        lambda name, *a: (checks.append(name), original_check(name, *a))[1],
    )
    monkeypatch.setattr(optimizer_module, "route", lambda *a: pytest.fail("routed again"))
    accesses: list[str] = []
    value = brainstate.State.value
    monkeypatch.setattr(
        brainstate.State,
        "value",
        property(
            lambda s: (accesses.append("read"), value.fget(s))[1],  # type: ignore[attr-defined]
            lambda s, v: (accesses.append("write"), value.fset(s, v))[1],  # type: ignore[attr-defined]
        ),
    )
    for _ in range(3):
        opt.update(grads)
    assert checks == [] and accesses == []
    assert int(opt.step_count.value) == 4
    np.testing.assert_allclose(float(params["p3"].value[0]), 3.0 - 4e-3, rtol=1e-5)


def test_the_step_counters_keep_their_old_values_alive() -> None:
    """Only parameters and moments are donated: a step count read before a step survives
    it (braintools' own tests compare against it)."""
    w = param(1.0)
    opt = Adam(lr=0.1)
    opt.register_trainable_weights({"w": w})
    before, skipped = opt.step_count.value, opt.skipped_steps.value
    opt.update({"w": jnp.ones(1, jnp.float32)})
    assert int(before) == 0 and int(skipped) == 0 and int(opt.step_count.value) == 1


def test_unregistered_gradient_entries_of_any_type_are_ignored() -> None:
    """Only the registered parameters' gradients enter the compiled update: an extra entry
    that is no array (a label, a step number) is ignored as the docstring promises."""
    w = param(1.0, 2.0)
    opt = SGD(learning_rate=1.0)
    opt.register_trainable_weights({"w": w})
    opt.update({"w": jnp.ones(2, jnp.float32), "note": "epoch 1", "n": 1})
    opt.update({"w": jnp.ones(2, jnp.float32), "note": "epoch 2", "n": 2})
    np.testing.assert_allclose(np.asarray(w.value), [-1.0, 0.0])
    assert int(opt.step_count.value) == 2


def test_parameters_sharing_a_buffer_with_each_other_or_a_gradient_update() -> None:
    """Donation must not meet one buffer twice: two states built from one array, the same
    state under two names, a gradient that is a parameter's own array."""
    shared = jnp.ones(2, jnp.float32)
    a, b = brainstate.ParamState(shared), brainstate.ParamState(shared)
    twice = param(3.0)
    opt = Adam(lr=0.1)
    opt.register_trainable_weights({"a": a, "b": b, "t1": twice, "t2": twice})
    g = {"a": jnp.ones(2, jnp.float32), "b": jnp.ones(2, jnp.float32)}
    opt.update({**g, "t1": jnp.ones(1, jnp.float32), "t2": jnp.ones(1, jnp.float32)})
    np.testing.assert_allclose(np.asarray(a.value), [0.9, 0.9], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(b.value), [0.9, 0.9], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(twice.value), [2.9], rtol=1e-5)
    gradient = twice.value  # the gradient is the parameter's own array
    opt.update({**g, "t1": gradient, "t2": gradient})
    m = (0.9 * 0.1 + 0.1 * 2.9) / (1 - 0.9**2)  # Adam's second step, bias-corrected
    v = (0.999 * 0.001 + 0.001 * 2.9**2) / (1 - 0.999**2)
    np.testing.assert_allclose(np.asarray(twice.value), [2.9 - 0.1 * m / np.sqrt(v)], rtol=1e-5)
    assert int(opt.step_count.value) == 2


def test_load_state_dict_does_not_adopt_the_dicts_arrays() -> None:
    """The next update donates the optimizer state: arrays of a loaded dict (jax arrays from
    a checkpoint, or braintools' live state) must stay valid after it."""
    w = param(1.0, 2.0)
    opt = Adam(lr=0.1)
    opt.register_trainable_weights({"w": w})
    opt.update({"w": jnp.ones(2, jnp.float32)})
    saved = jax.tree.map(jnp.asarray, opt.state_dict())
    opt.load_state_dict(saved)
    opt.update({"w": jnp.ones(2, jnp.float32)})
    arrays = [x for x in jax.tree.leaves(saved) if isinstance(x, jax.Array)]
    assert arrays and not any(x.is_deleted() for x in arrays)
    assert int(opt.step_count.value) == 2


class _Clamped(brainstate.ParamState):
    """A parameter whose own ``value`` setter keeps it in [0, 1]."""

    @property
    def value(self) -> Any:
        return brainstate.ParamState.value.fget(self)  # type: ignore[attr-defined]

    @value.setter
    def value(self, v: Any) -> None:
        brainstate.ParamState.value.fset(self, jnp.clip(v, 0.0, 1.0))  # type: ignore[attr-defined]


def test_a_state_class_with_its_own_value_property_is_written_through_it() -> None:
    """The eager update's direct storage access is only for states that store as
    brainstate.State does; a subclass overriding ``value`` keeps its setter."""
    w = _Clamped(jnp.full(2, 0.5, jnp.float32))
    opt = SGD(learning_rate=1.0)
    opt.register_trainable_weights({"w": w})
    opt.update({"w": jnp.ones(2, jnp.float32)})
    opt.update({"w": jnp.ones(2, jnp.float32)})
    np.testing.assert_array_equal(np.asarray(w.value), [0.0, 0.0])


def test_an_update_under_vmap_donates_nothing_it_cannot_write_back() -> None:
    """Under brainstate's vmap (braintools' optimizer works there) the compiled update runs
    on batched tracers and concrete unmapped states: donating those deleted them (vmap's
    first, eager pass restores the values it saw). nonfinite="apply": a per-example skip
    would batch the optimizer's own states, which out_states would have to declare."""
    w = brainstate.ParamState(jnp.ones((3, 2), jnp.float32))
    opt = SGD(learning_rate=0.1)
    opt.nonfinite = "apply"
    opt.register_trainable_weights({"w": w})

    def step(g: jax.Array) -> None:
        opt.update({"w": g})

    brainstate.transform.vmap(step, in_states={"w": w}, out_states={"w": w})(
        jnp.ones((3, 2), jnp.float32)
    )
    np.testing.assert_allclose(np.asarray(w.value), np.full((3, 2), 0.9), rtol=1e-6)
    before = np.asarray(w.value)
    with pytest.raises(Exception, match="tracer"):  # raw jax.vmap: brainstate refuses the write
        jax.vmap(step)(jnp.ones((4, 3, 2), jnp.float32))
    np.testing.assert_array_equal(np.asarray(w.value), before)  # nothing deleted or written
    opt.update({"w": jnp.ones((3, 2), jnp.float32)})
    np.testing.assert_allclose(np.asarray(w.value), np.full((3, 2), 0.8), rtol=1e-6)
