"""ResourceQuota: what a pod is charged, and when a namespace's quota refuses it.

After kubernetes/kubernetes v1.33:

- `pkg/quota/v1/evaluator/core/pods.go`:
  `PodUsageFunc` charges `count/pods` always, and for a pod that is not
  terminal `pods: 1` plus `podComputeUsageHelper` of the pod's *effective*
  requests and limits (`resourcehelper.PodRequests` / `PodLimits`: init
  containers as maxima, sidecars stacked, overhead added; here
  `initlab.api.resources.pod_requests` / `pod_limits`). `cpu` and `memory`
  are charged as both `cpu` and `requests.cpu`; limits as `limits.cpu`;
  hugepages and extended resources by prefix.
  `Constraints`: when a quota tracks cpu or memory (`requests.*`, `limits.*`
  or the bare name), every container *and init container* must state it,
  else `must specify cpu for: a,b; memory for: c` (not for a pod with
  pod-level resources, from v1.34).
- `staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go`
  `CheckRequest`: for each quota, in order, `failed quota: NAME: <constraint
  error>`; `status unknown for quota: NAME, resources: ...` when a tracked
  resource has no `status.used`; then the usage masked to the quota's
  `status.hard` is added to `status.used`, and any resource over its hard
  limit refuses the pod: `exceeded quota: NAME, requested: cpu=250m, used:
  cpu=800m, limited: cpu=1` (`prettyPrint`: sorted `name=quantity`, joined
  by `,`). Errors are `admission.NewForbidden` (`pods "<name>" is forbidden: ...`).

Not modelled: quota scopes and scopeSelector (refused on load), the
AdmissionConfiguration's `limitedResources`, and the quota controller's
recount (status.used is what you give).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from initlab.api.pod import as_dict, as_list, spec, status
from initlab.api.quantity import Quantity
from initlab.api.resources import (
    add_quantity,
    is_pod_level_resources_set,
    pod_limits,
    pod_requests,
    resource_list,
)

ResourceList = dict[str, Quantity]

COUNT_PODS = "count/pods"
#: `validationSet`: the resources whose quota makes every container state them.
VALIDATION_SET = frozenset(
    {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
)
_NATIVE_PREFIXES = ("kubernetes.io/", "requests.")


def _is_extended(name: str) -> bool:
    """`helper.IsExtendedResourceName`: a domain-prefixed name, not kubernetes.io, not requests."""
    return "/" in name and not name.startswith(_NATIVE_PREFIXES)


def compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """`podComputeUsageHelper`."""
    out: ResourceList = {"pods": Quantity(1)}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            out[name] = requests[name]
            out[f"requests.{name}"] = requests[name]
        if name in limits:
            out[f"limits.{name}"] = limits[name]
    for name, q in requests.items():
        if name.startswith("hugepages-"):
            out[name] = q
            out[f"requests.{name}"] = q
        if _is_extended(name):
            out[f"requests.{name}"] = q
    return out


def is_terminal(pod: dict[str, Any]) -> bool:
    """`QuotaV1Pod` is false: the pod Failed or Succeeded (deletion not modelled)."""
    return status(pod).get("phase") in ("Failed", "Succeeded")


def usage(pod: dict[str, Any]) -> ResourceList:
    """`PodUsageFunc`: what the pod is charged."""
    out: ResourceList = {COUNT_PODS: Quantity(1)}
    if is_terminal(pod):
        return out
    for k, v in compute_usage(pod_requests(pod), pod_limits(pod)).items():
        out[k] = add_quantity(out[k], v) if k in out else v
    return out


def constraints(required: list[str], pod: dict[str, Any]) -> str:
    """`podEvaluator.Constraints`: `must specify ...`, or "" when every container states them.

    Skipped for a pod with pod-level `resources` (feature PodLevelResources, beta
    and on by default from v1.34, as `pod_requests` assumes): containers need
    not state what the pod states.
    """
    if is_pod_level_resources_set(pod):
        return ""
    required_set = set(required) & VALIDATION_SET
    missing: dict[str, set[str]] = {}
    s = spec(pod)
    for c in as_list(s.get("containers")) + as_list(s.get("initContainers")):
        res = as_dict(c.get("resources"))
        have = set(
            compute_usage(resource_list(res.get("requests")), resource_list(res.get("limits")))
        )
        for name in sorted(required_set - have):
            missing.setdefault(name, set()).add(str(c.get("name", "")))
    if not missing:
        return ""
    parts = [f"{r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing)]
    return "must specify " + "; ".join(parts)


def pretty(rl: ResourceList) -> str:
    """`prettyPrint`: sorted `name=quantity`, joined by commas."""
    return ",".join(f"{k}={rl[k]}" for k in sorted(rl))


def matching_resources(hard: list[str]) -> list[str]:
    """`podEvaluator.MatchingResources`: the quota's resources a pod can use."""
    out = []
    for name in hard:
        if (
            name in ("pods", COUNT_PODS)
            or name in VALIDATION_SET
            or name.startswith(("hugepages-", "requests.hugepages-"))
            or name in ("ephemeral-storage", "requests.ephemeral-storage")
            or name == "limits.ephemeral-storage"
            or (name.startswith("requests.") and _is_extended(name.removeprefix("requests.")))
        ):
            out.append(name)
    return out


