"""The built-in admission plugins in the chain: order, reinvocation, reports, CLI and scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from initlab.admission import Namespace, Registration, Verdict, Webhook, admit
from initlab.admission.controllers import namespace as ns_model
from initlab.cli import main
from initlab.errors import InputError, InvalidError
from initlab.kubectl import render_admission
from initlab.sim.scenario import load_scenario

APP = {
    "name": "app",
    "image": "nginx:1.27",
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
}
LIMIT_RANGE = ns_model.limit_range(
    {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "defaults"},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": "500m", "memory": "256Mi"},
                    "defaultRequest": {"cpu": "200m", "memory": "128Mi"},
                }
            ]
        },
    }
)


def _pod(*inits: dict[str, Any], app: dict[str, Any] = APP) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"initContainers": list(inits), "containers": [app]},
    }


def _injector(policy: str = "Never") -> Webhook:
    """A webhook that injects an init container `agent` with no resources (once)."""

    def handler(request: dict[str, Any], ctx: Any) -> Verdict:
        inits = request["object"]["spec"].get("initContainers") or []
        if any(c.get("name") == "agent" for c in inits):
            return Verdict()
        op = {"op": "add", "path": "/spec/initContainers/0" if inits else "/spec/initContainers"}
        agent = {"name": "agent", "image": "example.com/agent:1"}
        op["value"] = agent if inits else [agent]
        return Verdict(patch=[op])

    reg = Registration(name="agent.example.com", reinvocation_policy=policy)
    return Webhook("agent", "mutating", handler, (reg,))


def _steps(result: Any) -> list[tuple[str, str, int]]:
    return [(getattr(s, "plugin", ""), getattr(s, "name", s.plugin), s.round) for s in result.log]


def test_limit_ranger_defaults_reach_an_init_container_a_webhook_injected_after_it_ran():
    """reinvocation.go re-runs the in-tree plugins: LimitRanger's second run defaults `agent`."""
    result = admit(_pod(), [_injector()], namespace=Namespace(limit_ranges=[LIMIT_RANGE]))
    assert result.allowed
    agent = result.pod["spec"]["initContainers"][0]
    assert agent["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "200m", "memory": "128Mi"},
    }
    assert [(s.plugin, s.round) for s in result.log] == [
        ("LimitRanger", 0),
        ("MutatingAdmissionWebhook", 0),
        ("LimitRanger", 1),
        ("LimitRanger", 0),
    ]
    assert result.pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for init container agent; "
        "cpu, memory limit for init container agent"
    )


def test_no_webhook_change_means_no_second_limit_ranger_run():
    """Without a webhook changing the pod there is no reinvocation: LimitRanger admits once."""
    result = admit(_pod(), [], namespace=Namespace(limit_ranges=[LIMIT_RANGE]))
    assert [(s.plugin, s.type, s.round) for s in result.log] == [
        ("LimitRanger", "mutating", 0),
        ("LimitRanger", "validating", 0),
    ]
    assert result.pod["spec"]["containers"][0]["resources"]["limits"] == {
        "cpu": "500m",
        "memory": "256Mi",
    }


def test_if_needed_webhook_is_reinvoked_when_limit_ranger_changes_the_pod_on_reinvocation():
    """`IsOutputChangedSinceLastWebhookInvocation`: LimitRanger's round-1 change marks IfNeeded webhooks."""
    with_lr = admit(
        _pod(), [_injector("IfNeeded")], namespace=Namespace(limit_ranges=[LIMIT_RANGE])
    )
    without = admit(_pod(), [_injector("IfNeeded")])
    assert [c.round for c in with_lr.calls] == [0, 1]
    assert [c.round for c in without.calls] == [0]


def _full_namespace(used_cpu: str = "0") -> Namespace:
    return Namespace(
        labels={"pod-security.kubernetes.io/enforce": "baseline"},
        limit_ranges=[LIMIT_RANGE],
        resource_quotas=[
            ns_model.resource_quota(
                {
                    "kind": "ResourceQuota",
                    "metadata": {"name": "compute"},
                    "spec": {"hard": {"requests.cpu": "1"}},
                    "status": {"used": {"requests.cpu": used_cpu}},
                }
            )
        ],
    )


