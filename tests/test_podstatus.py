"""The API status the kubelet writes: container statuses, phase, conditions, deadline."""

from __future__ import annotations

import pytest

from initlab.kubelet.actions import EXITED, RUNNING, ContainerRecord, RuntimePodStatus
from initlab.kubelet.status import (
    DEADLINE_MESSAGE,
    convert_container_statuses,
    deadline_exceeded,
    generate_api_pod_status,
    generate_conditions,
    get_phase,
    rfc3339,
)


def pod(policy="Always", sidecar=False, inits=("init1", "init2")) -> dict:
    ics = [{"name": n, "image": "busybox"} for n in inits]
    if sidecar:
        ics.insert(0, {"name": "proxy", "image": "envoy", "restartPolicy": "Always"})
    return {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {
            "restartPolicy": policy,
            "initContainers": ics,
            "containers": [{"name": "app", "image": "nginx"}],
        },
    }


def running(name):
    return {"name": name, "state": {"running": {}}, "started": True, "ready": True}


def term(name, code=0):
    return {"name": name, "state": {"terminated": {"exitCode": code}}}


def waiting(name, reason="PodInitializing", last_code=None):
    s = {"name": name, "state": {"waiting": {"reason": reason}}}
    if last_code is not None:
        s["lastState"] = {"terminated": {"exitCode": last_code}}
    return s


PHASES = [
    ("initializing pod is Pending", "Always", [running("init1")], [waiting("app")], "Pending"),
    ("no status yet is Pending", "Always", [], [], "Pending"),
    ("failed init with Never is Failed", "Never", [term("init1", 1)], [waiting("app")], "Failed"),
    (
        "failed init with OnFailure stays Pending",
        "OnFailure",
        [term("init1", 1)],
        [waiting("app")],
        "Pending",
    ),
    (
        "crash-looping init with Never is Failed",
        "Never",
        [waiting("init1", "CrashLoopBackOff", 1)],
        [waiting("app")],
        "Failed",
    ),
    (
        "crash-looping init with Always is Pending",
        "Always",
        [waiting("init1", "CrashLoopBackOff", 1)],
        [waiting("app")],
        "Pending",
    ),
    (
        "init done, app running is Running",
        "Always",
        [term("init1"), term("init2")],
        [running("app")],
        "Running",
    ),
    (
        "app exited 0 under Never is Succeeded",
        "Never",
        [term("init1"), term("init2")],
        [term("app", 0)],
        "Succeeded",
    ),
    (
        "app exited 1 under Never is Failed",
        "Never",
        [term("init1"), term("init2")],
        [term("app", 1)],
        "Failed",
    ),
    (
        "app exited 1 under OnFailure is Running",
        "OnFailure",
        [term("init1"), term("init2")],
        [term("app", 1)],
        "Running",
    ),
    (
        "app exited 0 under Always is Running",
        "Always",
        [term("init1"), term("init2")],
        [term("app", 0)],
        "Running",
    ),
    (
        "app crash-looping is Running",
        "Always",
        [term("init1"), term("init2")],
        [waiting("app", "CrashLoopBackOff", 1)],
        "Running",
    ),
]


@pytest.mark.parametrize(
    ("desc", "policy", "inits", "apps", "want"), PHASES, ids=[p[0] for p in PHASES]
)
def test_get_phase(desc, policy, inits, apps, want):
    """`getPhase`: Pending, Running, Succeeded, Failed."""
    assert get_phase(pod(policy), inits, apps) == want


def test_terminal_pod_phase_decided_by_exit_codes():
    """A terminal pod (deleted, evicted) is Succeeded only if every container exited 0."""
    p = pod("Always")
    inits = [term("init1"), term("init2")]
    assert get_phase(p, inits, [term("app", 143)], pod_is_terminal=True) == "Failed"
    assert get_phase(p, inits, [term("app", 0)], pod_is_terminal=True) == "Succeeded"


def test_sidecars_never_decide_succeeded():
    """A terminated sidecar is ignored: the app alone decides the Job's phase."""
    p = pod("Never", sidecar=True)
    inits = [term("proxy", 143), term("init1"), term("init2")]
    assert get_phase(p, inits, [term("app", 0)]) == "Succeeded"


