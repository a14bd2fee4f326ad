"""A surrogate class where an instance is needed (``ReluGrad`` without the parentheses)."""

import facade as braintools

layer = braintools.nn.ALIF(10, spike_fun=braintools.surrogate.ReluGrad)  # expect: arg-type
