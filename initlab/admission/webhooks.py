"""Built-in admission webhooks that inject init containers, after real projects.

Each webhook is a pure function from an AdmissionReview `request` (and what
it knows about the namespace) to a `Verdict`: allowed or not, a JSONPatch,
warnings. The same function answers in the simulated chain (`chain.py`) and
over HTTP (`server.py`).

Every webhook also carries its `Registration`s: the entries of the
Mutating/ValidatingWebhookConfiguration that the real project installs
(selectors, `failurePolicy`, `reinvocationPolicy`, timeout, service), since
those decide *whether* the API server calls it at all.

One simplification, on purpose: the API server defaults the object again
after every patch (`mutating/dispatcher.go`: `o.GetObjectDefaulter().Default`
after `patchObj.Apply`). Real injectors leave `terminationMessagePath`,
`imagePullPolicy`... to that step; ours put those defaults in the patch
themselves, so that replaying the returned patches on the request object
gives exactly the admitted pod.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonpatch

from initlab.admission.review import make_response
from initlab.api.loader import apply_defaults

ISTIO_VERSION = "1.26.0"
LINKERD_VERSION = "stable-2.14.10"
LINKERD_PROXY_INIT_VERSION = "v2.4.1"
VAULT_VERSION = "1.20.1"


# -- the data model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """One `webhooks[]` entry of a Mutating/ValidatingWebhookConfiguration.

    Defaults are the admissionregistration.k8s.io/v1 defaults
    (`pkg/apis/admissionregistration/v1/defaults.go`): failurePolicy Fail,
    reinvocationPolicy Never, timeoutSeconds 10, empty selectors match all.
    """

    name: str
    service: str = "webhook.default.svc:443"
    path: str = "/"
    namespace_selector: Mapping[str, Any] | None = None
    object_selector: Mapping[str, Any] | None = None
    failure_policy: str = "Fail"
    reinvocation_policy: str = "Never"
    timeout_seconds: int = 10
    side_effects: str = "None"

    def url(self) -> str:
        """The URL the API server posts to, with its `?timeout=` parameter (`client.Post().Timeout`)."""
        return f"https://{self.service}{self.path}?timeout={self.timeout_seconds}s"


@dataclass
class Verdict:
    """What a webhook decides: the fields of an AdmissionReview response, unencoded."""

    allowed: bool = True
    patch: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    reason: str = ""
    code: int | None = None
    warnings: list[str] = field(default_factory=list)
    note: str = ""  # why it did (or did not) mutate, for the learner's log


@dataclass(frozen=True)
class Context:
    """What the webhook knows besides the request: its settings and the namespace.

    Real injectors read the Namespace from the API (Linkerd's namespace
    annotation); over HTTP we do not have it, so both may be empty.
    """

    settings: Mapping[str, Any] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    namespace_annotations: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[dict[str, Any], Context], Verdict]


@dataclass(frozen=True)
class Webhook:
    """A built-in webhook: its handler, its registrations and where it comes from."""

    key: str
    type: str  # "mutating" | "validating"
    handler: Handler
    registrations: tuple[Registration, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    source: str = ""

    @property
    def mutating(self) -> bool:
        return self.type == "mutating"

    def review(self, request: dict[str, Any], ctx: Context | None = None) -> Verdict:
        """Call the handler with this webhook's settings (unless the context carries its own)."""
        ctx = ctx or Context()
        if not ctx.settings:
            ctx = Context(dict(self.settings), ctx.namespace_labels, ctx.namespace_annotations)
        return self.handler(request, ctx)


# -- helpers ----------------------------------------------------------------------------


def _meta(pod: dict[str, Any]) -> dict[str, Any]:
    m = pod.get("metadata")
    return m if isinstance(m, dict) else {}


def _str_map(m: Any) -> dict[str, str]:
    return {k: v for k, v in m.items() if isinstance(v, str)} if isinstance(m, dict) else {}


def _annotations(pod: dict[str, Any]) -> dict[str, str]:
    return _str_map(_meta(pod).get("annotations"))


def _labels(pod: dict[str, Any]) -> dict[str, str]:
    return _str_map(_meta(pod).get("labels"))


def _spec(pod: dict[str, Any]) -> dict[str, Any]:
    s = pod.get("spec")
    return s if isinstance(s, dict) else {}


def _list(spec: dict[str, Any], key: str) -> list[Any]:
    v = spec.get(key)
    return v if isinstance(v, list) else []


