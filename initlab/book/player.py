"""The kernel-free player: a simulated run as self-contained HTML for the published book.

ipywidgets in static HTML render, but their Python callbacks never run. The
player precomputes every snapshot in Python and ships the texts inside the
page (`player_data`): an inline SVG timeline (the same lanes
`initlab.book.plots` draws), `kubectl get pod`, `describe` (its Events too),
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
from initlab.book import plots
from initlab.errors import InitlabError, InputError

__all__ = [
    "Player",
    "player",
    "player_data",
    "text_of",
    "check_times",
    "svg_timeline",
    "get_table",
    "describe_events",
]

_SEEN: Counter[str] = Counter()

# Geometry of the SVG timeline (viewBox units ~ CSS px).
_W = 900
_LABEL_W = 170
_LANE_H = 24
_TOP = 8
_AXIS_H = 26


def _result_of(scenario_or_result: Any) -> Any:
    """A Result as is (or its JSON dict); anything else is a scenario to simulate."""
    if hasattr(scenario_or_result, "timeline") or (
        isinstance(scenario_or_result, dict) and "timeline" in scenario_or_result
    ):
        return scenario_or_result
    import initlab

    return initlab.simulate(scenario_or_result)


def _pod_name(result: Any) -> str:
    name = getattr(result, "name", None)
    if not isinstance(name, str) or not name:
        name = metadata(plots.pod_of(result)).get("name")
    if not name and isinstance(result, dict):
        name = result.get("name")
    return str(name or "pod")


# --------------------------------------------------------------------------- kubectl text


def get_table(result: Any, t: float, index: int | None = None) -> str:
    """`kubectl get pod` (header + row) as it would print at simulated time `t`.

    The row is `printers.print_pod` applied to the pod as the simulator had
    it (`Result.pods[index]`, else `Result.pod_at(t)`: several snapshots can
    share one instant), with "now" = creation time + `t`, so RESTARTS carries
    kubectl's "(Xs ago)". Without a pod (a JSON-only result) the row is
    built from the snapshot's own columns.
    """
    snaps = plots.timeline_of(result)
    if index is not None and 0 <= index < len(snaps):
        snap = snaps[index]
    else:
        snap = plots.snapshot_at(result, t)
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
            name=_pod_name(result),
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


# --------------------------------------------------------------------------- SVG


def _ticks(end: float) -> list[float]:
    step = plots.tick_step(end)
    return [i * step for i in range(int(end // step) + 1)]


def svg_timeline(result: Any, t: float | None = None, prefix: str = "tl") -> str:
    """The timeline as inline SVG: STATUS band, one lane per container, events, cursor.

    The same lanes as `plots.timeline` (same states, Okabe-Ito colours and
    hatches), drawn as SVG so it needs no image and no kernel. The cursor
    line has class `cursor`, the greyed future has class `future`; the
    player's script moves both.
    """
    ls = plots.lanes(result)
    spans = plots.status_spans(result)
    end = plots.horizon(result) or 1.0
    plot_w = _W - _LABEL_W - 12
    height = _TOP + _LANE_H * (len(ls) + 1) + _AXIS_H + 4

    def x(tt: float) -> float:
        return round(_LABEL_W + plot_w * max(0.0, min(tt, end)) / end, 1)

    def fits(text: str, w: float) -> bool:
        return len(text) * 6.0 + 6 < w

    out = [
        f'<svg class="initlab-tl" viewBox="0 0 {_W} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" data-end="{end}" '
        f'data-x0="{_LABEL_W}" data-w="{plot_w}" font-family="sans-serif" font-size="10">',
        "<title>" + html.escape(f"{_pod_name(result)}: init containers over time") + "</title>",
        "<defs>",
    ]
    for key, st in plots.STATES.items():
        if not st.hatch:
            continue
        ch = st.hatch[0]
        path = {
            "/": "M0,6 L6,0",
            "\\": "M0,0 L6,6",
            "x": "M0,6 L6,0 M0,0 L6,6",
            ".": "M2,2 h1 M5,5 h1",
        }[ch]
        stroke = "#333" if ch != "." else "#777"
        out.append(
            f'<pattern id="{prefix}-h-{key}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{st.color}"/>'
            f'<path d="{path}" stroke="{stroke}" stroke-width="{1.4 if ch == "." else 0.8}"/>'
            "</pattern>"
        )
    out.append("</defs>")

    def fill(key: str) -> str:
        st = plots.STATES[key]
        return f"url(#{prefix}-h-{key})" if st.hatch else st.color

    # STATUS band
    y = _TOP
    out.append(
        f'<text x="{_LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-weight="bold">STATUS</text>'
    )
    for k, (a, b, text) in enumerate(spans):
        w = max(x(b) - x(a), 0.5)
        shade = "#F2F2F2" if k % 2 == 0 else "#E0E0E0"
        out.append(
            f'<rect x="{x(a)}" y="{y + 2}" width="{w:.1f}" height="{_LANE_H - 4}" '
            f'fill="{shade}" stroke="#999" stroke-width="0.5"><title>'
            f"{html.escape(text)} from {html.escape(plots.fmt_time(a))}</title></rect>"
        )
        if fits(text, w):
            out.append(
                f'<text x="{(x(a) + x(b)) / 2:.1f}" y="{y + 15}" '
                f'text-anchor="middle">{html.escape(text)}</text>'
            )
    # Lanes
    for i, lane in enumerate(ls, start=1):
        y = _TOP + _LANE_H * i
        mid = y + _LANE_H / 2
        weight = ' font-weight="bold"' if lane.kind == "app" else ""
        out.append(
            f'<text x="{_LABEL_W - 6}" y="{mid + 4}" text-anchor="end"{weight}>'
            f"{html.escape(lane.title)}</text>"
        )
        for seg in lane.segments:
            st = plots.STATES[seg.state]
            h = st.height * (_LANE_H - 4)
            w = max(x(seg.end) - x(seg.start), 0.8)
            tip = f"{lane.name}: {seg.label}, {plots.fmt_time(seg.start)}–{plots.fmt_time(seg.end)}"
            if seg.restart_count:
                tip += f", restartCount {seg.restart_count}"
            out.append(
                f'<rect x="{x(seg.start)}" y="{mid - h / 2:.1f}" width="{w:.1f}" '
                f'height="{h:.1f}" fill="{fill(seg.state)}" stroke="#333" '
                f'stroke-width="0.5"><title>{html.escape(tip)}</title></rect>'
            )
            if seg.state in ("running", "failed", "backoff", "starting") and fits(seg.label, w):
                color = "#fff" if seg.state == "running" else "#000"
                halo = (
                    ""
                    if seg.state == "running"
                    else (' paint-order="stroke" stroke="#fff" stroke-width="3"')
                )
                out.append(
                    f'<text x="{(x(seg.start) + x(seg.end)) / 2:.1f}" y="{mid + 3.5}" '
                    f'text-anchor="middle" fill="{color}"{halo}>{html.escape(seg.label)}</text>'
                )
        for tx, code, reason in lane.exits:
            if code:
                out.append(
                    f'<text x="{x(tx)}" y="{y + 7}" text-anchor="middle" '
                    f'fill="{plots.OKABE_ITO["vermillion"]}" font-weight="bold">✕<title>'
                    f"{html.escape(f'{lane.name}: {reason}, exit code {code}')}</title></text>"
                )
        for ev in lane.events:
            tx = x(as_float(ev.get("t")))
            warn = ev.get("type") == "Warning"
            color = plots.OKABE_ITO["vermillion"] if warn else "#444"
            tip = f"{ev.get('type')} {ev.get('reason')}: {ev.get('message')}"
            if warn:
                out.append(
                    f'<path d="M{tx - 3},{y + _LANE_H - 5} h6 l-3,4 z" fill="{color}">'
                    f"<title>{html.escape(tip)}</title></path>"
                )
            else:
                out.append(
                    f'<line x1="{tx}" x2="{tx}" y1="{y + _LANE_H - 4}" '
                    f'y2="{y + _LANE_H}" stroke="{color}"><title>{html.escape(tip)}</title></line>'
                )
    # Axis
    ybase = _TOP + _LANE_H * (len(ls) + 1)
    out.append(f'<line x1="{_LABEL_W}" x2="{x(end)}" y1="{ybase}" y2="{ybase}" stroke="#333"/>')
    for tick in _ticks(end):
        out.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{_TOP}" y2="{ybase + 4}" '
            'stroke="#ddd" stroke-width="0.6"/>'
        )
        out.append(
            f'<text x="{x(tick)}" y="{ybase + 15}" text-anchor="middle">'
            f"{html.escape(plots.fmt_time(tick))}</text>"
        )
    ct = end if t is None else t
    out.append(
        f'<rect class="future" x="{x(ct)}" y="{_TOP}" width="{x(end) - x(ct):.1f}" '
        f'height="{ybase - _TOP}" fill="#fff" fill-opacity="0.6"/>'
    )
    out.append(
        f'<line class="cursor" x1="{x(ct)}" x2="{x(ct)}" y1="{_TOP - 2}" '
        f'y2="{ybase + 2}" stroke="#000" stroke-width="1.5" stroke-dasharray="4 2"/>'
    )
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- player

#: Longest time a player accepts (the simulator's own limit, `until` at most 30 days).
MAX_PLAYER_SECONDS = 30 * 24 * 3600.0
#: Most snapshots or events a player embeds: its HTML stays bounded.
MAX_PLAYER_ITEMS = 20_000


def _asset(name: str) -> str:
    """A file of `initlab/book/assets/` (package data), as text."""
    from importlib.resources import files

    return (files("initlab.book") / "assets" / name).read_text(encoding="utf-8")


def check_times(result: Any) -> None:
    """Refuse a run whose times a player cannot draw: non-finite, negative, or beyond 30 days.

    A Result's JSON may come from a file a learner wrote; `t: inf` or `t: 1e12`
    would otherwise crash or stall the drawing (one tick per axis step).
    """
    items = [("timeline", s) for s in plots.timeline_of(result)]
    items += [("events", e) for e in plots.events_of(result)]
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
    name = _pod_name(result)
    strings = _Strings()
    timeline = plots.timeline_of(result)
    has_pods = callable(getattr(result, "pod_at", None)) and isinstance(
        getattr(result, "pods", None), list
    )
    containers: list[str] = []
    watch: list[str] = []
    if has_pods:
        from initlab.kubectl import render_describe, render_events, render_logs, render_watch

        pod = plots.pod_of(result)
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


def _legend(prefix: str) -> str:
    """State swatches; they reuse the timeline's hatch patterns (ids carry the player's prefix)."""
    parts = []
    for key, st in plots.STATES.items():
        fill = f"url(#{prefix}-h-{key})" if st.hatch else st.color
        parts.append(
            f'<span><svg width="18" height="10" aria-hidden="true"><rect width="18" height="10" '
            f'fill="{fill}" stroke="#333" stroke-width="0.5"/></svg>{html.escape(st.label)}</span>'
        )
    parts.append(f'<span><b style="color:{plots.OKABE_ITO["vermillion"]}">✕</b> exited ≠ 0</span>')
    parts.append(
        f'<span><b style="color:{plots.OKABE_ITO["vermillion"]}">▼</b> Warning event'
        "</span><span>| Normal event</span>"
    )
    return '<div class="ilp-legend">' + "".join(parts) + "</div>"


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
        self.snapshots = plots.timeline_of(result)
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
        name = html.escape(_pod_name(self.result))
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
                _asset("player.css"),
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
                _legend(pid),
                f'<pre class="ilp-get">{html.escape(first_get)}</pre>',
                f'<div class="ilp-views" role="group" aria-label="view">{views}{logs_pick}</div>',
                '<pre class="ilp-events"></pre>',
                live,
                f'<script type="application/json" id="{pid}-data">{payload}</script>',
                "<script>",
                _asset("player.js"),
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
    from initlab.book.live import source_text

    result = _result_of(scenario_or_result)
    try:
        source = source_text(scenario_or_result)
    except (OSError, InitlabError):
        source = None
    return Player(result, title, source)