def _validator() -> Webhook:
    reg = Registration(name="check.example.com")
    return Webhook("check", "validating", lambda request, ctx: Verdict(), (reg,))


def test_decisions_are_logged_in_the_api_servers_plugin_order():
    """LimitRanger, webhooks, LimitRanger again, LimitRanger's bounds, PodSecurity, validating webhooks, ResourceQuota."""
    result = admit(_pod(), [_injector(), _validator()], namespace=_full_namespace())
    assert result.allowed
    assert [(s.plugin, s.type, s.round) for s in result.log] == [
        ("LimitRanger", "mutating", 0),
        ("MutatingAdmissionWebhook", "mutating", 0),
        ("LimitRanger", "mutating", 1),
        ("LimitRanger", "validating", 0),
        ("PodSecurity", "validating", 0),
        ("ValidatingAdmissionWebhook", "validating", 0),
        ("ResourceQuota", "validating", 0),
    ]
    log = result.to_json()["log"]
    assert [e["plugin"] for e in log] == [s.plugin for s in result.log]
    # the agent LimitRanger defaulted (200m) outweighs the app (100m): the pod is charged 200m
    assert log[-1]["charges"][0]["requested"] == {"requests.cpu": "200m"}


def test_quota_is_not_charged_when_pod_security_refuses_the_pod():
    """The chain stops at the first validating error: ResourceQuota never sees a refused pod."""
    istio_init = {
        "name": "istio-init",
        "image": "docker.io/istio/proxyv2:1.26.0",
        "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
    }
    result = admit(_pod(istio_init), [_validator()], namespace=_full_namespace())
    assert not result.allowed
    assert [s.plugin for s in result.log][-1] == "PodSecurity"
    assert not any(s.plugin == "ValidatingAdmissionWebhook" for s in result.log)


def test_quota_refusal_is_the_last_word_with_upstreams_message():
    """`exceeded quota: compute, requested: requests.cpu=200m, used: requests.cpu=900m, limited: requests.cpu=1`."""
    result = admit(_pod(), [_injector()], namespace=_full_namespace("900m"))
    assert result.message == (
        'pods "web" is forbidden: exceeded quota: compute, requested: requests.cpu=200m, '
        "used: requests.cpu=900m, limited: requests.cpu=1"
    )
    text = render_admission(result)
    assert text.splitlines()[-1] == "Error from server (Forbidden): " + result.message


def test_report_text_lists_each_built_in_decision_in_order():
    """The text report heads each plugin's lines with `[type] Plugin (built-in admission plugin)`."""
    result = admit(_pod(), [_injector()], namespace=_full_namespace())
    heads = [line for line in render_admission(result).splitlines() if line.startswith("[")]
    assert heads == [
        "[mutating] LimitRanger (built-in admission plugin)",
        "[mutating] agent.example.com (agent)",
        "[mutating] LimitRanger (built-in admission plugin) — run again on reinvocation "
        "(a webhook changed the pod)",
        "[validating] LimitRanger (built-in admission plugin)",
        "[validating] PodSecurity (built-in admission plugin)",
        "[validating] ResourceQuota (built-in admission plugin)",
    ]


def test_limit_range_bounds_refuse_an_init_container_over_the_max():
    """`type: Container` max applies to init containers: `maximum cpu usage per Container is 1, but limit is 2`."""
    bounded = ns_model.limit_range(
        {
            "kind": "LimitRange",
            "metadata": {"name": "bounds"},
            "spec": {"limits": [{"type": "Container", "max": {"cpu": "1"}}]},
        }
    )
    heavy = {"name": "migrate", "image": "m", "resources": {"limits": {"cpu": "2"}}}
    result = admit(_pod(heavy), [], namespace=Namespace(limit_ranges=[bounded]))
    assert result.message == (
        'pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2'
    )


