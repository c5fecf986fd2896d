"""The Pod a default cluster stores: what the built-in admission plugins add on create.

A pod created on a kubeadm/kind cluster (Kubernetes >= 1.22) is not stored as
written. Three admission plugins that are on by default mutate it
(kubernetes `pkg/kubeapiserver/options/plugins.go` `DefaultOffAdmissionPlugins`
leaves them on):

- **ServiceAccount** (`plugin/pkg/admission/serviceaccount/admission.go`
  `Admit`, `mountServiceAccountToken`, `TokenVolumeSource`): an empty
  `serviceAccountName` becomes `default`; unless
  `automountServiceAccountToken: false`, a projected volume
  `kube-api-access-<5 chars>` (a bound token expiring after 3607 s, the
  `kube-root-ca.crt` ConfigMap's `ca.crt`, and the namespace via the
  downward API; mode 0644) is added and mounted read-only at
  `/var/run/secrets/kubernetes.io/serviceaccount` in every init and app
  container that has no mount there yet.
- **DefaultTolerationSeconds** (`plugin/pkg/admission/defaulttolerationseconds/admission.go`):
  tolerations `node.kubernetes.io/not-ready:NoExecute` and
  `node.kubernetes.io/unreachable:NoExecute`, `Exists`, for 300 s, unless the
  pod already tolerates that taint.
- **Priority** (`plugin/pkg/admission/priority/admission.go`): with no
  `priorityClassName` (and no global default PriorityClass, as on a fresh
  cluster) `priority: 0` and `preemptionPolicy: PreemptLowerPriority`; the
  two built-in classes `system-cluster-critical` (2000000000) and
  `system-node-critical` (2000001000) get their values.

Assumed: the namespace's `default` ServiceAccount exists and does not
disable automounting; no other admission webhooks. The volume's random
suffix (apimachinery `names.SimpleNameGenerator`, 5 characters of
`utilrand.String`'s alphabet) is derived from the pod's namespace and name, so
the same pod always gets the same name.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from initlab.api.pod import as_dict, as_list

#: apimachinery `util/rand` alphanumerics (no vowels, no confusable digits).
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
#: serviceaccount admission: `DefaultAPITokenMountPath`, the volume name prefix.
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
#: `serviceaccount.WarnOnlyBoundTokenExpirationSeconds` (1 h + 7 s).
TOKEN_EXPIRATION_SECONDS = 3607
#: defaulttolerationseconds: `--default-not-ready-toleration-seconds` and `--default-unreachable-...`.
DEFAULT_TOLERATION_SECONDS = 300
#: scheduling/v1 `SystemCriticalPriority` and the two built-in classes.
SYSTEM_PRIORITY_CLASSES = {
    "system-cluster-critical": 2_000_000_000,
    "system-node-critical": 2_000_001_000,
}


def token_volume_name(namespace: str, name: str) -> str:
    """`kube-api-access-xxxxx`: a deterministic stand-in for the generator's random suffix."""
    digest = hashlib.sha256(f"{namespace}/{name}".encode()).digest()
    return TOKEN_VOLUME_PREFIX + "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:5])


def _token_volume(volume_name: str) -> dict[str, Any]:
    return {
        "name": volume_name,
        "projected": {
            "sources": [
                {
                    "serviceAccountToken": {
                        "expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                        "path": "token",
                    }
                },
                {
                    "configMap": {
                        "name": "kube-root-ca.crt",
                        "items": [{"key": "ca.crt", "path": "ca.crt"}],
                    }
                },
                {
                    "downwardAPI": {
                        "items": [
                            {
                                "path": "namespace",
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                            }
                        ]
                    }
                },
            ],
            "defaultMode": 420,
        },
    }


def _tolerates(tolerations: list[dict[str, Any]], key: str) -> bool:
    """defaulttolerationseconds: an existing NoExecute (or any-effect) toleration of the key."""
    return any(
        t.get("key") == key and t.get("effect") in ("NoExecute", "", None) for t in tolerations
    )


def admit_to_default_cluster(pod: dict[str, Any]) -> dict[str, Any]:
    """The pod as a default cluster stores it after ServiceAccount, DefaultTolerationSeconds
    and Priority admission (a new dict; the argument is not changed)."""
    pod = copy.deepcopy(pod)
    meta = as_dict(pod.get("metadata"))
    spec = pod.setdefault("spec", {})
    if not isinstance(spec, dict):
        return pod
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = "default"
    if spec.get("automountServiceAccountToken") is not False:
        volumes: list[Any] = spec["volumes"] if isinstance(spec.get("volumes"), list) else []
        existing = [
            v for v in as_list(volumes) if str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)
        ]
        if existing:
            vname = str(existing[0]["name"])
        else:
            vname = token_volume_name(
                str(meta.get("namespace", "default")), str(meta.get("name", ""))
            )
            spec["volumes"] = [*volumes, _token_volume(vname)]
        for key in ("initContainers", "containers"):
            for c in as_list(spec.get(key)):
                mounts: list[Any] = (
                    c["volumeMounts"] if isinstance(c.get("volumeMounts"), list) else []
                )
                if any(as_dict(m).get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
                    continue
                c["volumeMounts"] = [
                    *mounts,
                    {"name": vname, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH},
                ]
    tolerations: list[Any] = (
        spec["tolerations"] if isinstance(spec.get("tolerations"), list) else []
    )
    added = list(tolerations)
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not _tolerates(as_list(tolerations), key):
            added.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
                }
            )
    spec["tolerations"] = added
    if "priority" not in spec:
        spec["priority"] = SYSTEM_PRIORITY_CLASSES.get(str(spec.get("priorityClassName") or ""), 0)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    return pod
