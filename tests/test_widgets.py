"""The live explorers: their pure state (initlab.book.explorers) and the thin ipywidgets panels.

State tests drive `ExplorerState`, `WhatIfState`, ... with no display; panel
tests drive the controls as a learner would and read the rendered outputs.
"""

from __future__ import annotations

import ast
import copy
import html
from pathlib import Path

import ipywidgets
import pytest
import yaml
from helpers import folded
from scenarios import MYAPP

import initlab
from initlab.api.loader import apply_defaults
from initlab.api.resources import pod_requests, qos_class
from initlab.book import timeline, widgets
from initlab.book.explorers import (
    DEBUG_CASES,
    DIAGNOSES,
    FIXES,
    AdmissionState,
    DebugState,
    ExplorerState,
    ResourceState,
    WhatIfState,
    pre_html,
)
from initlab.kubectl import render_events

PACKAGE = Path(initlab.__file__).parent


#: What the API server's decoder says of `spec.containers: "x"` (before any validation).
DECODE_ERROR = (
    'Error from server (BadRequest): Pod in version "v1" cannot be handled as a Pod: '
    "json: cannot unmarshal string into Go struct field PodSpec.spec.containers "
    "of type []v1.Container"
)


def _never_failure() -> dict:
    sc = copy.deepcopy(MYAPP)
    sc["pod"]["spec"]["restartPolicy"] = "Never"
    sc["behavior"] = {"init-myservice": [{"run": 2, "exit": 1}]}
    return sc


INVALID_POD = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": "x"},
    }
}


