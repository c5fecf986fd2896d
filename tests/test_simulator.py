"""The simulated pod lifecycle, as `kubectl get -w` / describe / logs would show it."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import EXAMPLES, statuses

from initlab.kubectl import render_describe, render_logs, render_watch
from initlab.sim.simulator import simulate


def starts(result, name: str) -> list[float]:
    return [
        e["t"]
        for e in result.events
        if e["reason"] == "Started" and e["object"].endswith(f"{{{name}}}")
    ]


def exits(result, name: str) -> list[float]:
    """finishedAt of every terminated state seen for a container (in seconds)."""
    from initlab.api.printers import parse_time
    from initlab.kubelet.status import EPOCH

    seen = set()
    for snap in result.timeline:
        for s in snap["initContainerStatuses"] + snap["containerStatuses"]:
            if s["name"] != name:
                continue
            for st in (s["state"], s.get("lastState") or {}):
                t = (st.get("terminated") or {}).get("finishedAt")
                if t:
                    seen.add((parse_time(t) - EPOCH).total_seconds())
    return sorted(seen)


def scenario(
    policy="Always", inits=None, apps=None, behavior=None, events=None, until=None, **spec
):
    inits = inits if inits is not None else [{"name": "init", "image": "busybox:1.36"}]
    apps = apps if apps is not None else [{"name": "app", "image": "nginx:1.27"}]
    sc = {
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"restartPolicy": policy, "initContainers": inits, "containers": apps, **spec},
        },
        "behavior": behavior or {},
        "events": events or [],
    }
    if until is not None:
        sc["until"] = until
    return sc


def test_myapp_pod_status_sequence():
    """The docs' myapp-pod: Init:0/2 -> Init:1/2 -> PodInitializing -> Running."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    assert statuses(r) == ["Pending", "Init:0/2", "Init:1/2", "PodInitializing", "Running"]
    assert r.final["phase"] == "Running" and r.final["ready"] == "1/1"
    assert r.at(20)["status"] == "Init:0/2" and r.at(40)["status"] == "Init:1/2"


def test_never_policy_fails_pod_on_first_init_failure():
    """restartPolicy Never: Init:Error, phase Failed, the init container never restarts."""
    r = simulate(EXAMPLES / "flaky-migration-never.yaml")
    assert statuses(r) == ["Pending", "Init:0/1", "Init:Error"]
    assert r.final["phase"] == "Failed"
    assert len(starts(r, "migrate")) == 1 and starts(r, "web") == []
    assert r.final["conditions"]["Initialized"] is False


@pytest.mark.parametrize("policy", ["always", "onfailure"])
def test_always_and_onfailure_restart_failed_init_until_it_succeeds(policy):
    """Always and OnFailure restart the init container; the pod ends Running."""
    r = simulate(EXAMPLES / f"flaky-migration-{policy}.yaml")
    assert statuses(r) == [
        "Pending",
        "Init:0/1",
        "Init:Error",
        "Init:0/1",
        "Init:Error",
        "Init:CrashLoopBackOff",
        "Init:0/1",
        "PodInitializing",
        "Running",
    ]
    assert r.final["initContainerStatuses"][0]["restartCount"] == 2


def test_crash_loop_back_off_gaps_in_simulation():
    """Exit -> next start: 1 s (PLEG relist, no back-off), then 10, 20, 40, 80, 160, 300 s."""
    sc = scenario(behavior={"init": [{"run": 1, "exit": 1}]}, until=1300)
    r = simulate(sc)
    s = starts(r, "init")
    gaps = [b - (a + 1) for a, b in zip(s, s[1:], strict=False)]
    assert gaps[:8] == [1, 10, 20, 40, 80, 160, 300, 300]


@pytest.mark.parametrize(
    ("kubelet", "expected"),
    [
        ({"crashLoopBackOff": {"maxContainerRestartPeriod": "60s"}}, [1, 10, 20, 40, 60, 60]),
        ({"featureGates": {"ReduceDefaultCrashLoopBackOffDecay": True}}, [1, 1, 2, 4, 8, 16]),
        (
            {
                "crashLoopBackOff": {"maxContainerRestartPeriod": 5},
                "featureGates": {"ReduceDefaultCrashLoopBackOffDecay": False},
            },
            [1, 5, 5, 5, 5, 5],
        ),
    ],
)
def test_kubelet_crash_loop_settings_change_the_gaps(kubelet, expected):
    """KubeletCrashLoopBackOffMax caps the delay (lowering the initial one to the cap);
    ReduceDefaultCrashLoopBackOffDecay starts at 1 s (KEP-4603, newCrashLoopBackOff)."""
    sc = scenario(behavior={"init": [{"run": 1, "exit": 1}]}, until=400)
    sc["kubelet"] = kubelet
    s = starts(simulate(sc), "init")
    gaps = [b - (a + 1) for a, b in zip(s, s[1:], strict=False)]
    assert gaps[:6] == expected


