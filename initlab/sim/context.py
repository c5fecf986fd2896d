"""The pod being simulated, shared by the pod worker, the container runtime and the world.

`PodContext` holds the pod's identity (name, namespace, a deterministic
UID), the simpy clock, the Pod object as the API server holds it, and the
event recorder. It is the only mutable state the three parts share; each
part keeps its own state (the runtime its container records, the worker
the status manager's view).

The API object is kept as parts that are **replaced, never mutated**:
`metadata`, `spec` and `status` are new dicts whenever they change
(`update_metadata`, `update_spec`, assigning `status`), so every recorded
frame can share them with its neighbours instead of copying the pod.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

import simpy
from simpy.core import URGENT

from initlab.api.pod import init_containers, regular_containers
from initlab.api.printers import print_pod
from initlab.kubelet.status import condition_flags, instant, rfc3339
from initlab.sim.result import EventLog, Frame, _num
from initlab.sim.scenario import Scenario

DEFAULT_NODE = "node-1"


def pod_uid(namespace: str, name: str) -> str:
    """A deterministic UID: uuid5 of `initlab:<namespace>/<name>` in the URL namespace."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"initlab:{namespace}/{name}"))


def field_path(name: str, is_init: bool) -> str:
    """`pkg/kubelet/container/ref.go` `fieldPath`."""
    return f"spec.initContainers{{{name}}}" if is_init else f"spec.containers{{{name}}}"


def succeed_urgent(env: simpy.Environment, event: simpy.Event) -> None:
    """Trigger `event` now, ahead of every other event due at this instant.

    Why: a sync requested for time t must see the world as it was just
    before t, so that a container exiting at the same instant is noticed
    by the next relist, `SYNC_LATENCY` later, as on a node. simpy offers
    URGENT priority only to events it schedules itself (`Environment.run`
    uses it for its stop event, simpy `core.py`), so this sets the event's
    outcome as `Event.succeed` would and schedules it URGENT.
    """
    event._ok = True
    event._value = None
    env.schedule(event, priority=URGENT)


def _unwired(delay: float = 0.0) -> None:
    raise RuntimeError("PodContext.request_sync is set by the pod worker")


