"""Type-checked imports for users: ``mypy --strict`` over user programs, against an install.

Each case installs spiketrain into a fresh virtual environment, as a user would, and runs
``mypy --strict`` once over ``tests/typing_user/ok/*.py`` (correct programs: no cast,
``Any`` or ``type: ignore``, no error allowed) and ``tests/typing_user/bad/*.py`` (one
planted mistake each, marked ``# expect: <error code>`` on its line: exactly that error,
nothing else). Two installs:

* ``wheel``: the wheel built from this checkout, installed with ``pip install``;
* ``editable``: ``pip install -e`` of this checkout, as the README's setup command does.

Nothing is downloaded: the virtual environment sees the dependencies of the running
interpreter's environment through a ``.pth`` line, the build uses the installed backend
(``--no-build-isolation``, hatchling from the ``dev`` extra), and pip gets ``--no-index``.
Both mypy runs share one cache, so the second one re-reads only spiketrain and the stubs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "typing_user"
EXPECT = re.compile(r"#\s*expect:\s*([a-z-]+)\s*$")
ERROR = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")
MYPY_INI = "[mypy]\nstrict = True\nwarn_unreachable = True\n"

Found = dict[str, set[tuple[int, str]]]


def _programs() -> list[Path]:
    return sorted((PROGRAMS / "ok").glob("*.py")) + sorted((PROGRAMS / "bad").glob("*.py"))


def _expected() -> Found:
    """``{file name: {(line, error code)}}``: empty for the correct programs."""
    expected: Found = {}
    for path in _programs():
        marks = {
            (number, match.group(1))
            for number, line in enumerate(path.read_text().splitlines(), start=1)
            if (match := EXPECT.search(line))
        }
        expected[path.name] = marks
    return expected


def _run(command: list[str | Path], cwd: Path, *, findings_exit: bool = False) -> str:
    """Run ``command``; exit status 1 is accepted with ``findings_exit`` (mypy found errors)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=environment, capture_output=True, text=True
    )
    if done.returncode not in ((0, 1) if findings_exit else (0,)):
        raise AssertionError(f"{command} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _fresh_venv(directory: Path) -> Path:
    """A virtual environment that sees the current one's packages (jax, brainstate, pip)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", directory], check=True)
    python = directory / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _build_wheel(directory: Path) -> Path:
    pip_wheel: list[str | Path] = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index"]
    _run([*pip_wheel, "--quiet", "--no-build-isolation", "--wheel-dir", directory, ROOT], directory)
    (wheel,) = directory.glob("spiketrain-*.whl")
    return wheel


def _mypy_errors(python: Path, cache: Path, workdir: Path) -> Found:
    """One ``mypy --strict`` run over copies of every program, in a folder outside the checkout.

    Copies, because mypy would otherwise see ``tests/__init__.py`` above the programs and
    put the checkout's root on its search path, finding ``core`` there instead of installed.
    """
    programs = workdir / "programs"
    programs.mkdir()
    for path in _programs():
        shutil.copyfile(path, programs / path.name)
    (workdir / "mypy.ini").write_text(MYPY_INI)
    mypy: list[str | Path] = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini"]
    output = _run(
        [*mypy, "--cache-dir", cache, "--python-executable", python, *sorted(programs.iterdir())],
        workdir,
        findings_exit=True,
    )
    found: Found = {path.name: set() for path in _programs()}
    for line in output.splitlines():
        if match := ERROR.match(line):
            found.setdefault(Path(match["path"]).name, set()).add(
                (int(match["line"]), match["code"])
            )
    return found


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def test_the_programs_are_what_they_claim() -> None:
    """At least 12 planted mistakes, one per file; the correct programs use no escape hatch."""
    expected = _expected()
    bad = [name for name in expected if name.startswith("bad_")]
    assert len(bad) >= 12
    assert all(len(expected[name]) == 1 for name in bad), expected
    ok = sorted((PROGRAMS / "ok").glob("*.py"))
    assert len(ok) >= 4
    for path in ok:
        text = path.read_text()
        assert expected[path.name] == set()
        for hatch in ("cast(", "Any", "type: ignore"):
            assert hatch not in text, f"{path.name} uses {hatch}"
    # both styles: a brainstate module trained with the facade, and the functional core
    assert "(brainstate.nn.Module)" in (PROGRAMS / "ok" / "ok_braintools_workflow.py").read_text()
    functional = (PROGRAMS / "ok" / "ok_functional_loop.py").read_text()
    assert "from core import" in functional and "optim.adam(" in functional


@pytest.mark.parametrize("install", ["wheel", "editable"])
def test_mypy_strict_on_user_programs(install: str, tmp_path: Path, mypy_cache: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    # --ignore-installed: leave alone the spiketrain that the outer environment may hold
    pip: list[str | Path] = [python, "-m", "pip", "install", "-q", "--ignore-installed"]
    pip += ["--no-deps", "--no-index"]
    if install == "wheel":
        wheel = _build_wheel(tmp_path)
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
        assert {"core/py.typed", "facade/py.typed", "brainstate-stubs/py.typed"} <= names
        assert not any(name.startswith("tests/") for name in names)
        _run([*pip, wheel], cwd=tmp_path)
    else:
        _run([*pip, "--no-build-isolation", "-e", ROOT], cwd=tmp_path)
    located = _run(
        [python, "-c", "import core, facade; print(core.__file__); print(facade.__file__)"],
        cwd=tmp_path,
    )
    inside_checkout = all(Path(p).is_relative_to(ROOT) for p in located.split())
    assert inside_checkout == (install == "editable"), located
    assert _mypy_errors(python, mypy_cache, tmp_path) == _expected()
