"""API validation of Pods: upstream's own test tables, the general rules, and hostile input.

Upstream tables are ported from `pkg/apis/core/validation/validation_test.go`
(@000f26050b9b): every case of `TestValidateInitContainers` and the
"Forbidden RestartPolicy" cases of `TestValidateContainers`. Upstream calls
the validators on undefaulted objects with `PodValidationOptions{}`; we do
the same with `UPSTREAM_UNIT_TEST_OPTIONS`, inside a spec whose pod-level
fields are valid, and prefix upstream's paths with "spec.".
"""

from __future__ import annotations

import copy
import dataclasses
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from initlab.api.validation import (
    UPSTREAM_UNIT_TEST_OPTIONS,
    validate_pod,
    validate_pod_spec,
    validate_pod_update,
)
from initlab.errors import (
    DUPLICATE,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    NOT_SUPPORTED,
    REQUIRED,
    TOO_LONG,
    TOO_MANY,
    TYPE_INVALID,
)

# -- helpers -------------------------------------------------------------------------

APP = {
    "name": "app",
    "image": "nginx",
    "imagePullPolicy": "IfNotPresent",
    "terminationMessagePolicy": "File",
}


def ctr(name: str = "init", **fields: object) -> dict:
    """An upstream-style container: pull policy and termination policy set explicitly."""
    c = {
        "name": name,
        "image": "image",
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePolicy": "File",
    }
    c.update(fields)
    return c


def upstream_spec(init_containers: list, containers: list | None = None) -> dict:
    """A spec whose only possible errors come from the containers under test."""
    return {
        "containers": [copy.deepcopy(APP)] if containers is None else containers,
        "initContainers": init_containers,
        "restartPolicy": "Never",  # upstream's PodRestartPolicy
        "dnsPolicy": "ClusterFirst",
        "terminationGracePeriodSeconds": 30,  # upstream's defaultGracePeriod
    }


def triples(errors: list) -> list[tuple]:
    """(field, type, bad value) as upstream compares them (bad value unchecked when omitted)."""
    out = []
    for e in errors:
        bad = None if e.type in (REQUIRED, FORBIDDEN) else e.bad_value
        out.append((e.field, e.type, bad))
    return out


def pod(**spec: object) -> dict:
    """A minimal valid Pod, with spec fields overridden."""
    s: dict = {"containers": [{"name": "app", "image": "nginx"}]}
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "myapp"}, "spec": s}


def errs_of(p: dict) -> list[tuple[str, str]]:
    return [(e.field, e.type) for e in validate_pod(p)]


def strs_of(p: dict) -> list[str]:
    return [str(e) for e in validate_pod(p)]


TCP80 = {"tcpSocket": {"port": 80}}

# -- upstream: TestValidateInitContainers ------------------------------------------------

