"""Tests for initlab.api.resources: upstream's own test tables, ported case by case, plus properties.

Tables below are ported from `kubernetes/component-helpers` `resource/helpers_test.go`
(commit 1961876b9c57, 2026-07-24): each Go `v1.Pod` literal became a pod dict
(`ctr(...)` builds a container, `get_pod(...)` is upstream's `getPod`). The QoS cases
come from kubectl `pkg/util/qos/qos_test.go` (dee3483a3d6a) and
`kubernetes/kubernetes` `pkg/apis/core/v1/helper/qos/qos_test.go` (the generated
per-container table, and the older hand-written table).
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initlab.api.quantity import Quantity
from initlab.api.resources import (
    BEST_EFFORT,
    BURSTABLE,
    GUARANTEED,
    Fit,
    InitPhase,
    PodResourcesOptions,
    aggregate_container_limits,
    aggregate_container_requests,
    container_limits,
    container_requests,
    fits,
    get_container_dra_allocations,
    get_pod_qos,
    init_phases,
    is_pod_level_limits_set,
    is_pod_level_resources_set,
    is_pod_resize_deferred,
    is_pod_resize_infeasible,
    is_sidecar,
    is_supported_pod_level_resource,
    pod_cgroup_limits,
    pod_limits,
    pod_requests,
    qos_class,
    qos_class_sum_based,
    resources_report,
)
from initlab.kubectl.resources import render_resources

# -- builders mirroring upstream's test helpers --------------------------------------


def ctr(name: str | None = None, req=None, lim=None, sidecar: bool = False) -> dict:
    """A v1.Container literal: name, resources.requests/limits, restartPolicy Always for a sidecar."""
    c: dict = {}
    if name is not None:
        c["name"] = name
    resources = {}
    if req is not None:
        resources["requests"] = dict(req)
    if lim is not None:
        resources["limits"] = dict(lim)
    if resources:
        c["resources"] = resources
    if sidecar:
        c["restartPolicy"] = "Always"
    return c


def get_pod(cname: str, **res: str) -> dict:
    """Upstream `getPod`: one container and one init container sharing the same resources."""
    r = {"limits": {}, "requests": {}}
    for key, (kind, name) in {
        "cpu_limit": ("limits", "cpu"),
        "memory_limit": ("limits", "memory"),
        "cpu_request": ("requests", "cpu"),
        "memory_request": ("requests", "memory"),
    }.items():
        if res.get(key):
            r[kind][name] = res[key]
    overhead = {}
    if res.get("cpu_overhead"):
        overhead["cpu"] = res["cpu_overhead"]
    if res.get("memory_overhead"):
        overhead["memory"] = res["memory_overhead"]
    return {
        "spec": {
            "containers": [{"name": cname, "resources": copy.deepcopy(r)}],
            "initContainers": [{"name": "init-" + cname, "resources": copy.deepcopy(r)}],
            "overhead": overhead,
        }
    }


def get_pod_level_resources_pod(pod_resources, overhead, containers, init_containers) -> dict:
    """Upstream `getPodLevelResourcesPod`: `spec.resources` always set (possibly empty)."""
    spec: dict = {"resources": copy.deepcopy(pod_resources or {})}
    if containers is not None:
        spec["containers"] = copy.deepcopy(containers)
    if init_containers is not None:
        spec["initContainers"] = copy.deepcopy(init_containers)
    if overhead is not None:
        spec["overhead"] = dict(overhead)
    return {"spec": spec}


def _add_into(target: dict, new: dict | None) -> None:
    for k, v in (new or {}).items():
        target[k] = str(Quantity.parse(target[k]) + Quantity.parse(v)) if k in target else v


def populate_pod_status_resources_for_test(pod: dict) -> None:
    """Upstream `populatePodStatusResourcesForTest`: pod-level status = sums of container statuses."""
    status = pod.setdefault("status", {})
    if "resources" in status:
        return
    status["resources"] = {"requests": {}, "limits": {}}
    status["allocatedResources"] = {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for cs in status.get(key) or []:
            if "resources" in cs:
                _add_into(status["resources"]["requests"], cs["resources"].get("requests"))
                _add_into(status["resources"]["limits"], cs["resources"].get("limits"))
            if cs.get("allocatedResources"):
                _add_into(status["allocatedResources"], cs["allocatedResources"])


_OPTION_NAMES = {
    "excludeOverhead": "exclude_overhead",
    "skipPodLevelResources": "skip_pod_level_resources",
    "skipContainerLevelResources": "skip_container_level_resources",
    "useStatusResources": "use_status_resources",
    "nonMissingContainerRequests": "non_missing_container_requests",
    "inPlacePodLevelResourcesVerticalScalingEnabled": (
        "in_place_pod_level_resources_vertical_scaling_enabled"
    ),
    "useDRANodeAllocatableResourceClaimStatus": "use_dra_node_allocatable_resource_claim_status",
}


def options(go: dict | None) -> PodResourcesOptions:
    """A Go `PodResourcesOptions{...}` literal as our dataclass."""
    kwargs = {}
    for k, v in (go or {}).items():
        if k == "nonMissingContainerRequests":
            v = {name: Quantity.parse(q) for name, q in v.items()}
        kwargs[_OPTION_NAMES[k]] = v
    return PodResourcesOptions(**kwargs)


def as_strings(rl: dict) -> dict[str, str]:
    """A ResourceList as canonical strings, for readable assertion diffs."""
    return {k: str(v) for k, v in sorted(rl.items())}


def assert_resource_list(got: dict, want: dict) -> None:
    """`equality.Semantic.DeepEqual` on ResourceLists: same keys, equal values (format aside)."""
    assert sorted(got) == sorted(want), (as_strings(got), want)
    for k, v in want.items():
        assert got[k] == Quantity.parse(v), (k, str(got[k]), v)


def _ids(cases, key):
    return [c[key] for c in cases]


# -- ported tables (generated from the Go literals, then formatted) -----------------

# upstream TestPodRequestsAndLimits: 5 cases
POD_REQUESTS_AND_LIMITS = [
    {
        "cName": "just-limit-no-overhead",
        "pod": get_pod("foo", cpu_limit="9"),
        "expectedRequests": {},
        "expectedLimits": {"cpu": "9"},
    },
    {
        "cName": "just-overhead",
        "pod": get_pod("foo", cpu_overhead="5", memory_overhead="5"),
        "expectedRequests": {"cpu": "5", "memory": "5"},
        "expectedLimits": {},
    },
    {
        "cName": "req-and-overhead",
        "pod": get_pod(
            "foo", cpu_request="1", memory_request="10", cpu_overhead="5", memory_overhead="5"
        ),
        "expectedRequests": {"cpu": "6", "memory": "15"},
        "expectedLimits": {},
    },
    {
        "cName": "all-req-lim-and-overhead",
        "pod": get_pod(
            "foo",
            cpu_request="1",
            cpu_limit="2",
            memory_request="10",
            memory_limit="12",
            cpu_overhead="5",
            memory_overhead="5",
        ),
        "expectedRequests": {"cpu": "6", "memory": "15"},
        "expectedLimits": {"cpu": "7", "memory": "17"},
    },
    {
        "cName": "req-some-lim-and-overhead",
        "pod": get_pod(
            "foo",
            cpu_request="1",
            cpu_limit="2",
            memory_request="10",
            cpu_overhead="5",
            memory_overhead="5",
        ),
        "expectedRequests": {"cpu": "6", "memory": "15"},
        "expectedLimits": {"cpu": "7"},
    },
]

# upstream TestPodRequestsAndLimitsWithoutOverhead: 3 cases
POD_REQUESTS_AND_LIMITS_WITHOUT_OVERHEAD = [
    {
        "name": "two container no overhead - should just be sum of containers",
        "pod": {
            "spec": {
                "containers": [
                    ctr(
                        "foobar", req={"cpu": "1", "memory": "5"}, lim={"cpu": "2", "memory": "10"}
                    ),
                    ctr(
                        "foobar2",
                        req={"cpu": "4", "memory": "12"},
                        lim={"cpu": "8", "memory": "24"},
                    ),
                ]
            }
        },
        "expectedRequests": {"cpu": "5", "memory": "17"},
        "expectedLimits": {"cpu": "10", "memory": "34"},
    },
    {
        "name": "two container with overhead - shouldn't consider overhead",
        "pod": {
            "spec": {
                "overhead": {"cpu": "3", "memory": "8"},
                "containers": [
                    ctr(
                        "foobar", req={"cpu": "1", "memory": "5"}, lim={"cpu": "2", "memory": "10"}
                    ),
                    ctr(
                        "foobar2",
                        req={"cpu": "4", "memory": "12"},
                        lim={"cpu": "8", "memory": "24"},
                    ),
                ],
            }
        },
        "expectedRequests": {"cpu": "5", "memory": "17"},
        "expectedLimits": {"cpu": "10", "memory": "34"},
    },
    {
        "name": "two container with overhead, massive init - should just be the largest init",
        "pod": {
            "spec": {
                "overhead": {"cpu": "3", "memory": "8"},
                "containers": [
                    ctr(
                        "foobar", req={"cpu": "1", "memory": "5"}, lim={"cpu": "2", "memory": "10"}
                    ),
                    ctr(
                        "foobar2",
                        req={"cpu": "4", "memory": "12"},
                        lim={"cpu": "8", "memory": "24"},
                    ),
                ],
                "initContainers": [
                    ctr(
                        "small-init",
                        req={"cpu": "1", "memory": "5"},
                        lim={"cpu": "1", "memory": "5"},
                    ),
                    ctr(
                        "big-init",
                        req={"cpu": "40", "memory": "120"},
                        lim={"cpu": "80", "memory": "240"},
                    ),
                ],
            }
        },
        "expectedRequests": {"cpu": "40", "memory": "120"},
        "expectedLimits": {"cpu": "80", "memory": "240"},
    },
]

# upstream TestPodResourceRequests: 17 cases
POD_RESOURCE_REQUESTS = [
    {
        "description": "nil options, larger init container",
        "expectedRequests": {"cpu": "4"},
        "initContainers": [ctr(req={"cpu": "4"})],
        "containers": [ctr(req={"cpu": "1"})],
    },
    {
        "description": "nil options, larger containers",
        "expectedRequests": {"cpu": "5"},
        "initContainers": [ctr(req={"cpu": "2"})],
        "containers": [ctr(req={"cpu": "2"}), ctr(req={"cpu": "3"})],
    },
    {
        "description": "pod overhead excluded",
        "expectedRequests": {"cpu": "5"},
        "options": {"excludeOverhead": True},
        "overhead": {"cpu": "1"},
        "initContainers": [ctr(req={"cpu": "2"})],
        "containers": [ctr(req={"cpu": "2"}), ctr(req={"cpu": "3"})],
    },
    {
        "description": "pod overhead included",
        "expectedRequests": {"cpu": "6", "memory": "1Gi"},
        "overhead": {"cpu": "1", "memory": "1Gi"},
        "initContainers": [ctr(req={"cpu": "2"}, lim={"cpu": "2"})],
        "containers": [ctr(req={"cpu": "2"}), ctr(req={"cpu": "3"})],
    },
    {
        "description": "resized, infeasible",
        "expectedRequests": {"cpu": "2"},
        "podResizeStatus": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
        "options": {"useStatusResources": True},
        "containers": [ctr("container-1", req={"cpu": "4"})],
        "containerStatus": [{"name": "container-1", "resources": {"requests": {"cpu": "2"}}}],
    },
    {
        "description": "resized, infeasible & in-progress",
        "expectedRequests": {"cpu": "4"},
        "podResizeStatus": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
        "options": {"useStatusResources": True},
        "containers": [ctr("container-1", req={"cpu": "6"})],
        "containerStatus": [
            {
                "name": "container-1",
                "allocatedResources": {"cpu": "4"},
                "resources": {"requests": {"cpu": "2"}},
            }
        ],
    },
    {
        "description": "resized, no resize status",
        "expectedRequests": {"cpu": "4"},
        "options": {"useStatusResources": True},
        "containers": [ctr("container-1", req={"cpu": "4"})],
        "containerStatus": [{"name": "container-1", "resources": {"requests": {"cpu": "2"}}}],
    },
    {
        "description": "resized: per-resource 3-way maximum",
        "expectedRequests": {"cpu": "30m", "memory": "30M", "ephemeral-storage": "30G"},
        "options": {"useStatusResources": True},
        "containers": [
            ctr("container-1", req={"cpu": "30m", "memory": "20M", "ephemeral-storage": "10G"})
        ],
        "containerStatus": [
            {
                "name": "container-1",
                "allocatedResources": {"cpu": "20m", "memory": "10M", "ephemeral-storage": "30G"},
                "resources": {
                    "requests": {"cpu": "10m", "memory": "30M", "ephemeral-storage": "20G"}
                },
            }
        ],
    },
    {
        "description": "resized, infeasible, but don't use status",
        "expectedRequests": {"cpu": "4"},
        "podResizeStatus": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
        "options": {"useStatusResources": False},
        "containers": [ctr("container-1", req={"cpu": "4"})],
        "containerStatus": [{"name": "container-1", "resources": {"requests": {"cpu": "2"}}}],
    },
    {
        "description": "resized, restartable init container, infeasible",
        "expectedRequests": {"cpu": "2"},
        "podResizeStatus": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
        "options": {"useStatusResources": True},
        "initContainers": [ctr("restartable-init-1", req={"cpu": "4"}, sidecar=True)],
        "initContainerStatuses": [
            {"name": "restartable-init-1", "resources": {"requests": {"cpu": "2"}}}
        ],
    },
    {
        "description": "resized, restartable init container, no resize status",
        "expectedRequests": {"cpu": "4"},
        "options": {"useStatusResources": True},
        "initContainers": [ctr("restartable-init-1", req={"cpu": "4"}, sidecar=True)],
        "initContainerStatuses": [
            {"name": "restartable-init-1", "resources": {"requests": {"cpu": "2"}}}
        ],
    },
    {
        "description": "resized, restartable init container, infeasible, but don't use status",
        "expectedRequests": {"cpu": "4"},
        "podResizeStatus": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
        "options": {"useStatusResources": False},
        "initContainers": [ctr("restartable-init-1", req={"cpu": "4"}, sidecar=True)],
        "initContainerStatuses": [
            {"name": "restartable-init-1", "resources": {"requests": {"cpu": "2"}}}
        ],
    },
    {
        "description": "restartable init container",
        "expectedRequests": {"cpu": "2"},
        "initContainers": [ctr("restartable-init-1", req={"cpu": "1"}, sidecar=True)],
        "containers": [ctr("container-1", req={"cpu": "1"})],
    },
    {
        "description": "multiple restartable init containers",
        "expectedRequests": {"cpu": "7"},
        "initContainers": [
            ctr("init-1", req={"cpu": "5"}),
            ctr("restartable-init-1", req={"cpu": "1"}, sidecar=True),
            ctr("restartable-init-2", req={"cpu": "2"}, sidecar=True),
            ctr("restartable-init-3", req={"cpu": "3"}, sidecar=True),
        ],
        "containers": [ctr("container-1", req={"cpu": "1"})],
    },
    {
        "description": "multiple restartable and regular init containers",
        "expectedRequests": {"cpu": "8"},
        "initContainers": [
            ctr("init-1", req={"cpu": "5"}),
            ctr("restartable-init-1", req={"cpu": "1"}, sidecar=True),
            ctr("restartable-init-2", req={"cpu": "2"}, sidecar=True),
            ctr("init-2", req={"cpu": "5"}),
            ctr("restartable-init-3", req={"cpu": "3"}, sidecar=True),
        ],
        "containers": [ctr("container-1", req={"cpu": "1"})],
    },
    {
        "description": "restartable-init, init and regular",
        "expectedRequests": {"cpu": "210"},
        "initContainers": [
            ctr("restartable-init-1", req={"cpu": "10"}, sidecar=True),
            ctr("init-1", req={"cpu": "200"}),
        ],
        "containers": [ctr("container-1", req={"cpu": "100"})],
    },
    {
        "description": "aggregate request resolves max of sums instead of sum of maxes",
        "expectedRequests": {"cpu": "3"},
        "options": {"useStatusResources": True},
        "containers": [ctr("c1", req={"cpu": "1"}), ctr("c2", req={"cpu": "2"})],
        "containerStatus": [
            {"name": "c1", "allocatedResources": {"cpu": "2"}},
            {"name": "c2", "allocatedResources": {"cpu": "1"}},
        ],
    },
]

# upstream TestPodResourceLimits: 18 cases
POD_RESOURCE_LIMITS = [
    {
        "description": "nil options, larger init container",
        "expectedLimits": {"cpu": "4"},
        "initContainers": [ctr(lim={"cpu": "4"})],
        "containers": [ctr(lim={"cpu": "1"})],
    },
    {
        "description": "nil options, larger containers",
        "expectedLimits": {"cpu": "5"},
        "initContainers": [ctr(lim={"cpu": "2"})],
        "containers": [ctr(lim={"cpu": "2"}), ctr(lim={"cpu": "3"})],
    },
    {
        "description": "pod overhead excluded",
        "expectedLimits": {"cpu": "5"},
        "options": {"excludeOverhead": True},
        "overhead": {"cpu": "1"},
        "initContainers": [ctr(lim={"cpu": "2"})],
        "containers": [ctr(lim={"cpu": "2"}), ctr(lim={"cpu": "3"})],
    },
    {
        "description": "pod overhead included",
        "overhead": {"cpu": "1", "memory": "1Gi"},
        "expectedLimits": {"cpu": "6"},
        "initContainers": [ctr(lim={"cpu": "2"})],
        "containers": [ctr(lim={"cpu": "2"}), ctr(lim={"cpu": "3"})],
    },
    {
        "description": "no limited containers should result in no limits for the pod",
        "expectedLimits": {},
        "initContainers": [],
        "containers": [ctr()],
    },
    {
        "description": "one limited and one unlimited container should result in the limited container's limits for the pod",
        "expectedLimits": {"cpu": "2", "memory": "2Gi"},
        "initContainers": [],
        "containers": [ctr(lim={"cpu": "2", "memory": "2Gi"}), ctr()],
    },
    {
        "description": "one limited and one unlimited init container should result in the limited init container's limits for the pod",
        "expectedLimits": {"cpu": "2", "memory": "2Gi"},
        "initContainers": [ctr(lim={"cpu": "2", "memory": "2Gi"}), ctr()],
        "containers": [ctr(lim={"cpu": "1", "memory": "1Gi"})],
    },
    {
        "description": "restartable init container",
        "expectedLimits": {"cpu": "2"},
        "initContainers": [ctr("restartable-init-1", lim={"cpu": "1"}, sidecar=True)],
        "containers": [ctr("container-1", lim={"cpu": "1"})],
    },
    {
        "description": "multiple restartable init containers",
        "expectedLimits": {"cpu": "7"},
        "initContainers": [
            ctr("init-1", lim={"cpu": "5"}),
            ctr("restartable-init-1", lim={"cpu": "1"}, sidecar=True),
            ctr("restartable-init-2", lim={"cpu": "2"}, sidecar=True),
            ctr("restartable-init-3", lim={"cpu": "3"}, sidecar=True),
        ],
        "containers": [ctr("container-1", lim={"cpu": "1"})],
    },
    {
        "description": "multiple restartable and regular init containers",
        "expectedLimits": {"cpu": "8"},
        "initContainers": [
            ctr("init-1", lim={"cpu": "5"}),
            ctr("restartable-init-1", lim={"cpu": "1"}, sidecar=True),
            ctr("restartable-init-2", lim={"cpu": "2"}, sidecar=True),
            ctr("init-2", lim={"cpu": "5"}),
            ctr("restartable-init-3", lim={"cpu": "3"}, sidecar=True),
        ],
        "containers": [ctr("container-1", lim={"cpu": "1"})],
    },
    {
        "description": "restartable-init, init and regular",
        "expectedLimits": {"cpu": "210"},
        "initContainers": [
            ctr("restartable-init-1", lim={"cpu": "10"}, sidecar=True),
            ctr("init-1", lim={"cpu": "200"}),
        ],
        "containers": [ctr("container-1", lim={"cpu": "100"})],
    },
    {
        "description": "pod scaled up",
        "expectedLimits": {"memory": "2Gi"},
        "options": {"useStatusResources": True},
        "containers": [ctr("container-1", lim={"memory": "2Gi"})],
        "containerStatuses": [{"name": "container-1", "resources": {"limits": {"memory": "1Gi"}}}],
    },
    {
        "description": "pod scaled down",
        "expectedLimits": {"memory": "2Gi"},
        "options": {"useStatusResources": True},
        "containers": [ctr("container-1", lim={"memory": "1Gi"})],
        "containerStatuses": [{"name": "container-1", "resources": {"limits": {"memory": "2Gi"}}}],
    },
    {
        "description": "pod scaled down, don't use status",
        "expectedLimits": {"memory": "1Gi"},
        "options": {"useStatusResources": False},
        "containers": [ctr("container-1", lim={"memory": "1Gi"})],
        "containerStatuses": [{"name": "container-1", "resources": {"limits": {"memory": "2Gi"}}}],
    },
    {
        "description": "pod scaled up with restartable init containers",
        "expectedLimits": {"memory": "2Gi"},
        "options": {"useStatusResources": True},
        "initContainers": [ctr("restartable-init-1", lim={"memory": "2Gi"}, sidecar=True)],
        "initContainerStatuses": [
            {"name": "restartable-init-1", "resources": {"limits": {"memory": "1Gi"}}}
        ],
    },
    {
        "description": "pod scaled down with restartable init containers",
        "expectedLimits": {"memory": "2Gi"},
        "options": {"useStatusResources": True},
        "initContainers": [ctr("restartable-init-1", lim={"memory": "1Gi"}, sidecar=True)],
        "initContainerStatuses": [
            {"name": "restartable-init-1", "resources": {"limits": {"memory": "2Gi"}}}
        ],
    },
    {
        "description": "pod scaled down with restartable init containers, don't use status",
        "expectedLimits": {"memory": "1Gi"},
        "options": {"useStatusResources": False},
        "initContainers": [ctr("restartable-init-1", lim={"memory": "1Gi"}, sidecar=True)],
        "initContainerStatuses": [
            {"name": "restartable-init-1", "resources": {"limits": {"memory": "2Gi"}}}
        ],
    },
    {
        "description": "aggregate limit resolves max of sums instead of sum of maxes",
        "expectedLimits": {"cpu": "3"},
        "options": {"useStatusResources": True},
        "containers": [ctr("c1", lim={"cpu": "1"}), ctr("c2", lim={"cpu": "2"})],
        "containerStatuses": [
            {"name": "c1", "resources": {"limits": {"cpu": "2"}}},
            {"name": "c2", "resources": {"limits": {"cpu": "1"}}},
        ],
    },
]

# upstream TestIsPodLevelResourcesSet: 6 cases
IS_POD_LEVEL_RESOURCES_SET = [
    {"name": "nil resources struct", "expected": False},
    {"name": "empty resources struct", "podResources": {}, "expected": False},
    {
        "name": "only unsupported resource requests set",
        "podResources": {"requests": {"ephemeral-storage": "1Mi"}},
        "expected": False,
    },
    {
        "name": "only unsupported resource limits set",
        "podResources": {"limits": {"ephemeral-storage": "1Mi"}},
        "expected": False,
    },
    {
        "name": "unsupported and suported resources requests set",
        "podResources": {"requests": {"ephemeral-storage": "1Mi", "cpu": "1m"}},
        "expected": True,
    },
    {
        "name": "unsupported and suported resources limits set",
        "podResources": {"limits": {"ephemeral-storage": "1Mi", "cpu": "1m"}},
        "expected": True,
    },
]

# upstream TestIsPodLevelLimitsSet: 5 cases
IS_POD_LEVEL_LIMITS_SET = [
    {"name": "nil resources struct", "expected": False},
    {"name": "empty resources struct", "podResources": {}, "expected": False},
    {
        "name": "only resource requests set",
        "podResources": {"requests": {"memory": "100Mi"}},
        "expected": False,
    },
    {
        "name": "only unsupported resource limits set",
        "podResources": {"limits": {"ephemeral-storage": "1Mi"}},
        "expected": False,
    },
    {
        "name": "unsupported and suported resources limits set",
        "podResources": {"limits": {"ephemeral-storage": "1Mi", "cpu": "1m"}},
        "expected": True,
    },
]

# upstream TestPodLevelResourceRequests: 18 cases
POD_LEVEL_RESOURCE_REQUESTS = [
    {"name": "nil", "expectedRequests": {}},
    {
        "name": "pod level memory resource with SkipPodLevelResources true",
        "podResources": {"requests": {"memory": "2Mi"}},
        "opts": {"skipPodLevelResources": True},
        "expectedRequests": {},
    },
    {
        "name": "pod level memory resource with SkipPodLevelResources false",
        "podResources": {"requests": {"memory": "2Mi"}},
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "2Mi"},
    },
    {
        "name": "pod level memory and container level cpu resources with SkipPodLevelResources false",
        "podResources": {"requests": {"memory": "2Mi"}},
        "containers": [ctr(req={"cpu": "2m"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "2Mi", "cpu": "2m"},
    },
    {
        "name": "pod level unsupported resources set at both pod-level and container-level with SkipPodLevelResources false",
        "podResources": {"requests": {"storage": "2Mi"}},
        "containers": [ctr(req={"storage": "3Mi"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"storage": "3Mi"},
    },
    {
        "name": "pod level unsupported resources set at pod-level with SkipPodLevelResources false",
        "podResources": {"requests": {"storage": "2Mi"}},
        "containers": [ctr(req={"memory": "3Mi"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "3Mi"},
    },
    {
        "name": "only container level resources set with SkipPodLevelResources false",
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "3Mi", "cpu": "2m"},
    },
    {
        "name": "both container-level and pod-level resources set with SkipPodLevelResources false",
        "podResources": {"requests": {"memory": "6Mi", "cpu": "8m"}},
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "6Mi", "cpu": "8m"},
    },
    {
        "name": "container-level resources and init container set with SkipPodLevelResources false",
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "initContainers": [ctr(req={"memory": "5Mi", "cpu": "4m"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "5Mi", "cpu": "4m"},
    },
    {
        "name": "container-level resources and init container set with SkipPodLevelResources false",
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "initContainers": [ctr(req={"memory": "5Mi", "cpu": "4m"})],
        "opts": {"skipPodLevelResources": True},
        "expectedRequests": {"memory": "5Mi", "cpu": "4m"},
    },
    {
        "name": "container-level resources and sidecar container set with SkipPodLevelResources false",
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "initContainers": [ctr(req={"memory": "5Mi", "cpu": "4m"}, sidecar=True)],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "8Mi", "cpu": "6m"},
    },
    {
        "name": "container-level resources, init and sidecar container set with SkipPodLevelResources false",
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "initContainers": [
            ctr(req={"memory": "5Mi", "cpu": "4m"}, sidecar=True),
            ctr(req={"memory": "6Mi", "cpu": "8m"}),
        ],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "11Mi", "cpu": "12m"},
    },
    {
        "name": "pod-level resources, container-level resources, init and sidecar container set with SkipPodLevelResources false",
        "podResources": {"requests": {"memory": "15Mi", "cpu": "18m"}},
        "containers": [ctr(req={"memory": "3Mi", "cpu": "2m"})],
        "initContainers": [
            ctr(req={"memory": "5Mi", "cpu": "4m"}, sidecar=True),
            ctr(req={"memory": "6Mi", "cpu": "8m"}),
        ],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "15Mi", "cpu": "18m"},
    },
    {
        "name": "pod-level resources, hugepage request/limit single page size",
        "podResources": {
            "limits": {"hugepages-2Mi": "2Mi"},
            "requests": {"memory": "10Mi", "hugepages-2Mi": "2Mi"},
        },
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"memory": "10Mi", "hugepages-2Mi": "2Mi"},
    },
    {
        "name": "pod-level resources, hugepage request/limit multiple page sizes",
        "podResources": {
            "limits": {"hugepages-2Mi": "2Mi", "hugepages-1Gi": "1Gi"},
            "requests": {"cpu": "1", "hugepages-2Mi": "2Mi", "hugepages-1Gi": "1Gi"},
        },
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"cpu": "1", "hugepages-2Mi": "2Mi", "hugepages-1Gi": "1Gi"},
    },
    {
        "name": "pod-level resources, container-level resources, hugepage request/limit single page size",
        "podResources": {
            "limits": {"hugepages-2Mi": "10Mi"},
            "requests": {"cpu": "1", "hugepages-2Mi": "10Mi"},
        },
        "containers": [ctr(req={"hugepages-2Mi": "6Mi"}, lim={"hugepages-2Mi": "6Mi"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"cpu": "1", "hugepages-2Mi": "10Mi"},
    },
    {
        "name": "pod-level resources, container-level resources, hugepage request/limit multiple page sizes",
        "podResources": {
            "limits": {"hugepages-2Mi": "10Mi", "hugepages-1Gi": "2Gi"},
            "requests": {"cpu": "1", "hugepages-2Mi": "10Mi", "hugepages-1Gi": "2Gi"},
        },
        "containers": [ctr(req={"cpu": "1", "hugepages-1Gi": "2Gi"}, lim={"hugepages-1Gi": "2Gi"})],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {"cpu": "1", "hugepages-2Mi": "10Mi", "hugepages-1Gi": "2Gi"},
    },
    {
        "name": "pod-level resources, container-level resources, hugepage request/limit multiple page sizes between pod-level and container-level",
        "podResources": {
            "limits": {"hugepages-2Mi": "10Mi"},
            "requests": {"cpu": "1", "hugepages-2Mi": "10Mi"},
        },
        "containers": [
            ctr(req={"memory": "4Mi", "hugepages-1Gi": "1Gi"}, lim={"hugepages-1Gi": "1Gi"})
        ],
        "opts": {"skipPodLevelResources": False},
        "expectedRequests": {
            "cpu": "1",
            "memory": "4Mi",
            "hugepages-2Mi": "10Mi",
            "hugepages-1Gi": "1Gi",
        },
    },
]

# upstream TestIsSupportedPodLevelResource: 5 cases
IS_SUPPORTED_POD_LEVEL_RESOURCE = [
    {"name": "cpu", "resource": "cpu", "expected": True},
    {"name": "memory", "resource": "memory", "expected": True},
    {"name": "ephemeral-storage", "resource": "ephemeral-storage", "expected": False},
    {"name": "hugepages-2Mi", "resource": "hugepages-2Mi", "expected": True},
    {"name": "hugepages-1Gi", "resource": "hugepages-1Gi", "expected": True},
]

# upstream TestPodRequestsAndLimitsWithDRA: 24 cases
POD_REQUESTS_AND_LIMITS_WITH_DRA = [
    {
        "description": "No claims",
        "pod": {
            "spec": {
                "containers": [
                    ctr(
                        "c1",
                        req={"cpu": "100m", "memory": "1Gi"},
                        lim={"cpu": "100m", "memory": "1Gi"},
                    )
                ]
            }
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "100m", "memory": "1Gi"},
        "expectedLimits": {"cpu": "100m", "memory": "1Gi"},
    },
    {
        "description": "Single claim on one container",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"cpu": "100m", "memory": "1Gi", "hugepages-1Gi": "2"},
                            "requests": {"cpu": "100m", "memory": "1Gi", "hugepages-1Gi": "2"},
                            "claims": [{"name": "claim-1"}],
                        },
                    }
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1"],
                        "mapping": [
                            {"name": "cpu", "quantity": "50m"},
                            {"name": "hugepages-1Gi", "quantity": "1"},
                        ],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "150m", "memory": "1Gi", "hugepages-1Gi": "3"},
        "expectedLimits": {"cpu": "150m", "memory": "1Gi", "hugepages-1Gi": "3"},
    },
    {
        "description": "Multiple claims on one container",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "1Gi"},
                            "claims": [{"name": "claim-1"}, {"name": "claim-2"}],
                        },
                    }
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"},
                    {"name": "claim-2", "resourceClaimName": "node-allocatable-claim-2"},
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "50m"}],
                    },
                    {
                        "resourceClaimName": "node-allocatable-claim-2",
                        "containers": ["c1"],
                        "mapping": [
                            {"name": "cpu", "quantity": "25m"},
                            {"name": "memory", "quantity": "512Mi"},
                        ],
                    },
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "175m", "memory": "1.5Gi"},
    },
    {
        "description": "Same claim referenced in multiple containers",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"cpu": "100m"},
                            "requests": {"cpu": "100m"},
                            "claims": [{"name": "claim-1"}],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "limits": {"cpu": "200m"},
                            "requests": {"cpu": "200m"},
                            "claims": [{"name": "claim-1"}],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1", "c2"],
                        "mapping": [{"name": "cpu", "quantity": "50m"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "350m"},
        "expectedLimits": {"cpu": "350m"},
    },
    {
        "description": "Different claims on multiple containers",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"cpu": "100m", "hugepages-1Gi": "1"},
                            "claims": [{"name": "claim-1"}],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "requests": {"cpu": "200m", "memory": "1Gi", "hugepages-1Gi": "2"},
                            "claims": [{"name": "claim-2"}],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"},
                    {"name": "claim-2", "resourceClaimName": "node-allocatable-claim-2"},
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1"],
                        "mapping": [
                            {"name": "cpu", "quantity": "50m"},
                            {"name": "hugepages-1Gi", "quantity": "1"},
                        ],
                    },
                    {
                        "resourceClaimName": "node-allocatable-claim-2",
                        "containers": ["c2"],
                        "mapping": [
                            {"name": "cpu", "quantity": "25m"},
                            {"name": "memory", "quantity": "512Mi"},
                            {"name": "hugepages-1Gi", "quantity": "2"},
                        ],
                    },
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "375m", "memory": "1.5Gi", "hugepages-1Gi": "6"},
    },
    {
        "description": "Claim on init container",
        "pod": {
            "spec": {
                "initContainers": [
                    {
                        "name": "ic1",
                        "resources": {"requests": {"cpu": "100m"}, "claims": [{"name": "claim-1"}]},
                    }
                ],
                "containers": [ctr("c1", req={"cpu": "50m"})],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim",
                        "containers": ["ic1"],
                        "mapping": [{"name": "cpu", "quantity": "25m"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "125m"},
    },
    {
        "description": "UseDRANodeAllocatableResourceClaimStatus flag disabled",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"cpu": "100m"},
                            "requests": {"cpu": "100m"},
                            "claims": [{"name": "claim-1"}],
                        },
                    }
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "50m"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": False},
        "expectedRequests": {"cpu": "100m"},
        "expectedLimits": {"cpu": "100m"},
    },
    {
        "description": "Pod Level Resources overrides the claim request/limit",
        "pod": {
            "spec": {
                "resources": {"limits": {"cpu": "2"}, "requests": {"cpu": "2"}},
                "containers": [
                    ctr("c1", req={"cpu": "1", "memory": "1Gi"}, lim={"cpu": "1", "memory": "1Gi"})
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "3"}],
                    }
                ]
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "skipPodLevelResources": False,
        },
        "expectedRequests": {"cpu": "2", "memory": "1Gi"},
        "expectedLimits": {"cpu": "2", "memory": "1Gi"},
    },
    {
        "description": "Pod with DRA claim specifying Overhead mapping",
        "pod": {
            "spec": {
                "containers": [
                    ctr("c1", req={"cpu": "100m", "memory": "1Gi"}, lim={"memory": "1Gi"}),
                    ctr("c2", req={"cpu": "100m", "memory": "1Gi"}, lim={"memory": "1Gi"}),
                ]
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perPod": "1Gi", "perContainer": "500Mi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "200m", "memory": "4072Mi"},
        "expectedLimits": {"memory": "4072Mi"},
    },
    {
        "description": "Pod with DRA claim specifying both Mapping and Overhead mapping",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"memory": "1Gi"},
                            "requests": {"memory": "1Gi"},
                            "claims": [{"name": "claim-1"}],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "limits": {"memory": "1Gi"},
                            "requests": {"memory": "1Gi"},
                            "claims": [{"name": "claim-1"}],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1", "c2"],
                        "mapping": [{"name": "memory", "quantity": "2Gi"}],
                        "overhead": [{"name": "memory", "perPod": "1Gi", "perContainer": "500Mi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"memory": "6120Mi"},
        "expectedLimits": {"memory": "6120Mi"},
    },
    {
        "description": "Pod with DRA claim specifying Overhead mapping, PerPod only",
        "pod": {
            "spec": {"containers": [ctr("c1", req={"memory": "1Gi"}, lim={"memory": "1Gi"})]},
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim",
                        "containers": ["c1"],
                        "overhead": [{"name": "memory", "perPod": "1Gi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"memory": "2Gi"},
        "expectedLimits": {"memory": "2Gi"},
    },
    {
        "description": "Pod with DRA claim specifying Overhead mapping, PerContainer only",
        "pod": {
            "spec": {"containers": [ctr("c1", req={"memory": "1Gi"}, lim={"memory": "1Gi"})]},
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim",
                        "containers": ["c1"],
                        "overhead": [{"name": "memory", "perContainer": "500Mi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"memory": "1524Mi"},
        "expectedLimits": {"memory": "1524Mi"},
    },
    {
        "description": "Pod with unreferenced DRA claim specifying Mapping",
        "pod": {
            "spec": {"containers": [ctr("c1", req={"memory": "1Gi"}, lim={"memory": "1Gi"})]},
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "unref-direct-claim",
                        "containers": [],
                        "mapping": [{"name": "memory", "quantity": "2Gi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"memory": "3Gi"},
        "expectedLimits": {"memory": "3Gi"},
    },
    {
        "description": "Pod with unreferenced DRA claim specifying Overhead mapping",
        "pod": {
            "spec": {"containers": [ctr("c1", req={"memory": "1Gi"}, lim={"memory": "1Gi"})]},
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "unref-overhead-claim",
                        "containers": [],
                        "overhead": [{"name": "memory", "perPod": "1Gi", "perContainer": "500Mi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"memory": "2Gi"},
        "expectedLimits": {"memory": "2Gi"},
    },
    {
        "description": "Pod with unreferenced DRA claim specifying Overhead mapping, PerContainer only",
        "pod": {
            "spec": {"containers": [ctr("c1", req={"memory": "1Gi"}, lim={"memory": "1Gi"})]},
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "unref-overhead-percontainer-claim",
                        "containers": [],
                        "overhead": [{"name": "memory", "perContainer": "500Mi"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"memory": "1Gi"},
        "expectedLimits": {"memory": "1Gi"},
    },
    {
        "description": "shared DRA claim + memory resize (spec != status) + UseStatusResources",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"memory": "1Gi"},
                            "claims": [{"name": "shared-mem-claim-ref"}],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "requests": {"memory": "2Gi"},
                            "claims": [{"name": "shared-mem-claim-ref"}],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"}
                ],
            },
            "status": {
                "containerStatuses": [
                    {
                        "name": "c1",
                        "resources": {"requests": {"memory": "2Gi"}},
                        "allocatedResources": {"memory": "1Gi"},
                    },
                    {
                        "name": "c2",
                        "resources": {"requests": {"memory": "2Gi"}},
                        "allocatedResources": {"memory": "2Gi"},
                    },
                ],
                "resources": {"requests": {"memory": "6Gi"}},
                "allocatedResources": {"memory": "5Gi"},
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    }
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedRequests": {"memory": "6Gi"},
    },
    {
        "description": "Pod Level Resources for CPU + shared DRA claims + UseStatusResources",
        "pod": {
            "spec": {
                "resources": {"requests": {"cpu": "3"}},
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"memory": "1Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "requests": {"memory": "2Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-cpu-claim-ref", "resourceClaimName": "shared-cpu-claim"},
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"},
                ],
            },
            "status": {
                "containerStatuses": [
                    {
                        "name": "c1",
                        "resources": {"requests": {"memory": "1Gi"}},
                        "allocatedResources": {"memory": "1Gi"},
                    },
                    {
                        "name": "c2",
                        "resources": {"requests": {"memory": "2Gi"}},
                        "allocatedResources": {"memory": "2Gi"},
                    },
                ],
                "resources": {"requests": {"cpu": "3", "memory": "5Gi"}},
                "allocatedResources": {"cpu": "3", "memory": "5Gi"},
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-cpu-claim",
                        "containers": ["c1", "c2"],
                        "mapping": [{"name": "cpu", "quantity": "1"}],
                    },
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    },
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedRequests": {"cpu": "3", "memory": "5Gi"},
    },
    {
        "description": "Pod Level Resources + shared DRA claim during resize (spec != status) + UseStatusResources",
        "pod": {
            "spec": {
                "resources": {"requests": {"cpu": "4"}},
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"memory": "1Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "requests": {"memory": "2Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-cpu-claim-ref", "resourceClaimName": "shared-cpu-claim"},
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"},
                ],
            },
            "status": {
                "containerStatuses": [
                    {
                        "name": "c1",
                        "resources": {"requests": {"memory": "1Gi"}},
                        "allocatedResources": {"memory": "1Gi"},
                    },
                    {
                        "name": "c2",
                        "resources": {"requests": {"memory": "2Gi"}},
                        "allocatedResources": {"memory": "2Gi"},
                    },
                ],
                "resources": {"requests": {"cpu": "3", "memory": "5Gi"}},
                "allocatedResources": {"cpu": "3", "memory": "5Gi"},
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-cpu-claim",
                        "containers": ["c1", "c2"],
                        "mapping": [{"name": "cpu", "quantity": "1"}],
                    },
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    },
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedRequests": {"cpu": "4", "memory": "5Gi"},
    },
    {
        "description": "Pod Level Resources (CPU limits only) with shared DRA claim and UseStatusResources",
        "pod": {
            "spec": {
                "resources": {"limits": {"cpu": "3"}},
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"memory": "1Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "limits": {"memory": "2Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-cpu-claim-ref", "resourceClaimName": "shared-cpu-claim"},
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"},
                ],
            },
            "status": {
                "containerStatuses": [
                    {"name": "c1", "resources": {"limits": {"memory": "1Gi"}}},
                    {"name": "c2", "resources": {"limits": {"memory": "2Gi"}}},
                ],
                "resources": {"limits": {"cpu": "3", "memory": "5Gi"}},
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-cpu-claim",
                        "containers": ["c1", "c2"],
                        "mapping": [{"name": "cpu", "quantity": "1"}],
                    },
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    },
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedLimits": {"cpu": "3", "memory": "5Gi"},
    },
    {
        "description": "Pod Level Resources (CPU limits only) with shared DRA claim during resize and UseStatusResources",
        "pod": {
            "spec": {
                "resources": {"limits": {"cpu": "4"}},
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"memory": "1Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "limits": {"memory": "2Gi"},
                            "claims": [
                                {"name": "shared-cpu-claim-ref"},
                                {"name": "shared-mem-claim-ref"},
                            ],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-cpu-claim-ref", "resourceClaimName": "shared-cpu-claim"},
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"},
                ],
            },
            "status": {
                "containerStatuses": [
                    {"name": "c1", "resources": {"limits": {"memory": "1Gi"}}},
                    {"name": "c2", "resources": {"limits": {"memory": "2Gi"}}},
                ],
                "resources": {"limits": {"cpu": "3", "memory": "5Gi"}},
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-cpu-claim",
                        "containers": ["c1", "c2"],
                        "mapping": [{"name": "cpu", "quantity": "1"}],
                    },
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    },
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedLimits": {"cpu": "4", "memory": "5Gi"},
    },
    {
        "description": "Container Level Resources with shared DRA claim during memory limit resize and UseStatusResources",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "limits": {"memory": "4Gi"},
                            "claims": [{"name": "shared-mem-claim-ref"}],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "limits": {"memory": "2Gi"},
                            "claims": [{"name": "shared-mem-claim-ref"}],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"}
                ],
            },
            "status": {
                "containerStatuses": [
                    {"name": "c1", "resources": {"limits": {"memory": "2Gi"}}},
                    {"name": "c2", "resources": {"limits": {"memory": "2Gi"}}},
                ],
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    }
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": False,
        },
        "expectedLimits": {"memory": "8Gi"},
    },
    {
        "description": "Container Level Resources + shared DRA claim during memory resize + UseStatusResources",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"memory": "4Gi"},
                            "claims": [{"name": "shared-mem-claim-ref"}],
                        },
                    },
                    {
                        "name": "c2",
                        "resources": {
                            "requests": {"memory": "2Gi"},
                            "claims": [{"name": "shared-mem-claim-ref"}],
                        },
                    },
                ],
                "resourceClaims": [
                    {"name": "shared-mem-claim-ref", "resourceClaimName": "shared-mem-claim"}
                ],
            },
            "status": {
                "containerStatuses": [
                    {
                        "name": "c1",
                        "resources": {"requests": {"memory": "2Gi"}},
                        "allocatedResources": {"memory": "4Gi"},
                    },
                    {
                        "name": "c2",
                        "resources": {"requests": {"memory": "2Gi"}},
                        "allocatedResources": {"memory": "2Gi"},
                    },
                ],
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "shared-mem-claim",
                        "containers": ["c1", "c2"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    }
                ],
            },
        },
        "options": {
            "useDRANodeAllocatableResourceClaimStatus": True,
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": False,
        },
        "expectedRequests": {"memory": "8Gi"},
    },
    {
        "description": "DRA cpu/memory not added to limits when container limits are omitted",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "1Gi"},
                            "claims": [{"name": "claim-1"}],
                        },
                    }
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1"],
                        "mapping": [
                            {"name": "cpu", "quantity": "50m"},
                            {"name": "memory", "quantity": "512Mi"},
                        ],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "150m", "memory": "1536Mi"},
        "expectedLimits": {},
    },
    {
        "description": "DRA hugepages added to limits even when container limits are omitted",
        "pod": {
            "spec": {
                "containers": [
                    {
                        "name": "c1",
                        "resources": {"requests": {"cpu": "100m"}, "claims": [{"name": "claim-1"}]},
                    }
                ],
                "resourceClaims": [
                    {"name": "claim-1", "resourceClaimName": "node-allocatable-claim-1"}
                ],
            },
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "node-allocatable-claim-1",
                        "containers": ["c1"],
                        "mapping": [{"name": "hugepages-1Gi", "quantity": "1"}],
                    }
                ]
            },
        },
        "options": {"useDRANodeAllocatableResourceClaimStatus": True},
        "expectedRequests": {"cpu": "100m", "hugepages-1Gi": "1"},
        "expectedLimits": {"hugepages-1Gi": "1"},
    },
]

# upstream TestAggregateContainerRequestsAndLimits: 15 cases
AGGREGATE_CONTAINER_REQUESTS_AND_LIMITS = [
    {
        "name": "one container with limits",
        "containers": [ctr(lim={"cpu": "9"})],
        "expectedRequests": {},
        "expectedLimits": {"cpu": "9"},
    },
    {
        "name": "two containers with limits",
        "containers": [ctr(lim={"cpu": "9"}), ctr(lim={"cpu": "9"})],
        "expectedRequests": {},
        "expectedLimits": {"cpu": "18"},
    },
    {
        "name": "one container with requests",
        "containers": [ctr(req={"cpu": "9"})],
        "expectedRequests": {"cpu": "9"},
        "expectedLimits": {},
    },
    {
        "name": "two containers with requests",
        "containers": [ctr(req={"cpu": "9"}), ctr(req={"cpu": "9"})],
        "expectedRequests": {"cpu": "18"},
        "expectedLimits": {},
    },
    {
        "name": "regular and init containers with requests",
        "containers": [ctr(req={"cpu": "9"})],
        "initContainers": [ctr(req={"cpu": "9"})],
        "expectedRequests": {"cpu": "9"},
        "expectedLimits": {},
    },
    {
        "name": "regular, init and sidecar containers with requests",
        "containers": [ctr(req={"cpu": "9"})],
        "initContainers": [ctr(req={"cpu": "8"}, sidecar=True), ctr(req={"cpu": "6"})],
        "expectedRequests": {"cpu": "17"},
        "expectedLimits": {},
    },
    {
        "name": "regular and init containers with limits",
        "containers": [ctr(lim={"cpu": "9"})],
        "initContainers": [ctr(lim={"cpu": "9"})],
        "expectedRequests": {},
        "expectedLimits": {"cpu": "9"},
    },
    {
        "name": "regular, init and sidecar containers with limits",
        "containers": [ctr(lim={"cpu": "9"})],
        "initContainers": [ctr(lim={"cpu": "8"}, sidecar=True), ctr(lim={"cpu": "6"})],
        "expectedRequests": {},
        "expectedLimits": {"cpu": "17"},
    },
    {
        "name": "regularcontainers with empty requests, but status with non-empty requests",
        "options": {"useStatusResources": True},
        "containers": [ctr("container-1")],
        "containerStatuses": [{"name": "container-1", "resources": {"requests": {"cpu": "2"}}}],
        "expectedRequests": {"cpu": "2"},
        "expectedLimits": {},
    },
    {
        "name": "always-restart init containers with empty requests, but status with non-empty requests",
        "options": {"useStatusResources": True},
        "initContainers": [ctr("container-1", sidecar=True)],
        "initContainerStatuses": [{"name": "container-1", "resources": {"requests": {"cpu": "2"}}}],
        "expectedRequests": {"cpu": "2"},
        "expectedLimits": {},
    },
    {
        "name": "aggregate container request resolves max of sums instead of sum of maxes",
        "options": {"useStatusResources": True},
        "containers": [ctr("c1", req={"cpu": "1"}), ctr("c2", req={"cpu": "2"})],
        "containerStatuses": [
            {"name": "c1", "allocatedResources": {"cpu": "2"}},
            {"name": "c2", "allocatedResources": {"cpu": "1"}},
        ],
        "expectedRequests": {"cpu": "3"},
        "expectedLimits": {},
    },
    {
        "name": "aggregate container limit resolves max of sums instead of sum of maxes",
        "options": {"useStatusResources": True},
        "containers": [ctr("c1", lim={"cpu": "1"}), ctr("c2", lim={"cpu": "2"})],
        "containerStatuses": [
            {"name": "c1", "resources": {"limits": {"cpu": "2"}}},
            {"name": "c2", "resources": {"limits": {"cpu": "1"}}},
        ],
        "expectedRequests": {},
        "expectedLimits": {"cpu": "3"},
    },
    {
        "name": "aggregate container request/limit resolves directly from pod status when PLR vertical scaling enabled",
        "options": {
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "containers": [ctr("c1", req={"cpu": "1"}, lim={"cpu": "2"})],
        "podAllocatedResources": {"cpu": "4"},
        "podResources": {"requests": {"cpu": "3"}, "limits": {"cpu": "5"}},
        "expectedRequests": {"cpu": "4"},
        "expectedLimits": {"cpu": "5"},
    },
    {
        "name": "falls back to container status aggregation when PLR vertical scaling enabled but podAllocatedResources is nil",
        "options": {
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "containers": [ctr("c1", req={"cpu": "1"}, lim={"cpu": "2"})],
        "containerStatuses": [
            {
                "name": "c1",
                "allocatedResources": {"cpu": "6"},
                "resources": {"requests": {"cpu": "5"}, "limits": {"cpu": "7"}},
            }
        ],
        "podAllocatedResources": None,
        "podResources": {"requests": {"cpu": "3"}, "limits": {"cpu": "7"}},
        "expectedRequests": {"cpu": "6"},
        "expectedLimits": {"cpu": "7"},
    },
    {
        "name": "falls back to container status aggregation when PLR vertical scaling enabled but podResources is nil",
        "options": {
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "containers": [ctr("c1", req={"cpu": "1"}, lim={"cpu": "2"})],
        "containerStatuses": [
            {
                "name": "c1",
                "allocatedResources": {"cpu": "6"},
                "resources": {"requests": {"cpu": "5"}, "limits": {"cpu": "8"}},
            }
        ],
        "podAllocatedResources": {"cpu": "6"},
        "podResources": None,
        "expectedRequests": {"cpu": "6"},
        "expectedLimits": {"cpu": "8"},
    },
]

# upstream TestGetContainerDRAAllocations: 9 cases
GET_CONTAINER_DRA_ALLOCATIONS = [
    {"description": "no claims", "containerName": "c1", "pod": {"status": {}}, "expected": {}},
    {
        "description": "unreferenced claims",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "unreferenced-claim",
                        "containers": ["c2"],
                        "mapping": [{"name": "cpu", "quantity": "2"}],
                    }
                ]
            }
        },
        "expected": {},
    },
    {
        "description": "referenced direct claims",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "direct-claim",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "2"}],
                    }
                ]
            }
        },
        "expected": {"cpu": "2"},
    },
    {
        "description": "referenced overhead claim PerPod only",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "overhead-pod",
                        "containers": ["c1"],
                        "overhead": [{"name": "memory", "perPod": "3Gi"}],
                    }
                ]
            }
        },
        "expected": {"memory": "3Gi"},
    },
    {
        "description": "referenced overhead claim PerContainer only",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "overhead-container",
                        "containers": ["c1"],
                        "overhead": [{"name": "memory", "perContainer": "1Gi"}],
                    }
                ]
            }
        },
        "expected": {"memory": "1Gi"},
    },
    {
        "description": "referenced overhead claim both PerPod and PerContainer",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "overhead-both",
                        "containers": ["c1"],
                        "overhead": [{"name": "memory", "perPod": "3Gi", "perContainer": "1Gi"}],
                    }
                ]
            }
        },
        "expected": {"memory": "4Gi"},
    },
    {
        "description": "referenced claim with both mapping and overhead",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "combined-claim",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "2"}],
                        "overhead": [{"name": "cpu", "perPod": "1", "perContainer": "500m"}],
                    }
                ]
            }
        },
        "expected": {"cpu": "3500m"},
    },
    {
        "description": "multiple claims referenced by same container",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "claim-1",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "1"}],
                    },
                    {
                        "resourceClaimName": "claim-2",
                        "containers": ["c1"],
                        "overhead": [{"name": "memory", "perPod": "2Gi"}],
                    },
                ]
            }
        },
        "expected": {"cpu": "1", "memory": "2Gi"},
    },
    {
        "description": "multiple claims aggregating same resource type",
        "containerName": "c1",
        "pod": {
            "status": {
                "nodeAllocatableResourceClaimStatuses": [
                    {
                        "resourceClaimName": "claim-1",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "1"}],
                    },
                    {
                        "resourceClaimName": "claim-2",
                        "containers": ["c1"],
                        "mapping": [{"name": "cpu", "quantity": "2"}],
                    },
                ]
            }
        },
        "expected": {"cpu": "3"},
    },
]

# upstream TestPodRequestsAndLimitsVerticalScalingWrappers: 5 cases
POD_REQUESTS_AND_LIMITS_VERTICAL_SCALING_WRAPPERS = [
    {
        "name": "pod level requests/limits with PLR vertical scaling enabled and status populated",
        "pod": {
            "spec": {
                "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "4"}},
                "containers": [ctr("c1", req={"cpu": "1"}, lim={"cpu": "2"})],
            },
            "status": {
                "allocatedResources": {"cpu": "3"},
                "resources": {"requests": {"cpu": "3.5"}, "limits": {"cpu": "5"}},
            },
        },
        "opts": {
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedRequests": {"cpu": "3.5"},
        "expectedLimits": {"cpu": "5"},
    },
    {
        "name": "pod level requests/limits with PLR vertical scaling enabled and infeasible resize",
        "pod": {
            "spec": {
                "resources": {"requests": {"cpu": "10"}, "limits": {"cpu": "20"}},
                "containers": [ctr("c1", req={"cpu": "1"}, lim={"cpu": "2"})],
            },
            "status": {
                "conditions": [
                    {"type": "PodResizePending", "status": "True", "reason": "Infeasible"}
                ],
                "allocatedResources": {"cpu": "3"},
                "resources": {"requests": {"cpu": "4"}, "limits": {"cpu": "8"}},
            },
        },
        "opts": {
            "useStatusResources": True,
            "inPlacePodLevelResourcesVerticalScalingEnabled": True,
        },
        "expectedRequests": {"cpu": "4"},
        "expectedLimits": {"cpu": "8"},
    },
    {
        "name": "container limits aggregation with infeasible resize",
        "pod": {
            "spec": {"containers": [ctr("c1", lim={"cpu": "10"})]},
            "status": {
                "conditions": [
                    {"type": "PodResizePending", "status": "True", "reason": "Infeasible"}
                ],
                "containerStatuses": [{"name": "c1", "resources": {"limits": {"cpu": "6"}}}],
            },
        },
        "opts": {"useStatusResources": True},
        "expectedRequests": {},
        "expectedLimits": {"cpu": "6"},
    },
    {
        "name": "non missing container requests applied to init container",
        "pod": {"spec": {"initContainers": [ctr("i1", req={"cpu": "1"})]}},
        "opts": {"nonMissingContainerRequests": {"memory": "100Mi"}},
        "expectedRequests": {"cpu": "1", "memory": "100Mi"},
        "expectedLimits": {},
    },
    {
        "name": "non missing container requests applied to regular container",
        "pod": {"spec": {"containers": [ctr("c1", req={"cpu": "1"})]}},
        "opts": {"nonMissingContainerRequests": {"memory": "100Mi"}},
        "expectedRequests": {"cpu": "1", "memory": "100Mi"},
        "expectedLimits": {},
    },
]


# -- component-helpers resource/helpers_test.go ---------------------------------------


@pytest.mark.parametrize("tc", POD_REQUESTS_AND_LIMITS, ids=_ids(POD_REQUESTS_AND_LIMITS, "cName"))
def test_pod_requests_and_limits_match_upstream(tc):
    """Upstream TestPodRequestsAndLimits: overhead is added to requests, and only to set limits."""
    assert_resource_list(pod_requests(tc["pod"], PodResourcesOptions()), tc["expectedRequests"])
    assert_resource_list(pod_limits(tc["pod"], PodResourcesOptions()), tc["expectedLimits"])


@pytest.mark.parametrize(
    "tc",
    POD_REQUESTS_AND_LIMITS_WITHOUT_OVERHEAD,
    ids=_ids(POD_REQUESTS_AND_LIMITS_WITHOUT_OVERHEAD, "name"),
)
def test_pod_requests_and_limits_without_overhead_match_upstream(tc):
    """Upstream TestPodRequestsAndLimitsWithoutOverhead: ExcludeOverhead drops spec.overhead."""
    opts = PodResourcesOptions(exclude_overhead=True)
    assert_resource_list(pod_requests(tc["pod"], opts), tc["expectedRequests"])
    assert_resource_list(pod_limits(tc["pod"], opts), tc["expectedLimits"])


def _status_pod(tc: dict, statuses_key: str) -> dict:
    pod = {
        "spec": {
            "containers": copy.deepcopy(tc.get("containers", [])),
            "initContainers": copy.deepcopy(tc.get("initContainers", [])),
        },
        "status": {
            "containerStatuses": copy.deepcopy(tc.get(statuses_key, [])),
            "initContainerStatuses": copy.deepcopy(tc.get("initContainerStatuses", [])),
            "conditions": copy.deepcopy(tc.get("podResizeStatus", [])),
        },
    }
    if "overhead" in tc:
        pod["spec"]["overhead"] = dict(tc["overhead"])
    populate_pod_status_resources_for_test(pod)
    return pod


@pytest.mark.parametrize(
    "tc", POD_RESOURCE_REQUESTS, ids=_ids(POD_RESOURCE_REQUESTS, "description")
)
def test_pod_resource_requests_match_upstream(tc):
    """Upstream TestPodResourceRequests: sidecar formula, overhead and in-place resize options."""
    pod = _status_pod(tc, "containerStatus")
    assert_resource_list(pod_requests(pod, options(tc.get("options"))), tc["expectedRequests"])


@pytest.mark.parametrize("tc", POD_RESOURCE_LIMITS, ids=_ids(POD_RESOURCE_LIMITS, "description"))
def test_pod_resource_limits_match_upstream(tc):
    """Upstream TestPodResourceLimits: a missing limit adds nothing; sidecars stack like requests."""
    pod = _status_pod(tc, "containerStatuses")
    assert_resource_list(pod_limits(pod, options(tc.get("options"))), tc["expectedLimits"])


@pytest.mark.parametrize(
    "tc", IS_POD_LEVEL_RESOURCES_SET, ids=_ids(IS_POD_LEVEL_RESOURCES_SET, "name")
)
def test_is_pod_level_resources_set_matches_upstream(tc):
    """Upstream TestIsPodLevelResourcesSet: only cpu, memory or hugepages-* count."""
    spec = {} if tc.get("podResources") is None else {"resources": tc["podResources"]}
    assert is_pod_level_resources_set({"spec": spec}) is tc["expected"]


@pytest.mark.parametrize("tc", IS_POD_LEVEL_LIMITS_SET, ids=_ids(IS_POD_LEVEL_LIMITS_SET, "name"))
def test_is_pod_level_limits_set_matches_upstream(tc):
    """Upstream TestIsPodLevelLimitsSet: requests alone do not count as pod-level limits."""
    spec = {} if tc.get("podResources") is None else {"resources": tc["podResources"]}
    assert is_pod_level_limits_set({"spec": spec}) is tc["expected"]


@pytest.mark.parametrize(
    "tc", POD_LEVEL_RESOURCE_REQUESTS, ids=_ids(POD_LEVEL_RESOURCE_REQUESTS, "name")
)
def test_pod_level_resource_requests_match_upstream(tc):
    """Upstream TestPodLevelResourceRequests: supported pod-level requests replace the container sum."""
    pod = get_pod_level_resources_pod(
        tc.get("podResources"), tc.get("overhead"), tc.get("containers"), tc.get("initContainers")
    )
    assert_resource_list(pod_requests(pod, options(tc.get("opts"))), tc["expectedRequests"])


@pytest.mark.parametrize(
    "tc", IS_SUPPORTED_POD_LEVEL_RESOURCE, ids=_ids(IS_SUPPORTED_POD_LEVEL_RESOURCE, "name")
)
def test_is_supported_pod_level_resource_matches_upstream(tc):
    """Upstream TestIsSupportedPodLevelResource: cpu, memory, hugepages-*; not ephemeral-storage."""
    assert is_supported_pod_level_resource(tc["resource"]) is tc["expected"]


@pytest.mark.parametrize(
    "tc",
    POD_REQUESTS_AND_LIMITS_WITH_DRA,
    ids=_ids(POD_REQUESTS_AND_LIMITS_WITH_DRA, "description"),
)
def test_pod_requests_and_limits_with_dra_match_upstream(tc):
    """Upstream TestPodRequestsAndLimitsWithDRA: node-allocatable DRA claims add to requests/limits."""
    opts = options(tc.get("options"))
    if tc.get("expectedRequests") is not None:
        assert_resource_list(pod_requests(tc["pod"], opts), tc["expectedRequests"])
    if tc.get("expectedLimits") is not None:
        assert_resource_list(pod_limits(tc["pod"], opts), tc["expectedLimits"])


@pytest.mark.parametrize(
    "tc",
    AGGREGATE_CONTAINER_REQUESTS_AND_LIMITS,
    ids=_ids(AGGREGATE_CONTAINER_REQUESTS_AND_LIMITS, "name"),
)
def test_aggregate_container_requests_and_limits_match_upstream(tc):
    """Upstream TestAggregateContainerRequestsAndLimits: the KEP-753 aggregate, no pod-level or overhead."""
    status = {
        "containerStatuses": copy.deepcopy(tc.get("containerStatuses", [])),
        "initContainerStatuses": copy.deepcopy(tc.get("initContainerStatuses", [])),
    }
    if tc.get("podAllocatedResources") is not None:
        status["allocatedResources"] = tc["podAllocatedResources"]
    if tc.get("podResources") is not None:
        status["resources"] = tc["podResources"]
    pod = {
        "spec": {
            "containers": copy.deepcopy(tc.get("containers", [])),
            "initContainers": copy.deepcopy(tc.get("initContainers", [])),
        },
        "status": status,
    }
    opts = options(tc.get("options"))
    assert_resource_list(aggregate_container_requests(pod, opts), tc["expectedRequests"])
    assert_resource_list(aggregate_container_limits(pod, opts), tc["expectedLimits"])


@pytest.mark.parametrize(
    "tc", GET_CONTAINER_DRA_ALLOCATIONS, ids=_ids(GET_CONTAINER_DRA_ALLOCATIONS, "description")
)
def test_get_container_dra_allocations_match_upstream(tc):
    """Upstream TestGetContainerDRAAllocations: per-container view of node-allocatable claims."""
    assert_resource_list(
        get_container_dra_allocations(tc["pod"], tc["containerName"]), tc["expected"]
    )


@pytest.mark.parametrize(
    "tc",
    POD_REQUESTS_AND_LIMITS_VERTICAL_SCALING_WRAPPERS,
    ids=_ids(POD_REQUESTS_AND_LIMITS_VERTICAL_SCALING_WRAPPERS, "name"),
)
def test_pod_requests_and_limits_vertical_scaling_wrappers_match_upstream(tc):
    """Upstream TestPodRequestsAndLimitsVerticalScalingWrappers: pod-level status and NonMissing."""
    opts = options(tc.get("opts"))
    assert_resource_list(pod_requests(tc["pod"], opts), tc["expectedRequests"])
    assert_resource_list(pod_limits(tc["pod"], opts), tc["expectedLimits"])


def _shared_dra_pod(kind: str) -> dict:
    """The pod of upstream TestPodResource{Limits,Requests}WithSharedDRAClaims."""
    pod = {
        "spec": {
            "containers": [
                {"name": "c1", "resources": {kind: {"memory": "2Gi"}}},
                {"name": "c2", "resources": {kind: {"memory": "2Gi"}}},
            ]
        },
        "status": {
            "nodeAllocatableResourceClaimStatuses": [
                {
                    "resourceClaimName": "shared-claim",
                    "containers": ["c1", "c2"],
                    "overhead": [{"name": "memory", "perContainer": "3Gi"}],
                }
            ]
        },
    }
    if kind == "limits":
        pod["status"]["containerStatuses"] = [
            {"name": "c1", "resources": {"limits": {"memory": "5Gi"}}},
            {"name": "c2", "resources": {"limits": {"memory": "5Gi"}}},
        ]
    return pod


@pytest.mark.parametrize("kind", ["limits", "requests"])
def test_shared_dra_claim_overhead_counts_once_per_referencing_container(kind):
    """Upstream TestPodResource{Limits,Requests}WithSharedDRAClaims: the three steps of each."""
    fn = pod_limits if kind == "limits" else pod_requests
    pod = _shared_dra_pod(kind)
    dra = PodResourcesOptions(use_dra_node_allocatable_resource_claim_status=True)
    assert_resource_list(fn(pod, dra), {"memory": "10Gi"})

    with_status = PodResourcesOptions(
        use_dra_node_allocatable_resource_claim_status=True,
        use_status_resources=True,
        in_place_pod_level_resources_vertical_scaling_enabled=True,
    )
    pod2 = copy.deepcopy(pod)
    pod2["status"]["resources"] = {kind: {"memory": "10Gi"}}
    if kind == "requests":
        pod2["status"]["allocatedResources"] = {"memory": "10Gi"}
    assert_resource_list(fn(pod2, with_status), {"memory": "10Gi"})

    pod3 = copy.deepcopy(pod2)
    pod3["spec"]["containers"][0]["resources"][kind]["memory"] = "3Gi"
    assert_resource_list(fn(pod3, with_status), {"memory": "11Gi"})


def test_resize_conditions_match_upstream():
    """Upstream TestResizeConditionsAndSupportedResources: Deferred vs Infeasible reasons."""
    pod = {"status": {"conditions": [{"type": "PodResizePending", "status": "True"}]}}
    pod["status"]["conditions"][0]["reason"] = "Deferred"
    assert is_pod_resize_deferred(pod) and not is_pod_resize_infeasible(pod)
    pod["status"]["conditions"][0]["reason"] = "Other"
    assert not is_pod_resize_deferred(pod)
    assert is_supported_pod_level_resource("cpu")


def test_skip_container_level_resources_leaves_only_pod_level_and_overhead():
    """SkipContainerLevelResources: PodRequests starts from an empty list (no upstream case)."""
    pod = {
        "spec": {
            "resources": {"requests": {"cpu": "1"}},
            "overhead": {"memory": "10Mi"},
            "containers": [ctr("app", req={"cpu": "2", "memory": "1Gi"})],
        }
    }
    got = pod_requests(pod, PodResourcesOptions(skip_container_level_resources=True))
    assert as_strings(got) == {"cpu": "1", "memory": "10Mi"}


# -- QoS: kubectl pkg/util/qos/qos_test.go TestGetPodQOS -------------------------------


def _rq(cpu: str = "", memory: str = "") -> dict:
    """Upstream `getResourceList(cpu, memory)`: empty strings are left out."""
    out = {}
    if cpu:
        out["cpu"] = cpu
    if memory:
        out["memory"] = memory
    return out


_G = {"requests": _rq("1", "1Gi"), "limits": _rq("1", "1Gi")}


def _pod(containers, resources=None, init=None, name="") -> dict:
    spec: dict = {"containers": containers}
    if init is not None:
        spec["initContainers"] = init
    if resources is not None:
        spec["resources"] = resources
    return {"metadata": {"name": name}, "spec": spec}


KUBECTL_QOS_CASES = [
    ("guaranteed pod with status", {"status": {"qosClass": GUARANTEED}}, GUARANTEED),
    ("burstable pod with status", {"status": {"qosClass": BURSTABLE}}, BURSTABLE),
    ("besteffort pod with status", {"status": {"qosClass": BEST_EFFORT}}, BEST_EFFORT),
    (
        "guaranteed pod without status",
        _pod([{"name": "container1", "resources": _G}]),
        GUARANTEED,
    ),
    (
        "guaranteed pod with two containers",
        _pod([{"name": "container1", "resources": _G}, {"name": "container2", "resources": _G}]),
        GUARANTEED,
    ),
    (
        "burstable pod without status",
        _pod(
            [
                ctr("container1", req=_rq("100m", "1Gi"), lim=_rq("1", "1Gi")),
            ]
        ),
        BURSTABLE,
    ),
    (
        "burstable pod with two containers",
        _pod(
            [
                {"name": "container1", "resources": _G},
                ctr("container2", req=_rq("100m", "1Gi"), lim=_rq("1", "1Gi")),
            ]
        ),
        BURSTABLE,
    ),
    ("besteffort pod without status", _pod([{"name": "container1", "resources": {}}]), BEST_EFFORT),
    (
        "empty pod level resources should fallback to containers",
        _pod([{"name": "container1", "resources": _G}], {"requests": {}, "limits": {}}),
        GUARANTEED,
    ),
    (
        "completely empty pod level resources should fallback to containers",
        _pod([{"name": "container1", "resources": _G}], {}),
        GUARANTEED,
    ),
    (
        "nil pod level resources should fallback to containers",
        _pod([{"name": "container1", "resources": _G}]),
        GUARANTEED,
    ),
    (
        "zero pod level resources should not fallback to containers",
        _pod(
            [{"name": "container1", "resources": _G}],
            {"requests": _rq("0", "0"), "limits": _rq("0", "0")},
        ),
        BEST_EFFORT,
    ),
    (
        "guaranteed with pod level resources",
        _pod(
            [ctr("container1", req=_rq("100m", "100Mi"))],
            {"requests": _rq("1", "1Gi"), "limits": _rq("1", "1Gi")},
        ),
        GUARANTEED,
    ),
    (
        "burstable with pod level resources",
        _pod(
            [{"name": "container1", "resources": _G}],
            {"requests": _rq("100m", "100Mi"), "limits": _rq("1", "1Gi")},
        ),
        BURSTABLE,
    ),
    (
        "burstable with pod level requests only",
        _pod([{"name": "container1", "resources": _G}], {"requests": _rq("100m", "1Gi")}),
        BURSTABLE,
    ),
    (
        "container with zero requests limits",
        _pod([ctr("container1", req=_rq("0", "0"), lim=_rq("0", "0"))]),
        BEST_EFFORT,
    ),
    (
        "guaranteed with pod level resources and hugepages",
        _pod(
            [{"name": "container1", "resources": _G}],
            {
                "requests": {**_rq("10m", "100Mi"), "hugepages-2Mi": "100Mi"},
                "limits": {**_rq("10m", "100Mi"), "hugepages-2Mi": "100Mi"},
            },
        ),
        GUARANTEED,
    ),
    (
        "burstable with pod level resources and hugepages",
        _pod(
            [{"name": "container1", "resources": _G}],
            {
                "requests": {"cpu": "10m", "hugepages-2Mi": "100Mi"},
                "limits": {"hugepages-2Mi": "100Mi"},
            },
        ),
        BURSTABLE,
    ),
]


@pytest.mark.parametrize(
    "pod,want", [c[1:] for c in KUBECTL_QOS_CASES], ids=[c[0] for c in KUBECTL_QOS_CASES]
)
def test_kubectl_get_pod_qos_matches_upstream(pod, want):
    """kubectl TestGetPodQOS: status.qosClass wins, else both algorithms give the same class."""
    assert get_pod_qos(pod) == want
    if "spec" in pod:
        assert qos_class(pod) == want
        assert qos_class_sum_based(pod) == want


# -- QoS: k/k pkg/apis/core/v1/helper/qos/qos_test.go TestComputePodQOS (generated table) ----

_GUARANTEED_RES = {
    "requests": {"cpu": "100m", "memory": "100Mi", "ephemeral-storage": "10Gi"},
    "limits": _rq("100m", "100Mi"),
}
_BEST_EFFORT_RES = [{}, {"requests": _rq("0", "0")}, {"requests": {"ephemeral-storage": "10Gi"}}]
_BURSTABLE_RES = [
    {"requests": _rq("100m", "100Mi"), "limits": _rq("200m", "200Mi")},
    {"requests": _rq("100m", "100Mi"), "limits": _rq("100m", "200Mi")},
    {"requests": _rq("100m", "100Mi"), "limits": _rq("200m", "100Mi")},
    {"requests": _rq("100m", "100Mi")},
    {"requests": _rq("100m", "100Mi"), "limits": {"cpu": "100m"}},
]

#: Cases where k/k (which tests `spec.resources != nil`) and kubectl (`IsPodLevelResourcesSet`)
#: disagree: pod-level resources with no cpu/memory/hugepages key. We follow kubectl, newest:
#: they fall back to the (Guaranteed) container.
_KK_NIL_CHECK_DIVERGES = {"pod-best-effort-0-plr", "pod-best-effort-2-plr"}


def _kk_generated_qos_cases() -> list[tuple[str, dict, str, bool]]:
    """Upstream's case generator, loop for loop: (name, pod, expected, podLevelResourcesEnabled)."""
    single = [("guaranteed", [{"resources": _GUARANTEED_RES}], GUARANTEED)]
    single += [
        (f"best-effort-{i}", [{"resources": r}], BEST_EFFORT)
        for i, r in enumerate(_BEST_EFFORT_RES)
    ]
    single += [
        (f"burstable-{i}", [{"resources": r}], BURSTABLE) for i, r in enumerate(_BURSTABLE_RES)
    ]
    second = [
        ("2c-guaranteed", [{"resources": _GUARANTEED_RES}] * 2, GUARANTEED),
        (
            "2c-best-effort",
            [{"resources": _BEST_EFFORT_RES[0]}, {"resources": _BEST_EFFORT_RES[1]}],
            BEST_EFFORT,
        ),
        (
            "2c-burstable",
            [{"resources": _BURSTABLE_RES[0]}, {"resources": _BURSTABLE_RES[1]}],
            BURSTABLE,
        ),
    ]
    firsts = [_GUARANTEED_RES, _BEST_EFFORT_RES[0], _BURSTABLE_RES[0]]
    seconds = [_GUARANTEED_RES, _BEST_EFFORT_RES[1], _BURSTABLE_RES[1]]
    for i, r1 in enumerate(firsts):
        for j, r2 in enumerate(seconds):
            if i != j:
                second.append(
                    (
                        f"2c-mixed-burstable-{i}-{j}",
                        [{"resources": r1}, {"resources": r2}],
                        BURSTABLE,
                    )
                )
    container_tests = [(n, _pod(copy.deepcopy(cs), name=n), e, False) for n, cs, e in single]
    container_tests += [(n, _pod(copy.deepcopy(cs), name=n), e, False) for n, cs, e in second]
    for n, cs, e in second:  # the second container becomes an init container
        cs = copy.deepcopy(cs)
        container_tests.append((n + "-init", _pod(cs[:1], init=cs[1:], name=n + "-init"), e, False))
    tests = list(container_tests)
    tests += [(n + "-plr", copy.deepcopy(p), e, True) for n, p, e, _ in container_tests]
    for n, cs, e in single:
        variant = _pod([{"resources": copy.deepcopy(_GUARANTEED_RES)}])
        variant["spec"]["resources"] = copy.deepcopy(cs[0]["resources"])
        tests.append((f"pod-{n}-plr", variant, e, True))
        no_plr = _pod(copy.deepcopy(cs), copy.deepcopy(_GUARANTEED_RES))
        tests.append((f"{n}-pod-no-plr", no_plr, e, False))
    return tests


