"""Live explorers, driven through their pure-Python API (no display, no kernel)."""

from __future__ import annotations

import copy
import json

import ipywidgets
import pytest
from helpers import folded
from scenarios import MYAPP

import initlab
from initlab.api.loader import apply_defaults
from initlab.api.resources import pod_requests, qos_class
from initlab.book import plots, widgets


def _never_failure() -> dict:
    sc = copy.deepcopy(MYAPP)
    sc["pod"]["spec"]["restartPolicy"] = "Never"
    sc["behavior"] = {"init-myservice": [{"run": 2, "exit": 1}]}
    return sc


# -- Explorer -----------------------------------------------------------------------


def test_stepping_myapp_pod_walks_init_statuses_to_running():
    """Stepping shows Init:0/2 → Init:1/2 → PodInitializing → Running, in order."""
    ex = widgets.explore(MYAPP)
    seen = [ex.snapshot["status"]]
    for _ in range(len(ex.snapshots) + 3):
        seen.append(ex.step()["status"])
    assert folded(seen) == ["Pending", "Init:0/2", "Init:1/2", "PodInitializing", "Running"]
    assert ex.index == len(ex.snapshots) - 1  # stepping stops at the last snapshot


def test_panel_texts_follow_the_cursor():
    """The get line, the events so far and the timeline cursor all match the snapshot."""
    from initlab.kubectl import render_events

    ex = widgets.explore(MYAPP)
    while ex.snapshot["status"] != "Init:1/2":
        ex.step()
    assert "Init:1/2" in ex.get_text.splitlines()[1]
    assert ex.events_text == render_events(ex.result, ex.t).rstrip("\n")
    assert "Init:1/2" in ex._time.value and "Init:1/2" in ex._get.value
    first = widgets.explore(MYAPP)
    assert "create-service" not in first.events_text
    assert first.events_text.count("\n") < ex.events_text.count("\n")
    assert ex._timeline.value != first._timeline.value  # the cursor moved


def test_back_moves_the_cursor_back():
    """back() returns to the previous snapshot, and stops at the first one."""
    ex = widgets.explore(MYAPP)
    ex.step()
    ex.step()
    third = ex.snapshot
    ex.step()
    assert ex.back() == third and ex.index == 2
    for _ in range(5):
        ex.back()
    assert ex.index == 0


def test_slider_and_pure_api_stay_in_sync():
    """Moving the slider widget moves `.snapshot`; step() moves the slider."""
    ex = widgets.explore(MYAPP)
    ex._slider.value = 4
    assert ex.index == 4 and ex.snapshot == ex.snapshots[4]
    ex.step()
    assert ex._slider.value == 5


def test_load_never_policy_failure_ends_in_init_error():
    """Loading a Never-policy pod whose init fails ends in Init:Error, phase Failed."""
    ex = widgets.explore(MYAPP)
    ex.load(_never_failure())
    assert ex.error is None and ex.index == 0
    assert ex.snapshots[-1]["status"] == "Init:Error"
    assert ex.snapshots[-1]["phase"] == "Failed"


def test_load_accepts_yaml_text():
    """load() takes YAML text as well as a dict."""
    import yaml

    ex = widgets.explore(MYAPP)
    ex.load(yaml.safe_dump(_never_failure()))
    assert ex.error is None and ex.snapshots[-1]["status"] == "Init:Error"


@pytest.mark.parametrize(
    "bad",
    [
        "pod: [\n  - {unclosed\n",  # YAML garbage
        {
            "pod": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "x"},
                "spec": {"containers": "x"},
            }
        },  # invalid pod
        {"pod": MYAPP["pod"], "behavior": {"no-such-container": [{"run": 1}]}},
    ],
    ids=["yaml-garbage", "invalid-pod", "unknown-container-in-behavior"],
)
def test_bad_input_sets_error_and_keeps_the_previous_run(bad):
    """Bad input never raises: `.error` is one line and the previous run stays."""
    ex = widgets.explore(MYAPP)
    before = ex.snapshots
    ex.load(bad)
    assert ex.error and "\n" not in ex.error and "Traceback" not in ex.error
    assert ex.snapshots == before
    assert ex.error in ex._errorbox.value or widgets._esc(ex.error) in ex._errorbox.value
    ex.load(MYAPP)
    assert ex.error is None and ex._errorbox.value == ""


