"""Hyperparameters in state, wrappers (masking, groups, accumulation, non-finite skips, EMA,
lookahead) and input validation of ``core.optim``."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import optim

PARAMS = {"w": jnp.array([1.0, -2.0, 0.5]), "b": jnp.array([0.1, 0.2])}
GRADS = {"w": jnp.array([0.5, -1.0, 2.0]), "b": jnp.array([1.0, -1.0])}


def _close(a: Any, b: Any, rtol: float = 1e-6) -> None:
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-7)


# --- hyperparameters in the state --------------------------------------------------------


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "lamb", "lion", "rmsprop", "fromage"])
def test_changing_the_learning_rate_does_not_recompile(name: str) -> None:
    tx = getattr(optim, name)(0.1)
    traces: list[int] = []

    @jax.jit
    def step(params: Any, state: Any) -> tuple[Any, Any]:
        traces.append(1)
        updates, state = tx.update(GRADS, state, params)
        return optim.apply_updates(params, updates), state

    state = tx.init(PARAMS)
    _, state_a = step(PARAMS, state)
    state_b = optim.set_learning_rate(state, 0.001)
    new_b, state_b = step(PARAMS, state_b)
    state_c = optim.set_learning_rate(state, jnp.asarray(0.001, jnp.float32))
    new_c, _ = step(PARAMS, state_c)
    assert len(traces) == 1, "setting the learning rate recompiled the step"
    assert float(optim.get_learning_rate(state_a)) == pytest.approx(0.1)
    assert float(optim.get_learning_rate(state_b)) == pytest.approx(0.001)
    _close(new_b, new_c)
    # the new rate is used: a 100x smaller step for the (lr-linear) first step
    slow = getattr(optim, name)(0.001)
    reference, _ = slow.update(GRADS, slow.init(PARAMS), PARAMS)
    _close(jax.tree.map(lambda n, p: n - p, new_b, PARAMS), reference, rtol=1e-5)


def test_schedule_value_is_readable_from_the_state() -> None:
    tx = optim.sgd(lambda t: 0.1 / (1.0 + t.astype(jnp.float32)))
    state = tx.init(PARAMS)
    for expected in [0.1, 0.05, 1 / 30]:
        _, state = tx.update(GRADS, state, PARAMS)
        assert float(optim.get_learning_rate(state)) == pytest.approx(expected, rel=1e-6)


def test_inject_any_hyperparameter_and_nested_wrappers() -> None:
    tx = optim.inject_hyperparams(optim.adam, ["learning_rate", "b1"])(0.1, b1=0.5)
    wrapped = optim.skip_not_finite(optim.chain(optim.clip(10.0), tx))
    state = wrapped.init(PARAMS)
    assert sorted(optim.get_hyperparams(state)) == ["b1", "learning_rate"]
    state = optim.set_hyperparams(state, b1=0.0)
    u, _ = wrapped.update(GRADS, state, PARAMS)
    # with b1 = 0 the first Adam step is -lr * sign(g) (up to eps)
    _close(u, jax.tree.map(lambda g: -0.1 * jnp.sign(g), GRADS), rtol=1e-5)
    with pytest.raises(ValueError, match="gamma"):
        optim.set_hyperparams(state, gamma=1.0)


def test_get_learning_rate_without_hyperparameters_raises() -> None:
    state = optim.scale(-0.1).init(PARAMS)
    with pytest.raises(ValueError, match="no hyperparameters"):
        optim.get_learning_rate(state)


# --- masking and parameter groups --------------------------------------------------------


class Labels(eqx.Module):
    """A callable pytree: must be read as labels, never called."""

    w: str
    b: str

    def __call__(self, params: Any) -> Any:
        raise AssertionError("a label pytree was called as a function")


def test_partition_by_label_pytree_function_and_module() -> None:
    transforms = {"a": optim.sgd(1.0), "z": optim.scale(0.0)}
    expected = {"w": -GRADS["w"], "b": jnp.zeros(2)}
    for labels in (
        {"w": "a", "b": "z"},
        lambda p: {"w": "a", "b": "z"},
    ):
        tx = optim.partition(transforms, labels)
        u, _ = tx.update(GRADS, tx.init(PARAMS), PARAMS)
        _close(u, expected)
    # an Equinox module used as a label tree (a pytree whose leaves are the labels)
    module_labels = Labels(w="a", b="z")
    module_params = Labels(w=PARAMS["w"], b=PARAMS["b"])  # type: ignore[arg-type]
    module_grads = Labels(w=GRADS["w"], b=GRADS["b"])  # type: ignore[arg-type]
    tx = optim.partition(transforms, module_labels)
    u, _ = tx.update(module_grads, tx.init(module_params), module_params)
    _close(u, Labels(w=-GRADS["w"], b=jnp.zeros(2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no transform"):
        optim.partition(transforms, {"w": "a", "b": "missing"}).init(PARAMS)


def test_masked_state_covers_only_the_selected_leaves() -> None:
    tx = optim.masked(optim.adam(0.1), {"w": True, "b": False})
    state = tx.init(PARAMS)
    adam_state = state.inner_state.inner_state[0]
    assert len(jax.tree.leaves(adam_state.mu)) == 1
    u, _ = tx.update(GRADS, state, PARAMS)
    _close(u["b"], GRADS["b"])
    assert not np.allclose(u["w"], GRADS["w"])


def test_add_decayed_weights_with_mask_function() -> None:
    tx = optim.add_decayed_weights(0.5, mask=lambda p: {"w": True, "b": False})
    u, _ = tx.update(GRADS, tx.init(PARAMS), PARAMS)
    _close(u, {"w": GRADS["w"] + 0.5 * PARAMS["w"], "b": GRADS["b"]})


# --- wrappers -----------------------------------------------------------------------------


def test_multi_steps_keeps_one_accumulator_and_averages() -> None:
    tx = optim.multi_steps(optim.sgd(1.0), every_k=3)
    state = tx.init(PARAMS)
    n_params = len(jax.tree.leaves(PARAMS))
    float_leaves = [x for x in jax.tree.leaves(state) if x.ndim > 0]
    assert len(float_leaves) == n_params  # exactly one buffer per parameter
    grads = [jax.tree.map(lambda g, k=k: g * (k + 1), GRADS) for k in range(3)]
    outs = []
    for g in grads:
        u, state = tx.update(g, state, PARAMS)
        outs.append(u)
    _close(outs[0], jax.tree.map(jnp.zeros_like, GRADS))
    _close(outs[2], jax.tree.map(lambda g: -2.0 * g, GRADS))  # mean of g, 2g, 3g
    assert int(state.gradient_step) == 1 and int(state.mini_step) == 0


def test_skip_not_finite_leaves_params_and_state_unchanged() -> None:
    tx = optim.skip_not_finite(optim.adam(0.1))
    state = tx.init(PARAMS)
    _, state = tx.update(GRADS, state, PARAMS)
    bad = {"w": jnp.array([jnp.nan, 1.0, 1.0]), "b": jnp.array([jnp.inf, 0.0])}
    u, new_state = jax.jit(tx.update)(bad, state, PARAMS)
    _close(u, jax.tree.map(jnp.zeros_like, PARAMS))
    _close(new_state.inner_state, state.inner_state)
    assert int(new_state.notfinite_count) == 1 and not bool(new_state.last_finite)
    _, newer = tx.update(GRADS, new_state, PARAMS)
    assert int(newer.notfinite_count) == 1 and bool(newer.last_finite)


def test_ema_params_closed_form() -> None:
    tx = optim.ema_params(optim.sgd(0.1), decay=0.9)
    params, state = PARAMS, tx.init(PARAMS)
    ema = PARAMS
    for _ in range(4):
        u, state = tx.update(GRADS, state, params)
        params = optim.apply_updates(params, u)
        ema = jax.tree.map(lambda e, p: 0.9 * e + 0.1 * p, ema, params)
    _close(state.ema, ema, rtol=1e-5)


def test_lookahead_matches_an_inline_reference() -> None:
    k, alpha, lr = 3, 0.5, 0.1
    tx = optim.lookahead(optim.sgd(lr), sync_period=k, slow_step_size=alpha)
    params, state = PARAMS, tx.init(PARAMS)
    fast, slow = PARAMS, PARAMS

    def grad(p: Any) -> Any:
        return jax.tree.map(lambda x: 2 * x + 1, p)

    for t in range(1, 8):
        u, state = tx.update(grad(params), state, params)
        params = optim.apply_updates(params, u)
        fast = jax.tree.map(lambda f, g: f - lr * g, fast, grad(fast))
        if t % k == 0:
            slow = jax.tree.map(lambda s, f: s + alpha * (f - s), slow, fast)
            fast = slow
        _close(params, fast, rtol=1e-5)
    _close(state.slow, slow, rtol=1e-5)


def test_reduce_on_plateau_accepts_loss_and_requires_a_value() -> None:
    tx = optim.reduce_on_plateau(factor=0.5, patience=2)
    state = tx.init(PARAMS)
    for _ in range(3):
        _, state = tx.update(GRADS, state, loss=jnp.asarray(1.0))
    assert float(state.scale) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="value=loss"):
        tx.update(GRADS, state)


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: optim.adam(-0.1), "learning_rate"),
        (lambda: optim.sgd(learning_rate=float("nan")), "learning_rate"),
        (lambda: optim.adam(0.1, b1=1.0), "b1"),
        (lambda: optim.adam(0.1, b2=-0.1), "b2"),
        (lambda: optim.adam(0.1, eps=0.0), "eps"),
        (lambda: optim.rmsprop(0.1, eps=-1e-8), "eps"),
        (lambda: optim.rmsprop(0.1, decay=1.5), "decay"),
        (lambda: optim.adamw(0.1, weight_decay=-1.0), "weight_decay"),
        (lambda: optim.lion(0.1, b2=1.0), "b2"),
        (lambda: optim.clip_by_global_norm(0.0), "max_norm"),
        (lambda: optim.multi_steps(optim.sgd(0.1), every_k=0), "every_k"),
        (lambda: optim.lookahead(optim.sgd(0.1), sync_period=0), "sync_period"),
        (lambda: optim.reduce_on_plateau(factor=1.0), "factor"),
    ],
)
def test_bad_hyperparameters_name_the_argument(make: Any, argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument} must be "):
        make()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: optim.adam(0.1, eps=0), ValueError, "eps must be a finite number > 0, got 0"),
        (
            lambda: optim.scale_by_adam(eps=0.0),
            ValueError,
            "eps must be a finite number > 0, got 0.0",
        ),
        (
            lambda: optim.adam(-0.1),
            ValueError,
            "learning_rate must be a finite number >= 0, got -0.1",
        ),
        (
            lambda: optim.adam(0.1, b1=1.0),
            ValueError,
            "b1 must be a finite number in [0, 1), got 1.0",
        ),
        (
            lambda: optim.adam("fast"),
            TypeError,
            "learning_rate must be a real number or a real-valued array, got 'fast' of type str",
        ),  # type: ignore[arg-type]
        (lambda: optim.trace(1.5), ValueError, "decay must be a finite number in [0, 1], got 1.5"),
        (
            lambda: optim.lookahead(optim.sgd(0.1), sync_period=1.5),
            TypeError,
            "sync_period must be an integer, got 1.5 of type float",
        ),  # type: ignore[arg-type]
        (
            lambda: optim.reduce_on_plateau(factor=1.0),
            ValueError,
            "factor must be a finite number in (0, 1), got 1.0",
        ),
    ],
)
def test_one_rule_one_message(make: Any, error: type[Exception], message: str) -> None:
    """The messages of core._validation: one rule, one message (``adam(eps=0)`` included)."""
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


def test_mismatched_gradient_tree_names_the_first_differing_key_path() -> None:
    tx = optim.adam(0.1)
    state = tx.init(PARAMS)
    with pytest.raises(ValueError, match=r"\['c'\]"):
        tx.update({"c": GRADS["b"], "w": GRADS["w"]}, state, PARAMS)
    with pytest.raises(ValueError, match=r"\['b'\].*shape"):
        tx.update({"b": jnp.ones(3), "w": GRADS["w"]}, state, PARAMS)


def test_integer_params_are_rejected() -> None:
    with pytest.raises(TypeError, match=r"\['n'\].*int32"):
        optim.adam(0.1).init({"w": jnp.ones(2), "n": jnp.arange(3)})
    with pytest.raises(TypeError, match="params"):
        optim.sgd(0.1).init(jnp.arange(3))


def test_set_learning_rate_rejects_negative_values() -> None:
    state = optim.sgd(0.1).init(PARAMS)
    with pytest.raises(ValueError, match="learning_rate"):
        optim.set_learning_rate(state, -1.0)


def test_chain_rejects_non_transforms() -> None:
    with pytest.raises(TypeError, match=r"transforms\[1\]"):
        optim.chain(optim.sgd(0.1), 3)  # type: ignore[arg-type]


def test_unpacks_like_an_optax_transform() -> None:
    init, update = optim.adam(0.1)
    u, _ = update(GRADS, init(PARAMS), PARAMS)
    assert jax.tree.structure(u) == jax.tree.structure(GRADS)


# --- no host synchronisation --------------------------------------------------------------

NAMED = [
    "sgd", "adam", "adamw", "amsgrad", "nadam", "radam", "adamax", "adagrad", "adadelta",
    "rmsprop", "lamb", "lars", "lion", "yogi", "adabelief", "novograd", "sm3", "adafactor",
    "fromage", "rprop", "noisy_sgd", "sign_sgd",
]  # fmt: skip


def test_updates_trace_without_concrete_values_or_host_callbacks() -> None:
    """Every named optimizer and wrapper traces with abstract inputs (no ``float(x)`` or
    ``if x:`` on values) and its program holds no host callback: no host synchronisation."""
    txs = [getattr(optim, name)(0.1) for name in NAMED] + [
        optim.lbfgs(),
        optim.lookahead(optim.adam(0.1)),
        optim.multi_steps(optim.adam(0.1), every_k=2),
        optim.skip_not_finite(optim.adam(0.1)),
        optim.ema_params(optim.adam(0.1)),
        optim.chain(optim.adam(0.1), optim.reduce_on_plateau()),
    ]

    def value_fn(p: Any) -> jax.Array:
        return sum((jnp.sum(x**2) for x in jax.tree.leaves(p)), start=jnp.zeros([]))

    for tx in txs:

        def step(g: Any, s: Any, p: Any, tx: Any = tx) -> Any:
            s = optim.set_learning_rate(s, 0.01)
            return tx.update(g, s, p, value=value_fn(p), value_fn=value_fn)

        jaxpr = jax.make_jaxpr(step)(GRADS, tx.init(PARAMS), PARAMS)
        assert "callback" not in str(jaxpr)


# --- dtypes -------------------------------------------------------------------------------


def test_moment_dtype_overrides_the_parameter_dtype() -> None:
    tx = optim.adam(0.1, mu_dtype=jnp.bfloat16)
    state = tx.init(PARAMS)
    adam_state = state.inner_state[0]
    assert all(x.dtype == jnp.bfloat16 for x in jax.tree.leaves(adam_state.mu))
    assert all(x.dtype == jnp.float32 for x in jax.tree.leaves(adam_state.nu))
    updates, state = tx.update(GRADS, state, PARAMS)
    assert all(u.dtype == jnp.float32 for u in jax.tree.leaves(updates))
    assert all(x.dtype == jnp.bfloat16 for x in jax.tree.leaves(state.inner_state[0].mu))
    # float32 momentum for bfloat16 parameters
    params16 = jax.tree.map(lambda x: x.astype(jnp.bfloat16), PARAMS)
    sgd = optim.sgd(0.1, momentum=0.9, accumulator_dtype=jnp.float32)
    updates, state = sgd.update(params16, sgd.init(params16), params16)
    assert all(u.dtype == jnp.bfloat16 for u in jax.tree.leaves(updates))
    assert all(x.dtype == jnp.float32 for x in jax.tree.leaves(state.inner_state[0].trace))


def test_float64_parameters_keep_float64_state() -> None:
    with jax.enable_x64(True):
        params = jax.tree.map(lambda x: x.astype(jnp.float64), PARAMS)
        tx = optim.adam(0.1)
        updates, state = tx.update(params, tx.init(params), params)
        assert all(u.dtype == jnp.float64 for u in jax.tree.leaves(updates))
        assert all(x.dtype == jnp.float64 for x in jax.tree.leaves(state.inner_state[0].mu))


def test_jit_of_the_bound_update_compiles_once() -> None:
    """``jax.jit(tx.update)`` works as with optax (transforms are hashable)."""
    tx = optim.partition(
        {"a": optim.adamw(0.1), "b": optim.sgd(jnp.asarray(0.1))}, {"w": "a", "b": "b"}
    )
    update = jax.jit(tx.update)
    state = jax.jit(tx.init)(PARAMS)
    for _ in range(3):
        _, state = update(GRADS, state, PARAMS)
    assert update._cache_size() == 1
