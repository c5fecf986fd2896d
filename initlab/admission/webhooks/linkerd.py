"""Linkerd's proxy injector, after linkerd/linkerd2 stable-2.14.10 and version-2.15.

Sources (linkerd/linkerd2): `controller/proxy-injector/webhook.go` (`Inject`:
created-by, namespace config annotations, default opaque ports),
`pkg/inject/inject.go` (`Injectable`, `injectPodSpec`, `injectProxyInit`,
the `config.linkerd.io/*` overrides), `pkg/inject/report.go`, the patch
template `charts/patch/templates/patch.json` and the partials
`charts/partials/templates/_proxy.tpl`, `_proxy-init.tpl`,
`_network-validator.tpl`, `_volumes.tpl`, with the default values of
`charts/linkerd-control-plane/values.yaml`. Checked against the goldens
`cli/cmd/testdata/inject_*.golden.yml` (tests/test_injection_goldens.py).

Placement, by mode (webhook setting `mode`, or the pod annotation
`config.alpha.linkerd.io/proxy-enable-native-sidecar`, from 2.15):

- `classic`: `linkerd-init` is APPENDED (`/spec/initContainers/-`), so the
  user's init containers run before the iptables rules exist (they reach the
  network, outside the mesh); `linkerd-proxy` is inserted as containers[0]
  with a postStart `linkerd-await`, which holds the next container until the
  proxy is ready (`config.linkerd.io/proxy-await: disabled` appends it
  instead, without the hook).
- `native` (2.15 and later): `linkerd-init` at `/spec/initContainers/0`, then
  `linkerd-proxy` at `/1` with `restartPolicy: Always` and a startupProbe,
  before the user's init containers.
- `cni`: no `linkerd-init`; the linkerd-cni plugin redirects traffic when the
  pod's network is set up, and `linkerd-network-validator` (appended, or
  first with native sidecars) checks it. A user init container that needs
  the network then runs redirected to a proxy that has not started.

Annotations change the proxy-init args (`config.linkerd.io/skip-inbound-ports`,
`skip-outbound-ports`), the admin port (`admin-port`: ports, probes, await),
the proxy's resources (`proxy-cpu-request`...) and image (`proxy-version`); the
first container's capabilities are copied to the proxy and, with NET_ADMIN
and NET_RAW, to linkerd-init.

Where initlab differs: the proxy's env list is the essential part only (the
real one has ~37 entries); the trust anchors, and so
`linkerd.io/trust-root-sha256`, are a stand-in (the cluster's are unknown);
the owner label (`linkerd.io/proxy-<kind>`) comes from the pod's controller
ownerReference instead of an API lookup.
"""

from __future__ import annotations

import hashlib
from typing import Any

from initlab.admission.webhooks.base import (
    Context,
    Registration,
    Verdict,
    _annotations,
    _container_defaults,
    _list,
    _names,
    _pod_of,
    _ptr,
    workload_owner,
)
from initlab.api.pod import metadata as pod_metadata
from initlab.api.pod import spec as pod_spec

#: Linkerd versions initlab models: their proxy and proxy-init images.
LINKERD_VERSIONS = {
    "2.14": ("stable-2.14.10", "v2.2.3"),
    "2.15": ("version-2.15", "v2.2.4"),
}
LINKERD_DEFAULT_VERSION = "2.15"
LINKERD_VERSION = LINKERD_VERSIONS[LINKERD_DEFAULT_VERSION][0]
LINKERD_PROXY_INIT_VERSION = LINKERD_VERSIONS[LINKERD_DEFAULT_VERSION][1]
#: The Linkerd release that added native sidecars (`ProxyEnableNativeSidecarAnnotation`).
NATIVE_SINCE = "2.15"
LINKERD_MODES = ("classic", "native", "cni")

#: Names that make Linkerd refuse to inject (`pkg/healthcheck/sidecar.go: HasExistingSidecars`).
LINKERD_EXISTING_SIDECARS = ("linkerd-proxy", "conduit-proxy", "istio-proxy")
LINKERD_EXISTING_INITS = ("linkerd-init", "istio-init")

PROXY_UID = 2102
PORT_INBOUND, PORT_OUTBOUND, PORT_ADMIN, PORT_CONTROL = 4143, 4140, 4191, 4190
DEFAULT_SKIP_PORTS = "4567,4568"
#: `proxy.opaquePorts` default: pods exposing these get `config.linkerd.io/opaque-ports`.
DEFAULT_OPAQUE_PORTS = (25, 587, 3306, 4444, 5432, 6379, 9300, 11211)
CONFIG = "config.linkerd.io/"
NATIVE_ANNOTATION = "config.alpha.linkerd.io/proxy-enable-native-sidecar"
SA_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
#: A stand-in for the cluster's trust anchors (`identityTrustAnchorsPEM`).
TRUST_ANCHORS_STAND_IN = "initlab: the cluster's Linkerd trust anchors (not known here)\n"


