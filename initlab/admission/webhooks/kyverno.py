"""Kyverno-style policies."""

from __future__ import annotations

import copy
from typing import Any

from initlab.admission.webhooks.base import (
    Context,
    Registration,
    Verdict,
    _diff_patch,
    _labels,
    _list,
    _names,
    _pod_of,
)
from initlab.api.pod import metadata as pod_metadata
from initlab.api.pod import spec as pod_spec

# -- Kyverno-style policies -----------------------------------------------------------------

WAIT_FOR_DB_LABEL = ("app.kubernetes.io/component", "database-client")


def wait_for_db_container(host: str = "db", port: str = "5432") -> dict[str, Any]:
    """The init container our ClusterPolicy adds: waits until the database
    answers on TCP (a check that fails while Istio's iptables redirect
    traffic to a proxy that has not started yet)."""
    return {
        "name": "wait-for-db",
        "image": "busybox:1.36",
        "command": [
            "sh",
            "-c",
            'until nc -z -w 2 "$DB_HOST" "$DB_PORT"; do echo "waiting for $DB_HOST:$DB_PORT"; '
            "sleep 2; done",
        ],
        "env": [{"name": "DB_HOST", "value": host}, {"name": "DB_PORT", "value": port}],
        "resources": {
            "limits": {"cpu": "50m", "memory": "32Mi"},
            "requests": {"cpu": "10m", "memory": "16Mi"},
        },
    }


def kyverno_add_init(request: dict[str, Any], ctx: Context) -> Verdict:
    """A Kyverno ClusterPolicy `add-wait-for-db`, rule `add-init-container`
    (kyverno.io/v1, `mutate.patchStrategicMerge`; the shape of the kyverno/policies
    samples that add init containers).

    Matches pods labelled `app.kubernetes.io/component: database-client`.
    Strategic merge keys `initContainers` by name, so `wait-for-db` is appended
    once and a second pass changes nothing. Kyverno returns the diff as a
    JSONPatch. Settings: `host`, `port` (of the database).
    """
    pod = _pod_of(request)
    labels = _labels(pod)
    key, value = WAIT_FOR_DB_LABEL
    if labels.get(key) != value:
        return Verdict(note=f"policy add-wait-for-db: pod has no label {key}={value}")
    inits = _list(pod_spec(pod), "initContainers")
    if "wait-for-db" in _names(inits):
        return Verdict(note="policy add-wait-for-db: wait-for-db already present")
    out = copy.deepcopy(pod)
    spec = out.setdefault("spec", {})
    current = spec.get("initContainers") if isinstance(spec.get("initContainers"), list) else []
    c = wait_for_db_container(
        str(ctx.settings.get("host", "db")), str(ctx.settings.get("port", "5432"))
    )
    spec["initContainers"] = list(current) + [c]
    return Verdict(patch=_diff_patch(pod, out), note="policy add-wait-for-db: added wait-for-db")


REQUIRE_POLICY = "require-init-resources"
REQUIRE_RULE = "init-containers-have-resources"
REQUIRE_MESSAGE = "Init containers must set CPU and memory requests and limits."


def _missing_resource_path(c: Any, i: int) -> str | None:
    """Where Kyverno's pattern check stops: the first missing key, walking the
    pattern `resources: {limits: {cpu, memory}, requests: {cpu, memory}}` in
    key order (`pkg/engine/validate/validate.go`; path ends with `/`)."""
    base = f"/spec/initContainers/{i}/resources/"
    res = c.get("resources") if isinstance(c, dict) else None
    if not isinstance(res, dict) or not res:
        return base
    for group in ("limits", "requests"):
        g = res.get(group)
        if not isinstance(g, dict) or not g:
            return f"{base}{group}/"
        for r in ("cpu", "memory"):
            if g.get(r) in (None, ""):
                return f"{base}{group}/{r}/"
    return None


def kyverno_require_resources(request: dict[str, Any], ctx: Context) -> Verdict:
    """A Kyverno ClusterPolicy `require-init-resources` (validationFailureAction:
    Enforce), after kyverno/policies `best-practices/require-requests-limits`,
    applied to init containers: every init container (injected ones included)
    must set cpu and memory requests and limits.

    Denial in Kyverno's words (`pkg/webhooks/resource/validation`:
    `getBlockedMessages`): `resource Pod/<ns>/<name> was blocked due to the
    following policies` + `<policy>: <rule>: 'validation error: <message>.
    rule <rule> failed at path <path>'`.
    """
    pod = _pod_of(request)
    meta = pod_metadata(pod)
    for i, c in enumerate(_list(pod_spec(pod), "initContainers")):
        path = _missing_resource_path(c, i)
        if path is None:
            continue
        ns = request.get("namespace") or meta.get("namespace") or "default"
        name = meta.get("name") or request.get("name") or ""
        detail = f"validation error: {REQUIRE_MESSAGE} rule {REQUIRE_RULE} failed at path {path}"
        message = (
            f"\n\nresource Pod/{ns}/{name} was blocked due to the following policies \n\n"
            f"{REQUIRE_POLICY}:\n  {REQUIRE_RULE}: '{detail}'\n"
        )
        return Verdict(allowed=False, message=message, note=f"denied: {detail}")
    return Verdict(note=f"policy {REQUIRE_POLICY}: every init container sets requests and limits")


_KYVERNO_NS = {
    "matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kyverno"]}
    ]
}

KYVERNO_MUTATE_REGISTRATIONS = (
    Registration(
        name="mutate.kyverno.svc-fail",
        service="kyverno-svc.kyverno.svc:443",
        path="/mutate/fail",
        namespace_selector=_KYVERNO_NS,
        reinvocation_policy="IfNeeded",
    ),
)
KYVERNO_VALIDATE_REGISTRATIONS = (
    Registration(
        name="validate.kyverno.svc-fail",
        service="kyverno-svc.kyverno.svc:443",
        path="/validate/fail",
        namespace_selector=_KYVERNO_NS,
    ),
)
