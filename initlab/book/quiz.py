"""Quick checks for the chapters: self-contained HTML quizzes with feedback.

jupyterquiz would do, but its JavaScript loads MathJax from a CDN, and the
book must read offline. A `Quiz` renders to plain HTML carrying its own
style and script, read from the package files `assets/quiz.css` and
`assets/quiz.js` (no external URL, no require.js). Every string is
HTML-escaped; element ids come from a hash of the content, so re-running a
notebook gives identical output (nbval compares it) and two quizzes on one
page do not collide.

Choices are shuffled, with a seed taken from the question's own text: a
learner cannot learn "click the top one", and the same source always
builds the same page. In Python, `Quiz.check(i, answer)` gives the same
feedback as the page, so the checks are testable without a browser.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One answer and what the learner is told on picking it."""

    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    """A multiple-choice question (one or more correct choices), in the order shown."""

    prompt: str
    choices: tuple[Choice, ...]
    explanation: str = ""


@cache
def _asset(name: str) -> str:
    """The text of a package asset (`quiz.js`, `quiz.css`)."""
    return resources.files("initlab.book").joinpath("assets", name).read_text(encoding="utf-8")


def _seed(prompt: str, texts: list[str]) -> int:
    """A stable seed from the question's own words (same source, same page)."""
    digest = hashlib.sha256(json.dumps([prompt, texts]).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def shuffled(question: Question) -> Question:
    """The question with its choices in a seeded, reproducible order."""
    choices = list(question.choices)
    random.Random(_seed(question.prompt, [c.text for c in choices])).shuffle(choices)
    return Question(question.prompt, tuple(choices), question.explanation)


@dataclass
class Quiz:
    """A list of questions, shown as a clickable quiz in Jupyter and in the book."""

    questions: list[Question] = field(default_factory=list)
    title: str = "Quick check"

    def check(self, index: int, answer: int | str) -> tuple[bool, str]:
        """(correct?, feedback) for choosing `answer` (its shown index or its text) in question `index`."""
        q = self.questions[index]
        if isinstance(answer, str):
            matches = [i for i, c in enumerate(q.choices) if c.text == answer]
            if not matches:
                return False, f"not one of the choices: {answer!r}"
            answer = matches[0]
        choice = q.choices[answer]
        feedback = choice.feedback or ("Correct." if choice.correct else "Not quite.")
        return choice.correct, feedback

    def answer_positions(self) -> list[int]:
        """The shown index of each question's first correct choice."""
        return [next(i for i, c in enumerate(q.choices) if c.correct) for q in self.questions]

    def _id(self) -> str:
        payload = json.dumps(
            [self.title, [(q.prompt, [c.text for c in q.choices]) for q in self.questions]]
        )
        return "q" + hashlib.sha256(payload.encode()).hexdigest()[:12]

    def _repr_html_(self) -> str:
        qid = self._id()

        def e(text: str) -> str:
            """Escape, then show `backticked` spans as code (as the chapters write them)."""
            return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))

        parts = [
            f"<style>{_asset('quiz.css')}</style>",
            f'<div class="initlab-quiz" id="{qid}">',
            f'<div class="title">{e(self.title)}</div>',
        ]
        for qi, q in enumerate(self.questions):
            parts.append(f'<div class="q"><div>{e(q.prompt)}</div>')
            for ci, c in enumerate(q.choices):
                parts.append(
                    f'<button type="button" data-q="{qi}" data-c="{ci}" '
                    f'data-ok="{int(c.correct)}" data-fb="{html.escape(self.check(qi, ci)[1])}">'
                    f"{e(c.text)}</button>"
                )
            if q.explanation:
                parts.append(f'<div class="why" data-q="{qi}">{e(q.explanation)}</div>')
            parts.append(f'<div class="fb" data-q="{qi}" role="status" aria-live="polite"></div>')
            parts.append("</div>")
        parts.append("</div>")
        parts.append(f"<script>{_asset('quiz.js')}</script>")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"<Quiz {self.title!r}: {len(self.questions)} question(s)>"


def quiz(
    questions: list[dict[str, Any]], title: str = "Quick check", *, shuffle: bool = True
) -> Quiz:
    """Build a Quiz from plain dicts; choices are shuffled (seeded) unless `shuffle=False`.

    Each question: `{"q": prompt, "choices": [text | {"text", "correct", "feedback"}],
    "answer": index (optional shorthand for the correct choice, in authored order),
    "explain": text}`. A question whose choices have a natural order (times, counts)
    can keep it with `"ordered": True`.
    """
    out = []
    for i, raw in enumerate(questions):
        choices = []
        for j, c in enumerate(raw["choices"]):
            if isinstance(c, str):
                c = {"text": c}
            correct = bool(c.get("correct", False)) or raw.get("answer") == j
            choices.append(Choice(str(c["text"]), correct, str(c.get("feedback", ""))))
        if not any(c.correct for c in choices):
            raise ValueError(f"question {i} has no correct choice")
        q = Question(str(raw["q"]), tuple(choices), str(raw.get("explain", "")))
        out.append(shuffled(q) if shuffle and not raw.get("ordered") else q)
    return Quiz(out, title)
