"""Quantities, against apimachinery's own tables (`resource/quantity_test.go`)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from initlab.api.quantity import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    MAX_ALLOWED,
    Quantity,
    QuantityError,
)

B, D, E = BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT


def dec(mantissa: int | float, exp: int) -> Fraction:
    return Fraction(mantissa) * Fraction(10) ** exp


# TestQuantityParse: input -> (value, format). Ported case by case.
PARSE = [
    ("0", dec(0, 0), D), ("0n", dec(0, 0), D), ("0u", dec(0, 0), D), ("0m", dec(0, 0), D),
    ("0Ki", dec(0, 0), B), ("0k", dec(0, 0), D), ("0Mi", dec(0, 0), B), ("0M", dec(0, 0), D),
    ("0Gi", dec(0, 0), B), ("0G", dec(0, 0), D), ("0Ti", dec(0, 0), B), ("0T", dec(0, 0), D),
    ("1", dec(1, 0), D),
    ("1Ki", dec(1024, 0), B), ("8Ki", dec(8 * 1024, 0), B), ("7Mi", dec(7 * 1024**2, 0), B),
    ("6Gi", dec(6 * 1024**3, 0), B), ("5Ti", dec(5 * 1024**4, 0), B),
    ("4Pi", dec(4 * 1024**5, 0), B), ("3Ei", dec(3 * 1024**6, 0), B),
    ("10Ti", dec(10 * 1024**4, 0), B), ("100Ti", dec(100 * 1024**4, 0), B),
    ("5n", dec(5, -9), D), ("4u", dec(4, -6), D), ("3m", dec(3, -3), D), ("9", dec(9, 0), D),
    ("8k", dec(8, 3), D), ("50k", dec(5, 4), D), ("7M", dec(7, 6), D), ("6G", dec(6, 9), D),
    ("5T", dec(5, 12), D), ("40T", dec(4, 13), D), ("300T", dec(3, 14), D),
    ("2P", dec(2, 15), D), ("1E", dec(1, 18), D),
    ("1E-3", dec(1, -3), E), ("1e3", dec(1, 3), E), ("1E6", dec(1, 6), E),
    ("1e9", dec(1, 9), E), ("1E12", dec(1, 12), E), ("1e15", dec(1, 15), E),
    ("1E18", dec(1, 18), E),
    ("1e14", dec(1, 14), E), ("1e13", dec(1, 13), E), ("100.035k", dec(100035, 0), D),
    ("0.001", dec(1, -3), D), ("0.0005k", dec(5, -1), D), ("0.005", dec(5, -3), D),
    ("0.05", dec(5, -2), D), ("0.5", dec(5, -1), D), ("0.00050k", dec(5, -1), D),
    ("0.00500", dec(5, -3), D), ("0.05000", dec(5, -2), D), ("0.50000", dec(5, -1), D),
    ("0.5e0", dec(5, -1), E), ("0.5e-1", dec(5, -2), E), ("0.5e-2", dec(5, -3), E),
    ("10.035M", dec(10035, 3), D),
    ("1.2e3", dec(12, 2), E), ("1.3E+6", dec(13, 5), E), ("1.40e9", dec(14, 8), E),
    ("1.53E12", dec(153, 10), E), ("1.6e15", dec(16, 14), E), ("1.7E18", dec(17, 17), E),
    ("9.01", dec(901, -2), D), ("8.1k", dec(81, 2), D), ("7.123456M", dec(7123456, 0), D),
    ("6.987654321G", dec(6987654321, 0), D), ("5.444T", dec(5444, 9), D),
    ("40.1T", dec(401, 11), D), ("300.2T", dec(3002, 11), D), ("2.5P", dec(25, 14), D),
    ("1.01E", dec(101, 16), D),
    ("3.001n", dec(4, -9), D), ("1.1E-9", dec(2, -9), E), ("0.0000000001", dec(1, -9), D),
    ("0.0000000005", dec(1, -9), D), ("0.00000000050", dec(1, -9), D),
    ("0.5e-9", dec(1, -9), E), ("0.9n", dec(1, -9), D), ("0.00000012345", dec(124, -9), D),
    ("0.00000012354", dec(124, -9), D),
    ("9Ei", MAX_ALLOWED, B), ("9223372036854775807Ki", MAX_ALLOWED, B),
    ("12E", dec(12, 18), D),
    ("100.035Ki", dec(10243584, -2), B), ("0.5Mi", dec(int(0.5 * 1024 * 1024), 0), B),
    ("0.05Gi", dec(536870912, -1), B), ("0.025Ti", dec(274877906944, -1), B),
    ("0.000000000001Ki", dec(2, -9), D), (".001", dec(1, -3), D), (".0001k", dec(100, -3), D),
    ("1.", dec(1, 0), D), ("1.G", dec(1, 9), D),
]  # fmt: skip

INVALID = [
    "1.1.M",
    "1+1.0M",
    "0.1mi",
    "0.1am",
    "aoeu",
    ".5i",
    "1i",
    "-3.01i",
    "-3.01e-",
    " 1",
    "1 ",
    "",
]

# TestQuantityString: (value, format) -> canonical string [, alternate spelling].
STRING = [
    (dec(1024**3, 0), B, "1Gi", "1024Mi"), (dec(300 * 1024**2, 0), B, "300Mi", "307200Ki"),
    (dec(6 * 1024, 0), B, "6Ki", ""), (dec(1001 * 1024**3, 0), B, "1001Gi", "1025024Mi"),
    (dec(1024**4, 0), B, "1Ti", "1024Gi"), (dec(5, 0), B, "5", "5000m"),
    (dec(500, -3), B, "500m", "0.5"), (dec(1, 9), D, "1G", "1000M"),
    (dec(1000, 6), D, "1G", "0.001T"), (dec(1000000, 3), D, "1G", ""),
    (dec(1000000000, 0), D, "1G", ""), (dec(1, -3), D, "1m", "1000u"), (dec(80, -3), D, "80m", ""),
    (dec(1080, -3), D, "1080m", "1.08"), (dec(108, -2), D, "1080m", "1080000000n"),
    (dec(10800, -4), D, "1080m", ""), (dec(300, 6), D, "300M", ""), (dec(1, 12), D, "1T", ""),
    (dec(1, 18), D, "1E", ""), (dec(1, 21), D, "1e21", "1000E"), (dec(5, 21), D, "5e21", "5000E"),
    (dec(1, 24), D, "1e24", "1000000E"), (dec(1234567, 6), D, "1234567M", ""),
    (dec(1234567, -3), B, "1234567m", ""), (dec(3, 3), D, "3k", ""), (dec(1025, 0), B, "1025", ""),
    (dec(0, 0), D, "0", ""), (dec(0, 0), B, "0", ""), (dec(1, 9), E, "1e9", ".001e12"),
    (dec(1, -3), E, "1e-3", "0.001e0"), (dec(1, -9), E, "1e-9", "1000e-12"),
    (dec(80, -3), E, "80e-3", ""), (dec(300, 6), E, "300e6", ""), (dec(1, 12), E, "1e12", ""),
    (dec(1, 3), E, "1e3", ""), (dec(3, 3), E, "3e3", ""), (dec(0, 0), E, "0", "00"),
    (dec(1, -9), D, "1n", ""), (dec(80, -9), D, "80n", ""), (dec(1080, -9), D, "1080n", ""),
    (dec(108, -8), D, "1080n", ""), (dec(10800, -10), D, "1080n", ""), (dec(1, -6), D, "1u", ""),
    (dec(80, -6), D, "80u", ""), (dec(1080, -6), D, "1080u", ""),
]  # fmt: skip

# TestQuantityParseEmit
PARSE_EMIT = [
    ("1Ki", "1Ki"), ("1Mi", "1Mi"), ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1000M", "1G"),
    (".001Ki", "1024m"), (".000001Ki", "1024u"), (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value", "fmt"), PARSE)
def test_parse_matches_apimachinery_value_and_format(text, value, fmt):
    """Each TestQuantityParse case gives upstream's value; ±signs mirror it."""
    q = Quantity.parse(text)
    assert q.value == value
    assert q.format == fmt
    assert str(q) == str(Quantity(value, fmt))
    assert Quantity.parse("-" + text).value == -value
    assert Quantity.parse("+" + text).value == value


