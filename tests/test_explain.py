"""`initlab explain`: a real pod's columns, phase, next step and advice, from its status alone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from helpers import EXAMPLES

import initlab
from initlab.cli import main
from initlab.kubectl.explain import explain, render_explanation
from initlab.kubelet.backoff import delay_after_restarts
from initlab.kubelet.status import EPOCH


def example(name: str) -> str:
    return str(EXAMPLES / f"{name}.yaml")


def _pod_at(result, status: str, nth: int = 0):
    """The API pod (and its time) at the nth snapshot whose STATUS is `status`."""
    hits = [
        (s, p) for s, p in zip(result.timeline, result.pods, strict=True) if s["status"] == status
    ]
    snap, pod = hits[nth]
    return pod, EPOCH + timedelta(seconds=snap["t"])


def _started_after(result, container: str, t: float) -> float:
    """When the simulated kubelet next started `container` after time t (its Started event)."""
    return min(
        e["t"]
        for e in result.events
        if e["reason"] == "Started" and e["object"].endswith(f"{{{container}}}") and e["t"] >= t
    )


def test_backoff_delay_after_restarts_follows_the_kubelet():
    """0 at the first failure, then 10 s doubling to the 5-minute cap."""
    assert [delay_after_restarts(r) for r in range(9)] == [0, 10, 20, 40, 80, 160, 300, 300, 300]


@pytest.mark.parametrize("nth", [0, 1, 2])
def test_init_crash_loop_names_the_container_and_the_next_restart_the_kubelet_makes(nth):
    """Init:CrashLoopBackOff: decided by the init container; the predicted restart is the simulated one."""
    result = initlab.simulate(example("oom-init"), until=400)
    pod, now = _pod_at(result, "Init:CrashLoopBackOff", nth)
    ex = explain(pod, now=now)
    assert ex.row.status == "Init:CrashLoopBackOff"
    assert ex.decided_by == "build-index"
    actual = _started_after(result, "build-index", (now - EPOCH).total_seconds())
    predicted = (initlab.api.printers.parse_time(ex.next["at"]) - EPOCH).total_seconds()
    assert abs(predicted - actual) <= 1
    assert ex.advice[0].startswith("kubectl logs indexer -c build-index --previous")
    assert "chapter 4, Back-off and deadlines" in ex.chapters


def test_the_waiting_message_states_the_delay_and_wins_over_the_restart_count():
    """`back-off 40s restarting failed container=...` is the kubelet's own word for the delay."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {
            "initContainers": [{"name": "db", "image": "x"}],
            "containers": [{"name": "a", "image": "y"}],
        },
        "status": {
            "phase": "Pending",
            "initContainerStatuses": [
                {
                    "name": "db",
                    "restartCount": 1,  # a count that alone would mean 10 s
                    "state": {
                        "waiting": {
                            "reason": "CrashLoopBackOff",
                            "message": "back-off 40s restarting failed container=db pod=p_default(u)",
                        }
                    },
                    "lastState": {
                        "terminated": {
                            "exitCode": 1,
                            "reason": "Error",
                            "startedAt": "2026-01-01T00:01:00Z",
                            "finishedAt": "2026-01-01T00:01:05Z",
                        }
                    },
                }
            ],
            "containerStatuses": [
                {"name": "a", "state": {"waiting": {"reason": "PodInitializing"}}}
            ],
        },
    }
    ex = explain(pod)
    assert (ex.next["at"], ex.next["inSeconds"], ex.next["delay"]) == (
        "2026-01-01T00:01:45Z",
        40,
        "40s",
    )


def test_a_run_over_ten_minutes_resets_the_backoff():
    """The kubelet forgets the back-off after 600 s: the next restart is immediate."""
    result = initlab.simulate(example("oom-init"), until=400)
    pod, now = _pod_at(result, "Init:CrashLoopBackOff", 1)
    pod = json.loads(json.dumps(pod))
    s = pod["status"]["initContainerStatuses"][0]
    del s["state"]["waiting"]["message"]
    s["lastState"]["terminated"]["startedAt"] = "2000-01-01T00:00:00Z"
    assert explain(pod, now=now).next["delay"] == "0s"


def test_init_error_under_never_says_nothing_will_restart():
    """restartPolicy Never: Init:Error, Failed, no next restart; read the failed attempt's logs."""
    result = initlab.simulate(example("flaky-migration-never"))
    ex = explain(result.pods[-1], now=EPOCH + timedelta(seconds=result.final["t"]))
    assert (ex.row.status, ex.phase, ex.decided_by) == ("Init:Error", "Failed", "migrate")
    assert ex.next["action"] == "none" and "restartPolicy is Never" in ex.next["why"]
    assert ex.advice[0].startswith("kubectl logs web -c migrate ")
    assert "--previous" not in ex.advice[0]
    assert "chapter 3, Failure and restart" in ex.chapters


SIDECAR_CRASHES = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {
            "initContainers": [
                {"name": "proxy", "image": "envoyproxy/envoy:v1.31", "restartPolicy": "Always"}
            ],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    },
    "behavior": {"proxy": [{"run": 30}, {"run": 5, "exit": 1}]},
    "until": 120,
}


