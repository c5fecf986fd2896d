"""Spec updates, probes that fail, SIGTERM answers, kubelet restarts: the pure decisions and their wiring."""

from __future__ import annotations

import pytest

from initlab.api.patch import strategic_merge
from initlab.errors import InputError
from initlab.kubelet.actions import (
    EXITED,
    FAILURE,
    RUNNING,
    ContainerRecord,
    RuntimePodStatus,
    compute_pod_actions,
)
from initlab.kubelet.probes import (
    container_changed,
    failure_time,
    first_probe_at,
    hash_container,
    probe_settings,
    termination_outcome,
    unhealthy_message,
)
from initlab.sim.scenario import load_scenario
from initlab.sim.simulator import simulate

# -- probes (pkg/kubelet/prober/worker.go) --------------------------------------------------


def test_probe_defaults_are_the_api_servers():
    """SetDefaults_Probe: period 10, failureThreshold 3, successThreshold 1, no delay."""
    s = probe_settings({"exec": {"command": ["true"]}})
    assert (s.initial_delay, s.period, s.failure_threshold, s.success_threshold) == (0, 10, 3, 1)


def test_a_probe_inside_the_initial_delay_is_skipped_until_the_next_period():
    """Probes run at 0, period, 2*period...; one before initialDelaySeconds does not count."""
    s = probe_settings({"initialDelaySeconds": 5, "periodSeconds": 10})
    assert first_probe_at(s) == 10
    assert first_probe_at(probe_settings({"initialDelaySeconds": 20, "periodSeconds": 10})) == 20


def test_failure_is_reported_after_failure_threshold_failed_runs():
    """Three failing runs 10 s apart: Failure at the third."""
    runs, at = failure_time(probe_settings({"periodSeconds": 10}), 25)
    assert runs == [30, 40, 50]
    assert at == 50


@pytest.mark.parametrize(
    ("probe", "message"),
    [
        ({"exec": {"command": ["false"]}}, "Liveness probe failed: "),
        (
            {"httpGet": {"port": 80}},
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        ),
    ],
)
def test_unhealthy_message_names_the_probe_type_and_the_handlers_output(probe, message):
    """prober.go: "%s probe failed: %s"."""
    assert unhealthy_message("liveness", probe) == message


# -- container hashes and SIGTERM ----------------------------------------------------------


def test_a_changed_image_changes_the_hash_and_resources_do_not():
    """HashContainer leaves resources out (in-place resize); an image change is a new definition."""
    c = {"name": "app", "image": "nginx:1.27"}
    h = hash_container(c)
    assert not container_changed({**c, "resources": {"limits": {"cpu": "1"}}}, h)
    assert container_changed({**c, "image": "nginx:1.28"}, h)
    assert not container_changed({**c, "image": "nginx:1.28"}, "")


@pytest.mark.parametrize(
    ("after", "code", "grace", "outcome"),
    [
        (3, 0, 30, (3, 0, "Completed")),
        (0, 143, 30, (0, 143, "Error")),
        (None, 0, 30, (30, 137, "Error")),
        (40, 0, 30, (30, 137, "Error")),
    ],
)
def test_termination_outcome(after, code, grace, outcome):
    """Exit with its own code inside the grace period, else SIGKILL: 137."""
    assert termination_outcome(after, code, grace) == outcome


# -- computePodActions ------------------------------------------------------------------------


def _pod(policy="Always", **c):
    return {
        "spec": {
            "restartPolicy": policy,
            "initContainers": [{"name": "proxy", "image": "envoy:1", "restartPolicy": "Always"}],
            "containers": [{"name": "app", "image": "nginx:1.27", **c}],
        }
    }


def _running(pod, **hashes):
    recs = []
    for c in pod["spec"]["initContainers"] + pod["spec"]["containers"]:
        recs.append(
            ContainerRecord(c["name"], f"id-{c['name']}", RUNNING, hash=hashes.get(c["name"], ""))
        )
    return RuntimePodStatus(has_sandbox=True, sandbox_ready=True, containers=recs)


def test_a_regular_container_whose_definition_changed_is_restarted_even_under_never():
    """containerChanged: kill with "definition changed, will be restarted", whatever the policy."""
    pod = _pod("Never")
    old = hash_container({"name": "app", "image": "nginx:1.26"})
    a = compute_pod_actions(pod, _running(pod, app=old))
    assert (
        a.containers_to_kill["app"].message == "Container app definition changed, will be restarted"
    )
    assert a.containers_to_start == [0]


