"""The timeline drawn as inline SVG: no image, no kernel, no matplotlib.

`svg_timeline` draws the view model of `initlab.book.timeline` (the same lanes,
states, Okabe-Ito colours and hatches `timeline` draws) as one `<svg>`
element; `legend` is its key as HTML swatches that reuse the SVG's hatch
patterns. The kernel-free player, the browser runtime, the explorers and the
matplotlib-free fallback of `timeline` all show this drawing.

`svg_resources` and `svg_admission` are the matplotlib-free drawings of
`plots.resources_over_time` and `plots.admission_diff`, from the same data
(`timeline.resource_series`, `timeline.admission_rows`). They are drawn on a
narrow canvas (`_NARROW_W` units, `width="100%"`, at most `_NARROW_MAX` px
wide) so their text reads both in the book's column at 1280 px and on a
390 px phone.
"""

from __future__ import annotations

import html
import math
from typing import Any

from initlab.api.pod import as_float
from initlab.book.timeline import (
    OKABE_ITO,
    STATES,
    AdmissionRow,
    ResourceSeries,
    fmt_amount,
    fmt_time,
    horizon,
    lanes,
    pod_name,
    status_spans,
    tick_step,
)

__all__ = ["svg_timeline", "legend", "svg_resources", "svg_admission", "admission_face"]

# Geometry of the SVG timeline (viewBox units ~ CSS px).
_W = 900
_LABEL_W = 170
_LANE_H = 24
_TOP = 8
_AXIS_H = 26


def _ticks(end: float) -> list[float]:
    step = tick_step(end)
    return [i * step for i in range(int(end // step) + 1)]


def svg_timeline(result: Any, t: float | None = None, prefix: str = "tl") -> str:
    """The timeline as inline SVG: STATUS band, one lane per container, events, cursor.

    The same lanes as `plots.timeline` (same states, Okabe-Ito colours and
    hatches), drawn as SVG so it needs no image and no kernel. The cursor
    line has class `cursor`, the greyed future has class `future`; the
    player's script moves both.
    """
    ls = lanes(result)
    spans = status_spans(result)
    end = horizon(result) or 1.0
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
        "<title>" + html.escape(f"{pod_name(result)}: init containers over time") + "</title>",
        "<defs>",
    ]
    for key, st in STATES.items():
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
        st = STATES[key]
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
            f"{html.escape(text)} from {html.escape(fmt_time(a))}</title></rect>"
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
            st = STATES[seg.state]
            h = st.height * (_LANE_H - 4)
            w = max(x(seg.end) - x(seg.start), 0.8)
            tip = f"{lane.name}: {seg.label}, {fmt_time(seg.start)}–{fmt_time(seg.end)}"
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
                    f'fill="{OKABE_ITO["vermillion"]}" font-weight="bold">✕<title>'
                    f"{html.escape(f'{lane.name}: {reason}, exit code {code}')}</title></text>"
                )
        for ev in lane.events:
            tx = x(as_float(ev.get("t")))
            warn = ev.get("type") == "Warning"
            color = OKABE_ITO["vermillion"] if warn else "#444"
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
            f"{html.escape(fmt_time(tick))}</text>"
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


def legend(prefix: str) -> str:
    """State swatches; they reuse the timeline's hatch patterns (ids carry the player's prefix)."""
    parts = []
    for key, st in STATES.items():
        fill = f"url(#{prefix}-h-{key})" if st.hatch else st.color
        parts.append(
            f'<span><svg width="18" height="10" aria-hidden="true"><rect width="18" height="10" '
            f'fill="{fill}" stroke="#333" stroke-width="0.5"/></svg>{html.escape(st.label)}</span>'
        )
    parts.append(f'<span><b style="color:{OKABE_ITO["vermillion"]}">✕</b> exited ≠ 0</span>')
    parts.append(
        f'<span><b style="color:{OKABE_ITO["vermillion"]}">▼</b> Warning event'
        "</span><span>| Normal event</span>"
    )
    return '<div class="ilp-legend">' + "".join(parts) + "</div>"


# --------------------------------------------------------------------------- narrow figures

_NARROW_W = 480  # viewBox width of the resources and admission drawings
_NARROW_MAX = 600  # their largest width on the page, in px (the book's column is ~690 px)
_FONT = 13
_CHAR = _FONT * 0.56  # the width of an average character, about

#: SVG paths for matplotlib's hatches (a 6×6 tile), as `timeline.BAND_HATCHES` names them.
_HATCH_PATHS = {
    "/": "M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5",
    "\\": "M0,0 L6,6 M-1,5 L1,7 M5,-1 L7,1",
    ".": "M2,2 h1.2 M5,5 h1.2",
    "x": "M0,6 L6,0 M0,0 L6,6",
    "+": "M3,0 v6 M0,3 h6",
    "o": "M3,1.5 a1.5,1.5 0 1 0 0.01,0",
}

#: The admission drawing's title (the matplotlib figure's too).
ADMISSION_TITLE = "admission: what the mutating webhooks changed"


def _open_svg(height: float, label: str, css_class: str) -> list[str]:
    """The `<svg>` start tag (narrow viewBox, full width, accessible name) and its `<title>`."""
    name = html.escape(label)
    return [
        f'<svg class="{css_class}" viewBox="0 0 {_NARROW_W} {height:.0f}" width="100%" '
        f'style="max-width:{_NARROW_MAX}px;height:auto" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="{name}" font-family="sans-serif" font-size="{_FONT}">',
        f"<title>{name}</title>",
    ]


def _hatch_pattern(pid: str, color: str, hatch: str, opacity: float = 1.0) -> str:
    """A 6×6 pattern: `color` under the strokes of a matplotlib hatch (`//`, `..`, `xx` ...)."""
    path = _HATCH_PATHS.get(hatch[:2] if hatch.startswith("\\") else hatch[:1], "")
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{color}" fill-opacity="{opacity}"/>'
        + (f'<path d="{path}" stroke="#333" stroke-width="0.8" fill="none"/>' if path else "")
        + "</pattern>"
    )