UPSTREAM_INIT_SUCCESS = [
    ctr(
        "container-1-same-host-port-different-protocol",
        ports=[
            {"containerPort": 80, "hostPort": 80, "protocol": "TCP"},
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP"},
        ],
    ),
    ctr(
        "container-2-same-host-port-different-protocol",
        ports=[
            {"containerPort": 80, "hostPort": 80, "protocol": "TCP"},
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP"},
        ],
    ),
    ctr(
        "container-3-restart-always-with-lifecycle-hook-and-probes",
        restartPolicy="Always",
        lifecycle={
            "postStart": {"exec": {"command": ["echo", "post start"]}},
            "preStop": {"exec": {"command": ["echo", "pre stop"]}},
        },
        livenessProbe={**TCP80, "successThreshold": 1},
        readinessProbe={**TCP80},
        startupProbe={**TCP80, "successThreshold": 1},
    ),
    ctr(
        "container-4-allowed-resize-policy",
        resizePolicy=[{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
    ),
]

_SIDECAR = {"restartPolicy": "Always"}
_NEG = {
    "initialDelaySeconds": -1,
    "timeoutSeconds": -1,
    "periodSeconds": -1,
    "successThreshold": -1,
    "failureThreshold": -1,
    "terminationGracePeriodSeconds": -1,
}
IC = "spec.initContainers[0]"

UPSTREAM_INIT_ERRORS = [
    ("empty name", [ctr("")], [(f"{IC}.name", REQUIRED, None)]),
    (
        "name collision with regular container",
        [ctr("app")],
        [(f"{IC}.name", DUPLICATE, "app")],
    ),
    (
        "invalid termination message policy",
        [ctr(terminationMessagePolicy="Unknown")],
        [(f"{IC}.terminationMessagePolicy", NOT_SUPPORTED, "Unknown")],
    ),
    (
        "duplicate names",
        [ctr("init"), ctr("init")],
        [("spec.initContainers[1].name", DUPLICATE, "init")],
    ),
    (
        "duplicate ports",
        [
            ctr(
                "abc",
                ports=[
                    {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"},
                    {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"},
                ],
            )
        ],
        [(f"{IC}.ports[1].hostPort", DUPLICATE, "TCP//8080")],
    ),
    (
        "uses disallowed field: Lifecycle",
        [ctr("debug", lifecycle={"preStop": {"exec": {"command": ["ls", "-l"]}}})],
        [(f"{IC}.lifecycle", FORBIDDEN, None)],
    ),
    (
        "uses disallowed field: LivenessProbe",
        [ctr("debug", livenessProbe={**TCP80, "successThreshold": 1})],
        [(f"{IC}.livenessProbe", FORBIDDEN, None)],
    ),
    (
        "uses disallowed field: ReadinessProbe",
        [ctr("debug", readinessProbe={**TCP80})],
        [(f"{IC}.readinessProbe", FORBIDDEN, None)],
    ),
    (
        "Container uses disallowed field: StartupProbe",
        [ctr("debug", startupProbe={**TCP80, "successThreshold": 1})],
        [(f"{IC}.startupProbe", FORBIDDEN, None)],
    ),
    (
        "Disallowed field with other errors should only return a single Forbidden",
        [ctr("debug", startupProbe={**TCP80, **_NEG})],
        [(f"{IC}.startupProbe", FORBIDDEN, None)],
    ),
    (
        "Not supported RestartPolicy: OnFailure",
        [ctr(restartPolicy="OnFailure")],
        [(f"{IC}.restartPolicy", NOT_SUPPORTED, "OnFailure")],
    ),
    (
        "Not supported RestartPolicy: Never",
        [ctr(restartPolicy="Never")],
        [(f"{IC}.restartPolicy", NOT_SUPPORTED, "Never")],
    ),
    (
        "Not supported RestartPolicy: invalid",
        [ctr(restartPolicy="invalid")],
        [(f"{IC}.restartPolicy", NOT_SUPPORTED, "invalid")],
    ),
    (
        "Not supported RestartPolicy: empty",
        [ctr(restartPolicy="")],
        [(f"{IC}.restartPolicy", NOT_SUPPORTED, "")],
    ),
    (
        "invalid startup probe in restartable container, successThreshold != 1",
        [ctr("restartable-init", **_SIDECAR, startupProbe={**TCP80, "successThreshold": 2})],
        [(f"{IC}.startupProbe.successThreshold", INVALID, 2)],
    ),
    (
        "invalid readiness probe, terminationGracePeriodSeconds set.",
        [
            ctr(
                "life-123",
                **_SIDECAR,
                readinessProbe={**TCP80, "terminationGracePeriodSeconds": 10},
            )
        ],
        [(f"{IC}.readinessProbe.terminationGracePeriodSeconds", INVALID, 10)],
    ),
    (
        "invalid liveness probe, successThreshold != 1",
        [ctr("live-123", **_SIDECAR, livenessProbe={**TCP80, "successThreshold": 2})],
        [(f"{IC}.livenessProbe.successThreshold", INVALID, 2)],
    ),
    (
        "invalid lifecycle, no exec command.",
        [ctr("life-123", **_SIDECAR, lifecycle={"preStop": {"exec": {}}})],
        [(f"{IC}.lifecycle.preStop.exec.command", REQUIRED, None)],
    ),
    (
        "invalid lifecycle, no http path.",
        [
            ctr(
                "life-123",
                **_SIDECAR,
                lifecycle={"preStop": {"httpGet": {"port": 80, "scheme": "HTTP"}}},
            )
        ],
        [(f"{IC}.lifecycle.preStop.httpGet.path", REQUIRED, None)],
    ),
    (
        "invalid lifecycle, no http port.",
        [
            ctr(
                "life-123",
                **_SIDECAR,
                lifecycle={"preStop": {"httpGet": {"path": "/", "scheme": "HTTP"}}},
            )
        ],
        [(f"{IC}.lifecycle.preStop.httpGet.port", INVALID, 0)],
    ),
    (
        "invalid lifecycle, no http scheme.",
        [
            ctr(
                "life-123",
                **_SIDECAR,
                lifecycle={"preStop": {"httpGet": {"path": "/", "port": 80}}},
            )
        ],
        [(f"{IC}.lifecycle.preStop.httpGet.scheme", NOT_SUPPORTED, "")],
    ),
    (
        "invalid lifecycle, no tcp socket port.",
        [ctr("life-123", **_SIDECAR, lifecycle={"preStop": {"tcpSocket": {}}})],
        [(f"{IC}.lifecycle.preStop.tcpSocket.port", INVALID, 0)],
    ),
    (
        "invalid lifecycle, zero tcp socket port.",
        [ctr("life-123", **_SIDECAR, lifecycle={"preStop": {"tcpSocket": {"port": 0}}})],
        [(f"{IC}.lifecycle.preStop.tcpSocket.port", INVALID, 0)],
    ),
    (
        "invalid lifecycle, no action.",
        [ctr("life-123", **_SIDECAR, lifecycle={"preStop": {}})],
        [(f"{IC}.lifecycle.preStop", REQUIRED, None)],
    ),
    (
        "Not supported ResizePolicy: invalid",
        [ctr("init", resizePolicy=[{"resourceName": "cpu", "restartPolicy": "NotRequired"}])],
        [
            (
                f"{IC}.resizePolicy",
                INVALID,
                [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
            )
        ],
    ),
]


def test_upstream_init_containers_success_case_is_valid():
    """TestValidateInitContainers successCase: four init containers, no error."""
    opts = dataclasses.replace(
        UPSTREAM_UNIT_TEST_OPTIONS, allow_sidecar_resize_policy=True, allow_privileged=True
    )
    spec = upstream_spec(copy.deepcopy(UPSTREAM_INIT_SUCCESS))
    assert validate_pod_spec(spec, options=opts) == []


@pytest.mark.parametrize("init", UPSTREAM_INIT_SUCCESS, ids=lambda c: c["name"])
def test_upstream_init_containers_success_case_each_alone_is_valid(init):
    """Each upstream success container is valid on its own too, with API defaults."""
    assert validate_pod_spec(upstream_spec([copy.deepcopy(init)])) == []


@pytest.mark.parametrize(
    ("title", "inits", "expected"), UPSTREAM_INIT_ERRORS, ids=[c[0] for c in UPSTREAM_INIT_ERRORS]
)
def test_upstream_init_containers_error_cases(title, inits, expected):
    """TestValidateInitContainers errorCases: exact field, type and bad value list."""
    spec = upstream_spec(copy.deepcopy(inits))
    assert triples(validate_pod_spec(spec, options=UPSTREAM_UNIT_TEST_OPTIONS)) == expected


# -- upstream: TestValidateContainers "Forbidden RestartPolicy" ---------------------------


@pytest.mark.parametrize("policy", ["Always", "OnFailure", "Never", "invalid", ""])
def test_upstream_regular_container_restart_policy_is_forbidden(policy):
    """V8: any container restartPolicy on a regular container is Forbidden (gate off)."""
    spec = upstream_spec([], containers=[ctr("foo", restartPolicy=policy)])
    errors = validate_pod_spec(spec, options=UPSTREAM_UNIT_TEST_OPTIONS)
    assert [(e.field, e.type, e.detail) for e in errors] == [
        ("spec.containers[0].restartPolicy", FORBIDDEN, "may not be set for non-init containers")
    ]


# -- V1–V9 through a real-looking Pod (API defaults applied) ---------------------------


def test_minimal_pod_with_init_container_is_valid():
    """The docs' myapp-pod example passes, with every default left out."""
    p = pod(initContainers=[{"name": "init-myservice", "image": "busybox:1.28"}])
    assert validate_pod(p) == []


def test_missing_init_container_name_is_required():
    """V1: `spec.initContainers[0].name: Required value`."""
    assert strs_of(pod(initContainers=[{"image": "busybox"}])) == [
        "spec.initContainers[0].name: Required value"
    ]


def test_uppercase_container_name_prints_apimachinery_message_exactly():
    """V1: DNS-1123 label message with its examples, regex and double space."""
    assert strs_of(pod(initContainers=[{"name": "InitDB", "image": "busybox"}])) == [
        'spec.initContainers[0].name: Invalid value: "InitDB": a lowercase RFC 1123 label must '
        "consist of lower case alphanumeric characters or '-', and must start and end with an "
        "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ]


def test_dotted_container_name_must_not_contain_dots():
    """V1: a valid subdomain that is not a label gets "must not contain dots"."""
    assert strs_of(pod(initContainers=[{"name": "init.db", "image": "busybox"}])) == [
        'spec.initContainers[0].name: Invalid value: "init.db": must not contain dots'
    ]


def test_long_container_name_reports_length():
    """V1: 64 characters is one too many."""
    errors = validate_pod(pod(initContainers=[{"name": "a" * 64, "image": "busybox"}]))
    assert [e.detail for e in errors] == ["must be no more than 63 characters"]


def test_missing_image_is_required():
    """V1: `image: Required value`."""
    assert strs_of(pod(initContainers=[{"name": "init"}])) == [
        "spec.initContainers[0].image: Required value"
    ]


def test_init_name_duplicate_of_app_is_reported_on_init_container():
    """V3: regular names are checked first, so the init container carries the error."""
    p = pod(
        initContainers=[{"name": "app", "image": "busybox"}],
        containers=[{"name": "app", "image": "nginx"}],
    )
    assert strs_of(p) == ['spec.initContainers[0].name: Duplicate value: "app"']


def test_duplicate_regular_container_names():
    """validateContainers: names unique among regular containers."""
    p = pod(containers=[{"name": "a", "image": "x"}, {"name": "a", "image": "y"}])
    assert errs_of(p) == [("spec.containers[1].name", DUPLICATE)]


def test_same_host_port_in_two_init_containers_is_allowed():
    """V4: init containers run one at a time, so host ports only clash within one."""
    port = [{"containerPort": 80, "hostPort": 8080}]
    p = pod(
        initContainers=[
            {"name": "a", "image": "x", "ports": port},
            {"name": "b", "image": "x", "ports": port},
        ]
    )
    assert validate_pod(p) == []


def test_same_host_port_in_two_regular_containers_is_duplicate():
    """V4: regular containers run together; the defaulted protocol is in the key."""
    port = [{"containerPort": 80, "hostPort": 8080}]
    p = pod(
        containers=[
            {"name": "a", "image": "x", "ports": port},
            {"name": "b", "image": "x", "ports": port},
        ]
    )
    assert strs_of(p) == ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']


@pytest.mark.parametrize("field", ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"])
def test_probes_and_lifecycle_forbidden_on_regular_init_container(field):
    """V5: one Forbidden per field with upstream's detail."""
    value = {"preStop": {"exec": {"command": ["x"]}}} if field == "lifecycle" else TCP80
    p = pod(initContainers=[{"name": "init", "image": "x", field: value}])
    assert strs_of(p) == [
        f"spec.initContainers[0].{field}: Forbidden: may not be set for init containers "
        "without restartPolicy=Always"
    ]


def test_init_restart_policy_on_failure_is_unsupported():
    """V2: only "Always" is supported on an init container."""
    p = pod(initContainers=[{"name": "init", "image": "x", "restartPolicy": "OnFailure"}])
    assert strs_of(p) == [
        'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": '
        'supported values: "Always"'
    ]


def test_sidecar_with_probes_and_lifecycle_is_valid():
    """V6: a sidecar may carry all four, defaults filling successThreshold etc."""
    sidecar = {
        "name": "proxy",
        "image": "envoy",
        "restartPolicy": "Always",
        "startupProbe": {"httpGet": {"port": 15021, "path": "/healthz/ready"}},
        "readinessProbe": {"httpGet": {"port": "http-envoy"}},
        "livenessProbe": {"exec": {"command": ["true"]}},
        "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
        "ports": [{"name": "http-envoy", "containerPort": 15021}],
    }
    assert validate_pod(pod(initContainers=[sidecar])) == []


def test_sidecar_startup_probe_success_threshold_must_be_1():
    """V6: `successThreshold: must be 1` for startup and liveness probes."""
    probe = {"exec": {"command": ["true"]}, "successThreshold": 3}
    p = pod(
        initContainers=[
            {"name": "s", "image": "x", "restartPolicy": "Always", "startupProbe": probe}
        ]
    )
    assert strs_of(p) == [
        "spec.initContainers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"
    ]


def test_sidecar_readiness_probe_termination_grace_period_is_invalid():
    """V6: `must not be set for readinessProbes`."""
    probe = {"exec": {"command": ["true"]}, "terminationGracePeriodSeconds": 5}
    p = pod(
        initContainers=[
            {"name": "s", "image": "x", "restartPolicy": "Always", "readinessProbe": probe}
        ]
    )
    assert strs_of(p) == [
        "spec.initContainers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: "
        "must not be set for readinessProbes"
    ]


def test_probe_without_handler_must_specify_a_handler_type():
    """V6: an empty probe is `Required value: must specify a handler type`."""
    p = pod(
        initContainers=[{"name": "s", "image": "x", "restartPolicy": "Always", "livenessProbe": {}}]
    )
    assert strs_of(p) == [
        "spec.initContainers[0].livenessProbe: Required value: must specify a handler type"
    ]


def test_probe_with_two_handlers_forbids_the_second():
    """V6: `may not specify more than 1 handler type`, on the later handler."""
    probe = {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}}
    p = pod(containers=[{"name": "a", "image": "x", "readinessProbe": probe}])
    assert strs_of(p) == [
        "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"
    ]


def test_negative_probe_numbers_are_invalid_in_upstream_order():
    """validateProbe: each timing non-negative, then terminationGracePeriodSeconds > 0, then must be 1."""
    probe = {**TCP80, **_NEG}
    p = pod(containers=[{"name": "a", "image": "x", "livenessProbe": probe}])
    base = "spec.containers[0].livenessProbe"
    assert errs_of(p) == [
        (f"{base}.initialDelaySeconds", INVALID),
        (f"{base}.timeoutSeconds", INVALID),
        (f"{base}.periodSeconds", INVALID),
        (f"{base}.successThreshold", INVALID),
        (f"{base}.failureThreshold", INVALID),
        (f"{base}.terminationGracePeriodSeconds", INVALID),
        (f"{base}.successThreshold", INVALID),
    ]
    assert validate_pod(p)[0].detail == "must be greater than or equal to 0"


def test_lifecycle_http_get_without_scheme_is_valid_once_defaulted():
    """The upstream "no http scheme" case cannot reach a real API server: scheme defaults to HTTP."""
    sidecar = {
        "name": "s",
        "image": "x",
        "restartPolicy": "Always",
        "lifecycle": {"preStop": {"httpGet": {"port": 80}}},
    }
    assert validate_pod(pod(initContainers=[sidecar])) == []


def test_resize_policy_on_init_container_allowed_with_in_place_resize():
    """V7: with InPlacePodVerticalScaling on (v1.33 default) resizePolicy is accepted."""
    rp = [{"resourceName": "cpu", "restartPolicy": "NotRequired"}]
    assert validate_pod(pod(initContainers=[{"name": "i", "image": "x", "resizePolicy": rp}])) == []


def test_resize_policy_on_init_container_invalid_without_in_place_resize():
    """V7: gate off, `must not be set for init containers`."""
    rp = [{"resourceName": "cpu", "restartPolicy": "NotRequired"}]
    opts = dataclasses.replace(UPSTREAM_UNIT_TEST_OPTIONS, apply_defaults=True)
    errors = validate_pod(
        pod(initContainers=[{"name": "i", "image": "x", "resizePolicy": rp}]), options=opts
    )
    assert [(e.field, e.type, e.detail) for e in errors] == [
        ("spec.initContainers[0].resizePolicy", INVALID, "must not be set for init containers")
    ]


def test_resize_policy_unsupported_resource():
    """validateResizePolicy: only cpu and memory."""
    rp = [{"resourceName": "disk", "restartPolicy": "NotRequired"}]
    assert strs_of(pod(containers=[{"name": "a", "image": "x", "resizePolicy": rp}])) == [
        'spec.containers[0].resizePolicy: Unsupported value: "disk": supported values: "cpu", "memory"'
    ]


def test_regular_container_restart_policy_forbidden_message():
    """V8: `may not be set for non-init containers`."""
    p = pod(containers=[{"name": "a", "image": "x", "restartPolicy": "Always"}])
    assert strs_of(p) == [
        "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"
    ]


def test_pod_restart_policy_unsupported_lists_upstream_order():
    """V9: supported values in validateRestartPolicy's order (Always, OnFailure, Never)."""
    assert strs_of(pod(restartPolicy="Sometimes")) == [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
        '"Always", "OnFailure", "Never"'
    ]


@pytest.mark.parametrize("policy", ["Always", "OnFailure", "Never", ""])
def test_pod_restart_policies_accepted(policy):
    """V9: the three policies, and "" (defaulted to Always)."""
    assert validate_pod(pod(restartPolicy=policy)) == []


@pytest.mark.parametrize("value", [0, -5, 2147483648])
def test_active_deadline_seconds_out_of_range(value):
    """V9: `must be between 1 and 2147483647, inclusive`."""
    assert strs_of(pod(activeDeadlineSeconds=value)) == [
        f"spec.activeDeadlineSeconds: Invalid value: {value}: must be between 1 and 2147483647, inclusive"
    ]


@pytest.mark.parametrize("value", [1, 2147483647])
def test_active_deadline_seconds_bounds_accepted(value):
    """V9: both bounds are inclusive."""
    assert validate_pod(pod(activeDeadlineSeconds=value)) == []


def test_negative_termination_grace_period_is_accepted():
    """ValidatePodSpec only requires it; the registry turns a negative value into 1."""
    assert validate_pod(pod(terminationGracePeriodSeconds=-1)) == []


def test_dns_policy_unsupported():
    """validateDNSPolicy: four values, upstream's order."""
    assert strs_of(pod(dnsPolicy="Google")) == [
        'spec.dnsPolicy: Unsupported value: "Google": supported values: '
        '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'
    ]


def test_dns_policy_none_requires_dns_config():
    """validatePodDNSConfig: None needs a dnsConfig."""
    assert errs_of(pod(dnsPolicy="None")) == [("spec.dnsConfig", REQUIRED)]


# -- general rules -----------------------------------------------------------------------


def test_containers_required():
    """validateContainers: `spec.containers: Required value`."""
    assert strs_of(pod(containers=[])) == ["spec.containers: Required value"]


def test_pod_name_required():
    """ValidateObjectMeta: `name or generateName is required`."""
    p = pod()
    del p["metadata"]["name"]
    assert strs_of(p) == ["metadata.name: Required value: name or generateName is required"]


def test_generate_name_satisfies_name_requirement():
    """generateName alone is fine (the name is generated before validation)."""
    p = pod()
    p["metadata"] = {"generateName": "myapp-"}
    assert validate_pod(p) == []


def test_pod_name_must_be_dns_subdomain():
    """ValidatePodName: DNS-1123 subdomain (dots allowed)."""
    p = pod()
    p["metadata"]["name"] = "my.app"
    assert validate_pod(p) == []
    p["metadata"]["name"] = "My_App"
    errors = validate_pod(p)
    assert [(e.field, e.type) for e in errors] == [("metadata.name", INVALID)]
    assert errors[0].detail.startswith("a lowercase RFC 1123 subdomain must consist of")


def test_namespace_must_be_dns_label():
    """Namespace, when present, is a DNS-1123 label."""
    p = pod()
    p["metadata"]["namespace"] = "team.a"
    assert errs_of(p) == [("metadata.namespace", INVALID)]


def test_template_does_not_require_name_and_uses_template_paths():
    """A Deployment's template: no name needed; paths start at spec.template.spec."""
    dep = {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {"metadata": {}, "spec": {"initContainers": [{"name": "", "image": "x"}]}}
        },
    }
    errors = validate_pod(dep, spec_path="spec.template.spec", require_name=False)
    assert errs_of_list(errors) == [
        ("spec.template.spec.containers", REQUIRED),
        ("spec.template.spec.initContainers[0].name", REQUIRED),
    ]


def errs_of_list(errors: list) -> list[tuple[str, str]]:
    return [(e.field, e.type) for e in errors]


def test_pod_shaped_template_with_template_spec_path():
    """The loader's pod-shaped dict plus spec_path "spec.template.spec" is read from "spec"."""
    p = pod(initContainers=[{"name": "x", "image": "y", "restartPolicy": "Never"}])
    errors = validate_pod(p, spec_path="spec.template.spec", require_name=False)
    assert errs_of_list(errors) == [
        ("spec.template.spec.initContainers[0].restartPolicy", NOT_SUPPORTED)
    ]


def test_image_pull_policy_unsupported():
    """validatePullPolicy: Always, IfNotPresent, Never."""
    p = pod(containers=[{"name": "a", "image": "x", "imagePullPolicy": "Sometimes"}])
    assert strs_of(p) == [
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
        '"Always", "IfNotPresent", "Never"'
    ]


def test_termination_message_policy_unsupported():
    """validateContainerCommon: File or FallbackToLogsOnError."""
    p = pod(containers=[{"name": "a", "image": "x", "terminationMessagePolicy": "Log"}])
    assert strs_of(p) == [
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "Log": supported values: '
        '"File", "FallbackToLogsOnError"'
    ]


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ({"containerPort": 0}, [("containerPort", REQUIRED)]),
        ({"containerPort": 65536}, [("containerPort", INVALID)]),
        ({"containerPort": 80, "hostPort": 70000}, [("hostPort", INVALID)]),
        ({"containerPort": 80, "protocol": "HTTP"}, [("protocol", NOT_SUPPORTED)]),
        ({"containerPort": 80, "name": "HTTP"}, [("name", INVALID), ("name", INVALID)]),
        ({"containerPort": 80, "name": "a-very-long-port-name"}, [("name", INVALID)]),
        ({"containerPort": 80, "name": "8080"}, [("name", INVALID)]),
        ({"containerPort": 80, "name": "web--x"}, [("name", INVALID)]),
        ({"containerPort": 80, "name": "-web"}, [("name", INVALID)]),
    ],
)
def test_container_port_rules(port, expected):
    """validateContainerPorts: ranges, protocol, IANA_SVC_NAME."""
    errors = validate_pod(pod(containers=[{"name": "a", "image": "x", "ports": [port]}]))
    assert errs_of_list(errors) == [(f"spec.containers[0].ports[0].{f}", t) for f, t in expected]


def test_container_port_range_message():
    """IsValidPortNum's words."""
    p = pod(containers=[{"name": "a", "image": "x", "ports": [{"containerPort": 65536}]}])
    assert strs_of(p) == [
        "spec.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive"
    ]


def test_port_name_duplicate():
    """Port names unique within a container."""
    ports = [{"name": "web", "containerPort": 80}, {"name": "web", "containerPort": 81}]
    assert errs_of(pod(containers=[{"name": "a", "image": "x", "ports": ports}])) == [
        ("spec.containers[0].ports[1].name", DUPLICATE)
    ]


def test_env_name_with_equals_is_invalid_relaxed_rule():
    """ValidateEnv (RelaxedEnvironmentVariableValidation on): '=' is not allowed."""
    p = pod(containers=[{"name": "a", "image": "x", "env": [{"name": "A=B", "value": "1"}]}])
    assert strs_of(p) == [
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name '
        "must consist only of printable ASCII characters other than '='"
    ]


def test_env_name_starting_with_digit_strict_rule():
    """ValidateEnv (gate off): the C-identifier-like rule."""
    p = pod(containers=[{"name": "a", "image": "x", "env": [{"name": "1A"}]}])
    assert validate_pod(p) == []  # relaxed by default
    errors = validate_pod(
        p, options=dataclasses.replace(UPSTREAM_UNIT_TEST_OPTIONS, apply_defaults=True)
    )
    assert errors[0].detail.startswith(
        "a valid environment variable name must consist of alphabetic"
    )


def test_env_name_required():
    """ValidateEnv: name Required."""
    assert errs_of(pod(containers=[{"name": "a", "image": "x", "env": [{"value": "v"}]}])) == [
        ("spec.containers[0].env[0].name", REQUIRED)
    ]


def test_env_value_from_needs_one_source():
    """validateEnvVarValueFrom: exactly one source."""
    p = pod(containers=[{"name": "a", "image": "x", "env": [{"name": "A", "valueFrom": {}}]}])
    assert errs_of(p) == [("spec.containers[0].env[0].valueFrom", INVALID)]


def test_env_field_ref_defaults_api_version():
    """fieldRef apiVersion defaults to v1; metadata.name is supported."""
    env = [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    assert validate_pod(pod(containers=[{"name": "a", "image": "x", "env": env}])) == []


def test_volume_mount_must_name_a_declared_volume():
    """ValidateVolumeMounts: `Not found`."""
    c = {"name": "a", "image": "x", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}
    assert strs_of(pod(containers=[c])) == [
        'spec.containers[0].volumeMounts[0].name: Not found: "data"'
    ]


def test_volume_mount_shared_with_init_container_is_valid():
    """An emptyDir shared by an init container and the app."""
    mount = [{"name": "work", "mountPath": "/work"}]
    p = pod(
        volumes=[{"name": "work", "emptyDir": {}}],
        initContainers=[{"name": "i", "image": "x", "volumeMounts": mount}],
        containers=[{"name": "a", "image": "x", "volumeMounts": mount}],
    )
    assert validate_pod(p) == []


def test_volume_without_source_defaults_to_empty_dir():
    """SetDefaults_Volume: no source means emptyDir."""
    mount = [{"name": "work", "mountPath": "/work"}]
    p = pod(
        volumes=[{"name": "work"}], containers=[{"name": "a", "image": "x", "volumeMounts": mount}]
    )
    assert validate_pod(p) == []


def test_volume_names_unique_and_dns_labels():
    """ValidateVolumes: Duplicate and DNS label; an invalid volume cannot be mounted."""
    p = pod(
        volumes=[
            {"name": "v", "emptyDir": {}},
            {"name": "v", "emptyDir": {}},
            {"name": "V_1", "emptyDir": {}},
        ],
        containers=[
            {"name": "a", "image": "x", "volumeMounts": [{"name": "V_1", "mountPath": "/a"}]}
        ],
    )
    assert errs_of(p) == [
        ("spec.volumes[1].name", DUPLICATE),
        ("spec.volumes[2].name", INVALID),
        ("spec.containers[0].volumeMounts[0].name", NOT_FOUND),
    ]


def test_volume_with_two_sources_forbids_the_second():
    """validateVolumeSource: `may not specify more than 1 volume type`."""
    p = pod(volumes=[{"name": "v", "emptyDir": {}, "configMap": {"name": "c"}}])
    assert strs_of(p) == [
        "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"
    ]


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ({"configMap": {}}, "configMap.name"),
        ({"secret": {}}, "secret.secretName"),
        ({"persistentVolumeClaim": {}}, "persistentVolumeClaim.claimName"),
        ({"hostPath": {}}, "hostPath.path"),
    ],
)
def test_volume_source_required_names(source, field):
    """validate{ConfigMap,Secret,PersistentClaim,HostPath}VolumeSource: the reference is required."""
    assert errs_of(pod(volumes=[{"name": "v", **source}])) == [
        (f"spec.volumes[0].{field}", REQUIRED)
    ]


def test_mount_path_unique():
    """ValidateVolumeMounts: `must be unique`."""
    mounts = [{"name": "v", "mountPath": "/d"}, {"name": "v", "mountPath": "/d"}]
    p = pod(
        volumes=[{"name": "v", "emptyDir": {}}],
        containers=[{"name": "a", "image": "x", "volumeMounts": mounts}],
    )
    assert errs_of(p) == [("spec.containers[0].volumeMounts[1].mountPath", INVALID)]


def test_request_above_limit_message():
    """validateResourceRequirements: path is `resources.requests`, upstream wording."""
    res = {"limits": {"cpu": "1"}, "requests": {"cpu": "1500m"}}
    assert strs_of(pod(containers=[{"name": "a", "image": "x", "resources": res}])) == [
        'spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1'
    ]


def test_request_above_limit_on_init_container():
    """The same rule applies to init containers."""
    res = {"limits": {"memory": "64Mi"}, "requests": {"memory": "128Mi"}}
    assert strs_of(pod(initContainers=[{"name": "i", "image": "x", "resources": res}])) == [
        'spec.initContainers[0].resources.requests: Invalid value: "128Mi": '
        "must be less than or equal to memory limit of 64Mi"
    ]


def test_negative_quantity_is_invalid():
    """ValidateNonnegativeQuantity."""
    res = {"limits": {"cpu": "-1"}}
    errors = validate_pod(pod(containers=[{"name": "a", "image": "x", "resources": res}]))
    assert [str(e) for e in errors][0] == (
        'spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0'
    )


def test_unparsable_quantity_reports_the_parse_error():
    """A quantity that does not parse is reported with apimachinery's words."""
    res = {"requests": {"memory": "1GB"}}
    errors = validate_pod(pod(containers=[{"name": "a", "image": "x", "resources": res}]))
    assert [(e.field, e.type) for e in errors] == [
        ("spec.containers[0].resources.requests[memory]", INVALID)
    ]
    assert errors[0].detail == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


def test_unknown_resource_name_two_errors():
    """validateContainerResourceName: "disk" is neither standard nor for containers (upstream case).

    In a Pod the limit is also copied to requests (`SetDefaults_Pod`), so requests repeat both.
    """
    res = {"limits": {"disk": "10G"}}
    errors = validate_pod(pod(containers=[{"name": "a", "image": "x", "resources": res}]))
    details = [
        "must be a standard resource type or fully qualified",
        "must be a standard resource for containers",
    ]
    lim, req = (
        "spec.containers[0].resources.limits[disk]",
        "spec.containers[0].resources.requests[disk]",
    )
    assert [(e.field, e.detail) for e in errors] == [(lim, d) for d in details] + [
        (req, d) for d in details
    ]
    template = validate_pod_spec(
        pod()["spec"] | {"containers": [{"name": "a", "image": "x", "resources": res}]},
        "spec.template.spec",
    )
    assert [e.detail for e in template] == details


def test_extended_resource_must_be_integer_and_equal():
    """Extended resources: integer, and request must equal limit."""
    res = {"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "500m"}}
    errors = validate_pod(pod(containers=[{"name": "a", "image": "x", "resources": res}]))
    assert [e.detail for e in errors] == [
        "must be an integer",
        "must be equal to nvidia.com/gpu limit of 1",
    ]


def test_image_with_trailing_space_is_invalid_for_a_pod():
    """validateContainersOnlyForPod."""
    assert errs_of(pod(containers=[{"name": "a", "image": "nginx "}])) == [
        ("spec.containers[0].image", INVALID)
    ]


def test_labels_validated():
    """ValidateLabels: keys are qualified names, values label values."""
    p = pod()
    p["metadata"]["labels"] = {"app": "web", "bad key": "x", "k": "-v"}
    assert errs_of(p) == [("metadata.labels", INVALID), ("metadata.labels", INVALID)]


def test_errors_follow_upstream_order_across_the_spec():
    """Containers before init containers, then pod-level policies, then activeDeadlineSeconds."""
    p = pod(
        initContainers=[{"name": "Init", "image": "x"}],
        containers=[{"name": "a"}],
        restartPolicy="Sometimes",
        activeDeadlineSeconds=0,
    )
    assert errs_of(p) == [
        ("spec.containers[0].image", REQUIRED),
        ("spec.initContainers[0].name", INVALID),
        ("spec.restartPolicy", NOT_SUPPORTED),
        ("spec.activeDeadlineSeconds", INVALID),
    ]


def test_ephemeral_containers_cannot_be_set_on_create():
    """ValidatePodCreate."""
    p = pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}])
    assert strs_of(p) == ["spec.ephemeralContainers: Forbidden: cannot be set on create"]


