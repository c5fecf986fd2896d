"""The pod's namespace as the built-in admission plugins read it.

A namespace here is what a user writes to configure them: its labels (the
`pod-security.kubernetes.io/*` labels PodSecurity reads), its LimitRanges and
its ResourceQuotas with their current usage. Objects are checked on load and
stored as the API server stores them:

- a LimitRange's `type: Container` items are defaulted
  (`pkg/apis/core/v1/defaults.go` `SetDefaults_LimitRangeItem`, see
  `limitranger.default_limit_range`);
- a ResourceQuota's `status.hard` is its `spec.hard` (the quota controller
  copies it, `pkg/controller/resourcequota/resource_quota_controller.go`
  `syncResourceQuota`); when it has no `status.used` at all, usage is zero for
  every hard resource (an empty namespace after the controller's first sync),
  and that assumption is recorded in `assumed`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from initlab.admission.controllers.limitranger import default_limit_range
from initlab.admission.controllers.podsecurity import policy_to_evaluate
from initlab.api.pod import as_dict
from initlab.api.quantity import Quantity, QuantityError
from initlab.errors import INVALID, NOT_SUPPORTED, FieldError, InputError, InvalidError

LIMIT_TYPES = ("Container", "PersistentVolumeClaim", "Pod")
_LIMIT_KEYS = ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")
#: Bounds, as for scenarios: a namespace is small.
MAX_OBJECTS = 20
NAMESPACE_KEYS = ("labels", "limitRanges", "resourceQuotas")


@dataclass
class Namespace:
    """Labels, LimitRanges and ResourceQuotas (with usage) of the pod's namespace."""

    labels: dict[str, str] = field(default_factory=dict)
    limit_ranges: list[dict[str, Any]] = field(default_factory=list)
    resource_quotas: list[dict[str, Any]] = field(default_factory=list)
    #: What was assumed while loading (one sentence each).
    assumed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": dict(self.labels),
            "limitRanges": copy.deepcopy(self.limit_ranges),
            "resourceQuotas": copy.deepcopy(self.resource_quotas),
            "assumed": list(self.assumed),
        }


def _name(obj: dict[str, Any]) -> str:
    return str(as_dict(obj.get("metadata")).get("name") or "")


