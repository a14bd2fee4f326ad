"""``core.optim.scale_by_nadam``: PyTorch's scheduled-momentum NAdam (braintools' ``Nadam``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import optim

STEPS = 20


def _tree(dtype: Any = jnp.float32) -> Any:
    """A mixed pytree: a dict holding a matrix, a scalar and a tuple of vectors."""
    return {
        "w": jnp.zeros((3, 2), dtype),
        "s": jnp.zeros((), dtype),
        "pair": (jnp.zeros(4, dtype), jnp.zeros(1, dtype)),
    }


def _grads(step: int, like: Any) -> Any:
    rng = np.random.default_rng(step)
    return jax.tree.map(
        lambda x: jnp.asarray(rng.normal(size=np.shape(x)) * 2.0, jnp.result_type(x)), like
    )


def _reference(
    grads: list[list[np.ndarray]], b1: float, b2: float, eps: float, psi: float
) -> list[list[np.ndarray]]:
    """PyTorch's ``NAdam`` update directions, written out in float64 numpy."""
    m = [np.zeros_like(g) for g in grads[0]]
    v = [np.zeros_like(g) for g in grads[0]]
    product = 1.0
    out = []
    for t, gs in enumerate(grads, start=1):
        mu_t = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        product *= mu_t
        step = []
        for i, g in enumerate(gs):
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            d = np.sqrt(v[i] / (1.0 - b2**t)) + eps
            step.append(
                (1.0 - mu_t) / (1.0 - product) * g / d
                + mu_next / (1.0 - product * mu_next) * m[i] / d
            )
        out.append(step)
    return out


@pytest.mark.parametrize(
    ("b1", "b2", "eps", "psi"), [(0.9, 0.999, 1e-8, 4e-3), (0.8, 0.99, 1e-3, 0.5)]
)
def test_equals_a_numpy_reference_for_twenty_steps(
    b1: float, b2: float, eps: float, psi: float
) -> None:
    tx = optim.scale_by_nadam(b1=b1, b2=b2, eps=eps, momentum_decay=psi)
    params = _tree()
    state = tx.init(params)
    grads = [_grads(i, params) for i in range(STEPS)]
    expected = _reference(
        [[np.asarray(x, np.float64) for x in jax.tree.leaves(g)] for g in grads], b1, b2, eps, psi
    )
    update = jax.jit(tx.update)
    for step, (g, want) in enumerate(zip(grads, expected, strict=True)):
        updates, state = update(g, state)
        assert jax.tree.structure(updates) == jax.tree.structure(params)
        for got, ref in zip(jax.tree.leaves(updates), want, strict=True):
            np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-7, err_msg=f"step {step + 1}")
    assert int(state.count) == STEPS


def test_momentum_decay_changes_the_update_and_differs_from_optax_nadam() -> None:
    g = {"w": jnp.array([0.5, -2.0, 1.0])}

    def two_steps(tx: Any) -> np.ndarray:
        state = tx.init(g)
        _, state = tx.update(g, state)
        u, _ = tx.update(jax.tree.map(lambda x: -0.5 * x, g), state)
        return np.asarray(u["w"])

    slow = two_steps(optim.scale_by_nadam(momentum_decay=4e-3))
    fast = two_steps(optim.scale_by_nadam(momentum_decay=0.5))
    fixed = two_steps(optim.scale_by_adam(nesterov=True))
    assert not np.allclose(slow, fast, rtol=1e-3)
    assert not np.allclose(slow, fixed, rtol=1e-3)


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16], ids=["float32", "bfloat16"])
def test_updates_and_moments_keep_the_parameter_dtype(dtype: Any) -> None:
    tx = optim.scale_by_nadam()
    params = _tree(dtype)
    state = tx.init(params)
    for i in range(3):
        updates, state = tx.update(_grads(i, params), state, params)
        for u in jax.tree.leaves(updates):
            assert u.dtype == dtype
            assert bool(jnp.all(jnp.isfinite(u.astype(jnp.float32))))
    for moment in (state.mu, state.nu):
        assert [x.dtype for x in jax.tree.leaves(moment)] == [dtype] * 4
    assert state.count.dtype == jnp.int32
    assert state.mu_product.dtype == jnp.float32


def test_mixed_dtype_tree_under_strict_promotion_and_float64() -> None:
    tx = optim.scale_by_nadam()
    params = {"a": jnp.zeros(2, jnp.bfloat16), "b": jnp.zeros(2, jnp.float32)}
    updates, state = tx.update(_grads(0, params), tx.init(params))
    assert updates["a"].dtype == jnp.bfloat16 and updates["b"].dtype == jnp.float32
    assert state.mu["a"].dtype == jnp.bfloat16 and state.nu["b"].dtype == jnp.float32
    with jax.enable_x64(True):
        p64 = {"a": jnp.zeros(2, jnp.float64), "b": jnp.zeros(2, jnp.float32)}
        u64, s64 = tx.update(_grads(0, p64), tx.init(p64))
        assert u64["a"].dtype == jnp.float64 and u64["b"].dtype == jnp.float32
        assert s64.mu_product.dtype == jnp.float64


def test_jitted_step_does_not_retrace() -> None:
    tx = optim.chain(optim.scale_by_nadam(), optim.scale_by_learning_rate(0.1))
    params = _tree()
    state = tx.init(params)
    traces: list[int] = []

    @jax.jit
    def step(params: Any, state: Any, grads: Any) -> tuple[Any, Any]:
        traces.append(1)
        updates, state = tx.update(grads, state, params)
        return optim.apply_updates(params, updates), state

    for i in range(4):
        params, state = step(params, state, _grads(i, params))
    assert len(traces) == 1


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"b1": 1.0}, "b1"),
        ({"b1": -0.1}, "b1"),
        ({"b2": 1.5}, "b2"),
        ({"eps": 0.0}, "eps"),
        ({"eps": float("nan")}, "eps"),
        ({"momentum_decay": -1e-3}, "momentum_decay"),
        ({"momentum_decay": float("inf")}, "momentum_decay"),
    ],
)
def test_bad_hyperparameters_raise_naming_the_argument(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        optim.scale_by_nadam(**kwargs)


def test_bad_params_and_updates_raise() -> None:
    tx = optim.scale_by_nadam()
    with pytest.raises(TypeError, match="floating"):
        tx.init({"w": jnp.zeros(2, jnp.int32)})
    state = tx.init({"w": jnp.zeros(2)})
    with pytest.raises(ValueError, match="structure"):
        tx.update({"v": jnp.zeros(2)}, state)
    with pytest.raises(ValueError, match="shape"):
        tx.update({"w": jnp.zeros(3)}, state)
