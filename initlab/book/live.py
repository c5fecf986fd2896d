"""What the book's "Edit and run" and debug lab call in the reader's browser (Pyodide).

The published book ships Pyodide and initlab's own wheel (`tools/pyodide_dist.py`).
When a reader edits a player's scenario and presses Run, the page's script
calls `run_json(text, prefix)` here: the real `initlab.simulate`, then the
same precomputation the kernel-free player does (`player.player_data`), so
the page gets data and never folds events or formats durations itself. The
debug lab's "Check my fix" calls `check_json(case_id, text)`.

The top of the book's runtime: built on the player (`initlab.book.player`)
and the debug lab (`initlab.book.debug`); nothing in the package imports it.
"""

from __future__ import annotations

import json
import math

from initlab.book.debug import case
from initlab.book.messages import one_line
from initlab.book.player import player_data
from initlab.book.svg import svg_timeline
from initlab.sim.simulator import simulate

__all__ = ["run_json", "check_json"]

#: A reader's YAML larger than this is refused before parsing (the page is not a file server).
MAX_SOURCE_BYTES = 256 * 1024


def run_json(text: str, prefix: str = "ilp") -> str:
    """Simulate a reader's YAML; JSON `{"data", "svg"}` for the player, or `{"error"}`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return json.dumps({"error": f"the scenario is larger than {MAX_SOURCE_BYTES} bytes"})
    if not text.strip():
        return json.dumps({"error": "the scenario is empty: paste a Pod manifest or a scenario"})
    try:
        # A trailing newline keeps load_scenario from reading one-line text as a path.
        result = simulate(text if text.endswith("\n") else text + "\n")
        data = player_data(result, source=text)
        svg = svg_timeline(result, 0.0, prefix=prefix)
    except Exception as e:  # noqa: BLE001 - the page shows one line, never a traceback
        return json.dumps({"error": one_line(e)})
    if not all(math.isfinite(s[0]) for s in data["snaps"]):
        return json.dumps({"error": "the run has a non-finite time"})
    return json.dumps({"data": data, "svg": svg}, ensure_ascii=False)


def check_json(case_id: str, text: str) -> str:
    """Grade a learner's manifest for a debug-lab case: JSON `{"passed", "message", "symptoms"}`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return json.dumps({"passed": False, "message": f"larger than {MAX_SOURCE_BYTES} bytes"})
    try:
        c = case(case_id)
        grade = c.grade(text)
        symptoms = c.symptoms(grade.result) if grade.result is not None else None
    except Exception as e:  # noqa: BLE001 - one line, never a traceback
        return json.dumps({"passed": False, "message": one_line(e)})
    return json.dumps(
        {"passed": grade.passed, "message": grade.message, "symptoms": symptoms},
        ensure_ascii=False,
    )