def test_invalid_pod_error_uses_kubernetes_words():
    """An invalid pod's error names the field like the API server does."""
    ex = widgets.explore(
        {
            "pod": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "x"},
                "spec": {"containers": "x"},
            }
        }
    )
    assert ex.error.startswith("spec.containers")
    assert ex.result is None and ex.snapshot == {}


def test_explorer_widget_is_an_ipywidgets_tree():
    """`.widget` is the root ipywidgets box to display."""
    ex = widgets.explore(MYAPP)
    assert isinstance(ex.widget, ipywidgets.VBox)
    assert "<svg" in ex._timeline.value


# -- what-if --------------------------------------------------------------------------


def test_what_if_failing_init_adds_crashloop_then_recovers():
    """Making init-mydb fail twice adds Init:Error / CrashLoopBackOff before Running."""
    lab = widgets.what_if(MYAPP)
    assert "Init:Error" not in lab.statuses
    lab.set(fail="init-mydb", failures=2)
    assert "Init:Error" in lab.statuses and "Init:CrashLoopBackOff" in lab.statuses
    assert lab.statuses[-1] == "Running"
    mydb = next(s for s in lab.final["initContainerStatuses"] if s["name"] == "init-mydb")
    assert mydb["restartCount"] == 2


def test_what_if_never_policy_fails_the_pod():
    """With restartPolicy Never the first init failure fails the pod."""
    lab = widgets.what_if(MYAPP["pod"])
    lab.set(fail="init-myservice", failures=1, restart_policy="Never")
    assert lab.final["status"] == "Init:Error" and lab.final["phase"] == "Failed"
    assert lab._w["restart_policy"].value == "Never"  # the control shows the change


def test_what_if_sidecar_toggle_adds_a_sidecar_lane():
    """Turning the native sidecar on adds a sidecar lane and raises READY's total."""
    lab = widgets.what_if(MYAPP["pod"])
    lab.set(sidecar=True)
    kinds = [(la.name, la.kind) for la in plots.lanes(lab.result)]
    assert kinds[0] == ("sidecar", "sidecar")
    assert lab.final["ready"] == "2/2"


def test_what_if_deadline_fails_a_slow_init():
    """activeDeadlineSeconds shorter than init makes the pod Failed (DeadlineExceeded)."""
    lab = widgets.what_if(MYAPP)
    lab.set(deadline=5)
    assert lab.final["phase"] == "Failed"
    assert any(e["reason"] == "DeadlineExceeded" for e in lab.result.events)


def test_what_if_sandbox_restart_reruns_init():
    """A sandbox restart re-runs the init containers (SandboxChanged, second Started)."""
    lab = widgets.what_if(MYAPP["pod"])
    lab.set(sandbox_restart_at=30)
    assert lab.scenario["events"] == [{"at": 30, "action": "restart-sandbox"}]
    reasons = [e["reason"] for e in lab.result.events]
    assert "SandboxChanged" in reasons
    started = [
        e
        for e in lab.result.events
        if e["reason"] == "Started" and e["object"] == "spec.initContainers{init-mydb}"
    ]
    assert len(started) == 2


def test_what_if_unknown_option_is_an_error_not_an_exception():
    """An unknown option sets `.error` instead of raising."""
    lab = widgets.what_if(MYAPP)
    lab.set(color="red")
    assert "color" in lab.error


# -- resources ------------------------------------------------------------------------


def _resource_pod() -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "r"},
        "spec": {
            "initContainers": [
                {
                    "name": "side",
                    "image": "envoy",
                    "restartPolicy": "Always",
                    "resources": {"requests": {"cpu": "10m", "memory": "10Mi"}},
                },
                {
                    "name": "init",
                    "image": "busybox",
                    "resources": {"requests": {"cpu": "200m"}, "limits": {"memory": "64Mi"}},
                },
            ],
            "containers": [
                {
                    "name": "app",
                    "image": "busybox",
                    "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
                }
            ],
        },
    }


