"""Effective pod requests/limits, QoS class and node fit, exactly as Kubernetes computes them.

Sources :

- `k8s.io/component-helpers/resource/helpers.go`: `PodRequests`, `PodLimits`,
  `AggregateContainerRequests`, `AggregateContainerLimits`,
  `aggregateContainerResourcesByFn` (the sidecar formula of KEP-753),
  `IsPodLevelResourcesSet`, `GetContainerDRAAllocations`.
- `k8s.io/kubectl/pkg/util/qos/qos.go` `ComputePodQOS` (the per-container algorithm,
  also in `k8s.io/kubernetes/pkg/apis/core/v1/helper/qos/qos.go`), and the older
  sum-based `GetPodQOS` of the same k/k file.
- `pkg/kubelet/cm/helpers_linux.go` `ResourceConfigForPod` (pod cgroup limits).
- `pkg/scheduler/framework/plugins/noderesources/fit.go` `fitsRequest`.

A pod is a plain dict in Kubernetes JSON shape, normally already defaulted by
`initlab.api.loader.apply_defaults` (a limit without a request gets request = limit,
as `SetDefaults_Pod` does); like upstream, nothing here defaults anything itself.
Nothing here raises on badly typed
input: a value that is not a quantity is skipped, a list that is not a list is empty.
Resource lists are `dict[str, Quantity]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from initlab.api.pod import (
    as_dict,
    as_list,
    as_str,
    init_containers,
    is_restartable_init_container,
    regular_containers,
)
from initlab.api.pod import spec as pod_spec
from initlab.api.pod import status as pod_status
from initlab.api.quantity import Quantity, QuantityError

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
HUGEPAGES_PREFIX = "hugepages-"

GUARANTEED = "Guaranteed"
BURSTABLE = "Burstable"
BEST_EFFORT = "BestEffort"

ResourceList = dict[str, Quantity]


@dataclass(frozen=True)
class PodResourcesOptions:
    """Mirror of upstream `PodResourcesOptions` (minus `Reuse`, a Go allocation detail)."""

    exclude_overhead: bool = False
    skip_pod_level_resources: bool = False
    skip_container_level_resources: bool = False
    use_status_resources: bool = False
    non_missing_container_requests: dict[str, Quantity] | None = None
    #: `InPlacePodLevelResourcesVerticalScalingEnabled`: read pod-level `status.resources`.
    in_place_pod_level_resources_vertical_scaling_enabled: bool = False
    #: `UseDRANodeAllocatableResourceClaimStatus` (alpha DRA node-allocatable resources).
    use_dra_node_allocatable_resource_claim_status: bool = False


# -- reading the pod dict, tolerantly ---------------------------------------------------


def _quantity(value: Any) -> Quantity | None:
    if isinstance(value, Quantity):
        return value
    try:
        return Quantity.parse(value)
    except (QuantityError, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None


def _rl(value: Any) -> ResourceList | None:
    """A ResourceList from JSON, or None when absent (Go's nil map)."""
    if not isinstance(value, dict):
        return None
    out: ResourceList = {}
    for name, raw in value.items():
        q = _quantity(raw)
        if isinstance(name, str) and q is not None:
            out[name] = q
    return out


def _requirements(obj: Any) -> dict:
    return as_dict(as_dict(obj).get("resources"))


# -- ResourceList arithmetic with Go's Quantity semantics -------------------------------


def _add_q(a: Quantity, b: Quantity) -> Quantity:
    """`Quantity.Add`: a zero receiver takes the format of the value added."""
    return Quantity(a.value + b.value, b.format if a.is_zero() else a.format)


def _add(target: ResourceList, new: ResourceList | None) -> None:
    """`addResourceList`."""
    for name, q in (new or {}).items():
        target[name] = _add_q(target[name], q) if name in target else q


def _max_into(target: ResourceList, new: ResourceList | None) -> None:
    """`maxResourceList`: per key, the greater value."""
    for name, q in (new or {}).items():
        if name not in target or q > target[name]:
            target[name] = q


def _max(a: ResourceList | None, *others: ResourceList | None) -> ResourceList:
    """`max(a, b...)` of helpers.go."""
    result = dict(a or {})
    for other in others:
        _max_into(result, other)
    return result


def resource_list(value: Any) -> ResourceList:
    """A ResourceList from JSON (`{}` when absent or not a mapping; bad quantities skipped)."""
    return _rl(value) or {}


#: `Quantity.Add`, `addResourceList`, `maxResourceList` for the admission controllers.
add_quantity = _add_q
add_resource_list = _add
max_resource_list = _max_into


# -- container helpers ------------------------------------------------------------------


def container_requests(container: dict) -> dict[str, Quantity]:
    """`container.Resources.Requests`, parsed (no defaulting from limits: that is the API server's job)."""
    return _rl(_requirements(container).get("requests")) or {}


def container_limits(container: dict) -> dict[str, Quantity]:
    """`container.Resources.Limits`, parsed."""
    return _rl(_requirements(container).get("limits")) or {}


#: An init container with `restartPolicy: Always` (`IsRestartableInitContainer`).
is_sidecar = is_restartable_init_container


# -- pod-level resources ----------------------------------------------------------------


def is_supported_pod_level_resource(name: str) -> bool:
    """`IsSupportedPodLevelResource`: cpu, memory and hugepages-* only."""
    return name in (CPU, MEMORY) or name.startswith(HUGEPAGES_PREFIX)


def _pod_level(pod: Any) -> dict | None:
    value = pod_spec(pod).get("resources")
    return value if isinstance(value, dict) else None


def _has_supported(value: Any) -> bool:
    return isinstance(value, dict) and any(
        isinstance(k, str) and is_supported_pod_level_resource(k) for k in value
    )


def is_pod_level_resources_set(pod: dict) -> bool:
    """`IsPodLevelResourcesSet`: pod-level requests or limits name a supported resource."""
    res = _pod_level(pod)
    return res is not None and (
        _has_supported(res.get("requests")) or _has_supported(res.get("limits"))
    )


def is_pod_level_requests_set(pod: dict) -> bool:
    """`IsPodLevelRequestsSet`."""
    res = _pod_level(pod)
    return res is not None and _has_supported(res.get("requests"))


def is_pod_level_limits_set(pod: dict) -> bool:
    """`IsPodLevelLimitsSet`."""
    res = _pod_level(pod)
    return res is not None and _has_supported(res.get("limits"))


def _apply_pod_level(result: ResourceList, effective: ResourceList | None) -> None:
    """`applyPodLevelResources`: supported pod-level keys replace the aggregate."""
    for name, q in (effective or {}).items():
        if is_supported_pod_level_resource(name):
            result[name] = q


# -- in-place resize helpers ------------------------------------------------------------


def _resize_pending_reason(pod: Any) -> str | None:
    for cond in as_list(pod_status(pod).get("conditions")):
        if cond.get("type") == "PodResizePending":
            return cond.get("reason")
    return None


def is_pod_resize_infeasible(pod: dict) -> bool:
    """`IsPodResizeInfeasible`: condition `PodResizePending` with reason `Infeasible`."""
    return _resize_pending_reason(pod) == "Infeasible"


def is_pod_resize_deferred(pod: dict) -> bool:
    """`IsPodResizeDeferred`: condition `PodResizePending` with reason `Deferred`."""
    return _resize_pending_reason(pod) == "Deferred"


def _find_status(pod: Any, name: Any) -> dict | None:
    """`findContainerStatus`: regular statuses first, then init statuses."""
    status = pod_status(pod)
    for key in ("containerStatuses", "initContainerStatuses"):
        for cs in as_list(status.get(key)):
            if cs.get("name") == name:
                return cs
    return None


def _status_requirements(cs: dict | None) -> dict | None:
    if cs is None:
        return None
    value = cs.get("resources")
    return value if isinstance(value, dict) else None


def _spec_requests(c: dict, cs: dict | None, infeasible: bool) -> ResourceList | None:
    return _rl(_requirements(c).get("requests"))


def _allocated_requests(c: dict, cs: dict | None, infeasible: bool) -> ResourceList | None:
    if cs is not None and isinstance(cs.get("allocatedResources"), dict):
        return _rl(cs["allocatedResources"])
    return None if infeasible else _rl(_requirements(c).get("requests"))


def _actuated_requests(c: dict, cs: dict | None, infeasible: bool) -> ResourceList | None:
    res = _status_requirements(cs)
    if res is not None and isinstance(res.get("requests"), dict):
        return _rl(res["requests"])
    if cs is not None and isinstance(cs.get("allocatedResources"), dict):
        return _rl(cs["allocatedResources"])
    return None if infeasible else _rl(_requirements(c).get("requests"))


def _spec_limits(c: dict, cs: dict | None, infeasible: bool) -> ResourceList | None:
    return _rl(_requirements(c).get("limits"))


def _actuated_limits(c: dict, cs: dict | None, infeasible: bool) -> ResourceList | None:
    res = _status_requirements(cs)
    if res is not None and isinstance(res.get("limits"), dict):
        return _rl(res["limits"])
    return None if infeasible else _rl(_requirements(c).get("limits"))


def _apply_non_missing(reqs: ResourceList | None, non_missing: dict[str, Quantity]) -> ResourceList:
    """`applyNonMissing`: fill absent request keys (explicit zeros stay)."""
    out = dict(reqs or {})
    for name, q in non_missing.items():
        if name not in out:
            out[name] = q
    return out


# -- the KEP-753 aggregation ------------------------------------------------------------


def _aggregate(pod: Any, opts: PodResourcesOptions, get) -> ResourceList:
    """`aggregateContainerResourcesByFn`: max(sum of containers + sidecars, max init step).

    An init step reserves its own resources plus every sidecar declared before it;
    a sidecar step reserves the sidecars up to and including itself (KEP-753).
    """
    infeasible = is_pod_resize_infeasible(pod) if opts.use_status_resources else False
    non_missing = opts.non_missing_container_requests

    def resources(c: dict) -> ResourceList | None:
        cs = _find_status(pod, c.get("name")) if opts.use_status_resources else None
        r = get(c, cs, infeasible)
        if non_missing:
            r = _apply_non_missing(r, non_missing)
        return r

    result: ResourceList = {}
    for c in regular_containers(pod):
        _add(result, resources(c))
    sidecars: ResourceList = {}
    init_max: ResourceList = {}
    for c in init_containers(pod):
        r = resources(c)
        if is_sidecar(c):
            _add(result, r)
            _add(sidecars, r)
            step = sidecars
        else:
            step = {}
            _add(step, r)
            _add(step, sidecars)
        _max_into(init_max, step)
    _max_into(result, init_max)
    return result


def _dra_claim_resources(pod: Any, opts: PodResourcesOptions) -> ResourceList:
    """`addDRANodeAllocatableClaimResources`: mapped quantities plus per-pod and per-container overhead."""
    out: ResourceList = {}
    if not opts.use_dra_node_allocatable_resource_claim_status:
        return out
    for claim in as_list(pod_status(pod).get("nodeAllocatableResourceClaimStatuses")):
        for m in as_list(claim.get("mapping")):
            q = _quantity(m.get("quantity"))
            if q is not None and isinstance(m.get("name"), str):
                _add(out, {m["name"]: q})
        containers = claim.get("containers") if isinstance(claim.get("containers"), list) else []
        for o in as_list(claim.get("overhead")):
            if not isinstance(o.get("name"), str):
                continue
            total = Quantity(0, "")
            per_pod = _quantity(o.get("perPod")) if o.get("perPod") is not None else None
            if per_pod is not None:
                total = _add_q(total, per_pod)
            per_c = _quantity(o.get("perContainer")) if o.get("perContainer") is not None else None
            if per_c is not None and containers:
                total = _add_q(total, Quantity(per_c.value * len(containers), per_c.format))
            _add(out, {o["name"]: total})
    return out


def get_container_dra_allocations(pod: dict, container_name: str) -> dict[str, Quantity]:
    """`GetContainerDRAAllocations`: DRA node-allocatable resources of claims the container references."""
    out: ResourceList = {}
    for claim in as_list(pod_status(pod).get("nodeAllocatableResourceClaimStatuses")):
        containers = claim.get("containers")
        if not isinstance(containers, list) or container_name not in containers:
            continue
        for m in as_list(claim.get("mapping")):
            q = _quantity(m.get("quantity"))
            if q is not None and isinstance(m.get("name"), str):
                _add(out, {m["name"]: q})
        for o in as_list(claim.get("overhead")):
            if not isinstance(o.get("name"), str):
                continue
            total = Quantity(0, "")
            for key in ("perPod", "perContainer"):
                q = _quantity(o.get(key)) if o.get(key) is not None else None
                if q is not None:
                    total = _add_q(total, q)
            _add(out, {o["name"]: total})
    return out


def aggregate_container_requests(
    pod: dict, opts: PodResourcesOptions | None = None
) -> dict[str, Quantity]:
    """`AggregateContainerRequests`: the KEP-753 formula over container requests.

    With `use_status_resources` (in-place resize) the result is the per-resource
    max of the *sums* of spec, actuated and allocated requests (upstream commit
    1e15266, 1.37: max of sums, not sum of per-container maxes). An Infeasible
    resize ignores the spec.
    """
    opts = opts or PodResourcesOptions()
    if not opts.use_status_resources:
        reqs = _aggregate(pod, opts, _spec_requests)
        _add(reqs, _dra_claim_resources(pod, opts))
        return reqs
    infeasible = is_pod_resize_infeasible(pod)
    spec_reqs = _aggregate(pod, opts, _spec_requests)
    _add(spec_reqs, _dra_claim_resources(pod, opts))
    status = pod_status(pod)
    pod_status_res = status.get("resources")
    if (
        opts.in_place_pod_level_resources_vertical_scaling_enabled
        and isinstance(status.get("allocatedResources"), dict)
        and isinstance(pod_status_res, dict)
        and isinstance(pod_status_res.get("requests"), dict)
    ):
        allocated = _rl(status["allocatedResources"])
        actuated = _rl(pod_status_res["requests"])
    else:
        allocated = _aggregate(pod, opts, _allocated_requests)
        _add(allocated, _dra_claim_resources(pod, opts))
        actuated = _aggregate(pod, opts, _actuated_requests)
    if infeasible:
        return _max(actuated, allocated)
    return _max(spec_reqs, actuated, allocated)


def _dra_limits(spec_limits: ResourceList, pod: Any, opts: PodResourcesOptions) -> ResourceList:
    """`addDRANodeAllocatableLimits`: only declared limits (and hugepages) grow."""
    for name, q in _dra_claim_resources(pod, opts).items():
        if name in spec_limits:
            spec_limits[name] = _add_q(spec_limits[name], q)
        elif name.startswith(HUGEPAGES_PREFIX):
            spec_limits[name] = _add_q(Quantity(0, ""), q)
    return spec_limits


def aggregate_container_limits(
    pod: dict, opts: PodResourcesOptions | None = None
) -> dict[str, Quantity]:
    """`AggregateContainerLimits`: the same formula over limits; a missing limit adds nothing."""
    opts = opts or PodResourcesOptions()
    opts = PodResourcesOptions(
        exclude_overhead=opts.exclude_overhead,
        skip_pod_level_resources=opts.skip_pod_level_resources,
        skip_container_level_resources=opts.skip_container_level_resources,
        use_status_resources=opts.use_status_resources,
        non_missing_container_requests=None,
        in_place_pod_level_resources_vertical_scaling_enabled=(
            opts.in_place_pod_level_resources_vertical_scaling_enabled
        ),
        use_dra_node_allocatable_resource_claim_status=(
            opts.use_dra_node_allocatable_resource_claim_status
        ),
    )
    if not opts.use_status_resources:
        return _dra_limits(_aggregate(pod, opts, _spec_limits), pod, opts)
    infeasible = is_pod_resize_infeasible(pod)
    spec_limits = _dra_limits(_aggregate(pod, opts, _spec_limits), pod, opts)
    pod_status_res = pod_status(pod).get("resources")
    if (
        opts.in_place_pod_level_resources_vertical_scaling_enabled
        and isinstance(pod_status_res, dict)
        and isinstance(pod_status_res.get("limits"), dict)
    ):
        actuated = _rl(pod_status_res["limits"])
    else:
        actuated = _aggregate(pod, opts, _actuated_limits)
    if infeasible:
        return dict(actuated or {})
    return _max(spec_limits, actuated)


def _effective_pod_level(pod: Any, spec: ResourceList | None, *statuses) -> ResourceList:
    """`effectivePodLevelResources`: max(spec, status...), spec ignored when Infeasible."""
    if is_pod_resize_infeasible(pod):
        spec = None
    return _max(spec, *statuses)


def pod_requests(pod: dict, opts: PodResourcesOptions | None = None) -> dict[str, Quantity]:
    """`PodRequests`: aggregate, then supported pod-level requests replace it, then + overhead."""
    opts = opts or PodResourcesOptions()
    reqs: ResourceList = {}
    if not opts.skip_container_level_resources:
        reqs = aggregate_container_requests(pod, opts)
    if not opts.skip_pod_level_resources and is_pod_level_requests_set(pod):
        effective = _rl(as_dict(_pod_level(pod)).get("requests"))
        status_res = pod_status(pod).get("resources")
        if (
            opts.in_place_pod_level_resources_vertical_scaling_enabled
            and opts.use_status_resources
            and isinstance(status_res, dict)
        ):
            effective = _effective_pod_level(
                pod,
                effective,
                _rl(status_res.get("requests")),
                _rl(pod_status(pod).get("allocatedResources")),
            )
        _apply_pod_level(reqs, effective)
    if not opts.exclude_overhead:
        overhead = _rl(pod_spec(pod).get("overhead"))
        if overhead is not None:
            _add(reqs, overhead)
    return reqs


def pod_limits(pod: dict, opts: PodResourcesOptions | None = None) -> dict[str, Quantity]:
    """`PodLimits`: aggregate limits, pod-level limits replace them, overhead only on non-zero limits."""
    opts = opts or PodResourcesOptions()
    limits = aggregate_container_limits(pod, opts)
    if not opts.skip_pod_level_resources and is_pod_level_resources_set(pod):
        effective = _rl(as_dict(_pod_level(pod)).get("limits"))
        status_res = pod_status(pod).get("resources")
        if (
            opts.in_place_pod_level_resources_vertical_scaling_enabled
            and opts.use_status_resources
            and isinstance(status_res, dict)
        ):
            effective = _effective_pod_level(pod, effective, _rl(status_res.get("limits")))
        _apply_pod_level(limits, effective)
    if not opts.exclude_overhead:
        for name, q in (_rl(pod_spec(pod).get("overhead")) or {}).items():
            if name in limits and not limits[name].is_zero():
                limits[name] = _add_q(limits[name], q)
    return limits


# -- QoS --------------------------------------------------------------------------------

_QOS_RESOURCES = (CPU, MEMORY)


def _resource_qos(requests: ResourceList, limits: ResourceList, name: str) -> str:
    """kubectl `resourceQOS`: request ≠ limit → Burstable; both zero → BestEffort; else Guaranteed."""
    req = requests.get(name, Quantity(0))
    lim = limits.get(name, Quantity(0))
    if req != lim:
        return BURSTABLE
    return BEST_EFFORT if req.is_zero() else GUARANTEED


def _requirements_qos(resources: Any) -> str:
    """kubectl `requirementsQOS`: the class of one set of requirements (cpu and memory only)."""
    resources = as_dict(resources)
    raw_req, raw_lim = as_dict(resources.get("requests")), as_dict(resources.get("limits"))
    if not raw_req and not raw_lim:
        return BEST_EFFORT
    requests, limits = _rl(raw_req) or {}, _rl(raw_lim) or {}
    qos = ""
    for name in _QOS_RESOURCES:
        res_qos = _resource_qos(requests, limits, name)
        if res_qos == BURSTABLE:
            return BURSTABLE
        if not qos:
            qos = res_qos
        elif qos != res_qos:
            return BURSTABLE
    return qos


def qos_class(pod: dict, *, pod_level_resources_enabled: bool = True) -> str:
    """kubectl `pkg/util/qos/qos.go` `ComputePodQOS`: the per-container algorithm.

    Pod-level resources decide alone when they are set (`IsPodLevelResourcesSet`).
    Otherwise every init container (sidecar or not) and app container is classed;
    any Burstable, or a mix of BestEffort and Guaranteed, makes the pod Burstable.
    Ephemeral containers never count.
    """
    if pod_level_resources_enabled and is_pod_level_resources_set(pod):
        return _requirements_qos(_pod_level(pod))
    pod_qos = ""
    for c in init_containers(pod) + regular_containers(pod):
        c_qos = _requirements_qos(_requirements(c))
        if c_qos == BURSTABLE:
            return BURSTABLE
        if not pod_qos:
            pod_qos = c_qos
        elif pod_qos != c_qos:
            return BURSTABLE
    return pod_qos or BEST_EFFORT


def get_pod_qos(pod: dict) -> str:
    """`GetPodQOS`: `status.qosClass` when the kubelet already set it, else `qos_class`."""
    stored = pod_status(pod).get("qosClass")
    return stored if isinstance(stored, str) and stored else qos_class(pod)


def _positive_qos(target: ResourceList, resources: ResourceList) -> set[str]:
    found = set()
    for name, q in resources.items():
        if name in _QOS_RESOURCES and q.value > 0:
            found.add(name)
            target[name] = _add_q(target[name], q) if name in target else q
    return found


def qos_class_sum_based(pod: dict, *, pod_level_resources_enabled: bool = True) -> str:
    """The older k/k `GetPodQOS`/`ComputePodQOS` (≤1.36): compare *summed* requests and limits.

    Guaranteed iff every container has positive cpu and memory limits and the
    summed positive requests equal the summed limits key by key. For pods the API
    accepts (request ≤ limit) it agrees with `qos_class`. Pod-level resources are
    read when `IsPodLevelResourcesSet` (k/k itself tested `spec.resources != nil`).
    """
    requests: ResourceList = {}
    limits: ResourceList = {}
    guaranteed = True
    if pod_level_resources_enabled and is_pod_level_resources_set(pod):
        res = _pod_level(pod) or {}
        _positive_qos(requests, _rl(res.get("requests")) or {})
        if _positive_qos(limits, _rl(res.get("limits")) or {}) != set(_QOS_RESOURCES):
            guaranteed = False
    else:
        for c in regular_containers(pod) + init_containers(pod):
            _positive_qos(requests, container_requests(c))
            if _positive_qos(limits, container_limits(c)) != set(_QOS_RESOURCES):
                guaranteed = False
    if not requests and not limits:
        return BEST_EFFORT
    if guaranteed and all(n in limits and limits[n] == q for n, q in requests.items()):
        if len(requests) == len(limits):
            return GUARANTEED
    return BURSTABLE


# -- teaching views: init phases ---------------------------------------------------------


def _json_rl(rl: ResourceList) -> dict[str, str]:
    return {name: str(rl[name]) for name in sorted(rl)}


@dataclass(frozen=True)
class InitPhase:
    """What one init step reserves: its own resources plus the sidecars declared before it."""

    name: str
    sidecar: bool
    requests: dict[str, Quantity]
    limits: dict[str, Quantity]
    sidecars_below: list[str] = field(default_factory=list)
    own_requests: dict[str, Quantity] = field(default_factory=dict)
    own_limits: dict[str, Quantity] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON shape used in `initPhase.steps`."""
        return {
            "name": self.name,
            "sidecar": self.sidecar,
            "container": {
                "requests": _json_rl(self.own_requests),
                "limits": _json_rl(self.own_limits),
            },
            "requests": _json_rl(self.requests),
            "limits": _json_rl(self.limits),
            "sidecarsBelow": list(self.sidecars_below),
        }


def init_phases(pod: dict) -> list[InitPhase]:
    """One step per init container, in order, as `aggregateContainerResourcesByFn` sees it.

    A regular init container reserves itself plus the sidecars declared *before*
    it; a sidecar step reserves all sidecars up to and including itself, which
    keep running under every later step.
    """
    steps: list[InitPhase] = []
    side_req: ResourceList = {}
    side_lim: ResourceList = {}
    names: list[str] = []
    for c in init_containers(pod):
        name = as_str(c.get("name"))
        req, lim = container_requests(c), container_limits(c)
        if is_sidecar(c):
            _add(side_req, req)
            _add(side_lim, lim)
            below = list(names)
            names.append(name)
            steps.append(InitPhase(name, True, dict(side_req), dict(side_lim), below, req, lim))
        else:
            step_req: ResourceList = {}
            step_lim: ResourceList = {}
            _add(step_req, req)
            _add(step_req, side_req)
            _add(step_lim, lim)
            _add(step_lim, side_lim)
            steps.append(InitPhase(name, False, step_req, step_lim, list(names), req, lim))
    return steps


def _init_phase_json(pod: dict) -> dict[str, Any]:
    steps = init_phases(pod)
    max_req: ResourceList = {}
    max_lim: ResourceList = {}
    for s in steps:
        _max_into(max_req, s.requests)
        _max_into(max_lim, s.limits)
    app_req: ResourceList = {}
    app_lim: ResourceList = {}
    containers = []
    for c in regular_containers(pod):
        req, lim = container_requests(c), container_limits(c)
        _add(app_req, req)
        _add(app_lim, lim)
        name = c.get("name") if isinstance(c.get("name"), str) else ""
        containers.append({"name": name, "requests": _json_rl(req), "limits": _json_rl(lim)})
    sidecars = [s.name for s in steps if s.sidecar]
    for s in steps:
        if s.sidecar:
            _add(app_req, s.own_requests)
            _add(app_lim, s.own_limits)
    out: dict[str, Any] = {
        "steps": [s.to_json() for s in steps],
        "max": {"requests": _json_rl(max_req), "limits": _json_rl(max_lim)},
        "appPhase": {
            "containers": containers,
            "sidecars": sidecars,
            "requests": _json_rl(app_req),
            "limits": _json_rl(app_lim),
        },
    }
    level = _pod_level(pod)
    if is_pod_level_resources_set(pod) and level is not None:
        out["podLevel"] = {
            "requests": _json_rl(_rl(level.get("requests")) or {}),
            "limits": _json_rl(_rl(level.get("limits")) or {}),
        }
    overhead = _rl(pod_spec(pod).get("overhead"))
    if overhead:
        out["overhead"] = _json_rl(overhead)
    return out


# -- kubelet cgroup and scheduler fit ---------------------------------------------------


def _limits_seen_by_container_fn(pod: Any) -> list[ResourceList]:
    """The limit list `PodLimits` hands `ContainerFn` for each container, in its visiting order.

    component-helpers `resource/helpers.go` `aggregateContainerLimits` (kubernetes-1.36.0):
    every regular container with its own limits; then every init container,
    a sidecar with the sum of the sidecars up to and including it, a regular
    init container with its own limits plus the sidecars declared before it.
    """
    seen: list[ResourceList] = [container_limits(c) for c in regular_containers(pod)]
    sidecars: ResourceList = {}
    for c in init_containers(pod):
        if is_sidecar(c):
            _add(sidecars, container_limits(c))
            seen.append(dict(sidecars))
        else:
            step: ResourceList = {}
            _add(step, container_limits(c))
            _add(step, sidecars)
            seen.append(step)
    return seen


def pod_cgroup_limits(pod: dict) -> dict[str, Quantity | None]:
    """`pkg/kubelet/cm/helpers_linux.go` `ResourceConfigForPod`: the pod cgroup's cpu/memory limits.

    Read at v1.36.0, where `cpuLimitsDeclared` / `memoryLimitsDeclared` are
    computed by `PodLimits(..., ContainerFn)`. Guaranteed pods always get the
    `PodLimits` values. A Burstable pod gets a limit for a resource only if
    every container `ContainerFn` visits has a non-zero limit for it: regular
    containers, sidecars, **and regular init containers** (each seen with the
    sidecars declared before it), or if pod-level resources set one. Init
    containers have counted since v1.22 (kubernetes/kubernetes PR #103107,
    fixing issue #93300); before that only `spec.containers` were checked.
    BestEffort pods get none. None means "no pod-level limit": this is where a
    missing limit really is unbounded.
    """
    limits = pod_limits(pod)
    qos = qos_class(pod)
    cpu_declared = memory_declared = True
    for lim in _limits_seen_by_container_fn(pod):
        if lim.get(CPU, Quantity(0)).is_zero():
            cpu_declared = False
        if lim.get(MEMORY, Quantity(0)).is_zero():
            memory_declared = False
    if is_pod_level_resources_set(pod):
        level = _rl((_pod_level(pod) or {}).get("limits")) or {}
        if not level.get(CPU, Quantity(0)).is_zero():
            cpu_declared = True
        if not level.get(MEMORY, Quantity(0)).is_zero():
            memory_declared = True
    result: dict[str, Quantity | None] = {CPU: None, MEMORY: None}
    if qos == GUARANTEED:
        result[CPU] = limits.get(CPU, Quantity(0))
        result[MEMORY] = limits.get(MEMORY, Quantity(0))
    elif qos == BURSTABLE:
        if cpu_declared:
            result[CPU] = limits.get(CPU, Quantity(0))
        if memory_declared:
            result[MEMORY] = limits.get(MEMORY, Quantity(0))
    return result


@dataclass(frozen=True)
class Fit:
    """Outcome of the scheduler's NodeResourcesFit filter on an empty node."""

    fits: bool
    insufficient: list[str]


def _ceil_value(q: Quantity) -> int:
    return -((-q.value.numerator) // q.value.denominator)


def fits(pod: dict, allocatable: dict[str, Quantity]) -> Fit:
    """`noderesources/fit.go` `fitsRequest` against an otherwise empty node.

    cpu compares in millicores (`MilliValue`), every other resource in whole
    units (`Value`), both rounded up. Only resources named in `allocatable` are
    checked. Reasons read `Insufficient cpu`, `Insufficient memory`, ...
    """
    requests = pod_requests(pod)
    node = resource_list(allocatable)
    order = [CPU, MEMORY, EPHEMERAL_STORAGE] + sorted(
        n for n in requests if n not in (CPU, MEMORY, EPHEMERAL_STORAGE)
    )
    reasons = []
    for name in order:
        if name not in requests or name not in node:
            continue
        want, have = requests[name], node[name]
        if name == CPU:
            short = want.milli() > 0 and want.milli() > have.milli()
        else:
            short = _ceil_value(want) > 0 and _ceil_value(want) > _ceil_value(have)
        if short:
            reasons.append(f"Insufficient {name}")
    return Fit(not reasons, reasons)


# -- the CLI report ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResourcesReport:
    """What `initlab resources` reports: effective requests/limits, QoS, the init phase, node fit.

    `to_json()` is the JSON contract (docs/contracts.md): exactly `requests`,
    `limits`, `qosClass`, `initPhase` and, with a node, `fits`, keys sorted.
    `fit` (with its `Insufficient ...` reasons) and `node` (the node's
    allocatable, canonical) are for the text view, not the JSON.
    """

    requests: dict[str, str]
    limits: dict[str, str]
    qos_class: str
    init_phase: dict[str, Any]
    fit: Fit | None = None
    node: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.fit is not None:
            out["fits"] = self.fit.fits
        out.update(
            {
                "initPhase": self.init_phase,
                "limits": self.limits,
                "qosClass": self.qos_class,
                "requests": self.requests,
            }
        )
        return out


def resources_report(pod: dict, node: dict[str, Quantity] | None = None) -> ResourcesReport:
    """Effective requests/limits, QoS, init phases and, given a node's allocatable, the fit."""
    fit = fits(pod, node) if node is not None else None
    return ResourcesReport(
        requests=_json_rl(pod_requests(pod)),
        limits=_json_rl(pod_limits(pod)),
        qos_class=qos_class(pod),
        init_phase=_init_phase_json(pod),
        fit=fit,
        node=(
            {k: str(q) for k, v in sorted(node.items()) if (q := _quantity(v))}
            if node is not None
            else None
        ),
    )
