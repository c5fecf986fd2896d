"""The built book in a real browser: every page loads offline and clean, and it is interactive.

The book is built once (``browser_support.built_site``), served from a thread
on 127.0.0.1 and read by Debian chromium through playwright. Every request to
any other host is aborted and reported: a classroom without a network must
get the same book. Pages, players, quizzes and exercise solutions are
discovered from the build output, so the tests cover every chapter in
``_toc.yml`` without naming them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_support
import pytest
import yaml
from browser_support import (
    ROOT,
    Watch,
    built_site,
    once,
    require_chromium,
    serve,
    site_pages,
)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SELECTORS = {
    "players": ".initlab-player",
    "quizzes": ".initlab-quiz",
    "solutions": ".solution.dropdown",
}
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

# Problems a page may show that the book cannot avoid. Each entry: a pattern
# matched against Watch.problems() lines, and why it is acceptable.
ALLOWED: tuple[re.Pattern[str], ...] = (
    # (empty: nothing the book cannot avoid has turned up. Add with a reason.)
)


# JupyterLite asks for a favicon at the server root, which a book need not have.
ALLOWED_LITE: tuple[re.Pattern[str], ...] = (
    *ALLOWED,
    re.compile(r"(404 .*|status of 404 .*)/favicon\.ico"),
)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The strictly built book's HTML folder."""
    require_chromium()
    return built_site(tmp_path_factory)