# -- the command line ---------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, obj: Any) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(obj))
    return str(path)


def test_cli_admit_charges_quota_for_the_effective_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`initlab admit --quota`: the app asks 100m, the init container 250m; quota charges 250m and refuses."""
    migrate = {
        "name": "migrate",
        "image": "m",
        "resources": {"requests": {"cpu": "250m"}, "limits": {"cpu": "250m"}},
    }
    pod = _write(tmp_path, "pod.yaml", _pod(migrate))
    quota = _write(
        tmp_path,
        "quota.yaml",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "compute"},
            "spec": {"hard": {"requests.cpu": "1"}},
            "status": {"used": {"requests.cpu": "800m"}},
        },
    )
    rc = main(["admit", pod, "--quota", quota, "-o", "json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert out["message"] == (
        'pods "web" is forbidden: exceeded quota: compute, requested: requests.cpu=250m, '
        "used: requests.cpu=800m, limited: requests.cpu=1"
    )


def test_cli_admit_states_the_assumed_usage_of_a_quota_without_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A quota file without status.used: usage 0 is assumed and said in a `# assumed:` line."""
    pod = _write(tmp_path, "pod.yaml", _pod())
    quota = _write(
        tmp_path,
        "q.yaml",
        {"kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "5"}}},
    )
    assert main(["admit", pod, "--quota", quota]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "# assumed: ResourceQuota q has no status.used: assumed 0 for pods"


@pytest.mark.parametrize(
    ("flag", "content", "code", "message"),
    [
        (
            "--limitrange",
            {
                "kind": "LimitRange",
                "metadata": {"name": "x"},
                "spec": {"limits": [{"type": "Container", "max": {"cpu": "lots"}}]},
            },
            1,
            'spec.limits[0].max[cpu]: Invalid value: "lots": quantities must match the regular expression',
        ),
        (
            "--limitrange",
            {
                "kind": "LimitRange",
                "metadata": {"name": "x"},
                "spec": {"limits": [{"type": "Node"}]},
            },
            1,
            'spec.limits[0].type: Unsupported value: "Node": supported values: "Container", "PersistentVolumeClaim", "Pod"',
        ),
        ("--limitrange", {"kind": "ConfigMap", "metadata": {"name": "x"}}, 2, "--limitrange: "),
        (
            "--quota",
            {
                "kind": "ResourceQuota",
                "metadata": {"name": "q"},
                "spec": {"hard": {"pods": "1"}, "scopes": ["BestEffort"]},
            },
            2,
            "spec.scopes: quota scopes are not modelled by initlab",
        ),
    ],
)
def test_cli_admit_refuses_bad_namespace_objects_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    content: Any,
    code: int,
    message: str,
):
    """A bad LimitRange or ResourceQuota: one line naming the field, exit 1 (invalid) or 2 (unusable)."""
    pod = _write(tmp_path, "pod.yaml", _pod())
    obj = _write(tmp_path, "obj.yaml", content)
    rc = main(["admit", pod, flag, obj])
    err = capsys.readouterr().err
    assert rc == code
    assert len(err.splitlines()) == 1 and err.startswith(message)


def test_cli_admit_missing_limitrange_file_is_unusable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A LimitRange file that does not exist: exit 2, one line."""
    pod = _write(tmp_path, "pod.yaml", _pod())
    rc = main(["admit", pod, "--limitrange", str(tmp_path / "nope.yaml")])
    assert rc == 2 and len(capsys.readouterr().err.splitlines()) == 1


# -- scenarios ------------------------------------------------------------------------------------


def test_scenario_namespace_block_admits_the_pod_before_it_runs():
    """`namespace: {limitRanges: [...]}`: the simulated pod is the pod as LimitRanger left it."""
    scenario = load_scenario(
        {
            "pod": _pod({"name": "migrate", "image": "m"}),
            "namespace": {
                "limitRanges": [
                    {
                        "metadata": {"name": "defaults"},
                        "spec": {
                            "limits": [{"type": "Container", "defaultRequest": {"cpu": "150m"}}]
                        },
                    }
                ]
            },
        }
    )
    migrate = scenario.pod["spec"]["initContainers"][0]
    assert migrate["resources"]["requests"] == {"cpu": "150m"}


def test_scenario_refused_by_pod_security_fails_with_kubectls_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A scenario whose pod the namespace refuses: `initlab simulate` prints kubectl's error, exit 1."""
    istio_init = {
        "name": "istio-init",
        "image": "docker.io/istio/proxyv2:1.26.0",
        "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
    }
    path = _write(
        tmp_path,
        "s.yaml",
        {
            "pod": _pod(istio_init),
            "namespace": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}},
        },
    )
    rc = main(["simulate", path])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.splitlines() == [
        'Error from server (Forbidden): pods "web" is forbidden: violates PodSecurity '
        '"baseline:latest": non-default capabilities (container "istio-init" must not include '
        '"NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)'
    ]


