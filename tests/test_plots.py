"""Figures: the timeline, resources over time, admission diff (real simulator runs)."""

from __future__ import annotations

import copy
import io
import sys
from typing import Any, cast

import matplotlib
import pytest
from matplotlib.figure import Figure
from scenarios import MYAPP

import initlab
from initlab.api.resources import pod_requests
from initlab.book import plots, svg
from initlab.book.timeline import (
    OKABE_ITO,
    Band,
    ResourcePanel,
    ResourceSeries,
    admission_rows,
    fmt_amount,
    resource_series,
)


def _pod(inits: list[dict], containers: list[dict] | None = None, **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "initContainers": inits,
            "containers": containers or [{"name": "app", "image": "busybox:1.36"}],
            **spec,
        },
    }


#: A native sidecar (10m), an init container (200m) and an app (100m): effective 210m.
SIDECAR_POD = _pod(
    [
        {
            "name": "side",
            "image": "envoy",
            "restartPolicy": "Always",
            "resources": {"requests": {"cpu": "10m", "memory": "10Mi"}},
        },
        {
            "name": "init",
            "image": "busybox:1.36",
            "resources": {"requests": {"cpu": "200m", "memory": "20Mi"}},
        },
    ],
    [
        {
            "name": "app",
            "image": "busybox:1.36",
            "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
        }
    ],
)


def test_timeline_is_a_figure_with_a_lane_per_container_plus_status(myapp):
    """`timeline` returns a Figure whose y ticks are STATUS then each container."""
    fig = plots.timeline(myapp, t=9)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["STATUS", "init-myservice", "init-mydb", "myapp-container"]
    assert "Init:1/2" in fig.axes[0].get_title(loc="left")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"


def test_figures_leave_no_pyplot_state(myapp):
    """Building figures never registers them with pyplot (no leaked global figures)."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plots.timeline(myapp)
    plots.resources_over_time(myapp)
    assert plt.get_fignums() == before
    assert matplotlib.get_backend()  # untouched and still usable


def test_crash_loop_for_an_hour_renders(crash_hour):
    """A run that never stabilises (an hour of crash loop) renders with 3 lanes + STATUS."""
    fig = plots.timeline(crash_hour, t=1800)
    assert len(fig.axes[0].get_yticklabels()) == 4
    assert fig.axes[0].get_xlim()[1] >= 3600
    fig.savefig(io.BytesIO(), format="png")


def test_twenty_init_containers_render_legibly():
    """20 init containers: 22 lanes, a taller figure, still ≤ 12 inches high."""
    pod = _pod([{"name": f"step-{i:02d}", "image": "busybox:1.36"} for i in range(20)])
    result = initlab.simulate(pod)
    fig = plots.timeline(result)
    assert len(fig.axes[0].get_yticklabels()) == 22
    width, height = fig.get_size_inches()
    assert width == plots.FIG_WIDTH and 6 < height <= 12
    fig.savefig(io.BytesIO(), format="png")


def test_one_container_pod_renders():
    """A pod with one app container and no init container gives STATUS + one lane."""
    pod = _pod([], [{"name": "only", "image": "nginx:1.27"}])
    del pod["spec"]["initContainers"]
    fig = plots.timeline(initlab.simulate(pod))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["STATUS", "only"]
    fig.savefig(io.BytesIO(), format="png")


def test_resources_effective_request_line_is_pod_requests():
    """The dashed 'effective request' line sits at resources.pod_requests (sidecar formula)."""
    pod = SIDECAR_POD
    fig = plots.resources_over_time(pod, node={"cpu": "1", "memory": "1Gi"})
    cpu_ax, mem_ax = fig.axes[:2]
    want = pod_requests(pod)
    assert float(want["cpu"]) == pytest.approx(0.21)  # max(10+100, 200+10) millicores

    def hline(ax, prefix):
        line = next(ln for ln in ax.get_lines() if ln.get_label().startswith(prefix))
        return line.get_ydata()[0]

    assert hline(cpu_ax, "effective request") == pytest.approx(float(want["cpu"]))
    assert hline(mem_ax, "effective request") == pytest.approx(float(want["memory"]))
    assert hline(cpu_ax, "node allocatable") == pytest.approx(1.0)
    # The instantaneous sum peaks while `init` runs beside the sidecar: 210m.
    sums = next(ln for ln in cpu_ax.get_lines() if ln.get_label().startswith("sum"))
    assert max(sums.get_ydata()) == pytest.approx(0.21)


def test_admission_diff_marks_injected_containers():
    """admission_diff lists the original and admitted containers, injected ones flagged."""
    original = copy.deepcopy(MYAPP["pod"])
    admitted = copy.deepcopy(original)
    admitted["spec"]["initContainers"].insert(0, {"name": "istio-init", "image": "proxyv2"})
    fig = plots.admission_diff(original, admitted)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("istio-init") and "injected" in t for t in texts)
    assert not any(t.startswith("init-mydb") and "injected" in t for t in texts)
    fig.savefig(io.BytesIO(), format="png")


def test_figures_display_as_png_in_ipython_without_the_inline_magic():
    """A fresh IPython shell shows `plots.timeline(...)` as an image, not just its repr."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.display_formatter.formatters["image/png"].type_printers.clear()
        fig = plots.timeline(initlab.simulate(MYAPP))
        data, _ = shell.display_formatter.format(fig)
        assert data["image/png"][:4] == b"\x89PNG"
    finally:
        InteractiveShell.clear_instance()