def _initlab_imports(module: str) -> set[str]:
    """Every module `module` imports, following initlab's own modules (function-local ones too)."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if not name.startswith("initlab"):
            continue
        rel = Path(*name.split(".")[1:])
        path = PACKAGE / rel / "__init__.py"
        if not path.exists():
            path = (PACKAGE / rel).with_suffix(".py")
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                todo += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                todo.append(node.module)
                todo += [f"{node.module}.{a.name}" for a in node.names]
    return seen


def test_explorer_state_never_imports_ipywidgets():
    """initlab.book.explorers and everything it imports, transitively, do without ipywidgets."""
    roots = {name.split(".")[0] for name in _initlab_imports("initlab.book.explorers")}
    assert "initlab.book.widgets" not in _initlab_imports("initlab.book.explorers")
    assert "ipywidgets" not in roots


# -- ExplorerState ------------------------------------------------------------------


def test_stepping_myapp_pod_walks_init_statuses_to_running():
    """Stepping shows Pending → Init:0/2 → Init:1/2 → PodInitializing → Running and stops."""
    ex = ExplorerState(MYAPP)
    seen = [ex.snapshot["status"]]
    for _ in range(len(ex.snapshots) + 3):
        seen.append(ex.step()["status"])
    assert folded(seen) == ["Pending", "Init:0/2", "Init:1/2", "PodInitializing", "Running"]
    assert ex.index == ex.last_index == 7


def test_stepping_to_init_1_of_2_shows_it_in_get_clock_and_events():
    """At the first Init:1/2 the get row, the clock and the events so far all agree."""
    ex = ExplorerState(MYAPP)
    while ex.snapshot["status"] != "Init:1/2":
        ex.step()
    assert ex.index == 4 and ex.t == 9.0
    assert ex.get_text.splitlines()[1].split() == ["myapp-pod", "0/1", "Init:1/2", "0", "9s"]
    assert ex.clock_text == "t = 9s  (5/8)  Init:1/2"
    assert ex.events_text == render_events(ex.result, 9.0).rstrip("\n")
    assert ex.events_text.splitlines()[-1].split()[:2] == ["Normal", "Started"]


def test_events_so_far_grow_with_the_cursor_and_the_timeline_cursor_moves():
    """At the start no init container has started; later events and the SVG cursor differ."""
    first = ExplorerState(MYAPP)
    later = ExplorerState(MYAPP)
    later.goto(4)
    assert "Started" not in first.events_text
    assert first.events_text.count("\n") == 3 and later.events_text.count("\n") == 10
    assert first.views()["timeline"] != later.views()["timeline"]


def test_back_moves_the_cursor_back_and_stops_at_the_first_snapshot():
    """back() returns the previous snapshot; more backs stay at index 0."""
    ex = ExplorerState(MYAPP)
    ex.goto(2)
    third = ex.snapshot
    ex.step()
    assert ex.back() == third and ex.index == 2
    for _ in range(5):
        ex.back()
    assert ex.index == 0


def test_goto_clamps_the_cursor_to_the_run():
    """goto() beyond either end lands on the first or last snapshot."""
    ex = ExplorerState(MYAPP)
    assert ex.goto(99) == ex.snapshots[-1] and ex.index == 7
    assert ex.goto(-3) == ex.snapshots[0] and ex.index == 0


def test_load_never_policy_failure_ends_in_init_error_and_failed():
    """Loading a Never-policy pod whose init fails ends in Init:Error, phase Failed."""
    ex = ExplorerState(MYAPP)
    ex.goto(3)
    ex.load(_never_failure())
    assert ex.error is None and ex.index == 0
    assert (ex.snapshots[-1]["status"], ex.snapshots[-1]["phase"]) == ("Init:Error", "Failed")


def test_load_accepts_yaml_text_and_shows_it_in_the_editor():
    """load() takes YAML text as well as a dict; `.source` is the text as given."""
    text = yaml.safe_dump(_never_failure())
    ex = ExplorerState(MYAPP)
    ex.load(text)
    assert ex.error is None and ex.snapshots[-1]["status"] == "Init:Error"
    assert ex.source == text


def test_editor_shows_a_scenario_files_own_text(examples_dir):
    """An explorer on a path shows that file's YAML (comments kept) in the editor."""
    path = examples_dir / "myapp-pod.yaml"
    ex = ExplorerState(str(path))
    assert ex.source == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (
            "pod: [\n  - {unclosed\n",
            "<scenario>: not valid YAML: did not find expected node content at line 2, column 3",
        ),
        (INVALID_POD, DECODE_ERROR),
        (
            {"pod": MYAPP["pod"], "behavior": {"no-such-container": [{"run": 1}]}},
            'behavior.no-such-container: no container named "no-such-container" in the pod '
            "(containers: init-mydb, init-myservice, myapp-container)",
        ),
    ],
    ids=["yaml-garbage", "invalid-pod", "unknown-container-in-behavior"],
)
def test_bad_edit_is_a_one_line_error_and_keeps_the_last_run(bad, error):
    """Bad input never raises: `.error` is one line with the field path; the last run stays."""
    ex = ExplorerState(MYAPP)
    ex.goto(4)
    before = ex.snapshots
    ex.load(bad)
    assert ex.error == error
    assert ex.snapshots == before and ex.index == 4
    assert ex.views()["error"].count(html.escape(error)) == 1
    ex.load(MYAPP)
    assert ex.error is None and ex.views()["error"] == ""


def test_invalid_pod_at_first_load_leaves_no_run():
    """An invalid first pod: the error names the field, there is no run and no title."""
    ex = ExplorerState(INVALID_POD)
    assert ex.error == DECODE_ERROR
    assert ex.result is None and ex.snapshot == {} and ex.snapshots == []
    assert ex.views()["title"] == "<b>no run yet</b>" and ex.views()["get"] == ""


def test_explorer_on_a_missing_file_reports_it_and_keeps_the_path_in_the_editor():
    """A path that does not exist: one-line error, no run, the path stays editable."""
    ex = ExplorerState("no/such.yaml")
    assert ex.error == "no/such.yaml: no such file"
    assert ex.result is None and ex.source == "no/such.yaml"


def test_explorer_without_a_scenario_waits_for_one():
    """An explorer made empty has no run, no error and an empty editor."""
    ex = ExplorerState()
    assert (ex.result, ex.error, ex.source, ex.snapshots) == (None, None, "", [])
    assert ex.views()["title"] == "<b>no run yet</b>"


def test_explorer_run_is_initlab_simulate_of_the_same_scenario():
    """The explorer's snapshots are exactly initlab.simulate's timeline."""
    assert ExplorerState(MYAPP).snapshots == initlab.simulate(MYAPP).timeline


