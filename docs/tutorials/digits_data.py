"""Data, spike encoding, command line, batches, progress and plots of the two SNN training
tutorials.

The data are the 8x8 handwritten digits shipped with scikit-learn (1797 images,
10 classes), scaled to [0, 1] and split 80/20 per class with a fixed seed. Each
image becomes a spike train by Poisson (Bernoulli) rate coding: at every time step
pixel ``i`` fires with probability ``rate * intensity_i``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from core import distributed

T = TypeVar("T")


@dataclass(frozen=True)
class Digits:
    """Train and test images (``float32`` in [0, 1], shape ``(n, 64)``) and labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits(seed: int = 0, test_fraction: float = 0.2) -> Digits:
    """The scikit-learn digits, scaled to [0, 1], split stratified with ``seed``."""
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    data = sklearn_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return Digits(x_train, y_train, x_test, y_test)


def poisson_spikes(key: jax.Array, images: jax.Array, steps: int, rate: float) -> jax.Array:
    """Rate-coded spikes, time-major: ``(steps, batch, 64)`` of 0/1 in ``float32``."""
    shape = (steps, *images.shape)
    return jax.random.bernoulli(key, rate * images, shape).astype(jnp.float32)


@dataclass
class History:
    """Per-epoch training loss and accuracies, and wall time."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def end_epoch(self, losses: list[jax.Array], train: float, test: float) -> None:
        """Record an epoch: the mean of its batch ``losses``, the train and test accuracies."""
        self.loss.append(float(jnp.mean(jnp.stack(losses))))
        self.train_accuracy.append(train)
        self.test_accuracy.append(test)

    def epochs(
        self,
        args: argparse.Namespace,
        parallel: DataParallel,
        spikes: jax.Array,
        labels: jax.Array,
        description: str,
    ) -> Iterator[Iterator[tuple[jax.Array, jax.Array]]]:
        """``--epochs`` epochs, each an iterator over its shuffled batches, under a progress bar.

        Shuffling is seeded by ``--seed``. The caller trains on an epoch's batches and then
        calls :meth:`end_epoch`, whose loss and test accuracy the bar shows.
        """
        rng = np.random.default_rng(args.seed)
        bar = progress(args.epochs * (len(labels) // args.batch_size), description)
        for _ in range(args.epochs):
            yield _counted(parallel.batches(rng, spikes, labels, args.batch_size), bar)
            bar.set_postfix(loss=f"{self.loss[-1]:.4f}", acc=f"{self.test_accuracy[-1]:.3f}")
        bar.close()


def _counted(batches: Iterator[T], bar: ProgressBar) -> Iterator[T]:
    """``batches``, advancing ``bar`` by one after each."""
    for batch in batches:
        yield batch
        bar.update()


class ProgressBar(Protocol):
    """What the tutorials use of a progress bar (tqdm's interface)."""

    def update(self, n: int = 1) -> object: ...

    def set_postfix(self, **values: Any) -> None: ...

    def close(self) -> None: ...


def progress(total: int, description: str) -> ProgressBar:
    """A tqdm progress bar over ``total`` steps (a plain counter if tqdm is missing)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is in the examples extra
        return _Plain(total)
    bar: ProgressBar = tqdm(total=total, desc=description, unit="batch", dynamic_ncols=True)
    return bar


class _Plain:
    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0

    def update(self, n: int = 1) -> None:
        self.count += n

    def set_postfix(self, **values: Any) -> None:
        print(f"[{self.count}/{self.total}] " + " ".join(f"{k}={v}" for k, v in values.items()))

    def close(self) -> None:
        pass


def save_curves(history: History, path: Path) -> Path:
    """Plot the loss and the accuracies per epoch to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(history.loss) + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.plot(epochs, history.loss, color="C0")
    left.set(xlabel="epoch", ylabel="training loss", title="loss")
    right.plot(epochs, history.train_accuracy, label="train", color="C0")
    right.plot(epochs, history.test_accuracy, label="test", color="C1")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0.0, 1.0))
    right.legend()
    for axis in (left, right):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def save_raster(spikes: np.ndarray, label: int, path: Path) -> Path:
    """Raster of one example's hidden-layer spikes, ``spikes`` of shape ``(T, neurons)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, neurons = np.nonzero(spikes)
    figure, axis = plt.subplots(figsize=(7, 4))
    axis.scatter(steps, neurons, s=3, color="k", marker="|")
    axis.set(
        xlabel="time step",
        ylabel="hidden neuron",
        title=f"hidden-layer spikes for one test digit (label {label})",
        xlim=(-0.5, spikes.shape[0] - 0.5),
        ylim=(-0.5, spikes.shape[1] - 0.5),
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def regular_spikes(images: jax.Array, steps: int, rate: float) -> jax.Array:
    """Deterministic rate code: pixel ``i`` fires every ``1 / (rate * intensity_i)`` steps.

    Returns ``(steps, batch, 64)`` of 0/1 in ``float32``; the spike count of a pixel
    over ``steps`` is ``floor(steps * rate * intensity)`` (up to rounding of the phase).
    """
    level = rate * images
    t = jnp.arange(steps, dtype=jnp.float32)[:, None, None]
    return (jnp.floor((t + 1.0) * level + 0.5) - jnp.floor(t * level + 0.5)).astype(jnp.float32)


def spike_digits(seed: int, steps: int) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """The digits split with ``seed`` as spike trains: ``(x_train, y_train, x_test, y_test)``.

    Images become :func:`regular_spikes` of ``steps`` steps at ``rate=0.8``, time-major
    ``(steps, n, 64)``; labels are ``int32`` of shape ``(n,)``.
    """
    digits = load_digits(seed)
    encode = jax.jit(lambda x: regular_spikes(x, steps, rate=0.8))
    return (
        encode(jnp.asarray(digits.x_train)),
        jnp.asarray(digits.y_train),
        encode(jnp.asarray(digits.x_test)),
        jnp.asarray(digits.y_test),
    )


@dataclass(frozen=True)
class DataParallel:
    """Data parallelism over a 1-D device mesh with one axis, ``"batch"``.

    The mesh spans the devices of every process (see :mod:`core.distributed`). Each
    process loads only its share of every batch; the shares become one global batch
    split across the devices (spikes on their batch axis 1, labels on axis 0);
    parameters and optimizer state are replicated. ``jax.jit`` then runs one program on
    every device, each on its slice of the batch, and all-reduces the gradients, so a
    step computes the same numbers as on one device.
    """

    mesh: Mesh

    def replicate(self, tree: T) -> T:
        """``tree``'s arrays copied to every device of the mesh (in every process)."""
        return distributed.replicate(tree, self.mesh)

    def local(self, indices: np.ndarray) -> np.ndarray:
        """This process's share of a global batch's example ``indices``."""
        return indices[distributed.process_slice(len(indices))]

    def shard_batch(self, spikes: jax.Array, labels: jax.Array) -> tuple[jax.Array, jax.Array]:
        """This process's ``spikes`` ``(T, b, n)`` and ``labels`` ``(b,)`` as the global batch."""
        return distributed.shard_batch((spikes, labels), self.mesh, batch_axis=(1, 0))

    def batches(
        self, rng: np.random.Generator, spikes: jax.Array, labels: jax.Array, batch_size: int
    ) -> Iterator[tuple[jax.Array, jax.Array]]:
        """One epoch of shuffled global batches of ``spikes`` ``(T, n, 64)`` and ``labels``.

        Full batches only (the remainder is dropped, so every step has one shape); this
        process contributes its share of each.
        """
        order = rng.permutation(len(labels))
        for start in range(0, len(labels) - batch_size + 1, batch_size):
            chosen = self.local(order[start : start + batch_size])
            yield self.shard_batch(spikes[:, chosen], labels[chosen])