KK_GENERATED_QOS_CASES = _kk_generated_qos_cases()


def test_kk_generated_qos_table_has_upstream_size():
    """The generator yields upstream's 72 cases (9 single, 9 two-container, 9 -init, 27 -plr, 18 pod-level)."""
    assert len(KK_GENERATED_QOS_CASES) == 72


@pytest.mark.parametrize(
    "name,pod,want,plr", KK_GENERATED_QOS_CASES, ids=[c[0] for c in KK_GENERATED_QOS_CASES]
)
def test_kk_compute_pod_qos_matches_upstream(name, pod, want, plr):
    """k/k TestComputePodQOS (generated): both algorithms agree; an init container counts like any other."""
    if name in _KK_NIL_CHECK_DIVERGES:
        want = GUARANTEED  # kubectl: empty-of-supported pod-level resources fall back
    assert qos_class(pod, pod_level_resources_enabled=plr) == want
    assert qos_class_sum_based(pod, pod_level_resources_enabled=plr) == want


# -- QoS: the older hand-written k/k table (with init container and pod-level cases) ---


def _c(name, req, lim):
    return {"name": name, "resources": {"requests": req, "limits": lim}}


KK_TABLE_QOS_CASES = [
    ("guaranteed", _pod([_c("g", _rq("100m", "100Mi"), _rq("100m", "100Mi"))]), GUARANTEED, False),
    (
        "guaranteed-guaranteed",
        _pod([_c("g", _rq("100m", "100Mi"), _rq("100m", "100Mi"))] * 2),
        GUARANTEED,
        False,
    ),
    ("best-effort-best-effort", _pod([_c("b", {}, {})] * 2), BEST_EFFORT, False),
    ("best-effort", _pod([_c("b", {}, {})]), BEST_EFFORT, False),
    (
        "best-effort-burstable",
        _pod([_c("b", {}, {}), _c("u", _rq("1"), _rq("2"))]),
        BURSTABLE,
        False,
    ),
    (
        "best-effort-guaranteed",
        _pod([_c("b", {}, {}), _c("g", _rq("10m", "100Mi"), _rq("10m", "100Mi"))]),
        BURSTABLE,
        False,
    ),
    (
        "burstable-cpu-guaranteed-memory",
        _pod([_c("u", _rq("", "100Mi"), _rq("", "100Mi"))]),
        BURSTABLE,
        False,
    ),
    ("burstable-no-limits", _pod([_c("u", _rq("100m", "100Mi"), {})]), BURSTABLE, False),
    (
        "burstable-guaranteed",
        _pod(
            [
                _c("u", _rq("1", "100Mi"), _rq("2", "100Mi")),
                _c("g", _rq("100m", "100Mi"), _rq("100m", "100Mi")),
            ]
        ),
        BURSTABLE,
        False,
    ),
    (
        "burstable-unbounded-but-requests-match-limits",
        _pod(
            [
                _c("u", _rq("100m", "100Mi"), _rq("200m", "200Mi")),
                _c("u2", _rq("100m", "100Mi"), {}),
            ]
        ),
        BURSTABLE,
        False,
    ),
    ("burstable-1", _pod([_c("u", _rq("10m", "100Mi"), _rq("100m", "200Mi"))]), BURSTABLE, False),
    ("burstable-2", _pod([_c("u", _rq("0", "0"), _rq("100m", "200Mi"))]), BURSTABLE, False),
    (
        "best-effort-hugepages",
        _pod(
            [
                _c(
                    "b",
                    {**_rq("0", "0"), "hugepages-2Mi": "1Gi"},
                    {**_rq("0", "0"), "hugepages-2Mi": "1Gi"},
                )
            ]
        ),
        BEST_EFFORT,
        False,
    ),
    (
        "init-container",
        _pod(
            [_c("b", {}, {})],
            init=[_c("u", _rq("10m", "100Mi"), _rq("100m", "200Mi"))],
        ),
        BURSTABLE,
        False,
    ),
    (
        "guaranteed-with-pod-level-resources",
        _pod(
            [_c("b", {}, {})],
            {"requests": _rq("10m", "100Mi"), "limits": _rq("10m", "100Mi")},
        ),
        GUARANTEED,
        True,
    ),
    (
        "guaranteed-with-pod-and-container-level-resources",
        _pod(
            [_c("u", _rq("3m", "10Mi"), _rq("5m", "20Mi"))],
            {"requests": _rq("10m", "100Mi"), "limits": _rq("10m", "100Mi")},
        ),
        GUARANTEED,
        True,
    ),
    (
        "burstable-with-pod-level-resources",
        _pod([_c("b", {}, {})], {"requests": _rq("10m", "10Mi"), "limits": _rq("20m", "50Mi")}),
        BURSTABLE,
        True,
    ),
    (
        "burstable-with-pod-and-container-level-resources",
        _pod(
            [_c("u", _rq("5m", "10Mi"), _rq("5m", "10Mi"))],
            {"requests": _rq("10m", "10Mi"), "limits": _rq("20m", "50Mi")},
        ),
        BURSTABLE,
        True,
    ),
    (
        "burstable-with-pod-and-container-level-requests",
        _pod([_c("u", _rq("5m", "10Mi"), {})], {"requests": _rq("10m", "10Mi"), "limits": {}}),
        BURSTABLE,
        True,
    ),
    (
        "burstable-with-pod-and-container-level-resources-2",
        _pod(
            [_c("u", _rq("5m", "10Mi"), {}), _c("g", _rq("5m", "10Mi"), _rq("5m", "10Mi"))],
            {"requests": _rq("10m", "10Mi"), "limits": _rq("5m", "")},
        ),
        BURSTABLE,
        True,
    ),
]