def test_unstarted_sidecar_keeps_pod_pending():
    """a running sidecar whose startup probe has not passed is pending."""
    p = pod("Always", sidecar=True)
    proxy = {"name": "proxy", "state": {"running": {}}, "started": False}
    assert get_phase(p, [proxy], [waiting("app")]) == "Pending"


def test_default_waiting_reason_is_pod_initializing_with_init_containers():
    """no runtime record -> waiting PodInitializing (ContainerCreating without inits)."""
    p = pod()
    st = convert_container_statuses(p, RuntimePodStatus(), None, False)
    assert st[0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    p["spec"]["initContainers"] = []
    st = convert_container_statuses(p, RuntimePodStatus(), None, False)
    assert st[0]["state"] == {"waiting": {"reason": "ContainerCreating"}}


def test_crash_loop_reason_moves_terminated_state_to_last_state():
    """A restartable failed container with a cached reason shows waiting CrashLoopBackOff."""
    p = pod()
    rt = RuntimePodStatus(
        True,
        True,
        containers=[
            ContainerRecord(
                "init1",
                "c1",
                EXITED,
                exit_code=1,
                reason="Error",
                restart_count=2,
                started_at=1,
                finished_at=4,
            )
        ],
    )
    cache = {
        "init1": (
            "CrashLoopBackOff",
            "back-off 20s restarting failed container=init1 pod=p_default(u)",
        )
    }
    st = convert_container_statuses(p, rt, None, True, cache)
    s = st[0]
    assert s["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert s["lastState"]["terminated"]["exitCode"] == 1
    assert s["restartCount"] == 2 and s["ready"] is False


def test_exited_zero_init_container_is_never_shown_waiting():
    """`convertToAPIContainerStatuses`: an init container that exited 0 keeps its terminated state."""
    p = pod()
    rt = RuntimePodStatus(
        True, True, containers=[ContainerRecord("init1", "c1", EXITED, reason="Completed")]
    )
    st = convert_container_statuses(p, rt, None, True, {"init1": ("CrashLoopBackOff", "x")})
    assert "terminated" in st[0]["state"] and st[0]["ready"] is True


def test_never_policy_keeps_failed_init_terminated():
    """With restartPolicy Never the failed init container is not restarted, so not waiting."""
    p = pod("Never")
    rt = RuntimePodStatus(
        True, True, containers=[ContainerRecord("init1", "c1", EXITED, exit_code=1)]
    )
    st = convert_container_statuses(p, rt, None, True, {"init1": ("CrashLoopBackOff", "x")})
    assert st[0]["state"]["terminated"]["exitCode"] == 1


def test_last_state_comes_from_the_previous_record():
    """The newest record is `state`, the one before it `lastState`."""
    p = pod()
    rt = RuntimePodStatus(
        True,
        True,
        containers=[
            ContainerRecord("app", "c2", RUNNING, restart_count=1, started_at=10),
            ContainerRecord("app", "c1", EXITED, exit_code=137, reason="OOMKilled", finished_at=9),
        ],
    )
    s = convert_container_statuses(p, rt, None, False)[0]
    assert s["state"] == {"running": {"startedAt": rfc3339(10)}}
    assert s["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert s["restartCount"] == 1


def test_initialized_condition_message_lists_incomplete_containers():
    """False/ContainersNotInitialized, "containers with incomplete status: [init1 init2]"."""
    p = pod()
    conds = generate_conditions(
        p,
        [running("init1") | {"ready": False}, waiting("init2")],
        [waiting("app")],
        "Pending",
        True,
    )
    by = {c["type"]: c for c in conds}
    assert [c["type"] for c in conds] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    assert by["Initialized"] == {
        "type": "Initialized",
        "status": "False",
        "reason": "ContainersNotInitialized",
        "message": "containers with incomplete status: [init1 init2]",
    }
    assert by["ContainersReady"]["message"] == "containers with unready status: [app]"
    assert by["Ready"]["reason"] == "ContainersNotReady"


def test_sidecar_counts_in_containers_ready():
    """sidecars take part in ContainersReady; regular init containers do not."""
    p = pod(sidecar=True)
    inits = [
        {"name": "proxy", "state": {"running": {}}, "started": True, "ready": False},
        term("init1") | {"ready": True},
        term("init2") | {"ready": True},
    ]
    by = {c["type"]: c for c in generate_conditions(p, inits, [running("app")], "Running", True)}
    assert by["Initialized"]["status"] == "True"
    assert by["ContainersReady"]["message"] == "containers with unready status: [proxy]"


def test_succeeded_pod_conditions_say_pod_completed():
    """Initialized True/PodCompleted, ContainersReady False/PodCompleted."""
    p = pod("Never")
    inits = [term("init1") | {"ready": True}, term("init2") | {"ready": True}]
    by = {c["type"]: c for c in generate_conditions(p, inits, [term("app")], "Succeeded", False)}
    assert by["Initialized"]["reason"] == "PodCompleted"
    assert by["ContainersReady"]["reason"] == "PodCompleted"
    assert by["PodReadyToStartContainers"]["status"] == "False"


def test_active_deadline_counts_from_start_time():
    """`now - startTime >= activeDeadlineSeconds`."""
    p = pod()
    p["spec"]["activeDeadlineSeconds"] = 30
    assert not deadline_exceeded(p, 0, 29.9)
    assert deadline_exceeded(p, 0, 30)
    assert not deadline_exceeded(pod(), 0, 10**6)


# -- generate_api_pod_status: the rules around the container statuses ---------------------


def _runtime(*records: ContainerRecord, ready: bool = True, attempt: int = 0) -> RuntimePodStatus:
    return RuntimePodStatus(
        has_sandbox=True, sandbox_ready=ready, sandbox_attempt=attempt, containers=list(records)
    )


def _rec(name: str, state: str = RUNNING, code: int = 0) -> ContainerRecord:
    return ContainerRecord(name=name, id=f"cri://{name}", state=state, exit_code=code)


def _job() -> dict:
    return {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "app", "image": "busybox"}]},
    }