def _quantities(value: Any, path: str, errors: list[FieldError]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        errors.append(
            FieldError(path, INVALID, "must be a map of resource name to quantity", value)
        )
        return
    for k, v in value.items():
        try:
            Quantity.parse(v)
        except QuantityError as e:
            errors.append(FieldError(f"{path}[{k}]", INVALID, str(e), v))


def _check_kind(obj: Any, kind: str, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InputError(f"must be a {kind} (a mapping)", where)
    if obj.get("kind", kind) != kind:
        raise InputError(f'expected kind {kind}, got "{obj.get("kind")}"', where)
    if not _name(obj):
        raise InvalidError(
            [FieldError("metadata.name", "Required value", "name or generateName is required")],
            kind,
        )
    return obj


def limit_range(obj: Any, where: str = "limitRange") -> dict[str, Any]:
    """A checked, defaulted LimitRange; InvalidError (exit 1) names the bad field."""
    obj = _check_kind(obj, "LimitRange", where)
    errors: list[FieldError] = []
    limits = as_dict(obj.get("spec")).get("limits")
    if not isinstance(limits, list):
        errors.append(FieldError("spec.limits", "Required value", "a list of limits"))
        limits = []
    for i, item in enumerate(limits):
        path = f"spec.limits[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(path, INVALID, "must be a mapping", item))
            continue
        if item.get("type") not in LIMIT_TYPES:
            supported = ", ".join(f'"{t}"' for t in LIMIT_TYPES)
            errors.append(
                FieldError(
                    f"{path}.type",
                    NOT_SUPPORTED,
                    f"supported values: {supported}",
                    item.get("type"),
                )
            )
        for key in _LIMIT_KEYS:
            _quantities(item.get(key), f"{path}.{key}", errors)
    if errors:
        raise InvalidError(errors, "LimitRange", _name(obj))
    return default_limit_range(obj)


def resource_quota(
    obj: Any, where: str = "resourceQuota", assumed: list[str] | None = None
) -> dict[str, Any]:
    """A checked ResourceQuota with `status.hard` = `spec.hard` and a `status.used`."""
    obj = copy.deepcopy(_check_kind(obj, "ResourceQuota", where))
    s = as_dict(obj.get("spec"))
    for key in ("scopes", "scopeSelector"):
        if s.get(key):
            raise InputError("quota scopes are not modelled by initlab", f"spec.{key}")
    errors: list[FieldError] = []
    if not isinstance(s.get("hard"), dict):
        errors.append(FieldError("spec.hard", "Required value", "the quota's limits"))
    _quantities(s.get("hard"), "spec.hard", errors)
    status = obj.get("status")
    if status is not None and not isinstance(status, dict):
        errors.append(FieldError("status", INVALID, "must be a mapping", status))
    status = as_dict(status)
    _quantities(status.get("used"), "status.used", errors)
    _quantities(status.get("hard"), "status.hard", errors)
    if errors:
        raise InvalidError(errors, "ResourceQuota", _name(obj))
    hard = dict(s["hard"])
    status = dict(status)
    status["hard"] = hard
    if "used" not in status:
        status["used"] = {k: "0" for k in hard}
        if assumed is not None:
            assumed.append(
                f"ResourceQuota {_name(obj)} has no status.used: assumed 0 for "
                + ", ".join(sorted(hard))
            )
    obj["status"] = status
    return obj


def labels(raw: Any, where: str = "labels") -> dict[str, str]:
    """Namespace labels: strings only; invalid PodSecurity labels are refused as the API server does.

    `admission/admission.go` `ValidateNamespace`: a namespace whose
    `pod-security.kubernetes.io/*` labels do not parse cannot be created.
    """
    if not isinstance(raw, dict):
        raise InputError("must map label keys to values", where)
    out: dict[str, str] = {}
    for k, v in raw.items():
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            raise InputError("label values are strings", f"{where}.{k}")
        out[str(k)] = str(v)
    _, errors = policy_to_evaluate(out)
    if errors:
        raise InvalidError(errors, "Namespace")
    return out


def _objects_in(path: str | Path, kind: str, flag: str) -> list[Any]:
    from initlab.api.loader import parse_documents, read_bounded

    docs = parse_documents(read_bounded(path), str(path))
    found: list[Any] = []
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "List":
            found += [
                i for i in d.get("items") or [] if isinstance(i, dict) and i.get("kind") == kind
            ]
        elif isinstance(d, dict) and d.get("kind") == kind:
            found.append(d)
    if not found:
        raise InputError(f"{path}: no {kind} in it", flag)
    if len(found) > MAX_OBJECTS:
        raise InputError(f"{path}: more than {MAX_OBJECTS} objects", flag)
    return found


def load(
    labels_: dict[str, str] | None = None,
    limitrange_files: list[str] | None = None,
    quota_files: list[str] | None = None,
) -> Namespace:
    """A namespace from `initlab admit`'s flags."""
    ns = Namespace(labels=labels(labels_ or {}, "--namespace-label"))
    for f in limitrange_files or []:
        ns.limit_ranges += [
            limit_range(o, "--limitrange") for o in _objects_in(f, "LimitRange", "--limitrange")
        ]
    for f in quota_files or []:
        ns.resource_quotas += [
            resource_quota(o, "--quota", ns.assumed)
            for o in _objects_in(f, "ResourceQuota", "--quota")
        ]
    return ns


def from_block(raw: Any, where: str = "namespace") -> Namespace:
    """A scenario's `namespace:` block: `{labels: {...}, limitRanges: [...], resourceQuotas: [...]}`."""
    if not isinstance(raw, dict):
        raise InputError("must be a mapping like {labels: {...}, limitRanges: [...]}", where)
    unknown = sorted(set(map(str, raw)) - set(NAMESPACE_KEYS))
    if unknown:
        raise InputError(
            f'unknown field "{unknown[0]}" (expected one of: {", ".join(NAMESPACE_KEYS)})',
            f"{where}.{unknown[0]}",
        )
    ns = Namespace(labels=labels(raw.get("labels") or {}, f"{where}.labels"))
    for key, kind in (("limitRanges", "LimitRange"), ("resourceQuotas", "ResourceQuota")):
        items = raw.get(key) or []
        if not isinstance(items, list):
            raise InputError(f"must be a list of {kind} objects", f"{where}.{key}")
        if len(items) > MAX_OBJECTS:
            raise InputError(f"at most {MAX_OBJECTS} objects", f"{where}.{key}")
        for i, obj in enumerate(items):
            at = f"{where}.{key}[{i}]"
            if isinstance(obj, dict):
                obj = {"apiVersion": "v1", "kind": kind, **obj}
            try:
                if kind == "LimitRange":
                    ns.limit_ranges.append(limit_range(obj, at))
                else:
                    ns.resource_quotas.append(resource_quota(obj, at, ns.assumed))
            except InvalidError as e:  # name the field from the scenario's top
                errors = [replace(err, field=f"{at}.{err.field}") for err in e.errors]
                raise InvalidError(errors, e.kind, e.name) from None
    return ns