@pytest.mark.parametrize(
    "name,pod,want,plr", KK_TABLE_QOS_CASES, ids=[c[0] for c in KK_TABLE_QOS_CASES]
)
def test_kk_compute_pod_qos_table_matches_upstream(name, pod, want, plr):
    """k/k TestComputePodQOS (older table): both algorithms agree on every case."""
    assert qos_class(pod, pod_level_resources_enabled=plr) == want
    assert qos_class_sum_based(pod, pod_level_resources_enabled=plr) == want


def test_ephemeral_containers_do_not_count_for_qos():
    """Ephemeral containers cannot set resources and are never classed."""
    pod = _pod([{"name": "c", "resources": _G}])
    pod["spec"]["ephemeralContainers"] = [{"name": "debug"}]
    assert qos_class(pod) == qos_class_sum_based(pod) == GUARANTEED


def test_the_algorithms_differ_only_on_pods_the_api_rejects():
    """request > limit in one container and < in another: sums match, per-container does not."""
    pod = _pod(
        [
            ctr("a", req=_rq("2", "1Gi"), lim=_rq("1", "1Gi")),
            ctr("b", req=_rq("1", "1Gi"), lim=_rq("2", "1Gi")),
        ]
    )
    assert qos_class(pod) == BURSTABLE
    assert qos_class_sum_based(pod) == GUARANTEED