BOOK_COLUMN_PX = 688  # the text column of a chapter page at 1280 px


def _smallest_text_px(fig) -> float:
    """The smallest text of a rendered figure, in CSS px as the book shows it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    from PIL import Image

    width_px = Image.open(io.BytesIO(buf.getvalue())).size[0]
    scale = min(1.0, BOOK_COLUMN_PX / width_px)
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
    return min(sizes) * fig.dpi / 72 * scale


def test_timeline_text_is_at_least_10_px_in_the_book(myapp, crash_hour):
    """Every label of a timeline is ≥ 10 px on the page (the figure is drawn at the column's width)."""
    assert _smallest_text_px(plots.timeline(myapp)) >= 10
    assert _smallest_text_px(plots.timeline(crash_hour, t=600)) >= 10


def test_resources_and_admission_text_is_at_least_10_px_in_the_book():
    """The resources and admission figures are as legible as the timeline."""
    pod = _pod([{"name": "init", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}])
    assert _smallest_text_px(plots.resources_over_time(pod)) >= 10
    admitted = copy.deepcopy(MYAPP["pod"])
    admitted["spec"]["initContainers"].append({"name": "linkerd-init", "image": "proxy-init"})
    assert _smallest_text_px(plots.admission_diff(MYAPP["pod"], admitted)) >= 10


def test_a_resource_nobody_requests_gets_no_empty_panel():
    """A pod that requests cpu only is drawn with one panel, not an empty memory one."""
    pod = _pod([{"name": "init", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}])
    fig = plots.resources_over_time(pod)
    assert [ax.get_ylabel() for ax in fig.axes] == ["cpu requests"]


# --------------------------------------------------------------------------- without matplotlib


def _istio_admitted() -> tuple[dict[str, Any], dict[str, Any]]:
    """The docs' myapp-pod, and it admitted with an `istio-init` injected first."""
    original = cast(dict[str, Any], copy.deepcopy(MYAPP["pod"]))
    admitted = copy.deepcopy(original)
    admitted["spec"]["initContainers"].insert(0, {"name": "istio-init", "image": "proxyv2"})
    return original, admitted


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `import matplotlib...` raises ImportError, as under Pyodide (no build of it)."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError):
        import matplotlib.ticker  # noqa: F401


def test_timeline_without_matplotlib_is_the_svg_timeline(no_matplotlib, myapp):
    """Without matplotlib `timeline` returns the SVG lanes, which Jupyter shows as HTML."""
    fig = plots.timeline(myapp)
    assert isinstance(fig, plots.SvgFigure)
    assert fig._repr_html_() == svg.svg_timeline(myapp)


def test_resources_over_time_without_matplotlib_draws_the_panels_as_svg(no_matplotlib):
    """Without matplotlib the requests figure is SVG: both panels, every legend line."""
    fig = plots.resources_over_time(SIDECAR_POD, node={"cpu": "1", "memory": "1Gi"})
    html = fig._repr_html_()
    assert html.startswith('<svg class="initlab-resources" viewBox="0 0 480 ')
    assert 'width="100%"' in html
    assert 'aria-label="p: requests held over time vs the effective request"' in html
    assert "<title>p: requests held over time vs the effective request</title>" in html
    assert html.count(">cpu requests</text>") == 1
    assert html.count(">memory requests</text>") == 1
    for label in (
        "side (sidecar): 10m",
        "init: 200m",
        "app: 100m",
        "effective request (scheduler reserves): 210m",
        "node allocatable: 1",
        "side (sidecar): 10Mi",
        "effective request (scheduler reserves): 110Mi",
        "node allocatable: 1Gi",
    ):
        assert f">{label}</text>" in html, label
    assert html.count(">sum of running containers&#x27; requests</text>") == 2
    assert f'fill="{OKABE_ITO["blue"]}"' in html  # the first band's colour, as matplotlib's


def test_admission_diff_without_matplotlib_draws_both_columns_as_svg(no_matplotlib):
    """Without matplotlib the admission figure is SVG; only injected boxes say `+ injected`."""
    original, admitted = _istio_admitted()
    html = plots.admission_diff(original, admitted)._repr_html_()
    assert html.startswith('<svg class="initlab-admission" viewBox="0 0 480 ')
    assert 'aria-label="admission: what the mutating webhooks changed"' in html
    assert ">as submitted</text>" in html and ">as admitted</text>" in html
    assert html.count(">init-mydb</text>") == 2
    assert html.count(">istio-init</text>") == 1
    assert html.count("+ injected</text>") == 1
    assert ">init  + injected</text>" in html
    assert html.count(">container</text>") == 2  # myapp-container, in both columns


def test_svg_figures_escape_a_hostile_container_name(no_matplotlib):
    """Names reach the SVG escaped: no markup from a pod's (or a webhook's) container names."""
    hostile = '<img src=x onerror="alert(1)">&'
    pod = {"kind": "Pod", "spec": {"containers": [{"name": hostile}]}}
    html = plots.admission_diff({"kind": "Pod", "spec": {"containers": []}}, pod)._repr_html_()
    series = ResourceSeries(
        hostile,
        (0.0, 1.0),
        1.0,
        (
            ResourcePanel(
                "cpu",
                (Band(hostile, hostile, 0.5, (0.5, 0.0), "#000", "//"),),
                (0.5, 0.0),
                None,
                None,
            ),
        ),
    )
    drawn = svg.svg_resources(series)
    for out in (html, drawn):
        assert "<img" not in out and 'alert(1)"' not in out
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in out


def test_resource_series_is_what_the_matplotlib_figure_plots() -> None:
    """The figure's bands, sum line, effective and allocatable lines are `resource_series`' values."""
    node = {"cpu": "1", "memory": "1Gi"}
    series = resource_series(SIDECAR_POD, node)
    fig = plots.resources_over_time(SIDECAR_POD, node=node)
    assert [p.resource for p in series.panels] == ["cpu", "memory"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["cpu requests", "memory requests"]
    cpu = series.panels[0]
    assert [b.name for b in cpu.bands] == ["side", "init", "app"]
    assert max(cpu.total) == pytest.approx(0.21)
    assert cpu.effective == pytest.approx(0.21) and cpu.allocatable == pytest.approx(1.0)
    for ax, panel in zip(fig.axes, series.panels, strict=True):
        lines = {ln.get_label(): ln for ln in ax.get_lines()}
        total = lines["sum of running containers' requests"]
        assert list(total.get_xdata()) == list(series.times)
        assert list(total.get_ydata()) == list(panel.total)
        eff = next(v for k, v in lines.items() if k.startswith("effective request"))
        assert eff.get_ydata()[0] == panel.effective
        alloc = next(v for k, v in lines.items() if k.startswith("node allocatable"))
        assert alloc.get_ydata()[0] == panel.allocatable
        labels = [c.get_label() for c in ax.collections]
        assert labels == [f"{b.title}: {fmt_amount(panel.resource, b.amount)}" for b in panel.bands]


def test_admission_rows_are_what_the_matplotlib_figure_prints() -> None:
    """The figure's boxes print `admission_rows`' texts, submitted column then admitted."""
    original, admitted = _istio_admitted()
    before, after = admission_rows(original, {"pod": admitted})
    assert [r.text for r in after][:2] == [
        "istio-init   [init]   + injected",
        "init-myservice   [init]",
    ]
    fig = plots.admission_diff(original, admitted)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [
        "as submitted",
        *[r.text for r in before],
        "as admitted",
        *[r.text for r in after],
    ]
