"""Resource quantities, parsed and printed exactly as apimachinery does.

Source: `k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`,
`CanonicalizeBytes`) and `amount.go` (`AsCanonicalBytes`,
`AsCanonicalBase1024Bytes`). Values are exact `Fraction`s, never floats.
Like apimachinery, a value is rounded up (away from zero) to a multiple of
1n, and a sum keeps the format of its left operand.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import total_ordering

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

FORMAT_MESSAGE = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
SUFFIX_MESSAGE = "unable to parse quantity's suffix"

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXP = {v: k for k, v in _DECIMAL.items()}
_BINARY_BY_EXP = {0: "", **{v: k for k, v in _BINARY.items()}}

_NUMBER = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$")
_EXPONENT = re.compile(r"^[eE]([+-]?[0-9]+)$")
_NANO = Fraction(1, 10**9)
#: `maxAllowed` in quantity.go: parsed BinarySI values are capped at 2^63-1.
MAX_ALLOWED = Fraction(2**63 - 1)


#: initlab's own bound (apimachinery has none): longer quantities are refused, not read.
#: With the exponent bound below it keeps every value's digits under Python's
#: 4,300-digit int/str conversion limit, and every parse and print linear.
MAX_LENGTH = 1000
TOO_LONG_MESSAGE = "a quantity of {} characters; initlab reads quantities of at most 1000"


class QuantityError(ValueError):
    """A string that apimachinery would refuse as a quantity."""


def _round_up_to_nano(value: Fraction) -> Fraction:
    if (value / _NANO).denominator == 1:
        return value
    scaled = value / _NANO
    whole = -((-abs(scaled.numerator)) // scaled.denominator)  # ceil of |x|
    return Fraction(whole if value > 0 else -whole) * _NANO


@total_ordering
class Quantity:
    """An exact resource quantity with apimachinery's canonical `str()`."""

    __slots__ = ("value", "format")

    def __init__(self, value: Fraction | int = 0, fmt: str = DECIMAL_SI) -> None:
        self.value = _round_up_to_nano(Fraction(value))
        self.format = fmt

    @classmethod
    def parse(cls, text: object) -> Quantity:
        """`resource.ParseQuantity`: accepts the strings (and plain numbers) YAML gives."""
        q = cls._parse(text)
        # "The max is just a simple cap." -- for BinarySI only, as upstream.
        if q.format == BINARY_SI and abs(q.value) > MAX_ALLOWED:
            q.value = MAX_ALLOWED if q.value > 0 else -MAX_ALLOWED
        # "This avoids rounding and hopefully confusion, too."
        if q.format == BINARY_SI and 0 < abs(q.value) < 1:
            q.format = DECIMAL_SI
        return q

    @classmethod
    def _parse(cls, text: object) -> Quantity:
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise QuantityError(FORMAT_MESSAGE)
        if isinstance(text, float):
            text = repr(text)
        s = str(text)
        if not s:
            raise QuantityError(FORMAT_MESSAGE)
        if len(s) > MAX_LENGTH:
            raise QuantityError(TOO_LONG_MESSAGE.format(len(s)))
        m = _NUMBER.match(s)
        if not m or not (m.group(2) or m.group(3)):
            raise QuantityError(FORMAT_MESSAGE)
        sign, whole, frac, suffix = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        if any(c not in "eEinumkKMGTP+-0123456789" for c in suffix):
            raise QuantityError(FORMAT_MESSAGE)
        number = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
        if sign == "-":
            number = -number
        if suffix in _BINARY:
            return cls(number * 2 ** _BINARY[suffix], BINARY_SI)
        if suffix in _DECIMAL:
            return cls(number * Fraction(10) ** _DECIMAL[suffix], DECIMAL_SI)
        e = _EXPONENT.match(suffix)
        if e:
            exp = int(e.group(1))
            if abs(exp) > 1000:
                raise QuantityError(SUFFIX_MESSAGE)
            return cls(number * Fraction(10) ** exp, DECIMAL_EXPONENT)
        raise QuantityError(SUFFIX_MESSAGE)

    # -- arithmetic (format of the left operand, as Quantity.Add) -------------
    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.format)

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(self.value - other.value, self.format)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self.value == other.value
        if isinstance(other, str):
            return self.value == Quantity.parse(other).value
        return NotImplemented

    def __lt__(self, other: Quantity) -> bool:
        return self.value < other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def is_zero(self) -> bool:
        return self.value == 0

    def milli(self) -> int:
        """`MilliValue`: the value in thousandths, rounded up."""
        return _ceil(self.value * 1000)

    def __float__(self) -> float:
        """The value as a float; beyond float's range, an infinity of the value's sign."""
        try:
            return float(self.value)
        except OverflowError:
            return float("inf") if self.value > 0 else float("-inf")

    # -- printing ------------------------------------------------------------
    def __str__(self) -> str:
        """`Quantity.String()` via `CanonicalizeBytes`."""
        fmt = self.format
        v = self.value
        if fmt == BINARY_SI:
            if -1024 < v < 1024 or v.denominator != 1:
                fmt = DECIMAL_SI
        if fmt == BINARY_SI:
            n, exp = int(v), 0
            while n != 0 and n % 1024 == 0:
                n //= 1024
                exp += 1
            if exp * 10 in _BINARY_BY_EXP:
                return f"{n}{_BINARY_BY_EXP[exp * 10]}"
            return f"{n * 1024 ** (exp - 6)}Ei"  # beyond the table: keep Ei
        if v == 0:
            return "0"
        # decimal: v = mantissa * 10**exp, mantissa without trailing zeros
        exp = 0
        m = v
        while m.denominator != 1:
            m *= 10
            exp -= 1
        n = int(m)
        while n % 10 == 0:
            n //= 10
            exp += 1
        shift = exp % 3
        n *= 10**shift
        exp -= shift
        if fmt == DECIMAL_EXPONENT:
            return f"{n}" if exp == 0 else f"{n}e{exp}"
        if exp in _DECIMAL_BY_EXP:
            return f"{n}{_DECIMAL_BY_EXP[exp]}"
        return f"{n}e{exp}"

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def parse(text: object) -> Quantity:
    """Shorthand for `Quantity.parse`."""
    return Quantity.parse(text)
