"""Figures: timeline lanes, resources over time, admission diff (real simulator runs)."""

from __future__ import annotations

import copy
import io

import matplotlib
import pytest
from matplotlib.figure import Figure
from scenarios import MYAPP

import initlab
from initlab.api.resources import pod_requests
from initlab.book import plots, timeline


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


@pytest.fixture(scope="module")
def myapp():
    """The docs' myapp-pod, its two Services created at 8 s and 15 s."""
    return initlab.simulate(MYAPP)


@pytest.fixture(scope="module")
def crash_hour():
    """An init container that crash-loops for an hour next to a native sidecar."""
    pod = _pod(
        [
            {"name": "proxy", "image": "envoy", "restartPolicy": "Always"},
            {"name": "migrate", "image": "busybox:1.36"},
        ]
    )
    return initlab.simulate(
        {"pod": pod, "until": 3600, "behavior": {"migrate": [{"run": 2, "exit": 1}]}}
    )


def _lane(result, name):
    return next(lane for lane in timeline.lanes(result) if lane.name == name)


def test_lanes_follow_spec_order_one_per_container(myapp):
    """One lane per container: init containers in order, then the app container."""
    assert [(la.name, la.kind) for la in timeline.lanes(myapp)] == [
        ("init-myservice", "init"),
        ("init-mydb", "init"),
        ("myapp-container", "app"),
    ]


def test_init_containers_run_one_after_another(myapp):
    """init-mydb starts running only once init-myservice has completed."""
    first = [s for s in _lane(myapp, "init-myservice").segments if s.state == "running"]
    second = [s for s in _lane(myapp, "init-mydb").segments if s.state == "running"]
    app = [s for s in _lane(myapp, "myapp-container").segments if s.state == "running"]
    assert first[0].end <= second[0].start
    assert second[0].end <= app[0].start
    done = [s for s in _lane(myapp, "init-myservice").segments if s.state == "done"]
    assert done and done[0].label == "Completed"


def test_status_spans_use_kubectl_words(myapp):
    """The STATUS band reads Init:0/2, Init:1/2, PodInitializing, Running in that order."""
    texts = [text for _a, _b, text in timeline.status_spans(myapp)]
    order = [texts.index(s) for s in ("Init:0/2", "Init:1/2", "PodInitializing", "Running")]
    assert order == sorted(order)


def test_backoff_gaps_widen(crash_hour):
    """Each CrashLoopBackOff wait is at least as long as the one before, and they grow."""
    waits = [
        s.end - s.start
        for s in _lane(crash_hour, "migrate").segments
        if s.state == "backoff" and s.label == "CrashLoopBackOff"
    ]
    full = waits[:-1]  # the last one is cut by the end of the run
    assert len(full) >= 4
    assert all(b >= a - 1e-9 for a, b in zip(full, full[1:], strict=False))
    assert full[-1] > full[0]


def test_failed_attempts_are_marked_with_exit_code(crash_hour):
    """Every failed attempt of the crash-looping container has an exit mark with code 1."""
    lane = _lane(crash_hour, "migrate")
    codes = {code for _t, code, _r in lane.exits}
    assert codes == {1}
    assert len(lane.exits) == crash_hour.final["initContainerStatuses"][1]["restartCount"] + 1


def test_sidecar_keeps_running_beside_the_app():
    """A native sidecar's running bar overlaps the app container's running bar."""
    pod = _pod([{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}])
    result = initlab.simulate({"pod": pod, "until": 30})
    side = [s for s in _lane(result, "proxy").segments if s.state == "running"]
    app = [s for s in _lane(result, "app").segments if s.state == "running"]
    assert _lane(result, "proxy").kind == "sidecar"
    assert side[0].start < app[0].start < side[-1].end


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
    pod = _pod(
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


def test_palette_is_okabe_ito_with_hatches_for_problems():
    """Problem states are Okabe-Ito colours and hatched (they read in greyscale print)."""
    assert timeline.STATES["backoff"].color == "#E69F00" and timeline.STATES["backoff"].hatch
    assert timeline.STATES["failed"].color == "#D55E00" and timeline.STATES["failed"].hatch
    heights = {s.height for s in timeline.STATES.values()}
    assert len(heights) >= 3  # heights also tell states apart without colour


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