def test_explorer_title_names_the_pod_escaped():
    """The title is the pod's name, HTML-escaped."""
    assert ExplorerState(MYAPP).views()["title"] == "<b>myapp-pod</b>: step through the start-up"


# -- WhatIfState --------------------------------------------------------------------


def test_what_if_starts_with_the_pods_own_options():
    """Untouched, the lab runs the pod as written: restartPolicy Always, nothing fails."""
    lab = WhatIfState(MYAPP)
    assert lab.options == {
        "restart_policy": "Always",
        "fail": None,
        "failures": 1,
        "exit_code": 1,
        "deadline": 0,
        "sidecar": False,
        "sandbox_restart_at": 0,
    }
    assert lab.init_names == ["init-myservice", "init-mydb"]
    assert lab.statuses == ["Pending", "Init:0/2", "Init:1/2", "PodInitializing", "Running"]


def test_what_if_failing_init_adds_crashloop_then_recovers():
    """Making init-mydb fail twice adds Init:Error and Init:CrashLoopBackOff before Running."""
    lab = WhatIfState(MYAPP)
    lab.set(fail="init-mydb", failures=2)
    assert lab.statuses == [
        "Pending",
        "Init:0/2",
        "Init:1/2",
        "Init:Error",
        "Init:1/2",
        "Init:Error",
        "Init:CrashLoopBackOff",
        "Init:1/2",
        "PodInitializing",
        "Running",
    ]
    mydb = next(s for s in lab.final["initContainerStatuses"] if s["name"] == "init-mydb")
    assert mydb["restartCount"] == 2


def test_what_if_never_policy_and_failing_init_fails_the_pod():
    """restartPolicy Never + a failing init container: Init:Error and phase Failed."""
    lab = WhatIfState(MYAPP["pod"])
    lab.set(fail="init-myservice", failures=1, restart_policy="Never")
    assert (lab.final["status"], lab.final["phase"]) == ("Init:Error", "Failed")
    assert lab.statuses == ["Pending", "Init:0/2", "Init:Error"]
    assert lab.summary_text.endswith("\nphase: Failed")


def test_what_if_sidecar_toggle_adds_a_sidecar_lane():
    """Turning the native sidecar on adds a first sidecar lane and READY 2/2."""
    lab = WhatIfState(MYAPP["pod"])
    lab.set(sidecar=True)
    assert [(la.name, la.kind) for la in timeline.lanes(lab.result)][0] == ("sidecar", "sidecar")
    assert lab.final["ready"] == "2/2"
    assert [c["name"] for c in lab.scenario["pod"]["spec"]["initContainers"]] == [
        "sidecar",
        "init-myservice",
        "init-mydb",
    ]


def test_what_if_deadline_fails_a_slow_init():
    """activeDeadlineSeconds 5, shorter than init: phase Failed after DeadlineExceeded."""
    lab = WhatIfState(MYAPP)
    lab.set(deadline=5)
    assert lab.final["phase"] == "Failed"
    assert [e["reason"] for e in lab.result.events].count("DeadlineExceeded") == 1


def test_what_if_sandbox_restart_reruns_init():
    """A sandbox restart at 30 s: SandboxChanged, and init-mydb starts a second time."""
    lab = WhatIfState(MYAPP["pod"])
    lab.set(sandbox_restart_at=30)
    assert lab.scenario["events"] == [{"at": 30, "action": "restart-sandbox"}]
    reasons = [e["reason"] for e in lab.result.events]
    assert reasons.count("SandboxChanged") == 1
    started = [
        e
        for e in lab.result.events
        if e["reason"] == "Started" and e["object"] == "spec.initContainers{init-mydb}"
    ]
    assert len(started) == 2


