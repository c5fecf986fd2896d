"""Figures for the book: a pod's start-up timeline, its resources over time, admission diffs.

Every function returns a `matplotlib.figure.Figure` built directly (never
through `pyplot`), so no global figure state leaks between cells, tests or
threads, and the Agg canvas works with no display. Without matplotlib (in the
browser, under Pyodide) each falls back to its SVG drawing in
`initlab.book.svg`.

What is drawn comes from the timeline view model (`initlab.book.timeline`:
lanes, STATUS spans, states and their Okabe-Ito colours, hatches and bar
heights), so the figures, the kernel-free player and the live widgets draw
exactly the same segments. Labels use Kubernetes' own words: `Init:1/2`,
`CrashLoopBackOff`, `Completed`, `Error`, `OOMKilled`.
"""

from __future__ import annotations

from typing import Any

from initlab.api.pod import as_dict, as_float
from initlab.book.svg import (
    ADMISSION_TITLE,
    admission_face,
    svg_admission,
    svg_resources,
    svg_timeline,
)
from initlab.book.timeline import (
    OKABE_ITO,
    STATES,
    admission_rows,
    event_container,
    events_of,
    fmt_amount,
    fmt_time,
    horizon,
    lanes,
    pod_of,
    resource_series,
    snapshot_at,
    status_spans,
    tick_step,
)

__all__ = [
    "SvgFigure",
    "timeline",
    "resources_over_time",
    "admission_diff",
]


# --------------------------------------------------------------------------- figures


def _show_figures_in_ipython() -> None:
    """Let a returned Figure display as PNG in Jupyter without `%matplotlib inline`.

    Figures here are built without pyplot, so IPython's PNG formatter for
    them only exists once some code activates the inline backend. Register
    it (as the inline backend would, via `IPython.core.pylabtools.print_figure`)
    when running under IPython and nothing has yet.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters["image/png"]
    if Figure not in png.type_printers:
        png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


#: The book's text column is about 690 px wide (Jupyter Book's default theme at 1280 px),
#: so a figure drawn 6.8 in wide at 100 dpi shows at its own size, and a font size of
#: TEXT_MIN points is at least 11 px on the page (TEXT_MIN * DPI / 72).
FIG_WIDTH = 6.8
DPI = 100
TEXT_MIN = 8.5
TEXT = 9.5
TITLE = 11.0


def _new_figure(width: float, height: float):  # -> Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _show_figures_in_ipython()
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attach an Agg canvas: savefig/draw work with no pyplot, no display
    return fig


def _fits(text: str, width: float, span: float, fontsize: float = TEXT_MIN) -> bool:
    """Whether `text` fits in a bar `width` seconds wide on an axes spanning `span` seconds."""
    char = fontsize * 0.6 / 72  # inches per character, about
    axes_width = FIG_WIDTH - 1.9  # the lane labels take the rest
    return len(text) * char < width / span * axes_width if span > 0 else False


class SvgFigure:
    """A figure without matplotlib: its inline SVG (`initlab.book.svg`), shown by Jupyter as HTML."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_html_(self) -> str:
        return self.svg


