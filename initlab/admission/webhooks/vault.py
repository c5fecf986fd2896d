"""The Vault Agent injector."""

from __future__ import annotations

import base64
import json
from typing import Any

from initlab.admission.webhooks.base import (
    Context,
    Registration,
    Verdict,
    _annotations,
    _container_defaults,
    _list,
    _meta,
    _pod_of,
    _ptr,
    _spec,
)

VAULT_VERSION = "1.20.1"

# -- Vault ------------------------------------------------------------------------------

VAULT_PREFIX = "vault.hashicorp.com/"


def _vault_config(role: str, secrets: dict[str, str], exit_after_auth: bool) -> str:
    """The agent's config as the injector passes it: JSON, base64, in VAULT_CONFIG
    (hashicorp/vault-k8s `agent-inject/agent/config.go: newConfig`)."""
    cfg = {
        "auto_auth": {
            "method": {
                "type": "kubernetes",
                "mount_path": "auth/kubernetes",
                "config": {
                    "role": role,
                    "token_path": "/var/run/secrets/kubernetes.io/serviceaccount/token",
                },
            },
            "sink": [{"type": "file", "config": {"path": "/home/vault/.vault-token"}}],
        },
        "exit_after_auth": exit_after_auth,
        "pid_file": "/home/vault/.pid",
        "vault": {"address": "https://vault.vault.svc:8200"},
        "template": [
            {
                "destination": f"/vault/secrets/{name}",
                "contents": (
                    f'{{{{ with secret "{path}" }}}}{{{{ range $k, $v := .Data }}}}'
                    "{{ $k }}: {{ $v }}\n{{ end }}{{ end }}"
                ),
                "left_delimiter": "{{",
                "right_delimiter": "}}",
            }
            for name, path in secrets.items()
        ],
    }
    return base64.b64encode(json.dumps(cfg, separators=(",", ":")).encode()).decode()