def test_what_if_starts_from_the_scenarios_own_sandbox_restart(examples_dir):
    """The sandbox-restart option starts at the base scenario's time, and 0 removes it."""
    lab = WhatIfState(str(examples_dir / "non-idempotent-init.yaml"))
    assert lab.options["sandbox_restart_at"] == 60
    assert lab.statuses[-1] == "Error"
    lab.set(sandbox_restart_at=0)
    assert lab.statuses[-1] == "Running"
    assert "events" not in lab.scenario


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"color": "red"}, "unknown option(s): color"),
        (
            {"restart_policy": "Sometimes"},
            "restart_policy: Unsupported value: 'Sometimes': supported values: "
            '"Always", "OnFailure", "Never"',
        ),
        (
            {"fail": "nope"},
            "fail: 'nope' is not an init container of this pod "
            "(init containers: init-myservice, init-mydb)",
        ),
    ],
    ids=["unknown-option", "bad-restart-policy", "unknown-init-container"],
)
def test_what_if_bad_option_is_an_error_and_keeps_the_run(options, error):
    """An option the lab cannot apply is a one-line `.error`; options and run stay."""
    lab = WhatIfState(MYAPP)
    before = (dict(lab.options), lab.result)
    lab.set(**options)
    assert lab.error == error
    assert (lab.options, lab.result) == before


def test_what_if_reads_yaml_text_without_a_final_newline():
    """Scenario YAML text (last newline trimmed) loads like the dict it dumps."""
    lab = WhatIfState(yaml.safe_dump(MYAPP).rstrip("\n"))
    assert lab.error is None
    assert lab.statuses == WhatIfState(MYAPP).statuses


def test_what_if_on_an_unreadable_pod_reports_its_own_error():
    """A pod that does not load: the loader's error, no run, empty views."""
    lab = WhatIfState({"pod": INVALID_POD["pod"]})
    assert lab.error == DECODE_ERROR
    assert lab.result is None and lab.statuses == [] and lab.final == {}
    assert lab.views()["summary"] == ""


# -- ResourceState ------------------------------------------------------------------


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


def test_resource_rows_label_sidecars_and_init_containers():
    """The edit grid has one row per container, roles in the label, values as written."""
    assert ResourceState(_resource_pod()).rows() == [
        (
            "side",
            "side (sidecar)",
            {
                "requests.cpu": "10m",
                "limits.cpu": "",
                "requests.memory": "10Mi",
                "limits.memory": "",
            },
        ),
        (
            "init",
            "init (init)",
            {
                "requests.cpu": "200m",
                "limits.cpu": "",
                "requests.memory": "",
                "limits.memory": "64Mi",
            },
        ),
        (
            "app",
            "app",
            {
                "requests.cpu": "100m",
                "limits.cpu": "",
                "requests.memory": "100Mi",
                "limits.memory": "",
            },
        ),
    ]


def test_resource_numbers_match_pod_requests_and_qos_after_defaulting():
    """Effective requests and QoS equal resources.pod_requests / qos_class of the defaulted pod."""
    pod = _resource_pod()
    rx = ResourceState(pod)
    want = apply_defaults(pod)
    assert rx.effective_requests == {k: str(v) for k, v in pod_requests(want).items()}
    assert rx.effective_requests == {"cpu": "210m", "memory": "110Mi"}
    assert rx.qos_class == qos_class(want) == "Burstable"
    rx.set("app", "requests.cpu", "500m")
    want["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "500m"
    assert rx.effective_requests == {k: str(v) for k, v in pod_requests(want).items()}
    assert rx.effective_requests["cpu"] == "510m"


def test_resource_limits_alone_make_a_guaranteed_pod():
    """Limits without requests default the requests to them: QoS Guaranteed, and it fits."""
    rx = ResourceState(
        {
            "metadata": {"name": "g"},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "x",
                        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                    }
                ]
            },
        }
    )
    assert rx.qos_class == "Guaranteed"
    assert rx.effective_requests == rx.effective_limits == {"cpu": "1", "memory": "1Gi"}
    assert rx.report_text.splitlines()[-1] == "on a node with cpu=2, memory=4Gi: fits"


def test_resource_bad_quantity_is_an_error_with_the_field_path():
    """A bad quantity shows Kubernetes' message; the numbers stay at the last good pod."""
    rx = ResourceState(_resource_pod())
    before = rx.effective_requests
    rx.set("init", "requests.cpu", "lots")
    assert rx.error is not None
    assert rx.error.startswith("spec.initContainers[1].resources.requests[cpu]: Invalid value")
    assert rx.effective_requests == before
    rx.set("init", "requests.cpu", "300m")
    assert rx.error is None and rx.effective_requests["cpu"] == "310m"


