"""The kubelet's pure decisions, against upstream's own test tables.

Ported from `pkg/kubelet/kuberuntime/kuberuntime_manager_test.go`
(`TestComputePodActionsWithInitContainers`,
`TestComputePodActionsWithRestartableInitContainers`): every case that does
not depend on liveness failures or container-definition changes, which the
model does not have.
"""

from __future__ import annotations

import copy

import pytest

from initlab.kubelet.actions import (
    CREATED,
    EXITED,
    FAILURE,
    RUNNING,
    SUCCESS,
    UNKNOWN,
    ContainerRecord,
    PodActions,
    RuntimePodStatus,
    compute_init_container_actions,
    compute_pod_actions,
    effective_grace_period,
    should_container_be_restarted,
    termination_order,
)


def base_pod(policy: str | None = None, restartable: bool = False) -> dict:
    """`makeBasePodAndStatusWithInitContainers` / `...WithRestartableInitContainers`."""
    if restartable:
        inits = [
            {"name": "restartable-init-1", "image": "bar-image", "restartPolicy": "Always"},
            {
                "name": "restartable-init-2",
                "image": "bar-image",
                "restartPolicy": "Always",
                "livenessProbe": {},
                "startupProbe": {},
            },
            {
                "name": "restartable-init-3",
                "image": "bar-image",
                "restartPolicy": "Always",
                "livenessProbe": {},
                "startupProbe": {},
            },
        ]
    else:
        inits = [{"name": f"init{i}", "image": "bar-image"} for i in (1, 2, 3)]
    pod = {
        "metadata": {"name": "foo", "namespace": "new", "uid": "12345678"},
        "spec": {
            "initContainers": inits,
            "containers": [{"name": f"foo{i}", "image": "busybox"} for i in (1, 2, 3)],
        },
    }
    if policy:
        pod["spec"]["restartPolicy"] = policy
    return pod


def base_status(pod: dict) -> RuntimePodStatus:
    state = RUNNING if pod["spec"]["initContainers"][0].get("restartPolicy") else EXITED
    return RuntimePodStatus(
        has_sandbox=True,
        sandbox_ready=True,
        sandbox_id="sandboxID",
        sandbox_attempt=0,
        containers=[
            ContainerRecord(name=c["name"], id=f"initid{i + 1}", state=state)
            for i, c in enumerate(pod["spec"]["initContainers"])
        ],
    )


def actions(kill_pod=False, create=False, attempt=0, inits=(), starts=(), kills=()) -> dict:
    return {
        "killPod": kill_pod,
        "createSandbox": create,
        "attempt": attempt,
        "initContainersToStart": list(inits),
        "containersToStart": list(starts),
        "containersToKill": sorted(kills),
    }


def _set(i, **kw):
    def mutate(pod, st):
        for k, v in kw.items():
            setattr(st.containers[i], k, v)

    return mutate


def _sandbox_not_ready(pod, st):
    st.sandbox_ready = False


def _both(*fns):
    def mutate(pod, st):
        for fn in fns:
            fn(pod, st)

    return mutate


def _statuses(sl):
    def mutate(pod, st):
        st.containers = st.containers[sl]

    return mutate