@dataclass(frozen=True)
class QuotaCharge:
    """One quota's part of the decision: what the pod adds, and the usage after it."""

    name: str
    requested: ResourceList
    used: ResourceList
    hard: ResourceList
    new_used: ResourceList

    def to_json(self) -> dict[str, Any]:
        def js(rl: ResourceList) -> dict[str, str]:
            return {k: str(rl[k]) for k in sorted(rl)}

        return {
            "name": self.name,
            "requested": js(self.requested),
            "used": js(self.used),
            "hard": js(self.hard),
            "usedAfter": js(self.new_used),
        }


def check(pod: dict[str, Any], quotas: list[dict[str, Any]]) -> tuple[str, list[QuotaCharge]]:
    """`CheckRequest` for `CREATE pods`: (the error, or "", and each quota's charge)."""
    interesting: list[dict[str, Any]] = []
    for quota in quotas:
        hard = resource_list(as_dict(quota.get("status")).get("hard"))
        restricted = matching_resources(list(hard))
        name = str(as_dict(quota.get("metadata")).get("name", ""))
        err = constraints(restricted, pod)
        if err:
            return f"failed quota: {name}: {err}", []
        used = resource_list(as_dict(quota.get("status")).get("used"))
        unknown = [r for r in hard if r in restricted and r not in used]
        if unknown:
            return (
                f"status unknown for quota: {name}, resources: {','.join(sorted(restricted))}",
                [],
            )
        interesting.append(quota)
    if not interesting:
        return "", []
    delta = {k: v for k, v in usage(pod).items() if not v.is_zero()}
    if not delta:
        return "", []
    charges = []
    for quota in interesting:
        name = str(as_dict(quota.get("metadata")).get("name", ""))
        hard = resource_list(as_dict(quota.get("status")).get("hard"))
        used = resource_list(as_dict(quota.get("status")).get("used"))
        requested = {k: v for k, v in delta.items() if k in hard}
        new_used = dict(used)
        for k, v in requested.items():
            new_used[k] = add_quantity(new_used[k], v) if k in new_used else v
        exceeded = [k for k in hard if k in requested and hard[k] < new_used[k]]
        if exceeded:

            def mask(rl: ResourceList, names: list[str] = exceeded) -> ResourceList:
                return {k: v for k, v in rl.items() if k in names}

            return (
                f"exceeded quota: {name}, requested: {pretty(mask(requested))}, "
                f"used: {pretty(mask(used))}, limited: {pretty(mask(hard))}",
                [],
            )
        charges.append(QuotaCharge(name, requested, used, hard, new_used))
    return "", charges