def test_a_sidecar_whose_definition_changed_is_restarted():
    """computeInitContainerActions: "Init container proxy definition changed"."""
    pod = _pod()
    a = compute_pod_actions(pod, _running(pod, proxy=hash_container({"name": "proxy"})))
    assert a.containers_to_kill["proxy"].message == "Init container proxy definition changed"
    assert a.init_containers_to_start == [0]


def test_a_finished_regular_init_container_is_not_rerun_for_a_new_image():
    """v1.20 on: an exited-0 init container counts as done, whatever its definition."""
    pod = _pod()
    pod["spec"]["initContainers"] = [{"name": "init", "image": "busybox:1.37"}]
    st = RuntimePodStatus(
        has_sandbox=True,
        sandbox_ready=True,
        containers=[
            ContainerRecord("app", "a", RUNNING, hash=hash_container(pod["spec"]["containers"][0])),
            ContainerRecord("init", "i", EXITED, hash=hash_container({"name": "init"})),
        ],
    )
    a = compute_pod_actions(pod, st)
    assert a.summary()["initContainersToStart"] == []
    assert a.summary()["containersToKill"] == []


@pytest.mark.parametrize(
    ("policy", "message", "start"),
    [
        ("Always", "Container app failed liveness probe, will be restarted", [0]),
        ("Never", "Container app failed liveness probe", []),
    ],
)
def test_a_failed_liveness_probe_kills_the_container(policy, message, start):
    """Liveness Failure: kill; restarted unless restartPolicy is Never."""
    pod = _pod(policy, livenessProbe={"exec": {"command": ["false"]}})
    a = compute_pod_actions(pod, _running(pod), liveness_results={"id-app": FAILURE})
    assert a.containers_to_kill["app"].message == message
    assert a.containers_to_start == start


def test_a_sidecar_failing_its_liveness_probe_is_restarted_under_never():
    """Sidecars restart whatever the pod's policy: "Init container proxy failed liveness probe"."""
    pod = _pod("Never")
    pod["spec"]["initContainers"][0]["livenessProbe"] = {"exec": {"command": ["false"]}}
    a = compute_pod_actions(pod, _running(pod), liveness_results={"id-proxy": FAILURE})
    assert a.containers_to_kill["proxy"].message == "Init container proxy failed liveness probe"
    assert a.init_containers_to_start == [0]


# -- strategic merge patch ----------------------------------------------------------------------


def test_a_patch_merges_containers_by_name_and_replaces_other_lists():
    """Containers merge by name; `command` (no merge key) is replaced; null deletes."""
    pod = {
        "spec": {
            "containers": [
                {"name": "a", "image": "x:1", "command": ["sh"]},
                {"name": "b", "image": "y:1"},
            ],
            "activeDeadlineSeconds": 60,
        }
    }
    patch = {
        "spec": {
            "containers": [{"name": "b", "image": "y:2", "command": ["true"]}],
            "activeDeadlineSeconds": None,
        }
    }
    out = strategic_merge(pod, patch)
    assert out["spec"]["containers"] == [
        {"name": "a", "image": "x:1", "command": ["sh"]},
        {"name": "b", "image": "y:2", "command": ["true"]},
    ]
    assert "activeDeadlineSeconds" not in out["spec"]
    assert pod["spec"]["containers"][1]["image"] == "y:1"  # the original is unchanged


# -- through the simulation ---------------------------------------------------------------------

BASE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web"},
    "spec": {
        "initContainers": [{"name": "init", "image": "busybox:1.36"}],
        "containers": [{"name": "app", "image": "nginx:1.27"}],
    },
}


def _update(patch, at=30):
    return {"pod": BASE, "events": [{"at": at, "action": "update", "patch": patch}], "until": 60}


def test_a_refused_update_leaves_the_pod_unchanged_with_the_api_servers_error():
    """Changing a container's command is Forbidden: UpdateRejected, the app keeps running."""
    r = simulate(_update({"spec": {"containers": [{"name": "app", "command": ["sh"]}]}}))
    rejected = [e for e in r.events if e["reason"] == "UpdateRejected"]
    assert len(rejected) == 1
    assert rejected[0]["message"].startswith(
        'Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`"
    )
    assert rejected[0]["type"] == "Warning"
    assert r.final["containerStatuses"][0]["restartCount"] == 0
    assert "command" not in r.frames[-1].spec["containers"][0]