@pytest.mark.parametrize(
    ("kubelet", "field"),
    [
        ({"crashLoopBackOff": {"maxContainerRestartPeriod": "10m"}}, "maxContainerRestartPeriod"),
        ({"featureGates": {"SomethingElse": True}}, "featureGates.SomethingElse"),
        ({"imagePullBackOff": {}}, "kubelet.imagePullBackOff"),
        ("fast", "kubelet"),
    ],
)
def test_bad_kubelet_settings_are_input_errors(kubelet, field):
    """Out-of-range or unknown kubelet settings name their field."""
    from initlab.errors import InputError

    sc = scenario(until=10)
    sc["kubelet"] = kubelet
    with pytest.raises(InputError) as info:
        simulate(sc)
    assert field in str(info.value)


def test_crash_loop_message_and_event():
    """Waiting message `back-off 10s restarting failed container=...` and a Warning BackOff event."""
    r = simulate(scenario(behavior={"init": [{"run": 1, "exit": 1}]}, until=30))
    waits = [
        s["initContainerStatuses"][0]["state"].get("waiting", {}).get("message")
        for s in r.timeline
        if s["initContainerStatuses"]
    ]
    uid = r.pod_at(0)["metadata"]["uid"]
    assert f"back-off 10s restarting failed container=init pod=p_default({uid})" in waits
    backoff = [e for e in r.events if e["reason"] == "BackOff"]
    assert backoff[0]["type"] == "Warning"
    assert (
        backoff[0]["message"]
        == f"Back-off restarting failed container init in pod p_default({uid})"
    )
    assert backoff[0]["object"] == "spec.initContainers{init}"


def test_init_error_is_visible_before_crash_loop_back_off():
    """The status lags one sync: Init:Error first, Init:CrashLoopBackOff at a later sync."""
    r = simulate(scenario(behavior={"init": [{"run": 1, "exit": 1}]}, until=60))
    seq = statuses(r)
    assert seq.index("Init:Error") < seq.index("Init:CrashLoopBackOff")


def test_backoff_resets_after_a_long_run():
    """A run longer than 600 s since the last back-off update restarts at once again."""
    sc = scenario(
        behavior={
            "init": [
                {"run": 1, "exit": 1},
                {"run": 1, "exit": 1},
                {"run": 700, "exit": 1},
                {"run": 1, "exit": 1},
            ]
        },
        until=800,
    )
    s = starts(simulate(sc), "init")
    # third run starts after a 10 s back-off; after its 700 s run the restart is immediate.
    assert s[3] - (s[2] + 700) == 1


def test_only_one_regular_init_container_runs_at_a_time():
    """At every snapshot at most one regular init container is running."""
    inits = [{"name": f"i{k}", "image": "busybox:1.36"} for k in range(3)]
    r = simulate(scenario(inits=inits, behavior={"i1": [{"run": 2, "exit": 1}, {"run": 2}]}))
    for snap in r.timeline:
        running = [s for s in snap["initContainerStatuses"] if "running" in s["state"]]
        assert len(running) <= 1
    assert r.final["status"] == "Running"
    assert starts(r, "i0")[0] < starts(r, "i1")[0] < starts(r, "i2")[0] < starts(r, "app")[0]


def test_sidecar_startup_probe_gates_next_init_container():
    """The next init container starts only when the sidecar's startupProbe has passed."""
    r = simulate(EXAMPLES / "sidecar-mesh-proxy.yaml")
    proxy, migrate = starts(r, "proxy")[0], starts(r, "migrate")[0]
    assert migrate >= proxy + 3
    assert r.at(proxy + 2.5)["status"] == "Init:0/2"
    assert r.at(proxy + 3)["status"] == "Init:1/2"
    assert r.final["ready"] == "2/2" and r.final["status"] == "Running"


def test_sidecar_without_startup_probe_lets_next_start_at_once():
    """No startupProbe: the next init container starts as soon as the sidecar runs."""
    inits = [
        {"name": "side", "image": "busybox:1.36", "restartPolicy": "Always"},
        {"name": "init", "image": "busybox:1.36"},
    ]
    r = simulate(scenario(inits=inits))
    assert starts(r, "init")[0] - starts(r, "side")[0] <= 1


