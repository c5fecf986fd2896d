"""LimitRanger (`initlab.admission.controllers.limitranger`): upstream's init-container cases.

Ported from kubernetes/kubernetes `plugin/pkg/admission/limitranger/admission_test.go`
(v1.33): `TestDefaultContainerResourceRequirements`, the init-container part of
`TestMergePodResourceRequirements`, every `TestPodLimitFunc` case with an init
container (or a restartable one), `TestPodLimitFuncApplyDefault`. As upstream, the
functions run on the pod and LimitRange as given (no API defaulting); upstream only
asserts that an error case errs, we also pin the message.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from initlab.admission.controllers import limitranger as lr


def _rl(cpu: str = "", memory: str = "", storage: str = "") -> dict[str, str]:
    """`getComputeResourceList` / `getLocalStorageResourceList`."""
    out = {}
    if cpu:
        out["cpu"] = cpu
    if memory:
        out["memory"] = memory
    if storage:
        out["ephemeral-storage"] = storage
    return out


def _req(requests: dict[str, str], limits: dict[str, str]) -> dict[str, Any]:
    """`getResourceRequirements`."""
    return {"requests": dict(requests), "limits": dict(limits)}


def valid_pod(name: str, n: int, resources: dict[str, Any]) -> dict[str, Any]:
    """`validPod`: n containers foo-0..foo-(n-1) with these resources."""
    return {
        "metadata": {"name": name, "namespace": "test"},
        "spec": {
            "containers": [
                {"name": f"foo-{i}", "image": f"foo:V{i}", "resources": copy.deepcopy(resources)}
                for i in range(n)
            ]
        },
    }


def valid_pod_init(pod: dict[str, Any], *resources: dict[str, Any]) -> dict[str, Any]:
    """`validPodInit`: init containers foo-0.. with these resources."""
    pod["spec"]["initContainers"] = [
        {"name": f"foo-{i}", "image": f"foo:V{i}", "resources": copy.deepcopy(r)}
        for i, r in enumerate(resources)
    ]
    return pod


def with_restartable_init(requests: dict, limits: dict, pod: dict[str, Any]) -> dict[str, Any]:
    """`withRestartableInitContainer`: a sidecar appended to the init containers."""
    inits = pod["spec"].setdefault("initContainers", [])
    i = len(inits)
    inits.append(
        {
            "name": f"foo-{i}",
            "image": f"foo:V{i}",
            "restartPolicy": "Always",
            "resources": _req(requests, limits),
        }
    )
    return pod


def limit_range(type_: str, min_=None, max_=None, default=None, default_request=None, ratio=None):
    """`createLimitRange` (as upstream, not defaulted)."""
    item: dict[str, Any] = {"type": type_}
    for key, value in (
        ("min", min_),
        ("max", max_),
        ("default", default),
        ("defaultRequest", default_request),
        ("maxLimitRequestRatio", ratio),
    ):
        if value:
            item[key] = value
    return {"metadata": {"name": "abc", "namespace": "test"}, "spec": {"limits": [item]}}


def valid_limit_range() -> dict[str, Any]:
    """`validLimitRange`."""
    return {
        "metadata": {"name": "abc", "namespace": "test"},
        "spec": {
            "limits": [
                {"type": "Pod", "max": _rl("200m", "4Gi"), "min": _rl("50m", "2Mi")},
                {
                    "type": "Container",
                    "max": _rl("100m", "2Gi"),
                    "min": _rl("25m", "1Mi"),
                    "default": _rl("75m", "10Mi"),
                    "defaultRequest": _rl("50m", "5Mi"),
                },
            ]
        },
    }


def test_default_requirements_come_from_the_container_item():
    """`TestDefaultContainerResourceRequirements`: requests 50m/5Mi, limits 75m/10Mi."""
    assert lr.default_requirements(valid_limit_range()) == (_rl("50m", "5Mi"), _rl("75m", "10Mi"))


def test_init_container_missing_a_resource_gets_the_default_and_the_annotation_names_it():
    """`TestMergePodResourceRequirements`, limit-memory: container and init container get cpu request and both limits.

    Upstream's test shares one Go map between the container and the init container, so its
    annotation names only the container; with separate objects (as a decoded pod has) the
    init container is named too, as `mergePodResourceRequirements` writes it.
    """
    given = _req(_rl("", "512Mi"), {})
    pod = valid_pod_init(valid_pod("limit-memory", 1, given), given)
    lr.mutate(pod, valid_limit_range())
    want = {"requests": _rl("50m", "512Mi"), "limits": _rl("75m", "10Mi")}
    assert pod["spec"]["containers"][0]["resources"] == want
    assert pod["spec"]["initContainers"][0]["resources"] == want
    assert pod["metadata"]["annotations"][lr.ANNOTATION] == (
        "LimitRanger plugin set: cpu request for container foo-0; cpu, memory limit for "
        "container foo-0; cpu request for init container foo-0; cpu, memory limit for init "
        "container foo-0"
    )


def test_init_container_stating_everything_is_left_alone_and_no_annotation_is_written():
    """`TestMergePodResourceRequirements`: all resources enumerated, nothing merged."""
    given = _req(_rl("100m", "512Mi"), _rl("200m", "1G"))
    init = _req(_rl("200m", "1G"), _rl("400m", "2G"))
    pod = valid_pod_init(valid_pod("limit-memory", 1, given), init)
    assert lr.mutate(pod, valid_limit_range()) == []
    assert pod["spec"]["initContainers"][0]["resources"] == init
    assert "annotations" not in pod["metadata"]


def test_apply_default_fills_every_container_and_init_container():
    """`TestPodLimitFuncApplyDefault`: 10Mi/75m limits, 5Mi/50m requests everywhere."""
    pod = valid_pod_init(valid_pod("foo", 1, _req({}, {})), _req({}, {}))
    lr.mutate(pod, valid_limit_range())
    for c in pod["spec"]["containers"] + pod["spec"]["initContainers"]:
        assert c["resources"] == {"requests": _rl("50m", "5Mi"), "limits": _rl("75m", "10Mi")}


SUCCESS = {
    "pod-init-min-memory-request": (
        valid_pod_init(valid_pod("p", 2, _req(_rl("", "60Mi"), {})), _req(_rl("", "100Mi"), {})),
        limit_range("Pod", min_=_rl("", "100Mi")),
    ),
    "pod-init-min-memory-request-limit": (
        valid_pod_init(
            valid_pod("p", 2, _req(_rl("", "60Mi"), _rl("", "100Mi"))),
            _req(_rl("", "80Mi"), _rl("", "100Mi")),
        ),
        limit_range("Pod", min_=_rl("", "100Mi")),
    ),
    "pod-init-max-cpu-request-limit": (
        valid_pod_init(
            valid_pod("p", 2, _req(_rl("500m"), _rl("1"))),
            _req(_rl("1"), _rl("2")),
            _req(_rl("1"), _rl("1")),
        ),
        limit_range("Pod", max_=_rl("2")),
    ),
    "pod-init-max-cpu-limit": (
        valid_pod_init(
            valid_pod("p", 2, _req({}, _rl("1"))),
            _req({}, _rl("2")),
            _req({}, _rl("2")),
        ),
        limit_range("Pod", max_=_rl("2")),
    ),
    "pod-init-min-local-ephemeral-storage-request": (
        valid_pod_init(
            valid_pod("p", 2, _req(_rl(storage="60Mi"), {})), _req(_rl(storage="100Mi"), {})
        ),
        limit_range("Pod", min_=_rl(storage="100Mi")),
    ),
    "pod-init-min-local-ephemeral-storage-request-limit": (
        valid_pod_init(
            valid_pod("p", 2, _req(_rl(storage="60Mi"), _rl(storage="100Mi"))),
            _req(_rl(storage="80Mi"), _rl(storage="100Mi")),
        ),
        limit_range("Pod", min_=_rl(storage="100Mi")),
    ),
}


@pytest.mark.parametrize("name", SUCCESS)
def test_pod_with_init_containers_within_the_pod_bounds_is_admitted(name: str):
    """`TestPodLimitFunc` success cases with init containers: mutate, then validate without error."""
    pod, limits = copy.deepcopy(SUCCESS[name])
    lr.mutate(pod, limits)
    assert lr.validate(pod, limits) == []


ERRORS = {
    "pod-init-max-mem-limit": (
        valid_pod_init(valid_pod("p", 1, _req({}, _rl("", "500Mi"))), _req({}, _rl("", "1.5Gi"))),
        limit_range("Pod", max_=_rl("", "1Gi")),
        # the init container's limit is the pod's (max of init, sum of containers)
        "maximum memory usage per Pod is 1Gi, but limit is 1536Mi",
    ),
    "pod-init-max-local-ephemeral-storage-limit": (
        valid_pod_init(
            valid_pod("p", 1, _req({}, _rl(storage="500Mi"))), _req({}, _rl(storage="1.5Gi"))
        ),
        limit_range("Pod", max_=_rl(storage="1Gi")),
        "maximum ephemeral-storage usage per Pod is 1Gi, but limit is 1536Mi",
    ),
    "ctr-max-cpu-limit-restartable-init-container": (
        with_restartable_init(
            _rl("1500m"), {}, valid_pod("p", 1, _req(_rl("1000m"), _rl("1500m")))
        ),
        limit_range("Pod", max_=_rl("2")),
        # the sidecar runs beside the app: requests stack to 2500m (no limit on the sidecar)
        "maximum cpu usage per Pod is 2, but request is 2500m",
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_pod_whose_init_containers_break_the_pod_bounds_is_refused_with_upstreams_words(name: str):
    """`TestPodLimitFunc` error cases with init containers, with the exact message."""
    pod, limits, message = copy.deepcopy(ERRORS[name])
    lr.mutate(pod, limits)
    assert lr.aggregate_message(lr.validate(pod, limits)) == message


def test_container_bounds_apply_to_each_init_container():
    """`PodValidateLimitFunc` checks `type: Container` min/max/ratio on init containers too."""
    pod = valid_pod_init(
        valid_pod("p", 1, _req(_rl("100m"), _rl("100m"))), _req(_rl("10m"), _rl("500m"))
    )
    limits = limit_range("Container", min_=_rl("25m"), ratio=_rl("4"))
    assert lr.validate(pod, limits) == [
        "minimum cpu usage per Container is 25m, but request is 10m",
        "cpu max limit to request ratio per Container is 4, but provided ratio is 50.000000",
    ]


def test_limit_range_defaulting_fills_default_from_max_and_default_request_from_default():
    """`SetDefaults_LimitRangeItem`: default ← max, defaultRequest ← default, then ← min."""
    stored = lr.default_limit_range(limit_range("Container", min_=_rl("10m", "8Mi"), max_=_rl("1")))
    item = stored["spec"]["limits"][0]
    assert item["default"] == {"cpu": "1"}
    assert item["defaultRequest"] == {"cpu": "1", "memory": "8Mi"}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("min", "minimum memory usage per Container is 50Mi.  No request is specified"),
        ("max", "maximum cpu usage per Container is 2.  No limit is specified"),
        (
            "ratio",
            "cpu max limit to request ratio per Container is 1, but no request is specified or request is 0",
        ),
    ],
)
def test_missing_request_or_limit_messages_are_upstreams(error: str, message: str):
    """`minConstraint`, `maxConstraint`, `limitRequestRatioConstraint` when the value is absent."""
    pod = valid_pod("p", 1, _req({}, {}))
    limits = {
        "min": limit_range("Container", min_=_rl("", "50Mi")),
        "max": limit_range("Container", max_=_rl("2")),
        "ratio": limit_range("Container", ratio=_rl("1")),
    }[error]
    assert lr.validate(pod, limits) == [message]


def test_identical_errors_are_aggregated_once_without_brackets():
    """`utilerrors.NewAggregate`: a repeated message is printed once, without `[...]`."""
    assert lr.aggregate_message(["a", "a"]) == "a"
    assert lr.aggregate_message(["a", "b", "a"]) == "[a, b]"
