"""Run braintools 0.3.0's own tests against the facade and compare with the deviation list.

braintools ships its tests inside its wheel. :func:`run_suite` copies the test files listed in
:data:`SUITE` out of the installed package (their code is never vendored here) into a
temporary directory, next to ``_suite_conftest.py`` (as ``conftest.py``), which makes
``import braintools`` resolve to :mod:`facade`; one ``pytest`` subprocess runs them all and
reports one outcome per test id.

``braintools_deviations.toml`` lists the tests that are *expected* to fail, grouped by cause,
each cause with its reason. The same file feeds the documentation's compatibility page
(``docs/conf.py`` renders it with :func:`deviations_rst`), so the page cannot drift from the
code. :func:`compare` holds the run to the list both ways: an unlisted failure is an error,
and so is a listed test that passes.

Command line (from the repository root)::

    python tests/external/test_braintools_suite.py                     # run and compare
    python tests/external/test_braintools_suite.py --write-candidates  # list today's failures
    python tests/external/test_braintools_suite.py --target braintools # the reference run
    python tests/external/test_braintools_suite.py --root /tmp/base    # another checkout

``--write-candidates`` writes ``braintools_deviations.candidates.toml`` with every failure,
each under its listed reason or ``"TODO"``, for review before it replaces the list.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEVIATIONS = HERE / "braintools_deviations.toml"

# The files of braintools' test suite that concern the facade (paths inside the package).
# Against braintools 0.3.0 itself all 1443 of their tests pass (run with --target braintools).
# Left out from metric/: _lfp_test.py (local field potential analysis, no training utility)
# and _audit_20260619_test.py (checks of braintools' private LFP and firing-rate helpers).
SUITE = (
    "optim/_optax_optimizer_test.py",
    "optim/_optax_lr_scheduler_test.py",
    "surrogate/_impl_test.py",
    "surrogate/_impl_extra_test.py",
    "surrogate/_correctness_test.py",
    "surrogate/_base_test.py",
    "metric/_classification_test.py",
    "metric/_correlation_test.py",
    "metric/_fenchel_young_test.py",
    "metric/_firings_test.py",
    "metric/_pairwise_test.py",
    "metric/_ranking_test.py",
    "metric/_regression_test.py",
    "metric/_smoothing_test.py",
)

PASSING = frozenset({"passed", "skipped", "xfailed"})


@dataclass(frozen=True)
class Cause:
    """One reason for a group of expected failures."""

    title: str
    reason: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class SuiteRun:
    """The outcome of every test id (and of every file that failed to import)."""

    outcomes: dict[str, str]
    errors: dict[str, str]
    braintools_module: str | None
    seconds: float
    cpu_seconds: float
    log: str


def load_deviations(path: Path = DEVIATIONS) -> list[Cause]:
    """The causes of ``path``, in file order; a test id listed twice is refused."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    causes = [
        Cause(entry["title"], entry["reason"].strip(), tuple(entry.get("tests", [])))
        for entry in data.get("cause", [])
    ]
    seen = Counter(test for cause in causes for test in cause.tests)
    repeated = sorted(test for test, count in seen.items() if count > 1)
    if repeated:
        raise ValueError(f"{path.name} lists these tests under two causes: {repeated}")
    return causes


