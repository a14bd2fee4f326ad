"""What a neuron's ``spike_fun`` accepts at run time matches its type, ``SpikeFunction``.

``tests/typing_user/ok/ok_custom_surrogates.py`` type-checks (``tests/external``) and must
run; the ``bad_spike_fun_*`` programs are type errors and must fail at run time, with an
error that names ``spike_fun``. Only construction is exercised for the refused forms.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import Array
from jax.typing import ArrayLike

import facade as braintools
from core import neuron, surrogate

PROGRAMS = Path(__file__).resolve().parents[1] / "typing_user"


class Duck:
    """Every method of a surrogate, but neither base class: not a pytree the kernel can use."""

    learnable = False
    smooth_forward = False

    def surrogate_grad(self, x: Array) -> Array:
        return jnp.ones_like(x)

    def surrogate_fun(self, x: Array) -> Array:
        return x

    def __call__(self, x: ArrayLike) -> Array:
        return jnp.asarray(x)


@jax.custom_jvp
def heaviside(x: Array) -> Array:
    return (x >= 0).astype(x.dtype)


heaviside.defjvp(lambda primals, tangents: (heaviside(primals[0]), tangents[0]))

REFUSED: dict[str, tuple[object, str]] = {
    "lambda": (lambda v: (v >= 0).astype(v.dtype), "got function"),
    "custom_jvp": (heaviside, "got custom_jvp"),
    "uncalled lowercase form": (braintools.surrogate.sigmoid, "got function"),
    "class, not instance": (braintools.surrogate.ReluGrad, "got the class ReluGrad"),
    "duck-typed": (Duck(), "got Duck"),
}

NEURONS: dict[str, Callable[..., object]] = {
    "core.neuron.LIF": neuron.LIF,
    "facade.nn.LIF": braintools.nn.LIF,
    "facade.nn.ALIF": braintools.nn.ALIF,
    "facade.nn.IF": braintools.nn.IF,
}


@pytest.mark.parametrize("form", sorted(REFUSED))
@pytest.mark.parametrize("build", sorted(NEURONS))
def test_a_non_surrogate_spike_fun_is_refused_by_name(form: str, build: str) -> None:
    spike_fun, got = REFUSED[form]
    with pytest.raises(TypeError, match=r"^spike_fun must be a surrogate instance") as error:
        NEURONS[build](3, spike_fun=spike_fun)
    assert str(error.value).endswith(got)


def test_the_typed_program_runs() -> None:
    """The forms the type checker accepts run: custom, built-in and lowercase surrogates."""
    namespace = runpy.run_path(str(PROGRAMS / "ok" / "ok_custom_surrogates.py"))
    v = np.linspace(-1.0, 1.0, 5)
    # the braintools documentation's tanh surrogate, alpha = 2: g(v) = alpha/2 sech^2(alpha v)
    expected = 1.0 / np.cosh(2.0 * v) ** 2
    np.testing.assert_allclose(np.asarray(namespace["slope"]), expected, rtol=1e-5)
    # one LIF step from rest (tau=5, dt=1) with input 10: v = 10 (1 - e^{-1/5}) = 1.81 >= 1
    np.testing.assert_array_equal(np.asarray(namespace["spikes"]), np.ones((2, 3)))


@pytest.mark.parametrize("program", ["bad_spike_fun_class.py", "bad_spike_fun_plain_function.py"])
def test_the_ill_typed_programs_fail_at_run_time(program: str) -> None:
    with pytest.raises(TypeError, match=r"^spike_fun must be a surrogate instance"):
        runpy.run_path(str(PROGRAMS / "bad" / program))


def test_both_base_classes_are_spike_functions() -> None:
    """The marker the two bases recognise each other by is on both (``SpikeFunction``)."""

    class Custom(braintools.surrogate.Surrogate):
        def surrogate_grad(self, x: Array) -> Array:
            return jnp.ones_like(x)

    for spike_fun in (surrogate.ReluGrad(), Custom()):
        assert spike_fun.__spike_function__ is True
        assert isinstance(spike_fun, surrogate.Surrogate)
        assert isinstance(spike_fun, braintools.surrogate.Surrogate)
    assert not isinstance(Duck(), surrogate.Surrogate)
