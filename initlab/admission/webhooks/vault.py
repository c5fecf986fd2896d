"""The Vault Agent injector, after hashicorp/vault-k8s v1.7.0.

Sources (hashicorp/vault-k8s, tag v1.7.0): `agent-inject/handler.go`
(`Mutate`: the system-namespace refusal), `agent-inject/agent/agent.go`
(`ShouldInject`, `Validate`, `Patch`, `serviceaccount`),
`agent/container_init_sidecar.go`, `agent/container_sidecar.go`,
`agent/container_volume.go`, `agent/patch.go`. Checked against
`agent-inject/handler_test.go` `TestHandlerHandle` and
`agent/container_sidecar_test.go` (tests/test_injection_goldens.py).

- `vault.hashicorp.com/agent-inject` is read with Go's `ParseBool`: absent or
  false → nothing; unreadable → denied. `agent-inject-status: injected` → done.
- The namespaces kube-system and kube-public are refused: "error with
  request namespace: cannot inject into system namespaces: <ns>".
- Validation: a Vault role (`vault.hashicorp.com/role`) is required unless
  `agent-configmap` names a ConfigMap holding the agent's own config.
- `vault-agent-init` (pre-populate, `exit_after_auth`) is APPENDED to the init
  containers, or with `agent-init-first: "true"` the list is removed and
  re-added with the agent first; `vault-agent` is appended to containers
  unless `agent-pre-populate-only: "true"`; `agent-pre-populate: "false"`
  drops the init container. The `vault-secrets` emptyDir (Memory) is mounted
  at /vault/secrets in the selected app containers and every user init container.
- The agents mount the ServiceAccount token the first container mounts
  (a mount path containing "serviceaccount"), read-only, and with
  `agent-copy-volume-mounts: <container>` that container's other mounts.
- `agent-share-process-namespace` adds `/spec/shareProcessNamespace` (with the
  init container); `agent-inject-default-template` must be `map` or `json`.

Where initlab differs: the image is `hashicorp/vault:<version>`; the env list
is the essential part; when the pod mounts no ServiceAccount token (in a
cluster the ServiceAccount admission plugin adds one before any webhook runs;
initlab does not model that plugin) the agents go without it, unless
`automountServiceAccountToken: false` says there will be none (then denied,
as upstream: "failed to find service account volume mount"). Upstream's
`addVolumes` creates `/spec/volumes` anew on each call when the pod had no
volumes, which only works because real pods always have the token volume;
initlab creates it once.
"""

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
    _pod_of,
    _ptr,
    parse_bool,
)
from initlab.api.pod import metadata as pod_metadata
from initlab.api.pod import spec as pod_spec

VAULT_VERSION = "1.20.1"
VAULT_K8S_VERSION = "v1.7.0"

VAULT_PREFIX = "vault.hashicorp.com/"
#: `handler.go: kubeSystemNamespaces`.
VAULT_SYSTEM_NAMESPACES = ("kube-system", "kube-public")
DEFAULT_ARG = (
    "echo ${VAULT_CONFIG?} | base64 -d > /home/vault/config.json && "
    "vault agent -config=/home/vault/config.json"
)


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


def _service_account_mount(pod: dict[str, Any]) -> dict[str, Any] | None:
    """`agent.go: serviceaccount`: the first container mount whose path contains
    "serviceaccount", mounted read-only into the agents."""
    for c in _list(pod_spec(pod), "containers"):
        for m in (c.get("volumeMounts") if isinstance(c, dict) else None) or []:
            if isinstance(m, dict) and "serviceaccount" in str(m.get("mountPath", "")):
                return {"name": m.get("name"), "mountPath": m.get("mountPath"), "readOnly": True}
    return None