def test_an_init_image_update_after_initialization_changes_only_the_spec():
    """The spec shows the new image; the status keeps the image that ran; nothing restarts."""
    r = simulate(_update({"spec": {"initContainers": [{"name": "init", "image": "busybox:1.37"}]}}))
    assert r.frames[-1].spec["initContainers"][0]["image"] == "busybox:1.37"
    st = r.final["initContainerStatuses"][0]
    assert (st["image"], st["restartCount"]) == ("busybox:1.36", 0)
    assert not [e for e in r.events if e["reason"] == "Killing"]


def test_a_crash_looping_init_container_reruns_with_the_updated_image():
    """During initialization the new image is used at the init container's next restart."""
    sc = _update({"spec": {"initContainers": [{"name": "init", "image": "busybox:1.37"}]}}, at=5)
    sc["behavior"] = {"init": [{"run": 2, "exit": 1}, {"run": 2}]}
    r = simulate(sc)
    pulls = [e["message"] for e in r.events if e["reason"] == "Pulling"]
    assert pulls[:2] == ['Pulling image "busybox:1.36"', 'Pulling image "busybox:1.37"']
    assert r.final["initContainerStatuses"][0]["image"] == "busybox:1.37"


def test_a_liveness_failure_restarts_the_app_with_unhealthy_and_killing_events():
    """failAfter 10, period 5, threshold 3: Unhealthy at 10, 15, 20 s after start, then Killing."""
    pod = {**BASE, "spec": {**BASE["spec"]}}
    pod["spec"]["containers"] = [
        {
            "name": "app",
            "image": "nginx:1.27",
            "livenessProbe": {"httpGet": {"port": 80}, "periodSeconds": 5},
        }
    ]
    r = simulate(
        {
            "pod": pod,
            "behavior": {
                "app": [{"run": "forever", "liveness": {"failAfter": 10}}, {"run": "forever"}]
            },
            "until": 60,
        }
    )
    started = next(e["t"] for e in r.events if e["reason"] == "Started" and "app" in e["object"])
    unhealthy = [e["t"] - started for e in r.events if e["reason"] == "Unhealthy"]
    assert unhealthy == [10, 15, 20]
    kill = next(e for e in r.events if e["reason"] == "Killing")
    assert (kill["t"] - started, kill["message"]) == (
        20,
        "Container app failed liveness probe, will be restarted",
    )
    assert r.final["containerStatuses"][0]["restartCount"] == 1


def test_a_sidecar_that_ignores_sigterm_is_sigkilled_at_the_end_of_the_grace_period():
    """onTerm: ignore -> 137 at the end of the grace period; the earlier sidecar then has 2 s."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "job"},
        "spec": {
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 10,
            "initContainers": [
                {"name": "log", "image": "fluent-bit:3", "restartPolicy": "Always"},
                {"name": "proxy", "image": "envoy:1", "restartPolicy": "Always"},
            ],
            "containers": [{"name": "main", "image": "busybox:1.36"}],
        },
    }
    r = simulate(
        {
            "pod": pod,
            "behavior": {
                "main": [{"run": 5}],
                "proxy": [{"run": "forever", "onTerm": "ignore"}],
                "log": [{"run": "forever", "onTerm": {"exit": 0, "after": 1}}],
            },
        }
    )
    term = {s["name"]: s["state"]["terminated"] for s in r.final["initContainerStatuses"]}
    assert (term["proxy"]["exitCode"], term["proxy"]["reason"]) == (137, "Error")
    assert (term["log"]["exitCode"], term["log"]["reason"]) == (0, "Completed")
    assert r.final["phase"] == "Succeeded"


def test_a_kubelet_restart_keeps_running_containers_and_does_not_rerun_init_containers():
    """restart-kubelet with removeExitedContainers: the API's last status stands for the init."""
    sc = {
        "pod": BASE,
        "events": [{"at": 20, "action": "restart-kubelet", "removeExitedContainers": True}],
        "until": 60,
    }
    r = simulate(sc)
    assert [e["reason"] for e in r.events if e["t"] >= 20] == []
    assert r.final["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    assert r.final["containerStatuses"][0]["restartCount"] == 0
    assert r.final["phase"] == "Running"


@pytest.mark.parametrize(
    ("behavior", "path"),
    [
        ({"app": [{"liveness": {"failAfter": 5}}]}, "behavior.app[0].liveness"),
        ({"app": [{"startup": "fail"}]}, "behavior.app[0].startup"),
        ({"app": [{"onTerm": {"exit": 300}}]}, "behavior.app[0].onTerm.exit"),
        ({"app": [{"onTerm": "stop"}]}, "behavior.app[0].onTerm"),
    ],
)
def test_bad_behaviour_keys_are_refused_with_their_field_path(behavior, path):
    """A probe that the container lacks, or a bad SIGTERM answer, is an input error."""
    with pytest.raises(InputError) as e:
        load_scenario({"pod": BASE, "behavior": behavior})
    assert e.value.field == path


@pytest.mark.parametrize(
    ("event", "path"),
    [
        ({"at": 1, "action": "update"}, "events[0].patch"),
        ({"at": 1, "action": "delete-pod", "patch": {"spec": {}}}, "events[0].patch"),
        (
            {"at": 1, "action": "restart-sandbox", "removeExitedContainers": True},
            "events[0].removeExitedContainers",
        ),
        ({"at": 1, "action": "restart-kubelet", "bogus": 1}, "events[0].bogus"),
    ],
)
def test_bad_world_events_are_refused_with_their_field_path(event, path):
    """An update needs a patch; only restart-kubelet removes exited containers."""
    with pytest.raises(InputError) as e:
        load_scenario({"pod": BASE, "events": [event]})
    assert e.value.field == path


def _hooked(hook: str, behaviour: dict) -> dict:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "lifecycle": {hook: {"exec": {"command": ["sh", "-c", "exit 1"]}}},
                }
            ]
        },
    }
    return {"pod": pod, "behavior": {"app": [behaviour]}}