# -- the worked example of KEP-753 and init_phases -------------------------------------

WORKED = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "worked"},
    "spec": {
        "initContainers": [
            ctr("proxy", req={"cpu": "10"}, sidecar=True),
            ctr("init-db", req={"cpu": "200"}),
        ],
        "containers": [ctr("app", req={"cpu": "100"})],
    },
}


def test_sidecar_then_init_then_app_reserves_210():
    """Upstream "restartable-init, init and regular": max(10+100, 200+10) = 210."""
    assert as_strings(pod_requests(WORKED)) == {"cpu": "210"}


def test_init_phases_show_what_each_step_reserves():
    """init-db reserves itself plus the proxy sidecar started before it."""
    steps = init_phases(WORKED)
    assert [(s.name, s.sidecar, as_strings(s.requests), s.sidecars_below) for s in steps] == [
        ("proxy", True, {"cpu": "10"}, []),
        ("init-db", False, {"cpu": "210"}, ["proxy"]),
    ]
    assert all(isinstance(s, InitPhase) for s in steps)
    assert steps[1].to_json() == {
        "name": "init-db",
        "sidecar": False,
        "container": {"requests": {"cpu": "200"}, "limits": {}},
        "requests": {"cpu": "210"},
        "limits": {},
        "sidecarsBelow": ["proxy"],
    }