def test_job_sidecars_stop_in_reverse_order_and_pod_succeeds():
    """A Never pod: app exits 0, sidecars get SIGTERM last-declared first, phase Succeeded."""
    inits = [
        {"name": "s1", "image": "busybox:1.36", "restartPolicy": "Always"},
        {"name": "s2", "image": "busybox:1.36", "restartPolicy": "Always"},
    ]
    r = simulate(
        scenario(
            "Never",
            inits=inits,
            behavior={"app": [{"run": 10}], "s2": [{"run": "forever", "stop": 1}]},
        )
    )
    kills = [(e["t"], e["message"]) for e in r.events if e["reason"] == "Killing"]
    assert [m for _, m in kills] == ["Stopping container s2", "Stopping container s1"]
    assert kills[1][0] == kills[0][0]  # killContainer records Killing before waiting its turn
    assert exits(r, "s1") == [exits(r, "s2")[0]] == [kills[0][0] + 1]  # s1 waited for s2
    assert r.final["phase"] == "Succeeded" and r.final["status"] == "Completed"
    assert r.stable


def test_sidecars_still_waiting_when_the_grace_period_ends_are_stopped_together():
    """waitForTurn: each sidecar's timer is the grace period, so the late ones stop at once."""
    inits = [
        {"name": f"s{i}", "image": "busybox:1.36", "restartPolicy": "Always"} for i in (1, 2, 3)
    ]
    behavior = {
        "app": [{"run": "forever", "stop": 100}],
        **{f"s{i}": [{"run": "forever", "stop": 100}] for i in (1, 2, 3)},
    }
    events = [{"at": 20, "action": "delete-pod"}]
    r = simulate(
        scenario(inits=inits, behavior=behavior, events=events, terminationGracePeriodSeconds=10)
    )
    kills = {e["message"]: e["t"] for e in r.events if e["reason"] == "Killing"}
    assert set(kills.values()) == {20}  # the sync on deletion: every Killing at once
    assert exits(r, "app") == [30]  # SIGKILL at the end of the 10 s grace period
    # s3, s2, s1 waited for the app; their timers fire together at 30, then 2 s minimum each
    assert exits(r, "s3") == exits(r, "s2") == exits(r, "s1") == [32]


def test_job_example_succeeds():
    """The log-shipper Job example ends Succeeded with the sidecar terminated."""
    r = simulate(EXAMPLES / "job-log-shipper.yaml")
    assert r.final["phase"] == "Succeeded"
    assert "terminated" in r.final["initContainerStatuses"][0]["state"]


def test_active_deadline_counts_init_time_and_fails_pod():
    """activeDeadlineSeconds: Failed/DeadlineExceeded at startTime + deadline, during init."""
    r = simulate(EXAMPLES / "active-deadline.yaml")
    ev = [e for e in r.events if e["reason"] == "DeadlineExceeded"]
    assert ev == [
        {
            "t": 60,
            "type": "Normal",
            "reason": "DeadlineExceeded",
            "object": "Pod",
            "message": "Pod was active on the node longer than the specified deadline",
            "from": "kubelet",
        }
    ]
    assert r.at(59)["phase"] == "Pending"
    pod = r.pod_at(r.end)
    assert pod["status"]["phase"] == "Failed" and pod["status"]["reason"] == "DeadlineExceeded"


def test_sandbox_restart_reruns_init_and_counts_the_first_init_container_on():
    """SandboxChanged, all init containers re-run; i0 counts on (pre-purge status), i1 from 0."""
    inits = [{"name": "i0", "image": "busybox:1.36"}, {"name": "i1", "image": "busybox:1.36"}]
    r = simulate(scenario(inits=inits, events=[{"at": 30, "action": "restart-sandbox"}], until=60))
    assert [e["reason"] for e in r.events].count("SandboxChanged") == 1
    assert len(starts(r, "i0")) == 2 and len(starts(r, "i1")) == 2
    assert starts(r, "i0")[1] > 30
    app = r.final["containerStatuses"][0]
    assert app["restartCount"] == 1 and app["lastState"]["terminated"]["exitCode"] == 137
    # startContainer reads i0's count from the status the re-creating sync began with;
    # i1 starts in a later sync, after purgeInitContainers emptied its log directory.
    assert [s["restartCount"] for s in r.final["initContainerStatuses"]] == [1, 0]
    assert r.final["status"] == "Running" and r.final["restarts"] == 1