def test_resource_fit_follows_requests_and_node():
    """A request past the node's allocatable does not fit; a bigger node fits again."""
    rx = ResourceState(_resource_pod(), node={"cpu": "1", "memory": "1Gi"})
    assert rx.fits is True
    rx.set("init", "requests.cpu", "2")
    assert rx.fits is False and rx.insufficient == ["Insufficient cpu"]
    assert rx.report_text.splitlines()[-1] == (
        "on a node with cpu=1, memory=1Gi: does NOT fit: Insufficient cpu"
    )
    rx.set_node(cpu="4")
    assert rx.fits is True


def test_resource_without_a_node_does_not_check_fit():
    """Clearing both node fields: fits is None and the report says nothing about a node."""
    rx = ResourceState(_resource_pod())
    rx.set_node(cpu="", memory="")
    assert rx.node == {} and rx.fits is None
    assert "on a node" not in rx.report_text


def test_resource_empty_value_removes_the_field():
    """Setting "" removes the request; an emptied section goes too; init's 210m/74Mi step is left."""
    rx = ResourceState(_resource_pod())
    rx.set("app", "requests.cpu", "")
    rx.set("app", "requests.memory", "")
    assert "requests" not in rx.pod["spec"]["containers"][0]["resources"]
    assert rx.effective_requests == {"cpu": "210m", "memory": "74Mi"}


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda rx: rx.set("nope", "requests.cpu", "1"), 'no container named "nope" in this pod'),
        (
            lambda rx: rx.set("app", "cpu", "1"),
            "unknown field 'cpu': one of requests.cpu, limits.cpu, requests.memory, limits.memory",
        ),
        (
            lambda rx: rx.set_node(cpu="lots"),
            "node cpu: quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
    ],
    ids=["unknown-container", "unknown-field", "bad-node-quantity"],
)
def test_resource_bad_edit_is_reported_not_raised(call, error):
    """An unknown container or field, or a bad node quantity, is a one-line error."""
    rx = ResourceState(_resource_pod())
    call(rx)
    assert rx.errors == [error]


# -- AdmissionState -----------------------------------------------------------------


def test_admission_istio_native_injects_and_the_run_shows_it():
    """istio-native puts istio-init and istio-proxy first; the admitted pod reaches Running."""
    ax = AdmissionState(MYAPP["pod"])
    assert ax.available == [
        "istio",
        "istio-cni",
        "istio-native",
        "kyverno-add-init",
        "kyverno-require-resources",
        "linkerd",
        "vault",
    ]
    ax.select("istio-native")
    assert ax.error is None and ax.selected == ["istio-native"]
    assert [c["name"] for c in ax.admitted["spec"]["initContainers"]] == [
        "istio-init",
        "istio-proxy",
        "init-myservice",
        "init-mydb",
    ]
    assert [p["webhook"] for p in ax.patches] == ["istio-native"]
    assert [la.name for la in timeline.lanes(ax.result)][:2] == ["istio-init", "istio-proxy"]
    assert ax.result.final["status"] == "Running"


def test_admission_without_webhooks_admits_the_pod_unpatched():
    """No webhook picked: allowed, no patches, the submitted pod's own run."""
    ax = AdmissionState(MYAPP["pod"])
    assert ax.patches == []
    assert ax.patch_text == '{\n  "allowed": true,\n  "warnings": [],\n  "patches": []\n}'
    assert ax.result.timeline == initlab.simulate({"pod": MYAPP["pod"]}).timeline


def test_admission_denial_is_one_line_and_leaves_no_run():
    """A validating policy that denies the pod: one-line error, no timeline."""
    ax = AdmissionState(MYAPP["pod"])
    ax.select("kyverno-require-resources")
    assert ax.error is not None and "\n" not in ax.error
    assert ax.error.startswith(
        'admission denied the pod: admission webhook "validate.kyverno.svc-fail" denied the request:'
    )
    assert ax.result is None and ax.views()["timeline"] == ""


