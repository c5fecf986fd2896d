"""Reading a Pod, tolerantly: the one home of the `pkg/api/pod/util.go`-level helpers.

initlab reads pods as plain JSON-shaped dicts (what the API server decodes).
Every module reads fields through these helpers, which never raise on a
missing or mistyped field: validation reports such fields; everything else
treats them as absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[dict[str, Any]]:
    """The objects of a list (other items dropped); [] if `value` is not a list."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def as_str(value: Any, default: str = "") -> str:
    """`value` if it is a string, else `default`."""
    return value if isinstance(value, str) else default


def as_int(value: Any, default: int = 0) -> int:
    """`value` if it is an integer JSON number (an integral float counts), else `default`.

    An int64 field the API server would have refused to decode (a string, a
    bool, a fraction, a number beyond int64) reads as absent.
    """
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else default
    if isinstance(value, float) and value.is_integer() and -(2**63) <= value < 2**63:
        return int(value)
    return default


def as_float(value: Any, default: float = 0.0) -> float:
    """`value` as a float if it is a finite JSON number, else `default`.

    For numbers initlab itself writes (a snapshot's `t`, an event's `at`) read
    from a dict that may be hand-made or decoded JSON: a string, a bool, NaN or
    infinity reads as absent.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    try:
        number = float(value)
    except OverflowError:  # an int beyond float's range
        return default
    return number if math.isfinite(number) else default


def spec(pod: Any) -> dict[str, Any]:
    """`pod.spec`, or {}."""
    return as_dict(as_dict(pod).get("spec"))


def status(pod: Any) -> dict[str, Any]:
    """`pod.status`, or {}."""
    return as_dict(as_dict(pod).get("status"))


def metadata(pod: Any) -> dict[str, Any]:
    """`pod.metadata`, or {}."""
    return as_dict(as_dict(pod).get("metadata"))


def _containers(pod: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    # as_list(spec(pod).get(key)), in one call: the kubelet model asks for these on every sync
    s = pod.get("spec") if isinstance(pod, dict) else None
    v = s.get(key) if isinstance(s, dict) else None
    return [c for c in v if isinstance(c, dict)] if isinstance(v, list) else []


def init_containers(pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`pod.spec.initContainers`, tolerating a missing or mistyped field."""
    return _containers(pod, "initContainers")


def regular_containers(pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`pod.spec.containers`, tolerating a missing or mistyped field."""
    return _containers(pod, "containers")


def restart_policy(pod: Mapping[str, Any]) -> str:
    """`spec.restartPolicy`, defaulting to Always (`SetDefaults_PodSpec`)."""
    s = pod.get("spec") if isinstance(pod, dict) else None
    p = s.get("restartPolicy") if isinstance(s, dict) else None
    return p if p in ("Always", "OnFailure", "Never") else "Always"


def is_restartable_init_container(container: Mapping[str, Any] | None) -> bool:
    """`podutil.IsRestartableInitContainer`: an init container with `restartPolicy: Always`."""
    return isinstance(container, dict) and container.get("restartPolicy") == "Always"


def should_restart_on_failure(pod: Mapping[str, Any]) -> bool:
    """`shouldRestartOnFailure`: anything but `restartPolicy: Never`."""
    return restart_policy(pod) != "Never"


def is_deleted(pod: Mapping[str, Any]) -> bool:
    """The pod has a `metadata.deletionTimestamp`."""
    return bool(metadata(pod).get("deletionTimestamp"))
