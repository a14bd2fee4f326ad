"""A random seed given as a string."""

import brainstate

brainstate.random.seed("0")  # expect: arg-type
