"""Every facade optimizer equals braintools 0.3.0's optimizer of the same name, step by step.

One model (two ``brainstate.nn.Linear`` layers), ten steps. The facade runs eagerly and
inside ``brainstate.transform.jit``; the braintools oracle runs once per case (jitted, under
standard dtype promotion, fed the facade's gradients so that only the optimizers differ).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

braintools = pytest.importorskip("braintools")

import facade.optim as fo  # noqa: E402

STEPS = 10
X = jnp.linspace(-1.0, 1.0, 15, dtype=jnp.float32).reshape(5, 3)
Y = jnp.linspace(0.0, 1.0, 10, dtype=jnp.float32).reshape(5, 2)

Case = tuple[str, dict[str, Any]]


def _lookahead_kwargs() -> dict[str, Any]:
    return {"base_optimizer": optax.sgd(0.1), "sync_period": 3, "alpha": 0.4, "weight_decay": 0.01}


CASES: list[Any] = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.01, "grad_clip_norm": 0.5}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "grad_clip_value": 0.2}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True}),
    ("Momentum", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01, "grad_clip_norm": 0.5}),
    ("MomentumNesterov", {"lr": 0.05, "momentum": 0.8, "grad_clip_value": 0.2}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
    ),
    ("Adadelta", {"lr": 0.5, "rho": 0.95, "weight_decay": 0.01}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.01}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.01}),
    ("Lamb", {"lr": 0.01, "weight_decay": 0.01, "betas": (0.8, 0.99)}),
    ("Lars", {"lr": 0.5, "momentum": 0.5, "weight_decay": 0.01, "trust_coefficient": 0.01}),
    ("Yogi", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-4, "weight_decay": 0.01}),
    ("LBFGS", {"lr": 0.5, "memory_size": 3, "scale_init_precond": False}),
    ("Rprop", {"lr": 0.05, "etas": (0.4, 1.5), "step_sizes": (1e-3, 0.1)}),
    ("Adafactor", {"lr": 0.01, "decay_rate": 0.9, "weight_decay": 0.01}),
    ("AdaBelief", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-12, "weight_decay": 0.01}),
    ("Lion", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("SM3", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}),
    ("Novograd", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.01}),
    ("Fromage", {"lr": 0.5, "grad_clip_value": 0.1}),
    ("Lookahead", {"lr": 0.01}),  # kwargs completed by _lookahead_kwargs
    ("Nadam", {"lr": 0.01, "betas": (0.8, 0.99), "momentum_decay": 0.01, "weight_decay": 0.01}),
]


def _model() -> brainstate.nn.Module:
    brainstate.random.seed(0)
    return brainstate.nn.Sequential(brainstate.nn.Linear(3, 4), brainstate.nn.Linear(4, 2))


# One model for every case: its parameters are reset before each run, so the jitted
# gradient is compiled once for the whole file.
NET = _model()
PARAMS: Any = NET.states(brainstate.ParamState)
INITIAL = {k: jax.tree.map(np.array, s.value) for k, s in PARAMS.items()}


def _loss() -> jax.Array:
    return jnp.mean((NET(X) - Y) ** 2)


GRAD = brainstate.transform.jit(brainstate.transform.grad(_loss, PARAMS))


def _snapshot() -> list[np.ndarray]:
    return [np.array(x) for x in jax.tree.leaves({k: s.value for k, s in PARAMS.items()})]


def _kwargs(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**_lookahead_kwargs(), **kwargs} if name == "Lookahead" else dict(kwargs)


def _run(
    make: Callable[[], Any],
    jit: bool,
    grads: list[Any] | None = None,
    standard_promotion: bool = False,
) -> tuple[list[list[np.ndarray]], list[Any]]:
    """Train from the initial parameters for STEPS steps; returns the parameters after
    each step and the gradients used (computed here when ``grads`` is None)."""
    for key, state in PARAMS.items():
        state.value = jax.tree.map(jnp.asarray, INITIAL[key])
    promotion = "standard" if standard_promotion else "strict"
    with jax.numpy_dtype_promotion(promotion):
        opt = make()
        opt.register_trainable_weights(PARAMS)
    step: Callable[[Any], None] = opt.update
    if jit:
        step = brainstate.transform.jit(lambda g: opt.update(g))
    trajectory, used = [], []
    for i in range(STEPS):
        g = GRAD() if grads is None else grads[i]
        used.append(g)
        with jax.numpy_dtype_promotion(promotion):
            step(g)
        trajectory.append(_snapshot())
    assert all(np.isfinite(x).all() for x in trajectory[-1])
    return trajectory, used


def _assert_same(ours: list[list[np.ndarray]], reference: list[list[np.ndarray]]) -> None:
    for step, (a, b) in enumerate(zip(ours, reference, strict=True)):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6, err_msg=f"step {step + 1}")


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_facade_equals_braintools_eagerly_and_under_jit(name: str, kwargs: dict[str, Any]) -> None:
    kw = _kwargs(name, kwargs)
    eager, grads = _run(lambda: getattr(fo, name)(**kw), jit=False)
    oracle, _ = _run(
        lambda: getattr(braintools.optim, name)(**kw),
        jit=True,
        grads=grads,
        standard_promotion=True,
    )
    _assert_same(eager, oracle)
    jitted, _ = _run(lambda: getattr(fo, name)(**kw), jit=True, grads=grads)
    _assert_same(jitted, oracle)


def test_every_facade_optimizer_class_is_covered() -> None:
    names = {c.values[0] if hasattr(c, "values") else c[0] for c in CASES}
    classes = {
        n
        for n in fo.__all__
        if isinstance(getattr(fo, n), type)
        and issubclass(getattr(fo, n), fo.NamedOptimizer)
        and getattr(fo, n) is not fo.NamedOptimizer
    }
    assert classes <= names, sorted(classes - names)


def test_lbfgs_backtracking_line_search_equals_braintools() -> None:
    """``update(grads, value=..., value_fn=...)`` reaches the line search in the compiled call."""
    scale = jnp.array([1.0, 10.0], jnp.float32)

    def loss(p: Any) -> jax.Array:
        return jnp.sum((p["w"] - 3.0) ** 2 * scale)

    results = []
    for make, promotion in (
        (lambda: fo.LBFGS(linesearch="backtracking"), "strict"),
        (lambda: braintools.optim.LBFGS(linesearch="backtracking"), "standard"),
    ):
        w = brainstate.ParamState(jnp.zeros(2, jnp.float32))
        with jax.numpy_dtype_promotion(promotion):
            opt = make()
            opt.register_trainable_weights({"w": w})
            step = brainstate.transform.jit(
                lambda g, v, opt=opt: opt.update(g, value=v, value_fn=loss)
            )
            trace: list[np.ndarray] = []
            for _ in range(4):
                value, g = jax.value_and_grad(loss)({"w": w.value})
                step(g, value)
                trace.append(np.array(w.value))
        results.append(trace)
    np.testing.assert_allclose(np.array(results[0]), np.array(results[1]), rtol=1e-5, atol=1e-6)
    assert float(loss({"w": jnp.asarray(results[0][-1])})) < 0.01 * float(loss({"w": jnp.zeros(2)}))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("Momentum", {"lr": 0.1}), ("Lion", {"lr": 0.01}), ("Adagrad", {"lr": 0.1}), ("Lamb", {})],
)
def test_add_param_group_uses_the_class_algorithm(name: str, kwargs: dict[str, Any]) -> None:
    """A group added with its own lr follows this class's algorithm, not Adam (braintools)."""
    cls = getattr(fo, name)
    a, b, b_alone = (brainstate.ParamState(jnp.array([1.0, -2.0], jnp.float32)) for _ in range(3))
    opt = cls(**kwargs)
    opt.register_trainable_weights({"a": a})
    opt.add_param_group({"b": b}, lr=0.05)
    alone = cls(**{**kwargs, "lr": 0.05})
    alone.register_trainable_weights({"b": b_alone})
    for i in range(4):
        g = jnp.array([0.5 + i, -0.25 * i], jnp.float32)
        opt.update({"a": g, "b": g})
        alone.update({"b": g})
    np.testing.assert_allclose(np.asarray(b.value), np.asarray(b_alone.value), rtol=1e-6)
    assert opt.get_last_lr()[1] == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adam", {"lr": 0.01, "betas": (0.8, 0.99)}),
        ("SGD", {"lr": 0.05, "momentum": 0.9}),
        ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ],
)
def test_a_braintools_state_dict_loads_and_training_continues_identically(
    name: str, kwargs: dict[str, Any]
) -> None:
    """Migrate a run: braintools' state_dict after 3 steps, then 2 more steps on each side."""
    grads = [{"w": jnp.full((2, 3), 0.1 * (i + 1), jnp.float32)} for i in range(5)]
    theirs_w = brainstate.ParamState(jnp.ones((2, 3), jnp.float32))
    theirs = getattr(braintools.optim, name)(**kwargs)
    theirs.register_trainable_weights({"w": theirs_w})
    with jax.numpy_dtype_promotion("standard"):  # braintools is not strict-promotion clean
        for g in grads[:3]:
            theirs.update(g)
    saved = theirs.state_dict()
    ours_w = brainstate.ParamState(jnp.array(theirs_w.value))
    ours = getattr(fo, name)(**kwargs)
    ours.register_trainable_weights({"w": ours_w})
    ours.load_state_dict(saved)
    assert int(ours.step_count.value) == 3 and ours.current_lr == kwargs["lr"]
    with jax.numpy_dtype_promotion("standard"):
        for g in grads[3:]:
            theirs.update(g)
    for g in grads[3:]:
        ours.update(g)
    np.testing.assert_allclose(np.asarray(ours_w.value), np.asarray(theirs_w.value), rtol=1e-6)