def _copy_volume_mounts(pod: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """`agent.go: copyVolumeMounts`: the named (init) container's mounts, except any
    whose path mentions "serviceaccount"."""
    spec = pod_spec(pod)
    out: list[dict[str, Any]] = []
    for c in _list(spec, "containers") + _list(spec, "initContainers"):
        if isinstance(c, dict) and c.get("name") == name:
            for m in c.get("volumeMounts") or []:
                if (
                    isinstance(m, dict)
                    and "serviceaccount" not in str(m.get("mountPath", "")).lower()
                ):
                    out.append(dict(m))
    return out


def vault_agent_container(
    name: str,
    home: str,
    role: str,
    secrets: dict[str, str],
    init: bool,
    *,
    sa_mount: dict[str, Any] | None = None,
    configmap: str = "",
    tls_secret: str = "",
    copied: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`vault-agent-init` / `vault-agent` (`ContainerInitSidecar`, `ContainerSidecar`):
    default resources 250m/64Mi requests, 500m/128Mi limits; uid 100, gid 1000,
    read-only root; the token home, the ServiceAccount token, /vault/secrets
    (and the ConfigMap and TLS secret when given) mounted in upstream's order."""
    home_mount = {"name": home, "mountPath": "/home/vault"}
    mounts: list[dict[str, Any]] = [home_mount]
    if sa_mount:
        mounts = [home_mount, dict(sa_mount)] if init else [dict(sa_mount), home_mount]
    mounts.append({"name": "vault-secrets", "mountPath": "/vault/secrets"})
    mounts += [dict(m) for m in copied or []]
    arg = DEFAULT_ARG
    if configmap:
        mounts.append({"name": "vault-config", "mountPath": "/vault/configs", "readOnly": True})
        config_file = "config-init.hcl" if init else "config.hcl"
        arg = f"touch /home/vault/.vault-token && vault agent -config=/vault/configs/{config_file}"
    if tls_secret:
        mounts.append({"name": "vault-tls-secrets", "mountPath": "/vault/tls", "readOnly": True})
    env: list[dict[str, Any]] = [
        {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "VAULT_LOG_LEVEL", "value": "info"},
        {"name": "VAULT_LOG_FORMAT", "value": "standard"},
    ]
    if not configmap:
        env.append({"name": "VAULT_CONFIG", "value": _vault_config(role, secrets, init)})
    return _container_defaults(
        {
            "name": name,
            "image": f"hashicorp/vault:{VAULT_VERSION}",
            "command": ["/bin/sh", "-ec"],
            "args": [arg],
            "env": env,
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
            "volumeMounts": mounts,
        }
    )


def vault_inject(request: dict[str, Any], ctx: Context) -> Verdict:
    """The Vault Agent injector (`handler.go: Mutate` → `agent.go: Patch`), see the
    module docstring. Like vault-k8s, the patch is built op by op."""
    pod = _pod_of(request)
    spec, meta = pod_spec(pod), pod_metadata(pod)
    ann = _annotations(pod)
    raw = ann.get(VAULT_PREFIX + "agent-inject")
    if raw is None:
        return Verdict(note="not injected: no vault.hashicorp.com/agent-inject annotation")
    inject = parse_bool(raw)
    if inject is None:
        return Verdict(
            allowed=False,
            message=f'error checking if should inject agent: strconv.ParseBool: parsing "{raw}": '
            "invalid syntax",
        )
    if not inject:
        return Verdict(note=f'not injected: vault.hashicorp.com/agent-inject is "{raw}"')
    phase = (pod.get("status") or {}).get("phase") if isinstance(pod.get("status"), dict) else None
    if phase not in (None, "", "Pending"):
        return Verdict(note=f"not injected: the pod is {phase} (too late)")
    if ann.get(VAULT_PREFIX + "agent-inject-status", "") == "injected":
        return Verdict(note="already injected (agent-inject-status: injected): nothing to change")
    namespace = str(request.get("namespace") or meta.get("namespace") or "")
    if namespace in VAULT_SYSTEM_NAMESPACES:
        return Verdict(
            allowed=False,
            message="error with request namespace: cannot inject into system namespaces: "
            + namespace,
        )
    if not namespace:
        return Verdict(
            allowed=False,
            message="error validating agent configuration: namespace missing from request",
        )
    sa_mount = _service_account_mount(pod)
    if sa_mount is None and spec.get("automountServiceAccountToken") is False:
        return Verdict(
            allowed=False,
            message="error creating new agent sidecar: failed to find service account volume mount",
        )
    # agent.New: the share-process-namespace annotation and the default template type.
    share: bool | None = None
    raw_share = ann.get(VAULT_PREFIX + "agent-share-process-namespace")
    if raw_share is not None:
        share = parse_bool(raw_share)
        if share is None:
            return Verdict(
                allowed=False,
                message=f"error creating new agent sidecar: invalid value {raw_share} for "
                f'annotation "{VAULT_PREFIX}agent-share-process-namespace", '
                f'err=strconv.ParseBool: parsing "{raw_share}": invalid syntax',
            )
        if share and spec.get("shareProcessNamespace") is False:
            return Verdict(
                allowed=False,
                message="error creating new agent sidecar: shareProcessNamespace explicitly "
                "disabled on the pod, refusing to enable it",
            )
    template = ann.get(VAULT_PREFIX + "agent-inject-default-template", "map").lower()
    if template not in ("map", "json"):
        return Verdict(
            allowed=False,
            message=f"error creating new agent sidecar: invalid default template type: {template}",
        )
    role = ann.get(VAULT_PREFIX + "role", "")
    configmap = ann.get(VAULT_PREFIX + "agent-configmap", "")
    if not role and not configmap:
        return Verdict(
            allowed=False,
            message="error validating agent configuration: no Vault role found",
        )
    tls_secret = ann.get(VAULT_PREFIX + "tls-secret", "")
    secrets = {
        k[len(VAULT_PREFIX + "agent-inject-secret-") :]: v
        for k, v in ann.items()
        if k.startswith(VAULT_PREFIX + "agent-inject-secret-")
    }
    init_first = parse_bool(ann.get(VAULT_PREFIX + "agent-init-first", "")) is True
    pre_populate = parse_bool(ann.get(VAULT_PREFIX + "agent-pre-populate", "")) is not False
    only = parse_bool(ann.get(VAULT_PREFIX + "agent-pre-populate-only", "")) is True
    copy_from = ann.get(VAULT_PREFIX + "agent-copy-volume-mounts", "")
    copied = _copy_volume_mounts(pod, copy_from) if copy_from else []
    selected = ann.get(VAULT_PREFIX + "agent-inject-containers", "")
    wanted = [s.strip() for s in selected.split(",") if s.strip()] if selected else None

    ops: list[dict[str, Any]] = []
    mount = {"name": "vault-secrets", "mountPath": "/vault/secrets"}

    def add_items(current: list[Any], items: list[Any], path: str) -> None:
        """`patch.go: addVolumes/addContainers/addVolumeMounts`: create the list with
        the first item if it is empty, then append with `-`."""
        first = not current
        for item in items:
            if first:
                ops.append({"op": "add", "path": path, "value": [item]})
                first = False
            else:
                ops.append({"op": "add", "path": path + "/-", "value": item})

    volumes: list[dict[str, Any]] = []
    if pre_populate:
        volumes.append({"name": "home-init", "emptyDir": {"medium": "Memory"}})
    if not only:
        volumes.append({"name": "home-sidecar", "emptyDir": {"medium": "Memory"}})
    volumes.append({"name": "vault-secrets", "emptyDir": {"medium": "Memory"}})
    if configmap:
        volumes.append({"name": "vault-config", "configMap": {"name": configmap}})
    if tls_secret:
        volumes.append({"name": "vault-tls-secrets", "secret": {"secretName": tls_secret}})
    add_items(_list(spec, "volumes"), volumes, "/spec/volumes")
    containers = _list(spec, "containers")
    for i, c in enumerate(containers):
        if isinstance(c, dict) and (wanted is None or c.get("name") in wanted):
            mounts: list[Any] = c["volumeMounts"] if isinstance(c.get("volumeMounts"), list) else []
            add_items(mounts, [dict(mount)], f"/spec/containers/{i}/volumeMounts")
    inits = list(_list(spec, "initContainers"))
    if pre_populate:
        agent = vault_agent_container(
            "vault-agent-init",
            "home-init",
            role,
            secrets,
            True,
            sa_mount=sa_mount,
            configmap=configmap,
            tls_secret=tls_secret,
            copied=copied,
        )
        if init_first:
            if inits:
                ops.append({"op": "remove", "path": "/spec/initContainers"})
            ordered = [agent, *inits]
            add_items([], ordered, "/spec/initContainers")
        else:
            add_items(inits, [agent], "/spec/initContainers")
            ordered = [*inits, agent]
        for i, c in enumerate(ordered):
            if not isinstance(c, dict) or c.get("name") == "vault-agent-init":
                continue
            init_mounts: list[Any] = (
                c["volumeMounts"] if isinstance(c.get("volumeMounts"), list) else []
            )
            add_items(init_mounts, [dict(mount)], f"/spec/initContainers/{i}/volumeMounts")
        if share is not None:
            ops.append({"op": "add", "path": "/spec/shareProcessNamespace", "value": share})
    if not only:
        sidecar = vault_agent_container(
            "vault-agent",
            "home-sidecar",
            role,
            secrets,
            False,
            sa_mount=sa_mount,
            configmap=configmap,
            tls_secret=tls_secret,
            copied=copied,
        )
        add_items(containers, [sidecar], "/spec/containers")
    status = {VAULT_PREFIX + "agent-inject-status": "injected"}
    if not isinstance(meta.get("annotations"), dict) or not meta.get("annotations"):
        ops.append({"op": "add", "path": "/metadata/annotations", "value": status})
    else:
        for k, v in status.items():
            ops.append({"op": "add", "path": _ptr("metadata", "annotations", k), "value": v})
    where = "first" if init_first else "last"
    listed = ", ".join(f"{k} ← {v}" for k, v in secrets.items()) or "none"
    parts = []
    if pre_populate:
        parts.append(f"vault-agent-init ({where} init container)")
    if not only:
        parts.append("the vault-agent sidecar")
    note = "injected " + " + ".join(parts) + f"; secrets: {listed}"
    if sa_mount is None:
        note += (
            "; no ServiceAccount token mount to share (a cluster's ServiceAccount admission "
            "plugin adds one first)"
        )
    return Verdict(patch=ops, note=note)


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
