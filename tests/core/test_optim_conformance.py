"""One conformance suite over the whole catalogue of ``core.optim`` transforms.

Catalogue-wide properties are checked once per transform:

* every named optimizer, building block and wrapper keeps its state's tree structure, shapes,
  dtypes and weak types across ``update`` for every mix of parameter and gradient dtypes
  (``bfloat16``, ``float16``, ``float32``; ``float64`` under x64), and returns updates in the
  gradient's dtype. This is checked with ``jax.eval_shape`` (no compilation); equal state
  signatures are also what lets a jitted step run again without retracing and ``lax.scan``
  carry the state;
* equal transforms compare equal and hash equal;
* every named optimizer converges on a quadratic and on Rosenbrock, stays finite in
  ``bfloat16``, gives the same result under ``vmap`` + ``scan`` as in a plain loop, and
  equals itself inside ``optax.chain``. These run in ONE compiled program per optimizer.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from core import optim

Factory = Callable[[float], Any]

# name -> (factory of the learning rate, lr for the quadratic, lr for Rosenbrock)
NAMED: dict[str, tuple[Factory, float, float]] = {
    "sgd": (lambda lr: optim.sgd(lr, momentum=0.9), 0.05, 1e-3),
    "adam": (optim.adam, 0.1, 0.03),
    "adamw": (lambda lr: optim.adamw(lr, weight_decay=1e-4), 0.1, 0.03),
    "amsgrad": (optim.amsgrad, 0.1, 0.1),
    "nadam": (optim.nadam, 0.1, 0.03),
    "nadam_scheduled": (
        lambda lr: optim.chain(optim.scale_by_nadam(), optim.scale_by_learning_rate(lr)),
        0.1,
        0.03,
    ),
    "radam": (optim.radam, 0.1, 0.003),
    "adamax": (optim.adamax, 0.1, 0.03),
    "adagrad": (optim.adagrad, 0.5, 0.3),
    "adadelta": (optim.adadelta, 30.0, 10.0),
    "rmsprop": (optim.rmsprop, 0.02, 3e-3),
    "lamb": (optim.lamb, 0.05, 0.02),
    "lars": (lambda lr: optim.lars(lr, trust_coefficient=1.0, momentum=0.5), 0.05, 0.01),
    "lion": (lambda lr: optim.lion(lr, weight_decay=0.0), 0.02, 3e-3),
    "yogi": (optim.yogi, 0.1, 0.03),
    "adabelief": (optim.adabelief, 0.1, 0.03),
    "novograd": (optim.novograd, 0.1, 0.05),
    "sm3": (optim.sm3, 0.3, 0.5),
    "adafactor": (lambda lr: optim.adafactor(lr, multiply_by_parameter_scale=False), 0.05, 0.02),
    "fromage": (optim.fromage, 0.05, 0.01),
    "rprop": (optim.rprop, 0.01, 1e-3),
    "noisy_sgd": (lambda lr: optim.noisy_sgd(lr, eta=1e-4), 0.05, 1e-3),
    "sign_sgd": (optim.sign_sgd, 0.01, 1e-3),
    "lbfgs": (lambda lr: optim.lbfgs(lr), 1.0, 1.0),
    "lookahead": (lambda lr: optim.lookahead(optim.adam(lr)), 0.2, 0.05),
    "multi_steps": (lambda lr: optim.multi_steps(optim.adam(lr), every_k=2), 0.2, 0.05),
    "skip_not_finite": (lambda lr: optim.skip_not_finite(optim.adam(lr)), 0.1, 0.03),
    "ema_params": (lambda lr: optim.ema_params(optim.adam(lr), 0.9), 0.1, 0.03),
    "plateau": (
        lambda lr: optim.chain(optim.adam(lr), optim.reduce_on_plateau(patience=20)),
        0.1,
        0.03,
    ),
}
NAMES = sorted(NAMED)

# building blocks and wrappers not covered above (each with non-default options)
BLOCKS: dict[str, Callable[[], Any]] = {
    "scale_by_adam": lambda: optim.scale_by_adam(nesterov=True, mu_dtype=jnp.float32),
    "amsgrad_block": lambda: optim.scale_by_adam(amsgrad=True),
    "scale_by_adamax": optim.scale_by_adamax,
    "scale_by_nadam": optim.scale_by_nadam,
    "scale_by_radam": lambda: optim.scale_by_radam(nesterov=True),
    "scale_by_yogi": optim.scale_by_yogi,
    "scale_by_belief": lambda: optim.scale_by_belief(nesterov=True),
    "scale_by_rms": lambda: optim.scale_by_rms(centered=True, bias_correction=True),
    "scale_by_rms_plain": lambda: optim.scale_by_rms(eps_in_sqrt=False),
    "scale_by_rss": optim.scale_by_rss,
    "scale_by_adadelta": optim.scale_by_adadelta,
    "scale_by_sm3": optim.scale_by_sm3,
    "scale_by_factored_rms": lambda: optim.scale_by_factored_rms(min_dim_size_to_factor=1),
    "scale_by_lion": optim.scale_by_lion,
    "scale_by_novograd": lambda: optim.scale_by_novograd(weight_decay=0.1),
    "scale_by_rprop": lambda: optim.scale_by_rprop(0.1),
    "scale_by_sign": optim.scale_by_sign,
    "scale_by_trust_ratio": optim.scale_by_trust_ratio,
    "scale_by_param_block_rms": optim.scale_by_param_block_rms,
    "scale_by_lbfgs": optim.scale_by_lbfgs,
    "scale_by_backtracking_linesearch": optim.scale_by_backtracking_linesearch,
    "scale_by_learning_rate": lambda: optim.scale_by_learning_rate(0.1),
    "scale_by_schedule": lambda: optim.scale_by_schedule(_halving),
    "scale": lambda: optim.scale(jnp.asarray(-0.5)),
    "trace": lambda: optim.trace(0.9, nesterov=True),
    "trace_f32": lambda: optim.trace(0.9, accumulator_dtype=jnp.float32),
    "ema": lambda: optim.ema(0.9),
    "add_decayed_weights": lambda: optim.add_decayed_weights(0.1),
    "add_noise": lambda: optim.add_noise(0.01, 0.55, key=1),
    "clip": lambda: optim.clip(0.5),
    "clip_by_global_norm": lambda: optim.clip_by_global_norm(0.5),
    "clip_by_block_rms": lambda: optim.clip_by_block_rms(0.5),
    "adaptive_grad_clip": lambda: optim.adaptive_grad_clip(0.1),
    "identity": optim.identity,
    "named_chain": lambda: optim.named_chain(("a", optim.trace(0.5)), ("b", optim.scale(-1.0))),
    "masked": lambda: optim.masked(optim.adam(0.1), {"a": True, "b": False, "s": True}),
    "partition": lambda: optim.partition(
        {"x": optim.sgd(0.1), "y": optim.yogi(0.1)}, {"a": "x", "b": "y", "s": "x"}
    ),
    "inject_hyperparams": lambda: optim.inject_hyperparams(optim.scale_by_adam, ["b1"])(b1=0.8),
    "reduce_on_plateau": optim.reduce_on_plateau,
}
CATALOGUE: dict[str, Callable[[], Any]] = {
    **{name: functools.partial(make, lr) for name, (make, lr, _) in NAMED.items()},
    **BLOCKS,
}


def _halving(t: jax.Array) -> jax.Array:
    return 0.5 / (1.0 + t.astype(jnp.float32))


def _params(dtype: Any) -> dict[str, Any]:
    return {"a": jnp.ones((3,), dtype), "b": jnp.ones((4, 2), dtype), "s": jnp.ones((), dtype)}


def _loss_value(params: Any) -> jax.Array:
    return sum((jnp.sum(x.astype(jnp.float32) ** 2) for x in jax.tree.leaves(params)), start=0.0)


EXTRA = {"value_fn": _loss_value}  # line searches need the loss; others ignore it


def _signature(tree: Any) -> Any:
    leaves = jax.tree.leaves(tree)
    return jax.tree.structure(tree), [(x.shape, x.dtype, x.weak_type) for x in leaves]


DTYPES = (jnp.bfloat16, jnp.float16, jnp.float32)
MIXES = list(itertools.product(DTYPES, DTYPES))


def _check_state_keeps_its_type(tx: Any, param_dtype: Any, grad_dtype: Any) -> None:
    params, grads = _params(param_dtype), _params(grad_dtype)
    value = jax.ShapeDtypeStruct((), jnp.float32)
    state = jax.eval_shape(tx.init, params)
    updates, new_state = jax.eval_shape(
        lambda g, s, p, v: tx.update(g, s, p, value=v, grad=g, **EXTRA), grads, state, params, value
    )
    mix = f"params {jnp.dtype(param_dtype)}, grads {jnp.dtype(grad_dtype)}"
    assert _signature(new_state) == _signature(state), f"state changed type ({mix})"
    for u in jax.tree.leaves(updates):
        assert u.dtype == jnp.dtype(grad_dtype), f"updates in {u.dtype} ({mix})"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_state_keeps_structure_and_dtypes_for_every_dtype_mix(name: str) -> None:
    """``lax.scan`` over ``update`` needs a state of fixed type (issue 11: radam, adamax, ...)."""
    tx = CATALOGUE[name]()
    for param_dtype, grad_dtype in MIXES:
        _check_state_keeps_its_type(tx, param_dtype, grad_dtype)
    with jax.enable_x64(True):
        for param_dtype, grad_dtype in [(jnp.float64, jnp.float32), (jnp.float64, jnp.float64)]:
            _check_state_keeps_its_type(CATALOGUE[name](), param_dtype, grad_dtype)


@pytest.mark.parametrize("name", NAMES)
def test_moments_are_stored_in_the_parameter_dtype(name: str) -> None:
    params = _params(jnp.bfloat16)
    state = jax.eval_shape(CATALOGUE[name]().init, params)
    shapes = {x.shape for x in jax.tree.leaves(params) if x.shape}
    for leaf in jax.tree.leaves(state):
        param_like = any(leaf.shape[leaf.ndim - len(s) :] == s for s in shapes)
        if jnp.issubdtype(leaf.dtype, jnp.floating) and param_like:
            assert leaf.dtype == jnp.bfloat16, f"state leaf of shape {leaf.shape} in {leaf.dtype}"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_equal_transforms_hash_equal(name: str) -> None:
    a, b = CATALOGUE[name](), CATALOGUE[name]()
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != optim.chain(a, optim.scale(2.0))


def test_different_hyperparameters_are_different_transforms() -> None:
    assert len({optim.adam(0.1), optim.adam(0.1), optim.adam(0.2), optim.sgd(0.1)}) == 3
    assert optim.scale_by_adam(b1=0.8) != optim.scale_by_adam()


def test_jit_with_a_static_transform_reuses_the_compilation() -> None:
    calls = []

    @functools.partial(jax.jit, static_argnums=0)
    def step(tx: Any, grads: Any) -> Any:
        calls.append(1)
        return tx.update(grads, tx.init(grads))[0]

    step(optim.scale_by_adam(), _params(jnp.float32))
    step(optim.scale_by_adam(), _params(jnp.float32))  # an equal, new transform
    assert len(calls) == 1


# --------------------------------------------------------------------------- behaviour

TARGET = {"a": jnp.array([1.0, -2.0, 0.5]), "b": jnp.array([[0.3, -0.7], [1.5, 0.0]])}
CURVATURE = {"a": jnp.array([1.0, 2.0, 0.5]), "b": jnp.array([[1.5, 1.0], [0.7, 2.0]])}


def quadratic(params: Any) -> jax.Array:
    terms = jax.tree.map(
        lambda p, t, c: jnp.sum(c * (p.astype(jnp.float32) - t) ** 2), params, TARGET, CURVATURE
    )
    return sum(jax.tree.leaves(terms), start=jnp.zeros([]))


def rosenbrock(params: Any) -> jax.Array:
    x, y = params["xy"][0], params["xy"][1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def start_point(dtype: Any = jnp.float32) -> Any:
    """Away from the optimum and from zero (trust-ratio methods scale by the param norm)."""
    return jax.tree.map(lambda t: (0.2 - 0.5 * t).astype(dtype), TARGET)


ROSENBROCK_START = {"xy": jnp.array([-1.0, 1.5])}


def run_scan(tx: Any, loss: Callable[[Any], jax.Array], params: Any, steps: int) -> Any:
    """``steps`` optimizer steps inside one ``lax.scan``."""

    def body(carry: tuple[Any, Any], _: None) -> tuple[tuple[Any, Any], None]:
        p, s = carry
        value, grads = jax.value_and_grad(loss)(p)
        updates, s = tx.update(grads, s, p, value=value, value_fn=loss)
        return (optim.apply_updates(p, updates), s), None

    (params, _), _ = jax.lax.scan(body, (params, tx.init(params)), None, length=steps)
    return params


def run_loop(tx: Any, params: Any, steps: int) -> Any:
    """``steps`` steps on the quadratic in a Python loop (unrolled when traced)."""
    state = tx.init(params)
    for _ in range(steps):
        value, grads = jax.value_and_grad(quadratic)(params)
        updates, state = tx.update(grads, state, params, value=value, value_fn=quadratic)
        params = optim.apply_updates(params, updates)
    return params


def in_chains(make: Callable[[], Any], params: Any) -> tuple[list[Any], list[Any]]:
    """Two steps of ``make()`` after a clip, in our chain and in ``optax.chain``."""
    ours = optim.chain(optim.clip(1.0), make())
    # optax.chain forwards extra arguments (``value``) only to its own ExtraArgs type
    theirs = optax.chain(optax.clip(1.0), optax.GradientTransformationExtraArgs(*make()))
    s1, s2 = ours.init(params), theirs.init(params)
    out1, out2 = [], []
    for _ in range(2):
        value, grads = jax.value_and_grad(quadratic)(params)
        u1, s1 = ours.update(grads, s1, params, value=value, value_fn=quadratic)
        u2, s2 = theirs.update(grads, s2, params, value=value, value_fn=quadratic)
        out1.append(u1)
        out2.append(u2)
        params = optim.apply_updates(params, u1)
    return out1, out2


@functools.cache
def behaviour(name: str) -> dict[str, Any]:
    """Everything the behaviour tests check, computed in one compiled program per optimizer."""
    factory, lr, lr_rosenbrock = NAMED[name]

    def program(start: Any, start16: Any, batch: Any, ros: Any) -> dict[str, Any]:
        return {
            "quadratic": run_scan(factory(lr), quadratic, start, 300),
            "bfloat16": run_scan(factory(lr), quadratic, start16, 30),
            "rosenbrock": run_scan(factory(lr_rosenbrock), rosenbrock, ros, 1500),
            "vmapped": jax.vmap(lambda p: run_scan(factory(lr), quadratic, p, 2))(batch),
            "looped": run_loop(factory(lr), jax.tree.map(lambda x: x[1], batch), 2),
            "chains": in_chains(lambda: factory(lr), start),
        }

    batch = jax.tree.map(lambda t: jnp.stack([t, 0.5 * t]), start_point())
    out = jax.jit(program)(start_point(), start_point(jnp.bfloat16), batch, ROSENBROCK_START)
    return jax.tree.map(np.asarray, out)


@pytest.mark.parametrize("name", NAMES)
def test_converges_on_a_quadratic_and_on_rosenbrock(name: str) -> None:
    out = behaviour(name)
    assert quadratic(out["quadratic"]) < 0.05 * quadratic(start_point())
    assert rosenbrock(out["rosenbrock"]) < 0.1 * rosenbrock(ROSENBROCK_START)


@pytest.mark.parametrize("name", NAMES)
def test_bfloat16_parameters_stay_bfloat16_and_finite(name: str) -> None:
    for p in jax.tree.leaves(behaviour(name)["bfloat16"]):
        assert p.dtype == jnp.bfloat16
        assert np.all(np.isfinite(p.astype(np.float32)))


@pytest.mark.parametrize("name", NAMES)
def test_vmap_and_scan_agree_with_a_loop(name: str) -> None:
    out = behaviour(name)
    for a, c in zip(jax.tree.leaves(out["looped"]), jax.tree.leaves(out["vmapped"]), strict=True):
        np.testing.assert_allclose(a, c[1], rtol=1e-5, atol=1e-6)
    first = jax.tree.leaves(out["vmapped"])[0]
    assert not np.allclose(first[0], first[1])


@pytest.mark.parametrize("name", NAMES)
def test_usable_inside_optax_chain(name: str) -> None:
    ours, theirs = behaviour(name)["chains"]
    for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_building_blocks_stay_finite_in_bfloat16(name: str) -> None:
    params = jax.tree.map(lambda x: (0.5 * x).astype(jnp.bfloat16), _params(jnp.float32))
    grads = jax.tree.map(lambda x: (x * 0.3).astype(jnp.bfloat16), params)
    tx = BLOCKS[name]()
    state = tx.init(params)
    for _ in range(2):
        value = _loss_value(params)
        updates, state = tx.update(grads, state, params, value=value, grad=grads, **EXTRA)
        for u in jax.tree.leaves(updates):
            assert u.dtype == jnp.bfloat16
            assert bool(jnp.all(jnp.isfinite(u.astype(jnp.float32))))


def test_optax_transforms_inside_our_chain() -> None:
    ours = optim.chain(optax.scale_by_adam(), optim.scale_by_learning_rate(0.1))
    reference = optim.adam(0.1)

    @jax.jit
    def three_steps(params: Any) -> tuple[list[Any], list[Any]]:
        s1, s2 = ours.init(params), reference.init(params)
        out1, out2 = [], []
        for _ in range(3):
            grads = jax.grad(quadratic)(params)
            u1, s1 = ours.update(grads, s1, params, value=1.0)  # extra arg: not forwarded
            u2, s2 = reference.update(grads, s2, params)
            out1.append(u1)
            out2.append(u2)
            params = optim.apply_updates(params, u1)
        return out1, out2

    with jax.numpy_dtype_promotion("standard"):  # optax needs standard promotion
        out1, out2 = three_steps(start_point())
    for a, b in zip(jax.tree.leaves(out1), jax.tree.leaves(out2), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)
