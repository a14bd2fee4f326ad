"""Joining JAX's distributed runtime (one process per host) and launching local processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import jax

from .._validation import as_float, as_int

#: The environment variables a launcher sets for :func:`initialize` (``launch_local`` does).
ENV_ADDRESS, ENV_PROCESSES, ENV_PROCESS_ID = (
    "JAX_COORDINATOR_ADDRESS",
    "JAX_NUM_PROCESSES",
    "JAX_PROCESS_ID",
)
_TORCHRUN = ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK")


@dataclass(frozen=True)
class Cluster:
    """Where this process stands in a (possibly one-process) JAX cluster.

    Attributes:
        process_id: this process's index, ``0 .. num_processes - 1``.
        num_processes: the number of processes.
        coordinator_address: ``host:port`` of process 0's coordinator (``None`` alone).

    Example:
        >>> from core import distributed
        >>> cluster = distributed.initialize()  # started alone: a cluster of one
        >>> cluster.process_id, cluster.num_processes
        (0, 1)
    """

    process_id: int
    num_processes: int
    coordinator_address: str | None


def _env_int(env: Mapping[str, str], name: str, minimum: int) -> int | None:
    """The integer in the environment variable ``name`` (``None`` if unset)."""
    if name not in env:
        return None
    text = env[name].strip()
    if not text.isdigit() or int(text) < minimum:
        raise ValueError(
            f"the environment variable {name} must be an integer >= {minimum}, got {text!r}"
        )
    return int(text)


def _environment(env: Mapping[str, str]) -> tuple[str | None, int | None, int | None]:
    """Coordinator address, process count and id from JAX's or torchrun's variables."""
    if ENV_PROCESSES in env or ENV_PROCESS_ID in env:
        processes = _env_int(env, ENV_PROCESSES, 1)
        return env.get(ENV_ADDRESS), processes, _env_int(env, ENV_PROCESS_ID, 0)
    if all(name in env for name in _TORCHRUN):
        address = f"{env['MASTER_ADDR']}:{env['MASTER_PORT']}"
        return address, _env_int(env, "WORLD_SIZE", 1), _env_int(env, "RANK", 0)
    return env.get(ENV_ADDRESS), None, None


def launched_by_cluster(env: Mapping[str, str] | None = None) -> bool:
    """Whether a launcher started this process as one of several.

    True when the environment names a process count above one: ``JAX_NUM_PROCESSES``
    (set by :func:`launch_local`), torchrun's ``WORLD_SIZE``, SLURM's
    ``SLURM_STEP_NUM_TASKS`` (inside ``srun``) or Open MPI's ``OMPI_COMM_WORLD_SIZE``.

    Args:
        env: the environment to read (default ``os.environ``).

    Returns:
        ``True`` if this process should join a multi-process cluster.

    Example:
        >>> from core.distributed import launched_by_cluster
        >>> launched_by_cluster({"JAX_NUM_PROCESSES": "2", "JAX_PROCESS_ID": "1"})
        True
        >>> launched_by_cluster({})
        False
    """
    env = os.environ if env is None else env
    names = (ENV_PROCESSES, "WORLD_SIZE", "SLURM_STEP_NUM_TASKS", "OMPI_COMM_WORLD_SIZE")
    return any(env.get(name, "1").isdigit() and int(env[name]) > 1 for name in names if name in env)


def _wait_for_port(address: str, timeout: float) -> None:
    """Block until ``address`` accepts TCP connections; ``TimeoutError`` after ``timeout``."""
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=1.0):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"no coordinator answered at {address} within {timeout:g} s: start "
                    "process 0 (it runs the coordinator) with the same coordinator address, "
                    "and check that this host can reach it"
                ) from None
            time.sleep(0.1)


def _watchdog(
    address: str, process_id: int | None, processes: int | None, timeout: float
) -> threading.Timer:
    """A timer that ends the process with a clear message if joining outlasts ``timeout``.

    JAX's runtime aborts the process (no Python exception) when its own join deadline
    passes; this message comes first and names the coordinator.
    """
    who = "this process" if process_id is None else f"process {process_id}"
    if processes is not None:
        who += f" of {processes}"
    every = "every process" if processes is None else f"every process 0 .. {processes - 1}"

    def fail() -> None:
        sys.stderr.write(
            f"TimeoutError: {who} waited {timeout:g} s at the coordinator {address} for "
            f"the other processes to join, and not all of them did: start {every} with "
            f"coordinator address {address} and num_processes={processes or 'N'}\n"
        )
        sys.stderr.flush()
        os._exit(1)

    timer = threading.Timer(timeout, fail)
    timer.daemon = True
    return timer


def initialize(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    *,
    timeout: float = 300.0,
    cpu_collectives: str = "gloo",
) -> Cluster:
    """Join JAX's distributed runtime, from arguments or the launcher's environment.

    Every process of a multi-process (multi-host) job calls this first, before any other
    JAX call. Unset arguments come from the environment, in this order: JAX's
    ``JAX_COORDINATOR_ADDRESS`` / ``JAX_NUM_PROCESSES`` / ``JAX_PROCESS_ID`` (what
    :func:`launch_local` sets), torchrun's ``MASTER_ADDR`` / ``MASTER_PORT`` /
    ``WORLD_SIZE`` / ``RANK``, then JAX's own cluster detection (SLURM, Open MPI, Cloud
    TPU, Kubernetes). With one process (nothing set, or ``num_processes=1``) it joins
    nothing and returns at once. CPU collectives are switched to ``cpu_collectives``
    (gloo), so CPU-only processes can all-reduce across hosts.

    Args:
        coordinator_address: ``host:port`` of process 0, reachable by every process.
        num_processes: the number of processes, ``>= 1``.
        process_id: this process's index, ``0 .. num_processes - 1``.
        timeout: seconds to wait for all processes to join (``> 0``).
        cpu_collectives: JAX's CPU collectives implementation (``"gloo"`` or ``"mpi"``).

    Returns:
        The :class:`Cluster` this process joined.

    Raises:
        TimeoutError: a process other than 0 finds no coordinator at the address
            within ``timeout`` (the message names the address). If the coordinator runs
            but not every process joins in time, the process prints a ``TimeoutError``
            message naming the coordinator address and exits with status 1 (JAX's
            runtime cannot return from a failed join).
        ValueError: an argument is out of range.

    Example:
        >>> from core import distributed
        >>> distributed.initialize(num_processes=1)  # one process: nothing to join
        Cluster(process_id=0, num_processes=1, coordinator_address=None)
    """
    timeout = as_float("timeout", timeout, low=0.0, low_open=True)
    if cpu_collectives not in ("gloo", "mpi"):
        raise ValueError(f"cpu_collectives must be 'gloo' or 'mpi', got {cpu_collectives!r}")
    env_address, env_processes, env_id = _environment(os.environ)
    address = coordinator_address or env_address
    processes = num_processes if num_processes is not None else env_processes
    pid = process_id if process_id is not None else env_id
    if processes is not None:
        processes = as_int("num_processes", processes, minimum=1)
    if pid is not None:
        pid = as_int("process_id", pid)
        if processes is not None and pid >= processes:
            raise ValueError(
                f"process_id must be between 0 and num_processes - 1 = {processes - 1}, "
                f"got {pid}"
            )
    if processes == 1 or (processes is None and not launched_by_cluster()):
        return Cluster(0, 1, None)
    if address is not None and pid not in (None, 0):
        _wait_for_port(address, timeout)
    jax.config.update(  # type: ignore[no-untyped-call]
        "jax_cpu_collectives_implementation", cpu_collectives
    )
    shown = address or "(detected from the cluster environment)"
    watchdog = _watchdog(shown, pid, processes, timeout)
    watchdog.start()
    try:
        jax.distributed.initialize(
            coordinator_address=address,
            num_processes=processes,
            process_id=pid,
            initialization_timeout=int(timeout) + 30,  # ours fires first, with a message
        )
    finally:
        watchdog.cancel()
    return Cluster(jax.process_index(), jax.process_count(), address)


def free_port() -> int:
    """A TCP port on ``127.0.0.1`` that was free a moment ago (for a local coordinator).

    Returns:
        The port number.

    Example:
        >>> from core.distributed import free_port
        >>> 0 < free_port() < 65536
        True
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def launch_local(
    argv: Sequence[str],
    processes: int,
    *,
    devices_per_process: int | None = None,
    timeout: float = 600.0,
    forward_first: bool = False,
    env: Mapping[str, str] | None = None,
) -> list[subprocess.CompletedProcess[str]]:
    """Run ``python argv`` as ``processes`` local processes of one JAX cluster.

    The processes get a coordinator on ``127.0.0.1`` (a free port) through
    ``JAX_COORDINATOR_ADDRESS`` / ``JAX_NUM_PROCESSES`` / ``JAX_PROCESS_ID``, which
    :func:`initialize` reads; with ``devices_per_process`` each also gets
    ``XLA_FLAGS=--xla_force_host_platform_device_count=...`` (CPU devices). It waits for
    all of them; if one fails or ``timeout`` passes, the others are killed.

    Args:
        argv: the script and its arguments (run with ``sys.executable``).
        processes: how many processes, ``>= 1``.
        devices_per_process: CPU devices each process splits its host into.
        timeout: seconds for the whole run.
        forward_first: process 0 writes to this process's stdout/stderr as it runs
            (its result then holds no output) instead of having them captured.
        env: the environment (default ``os.environ``) the variables are added to.

    Returns:
        One ``subprocess.CompletedProcess`` per process, in process order.

    Raises:
        TimeoutError: the processes did not all finish within ``timeout`` (the
            message names the coordinator address).

    Example:
        >>> import sys
        >>> from core.distributed import launch_local
        >>> code = "import os; print(os.environ['JAX_PROCESS_ID'])"
        >>> [r.stdout.strip() for r in launch_local(["-c", code], 2)]
        ['0', '1']
    """
    processes = as_int("processes", processes, minimum=1)
    timeout = as_float("timeout", timeout, low=0.0, low_open=True)
    if devices_per_process is not None:
        devices_per_process = as_int("devices_per_process", devices_per_process, minimum=1)
    address = f"127.0.0.1:{free_port()}"
    base = dict(os.environ if env is None else env)
    base.update({ENV_ADDRESS: address, ENV_PROCESSES: str(processes)})
    if devices_per_process is not None:
        flag = f"--xla_force_host_platform_device_count={devices_per_process}"
        base["XLA_FLAGS"] = f"{base.get('XLA_FLAGS', '')} {flag}".strip()
    children = []
    for pid in range(processes):
        captured = subprocess.PIPE if pid or not forward_first else None
        children.append(
            subprocess.Popen(
                [sys.executable, *argv],
                env={**base, ENV_PROCESS_ID: str(pid)},
                stdout=captured,
                stderr=captured,
                text=True,
            )
        )
    outputs: list[tuple[str, str]] = [("", "")] * processes
    readers = [
        threading.Thread(target=_collect, args=(child, outputs, i), daemon=True)
        for i, child in enumerate(children)
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    try:
        while any(child.poll() is None for child in children):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the {processes} processes of coordinator {address} did not finish "
                    f"within {timeout:g} s; they were killed"
                )
            if any(child.returncode not in (None, 0) for child in children):
                break  # one failed: the others would wait for it forever
            time.sleep(0.05)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        for child, reader in zip(children, readers, strict=True):
            child.wait()
            reader.join(timeout=10)
    return [
        subprocess.CompletedProcess(child.args, child.returncode, *outputs[i])
        for i, child in enumerate(children)
    ]


def _collect(child: subprocess.Popen[str], outputs: list[tuple[str, str]], index: int) -> None:
    """Read one child's captured output to its end (so its pipes never fill up)."""
    stdout, stderr = child.communicate()
    outputs[index] = (stdout or "", stderr or "")
