"""facade.metric: the braintools names, as the same function objects as core.loss."""

from __future__ import annotations

import brainstate
import braintools
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import core.loss
import facade
from facade import metric


def test_every_name_is_the_core_function_object() -> None:
    shared = [name for name in metric.__all__ if hasattr(core.loss, name)]
    assert len(shared) >= 30
    for name in shared:
        assert getattr(metric, name) is getattr(core.loss, name), name


def test_names_exist_in_braintools() -> None:
    assert set(metric.__all__) <= set(braintools.metric.__all__)


def test_page_example_runs_as_written() -> None:
    braintools_ = facade  # ``import facade as braintools``
    logits = jax.random.normal(jax.random.PRNGKey(0), (32, 10))
    labels = jnp.arange(32) % 10
    loss = braintools_.metric.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    expected = braintools.metric.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    np.testing.assert_allclose(loss, expected, rtol=1e-6)


def test_gradient_through_brainstate_transform() -> None:
    weight = brainstate.ParamState(jnp.zeros((3, 4)))
    x = jnp.ones((5, 3))
    y = jnp.array([0, 1, 2, 3, 0])

    def loss_fn(x: jax.Array, y: jax.Array) -> jax.Array:
        return metric.softmax_cross_entropy_with_integer_labels(x @ weight.value, y).mean()

    grads, value = brainstate.transform.grad(loss_fn, {"w": weight}, return_value=True)(x, y)
    np.testing.assert_allclose(value, np.log(4.0), rtol=1e-6)
    assert np.all(np.isfinite(np.asarray(grads["w"]))) and grads["w"].shape == (3, 4)


def test_out_of_range_label_raises_where_braintools_gives_nan() -> None:
    logits = jnp.zeros((2, 3))
    labels = jnp.array([0, 3])
    assert np.isnan(
        np.asarray(braintools.metric.softmax_cross_entropy_with_integer_labels(logits, labels))[1]
    )
    with pytest.raises(ValueError, match=r"labels\[1\] = 3"):
        metric.softmax_cross_entropy_with_integer_labels(logits, labels)


def test_brainstate_grad_traces_labels_so_bad_labels_need_a_check() -> None:
    """brainstate.transform.grad stages the function: labels are traced there. The default
    gives a NaN loss (not a wrapped class); check="callback" raises with the bad index."""
    weight = brainstate.ParamState(jnp.zeros((3, 4)))
    x = jnp.ones((2, 3))
    bad = jnp.array([0, 4])

    def loss_fn(x: jax.Array, y: jax.Array, check: bool | str = False) -> jax.Array:
        logits = x @ weight.value
        return metric.softmax_cross_entropy_with_integer_labels(logits, y, check=check).mean()  # type: ignore[arg-type]

    _, value = brainstate.transform.grad(loss_fn, {"w": weight}, return_value=True)(x, bad)
    assert np.isnan(float(value))
    checked = brainstate.transform.grad(
        lambda x, y: loss_fn(x, y, check="callback"), {"w": weight}, return_value=True
    )
    with pytest.raises(Exception, match=r"labels\[1\] = 4 is out of range"):
        jax.block_until_ready(checked(x, bad))