def timeline(result: Any, t: float | None = None):  # -> Figure
    """The pod's start-up as lanes, one per container, with events and a cursor at `t`.

    Init containers follow one another; each restart is its own bar, a
    back-off gap shows as an orange hatched `CrashLoopBackOff` bar that widens
    with every failure (10 s, 20 s, 40 s ... capped at 5 min); a sidecar's
    bar keeps running beside the app's. The top lane is STATUS as
    `kubectl get pod` printed it.

    Without matplotlib (in the browser, under Pyodide/JupyterLite, no registry
    has a build of it) the same lanes come back as inline SVG (`svg.svg_timeline`).
    """
    try:
        from matplotlib.patches import Patch
        from matplotlib.ticker import FuncFormatter, MultipleLocator
    except ImportError:
        return SvgFigure(svg_timeline(result, t))

    ls = lanes(result)
    spans = status_spans(result)
    end = horizon(result)
    n = len(ls) + 1
    lane_h = 0.48 if n <= 10 else 0.36
    fig = _new_figure(FIG_WIDTH, 2.1 + lane_h * n)
    ax = fig.add_subplot()
    ys = {lane.name: n - 1 - i for i, lane in enumerate(ls, start=1)}
    top = n - 1

    # STATUS band: alternating shades, the text when it fits.
    for k, (a, b, text) in enumerate(spans):
        shade = "#F2F2F2" if k % 2 == 0 else "#E0E0E0"
        ax.broken_barh(
            [(a, b - a)], (top - 0.4, 0.8), facecolors=shade, edgecolors="#999999", lw=0.5
        )
        if _fits(text, b - a, end):
            ax.text(a + (b - a) / 2, top, text, ha="center", va="center", fontsize=TEXT_MIN)

    for lane in ls:
        y = ys[lane.name]
        for seg in lane.segments:
            st = STATES[seg.state]
            h = st.height
            ax.broken_barh(
                [(seg.start, max(seg.end - seg.start, end * 1e-4))],
                (y - h / 2, h),
                facecolors=st.color,
                edgecolors="#333333",
                hatch=st.hatch or None,
                lw=0.5,
            )
            if seg.state in ("running", "failed", "backoff", "starting") and _fits(
                seg.label, seg.end - seg.start, end
            ):
                color = "white" if seg.state == "running" else "black"
                ax.text(
                    (seg.start + seg.end) / 2,
                    y,
                    seg.label,
                    ha="center",
                    va="center",
                    fontsize=TEXT_MIN,
                    color=color,
                    bbox=None if seg.state == "running" else dict(fc="white", ec="none", pad=0.5),
                )
        for tx, code, _reason in lane.exits:
            if code:
                ax.plot(
                    [tx],
                    [y + 0.45],
                    marker="X",
                    ms=6,
                    color=OKABE_ITO["vermillion"],
                    mec="black",
                    mew=0.4,
                    ls="none",
                    zorder=5,
                )
        for ev in lane.events:
            warn = ev.get("type") == "Warning"
            ax.plot(
                [as_float(ev.get("t"))],
                [y - 0.47],
                marker="v" if warn else "|",
                ms=5 if warn else 4,
                color=OKABE_ITO["vermillion"] if warn else "#444444",
                ls="none",
                zorder=4,
            )
    for ev in events_of(result):
        if event_container(ev) is None:
            warn = ev.get("type") == "Warning"
            ax.plot(
                [as_float(ev.get("t"))],
                [top - 0.47],
                marker="v" if warn else "|",
                ms=5,
                color=OKABE_ITO["vermillion"] if warn else "#444444",
                ls="none",
                zorder=4,
            )

    ax.set_yticks([top] + [ys[la.name] for la in ls])
    ax.set_yticklabels(["STATUS"] + [la.title for la in ls], fontsize=TEXT)
    ax.tick_params(axis="x", labelsize=TEXT)
    for label, la in zip(ax.get_yticklabels()[1:], ls, strict=True):
        if la.kind == "app":
            label.set_fontweight("bold")
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(0, end)
    ax.xaxis.set_major_locator(MultipleLocator(tick_step(end)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_time(x)))
    ax.set_xlabel("time since the pod was scheduled", fontsize=TEXT)
    ax.grid(axis="x", color="#DDDDDD", lw=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    name = as_dict(pod_of(result).get("metadata")).get("name") or "pod"
    title = f"{name}: init containers over time"
    if t is not None:
        snap = snapshot_at(result, t)
        ax.axvline(t, color="black", lw=1.2, ls="--", zorder=6)
        title += f" — at {fmt_time(t)}: {snap.get('status', '')}, READY {snap.get('ready', '')}"
    ax.set_title(title, fontsize=TITLE, loc="left")

    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D

    handles: list[Artist] = [
        Patch(facecolor=s.color, hatch=s.hatch or None, edgecolor="#333333", label=s.label)
        for s in STATES.values()
    ]
    handles.append(
        Line2D(
            [],
            [],
            marker="X",
            color=OKABE_ITO["vermillion"],
            ls="none",
            mec="black",
            label="exited ≠ 0",
        )
    )
    handles.append(
        Line2D([], [], marker="v", color=OKABE_ITO["vermillion"], ls="none", label="Warning event")
    )
    handles.append(Line2D([], [], marker="|", color="#444444", ls="none", label="Normal event"))
    fig.legend(
        handles=handles, loc="outside lower center", ncol=3, fontsize=TEXT_MIN, frameon=False
    )
    return fig


# --------------------------------------------------------------------------- resources


def resources_over_time(result_or_pod: Any, node: dict[str, Any] | None = None):  # -> Figure
    """CPU and memory requests over time: who holds what, and what the scheduler reserves.

    The stacked steps are the requests of the containers running at each
    instant (a regular init container alone, then sidecars beside it, then
    the app). The dashed line is the pod's effective request,
    `resources.pod_requests` (component-helpers `resource/helpers.go`
    `PodRequests`): the scheduler reserves that much
    for the pod's whole life, the maximum over every phase, even while the
    pod uses less. A node's allocatable is drawn when `node` is given.
    A bare Pod is simulated first (default behaviour: init containers run 1 s).
    The data is `timeline.resource_series`; without matplotlib the same
    panels come back as inline SVG (`svg.svg_resources`).
    """
    series = resource_series(result_or_pod, node)
    try:
        from matplotlib.ticker import FuncFormatter, MultipleLocator
    except ImportError:
        return SvgFigure(svg_resources(series))

    times = list(series.times)
    fig = _new_figure(FIG_WIDTH, 1.2 + 3.6 * len(series.panels))
    axes = fig.subplots(len(series.panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, panel in zip(axes, series.panels, strict=True):
        resource = panel.resource
        bottom = [0.0] * len(times)
        for band in panel.bands:
            top = [b + v for b, v in zip(bottom, band.values, strict=True)]
            ax.fill_between(
                times,
                bottom,
                top,
                step="post",
                color=band.color,
                hatch=band.hatch,
                edgecolor="#333333",
                lw=0.4,
                alpha=0.85,
                label=f"{band.title}: {fmt_amount(resource, band.amount)}",
            )
            bottom = top
        ax.step(
            times,
            list(panel.total),
            where="post",
            color="black",
            lw=1.2,
            label="sum of running containers' requests",
        )
        if panel.effective is not None:
            ax.axhline(
                panel.effective,
                color=OKABE_ITO["vermillion"],
                ls="--",
                lw=1.5,
                label="effective request (scheduler reserves): "
                + fmt_amount(resource, panel.effective),
            )
        if panel.allocatable is not None:
            ax.axhline(
                panel.allocatable,
                color="#555555",
                ls=":",
                lw=1.5,
                label=f"node allocatable: {fmt_amount(resource, panel.allocatable)}",
            )
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _p, r=resource: fmt_amount(r, v) if v else "0")
        )
        if resource == "memory":
            ymax = max(ax.get_ylim()[1], 1.0)
            step = 2.0 ** max(20, int(ymax / 5).bit_length() - 1)  # a power of two, ≥ 1Mi
            ax.yaxis.set_major_locator(MultipleLocator(step))
        ax.set_ylabel(f"{resource} requests", fontsize=TEXT)
        ax.tick_params(labelsize=TEXT)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), fontsize=TEXT_MIN, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    end = series.end
    axes[-1].set_xlim(0, end)
    axes[-1].xaxis.set_major_locator(MultipleLocator(tick_step(end)))
    axes[-1].xaxis.set_major_formatter(FuncFormatter(lambda x, _p: fmt_time(x)))
    axes[-1].set_xlabel("time since the pod was scheduled", fontsize=TEXT)
    axes[0].set_title(
        f"{series.pod}: requests held over time vs the effective request",
        fontsize=TITLE,
        loc="left",
    )
    return fig


