"""`initlab explain`: why a real pod's STATUS, READY, RESTARTS, phase and conditions read as they do.

Input is a pod as a cluster returns it (`kubectl get pod NAME -o yaml`),
optionally with its events (`kubectl get events --field-selector
involvedObject.name=NAME -o yaml`). Nothing is simulated: the columns are
`printPod`'s walk over the pod's own status (`initlab/api/printers.py`,
recording each decision), the phase is checked against the kubelet's
`getPhase` (`initlab/kubelet/status.py`), and the next restart of a
crash-looping container comes from the kubelet's back-off
(`initlab/kubelet/backoff.py`): `lastState.terminated.finishedAt` plus the
delay the kubelet states in the waiting message (`back-off 40s restarting
failed container=...`), or, when the message is absent, the delay its
restart count implies. The kubelet restarts a container at its first sync
after the delay has passed, so the time is exact to about one second.

"Now" is the newest timestamp in the input (the moment the pod was read,
as near as the file tells), unless `now` is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from initlab.api.pod import (
    as_dict,
    as_int,
    as_list,
    is_restartable_init_container,
    metadata,
    spec,
    status,
)
from initlab.api.printers import (
    PodRow,
    Step,
    escape_terminal,
    parse_time,
    print_pod,
    render_table,
)
from initlab.api.versions import DEFAULT as DEFAULT_VERSION
from initlab.api.versions import PHASE_PENDING_WHILE_REGULAR_INIT_RUNS, holds
from initlab.errors import InputError
from initlab.kubelet.backoff import (
    CRASH_LOOP_RESET,
    IMAGE_BACKOFF_MAX,
    delay_after_restarts,
    go_duration,
)
from initlab.kubelet.status import get_phase

#: Where the book explains each situation: (chapter, title).
CHAPTERS = {
    "sequence": ("02", "The sequence"),
    "failure": ("03", "Failure and restart"),
    "backoff": ("04", "Back-off and deadlines"),
    "sidecars": ("05", "Sidecars"),
    "resources": ("07", "Resources"),
    "restarts": ("08", "Pod restarts"),
    "debugging": ("11", "Debugging"),
}

_BACKOFF_MESSAGE = re.compile(r"^back-off (\S+) restarting failed container")
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")


@dataclass
class Explanation:
    """What `initlab explain` found; `to_json()` is its `-o json`."""

    name: str
    namespace: str
    version: str
    now: datetime
    row: PodRow
    steps: list[Step]
    decided_by: str
    phase: str
    phase_why: str
    conditions: list[dict[str, str]]
    next: dict[str, Any] = field(default_factory=dict)
    advice: list[str] = field(default_factory=list)
    chapters: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "kubernetesVersion": self.version,
            "now": _rfc3339(self.now),
            "ready": self.row.ready,
            "status": self.row.status,
            "restarts": self.row.restarts_display,
            "decidedBy": self.decided_by,
            "steps": [s.to_json() for s in self.steps],
            "phase": {"value": self.phase, "why": self.phase_why},
            "conditions": self.conditions,
            "next": self.next,
            "advice": self.advice,
            "chapters": self.chapters,
        }


def _rfc3339(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamps(obj: Any, out: list[datetime], depth: int = 0) -> None:
    """Every RFC 3339 timestamp under `obj` (bounded depth)."""
    if depth > 12:
        return
    if isinstance(obj, dict):
        for v in obj.values():
            _timestamps(v, out, depth + 1)
    elif isinstance(obj, list):
        for v in obj[:1000]:
            _timestamps(v, out, depth + 1)
    elif isinstance(obj, str) and len(obj) >= 20 and obj[4:5] == "-" and obj[10:11] == "T":
        t = parse_time(obj)
        if t is not None:
            out.append(t)


def split_input(docs: list[Any], source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Pod and the Events among the documents (a `kind: List` is opened)."""
    objects: list[dict[str, Any]] = []
    for doc in docs:
        if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List"):
            objects += as_list(doc.get("items"))
        elif isinstance(doc, dict):
            objects.append(doc)
    pods = [o for o in objects if o.get("kind") == "Pod"]
    events = [o for o in objects if o.get("kind") == "Event"]
    if not pods:
        kinds = sorted({str(o.get("kind")) for o in objects}) or ["nothing"]
        raise InputError(
            f"{source}: no Pod in it (found {', '.join(kinds)}); "
            "save one with `kubectl get pod NAME -o yaml`"
        )
    pod = pods[0]
    if not status(pod):
        raise InputError(
            f"{source}: the Pod has no status; explain reads a pod as the cluster returns it "
            "(`kubectl get pod NAME -o yaml`); to see what would happen, use `initlab simulate`"
        )
    name = str(metadata(pod).get("name", ""))
    mine = [
        e for e in events if not name or as_dict(e.get("involvedObject")).get("name") in ("", name)
    ]
    return pod, mine