@pytest.mark.parametrize(
    ("block", "error", "field"),
    [
        ("labels", InputError, "namespace"),
        ({"limits": []}, InputError, "namespace.limits"),
        ({"limitRanges": {"a": 1}}, InputError, "namespace.limitRanges"),
        ({"labels": {"pod-security.kubernetes.io/enforce": "strict"}}, InvalidError, ""),
    ],
)
def test_scenario_bad_namespace_block_is_a_clean_error(block: Any, error: type, field: str):
    """A bad `namespace:` block raises InputError with its field path, or InvalidError for bad labels."""
    with pytest.raises(error) as e:
        load_scenario({"pod": _pod(), "namespace": block})
    if field:
        assert e.value.field == field


# -- the book's three stories, on the shipped real-cluster manifests -----------------------------

MANIFESTS = Path(__file__).resolve().parent.parent / "notebooks" / "manifests"


def _admit_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    rc = main(["admit", *argv, "-o", "json"])
    return rc, json.loads(capsys.readouterr().out)


def test_story_istio_init_is_refused_in_a_baseline_namespace(capsys: pytest.CaptureFixture[str]):
    """10-podsecurity-istio-init.yaml: the classic injection is refused for NET_ADMIN and NET_RAW."""
    rc, out = _admit_json(
        capsys,
        str(MANIFESTS / "10-podsecurity-istio-init.yaml"),
        "--webhook",
        "istio",
        "--namespace-label",
        "istio-injection=enabled",
        "--namespace-label",
        "pod-security.kubernetes.io/enforce=baseline",
        "--namespace-label",
        "pod-security.kubernetes.io/enforce-version=v1.33",
    )
    assert rc == 1
    assert out["message"] == (
        'pods "web" is forbidden: violates PodSecurity "baseline:v1.33": non-default capabilities '
        '(container "istio-init" must not include "NET_ADMIN", "NET_RAW" in '
        "securityContext.capabilities.add)"
    )


def test_story_limit_range_fills_the_init_container(capsys: pytest.CaptureFixture[str]):
    """10-limitrange-init-defaults.yaml: migrate gets 200m/128Mi requests, 500m/256Mi limits."""
    path = str(MANIFESTS / "10-limitrange-init-defaults.yaml")
    rc, out = _admit_json(capsys, path, "--limitrange", path)
    assert rc == 0
    migrate = out["pod"]["spec"]["initContainers"][0]
    assert migrate["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "200m", "memory": "128Mi"},
    }
    assert out["pod"]["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for init container migrate; "
        "cpu, memory limit for init container migrate"
    )


def test_story_quota_charges_250m_for_an_app_asking_100m(capsys: pytest.CaptureFixture[str]):
    """10-quota-effective-request.yaml: `exceeded quota: compute, requested: cpu=250m, ...`."""
    path = str(MANIFESTS / "10-quota-effective-request.yaml")
    rc, out = _admit_json(capsys, path, "--quota", path)
    assert rc == 1
    assert out["message"] == (
        'pods "web" is forbidden: exceeded quota: compute, requested: cpu=250m, used: cpu=0, '
        "limited: cpu=200m"
    )
    assert out["log"][-1]["usage"]["requests.cpu"] == "250m"


