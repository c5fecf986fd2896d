"""Linkerd's proxy injector."""

from __future__ import annotations

from typing import Any

from initlab.admission.webhooks.base import (
    Context,
    Registration,
    Verdict,
    _annotations,
    _container_defaults,
    _list,
    _meta,
    _names,
    _pod_of,
    _ptr,
    _spec,
)

LINKERD_VERSION = "stable-2.14.10"
LINKERD_PROXY_INIT_VERSION = "v2.4.1"

# -- Linkerd ----------------------------------------------------------------------------

#: Names that make Linkerd refuse to inject (`pkg/inject/inject.go: HasExistingSidecars`).
LINKERD_EXISTING_SIDECARS = ("linkerd-proxy", "conduit-proxy", "istio-proxy")
LINKERD_EXISTING_INITS = ("linkerd-init", "istio-init")


def linkerd_init_container() -> dict[str, Any]:
    """`linkerd-init` (linkerd2-proxy-init) from linkerd/linkerd2
    `charts/partials/templates/_proxy-init.tpl` with default values: NET_ADMIN
    and NET_RAW, run as 65534 with a read-only root, its xtables lock on /run."""
    return _container_defaults(
        {
            "args": [
                "--incoming-proxy-port",
                "4143",
                "--outgoing-proxy-port",
                "4140",
                "--proxy-uid",
                "2102",
                "--inbound-ports-to-ignore",
                "4190,4191,4567,4568",
                "--outbound-ports-to-ignore",
                "4567,4568",
            ],
            "image": f"cr.l5d.io/linkerd/proxy-init:{LINKERD_PROXY_INIT_VERSION}",
            "name": "linkerd-init",
            "resources": {
                "limits": {"cpu": "100m", "memory": "20Mi"},
                "requests": {"cpu": "100m", "memory": "20Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"add": ["NET_ADMIN", "NET_RAW"]},
                "privileged": False,
                "runAsNonRoot": True,
                "runAsUser": 65534,
                "readOnlyRootFilesystem": True,
            },
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"mountPath": "/run", "name": "linkerd-proxy-init-xtables-lock"}],
        }
    )


