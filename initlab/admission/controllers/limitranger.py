"""LimitRanger: a namespace's LimitRanges default and bound each container's resources.

After kubernetes/kubernetes `plugin/pkg/admission/limitranger/admission.go`
(v1.33):

- `Admit` → `PodMutateLimitFunc`: `defaultContainerResourceRequirements`
  collects `default` (limits) and `defaultRequest` (requests) of every
  `type: Container` item; `mergePodResourceRequirements` →
  `mergeContainerResources` fills each resource a container (containers
  first, then init containers) lacks, and records it in the annotation
  `kubernetes.io/limit-ranger: LimitRanger plugin set: cpu, memory request
  for container app; cpu limit for init container migrate`.
- `Validate` → `PodValidateLimitFunc`: per container and init container,
  `min`, `max` and `maxLimitRequestRatio` of `type: Container` items; per
  pod, the same bounds on the pod's effective requests and limits (the
  plugin's own `podRequests`/`podLimits`, "a simplified version of
  pkg/api/v1/resource/PodRequests": sidecars stacked, init containers as
  maxima, no overhead, no pod-level resources); errors in `minConstraint`,
  `maxConstraint`, `limitRequestRatioConstraint` words, aggregated
  (`utilerrors.NewAggregate`: one message, or `[a, b]`, duplicates dropped)
  and returned as `admission.NewForbidden` (`pods "<name>" is forbidden: ...`).
- `SupportsAttributes`: pods (and PVCs) on create; pod updates are skipped.

A LimitRange as stored has been defaulted (`pkg/apis/core/v1/defaults.go`
`SetDefaults_LimitRangeItem`): for `type: Container`, a missing `default`
comes from `max`, a missing `defaultRequest` from `default`, then from `min`.
`default_limit_range` does that on load.

Go ranges over the `min`/`max` maps in random order; with several bounded
resources we check them in sorted order, so a message listing several
errors is deterministic here and may be ordered differently on a cluster.
"""

from __future__ import annotations

import copy
from typing import Any

from initlab.api.pod import as_dict, as_list, is_restartable_init_container, metadata, spec
from initlab.api.quantity import Quantity
from initlab.api.resources import add_resource_list, max_resource_list, resource_list

ANNOTATION = "kubernetes.io/limit-ranger"
#: `resource.MaxMilliValue`: beyond it, comparisons use whole units.
MAX_MILLI_VALUE = (2**63 - 1) // 1000

ResourceList = dict[str, Quantity]


