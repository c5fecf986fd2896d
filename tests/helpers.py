"""Test helpers shared across test modules: repository paths and the folded STATUS column."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The example scenarios and their golden outputs.
EXAMPLES = ROOT / "examples"


def folded(values: Iterable[str]) -> list[str]:
    """`values` with consecutive repeats folded into one."""
    out: list[str] = []
    for v in values:
        if not out or out[-1] != v:
            out.append(v)
    return out


def statuses(result: Any) -> list[str]:
    """A run's STATUS column as `kubectl get -w` prints it: consecutive repeats folded."""
    return folded(s["status"] for s in result.timeline)
