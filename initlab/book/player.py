"""The kernel-free player: a simulated run as self-contained HTML for the published book.

ipywidgets in static HTML render, but their Python callbacks never run, so
the book cannot re-simulate anything. The player precomputes every snapshot
in Python and ships them inside the page: an inline SVG timeline (the same
lanes `initlab.book.plots` draws), the `kubectl get pod` table at each snapshot,
and the `kubectl describe` events, with play / step / back buttons and a
slider. Small inline JavaScript only moves the cursor and swaps text.

Rules the HTML keeps, so that it works offline, in Jupyter and in a static
Jupyter Book page, several times on one page:

- no external URL, no require.js, no CDN: everything is inline;
- every element id carries a per-player prefix (deterministic, so nbval's
  text/html comparison stays stable from run to run);
- every string from the simulation is HTML-escaped in markup and set with
  `textContent` in script; the JSON payload sits in a
  `<script type="application/json">` with `</` written `<\\/`.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from initlab.api.printers import PodRow, human_duration, parse_time, print_pod, render_table
from initlab.book import plots

__all__ = ["Player", "player", "svg_timeline", "get_table", "describe_events"]

_SEEN: Counter[str] = Counter()

# Geometry of the SVG timeline (viewBox units ~ CSS px).
_W = 900
_LABEL_W = 170
_LANE_H = 24
_TOP = 8
_AXIS_H = 26


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


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
        name = plots._dict(plots.pod_of(result).get("metadata")).get("name")
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
            created = parse_time(plots._dict(pod.get("metadata")).get("creationTimestamp"))
            start = parse_time(plots._dict(pod.get("status")).get("startTime"))
            base = created or start
            if base is not None:
                row = print_pod(pod, base + timedelta(seconds=t))
        except Exception:  # noqa: BLE001 - fall back to the snapshot's columns
            row = None
    if row is None or row.status != snap.get("status"):
        restarts = int(plots._num(snap.get("restarts")))
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

    A simulator Result renders through `kubectl.render_events` (identical
    events folded into `Age (xN over Y)`, sorted by last time; since kubectl
    1.35 the message carries the involved object's field path,
    kubectl `pkg/describe`). A JSON-only result gets the same layout here.
    """
    if callable(getattr(result, "aggregated_events", None)):
        from initlab.kubectl import render_events

        return render_events(result, t).rstrip("\n")
    folded: dict[tuple[str, ...], dict[str, Any]] = {}
    for e in plots.events_of(result):
        et = plots._num(e.get("t"))
        if et > t + 1e-9:
            continue
        key = (
            _source(e),
            str(e.get("object") or ""),
            str(e.get("type", "")),
            str(e.get("reason", "")),
            str(e.get("message", "")),
        )
        agg = folded.setdefault(key, {"count": 0, "first": et, "last": et})
        agg["count"] += 1
        agg["last"] = et
    if not folded:
        return "Events:  <none>"
    rows = [
        ["  Type", "Reason", "Age", "From", "Message"],
        ["  ----", "------", "----", "----", "-------"],
    ]
    for (src, obj, typ, reason, msg), agg in sorted(folded.items(), key=lambda kv: kv[1]["last"]):
        age = human_duration(t - agg["first"])
        if agg["count"] > 1:
            age = f"{human_duration(t - agg['last'])} (x{agg['count']} over {age})"
        msg = msg.strip()
        if obj and obj != "Pod":
            msg = f"{obj}: {msg}"
        rows.append([f"  {typ}", reason, age, src, msg])
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(4)]
    lines = ["".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + r[4] for r in rows]
    return "Events:\n" + "\n".join(lines)