def _value(q: Quantity) -> int:
    """`Quantity.Value()`: whole units, rounded up."""
    v = q.value
    return -((-v.numerator) // v.denominator)


def default_limit_range(lr: dict[str, Any]) -> dict[str, Any]:
    """`SetDefaults_LimitRangeItem` on every item of a LimitRange (a deep copy)."""
    out = copy.deepcopy(lr)
    for item in as_list(as_dict(out.get("spec")).get("limits")):
        if item.get("type") != "Container":
            continue
        default = item.setdefault("default", {}) or {}
        item["default"] = default
        request = item.setdefault("defaultRequest", {}) or {}
        item["defaultRequest"] = request
        for k, v in as_dict(item.get("max")).items():
            default.setdefault(k, v)
        for k, v in default.items():
            request.setdefault(k, v)
        for k, v in as_dict(item.get("min")).items():
            request.setdefault(k, v)
    return out


def _items(lr: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(as_dict(lr.get("spec")).get("limits"))


def default_requirements(lr: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`defaultContainerResourceRequirements`: (requests, limits) as raw quantities."""
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for item in _items(lr):
        if item.get("type") == "Container":
            requests.update(as_dict(item.get("defaultRequest")))
            limits.update(as_dict(item.get("default")))
    return requests, limits


def _merge_container(
    c: dict[str, Any], requests: dict[str, Any], limits: dict[str, Any], prefix: str
) -> list[str]:
    """`mergeContainerResources`: fill what is missing; the annotation's parts."""
    res = c.get("resources")
    if not isinstance(res, dict):
        res = c["resources"] = {}
    have_limits = as_dict(res.get("limits"))
    have_requests = as_dict(res.get("requests"))
    set_limits = [k for k in limits if k not in have_limits]
    set_requests = [k for k in requests if k not in have_requests]
    if set_limits:
        res["limits"] = {**have_limits, **{k: limits[k] for k in set_limits}}
    if set_requests:
        res["requests"] = {**have_requests, **{k: requests[k] for k in set_requests}}
    notes = []
    name = c.get("name", "")
    if set_requests:
        notes.append(f"{', '.join(sorted(set_requests))} request for {prefix} {name}")
    if set_limits:
        notes.append(f"{', '.join(sorted(set_limits))} limit for {prefix} {name}")
    return notes


def mutate(pod: dict[str, Any], limit_range: dict[str, Any]) -> list[str]:
    """`PodMutateLimitFunc` on `pod` in place; returns what it set (the annotation's parts).

    The annotation is written only when something was set, and replaces any
    earlier value (a second LimitRange's, or the first round's on reinvocation).
    """
    requests, limits = default_requirements(limit_range)
    notes: list[str] = []
    s = spec(pod)
    for c in as_list(s.get("containers")):
        notes += _merge_container(c, requests, limits, "container")
    for c in as_list(s.get("initContainers")):
        notes += _merge_container(c, requests, limits, "init container")
    if notes:
        meta = pod.setdefault("metadata", {})
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            annotations = meta["annotations"] = {}
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    return notes


def _enforced_values(req: Quantity | None, lim: Quantity | None, enf: Quantity) -> tuple[int, ...]:
    """`requestLimitEnforcedValues`: milli-units unless a value would overflow them."""
    zero = Quantity(0)
    req, lim = req or zero, lim or zero
    values = (_value(req), _value(lim), _value(enf))
    if all(v <= MAX_MILLI_VALUE for v in values):
        return req.milli(), lim.milli(), enf.milli()
    return values


def min_constraint(
    limit_type: str, name: str, enforced: Quantity, request: ResourceList, limit: ResourceList
) -> str:
    """`minConstraint`."""
    req, lim = request.get(name), limit.get(name)
    r, lv, e = _enforced_values(req, lim, enforced)
    if req is None:
        return f"minimum {name} usage per {limit_type} is {enforced}.  No request is specified"
    if r < e:
        return f"minimum {name} usage per {limit_type} is {enforced}, but request is {req}"
    if lim is not None and lv < e:
        return f"minimum {name} usage per {limit_type} is {enforced}, but limit is {lim}"
    return ""


def max_constraint(
    limit_type: str, name: str, enforced: Quantity, request: ResourceList, limit: ResourceList
) -> str:
    """`maxConstraint`."""
    req, lim = request.get(name), limit.get(name)
    r, lv, e = _enforced_values(req, lim, enforced)
    if lim is None:
        return f"maximum {name} usage per {limit_type} is {enforced}.  No limit is specified"
    if lv > e:
        return f"maximum {name} usage per {limit_type} is {enforced}, but limit is {lim}"
    if req is not None and r > e:
        return f"maximum {name} usage per {limit_type} is {enforced}, but request is {req}"
    return ""


def ratio_constraint(
    limit_type: str, name: str, enforced: Quantity, request: ResourceList, limit: ResourceList
) -> str:
    """`limitRequestRatioConstraint` (the ratio printed with Go's `%f`)."""
    req, lim = request.get(name), limit.get(name)
    r, lv, _ = _enforced_values(req, lim, enforced)
    if req is None or r == 0:
        return (
            f"{name} max limit to request ratio per {limit_type} is {enforced}, "
            "but no request is specified or request is 0"
        )
    if lim is None or lv == 0:
        return (
            f"{name} max limit to request ratio per {limit_type} is {enforced}, "
            "but no limit is specified or limit is 0"
        )
    observed = lv / r
    display = observed
    max_ratio = float(_value(enforced))
    if _value(enforced) <= MAX_MILLI_VALUE:
        observed *= 1000
        max_ratio = float(enforced.milli())
    if observed > max_ratio:
        return (
            f"{name} max limit to request ratio per {limit_type} is {enforced}, "
            f"but provided ratio is {display:f}"
        )
    return ""


def _bounds(
    item: dict[str, Any], limit_type: str, request: ResourceList, limit: ResourceList
) -> list[str]:
    errs = []
    for key, fn in (("min", min_constraint), ("max", max_constraint)):
        for name, q in sorted(resource_list(item.get(key)).items()):
            errs.append(fn(limit_type, name, q, request, limit))
    for name, q in sorted(resource_list(item.get("maxLimitRequestRatio")).items()):
        errs.append(ratio_constraint(limit_type, name, q, request, limit))
    return [e for e in errs if e]


def _pod_aggregate(pod: dict[str, Any], key: str) -> ResourceList:
    """The plugin's `podRequests` / `podLimits` (no overhead, no pod-level resources)."""
    s = spec(pod)
    total: ResourceList = {}
    for c in as_list(s.get("containers")):
        add_resource_list(total, resource_list(as_dict(c.get("resources")).get(key)))
    sidecars: ResourceList = {}
    inits: ResourceList = {}
    for c in as_list(s.get("initContainers")):
        rl = resource_list(as_dict(c.get("resources")).get(key))
        if is_restartable_init_container(c):
            add_resource_list(total, rl)
            add_resource_list(sidecars, rl)
            rl = dict(sidecars)
        else:
            tmp: ResourceList = {}
            add_resource_list(tmp, rl)
            add_resource_list(tmp, sidecars)
            rl = tmp
        max_resource_list(inits, rl)
    max_resource_list(total, inits)
    return total


def validate(pod: dict[str, Any], limit_range: dict[str, Any]) -> list[str]:
    """`PodValidateLimitFunc`: every violated bound, in upstream's words."""
    errs: list[str] = []
    s = spec(pod)
    for item in _items(limit_range):
        if item.get("type") == "Container":
            for c in as_list(s.get("containers")) + as_list(s.get("initContainers")):
                res = as_dict(c.get("resources"))
                errs += _bounds(
                    item,
                    "Container",
                    resource_list(res.get("requests")),
                    resource_list(res.get("limits")),
                )
        if item.get("type") == "Pod":
            errs += _bounds(
                item, "Pod", _pod_aggregate(pod, "requests"), _pod_aggregate(pod, "limits")
            )
    return errs


def aggregate_message(errs: list[str]) -> str:
    """`utilerrors.NewAggregate(errs).Error()`: one message, or `[a, b]`, duplicates once."""
    seen: list[str] = []
    for e in errs:
        if e not in seen:
            seen.append(e)
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


def pod_name(pod: dict[str, Any]) -> str:
    """`admission.extractResourceName`: the name, else the generateName, else `Unknown`."""
    meta = metadata(pod)
    return str(meta.get("name") or meta.get("generateName") or "Unknown")
