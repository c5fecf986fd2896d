"""PodSecurity (`initlab.admission.controllers.podsecurity`) against upstream's own fixtures and checks.

Fixtures: `tests/data/podsecurity/` (pod-security-admission v0.36.2
`test/testdata`), each run through `initlab admit` as upstream's `test/run.go`
runs it. Check cases: the init-container cases of `policy/*_test.go` at the same tag.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from initlab.admission import admit
from initlab.admission.controllers import podsecurity as psa
from initlab.admission.controllers.namespace import Namespace
from initlab.cli import main

FIXTURES = Path(__file__).parent / "data" / "podsecurity"
CASES = sorted(FIXTURES.rglob("*.yaml"))


def _admit_cli(
    tmp_path: Path, fixture: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    level, version = fixture.parts[-4], fixture.parts[-3]
    pod = yaml.safe_load(fixture.read_text())
    pod["metadata"]["name"] = "test"  # run.go: "pod names may not contain _"
    path = tmp_path / "pod.yaml"
    path.write_text(yaml.safe_dump(pod))
    rc = main(
        [
            "admit",
            str(path),
            "--namespace-label",
            f"pod-security.kubernetes.io/enforce={level}",
            "--namespace-label",
            f"pod-security.kubernetes.io/enforce-version={version}",
            "-o",
            "json",
        ]
    )
    return rc, capsys.readouterr().out


def test_every_fixture_is_in_the_repository():
    """The 118 upstream fixtures are all here (a lost file would silently shrink the table)."""
    assert len(CASES) == 118


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: "/".join(p.parts[-4:]))
def test_fixture_gets_upstreams_verdict_through_initlab_admit(
    fixture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A pass/ pod is admitted and a fail/ pod is denied by PodSecurity, at the fixture's level and version."""
    rc, out = _admit_cli(tmp_path, fixture, capsys)
    result = json.loads(out)
    if fixture.parts[-2] == "pass":
        assert (rc, result["allowed"]) == (0, True)
    else:
        assert (rc, result["allowed"]) == (1, False)
        assert result["status"]["reason"] == "Forbidden"
        level, version = fixture.parts[-4], fixture.parts[-3]
        assert result["message"].startswith(
            f'pods "test" is forbidden: violates PodSecurity "{level}:{version}": '
        )


def _pod(**spec: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec}


ISTIO_INIT = {
    "name": "istio-init",
    "image": "docker.io/istio/proxyv2:1.26.0",
    "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]}},
}
APP = {"name": "app", "image": "nginx"}


def test_istio_init_is_refused_in_a_baseline_namespace_with_upstreams_words():
    """NET_ADMIN and NET_RAW in istio-init: `non-default capabilities`, named container, sorted caps."""
    ns = Namespace(
        labels={
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.33",
        }
    )
    result = admit(_pod(initContainers=[ISTIO_INIT], containers=[APP]), namespace=ns)
    assert not result.allowed
    assert result.message == (
        'pods "web" is forbidden: violates PodSecurity "baseline:v1.33": non-default capabilities '
        '(container "istio-init" must not include "NET_ADMIN", "NET_RAW" in '
        "securityContext.capabilities.add)"
    )
    assert result.status["code"] == 403


def test_warn_mode_admits_and_returns_the_violation_as_a_warning():
    """`warn=baseline` admits the pod and says `would violate PodSecurity` (admission.go EvaluatePod)."""
    ns = Namespace(labels={"pod-security.kubernetes.io/warn": "baseline"})
    result = admit(_pod(initContainers=[ISTIO_INIT], containers=[APP]), namespace=ns)
    assert result.allowed
    assert result.warnings == [
        'would violate PodSecurity "baseline:latest": non-default capabilities (container '
        '"istio-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)'
    ]


def test_audit_mode_records_the_violation_in_the_audit_annotation():
    """`audit=restricted` admits and annotates `pod-security.kubernetes.io/audit-violations`."""
    ns = Namespace(labels={"pod-security.kubernetes.io/audit": "restricted"})
    result = admit(_pod(containers=[APP]), namespace=ns)
    assert result.allowed and result.warnings == []
    assert result.audit_annotations["pod-security.kubernetes.io/enforce-policy"] == (
        "privileged:latest"
    )
    assert result.audit_annotations["pod-security.kubernetes.io/audit-violations"].startswith(
        'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
        '(container "app" must set securityContext.allowPrivilegeEscalation=false)'
    )


def test_enforce_without_warn_label_warns_at_the_enforce_level_when_admitted():
    """`PolicyToEvaluate`: with no warn label, warn follows a stricter enforce level and version."""
    policy, errors = psa.policy_to_evaluate(
        {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.30",
        }
    )
    assert errors == []
    assert (str(policy.enforce), str(policy.warn), str(policy.audit)) == (
        "baseline:v1.30",
        "baseline:v1.30",
        "privileged:latest",
    )