def test_admission_unknown_webhook_is_an_error_not_an_exception():
    """An unknown webhook name is reported in one line."""
    ax = AdmissionState(MYAPP["pod"])
    ax.select("nope")
    assert ax.error == (
        'webhooks: unknown webhook "nope" (built-in: istio, istio-native, istio-cni, '
        "linkerd, vault, kyverno-add-init, kyverno-require-resources)"
    )


# -- DebugState ---------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(DEBUG_CASES))
def test_debug_lab_grades_its_answer_right_and_another_diagnosis_wrong(case):
    """Each case simulates; check() accepts its answer and rejects a wrong diagnosis."""
    lab = DebugState(case)
    assert lab.error is None and lab.final != {}
    assert lab.observations().startswith("$ kubectl get pod\nNAME ")
    good = lab.check(lab.spec["answer"])
    assert good.correct and good.feedback == "Right. " + lab.spec["explain"]
    wrong = next(d for d in DIAGNOSES if d != lab.spec["answer"][0])
    bad = lab.check({"diagnosis": wrong, "fix": lab.spec["answer"][1]})
    assert (bad.correct, bad.diagnosis_ok, bad.fix_ok) == (False, False, True)
    assert bad.feedback == "Not quite: look again at STATUS, RESTARTS and the events' reasons."


def test_debug_lab_right_diagnosis_wrong_fix_says_so():
    """The right diagnosis with a wrong fix: diagnosis_ok only, and the feedback says why."""
    lab = DebugState("never-flaky")
    wrong_fix = next(f for f in FIXES if f != "onfailure")
    verdict = lab.check(("never", wrong_fix))
    assert (verdict.correct, verdict.diagnosis_ok, verdict.fix_ok) == (False, True, False)
    assert verdict.feedback == "The diagnosis is right, but that fix would not help here."


@pytest.mark.parametrize("answer", [None, {"diagnosis": "never"}, ("never",)])
def test_debug_lab_incomplete_answer_asks_for_both_parts(answer):
    """An answer missing a diagnosis or a fix is not graded, only asked for."""
    verdict = DebugState("never-flaky").check(answer)
    assert not verdict and verdict.feedback == "Pick a diagnosis and a fix."


def test_debug_lab_finals_show_the_symptoms_the_titles_promise():
    """The broken pods end in the STATUS their titles describe."""
    finals = {case: DebugState(case).final["status"] for case in DEBUG_CASES}
    assert finals["typo-service"] == "Init:0/1"
    assert finals["never-flaky"] == "Init:Error"
    assert finals["oom-init"] in ("Init:OOMKilled", "Init:CrashLoopBackOff")
    assert finals["image-pull"] in ("Init:ImagePullBackOff", "Init:ErrImagePull")
    assert finals["crashloop-init"] in ("Init:CrashLoopBackOff", "Init:Error")


def test_debug_lab_observes_the_pod_at_the_end_of_the_run():
    """A pod stuck for two minutes shows AGE 2m, not the age of its last change."""
    row = DebugState("typo-service").observations().splitlines()[2].split()
    assert row[2] == "Init:0/1" and row[-1] == "2m"


def test_debug_lab_observations_include_the_init_containers_logs():
    """crashloop-init: the migrate container's log is shown under `kubectl logs`."""
    text = DebugState("crashloop-init").observations()
    assert "\n$ kubectl logs cart -c migrate\n" in text
    assert "error: DB_URL is not set" in text


def test_unknown_debug_case_lists_the_cases():
    """An unknown case name raises KeyError naming the available cases."""
    with pytest.raises(KeyError, match="typo-service"):
        DebugState("nope")


def test_debug_cases_dict_keeps_the_notebooks_shape():
    """DEBUG_CASES[id] has title, scenario (the broken run), answer and explain."""
    for c in DEBUG_CASES.values():
        assert c["answer"][0] in DIAGNOSES and c["answer"][1] in FIXES
        assert "pod" in c["scenario"] and c["title"] and c["explain"]