INIT_CASES = {
    "initialization completed; start all containers": (None, None, actions(starts=[0, 1, 2])),
    "no init containers have been started; start the first one": (
        None,
        _statuses(slice(0, 0)),
        actions(inits=[0]),
    ),
    "initialization in progress; do nothing": ("Always", _set(2, state=RUNNING), actions()),
    "Kill pod and restart the first init container if the pod sandbox is dead": (
        "Always",
        _sandbox_not_ready,
        actions(True, True, 1, inits=[0]),
    ),
    "initialization failed; restart the last init container if RestartPolicy == Always": (
        "Always",
        _set(2, exit_code=137),
        actions(inits=[2]),
    ),
    "initialization failed; restart the last init container if RestartPolicy == OnFailure": (
        "OnFailure",
        _set(2, exit_code=137),
        actions(inits=[2]),
    ),
    "initialization failed; kill pod if RestartPolicy == Never": (
        "Never",
        _set(2, exit_code=137),
        actions(kill_pod=True),
    ),
    "init container state unknown; kill and recreate the last init container if RestartPolicy == Always": (
        "Always",
        _set(2, state=UNKNOWN),
        actions(inits=[2], kills=["init3"]),
    ),
    "init container state unknown; kill and recreate the last init container if RestartPolicy == OnFailure": (
        "OnFailure",
        _set(2, state=UNKNOWN),
        actions(inits=[2], kills=["init3"]),
    ),
    "init container state unknown; kill pod if RestartPolicy == Never": (
        "Never",
        _set(2, state=UNKNOWN),
        actions(kill_pod=True),
    ),
    "Pod sandbox not ready, init container failed, but RestartPolicy == Never; kill pod only": (
        "Never",
        _sandbox_not_ready,
        actions(True, False, 1),
    ),
    "Pod sandbox not ready, and RestartPolicy == Never, but no visible init containers;  create a new pod sandbox": (
        "Never",
        _both(_sandbox_not_ready, _statuses(slice(0, 0))),
        actions(True, True, 1, inits=[0]),
    ),
    "Pod sandbox not ready, init container failed, and RestartPolicy == OnFailure; create a new pod sandbox": (
        "OnFailure",
        _both(_sandbox_not_ready, _set(2, exit_code=137)),
        actions(True, True, 1, inits=[0]),
    ),
    "some of the init container statuses are missing but the last init container is running, don't restart preceding ones": (
        "Always",
        _both(_set(2, state=RUNNING), _statuses(slice(2, None))),
        actions(),
    ),
    "an init container is in the created state due to an unknown error when starting container; restart it": (
        "Always",
        _set(2, state=CREATED),
        actions(inits=[2]),
    ),
}


@pytest.mark.parametrize("desc", sorted(INIT_CASES))
def test_compute_pod_actions_with_init_containers(desc):
    """Upstream `TestComputePodActionsWithInitContainers`, case by case."""
    policy, mutate, want = INIT_CASES[desc]
    pod = base_pod(policy)
    st = base_status(pod)
    if mutate:
        mutate(pod, st)
    assert compute_pod_actions(pod, st).summary() == want


def _running_mains(code=None):
    def mutate(pod, st):
        for i in (1, 2, 3):
            rec = ContainerRecord(name=f"foo{i}", id=f"id{i}", state=RUNNING)
            if code is not None:
                rec.state, rec.exit_code = EXITED, code
            st.containers.append(rec)

    return mutate


def _startup(cid, result):
    def mutate(pod, st, results):
        if result is None:
            results.pop(cid, None)
        else:
            results[cid] = result

    return mutate