def _version_key(settings: Any) -> str:
    v = str(settings.get("version") or LINKERD_DEFAULT_VERSION)
    for key, (tag, _) in LINKERD_VERSIONS.items():
        if v in (key, tag) or v.startswith(key + "."):
            return key
    return LINKERD_DEFAULT_VERSION


def _capabilities(pod: dict[str, Any]) -> dict[str, list[str]] | None:
    """`injectPodSpec`: the first container's capabilities, for the proxy."""
    containers = _list(pod_spec(pod), "containers")
    first = containers[0] if containers and isinstance(containers[0], dict) else {}
    sc = first.get("securityContext")
    caps = sc.get("capabilities") if isinstance(sc, dict) else None
    if not isinstance(caps, dict):
        return None
    return {
        "add": [str(c) for c in caps.get("add") or []],
        "drop": [str(c) for c in caps.get("drop") or []],
    }


def _sa_mount(pod: dict[str, Any]) -> dict[str, Any] | None:
    """`serviceAccountVolumeMount`: the first container's ServiceAccount token mount."""
    containers = _list(pod_spec(pod), "containers")
    first = containers[0] if containers and isinstance(containers[0], dict) else {}
    for m in first.get("volumeMounts") or []:
        if isinstance(m, dict) and m.get("mountPath") == SA_MOUNT_PATH:
            out = {"mountPath": m["mountPath"], "name": m.get("name")}
            if m.get("readOnly"):
                out["readOnly"] = True
            return out
    return None