def test_a_sidecar_declared_after_an_init_container_does_not_stack_under_it():
    """Upstream "multiple restartable and regular init containers": only earlier sidecars count."""
    pod = {
        "spec": {
            "initContainers": [
                ctr("init-1", req={"cpu": "5"}),
                ctr("side-1", req={"cpu": "1"}, sidecar=True),
                ctr("side-2", req={"cpu": "2"}, sidecar=True),
                ctr("init-2", req={"cpu": "5"}),
                ctr("side-3", req={"cpu": "3"}, sidecar=True),
            ],
            "containers": [ctr("app", req={"cpu": "1"})],
        }
    }
    steps = {s.name: s for s in init_phases(pod)}
    assert as_strings(steps["init-1"].requests) == {"cpu": "5"}
    assert as_strings(steps["init-2"].requests) == {"cpu": "8"}
    assert steps["init-2"].sidecars_below == ["side-1", "side-2"]
    assert as_strings(pod_requests(pod)) == {"cpu": "8"}


def test_report_for_worked_example_is_the_cli_contract():
    """`initlab resources -o json`: sorted keys, canonical strings, initPhase max and appPhase."""
    report = resources_report(WORKED).to_json()
    assert list(report) == ["initPhase", "limits", "qosClass", "requests"]
    assert report["requests"] == {"cpu": "210"}
    assert report["limits"] == {}
    assert report["qosClass"] == BURSTABLE
    phase = report["initPhase"]
    assert phase["max"] == {"requests": {"cpu": "210"}, "limits": {}}
    assert phase["appPhase"]["requests"] == {"cpu": "110"}
    assert phase["appPhase"]["sidecars"] == ["proxy"]
    assert [s["name"] for s in phase["steps"]] == ["proxy", "init-db"]
    json.dumps(report)  # serialisable as is