RESTARTABLE_CASES = {
    "initialization completed; start all containers": (None, None, None, actions(starts=[0, 1, 2])),
    "no init containers have been started; start the first one": (
        None,
        _statuses(slice(0, 0)),
        None,
        actions(inits=[0]),
    ),
    "an init container is stuck in the created state; restart it": (
        "Always",
        _set(2, state=CREATED),
        None,
        actions(inits=[2]),
    ),
    "restartable init container has started; start the next": (
        "Always",
        _statuses(slice(0, 1)),
        None,
        actions(inits=[1]),
    ),
    # Liveness is never consulted to start the next one (the model has no liveness).
    "livenessProbe has not been run; start the nothing": (
        "Always",
        _statuses(slice(0, 2)),
        None,
        actions(inits=[2]),
    ),
    "livenessProbe in progress; start the next": (
        "Always",
        _statuses(slice(0, 2)),
        None,
        actions(inits=[2]),
    ),
    "livenessProbe has completed; start the next": (
        "Always",
        _statuses(slice(0, 2)),
        None,
        actions(inits=[2]),
    ),
    "startupProbe has not been run; do nothing": (
        "Always",
        _statuses(slice(0, 2)),
        _startup("initid2", None),
        actions(),
    ),
    "startupProbe in progress; do nothing": (
        "Always",
        _statuses(slice(0, 2)),
        _startup("initid2", "Unknown"),
        actions(),
    ),
    "startupProbe has completed; start the next": (
        "Always",
        _statuses(slice(0, 2)),
        None,
        actions(inits=[2]),
    ),
    "kill and recreate the restartable init container if the startup check has failed": (
        "Always",
        None,
        _startup("initid3", FAILURE),
        actions(inits=[2], kills=["restartable-init-3"]),
    ),
    "restart terminated restartable init container and next init container": (
        "Always",
        _both(_set(0, state=EXITED), _set(2, state=EXITED)),
        None,
        actions(inits=[0, 2]),
    ),
    "restart terminated restartable init container and regular containers": (
        "Always",
        _set(0, state=EXITED),
        None,
        actions(inits=[0], starts=[0, 1, 2]),
    ),
    "Pod sandbox not ready, restartable init container failed, but RestartPolicy == Never; kill pod only": (
        "Never",
        _both(_sandbox_not_ready, _set(2, state=EXITED, exit_code=137)),
        None,
        actions(True, False, 1),
    ),
    "Pod sandbox not ready, and RestartPolicy == Never, but no visible restartable init containers;  create a new pod sandbox": (
        "Never",
        _both(_sandbox_not_ready, _statuses(slice(0, 0))),
        None,
        actions(True, True, 1, inits=[0]),
    ),
    "Pod sandbox not ready, restartable init container failed, and RestartPolicy == OnFailure; create a new pod sandbox": (
        "OnFailure",
        _both(_sandbox_not_ready, _set(2, state=EXITED, exit_code=137)),
        None,
        actions(True, True, 1, inits=[0]),
    ),
    "Pod sandbox not ready, restartable init container failed, and RestartPolicy == Always; create a new pod sandbox": (
        "Always",
        _both(_sandbox_not_ready, _set(2, state=EXITED, exit_code=137)),
        None,
        actions(True, True, 1, inits=[0]),
    ),
    "initialization failed; restart the last restartable init container even if pod's RestartPolicy == Never": (
        "Never",
        _set(2, state=EXITED, exit_code=137),
        None,
        actions(inits=[2]),
    ),
    "restartable init container state unknown; kill and recreate the last restartable init container even if pod's RestartPolicy == Never": (
        "Never",
        _set(2, state=UNKNOWN),
        None,
        actions(inits=[2], kills=["restartable-init-3"]),
    ),
    "restart restartable init container if regular containers are running even if pod's RestartPolicy == Never": (
        "Never",
        _both(_set(2, state=EXITED, exit_code=137), _running_mains()),
        None,
        actions(inits=[2]),
    ),
    "kill the pod if all main containers succeeded if pod's RestartPolicy == Never": (
        "Never",
        _running_mains(code=0),
        None,
        actions(kill_pod=True),
    ),
    "some of the init container statuses are missing but the last init container is running, restart restartable init and regular containers": (
        "Always",
        _statuses(slice(2, None)),
        None,
        actions(inits=[0, 1], starts=[0, 1, 2]),
    ),
}


@pytest.mark.parametrize("desc", sorted(RESTARTABLE_CASES))
def test_compute_pod_actions_with_restartable_init_containers(desc):
    """Upstream `TestComputePodActionsWithRestartableInitContainers`, case by case."""
    policy, mutate, probe, want = RESTARTABLE_CASES[desc]
    pod = base_pod(policy, restartable=True)
    st = base_status(pod)
    results = {"initid2": SUCCESS, "initid3": SUCCESS}
    if mutate:
        mutate(pod, st)
    if probe:
        probe(pod, st, results)
    assert compute_pod_actions(pod, st, results).summary() == want


def test_only_one_regular_init_container_is_started_at_a_time():
    """With init1 done, only init2 is started, never init2 and init3 together."""
    pod = base_pod("Always")
    st = base_status(pod)
    st.containers = st.containers[:1]
    changes = PodActions()
    assert compute_init_container_actions(pod, st, changes) is False
    assert changes.init_containers_to_start == [1]


def test_already_initialized_pod_does_not_rerun_gcd_init_containers():
    """a running regular container means init is done even if init records were GC'd."""
    pod = base_pod("Always")
    st = RuntimePodStatus(True, True, 0, "s", [ContainerRecord("foo1", "id1", RUNNING)])
    a = compute_pod_actions(pod, st)
    assert a.init_containers_to_start == [] and a.containers_to_start == [1, 2]


