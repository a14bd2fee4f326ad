"""A custom_jvp Heaviside function as a neuron's spike_fun: refused at run time, not a surrogate."""

import jax

import facade as braintools


@jax.custom_jvp
def heaviside(x: jax.Array) -> jax.Array:
    return (x >= 0).astype(x.dtype)


@heaviside.defjvp
def heaviside_jvp(
    primals: tuple[jax.Array], tangents: tuple[jax.Array]
) -> tuple[jax.Array, jax.Array]:
    (x,), (x_dot,) = primals, tangents
    return heaviside(x), x_dot / (1.0 + x * x)


layer = braintools.nn.LIF(10, spike_fun=heaviside)  # expect: arg-type