def _status_by_name(statuses: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(s.get("name")): s for s in statuses}


def _container_spec(pod: dict[str, Any], name: str) -> tuple[dict[str, Any], bool]:
    """(the container's spec, is it an init container)."""
    for c in as_list(spec(pod).get("initContainers")):
        if c.get("name") == name:
            return c, True
    for c in as_list(spec(pod).get("containers")):
        if c.get("name") == name:
            return c, False
    return {}, False


def _parse_go_duration(text: str) -> float | None:
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(a) * scale[b] for a, b in parts)


def _state(s: dict[str, Any], key: str = "state") -> tuple[str, dict[str, Any]]:
    st = as_dict(s.get(key))
    for which in ("waiting", "running", "terminated"):
        if isinstance(st.get(which), dict):
            return which, st[which]
    return "", {}


def explain(
    pod: dict[str, Any],
    events: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
    version: str = DEFAULT_VERSION,
) -> Explanation:
    """Explain a pod's status as its cluster (running Kubernetes `version`) reported it."""
    events = events or []
    if now is None:
        stamps: list[datetime] = []
        _timestamps(pod, stamps)
        _timestamps(events, stamps)
        now = max(stamps) if stamps else datetime.now(UTC)
    steps: list[Step] = []
    row = print_pod(pod, now, steps)
    meta = metadata(pod)
    st = status(pod)
    deciders = [s.container for s in steps if s.column == "STATUS" and s.container]
    decided_by = deciders[-1] if deciders else ""
    inits = as_list(st.get("initContainerStatuses"))
    apps = as_list(st.get("containerStatuses"))
    ex = Explanation(
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace", "default")),
        version=version,
        now=now,
        row=row,
        steps=steps,
        decided_by=decided_by,
        phase=str(st.get("phase", "")),
        phase_why="",
        conditions=[],
    )
    ex.phase_why = _phase_why(pod, inits, apps, ex.phase, version)
    ex.conditions = _conditions(st)
    _next_and_advice(ex, pod, inits, apps, events)
    return ex


def _phase_why(
    pod: dict[str, Any],
    inits: list[dict[str, Any]],
    apps: list[dict[str, Any]],
    phase: str,
    version: str,
) -> str:
    """The kubelet's `getPhase` (at `version`) for this pod, and whether it agrees with the report."""
    policy = str(spec(pod).get("restartPolicy") or "Always")
    expected = get_phase(
        pod, inits, apps, pod_is_terminal=phase in ("Succeeded", "Failed"), version=version
    )
    reason = str(status(pod).get("reason") or "")
    if reason == "DeadlineExceeded":
        why = (
            "activeDeadlineSeconds passed (counted from status.startTime, init time included): "
            "the kubelet failed the pod"
        )
    elif phase == "Pending":
        why = (
            "an init container has not finished, or an app container has not started: "
            "getPhase keeps the pod Pending"
        )
    elif phase == "Running":
        why = (
            "init is done and an app container runs (or is being restarted: restartPolicy "
            + policy
            + ")"
        )
    elif phase == "Failed":
        why = (
            "a container failed and restartPolicy is Never"
            if policy == "Never"
            else "the pod ended and not every app container exited 0"
        )
    elif phase == "Succeeded":
        why = (
            "every app container exited 0 and will not be restarted (restartPolicy " + policy + ")"
        )
    else:
        why = "the kubelet has not reported this pod yet"
    if expected != phase and reason != "DeadlineExceeded" and phase:
        why += (
            f"; note: the kubelet of Kubernetes {version} gives {expected} for these statuses — "
            "is the cluster another release (the phase rules changed in 1.32 and 1.33, "
            "--kubernetes-version), or was the pod read between two status updates?"
        )
    return why


def _conditions(st: dict[str, Any]) -> list[dict[str, str]]:
    meaning = {
        "PodScheduled": "the scheduler placed the pod on a node",
        "PodReadyToStartContainers": "the pod sandbox (network namespace) exists",
        "Initialized": "every regular init container exited 0 and every sidecar has started",
        "ContainersReady": "every app container and sidecar is ready",
        "Ready": "the pod may receive traffic (ContainersReady and readiness gates)",
    }
    out = []
    for c in as_list(st.get("conditions")):
        ctype = str(c.get("type", ""))
        out.append(
            {
                "type": ctype,
                "status": str(c.get("status", "")),
                "reason": str(c.get("reason", "")),
                "message": str(c.get("message", "")),
                "means": meaning.get(ctype, ""),
            }
        )
    return out


def _chapter(key: str) -> str:
    num, title = CHAPTERS[key]
    return f"chapter {int(num)}, {title}"


