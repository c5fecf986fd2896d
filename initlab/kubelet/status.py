"""The pod status the kubelet writes to the API: container statuses, phase, conditions.

- `convert_container_statuses`: `pkg/kubelet/kubelet_pods.go`
  `convertToAPIContainerStatuses` (default waiting reasons, the reason
  cache, `lastState` from the previous record) and `prober_manager.go`
  `UpdatePodStatus` (`started`/`ready`).
- `get_phase`: `kubelet_pods.go` `getPhase`.
- `generate_conditions`: `pkg/kubelet/status/generate.go`.
- `deadline_exceeded`: `pkg/kubelet/active_deadline.go`.
- `generate_api_pod_status`: `kubelet_pods.go` `generateAPIPodStatus` (the
  rules around the pieces above: IPs, startTime, qosClass, the terminal
  phase latch, the eviction override).

`get_phase` follows the release named by `version` (v1.29-v1.31, v1.32,
v1.33+; `initlab.api.versions`). Where the model is simpler: `PodReadyToStartContainers`
False carries no reason (generate.go sets none; an earlier reading named
one); readiness gates are never satisfied (nothing sets their conditions).

API timestamps are RFC 3339 strings counted from `EPOCH` (simulated second 0
is 2026-01-01T00:00:00Z), so `kubectl`-style ages can be computed from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from initlab.api.pod import (
    init_containers,
    is_restartable_init_container,
    regular_containers,
    restart_policy,
)
from initlab.api.versions import (
    PHASE_PENDING_WHILE_REGULAR_INIT_RUNS,
    PHASE_SIDECAR_CURRENT_SANDBOX,
    holds,
)
from initlab.kubelet.actions import (
    EXITED,
    RUNNING,
    SUCCESS,
    UNKNOWN,
    ContainerRecord,
    RuntimePodStatus,
    should_container_be_restarted,
)

#: Simulated time 0.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

# Reasons (pkg/kubelet/kubelet_pods.go, pkg/kubelet/status/generate.go).
POD_INITIALIZING = "PodInitializing"
CONTAINER_CREATING = "ContainerCreating"
UNKNOWN_CONTAINER_STATUSES = "UnknownContainerStatuses"
POD_COMPLETED = "PodCompleted"
POD_FAILED = "PodFailed"
CONTAINERS_NOT_READY = "ContainersNotReady"
CONTAINERS_NOT_INITIALIZED = "ContainersNotInitialized"
READINESS_GATES_NOT_READY = "ReadinessGatesNotReady"
DEADLINE_EXCEEDED = "DeadlineExceeded"
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


@lru_cache(maxsize=4096)
def instant(t: float) -> datetime:
    """The moment `t` seconds after `EPOCH` (time 0 of a simulation: the pod's creation)."""
    return EPOCH + timedelta(seconds=t)


def rfc3339(t: float) -> str:
    """metav1.Time JSON: whole seconds, UTC, `Z` suffix."""
    return (EPOCH + timedelta(seconds=int(t // 1))).strftime("%Y-%m-%dT%H:%M:%SZ")


def go_list(names: list[str]) -> str:
    """Go's `%s` of a []string: `[a b]`."""
    return "[" + " ".join(names) + "]"


# -- container statuses ---------------------------------------------------------


def _state_of(record: ContainerRecord) -> dict[str, Any]:
    """`convertContainerStatus`: the API `state` for one runtime record."""
    if record.state == RUNNING:
        return {"running": {"startedAt": rfc3339(record.started_at or 0)}}
    if record.state == EXITED:
        term: dict[str, Any] = {
            "exitCode": record.exit_code,
            "reason": record.reason,
            "startedAt": rfc3339(record.started_at or 0),
            "finishedAt": rfc3339(record.finished_at or 0),
            "containerID": record.id,
        }
        if record.message:
            term["message"] = record.message
        return {"terminated": term}
    if record.state == UNKNOWN:
        return {"waiting": {}}
    return {"waiting": {}}


def convert_container_statuses(
    pod: Mapping[str, Any],
    runtime: RuntimePodStatus,
    previous: list[dict[str, Any]] | None,
    is_init: bool,
    reason_cache: Mapping[str, tuple[str, str]] | None = None,
    startup_results: Mapping[str, str] | None = None,
    readiness_results: Mapping[str, str] | None = None,
    *,
    inits: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """`convertToAPIContainerStatuses` + `UpdatePodStatus` for init or regular containers.

    1. Every container starts as `waiting: PodInitializing` when the pod has
       init containers, else `ContainerCreating`. A previous API
       status that is terminated is kept as is; otherwise its restartCount
       and lastState carry over.
    2. The newest runtime record gives `state` and `restartCount`; the one
       before it gives `lastState`.
    3. A container the kubelet will restart, with an entry in the reason
       cache (e.g. `CrashLoopBackOff`, `ErrImagePull`), is shown waiting
       with that reason; its terminated state moves to `lastState`. An
       exited-0 init container is never shown waiting.
    4. `started`/`ready`.

    `inits` and `apps` are the pod's init and regular containers, when the
    caller has them at hand (as in every function here that takes them).
    """
    reason_cache = reason_cache or {}
    startup_results = startup_results or {}
    readiness_results = readiness_results or {}
    if inits is None:
        inits = init_containers(pod)
    containers = inits if is_init else (regular_containers(pod) if apps is None else apps)
    has_inits = bool(inits)
    default_reason = POD_INITIALIZING if has_inits else CONTAINER_CREATING
    old = {s.get("name"): s for s in (previous or []) if isinstance(s, dict)}

    out: list[dict[str, Any]] = []
    for c in containers:
        name = str(c.get("name"))
        image = str(c.get("image", ""))
        prev = old.get(name)
        records = [r for r in runtime.containers if r.name == name][:2]
        status: dict[str, Any]
        if not records:
            status = {
                "name": name,
                "state": {"waiting": {"reason": default_reason}},
                "lastState": {},
                "ready": False,
                "restartCount": 0,
                "image": image,
                "imageID": "",
                "started": False,
            }
            if prev is not None:
                # Statuses are never mutated below their top level: nested dicts may be shared.
                if "terminated" in (prev.get("state") or {}):
                    status = dict(prev)
                else:
                    status["restartCount"] = prev.get("restartCount", 0)
                    status["lastState"] = prev.get("lastState") or {}
        else:
            newest = records[0]
            status = {
                "name": name,
                "state": _state_of(newest),
                "lastState": _state_of(records[1]) if len(records) > 1 else {},
                "ready": False,
                "restartCount": newest.restart_count,
                # the image the runtime ran (`convertContainerStatus`), not the spec's
                "image": newest.image or image,
                "imageID": _image_id(image),
                "containerID": newest.id,
                "started": False,
            }
            if len(records) < 2 and prev is not None and prev.get("containerID") != newest.id:
                # The previous record was purged or GC'd; the API keeps what it last showed.
                prev_state = prev.get("state") or {}
                if "terminated" in prev_state:
                    status["lastState"] = prev_state
                elif prev.get("lastState"):
                    status["lastState"] = prev["lastState"]

        record = records[0] if records else None
        skip_waiting = (
            is_init and record is not None and record.state == EXITED and record.exit_code == 0
        )
        if not skip_waiting and should_container_be_restarted(c, pod, runtime):
            cached = reason_cache.get(name)
            if cached is not None:
                if "terminated" in status["state"]:
                    status["lastState"] = status["state"]
                reason, message = cached
                waiting = {"reason": reason}
                if message:
                    waiting["message"] = message
                status["state"] = {"waiting": waiting}

        # prober_manager.go UpdatePodStatus
        started = False
        ready = False
        if record is not None and "running" in status["state"]:
            if isinstance(c.get("startupProbe"), dict):
                started = startup_results.get(record.id) == SUCCESS
            else:
                started = True
        if is_init and not is_restartable_init_container(c):
            term = status["state"].get("terminated")
            ready = bool(term) and term.get("exitCode") == 0
        elif started:
            if isinstance(c.get("readinessProbe"), dict):
                ready = readiness_results.get(record.id) == SUCCESS if record else False
            else:
                ready = True
        status["started"] = started
        status["ready"] = ready
        out.append(status)
    return out


@lru_cache(maxsize=256)
def normalize_image(image: str) -> str:
    """containerd's normalized reference: `busybox:1.28` -> `docker.io/library/busybox:1.28`.

    (`github.com/distribution/reference` `ParseNormalizedNamed`: a first path
    part without "." or ":" and not "localhost" is a Docker Hub name.)
    """
    first = image.split("/", 1)[0]
    if "/" not in image:
        image = f"docker.io/library/{image}"
    elif "." not in first and ":" not in first and first != "localhost":
        image = f"docker.io/{image}"
    last = image.rsplit("/", 1)[-1]
    return image if (":" in last or "@" in image) else image + ":latest"


@lru_cache(maxsize=256)
def _image_id(image: str) -> str:
    """An imageID as the runtime reports it: the repository and a (made-up) digest."""
    import hashlib

    digest = hashlib.sha256(image.encode()).hexdigest()
    ref = normalize_image(image).split("@", 1)[0]
    repo = ref.rsplit(":", 1)[0] if ":" in ref.rsplit("/", 1)[-1] else ref
    return f"{repo}@sha256:{digest}"


# -- phase ------------------------------------------------------------------------


def _find(statuses: list[dict[str, Any]] | None, name: str) -> dict[str, Any] | None:
    for s in statuses or []:
        if isinstance(s, dict) and s.get("name") == name:
            return s
    return None


def _state(s: dict[str, Any]) -> dict[str, Any]:
    st = s.get("state")
    return st if isinstance(st, dict) else {}


def _last_terminated(s: dict[str, Any]) -> dict[str, Any] | None:
    ls = s.get("lastState")
    if isinstance(ls, dict) and isinstance(ls.get("terminated"), dict):
        return ls["terminated"]
    return None


def has_any_regular_container_started(
    pod: Mapping[str, Any],
    statuses: list[dict[str, Any]] | None,
    *,
    apps: list[dict[str, Any]] | None = None,
) -> bool:
    """`kubecontainer.HasAnyRegularContainerStarted`: a regular container running or terminated."""
    for c in regular_containers(pod) if apps is None else apps:
        s = _find(statuses, str(c.get("name")))
        if s is not None and ("running" in _state(s) or "terminated" in _state(s)):
            return True
    return False


def has_any_active_regular_container_started(
    pod: Mapping[str, Any],
    runtime: RuntimePodStatus,
    *,
    apps: list[dict[str, Any]] | None = None,
) -> bool:
    """`kubecontainer.HasAnyActiveRegularContainerStarted` (v1.33+, PR #128516).

    True if the runtime holds any record of a regular container in the
    current sandbox (`PodStatus.ActiveContainerStatuses`: the containers of
    the newest sandbox, filled only while that sandbox is ready;
    `kuberuntime_manager.go` `GetPodStatus`).
    """
    if not (runtime.has_sandbox and runtime.sandbox_ready):
        return False
    names = {str(c.get("name")) for c in (regular_containers(pod) if apps is None else apps)}
    return any(r.name in names and r.sandbox == runtime.sandbox_attempt for r in runtime.containers)


def get_phase(
    pod: Mapping[str, Any],
    init_statuses: list[dict[str, Any]] | None,
    statuses: list[dict[str, Any]] | None,
    pod_is_terminal: bool = False,
    *,
    version: str | None = None,
    pod_has_initialized: bool | None = None,
    inits: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
) -> str:
    """`kubelet_pods.go` `getPhase`, as in the given Kubernetes release (default: the newest).

    An initializing pod is Pending; a regular init container that failed
    makes a `restartPolicy: Never` pod Failed; sidecars never decide
    Succeeded/Failed. The Pending test changed twice:

    - v1.29-v1.31 (`getPhase(pod, info, podIsTerminal)`): Pending if any init
      container (regular or sidecar) is pending and no regular container
      has ever started (`HasAnyRegularContainerStarted` on the API
      statuses), or any container is waiting. After a node reboot the
      regular containers have run before, so re-running init containers
      leave the pod Running.
    - v1.32 (PR #126653): a pending *regular* init container makes the pod
      Pending on its own; pending sidecars still need "no regular container
      has ever started".
    - v1.33+ (PR #128516, `getPhase(..., podIsTerminal, podHasInitialized)`):
      pending sidecars count while no regular container of the *current
      sandbox* has started (`pod_has_initialized`, computed by the caller
      from the runtime with `has_any_active_regular_container_started`).
      Without a runtime (a real pod read from the API), the API statuses
      stand in for it.

    Read at: the v1.30/1.31 `getPhase(pod, info, podIsTerminal)`; PR #126653's
    diff of it; kubernetes/kubernetes 001a80e975bb (after v1.35) for the
    current form. The later `ContainerRestartRules` and
    `RestartAllContainersOnContainerExits` branches (alpha gates, off by
    default) are not modelled.
    """
    pending_regular = pending_sidecar = failed = 0
    unknown = running = waiting = stopped = succeeded = 0
    if apps is None:
        apps = regular_containers(pod)
    for c in init_containers(pod) if inits is None else inits:
        s = _find(init_statuses, str(c.get("name")))
        if is_restartable_init_container(c):
            if s is None:
                unknown += 1
                continue
            st = _state(s)
            if "running" in st:
                if not s.get("started"):
                    pending_sidecar += 1
                running += 1
            elif "terminated" in st:
                pass
            elif "waiting" in st:
                if _last_terminated(s) is None:
                    pending_sidecar += 1
                    waiting += 1
            else:
                pending_sidecar += 1
                unknown += 1
            continue
        if s is None:
            pending_regular += 1
            continue
        st = _state(s)
        if "running" in st:
            pending_regular += 1
        elif "terminated" in st:
            if st["terminated"].get("exitCode", 0) != 0:
                failed += 1
        elif "waiting" in st:
            lt = _last_terminated(s)
            if lt is not None:
                if lt.get("exitCode", 0) != 0:
                    failed += 1
            else:
                pending_regular += 1
        else:
            pending_regular += 1

    for c in apps:
        s = _find(statuses, str(c.get("name")))
        if s is None:
            unknown += 1
            continue
        st = _state(s)
        if "running" in st:
            running += 1
        elif "terminated" in st:
            stopped += 1
            if st["terminated"].get("exitCode", 0) == 0:
                succeeded += 1
        elif "waiting" in st:
            if _last_terminated(s) is not None:
                stopped += 1
            else:
                waiting += 1
        else:
            unknown += 1

    policy = restart_policy(pod)
    if failed > 0 and policy == "Never":
        return "Failed"
    if holds(PHASE_SIDECAR_CURRENT_SANDBOX, version) and pod_has_initialized is not None:
        initialized = pod_has_initialized
    else:
        initialized = has_any_regular_container_started(pod, statuses, apps=apps)
    if holds(PHASE_PENDING_WHILE_REGULAR_INIT_RUNS, version):
        pending = pending_regular > 0 or (pending_sidecar > 0 and not initialized)
    else:
        pending = pending_regular + pending_sidecar > 0 and not initialized
    if pending or waiting > 0:
        return "Pending"
    if running > 0 and unknown == 0:
        return "Running"
    if running == 0 and stopped > 0 and unknown == 0:
        if pod_is_terminal:
            return "Succeeded" if stopped == succeeded else "Failed"
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


# -- conditions ---------------------------------------------------------------------


def _cond(ctype: str, ok: bool, reason: str = "", message: str = "") -> dict[str, Any]:
    c: dict[str, Any] = {"type": ctype, "status": "True" if ok else "False"}
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    return c


def initialized_condition(
    pod: Mapping[str, Any],
    init_statuses: list[dict[str, Any]] | None,
    statuses: list[dict[str, Any]] | None,
    phase: str,
    *,
    inits: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`GeneratePodInitializedCondition`."""
    if inits is None:
        inits = init_containers(pod)
    if not inits:
        return _cond("Initialized", True)
    if not init_statuses:
        return _cond("Initialized", False, UNKNOWN_CONTAINER_STATUSES)
    unknown: list[str] = []
    incomplete: list[str] = []
    for c in inits:
        name = str(c.get("name"))
        s = _find(init_statuses, name)
        if s is None:
            unknown.append(name)
        elif is_restartable_init_container(c):
            if not s.get("started"):
                incomplete.append(name)
        elif not s.get("ready"):
            incomplete.append(name)
    if phase == "Succeeded" and not unknown:
        return _cond("Initialized", True, POD_COMPLETED)
    if has_any_regular_container_started(pod, statuses, apps=apps):
        return _cond("Initialized", True)
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {go_list(unknown)}")
    if incomplete:
        messages.append(f"containers with incomplete status: {go_list(incomplete)}")
    if messages:
        return _cond("Initialized", False, CONTAINERS_NOT_INITIALIZED, ", ".join(messages))
    return _cond("Initialized", True)


def containers_ready_condition(
    pod: Mapping[str, Any],
    init_statuses: list[dict[str, Any]] | None,
    statuses: list[dict[str, Any]] | None,
    phase: str,
    *,
    inits: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`GenerateContainersReadyCondition`: sidecars and regular containers."""
    if statuses is None:
        return _cond("ContainersReady", False, UNKNOWN_CONTAINER_STATUSES)
    unknown: list[str] = []
    unready: list[str] = []
    for c in init_containers(pod) if inits is None else inits:
        if not is_restartable_init_container(c):
            continue
        name = str(c.get("name"))
        s = _find(init_statuses, name)
        if s is None:
            unknown.append(name)
        elif not s.get("ready"):
            unready.append(name)
    for c in regular_containers(pod) if apps is None else apps:
        name = str(c.get("name"))
        s = _find(statuses, name)
        if s is None:
            unknown.append(name)
        elif not s.get("ready"):
            unready.append(name)
    if phase == "Succeeded" and not unknown:
        return _cond("ContainersReady", False, POD_COMPLETED)
    if phase == "Failed":
        return _cond("ContainersReady", False, POD_FAILED)
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {go_list(unknown)}")
    if unready:
        messages.append(f"containers with unready status: {go_list(unready)}")
    if messages:
        return _cond("ContainersReady", False, CONTAINERS_NOT_READY, ", ".join(messages))
    return _cond("ContainersReady", True)


def ready_condition(
    pod: Mapping[str, Any], containers_ready: dict[str, Any], conditions: list[dict[str, Any]]
) -> dict[str, Any]:
    """`GeneratePodReadyCondition`: ContainersReady, then readiness gates."""
    if containers_ready["status"] != "True":
        return {**containers_ready, "type": "Ready"}
    gates = _spec_list(pod, "readinessGates")
    missing = []
    for g in gates:
        ctype = g.get("conditionType") if isinstance(g, dict) else None
        found = next((c for c in conditions if c.get("type") == ctype), None)
        if found is None:
            missing.append(
                f'corresponding condition of pod readiness gate "{ctype}" does not exist.'
            )
        elif found.get("status") != "True":
            missing.append(
                f'the status of pod readiness gate "{ctype}" is not "True", but {found.get("status")}'
            )
    if missing:
        return _cond("Ready", False, READINESS_GATES_NOT_READY, ", ".join(missing))
    return _cond("Ready", True)


def _spec_list(pod: Mapping[str, Any], key: str) -> list[Any]:
    spec = pod.get("spec") if isinstance(pod, dict) else None
    v = spec.get(key) if isinstance(spec, dict) else None
    return v if isinstance(v, list) else []


def ready_to_start_condition(sandbox_ready: bool) -> dict[str, Any]:
    """`GeneratePodReadyToStartContainersCondition`: a sandbox with networking exists."""
    return _cond("PodReadyToStartContainers", sandbox_ready)


def generate_conditions(
    pod: Mapping[str, Any],
    init_statuses: list[dict[str, Any]],
    statuses: list[dict[str, Any]],
    phase: str,
    sandbox_ready: bool,
    scheduled: bool = True,
    *,
    inits: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The conditions the kubelet writes, in its order, plus PodScheduled from the scheduler."""
    containers_ready = containers_ready_condition(
        pod, init_statuses, statuses, phase, inits=inits, apps=apps
    )
    conds = [
        ready_to_start_condition(sandbox_ready),
        initialized_condition(pod, init_statuses, statuses, phase, inits=inits, apps=apps),
    ]
    conds.append(ready_condition(pod, containers_ready, conds))
    conds.append(containers_ready)
    if scheduled:
        conds.append(_cond("PodScheduled", True))
    return conds


def carry_transition_times(
    new: list[dict[str, Any]], old: list[dict[str, Any]] | None, now: float
) -> list[dict[str, Any]]:
    """The status manager's `updateLastTransitionTime`: unchanged status keeps its time.

    `new` are generated conditions (`_cond`: type, status, reason and message
    when set); one equal to its previous self, time included, is that very
    previous condition.
    """
    old_by_type = {c.get("type"): c for c in old or []}
    out = []
    for c in new:
        prev = old_by_type.get(c["type"])
        if (
            prev is not None
            and prev.get("status") == c["status"]
            and prev.get("lastTransitionTime")
        ):
            if (
                # type and status are equal; the rest of a generated condition is its
                # reason and message, each set only when not empty
                len(prev) == len(c) + 2
                and prev.get("reason") == c.get("reason")
                and prev.get("message") == c.get("message")
                and prev.get("lastProbeTime", 0) is None
            ):
                out.append(prev)  # what the copy below would equal: the unchanged condition
                continue
            c = dict(c)
            c["lastTransitionTime"] = prev["lastTransitionTime"]
        else:
            c = dict(c)
            c["lastTransitionTime"] = rfc3339(now)
        c["lastProbeTime"] = None
        out.append(c)
    return out


def condition_flags(conditions: list[dict[str, Any]]) -> dict[str, bool]:
    """`{"Initialized": False, ...}`: the snapshot form of the conditions."""
    return {c["type"]: c.get("status") == "True" for c in conditions}


# -- activeDeadlineSeconds ---------------------------------------------------------------


def deadline_exceeded(pod: Mapping[str, Any], start_time: float | None, now: float) -> bool:
    """`active_deadline.go` `ShouldEvict`: `now - status.startTime >= activeDeadlineSeconds`.

    `startTime` is set by the kubelet's first status, before any init
    container runs, so init time counts.
    """
    spec = pod.get("spec") if isinstance(pod, dict) else None
    ads = spec.get("activeDeadlineSeconds") if isinstance(spec, dict) else None
    if start_time is None or not isinstance(ads, int) or isinstance(ads, bool):
        return False
    return now - start_time >= ads


# -- the whole status ---------------------------------------------------------------------


def share_unchanged(new: list[Any], old: list[Any] | None) -> list[Any]:
    """`new`, with each item equal to the one at its place in `old` replaced by that one.

    Statuses are never mutated once published, so a status equal to the
    previous one can be the previous one: a long run keeps one copy of what
    did not change. If every item is shared, `old` itself is returned.
    """
    if not old:
        return new
    out = list(new)
    shared = len(new) == len(old)
    for i, (o, n) in enumerate(zip(old, new, strict=False)):
        if o is n or o == n:
            out[i] = o
        else:
            shared = False
    return old if shared else out


#: The node's InternalIP (`status.hostIP`); illustrative, like a kind node's.
HOST_IP = "172.18.0.2"
TERMINAL_PHASES = ("Succeeded", "Failed")


def generate_api_pod_status(
    pod: Mapping[str, Any],
    runtime: RuntimePodStatus,
    previous: Mapping[str, Any],
    *,
    now: float,
    start_time: float,
    pod_ip: str | None,
    terminal_phase: str | None = None,
    evicted: bool = False,
    reason_cache: Mapping[str, tuple[str, str]] | None = None,
    startup_results: Mapping[str, str] | None = None,
    readiness_results: Mapping[str, str] | None = None,
    version: str | None = None,
    inits: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], str | None]:
    """`kubelet_pods.go` `generateAPIPodStatus` + the status manager: (status, terminal phase).

    - Container statuses from the runtime and the previous status
      (`convertToAPIContainerStatuses`), then `getPhase` as in `version`
      (`podHasInitialized` from the current sandbox); the pod counts as
      terminal for getPhase when it is being deleted or evicted and nothing
      runs any more.
    - Terminal phases are sticky: once the status manager published
      Succeeded/Failed with nothing running (`terminal_phase`), later
      statuses keep it ("pods are not allowed to transition out of
      terminal phases").
    - An eviction (`podSyncHandler.ShouldEvict`, here activeDeadlineSeconds)
      overrides phase, reason and message: Failed, `DeadlineExceeded`.
    - `podIP`/`podIPs` come from the ready sandbox (`convertStatusToAPIStatus`
      copies `podStatus.IPs`); a terminal pod whose sandbox is gone keeps
      the IPs it last showed (the status manager merges the old status).
      `hostIP` is the node's.
    - `startTime` is the status manager's first sync time (`start_time`),
      and `qosClass` carries over from the previous status (it is set once,
      `v1qos.GetPodQOS`).

    `inits` and `apps` are the pod's init and regular containers, when the
    caller has them at hand.

    Returns the new status and the terminal phase latched so far.
    """
    # read once: every step below walks them
    if inits is None:
        inits = init_containers(pod)
    if apps is None:
        apps = regular_containers(pod)
    init_st = convert_container_statuses(
        pod,
        runtime,
        previous.get("initContainerStatuses"),
        True,
        reason_cache,
        startup_results,
        readiness_results,
        inits=inits,
        apps=apps,
    )
    st = convert_container_statuses(
        pod,
        runtime,
        previous.get("containerStatuses"),
        False,
        reason_cache,
        startup_results,
        readiness_results,
        inits=inits,
        apps=apps,
    )
    running = any(r.state == RUNNING for r in runtime.containers)
    meta = pod.get("metadata") if isinstance(pod, dict) else None
    terminating = bool(isinstance(meta, dict) and meta.get("deletionTimestamp")) or evicted
    phase = get_phase(
        pod,
        init_st,
        st,
        pod_is_terminal=terminating and not running,
        version=version,
        pod_has_initialized=has_any_active_regular_container_started(pod, runtime, apps=apps),
        inits=inits,
        apps=apps,
    )
    if terminal_phase:
        phase = terminal_phase
    if evicted:
        phase = "Failed"
    status: dict[str, Any] = {"phase": phase}
    sandbox_ready = runtime.has_sandbox and runtime.sandbox_ready
    conds = generate_conditions(pod, init_st, st, phase, sandbox_ready, inits=inits, apps=apps)
    status["conditions"] = share_unchanged(
        carry_transition_times(conds, previous.get("conditions"), now), previous.get("conditions")
    )
    if evicted:
        status["message"] = DEADLINE_MESSAGE
        status["reason"] = DEADLINE_EXCEEDED
    status["hostIP"] = HOST_IP
    if pod_ip is not None:
        status["podIP"] = pod_ip
        ips = previous.get("podIPs")
        # the previous list when equal: statuses are never mutated, so they may share it
        status["podIPs"] = ips if ips == [{"ip": pod_ip}] else [{"ip": pod_ip}]
    elif previous.get("podIP") and phase in TERMINAL_PHASES:
        status["podIP"] = previous["podIP"]
        status["podIPs"] = previous.get("podIPs", [])
    status["startTime"] = rfc3339(start_time)
    if inits:
        status["initContainerStatuses"] = share_unchanged(
            init_st, previous.get("initContainerStatuses")
        )
    status["containerStatuses"] = share_unchanged(st, previous.get("containerStatuses"))
    qos = previous.get("qosClass")
    if not qos:
        from initlab.api.resources import qos_class

        qos = qos_class(dict(pod))
    status["qosClass"] = qos
    if phase in TERMINAL_PHASES and not running:
        terminal_phase = phase
    return status, terminal_phase