@pytest.fixture(scope="module")
def origin(site: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT serving the built book."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def inventory(site: Path) -> dict[str, dict[str, int]]:
    """page -> how many players, quizzes and dropdown solutions its HTML holds."""
    out = {}
    for rel in site_pages(site):
        html = (site / rel).read_text(encoding="utf-8")
        out[rel] = {
            "players": len(re.findall(r'<div class="initlab-player"', html)),
            "quizzes": len(re.findall(r'<div class="initlab-quiz"', html)),
            "solutions": len(re.findall(r'class="solution dropdown\b', html)),
        }
    return out


def _open(browser: Any, origin: str, rel: str) -> tuple[Any, Any, Watch]:
    """A fresh context (a first-time reader: empty storage) on page `rel`, watched."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, origin)
    page.goto(f"{origin}/{rel}", wait_until="networkidle")
    return context, page, watch


def _pages_with(inventory: dict[str, dict[str, int]], kind: str) -> list[str]:
    return [rel for rel, counts in inventory.items() if counts[kind]]


def _status(get_text: str) -> str:
    """The STATUS column of a `$ kubectl get pod` block (command line, header, row)."""
    lines = [line for line in get_text.splitlines() if line.strip()]
    header = next(i for i, line in enumerate(lines) if line.startswith("NAME"))
    head, row = lines[header], lines[header + 1]
    start, end = head.index("STATUS"), head.index("RESTARTS")
    return row[start:end].strip()


# --- the site as a whole ------------------------------------------------------------


def test_site_has_the_expected_pages(site: Path) -> None:
    """The front page, search, index and at least one chapter are built."""
    pages = site_pages(site)
    for rel in ("index.html", "book/intro.html", "search.html", "genindex.html"):
        assert rel in pages
    assert [p for p in pages if p.startswith("notebooks/")]


def test_book_has_players_quizzes_and_solutions(inventory: dict[str, dict[str, int]]) -> None:
    """The chapters carry at least one kernel-free player, one quiz and one dropdown solution."""
    totals = {k: sum(c[k] for c in inventory.values()) for k in ("players", "quizzes", "solutions")}
    assert totals["players"] >= 1, totals
    assert totals["quizzes"] >= 1, totals
    assert totals["solutions"] >= 1, totals


def _check_player(page: Any, player: Any, play: bool, label: str) -> list[str]:
    """Step until `kubectl get` changes, step back, slide to the end, (optionally) play."""
    errors = []
    get = player.locator("pre.ilp-get")
    clock = player.locator(".ilp-time")
    slider = player.locator("input.ilp-slider")
    cursor = player.locator("svg line.cursor")
    last = int(slider.get_attribute("max") or 0)
    text0 = get.inner_text()
    if not text0.startswith("$ kubectl get pod "):
        return [f"{label}: the get block is not a kubectl get: {text0[:80]!r}"]
    if last < 1:
        return [f"{label}: only one snapshot, nothing to step through"]
    if not re.search(r"\(1/\d+\)", clock.inner_text()):
        errors.append(f"{label}: clock does not start at snapshot 1: {clock.inner_text()!r}")
    x0 = cursor.get_attribute("x1")
    before, text = text0, text0
    steps = 0
    while text == text0 and steps < last:
        before = text
        player.locator("button.ilp-step").click()
        steps += 1
        text = get.inner_text()
        if slider.input_value() != str(steps):
            errors.append(f"{label}: after {steps} step(s) the slider is at {slider.input_value()}")
            break
    if text == text0:
        return [*errors, f"{label}: kubectl get never changed over {steps} steps"]
    if f"({steps + 1}/" not in clock.inner_text():
        errors.append(f"{label}: clock says {clock.inner_text()!r} after {steps} step(s)")
    status_before, status_after = _status(before), _status(text)
    player.locator("button.ilp-back").click()
    if get.inner_text() != before:
        shown = _status(get.inner_text())
        errors.append(f"{label}: back did not restore {status_before!r} (shows {shown!r})")
    if slider.input_value() != str(steps - 1):
        errors.append(f"{label}: back left the slider at {slider.input_value()}")
    if not status_after:
        errors.append(f"{label}: empty STATUS after stepping")
    slider.fill(str(last))  # drag to the end: the cursor moves to the last snapshot's time
    if f"({last + 1}/{last + 1})" not in clock.inner_text():
        errors.append(f"{label}: slider at the end, clock says {clock.inner_text()!r}")
    if not clock.inner_text().startswith("t = 0s") and cursor.get_attribute("x1") == x0:
        errors.append(f"{label}: the timeline cursor did not move")
    if play:
        slider.fill("0")
        at = 0
        player.locator("button.ilp-play").click()
        try:
            page.wait_for_function(
                "([el, at]) => +el.value > at",
                arg=[slider.element_handle(), at],
                timeout=5000,
            )
        except Exception:  # noqa: BLE001
            errors.append(f"{label}: play did not advance the slider from {at}")
        player.locator("button.ilp-play").click()  # pause
    return errors


def _check_quiz_question(q: Any, label: str) -> list[str]:
    """A wrong choice gives ✘ feedback; a correct one ✔ in green and the explanation."""
    errors = []
    fb = q.locator(".fb")
    if fb.inner_text().strip():
        errors.append(f"{label}: feedback shown before any answer")
    wrong = q.locator('button[data-ok="0"]')
    if wrong.count():
        wrong.first.click()
        if not fb.inner_text().startswith("✘"):
            errors.append(f"{label}: a wrong choice gave {fb.inner_text()!r}")
    right = q.locator('button[data-ok="1"]')
    if not right.count():
        return [*errors, f"{label}: no correct choice"]
    right.first.click()
    text = fb.inner_text()
    color = fb.evaluate("el => getComputedStyle(el).color")
    if not text.startswith("✔") or len(text) < 3:
        errors.append(f"{label}: a correct choice gave {text!r}")
    if color != "rgb(0, 109, 44)":
        errors.append(f"{label}: correct feedback is not green ({color})")
    why = q.locator(".why")
    if why.count() and not why.first.is_visible():
        errors.append(f"{label}: the explanation stays hidden after a right answer")
    return errors


def _check_solution(sol: Any, label: str) -> list[str]:
    """Folded at first; the chevron unfolds it; a click on the title's own text folds it."""
    sol.locator(".toggle-button").wait_for(timeout=5000)  # added by togglebutton.js
    body = sol.locator(":scope > :not(.admonition-title)").first
    if not body.count():
        return [f"{label}: empty solution"]
    if body.is_visible():
        return [f"{label}: solution visible before unfolding"]
    sol.locator(".toggle-button").click()
    try:
        body.wait_for(state="visible", timeout=5000)
    except Exception:  # noqa: BLE001
        return [f"{label}: solution still hidden after a click on its toggle button"]
    if not body.inner_text().strip():
        return [f"{label}: solution shows no text"]
    # The title's left padding: the title element itself, not its link to the exercise.
    sol.locator(":scope > .admonition-title").click(position={"x": 2, "y": 8})
    try:
        body.wait_for(state="hidden", timeout=5000)
    except Exception:  # noqa: BLE001
        return [f"{label}: a click on the solution's title did not fold it again"]
    return []


def _tour_page(
    browser: Any, origin: str, rel: str, expected: dict[str, int]
) -> dict[str, list[str]]:
    """Load `rel` as a first-time reader, then drive every player, quiz and solution on it.

    Returns problems by kind: "load" (network, console, widgets), "players",
    "quizzes", "solutions". One visit per page keeps the module fast.
    """
    out: dict[str, list[str]] = {"load": [], "players": [], "quizzes": [], "solutions": []}
    context, page, watch = _open(browser, origin, rel)

    def attempt(kind: str, check: Any, *args: Any) -> None:
        try:
            out[kind] += check(*args)
        except Exception as exc:  # noqa: BLE001 - report every page, not the first failure
            out[kind].append(f"{args[-1]}: {type(exc).__name__}: {str(exc).splitlines()[0]}")

    try:
        page.wait_for_load_state("load")
        out["load"] += watch.problems(ALLOWED)
        watch.clear()
        for kind, selector in SELECTORS.items():
            if page.locator(selector).count() != expected[kind]:
                out[kind].append(
                    f"{page.locator(selector).count()} in the browser, {expected[kind]} in the HTML"
                )
        players = page.locator(".initlab-player")
        for k in range(players.count()):
            players.nth(k).scroll_into_view_if_needed()
            attempt("players", _check_player, page, players.nth(k), k == 0, f"player {k + 1}")
        questions = page.locator(".initlab-quiz .q")
        for k in range(questions.count()):
            attempt("quizzes", _check_quiz_question, questions.nth(k), f"question {k + 1}")
        solutions = page.locator(".solution.dropdown")
        for k in range(solutions.count()):
            attempt("solutions", _check_solution, solutions.nth(k), f"solution {k + 1}")
        # Errors raised while clicking (a page error in a handler) count against the page.
        out["load"] += [f"while interacting: {p}" for p in watch.problems(ALLOWED)]
    finally:
        context.close()
    return out


@pytest.fixture(scope="module")
def tour(
    browser: Any,
    origin: str,
    site: Path,
    inventory: dict[str, dict[str, int]],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, list[str]]]:
    """Every page visited once in chromium (once per run, whatever the xdist split): problems."""

    def visit(_shared: Path) -> dict[str, dict[str, list[str]]]:
        return {rel: _tour_page(browser, origin, rel, inventory[rel]) for rel in site_pages(site)}

    return once(tmp_path_factory, "tour", visit)


