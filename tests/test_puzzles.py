"""The graded puzzles: the broken pod shows its symptoms and misses the goal; the fix reaches it."""

from __future__ import annotations

import pytest

from initlab.book import puzzles

ALL = puzzles.all_puzzles()
BOOK_PARTS = [
    "Foundations",
    "Failure and restart",
    "Sidecars, re-runs and resources",
    "Beyond the pod",
    "Debugging",
]


def test_one_puzzle_per_part():
    """Each numbered part of the book has exactly one puzzle, in order."""
    assert [p.puzzle["part"] for p in ALL] == BOOK_PARTS


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.name)
def test_puzzle_has_symptoms_a_goal_and_hints_that_unfold(p):
    """A lab-style puzzle: at least two symptoms, a goal, three or more hints, an answer."""
    assert len(p.puzzle["symptoms"]) >= 2
    assert p.puzzle["goal"] and p.puzzle["answer"]
    assert len(p.puzzle["hints"]) >= 3


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.name)
def test_the_broken_pod_misses_the_goal_and_the_fixed_one_reaches_it(p):
    """The puzzle is solvable, and not already solved."""
    assert not puzzles.reaches_goal(p, p.scenario)
    assert puzzles.reaches_goal(p, p.fixed)


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.name)
def test_every_symptom_is_computed_from_the_simulation(p):
    """Each symptom gives non-empty kubectl text (unknown kinds are an error)."""
    for command, shows in puzzles.symptoms(p):
        assert command.startswith("kubectl ")
        assert shows.strip(), command


def test_symptoms_read_as_the_learner_would_see_them():
    """Puzzle 1: STATUS Init:1/2 with RESTARTS 0; the bare `kubectl logs` is refused."""
    p = next(p for p in ALL if p.name.startswith("01-"))
    (_, table), (_, logs) = puzzles.symptoms(p)
    assert table.splitlines()[1].split()[:4] == ["web", "0/1", "Init:1/2", "0"]
    assert "is waiting to start: PodInitializing" in logs


def test_the_deadline_puzzle_shows_deadline_exceeded():
    """Puzzle 2: the phase and reason are Failed DeadlineExceeded."""
    p = next(p for p in ALL if p.name.startswith("02-"))
    assert puzzles.symptoms(p)[1][1] == "Failed DeadlineExceeded"


def test_an_unknown_symptom_kind_is_refused():
    """A typo in `shows` is an authoring error, named."""
    import initlab

    result = initlab.simulate(ALL[0].scenario)
    with pytest.raises(ValueError, match="unknown symptom 'stauts'"):
        puzzles.symptom(result, "stauts", 1)