def test_resource_explorer_numbers_match_pod_requests():
    """Effective requests and QoS equal resources.pod_requests / qos_class after defaulting."""
    pod = _resource_pod()
    rx = widgets.resource_explorer(pod)
    want = apply_defaults(pod)
    assert rx.effective_requests == {k: str(v) for k, v in pod_requests(want).items()}
    assert rx.effective_requests["cpu"] == "210m"
    assert rx.qos_class == qos_class(want) == "Burstable"
    rx.set("app", "requests.cpu", "500m")
    want["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "500m"
    assert rx.effective_requests == {k: str(v) for k, v in pod_requests(want).items()}
    assert rx.effective_requests["cpu"] == "510m"


def test_resource_explorer_bad_quantity_is_an_inline_error():
    """A bad quantity shows Kubernetes' message; numbers stay at the last good pod."""
    rx = widgets.resource_explorer(_resource_pod())
    before = rx.effective_requests
    rx.set("init", "requests.cpu", "lots")
    assert rx.error.startswith("spec.initContainers[1].resources.requests[cpu]: Invalid value")
    assert rx.effective_requests == before
    assert "Invalid value" in rx._errorbox.value
    rx.set("init", "requests.cpu", "300m")
    assert rx.error is None and rx.effective_requests["cpu"] == "310m"


def test_resource_explorer_fit_on_node():
    """Raising a request past the node's allocatable makes the pod not fit."""
    rx = widgets.resource_explorer(_resource_pod(), node={"cpu": "1", "memory": "1Gi"})
    assert rx.fits is True
    rx.set("init", "requests.cpu", "2")
    assert rx.fits is False and rx.insufficient == ["Insufficient cpu"]
    rx.set_node(cpu="4")
    assert rx.fits is True


def test_resource_explorer_unknown_container_does_not_raise():
    """Setting a container that does not exist reports it."""
    rx = widgets.resource_explorer(_resource_pod())
    rx.set("nope", "requests.cpu", "1")
    assert "nope" in rx.error


# -- admission ------------------------------------------------------------------------


def test_admission_explorer_shows_patch_and_new_startup():
    """Picking istio-native injects istio-init and istio-proxy; the run shows them."""
    ax = widgets.admission_explorer(MYAPP["pod"])
    assert "istio-native" in ax.available
    ax.select("istio-native")
    assert ax.error is None
    names = [c["name"] for c in ax.admitted["spec"]["initContainers"]]
    assert names[:2] == ["istio-init", "istio-proxy"]
    assert ax.patches and ax.patches[0]["webhook"]
    lanes = [la.name for la in plots.lanes(ax.result)]
    assert lanes[:2] == ["istio-init", "istio-proxy"]
    assert ax.result.final["status"] == "Running"


def test_admission_denial_shows_an_error_and_no_run():
    """A validating policy that denies the pod leaves no timeline and explains why."""
    ax = widgets.admission_explorer(MYAPP["pod"])
    ax.select("kyverno-require-resources")
    assert ax.error and ax.error.startswith("admission denied the pod")
    assert ax.result is None


# -- debug lab ------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(widgets.DEBUG_CASES))
def test_debug_lab_checks_the_right_answer(case):
    """Each case simulates, and check() accepts its answer and rejects another."""
    lab = widgets.debug_lab(case)
    assert lab.error is None and lab.final
    assert "kubectl get pod" in lab.observations()
    good = lab.check(lab.spec["answer"])
    assert good.correct and good.feedback.startswith("Right")
    wrong = next(d for d in widgets.DIAGNOSES if d != lab.spec["answer"][0])
    bad = lab.check({"diagnosis": wrong, "fix": lab.spec["answer"][1]})
    assert not bad.correct and not bad.diagnosis_ok and bad.fix_ok


def test_debug_lab_statuses_show_the_symptom():
    """The broken pods show the symptoms their titles promise."""
    finals = {case: widgets.debug_lab(case).final["status"] for case in widgets.DEBUG_CASES}
    assert finals["typo-service"] == "Init:0/1"
    assert finals["never-flaky"] == "Init:Error"
    assert finals["oom-init"] in ("Init:OOMKilled", "Init:CrashLoopBackOff")
    assert finals["image-pull"] in ("Init:ImagePullBackOff", "Init:ErrImagePull")
    assert finals["crashloop-init"] in ("Init:CrashLoopBackOff", "Init:Error")


def test_debug_lab_button_checks_the_picked_answer():
    """Clicking the button checks what the radio buttons hold."""
    lab = widgets.debug_lab("never-flaky")
    lab._diag.value, lab._fix.value = lab.spec["answer"]
    lab._check.click()
    assert lab.last is not None and lab.last.correct
    assert "Right" in lab._verdict.value


def test_unknown_debug_case_lists_the_cases():
    """An unknown case name raises KeyError naming the available cases."""
    with pytest.raises(KeyError, match="typo-service"):
        widgets.debug_lab("nope")


def test_simulate_entry_point_matches_explorer_run():
    """The explorer's run is exactly initlab.simulate's for the same scenario."""
    ex = widgets.explore(MYAPP)
    assert ex.snapshots == initlab.simulate(MYAPP).timeline


def test_what_if_starts_from_the_scenarios_own_sandbox_restart(examples_dir):
    """The lab's sandbox-restart control starts at the base scenario's time, and 0 removes it."""
    lab = widgets.what_if(str(examples_dir / "non-idempotent-init.yaml"))
    assert lab.options["sandbox_restart_at"] == 60
    assert lab.statuses[-1] == "Error"
    lab.set(sandbox_restart_at=0)
    assert lab.statuses[-1] == "Running"


def test_debug_lab_observes_the_pod_at_the_end_of_the_run():
    """A pod stuck for two minutes shows AGE 2m, not the age of its last change."""
    text = widgets.debug_lab("typo-service").observations()
    row = text.splitlines()[2].split()
    assert row[2] == "Init:0/1" and row[-1] == "2m"


# --- the debug lab as data (initlab/book/debug_cases), graded by simulation

CASE_FIXES: dict[str, list[tuple[str, str]]] = {
    "command-typo": [("/app/migrat.sh", "/app/migrate.sh")],
    "crashloop-init": [
        (
            'command: [sh, -c, "./migrate --db $DB_URL"]',
            'command: [sh, -c, "./migrate --db $DB_URL"]\n'
            '    env:\n    - {name: DB_URL, value: "postgres://db:5432/cart"}',
        )
    ],
    "image-pull": [("migrat:v1", "migrate:v1")],
    "istio-cni-init": [('-f up.sql"]', '-f up.sql"]\n    securityContext: {runAsUser: 1337}')],
    "job-sidecar": [
        ("      - name: log-shipper\n        image: fluent/fluent-bit:3.1\n", ""),
        (
            "      containers:\n",
            "      initContainers:\n      - name: log-shipper\n        image: fluent/fluent-bit:3.1\n"
            "        restartPolicy: Always\n      containers:\n",
        ),
    ],
    "missing-service": [
        (
            "image: nginx:1.27\n",
            "image: nginx:1.27\n---\napiVersion: v1\nkind: Service\nmetadata: {name: cache}\n"
            "spec:\n  selector: {app: cache}\n  ports: [{port: 6379}]\n",
        )
    ],
    "never-flaky": [("restartPolicy: Never", "restartPolicy: OnFailure")],
    "not-idempotent": [("mkdir /data/schema", "mkdir -p /data/schema")],
    "oom-init": [("limits: {memory: 32Mi}", "limits: {memory: 64Mi}")],
    "typo-service": [("orders-dbb", "orders-db")],
    "part1-which-init-waits": [
        ("nslookup cache; do echo waiting for cache", "nslookup redis; do echo waiting for redis")
    ],
    "part2-deadline-too-short": [("activeDeadlineSeconds: 60", "activeDeadlineSeconds: 300")],
    "part3-helper-never-exits": [
        (
            "image: envoyproxy/envoy:v1.31.0\n",
            "image: envoyproxy/envoy:v1.31.0\n    restartPolicy: Always\n",
        )
    ],
    "part4-webhook-dropped-sidecar": [
        (
            "  - name: log-shipper\n    image: busybox:1.36\n",
            "  - name: log-shipper\n    image: busybox:1.36\n    restartPolicy: Always\n",
        )
    ],
    "part5-app-image-after-init": [("shop/web:2.4.1", "shop/web:2.4")],
}


def _fixed(case_id: str) -> str:
    from initlab.book.debug import case

    text = case(case_id).manifest
    for old, new in CASE_FIXES[case_id]:
        assert old in text, (case_id, old)
        text = text.replace(old, new, 1)
    return text


def test_every_debug_case_has_a_fix_in_this_table():
    """Each case file is covered by a known-good fix below (a new case needs one)."""
    from initlab.book.debug import cases

    assert sorted(cases()) == sorted(CASE_FIXES)


@pytest.mark.parametrize("case_id", sorted(CASE_FIXES))
def test_debug_case_broken_manifest_is_not_graded_fixed(case_id):
    """The manifest as given reproduces the problem: grading it says "not yet"."""
    from initlab.book.debug import case

    grade = case(case_id).grade(case(case_id).manifest)
    assert not grade.passed and grade.message.startswith("not yet")


@pytest.mark.parametrize("case_id", sorted(CASE_FIXES))
def test_debug_case_fix_is_graded_fixed_by_simulation(case_id):
    """The fix, simulated, reaches the case's goal: "Fixed: the pod is ..."."""
    from initlab.book.debug import case

    grade = case(case_id).grade(_fixed(case_id))
    assert grade.passed, grade.message
    assert grade.message.startswith("Fixed: the pod is " + grade.result.final["phase"])


def test_debug_lab_refuses_a_fix_that_deletes_the_failing_container():
    """Removing the broken init container is not a fix: the lab says so."""
    from initlab.book.debug import case

    text = case("crashloop-init").manifest
    start = text.index("  initContainers:")
    end = text.index("  containers:")
    grade = case("crashloop-init").grade(text[:start] + text[end:])
    assert not grade.passed
    assert grade.message == "the pod no longer has migrate, migrate: fix it rather than remove it"


def test_debug_lab_service_documents_create_services():
    """A `kind: Service` document in the learner's text exists from the start of the run."""
    from initlab.book.debug import case

    sc = case("missing-service").scenario(_fixed("missing-service"))
    assert {"at": 0, "action": "create-service cache"} in sc["events"]


def test_debug_lab_rules_choose_behaviour_from_the_manifest():
    """oom-init: a 32Mi limit is OOMKilled, 64Mi is not (the case says load-cache needs 48Mi)."""
    from initlab.book.debug import case

    c = case("oom-init")
    assert c.scenario()["behavior"]["load-cache"] == [{"run": 3, "oom": True}]
    assert c.scenario(_fixed("oom-init"))["behavior"]["load-cache"] == [{"run": 3}]


def test_debug_lab_symptoms_are_get_describe_and_logs():
    """What the learner sees: kubectl get, describe and the logs, not the cause."""
    from initlab.book.debug import case

    sym = case("crashloop-init").symptoms()
    assert sym["get"].splitlines()[2].split()[2] == "Init:CrashLoopBackOff"
    assert sym["describe"].startswith("$ kubectl describe pod cart\nName:")
    assert "error: DB_URL is not set" in sym["logs"]


def test_check_json_answers_bad_yaml_with_one_line():
    """The page's grading call: bad YAML is one line, no traceback, not passed."""
    from initlab.book.live import check_json

    out = json.loads(check_json("oom-init", "pod: ["))
    assert out["passed"] is False and "\n" not in out["message"] and "YAML" in out["message"]


def test_debug_lab_html_is_self_contained():
    """The lab's HTML: every case, no external URL, the manifest escaped in a labelled textarea."""
    import re

    from initlab.book.debug import cases, lab

    page = lab().html
    for cid in cases():
        assert f'id="ildl-{cid}"' in page and f'<label for="ildl-{cid}-yaml">' in page
    assert "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page)


def test_debug_cases_dict_keeps_the_notebooks_shape():
    """DEBUG_CASES[id] has title, scenario (the broken run), answer and explain."""
    from initlab.book.widgets import DEBUG_CASES, DIAGNOSES, FIXES

    for c in DEBUG_CASES.values():
        assert c["answer"][0] in DIAGNOSES and c["answer"][1] in FIXES
        assert "pod" in c["scenario"] and c["title"] and c["explain"]
