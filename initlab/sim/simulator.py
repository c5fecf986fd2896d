"""The simulation: a simpy process that waits and applies the kubelet's decisions.

Nothing here decides behaviour: `initlab.kubelet.actions` says which containers to
kill and start, `initlab.kubelet.backoff` says whether a restart must wait,
`initlab.kubelet.status` says what the API status looks like, and
`initlab.api.printers.print_pod` says what `kubectl get` prints. This module
only moves time forward and keeps the runtime's records.

How a sync runs (`pkg/kubelet/kubelet.go` `SyncPod`): first the API status
is generated from what the runtime reported *at the start* of the sync and
published; then `computePodActions` runs and its actions are applied; then
the reason cache is updated from the results. So, as on a real node, what
`kubectl get -w` shows lags the runtime by one sync: an init container that
crashes shows `Init:Error` first, and `Init:CrashLoopBackOff` only at the
next sync, after the kubelet decided to back off.

Timing model (seconds; every value is a simplification, stated here):

- `SYNC_LATENCY` = 1: PLEG relist period. A container that starts or exits
  is noticed, and the pod synced, 1 s later.
- `SANDBOX_SECONDS` = 1: creating a pod sandbox (RunPodSandbox + CNI).
- `PULL_SECONDS` = 1: pulling an image (or failing to). Images are not on
  the node at time 0; `IfNotPresent` then finds them "already present".
- `ERROR_RESYNC` = 10: a sync that ends in an error (back-off, failed pull)
  is retried 10 s later (pod worker `backOffPeriod`; its jitter is dropped),
  and also exactly when a crash-loop or image back-off expires. The real
  kubelet restarts at the first re-sync after the expiry, so real gaps are
  a few seconds longer than 10, 20, 40...
- Probe results (startup, readiness) trigger a sync at once, as the probe
  managers' update channels do. Probes other than startup and readiness are
  not modelled, and those two pass at a scripted time (never fail).
- A container stops `stop` seconds after SIGTERM (default 0) with exit code
  143, or is SIGKILLed at the end of its grace period with 137.
- `restart-sandbox` kills the sandbox and its containers at once (exit
  137), like a node reboot or a lost pause container; the kubelet then
  re-creates it. Purged init containers start again with
  `restartCount` 0 (the kubelet derives the count from the log directory,
  which the purge emptied); regular containers keep counting.

Time 0 is the pod's creation; API timestamps count from
`initlab.kubelet.status.EPOCH`. The pod UID is derived from namespace and name
(uuid5), so the same scenario always produces identical output. With no
`until`, the simulation runs until nothing is left to happen, or at most
`STABLE_CAP` (3600 s) -- a crash loop never settles.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import simpy
from simpy.core import URGENT

from initlab.api.pod import (
    init_containers,
    is_restartable_init_container,
    regular_containers,
)
from initlab.kubelet.actions import (
    EXITED,
    RUNNING,
    SUCCESS,
    ContainerRecord,
    RuntimePodStatus,
    compute_pod_actions,
    effective_grace_period,
    termination_order,
)
from initlab.kubelet.backoff import (
    Backoff,
    do_backoff,
    new_crash_loop_backoff,
    new_image_backoff,
)
from initlab.kubelet.status import (
    DEADLINE_EXCEEDED,
    DEADLINE_MESSAGE,
    EPOCH,
    carry_transition_times,
    condition_flags,
    convert_container_statuses,
    deadline_exceeded,
    generate_conditions,
    get_phase,
    normalize_image,
    rfc3339,
)
from initlab.sim.result import POLL_SECONDS, nslookup
from initlab.sim.scenario import STABLE_CAP, Attempt, Scenario, load_scenario

SYNC_LATENCY = 1.0
SANDBOX_SECONDS = 1.0
PULL_SECONDS = 1.0
ERROR_RESYNC = 10.0
DEFAULT_NODE = "node-1"


def _num(t: float) -> int | float:
    """Whole seconds as int (JSON prints 5, not 5.0)."""
    return int(t) if float(t).is_integer() else t


def pod_uid(namespace: str, name: str) -> str:
    """A deterministic UID: uuid5 of `initlab:<namespace>/<name>` in the URL namespace."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"initlab:{namespace}/{name}"))


