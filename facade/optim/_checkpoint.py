"""Save and restore a whole training state to one ``.npz`` file, without pickle.

The file holds one array per parameter leaf and per array of the optimizer's and
scheduler's ``state_dict()``, named by its key path (``params['w']``,
``optimizer['groups'][0]['opt_state']...``), plus one JSON string (``__checkpoint__``)
with the format version, the structure of the state dicts (their plain Python values
inline), the step, the epoch and the user's metadata. It is read with
``numpy.load(..., allow_pickle=False)`` and written atomically (a temporary file in the
same directory, then ``os.replace``). Loading checks everything against the live
objects before changing any of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeAlias, runtime_checkable

import brainstate
import jax
import jax.numpy as jnp
import numpy as np

from core._validation import check_same_structure

from ._states import flatten_states

FORMAT = "spiketrain-checkpoint"
VERSION = 2
"""Version 2 keys the optimizer's state by the parameters' registration keys, nested as
braintools 0.3.0 hands them to the transform; version 1 keyed it by key-path strings. A
version 1 file still restores parameters, scheduler, step, epoch and metadata."""
READABLE = (1, VERSION)
HEADER = "__checkpoint__"

PathLike: TypeAlias = str | os.PathLike[str]


@runtime_checkable
class Stateful(Protocol):
    """Anything with ``state_dict()`` / ``load_state_dict()``: optimizers, LR schedulers.

    Example:
        >>> from facade.optim import SGD, Stateful
        >>> isinstance(SGD(), Stateful)
        True
    """

    def state_dict(self) -> Mapping[str, Any]: ...

    def load_state_dict(self, state_dict: Mapping[str, Any], /) -> None: ...


class CheckpointError(ValueError):
    """A checkpoint file cannot be read, or does not match the objects it is loaded into.

    The message names the file and the problem.

    Example:
        >>> from facade.optim import CheckpointError
        >>> issubclass(CheckpointError, ValueError)
        True
    """


@dataclass(frozen=True)
class Checkpoint:
    """What :func:`load_checkpoint` returns besides restoring the objects.

    Attributes:
        path: the file read.
        step: the ``step`` given to :func:`save_checkpoint` (``None`` if none).
        epoch: the ``epoch`` given to :func:`save_checkpoint` (``None`` if none).
        metadata: the user's metadata (JSON values).

    Example:
        >>> from pathlib import Path
        >>> from facade.optim import Checkpoint
        >>> Checkpoint(Path("run.npz"), step=10, epoch=1).metadata
        {}
    """

    path: Path
    step: int | None = None
    epoch: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


# -- encoding --------------------------------------------------------------------------
def _is_array(x: object) -> bool:
    return isinstance(x, jax.Array | np.ndarray | np.generic)


def _store(arrays: dict[str, np.ndarray], name: str, value: Any) -> dict[str, Any]:
    """Put ``value`` in ``arrays`` under ``name``; return its JSON reference."""
    array = np.asarray(value)
    dtype = array.dtype
    if dtype.kind == "V" or dtype.type.__module__.startswith("ml_dtypes"):
        array = array.view(f"uint{8 * dtype.itemsize}")  # bfloat16 & co.: raw bits
    arrays[name] = np.array(array)
    return {"array": name, "dtype": str(dtype), "shape": list(array.shape)}


def _encode(value: Any, name: str, arrays: dict[str, np.ndarray]) -> Any:
    """A JSON description of a state dict; its arrays go to ``arrays``."""
    if _is_array(value):
        return _store(arrays, name, value)
    if value is None or isinstance(value, bool | int | float | str):
        return {"value": value}
    if isinstance(value, Mapping):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise TypeError(f"{name}: state dict keys must be strings; got {bad[0]!r}")
        return {"dict": {k: _encode(v, f"{name}[{k!r}]", arrays) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [_encode(v, f"{name}[{i}]", arrays) for i, v in enumerate(value)]}
    raise TypeError(
        f"{name}: cannot store a {type(value).__name__} (arrays, numbers, strings, None, "
        "dicts and lists only)"
    )


def _flat_states(params: Any) -> dict[str, tuple[brainstate.State[Any], list[Any], Any]]:
    """``{key: (state, [(leaf_key, leaf)], treedef)}`` for every State in ``params``."""
    flat = {}
    for path, state in flatten_states(params, floating=False).values():
        inner, treedef = jax.tree_util.tree_flatten_with_path(state.value)
        leaves = [(jax.tree_util.keystr(p), v) for p, v in inner]
        flat[jax.tree_util.keystr(path)] = (state, leaves, treedef)
    return flat


def save_checkpoint(
    path: PathLike,
    params: Any,
    *,
    optimizer: Stateful | None = None,
    scheduler: Stateful | None = None,
    step: int | None = None,
    epoch: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a training state to one file, atomically and without pickle.

    The file is an ``.npz`` archive (the name is used as given): the parameter values by
    key path, the arrays of ``optimizer.state_dict()`` and ``scheduler.state_dict()``, and
    a JSON entry with their structure, ``step``, ``epoch`` and ``metadata``. It is written
    to a temporary file in the same directory and renamed over ``path``, so ``path`` is
    either the old file or the complete new one, never a partial write.

    Args:
        path: the file to write.
        params: the states to save: ``net.states()``, ``net.states(brainstate.ParamState)``,
            or any (nested) dict/list of ``brainstate.State``.
        optimizer: an optimizer (anything with ``state_dict()``).
        scheduler: an LR scheduler (anything with ``state_dict()``).
        step: the training step, returned by :func:`load_checkpoint`.
        epoch: the epoch, returned by :func:`load_checkpoint`.
        metadata: JSON-serializable user data.

    Returns:
        The path written.

    Raises:
        TypeError: for non-State params, unstorable state-dict values or metadata that is
            not JSON-serializable (nothing is written).

    Example:
        >>> import os, tempfile, brainstate, jax.numpy as jnp
        >>> from facade.optim import SGD, load_checkpoint, save_checkpoint
        >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        >>> opt = SGD(learning_rate=0.1)
        >>> opt.register_trainable_weights({"w": w})
        >>> opt.update({"w": jnp.array([1.0, 1.0])})
        >>> path = os.path.join(tempfile.mkdtemp(), "run.npz")
        >>> _ = save_checkpoint(path, {"w": w}, optimizer=opt, step=1, metadata={"lr": 0.1})
        >>> w.value = jnp.zeros(2)
        >>> info = load_checkpoint(path, {"w": w}, optimizer=opt)
        >>> print(w.value, info.step, info.metadata)
        [0.9 1.9] 1 {'lr': 0.1}
    """
    target = Path(path)
    arrays: dict[str, np.ndarray] = {}
    param_refs = {
        f"{key}{leaf_key}": _store(arrays, f"params{key}{leaf_key}", value)
        for key, (_, leaves, _) in _flat_states(params).items()
        for leaf_key, value in leaves
    }
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "params": param_refs,
        "optimizer": None
        if optimizer is None
        else _encode(optimizer.state_dict(), "optimizer", arrays),
        "scheduler": None
        if scheduler is None
        else _encode(scheduler.state_dict(), "scheduler", arrays),
        "step": None if step is None else int(step),
        "epoch": None if epoch is None else int(epoch),
        "metadata": dict(metadata or {}),
    }
    try:
        arrays[HEADER] = np.array(json.dumps(header))
    except (TypeError, ValueError) as error:
        raise TypeError(f"metadata must be JSON-serializable: {error}") from None
    _write_atomically(target, arrays)
    return target


