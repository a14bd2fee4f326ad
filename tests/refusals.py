"""One parametrized test for a table of bad arguments, shared by the test modules.

A case ``(make, error, match)`` says: calling ``make()`` raises ``error`` with a message that
matches the regular expression ``match`` (searched, as :func:`pytest.raises` does). A module
binds the test to a name of its own, which is what pytest collects::

    test_bad_arguments_raise_eagerly = refusal_test(BAD)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

BadCase = tuple[Callable[[], object], type[Exception], str]
"""``(make, error, match)``: what to call, the exception it raises, a pattern of its message."""


def refusal_test(cases: Sequence[BadCase]) -> Callable[..., None]:
    """A test that every case of ``cases`` is refused as it says (one test item per case).

    Args:
        cases: the table; a case's id is the start of its pattern.

    Returns:
        The parametrized test function, to bind to a ``test_*`` name of a test module.
    """

    @pytest.mark.parametrize(("make", "error", "match"), cases, ids=[c[2][:40] for c in cases])
    def test(make: Callable[[], object], error: type[Exception], match: str) -> None:
        with pytest.raises(error, match=match):
            make()

    return test