@pytest.mark.parametrize("text", INVALID)
def test_invalid_quantities_are_refused(text):
    """Upstream's invalid list (and trailing whitespace) raise a QuantityError."""
    with pytest.raises(QuantityError):
        Quantity.parse(text)


@pytest.mark.parametrize(("value", "fmt", "expect", "alternate"), STRING)
def test_canonical_string_matches_apimachinery(value, fmt, expect, alternate):
    """TestQuantityString: canonical form, its negative, and the alternate spelling."""
    q = Quantity(value, fmt)
    assert str(q) == expect
    assert str(Quantity.parse(expect)) == expect
    if value != 0:
        assert str(Quantity(-value, fmt)) == "-" + expect
    if alternate:
        assert str(Quantity.parse(alternate)) == expect


@pytest.mark.parametrize(("text", "expect"), PARSE_EMIT)
def test_parse_then_emit_is_canonical(text, expect):
    """TestQuantityParseEmit, and the same with a leading minus."""
    assert str(Quantity.parse(text)) == expect
    assert str(Quantity.parse("-" + text)) == "-" + expect


def test_sum_keeps_the_left_operands_format():
    """Quantity.Add keeps the receiver's format: 100m + 0 stays 100m, 0 + 1Gi prints 1Gi."""
    assert str(Quantity.parse("100m") + Quantity.parse("0")) == "100m"
    assert str(Quantity.parse("1Gi") + Quantity.parse("0")) == "1Gi"
    assert str(Quantity.parse("128Mi") + Quantity.parse("128Mi")) == "256Mi"


def test_yaml_numbers_are_quantities():
    """YAML gives `cpu: 1` as an int and `cpu: 0.5` as a float; both parse."""
    assert str(Quantity.parse(1)) == "1"
    assert str(Quantity.parse(0.5)) == "500m"
    with pytest.raises(QuantityError):
        Quantity.parse(True)


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=-9, max_value=6),
    st.sampled_from([D, B, E]),
)
def test_canonical_form_round_trips(mantissa, exp, fmt):
    """parse(str(q)) == q in value; once parsed, printing is a fixed point.

    The format may change on the first trip, as upstream: 10000 in BinarySI
    prints "10000", which parses as DecimalSI and then prints "10k". Values
    past 2^63-1 are left out: ParseQuantity caps BinarySI there ("The max is
    just a simple cap"), so they do not round-trip upstream either.
    """
    q = Quantity(dec(mantissa, exp), fmt)
    assume(abs(q.value) <= 2**63 - 1)
    again = Quantity.parse(str(q))
    assert again.value == q.value
    assert str(Quantity.parse(str(again))) == str(again)


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=0, max_value=2**40))
def test_addition_is_exact(a, b):
    """Milli-CPU sums never lose precision (no floats)."""
    qa, qb = Quantity(Fraction(a, 1000)), Quantity(Fraction(b, 1000))
    assert (qa + qb).milli() == a + b