def _problems(tour: dict[str, dict[str, list[str]]], kind: str) -> str:
    return "\n".join(f"{rel}: {p}" for rel, kinds in tour.items() for p in kinds[kind])


def test_every_page_loads_offline_with_no_error(tour: dict[str, dict[str, list[str]]]) -> None:
    """Each page loads from 127.0.0.1 alone, with no console error, failed request or page error."""
    assert not _problems(tour, "load"), _problems(tour, "load")


def test_every_player_steps_forward_and_back(
    tour: dict[str, dict[str, list[str]]], inventory: dict[str, dict[str, int]]
) -> None:
    """Each player's step changes the kubectl get line, back restores it, slider and play move."""
    assert _pages_with(inventory, "players"), "no page has a kernel-free player (initlab.player)"
    assert not _problems(tour, "players"), _problems(tour, "players")


def test_every_quiz_gives_feedback(
    tour: dict[str, dict[str, list[str]]], inventory: dict[str, dict[str, int]]
) -> None:
    """In each quiz question a wrong choice says ✘, a correct one ✔ in green."""
    assert _pages_with(inventory, "quizzes"), "no page has a quiz (initlab.book.quiz)"
    assert not _problems(tour, "quizzes"), _problems(tour, "quizzes")


def test_every_exercise_solution_unfolds(
    tour: dict[str, dict[str, list[str]]], inventory: dict[str, dict[str, int]]
) -> None:
    """Each dropdown solution starts folded, unfolds from its toggle, folds from its title."""
    assert _pages_with(inventory, "solutions"), "no page has a dropdown exercise solution"
    assert not _problems(tour, "solutions"), _problems(tour, "solutions")


