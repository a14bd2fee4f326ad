"""A user program of the surrogate API, type-checked with ``mypy --strict``."""

from __future__ import annotations

from typing import assert_type

import jax
import jax.numpy as jnp
from jax import Array

import facade as braintools
from core import neuron, surrogate
from core.surrogate import ReluGrad, Sigmoid, SlayerGrad, Surrogate


class Cauchy(Surrogate):
    width: float = 0.5

    def surrogate_grad(self, x: Array) -> Array:
        return 1.0 / (jnp.pi * self.width * (1.0 + (x / self.width) ** 2))


class TanhSurrogate(braintools.surrogate.Surrogate):
    """A custom surrogate written the braintools way: attributes set in __init__."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def surrogate_grad(self, x: Array) -> Array:
        return self.alpha * 0.5 * (1 - jnp.tanh(self.alpha * x) ** 2)


class Bounded(Surrogate):
    width: float = surrogate.hyperparameter(0.5)

    def surrogate_grad(self, x: Array) -> Array:
        return jnp.exp(-jnp.abs(x) / self.width)


def spikes_of(spike_fun: Surrogate, v: Array) -> Array:
    return spike_fun(v - 1.0)


def any_spikes(spike_fun: surrogate.SurrogateLike, v: Array) -> Array:
    return surrogate.spike(spike_fun, v)


x = jnp.linspace(-1.0, 1.0, 5)
assert_type(Sigmoid(alpha=2.0)(x), Array)
assert_type(surrogate.sigmoid(x, alpha=4.0), Array)
assert_type(surrogate.sigmoid(alpha=4.0), Sigmoid)
assert_type(surrogate.sigmoid(), Sigmoid)
assert_type(surrogate.slayer_grad(alpha=4.0), SlayerGrad)
assert_type(braintools.surrogate.ReluGrad(), ReluGrad)
assert_type(braintools.surrogate.relu_grad(x, alpha=1.0, width=0.5), Array)
assert_type(Sigmoid(learnable=True).surrogate_fun(x), Array)
assert_type(Cauchy()(x), Array)
assert_type(spikes_of(surrogate.arctan(alpha=2.0), x), Array)
gradient: Array = jax.grad(lambda v: Sigmoid()(v).sum())(x)
assert_type(surrogate.catalogue(), tuple[type[Surrogate], ...])
assert_type(surrogate.sigmoid(x=x, alpha=4.0), Array)
assert_type(TanhSurrogate(alpha=2.0)(x), Array)
assert_type(any_spikes(TanhSurrogate(), x), Array)
assert_type(any_spikes(Sigmoid(), x), Array)
assert_type(Bounded(width=0.25)(x), Array)
assert_type(Sigmoid(learnable=True).hyperparameters(), dict[str, float | Array])

# a neuron's spike_fun: a built-in or a braintools-style subclass, both a SpikeFunction
any_surrogate: surrogate.SpikeFunction = TanhSurrogate(alpha=2.0)
assert_type(any_surrogate(x), Array)
assert_type(braintools.nn.LIF(5, spike_fun=TanhSurrogate()).cell.spike_fun, surrogate.SpikeFunction)
alif = braintools.nn.ALIF(5, spk_fun=any_surrogate).cell
assert_type(alif.update(alif.init(), x)[1], Array)
assert_type(neuron.IF(5, spike_fun=TanhSurrogate()).update(x, x), tuple[Array, Array])
built_in_or_custom: list[surrogate.SpikeFunction] = [Sigmoid(), TanhSurrogate(), Cauchy()]
