"""ResourceQuota (`initlab.admission.controllers.resourcequota`): what a pod is charged, when it is refused.

Ported from kubernetes/kubernetes `pkg/quota/v1/evaluator/core/pods_test.go` (v1.33):
`TestPodConstraintsFunc` (all cases) and the `TestPodEvaluatorUsage` cases a pod on
create can have (init containers, containers, overhead, pod-level resources, a terminal
pod); the controller's messages after
`staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go` `CheckRequest`.
"""

from __future__ import annotations

from typing import Any

import pytest

from initlab.admission.controllers import resourcequota as rq


def _c(name: str = "", requests: dict | None = None, limits: dict | None = None) -> dict:
    res: dict[str, Any] = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return {"name": name, "image": "i", "resources": res}


def _pod(inits=(), containers=(), **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "web"},
        "spec": {"initContainers": list(inits), "containers": list(containers), **spec},
    }


CONSTRAINTS = {
    "init container resource missing": (
        _pod(inits=[_c("dummy", {"cpu": "1m"}, {"cpu": "2m"})]),
        ["memory"],
        "must specify memory for: dummy",
    ),
    "multiple init container resource missing": (
        _pod(
            inits=[_c("foo", {"cpu": "1m"}, {"cpu": "2m"}), _c("bar", {"cpu": "1m"}, {"cpu": "2m"})]
        ),
        ["memory"],
        "must specify memory for: bar,foo",
    ),
    "container resource missing": (
        _pod(containers=[_c("dummy", {"cpu": "1m"}, {"cpu": "2m"})]),
        ["memory"],
        "must specify memory for: dummy",
    ),
    "multiple container resource missing": (
        _pod(
            containers=[
                _c("foo", {"cpu": "1m"}, {"cpu": "2m"}),
                _c("bar", {"cpu": "1m"}, {"cpu": "2m"}),
            ]
        ),
        ["memory"],
        "must specify memory for: bar,foo",
    ),
    "container resource missing multiple": (
        _pod(containers=[_c("foo"), _c("bar")]),
        ["memory", "cpu"],
        "must specify cpu for: bar,foo; memory for: bar,foo",
    ),
    "pod-level resource set, container-level required resources missing": (
        _pod(containers=[_c("foo"), _c("bar")], resources={"requests": {"cpu": "1m"}}),
        ["memory", "cpu"],
        "",
    ),
}


@pytest.mark.parametrize("name", CONSTRAINTS)
def test_constraints_name_every_container_and_init_container_missing_a_tracked_resource(name: str):
    """`TestPodConstraintsFunc` (all six cases): the exact `must specify` message, or none."""
    pod, required, message = CONSTRAINTS[name]
    assert rq.constraints(required, pod) == message


def test_constraints_ignore_resources_outside_the_validation_set():
    """Only cpu and memory (bare, requests., limits.) require every container to state them."""
    assert rq.constraints(["pods", "ephemeral-storage"], _pod(containers=[_c("a")])) == ""


