"""One conformance suite over the whole catalogue of ``core.optim`` optimizers.

Each entry must: converge on a quadratic and on Rosenbrock; keep float32 / bfloat16 dtypes;
keep its state's structure, shapes and dtypes across steps; not retrace on the second step;
work under ``jit``, ``vmap`` and inside ``lax.scan``; sit inside ``optax.chain``.
"""

from __future__ import annotations

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
CATALOGUE: dict[str, tuple[Factory, float, float]] = {
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
NAMES = sorted(CATALOGUE)
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


def run_scan(tx: Any, loss: Callable[[Any], jax.Array], params: Any, steps: int) -> Any:
    """``steps`` optimizer steps inside one ``lax.scan``."""

    def body(carry: tuple[Any, Any], _: None) -> tuple[tuple[Any, Any], None]:
        p, s = carry
        value, grads = jax.value_and_grad(loss)(p)
        updates, s = tx.update(grads, s, p, value=value, value_fn=loss)
        return (optim.apply_updates(p, updates), s), None

    (params, _), _ = jax.lax.scan(body, (params, tx.init(params)), None, length=steps)
    return params


def run(tx: Any, loss: Callable[[Any], jax.Array], params: Any, steps: int) -> Any:
    """``run_scan`` under ``jit`` (one compilation)."""
    return jax.jit(lambda p: run_scan(tx, loss, p, steps))(params)


@pytest.mark.parametrize("name", NAMES)
def test_converges_on_rosenbrock(name: str) -> None:
    factory, _, lr = CATALOGUE[name]
    start = {"xy": jnp.array([-1.0, 1.5])}
    final = run(factory(lr), rosenbrock, start, 1500)
    assert float(rosenbrock(final)) < 0.1 * float(rosenbrock(start))


def _signature(tree: Any) -> Any:
    return jax.tree.structure(tree), [
        (np.shape(x), jnp.result_type(x)) for x in jax.tree.leaves(tree)
    ]


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16], ids=["float32", "bfloat16"])
@pytest.mark.parametrize("name", NAMES)
def test_dtype_state_stability_no_retrace_and_quadratic_convergence(name: str, dtype: Any) -> None:
    """One jitted step, traced once, run 300 times: it must converge on the quadratic."""
    factory, lr, _ = CATALOGUE[name]
    tx = factory(lr)
    params = start_point(dtype)
    state = tx.init(params)
    traces = []

    @jax.jit
    def step(params: Any, state: Any) -> tuple[Any, Any, Any]:
        traces.append(1)
        value, grads = jax.value_and_grad(quadratic)(params)
        updates, state = tx.update(grads, state, params, value=value, value_fn=quadratic)
        return optim.apply_updates(params, updates), state, updates

    signatures = [_signature(state)]
    for _ in range(3):
        params, state, updates = step(params, state)
        signatures.append(_signature(state))
        for p, u in zip(jax.tree.leaves(params), jax.tree.leaves(updates), strict=True):
            assert p.dtype == dtype and u.dtype == dtype
            assert bool(jnp.all(jnp.isfinite(p.astype(jnp.float32))))
    start = float(quadratic(start_point()))
    for _ in range(300 if dtype == jnp.float32 else 30):
        params, state, _ = step(params, state)
    assert len(traces) == 1, "a later step retraced"
    if dtype == jnp.float32:
        assert float(quadratic(params)) < 0.05 * start, "no convergence on the quadratic"
    assert all(s == signatures[0] for s in signatures), "state structure/shapes/dtypes changed"
    shapes = {np.shape(p) for p in jax.tree.leaves(params)}
    for leaf in jax.tree.leaves(state):
        param_like = any(leaf.shape[leaf.ndim - len(s) :] == s for s in shapes if s)
        if jnp.issubdtype(leaf.dtype, jnp.floating) and param_like:
            assert leaf.dtype == dtype, f"state leaf of shape {leaf.shape} has dtype {leaf.dtype}"


@pytest.mark.parametrize("name", NAMES)
def test_vmap_and_scan_agree_with_a_jitted_loop(name: str) -> None:
    factory, lr, _ = CATALOGUE[name]
    tx = factory(lr)

    def loop(params: Any) -> Any:
        state = tx.init(params)
        for _ in range(2):
            value, grads = jax.value_and_grad(quadratic)(params)
            updates, state = tx.update(grads, state, params, value=value, value_fn=quadratic)
            params = optim.apply_updates(params, updates)
        return params

    batch = jax.tree.map(lambda t: jnp.stack([t, 0.5 * t]), start_point())
    scanned = jax.jit(jax.vmap(lambda p: run_scan(tx, quadratic, p, 2)))(batch)
    one = jax.jit(loop)(jax.tree.map(lambda x: x[1], batch))
    for a, c in zip(jax.tree.leaves(one), jax.tree.leaves(scanned), strict=True):
        np.testing.assert_allclose(a, c[1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(jax.tree.leaves(scanned)[0][0], jax.tree.leaves(scanned)[0][1])


@pytest.mark.parametrize("name", NAMES)
def test_usable_inside_optax_chain(name: str) -> None:
    factory, lr, _ = CATALOGUE[name]
    ours = optim.chain(optim.clip(1.0), factory(lr))
    inner = factory(lr)
    # optax.chain forwards extra arguments (``value``) only to its own ExtraArgs type
    theirs = optax.chain(optax.clip(1.0), optax.GradientTransformationExtraArgs(*inner))

    @jax.jit
    def both(params: Any) -> tuple[Any, Any]:
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

    out1, out2 = both(start_point())
    for a, b in zip(jax.tree.leaves(out1), jax.tree.leaves(out2), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_optax_transforms_inside_our_chain() -> None:
    ours = optim.chain(optax.scale_by_adam(), optim.scale_by_learning_rate(0.1))
    reference = optim.adam(0.1)
    params = start_point()
    s1, s2 = ours.init(params), reference.init(params)
    with jax.numpy_dtype_promotion("standard"):  # optax needs standard promotion
        for _ in range(3):
            grads = jax.grad(quadratic)(params)
            u1, s1 = ours.update(grads, s1, params, value=1.0)  # extra arg: not forwarded
            u2, s2 = reference.update(grads, s2, params)
            for a, b in zip(jax.tree.leaves(u1), jax.tree.leaves(u2), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-5)
            params = optim.apply_updates(params, u1)
