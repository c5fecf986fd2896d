"""The timeline view model: a simulated run as lanes, spans and marks, with no drawing.

Plain data about a Result (or its `to_json()` dict, or a bare snapshot list):
one `Lane` per container with its `Segment`s in Kubernetes' own words
(`Init:1/2`, `CrashLoopBackOff`, `Completed`, `Error`, `OOMKilled`), the
STATUS spans `kubectl get pod` printed, the time axis, and how each state is
drawn (`STATES`: Okabe-Ito colour, hatch, bar height). The SVG timeline
(`initlab.book.svg`), the matplotlib figures (`initlab.book.plots`), the
kernel-free player and the explorers all draw from it, so they draw exactly
the same segments. `resource_series` (requests held over time) and
`admission_rows` (containers before and after admission) are the data of the
resources and admission figures, drawn by both `plots` and `svg`.

Colours are the Okabe-Ito palette (readable with every common colour-vision
deficiency) and every state also has its own hatch and bar height, so the
figures still read in greyscale print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from initlab.api.pod import (
    as_dict,
    as_float,
    as_int,
    as_list,
    init_containers,
    is_restartable_init_container,
    metadata,
    regular_containers,
)

__all__ = [
    "OKABE_ITO",
    "STATES",
    "StateStyle",
    "Segment",
    "Lane",
    "timeline_of",
    "events_of",
    "pod_of",
    "pod_name",
    "classify",
    "horizon",
    "spec_order",
    "lanes",
    "event_container",
    "status_spans",
    "snapshot_at",
    "tick_step",
    "fmt_time",
    "Band",
    "ResourcePanel",
    "ResourceSeries",
    "resource_series",
    "fmt_amount",
    "AdmissionRow",
    "admission_rows",
]

#: Okabe & Ito (2008), "Color Universal Design": safe for all common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#BBBBBB",
}


@dataclass(frozen=True)
class StateStyle:
    """How one container state is drawn: legend label, colour, hatch, bar height (0-1)."""

    label: str
    color: str
    hatch: str
    height: float


#: Container states as the timeline draws them. `backoff` is any waiting reason that is a
#: problem (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError...).
STATES: dict[str, StateStyle] = {
    "waiting": StateStyle("Waiting (PodInitializing)", "#DDDDDD", "..", 0.30),
    "starting": StateStyle("Running, not started", OKABE_ITO["sky"], "\\\\\\", 0.80),
    "running": StateStyle("Running", OKABE_ITO["blue"], "", 0.80),
    "done": StateStyle("Terminated: Completed", OKABE_ITO["green"], "", 0.30),
    "failed": StateStyle("Terminated: Error", OKABE_ITO["vermillion"], "xxx", 0.80),
    "backoff": StateStyle("Waiting: CrashLoopBackOff", OKABE_ITO["orange"], "///", 0.55),
}

#: Waiting reasons that only mean "not yet" (kubelet_pods.go convertToAPIContainerStatuses).
_BENIGN_WAITING = {"", "PodInitializing", "ContainerCreating"}

_FIELD_PATH = re.compile(r"^spec\.(initContainers|containers|ephemeralContainers)\{(.+)\}$")


@dataclass
class Segment:
    """One container in one state from `start` to `end` (seconds), with its Kubernetes label."""

    start: float
    end: float
    state: str
    label: str
    restart_count: int = 0


@dataclass
class Lane:
    """One container's row: kind is "init", "sidecar" or "app"; marks are (t, kind, text)."""

    name: str
    kind: str
    segments: list[Segment] = field(default_factory=list)
    exits: list[tuple[float, int, str]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The lane's label: the name, with its role for sidecars and app containers."""
        return {"sidecar": f"{self.name} (sidecar)", "app": self.name}.get(self.kind, self.name)


# --------------------------------------------------------------------------- data


def timeline_of(result: Any) -> list[dict[str, Any]]:
    """The snapshot list of a Result, of its `to_json()` dict, or a bare list of snapshots."""
    if isinstance(result, list):
        return [s for s in result if isinstance(s, dict)]
    if isinstance(result, dict):
        return as_list(result.get("timeline"))
    return as_list(getattr(result, "timeline", None))


def events_of(result: Any) -> list[dict[str, Any]]:
    """The event list of a Result (or its JSON dict); [] for a bare snapshot list."""
    if isinstance(result, dict):
        evs = result.get("events")
    elif isinstance(result, list):
        evs = None
    else:
        evs = getattr(result, "events", None)
    return as_list(evs)


def pod_of(result: Any) -> dict[str, Any]:
    """The simulated Pod (spec only matters here): `.pod`, else `.pod_at(0)`, else {}."""
    pod = getattr(result, "pod", None)
    if isinstance(pod, dict):
        return pod
    pods = getattr(result, "pods", None)  # simulator Result: the pod at every snapshot
    if isinstance(pods, list) and pods and isinstance(pods[-1], dict):
        return pods[-1]
    pod_at = getattr(result, "pod_at", None)
    if callable(pod_at):
        try:
            got = pod_at(0)
        except Exception:  # noqa: BLE001 - a drawing must not fail on a partial result
            got = None
        if isinstance(got, dict):
            return got
    if isinstance(result, dict) and isinstance(result.get("pod"), dict):
        return result["pod"]
    return {}


def pod_name(result: Any) -> str:
    """The pod's name: the Result's own, else its Pod's metadata, else its JSON's, else "pod"."""
    name = getattr(result, "name", None)
    if not isinstance(name, str) or not name:
        name = metadata(pod_of(result)).get("name")
    if not name and isinstance(result, dict):
        name = result.get("name")
    return str(name or "pod")


def classify(status: dict[str, Any], kind: str = "app") -> tuple[str, str]:
    """(state key, Kubernetes label) for one API container status.

    Terminated reasons come from the CRI runtime (Completed / Error /
    OOMKilled); waiting reasons from the kubelet.
    A sidecar or app container running with `started: false` has not passed
    its startup probe yet (the next init container waits for that).
    """
    state = as_dict(status.get("state"))
    if "running" in state:
        if status.get("started") is False and kind != "init":
            return "starting", "Running, not started"
        return "running", "Running"
    if "terminated" in state:
        term = as_dict(state.get("terminated"))
        code = as_int(term.get("exitCode"), 0)
        reason = str(term.get("reason") or ("Completed" if code == 0 else "Error"))
        if code == 0:
            return "done", reason
        return "failed", f"{reason} (exit {code})"
    waiting = as_dict(state.get("waiting"))
    reason = str(waiting.get("reason") or "")
    if reason in _BENIGN_WAITING:
        return "waiting", reason or "Waiting"
    return "backoff", reason


def horizon(result: Any) -> float:
    """Where the time axis ends: a little after the last change or event (at least 1 s)."""
    times = [as_float(s.get("t")) for s in timeline_of(result)]
    times += [as_float(e.get("t")) for e in events_of(result)]
    last = max(times, default=0.0)
    end = getattr(result, "end", None)  # the simulated horizon (Result.end)
    if isinstance(end, int | float) and end > last and end <= last * 1.5 + 10:
        return float(end)
    return last + max(1.0, 0.08 * last)


def spec_order(pod: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, kind) of every named container in spec order: init and sidecar, then app."""
    order: list[tuple[str, str]] = []
    for c in init_containers(pod):
        if isinstance(c.get("name"), str):
            kind = "sidecar" if is_restartable_init_container(c) else "init"
            order.append((c["name"], kind))
    for c in regular_containers(pod):
        if isinstance(c.get("name"), str):
            order.append((c["name"], "app"))
    return order


def lanes(result: Any) -> list[Lane]:
    """One lane per container, in spec order (init containers and sidecars, then apps).

    Each snapshot's state lasts until the next snapshot (the simulator takes
    one at every change). A change of `restartCount` starts a new segment, so
    every attempt is its own bar; `exits` marks where an attempt ended, with
    its exit code, taken from `state.terminated` or `lastState.terminated`.
    """
    snaps = timeline_of(result)
    end = horizon(result)
    order = spec_order(pod_of(result))
    known = {name for name, _ in order}
    # Containers seen only in statuses (no spec given) are appended in status order.
    for snap in snaps:
        for key, kind in (("initContainerStatuses", "init"), ("containerStatuses", "app")):
            for st in as_list(snap.get(key)):
                name = st.get("name")
                if isinstance(name, str) and name not in known:
                    known.add(name)
                    order.append((name, kind))
    by_name = {name: Lane(name, kind) for name, kind in order}
    prev: dict[str, dict[str, Any]] = {}
    for i, snap in enumerate(snaps):
        t0 = as_float(snap.get("t"))
        t1 = as_float(snaps[i + 1].get("t")) if i + 1 < len(snaps) else end
        for key in ("initContainerStatuses", "containerStatuses"):
            for st in as_list(snap.get(key)):
                lane = by_name.get(st.get("name"))  # type: ignore[arg-type]
                if lane is None:
                    continue
                state, label = classify(st, lane.kind)
                rc = as_int(st.get("restartCount"))
                old = prev.get(lane.name)
                if old is not None:
                    _record_exit(lane, old, st, t0)
                prev[lane.name] = st
                segs = lane.segments
                if (
                    segs
                    and segs[-1].state == state
                    and segs[-1].label == label
                    and (segs[-1].restart_count == rc and abs(segs[-1].end - t0) < 1e-9)
                ):
                    segs[-1].end = t1
                else:
                    segs.append(Segment(t0, t1, state, label, rc))
    for ev in events_of(result):
        container = event_container(ev)
        if container in by_name:
            by_name[container].events.append(ev)
    return list(by_name.values())


def event_container(event: dict[str, Any]) -> str | None:
    """The container an event is about (its object's `spec.containers{name}` field path), else None."""
    m = _FIELD_PATH.match(str(event.get("object") or ""))
    return m.group(2) if m else None


def _record_exit(lane: Lane, old: dict[str, Any], new: dict[str, Any], t: float) -> None:
    """Mark the end of an attempt: running before, terminated now (or a new restartCount)."""
    if "running" not in as_dict(old.get("state")):
        return
    term = as_dict(as_dict(new.get("state")).get("terminated"))
    if not term and as_int(new.get("restartCount")) > as_int(old.get("restartCount")):
        term = as_dict(as_dict(new.get("lastState")).get("terminated"))
    if not term:
        return
    code = as_int(term.get("exitCode"), 0)
    reason = str(term.get("reason") or ("Completed" if code == 0 else "Error"))
    lane.exits.append((t, code, reason))


def status_spans(result: Any) -> list[tuple[float, float, str]]:
    """(start, end, STATUS) spans: what `kubectl get pod` showed, change by change."""
    snaps = timeline_of(result)
    end = horizon(result)
    spans: list[tuple[float, float, str]] = []
    for i, snap in enumerate(snaps):
        t0 = as_float(snap.get("t"))
        t1 = as_float(snaps[i + 1].get("t")) if i + 1 < len(snaps) else end
        text = str(snap.get("status") or snap.get("phase") or "")
        if spans and spans[-1][2] == text:
            spans[-1] = (spans[-1][0], t1, text)
        else:
            spans.append((t0, t1, text))
    return spans


def snapshot_at(result: Any, t: float | None) -> dict[str, Any]:
    """The snapshot in force at `t` (the last one taken at or before it); {} if none."""
    snaps = timeline_of(result)
    if not snaps:
        return {}
    if t is None:
        return snaps[-1]
    current = snaps[0]
    for s in snaps:
        if as_float(s.get("t")) <= t:
            current = s
        else:
            break
    return current


def tick_step(end: float) -> float:
    """A time-axis step in round units (1 s ... 2 h) giving at most ~10 ticks."""
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if end / step <= 10:
            return float(step)
    return float(3600 * 6)


def fmt_time(seconds: float) -> str:
    """Axis labels: "45s" below two minutes, "12m", "1h05m" beyond."""
    s = int(round(seconds))
    if abs(s) < 120:
        return f"{s}s"
    if abs(s) < 3600:
        m, r = divmod(s, 60)
        return f"{m}m" if r == 0 else f"{m}m{r:02d}s"
    h, r = divmod(s, 3600)
    return f"{h}h{r // 60:02d}m"


# --------------------------------------------------------------------------- resources

#: The colours and matplotlib hatches of the containers' bands, in lane order (cycled).
BAND_COLORS = ("blue", "orange", "green", "purple", "sky", "vermillion", "yellow")
BAND_HATCHES = ("", "//", "..", "\\\\", "xx", "++", "oo")


@dataclass(frozen=True)
class Band:
    """One container's request of one resource, held (amount) or not (0) at each breakpoint."""

    name: str
    title: str
    amount: float
    values: tuple[float, ...]
    color: str
    hatch: str


@dataclass(frozen=True)
class ResourcePanel:
    """One resource: the stacked bands, their sum, the effective request, the node's allocatable."""

    resource: str
    bands: tuple[Band, ...]
    total: tuple[float, ...]
    effective: float | None
    allocatable: float | None


@dataclass(frozen=True)
class ResourceSeries:
    """Requests held over time: step functions on `times` (each value holds until the next)."""

    pod: str
    times: tuple[float, ...]
    end: float
    panels: tuple[ResourcePanel, ...]


def _quantity(value: Any) -> float | None:
    from initlab.api.quantity import Quantity, QuantityError

    if value is None:
        return None
    try:
        return float(value if isinstance(value, Quantity) else Quantity.parse(str(value)))
    except (QuantityError, ValueError, TypeError):
        return None


def _requests_of(container: dict[str, Any]) -> dict[str, float]:
    from initlab.api.resources import container_requests

    return {k: float(q) for k, q in container_requests(container).items()}


#: A container holds its share of the node while its process exists: running, or the
#: instant it is in a restart (the kubelet keeps the reservation; the scheduler always does).
ACTIVE_STATES = frozenset({"running", "starting"})


def fmt_amount(resource: str, v: float) -> str:
    """A request as Kubernetes writes it: `250m` or `2` CPUs, `100Mi`, `1Gi` of memory."""
    if resource == "cpu":
        return f"{v * 1000:.0f}m" if v < 1 or (v * 1000) % 1000 else f"{v:g}"
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if v >= size:
            return f"{v / size:.3g}{unit}"
    return f"{v:.0f}"


def resource_series(result_or_pod: Any, node: dict[str, Any] | None = None) -> ResourceSeries:
    """CPU and memory requests held over time, and the pod's effective request.

    At each breakpoint (where a container starts or stops) a band holds its
    container's request while that container is running (`ACTIVE_STATES`);
    `total` is their sum. `effective` is `resources.pod_requests`
    (component-helpers `resource/helpers.go` `PodRequests`), what the
    scheduler reserves for the pod's whole life; `allocatable` is `node`'s.
    A resource nobody requests gets no panel (cpu if none is requested at
    all). A bare Pod is simulated first (default behaviour: init containers
    run 1 s).
    """
    from initlab.api.resources import pod_requests

    if isinstance(result_or_pod, dict) and result_or_pod.get("kind") == "Pod":
        from initlab.sim.simulator import simulate

        result = simulate(result_or_pod)
    else:
        result = result_or_pod
    pod = pod_of(result)
    containers = {c.get("name"): c for c in init_containers(pod) + regular_containers(pod)}
    ls = lanes(result)
    end = horizon(result)
    effective = {}
    for key, val in as_dict(pod_requests(pod)).items():
        q = _quantity(val)
        if q is not None:
            effective[key] = q
    times = tuple(
        sorted(
            {0.0, end}
            | {s.start for la in ls for s in la.segments}
            | {s.end for la in ls for s in la.segments}
        )
    )
    held = [
        r
        for r in ("cpu", "memory")
        if any(_requests_of(c).get(r) for c in containers.values()) or effective.get(r)
    ] or ["cpu"]
    panels = []
    for resource in held:
        bands = []
        total = [0.0] * len(times)
        for k, lane in enumerate(ls):
            amount = _requests_of(containers.get(lane.name, {})).get(resource, 0.0)
            if not amount:
                continue
            values = tuple(
                amount
                if any(s.start <= tt < s.end and s.state in ACTIVE_STATES for s in lane.segments)
                else 0.0
                for tt in times
            )
            if not any(values):
                continue
            bands.append(
                Band(
                    lane.name,
                    lane.title,
                    amount,
                    values,
                    OKABE_ITO[BAND_COLORS[k % len(BAND_COLORS)]],
                    BAND_HATCHES[k % len(BAND_HATCHES)],
                )
            )
            total = [a + b for a, b in zip(total, values, strict=True)]
        panels.append(
            ResourcePanel(
                resource,
                tuple(bands),
                tuple(total),
                effective.get(resource),
                _quantity(as_dict(node).get(resource)),
            )
        )
    return ResourceSeries(pod_name(result), times, end, tuple(panels))


# --------------------------------------------------------------------------- admission


@dataclass(frozen=True)
class AdmissionRow:
    """A container in one column of the admission diff; `added` if the webhooks injected it."""

    name: str
    kind: str  # "init", "sidecar" or "app"
    added: bool

    @property
    def text(self) -> str:
        """`name   [init · sidecar]   + injected`: what the figure prints in the box."""
        kinds = {"init": "init", "sidecar": "init · sidecar", "app": "container"}
        return f"{self.name}   [{kinds[self.kind]}]" + ("   + injected" if self.added else "")


def admission_rows(
    original: dict[str, Any], admitted: Any
) -> tuple[list[AdmissionRow], list[AdmissionRow]]:
    """The containers as submitted and as admitted, in spec order (the kubelet's order).

    `admitted` is the admitted Pod dict, a `{"pod": ...}` dict, or an
    `AdmissionResult` (its `.pod`, or `to_json()["pod"]`). An admitted
    container whose name was not submitted is `added`.
    """
    if not isinstance(admitted, dict):
        pod = getattr(admitted, "pod", None)
        if not isinstance(pod, dict) and callable(getattr(admitted, "to_json", None)):
            pod = as_dict(admitted.to_json()).get("pod")
        admitted = as_dict(pod)
    elif admitted.get("kind") != "Pod" and isinstance(admitted.get("pod"), dict):
        admitted = admitted["pod"]
    before = spec_order(as_dict(original))
    before_names = {n for n, _ in before}
    return (
        [AdmissionRow(n, k, False) for n, k in before],
        [AdmissionRow(n, k, n not in before_names) for n, k in spec_order(admitted)],
    )
