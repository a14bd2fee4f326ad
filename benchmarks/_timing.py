"""The round-robin median timer of the benchmarks (standard library only: the peer venvs import it).

The benchmarks that compare variants in one process all time them this way: each
variant runs ``warmup`` times first (compilation, caches), then ``repeats`` rounds in
which every variant runs once in turn, so a drift of the machine's load hits all
variants alike; the result is the median of each variant's samples, in milliseconds.

A variant is a function of a ``lap`` callback: ``lap(value)`` waits for ``value``
(``sync``, e.g. ``jax.block_until_ready``; torch computes eagerly and needs none),
ends the current lap, starts the next and returns ``value``. A variant that times
one thing calls ``lap`` once; ``on_lif.py`` times its forward and backward passes as
two laps of one run. The first lap starts when the run starts; what a run does after
its last ``lap`` (torch's ``zero_grad``) is not timed.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
Lap = Callable[[T], T]
Sync = Callable[[Any], Any]


def _unchanged(value: T) -> T:
    return value


class _Stopwatch:
    """The ``lap`` of one run: started when made, a mark at each call."""

    def __init__(self, sync: Sync) -> None:
        self.sync = sync
        self.marks = [time.perf_counter()]

    def __call__(self, value: T) -> T:
        value = self.sync(value)
        self.marks.append(time.perf_counter())
        return value

    def laps(self) -> list[float]:
        return [end - start for start, end in itertools.pairwise(self.marks)]


def lap_medians_ms(
    variants: Mapping[str, Callable[[Lap[Any]], object]],
    repeats: int,
    *,
    warmup: int = 3,
    sync: Sync = _unchanged,
) -> dict[str, list[float]]:
    """Median milliseconds of each lap of each variant, the variants timed in turn."""
    for run in variants.values():
        for _ in range(warmup):
            run(sync)
    samples: dict[str, list[list[float]]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            stopwatch = _Stopwatch(sync)
            run(stopwatch)
            samples[name].append(stopwatch.laps())
    return {
        name: [statistics.median(lap) * 1e3 for lap in zip(*rounds, strict=True)]
        for name, rounds in samples.items()
    }


def medians_ms(
    steps: Mapping[str, Callable[[], object]],
    repeats: int,
    *,
    warmup: int = 3,
    sync: Sync = _unchanged,
) -> dict[str, float]:
    """Median milliseconds of each ``step()`` (one lap), the steps timed in turn."""

    def timed(step: Callable[[], object]) -> Callable[[Lap[Any]], object]:
        return lambda lap: lap(step())

    laps = lap_medians_ms(
        {name: timed(step) for name, step in steps.items()}, repeats, warmup=warmup, sync=sync
    )
    return {name: ms for name, (ms,) in laps.items()}