def _next_and_advice(
    ex: Explanation,
    pod: dict[str, Any],
    inits: list[dict[str, Any]],
    apps: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    name, now = ex.name, ex.now
    by_name = _status_by_name(inits) | _status_by_name(apps)
    # Regular init containers not done while the pod says it initialized, or while app containers
    # have already run: the sandbox was re-created and they run again. They are what happens next.
    unfinished = [
        st
        for st in inits
        if not is_restartable_init_container(_container_spec(pod, str(st.get("name")))[0])
        and not (_state(st)[0] == "terminated" and as_int(_state(st)[1].get("exitCode")) == 0)
    ]
    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True"
        for c in as_list(status(pod).get("conditions"))
    )
    ran_before = any(
        as_int(a.get("restartCount")) > 0 or "terminated" in as_dict(a.get("lastState"))
        for a in apps
    )
    rebooted = bool(unfinished) and (initialized or ran_before)
    c = str(unfinished[0].get("name")) if rebooted else ex.decided_by
    s = by_name.get(c, {}) if c else {}
    cspec, is_init = _container_spec(pod, c) if c else ({}, False)
    sidecar = is_init and is_restartable_init_container(cspec)
    flag = f" -c {c}" if c else ""
    policy = str(spec(pod).get("restartPolicy") or "Always")
    which, state = _state(s) if s else ("", {})
    reason = str(state.get("reason", ""))
    ex.advice.append(f"kubectl describe pod {name}    # the Events: what the kubelet did, in order")
    if ex.row.status.startswith("Init:") and ex.phase == "Running" and sidecar:
        ex.chapters.append(_chapter("sidecars"))
    if rebooted:
        ex.next["note"] = (
            f"init container {c} runs again although the pod had initialized: the pod sandbox "
            "was re-created (a node reboot, or the sandbox was lost), and every init container "
            "re-runs. STATUS keeps reading the app containers while Initialized stays True. "
            + (
                "Since Kubernetes 1.32 the phase is Pending while a regular init container re-runs."
                if holds(PHASE_PENDING_WHILE_REGULAR_INIT_RUNS, ex.version)
                else f"In Kubernetes {ex.version} the phase stays Running meanwhile "
                "(Pending from 1.32 on)."
            )
        )
        ex.chapters.append(_chapter("restarts"))
    if which == "waiting" and reason == "CrashLoopBackOff":
        _crash_loop_next(ex, s, c, now)
        ex.advice.insert(
            0, f"kubectl logs {name}{flag} --previous    # why the last attempt failed"
        )
        ex.chapters += [_chapter("backoff"), _chapter("debugging")]
    elif which == "waiting" and reason in ("ErrImagePull", "ImagePullBackOff"):
        ex.next.update(
            action="pull",
            container=c,
            why=f"the kubelet retries the pull with its own back-off (10 s doubling to "
            f"{int(IMAGE_BACKOFF_MAX)} s); fix the image name or the registry credentials",
        )
        ex.advice.insert(0, f"kubectl get pod {name} -o jsonpath='{{.spec}}'    # check the image")
        ex.chapters.append(_chapter("debugging"))
    elif which == "waiting" and reason == "CreateContainerConfigError":
        ex.next.update(
            action="retry",
            container=c,
            why=f"the kubelet retries at every sync until the config exists: {state.get('message', '')}",
        )
        ex.chapters.append(_chapter("debugging"))
    elif which == "terminated" and as_int(state.get("exitCode")) != 0 and policy == "Never":
        ex.next.update(
            action="none",
            container=c,
            why="restartPolicy is Never: the kubelet restarts nothing and the pod stays "
            f"{ex.phase or 'Failed'}; fix the cause and create the pod again",
        )
        ex.advice.insert(0, f"kubectl logs {name}{flag}    # the failed attempt's output")
        ex.chapters += [_chapter("failure"), _chapter("debugging")]
    elif which == "terminated" and as_int(state.get("exitCode")) != 0:
        ex.next.update(
            action="restart",
            container=c,
            why="it just failed; the kubelet restarts it after its back-off "
            "(at once the first time, then 10 s, 20 s, ... up to 5 min)",
        )
        ex.advice.insert(0, f"kubectl logs {name}{flag}    # the failed attempt's output")
        ex.chapters += [_chapter("failure"), _chapter("debugging")]
    elif which == "running" and is_init and not sidecar:
        what = "it runs; the next init container starts when it exits 0"
        from_events = [
            str(e.get("message", "")) for e in events if c and c in str(e.get("message", ""))
        ]
        ex.next.update(action="wait", container=c, why=what)
        ex.advice.insert(0, f"kubectl logs {name}{flag} -f    # what it is waiting for")
        if from_events:
            ex.next["lastEvent"] = from_events[-1]
        ex.chapters.append(_chapter("sequence"))
    elif ex.row.status == "PodInitializing":
        ex.next.update(
            action="start",
            why="init is done; the app containers are being created (image pulls first)",
        )
        ex.chapters.append(_chapter("sequence"))
    elif ex.row.status.startswith("Init:") and which == "waiting":
        ex.next.update(
            action="start",
            container=c,
            why=f"{c} is waiting to start ({reason or 'PodInitializing'})",
        )
        ex.chapters.append(_chapter("sequence"))
    elif ex.row.status == "Running" and "/" in ex.row.ready:
        ready, total = ex.row.ready.split("/")
        why = (
            "nothing to do: every container is ready"
            if ready == total
            else (
                "running; READY counts app containers and sidecars: some are not ready yet "
                "(readiness probes)"
            )
        )
        ex.next.update(action="none", why=why)
        if ready != total:
            ex.chapters.append(_chapter("sidecars"))
    if not ex.next:
        ex.next.update(action="none", why="nothing the kubelet will change on its own")
    if not ex.chapters:
        ex.chapters.append(_chapter("sequence"))
    ex.chapters = list(dict.fromkeys(ex.chapters))