def test_a_root_chown_init_container_is_refused_under_restricted():
    """runAsUser: 0 on an init container: `runAsUser=0 (container "fix-perms" must not set runAsUser=0)`."""
    chown = {
        "name": "fix-perms",
        "image": "busybox",
        "command": ["chown", "-R", "1000:1000", "/data"],
        "securityContext": {
            "runAsUser": 0,
            "runAsNonRoot": False,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"], "add": ["CHOWN"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    app = {
        "name": "app",
        "image": "nginx",
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    ns = Namespace(labels={"pod-security.kubernetes.io/enforce": "restricted"})
    result = admit(_pod(initContainers=[chown], containers=[app]), namespace=ns)
    assert result.message == (
        'pods "web" is forbidden: violates PodSecurity "restricted:latest": '
        'unrestricted capabilities (container "fix-perms" must not include "CHOWN" in '
        "securityContext.capabilities.add), "
        'runAsNonRoot != true (container "fix-perms" must not set securityContext.runAsNonRoot=false), '
        'runAsUser=0 (container "fix-perms" must not set runAsUser=0)'
    )


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (
            {"pod-security.kubernetes.io/enforce": "strict"},
            'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": '
            "must be one of privileged, baseline, restricted",
        ),
        (
            {"pod-security.kubernetes.io/warn-version": "1.33"},
            'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.33": '
            'must be "latest" or "v1.x"',
        ),
    ],
)
def test_invalid_pod_security_labels_are_refused_as_the_namespace_would_be(
    labels: dict[str, str], message: str
):
    """`PolicyToEvaluate` errors, in `field.Invalid` words (a namespace with them cannot be created)."""
    _, errors = psa.policy_to_evaluate(labels)
    assert [str(e) for e in errors] == [message]