COUNT = {"count/pods": "1", "pods": "1"}
USAGE = {
    "init container CPU": (
        _pod(inits=[_c("i", {"cpu": "1m"}, {"cpu": "2m"})]),
        {"requests.cpu": "1m", "limits.cpu": "2m", "cpu": "1m", **COUNT},
    ),
    "init container MEM": (
        _pod(inits=[_c("i", {"memory": "1m"}, {"memory": "2m"})]),
        {"requests.memory": "1m", "limits.memory": "2m", "memory": "1m", **COUNT},
    ),
    "init container local ephemeral storage": (
        _pod(inits=[_c("i", {"ephemeral-storage": "32Mi"}, {"ephemeral-storage": "64Mi"})]),
        {
            "ephemeral-storage": "32Mi",
            "requests.ephemeral-storage": "32Mi",
            "limits.ephemeral-storage": "64Mi",
            **COUNT,
        },
    ),
    "init container hugepages": (
        _pod(inits=[_c("i", {"hugepages-2Mi": "100Mi"})]),
        {"hugepages-2Mi": "100Mi", "requests.hugepages-2Mi": "100Mi", **COUNT},
    ),
    "init container extended resources": (
        _pod(inits=[_c("i", {"example.com/dongle": "3"}, {"example.com/dongle": "3"})]),
        {"requests.example.com/dongle": "3", **COUNT},
    ),
    "container CPU": (
        _pod(containers=[_c("c", {"cpu": "1m"}, {"cpu": "2m"})]),
        {"requests.cpu": "1m", "limits.cpu": "2m", "cpu": "1m", **COUNT},
    ),
    "terminated generic count still appears": (
        {
            **_pod(containers=[_c("c", {"example.com/dongle": "3"}, {"example.com/dongle": "3"})]),
            "status": {"phase": "Succeeded"},
        },
        {"count/pods": "1"},
    ),
    "init container maximums override sum of containers": (
        _pod(
            inits=[
                _c(
                    "i0",
                    {"cpu": "4", "memory": "100M", "example.com/dongle": "4"},
                    {"cpu": "8", "memory": "200M", "example.com/dongle": "4"},
                ),
                _c(
                    "i1",
                    {"cpu": "1", "memory": "50M", "example.com/dongle": "2"},
                    {"cpu": "2", "memory": "100M", "example.com/dongle": "2"},
                ),
            ],
            containers=[
                _c(
                    "c0",
                    {"cpu": "1", "memory": "50M", "example.com/dongle": "1"},
                    {"cpu": "2", "memory": "100M", "example.com/dongle": "1"},
                ),
                _c(
                    "c1",
                    {"cpu": "2", "memory": "25M", "example.com/dongle": "2"},
                    {"cpu": "5", "memory": "50M", "example.com/dongle": "2"},
                ),
            ],
        ),
        {
            "requests.cpu": "4",
            "requests.memory": "100M",
            "limits.cpu": "8",
            "limits.memory": "200M",
            "cpu": "4",
            "memory": "100M",
            "requests.example.com/dongle": "4",
            **COUNT,
        },
    ),
    "count pod overhead as usage": (
        _pod(containers=[_c("c", {"cpu": "1"}, {"cpu": "2"})], overhead={"cpu": "1"}),
        {"requests.cpu": "2", "limits.cpu": "3", "cpu": "2", **COUNT},
    ),
    "pod-level CPU": (
        _pod(resources={"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}),
        {"requests.cpu": "1m", "limits.cpu": "2m", "cpu": "1m", **COUNT},
    ),
    "pod-level memory with container-level ephemeral storage": (
        _pod(
            resources={"requests": {"memory": "1Mi"}, "limits": {"memory": "2Mi"}},
            containers=[_c("c", {"ephemeral-storage": "32Mi"}, {"ephemeral-storage": "64Mi"})],
        ),
        {
            "ephemeral-storage": "32Mi",
            "requests.ephemeral-storage": "32Mi",
            "limits.ephemeral-storage": "64Mi",
            "requests.memory": "1Mi",
            "limits.memory": "2Mi",
            "memory": "1Mi",
            **COUNT,
        },
    ),
}


@pytest.mark.parametrize("name", USAGE)
def test_usage_charges_the_pods_effective_requests(name: str):
    """`TestPodEvaluatorUsage`: the usage list, resource by resource."""
    pod, want = USAGE[name]
    assert {k: str(v) for k, v in rq.usage(pod).items()} == want


def test_sidecars_stack_on_the_init_container_that_runs_beside_them():
    """PodRequests with a sidecar: app 100m + proxy 50m = 150m, but migrate runs beside the proxy: 250m."""
    pod = _pod(
        inits=[
            {**_c("proxy", {"cpu": "50m"}), "restartPolicy": "Always"},
            _c("migrate", {"cpu": "200m"}),
        ],
        containers=[_c("app", {"cpu": "100m"})],
    )
    assert str(rq.usage(pod)["requests.cpu"]) == "250m"


def _quota(hard: dict[str, str], used: dict[str, str] | None, name: str = "compute") -> dict:
    status: dict[str, Any] = {"hard": hard}
    if used is not None:
        status["used"] = used
    return {"metadata": {"name": name}, "spec": {"hard": hard}, "status": status}


def test_exceeded_quota_message_masks_to_the_exceeded_resources():
    """`CheckRequest`: `exceeded quota: NAME, requested: ..., used: ..., limited: ...`, only what is over."""
    pod = _pod(
        inits=[
            {**_c("proxy", {"cpu": "50m", "memory": "64Mi"}), "restartPolicy": "Always"},
            _c("migrate", {"cpu": "200m", "memory": "64Mi"}),
        ],
        containers=[_c("app", {"cpu": "100m", "memory": "64Mi"})],
    )
    quota = _quota(
        {"requests.cpu": "1", "requests.memory": "1Gi"},
        {"requests.cpu": "800m", "requests.memory": "512Mi"},
    )
    err, charges = rq.check(pod, [quota])
    assert (
        err
        == "exceeded quota: compute, requested: requests.cpu=250m, used: requests.cpu=800m, limited: requests.cpu=1"
    )
    assert charges == []


def test_pod_within_quota_is_charged_and_the_usage_grows():
    """The charge is the usage masked to the quota's hard resources, added to status.used."""
    pod = _pod(containers=[_c("app", {"cpu": "100m"}, {"cpu": "200m"})])
    err, charges = rq.check(
        pod, [_quota({"requests.cpu": "1", "pods": "10"}, {"requests.cpu": "0", "pods": "3"})]
    )
    assert err == ""
    assert charges[0].to_json() == {
        "name": "compute",
        "requested": {"pods": "1", "requests.cpu": "100m"},
        "used": {"pods": "3", "requests.cpu": "0"},
        "hard": {"pods": "10", "requests.cpu": "1"},
        "usedAfter": {"pods": "4", "requests.cpu": "100m"},
    }


def test_must_specify_is_reported_as_failed_quota_before_any_charge():
    """A quota on cpu refuses an init container without a cpu request: `failed quota: NAME: must specify ...`."""
    pod = _pod(inits=[_c("migrate")], containers=[_c("app", {"cpu": "100m"}, {"cpu": "100m"})])
    err, _ = rq.check(pod, [_quota({"limits.cpu": "2"}, {"limits.cpu": "0"})])
    assert err == "failed quota: compute: must specify limits.cpu for: migrate"


def test_quota_without_usage_for_a_tracked_resource_is_status_unknown():
    """`hasUsageStats`: a hard resource with no status.used refuses the pod (`status unknown for quota`)."""
    pod = _pod(containers=[_c("app", {"cpu": "100m", "memory": "1Mi"})])
    err, _ = rq.check(
        pod, [_quota({"requests.cpu": "1", "requests.memory": "1Gi"}, {"requests.cpu": "0"})]
    )
    assert err == "status unknown for quota: compute, resources: requests.cpu,requests.memory"