def test_input_is_not_mutated():
    """Defaulting works on a copy."""
    p = pod(initContainers=[{"name": "i", "image": "x", "livenessProbe": TCP80}])
    before = copy.deepcopy(p)
    validate_pod(p)
    assert p == before


# -- updates ----------------------------------------------------------------------------


def _running() -> dict:
    return pod(
        initContainers=[{"name": "init", "image": "busybox:1.28"}],
        activeDeadlineSeconds=60,
    )


def test_update_may_change_init_container_image():
    """V9 update: only `image` may change."""
    old, new = _running(), _running()
    new["spec"]["initContainers"][0]["image"] = "busybox:1.36"
    assert validate_pod_update(old, new) == []


def test_update_may_not_change_init_container_command():
    """V9 update: any other init-container change is Forbidden with upstream's message."""
    old, new = _running(), _running()
    new["spec"]["initContainers"][0]["command"] = ["sh", "-c", "true"]
    errors = validate_pod_update(old, new)
    assert [(e.field, e.type) for e in errors] == [("spec", FORBIDDEN)]
    assert errors[0].detail.startswith(
        "pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
    )
    assert "spec.initContainers[0].command" in errors[0].detail


def test_update_may_not_add_init_containers():
    """ValidateContainerUpdates: `pod updates may not add or remove containers`."""
    old, new = _running(), _running()
    new["spec"]["initContainers"].append({"name": "second", "image": "x"})
    assert strs_of_list(validate_pod_update(old, new)) == [
        "spec.initContainers: Forbidden: pod updates may not add or remove containers"
    ]


