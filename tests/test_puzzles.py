"""The graded puzzles, one per part of the book, as debug-lab cases (initlab/book/debug_cases).

The lab's own tests (test_debug.py) check that each broken manifest fails its
grade and its fix passes; these check what makes them the book's puzzles: one
per part, hints that unfold, and symptoms that show what each title promises.
"""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml

from initlab.book.debug import case

BOOK_PARTS = [
    "Foundations",
    "Failure and restart",
    "Sidecars, re-runs and resources",
    "Beyond the pod",
    "Debugging",
]


def _parts() -> dict[str, str]:
    """case id -> its `part:` key, for the cases that are a part's puzzle."""
    folder = files("initlab.book") / "debug_cases"
    out = {}
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.endswith(".yaml"):
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
            if "part" in raw:
                out[p.name.removesuffix(".yaml")] = raw["part"]
    return out


PUZZLES = _parts()


def test_one_puzzle_per_part_in_order():
    """Each numbered part of the book has exactly one puzzle, in the book's order."""
    assert list(PUZZLES.values()) == BOOK_PARTS


@pytest.mark.parametrize("case_id", sorted(PUZZLES))
def test_puzzle_gives_a_goal_and_at_least_three_hints(case_id):
    """A lab-style puzzle: a goal, and hints to unfold one by one."""
    c = case(case_id)
    assert c.goal and c.explain
    assert len(c.hints) >= 3


def _row(case_id: str) -> list[str]:
    return case(case_id).symptoms()["get"].splitlines()[2].split()


def test_part1_second_init_container_waits_without_restarts():
    """Foundations: STATUS Init:1/2 with RESTARTS 0; the log names what it waits for."""
    assert _row("part1-which-init-waits")[1:4] == ["0/1", "Init:1/2", "0"]
    assert "waiting for cache" in case("part1-which-init-waits").symptoms()["logs"]


def test_part2_deadline_fails_the_pod_during_back_off():
    """Failure and restart: describe names DeadlineExceeded."""
    describe = case("part2-deadline-too-short").symptoms()["describe"]
    lines = describe.splitlines()
    assert "Status:       Failed" in lines and "Reason:       DeadlineExceeded" in lines


def test_part3_regular_init_helper_blocks_the_pod():
    """Sidecars: Init:0/2 for ever, RESTARTS 0."""
    assert _row("part3-helper-never-exits")[1:4] == ["0/1", "Init:0/2", "0"]


def test_part4_dropped_sidecar_leaves_the_pod_at_init_1_of_2():
    """Beyond the pod: Init:1/2, READY 0/1 (a regular init container is not counted)."""
    assert _row("part4-webhook-dropped-sidecar")[1:3] == ["0/1", "Init:1/2"]


def test_part5_status_without_init_prefix_is_about_the_app():
    """Debugging: the pull error is the app's, after every init container completed."""
    status = _row("part5-app-image-after-init")[2]
    assert status in ("ErrImagePull", "ImagePullBackOff")
    assert not status.startswith("Init:")