def _names(items: list[Any]) -> list[str]:
    return [c.get("name") for c in items if isinstance(c, dict) and isinstance(c.get("name"), str)]


def _pod_of(request: dict[str, Any]) -> dict[str, Any]:
    obj = request.get("object") if isinstance(request, dict) else None
    return copy.deepcopy(obj) if isinstance(obj, dict) else {}


def _ptr(*parts: str | int) -> str:
    """A JSON Pointer (RFC 6901): `~` → `~0`, `/` → `~1`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _diff_patch(original: dict[str, Any], mutated: dict[str, Any]) -> list[dict[str, Any]]:
    """A patch computed as a diff, as Istio (`jsonpatch.CreatePatch` in
    `pkg/kube/inject/webhook.go: createPatch`) and Kyverno do."""
    return list(jsonpatch.make_patch(original, apply_defaults(mutated)).patch)


def _container_defaults(c: dict[str, Any]) -> dict[str, Any]:
    """Run a new container through the API server's defaulting (see module docstring)."""
    return apply_defaults({"spec": {"containers": [c]}})["spec"]["containers"][0]


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
    inits = _list(_spec(pod), "initContainers")
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
    meta = _meta(pod)
    for i, c in enumerate(_list(_spec(pod), "initContainers")):
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


# -- the registry ----------------------------------------------------------------------------

WEBHOOKS: dict[str, Webhook] = {
    "istio": Webhook(
        key="istio",
        type="mutating",
        handler=istio_inject,
        registrations=ISTIO_REGISTRATIONS,
        settings={"native": False},
        summary="Istio sidecar injector: istio-init first, istio-proxy as a classic sidecar",
        source="istio/istio pkg/kube/inject; istio-discovery/files/injection-template.yaml",
    ),
    "istio-native": Webhook(
        key="istio-native",
        type="mutating",
        handler=istio_inject,
        registrations=ISTIO_REGISTRATIONS,
        settings={"native": True},
        summary="Istio with ENABLE_NATIVE_SIDECARS: istio-proxy as a native sidecar init container",
        source="istio/istio pkg/kube/inject; injection-template.yaml ($nativeSidecar)",
    ),
    "linkerd": Webhook(
        key="linkerd",
        type="mutating",
        handler=linkerd_inject,
        registrations=LINKERD_REGISTRATIONS,
        settings={"native": False},
        summary="Linkerd proxy injector: linkerd-init + linkerd-proxy (linkerd.io/inject: enabled)",
        source="linkerd/linkerd2 controller/proxy-injector; charts/patch/templates/patch.json",
    ),
    "vault": Webhook(
        key="vault",
        type="mutating",
        handler=vault_inject,
        registrations=VAULT_REGISTRATIONS,
        summary="Vault Agent injector: vault-agent-init (+ vault-agent) and /vault/secrets",
        source="hashicorp/vault-k8s agent-inject/agent/agent.go (Patch)",
    ),
    "kyverno-add-init": Webhook(
        key="kyverno-add-init",
        type="mutating",
        handler=kyverno_add_init,
        registrations=KYVERNO_MUTATE_REGISTRATIONS,
        summary="Kyverno-style mutate policy: add wait-for-db to database clients",
        source="kyverno ClusterPolicy mutate.patchStrategicMerge (kyverno/policies samples)",
    ),
    "kyverno-require-resources": Webhook(
        key="kyverno-require-resources",
        type="validating",
        handler=kyverno_require_resources,
        registrations=KYVERNO_VALIDATE_REGISTRATIONS,
        summary="Kyverno-style validate policy: init containers need requests and limits",
        source="kyverno/policies best-practices/require-requests-limits",
    ),
}


def to_response(webhook: Webhook, request: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
    """A Verdict as an AdmissionReview response: echoes `request.uid` (the API
    server checks it), base64 JSON patch with `patchType: JSONPatch`; a
    validating webhook never sends a patch."""
    return make_response(
        str(request.get("uid", "")),
        verdict.allowed,
        patch=verdict.patch if (verdict.allowed and webhook.mutating) else None,
        message=verdict.message,
        code=verdict.code,
        reason=verdict.reason,
        warnings=verdict.warnings,
    )


def answer(webhook: Webhook, review: dict[str, Any], ctx: Context | None = None) -> dict[str, Any]:
    """The webhook server's side: an AdmissionReview with a `request` in, one with a `response` out."""
    request = review["request"]
    return to_response(webhook, request, webhook.review(request, ctx))
