"""facade.transform: brainstate's grad semantics, plus the braintools examples' call styles."""

from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import Array

from facade import transform


class TwoLayer(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.l1 = brainstate.nn.Linear(3, 4)
        self.l2 = brainstate.nn.Linear(4, 2)
        self.calls = brainstate.ShortTermState(jnp.zeros((), jnp.int32))

    def __call__(self, x: Array) -> Array:
        self.calls.value = self.calls.value + 1
        return self.l2(jnp.tanh(self.l1(x)))


X = jnp.linspace(-1.0, 1.0, 15, dtype=jnp.float32).reshape(5, 3)
Y = jnp.linspace(0.0, 1.0, 10, dtype=jnp.float32).reshape(5, 2)


def make_net() -> TwoLayer:
    brainstate.random.seed(0)
    return TwoLayer()


def pure_loss(values: dict[Any, Any], x: Array, y: Array) -> Array:
    """The same network as a pure function of parameter values: the oracle."""
    w1, w2 = values[("l1", "weight")], values[("l2", "weight")]
    hidden = jnp.tanh(x @ w1["weight"] + w1["bias"])
    return jnp.mean((hidden @ w2["weight"] + w2["bias"] - y) ** 2)


def values_of(params: Any) -> dict[Any, Any]:
    return {k: s.value for k, s in params.items()}


def assert_tree_close(a: Any, b: Any, rtol: float = 1e-6) -> None:
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=1e-7)


def test_page_params_first_style_equals_the_pure_oracle() -> None:
    net = make_net()
    params = net.states(brainstate.ParamState)

    def loss_fn(params: Any, net: TwoLayer, X: Array, y: Array) -> Array:
        return jnp.mean((net(X) - y) ** 2)

    grads = transform.grad(loss_fn, params)(net, X, Y)
    expected = jax.grad(pure_loss)(values_of(params), X, Y)
    assert_tree_close(grads, expected)
    grads, loss = transform.grad(loss_fn, params, return_value=True)(net, X, Y)
    np.testing.assert_allclose(float(loss), float(pure_loss(values_of(params), X, Y)), rtol=1e-6)


def test_params_first_values_carry_gradients_too() -> None:
    """A loss written on the ``params`` values (functional style) is differentiated as well."""
    net = make_net()
    params = net.states(brainstate.ParamState)
    grads = transform.grad(lambda p, x, y: pure_loss(p, x, y), params)(X, Y)
    assert_tree_close(grads, jax.grad(pure_loss)(values_of(params), X, Y))


def test_brainstate_style_reads_states_through_the_model() -> None:
    net = make_net()
    params = net.states(brainstate.ParamState)
    grads = transform.grad(lambda x, y: jnp.mean((net(x) - y) ** 2), params)(X, Y)
    assert_tree_close(grads, jax.grad(pure_loss)(values_of(params), X, Y))


def test_equals_brainstate_where_brainstate_works() -> None:
    net = make_net()
    params = net.states(brainstate.ParamState)

    def loss(x: Array, y: Array) -> Any:
        return jnp.mean((net(x) - y) ** 2), {"mean": net(x).mean()}

    for kwargs in (
        {},
        {"return_value": True},
        {"has_aux": True},
        {"has_aux": True, "return_value": True},
        {"argnums": 0},
        {"argnums": (0, 1), "return_value": True},
    ):
        ours = transform.grad(loss if kwargs.get("has_aux") else _first(loss), params, **kwargs)
        theirs = brainstate.transform.grad(
            loss if kwargs.get("has_aux") else _first(loss), params, **kwargs
        )
        assert_tree_close(ours(X, Y), theirs(X, Y))


def _first(f: Any) -> Any:
    return lambda *a: f(*a)[0]


def test_return_structures_mirror_grad_states() -> None:
    a = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    b = brainstate.ParamState(jnp.array(3.0, jnp.float32))

    def f(x: Array) -> Array:
        return (a.value * x).sum() * b.value

    x = jnp.array([1.0, -1.0], jnp.float32)
    single = transform.grad(f, a)(x)
    assert isinstance(single, jax.Array)
    np.testing.assert_allclose(np.asarray(single), [3.0, -3.0])
    as_list = transform.grad(f, [a, b])(x)
    assert isinstance(as_list, list) and len(as_list) == 2
    np.testing.assert_allclose(float(as_list[1]), -1.0)
    as_dict = transform.grad(f, {"a": a, "b": b})(x)
    assert set(as_dict) == {"a", "b"}
    states_and_args = transform.grad(f, {"b": b}, argnums=0)(x)
    assert isinstance(states_and_args, tuple) and len(states_and_args) == 2
    np.testing.assert_allclose(np.asarray(states_and_args[1]), [3.0, 6.0])