def test_debug_verdict_view_is_coloured_by_correctness():
    """No verdict before a check; green for right, orange-red for wrong, feedback escaped."""
    lab = DebugState("never-flaky")
    assert lab.views()["verdict"] == ""
    lab.check(("oom", "onfailure"))
    assert lab.views()["verdict"] == (
        '<div style="border-left:4px solid #D55E00;padding:4px 8px">'
        "Not quite: look again at STATUS, RESTARTS and the events&#x27; reasons.</div>"
    )
    lab.check(("never", "onfailure"))
    assert lab.views()["verdict"].startswith('<div style="border-left:4px solid #009E73;')


# -- the panels (ipywidgets), driven through their controls -------------------------


def test_widgets_public_api_is_unchanged():
    """The notebooks' names are still exported by initlab.book.widgets."""
    assert widgets.__all__ == [
        "Explorer",
        "WhatIf",
        "ResourceExplorer",
        "AdmissionExplorer",
        "DebugLab",
        "CheckResult",
        "explore",
        "what_if",
        "resource_explorer",
        "admission_explorer",
        "debug_lab",
        "DEBUG_CASES",
        "DIAGNOSES",
        "FIXES",
    ]
    assert widgets.DEBUG_CASES is DEBUG_CASES


def test_explorer_panel_is_an_ipywidgets_tree_showing_the_state():
    """`.widget` is a VBox; its outputs are the state's views; the state reads through."""
    ex = widgets.explore(MYAPP)
    assert isinstance(ex.widget, ipywidgets.VBox)
    assert {k: o.value for k, o in ex.outputs.items()} == ex.state.views()
    assert ex.outputs["timeline"].value.startswith("<svg")
    assert ex.snapshots == ex.state.snapshots and ex.error is None


def test_moving_the_slider_changes_the_rendered_get_table():
    """Setting the slider to 4 renders Init:1/2 in the get table and the clock."""
    ex = widgets.explore(MYAPP)
    before = ex.outputs["get"].value
    ex.controls["slider"].value = 4
    assert ex.index == 4
    assert ex.outputs["get"].value != before
    assert ex.outputs["get"].value == pre_html(ex.state.get_text)
    assert ex.outputs["clock"].value == "<code>t = 9s  (5/8)  Init:1/2</code>"


def test_step_and_back_buttons_move_the_slider():
    """Clicking step twice and back once leaves the cursor and the slider at 1."""
    ex = widgets.explore(MYAPP)
    ex.controls["step"].click()
    ex.controls["step"].click()
    ex.controls["back"].click()
    assert ex.index == 1 and ex.controls["slider"].value == 1
    assert ex.controls["slider"].max == ex.controls["play"].max == 7


def test_editing_the_scenario_and_simulating_shows_the_new_run():
    """A Never-policy edit in the editor, then simulate: the last snapshot is Init:Error."""
    ex = widgets.explore(MYAPP)
    ex.step()
    ex.controls["source"].value = yaml.safe_dump(_never_failure())
    ex.controls["simulate"].click()
    assert ex.controls["slider"].value == 0
    ex.controls["slider"].value = ex.controls["slider"].max
    assert ex.outputs["get"].value.count("Init:Error") == 1


def test_a_bad_edit_shows_the_error_box_and_keeps_the_table():
    """Bad YAML in the editor: the error box shows it, the get table stays, the text stays."""
    ex = widgets.explore(MYAPP)
    before = ex.outputs["get"].value
    ex.controls["source"].value = "pod: ["
    ex.controls["simulate"].click()
    assert ex.error is not None and html.escape(ex.error) in ex.outputs["error"].value
    assert ex.outputs["get"].value == before and ex.controls["source"].value == "pod: ["


def test_loading_in_python_fills_the_editor_and_resets_the_slider():
    """`.load(dict)` shows the scenario's YAML in the editor and the slider back at 0."""
    ex = widgets.explore(MYAPP)
    ex.goto(5)
    ex.load(_never_failure())
    assert ex.controls["source"].value == yaml.safe_dump(_never_failure(), sort_keys=False)
    assert ex.controls["slider"].value == 0
    assert ex.controls["slider"].max == ex.state.last_index


def test_what_if_toggle_never_renders_init_error_and_failed():
    """Picking a failing init and Never in the controls renders Init:Error, phase Failed."""
    lab = widgets.what_if(MYAPP)
    lab.controls["fail"].value = "init-myservice"
    lab.controls["restart_policy"].value = "Never"
    assert lab.options["restart_policy"] == "Never" and lab.options["fail"] == "init-myservice"
    assert lab.outputs["summary"].value == pre_html(lab.state.summary_text)
    assert lab.state.summary_text.endswith("\nphase: Failed")