def strs_of_list(errors: list) -> list[str]:
    return [str(e) for e in errors]


def test_update_may_lower_active_deadline_but_not_raise_it():
    """activeDeadlineSeconds: set or lowered only."""
    old, new = _running(), _running()
    new["spec"]["activeDeadlineSeconds"] = 30
    assert validate_pod_update(old, new) == []
    new["spec"]["activeDeadlineSeconds"] = 90
    assert strs_of_list(validate_pod_update(old, new)) == [
        "spec.activeDeadlineSeconds: Invalid value: 90: must be less than or equal to previous value"
    ]


def test_update_may_set_active_deadline_but_not_remove_it():
    """From nil to a value is fine; from a value to nil is not."""
    old, new = pod(), pod(activeDeadlineSeconds=10)
    assert validate_pod_update(old, new) == []
    assert strs_of_list(validate_pod_update(new, old)) == [
        "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"
    ]


def test_update_of_defaults_only_is_no_change():
    """A spec with defaults written out equals the same spec without them."""
    old = _running()
    new = copy.deepcopy(old)
    new["spec"]["restartPolicy"] = "Always"
    new["spec"]["initContainers"][0]["terminationMessagePolicy"] = "File"
    assert validate_pod_update(old, new) == []


# -- hypothesis ---------------------------------------------------------------------------

