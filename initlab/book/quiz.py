"""Quick checks for the chapters: self-contained HTML quizzes with feedback.

jupyterquiz would do, but its JavaScript loads MathJax from a CDN, and the
book must read offline. A `Quiz` renders to plain HTML with a few lines of
inline JavaScript (no external URL, no require.js); every string is
HTML-escaped; element ids come from a hash of the content, so re-running a
notebook gives identical output (nbval compares it) and two quizzes on one
page do not collide. In Python, `Quiz.check(i, answer)` gives the same
feedback, so the checks are testable without a browser.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One answer and what the learner is told on picking it."""

    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    """A multiple-choice question (one or more correct choices)."""

    prompt: str
    choices: tuple[Choice, ...]
    explanation: str = ""


@dataclass
class Quiz:
    """A list of questions, shown as a clickable quiz in Jupyter and in the book."""

    questions: list[Question] = field(default_factory=list)
    title: str = "Quick check"

    def check(self, index: int, answer: int | str) -> tuple[bool, str]:
        """(correct?, feedback) for choosing `answer` (its index or its text) in question `index`."""
        q = self.questions[index]
        if isinstance(answer, str):
            matches = [i for i, c in enumerate(q.choices) if c.text == answer]
            if not matches:
                return False, f"not one of the choices: {answer!r}"
            answer = matches[0]
        choice = q.choices[answer]
        feedback = choice.feedback or ("Correct." if choice.correct else "Not quite.")
        return choice.correct, feedback

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
            f'<div class="initlab-quiz" id="{qid}" style="border:1px solid #bbb;'
            'border-radius:6px;padding:0.6em 1em;margin:1em 0;font-family:sans-serif">',
            f'<div style="font-weight:bold;margin-bottom:0.4em">{e(self.title)}</div>',
        ]
        for qi, q in enumerate(self.questions):
            parts.append(f'<div class="q" style="margin:0.6em 0"><div>{e(q.prompt)}</div>')
            for ci, c in enumerate(q.choices):
                parts.append(
                    f'<button type="button" data-q="{qi}" data-c="{ci}" '
                    f'data-ok="{int(c.correct)}" data-fb="{html.escape(self.check(qi, ci)[1])}" '
                    'style="display:block;margin:0.25em 0;padding:0.3em 0.6em;text-align:left;'
                    f'cursor:pointer;border:1px solid #999;border-radius:4px;background:#f7f7f7">'
                    f"{e(c.text)}</button>"
                )
            if q.explanation:
                parts.append(
                    f'<div class="why" data-q="{qi}" style="display:none;color:#444">'
                    f"{e(q.explanation)}</div>"
                )
            parts.append(f'<div class="fb" data-q="{qi}" role="status" aria-live="polite"></div>')
            parts.append("</div>")
        parts.append("</div>")
        parts.append(
            "<script>(function(){"
            f'var root=document.getElementById("{qid}");if(!root)return;'
            'root.querySelectorAll("button").forEach(function(b){'
            'b.addEventListener("click",function(){var q=b.getAttribute("data-q");'
            'var ok=b.getAttribute("data-ok")==="1";'
            "var fb=root.querySelector('.fb[data-q=\"'+q+'\"]');"
            'fb.textContent=(ok?"\\u2714 ":"\\u2718 ")+b.getAttribute("data-fb");'
            'fb.style.color=ok?"#006d2c":"#a50f15";'
            'b.style.background=ok?"#d9f0d3":"#fde0dd";'
            "if(ok){var w=root.querySelector('.why[data-q=\"'+q+'\"]');"
            'if(w)w.style.display="block";}});});})();</script>'
        )
        return "".join(parts)

    def __repr__(self) -> str:
        return f"<Quiz {self.title!r}: {len(self.questions)} question(s)>"


def quiz(questions: list[dict[str, Any]], title: str = "Quick check") -> Quiz:
    """Build a Quiz from plain dicts.

    Each question: `{"q": prompt, "choices": [text | {"text", "correct", "feedback"}],
    "answer": index (optional shorthand for the correct choice), "explain": text}`.
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
        out.append(Question(str(raw["q"]), tuple(choices), str(raw.get("explain", ""))))
    return Quiz(out, title)