def test_cli_refuses_an_invalid_pod_security_label_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`--namespace-label pod-security.kubernetes.io/enforce=strict`: one line, exit 1."""
    path = tmp_path / "pod.yaml"
    path.write_text(yaml.safe_dump(_pod(containers=[APP])))
    rc = main(
        ["admit", str(path), "--namespace-label", "pod-security.kubernetes.io/enforce=strict"]
    )
    err = capsys.readouterr().err
    assert rc == 1
    assert err.splitlines() == [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": '
        "must be one of privileged, baseline, restricted"
    ]


# -- versions: the registry picks each check's implementation ------------------------------------


def test_a_version_newer_than_every_check_is_evaluated_as_the_newest():
    """`EvaluatePod`: v1.99 and latest use the newest check versions (v1.35 at v0.36.2)."""
    assert psa.REGISTRY.max_version == (1, 35)
    pod = _pod(
        containers=[{"name": "app", "livenessProbe": {"httpGet": {"host": "x", "port": 80}}}]
    )
    for version in ((1, 99), psa.LATEST, (1, 34)):
        res = psa.aggregate(psa.REGISTRY.evaluate_pod(psa.LevelVersion("baseline", version), pod))
        assert res.reasons == ("probe or lifecycle host",)


def test_probe_host_is_allowed_before_v1_34():
    """`hostProbesAndHostLifecycle` exists from v1.34 only: a v1.33 baseline namespace admits it."""
    pod = _pod(
        containers=[{"name": "app", "livenessProbe": {"httpGet": {"host": "x", "port": 80}}}]
    )
    res = psa.aggregate(psa.REGISTRY.evaluate_pod(psa.LevelVersion("baseline", (1, 33)), pod))
    assert res.allowed


def test_restricted_before_v1_22_does_not_require_dropping_all_capabilities():
    """`capabilities_restricted` starts at v1.22; before it the baseline check stands."""
    pod = _pod(containers=[{"name": "app"}])
    v21 = psa.aggregate(psa.REGISTRY.evaluate_pod(psa.LevelVersion("restricted", (1, 21)), pod))
    v22 = psa.aggregate(psa.REGISTRY.evaluate_pod(psa.LevelVersion("restricted", (1, 22)), pod))
    assert "unrestricted capabilities" not in v21.reasons
    assert "unrestricted capabilities" in v22.reasons


def test_user_namespace_relaxes_run_as_user_from_v1_35():
    """`runAsUser1_35`: `hostUsers: false` admits runAsUser 0; v1.34 still refuses it."""
    pod = _pod(hostUsers=False, containers=[{"name": "app", "securityContext": {"runAsUser": 0}}])
    v34 = psa.run_as_user_1_23(pod["metadata"], pod["spec"])
    v35 = psa.run_as_user_1_35(pod["metadata"], pod["spec"])
    assert (v34.allowed, v35.allowed) == (False, True)


# -- policy/*_test.go cases that involve init containers (v0.36.2) ---------------------------


def test_unconfined_apparmor_on_an_init_container_is_forbidden():
    """`TestCheckAppArmor_Forbidden` "unconfined init container": the init container is named."""
    s = {
        "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "foo"}],
        "initContainers": [
            {"name": "bar", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}
        ],
    }
    result = psa.app_armor_profile_1_0({}, s)
    assert (result.allowed, result.reason, result.detail) == (
        False,
        "forbidden AppArmor profile",
        'container "bar" must not set AppArmor profile type to "Unconfined"',
    )


def _probe(kind: str, host: str) -> dict:
    return {kind: {"host": host, "port": 80}}


HOST_PROBES = {
    "valid pod with unset hosts": (
        {
            "containers": [
                {
                    "name": "a",
                    "livenessProbe": {"httpGet": {"port": 80}},
                    "readinessProbe": {"tcpSocket": {"port": 80}},
                    "lifecycle": {"postStart": {"httpGet": {"port": 80}}},
                }
            ]
        },
        "",
    ),
    "invalid pod with local host IP as probe host": (
        {
            "containers": [
                {
                    "name": "a",
                    "livenessProbe": _probe("httpGet", "127.0.0.1"),
                    "readinessProbe": _probe("tcpSocket", "::1"),
                    "startupProbe": _probe("httpGet", "localhost"),
                }
            ]
        },
        'container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost"',
    ),
    "invalid httpget host in liveness probe": (
        {"containers": [{"name": "a", "livenessProbe": _probe("httpGet", "invalid.host")}]},
        'container "a" uses probe or lifecycle host "invalid.host"',
    ),
    "invalid tcpsocket host in readiness probe": (
        {"containers": [{"name": "b", "readinessProbe": _probe("tcpSocket", "invalid.host")}]},
        'container "b" uses probe or lifecycle host "invalid.host"',
    ),
    "invalid httpget host in startup probe": (
        {"containers": [{"name": "c", "startupProbe": _probe("httpGet", "invalid.host")}]},
        'container "c" uses probe or lifecycle host "invalid.host"',
    ),
    "invalid poststart tcpsocket host": (
        {
            "containers": [
                {"name": "d", "lifecycle": {"postStart": _probe("tcpSocket", "invalid.host")}}
            ]
        },
        'container "d" uses probe or lifecycle host "invalid.host"',
    ),
    "invalid prestop httpget host": (
        {
            "containers": [
                {"name": "e", "lifecycle": {"preStop": _probe("httpGet", "another.invalid.host")}}
            ]
        },
        'container "e" uses probe or lifecycle host "another.invalid.host"',
    ),
    "multiple containers with multiple invalid hosts": (
        {
            "containers": [
                {"name": "valid"},
                {"name": "invalid1", "livenessProbe": _probe("httpGet", "a.com")},
                {
                    "name": "invalid2",
                    "lifecycle": {"preStop": _probe("tcpSocket", "b.com")},
                    "startupProbe": _probe("httpGet", "a.com"),
                },
            ]
        },
        'containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com"',
    ),
    "invalid ipv4 host in probe": (
        {"containers": [{"name": "a", "livenessProbe": _probe("httpGet", "8.8.8.8")}]},
        'container "a" uses probe or lifecycle host "8.8.8.8"',
    ),
    "invalid ipv6 host in probe": (
        {
            "containers": [
                {"name": "a", "livenessProbe": _probe("tcpSocket", "2001:4860:4860::8888")}
            ]
        },
        'container "a" uses probe or lifecycle host "2001:4860:4860::8888"',
    ),
    "invalid host in initcontainer": (
        {
            "initContainers": [
                {"name": "init", "livenessProbe": _probe("httpGet", "invalid.init.host")}
            ]
        },
        'container "init" uses probe or lifecycle host "invalid.init.host"',
    ),
}


@pytest.mark.parametrize("name", HOST_PROBES)
def test_probe_and_lifecycle_hosts_are_forbidden_from_v1_34(name: str):
    """`TestHostProbesAndHostLifecycle`: reason `probe or lifecycle host` and upstream's detail."""
    s, detail = HOST_PROBES[name]
    result = psa.host_probes_and_host_lifecycle_1_34({}, s)
    if not detail:
        assert result.allowed
    else:
        assert (result.allowed, result.reason, result.detail) == (
            False,
            "probe or lifecycle host",
            detail,
        )


def test_forbidden_annotation_values_are_quoted_so_the_message_stays_one_line():
    """Annotation values are printed as Go's `%q` does: a newline in one is `\\n`, not a line break."""
    pod = _pod(containers=[APP])
    pod["metadata"]["annotations"] = {
        "container.apparmor.security.beta.kubernetes.io/app": "unconfined\nEVIL"
    }
    ns = Namespace(labels={"pod-security.kubernetes.io/enforce": "baseline"})
    result = admit(pod, namespace=ns)
    assert "\n" not in result.message
    # joinQuote wraps without escaping; the value itself is %q-quoted
    assert result.message.endswith(
        "annotation must not set AppArmor profile type to "
        '"container.apparmor.security.beta.kubernetes.io/app="unconfined\\nEVIL"")'
    )