def test_report_with_node_adds_only_fits():
    """With a node, the only new key is `fits`."""
    report = resources_report(WORKED, {"cpu": Quantity.parse("200")}).to_json()
    assert list(report) == ["fits", "initPhase", "limits", "qosClass", "requests"]
    assert report["fits"] is False


def test_render_resources_explains_the_effective_request():
    """The human view names kinds, the init steps, the effective values, QoS and the fit reason."""
    text = render_resources(resources_report(WORKED, {"cpu": Quantity.parse("200")}))
    assert "proxy       sidecar   10        -" in text
    assert "init-db     init      200       -" in text
    assert "app         app       100       -" in text
    assert "1. proxy (sidecar, keeps running): requests cpu=10; limits <none>" in text
    assert "init-db (init) + sidecars [proxy]: requests cpu=210" in text
    assert "Effective requests: cpu=210" in text
    assert "QoS Class:          Burstable" in text
    assert "does not fit: Insufficient cpu" in text


def test_render_without_node_has_no_fit_line():
    """No node given: no Node fit line."""
    assert "Node fit" not in render_resources(resources_report(WORKED))


# -- fits() -------------------------------------------------------------------------------


def test_fits_when_the_init_peak_fits():
    """210 cpu requested: a 210-cpu node fits, a 209-cpu node does not."""
    assert fits(WORKED, {"cpu": Quantity.parse("210")}) == Fit(True, [])
    assert fits(WORKED, {"cpu": Quantity.parse("209")}) == Fit(False, ["Insufficient cpu"])