def test_non_idempotent_init_crash_loops_after_sandbox_recreation():
    """mkdir on an emptyDir that survived the sandbox: exit 1, File exists, back-off for ever."""
    r = simulate(EXAMPLES / "non-idempotent-init.yaml")
    assert r.at(50)["status"] == "Running"
    init = r.final["initContainerStatuses"][0]
    assert init["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert init["lastState"]["terminated"]["exitCode"] == 1
    assert r.final["conditions"]["Initialized"] is True  # a regular container has run
    assert "File exists" in render_logs(r, "init-schema")


def test_restarts_column_forgets_regular_init_restarts_once_initialized():
    """RESTARTS counts init restarts while initializing, then only app/sidecar ones."""
    r = simulate(EXAMPLES / "flaky-migration-always.yaml")
    crash = next(s for s in r.timeline if s["status"] == "Init:CrashLoopBackOff")
    assert crash["restarts"] == 1
    assert r.final["restarts"] == 0 and r.final["initContainerStatuses"][0]["restartCount"] == 2


def test_oom_killed_init_container():
    """`oom: true`: terminated reason OOMKilled, exit code 137, Init:OOMKilled."""
    r = simulate(EXAMPLES / "oom-init.yaml")
    assert "Init:OOMKilled" in statuses(r)
    snap = next(s for s in r.timeline if s["status"] == "Init:OOMKilled")
    term = snap["initContainerStatuses"][0]["state"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("OOMKilled", 137)


def test_image_pull_error_then_image_pull_back_off():
    """`pull: error`: Init:ErrImagePull, then Init:ImagePullBackOff, pulls 10, 20, 40 s apart."""
    r = simulate(EXAMPLES / "image-pull-error.yaml")
    assert statuses(r)[2:6] == ["Init:ErrImagePull", "Init:ImagePullBackOff"] * 2
    pulls = [e["t"] for e in r.events if e["reason"] == "Pulling"]
    assert [b - a for a, b in zip(pulls, pulls[1:], strict=False)][:3] == [11, 21, 41]
    failed = [e["message"] for e in r.events if e["reason"] == "Failed"]
    assert failed[0].startswith('Failed to pull image "busybox:1.288": ')
    assert "Error: ErrImagePull" in failed and "Error: ImagePullBackOff" in failed


def test_deleting_a_running_pod_shows_terminating_then_it_is_gone():
    """delete-pod: deletionTimestamp -> Terminating; containers stopped; the pod is removed."""
    r = simulate(
        scenario(
            behavior={"app": [{"run": "forever", "stop": 5}]},
            events=[{"at": 20, "action": "delete-pod"}],
        )
    )
    assert "Terminating" in statuses(r)
    assert r.deleted_at == 25
    kill = [e for e in r.events if e["reason"] == "Killing"]
    assert kill[0]["t"] == 20 and kill[0]["message"] == "Stopping container app"
    assert r.pod_at(21)["metadata"]["deletionGracePeriodSeconds"] == 30
    assert "Status:                    Terminating (lasts <invalid>)" in render_describe(r, 21)


def test_sigkill_after_grace_period_gives_137():
    """A container that ignores SIGTERM is killed at the end of the grace period (exit 137)."""
    r = simulate(
        scenario(
            behavior={"app": [{"run": "forever", "stop": 100}]},
            events=[{"at": 10, "action": "delete-pod"}],
            terminationGracePeriodSeconds=5,
        )
    )
    assert r.deleted_at == 15
    assert r.final["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 137


def test_logs_of_waiting_app_container_is_bad_request():
    """`kubectl logs myapp-pod` during init: the defaulted container, then BadRequest."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    assert render_logs(r, None, 10) == (
        'Defaulted container "myapp-container" out of: myapp-container, init-myservice (init), '
        "init-mydb (init)\n"
        'Error from server (BadRequest): container "myapp-container" in pod "myapp-pod" '
        "is waiting to start: PodInitializing\n"
    )
    assert render_logs(r, "myapp-container") == "The app is running!\n"
    assert render_logs(r, "nope") == "error: container nope is not valid for pod myapp-pod\n"


def test_logs_of_waiting_init_container_show_nslookup_loop():
    """`kubectl logs myapp-pod -c init-myservice`: the docs' nslookup loop output."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    out = render_logs(r, "init-myservice", 3)
    assert out.splitlines() == [
        "Server:    10.96.0.10",
        "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local",
        "",
        "nslookup: can't resolve 'myservice.default.svc.cluster.local'",
        "waiting for myservice",
    ]


def test_crash_loop_without_until_stops_at_cap():
    """A pod that never settles stops at the documented 3600 s cap."""
    r = simulate(scenario(behavior={"init": [{"run": 1, "exit": 1}]}))
    assert r.capped and r.end == 3600


def test_same_scenario_same_output():
    """Deterministic: two runs give identical JSON and trace."""
    a, b = simulate(EXAMPLES / "oom-init.yaml"), simulate(EXAMPLES / "oom-init.yaml")
    assert json.dumps(a.to_json()) == json.dumps(b.to_json())
    assert render_watch(a) == render_watch(b)


def test_result_json_follows_the_contract():
    """`to_json`: timeline, events, final, kubernetesVersion; final is the last snapshot."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    data = r.to_json()
    assert set(data) == {"timeline", "events", "final", "kubernetesVersion"}
    assert data["kubernetesVersion"] == "1.35"
    assert data["final"] == data["timeline"][-1]
    assert set(data["timeline"][0]) == {
        "t",
        "phase",
        "status",
        "ready",
        "restarts",
        "conditions",
        "conditionDetails",
        "initContainerStatuses",
        "containerStatuses",
    }
    assert set(data["events"][0]) == {"t", "type", "reason", "object", "message"}
    json.dumps(data)


def test_snapshots_carry_the_conditions_as_the_api_shows_them():
    """`conditionDetails`: type, status, reason, message and lastTransitionTime per condition."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    snap = r.at(10)
    init = next(c for c in snap["conditionDetails"] if c["type"] == "Initialized")
    assert init == {
        "type": "Initialized",
        "status": "False",
        "reason": "ContainersNotInitialized",
        "message": "containers with incomplete status: [init-myservice init-mydb]",
        "lastTransitionTime": "2026-01-01T00:00:00Z",
        "lastProbeTime": None,
    }
    assert snap["conditions"]["Initialized"] is False


def test_identical_consecutive_snapshots_are_deduplicated():
    """A snapshot is only taken when something observable changed."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    for a, b in zip(r.timeline, r.timeline[1:], strict=False):
        assert {k: v for k, v in a.items() if k != "t"} != {k: v for k, v in b.items() if k != "t"}


def test_describe_shows_aggregated_backoff_with_field_path():
    """describe Events: `X (xN over Y)` and the kubectl 1.35 fieldPath prefix."""
    r = simulate(EXAMPLES / "oom-init.yaml")
    out = render_describe(r, 300)
    line = next(ln for ln in out.splitlines() if "Back-off restarting" in ln)
    assert "(x" in line and " over " in line
    assert (
        "spec.initContainers{build-index}: Back-off restarting failed container build-index" in line
    )
    assert "Init Containers:\n  build-index:" in out


def _describe_event_messages(version: str, reason: str) -> list[str]:
    """The Message column of describe's `reason` rows for myapp-pod at `version`."""
    sc = yaml.safe_load((EXAMPLES / "myapp-pod.yaml").read_text())
    sc["kubernetesVersion"] = version
    out = render_describe(simulate(sc))
    events = out[out.index("Events:") :].splitlines()[3:]
    return [ln.split("kubelet", 1)[1].strip() for ln in events if ln.split()[1] == reason]


@pytest.mark.parametrize(
    ("version", "created"),
    [
        ("1.31", ["Created container init-myservice", "Created container init-mydb"]),
        ("1.32", ["Created container: init-myservice", "Created container: init-mydb"]),
        ("1.34", ["Created container: init-myservice", "Created container: init-mydb"]),
        (
            "1.35",
            [
                "spec.initContainers{init-myservice}: Container created",
                "spec.initContainers{init-mydb}: Container created",
            ],
        ),
    ],
)
def test_describe_created_message_names_the_container_only_before_1_35(version, created):
    """`Created container X` to 1.31, `Created container: X` 1.32-1.34, `Container created` 1.35."""
    assert _describe_event_messages(version, "Created")[:2] == created


@pytest.mark.parametrize(
    ("version", "started"),
    [
        ("1.31", ["Started container init-myservice", "Started container init-mydb"]),
        ("1.34", ["Started container init-myservice", "Started container init-mydb"]),
        (
            "1.35",
            [
                "spec.initContainers{init-myservice}: Container started",
                "spec.initContainers{init-mydb}: Container started",
            ],
        ),
    ],
)
def test_describe_started_message_names_the_container_only_before_1_35(version, started):
    """kubelet 1.35 says `Container started` (kubernetes#134043); describe adds the fieldPath."""
    assert _describe_event_messages(version, "Started")[:2] == started


def test_unschedulable_pod_stays_pending():
    """A pod requesting more than the node has is not scheduled: FailedScheduling."""
    apps = [{"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": "4"}}}]
    sc = scenario(apps=apps)
    sc["node"] = {"cpu": "2", "memory": "4Gi"}
    r = simulate(sc)
    assert r.final["phase"] == "Pending" and r.final["conditions"] == {"PodScheduled": False}
    assert r.events[0]["reason"] == "FailedScheduling"
    assert "1 Insufficient cpu" in r.events[0]["message"]


def test_simulate_with_until_leaves_the_scenario_unchanged():
    """`simulate(sc, until=)` runs to `until` without writing it into the scenario."""
    from initlab.sim.scenario import load_scenario

    sc = load_scenario(scenario(behavior={"init": [{"run": 1, "exit": 1}]}))
    r = simulate(sc, until=120)
    assert r.end == 120 and sc.until is None


def test_frames_share_unchanged_parts_of_the_pod():
    """Consecutive frames share the spec instead of copying the pod."""
    r = simulate(EXAMPLES / "myapp-pod.yaml")
    assert r.frames[-1].spec is r.frames[-2].spec
    assert r.pods[-1]["spec"] == r.frames[-1].spec and r.pods[-1]["spec"] is not r.frames[-1].spec


def test_result_from_json_replays_the_watch():
    """`Result.from_json(to_json())` gives back the timeline, events and end."""
    from initlab.sim.result import Result

    r = simulate(EXAMPLES / "myapp-pod.yaml")
    back = Result.from_json(json.loads(json.dumps(r.to_json())))
    assert back.timeline == r.timeline
    assert [e["reason"] for e in back.events] == [e["reason"] for e in r.events]
    assert back.end == r.final["t"]
    assert [e["from"] for e in back.events][:1] == ["default-scheduler"]


def test_result_from_json_refuses_what_is_not_a_simulation():
    """A JSON without a timeline is an input error naming what is expected."""
    from initlab.errors import InputError
    from initlab.sim.result import Result

    with pytest.raises(InputError, match="timeline"):
        Result.from_json({"events": []})


def test_wait_loop_prints_one_poll_every_two_seconds_until_the_service_appears():
    """A WaitLoop expands into nslookup's failure + `waiting for` per 2 s poll before its end."""
    from initlab.sim.result import WaitLoop

    loop = WaitLoop(start=10, service="db", namespace="default", end=15)
    assert loop.polls(9) == 0
    assert loop.polls(10) == 1
    assert loop.polls(100) == 3  # polls at 10, 12, 14; the one at 16 finds the Service
    assert loop.lines(100)[-1] == "waiting for db"
    assert len(loop.lines(100)) == 15
    assert loop.lines(100, tail=2) == [
        "nslookup: can't resolve 'db.default.svc.cluster.local'",
        "waiting for db",
    ]


def test_scheduler_compares_rounded_memory_like_the_api_fit():
    """A 100.5-byte memory request fits a 100.4-byte node: both round up to 101."""
    apps = [{"name": "app", "image": "nginx:1.27", "resources": {"requests": {"memory": "100.5"}}}]
    sc = scenario(apps=apps)
    sc["node"] = {"memory": "100.4"}
    r = simulate(sc, until=30)
    assert r.events[0]["reason"] == "Scheduled"


# -- after a node reboot, by Kubernetes release (test/e2e_node/pod_status_test.go,
#    container_lifecycle_test.go) ---------------------------------------------------------


def _rebooted(inits: list[dict], behavior: dict) -> dict:
    """The pod initializes, runs, and its sandbox dies at 60 s (a node reboot)."""
    return scenario(
        inits=inits, behavior=behavior, events=[{"at": 60, "action": "restart-sandbox"}], until=120
    )


def _phases_after(r, t: float) -> list[tuple[float, str]]:
    return [(s["t"], s["phase"]) for s in r.timeline if s["t"] >= t]


REBOOT_REGULAR = _rebooted([{"name": "init", "image": "busybox:1.36"}], {"init": [{"run": 10}]})


@pytest.mark.parametrize("version", ["1.32", "1.33", "1.35"])
def test_pending_during_the_execution_of_the_init_container_after_the_node_reboot(version):
    """pod_status_test.go: Pending while the regular init container re-runs (v1.32+, PR #126653)."""
    r = simulate(REBOOT_REGULAR, kubernetes_version=version)
    assert starts(r, "init") == [2, 62]
    assert _phases_after(r, 61) == [
        (61, "Running"),
        (63, "Pending"),
        (73, "Running"),
        (74, "Running"),
    ]


def test_before_1_32_a_rebooted_pod_stays_running_while_its_init_container_reruns():
    """v1.31 getPhase: a regular container ran before, so the re-initializing pod stays Running."""
    r = simulate(REBOOT_REGULAR, kubernetes_version="1.31")
    assert {p for _, p in _phases_after(r, 61)} == {"Running"}


REBOOT_SIDECAR = _rebooted(
    [
        {
            "name": "proxy",
            "image": "envoy:1",
            "restartPolicy": "Always",
            "startupProbe": {"exec": {"command": ["true"]}},
        }
    ],
    {"proxy": [{"run": "forever", "startup": 10}]},
)


def test_a_pod_with_a_sidecar_is_pending_while_it_reinitializes_from_1_33():
    """v1.33 (PR #128516): a not-yet-started sidecar counts while the current sandbox has no app."""
    r = simulate(REBOOT_SIDECAR, kubernetes_version="1.33")
    assert (63, "Pending") in _phases_after(r, 61)


def test_in_1_32_a_pod_with_only_a_sidecar_stays_running_while_it_reinitializes():
    """v1.32 still asks the API statuses whether a regular container ever started: it did."""
    r = simulate(REBOOT_SIDECAR, kubernetes_version="1.32")
    assert {p for _, p in _phases_after(r, 61)} == {"Running"}


def test_should_restart_the_containers_in_right_order_after_the_node_reboot():
    """container_lifecycle_test.go: init-1, init-2, init-3 re-run in order, then the app restarts."""
    inits = [{"name": f"init-{i}", "image": "busybox:1.36"} for i in (1, 2, 3)]
    r = simulate(_rebooted(inits, {f"init-{i}": [{"run": 5}] for i in (1, 2, 3)}))
    again = [(starts(r, n)[1], n) for n in ("init-1", "init-2", "init-3", "app")]
    assert [n for _, n in sorted(again)] == ["init-1", "init-2", "init-3", "app"]
    assert exits(r, "init-1")[-1] < starts(r, "init-2")[1]  # each runs after the previous exited
    assert exits(r, "init-2")[-1] < starts(r, "init-3")[1]
    assert exits(r, "init-3")[-1] < starts(r, "app")[1]
    assert r.final["containerStatuses"][0]["restartCount"] == 1


# -- regular containers start in order; postStart blocks the next one (SyncPod step 7) -----


def _with_hook(post_start: float | None) -> dict:
    apps = [
        {
            "name": "proxy",
            "image": "envoy:1",
            "lifecycle": {"postStart": {"exec": {"command": ["pilot-agent", "wait"]}}},
        },
        {"name": "app", "image": "envoy:1"},  # the same image: no second pull in between
    ]
    behavior = {"proxy": [{"run": "forever", "postStart": post_start}]} if post_start else {}
    return scenario(inits=[], apps=apps, behavior=behavior, until=30)


def test_regular_containers_start_one_after_another_in_list_order():
    """Without a hook, both start in the same sync, the first listed first."""
    r = simulate(_with_hook(None))
    started = [e["object"] for e in r.events if e["reason"] == "Started"]
    assert started == ["spec.containers{proxy}", "spec.containers{app}"]
    assert starts(r, "proxy") == starts(r, "app")


def test_a_post_start_hook_delays_the_next_container():
    """startContainer runs postStart synchronously: the app starts 5 s after the proxy."""
    r = simulate(_with_hook(5))
    assert starts(r, "app")[0] - starts(r, "proxy")[0] == 5


def test_post_start_without_a_hook_in_the_spec_is_refused():
    """`postStart: N` for a container without lifecycle.postStart is an input error."""
    from initlab.errors import InputError

    sc = scenario(behavior={"app": [{"run": "forever", "postStart": 5}]})
    with pytest.raises(InputError, match=r"behavior\.app\[0\]\.postStart"):
        simulate(sc)


# -- the version axis on the command line ------------------------------------------------


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    from initlab.cli import main

    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_kubernetes_version_reaches_the_json(capsys):
    """`--kubernetes-version 1.31` overrides the scenario and is echoed as kubernetesVersion."""
    code, out, _ = _cli(
        capsys,
        "simulate",
        str(EXAMPLES / "myapp-pod.yaml"),
        "-o",
        "json",
        "--kubernetes-version",
        "1.31",
    )
    assert code == 0 and json.loads(out)["kubernetesVersion"] == "1.31"


def test_cli_unmodelled_kubernetes_version_is_one_line_exit_2(capsys):
    """An unsupported release: one line on stderr naming the flag, exit 2."""
    code, out, err = _cli(
        capsys, "simulate", str(EXAMPLES / "myapp-pod.yaml"), "--kubernetes-version", "1.20"
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--kubernetes-version" in err and "1.29 to 1.35" in err


def test_simulate_help_states_the_default_release(capsys):
    """`initlab simulate --help` names the supported range and the default release."""
    code, out, _ = _cli(capsys, "simulate", "--help")
    assert code == 0 and "1.29 to 1.35" in out and "default 1.35" in out


# -- bounded work ---------------------------------------------------------------------------

#: 30 days of a crash loop whose back-off is capped at 1 s: millions of changes.
RUNAWAY = """\
pod:
  apiVersion: v1
  kind: Pod
  metadata: {name: crash}
  spec:
    initContainers:
      - {name: migrate, image: busybox:1.36}
    containers:
      - {name: app, image: nginx:1.27}
until: 2592000
behavior:
  migrate: [{run: 0, exit: 1}]
kubelet:
  crashLoopBackOff: {maxContainerRestartPeriod: 1s}
"""


def test_a_runaway_scenario_is_refused_early_naming_the_bound_and_a_fitting_until():
    """Projected past 100,000 snapshots: InputError on `until` before it fills memory."""
    from initlab.errors import InputError
    from initlab.sim import simulator

    with pytest.raises(InputError) as info:
        simulate(RUNAWAY)
    msg = str(info.value)
    assert msg.startswith("until: ") and "more than 100000 snapshots of the pod" in msg
    fits = int(msg.rsplit("lower until to about ", 1)[1].split()[0])
    assert 50_000 < fits < simulator.MAX_FRAMES * 2  # about one snapshot per second


def test_cli_runaway_scenario_is_one_line_exit_2(capsys, tmp_path):
    """The CLI reports the bound in one line on stderr, exit 2."""
    path = tmp_path / "runaway.yaml"
    path.write_text(RUNAWAY)
    code, out, err = _cli(capsys, "simulate", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1 and "lower until" in err


@pytest.mark.parametrize("until", [-1, 30 * 24 * 3600 + 1, float("inf")])
def test_simulate_until_has_the_scenario_files_limits(until):
    """`simulate(until=)` refuses what `until:` in a file refuses (0 to 30 days)."""
    from initlab.errors import InputError

    with pytest.raises(InputError, match=r"^until: must be between 0 and 2592000 seconds"):
        simulate(EXAMPLES / "myapp-pod.yaml", until=until)


def test_check_work_projects_from_the_rate_so_far():
    """check_work: 2,000 snapshots in 1,000 s project 5.2 M by 30 days: refused, 50,000 s fits."""
    from initlab.errors import InputError
    from initlab.sim.simulator import check_work

    check_work(10_000, 2_000, 2_000, 1_000, 40_000)  # 80,000 projected: fine
    with pytest.raises(InputError, match="lower until to about 50000 s"):
        check_work(10_000, 2_000, 2_000, 1_000, 2_592_000)


def test_event_log_keeps_each_distinct_event_once():
    """EventLog: a repeated event costs its time only; iteration gives the records back."""
    from initlab.sim.result import EventLog

    log = EventLog()
    kind = ("Warning", "BackOff", "spec.initContainers{a}", "Back-off ...", "kubelet")
    for t in range(1000):
        log.append(float(t * 10), kind)
    assert len(log) == 1000 and len(log._table) == 1
    assert log[3] == (30, *kind) and list(log)[-1] == (9990, *kind)


def test_watch_rows_from_frames_are_what_print_pod_prints():
    """A frame's stored cells are print_pod's at its time: the watch is the same without them."""
    import dataclasses

    result = simulate(EXAMPLES / "flaky-migration-always.yaml")
    assert all(f.cells is not None for f in result.frames)
    bare = dataclasses.replace(
        result, frames=[dataclasses.replace(f, cells=None) for f in result.frames]
    )
    assert render_watch(result) == render_watch(bare)