GENERATED = [
    # (name, pod, runtime, previous, kwargs, expected subset of the status, expected latch)
    (
        "a ready sandbox gives podIP and podIPs",
        _job(),
        _runtime(_rec("app")),
        {},
        {"pod_ip": "10.244.0.7"},
        {"phase": "Running", "podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}]},
        None,
    ),
    (
        "no sandbox IP and not terminal: no podIP",
        _job(),
        _runtime(_rec("app"), ready=False),
        {"podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}]},
        {"pod_ip": None},
        {"phase": "Running", "hostIP": "172.18.0.2"},
        None,
    ),
    (
        "a terminal pod keeps the IP it last showed",
        _job(),
        _runtime(_rec("app", EXITED, 0), ready=False),
        {"podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}]},
        {"pod_ip": None},
        {"phase": "Succeeded", "podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}]},
        "Succeeded",
    ),
    (
        "startTime is the status manager's first sync",
        _job(),
        _runtime(),
        {},
        {"pod_ip": None, "start_time": 3},
        {"phase": "Pending", "startTime": "2026-01-01T00:00:03Z"},
        None,
    ),
    (
        "qosClass carries over from the previous status",
        _job(),
        _runtime(_rec("app")),
        {"qosClass": "Guaranteed"},
        {"pod_ip": None},
        {"qosClass": "Guaranteed"},
        None,
    ),
    (
        "qosClass is computed when the previous status has none",
        _job(),
        _runtime(_rec("app")),
        {},
        {"pod_ip": None},
        {"qosClass": "BestEffort"},
        None,
    ),
    (
        "a latched terminal phase sticks while a container restarts",
        _job(),
        _runtime(_rec("app")),
        {},
        {"pod_ip": None, "terminal_phase": "Failed"},
        {"phase": "Failed"},
        "Failed",
    ),
    (
        "eviction overrides phase, reason and message",
        _job(),
        _runtime(_rec("app")),
        {},
        {"pod_ip": None, "evicted": True},
        {"phase": "Failed", "reason": "DeadlineExceeded", "message": DEADLINE_MESSAGE},
        None,
    ),
    (
        "a terminal phase with a container still running is not latched",
        _job(),
        _runtime(_rec("app")),
        {},
        {"pod_ip": None, "evicted": True},
        {"phase": "Failed"},
        None,
    ),
]


@pytest.mark.parametrize(
    "name,pod_,rt,previous,kwargs,expected,latch", GENERATED, ids=[g[0] for g in GENERATED]
)
def test_generate_api_pod_status_rules(name, pod_, rt, previous, kwargs, expected, latch):
    """generateAPIPodStatus: IPs, startTime, qosClass carry-over, terminal latch, eviction."""
    kwargs = {"now": 5, "start_time": 0, **kwargs}
    status, got_latch = generate_api_pod_status(pod_, rt, previous, **kwargs)
    assert {k: status.get(k) for k in expected} == expected
    assert got_latch == latch


def test_generate_api_pod_status_has_no_pod_ip_without_a_sandbox_ip():
    """No ready sandbox and a non-terminal phase: podIP is absent, hostIP is the node's."""
    status, _ = generate_api_pod_status(
        _job(), _runtime(ready=False), {"podIP": "10.1.1.1"}, now=0, start_time=0, pod_ip=None
    )
    assert "podIP" not in status and status["hostIP"] == "172.18.0.2"


# -- getPhase by release ---------------------------------------------------------------------

#: After a node reboot: the app ran before (its status shows the SIGKILL), init1 re-runs.
REBOOTED = ([running("init1"), waiting("init2")], [term("app", 137)])


@pytest.mark.parametrize(
    "version,phase",
    [("1.29", "Running"), ("1.31", "Running"), ("1.32", "Pending"), ("1.35", "Pending")],
)
def test_get_phase_pending_regular_init_container_by_release(version, phase):
    """getPhase: a running regular init container makes the pod Pending from 1.32 (PR #126653)."""
    assert get_phase(pod("OnFailure"), *REBOOTED, version=version) == phase


#: A pod whose only init container is a sidecar, running but not started yet, after a reboot.
SIDECAR_ONLY = {
    "metadata": {"name": "p"},
    "spec": {
        "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
        "containers": [{"name": "app", "image": "nginx"}],
    },
}
SIDECAR_REBOOTED = (
    [{"name": "proxy", "state": {"running": {}}, "started": False}],
    [{"name": "app", "state": {"terminated": {"exitCode": 137}}}],
)


@pytest.mark.parametrize(
    "version,initialized,phase",
    [
        ("1.32", False, "Running"),  # the API statuses say the app ran: initialized
        ("1.33", False, "Pending"),  # no app in the current sandbox (PR #128516)
        ("1.33", True, "Running"),
    ],
)
def test_get_phase_pending_sidecar_by_release(version, initialized, phase):
    """getPhase: a not-started sidecar counts until the current sandbox runs an app (1.33+)."""
    got = get_phase(
        SIDECAR_ONLY, *SIDECAR_REBOOTED, version=version, pod_has_initialized=initialized
    )
    assert got == phase


def test_has_any_active_regular_container_started_reads_the_current_sandbox_only():
    """HasAnyActiveRegularContainerStarted: only records of the newest, ready sandbox count."""
    from initlab.kubelet.status import has_any_active_regular_container_started

    old_app = ContainerRecord(name="app", id="a", state=EXITED, exit_code=137, sandbox=0)
    rt = RuntimePodStatus(
        has_sandbox=True, sandbox_ready=True, sandbox_attempt=1, containers=[old_app]
    )
    assert has_any_active_regular_container_started(SIDECAR_ONLY, rt) is False
    rt.containers.append(ContainerRecord(name="app", id="b", state=RUNNING, sandbox=1))
    assert has_any_active_regular_container_started(SIDECAR_ONLY, rt) is True
    rt.sandbox_ready = False
    assert has_any_active_regular_container_started(SIDECAR_ONLY, rt) is False
