"""`kubectl get pod -w` of a simulated run, and the CLI's default trace.

Every row is `initlab.api.printers.print_pod` applied to the simulated Pod
object at that instant, so READY/STATUS/RESTARTS/AGE are by construction
what kubectl prints (`pkg/printers/internalversion/printers.go` `printPod`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from initlab.api.printers import HEADERS, print_pod, table_cell, tabwrite
from initlab.kubectl.describe import render_events
from initlab.kubelet.status import instant


def _fmt_t(t: float) -> int | float:
    return int(t) if float(t).is_integer() else t


def _rows(result: Any) -> Iterator[list[str]]:
    """`print_pod`'s cells per observed change, one at a time: a simulator Result's frames
    carry the cells the simulator printed when it took them (the same pod at the same
    instant), others are printed here; no list of every Pod is built."""
    frames = getattr(result, "frames", None)
    if frames is None:
        for snap, pod in zip(result.timeline, result.pods, strict=True):
            yield [table_cell(c) for c in print_pod(pod, instant(snap["t"])).cells()]
        return
    for frame in frames:
        cells = frame.cells
        if cells is None:
            cells = print_pod(frame.pod, instant(frame.snap["t"])).cells()
        yield [table_cell(c) for c in cells]


def render_watch(result: Any) -> str:
    """`kubectl get pod -w`: the header, then one line per observed change."""
    return tabwrite(itertools.chain([list(HEADERS)], _rows(result))) + "\n"


def render_trace(result: Any) -> str:
    """The CLI's default output: the `get -w` trace, then the describe Events at the end."""
    out = render_watch(result)
    out += "\n" + render_events(result, result.end)
    if result.capped:
        out += (
            f"\n# stopped at {_fmt_t(result.end)}s: the pod had not settled "
            "(set `until:` to simulate longer)\n"
        )
    elif getattr(result, "deleted_at", None) is not None:
        out += f"\n# pod deleted at {_fmt_t(result.deleted_at)}s\n"
    return out
