"""initlab.api.pod's tolerant number accessor: a mistyped field reads as absent, never raises."""

from __future__ import annotations

import pytest

from initlab.api.pod import as_float


@pytest.mark.parametrize(
    ("value", "want"),
    [(3, 3.0), (2.5, 2.5), (-0.25, -0.25), (0, 0.0)],
    ids=["int", "float", "negative", "zero"],
)
def test_as_float_reads_finite_json_numbers(value, want):
    """Ints and floats read as the float they are."""
    assert as_float(value) == want


@pytest.mark.parametrize(
    "value",
    ["3", True, None, [1], {"t": 1}, float("nan"), float("inf"), 10**400],
    ids=["string", "bool", "none", "list", "dict", "nan", "inf", "beyond-float"],
)
def test_as_float_reads_anything_else_as_the_default(value):
    """A string, bool, container, NaN, infinity or an int beyond float's range is the default."""
    assert as_float(value) == 0.0
    assert as_float(value, default=-1.0) == -1.0