def _nice_ticks(resource: str, top: float) -> list[float]:
    """At most ~5 y ticks from 0 to `top`: 1-2-5 steps for cpu, a power of two (≥ 1Mi) for memory."""
    if top <= 0:
        return [0.0]
    if resource == "memory":
        step = 2.0 ** max(20, math.ceil(math.log2(top / 5)))
    else:
        raw = top / 4
        mag = 10 ** math.floor(math.log10(raw))
        step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(top // step) + 1)]


def svg_resources(series: ResourceSeries, prefix: str = "rs") -> str:
    """Requests held over time as inline SVG: one panel per resource, its legend under it.

    The same panels as `plots.resources_over_time`: each running container's
    request stacked as a band (its Okabe-Ito colour and hatch), their sum as
    a black step line, the effective request (the scheduler's reservation)
    dashed vermillion, the node's allocatable dotted grey.
    """
    left, right = 62, _NARROW_W - 12
    plot_h = 150
    end = series.end or 1.0
    step = tick_step(end * 10 / 6)  # at most ~6 time labels: they must fit on a phone
    x_ticks = [i * step for i in range(int(end // step) + 1)]

    def x(tt: float) -> float:
        return round(left + (right - left) * max(0.0, min(tt, end)) / end, 1)

    title = f"{series.pod}: requests held over time vs the effective request"
    body: list[str] = []
    defs: list[str] = []
    y0 = 44.0  # below the two title lines
    for p, panel in enumerate(series.panels):
        r = panel.resource
        marks = [*panel.total, panel.effective or 0.0, panel.allocatable or 0.0]
        top_value = max(marks) * 1.1 or 1.0
        ticks = _nice_ticks(r, top_value)
        top_value = max(top_value, ticks[-1])

        def y(v: float, y0: float = y0, top_value: float = top_value) -> float:
            return round(y0 + 20 + plot_h * (1 - v / top_value), 1)

        base = y(0)
        body.append(
            f'<text x="{left}" y="{y0 + 12}" font-weight="bold">{html.escape(r)} requests</text>'
        )
        for v in ticks:
            body.append(
                f'<line x1="{left}" x2="{right}" y1="{y(v)}" y2="{y(v)}" stroke="#ddd" '
                'stroke-width="0.6"/>'
                f'<text x="{left - 5}" y="{y(v) + 4}" text-anchor="end">'
                f"{html.escape(fmt_amount(r, v) if v else '0')}</text>"
            )
        bottom = [0.0] * len(series.times)
        legend: list[tuple[str, str]] = []
        for b, band in enumerate(panel.bands):
            pid = f"{prefix}-{p}-{b}"
            defs.append(_hatch_pattern(pid, band.color, band.hatch, 0.85))
            label = f"{band.title}: {fmt_amount(r, band.amount)}"
            for i in range(len(series.times) - 1):
                v = band.values[i]
                if not v:
                    continue
                a, z = series.times[i], series.times[i + 1]
                tip = f"{band.name}: {fmt_amount(r, v)} from {fmt_time(a)} to {fmt_time(z)}"
                body.append(
                    f'<rect x="{x(a)}" y="{y(bottom[i] + v)}" width="{x(z) - x(a):.1f}" '
                    f'height="{y(bottom[i]) - y(bottom[i] + v):.1f}" fill="url(#{pid})" '
                    f'stroke="#333" stroke-width="0.4"><title>{html.escape(tip)}</title></rect>'
                )
            bottom = [lo + v for lo, v in zip(bottom, band.values, strict=True)]
            legend.append(
                (
                    f'<rect x="0" y="-10" width="22" height="12" fill="url(#{pid})" '
                    'stroke="#333" stroke-width="0.4"/>',
                    label,
                )
            )
        # the sum: a step line (each value holds until the next breakpoint)
        pts = []
        for i, tt in enumerate(series.times):
            if i:
                pts.append(f"{x(tt)},{y(panel.total[i - 1])}")
            pts.append(f"{x(tt)},{y(panel.total[i])}")
        body.append(
            f'<polyline points="{" ".join(pts)}" fill="none" stroke="#000" stroke-width="1.6"/>'
        )
        legend.append(
            (
                '<line x1="0" x2="22" y1="-4" y2="-4" stroke="#000" stroke-width="1.6"/>',
                "sum of running containers' requests",
            )
        )
        for value, color, dash, words in (
            (
                panel.effective,
                OKABE_ITO["vermillion"],
                "6 3",
                "effective request (scheduler reserves)",
            ),
            (panel.allocatable, "#555", "2 2", "node allocatable"),
        ):
            if value is None:
                continue
            label = f"{words}: {fmt_amount(r, value)}"
            body.append(
                f'<line x1="{left}" x2="{right}" y1="{y(value)}" y2="{y(value)}" '
                f'stroke="{color}" stroke-width="2" stroke-dasharray="{dash}">'
                f"<title>{html.escape(label)}</title></line>"
            )
            legend.append(
                (
                    f'<line x1="0" x2="22" y1="-4" y2="-4" stroke="{color}" stroke-width="2" '
                    f'stroke-dasharray="{dash}"/>',
                    label,
                )
            )
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="#333"/>'
            f'<line x1="{left}" x2="{left}" y1="{y(top_value)}" y2="{base}" stroke="#333"/>'
        )
        for tick in x_ticks:
            body.append(
                f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{base}" y2="{base + 4}" stroke="#333"/>'
                f'<text x="{x(tick)}" y="{base + 17}" text-anchor="middle">'
                f"{html.escape(fmt_time(tick))}</text>"
            )
        ly = base + 40
        for mark, label in legend:
            body.append(
                f'<g transform="translate({left},{ly})">{mark}'
                f'<text x="28" y="0">{html.escape(label)}</text></g>'
            )
            ly += 18
        y0 = ly + 6
    body.append(
        f'<text x="{(left + right) / 2}" y="{y0 + 6}" text-anchor="middle">'
        "time since the pod was scheduled</text>"
    )
    out = _open_svg(y0 + 16, title, "initlab-resources")
    out.append(
        f'<text x="4" y="16" font-size="15" font-weight="bold">{html.escape(series.pod)}:</text>'
        '<text x="4" y="34" font-size="14">requests held over time vs the effective request</text>'
    )
    out += ["<defs>", *defs, "</defs>", *body, "</svg>"]
    return "".join(out)


def admission_face(row: AdmissionRow) -> str:
    """A container's box colour: orange if injected, light blue for init/sidecar, white for app."""
    if row.added:
        return OKABE_ITO["orange"]
    return "#FFFFFF" if row.kind == "app" else "#DDEEFF"


def svg_admission(before: list[AdmissionRow], after: list[AdmissionRow], prefix: str = "ad") -> str:
    """The admission diff as inline SVG: as submitted | as admitted, injected boxes hatched.

    The same columns as `plots.admission_diff`: every container in spec order
    (the kubelet runs init containers in that order), its kind, and the
    injected ones orange and hatched with "+ injected".
    """
    kinds = {"init": "init", "sidecar": "init · sidecar", "app": "container"}
    col_w = (_NARROW_W - 12) / 2
    box_h, gap = 40, 6
    rows = max(len(before), len(after), 1)
    height = 62 + rows * (box_h + gap) + 4
    out = _open_svg(height, ADMISSION_TITLE, "initlab-admission")
    out.append(
        f"<defs>{_hatch_pattern(f'{prefix}-added', OKABE_ITO['orange'], '//')}</defs>"
        f'<text x="4" y="16" font-size="15" font-weight="bold">{html.escape(ADMISSION_TITLE)}</text>'
    )
    for c, (items, heading) in enumerate(((before, "as submitted"), (after, "as admitted"))):
        x0 = 4 + c * (col_w + 4)
        out.append(
            f'<text x="{x0 + col_w / 2:.1f}" y="46" text-anchor="middle" '
            f'font-weight="bold">{html.escape(heading)}</text>'
        )
        for i, row in enumerate(items):
            y = 56 + i * (box_h + gap)
            fill = f"url(#{prefix}-added)" if row.added else admission_face(row)
            out.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{col_w - 4:.1f}" height="{box_h}" rx="4" '
                f'fill="{fill}" stroke="#333" stroke-width="0.8"><title>'
                f"{html.escape(row.text)}</title></rect>"
            )
            kind = kinds[row.kind] + ("  + injected" if row.added else "")
            if row.added:  # the text on white, as the matplotlib figure's bbox does
                w = min(col_w - 10, max(len(row.name) * 8.0, len(kind) * 6.8) + 8)
                out.append(
                    f'<rect x="{x0 + 3:.1f}" y="{y + 3}" width="{w:.1f}" height="{box_h - 6}" '
                    'rx="3" fill="#fff" fill-opacity="0.92"/>'
                )
            out.append(
                f'<text x="{x0 + 6:.1f}" y="{y + 16}" font-weight="bold">'
                f"{html.escape(row.name)}</text>"
                f'<text x="{x0 + 6:.1f}" y="{y + 33}" font-size="12">'
                f"{html.escape(kind)}</text>"
            )
    out.append("</svg>")
    return "".join(out)
