"""Istio's sidecar injector."""

from __future__ import annotations

import copy
import json
from typing import Any

from initlab.admission.webhooks.base import (
    Context,
    Registration,
    Verdict,
    _annotations,
    _container_defaults,
    _diff_patch,
    _labels,
    _list,
    _meta,
    _names,
    _pod_of,
    _spec,
)

ISTIO_VERSION = "1.26.0"


def _truthy_istio(value: str) -> bool | None:
    """Istio's reading of `sidecar.istio.io/inject` (`pkg/kube/inject/inject.go: injectRequired`):
    y/yes/true/on → inject, empty → use the policy, anything else → do not inject."""
    v = value.lower()
    if v in ("y", "yes", "true", "on"):
        return True
    if v == "":
        return None
    return False


# -- Istio ------------------------------------------------------------------------------

ISTIO_IGNORED_NAMESPACES = ("kube-system", "kube-public")

ISTIO_PROXY_RESOURCES = {
    "limits": {"cpu": "2", "memory": "1Gi"},
    "requests": {"cpu": "100m", "memory": "128Mi"},
}

ISTIO_VOLUMES: list[dict[str, Any]] = [
    {"name": "workload-socket", "emptyDir": {}},
    {"name": "credential-socket", "emptyDir": {}},
    {"name": "workload-certs", "emptyDir": {}},
    {"name": "istio-envoy", "emptyDir": {"medium": "Memory"}},
    {"name": "istio-data", "emptyDir": {}},
    {
        "name": "istio-podinfo",
        "downwardAPI": {
            "items": [
                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}},
            ]
        },
    },
    {
        "name": "istio-token",
        "projected": {
            "sources": [
                {
                    "serviceAccountToken": {
                        "audience": "istio-ca",
                        "expirationSeconds": 43200,
                        "path": "istio-token",
                    }
                }
            ]
        },
    },
    {"name": "istiod-ca-cert", "configMap": {"name": "istio-ca-root-cert"}},
]


def istio_init_container(image: str) -> dict[str, Any]:
    """`istio-init`: programs the pod's iptables so that all TCP goes through Envoy.

    From `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`
    (istio/istio) with default values: REDIRECT mode, proxy uid 1337,
    inbound ports 15090 (Prometheus), 15021 (health) and 15020 (status) excluded.
    It needs NET_ADMIN and NET_RAW and runs as root; it is why Istio's
    sidecar is the textbook example of an injected init container.
    """
    return _container_defaults(
        {
            "name": "istio-init",
            "image": image,
            "args": [
                "istio-iptables",
                "-p",
                "15001",
                "-z",
                "15006",
                "-u",
                "1337",
                "-m",
                "REDIRECT",
                "-i",
                "*",
                "-x",
                "",
                "-b",
                "*",
                "-d",
                "15090,15021,15020",
                "--log_output_level=default:info",
            ],
            "resources": copy.deepcopy(ISTIO_PROXY_RESOURCES),
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
                "privileged": False,
                "readOnlyRootFilesystem": False,
                "runAsGroup": 0,
                "runAsNonRoot": False,
                "runAsUser": 0,
            },
        }
    )


