"""Graded puzzles, one per part of the book: symptoms only, a goal, hints that unfold.

A puzzle is data, `examples/debug/NN-name.yaml` (its README describes the
keys): the broken scenario, the fixed one, what the learner is shown, and
what the fix must reach. This module turns a puzzle into what a page or a
test needs: the symptom texts, computed from the simulation (so they cannot
drift from the simulator), and whether a scenario reaches the goal. The
live debug lab renders the same data in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from initlab.api.loader import examples_dir
from initlab.book.player import get_table
from initlab.kubectl import render_logs

#: examples/debug in a source checkout, initlab/examples/debug in the wheel (pip or the browser).
PUZZLES = examples_dir() / "debug"

#: What a symptom may show, and how it is read from a simulation at time t.
SHOWS = (
    "status",
    "logs",
    "logs-<container>",
    "phase-reason",
    "init-restart-policies",
    "event-reasons",
)


@dataclass(frozen=True)
class Puzzle:
    """One puzzle: the learner's view (`puzzle`), the two scenarios and the goal."""

    name: str
    puzzle: dict[str, Any]
    scenario: dict[str, Any]
    fixed: dict[str, Any]
    check: dict[str, Any]


def load(path: str | Path) -> Puzzle:
    """Read a puzzle file; a missing key is a `KeyError` naming it."""
    path = Path(path)
    doc = yaml.safe_load(path.read_text())
    return Puzzle(path.stem, doc["puzzle"], doc["scenario"], doc["fixed"], doc["check"])


def all_puzzles() -> list[Puzzle]:
    """Every puzzle the book ships, in part order."""
    return [load(p) for p in sorted(PUZZLES.glob("*.yaml"))]


def symptom(result: Any, shows: str, t: float) -> str:
    """What the learner sees for one symptom: `kubectl` output at simulated time `t`."""
    pod = result.pod_at(t)
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    if shows == "status":
        return get_table(result, t)
    if shows == "logs":
        return render_logs(result, t=t)
    if shows.startswith("logs-"):
        return render_logs(result, shows[len("logs-") :], t=t)
    if shows == "phase-reason":
        return f"{status.get('phase', '')} {status.get('reason', '')}".strip()
    if shows == "init-restart-policies":
        found = " ".join(
            c["restartPolicy"] for c in spec.get("initContainers") or [] if c.get("restartPolicy")
        )
        return found or "(prints nothing)"
    if shows == "event-reasons":
        return " ".join(dict.fromkeys(e["reason"] for e in result.events if e["t"] <= t))
    raise ValueError(f"unknown symptom {shows!r}; one of {', '.join(SHOWS)}")


def symptoms(p: Puzzle) -> list[tuple[str, str]]:
    """(command, what it shows) for each symptom of the broken scenario."""
    import initlab

    result = initlab.simulate(p.scenario)
    return [(s["command"], symptom(result, s["shows"], s["at"])) for s in p.puzzle["symptoms"]]


def reaches_goal(p: Puzzle, scenario: dict[str, Any]) -> bool:
    """Whether `scenario` shows the goal's STATUS and READY (and phase) at the goal's time."""
    import initlab

    result = initlab.simulate(scenario)
    snap = result.at(min(float(p.check["at"]), result.end))
    want = {k: p.check[k] for k in ("status", "ready", "phase") if k in p.check}
    return all(snap.get(k) == v for k, v in want.items())