def test_search_finds_crashloopbackoff(browser: Any, origin: str) -> None:
    """search.html, run in the browser from searchindex.js, finds CrashLoopBackOff."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, origin)
    try:
        page.goto(f"{origin}/search.html?q=CrashLoopBackOff", wait_until="networkidle")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for()
        links = [
            results.nth(k).locator("a").first.get_attribute("href") for k in range(results.count())
        ]
        summary = page.locator("#search-results").inner_text()
    finally:
        context.close()
    assert links
    assert any("glossary" in (h or "") for h in links), links
    assert "CrashLoopBackOff" in summary
    assert not watch.problems(ALLOWED), "\n".join(watch.problems(ALLOWED))


def test_screenshots_of_two_chapters(browser: Any, origin: str, site: Path) -> None:
    """Full-page screenshots of the first two chapters go to artifacts/screenshots/."""
    chapters = [p for p in site_pages(site) if p.startswith("notebooks/")][:2]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for rel in chapters:
        context, page, _watch = _open(browser, origin, rel)
        try:
            page.wait_for_function("() => document.fonts.status === 'loaded'")
            out = SCREENSHOTS / (Path(rel).stem + ".png")
            page.screenshot(path=str(out), full_page=True)
            saved.append(out)
        finally:
            context.close()
    assert all(p.stat().st_size > 10_000 for p in saved)
    assert len(saved) == 2, f"only {len(saved)} chapter(s) in the book: {chapters}"


# --- live: the real initlab in the page --------------------------------------------

LIVE_TIMEOUT_MS = 90_000


def _fail_first_init(source: str) -> tuple[str, str] | None:
    """The player's YAML with restartPolicy Never and its first init container failing
    (with no init container: every app container failing).

    Returns (new YAML, the STATUS the run must end with), or None for a source
    that is not a Pod scenario (a workload cannot have restartPolicy Never).
    """
    docs = [d for d in yaml.safe_load_all(source) if d is not None]
    if not docs or not isinstance(docs[0], dict):
        return None
    doc = docs[0]
    if "pod" not in doc:
        if doc.get("kind") != "Pod":
            return None
        doc = {"pod": doc}
    spec = doc["pod"].setdefault("spec", {})
    spec["restartPolicy"] = "Never"
    spec.pop("activeDeadlineSeconds", None)
    inits = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") != "Always"]
    behavior = doc.get("behavior") or {}
    doc["behavior"] = behavior
    if inits:  # the first init container fails: the pod fails before any app container
        behavior[inits[0]["name"]] = [{"run": 1, "exit": 1}]
        status = "Init:Error"
    else:  # no init step: every app container fails
        for c in spec.get("containers") or []:
            behavior[c["name"]] = [{"run": 1, "exit": 1}]
        status = "Error"
    doc.pop("events", None)
    doc["until"] = 120
    return yaml.safe_dump(doc, sort_keys=False), status


def _edit_and_run(page: Any, player: Any, label: str) -> list[str]:
    """Edit and run: fail the first init container under restartPolicy Never; read the result."""
    player.locator("button.ilp-edit").click()
    area = player.locator("textarea.ilp-yaml")
    changed = _fail_first_init(area.input_value())
    if changed is None:
        return [f"{label}: its scenario is not a Pod scenario"]
    text, want = changed
    area.fill(text)
    player.locator("button.ilp-run").click()
    status = player.locator(".ilp-status")
    page.wait_for_function(
        "el => el.textContent.startsWith('Simulated') || el.classList.contains('ilp-error')",
        arg=status.element_handle(),
        timeout=LIVE_TIMEOUT_MS,
    )
    if not status.inner_text().startswith("Simulated"):
        return [f"{label}: Run said {status.inner_text()!r}"]
    errors = []
    player.locator("button.ilp-view[data-view=watch]").click()
    player.locator("input.ilp-slider").fill(player.locator("input.ilp-slider").get_attribute("max"))
    rows = player.locator("pre.ilp-events").inner_text().splitlines()[2:]
    statuses = [r.split()[2] for r in rows if len(r.split()) > 2]
    if not statuses or statuses[-1] != want or want not in status.inner_text():
        errors.append(f"{label}: STATUS sequence {statuses} does not end in {want}")
    if "Init:CrashLoopBackOff" in statuses or "CrashLoopBackOff" in statuses:
        errors.append(f"{label}: restartPolicy Never yet a crash loop: {statuses}")
    player.locator("button.ilp-view[data-view=describe]").click()
    describe = player.locator("pre.ilp-events").inner_text()
    if not re.search(r"^Status:\s+Failed$", describe, re.M):
        errors.append(f"{label}: describe does not say Status: Failed")
    area.fill("pod: [1")
    player.locator("button.ilp-run").click()
    page.wait_for_function(
        "el => el.classList.contains('ilp-error')", arg=status.element_handle(), timeout=10_000
    )
    message = status.inner_text()
    if "\n" in message.strip() or "Traceback" in message or "YAML" not in message:
        errors.append(f"{label}: a YAML error shows {message!r}, not one line")
    return errors


@pytest.fixture(scope="module")
def live_context(browser: Any) -> Iterator[Any]:
    """One browser context for the live tests: Pyodide is fetched once and then cached."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context
    finally:
        context.close()


