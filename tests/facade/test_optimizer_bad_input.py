"""Bad input to a facade optimizer: a clear exception, and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import optim as core_optim
from facade.optim import SGD, Adam, RMSprop, StepLR


def trained_adam() -> tuple[Adam, dict[str, Any]]:
    params = {
        "w": brainstate.ParamState(jnp.ones((2, 3), jnp.float32)),
        "b": brainstate.ParamState(jnp.zeros(3, jnp.float32)),
    }
    opt = Adam(lr=0.1)
    opt.register_trainable_weights(params)
    opt.update({"w": jnp.ones((2, 3), jnp.float32), "b": jnp.ones(3, jnp.float32)})
    return opt, params


def snapshot(opt: Adam, params: dict[str, Any]) -> list[np.ndarray]:
    return [
        np.array(x)
        for x in jax.tree.leaves((opt.state_dict(), {k: s.value for k, s in params.items()}))
    ]


GOOD_B = jnp.ones(3, jnp.float32)
BAD_UPDATES: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "missing key": (lambda: {"w": jnp.ones((2, 3), jnp.float32)}, KeyError, r"\['b'\]"),
    "wrong structure": (
        lambda: {"w": {"x": jnp.ones((2, 3), jnp.float32)}, "b": GOOD_B},
        ValueError,
        r"grads for \['w'\] do not match the structure of the parameter",
    ),
    "wrong shape": (
        lambda: {"w": jnp.ones((3, 2), jnp.float32), "b": GOOD_B},
        ValueError,
        r"grads for \['w'\] do not match the parameter: .* has shape \(3, 2\), expected \(2, 3\)",
    ),
    "broadcastable shape": (
        lambda: {"w": jnp.ones((1, 3), jnp.float32), "b": GOOD_B},
        ValueError,
        r"has shape \(1, 3\)",
    ),
    "integer dtype": (
        lambda: {"w": jnp.ones((2, 3), jnp.int32), "b": GOOD_B},
        TypeError,
        r"grads for \['w'\] must hold floating-point arrays; .* has dtype int32",
    ),
    "None gradient": (lambda: {"w": None, "b": GOOD_B}, TypeError, r"\['w'\] is empty \(None\)"),
    "not a mapping": (lambda: [1.0, 2.0], KeyError, r"no entry for the registered parameter"),
}


@pytest.mark.parametrize("case", sorted(BAD_UPDATES))
def test_bad_gradients_raise_and_change_nothing(case: str) -> None:
    opt, params = trained_adam()
    before = snapshot(opt, params)
    make, error, message = BAD_UPDATES[case]
    with pytest.raises(error, match=message):
        opt.update(make())
    after = snapshot(opt, params)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(opt.step_count.value) == 1


def test_update_before_register() -> None:
    opt = SGD()
    with pytest.raises(ValueError, match="register_trainable_weights must be called before update"):
        opt.update({"w": jnp.ones(2)})
    assert int(opt.step_count.value) == 0


BAD_CONSTRUCTORS: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "negative lr": (
        lambda: Adam(lr=-0.1),
        ValueError,
        "learning_rate must be a finite number >= 0",
    ),
    "negative weight decay": (
        lambda: SGD(weight_decay=-1.0),
        ValueError,
        "weight_decay must be a finite number >= 0",
    ),
    "momentum out of range": (
        lambda: SGD(momentum=1.0),
        ValueError,
        r"momentum must be a finite number in \[0, 1\)",
    ),
    "beta out of range": (
        lambda: Adam(beta2=1.2),
        ValueError,
        r"beta2 must be a finite number in \[0, 1\)",
    ),
    "betas out of range": (
        lambda: Adam(betas=(-0.1, 0.9)),
        ValueError,
        r"beta1 must be a finite number in",
    ),
    "negative eps": (lambda: Adam(eps=-1e-8), ValueError, "eps must be a finite number > 0"),
    "decay out of range": (
        lambda: RMSprop(decay=1.5),
        ValueError,
        r"decay must be a finite number in",
    ),
    "lr of wrong type": (lambda: SGD(learning_rate="fast"), TypeError, "number or an LR scheduler"),  # type: ignore[arg-type]
    "scheduler step size": (lambda: StepLR(base_lr=0.1, step_size=0), ValueError, "step_size"),
    "scheduler gamma": (lambda: StepLR(base_lr=0.1, gamma=-0.5), ValueError, "gamma"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONSTRUCTORS))
def test_bad_hyperparameters_name_the_argument(case: str) -> None:
    make, error, message = BAD_CONSTRUCTORS[case]
    with pytest.raises(error, match=message):
        make()


def test_setting_a_negative_lr_changes_nothing() -> None:
    opt, _ = trained_adam()
    with pytest.raises(ValueError, match="current_lr must be a finite number >= 0"):
        opt.current_lr = -1.0
    assert opt.current_lr == pytest.approx(0.1)


def test_adam_accepts_exactly_what_core_accepts_with_core_message() -> None:
    with pytest.raises(ValueError) as core_error:
        core_optim.adam(0.001, eps=0.0)
    with pytest.raises(ValueError) as facade_error:
        Adam(eps=0.0)
    assert (
        str(facade_error.value)
        == str(core_error.value)
        == "eps must be a finite number > 0, got 0.0"
    )
    Adam(eps=1e-30)  # core accepts any eps > 0, so does the facade