def test_fits_reports_cpu_before_memory():
    """fitsRequest checks cpu, then memory, then ephemeral-storage, each with its own reason."""
    pod = {"spec": {"containers": [ctr("a", req={"cpu": "500m", "memory": "128Mi"})]}}
    node = {"cpu": Quantity.parse("250m"), "memory": Quantity.parse("64Mi")}
    assert fits(pod, node) == Fit(False, ["Insufficient cpu", "Insufficient memory"])


def test_fits_compares_cpu_in_millicores_rounded_up():
    """MilliValue rounds up: 1.0001 cpu needs 1001m."""
    pod = {"spec": {"containers": [ctr("a", req={"cpu": "1.0001"})]}}
    assert not fits(pod, {"cpu": Quantity.parse("1")}).fits
    assert fits(pod, {"cpu": Quantity.parse("1001m")}).fits


def test_fits_includes_overhead():
    """The scheduler uses PodRequests, overhead included."""
    pod = {
        "spec": {
            "overhead": {"memory": "64Mi"},
            "containers": [ctr("a", req={"memory": "64Mi"})],
        }
    }
    assert fits(pod, {"memory": Quantity.parse("100Mi")}) == Fit(False, ["Insufficient memory"])


def test_pod_without_requests_fits_anywhere():
    """A BestEffort pod requests nothing and fits even a zero node."""
    pod = {"spec": {"containers": [{"name": "a"}]}}
    assert fits(pod, {"cpu": Quantity.parse("0"), "memory": Quantity.parse("0")}).fits