def test_every_chapter_player_edits_and_runs_in_the_page(
    live_context: Any, origin: str, inventory: dict[str, dict[str, int]]
) -> None:
    """On each chapter: Edit and run, restartPolicy Never + a failing init, STATUS ends Init:Error."""
    problems: list[str] = []
    chapters = [
        rel for rel, c in inventory.items() if c["players"] and rel.startswith("notebooks/")
    ]
    assert chapters
    for rel in chapters:
        page = live_context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        watch = Watch(page, origin)
        try:
            page.goto(f"{origin}/{rel}")
            players = page.locator(".initlab-player:has(button.ilp-edit)")
            if not players.count():
                problems.append(f"{rel}: no player with Edit and run")
                continue
            for k in range(players.count()):
                source = players.nth(k).locator("textarea.ilp-yaml").input_value()
                if _fail_first_init(source) is not None:
                    players.nth(k).scroll_into_view_if_needed()
                    problems += [
                        f"{rel}: {p}"
                        for p in _edit_and_run(page, players.nth(k), f"player {k + 1}")
                    ]
                    break
            else:
                problems.append(f"{rel}: no player has a Pod scenario to edit")
            problems += [f"{rel}: {p}" for p in watch.problems(ALLOWED)]
        finally:
            page.close()
    assert not problems, "\n".join(problems)


