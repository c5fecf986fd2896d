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
    q = quiz(QUESTIONS, shuffle=False)
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


def test_shuffled_choices_keep_their_feedback():
    """Shuffling moves choices, never their correctness or feedback."""
    q = quiz(QUESTIONS)
    assert q.check(0, "Failed") == (True, "Never: one init failure fails the pod.")
    assert q.check(0, "Running") == (False, "Not quite.")
    assert sorted(c.text for c in q.questions[0].choices) == ["Failed", "Pending", "Running"]


def test_shuffle_is_reproducible():
    """The same source builds the same order, so notebook outputs do not drift."""
    assert quiz(QUESTIONS).answer_positions() == quiz(QUESTIONS).answer_positions()
    assert quiz(QUESTIONS)._repr_html_() == quiz(QUESTIONS)._repr_html_()


def test_answer_positions_are_spread():
    """Thirty questions authored with the answer first do not all show it first."""
    many = [
        {"q": f"question {i}?", "choices": ["yes", "no", "maybe"], "answer": 0} for i in range(30)
    ]
    positions = quiz(many).answer_positions()
    assert set(positions) == {0, 1, 2}
    assert positions.count(0) <= 15


def test_ordered_questions_keep_their_order():
    """A question marked ordered (times, counts) is shown as authored."""
    q = quiz([{"q": "wait?", "choices": ["0 s", "10 s", "20 s"], "answer": 1, "ordered": True}])
    assert [c.text for c in q.questions[0].choices] == ["0 s", "10 s", "20 s"]
    assert q.answer_positions() == [1]


def test_style_and_script_come_from_the_package_files():
    """The page carries quiz.css and quiz.js verbatim, and nothing points outside it."""
    from importlib import resources

    page = quiz(QUESTIONS)._repr_html_()
    assets = resources.files("initlab.book").joinpath("assets")
    assert assets.joinpath("quiz.css").read_text() in page
    assert assets.joinpath("quiz.js").read_text() in page
    assert "</script" not in assets.joinpath("quiz.js").read_text()
