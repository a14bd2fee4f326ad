"""A long object-style training run: no retrace after the first step, no memory growth.

``facade.optim.Adam`` driven by a ``StepLR`` scheduler (stepped in Python every
:data:`STEPS_PER_EPOCH` steps, as braintools users do) trains a small spiking network
(``facade.nn.Linear`` -> ``facade.nn.LIF`` -> ``facade.nn.Linear`` over a few time steps)
with one ``brainstate.transform.jit``-compiled training step. After the warm-up (the first
epoch), the run must

* trace the step function no more and compile nothing more (the scheduler changes the
  learning rate as an array in the optimizer state, never a compile-time constant);
* keep its resident memory (``/proc/self/statm``) within :data:`RSS_TOLERANCE_MIB`.

The number of steps comes from the environment variable ``SPIKETRAIN_LONG_RUN_STEPS``
(default 500). Run as a script for a long run with a report::

    python tests/test_long_run.py --steps 10000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from jax import monitoring

if __package__ in (None, ""):  # run as a script: make ``facade`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import facade as braintools

STEPS = int(os.environ.get("SPIKETRAIN_LONG_RUN_STEPS", "500"))
STEPS_PER_EPOCH = 20
TIME_STEPS, BATCH, N_IN, N_HIDDEN, N_OUT = 8, 16, 32, 256, 4

# Resident-memory budget after warm-up. A leak worth watching is at least one buffer of the
# step per step: the hidden weights are N_IN * N_HIDDEN * 4 B = 32 KiB, the membrane states
# of the scan TIME_STEPS * BATCH * N_HIDDEN * 4 B = 128 KiB, so 500 steps of such a leak add
# >= 16 MiB (10000 steps >= 320 MiB) — above the tolerance, which has to absorb what a
# healthy run moves: glibc / XLA allocator arenas settling and Python's free lists after the
# warm-up (measured at 0-3 MiB on this machine for 500 and 10000 steps).
RSS_TOLERANCE_MIB = 12.0


def rss_mib() -> float:
    """The resident set size of this process now, in MiB."""
    with open("/proc/self/statm") as handle:
        resident_pages = int(handle.read().split()[1])
    return resident_pages * resource.getpagesize() / 2**20


class SpikingNet(brainstate.nn.Module):
    """Linear -> LIF -> Linear, run over the time axis; returns summed output logits."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = braintools.nn.Linear(N_IN, N_HIDDEN)
        self.lif = braintools.nn.LIF(N_HIDDEN, tau=4.0, spike_fun=braintools.surrogate.Sigmoid())
        self.out = braintools.nn.Linear(N_HIDDEN, N_OUT)

    def update(self, x: jax.Array) -> jax.Array:
        return self.out(self.lif(self.fc(x)))


@dataclass
class LongRun:
    """What a run measured."""

    steps: int
    traces: int
    compilations_after_warmup: int
    rss_start_mib: float
    rss_end_mib: float
    first_loss: float
    last_loss: float
    final_lr: float


def make_batches(count: int) -> list[tuple[jax.Array, jax.Array]]:
    """``count`` fixed batches: Bernoulli inputs whose rates encode the class."""
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(count):
        labels = rng.integers(0, N_OUT, BATCH)
        rates = np.full((BATCH, N_IN), 0.05, np.float32)
        for row, label in enumerate(labels):
            rates[row, label * 8 : label * 8 + 8] = 0.6
        x = (rng.random((TIME_STEPS, BATCH, N_IN)) < rates).astype(np.float32)
        batches.append((jnp.asarray(x), jnp.asarray(labels, jnp.int32)))
    return batches


def long_run(steps: int, on_warm: Callable[[], None] = lambda: None) -> LongRun:
    """Train for ``steps`` steps; ``on_warm`` is called once the first epoch is done."""
    brainstate.random.seed(0)
    net = SpikingNet()
    brainstate.nn.init_all_states(net, batch_size=BATCH)
    scheduler = braintools.optim.StepLR(base_lr=1e-3, step_size=5, gamma=0.9)
    optimizer = braintools.optim.Adam(lr=scheduler)
    params = net.states(brainstate.ParamState)
    optimizer.register_trainable_weights(params)
    traces = 0

    def loss_fn(x: jax.Array, y: jax.Array) -> jax.Array:
        brainstate.nn.init_all_states(net, batch_size=BATCH)
        logits = brainstate.transform.for_loop(net.update, x).sum(axis=0)
        return braintools.metric.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @brainstate.transform.jit
    def train_step(x: jax.Array, y: jax.Array) -> jax.Array:
        nonlocal traces
        traces += 1  # runs only while tracing
        grads, loss = brainstate.transform.grad(loss_fn, params, return_value=True)(x, y)
        optimizer.update(grads)
        return loss

    batches = make_batches(8)
    first_loss = last_loss = float("nan")
    rss_start = 0.0
    for step in range(steps):
        x, y = batches[step % len(batches)]
        loss = train_step(x, y)
        if step == 0:
            first_loss = float(loss)
        if (step + 1) % STEPS_PER_EPOCH == 0:
            scheduler.step()
            if step + 1 == STEPS_PER_EPOCH:
                last_loss = float(loss)  # synchronise before measuring
                rss_start = rss_mib()
                on_warm()
    last_loss = float(loss)
    return LongRun(
        steps=steps,
        traces=traces,
        compilations_after_warmup=-1,
        rss_start_mib=rss_start,
        rss_end_mib=rss_mib(),
        first_loss=first_loss,
        last_loss=last_loss,
        final_lr=float(optimizer.current_lr),
    )


def measured_run(steps: int) -> LongRun:
    """:func:`long_run` counting XLA compilations after the warm-up."""
    compilations: list[str] = []
    warm = False

    def listen(event: str, duration_secs: float, **kwargs: Any) -> None:
        if warm and "backend_compile" in event:
            compilations.append(event)

    def on_warm() -> None:
        nonlocal warm
        warm = True

    monitoring.register_event_duration_secs_listener(listen)
    try:
        run = long_run(steps, on_warm)
    finally:
        monitoring.unregister_event_duration_listener(listen)
    run.compilations_after_warmup = len(compilations)
    return run


def test_long_run_neither_retraces_nor_grows() -> None:
    assert STEPS >= 4 * STEPS_PER_EPOCH, "SPIKETRAIN_LONG_RUN_STEPS must cover a few epochs"
    run = measured_run(STEPS)
    assert run.traces == 1, f"the training step was traced {run.traces} times"
    assert run.compilations_after_warmup == 0, run
    growth = run.rss_end_mib - run.rss_start_mib
    assert growth < RSS_TOLERANCE_MIB, f"resident memory grew {growth:.1f} MiB: {run}"
    # the run trains and the scheduler drives the learning rate: 0.9 per 5 epochs
    assert run.last_loss < run.first_loss
    epochs = STEPS // STEPS_PER_EPOCH
    np.testing.assert_allclose(run.final_lr, 1e-3 * 0.9 ** (epochs // 5), rtol=1e-5)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="a long training run, measured")
    parser.add_argument("--steps", type=int, default=STEPS)
    result = measured_run(parser.parse_args().steps)
    print(result)
    print(f"RSS growth after warm-up: {result.rss_end_mib - result.rss_start_mib:+.1f} MiB")
