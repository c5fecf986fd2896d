"""The timeline drawn as inline SVG: no image, no kernel, no matplotlib.

`svg_timeline` draws the view model of `initlab.book.timeline` (the same lanes,
states, Okabe-Ito colours and hatches `timeline` draws) as one `<svg>`
element; `legend` is its key as HTML swatches that reuse the SVG's hatch
patterns. The kernel-free player, the browser runtime, the explorers and the
matplotlib-free fallback of `timeline` all show this drawing.
"""

from __future__ import annotations

import html
from typing import Any

from initlab.api.pod import as_float
from initlab.book.timeline import (
    OKABE_ITO,
    STATES,
    fmt_time,
    horizon,
    lanes,
    pod_name,
    status_spans,
    tick_step,
)

__all__ = ["svg_timeline", "legend"]

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