def istio_proxy_container(image: str, pod: dict[str, Any], native: bool) -> dict[str, Any]:
    """`istio-proxy` (Envoy + pilot-agent), from the same injection template.

    As a native sidecar it is an init container with `restartPolicy: Always`
    and a startupProbe, so the kubelet starts the next init container only
    once Envoy is ready (`sidecar.istio.io/nativeSidecar`, or istiod's
    `ENABLE_NATIVE_SIDECARS`).
    """
    apps = [n for n in _names(_list(_spec(pod), "containers")) if n != "istio-proxy"]
    meta = _meta(pod)
    probe_ready = {"httpGet": {"path": "/healthz/ready", "port": 15021}}
    c: dict[str, Any] = {"name": "istio-proxy", "image": image}
    if native:
        c["restartPolicy"] = "Always"
    c.update(
        {
            "ports": [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}],
            "args": [
                "proxy",
                "sidecar",
                "--domain",
                "$(POD_NAMESPACE).svc.cluster.local",
                "--proxyLogLevel=warning",
                "--proxyComponentLogLevel=misc:error",
                "--log_output_level=default:info",
            ],
            "env": [
                {"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
                {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {
                    "name": "POD_NAMESPACE",
                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                },
                {"name": "INSTANCE_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {
                    "name": "SERVICE_ACCOUNT",
                    "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}},
                },
                {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                {"name": "ISTIO_META_APP_CONTAINERS", "value": ",".join(apps)},
                {"name": "ISTIO_META_CLUSTER_ID", "value": "Kubernetes"},
                {"name": "ISTIO_META_INTERCEPTION_MODE", "value": "REDIRECT"},
                {"name": "ISTIO_META_WORKLOAD_NAME", "value": str(meta.get("name") or "")},
                {"name": "ISTIO_META_MESH_ID", "value": "cluster.local"},
                {"name": "TRUST_DOMAIN", "value": "cluster.local"},
            ],
        }
    )
    if native:
        c["lifecycle"] = {
            "preStop": {
                "exec": {
                    "command": [
                        "pilot-agent",
                        "request",
                        "--debug-port=15020",
                        "POST",
                        "drain",
                    ]
                }
            }
        }
    c["startupProbe"] = {
        **copy.deepcopy(probe_ready),
        "initialDelaySeconds": 0,
        "periodSeconds": 1,
        "timeoutSeconds": 3,
        "failureThreshold": 600,
    }
    c["readinessProbe"] = {
        **copy.deepcopy(probe_ready),
        "initialDelaySeconds": 0,
        "periodSeconds": 15,
        "timeoutSeconds": 3,
        "failureThreshold": 4,
    }
    c["resources"] = copy.deepcopy(ISTIO_PROXY_RESOURCES)
    c["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsGroup": 1337,
        "runAsNonRoot": True,
        "runAsUser": 1337,
    }
    c["volumeMounts"] = [
        {"mountPath": "/var/run/secrets/workload-spiffe-uds", "name": "workload-socket"},
        {"mountPath": "/var/run/secrets/credential-uds", "name": "credential-socket"},
        {"mountPath": "/var/run/secrets/workload-spiffe-credentials", "name": "workload-certs"},
        {"mountPath": "/var/run/secrets/istio", "name": "istiod-ca-cert"},
        {"mountPath": "/var/lib/istio/data", "name": "istio-data"},
        {"mountPath": "/etc/istio/proxy", "name": "istio-envoy"},
        {"mountPath": "/var/run/secrets/tokens", "name": "istio-token"},
        {"mountPath": "/etc/istio/pod", "name": "istio-podinfo"},
    ]
    return _container_defaults(c)


def istio_inject(request: dict[str, Any], ctx: Context) -> Verdict:
    """Istio's sidecar injector (istio/istio `pkg/kube/inject/webhook.go: inject`,
    `inject.go: injectRequired`, `reorderPod`; template
    `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`).

    - skips hostNetwork pods and the kube-system/kube-public namespaces;
    - `sidecar.istio.io/inject` (label, else annotation) other than y/yes/true/on opts out;
    - a pod that already carries `sidecar.istio.io/status` is left as it is
      (the patch is a diff, and re-injection diffs to nothing);
    - `istio-init` goes FIRST among init containers, then (native mode) the
      `istio-proxy` sidecar, then the user's init containers in their order;
      in classic mode `istio-proxy` is appended to `containers`;
    - volumes, labels and annotations (`sidecar.istio.io/status`) as the template.
    Settings: `native` (ENABLE_NATIVE_SIDECARS), `image`.
    """
    pod = _pod_of(request)
    spec, meta = _spec(pod), _meta(pod)
    annotations, labels = _annotations(pod), _labels(pod)
    namespace = request.get("namespace") or meta.get("namespace") or "default"
    if spec.get("hostNetwork") is True:
        return Verdict(note="not injected: hostNetwork pod")
    if namespace in ISTIO_IGNORED_NAMESPACES:
        return Verdict(note=f"not injected: namespace {namespace} is ignored")
    choice = labels.get("sidecar.istio.io/inject", annotations.get("sidecar.istio.io/inject", ""))
    if _truthy_istio(choice) is False:
        return Verdict(note=f'not injected: sidecar.istio.io/inject is "{choice}"')
    if "sidecar.istio.io/status" in annotations:
        return Verdict(note="already injected (sidecar.istio.io/status is set): nothing to change")

    image = str(ctx.settings.get("image") or f"docker.io/istio/proxyv2:{ISTIO_VERSION}")
    native_ann = annotations.get("sidecar.istio.io/nativeSidecar")
    native = (native_ann != "false") if native_ann else bool(ctx.settings.get("native"))

    out = copy.deepcopy(pod)
    o_meta = out.setdefault("metadata", {})
    o_spec = out.setdefault("spec", {})
    user_inits = [c for c in _list(spec, "initContainers") if isinstance(c, dict)]
    apps = [c for c in _list(spec, "containers") if isinstance(c, dict)]
    app_names = [n for n in _names(apps) if n != "istio-proxy"]
    proxy = istio_proxy_container(image, pod, native)
    inits = [istio_init_container(image)] + ([proxy] if native else []) + user_inits
    o_spec["initContainers"] = inits
    if not native:
        o_spec["containers"] = apps + [proxy]
    vol_names = [v["name"] for v in ISTIO_VOLUMES]
    kept = [
        v
        for v in _list(spec, "volumes")
        if not (isinstance(v, dict) and v.get("name") in vol_names)
    ]
    o_spec["volumes"] = kept + copy.deepcopy(ISTIO_VOLUMES)

    lbl = o_meta.get("labels")
    if not isinstance(lbl, dict):
        lbl = o_meta["labels"] = {}
    lbl.setdefault("security.istio.io/tlsMode", "istio")
    lbl.setdefault(
        "service.istio.io/canonical-name",
        labels.get("app.kubernetes.io/name") or labels.get("app") or str(meta.get("name") or ""),
    )
    lbl.setdefault(
        "service.istio.io/canonical-revision",
        labels.get("app.kubernetes.io/version") or labels.get("version") or "latest",
    )
    ann = o_meta.setdefault("annotations", {})
    if not isinstance(ann, dict):
        ann = o_meta["annotations"] = {}
    ann["istio.io/rev"] = "default"
    if app_names:
        ann.setdefault("kubectl.kubernetes.io/default-container", app_names[0])
        ann.setdefault("kubectl.kubernetes.io/default-logs-container", app_names[0])
    ann["sidecar.istio.io/status"] = json.dumps(
        {
            "initContainers": ["istio-init", "istio-proxy"] if native else ["istio-init"],
            "containers": None if native else ["istio-proxy"],
            "volumes": vol_names,
            "imagePullSecrets": None,
            "revision": "default",
        },
        separators=(",", ":"),
    )
    mode = "native sidecar (init container, restartPolicy: Always)" if native else "classic sidecar"
    return Verdict(patch=_diff_patch(pod, out), note=f"injected istio-init + istio-proxy as {mode}")


ISTIO_REGISTRATIONS = (
    Registration(
        name="namespace.sidecar-injector.istio.io",
        service="istiod.istio-system.svc:443",
        path="/inject",
        namespace_selector={
            "matchExpressions": [
                {"key": "istio-injection", "operator": "In", "values": ["enabled"]}
            ]
        },
        object_selector={
            "matchExpressions": [
                {"key": "sidecar.istio.io/inject", "operator": "NotIn", "values": ["false"]}
            ]
        },
    ),
    Registration(
        name="object.sidecar-injector.istio.io",
        service="istiod.istio-system.svc:443",
        path="/inject",
        namespace_selector={
            "matchExpressions": [
                {"key": "istio-injection", "operator": "DoesNotExist"},
                {"key": "istio.io/rev", "operator": "DoesNotExist"},
            ]
        },
        object_selector={
            "matchExpressions": [
                {"key": "sidecar.istio.io/inject", "operator": "In", "values": ["true"]},
                {"key": "istio.io/rev", "operator": "DoesNotExist"},
            ]
        },
    ),
)