def test_a_sidecar_crashing_after_initialization_shows_init_crash_loop_while_running():
    """The init walk stops at the crash-looping sidecar even though the pod runs."""
    result = initlab.simulate(SIDECAR_CRASHES)
    pod, now = _pod_at(result, "Init:CrashLoopBackOff")
    ex = explain(pod, now=now)
    assert (ex.row.status, ex.phase, ex.decided_by) == ("Init:CrashLoopBackOff", "Running", "proxy")
    assert ex.next["action"] == "restart"
    assert "chapter 5, Sidecars" in ex.chapters


def test_after_a_sandbox_recreation_the_note_names_the_reboot():
    """App containers that ran before, init containers running again: the sandbox was re-created."""
    result = initlab.simulate(example("non-idempotent-init"))
    after = [(s, p) for s, p in zip(result.timeline, result.pods, strict=True) if s["t"] > 62]
    snap, pod = after[0]
    ex = explain(pod, now=EPOCH + timedelta(seconds=snap["t"]))
    assert "sandbox was re-created" in ex.next["note"]
    assert "chapter 8, Pod restarts" in ex.chapters


def test_restarts_explains_why_init_restarts_were_forgotten():
    """Once the container pass runs, RESTARTS forgets regular init-container restarts: explain says so."""
    result = initlab.simulate(example("flaky-migration-always"))
    ex = explain(result.pods[-1], now=EPOCH + timedelta(seconds=result.final["t"]))
    assert ex.row.status == "Running" and ex.row.restarts == 0
    forgot = [s for s in ex.steps if s.column == "RESTARTS"]
    assert "2 restart(s) of regular init containers are forgotten" in forgot[0].why
    assert "forgotten" in render_explanation(ex)


def test_explain_cli_text_json_and_bad_input(tmp_path, capsys):
    """Text for people, -o json for tools; not a Pod, or a Pod without status, is a one-line exit 2."""
    result = initlab.simulate(example("flaky-migration-never"))
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(result.pods[-1]))
    assert main(["explain", str(path)]) == 0
    text = capsys.readouterr().out
    assert "STATUS Init:Error, decided by migrate" in text
    assert main(["explain", str(path), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["decidedBy"], data["phase"]["value"]) == (
        "Init:Error",
        "migrate",
        "Failed",
    )
    svc = tmp_path / "svc.yaml"
    svc.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    assert main(["explain", str(svc)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no Pod in it (found Service)" in err
    bare = tmp_path / "bare.yaml"
    bare.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b}]}\n"
    )
    assert main(["explain", str(bare)]) == 2
    assert "has no status" in capsys.readouterr().err


def test_events_from_a_list_are_read_beside_the_pod(tmp_path, capsys):
    """`kubectl get events -o yaml` (a List) is accepted with --events."""
    result = initlab.simulate(example("myapp-pod"))
    pod, now = _pod_at(result, "Init:0/2", -1)
    p = tmp_path / "pod.json"
    p.write_text(json.dumps(pod))
    ev = tmp_path / "events.yaml"
    ev.write_text(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Event\n"
        "  involvedObject: {kind: Pod, name: myapp-pod, fieldPath: 'spec.initContainers{init-myservice}'}\n"
        "  reason: Started\n  message: Started container init-myservice\n  type: Normal\n"
        "  lastTimestamp: '2024-01-01T00:00:02Z'\n"
    )
    assert main(["explain", str(p), "--events", str(ev), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decidedBy"] == "init-myservice"
    assert data["next"]["action"] == "wait"


@pytest.mark.parametrize("version,phase", [("1.31", "Running"), ("1.33", "Pending")])
def test_the_reboot_note_and_phase_follow_the_named_release(version, phase):
    """After a reboot the pod is Pending while init re-runs from 1.32 on; explain says which."""
    import yaml

    scenario = yaml.safe_load(open(example("admission-istio-init-rerun")))
    scenario["kubernetesVersion"] = version
    result = initlab.simulate(scenario)
    snap, pod = next(  # istio-init runs again, 2 s after the sandbox was re-created at 61 s
        (s, p) for s, p in zip(result.timeline, result.pods, strict=True) if s["t"] == 63
    )
    ex = explain(pod, now=EPOCH + timedelta(seconds=snap["t"]), version=version)
    assert ex.phase == phase
    assert ("Pending from 1.32 on" in ex.next["note"]) == (version == "1.31")
    assert "note: the kubelet of Kubernetes" not in ex.phase_why
    other = "1.33" if version == "1.31" else "1.31"
    assert "is the cluster another release" in explain(pod, version=other).phase_why


def test_explain_refuses_a_release_it_does_not_model(tmp_path, capsys):
    """--kubernetes-version 1.20 is a one-line error, exit 2."""
    result = initlab.simulate(example("flaky-migration-never"))
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(result.pods[-1]))
    assert main(["explain", str(path), "--kubernetes-version", "1.20"]) == 2
    err = capsys.readouterr().err
    assert "not modelled" in err and err.count("\n") == 1