def _source(ev: dict[str, Any]) -> str:
    """The event's From column: recorded by the simulator, else by reason."""
    src = ev.get("from")
    if isinstance(src, str) and src:
        return src
    return "default-scheduler" if ev.get("reason") == "Scheduled" else "kubelet"


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
        "<title>" + _esc(f"{_pod_name(result)}: init containers over time") + "</title>",
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
            f"{_esc(text)} from {_esc(plots.fmt_time(a))}</title></rect>"
        )
        if fits(text, w):
            out.append(
                f'<text x="{(x(a) + x(b)) / 2:.1f}" y="{y + 15}" '
                f'text-anchor="middle">{_esc(text)}</text>'
            )
    # Lanes
    for i, lane in enumerate(ls, start=1):
        y = _TOP + _LANE_H * i
        mid = y + _LANE_H / 2
        weight = ' font-weight="bold"' if lane.kind == "app" else ""
        out.append(
            f'<text x="{_LABEL_W - 6}" y="{mid + 4}" text-anchor="end"{weight}>'
            f"{_esc(lane.title)}</text>"
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
                f'stroke-width="0.5"><title>{_esc(tip)}</title></rect>'
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
                    f'text-anchor="middle" fill="{color}"{halo}>{_esc(seg.label)}</text>'
                )
        for tx, code, reason in lane.exits:
            if code:
                out.append(
                    f'<text x="{x(tx)}" y="{y + 7}" text-anchor="middle" '
                    f'fill="{plots.OKABE_ITO["vermillion"]}" font-weight="bold">✕<title>'
                    f"{_esc(f'{lane.name}: {reason}, exit code {code}')}</title></text>"
                )
        for ev in lane.events:
            tx = x(plots._num(ev.get("t")))
            warn = ev.get("type") == "Warning"
            color = plots.OKABE_ITO["vermillion"] if warn else "#444"
            tip = f"{ev.get('type')} {ev.get('reason')}: {ev.get('message')}"
            if warn:
                out.append(
                    f'<path d="M{tx - 3},{y + _LANE_H - 5} h6 l-3,4 z" fill="{color}">'
                    f"<title>{_esc(tip)}</title></path>"
                )
            else:
                out.append(
                    f'<line x1="{tx}" x2="{tx}" y1="{y + _LANE_H - 4}" '
                    f'y2="{y + _LANE_H}" stroke="{color}"><title>{_esc(tip)}</title></line>'
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
            f"{_esc(plots.fmt_time(tick))}</text>"
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

_CSS = """
#{id} {{font-family: sans-serif; font-size: 13px; border: 1px solid #ccc; border-radius: 4px;
  padding: 8px; max-width: 920px; background: #fff; color: #000;}}
#{id} .ilp-controls {{display: flex; gap: 6px; align-items: center; flex-wrap: wrap;
  margin-bottom: 6px;}}
#{id} button {{font-size: 13px; padding: 2px 10px; cursor: pointer;}}
#{id} input[type=range] {{flex: 1; min-width: 160px;}}
#{id} .ilp-time {{font-family: monospace; min-width: 11em;}}
#{id} pre {{font-family: monospace; font-size: 12px; background: #f7f7f7; padding: 6px;
  margin: 6px 0; overflow-x: auto; white-space: pre; color: #000;}}
#{id} .ilp-legend span {{display: inline-block; margin-right: 12px; font-size: 11px;}}
#{id} .ilp-legend svg {{vertical-align: middle; margin-right: 3px;}}
"""

_JS = r"""
(function () {
  var root = document.getElementById("%(id)s");
  if (!root || root.getAttribute("data-ready")) return;
  root.setAttribute("data-ready", "1");
  var d = JSON.parse(document.getElementById("%(id)s-data").textContent);
  var q = function (c) { return root.querySelector("." + c); };
  var slider = q("ilp-slider"), getPre = q("ilp-get"), evPre = q("ilp-events");
  var timeEl = q("ilp-time"), playBtn = q("ilp-play"), svg = root.querySelector("svg");
  var cursor = svg.querySelector(".cursor"), future = svg.querySelector(".future");
  var x0 = +svg.getAttribute("data-x0"), w = +svg.getAttribute("data-w");
  var end = +svg.getAttribute("data-end");
  var i = 0, timer = null;
  function human(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 120) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 10) return s %% 60 ? m + "m" + (s %% 60) + "s" : m + "m";
    if (m < 180) return m + "m";
    var h = Math.floor(m / 60);
    if (h < 8) return m %% 60 ? h + "h" + (m %% 60) + "m" : h + "h";
    if (h < 48) return h + "h";
    return Math.floor(h / 24) + "d";
  }
  function pad(s, n) { while (s.length < n) s += " "; return s; }
  function events(t) {
    var groups = [], byKey = {};
    d.events.forEach(function (e) {
      if (e[0] > t + 1e-9) return;
      var key = e.slice(1).join("\u0000");
      if (!(key in byKey)) { byKey[key] = groups.length; groups.push({e: e, first: e[0], n: 0}); }
      var g = groups[byKey[key]]; g.n += 1; g.last = e[0];
    });
    if (!groups.length) return "Events:  <none>";
    groups.sort(function (a, b) { return a.last - b.last; });
    var rows = [["  Type", "Reason", "Age", "From", "Message"],
                ["  ----", "------", "----", "----", "-------"]];
    groups.forEach(function (g) {
      var e = g.e, age = human(t - g.first);
      if (g.n > 1) age = human(t - g.last) + " (x" + g.n + " over " + age + ")";
      var msg = e[5].trim();
      if (e[4] && e[4] !== "Pod") msg = e[4] + ": " + msg;
      rows.push(["  " + e[1], e[2], age, e[3], msg]);
    });
    var wd = [0, 0, 0, 0];
    rows.forEach(function (r) { for (var k = 0; k < 4; k++) wd[k] = Math.max(wd[k], r[k].length + 2); });
    return "Events:\n" + rows.map(function (r) {
      return [0, 1, 2, 3].map(function (k) { return pad(r[k], wd[k]); }).join("") + r[4];
    }).join("\n");
  }
  function show(k) {
    i = Math.max(0, Math.min(d.snaps.length - 1, k));
    var s = d.snaps[i], t = s[0];
    slider.value = i;
    var cx = x0 + w * Math.min(t, end) / end;
    cursor.setAttribute("x1", cx); cursor.setAttribute("x2", cx);
    future.setAttribute("x", cx); future.setAttribute("width", Math.max(0, x0 + w - cx));
    timeEl.textContent = "t = " + human(t) + "  (" + (i + 1) + "/" + d.snaps.length + ")";
    getPre.textContent = "$ kubectl get pod " + d.name + "\n" + s[1];
    evPre.textContent = "$ kubectl describe pod " + d.name + "   # Events only\n" + events(t);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } playBtn.textContent = "\u25B6 play"; }
  playBtn.addEventListener("click", function () {
    if (timer) { stop(); return; }
    if (i >= d.snaps.length - 1) show(0);
    playBtn.textContent = "\u275A\u275A pause";
    timer = setInterval(function () { if (i >= d.snaps.length - 1) stop(); else show(i + 1); }, 800);
  });
  q("ilp-step").addEventListener("click", function () { stop(); show(i + 1); });
  q("ilp-back").addEventListener("click", function () { stop(); show(i - 1); });
  slider.addEventListener("input", function () { stop(); show(+slider.value); });
  show(0);
})();
"""


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
            f'<span><svg width="18" height="10"><rect width="18" height="10" '
            f'fill="{fill}" stroke="#333" stroke-width="0.5"/></svg>{_esc(st.label)}</span>'
        )
    parts.append(f'<span><b style="color:{plots.OKABE_ITO["vermillion"]}">✕</b> exited ≠ 0</span>')
    parts.append(
        f'<span><b style="color:{plots.OKABE_ITO["vermillion"]}">▼</b> Warning event'
        "</span><span>| Normal event</span>"
    )
    return '<div class="ilp-legend">' + "".join(parts) + "</div>"


