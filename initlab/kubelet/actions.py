"""The kubelet's decisions about a pod's containers, as pure functions.

The runtime's view of a pod (`RuntimePodStatus`, `ContainerRecord`) mirrors
`kubecontainer.PodStatus` / `kubecontainer.Status` from
`pkg/kubelet/container/runtime.go`: the sandbox, and every container record
the runtime still holds, newest first. The functions below decide what the
kubelet does next; the pod worker (`initlab.sim.pod_worker`) only waits and
applies their answers.

- `compute_init_container_actions`: `kuberuntime_container.go`
  `computeInitContainerActions`.
- `compute_pod_actions`: `kuberuntime_manager.go` `computePodActions`
.
- `should_container_be_restarted`: `pkg/kubelet/container/helpers.go`
  `ShouldContainerBeRestarted`.
- `termination_order`, `termination_prereqs`: `kuberuntime_termination_order.go`.

Container definitions change through pod updates: a running container
whose spec hash differs from the one it was started with is killed and
started again (`containerChanged`, `initlab.kubelet.probes.hash_container`);
a regular init container is never re-run for it. Startup- and
liveness-probe results are passed in (`startup_results`,
`liveness_results`), as the kubelet reads them from its `startupManager`
and `livenessManager`. In-place resize and ephemeral containers are not
modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from initlab.api.pod import (
    init_containers,
    is_deleted,
    is_restartable_init_container,
    regular_containers,
    restart_policy,
    should_restart_on_failure,
    spec,
)
from initlab.kubelet.probes import container_changed

# kubecontainer.State values.
CREATED = "created"
RUNNING = "running"
EXITED = "exited"
UNKNOWN = "unknown"

#: `minimumGracePeriodInSeconds` (kuberuntime_container.go): every container gets at least 2 s.
MINIMUM_GRACE_PERIOD = 2

# proberesults.Result strings, as the startup manager reports them.
SUCCESS = "Success"
FAILURE = "Failure"


@dataclass
class ContainerRecord:
    """One container as the runtime reports it (`kubecontainer.Status`)."""

    name: str
    id: str
    state: str
    image: str = ""
    exit_code: int = 0
    reason: str = ""
    message: str = ""
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    restart_count: int = 0
    sandbox: int = 0
    #: `HashContainer` of the spec it was started from ("" = unknown, never "changed").
    hash: str = ""


@dataclass
class RuntimePodStatus:
    """`kubecontainer.PodStatus`: the sandbox and the container records, newest first."""

    has_sandbox: bool = False
    sandbox_ready: bool = False
    sandbox_attempt: int = 0
    sandbox_id: str = ""
    containers: list[ContainerRecord] = field(default_factory=list)

    def find(self, name: str) -> ContainerRecord | None:
        """`FindContainerStatusByName`: the newest record of that name."""
        for c in self.containers:
            if c.name == name:
                return c
        return None


@dataclass
class ContainerToKill:
    """`containerToKillInfo`: which container, and the message for the Killing event."""

    name: str
    message: str
    init: bool = False


@dataclass
class PodActions:
    """`podActions`: what one SyncPod should do."""

    kill_pod: bool = False
    create_sandbox: bool = False
    sandbox_id: str = ""
    attempt: int = 0
    init_containers_to_start: list[int] = field(default_factory=list)
    containers_to_start: list[int] = field(default_factory=list)
    containers_to_kill: dict[str, ContainerToKill] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """A compact dict, handy for test tables and the book."""
        return {
            "killPod": self.kill_pod,
            "createSandbox": self.create_sandbox,
            "attempt": self.attempt,
            "initContainersToStart": list(self.init_containers_to_start),
            "containersToStart": list(self.containers_to_start),
            "containersToKill": sorted(self.containers_to_kill),
        }


def is_init_container_failed(record: ContainerRecord) -> bool:
    """`isInitContainerFailed`: exited non-zero, or in an unknown state."""
    if record.state == EXITED and record.exit_code != 0:
        return True
    return record.state == UNKNOWN


def should_container_be_restarted(
    container: Mapping[str, Any], pod: Mapping[str, Any], status: RuntimePodStatus
) -> bool:
    """`pkg/kubelet/container/helpers.go` `ShouldContainerBeRestarted`.

    Never after deletion; always if it never ran (or its records were
    GC'd), or is Created/Unknown; never while running; otherwise by the pod's
    `restartPolicy` (OnFailure: only a non-zero exit).
    """
    if is_deleted(pod):
        return False
    record = status.find(str(container.get("name")))
    if record is None:
        return True
    if record.state == RUNNING:
        return False
    if record.state in (UNKNOWN, CREATED):
        return True
    policy = restart_policy(pod)
    if policy == "Never":
        return False
    if policy == "OnFailure":
        return record.exit_code != 0
    return True


def has_any_regular_container_created(pod: Mapping[str, Any], status: RuntimePodStatus) -> bool:
    """`hasAnyRegularContainerCreated`: a regular container is Created, Running or Exited."""
    for c in regular_containers(pod):
        record = status.find(str(c.get("name")))
        if record is not None and record.state in (CREATED, RUNNING, EXITED):
            return True
    return False


def pod_sandbox_changed(status: RuntimePodStatus) -> tuple[bool, int, str]:
    """`kuberuntime/util` `PodSandboxChanged`: (create a new sandbox?, attempt, old sandbox id).

    No sandbox: create one, attempt 0. The newest sandbox not ready (killed,
    network gone): create attempt+1. The model has no network-namespace or
    IP changes.
    """
    if not status.has_sandbox:
        return True, 0, ""
    if not status.sandbox_ready:
        return True, status.sandbox_attempt + 1, status.sandbox_id
    return False, status.sandbox_attempt, status.sandbox_id


# -- the decisions ----------------------------------------------------------------


def compute_init_container_actions(
    pod: Mapping[str, Any],
    status: RuntimePodStatus,
    changes: PodActions,
    startup_results: Mapping[str, str] | None = None,
    liveness_results: Mapping[str, str] | None = None,
) -> bool:
    """`kuberuntime_container.go` `computeInitContainerActions`; True once the pod is initialized.

    Walks the init containers from last to first, using each one's newest
    record, to find the frontier: exited 0 -> start the next one (or,
    for the last, the pod is initialized); exited non-zero -> restart it, or
    with `restartPolicy: Never` KillPod; running -> wait; Created -> start it
    again; Unknown -> kill and restart (Never: KillPod). A running sidecar
    whose startup probe succeeded (or that has none) lets the next init
    container start. "Already initialized": if any regular
    container is Created or Running, only sidecars are looked at, and a
    sidecar with no record is started again.
    """
    inits = init_containers(pod)
    if not inits:
        return True
    startup_results = startup_results or {}

    pod_has_initialized = False
    for c in regular_containers(pod):
        record = status.find(str(c.get("name")))
        if record is not None and record.state in (CREATED, RUNNING):
            pod_has_initialized = True
            break

    previously_initialized = pod_has_initialized
    restart_on_failure = should_restart_on_failure(pod)
    last = len(inits) - 1
    to_start: list[int] = []

    for i in range(last, -1, -1):
        container = inits[i]
        name = str(container.get("name"))
        sidecar = is_restartable_init_container(container)
        record = status.find(name)
        if record is None:
            if previously_initialized and sidecar:
                to_start.append(i)
            continue
        if previously_initialized and not sidecar:
            continue

        if record.state == CREATED:
            to_start.append(i)
        elif record.state == RUNNING:
            if sidecar:
                waiting_for_startup = False
                if isinstance(container.get("startupProbe"), dict):
                    result = startup_results.get(record.id)
                    if result != SUCCESS:
                        waiting_for_startup = True
                        if result == FAILURE:
                            changes.containers_to_kill[name] = ContainerToKill(
                                name, f"Init container {name} failed startup probe", init=True
                            )
                            to_start.append(i)
                if not waiting_for_startup:
                    if i == last:
                        pod_has_initialized = True
                    elif not previously_initialized:
                        to_start.append(i + 1)
                    if container_changed(container, record.hash):
                        changes.containers_to_kill[name] = ContainerToKill(
                            name, f"Init container {name} definition changed", init=True
                        )
                        to_start.append(i)
                    elif (
                        isinstance(container.get("livenessProbe"), dict)
                        and (liveness_results or {}).get(record.id) == FAILURE
                    ):
                        changes.containers_to_kill[name] = ContainerToKill(
                            name, f"Init container {name} failed liveness probe", init=True
                        )
                        to_start.append(i)
        elif record.state == EXITED:
            if sidecar:
                to_start.append(i)
            elif is_init_container_failed(record):
                if not restart_on_failure:
                    changes.kill_pod = True
                    changes.init_containers_to_start = []
                    return False
                to_start.append(i)
            elif i == last:
                pod_has_initialized = True
            else:
                to_start.append(i + 1)
        else:  # unknown
            if not sidecar and not restart_on_failure:
                changes.kill_pod = True
                changes.init_containers_to_start = []
                return False
            changes.containers_to_kill[name] = ContainerToKill(
                name,
                f'Init container is in "{record.state}" state, try killing it before restart',
                init=True,
            )
            to_start.append(i)

        if not previously_initialized:
            previously_initialized = True

    if not previously_initialized:
        to_start.append(0)
    changes.init_containers_to_start = list(reversed(to_start))
    return pod_has_initialized


def compute_pod_actions(
    pod: Mapping[str, Any],
    status: RuntimePodStatus,
    startup_results: Mapping[str, str] | None = None,
    liveness_results: Mapping[str, str] | None = None,
) -> PodActions:
    """`kuberuntime_manager.go` `computePodActions` (SidecarContainers on, as since 1.29).

    - Sandbox gone or not ready: kill everything, create a new sandbox and
      start init container 0 again -- except with `restartPolicy:
      Never` once a container has run (attempt != 0), and except when the
      pod has initialized and no regular container is left to start.
    - Otherwise init containers first (`compute_init_container_actions`);
      then each regular container is started when
      `should_container_be_restarted` says so. A running one is killed if
      its definition changed (`Container X definition changed`: restarted
      whatever the restartPolicy), its liveness probe failed (`Container X
      failed liveness probe`) or its startup probe failed; the message gets
      `, will be restarted` when it will be started again.
    - Nothing running and nothing to start (keepCount == 0): KillPod, and
      sidecars are not restarted.
    """
    create, attempt, sandbox_id = pod_sandbox_changed(status)
    changes = PodActions(
        kill_pod=create, create_sandbox=create, sandbox_id=sandbox_id, attempt=attempt
    )
    regulars = regular_containers(pod)
    if create:
        if not should_restart_on_failure(pod) and attempt != 0 and status.containers:
            changes.create_sandbox = False
            return changes
        to_start = []
        for idx, c in enumerate(regulars):
            if restart_policy(pod) == "OnFailure":
                record = status.find(str(c.get("name")))
                if record is not None and record.state == EXITED and record.exit_code == 0:
                    continue
            to_start.append(idx)
        if not to_start and has_any_regular_container_created(pod, status):
            changes.create_sandbox = False
            return changes
        if init_containers(pod):
            changes.init_containers_to_start = [0]
            return changes
        changes.containers_to_start = to_start
        return changes

    initialized = compute_init_container_actions(
        pod, status, changes, startup_results, liveness_results
    )
    if changes.kill_pod or not initialized:
        return changes

    keep_count = 0
    for idx, c in enumerate(regulars):
        name = str(c.get("name"))
        record = status.find(name)
        if record is None or record.state != RUNNING:
            if should_container_be_restarted(c, pod, status):
                changes.containers_to_start.append(idx)
                if record is not None and record.state == UNKNOWN:
                    changes.containers_to_kill[name] = ContainerToKill(
                        name,
                        f'Container is in "{record.state}" state, try killing it before launching',
                    )
            continue
        restart = should_restart_on_failure(pod)
        if container_changed(c, record.hash):
            message = f"Container {name} definition changed"
            restart = True
        elif isinstance(c.get("livenessProbe"), dict) and (
            (liveness_results or {}).get(record.id) == FAILURE
        ):
            message = f"Container {name} failed liveness probe"
        elif isinstance(c.get("startupProbe"), dict) and (
            (startup_results or {}).get(record.id) == FAILURE
        ):
            message = f"Container {name} failed startup probe"
        else:
            keep_count += 1
            continue
        if restart:
            message += ", will be restarted"
            changes.containers_to_start.append(idx)
        changes.containers_to_kill[name] = ContainerToKill(name, message)

    if keep_count == 0 and not changes.containers_to_start:
        changes.kill_pod = True
        changes.init_containers_to_start = []
    return changes


def termination_order(pod: Mapping[str, Any], running: list[str]) -> list[list[str]]:
    """`kuberuntime_termination_order.go`: the waves in which running containers stop.

    Regular containers stop together first; then each sidecar waits for
    every regular container and every sidecar declared after it, so sidecars
    stop one by one in reverse declaration order. Returns the
    non-empty waves, each a list of container names.
    """
    running_set = set(running)
    sidecars = [
        str(c.get("name"))
        for c in init_containers(pod)
        if is_restartable_init_container(c) and str(c.get("name")) in running_set
    ]
    sidecar_set = set(sidecars)
    first = [n for n in running if n not in sidecar_set]
    waves = [first] if first else []
    waves.extend([s] for s in reversed(sidecars))
    return waves


def termination_prereqs(pod: Mapping[str, Any], running: list[str]) -> dict[str, list[str]]:
    """`newTerminationOrdering` (v1.29+, PR #120620): what each stopping container waits for.

    Every container of a terminating pod starts stopping at once
    (`killContainersWithSyncResult` runs one `killContainer` per container in
    parallel). A sidecar first waits (`waitForTurn`) for every running regular
    container and for the next declared sidecar, if it runs; regular
    containers wait for nothing. Each wait is bounded by the grace period on
    its own timer, so when the grace period runs out every sidecar still
    waiting is stopped at the same moment. Returns, for each running
    container, the running containers it waits for.
    """
    running_set = set(running)
    mains = [
        str(c.get("name")) for c in regular_containers(pod) if str(c.get("name")) in running_set
    ]
    prereqs: dict[str, list[str]] = {name: [] for name in running}
    later_sidecar: str | None = None
    for c in reversed(init_containers(pod)):
        name = str(c.get("name"))
        if not is_restartable_init_container(c):
            continue
        if name in running_set:
            waits = list(mains)
            if later_sidecar is not None and later_sidecar in running_set:
                waits.append(later_sidecar)
            prereqs[name] = waits
        later_sidecar = name
    return prereqs


def effective_grace_period(pod: Mapping[str, Any], override: float | None = None) -> float:
    """`killContainer`: deletion grace period, else `terminationGracePeriodSeconds` (30), min 2 s."""
    if override is not None:
        return max(float(override), MINIMUM_GRACE_PERIOD)
    meta = pod.get("metadata") if isinstance(pod, dict) else None
    grace: Any = None
    if isinstance(meta, dict) and isinstance(meta.get("deletionGracePeriodSeconds"), int):
        grace = meta["deletionGracePeriodSeconds"]
    if grace is None:
        g = spec(pod).get("terminationGracePeriodSeconds", 30)
        grace = g if isinstance(g, int) and not isinstance(g, bool) else 30
    return float(max(grace, MINIMUM_GRACE_PERIOD))
