"""Patching a Pod the way `kubectl patch` / `kubectl apply` do: a strategic merge patch.

`k8s.io/apimachinery/pkg/util/strategicpatch` `StrategicMergePatch` with the
Pod's patch strategies (`k8s.io/api/core/v1/types.go` struct tags): maps
merge key by key, `null` deletes a key, and the lists whose patch strategy
is `merge` merge their items by their merge key -- `containers`,
`initContainers` and `ephemeralContainers` by `name`, `volumes` by `name`,
`env` by `name`, `ports` by `containerPort`, `volumeMounts` by `mountPath`,
`tolerations` (no key: replaced), `imagePullSecrets` by `name`. Any other list
is replaced whole (RFC 7386 JSON merge patch). The `$patch` and `$retainKeys`
directives are not supported.
"""

from __future__ import annotations

import copy
from typing import Any

#: List fields merged item by item, and the key their items are matched on.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "ports": "containerPort",
    "volumeMounts": "mountPath",
}


def strategic_merge(original: Any, patch: Any, field: str = "") -> Any:
    """The original object with the patch applied (neither argument is changed)."""
    if not isinstance(patch, dict) or not isinstance(original, dict):
        if isinstance(patch, list) and isinstance(original, list) and field in MERGE_KEYS:
            return _merge_list(original, patch, MERGE_KEYS[field])
        return copy.deepcopy(patch)
    out = copy.deepcopy(original)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif key in out:
            out[key] = strategic_merge(out[key], value, key)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_list(original: list[Any], patch: list[Any], key: str) -> list[Any]:
    """Items matched on `key` merge in place; new items are appended in patch order."""
    out = copy.deepcopy(original)
    index = {item.get(key): i for i, item in enumerate(out) if isinstance(item, dict)}
    for item in patch:
        if isinstance(item, dict) and item.get(key) in index:
            i = index[item[key]]
            out[i] = strategic_merge(out[i], item)
        else:
            out.append(copy.deepcopy(item))
    return out