def test_arguments_only_is_jax_grad() -> None:
    f = lambda x, y: jnp.sum(jnp.sin(x) * y)  # noqa: E731
    np.testing.assert_allclose(
        np.asarray(transform.grad(f)(X, Y[:, :1].repeat(3, 1))),
        np.asarray(jax.grad(f)(X, Y[:, :1].repeat(3, 1))),
    )
    _, gy = transform.grad(f, argnums=(0, 1))(X, X)
    np.testing.assert_allclose(np.asarray(gy), np.asarray(jnp.sin(X)), rtol=1e-6)


def test_has_aux_and_return_value_shapes() -> None:
    w = brainstate.ParamState(jnp.array(2.0, jnp.float32))

    def f(x: Array) -> tuple[Array, dict[str, Array]]:
        return w.value * x, {"doubled": 2 * x}

    g, aux = transform.grad(f, w, has_aux=True)(jnp.float32(3.0))
    assert float(aux["doubled"]) == 6.0 and float(g) == 3.0
    g, value, aux = transform.grad(f, w, has_aux=True, return_value=True)(jnp.float32(3.0))
    assert float(value) == 6.0 and float(aux["doubled"]) == 6.0


def test_value_and_grad_uses_jax_order() -> None:
    w = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    value, grads = transform.value_and_grad(lambda x: (w.value * x).sum(), w)(X[0, :2])
    np.testing.assert_allclose(float(value), float((w.value * X[0, :2]).sum()))
    np.testing.assert_allclose(np.asarray(grads), np.asarray(X[0, :2]))
    (value, aux), grads = transform.value_and_grad(lambda x: ((x**2).sum(), x[0]), has_aux=True)(
        X[0]
    )
    assert float(aux) == float(X[0, 0])
    np.testing.assert_allclose(np.asarray(grads), 2 * np.asarray(X[0]), rtol=1e-6)
    _, g = transform.value_and_grad(lambda x: (x**3).sum(), argnums=0)(X[1])
    np.testing.assert_allclose(np.asarray(g), 3 * np.asarray(X[1]) ** 2, rtol=1e-6)


def test_vector_grad_of_an_elementwise_function() -> None:
    np.testing.assert_allclose(
        np.asarray(transform.vector_grad(jnp.sin)(X)), np.asarray(jnp.cos(X)), rtol=1e-6
    )


def test_decorator_form() -> None:
    w = brainstate.ParamState(jnp.array(3.0, jnp.float32))

    @transform.grad(grad_states=w, return_value=True)
    def f(x: Array) -> Array:
        return w.value * x

    g, value = f(jnp.float32(2.0))
    assert float(g) == 2.0 and float(value) == 6.0


def test_under_jit_compiles_once_and_writes_states() -> None:
    net = make_net()
    params = net.states(brainstate.ParamState)
    traces = []

    def loss_fn(params: Any, net: TwoLayer, X: Array, y: Array) -> Array:
        traces.append(None)
        return jnp.mean((net(X) - y) ** 2)

    @brainstate.transform.jit
    def step(x: Array, y: Array) -> Any:
        return transform.grad(loss_fn, params, return_value=True)(net, x, y)

    for _ in range(3):
        grads, _ = step(X, Y)
    assert_tree_close(grads, jax.grad(pure_loss)(values_of(params), X, Y), rtol=1e-5)
    assert len(traces) <= 2  # traced for the jit (and once more by brainstate), never per call
    assert int(net.calls.value) == 3  # the state written inside the loss keeps its value
    eager = transform.grad(loss_fn, params)(net, X, Y)  # eager use afterwards: no leaked tracers
    assert_tree_close(eager, grads, rtol=1e-5)


def test_bad_arguments_are_named() -> None:
    w = brainstate.ParamState(jnp.array(1.0, jnp.float32))
    with pytest.raises(TypeError, match=r"grad_states must be a brainstate\.State"):
        transform.grad(lambda x: x, {"w": jnp.ones(2)})
    with pytest.raises(ValueError, match="argnums must be a non-negative int"):
        transform.grad(lambda x: x, argnums=-1)
    with pytest.raises(TypeError, match="fun must be callable"):
        transform.grad(3)  # type: ignore[call-overload]
    net = make_net()
    with pytest.raises(TypeError, match="argnums=0 points at a non-array argument"):
        transform.grad(lambda n, x: jnp.sum(n(x)), w, argnums=0)(net, X)