class Player:
    """A precomputed run you can step through without a kernel.

    `html` is the self-contained fragment (`_repr_html_` returns it, so a
    notebook cell that ends with a Player shows it); `snapshots` are the
    timeline's snapshots; `size` is the fragment's size in bytes.
    """

    def __init__(self, result: Any, title: str | None = None) -> None:
        self.result = result
        self.snapshots = plots.timeline_of(result)
        self.title = title
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
        name = _esc(_pod_name(self.result))
        path.write_text(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head>'
            f"<body>{self.html}</body></html>",
            encoding="utf-8",
        )
        return path

    def _render(self) -> str:
        name = _pod_name(self.result)
        snaps = []
        for i, s in enumerate(self.snapshots):
            t = plots._num(s.get("t"))
            snaps.append([t, get_table(self.result, t, i), str(s.get("status", ""))])
        events = [
            [
                plots._num(e.get("t")),
                str(e.get("type", "")),
                str(e.get("reason", "")),
                _source(e),
                str(e.get("object") or ""),
                str(e.get("message", "")),
            ]
            for e in plots.events_of(self.result)
        ]
        data = {"name": name, "snaps": snaps, "events": events}
        payload = _json_for_script(data)
        digest = hashlib.sha1(payload.encode()).hexdigest()[:10]
        _SEEN[digest] += 1
        pid = f"initlab-player-{digest}-{_SEEN[digest]}"
        title = self.title or f"{name}: step through the start-up"
        return "".join(
            [
                f'<div class="initlab-player" id="{pid}">',
                "<style>",
                _CSS.format(id=pid),
                "</style>",
                f'<div class="ilp-title"><b>{_esc(title)}</b></div>',
                '<div class="ilp-controls">',
                '<button type="button" class="ilp-back" title="previous snapshot">◀ back</button>',
                '<button type="button" class="ilp-play" title="play through">▶ play</button>',
                '<button type="button" class="ilp-step" title="next snapshot">step ▶</button>',
                f'<input type="range" class="ilp-slider" min="0" max="{max(len(snaps) - 1, 0)}" '
                'step="1" value="0" aria-label="snapshot">',
                '<span class="ilp-time"></span></div>',
                svg_timeline(self.result, 0.0, prefix=pid),
                _legend(pid),
                f'<pre class="ilp-get">{_esc(snaps[0][1] if snaps else "")}</pre>',
                '<pre class="ilp-events"></pre>',
                f'<script type="application/json" id="{pid}-data">{payload}</script>',
                "<script>",
                _JS % {"id": pid},
                "</script>",
                "</div>",
            ]
        )


def player(scenario_or_result: Any, title: str | None = None) -> Player:
    """Simulate a scenario (or take a Result) and return its kernel-free Player.

    `scenario_or_result`: a scenario dict / YAML text / path (simulated with
    `initlab.simulate`), a `Result`, or a Result's `to_json()` dict.
    """
    return Player(_result_of(scenario_or_result), title)