def test_what_if_set_in_python_moves_the_controls():
    """`.set(...)` in Python shows the new values in the controls."""
    lab = widgets.what_if(MYAPP["pod"])
    lab.set(restart_policy="Never", sandbox_restart_at=30, sidecar=True)
    c = lab.controls
    assert (c["restart_policy"].value, c["sandbox_restart_at"].value, c["sidecar"].value) == (
        "Never",
        30,
        True,
    )
    assert lab.statuses == lab.state.statuses


def test_what_if_bad_option_shows_the_error_box():
    """An unknown option set in Python renders its one-line error."""
    lab = widgets.what_if(MYAPP)
    lab.set(color="red")
    assert lab.error == "unknown option(s): color"
    assert "unknown option(s): color" in lab.outputs["error"].value


def test_resource_panel_box_edit_updates_the_report():
    """Typing 500m into app's requests.cpu box renders cpu=510m as the effective request."""
    rx = widgets.resource_explorer(_resource_pod())
    rx.controls["app/requests.cpu"].value = "500m"
    assert rx.effective_requests["cpu"] == "510m"
    assert "effective requests: cpu=510m, memory=110Mi" in rx.outputs["report"].value


def test_resource_panel_bad_box_shows_the_error_and_keeps_the_report():
    """A bad quantity in a box: the error box shows Invalid value; the report is unchanged."""
    rx = widgets.resource_explorer(_resource_pod())
    before = rx.outputs["report"].value
    rx.controls["init/requests.cpu"].value = "lots"
    assert "resources.requests[cpu]: Invalid value" in rx.outputs["error"].value
    assert rx.outputs["report"].value == before


def test_resource_panel_node_box_and_set_in_python_stay_in_sync():
    """Node cpu typed in its box changes fit; `.set` in Python updates the container's box."""
    rx = widgets.resource_explorer(_resource_pod(), node={"cpu": "1", "memory": "1Gi"})
    rx.set("init", "requests.cpu", " 2 ")
    assert rx.controls["init/requests.cpu"].value == "2" and rx.fits is False
    rx.controls["node cpu"].value = "4"
    assert rx.fits is True and rx.node["cpu"] == "4"


def test_admission_panel_picking_a_webhook_renders_its_patch_and_timeline():
    """Selecting istio-native in the list renders its patch and a timeline."""
    ax = widgets.admission_explorer(MYAPP["pod"])
    ax.controls["webhooks"].value = ("istio-native",)
    assert ax.selected == ["istio-native"]
    assert ax.outputs["patch"].value == pre_html(ax.state.patch_text)
    assert '"webhook": "istio-native"' in ax.state.patch_text
    assert ax.outputs["timeline"].value.startswith("<svg")


def test_admission_panel_select_in_python_moves_the_list():
    """`.select(...)` in Python selects the same webhooks in the list."""
    ax = widgets.admission_explorer(MYAPP["pod"])
    ax.select("linkerd")
    assert ax.controls["webhooks"].value == ("linkerd",)


def test_debug_lab_panel_check_button_grades_the_picked_answer():
    """Pick the right diagnosis and fix, click check: the verdict says Right."""
    lab = widgets.debug_lab("never-flaky")
    lab.controls["diagnosis"].value = "never"
    lab.controls["fix"].value = "onfailure"
    lab.controls["check"].click()
    assert lab.last is not None and lab.last.correct
    assert lab.outputs["verdict"].value == lab.state.views()["verdict"]
    assert ">Right. With the pod&#x27;s restartPolicy Never" in lab.outputs["verdict"].value


def test_debug_lab_panel_shows_title_and_observations():
    """The panel shows the case title and what kubectl shows."""
    lab = widgets.debug_lab("typo-service")
    assert (
        lab.outputs["title"].value == f"<b>{html.escape(DEBUG_CASES['typo-service']['title'])}</b>"
    )
    assert lab.outputs["observations"].value == pre_html(lab.observations())