def braintools_dir() -> Path:
    """The installed braintools package directory, found without importing braintools."""
    spec = importlib.util.find_spec("braintools")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("braintools is not installed (pip install braintools==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations)))


def run_suite(workdir: Path, *, root: Path = ROOT, target: str = "facade") -> SuiteRun:
    """Copy the :data:`SUITE` files into ``workdir`` and run them in one pytest subprocess.

    Args:
        workdir: an empty directory to hold the copies, the conftest and the results.
        root: the checkout whose ``facade`` is tested (put first on ``PYTHONPATH``).
        target: ``"facade"``, or ``"braintools"`` for the reference run.

    Returns:
        The outcomes, keyed by test id relative to the braintools package.
    """
    source = braintools_dir()
    for name in SUITE:
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, workdir / name)
    shutil.copyfile(HERE / "_suite_conftest.py", workdir / "conftest.py")
    ini = workdir / "pytest.ini"
    ini.write_text("[pytest]\n")  # none of the project's settings (warnings as errors, ...)
    results = workdir / "results.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "SUITE_TARGET": target,
        "SUITE_RESULTS": str(results),
        "MPLBACKEND": "Agg",
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ini),
        "--rootdir",
        str(workdir),
        "--import-mode=importlib",
        "--continue-on-collection-errors",
        "--no-header",
        "-o",
        "console_output_style=classic",
        *SUITE,
    ]
    start, cpu_start = time.perf_counter(), _children_cpu()
    process = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=1800
    )
    seconds, cpu_seconds = time.perf_counter() - start, _children_cpu() - cpu_start
    log = process.stdout + process.stderr
    if not results.exists():
        raise RuntimeError(f"the braintools suite did not report its results:\n{log[-5000:]}")
    data = json.loads(results.read_text())
    return SuiteRun(
        data["outcomes"], data["errors"], data["braintools_module"], seconds, cpu_seconds, log
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def file_counts(outcomes: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Per suite file: (tests that pass or are skipped, tests run or failed to import)."""
    counts = {name: [0, 0] for name in SUITE}
    for test, outcome in outcomes.items():
        entry = counts[test.split("::")[0]]
        entry[0] += outcome in PASSING
        entry[1] += 1
    return {name: (ok, total) for name, (ok, total) in counts.items()}


def summary(run: SuiteRun) -> str:
    """Per-file pass counts and the totals, one line each."""
    lines = [
        f"braintools suite against {run.braintools_module} "
        f"({run.seconds:.0f} s wall, {run.cpu_seconds:.0f} s CPU):"
    ]
    total_ok = total = 0
    for name, (ok, count) in file_counts(run.outcomes).items():
        errored = run.outcomes.get(name) == "error"
        note = "  (the file cannot be imported)" if errored else ""
        lines.append(f"  {name:40s} {ok:4d} / {count:4d} pass{note}")
        total_ok, total = total_ok + ok, total + count
    lines.append(f"  {'total':40s} {total_ok:4d} / {total:4d} pass")
    return "\n".join(lines)


def compare(outcomes: dict[str, str], causes: list[Cause]) -> list[str]:
    """Every disagreement between the run and the deviation list, as readable lines."""
    listed = {test: cause.title for cause in causes for test in cause.tests}
    failing = {test for test, outcome in outcomes.items() if outcome not in PASSING}
    problems = [
        f"unlisted failure ({outcomes[test]}): {test}" for test in sorted(failing - set(listed))
    ]
    for test in sorted(set(listed) - failing):
        state = "did not run" if test not in outcomes else "passes"
        problems.append(
            f"listed under {listed[test]!r} but {state}; remove it from the list: {test}"
        )
    return problems


def write_candidates(run: SuiteRun, causes: list[Cause], path: Path) -> int:
    """Write today's failures as a deviation file: listed ones keep their cause, others TODO.

    Each TODO test carries its first error line as a comment, to help find the cause.
    """
    failing = sorted(test for test, outcome in run.outcomes.items() if outcome not in PASSING)
    known = {test: cause for cause in causes for test in cause.tests}
    groups: dict[Cause | None, list[str]] = {}
    for test in failing:
        groups.setdefault(known.get(test), []).append(test)
    parts = [
        "# Candidate deviation list: review, give every TODO a real reason, then replace\n"
        f"# {DEVIATIONS.name} with it.\n"
    ]
    for cause, tests in groups.items():
        title, reason = (cause.title, cause.reason) if cause else ("TODO", "TODO")
        body = "".join(
            f"    {json.dumps(test)},"
            + ("" if cause else f"  # {run.errors.get(test, '')}".replace("\n", " "))
            + "\n"
            for test in tests
        )
        parts.append(
            f'\n[[cause]]\ntitle = {json.dumps(title)}\nreason = """\n{reason}\n"""\n'
            f"tests = [\n{body}]\n"
        )
    path.write_text("".join(parts))
    return len(failing)


def deviations_rst(path: Path = DEVIATIONS) -> str:
    """The deviation list as reStructuredText: one section per cause, its reason and tests."""
    causes = load_deviations(path)
    total = sum(len(cause.tests) for cause in causes)
    lines = [
        f"{total} test ids of braintools 0.3.0's suite are expected to fail against the facade "
        "(a bare file path stands for a file that cannot be imported), for "
        f"{len(causes)} causes. The list is ``tests/external/{path.name}``, which "
        "``tests/external/test_braintools_suite.py`` enforces both ways: an unlisted failure "
        "or a listed test that passes fails the run.",
        "",
    ]
    for cause in causes:
        count = f"{len(cause.tests)} test{'s' if len(cause.tests) > 1 else ''}"
        lines += [f"**{cause.title}** ({count})", "", *cause.reason.splitlines()]
        lines += ["", ".. code-block:: text", ""]
        lines += [f"   {test}" for test in cause.tests] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line described in the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-candidates", action="store_true")
    parser.add_argument("--target", choices=("facade", "braintools"), default="facade")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--json", type=Path, help="also write the outcomes to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        run = run_suite(Path(workdir), root=args.root, target=args.target)
    print(summary(run))
    if args.json:
        record = {"outcomes": run.outcomes, "errors": run.errors}
        args.json.write_text(json.dumps(record, indent=0, sort_keys=True))
    causes = load_deviations()
    if args.write_candidates:
        path = DEVIATIONS.with_suffix(".candidates.toml")
        print(f"{write_candidates(run, causes, path)} failures written to {path}")
        return 0
    if args.target == "braintools":
        failing = sorted(t for t, o in run.outcomes.items() if o not in PASSING)
        print("\n".join(failing) or "every test passes against braintools itself")
        return int(bool(failing))
    problems = compare(run.outcomes, causes)
    print("\n".join(problems) or "the run matches the deviation list")
    return int(bool(problems))