def test_exited_regular_containers_do_not_count_as_initialized():
    """only Created/Running regular containers mean "already initialized" (reboot workaround)."""
    pod = base_pod("Always")
    st = RuntimePodStatus(True, True, 0, "s", [ContainerRecord("foo1", "id1", EXITED)])
    assert compute_pod_actions(pod, st).init_containers_to_start == [0]


def test_sidecar_gcd_after_initialization_is_simply_restarted():
    """after initialization a sidecar with no record is started again."""
    pod = base_pod("Always", restartable=True)
    st = RuntimePodStatus(True, True, 0, "s", [ContainerRecord("foo1", "id1", RUNNING)])
    a = compute_pod_actions(pod, st, {})
    assert a.init_containers_to_start == [0, 1, 2]


def test_sandbox_recreation_skipped_when_initialized_and_nothing_to_start():
    """no new sandbox if the pod initialized and no regular container is left to start."""
    pod = base_pod("OnFailure")
    st = base_status(pod)
    st.sandbox_ready = False
    st.containers += [ContainerRecord(f"foo{i}", f"id{i}", EXITED) for i in (1, 2, 3)]
    a = compute_pod_actions(pod, st)
    assert (a.kill_pod, a.create_sandbox) == (True, False)


SHOULD_RESTART = [
    ("Always", None, True),
    ("Always", (RUNNING, 0), False),
    ("Always", (EXITED, 0), True),
    ("Always", (EXITED, 1), True),
    ("OnFailure", (EXITED, 0), False),
    ("OnFailure", (EXITED, 1), True),
    ("Never", (EXITED, 1), False),
    ("Never", (EXITED, 0), False),
    ("Never", (UNKNOWN, 0), True),
    ("Never", (CREATED, 0), True),
]


@pytest.mark.parametrize(("policy", "state", "want"), SHOULD_RESTART)
def test_should_container_be_restarted_follows_restart_policy(policy, state, want):
    """`ShouldContainerBeRestarted`: never-run and Created/Unknown always; exited by policy."""
    pod = base_pod(policy)
    st = RuntimePodStatus(True, True)
    if state:
        st.containers.append(ContainerRecord("foo1", "id1", state[0], exit_code=state[1]))
    assert should_container_be_restarted(pod["spec"]["containers"][0], pod, st) is want


def test_deleted_pod_never_restarts_containers():
    """`ShouldContainerBeRestarted`: once the pod is marked deleted, nothing restarts."""
    pod = base_pod("Always")
    pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    assert (
        should_container_be_restarted(pod["spec"]["containers"][0], pod, RuntimePodStatus())
        is False
    )


def test_termination_order_stops_sidecars_last_in_reverse_declaration_order():
    """regular containers first, then sidecars from the last declared to the first."""
    pod = base_pod("Never", restartable=True)
    running = ["restartable-init-1", "restartable-init-2", "restartable-init-3", "foo1", "foo2"]
    assert termination_order(pod, running) == [
        ["foo1", "foo2"],
        ["restartable-init-3"],
        ["restartable-init-2"],
        ["restartable-init-1"],
    ]


def test_grace_period_is_at_least_two_seconds():
    """`killContainer`: a grace period below the 2 s minimum is raised to it."""
    pod = base_pod()
    pod["spec"]["terminationGracePeriodSeconds"] = 0
    assert effective_grace_period(pod) == 2
    pod2 = copy.deepcopy(pod)
    pod2["metadata"]["deletionGracePeriodSeconds"] = 10
    assert effective_grace_period(pod2) == 10
    assert effective_grace_period(base_pod()) == 30


def test_termination_prereqs_sidecars_wait_for_mains_and_the_next_sidecar():
    """newTerminationOrdering: each sidecar waits for running mains and the next declared sidecar."""
    from initlab.kubelet.actions import termination_prereqs

    pod = base_pod("Never", restartable=True)
    running = ["restartable-init-1", "restartable-init-3", "foo1"]
    assert termination_prereqs(pod, running) == {
        "restartable-init-1": ["foo1"],
        "restartable-init-3": ["foo1"],
        "foo1": [],
    }
