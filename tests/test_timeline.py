"""The timeline view model: a run as lanes, STATUS spans and states (real simulator runs)."""

from __future__ import annotations

from scenarios import CRASH_HOUR

import initlab
from initlab.book import timeline


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
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
            "containers": [{"name": "app", "image": "busybox:1.36"}],
        },
    }
    result = initlab.simulate({"pod": pod, "until": 30})
    side = [s for s in _lane(result, "proxy").segments if s.state == "running"]
    app = [s for s in _lane(result, "app").segments if s.state == "running"]
    assert _lane(result, "proxy").kind == "sidecar"
    assert side[0].start < app[0].start < side[-1].end


def test_palette_is_okabe_ito_with_hatches_for_problems():
    """Problem states are Okabe-Ito colours and hatched (they read in greyscale print)."""
    assert timeline.STATES["backoff"].color == "#E69F00" and timeline.STATES["backoff"].hatch
    assert timeline.STATES["failed"].color == "#D55E00" and timeline.STATES["failed"].hatch
    heights = {s.height for s in timeline.STATES.values()}
    assert len(heights) >= 3  # heights also tell states apart without colour


def test_events_sit_on_the_lane_their_field_path_names(myapp):
    """An event about spec.initContainers{x} is drawn on x's lane; a Pod event on none."""
    assert timeline.event_container({"object": "spec.initContainers{init-mydb}"}) == "init-mydb"
    assert timeline.event_container({"object": "spec.containers{app}"}) == "app"
    assert timeline.event_container({"object": "Pod"}) is None
    assert timeline.event_container({}) is None
    reasons = [e["reason"] for e in _lane(myapp, "init-myservice").events]
    assert reasons == ["Pulling", "Pulled", "Created", "Started"]
    on_lanes = sum(len(la.events) for la in timeline.lanes(myapp))
    assert on_lanes == len(timeline.events_of(myapp)) - 1  # all but the Pod's Scheduled


def test_pod_name_comes_from_the_result_else_says_pod(myapp):
    """A Result names its pod; a JSON dict may carry a name; a bare snapshot list says "pod"."""
    assert timeline.pod_name(myapp) == "myapp-pod"
    assert timeline.pod_name({"timeline": [], "name": "from-json"}) == "from-json"
    assert timeline.pod_name(myapp.timeline) == "pod"


def test_spec_order_is_init_and_sidecars_then_apps():
    """spec_order lists init containers (sidecars marked) in order, then app containers."""
    assert timeline.spec_order(CRASH_HOUR["pod"]) == [
        ("proxy", "sidecar"),
        ("migrate", "init"),
        ("app", "app"),
    ]