def linkerd_proxy_container(native: bool) -> dict[str, Any]:
    """`linkerd-proxy` from `charts/partials/templates/_proxy.tpl`: as a classic
    container it holds the app back with a postStart `linkerd-await`; as a
    native sidecar it gets `restartPolicy: Always` and a startupProbe instead."""
    c: dict[str, Any] = {
        "env": [
            {"name": "_pod_name", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "_pod_ns", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
            {"name": "LINKERD2_PROXY_LOG", "value": "warn,linkerd=info,hickory=error"},
            {
                "name": "LINKERD2_PROXY_DESTINATION_SVC_ADDR",
                "value": "linkerd-dst-headless.linkerd.svc.cluster.local.:8086",
            },
            {"name": "LINKERD2_PROXY_CONTROL_LISTEN_ADDR", "value": "0.0.0.0:4190"},
            {"name": "LINKERD2_PROXY_ADMIN_LISTEN_ADDR", "value": "0.0.0.0:4191"},
            {"name": "LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR", "value": "127.0.0.1:4140"},
            {"name": "LINKERD2_PROXY_INBOUND_LISTEN_ADDR", "value": "0.0.0.0:4143"},
            {
                "name": "LINKERD2_PROXY_IDENTITY_DIR",
                "value": "/var/run/linkerd/identity/end-entity",
            },
        ],
        "image": f"cr.l5d.io/linkerd/proxy:{LINKERD_VERSION}",
        "livenessProbe": {
            "httpGet": {"path": "/live", "port": 4191},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
        },
        "name": "linkerd-proxy",
        "ports": [
            {"containerPort": 4143, "name": "linkerd-proxy"},
            {"containerPort": 4191, "name": "linkerd-admin"},
        ],
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": 4191},
            "initialDelaySeconds": 2,
            "timeoutSeconds": 1,
        },
    }
    if native:
        c["startupProbe"] = {
            "httpGet": {"path": "/ready", "port": 4191},
            "initialDelaySeconds": 0,
            "periodSeconds": 1,
            "failureThreshold": 120,
        }
    c["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 2102,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    c["terminationMessagePolicy"] = "FallbackToLogsOnError"
    if not native:
        c["lifecycle"] = {
            "postStart": {
                "exec": {
                    "command": [
                        "/usr/lib/linkerd/linkerd-await",
                        "--timeout=2m",
                        "--port=4191",
                    ]
                }
            }
        }
    c["volumeMounts"] = [
        {"mountPath": "/var/run/linkerd/identity/end-entity", "name": "linkerd-identity-end-entity"}
    ]
    if native:
        c["restartPolicy"] = "Always"
    return _container_defaults(c)


def linkerd_inject(request: dict[str, Any], ctx: Context) -> Verdict:
    """Linkerd's proxy injector (linkerd/linkerd2 `controller/proxy-injector/webhook.go`,
    `pkg/inject/inject.go`, patch template `charts/patch/templates/patch.json`).

    Injects when the pod's annotation `linkerd.io/inject` is `enabled`, or the
    namespace's is and the pod's is not `disabled`. Refuses pods that already
    have a sidecar (`linkerd-proxy`, `istio-proxy`...), so it is idempotent.
    The patch is hand-built, op by op, like Linkerd's template: `linkerd-init`
    is appended LAST among init containers (`/spec/initContainers/-`); the
    proxy goes first in `containers` (`proxy.await`, the default) or, with
    `config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"`, after
    `linkerd-init` as a native sidecar.
    """
    pod = _pod_of(request)
    spec, meta = _spec(pod), _meta(pod)
    annotations = _annotations(pod)
    pod_choice = annotations.get("linkerd.io/inject", "")
    ns_choice = str(ctx.namespace_annotations.get("linkerd.io/inject", ""))
    if pod_choice == "disabled":
        return Verdict(note='not injected: linkerd.io/inject is "disabled"')
    if pod_choice not in ("enabled", "ingress") and ns_choice not in ("enabled", "ingress"):
        return Verdict(
            note="not injected: linkerd.io/inject is not enabled on the pod or namespace"
        )
    if spec.get("hostNetwork") is True:
        return Verdict(note="not injected: hostNetwork pod")
    containers = _list(spec, "containers")
    inits = _list(spec, "initContainers")
    if any(n in LINKERD_EXISTING_SIDECARS for n in _names(containers) + _names(inits)) or any(
        n in LINKERD_EXISTING_INITS for n in _names(inits)
    ):
        return Verdict(note="not injected: pod has a sidecar injected already")

    native_ann = annotations.get("config.alpha.linkerd.io/proxy-enable-native-sidecar", "")
    native = native_ann == "true" if native_ann else bool(ctx.settings.get("native"))
    ops: list[dict[str, Any]] = []
    if "metadata" not in pod:
        ops.append({"op": "add", "path": "/metadata", "value": {}})
    if not isinstance(meta.get("annotations"), dict):
        ops.append({"op": "add", "path": "/metadata/annotations", "value": {}})
    new_annotations = {
        "linkerd.io/created-by": f"linkerd/proxy-injector {LINKERD_VERSION}",
        "linkerd.io/inject": pod_choice or ns_choice,
        "linkerd.io/proxy-version": LINKERD_VERSION,
        "linkerd.io/identity-mode": "default",
    }
    for k, v in new_annotations.items():
        ops.append({"op": "add", "path": _ptr("metadata", "annotations", k), "value": v})
    if not isinstance(meta.get("labels"), dict):
        ops.append({"op": "add", "path": "/metadata/labels", "value": {}})
    ops.append(
        {
            "op": "add",
            "path": _ptr("metadata", "labels", "linkerd.io/control-plane-ns"),
            "value": "linkerd",
        }
    )
    ops.append(
        {
            "op": "add",
            "path": _ptr("metadata", "labels", "linkerd.io/workload-ns"),
            "value": request.get("namespace") or meta.get("namespace") or "default",
        }
    )
    if not isinstance(spec.get("volumes"), list):
        ops.append({"op": "add", "path": "/spec/volumes", "value": []})
    if not isinstance(spec.get("initContainers"), list):
        ops.append({"op": "add", "path": "/spec/initContainers", "value": []})
    ops.append(
        {
            "op": "add",
            "path": "/spec/volumes/-",
            "value": {"emptyDir": {}, "name": "linkerd-proxy-init-xtables-lock"},
        }
    )
    ops.append({"op": "add", "path": "/spec/initContainers/-", "value": linkerd_init_container()})
    ops.append(
        {
            "op": "add",
            "path": "/spec/volumes/-",
            "value": {"name": "linkerd-identity-end-entity", "emptyDir": {"medium": "Memory"}},
        }
    )
    proxy = linkerd_proxy_container(native)
    if native:
        ops.append({"op": "add", "path": "/spec/initContainers/-", "value": proxy})
    else:
        ops.append({"op": "add", "path": "/spec/containers/0", "value": proxy})
    mode = "native sidecar" if native else "first app container (linkerd-await)"
    return Verdict(
        patch=ops, note=f"injected linkerd-init (last init container) + linkerd-proxy as {mode}"
    )


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
