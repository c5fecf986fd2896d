"""The chapters' quick checks: feedback in Python and self-contained HTML."""

from __future__ import annotations

import re

import pytest

from initlab.book.quiz import quiz

QUESTIONS = [
    {
        "q": "With restartPolicy: Never, an init container exits 1. The pod phase becomes?",
        "choices": [
            {
                "text": "Failed",
                "correct": True,
                "feedback": "Never: one init failure fails the pod.",
            },
            {
                "text": "Pending",
                "feedback": "That is what Always/OnFailure give while it restarts.",
            },
            "Running",
        ],
        "explain": "computeInitContainerActions kills the pod when the policy is Never.",
    },
    {"q": "First restart after a crash waits?", "choices": ["0 s", "10 s", "300 s"], "answer": 0},
]


def test_check_gives_the_choices_feedback():
    """Picking by index or text says whether it is right, with its feedback."""
    q = quiz(QUESTIONS)
    assert q.check(0, 0) == (True, "Never: one init failure fails the pod.")
    assert q.check(0, "Pending") == (
        False,
        "That is what Always/OnFailure give while it restarts.",
    )
    assert q.check(1, "0 s") == (True, "Correct.")
    assert q.check(1, 2) == (False, "Not quite.")


def test_a_question_without_a_correct_choice_is_refused():
    """A quiz nobody can pass is an authoring error."""
    with pytest.raises(ValueError, match="no correct choice"):
        quiz([{"q": "?", "choices": ["a", "b"]}])


def test_html_is_self_contained_and_escaped():
    """No external URL; user strings are escaped; ids are stable across runs."""
    hostile = [{"q": "<script>alert(1)</script>", "choices": ["<b>x</b>"], "answer": 0}]
    page = quiz(hostile)._repr_html_()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert quiz(QUESTIONS)._repr_html_() == quiz(QUESTIONS)._repr_html_()
    assert quiz(QUESTIONS)._repr_html_() != quiz(QUESTIONS[:1])._repr_html_()


def test_backticked_spans_render_as_code_after_escaping():
    """`kubectl logs` shows as code; a backticked `<b>` is still escaped."""
    page = quiz(
        [{"q": "Run `kubectl logs` on `<b>`", "choices": ["ok"], "answer": 0}]
    )._repr_html_()
    assert "<code>kubectl logs</code>" in page and "<code>&lt;b&gt;</code>" in page