class PodContext:
    """One pod on one node: identity, clock, the API object, events and frames."""

    def __init__(
        self, scenario: Scenario, env: simpy.Environment, version: str | None = None
    ) -> None:
        self.sc = scenario
        self.env = env
        #: The Kubernetes release whose rules apply.
        self.version = version or scenario.kubernetes_version
        pod = copy.deepcopy(scenario.pod)
        meta = pod.get("metadata")
        meta = dict(meta) if isinstance(meta, dict) else {}
        self.name = str(meta.get("name") or "pod")
        self.namespace = str(meta.get("namespace") or "default")
        self.uid = pod_uid(self.namespace, self.name)
        meta["name"] = self.name
        meta["uid"] = self.uid
        meta["creationTimestamp"] = rfc3339(0)
        pod["metadata"] = meta
        spec = pod.get("spec")
        pod["spec"] = spec if isinstance(spec, dict) else {}
        #: The pod's top level as loaded (key order, apiVersion, kind); never mutated.
        self.head: dict[str, Any] = pod
        self.metadata: dict[str, Any] = meta
        self.spec: dict[str, Any] = pod["spec"]
        self.status: dict[str, Any] = {"phase": "Pending"}
        self.node = str(scenario.node.get("name", DEFAULT_NODE))
        self.pod_ref = f"{self.name}_{self.namespace}({self.uid})"
        self.events = EventLog()
        self.frames: list[Frame] = []
        #: Lifecycle hook runs: {container, hook, start, end, exit} (exit None: cut short).
        self.hooks: list[dict[str, Any]] = []
        #: The pod object is gone from the API (deleted and finished), and when.
        self.gone = False
        self.deleted_at: float | None = None
        #: Ask the pod worker for a sync `delay` seconds from now (wired by the worker).
        self.request_sync: Callable[[float], None] = _unwired
        #: `pod`'s last answer and the parts it was made of (see `pod`).
        self._pod: tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]] | None = (
            None
        )
        #: `containers()`'s last answer and the spec it was read from.
        self._containers: (
            tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | None
        ) = None
        self._index = {
            str(c.get("name")): (i, True) for i, c in enumerate(init_containers(self.pod))
        }
        self._index.update(
            {str(c.get("name")): (i, False) for i, c in enumerate(regular_containers(self.pod))}
        )

    # -- the API object ---------------------------------------------------------------

    @property
    def pod(self) -> dict[str, Any]:
        """The Pod as the API holds it now (the parts are shared; never mutate it).

        The same dict while `metadata`, `spec` and `status` are the same
        objects: they are replaced, never mutated, so a part that changed is
        another object and the pod is made anew.
        """
        made = self._pod
        meta, spec, status = self.metadata, self.spec, self.status
        if made is not None and made[0] is meta and made[1] is spec and made[2] is status:
            return made[3]
        pod = dict(self.head)
        pod["metadata"] = meta
        pod["spec"] = spec
        pod["status"] = status
        self._pod = (meta, spec, status, pod)
        return pod

    def containers(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The spec's init and regular containers (`init_containers`, `regular_containers`).

        Read once per spec object: the spec is replaced, never mutated, so a
        new spec (`update_spec`) is read anew.
        """
        read = self._containers
        spec = self.spec
        if read is None or read[0] is not spec:
            pod = self.pod
            read = self._containers = (spec, init_containers(pod), regular_containers(pod))
        return read[1], read[2]

    def update_metadata(self, **changes: Any) -> None:
        """Replace the metadata with a copy carrying `changes` (frames keep the old one)."""
        self.metadata = {**self.metadata, **changes}

    def update_spec(self, **changes: Any) -> None:
        """Replace the spec with a copy carrying `changes` (frames keep the old one)."""
        self.spec = {**self.spec, **changes}

    def is_init(self, name: str) -> bool:
        return self._index[name][1]

    def obj(self, name: str) -> str:
        """The involved object's fieldPath of a container's events."""
        return field_path(name, self._index[name][1])

    def spec_of(self, name: str) -> dict[str, Any]:
        idx, is_init = self._index[name]
        return self.containers()[0 if is_init else 1][idx]

    # -- recording -----------------------------------------------------------------------

    def event(
        self, etype: str, reason: str, obj: str, message: str, source: str = "kubelet"
    ) -> None:
        """Record an event (`record.EventRecorder.Event`) at the current time."""
        self.events.append(self.env.now, (etype, reason, obj, message, source))

    def record(self) -> None:
        """Take a frame if anything observable changed since the last one."""
        st = self.status
        row = print_pod(self.pod, instant(self.env.now))
        conditions = st.get("conditions") or []
        last = self.frames[-1] if self.frames else None
        if last is not None and last.snap["conditionDetails"] is conditions:
            # the same conditions list (statuses share what did not change): the same flags
            flags = last.snap["conditions"]
        else:
            flags = condition_flags(conditions)
            if last is not None and last.snap["conditions"] == flags:
                flags = last.snap["conditions"]  # one copy of what did not change
        snap = {
            "t": _num(self.env.now),
            "phase": st.get("phase", "Pending"),
            "status": row.status,
            "ready": row.ready,
            "restarts": row.restarts,
            "conditions": flags,
            # the same conditions as the API shows them: reason, message, lastTransitionTime
            "conditionDetails": conditions,
            "initContainerStatuses": st.get("initContainerStatuses") or [],
            "containerStatuses": st.get("containerStatuses") or [],
        }
        if last is not None:
            same = all(last.snap[k] == snap[k] for k in snap if k != "t")
            if same and last.metadata == self.metadata:
                return
        self.frames.append(Frame(snap, self.head, self.metadata, self.spec, st, tuple(row.cells())))


class Services:
    """The Services of the pod's namespace, and the containers waiting for one."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.names: set[str] = set()
        self._waiters: dict[str, list[simpy.Event]] = {}

    def exists(self, name: str) -> bool:
        return name in self.names

    def wait_for(self, name: str) -> simpy.Event:
        """An event that fires when the Service is created."""
        ev = self.env.event()
        self._waiters.setdefault(name, []).append(ev)
        return ev

    def create(self, name: str) -> None:
        self.names.add(name)
        for ev in self._waiters.pop(name, []):
            if not ev.triggered:
                ev.succeed()

    def delete(self, name: str) -> None:
        self.names.discard(name)