def image_size(image: str) -> int:
    """An illustrative, deterministic image size for the Pulled event (not a real size)."""
    return 700_000 + int(hashlib.sha256(image.encode()).hexdigest()[:8], 16) % 50_000_000


def _ref(image: str) -> str:
    """containerd's normalized reference (see `podstatus.normalize_image`)."""
    return normalize_image(image)


@dataclass
class Result:
    """What a simulation produced: snapshots, events, and the pod at any time."""

    timeline: list[dict[str, Any]]
    events: list[dict[str, Any]]
    pods: list[dict[str, Any]]
    end: float
    capped: bool = False
    stable: bool = False
    deleted_at: float | None = None
    steps: int = 0
    name: str = ""
    namespace: str = "default"
    logs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scenario: Scenario | None = None

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot."""
        return self.timeline[-1]

    def _index_at(self, t: float) -> int:
        idx = 0
        for i, snap in enumerate(self.timeline):
            if snap["t"] <= t:
                idx = i
            else:
                break
        return idx

    def at(self, t: float) -> dict[str, Any]:
        """The snapshot in force at time t (the first one before time 0)."""
        return copy.deepcopy(self.timeline[self._index_at(t)])

    def pod_at(self, t: float) -> dict[str, Any]:
        """The full Pod object (metadata, spec, status) as the API held it at time t."""
        return copy.deepcopy(self.pods[self._index_at(t)])

    def events_until(self, t: float | None = None) -> list[dict[str, Any]]:
        """The events recorded up to time t (all of them if t is None)."""
        return [dict(e) for e in self.events if t is None or e["t"] <= t]

    def aggregated_events(self, t: float | None = None) -> list[dict[str, Any]]:
        """Events as the API stores them: identical ones folded into `count`, `firstT`, `lastT`.

        client-go's `EventCorrelator` keys an event by source, object, type,
        reason and message; `kubectl describe` sorts by last timestamp.
        """
        folded: dict[tuple[Any, ...], dict[str, Any]] = {}
        for e in self.events_until(t):
            key = (e["from"], e["object"], e["type"], e["reason"], e["message"])
            if key in folded:
                agg = folded[key]
                agg["count"] += 1
                agg["lastT"] = e["t"]
            else:
                folded[key] = {**e, "count": 1, "firstT": e["t"], "lastT": e["t"]}
        out = list(folded.values())
        out.sort(key=lambda e: e["lastT"])
        return out

    def to_json(self) -> dict[str, Any]:
        """`initlab simulate -o json`: `{"timeline", "events", "final"}`."""
        events = [
            {k: e[k] for k in ("t", "type", "reason", "object", "message")} for e in self.events
        ]
        return {
            "timeline": copy.deepcopy(self.timeline),
            "events": events,
            "final": copy.deepcopy(self.final),
        }


class _Live:
    """A running container: its runtime record, behaviour and simpy process."""

    __slots__ = ("record", "attempt", "spec", "is_init", "proc", "log", "stopping")

    def __init__(self, record: ContainerRecord, attempt: Attempt, spec: dict, is_init: bool):
        self.record = record
        self.attempt = attempt
        self.spec = spec
        self.is_init = is_init
        self.proc: simpy.Process | None = None
        self.log: list[tuple[float, str]] = []
        self.stopping = False


class PodSimulation:
    """One pod on one node, from creation to `until` (or until stable)."""

    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.env = simpy.Environment()
        self.pod = copy.deepcopy(scenario.pod)
        meta = self.pod.setdefault("metadata", {})
        self.name = str(meta.get("name") or "pod")
        meta["name"] = self.name
        self.namespace = str(meta.get("namespace") or "default")
        self.uid = pod_uid(self.namespace, self.name)
        meta["uid"] = self.uid
        meta["creationTimestamp"] = rfc3339(0)
        self.node = scenario.node.get("name", DEFAULT_NODE)
        self.pod_ref = f"{self.name}_{self.namespace}({self.uid})"

        self.runtime = RuntimePodStatus()
        self.reason_cache: dict[str, tuple[str, str]] = {}
        self.crash_backoff: Backoff = new_crash_loop_backoff(
            scenario.max_restart_period, scenario.reduced_decay
        )
        self.image_backoff: Backoff = new_image_backoff()
        self.startup_results: dict[str, str] = {}
        self.readiness_results: dict[str, str] = {}
        self.images: set[str] = set()
        self.volumes: dict[str, dict[str, str]] = {}
        self.services: set[str] = set()
        self.service_waiters: dict[str, list[simpy.Event]] = {}
        self.live: dict[str, _Live] = {}
        self.starts: dict[str, int] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.status: dict[str, Any] = {"phase": "Pending"}
        self.scheduled = False
        self.start_time: float | None = None
        self.evicted = False
        self.terminal_phase: str | None = None
        self.done = False
        self.gone = False
        self.deleted_at: float | None = None

        self.timeline: list[dict[str, Any]] = []
        self.pods: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self._scheduled_syncs: set[float] = set()
        self._last_fingerprint: tuple[Any, ...] | None = None
        self._dirty = False
        self._wake: simpy.Event | None = None
        self._container_index = {
            str(c.get("name")): (i, True) for i, c in enumerate(init_containers(self.pod))
        }
        self._container_index.update(
            {str(c.get("name")): (i, False) for i, c in enumerate(regular_containers(self.pod))}
        )

    # -- bookkeeping ------------------------------------------------------------

    def event(
        self, etype: str, reason: str, obj: str, message: str, source: str = "kubelet"
    ) -> None:
        self.events.append(
            {
                "t": _num(self.env.now),
                "type": etype,
                "reason": reason,
                "object": obj,
                "message": message,
                "from": source,
            }
        )

    @staticmethod
    def field_path(name: str, is_init: bool) -> str:
        """`pkg/kubelet/container/ref.go` `fieldPath`."""
        return f"spec.initContainers{{{name}}}" if is_init else f"spec.containers{{{name}}}"

    def _obj(self, name: str) -> str:
        return self.field_path(name, self._container_index[name][1])

    def _spec_of(self, name: str) -> dict[str, Any]:
        idx, is_init = self._container_index[name]
        return (init_containers(self.pod) if is_init else regular_containers(self.pod))[idx]

    def pod_object(self) -> dict[str, Any]:
        """The Pod as the API holds it now. Shares the (never mutated) status and spec parts."""
        pod = dict(self.pod)
        pod["metadata"] = dict(self.pod["metadata"])
        pod["spec"] = dict(self.pod["spec"])
        pod["status"] = self.status
        return pod

    def record(self) -> None:
        """Take a snapshot if anything observable changed since the last one."""
        from initlab.api.printers import print_pod

        pod = self.pod_object()
        row = print_pod(pod, EPOCH + timedelta(seconds=self.env.now))
        st = self.status
        snap = {
            "t": _num(self.env.now),
            "phase": st.get("phase", "Pending"),
            "status": row.status,
            "ready": row.ready,
            "restarts": row.restarts,
            "conditions": condition_flags(st.get("conditions") or []),
            "initContainerStatuses": st.get("initContainerStatuses") or [],
            "containerStatuses": st.get("containerStatuses") or [],
        }
        if self.timeline:
            prev = self.timeline[-1]
            same = all(prev[k] == snap[k] for k in snap if k != "t")
            if same and self.pods[-1]["metadata"] == pod["metadata"]:
                return
        self.timeline.append(snap)
        self.pods.append(pod)

    # -- scheduling syncs -------------------------------------------------------------

    def request_sync(self, delay: float = 0.0) -> None:
        at = self.env.now + delay
        if at in self._scheduled_syncs:
            return
        self._scheduled_syncs.add(at)
        self.env.timeout(delay).callbacks.append(self._on_due)

    def _on_due(self, ev: simpy.Event) -> None:
        self._scheduled_syncs.discard(self.env.now)
        self._dirty = True
        if self._wake is not None and not self._wake.triggered:
            # URGENT: a sync due at t sees the world as it was just before t, so a container
            # exiting at the same instant is noticed by the next relist, SYNC_LATENCY later.
            self._wake._ok = True
            self._wake._value = None
            self.env.schedule(self._wake, priority=URGENT)

    def _worker(self) -> Iterator[simpy.Event]:
        """The pod worker: one sync at a time; requests during a sync run it again after."""
        while not self.gone and not self.done:
            if self._dirty:
                self._dirty = False
                yield from self._sync()
                continue
            self._wake = self.env.event()
            yield self._wake

    # -- the world -----------------------------------------------------------------

    def _world(self) -> Iterator[simpy.Event]:
        for we in self.sc.events:
            if we.at > self.env.now:
                yield self.env.timeout(we.at - self.env.now)
            if self.gone:
                return
            if we.action == "create-service":
                self.services.add(we.arg)
                for ev in self.service_waiters.pop(we.arg, []):
                    if not ev.triggered:
                        ev.succeed()
            elif we.action == "delete-service":
                self.services.discard(we.arg)
            elif we.action == "restart-sandbox":
                self._kill_sandbox()
            elif we.action == "delete-pod":
                self._delete()

    def _kill_sandbox(self) -> None:
        if not self.runtime.has_sandbox or not self.runtime.sandbox_ready:
            return
        self.runtime.sandbox_ready = False
        for live in list(self.live.values()):
            if live.proc is not None and live.proc.is_alive and not live.stopping:
                live.stopping = True
                live.proc.interrupt(("sandbox", 0.0))
        self.request_sync(SYNC_LATENCY)

    def _delete(self) -> None:
        meta = self.pod["metadata"]
        if meta.get("deletionTimestamp"):
            return
        grace = effective_grace_period(self.pod)
        meta["deletionGracePeriodSeconds"] = int(grace)
        meta["deletionTimestamp"] = rfc3339(self.env.now + grace)
        self.record()
        if self.done or not self.scheduled:
            self._remove()
            return
        self.request_sync(0)

    def _remove(self) -> None:
        self.gone = True
        self.deleted_at = self.env.now

    # -- the sync ----------------------------------------------------------------------

    def _fingerprint(self) -> tuple[Any, ...]:
        """Everything the generated status depends on; equal fingerprints give equal statuses."""
        rt = self.runtime
        return (
            rt.has_sandbox,
            rt.sandbox_ready,
            rt.sandbox_attempt,
            tuple((r.id, r.state, r.exit_code) for r in rt.containers),
            tuple(sorted(self.reason_cache.items())),
            len(self.startup_results),
            len(self.readiness_results),
            self.evicted,
            self.terminal_phase,
            self.pod["metadata"].get("deletionTimestamp"),
        )

    def _publish(self) -> None:
        """`generateAPIPodStatus` from the runtime as it is now, then a snapshot."""
        fp = self._fingerprint()
        if fp == self._last_fingerprint:
            return  # nothing it depends on changed: the status would be identical
        self._last_fingerprint = fp
        prev = self.status
        init_st = convert_container_statuses(
            self.pod,
            self.runtime,
            prev.get("initContainerStatuses"),
            True,
            self.reason_cache,
            self.startup_results,
            self.readiness_results,
        )
        st = convert_container_statuses(
            self.pod,
            self.runtime,
            prev.get("containerStatuses"),
            False,
            self.reason_cache,
            self.startup_results,
            self.readiness_results,
        )
        terminating = bool(self.pod["metadata"].get("deletionTimestamp")) or self.evicted
        phase = get_phase(
            self.pod, init_st, st, pod_is_terminal=terminating and not self._running()
        )
        if self.terminal_phase:
            phase = self.terminal_phase
        if self.evicted:
            phase = "Failed"
        status: dict[str, Any] = {"phase": phase}
        conds = generate_conditions(
            self.pod, init_st, st, phase, self.runtime.has_sandbox and self.runtime.sandbox_ready
        )
        status["conditions"] = carry_transition_times(conds, prev.get("conditions"), self.env.now)
        if self.evicted:
            status["message"] = DEADLINE_MESSAGE
            status["reason"] = DEADLINE_EXCEEDED
        status["hostIP"] = "172.18.0.2"
        if self.runtime.has_sandbox and self.runtime.sandbox_ready:
            ip = f"10.244.0.{10 + (int(self.uid[:4], 16) + self.runtime.sandbox_attempt) % 240}"
            status["podIP"] = ip
            status["podIPs"] = [{"ip": ip}]
        elif prev.get("podIP") and phase in ("Succeeded", "Failed"):
            status["podIP"] = prev["podIP"]
            status["podIPs"] = prev.get("podIPs", [])
        if self.start_time is None:
            self.start_time = self.env.now
            ads = (self.pod.get("spec") or {}).get("activeDeadlineSeconds")
            if isinstance(ads, int) and not isinstance(ads, bool) and ads >= 0:
                # active_deadline.go is consulted on every sync; the model syncs exactly then.
                self.request_sync(ads)
        status["startTime"] = rfc3339(self.start_time)
        if init_containers(self.pod):
            status["initContainerStatuses"] = init_st
        status["containerStatuses"] = st
        status["qosClass"] = prev.get("qosClass") or self._qos()
        if phase in ("Succeeded", "Failed") and not self._running():
            self.terminal_phase = phase
        changed = status != prev
        self.status = status
        if changed:
            self.record()

    def _qos(self) -> str:
        try:
            from initlab.api.resources import qos_class  # type: ignore[attr-defined]

            return str(qos_class(self.pod))
        except Exception:
            return "BestEffort"

    def _running(self) -> bool:
        return any(r.state == RUNNING for r in self.runtime.containers)

    def _sync(self) -> Iterator[simpy.Event]:
        if self.gone or self.done:
            return
        now = self.env.now
        if not self.evicted and deadline_exceeded(self.pod, self.start_time, now):
            self.evicted = True
            self.event("Normal", DEADLINE_EXCEEDED, "Pod", DEADLINE_MESSAGE)
        self._publish()

        deleting = bool(self.pod["metadata"].get("deletionTimestamp"))
        if deleting or self.evicted or self.terminal_phase:
            self.reason_cache.clear()
            grace = effective_grace_period(self.pod)
            yield from self._kill(
                [r.name for r in self.runtime.containers if r.state == RUNNING], grace
            )
            self.runtime.sandbox_ready = False
            self._publish()
            if self.terminal_phase or not self._running():
                self.done = True
                if deleting:
                    self._remove()
            return

        actions = compute_pod_actions(self.pod, self.runtime, self.startup_results)
        errored = False
        if actions.create_sandbox and actions.sandbox_id:
            self.event(
                "Normal",
                "SandboxChanged",
                "Pod",
                "Pod sandbox changed, it will be killed and re-created.",
            )
        if actions.kill_pod:
            running = [r.name for r in self.runtime.containers if r.state == RUNNING]
            yield from self._kill(running, effective_grace_period(self.pod))
            self.runtime.sandbox_ready = False
            if actions.create_sandbox:
                # purgeInitContainers: every init container record goes, with its logs.
                inits = {str(c.get("name")) for c in init_containers(self.pod)}
                self.runtime.containers = [
                    r for r in self.runtime.containers if r.name not in inits
                ]
            else:
                self.request_sync(SYNC_LATENCY)
                return
        elif actions.containers_to_kill:
            for name, info in actions.containers_to_kill.items():
                yield from self._kill(
                    [name], effective_grace_period(self.pod), {name: info.message}
                )

        if actions.create_sandbox:
            yield self.env.timeout(SANDBOX_SECONDS)
            self.runtime.has_sandbox = True
            self.runtime.sandbox_ready = True
            self.runtime.sandbox_attempt = actions.attempt
            self.runtime.sandbox_id = hashlib.sha256(
                f"{self.uid}/sandbox/{actions.attempt}".encode()
            ).hexdigest()
            self.request_sync(SYNC_LATENCY)

        inits = init_containers(self.pod)
        for idx in actions.init_containers_to_start:
            spec = inits[idx]
            ok = yield from self._start(spec, True)
            if not ok:
                errored = True
                if not is_restartable_init_container(spec):
                    break
        else:
            apps = regular_containers(self.pod)
            for idx in actions.containers_to_start:
                ok = yield from self._start(apps[idx], False)
                if not ok:
                    errored = True
        if errored:
            self.request_sync(ERROR_RESYNC)

    def _start(self, spec: dict[str, Any], is_init: bool) -> Iterator[simpy.Event]:
        """`SyncPod`'s `start`: back-off check, image, create, start. True if it started."""
        name = str(spec.get("name"))
        obj = self.field_path(name, is_init)
        last = self.runtime.newest_exited(name)
        key = f"{self.name}_{self.namespace}_{self.uid}_{name}"
        decision = do_backoff(
            self.crash_backoff,
            key,
            last.finished_at if last else None,
            self.env.now,
            name,
            self.pod_ref,
        )
        if decision.in_backoff:
            self.event(
                "Warning",
                "BackOff",
                obj,
                f"Back-off restarting failed container {name} in pod {self.pod_ref}",
            )
            self.reason_cache[name] = ("CrashLoopBackOff", decision.message)
            if decision.until is not None and decision.until > self.env.now:
                self.request_sync(decision.until - self.env.now)
            return False

        attempts = self.sc.attempts_for(name, is_init, is_restartable_init_container(spec))
        n = self.starts.get(name, 0)
        attempt = attempts[min(n, len(attempts) - 1)]

        ok = yield from self._ensure_image(spec, obj, attempt)
        if not ok:
            return False

        prev = self.runtime.find(name)
        restart_count = prev.restart_count + 1 if prev is not None else 0
        cid = (
            "containerd://"
            + hashlib.sha256(f"{self.uid}/{name}/{self.env.now}/{n}".encode()).hexdigest()
        )
        record = ContainerRecord(
            name=name,
            id=cid,
            state=RUNNING,
            image=str(spec.get("image", "")),
            created_at=self.env.now,
            started_at=self.env.now,
            restart_count=restart_count,
            sandbox=self.runtime.sandbox_attempt,
        )
        self.starts[name] = n + 1
        # GC: keep the newest exited record only (MaxPerPodContainer = 1), plus the new one.
        older = [r for r in self.runtime.containers if r.name == name]
        drop = {id(r) for r in older[1:]}
        self.runtime.containers = [record] + [
            r for r in self.runtime.containers if id(r) not in drop
        ]
        self.event("Normal", "Created", obj, f"Created container: {name}")
        self.event("Normal", "Started", obj, f"Started container {name}")
        self.reason_cache.pop(name, None)
        live = _Live(record, attempt, spec, is_init)
        self.live[name] = live
        self.history.setdefault(name, []).append(
            {"id": cid, "start": self.env.now, "restartCount": restart_count, "lines": live.log}
        )
        live.proc = self.env.process(self._run_container(live))
        self._schedule_probes(live)
        self.request_sync(SYNC_LATENCY)
        return True

    def _ensure_image(
        self, spec: dict[str, Any], obj: str, attempt: Attempt
    ) -> Iterator[simpy.Event]:
        """`image_manager.go` `EnsureImageExists`: pull policy, pull, image back-off."""
        image = str(spec.get("image", ""))
        name = str(spec.get("name"))
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        present = image in self.images and not attempt.pull_error
        if policy == "Never" and not present:
            msg = f'Container image "{image}" is not present with pull policy of Never'
            self.event("Warning", "ErrImageNeverPull", obj, msg)
            self.event("Warning", "Failed", obj, "Error: ErrImageNeverPull")
            self.reason_cache[name] = ("ErrImageNeverPull", msg)
            return False
        if present and policy != "Always":
            self.event(
                "Normal", "Pulled", obj, f'Container image "{image}" already present on machine'
            )
            return True
        key = f"{self.uid}_{image}"
        if self.image_backoff.is_in_backoff_since_update(key, self.env.now):
            msg = f'Back-off pulling image "{image}"'
            self.event("Normal", "BackOff", obj, msg)
            self.event("Warning", "Failed", obj, "Error: ImagePullBackOff")
            self.reason_cache[name] = ("ImagePullBackOff", msg)
            entry = self.image_backoff.entries[key]
            self.request_sync(entry.last_update + entry.backoff - self.env.now)
            return False
        self.event("Normal", "Pulling", obj, f'Pulling image "{image}"')
        yield self.env.timeout(PULL_SECONDS)
        if attempt.pull_error:
            ref = _ref(image)
            err = (
                f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
                f'failed to resolve reference "{ref}": {ref}: not found'
            )
            self.event("Warning", "Failed", obj, f'Failed to pull image "{image}": {err}')
            self.event("Warning", "Failed", obj, "Error: ErrImagePull")
            self.image_backoff.next(key, self.env.now, self.env.now)
            self.reason_cache[name] = ("ErrImagePull", err)
            self.request_sync(SYNC_LATENCY)
            return False
        self.images.add(image)
        d = f"{PULL_SECONDS:g}s"
        self.event(
            "Normal",
            "Pulled",
            obj,
            f'Successfully pulled image "{image}" in {d} ({d} including waiting). '
            f"Image size: {image_size(image)} bytes.",
        )
        return True

    def _schedule_probes(self, live: _Live) -> None:
        spec = live.spec
        for key, results, delay in (
            ("startupProbe", self.startup_results, live.attempt.startup),
            ("readinessProbe", self.readiness_results, live.attempt.ready),
        ):
            probe = spec.get(key)
            if not isinstance(probe, dict):
                continue
            if delay is None:
                d = probe.get("initialDelaySeconds", 0)
                delay = float(d) if isinstance(d, int) and not isinstance(d, bool) else 0.0
            self.env.process(self._probe(live.record, results, delay))

    def _probe(
        self, record: ContainerRecord, results: dict[str, str], delay: float
    ) -> Iterator[simpy.Event]:
        yield self.env.timeout(delay)
        if record.state == RUNNING and not self.gone:
            results[record.id] = SUCCESS
            self.request_sync(0)

    # -- containers --------------------------------------------------------------------

    def _run_container(self, live: _Live) -> Iterator[simpy.Event]:
        a = live.attempt
        start = self.env.now
        code = a.exit
        reason = ""
        try:
            # The writes come first, as in `mkdir /data/x && echo done`: a failed
            # `create` prints only its error, not the attempt's own log lines.
            failed_write = False
            for w in a.writes:
                files = self.volumes.setdefault(w.volume, {})
                if w.mode == "create" and w.path in files:
                    live.log.append(
                        (start, f"mkdir: can't create directory '{w.path}': File exists")
                    )
                    failed_write = True
                    break
                if w.mode == "append":
                    files[w.path] = files.get(w.path, "") + f"{live.record.name}\n"
                else:
                    files[w.path] = f"{live.record.name}\n"
            if not failed_write and a.log:
                live.log.extend((start, line) for line in a.log)
            if failed_write:
                code = 1
            elif a.wait_for is not None:
                svc = a.wait_for
                if svc not in self.services:
                    ev = self.env.event()
                    self.service_waiters.setdefault(svc, []).append(ev)
                    live.log.append((start, ("wait", svc, self.namespace)))
                    yield ev
                    elapsed = self.env.now - start
                    polls = -(-elapsed // POLL_SECONDS)
                    wait = start + polls * POLL_SECONDS - self.env.now
                    if wait > 0:
                        yield self.env.timeout(wait)
                    live.log[-1] = (start, ("wait", svc, self.namespace, self.env.now))
                live.log.extend(
                    (self.env.now, line) for line in nslookup(svc, self.namespace, True)
                )
                code = 0
            elif a.run is None:
                yield self.env.event()  # runs until killed
            else:
                if a.run > 0:
                    yield self.env.timeout(a.run)
                if a.oom:
                    code, reason = 137, "OOMKilled"
        except simpy.Interrupt as intr:
            why, grace = intr.cause
            if why == "sandbox":
                code = 137
            else:
                stop = a.stop
                if stop < grace:
                    if stop > 0:
                        yield self.env.timeout(stop)
                    code = 143
                else:
                    yield self.env.timeout(grace)
                    code = 137
            reason = ""
        self._exit(live, code, reason)

    def _exit(self, live: _Live, code: int, reason: str = "") -> None:
        rec = live.record
        if rec.state != RUNNING:
            return
        rec.state = EXITED
        rec.exit_code = code
        rec.reason = reason or ("Completed" if code == 0 else "Error")
        rec.finished_at = self.env.now
        if self.live.get(rec.name) is live:
            del self.live[rec.name]
        waiters = getattr(self, "_exit_waiters", {}).pop(rec.id, [])
        for ev in waiters:
            if not ev.triggered:
                ev.succeed()
        self.request_sync(SYNC_LATENCY)

    def _kill(
        self, names: list[str], grace: float, messages: dict[str, str] | None = None
    ) -> Iterator[simpy.Event]:
        """`killContainersWithSyncResult` in termination order; waits for each wave to exit."""
        messages = messages or {}
        if not names:
            return
        if not hasattr(self, "_exit_waiters"):
            self._exit_waiters: dict[str, list[simpy.Event]] = {}
        deadline = self.env.now + grace
        for wave in termination_order(self.pod, names):
            waits = []
            wave_grace = max(deadline - self.env.now, 2.0)
            for name in wave:
                live = self.live.get(name)
                if live is None or live.proc is None or not live.proc.is_alive or live.stopping:
                    continue
                live.stopping = True
                msg = messages.get(name, f"Stopping container {name}")
                self.event("Normal", "Killing", self._obj(name), msg)
                ev = self.env.event()
                self._exit_waiters.setdefault(live.record.id, []).append(ev)
                waits.append(ev)
                live.proc.interrupt(("kill", wave_grace))
            if waits:
                yield simpy.AllOf(self.env, waits)

    # -- running --------------------------------------------------------------------------

    def _schedule(self) -> Iterator[simpy.Event]:
        """The API server creates the pod; the scheduler binds it; the kubelet picks it up."""
        self.status = {"phase": "Pending", "qosClass": self._qos()}
        self.record()
        fits, why = self._fits()
        if not fits:
            self.status = {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": why,
                        "lastProbeTime": None,
                        "lastTransitionTime": rfc3339(0),
                    }
                ],
                "qosClass": self.status["qosClass"],
            }
            self.event("Warning", "FailedScheduling", "Pod", why, source="default-scheduler")
            self.record()
            self.done = True
            return
        self.pod["spec"]["nodeName"] = self.node
        self.status = {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": rfc3339(0),
                }
            ],
            "qosClass": self.status["qosClass"],
        }
        self.scheduled = True
        self.event(
            "Normal",
            "Scheduled",
            "Pod",
            f"Successfully assigned {self.namespace}/{self.name} to {self.node}",
            source="default-scheduler",
        )
        self.record()
        self.request_sync(0)
        yield from ()

    def _fits(self) -> tuple[bool, str]:
        node = self.sc.node
        if not node.get("cpu") and not node.get("memory"):
            return True, ""
        try:
            from initlab.api.quantity import Quantity
            from initlab.api.resources import pod_requests

            reqs = pod_requests(self.pod)
        except Exception:
            return True, ""
        short = []
        for res in ("cpu", "memory"):
            if res in node and res in reqs:
                want = reqs[res]
                want = want if isinstance(want, Quantity) else Quantity.parse(str(want))
                if want > Quantity.parse(node[res]):
                    short.append(f"1 Insufficient {res}")
        if not short:
            return True, ""
        return False, (
            f"0/1 nodes are available: {', '.join(short)}. preemption: 0/1 nodes are available: "
            "1 No preemption victims found for incoming pod."
        )

    def run(self) -> Result:
        env = self.env
        env.process(self._schedule())
        env.process(self._world())
        env.process(self._worker())
        until = self.sc.until
        cap = until if until is not None else STABLE_CAP
        steps = 0
        capped = False
        while True:
            nxt = env.peek()
            if nxt == float("inf") or self.gone:
                break
            if nxt > cap:
                capped = until is None
                break
            env.step()
            steps += 1
        end = cap if (until is not None or capped) else env.now
        if self.gone:
            end = self.deleted_at if self.deleted_at is not None else env.now
        logs = {
            name: [
                {
                    "id": h["id"],
                    "start": h["start"],
                    "restartCount": h["restartCount"],
                    "lines": list(h["lines"]),
                }
                for h in hist
            ]
            for name, hist in self.history.items()
        }
        return Result(
            timeline=self.timeline,
            events=self.events,
            pods=self.pods,
            end=float(end),
            capped=capped,
            stable=not capped and until is None,
            deleted_at=self.deleted_at,
            steps=steps,
            name=self.name,
            namespace=self.namespace,
            logs=logs,
            scenario=self.sc,
        )


def simulate(scenario: Any, until: float | None = None) -> Result:
    """Run a scenario (a `Scenario`, a dict, YAML text or a path) and return its `Result`."""
    sc = load_scenario(scenario)
    if until is not None:
        sc = copy.copy(sc)
        sc.until = until
    return PodSimulation(sc).run()


def run(scenario: Scenario) -> Result:
    """The CLI's entry point: simulate an already-loaded scenario."""
    return PodSimulation(scenario).run()