_LABEL_CHARS = string.ascii_lowercase + string.digits
dns_labels = st.from_regex(r"\A[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")


@settings(max_examples=200, deadline=None)
@given(dns_labels)
def test_any_dns1123_label_is_accepted_as_container_name(name):
    """Every DNS-1123 label (at most 63 characters) is a valid init container name."""
    assume(name != "app")
    assert validate_pod(pod(initContainers=[{"name": name, "image": "x"}])) == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=_LABEL_CHARS + "-" + string.ascii_uppercase, min_size=1, max_size=40).filter(
        lambda s: any(c.isupper() for c in s)
    )
)
def test_any_name_with_an_uppercase_letter_is_rejected(name):
    """An uppercase letter always breaks the DNS-1123 label rule."""
    errors = validate_pod(pod(containers=[{"name": name, "image": "x"}]))
    assert ("spec.containers[0].name", INVALID) in errs_of_list(errors)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_active_deadline_valid_iff_in_int32_positive_range(value):
    """activeDeadlineSeconds is valid exactly on [1, 2147483647]."""
    ok = validate_pod(pod(activeDeadlineSeconds=value)) == []
    assert ok == (1 <= value <= 2147483647)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=20,
)
_FIELDS = [
    "name", "image", "ports", "env", "resources", "restartPolicy", "livenessProbe",
    "readinessProbe", "startupProbe", "lifecycle", "volumeMounts", "resizePolicy",
    "imagePullPolicy", "securityContext", "envFrom", "command",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELDS), json_values, max_size=6), json_values)