def _crash_loop_next(ex: Explanation, s: dict[str, Any], c: str, now: datetime) -> None:
    waiting = as_dict(as_dict(s.get("state")).get("waiting"))
    last = as_dict(as_dict(s.get("lastState")).get("terminated"))
    finished = parse_time(last.get("finishedAt"))
    started = parse_time(last.get("startedAt"))
    restarts = as_int(s.get("restartCount"))
    m = _BACKOFF_MESSAGE.match(str(waiting.get("message", "")))
    delay = _parse_go_duration(m.group(1)) if m else None
    source = "the delay the kubelet states in the waiting message"
    if delay is None:
        delay = delay_after_restarts(restarts)
        source = f"the delay {restarts} restart(s) in a row imply (10 s doubling, 5 min cap)"
    if started is not None and finished is not None:
        if (finished - started).total_seconds() > CRASH_LOOP_RESET:
            delay = 0.0
            source = "it ran over 10 minutes before failing, so the back-off starts again from zero"
    ex.next.update(action="restart", container=c, delay=go_duration(delay))
    if finished is None:
        ex.next["why"] = f"back-off {go_duration(delay)} ({source}); its last exit time is unknown"
        return
    at = finished + timedelta(seconds=delay)
    wait = max(0.0, (at - now).total_seconds())
    ex.next["at"] = _rfc3339(at)
    ex.next["inSeconds"] = round(wait)
    exits = restarts + 1
    ex.next["why"] = (
        f"its exit #{exits} was at {_rfc3339(finished)}; back-off {go_duration(delay)} ({source}); "
        f"the kubelet starts it again at its first sync after {_rfc3339(at)}"
    )


def render_explanation(ex: Explanation) -> str:
    """What a person reads: the row, the walk, phase, conditions, what happens next."""
    lines = [
        f"Pod {ex.namespace}/{ex.name}, as of {_rfc3339(ex.now)} (Kubernetes {ex.version})",
        "",
    ]
    lines += render_table([ex.row]).splitlines()
    lines += [
        "",
        f"STATUS {ex.row.status}" + (f", decided by {ex.decided_by}" if ex.decided_by else ""),
    ]
    for i, step in enumerate(s for s in ex.steps if s.column == "STATUS"):
        lines.append(f"  {i + 1}. {step.why}")
    ready, total = ex.row.ready.split("/") if "/" in ex.row.ready else ("?", "?")
    lines.append(
        f"READY {ex.row.ready}: app containers and sidecars make the total ({total}); "
        f"regular init containers never count; {ready} ready"
    )
    forgot = [s for s in ex.steps if s.column == "RESTARTS"]
    lines.append(
        f"RESTARTS {ex.row.restarts_display}: "
        + (forgot[0].why if forgot else "the restart counts of the containers the walk read")
    )
    lines += ["", f"Phase {ex.phase}: {ex.phase_why}", "", "Conditions:"]
    for c in ex.conditions:
        detail = " ".join(x for x in (c["reason"], c["message"]) if x)
        lines.append(f"  {c['type']}={c['status']}" + (f" ({detail})" if detail else ""))
        if c["means"]:
            lines.append(f"      {c['means']}")
    lines += ["", "Next: " + str(ex.next.get("why", ""))]
    if "at" in ex.next:
        lines.append(f"      at {ex.next['at']} (in {ex.next['inSeconds']}s)")
    if "note" in ex.next:
        lines.append("Note: " + str(ex.next["note"]))
    lines += ["", "Run next:"] + [f"  {a}" for a in ex.advice]
    lines += ["", "Read: " + "; ".join(ex.chapters)]
    return escape_terminal("\n".join(lines) + "\n")
