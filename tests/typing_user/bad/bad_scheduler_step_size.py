"""A fractional step size for StepLR, which counts epochs."""

import facade as braintools

scheduler = braintools.optim.StepLR(base_lr=0.1, step_size=2.5)  # expect: arg-type