def test_random_containers_never_raise(container, volumes):
    """Whatever a container holds, validation returns errors and never raises."""
    p = pod(initContainers=[container], containers=[container], volumes=volumes)
    before = repr(p)
    errors = validate_pod(p)
    assert repr(p) == before  # the input is never changed (repr: NaN != NaN)
    assert validate_pod(copy.deepcopy(p)) == errors  # the same answer every time
    for e in errors:
        assert e.type in {
            REQUIRED, INVALID, NOT_SUPPORTED, DUPLICATE, FORBIDDEN, NOT_FOUND,
            TOO_LONG, TOO_MANY, TYPE_INVALID,
        }  # fmt: skip
        assert e.field.startswith("spec.")  # metadata is valid; only the spec was generated
        line = str(e)
        assert line.startswith(f"{e.field}: {e.type}") and "\n" not in line


# -- hostile input --------------------------------------------------------------------------

_cycle: list = []
_cycle.append(_cycle)

HOSTILE = [
    ("None spec", {"metadata": {"name": "x"}, "spec": None}),
    ("list spec", {"metadata": {"name": "x"}, "spec": []}),
    ("string pod", "pod"),
    ("None pod", None),
    ("containers as dict", {"spec": {"containers": {"name": "a"}}}),
    ("containers as string", {"spec": {"containers": "x"}}),
    ("container as string", {"spec": {"containers": ["nginx"]}}),
    ("name as int", {"spec": {"containers": [{"name": 5, "image": "x"}]}}),
    ("image as int", {"spec": {"containers": [{"name": "a", "image": 3}]}}),
    ("ports as int", {"spec": {"containers": [{"name": "a", "image": "x", "ports": 5}]}}),
    ("resources as list", {"spec": {"containers": [{"name": "a", "image": "x", "resources": []}]}}),
    (
        "quantities as bool",
        {
            "spec": {
                "containers": [{"name": "a", "image": "x", "resources": {"limits": {"cpu": True}}}]
            }
        },
    ),
    ("metadata as list", {"metadata": [1], "spec": {"containers": [{"name": "a", "image": "x"}]}}),
    ("labels with int keys", {"metadata": {"name": "x", "labels": {1: 2}}, "spec": {}}),
    (
        "deeply nested junk",
        {"spec": {"initContainers": [{"livenessProbe": {"httpGet": {"port": [[[{"a": {}}]]]}}}]}},
    ),
    (
        "cyclic list",
        {"spec": {"containers": [{"name": "a", "image": "x", "resizePolicy": _cycle}]}},
    ),
    (
        "float ports",
        {"spec": {"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 1.5}]}]}},
    ),
    (
        "nan deadline",
        {
            "spec": {
                "containers": [{"name": "a", "image": "x"}],
                "activeDeadlineSeconds": float("nan"),
            }
        },
    ),
    (
        "huge quantity",
        {
            "spec": {
                "containers": [
                    {"name": "a", "image": "x", "resources": {"limits": {"cpu": "1e999999"}}}
                ]
            }
        },
    ),
]


@pytest.mark.parametrize(("title", "obj"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_never_raises(title, obj):
    """Wrongly typed input gives field errors, never an exception (and renders as text)."""
    errors = validate_pod(obj)
    assert errors
    assert all(": " in str(e) for e in errors)
    assert all(isinstance(e.to_json(), dict) for e in errors)


def test_wrong_type_reports_must_be_of_type():
    """A decoding problem reads `Invalid value: "x": must be of type array`."""
    assert strs_of({"metadata": {"name": "p"}, "spec": {"containers": "x"}}) == [
        'spec.containers: Invalid value: "x": must be of type array'
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, pod(), []),
        (pod(), None, ["<root>: Invalid value: null: must be of type object"]),
        (
            [],
            {},
            [
                "metadata.name: Required value: name or generateName is required",
                "spec.containers: Required value",
            ],
        ),
        (
            pod(containers="x"),
            pod(),
            ["spec.containers: Forbidden: pod updates may not add or remove containers"],
        ),
    ],
    ids=["old-null", "new-null", "both-not-pods", "old-containers-not-a-list"],
)
def test_hostile_update_reports_field_errors(old, new, expected):
    """validate_pod_update with junk on either side answers field errors, never raises."""
    assert [str(e) for e in validate_pod_update(old, new)] == expected