def join_or_launch(processes: int, devices: int | None) -> int | None:
    """Set up ``--processes``: launch local processes, join a cluster, or do nothing.

    Started by a launcher (torchrun, ``srun``, ``mpirun``, or this function), the
    process joins the cluster described by its environment. Started by hand with
    ``processes > 1``, it runs this script as that many local processes on one
    coordinator (``127.0.0.1``), each with ``devices / processes`` CPU devices, and
    returns their exit status for the caller to exit with. Otherwise it does nothing.
    """
    if processes > 1 and not distributed.launched_by_cluster():
        if devices is not None and devices % processes:
            raise ValueError(
                f"--devices {devices} must be a multiple of --processes {processes}: "
                "every process runs the same number of devices"
            )
        runs = distributed.launch_local(
            sys.argv,
            processes,
            devices_per_process=None if devices is None else devices // processes,
            timeout=7 * 24 * 3600.0,
            forward_first=True,  # process 0 prints; the others only if they fail
        )
        for run in runs[1:]:
            if run.returncode:
                sys.stderr.write(run.stderr)
                break
        return max(abs(run.returncode) for run in runs)
    distributed.initialize()
    return None


def data_parallel(devices: int | None, batch_size: int) -> DataParallel:
    """A :class:`DataParallel` over ``devices`` devices, the same number in every process.

    ``devices=None`` takes one device per process.

    Raises:
        ValueError: if ``devices`` is not between 1 and ``jax.device_count()`` (or not
            a multiple of the process count), or ``batch_size`` is not a multiple of it.
    """
    devices = jax.process_count() if devices is None else devices
    available = jax.device_count()
    if not 1 <= devices <= available:
        platform = jax.default_backend()
        raise ValueError(
            f"--devices {devices} is not available: JAX sees {available} {platform} "
            f"device(s), so --devices must be between 1 and {available}. On CPU, split the "
            f"host into more devices by setting "
            f"XLA_FLAGS=--xla_force_host_platform_device_count={max(devices, 1)} in the "
            "environment before Python starts; on GPU/TPU, run on a host with more chips."
        )
    if batch_size % devices:
        raise ValueError(
            f"--batch-size {batch_size} must be a multiple of --devices {devices}, so that "
            "every device gets the same number of examples"
        )
    return DataParallel(distributed.data_mesh(devices))


def training_setup(description: str) -> tuple[argparse.Namespace, DataParallel]:
    """The training tutorials' command line, parsed, and their processes and devices set up.

    Options: ``--epochs``, ``--batch-size``, ``--seed``, ``--out``, ``--steps``, ``--lr``,
    ``--devices`` and ``--processes`` (see :func:`join_or_launch`, :func:`data_parallel`).
    A process that only launched the local processes exits here with their status.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0, help="data split, init and shuffling")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--steps", type=int, default=25, help="time steps per image")
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument(
        "--devices", type=int, default=None, help="data-parallel devices in all (1 per process)"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="local processes to launch (see the how-to)"
    )
    args = parser.parse_args()
    try:
        if (status := join_or_launch(args.processes, args.devices)) is not None:
            sys.exit(status)  # the local processes ran the training
        return args, data_parallel(args.devices, args.batch_size)
    except ValueError as error:
        parser.error(str(error))


def output_dir(out: Path) -> Path:
    """``out``, created; with ``--processes``, process 0 writes there, the others below it."""
    if jax.process_index():
        out = out / f"process{jax.process_index()}"
    out.mkdir(parents=True, exist_ok=True)
    return out
