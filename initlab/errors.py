"""Errors in Kubernetes' own shape.

A `FieldError` renders exactly like apimachinery's `field.Error.Error()`
(`k8s.io/apimachinery/pkg/util/validation/field/errors.go`), so that a
learner sees the words the API server would print.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: ErrorType.String() values from apimachinery field/errors.go.
REQUIRED = "Required value"
INVALID = "Invalid value"
NOT_SUPPORTED = "Unsupported value"
DUPLICATE = "Duplicate value"
FORBIDDEN = "Forbidden"
NOT_FOUND = "Not found"
TOO_LONG = "Too long"
TOO_MANY = "Too many"
TYPE_INVALID = "Invalid type"

# Types whose ErrorBody never prints the bad value (field/errors.go ErrorBody).
_NO_VALUE_TYPES = {REQUIRED, FORBIDDEN, TOO_LONG, "Internal error"}

_OMIT = object()


#: The longest bad value an error quotes in full; longer ones are cut, with their length.
MAX_QUOTED = 256


def bounded(text: str, limit: int = MAX_QUOTED) -> str:
    """`text`, or its first `limit` characters and how many there were: an error stays short."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def _go_value(value: Any) -> str:
    """Format a bad value the way ErrorBody does (`%q` for strings, `%d`, JSON-ish otherwise).

    A value longer than `MAX_QUOTED` characters is quoted by its prefix only.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(bounded(value), ensure_ascii=False)
    if isinstance(value, int):
        if abs(value) < 10**MAX_QUOTED:
            return str(value)
        return f"{'-' if value < 0 else ''}(an integer of more than {MAX_QUOTED} digits)"
    if value is None:
        return "null"
    return bounded(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


@dataclass(frozen=True)
class FieldError:
    """One validation problem: field path, type string, bad value, detail."""

    field: str
    type: str
    detail: str = ""
    bad_value: Any = _OMIT

    def body(self) -> str:
        """apimachinery `ErrorBody`: type, then the bad value unless omitted, then the detail."""
        s = self.type
        if self.type not in _NO_VALUE_TYPES and self.bad_value is not _OMIT:
            s = f"{s}: {_go_value(self.bad_value)}"
        if self.detail:
            s = f"{s}: {self.detail}"
        return s

    def __str__(self) -> str:
        """One line, whatever the field path or value holds (see `one_line`)."""
        return one_line(f"{bounded(self.field, 4 * MAX_QUOTED)}: {self.body()}")

    def to_json(self) -> dict[str, str]:
        """The CLI's `-o json` shape: field, type, detail (the detail includes the bad value)."""
        detail = self.body()[len(self.type) :].removeprefix(": ")
        return {"field": self.field, "type": self.type, "detail": detail}


#: C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators
#: (U+2028, U+2029), which terminals and editors may also break a line on.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Escape control characters (newlines included) as JSON would: one problem, one line."""
    return _CONTROL.sub(lambda m: json.dumps(m.group())[1:-1], text)


class InitlabError(Exception):
    """Base class for errors the CLI turns into a clean message."""

    exit_code = 2


class InputError(InitlabError):
    """Unusable input: unreadable, not YAML/JSON, too large, no pod in it (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, field: str = "") -> None:
        # Messages quote untrusted text (a value, a key): keep them on one line, and short.
        message, field = one_line(bounded(message, 4 * MAX_QUOTED)), one_line(bounded(field))
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidError(InitlabError):
    """An object the API server would reject (exit 1); carries every FieldError."""

    exit_code = 1

    def __init__(self, errors: list[FieldError], kind: str = "Pod", name: str = "") -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
        self.kind = kind
        self.name = name