def vault_agent_container(
    name: str, home: str, role: str, secrets: dict[str, str], init: bool
) -> dict[str, Any]:
    """`vault-agent-init` / `vault-agent` (vault-k8s `container_init_sidecar.go`,
    `container_sidecar.go`): default resources 250m/64Mi requests, 500m/128Mi
    limits; uid 100, gid 1000, read-only root; secrets rendered into /vault/secrets."""
    return _container_defaults(
        {
            "name": name,
            "image": f"hashicorp/vault:{VAULT_VERSION}",
            "command": ["/bin/sh", "-ec"],
            "args": [
                "echo ${VAULT_CONFIG?} | base64 -d > /home/vault/config.json && "
                "vault agent -config=/home/vault/config.json"
            ],
            "env": [
                {
                    "name": "NAMESPACE",
                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                },
                {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "VAULT_LOG_LEVEL", "value": "info"},
                {"name": "VAULT_LOG_FORMAT", "value": "standard"},
                {"name": "VAULT_CONFIG", "value": _vault_config(role, secrets, init)},
            ],
            "resources": {
                "limits": {"cpu": "500m", "memory": "128Mi"},
                "requests": {"cpu": "250m", "memory": "64Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": True,
                "runAsGroup": 1000,
                "runAsNonRoot": True,
                "runAsUser": 100,
            },
            "volumeMounts": [
                {"name": home, "mountPath": "/home/vault"},
                {"name": "vault-secrets", "mountPath": "/vault/secrets"},
            ],
        }
    )


def vault_inject(request: dict[str, Any], ctx: Context) -> Verdict:
    """The Vault Agent injector (hashicorp/vault-k8s `agent-inject/handler.go: Mutate`,
    `agent-inject/agent/agent.go: Patch`, `annotations.go`).

    `vault.hashicorp.com/agent-inject: "true"` asks for it;
    `agent-inject-status: injected` means done (idempotent). A missing
    `vault.hashicorp.com/role` is refused ("error validating agent
    configuration: no Vault role found"). `vault-agent-init` (pre-populate,
    `exit_after_auth`) is APPENDED to the init containers, or with
    `agent-init-first: "true"` the list is removed and re-added with the agent
    first; `vault-agent` is appended to containers unless
    `agent-pre-populate-only: "true"`. The `vault-secrets` emptyDir (Memory)
    is mounted at /vault/secrets in every app container and the user's init
    containers. Like vault-k8s, the patch is built op by op.
    """
    pod = _pod_of(request)
    spec, meta = _spec(pod), _meta(pod)
    ann = _annotations(pod)
    if ann.get(VAULT_PREFIX + "agent-inject", "").lower() not in ("true", "1", "t"):
        return Verdict(note='not injected: vault.hashicorp.com/agent-inject is not "true"')
    if ann.get(VAULT_PREFIX + "agent-inject-status", "") == "injected":
        return Verdict(note="already injected (agent-inject-status: injected): nothing to change")
    role = ann.get(VAULT_PREFIX + "role", "")
    if not role:
        return Verdict(
            allowed=False,
            message="error validating agent configuration: no Vault role found",
        )
    secrets = {
        k[len(VAULT_PREFIX + "agent-inject-secret-") :]: v
        for k, v in ann.items()
        if k.startswith(VAULT_PREFIX + "agent-inject-secret-")
    }
    init_first = ann.get(VAULT_PREFIX + "agent-init-first", "").lower() == "true"
    pre_populate = ann.get(VAULT_PREFIX + "agent-pre-populate", "true").lower() != "false"
    only = ann.get(VAULT_PREFIX + "agent-pre-populate-only", "").lower() == "true"
    selected = ann.get(VAULT_PREFIX + "agent-inject-containers", "")
    wanted = [s.strip() for s in selected.split(",") if s.strip()] if selected else None

    ops: list[dict[str, Any]] = []
    mount = {"name": "vault-secrets", "mountPath": "/vault/secrets"}

    def add_items(current: list[Any], items: list[Any], path: str) -> None:
        """vault-k8s `patch.go: addVolumes/addContainers/addVolumeMounts`: create the
        list with the first item if it is empty, then append with `-`."""
        first = not current
        for item in items:
            if first:
                ops.append({"op": "add", "path": path, "value": [item]})
                first = False
            else:
                ops.append({"op": "add", "path": path + "/-", "value": item})

    volumes = [{"name": "vault-secrets", "emptyDir": {"medium": "Memory"}}]
    if pre_populate:
        volumes.append({"name": "home-init", "emptyDir": {"medium": "Memory"}})
    if not only:
        volumes.append({"name": "home-sidecar", "emptyDir": {"medium": "Memory"}})
    add_items(_list(spec, "volumes"), volumes, "/spec/volumes")
    containers = _list(spec, "containers")
    for i, c in enumerate(containers):
        if isinstance(c, dict) and (wanted is None or c.get("name") in wanted):
            mounts = c.get("volumeMounts") if isinstance(c.get("volumeMounts"), list) else []
            add_items(mounts, [dict(mount)], f"/spec/containers/{i}/volumeMounts")
    inits = [c for c in _list(spec, "initContainers")]
    if pre_populate:
        agent = vault_agent_container("vault-agent-init", "home-init", role, secrets, True)
        if init_first:
            if inits:
                ops.append({"op": "remove", "path": "/spec/initContainers"})
            ordered = [agent] + inits
            add_items([], ordered, "/spec/initContainers")
        else:
            add_items(inits, [agent], "/spec/initContainers")
            ordered = inits + [agent]
        for i, c in enumerate(ordered):
            if not isinstance(c, dict) or c.get("name") == "vault-agent-init":
                continue
            mounts = c.get("volumeMounts") if isinstance(c.get("volumeMounts"), list) else []
            add_items(mounts, [dict(mount)], f"/spec/initContainers/{i}/volumeMounts")
    if not only:
        sidecar = vault_agent_container("vault-agent", "home-sidecar", role, secrets, False)
        add_items(containers, [sidecar], "/spec/containers")
    if not isinstance(meta.get("annotations"), dict):
        ops.append({"op": "add", "path": "/metadata/annotations", "value": {}})
    ops.append(
        {
            "op": "add",
            "path": _ptr("metadata", "annotations", VAULT_PREFIX + "agent-inject-status"),
            "value": "injected",
        }
    )
    where = "first" if init_first else "last"
    listed = ", ".join(f"{k} ← {v}" for k, v in secrets.items()) or "none"
    return Verdict(
        patch=ops,
        note=f"injected vault-agent-init ({where} init container)"
        + ("" if only else " + vault-agent sidecar")
        + f"; secrets: {listed}",
    )


VAULT_REGISTRATIONS = (
    Registration(
        name="vault.hashicorp.com",
        service="vault-agent-injector-svc.vault.svc:443",
        path="/mutate",
        object_selector={
            "matchExpressions": [
                {
                    "key": "app.kubernetes.io/name",
                    "operator": "NotIn",
                    "values": ["vault-agent-injector"],
                }
            ]
        },
        failure_policy="Ignore",
    ),
)