def _write_atomically(target: Path, arrays: dict[str, np.ndarray]) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **arrays)  # type: ignore[arg-type]  # numpy stubs: kwargs are arrays
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# -- decoding --------------------------------------------------------------------------
def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and every array of a checkpoint; ``CheckpointError`` if unreadable."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint file")
    with open(path, "rb") as file:
        magic = file.read(4)
    if magic != b"PK\x03\x04":
        raise CheckpointError(
            f"{path}: not a spiketrain checkpoint (not an .npz archive; the file is corrupt, "
            "truncated or of another format)"
        )
    try:
        with open(path, "rb") as file:
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise CheckpointError(f"{path}: not a spiketrain checkpoint (not an .npz archive)")
            with archive:
                arrays = {name: archive[name] for name in archive.files}
        header = json.loads(str(arrays.pop(HEADER)[()]))
    except KeyError:
        raise CheckpointError(
            f"{path}: not a spiketrain checkpoint (no {HEADER!r} entry)"
        ) from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, UnicodeError) as error:
        reason = "it holds pickled objects" if "pickle" in str(error) else str(error)
        raise CheckpointError(
            f"{path}: cannot read the checkpoint; the file is corrupt, truncated or not "
            f"written by save_checkpoint ({type(error).__name__}: {reason})"
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a spiketrain checkpoint (unknown format)")
    if header.get("version") not in READABLE:
        raise CheckpointError(
            f"{path}: checkpoint format version {header.get('version')!r}; this version "
            f"reads versions {', '.join(map(str, READABLE))}"
        )
    return header, arrays


def _array(ref: Mapping[str, Any], arrays: Mapping[str, np.ndarray], where: str) -> np.ndarray:
    name = ref["array"]
    if name not in arrays:
        raise CheckpointError(f"{where}: the array {name} is missing from the file")
    array = arrays[name]
    dtype = jnp.dtype(ref["dtype"])
    if array.dtype != dtype:
        if array.dtype.kind != "u" or array.dtype.itemsize != dtype.itemsize:
            raise CheckpointError(
                f"{where}: the array {name} is stored as {array.dtype} but recorded as {dtype}"
            )
        array = array.view(dtype)  # bfloat16 & co. are stored as their raw bits
    if list(array.shape) != list(ref["shape"]):
        raise CheckpointError(
            f"{where}: the array {name} has shape {array.shape}; its entry records "
            f"{tuple(ref['shape'])}"
        )
    return array


def _decode(node: Any, arrays: Mapping[str, np.ndarray], where: str) -> Any:
    if not isinstance(node, dict) or len(node) not in (1, 3):
        raise CheckpointError(f"{where}: damaged structure entry")
    if "array" in node:
        return _array(node, arrays, where)
    ((kind, body),) = node.items()
    if kind == "value":
        return body
    if kind == "dict":
        return {k: _decode(v, arrays, where) for k, v in body.items()}
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays, where) for v in body]
        return tuple(items) if kind == "tuple" else items
    raise CheckpointError(f"{where}: damaged structure entry {kind!r}")


