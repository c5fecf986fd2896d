"""The kernel-free player: a simulated run as self-contained HTML for the published book.

ipywidgets in static HTML render, but their Python callbacks never run. The
player precomputes every snapshot in Python and ships the texts inside the
page (`player_data`): an inline SVG timeline (`initlab.book.svg`, the same
lanes `initlab.book.plots` draws), `kubectl get pod`, `describe` (its Events too),
`get -w` and `logs` at each snapshot, with play / step / back buttons and a
slider. The page script (`assets/player.js`, styles in `assets/player.css`,
package files read with importlib.resources) only picks texts by index and
moves the cursor: no event folding, no duration formatting in JavaScript.

"Edit and run": a player that knows its scenario's YAML shows it in an
editor; in the published book, Run loads Pyodide from the book's own
`_pyodide/` (built by `tools/pyodide_dist.py`) on the first click and
simulates the edited YAML with the real initlab (`initlab.book.live`), then
redraws every view from the new data. From file:// the page says how to serve
the book instead.

Rules the HTML keeps, so that it works offline, in Jupyter and in a static
Jupyter Book page, several times on one page:

- no external URL, no require.js, no CDN: everything is inline;
- every element id carries a per-player prefix (deterministic, so nbval's
  text/html comparison stays stable from run to run);
- every string from the simulation is HTML-escaped in markup and set with
  `textContent` in script; the JSON payload sits in a
  `<script type="application/json">` with `</` written `<\\/`;
- times must be finite and within 30 days (`check_times`): a Result's JSON
  with `t: inf` or `t: 1e12` is a one-line InputError, not a crash or a stall.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from initlab.api.pod import as_float, as_int, init_containers, metadata, regular_containers, status
from initlab.api.printers import PodRow, human_duration, parse_time, print_pod, render_table
from initlab.book.source import source_text
from initlab.book.svg import legend, svg_timeline
from initlab.book.timeline import events_of, pod_name, pod_of, snapshot_at, timeline_of
from initlab.errors import InitlabError, InputError

__all__ = [
    "Player",
    "player",
    "player_data",
    "text_of",
    "check_times",
    "asset",
    "get_table",
    "describe_events",
]

_SEEN: Counter[str] = Counter()


def _result_of(scenario_or_result: Any) -> Any:
    """A Result as is (or its JSON dict); anything else is a scenario to simulate."""
    if hasattr(scenario_or_result, "timeline") or (
        isinstance(scenario_or_result, dict) and "timeline" in scenario_or_result
    ):
        return scenario_or_result
    from initlab.sim.simulator import simulate

    return simulate(scenario_or_result)


# --------------------------------------------------------------------------- kubectl text


def get_table(result: Any, t: float, index: int | None = None) -> str:
    """`kubectl get pod` (header + row) as it would print at simulated time `t`.

    The row is `printers.print_pod` applied to the pod as the simulator had
    it (`Result.pods[index]`, else `Result.pod_at(t)`: several snapshots can
    share one instant), with "now" = creation time + `t`, so RESTARTS carries
    kubectl's "(Xs ago)". Without a pod (a JSON-only result) the row is
    built from the snapshot's own columns.
    """
    snaps = timeline_of(result)
    if index is not None and 0 <= index < len(snaps):
        snap = snaps[index]
    else:
        snap = snapshot_at(result, t)
    pods = getattr(result, "pods", None)
    pod_at = getattr(result, "pod_at", None)
    row: PodRow | None = None
    if callable(pod_at) or isinstance(pods, list):
        try:
            if isinstance(pods, list) and index is not None and 0 <= index < len(pods):
                pod = pods[index]
            else:
                pod = pod_at(t)  # type: ignore[misc]
            created = parse_time(metadata(pod).get("creationTimestamp"))
            start = parse_time(status(pod).get("startTime"))
            base = created or start
            if base is not None:
                row = print_pod(pod, base + timedelta(seconds=t))
        except Exception:  # noqa: BLE001 - fall back to the snapshot's columns
            row = None
    if row is None or row.status != snap.get("status"):
        restarts = as_int(snap.get("restarts"))
        row = PodRow(
            name=pod_name(result),
            ready=str(snap.get("ready", "")),
            status=str(snap.get("status", "")),
            restarts=restarts,
            restarts_display=str(restarts),
            age=human_duration(t),
        )
    return render_table([row])


def describe_events(result: Any, t: float) -> str:
    """The Events section of `kubectl describe pod` at time `t` (events up to `t`).

    Rendered by `kubectl.render_events`, the one event fold (identical
    events folded into `Age (xN over Y)`, kubectl's own sort; since kubectl
    1.35 the message carries the involved object's field path). A JSON-only
    result (`simulate -o json`) is read back with `Result.from_json` first.
    """
    from initlab.kubectl import render_events
    from initlab.sim.result import Result

    if getattr(result, "event_records", None) is None:
        result = Result.from_json(result if isinstance(result, dict) else {"timeline": []})
    return render_events(result, t).rstrip("\n")


# --------------------------------------------------------------------------- player

#: Longest time a player accepts (the simulator's own limit, `until` at most 30 days).
MAX_PLAYER_SECONDS = 30 * 24 * 3600.0
#: Most snapshots or events a player embeds: its HTML stays bounded.
MAX_PLAYER_ITEMS = 20_000


def asset(name: str) -> str:
    """A file of `initlab/book/assets/` (package data), as text."""
    from importlib.resources import files

    return (files("initlab.book") / "assets" / name).read_text(encoding="utf-8")


def check_times(result: Any) -> None:
    """Refuse a run whose times a player cannot draw: non-finite, negative, or beyond 30 days.

    A Result's JSON may come from a file a learner wrote; `t: inf` or `t: 1e12`
    would otherwise crash or stall the drawing (one tick per axis step).
    """
    items = [("timeline", s) for s in timeline_of(result)]
    items += [("events", e) for e in events_of(result)]
    if len(items) > MAX_PLAYER_ITEMS:
        raise InputError(
            f"{len(items)} snapshots and events: a player shows at most {MAX_PLAYER_ITEMS}",
            "timeline",
        )
    counters = {"timeline": 0, "events": 0}
    for where, item in items:
        i = counters[where]
        counters[where] += 1
        t = item.get("t", 0)
        if isinstance(t, bool) or not isinstance(t, int | float):
            raise InputError(f"time {str(t)[:40]!r} is not a number", f"{where}[{i}].t")
        if not math.isfinite(t) or not 0 <= t <= MAX_PLAYER_SECONDS:
            raise InputError(
                f"time {t!r} is out of range: a player shows 0 to {int(MAX_PLAYER_SECONDS)} "
                "seconds (30 days)",
                f"{where}[{i}].t",
            )


class _Strings:
    """A text table: each text is a list of line numbers into one table of distinct lines.

    Per-snapshot texts repeat whole (logs) or line by line (describe, whose
    snapshots differ in a few lines), so each distinct text and each distinct
    line is stored once; the page joins a text's lines.
    """

    def __init__(self) -> None:
        self.texts: list[list[int]] = []
        self.lines: list[str] = []
        self._text: dict[str, int] = {}
        self._line: dict[str, int] = {}

    def add(self, text: str) -> int:
        if text not in self._text:
            self._text[text] = len(self.texts)
            self.texts.append(
                [self._line.setdefault(line, len(self._line)) for line in text.split("\n")]
            )
            if len(self._line) > len(self.lines):
                self.lines.extend(list(self._line)[len(self.lines) :])
        return self._text[text]

    def text(self, k: int) -> str:
        """Text number `k` ("" for -1), as the page rebuilds it."""
        return "\n".join(self.lines[i] for i in self.texts[k]) if k >= 0 else ""


def text_of(data: dict[str, Any], k: int) -> str:
    """Text number `k` of a player's data ("" for -1): its lines joined, as the page does."""
    return "\n".join(data["lines"][i] for i in data["texts"][k]) if k >= 0 else ""


def player_data(result: Any, source: str | None = None) -> dict[str, Any]:
    """Everything a player's page script shows, precomputed: the script only picks by index.

    `snaps[i]` = [t, clock text, get index, describe-head index, events index,
    {container: logs index}, STATUS] with indices into `texts` (`text_of`); `watch` = the `kubectl get pod -w`
    header and one row per snapshot (the page shows rows 0..i). The describe
    view is head + events. `source` is the YAML offered for editing.
    """
    check_times(result)
    name = pod_name(result)
    strings = _Strings()
    timeline = timeline_of(result)
    has_pods = callable(getattr(result, "pod_at", None)) and isinstance(
        getattr(result, "pods", None), list
    )
    containers: list[str] = []
    watch: list[str] = []
    if has_pods:
        from initlab.kubectl import render_describe, render_events, render_logs, render_watch

        pod = pod_of(result)
        containers = [str(c.get("name")) for c in init_containers(pod) + regular_containers(pod)]
        watch = render_watch(result).rstrip("\n").split("\n")
    snaps: list[list[Any]] = []
    for i, s in enumerate(timeline):
        t = as_float(s.get("t"))
        clock = f"t = {human_duration(t)}"
        get = strings.add(get_table(result, t, i))
        events = strings.add(describe_events(result, t))
        head = -1
        logs: dict[str, int] = {}
        if has_pods:
            full = render_describe(result, t)
            tail = render_events(result, t)
            if full.endswith(tail):
                head = strings.add(full[: -len(tail)])
            for c in containers:
                logs[c] = strings.add(render_logs(result, c, t).rstrip("\n"))
        snaps.append([t, clock, get, head, events, logs, str(s.get("status", ""))])
    return {
        "name": name,
        "snaps": snaps,
        "texts": strings.texts,
        "lines": strings.lines,
        "watch": watch,
        "containers": containers,
        "source": source,
    }


def _json_for_script(data: Any) -> str:
    """JSON safe inside <script>: `</` becomes `<\\/` and `<!--` cannot open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


_VIEWS = (
    ("events", "describe: Events"),
    ("describe", "describe"),
    ("watch", "get -w"),
    ("logs", "logs"),
)


class Player:
    """A precomputed run you can step through without a kernel, and edit and re-run in the book.

    `html` is the self-contained fragment (`_repr_html_` returns it, so a
    notebook cell that ends with a Player shows it); `snapshots` are the
    timeline's snapshots; `size` is the fragment's size in bytes. With a
    `source` (the scenario's YAML) the fragment also has "Edit and run": in
    the published book the page loads Pyodide and simulates the edited YAML
    with the real initlab (`initlab.book.live.run_json`).
    """

    def __init__(self, result: Any, title: str | None = None, source: str | None = None) -> None:
        check_times(result)
        self.result = result
        self.snapshots = timeline_of(result)
        self.title = title
        self.source = source
        self.data = player_data(result, source)
        self.html = self._render()

    @property
    def size(self) -> int:
        """Bytes of UTF-8 HTML: what this player adds to a page."""
        return len(self.html.encode())

    def _repr_html_(self) -> str:
        return self.html

    def save(self, path: str | Path) -> Path:
        """Write a standalone HTML page (for a classroom without Jupyter)."""
        path = Path(path)
        name = html.escape(pod_name(self.result))
        path.write_text(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head>'
            f"<body>{self.html}</body></html>",
            encoding="utf-8",
        )
        return path

    def _render(self) -> str:
        data = self.data
        payload = _json_for_script(data)
        digest = hashlib.sha1(payload.encode()).hexdigest()[:10]
        _SEEN[digest] += 1
        pid = f"initlab-player-{digest}-{_SEEN[digest]}"
        name = data["name"]
        title = self.title or f"{name}: step through the start-up"
        snaps = data["snaps"]
        first_get = text_of(data, snaps[0][2]) if snaps else ""
        views = "".join(
            f'<button type="button" class="ilp-view" data-view="{key}" '
            f'aria-pressed="{"true" if key == "events" else "false"}">{html.escape(label)}</button>'
            for key, label in _VIEWS
            if key == "events" or data["containers"]
        )
        logs_pick = ""
        if data["containers"]:
            logs_pick = (
                '<label class="ilp-logs-pick" hidden>container <select class="ilp-container">'
                + "".join(f"<option>{html.escape(c)}</option>" for c in data["containers"])
                + "</select></label>"
            )
        live = ""
        if self.source is not None:
            live = (
                '<div class="ilp-live">'
                '<button type="button" class="ilp-edit" aria-expanded="false">'
                "✎ Edit and run</button>"
                '<div class="ilp-editor" hidden>'
                f'<label for="{pid}-yaml">Scenario (YAML): edit it, then Run to simulate it '
                "with initlab in this page</label>"
                f'<textarea id="{pid}-yaml" class="ilp-yaml" rows="14" spellcheck="false" '
                f'autocomplete="off">{html.escape(self.source)}</textarea>'
                '<div class="ilp-editor-buttons">'
                '<button type="button" class="ilp-run">▶ Run</button>'
                '<button type="button" class="ilp-reset">Reset</button></div>'
                "</div>"
                '<div class="ilp-status" role="status" aria-live="polite"></div>'
                "</div>"
            )
        return "".join(
            [
                f'<div class="initlab-player" id="{pid}">',
                "<style>",
                asset("player.css"),
                "</style>",
                f'<div class="ilp-title"><b>{html.escape(title)}</b></div>',
                '<div class="ilp-controls">',
                '<button type="button" class="ilp-back" title="previous snapshot">◀ back</button>',
                '<button type="button" class="ilp-play" title="play through">▶ play</button>',
                '<button type="button" class="ilp-step" title="next snapshot">step ▶</button>',
                f'<input type="range" class="ilp-slider" min="0" max="{max(len(snaps) - 1, 0)}" '
                'step="1" value="0" aria-label="snapshot">',
                '<span class="ilp-time"></span></div>',
                '<div class="ilp-svg">',
                svg_timeline(self.result, 0.0, prefix=pid),
                "</div>",
                legend(pid),
                f'<pre class="ilp-get">{html.escape(first_get)}</pre>',
                f'<div class="ilp-views" role="group" aria-label="view">{views}{logs_pick}</div>',
                '<pre class="ilp-events"></pre>',
                live,
                f'<script type="application/json" id="{pid}-data">{payload}</script>',
                "<script>",
                asset("player.js"),
                f'\ninitlabPlayer.mount("{pid}");',
                "</script>",
                "</div>",
            ]
        )


def player(scenario_or_result: Any, title: str | None = None) -> Player:
    """Simulate a scenario (or take a Result) and return its kernel-free Player.

    `scenario_or_result`: a scenario dict / YAML text / path (simulated with
    `initlab.simulate`), a `Result`, or a Result's `to_json()` dict. The
    scenario's YAML (a file's own text, else re-written from the Result's
    scenario) becomes the player's "Edit and run" source; a JSON result has none.
    """
    result = _result_of(scenario_or_result)
    try:
        source = source_text(scenario_or_result)
    except (OSError, InitlabError):
        source = None
    return Player(result, title, source)