def test_debug_lab_grades_a_fix_in_the_page(live_context: Any, origin: str) -> None:
    """The debug lab: a wrong edit is "not yet", the right one passes; all simulated in the page."""
    page = live_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, origin)
    try:
        page.goto(f"{origin}/notebooks/11-debugging.html")
        box = page.locator("#ildl-typo-service")
        box.locator("summary").first.click()
        symptoms = box.locator(".ildl-get").inner_text()
        area = box.locator("textarea")
        manifest = area.input_value()
        area.fill(manifest.replace("sleep 2", "sleep 5"))  # not the fix
        box.locator("button.ildl-check").click()
        page.wait_for_function(
            "el => el.hasAttribute('data-passed')",
            arg=box.element_handle(),
            timeout=LIVE_TIMEOUT_MS,
        )
        first = (box.get_attribute("data-passed"), box.locator(".ilp-status").inner_text())
        area.fill(manifest.replace("orders-dbb", "orders-db"))
        box.locator("button.ildl-check").click()
        page.wait_for_function(
            "el => el.getAttribute('data-passed') === 'true'",
            arg=box.element_handle(),
            timeout=10_000,
        )
        verdict = box.locator(".ilp-status").inner_text()
        after = box.locator(".ildl-get").inner_text()
    finally:
        page.close()
    assert "Init:0/1" in symptoms
    assert first[0] == "false" and first[1].startswith("not yet")
    assert verdict.startswith("Fixed: the pod is Running")
    assert "Running" in after.splitlines()[-1]
    assert not watch.problems(ALLOWED), "\n".join(watch.problems(ALLOWED))


#: Chapter 03's code cells, as stored: JupyterLite must show (and run) every one of them.
CHAPTER_03_CODE_CELLS = sum(
    c["cell_type"] == "code"
    for c in json.loads((ROOT / "notebooks" / "03-failure-and-restart.ipynb").read_text())["cells"]
)


def test_a_chapter_runs_to_the_end_in_jupyterlite(live_context: Any, origin: str) -> None:
    """JupyterLite (the book's lite/, local Pyodide) opens chapter 03; Run All: every cell runs.

    The 13 chapters, counted cell by cell: `python -m benchmarks lite`.
    """
    page = live_context.new_page()
    page.set_default_timeout(LIVE_TIMEOUT_MS)
    watch = Watch(page, origin)
    try:
        page.goto(f"{origin}/lite/lab/index.html?path=notebooks/03-failure-and-restart.ipynb")
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        cells.first.wait_for()
        # The notebook renders its cells progressively: count them once all are there.
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length >= n",
            arg=CHAPTER_03_CODE_CELLS,
            timeout=LIVE_TIMEOUT_MS,
        )
        dialogs = page.locator(".jp-Dialog").count()  # e.g. "Select Kernel": none expected
        n = cells.count()
        page.locator(".jp-Notebook").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.get_by_text("Run All Cells", exact=True).click()
        page.wait_for_function(
            """n => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                     .filter(p => /\\[\\d+\\]/.test(p.textContent)).length === n""",
            arg=n,
            timeout=LIVE_TIMEOUT_MS,
        )
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_inner_texts()
        kernel = page.locator(".jp-KernelName, .jp-Toolbar-kernelName").first.inner_text()
        says_why = page.locator(
            ".jp-OutputArea-output", has_text="(schema check skipped in JupyterLite"
        ).count()
    finally:
        page.close()
    assert n == CHAPTER_03_CODE_CELLS and dialogs == 0
    assert errors == [], errors
    assert says_why == 1  # the schema check it cannot run says so; the rest of that cell runs
    assert "Pyodide" in kernel
    assert not watch.problems(ALLOWED_LITE), "\n".join(watch.problems(ALLOWED_LITE))


# --- the browser requirement ---------------------------------------------------------


def test_missing_chromium_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without /usr/bin/chromium and without CI, browser tests skip and say why."""
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_chromium()


def test_missing_chromium_fails_on_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On CI (.ci/run installs chromium) a missing browser is a failure, not a skip."""
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        require_chromium()
