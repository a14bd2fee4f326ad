"""braintools 0.3.0's own tests, run against the facade, fail exactly where the list says.

See :mod:`tests.external.braintools_suite` for how the suite is copied and run, and
``braintools_deviations.toml`` for the expected failures and their reasons. Run this file as
a script for the command line (``--write-candidates``, ``--target braintools``, ``--root``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if __package__ in (None, ""):  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tests.external.braintools_suite import (
    compare,
    load_deviations,
    main,
    run_suite,
    summary,
)


def test_braintools_suite_fails_only_where_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    causes = load_deviations()
    assert all(cause.reason and cause.reason != "TODO" for cause in causes), "give every reason"
    run = run_suite(tmp_path)
    with capsys.disabled():
        print("\n" + summary(run))
    assert run.braintools_module == "facade", "the suite did not run against the facade"
    assert len(run.outcomes) > 1000, f"too few tests ran:\n{run.log[-5000:]}"
    problems = compare(run.outcomes, causes)
    assert not problems, "\n".join(problems)


if __name__ == "__main__":
    raise SystemExit(main())