def load_checkpoint(
    path: PathLike,
    params: Any,
    *,
    optimizer: Stateful | None = None,
    scheduler: Stateful | None = None,
) -> Checkpoint:
    """Restore a training state written by :func:`save_checkpoint`.

    The file is read with ``allow_pickle=False``. Every saved part is checked against the
    live objects (each parameter's key path, shape and dtype; the optimizer's and
    scheduler's state-dict structure, shapes and dtypes) before anything is written; then
    the parameter states, ``optimizer.load_state_dict`` and ``scheduler.load_state_dict``
    are updated. Parameters of the file that ``params`` lacks are an error too.

    Args:
        path: the file to read.
        params: the states to restore, structured as when saved.
        optimizer: the optimizer to restore (registered with the same parameters).
        scheduler: the LR scheduler to restore.

    Returns:
        The saved ``step``, ``epoch`` and ``metadata``.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        CheckpointError: for a corrupt, truncated or foreign file, or a mismatch with the
            live objects (nothing is changed).

    Example:
        >>> import os, tempfile, brainstate, jax.numpy as jnp
        >>> from facade.optim import CheckpointError, load_checkpoint, save_checkpoint
        >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
        >>> _ = save_checkpoint(path, {"w": brainstate.ParamState(jnp.ones(3))}, epoch=2)
        >>> w = brainstate.ParamState(jnp.zeros(3))
        >>> print(load_checkpoint(path, {"w": w}).epoch, w.value)
        2 [1. 1. 1.]
        >>> try:
        ...     load_checkpoint(path, {"w": brainstate.ParamState(jnp.zeros(4))})
        ... except CheckpointError as error:
        ...     print("mismatch:", "shape (3,)" in str(error))
        mismatch: True
    """
    source = Path(path)
    header, arrays = _read(source)
    where = str(source)
    try:
        new_values = _restore_params(header["params"], arrays, params, where)
        parts = []
        for label, target in (("optimizer", optimizer), ("scheduler", scheduler)):
            if target is None:
                continue
            if header.get(label) is None:
                raise CheckpointError(f"{where}: the checkpoint holds no {label} state")
            if label == "optimizer" and header["version"] == 1:
                raise CheckpointError(
                    f"{where}: format version 1 keys the optimizer state by key-path strings "
                    "(version 2 nests it by the registration keys, as braintools): load it "
                    "with optimizer=None (parameters, scheduler and step are restored) and "
                    "start the optimizer afresh"
                )
            saved = _decode(header[label], arrays, f"{where}: {label}")
            _same_structure(where, f"the saved {label} state", saved, target.state_dict())
            parts.append((target, saved))
    except (KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(f"{where}: damaged checkpoint structure ({error})") from None
    for state, value in new_values:
        state.value = value
    for target, saved in parts:
        target.load_state_dict(saved)
    return Checkpoint(source, header.get("step"), header.get("epoch"), dict(header["metadata"]))


def _same_structure(where: str, name: str, saved: Any, live: Any) -> None:
    """``CheckpointError`` (naming the file and the first key path) if ``saved`` differs from
    ``live`` in structure, shape or dtype, or in a saved identity (a scheduler's class and
    settings, which must be equal)."""
    mismatch = _identity_mismatch(saved, live)
    if mismatch:
        raise CheckpointError(f"{where}: {name} was written by {mismatch[0]}; live: {mismatch[1]}")
    try:
        check_same_structure(
            name, _without_text(saved), _without_text(live), what="the live ones", dtypes=True
        )
    except ValueError as error:
        raise CheckpointError(f"{where}: {error}") from None


def _without_text(tree: Any) -> Any:
    """``tree`` with its strings as ``None`` (compared by :func:`_identity_mismatch`)."""
    return jax.tree.map(lambda x: None if isinstance(x, str) else x, tree)


def _identity_mismatch(saved: Any, live: Any) -> tuple[str, str] | None:
    """The first differing ``class`` / ``settings`` entries of two state dicts, as text."""
    if isinstance(saved, Mapping) and isinstance(live, Mapping):
        mine = (live.get("class"), live.get("settings"))
        theirs = (saved.get("class"), saved.get("settings"))
        if mine != theirs:
            return f"{theirs[0]} with {theirs[1]}", f"{mine[0]} with {mine[1]}"
        pairs: Any = [(saved[k], live[k]) for k in live if k in saved]
    elif isinstance(saved, list | tuple) and isinstance(live, list | tuple):
        pairs = zip(saved, live, strict=False)
    else:
        return None
    for a, b in pairs:
        found = _identity_mismatch(a, b)
        if found:
            return found
    return None


def _restore_params(
    refs: Mapping[str, Any], arrays: Mapping[str, np.ndarray], params: Any, where: str
) -> list[tuple[brainstate.State[Any], Any]]:
    """The new value of every live state, checked against the file."""
    flat = _flat_states(params)
    live = {
        f"{key}{leaf_key}": leaf
        for key, (_, leaves, _) in flat.items()
        for leaf_key, leaf in leaves
    }
    saved = {full: _array(ref, arrays, f"{where}: params{full}") for full, ref in refs.items()}
    _same_structure(where, "the saved parameters", saved, live)
    return [
        (
            state,
            jax.tree_util.tree_unflatten(
                treedef, [jnp.asarray(saved[f"{key}{leaf_key}"]) for leaf_key, _ in leaves]
            ),
        )
        for key, (state, leaves, treedef) in flat.items()
    ]