def test_limit_range_with_only_a_default_limit_makes_the_pod_guaranteed():
    """`default` alone: the stored LimitRange's defaultRequest copies it, so requests = limits everywhere."""
    from initlab.api.resources import qos_class

    pod = _pod(
        {"name": "migrate", "image": "m"},
        app={
            "name": "app",
            "image": "nginx",
            "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}},
        },
    )
    only_default = ns_model.limit_range(
        {
            "kind": "LimitRange",
            "metadata": {"name": "x"},
            "spec": {
                "limits": [{"type": "Container", "default": {"cpu": "100m", "memory": "64Mi"}}]
            },
        }
    )
    before = admit(pod)
    after = admit(pod, namespace=Namespace(limit_ranges=[only_default]))
    assert (qos_class(before.pod), qos_class(after.pod)) == ("Burstable", "Guaranteed")


def test_a_change_on_reinvocation_reinvokes_a_later_if_needed_webhook_in_the_same_round():
    """`RequireReinvokingPreviouslyInvokedPlugins` in round 1 marks IfNeeded webhooks called after the last change."""

    def a(request: dict[str, Any], ctx: Any) -> Verdict:
        labels = request["object"]["metadata"].get("labels") or {}
        if "a" not in labels:
            return Verdict(
                patch=[{"op": "add", "path": "/metadata/labels", "value": {"a": "1", **labels}}]
            )
        if "b" in labels and "a-saw-b" not in labels:
            return Verdict(
                patch=[{"op": "add", "path": "/metadata/labels/a-saw-b", "value": "yes"}]
            )
        return Verdict()

    def b(request: dict[str, Any], ctx: Any) -> Verdict:
        labels = request["object"]["metadata"].get("labels") or {}
        if "b" not in labels:
            return Verdict(patch=[{"op": "add", "path": "/metadata/labels/b", "value": "2"}])
        return Verdict()

    hooks = [
        Webhook(
            n,
            "mutating",
            h,
            (Registration(name=f"{n}.example.com", reinvocation_policy="IfNeeded"),),
        )
        for n, h in (("a", a), ("b", b))
    ]
    result = admit(_pod(), hooks)
    assert [(c.webhook, c.round, c.changed) for c in result.calls] == [
        ("a", 0, True),
        ("b", 0, True),
        ("a", 1, True),
        ("b", 1, False),
    ]


def test_scenario_invalid_limit_range_names_the_field_from_the_scenarios_top():
    """An invalid quantity in `namespace.limitRanges[0]`: the error's path starts there."""
    block = {
        "limitRanges": [
            {
                "metadata": {"name": "x"},
                "spec": {"limits": [{"type": "Container", "min": {"cpu": "lots"}}]},
            }
        ]
    }
    with pytest.raises(InvalidError) as e:
        load_scenario({"pod": _pod(), "namespace": block})
    assert [err.field for err in e.value.errors] == [
        "namespace.limitRanges[0].spec.limits[0].min[cpu]"
    ]


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["1", "100m", "x"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_KEYS = st.sampled_from(["labels", "limitRanges", "resourceQuotas", "other"])
_ITEM = st.fixed_dictionaries(
    {
        "metadata": st.just({"name": "x"}),
        "spec": st.dictionaries(st.sampled_from(["limits", "hard", "scopes"]), _JSON),
    },
    optional={"status": _JSON},
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_KEYS, _JSON | st.lists(_ITEM, max_size=2), max_size=3))
def test_arbitrary_namespace_blocks_give_a_result_or_a_clean_error(block: dict[str, Any]):
    """Whatever the `namespace:` block holds, loading the scenario runs or raises an InitlabError."""
    from initlab.errors import InitlabError

    try:
        load_scenario({"pod": _pod(), "namespace": block})
    except InitlabError as e:
        assert "\n" not in str(e)