def test_our_state_dict_round_trips_exactly_and_refuses_another_algorithm() -> None:
    w = brainstate.ParamState(jnp.ones(3, jnp.float32))
    opt = fo.Adam(lr=0.001)
    opt.register_trainable_weights({"w": w})
    opt.update({"w": jnp.ones(3, jnp.float32)})
    saved = opt.state_dict()
    twin = fo.Adam(lr=0.5)
    twin.register_trainable_weights({"w": brainstate.ParamState(jnp.ones(3, jnp.float32))})
    twin.load_state_dict(saved)
    again = twin.state_dict()
    assert jax.tree.structure(again) == jax.tree.structure(saved)
    for a, b in zip(jax.tree.leaves(again), jax.tree.leaves(saved), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert twin.current_lr == 0.001  # exactly as given, not float32's 0.0010000000474974513
    sgd_w = brainstate.ParamState(jnp.ones(3, jnp.float32))
    theirs = braintools.optim.Adam(lr=0.01)
    theirs.register_trainable_weights({"w": sgd_w})
    sgd = fo.SGD(lr=0.01, momentum=0.9)
    sgd.register_trainable_weights({"w": brainstate.ParamState(jnp.ones(3, jnp.float32))})
    with pytest.raises(ValueError, match="braintools optax state"):
        sgd.load_state_dict(theirs.state_dict())


def test_constructor_hyperparameters_are_braintools_attributes() -> None:
    for name, kwargs in CASES:
        if name in ("Lookahead", "LBFGS"):
            continue
        ours, theirs = getattr(fo, name)(**kwargs), getattr(braintools.optim, name)(**kwargs)
        for attribute in ("betas", "eps", "momentum", "nesterov", "rho", "alpha", "centered"):
            if hasattr(theirs, attribute):
                assert getattr(ours, attribute) == getattr(theirs, attribute), (name, attribute)
        assert ours.current_lr == theirs.current_lr == kwargs["lr"]