# -- limits, cgroups and container helpers ------------------------------------------------


def test_unlimited_init_container_contributes_no_limit():
    """limited init 2/2Gi, unlimited init, app 1/1Gi → pod limits 2/2Gi, not unbounded."""
    pod = {
        "spec": {
            "initContainers": [
                ctr("limited", lim={"cpu": "2", "memory": "2Gi"}),
                ctr("unlimited"),
            ],
            "containers": [ctr("app", lim={"cpu": "1", "memory": "1Gi"})],
        }
    }
    assert as_strings(pod_limits(pod)) == {"cpu": "2", "memory": "2Gi"}


def test_burstable_pod_cgroup_has_no_limit_unless_every_app_container_declares_it():
    """ResourceConfigForPod: one app container without a memory limit → no pod memory limit."""
    pod = {
        "spec": {
            "containers": [
                ctr("a", req={"cpu": "1", "memory": "1Gi"}, lim={"cpu": "2", "memory": "1Gi"}),
                ctr("b", req={"cpu": "1"}, lim={"cpu": "1"}),
            ]
        }
    }
    got = pod_cgroup_limits(pod)
    assert str(got["cpu"]) == "3"
    assert got["memory"] is None


def test_guaranteed_pod_cgroup_gets_its_limits():
    """Guaranteed pods always get cpu quota and memory limit."""
    pod = {"spec": {"containers": [ctr("a", req=_rq("1", "1Gi"), lim=_rq("1", "1Gi"))]}}
    assert as_strings(pod_cgroup_limits(pod)) == {"cpu": "1", "memory": "1Gi"}


def test_best_effort_pod_cgroup_has_no_limits():
    """BestEffort: neither limit."""
    assert pod_cgroup_limits({"spec": {"containers": [{"name": "a"}]}}) == {
        "cpu": None,
        "memory": None,
    }


def test_init_container_without_a_limit_removes_the_pod_cgroup_limit():
    """Since v1.22 (PR #103107) an init container without a cpu limit leaves the pod without one."""
    pod = {
        "spec": {
            "initContainers": [ctr("i", req={"cpu": "1"})],
            "containers": [ctr("a", req={"cpu": "1"}, lim={"cpu": "2"})],
        }
    }
    assert pod_cgroup_limits(pod)["cpu"] is None


def test_init_container_with_limits_keeps_the_pod_cgroup_limit():
    """Every container, init ones included, declares a limit: the pod gets PodLimits' value."""
    pod = {
        "spec": {
            "initContainers": [ctr("i", req={"cpu": "1"}, lim={"cpu": "3"})],
            "containers": [ctr("a", req={"cpu": "1"}, lim={"cpu": "2"})],
        }
    }
    assert str(pod_cgroup_limits(pod)["cpu"]) == "3"


def test_init_container_after_a_limited_sidecar_is_seen_with_the_sidecar_limit():
    """ContainerFn sees an init container's limits plus the sidecars before it, so no limit is lost."""
    pod = {
        "spec": {
            "initContainers": [
                ctr("proxy", req={"cpu": "100m"}, lim={"cpu": "200m"}, sidecar=True),
                ctr("migrate", req={"cpu": "500m"}),
            ],
            "containers": [ctr("a", req={"cpu": "1"}, lim={"cpu": "2"})],
        }
    }
    assert str(pod_cgroup_limits(pod)["cpu"]) == "2200m"


def test_pod_level_limit_restores_the_cgroup_limit_an_init_container_removed():
    """Pod-level resources.limits put back what an unlimited init container took away."""
    pod = {
        "spec": {
            "resources": {"limits": {"cpu": "4"}},
            "initContainers": [ctr("i", req={"cpu": "1"})],
            "containers": [ctr("a", req={"cpu": "1"}, lim={"cpu": "2"})],
        }
    }
    assert str(pod_cgroup_limits(pod)["cpu"]) == "4"


def test_container_helpers_read_requests_limits_and_sidecar_flag():
    """container_requests/limits parse quantities; is_sidecar means restartPolicy Always."""
    c = ctr("s", req={"cpu": "100m"}, lim={"memory": "1Gi"}, sidecar=True)
    assert as_strings(container_requests(c)) == {"cpu": "100m"}
    assert as_strings(container_limits(c)) == {"memory": "1Gi"}
    assert is_sidecar(c)
    assert not is_sidecar({"restartPolicy": "OnFailure"})


@pytest.mark.parametrize(
    "pod",
    [
        None,
        "x",
        {"spec": "x"},
        {"spec": {"containers": "x", "initContainers": [1, None]}},
        {"spec": {"containers": [{"resources": {"requests": {"cpu": "lots"}}}]}},
        {"spec": {"containers": [{"resources": {"requests": "x", "limits": [1]}}]}},
        {"spec": {"resources": "x", "overhead": 5}, "status": {"conditions": "x"}},
    ],
)
def test_badly_typed_pods_never_raise(pod):
    """Validation reports bad input; these functions just skip what they cannot read."""
    pod_requests(pod)
    pod_limits(pod, PodResourcesOptions(use_status_resources=True))
    qos_class(pod)
    qos_class_sum_based(pod)
    init_phases(pod)
    pod_cgroup_limits(pod)
    render_resources(resources_report(pod, {"cpu": Quantity.parse("1")}))


def test_sum_keeps_the_binary_format():
    """Sums print canonically: 1Gi + 128Mi = 1152Mi; 100m + 10m = 110m."""
    pod = {
        "spec": {
            "containers": [
                ctr("a", req={"cpu": "100m", "memory": "1Gi"}),
                ctr("b", req={"cpu": "10m", "memory": "128Mi"}),
            ]
        }
    }
    assert resources_report(pod).requests == {"cpu": "110m", "memory": "1152Mi"}


# -- properties ---------------------------------------------------------------------------

_amount = st.integers(min_value=0, max_value=4000)


@st.composite
def _container(draw, name: str, sidecar_allowed: bool):
    req = {}
    for res, unit in (("cpu", "m"), ("memory", "Mi")):
        if draw(st.booleans()):
            req[res] = f"{draw(_amount)}{unit}"
    c = ctr(name, req=req)
    if sidecar_allowed and draw(st.booleans()):
        c["restartPolicy"] = "Always"
    return c


@st.composite
def _pods(draw):
    n_init = draw(st.integers(min_value=0, max_value=5))
    n_app = draw(st.integers(min_value=1, max_value=3))
    init = [draw(_container(f"init-{i}", True)) for i in range(n_init)]
    app = [draw(_container(f"app-{i}", False)) for i in range(n_app)]
    return {"spec": {"initContainers": init, "containers": app}}


def _value(rl: dict, name: str) -> Quantity:
    return rl.get(name, Quantity(0))


@settings(max_examples=200, deadline=None)
@given(_pods())
def test_effective_request_covers_every_init_step(pod):
    """Each regular init container's request plus the sidecars declared before it fits the total."""
    total = pod_requests(pod)
    sidecars: dict[str, Quantity] = {}
    for c in pod["spec"]["initContainers"]:
        req = container_requests(c)
        if is_sidecar(c):
            for k, v in req.items():
                sidecars[k] = _value(sidecars, k) + v
            continue
        for name in ("cpu", "memory"):
            need = _value(req, name) + _value(sidecars, name)
            assert _value(total, name) >= need


@settings(max_examples=200, deadline=None)
@given(_pods())
def test_effective_request_covers_app_containers_plus_sidecars(pod):
    """The steady state (app containers + all sidecars) never exceeds the effective request."""
    total = pod_requests(pod)
    everything = pod["spec"]["containers"] + [
        c for c in pod["spec"]["initContainers"] if is_sidecar(c)
    ]
    for name in ("cpu", "memory"):
        steady = Quantity(0)
        for c in everything:
            steady = steady + _value(container_requests(c), name)
        assert _value(total, name) >= steady


@settings(max_examples=200, deadline=None)
@given(_pods(), _container("extra", False))
def test_adding_an_app_container_never_lowers_the_request(pod, extra):
    """Monotonic: one more app container cannot make the pod cheaper."""
    before = pod_requests(pod)
    bigger = copy.deepcopy(pod)
    bigger["spec"]["containers"].append(extra)
    after = pod_requests(bigger)
    for name in ("cpu", "memory"):
        assert _value(after, name) >= _value(before, name)


@settings(max_examples=200, deadline=None)
@given(_pods())
def test_effective_request_is_max_of_init_peak_and_app_phase(pod):
    """The report's numbers obey effective = max(initPhase.max, appPhase) per resource."""
    report = resources_report(pod).to_json()
    phase = report["initPhase"]
    for name in ("cpu", "memory"):
        peak = Quantity.parse(phase["max"]["requests"].get(name, "0"))
        app = Quantity.parse(phase["appPhase"]["requests"].get(name, "0"))
        got = Quantity.parse(report["requests"].get(name, "0"))
        assert got == max(peak, app)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=4000),
    st.integers(min_value=1, max_value=4000),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=1, max_value=3),
)
def test_equal_nonzero_requests_and_limits_everywhere_is_guaranteed(cpu, mem, n_init, n_app):
    """Every container with cpu and memory request == limit > 0 → Guaranteed, under both algorithms."""
    res = {"cpu": f"{cpu}m", "memory": f"{mem}Mi"}
    init = [ctr(f"i{i}", req=res, lim=res, sidecar=i % 2 == 0) for i in range(n_init)]
    app = [ctr(f"a{i}", req=res, lim=res) for i in range(n_app)]
    pod = {"spec": {"initContainers": init, "containers": app}}
    assert qos_class(pod) == qos_class_sum_based(pod) == GUARANTEED


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3))
def test_no_resources_anywhere_is_best_effort(n_init, n_app):
    """No requests or limits in any container → BestEffort, under both algorithms."""
    init = [ctr(f"i{i}", sidecar=i % 2 == 1) for i in range(n_init)]
    app = [ctr(f"a{i}") for i in range(n_app)]
    pod = {"spec": {"initContainers": init, "containers": app}}
    assert qos_class(pod) == qos_class_sum_based(pod) == BEST_EFFORT


@st.composite
def _valid_qos_pods(draw):
    """Pods the API accepts: each request ≤ its limit (limits default requests when absent)."""
    containers = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        req, lim = {}, {}
        for res, unit in (("cpu", "m"), ("memory", "Mi")):
            mode = draw(st.sampled_from(["none", "req", "lim", "both"]))
            if mode in ("lim", "both"):
                limit = draw(st.integers(min_value=1, max_value=100))
                lim[res] = f"{limit}{unit}"
                req[res] = (
                    f"{draw(st.integers(min_value=0, max_value=limit)) if mode == 'both' else limit}{unit}"
                )
            elif mode == "req":
                req[res] = f"{draw(st.integers(min_value=0, max_value=100))}{unit}"
        containers.append(ctr(f"c{i}", req=req or None, lim=lim or None))
    split = draw(st.integers(min_value=0, max_value=len(containers) - 1))
    return {"spec": {"initContainers": containers[:split], "containers": containers[split:]}}


@settings(max_examples=300, deadline=None)
@given(_valid_qos_pods())
def test_both_qos_algorithms_agree_on_api_valid_pods(pod):
    """with request ≤ limit (and limits defaulting requests) the two algorithms agree."""
    assert qos_class(pod) == qos_class_sum_based(pod)
