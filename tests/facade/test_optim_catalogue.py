"""The braintools optimizer catalogue: argument spellings, validation, special cases."""

from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import facade.optim as fo
from core import optim as core_optim


def _first(state: Any) -> float:
    return float(np.asarray(state.value).ravel()[0])


NAMED = [
    "Momentum", "MomentumNesterov", "Adagrad", "Adadelta", "Adamax", "Nadam", "RAdam", "Lamb",
    "Lars", "Yogi", "LBFGS", "Rprop", "Adafactor", "AdaBelief", "Lion", "SM3", "Novograd",
    "Fromage",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMED)
def test_lr_and_learning_rate_are_the_same_argument(name: str) -> None:
    cls = getattr(fo, name)
    assert cls(lr=0.125).current_lr == 0.125
    assert cls(learning_rate=0.125).current_lr == 0.125
    with pytest.raises(TypeError, match="either lr or learning_rate"):
        cls(lr=0.125, learning_rate=0.5)
    with pytest.raises(ValueError, match="learning_rate must be a finite number >= 0"):
        cls(lr=-1.0)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: fo.Momentum(momentum=1.5), r"momentum must be a finite number in \[0, 1\)"),
        (lambda: fo.Adamax(betas=(0.9, 1.0)), r"betas\[1\] must be a finite number in \[0, 1\)"),
        (lambda: fo.Lion(betas=(0.9,)), r"betas must be a pair"),  # type: ignore[arg-type]
        (lambda: fo.Adagrad(eps=-1.0), r"eps must be a finite number > 0"),
        (lambda: fo.Lamb(weight_decay=-0.1), r"weight_decay must be a finite number >= 0"),
        (lambda: fo.Rprop(etas=(1.5, 1.2)), r"etas must be \(eta_minus, eta_plus\)"),
        (lambda: fo.Rprop(step_sizes=(1.0, 0.1)), r"step_sizes must be \(min, max\)"),
        (lambda: fo.LBFGS(linesearch="zoom"), r"linesearch must be None, 'backtracking'"),
        (lambda: fo.LBFGS(memory_size=0), r"memory_size must be an integer >= 1"),
        (lambda: fo.Lookahead(optax.sgd(0.1), sync_period=0), r"sync_period must be"),
        (
            lambda: fo.Lookahead(optax.sgd(0.1), alpha=1.5),
            r"alpha must be a finite number in \[0, 1\]",
        ),
        (lambda: fo.Adam(betas=0.9), r"betas must be a pair \(beta1, beta2\), got 0.9"),  # type: ignore[arg-type]
        (lambda: fo.Rprop(etas=("a", 2.0)), r"etas\[0\] must be a real number"),  # type: ignore[arg-type]
        (lambda: fo.Lookahead("sgd"), r"base_optimizer must be a transform"),  # type: ignore[arg-type]
        (lambda: fo.Adafactor(eps=(1e-30,)), r"eps must be a pair"),  # type: ignore[arg-type]
        (lambda: fo.SM3(grad_clip_norm=0.0), r"grad_clip_norm must be a finite number > 0"),
    ],
)
def test_bad_arguments_name_the_argument(make: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_fromage_warns_about_momentum_like_braintools() -> None:
    with pytest.warns(UserWarning, match="Fromage does not use a momentum term"):
        fo.Fromage(momentum=0.9)


def test_lookahead_stores_but_does_not_apply_its_learning_rate() -> None:
    results: list[np.ndarray] = []
    for lr in (1e-3, 0.5):
        w = brainstate.ParamState(jnp.array([1.0, -1.0], jnp.float32))
        opt = fo.Lookahead(core_optim.chain(core_optim.scale(-0.1)), sync_period=2, lr=lr)
        opt.register_trainable_weights({"w": w})
        for _ in range(3):
            opt.update({"w": jnp.array([1.0, 2.0], jnp.float32)})
        assert opt.current_lr == pytest.approx(lr)
        results.append(np.array(w.value))
    np.testing.assert_array_equal(results[0], results[1])


def test_momentum_nesterov_differs_from_momentum_only_by_nesterov() -> None:
    traces = {}
    for cls in (fo.Momentum, fo.MomentumNesterov):
        w = brainstate.ParamState(jnp.array([1.0], jnp.float32))
        opt = cls(lr=0.1, momentum=0.5)
        opt.register_trainable_weights({"w": w})
        for _ in range(2):
            opt.update({"w": jnp.array([1.0], jnp.float32)})
        traces[cls.__name__] = _first(w)
    # heavy ball: 1 - 0.1*1 - 0.1*1.5 ; Nesterov: 1 - 0.1*1.5 - 0.1*1.75
    assert traces["Momentum"] == pytest.approx(0.75)
    assert traces["MomentumNesterov"] == pytest.approx(0.675)


def test_lbfgs_value_fn_with_two_groups_is_refused_before_anything_changes() -> None:
    a = brainstate.ParamState(jnp.array([1.0], jnp.float32))
    b = brainstate.ParamState(jnp.array([2.0], jnp.float32))
    opt = fo.LBFGS(linesearch="backtracking")
    opt.register_trainable_weights({"a": a})
    opt.add_param_group({"b": b}, lr=0.5)
    g = {"a": jnp.ones(1, jnp.float32), "b": jnp.ones(1, jnp.float32)}
    with pytest.raises(ValueError, match="value_fn: LBFGS line searches need a single"):
        opt.update(g, value=jnp.float32(1.0), value_fn=lambda p: jnp.sum(p["a"]))
    assert _first(a) == 1.0 and int(opt.step_count.value) == 0


def test_adagrad_lr_decay_divides_the_step() -> None:
    w = brainstate.ParamState(jnp.array([0.0], jnp.float32))
    opt = fo.Adagrad(lr=1.0, lr_decay=1.0)
    opt.register_trainable_weights({"w": w})
    for _ in range(2):
        opt.update({"w": jnp.array([1.0], jnp.float32)})
    # steps: 1/sqrt(1) / (1 + 0) and 1/sqrt(2) / (1 + 1)
    assert _first(w) == pytest.approx(-(1.0 + 0.5 / np.sqrt(2.0)), rel=1e-6)


def test_extra_update_arguments_reach_the_line_search_in_one_compiled_call() -> None:
    w = brainstate.ParamState(jnp.array([0.0, 0.0], jnp.float32))
    scale = jnp.array([1.0, 10.0], jnp.float32)

    def loss(p: Any) -> Any:
        return jnp.sum((p["w"] - 3.0) ** 2 * scale)

    opt = fo.LBFGS(linesearch="backtracking")
    opt.register_trainable_weights({"w": w})
    for _ in range(3):
        value, grads = jax.value_and_grad(loss)({"w": w.value})
        opt.update(grads, value=value, value_fn=loss)
    # without the line search the first unit step would overshoot to w = (6, 600)
    assert float(loss({"w": w.value})) < 0.1 * float(loss({"w": jnp.zeros(2)}))
    assert opt._compilations() == 1  # same value_fn


def test_a_subclass_with_its_own_constructor_keeps_the_spelling_rules() -> None:
    class Scaled(fo.Momentum):
        def __init__(self, scale: float, learning_rate: float | None = None) -> None:
            super().__init__(lr=0.5 * scale, learning_rate=learning_rate)

    assert Scaled(0.5).current_lr == pytest.approx(0.25)
    assert Scaled(2.0).current_lr == pytest.approx(1.0)
    with pytest.raises(TypeError, match="either lr or learning_rate"):
        Scaled(0.5, learning_rate=0.1)  # lr differs from Momentum's default: both given