def test_a_failing_post_start_hook_kills_the_container_and_it_waits_with_the_hooks_error():
    """startContainer: FailedPostStartHook, Killing "FailedPostStartHook", PostStartHookError."""
    sc = _hooked("postStart", {"run": "forever", "postStart": {"run": 1, "exit": 1}})
    sc["until"] = 8
    r = simulate(sc)
    seen = [
        (e["reason"], e["message"])
        for e in r.events
        if e["reason"] in ("FailedPostStartHook", "Killing")
    ]
    assert seen[:2] == [
        ("FailedPostStartHook", "PostStartHook failed"),
        ("Killing", "FailedPostStartHook"),
    ]
    waits = [
        s["containerStatuses"][0]["state"]["waiting"]
        for s in r.timeline
        if s["containerStatuses"] and "waiting" in s["containerStatuses"][0]["state"]
    ]
    waiting = next(w for w in waits if w.get("reason") not in ("ContainerCreating",))
    assert waiting["reason"] == "PostStartHookError"
    assert waiting["message"].startswith(
        'Exec lifecycle hook ([sh -c exit 1]) for Container "app" in Pod "web_default('
    )
    assert waiting["message"].endswith(
        "failed - error: command 'sh -c exit 1' exited with 1: , message: \"\""
    )


def test_a_pre_stop_hook_runs_before_sigterm_and_uses_up_the_grace_period():
    """killContainer: 20 s of preStop out of 30 leaves 10 s; a 15 s SIGTERM answer is SIGKILLed."""
    sc = _hooked("preStop", {"run": "forever", "preStop": 20, "onTerm": {"exit": 0, "after": 15}})
    sc["events"] = [{"at": 10, "action": "delete-pod"}]
    r = simulate(sc)
    assert r.hooks == [{"container": "app", "hook": "preStop", "start": 10, "end": 30, "exit": 0}]
    term = r.frames[-1].status["containerStatuses"][0]["state"]["terminated"]
    assert (term["exitCode"], term["finishedAt"]) == (137, "2026-01-01T00:00:40Z")


def test_readiness_drops_after_failure_threshold_and_returns_without_a_restart():
    """A readiness window 20-40 s, period 5: not ready at the third failed run, ready at 40 s."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "readinessProbe": {"httpGet": {"port": 80}, "periodSeconds": 5},
                }
            ]
        },
    }
    behaviour = {"run": "forever", "ready": 3, "readiness": [{"failFrom": 20, "failUntil": 40}]}
    r = simulate({"pod": pod, "behavior": {"app": [behaviour]}, "until": 60})
    started = next(e["t"] for e in r.events if e["reason"] == "Started")
    ready = [(s["t"] - started, s["ready"]) for s in r.timeline if s["t"] > started]
    assert ready == [(3, "1/1"), (30, "0/1"), (40, "1/1")]
    unhealthy = [e["t"] - started for e in r.events if e["reason"] == "Unhealthy"]
    assert unhealthy == [20, 25, 30, 35]
    assert r.final["containerStatuses"][0]["restartCount"] == 0