# --------------------------------------------------------------------------- admission


def admission_diff(original: dict[str, Any], admitted: Any):  # -> Figure
    """Init containers and containers before and after admission, injected ones highlighted.

    `admitted` is the admitted Pod dict or an `AdmissionResult` (its `.pod`, or
    `to_json()["pod"]`). Containers that the webhooks added are orange and
    hatched; the order is the spec order, which is the order the kubelet runs
    init containers in. The data is `timeline.admission_rows`; without
    matplotlib the same columns come back as inline SVG (`svg.svg_admission`).
    """
    before, after = admission_rows(original, admitted)
    try:
        from matplotlib.patches import FancyBboxPatch
    except ImportError:
        return SvgFigure(svg_admission(before, after))

    rows = max(len(before), len(after), 1)
    fig = _new_figure(FIG_WIDTH, 1.3 + 0.5 * rows)
    ax = fig.add_subplot()
    ax.set_xlim(0, 2)
    ax.set_ylim(rows + 0.2, -0.9)
    ax.axis("off")
    for col, (items, heading) in enumerate(((before, "as submitted"), (after, "as admitted"))):
        ax.text(
            col + 0.5, -0.6, heading, ha="center", va="center", fontsize=TEXT, fontweight="bold"
        )
        for i, row in enumerate(items):
            ax.add_patch(
                FancyBboxPatch(
                    (col + 0.05, i + 0.1),
                    0.9,
                    0.75,
                    boxstyle="round,pad=0.01",
                    facecolor=admission_face(row),
                    edgecolor="#333333",
                    hatch="//" if row.added else None,
                    lw=0.8,
                )
            )
            ax.text(
                col + 0.08,
                i + 0.5,
                row.text,
                va="center",
                fontsize=TEXT_MIN,
                bbox=dict(fc="white", ec="none", pad=0.3) if row.added else None,
            )
    ax.set_title(ADMISSION_TITLE, fontsize=TITLE, loc="left")
    return fig