def linkerd_init_container(
    image_version: str = LINKERD_PROXY_INIT_VERSION,
    *,
    admin_port: int = PORT_ADMIN,
    skip_inbound: str = DEFAULT_SKIP_PORTS,
    skip_outbound: str = DEFAULT_SKIP_PORTS,
    capabilities: dict[str, list[str]] | None = None,
    sa_mount: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`linkerd-init` (linkerd2-proxy-init) from `_proxy-init.tpl`: NET_ADMIN and
    NET_RAW (plus the proxy's added capabilities), uid 65534, read-only root,
    its xtables lock on /run; the proxy's ports and the skipped ports as args."""
    args = [
        "--incoming-proxy-port",
        str(PORT_INBOUND),
        "--outgoing-proxy-port",
        str(PORT_OUTBOUND),
        "--proxy-uid",
        str(PROXY_UID),
        "--inbound-ports-to-ignore",
        f"{PORT_CONTROL},{admin_port}" + (f",{skip_inbound}" if skip_inbound else ""),
    ]
    if skip_outbound:
        args += ["--outbound-ports-to-ignore", skip_outbound]
    caps: dict[str, Any] = {"add": ["NET_ADMIN", "NET_RAW"]}
    if capabilities is not None:
        caps["add"] += capabilities["add"]
        drop = [d for d in capabilities["drop"] if d not in ("NET_RAW", "NET_ADMIN")]
        if drop:
            caps["drop"] = drop
    mounts = [{"mountPath": "/run", "name": "linkerd-proxy-init-xtables-lock"}]
    if sa_mount:
        mounts.append(dict(sa_mount))
    return _container_defaults(
        {
            "args": args,
            "image": f"cr.l5d.io/linkerd/proxy-init:{image_version}",
            "imagePullPolicy": "IfNotPresent",
            "name": "linkerd-init",
            "resources": {
                "limits": {"cpu": "100m", "memory": "20Mi"},
                "requests": {"cpu": "100m", "memory": "20Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": caps,
                "privileged": False,
                "runAsNonRoot": True,
                "runAsUser": 65534,
                "readOnlyRootFilesystem": True,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": mounts,
        }
    )


def linkerd_network_validator(proxy_image: str) -> dict[str, Any]:
    """`linkerd-network-validator` (`_network-validator.tpl`), with the CNI plugin:
    checks that a connection to 1.1.1.1:20001 is redirected to its own listener
    on 4140, i.e. that the CNI plugin installed the rules. No capabilities."""
    return _container_defaults(
        {
            "name": "linkerd-network-validator",
            "image": proxy_image,
            "imagePullPolicy": "IfNotPresent",
            "resources": {
                "limits": {"cpu": "100m", "memory": "20Mi"},
                "requests": {"cpu": "100m", "memory": "20Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": True,
                "runAsNonRoot": True,
                "runAsUser": 65534,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "command": ["/usr/lib/linkerd/linkerd2-network-validator"],
            "args": [
                "--log-format",
                "plain",
                "--log-level",
                "debug",
                "--connect-addr",
                "1.1.1.1:20001",
                "--listen-addr",
                "0.0.0.0:4140",
                "--timeout",
                "10s",
            ],
        }
    )


def linkerd_proxy_container(
    native: bool,
    *,
    image: str = f"cr.l5d.io/linkerd/proxy:{LINKERD_VERSION}",
    admin_port: int = PORT_ADMIN,
    await_proxy: bool = True,
    resources: dict[str, Any] | None = None,
    capabilities: dict[str, list[str]] | None = None,
    sa_mount: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`linkerd-proxy` from `_proxy.tpl`. Classic: the postStart `linkerd-await`
    (with proxy-await, the default). Native: `restartPolicy: Always` and a
    startupProbe on /ready instead of the hook."""
    c: dict[str, Any] = {
        "env": [
            {"name": "_pod_name", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "_pod_ns", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
            {"name": "_pod_nodeName", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
            {"name": "LINKERD2_PROXY_LOG", "value": "warn,linkerd=info,trust_dns=error"},
            {
                "name": "LINKERD2_PROXY_DESTINATION_SVC_ADDR",
                "value": "linkerd-dst-headless.linkerd.svc.cluster.local.:8086",
            },
            {"name": "LINKERD2_PROXY_CONTROL_LISTEN_ADDR", "value": f"0.0.0.0:{PORT_CONTROL}"},
            {"name": "LINKERD2_PROXY_ADMIN_LISTEN_ADDR", "value": f"0.0.0.0:{admin_port}"},
            {"name": "LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR", "value": f"127.0.0.1:{PORT_OUTBOUND}"},
            {"name": "LINKERD2_PROXY_INBOUND_LISTEN_ADDR", "value": f"0.0.0.0:{PORT_INBOUND}"},
            {
                "name": "LINKERD2_PROXY_IDENTITY_DIR",
                "value": "/var/run/linkerd/identity/end-entity",
            },
            {
                "name": "LINKERD2_PROXY_IDENTITY_TOKEN_FILE",
                "value": "/var/run/secrets/tokens/linkerd-identity-token",
            },
        ],
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": {
            "httpGet": {"path": "/live", "port": admin_port},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
        },
        "name": "linkerd-proxy",
        "ports": [
            {"containerPort": PORT_INBOUND, "name": "linkerd-proxy"},
            {"containerPort": admin_port, "name": "linkerd-admin"},
        ],
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": admin_port},
            "initialDelaySeconds": 2,
            "timeoutSeconds": 1,
        },
    }
    if native and await_proxy:
        c["startupProbe"] = {
            "httpGet": {"path": "/ready", "port": admin_port},
            "initialDelaySeconds": 0,
            "periodSeconds": 1,
            "failureThreshold": 120,
        }
    if resources:
        c["resources"] = resources
    sc: dict[str, Any] = {"allowPrivilegeEscalation": False}
    if capabilities is not None:
        caps = {k: v for k, v in capabilities.items() if v}
        if caps:
            sc["capabilities"] = caps
    sc.update(
        {
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": PROXY_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    )
    c["securityContext"] = sc
    c["terminationMessagePolicy"] = "FallbackToLogsOnError"
    if not native and await_proxy:
        c["lifecycle"] = {
            "postStart": {
                "exec": {
                    "command": [
                        "/usr/lib/linkerd/linkerd-await",
                        "--timeout=2m",
                        f"--port={admin_port}",
                    ]
                }
            }
        }
    c["volumeMounts"] = [
        {
            "mountPath": "/var/run/linkerd/identity/end-entity",
            "name": "linkerd-identity-end-entity",
        },
        {"mountPath": "/var/run/secrets/tokens", "name": "linkerd-identity-token"},
    ]
    if sa_mount:
        c["volumeMounts"].append(dict(sa_mount))
    if native:
        c["restartPolicy"] = "Always"
    return _container_defaults(c)


def _proxy_resources(ann: dict[str, str]) -> dict[str, Any]:
    """`config.linkerd.io/proxy-{cpu,memory}-{request,limit}` (`partials.resources`)."""
    out: dict[str, Any] = {}
    for group, suffix in (("requests", "request"), ("limits", "limit")):
        for res in ("cpu", "memory"):
            v = ann.get(f"{CONFIG}proxy-{res}-{suffix}")
            if v:
                out.setdefault(group, {})[res] = v
    return out


def _refusal(pod: dict[str, Any]) -> str | None:
    """`report.go: Injectable`: why a pod cannot be injected, in Linkerd's words."""
    spec = pod_spec(pod)
    if spec.get("hostNetwork") is True:
        return "hostNetwork is enabled"
    names = _names(_list(spec, "containers")) + _names(_list(spec, "initContainers"))
    inits = _names(_list(spec, "initContainers"))
    if any(n in LINKERD_EXISTING_SIDECARS for n in names) or any(
        n in LINKERD_EXISTING_INITS for n in inits
    ):
        return "pod has a sidecar injected already"
    if spec.get("automountServiceAccountToken") is False:
        return "automountServiceAccountToken set to false"
    return None


def linkerd_inject(request: dict[str, Any], ctx: Context) -> Verdict:
    """Linkerd's proxy injector (see the module docstring).

    Injects when the pod's `linkerd.io/inject` is `enabled` (or `ingress`), or
    the namespace's is and the pod's is not `disabled`. Refuses pods with a
    sidecar already (so it is idempotent) and hostNetwork pods. The patch is
    hand-built, op by op, like `patch.json`. Settings: `version` (2.14 | 2.15),
    `mode` (classic | native | cni).
    """
    pod = _pod_of(request)
    spec, meta = pod_spec(pod), pod_metadata(pod)
    ann = _annotations(pod)
    pod_choice = ann.get("linkerd.io/inject", "")
    ns_ann = {k: str(v) for k, v in ctx.namespace_annotations.items()}
    ns_choice = ns_ann.get("linkerd.io/inject", "")
    if pod_choice == "disabled":
        return Verdict(note='not injected: linkerd.io/inject is "disabled"')
    if pod_choice not in ("enabled", "ingress") and ns_choice not in ("enabled", "ingress"):
        return Verdict(
            note="not injected: linkerd.io/inject is not enabled on the pod or namespace"
        )
    refusal = _refusal(pod)
    if refusal:
        return Verdict(note=f"not injected: {refusal}")

    settings = ctx.settings
    version = _version_key(settings)
    proxy_version, init_version = LINKERD_VERSIONS[version]
    mode = str(settings.get("mode") or ("native" if settings.get("native") else "classic"))
    # AppendNamespaceAnnotations: the namespace's config annotations the pod lacks.
    inherited = {
        k: v
        for k, v in ns_ann.items()
        if k.startswith((CONFIG, "config.alpha.linkerd.io/")) and k not in ann
    }
    config = {**inherited, **ann}
    native_ann = config.get(NATIVE_ANNOTATION, "")
    native = mode == "native"
    if native_ann in ("true", "false"):
        native = native_ann == "true"
    if native and version < NATIVE_SINCE:
        native = False  # the annotation is unknown before 2.15
    cni = mode == "cni"
    # `strconv.ParseInt(override, 10, 32)`; on an error upstream keeps the default.
    raw_port = str(config.get(CONFIG + "admin-port") or "")
    admin_port = PORT_ADMIN
    if raw_port.lstrip("+-").isdigit() and raw_port.isascii() and -(2**31) <= int(raw_port) < 2**31:
        admin_port = int(raw_port)
    await_proxy = config.get(CONFIG + "proxy-await", "enabled") != "disabled"
    image_version = config.get(CONFIG + "proxy-version") or proxy_version
    proxy_image = f"cr.l5d.io/linkerd/proxy:{image_version}"
    caps = _capabilities(pod)
    sa_mount = _sa_mount(pod)

    annotations = {
        **inherited,
        "linkerd.io/created-by": f"linkerd/proxy-injector {proxy_version}",
        "linkerd.io/proxy-version": image_version,
        "linkerd.io/trust-root-sha256": hashlib.sha256(TRUST_ANCHORS_STAND_IN.encode()).hexdigest(),
    }
    exposed = {
        p.get("containerPort")
        for c in _list(spec, "containers")
        if isinstance(c, dict)
        for p in c.get("ports") or []
        if isinstance(p, dict)
    }
    opaque = [str(p) for p in DEFAULT_OPAQUE_PORTS if p in exposed]
    if opaque and CONFIG + "opaque-ports" not in config:
        annotations[CONFIG + "opaque-ports"] = ",".join(opaque)
    labels = {
        "linkerd.io/control-plane-ns": "linkerd",
        "linkerd.io/workload-ns": request.get("namespace") or meta.get("namespace") or "default",
    }
    owner = workload_owner(pod)
    if owner is not None:
        labels[f"linkerd.io/proxy-{owner[0].lower()}"] = owner[1]

    ops: list[dict[str, Any]] = []
    if "metadata" not in pod:
        ops.append({"op": "add", "path": "/metadata", "value": {}})
    if not isinstance(meta.get("annotations"), dict) or not meta.get("annotations"):
        ops.append({"op": "add", "path": "/metadata/annotations", "value": {}})
    for k in sorted(annotations):
        ops.append(
            {"op": "add", "path": _ptr("metadata", "annotations", k), "value": annotations[k]}
        )
    if not isinstance(meta.get("labels"), dict) or not meta.get("labels"):
        ops.append({"op": "add", "path": "/metadata/labels", "value": {}})
    for k in sorted(labels):
        ops.append({"op": "add", "path": _ptr("metadata", "labels", k), "value": labels[k]})
    if not _list(spec, "volumes"):
        ops.append({"op": "add", "path": "/spec/volumes", "value": []})
    if not _list(spec, "initContainers"):
        ops.append({"op": "add", "path": "/spec/initContainers", "value": []})
    index = 0
    if cni:
        ops.append(
            {
                "op": "add",
                "path": f"/spec/initContainers/{index if native else '-'}",
                "value": linkerd_network_validator(proxy_image),
            }
        )
    else:
        ops.append(
            {
                "op": "add",
                "path": "/spec/volumes/-",
                "value": {"emptyDir": {}, "name": "linkerd-proxy-init-xtables-lock"},
            }
        )
        init = linkerd_init_container(
            init_version,
            admin_port=admin_port,
            skip_inbound=config.get(CONFIG + "skip-inbound-ports", DEFAULT_SKIP_PORTS),
            skip_outbound=config.get(CONFIG + "skip-outbound-ports", DEFAULT_SKIP_PORTS),
            capabilities=caps,
            sa_mount=sa_mount,
        )
        ops.append(
            {"op": "add", "path": f"/spec/initContainers/{index if native else '-'}", "value": init}
        )
    index += 1
    ops.append(
        {
            "op": "add",
            "path": "/spec/volumes/-",
            "value": {"name": "linkerd-identity-end-entity", "emptyDir": {"medium": "Memory"}},
        }
    )
    ops.append(
        {
            "op": "add",
            "path": "/spec/volumes/-",
            "value": {
                "name": "linkerd-identity-token",
                "projected": {
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "path": "linkerd-identity-token",
                                "expirationSeconds": 86400,
                                "audience": "identity.l5d.io",
                            }
                        }
                    ]
                },
            },
        }
    )
    proxy = linkerd_proxy_container(
        native,
        image=proxy_image,
        admin_port=admin_port,
        await_proxy=await_proxy,
        resources=_proxy_resources(config),
        capabilities=caps,
        sa_mount=sa_mount,
    )
    if native:
        path = f"/spec/initContainers/{index}"
    elif await_proxy:
        path = "/spec/containers/0"
    else:
        path = "/spec/containers/-"
    ops.append({"op": "add", "path": path, "value": proxy})
    first = "linkerd-network-validator" if cni else "linkerd-init"
    if native:
        how = f"{first} first, linkerd-proxy as a native sidecar right after it"
    else:
        how = f"{first} LAST among init containers, linkerd-proxy as " + (
            "containers[0] (linkerd-await)" if await_proxy else "the last container"
        )
    return Verdict(patch=ops, note=f"injected (Linkerd {proxy_version}, {mode}): {how}")


LINKERD_REGISTRATIONS = (
    Registration(
        name="linkerd-proxy-injector.linkerd.io",
        service="linkerd-proxy-injector.linkerd.svc:443",
        path="/",
        namespace_selector={
            "matchExpressions": [
                {
                    "key": "config.linkerd.io/admission-webhooks",
                    "operator": "NotIn",
                    "values": ["disabled"],
                },
                {
                    "key": "kubernetes.io/metadata.name",
                    "operator": "NotIn",
                    "values": ["kube-system", "cert-manager"],
                },
            ]
        },
        object_selector={
            "matchExpressions": [
                {"key": "linkerd.io/control-plane-ns", "operator": "DoesNotExist"},
                {
                    "key": "config.linkerd.io/admission-webhooks",
                    "operator": "NotIn",
                    "values": ["disabled"],
                },
            ]
        },
        failure_policy="Ignore",
    ),
)
