"""A schedule passed where a number (the clipping norm) is needed."""

from core import optim

schedule = optim.exponential_decay(1.0, transition_steps=10, decay_rate=0.5)
tx = optim.chain(optim.clip_by_global_norm(schedule), optim.sgd(0.1))  # expect: arg-type
