"""Istio's sidecar injector, after istio/istio at 1.26.0 (and 1.27.0's default).

Sources (istio/istio, tag 1.26.0, commit c2e9871f340c):
`pkg/kube/inject/webhook.go` (`inject`, `injectPod`, `reapplyOverwrittenContainers`,
`adjustInitContainerUser`, `postProcessPod`, `applyPrometheusMerge`,
`applyRewrite`, `reorderPod`), `pkg/kube/inject/inject.go` (`injectRequired`,
`RunTemplate`), `pkg/kube/inject/app_probe.go` (`DumpAppProbers`,
`patchRewriteProbe`), `pkg/kube/inject/template.go` (`excludeInboundPort`) and
the template `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`
with the chart's default values. Checked against the goldens
`pkg/kube/inject/testdata/inject/*.yaml.injected` (tests/test_injection_goldens.py).

Three modes, a webhook setting `mode` (the registry has one entry each):

- `classic`: `istio-init` (iptables, NET_ADMIN) and `istio-proxy` as the last
  app container. `reorderPod` moves `istio-init` LAST among init containers —
  "we want iptables setup last so we do not blackhole init containers" — so
  the user's init containers run before any redirection: they reach the
  network, bypassing the mesh. With `holdApplicationUntilProxyStarts`
  (mesh setting, or `proxy.istio.io/config` on the pod) the proxy is the
  FIRST container and carries a postStart `pilot-agent wait`, which the
  kubelet runs before it starts the next container.
- `native`: `istio-init`, then `istio-proxy` as an init container with
  `restartPolicy: Always` and a startup probe, then the user's init
  containers, which now run behind a started proxy (ENABLE_NATIVE_SIDECARS,
  or the pod annotation `sidecar.istio.io/nativeSidecar`, which wins).
- `cni`: no `istio-init`; the Istio CNI plugin installs the redirection when
  the pod's network is set up, before any container runs. The injector adds
  `istio-validation` (same args plus `--run-validation --skip-rule-apply`, no
  capabilities, uid 1337) FIRST. A user init container that needs the network
  therefore runs redirected to a proxy that does not exist yet and fails.

Which mode is the default depends on Istio's version (setting `version`):
1.26 and before: classic (`ENABLE_NATIVE_SIDECARS` defaults to false,
`pilot/pkg/features/experimental.go`). From 1.27.0 it defaults to `auto`
(`pilot/pkg/features/pilot.go`), and `DetectNativeSidecar` (`webhook.go`)
turns native on when the nodes' kubelets are Kubernetes 1.33 or newer
(setting `kubernetesVersion`; default: the newest release initlab models).

Also as upstream: app HTTP/TCP/gRPC probes and lifecycle hooks are rewritten
to the agent on the status port (15020) with the originals in the proxy's
`ISTIO_KUBE_APP_PROBERS` env (`sidecar.istio.io/rewriteAppHTTPProbers:
"false"` turns it off); traffic annotations change istio-init's args;
`sidecar.istio.io/proxyCPU`/`proxyMemory`/`...Limit` size istio-proxy AND
istio-init (so the pod's effective init request too); a user-declared
`istio-proxy` container is merged over the injected one (and recorded in
`proxy.istio.io/overrides`), its runAsUser replacing istio-init's `-u`;
`sidecar.istio.io/interceptionMode: NONE` drops istio-init (classic only);
with CNI the redirection settings are written as pod annotations for the
plugin; `sidecar.istio.io/userVolume`/`userVolumeMount` add volumes to the
proxy; an unreadable traffic, status or readiness annotation fails injection
(`validate.go: validateAnnotations`) and the pod is refused.

Where initlab differs, on purpose: the image is `docker.io/istio/proxyv2:<version>`
(the goldens use a test hub); the proxy's env list is the essential part
(no PROXY_CONFIG, ISTIO_META_POD_PORTS, ISTIO_CPU_LIMIT, GOMEMLIMIT,
GOMAXPROCS); only the sidecar template is modelled (not the gateway or gRPC
templates), and not TPROXY interception;
`ISTIO_KUBE_APP_PROBERS` leaves out values equal to the API server's
defaults (path `/`, scheme HTTP, timeoutSeconds 1), as upstream's goldens —
rendered from undefaulted test pods — do; re-injection of a pod that
already carries `sidecar.istio.io/status` is a no-op (upstream strips and
re-renders, which gives the same pod when nothing changed).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import pickle
from typing import Any

import yaml

from initlab.admission.webhooks.base import (
    Context,
    Registration,
    Verdict,
    _annotations,
    _container_defaults,
    _diff_patch,
    _labels,
    _list,
    _names,
    parse_bool,
    workload_owner,
)
from initlab.api import versions
from initlab.api.defaults import copy_json
from initlab.api.loader import image_pull_policy_default
from initlab.api.pod import metadata as pod_metadata
from initlab.api.pod import spec as pod_spec
from initlab.api.quantity import parse as parse_quantity

ISTIO_VERSION = "1.26.0"
#: Istio minor versions initlab models, and each one's default mode.
ISTIO_VERSIONS = ("1.26", "1.27")
ISTIO_MODES = ("classic", "native", "cni")
#: From this Istio version ENABLE_NATIVE_SIDECARS defaults to "auto"...
NATIVE_AUTO_SINCE = "1.27"
#: ...which means native on nodes running this Kubernetes version or newer.
NATIVE_AUTO_MIN_KUBERNETES = (1, 33)

STATUS_PORT = 15020
PROXY_UID = 1337


def _truthy_istio(value: str) -> bool | None:
    """Istio's reading of `sidecar.istio.io/inject` (`inject.go: injectRequired`):
    y/yes/true/on → inject, empty → use the policy, anything else → do not inject."""
    v = value.lower()
    if v in ("y", "yes", "true", "on"):
        return True
    if v == "":
        return None
    return False


def _minor(version: str) -> tuple[int, int]:
    """An unparsable version counts as the oldest (the setting is validated elsewhere)."""
    return versions.major_minor(version) or (0, 0)


def resolve_mode(settings: dict[str, Any] | Any) -> str:
    """The mode a webhook setting selects: `mode` if given, else the version's default
    (classic up to 1.26; from 1.27 native when the nodes run Kubernetes ≥ 1.33)."""
    mode = settings.get("mode")
    if mode:
        return str(mode)
    if settings.get("native"):  # the older boolean setting
        return "native"
    version = str(settings.get("version") or ISTIO_VERSION)
    if _minor(version) >= _minor(NATIVE_AUTO_SINCE):
        kube = str(settings.get("kubernetesVersion") or versions.DEFAULT)
        if _minor(kube) >= NATIVE_AUTO_MIN_KUBERNETES:
            return "native"
    return "classic"


ISTIO_IGNORED_NAMESPACES = ("kube-system", "kube-public")

#: `values.global.proxy.resources` of the istio-discovery chart.
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


_ISTIO_VOLUMES_FROZEN = pickle.dumps(ISTIO_VOLUMES, protocol=pickle.HIGHEST_PROTOCOL)


def _ann(annotations: dict[str, str], key: str, default: str) -> str:
    """The template's `annotation` function: the annotation if present (even empty), else the default."""
    return annotations[key] if key in annotations else default


def exclude_inbound_port(port: str, excluded: str) -> str:
    """`template.go: excludeInboundPort`: add the status port to the excluded inbound
    ports unless it is there already (or is 0)."""
    port = port.strip()
    if not port or port == "0":
        return excluded
    parts = excluded.split(",") if excluded else []
    out = []
    for p in parts:
        if p == port:
            return excluded
        if p.strip():
            out.append(p.strip())
    return ",".join([*out, port])


def istio_resources(annotations: dict[str, str]) -> dict[str, Any]:
    """The template's `resources` block: the proxy-resource annotations if any is
    set (only the ones set), else the chart's defaults. Used for istio-proxy
    AND istio-init."""
    keys = {
        ("requests", "cpu"): "sidecar.istio.io/proxyCPU",
        ("requests", "memory"): "sidecar.istio.io/proxyMemory",
        ("limits", "cpu"): "sidecar.istio.io/proxyCPULimit",
        ("limits", "memory"): "sidecar.istio.io/proxyMemoryLimit",
    }
    if not any(k in annotations for k in keys.values()):
        return copy_json(ISTIO_PROXY_RESOURCES)
    out: dict[str, Any] = {}
    for (group, res), key in keys.items():
        if key in annotations:
            out.setdefault(group, {})[res] = annotations[key]
    return out


def iptables_args(
    annotations: dict[str, str], uid: int = PROXY_UID, cni: bool = False
) -> list[str]:
    """istio-init's (or istio-validation's) `istio-iptables` arguments, from the template."""
    status_port = _ann(annotations, "status.sidecar.istio.io/port", str(STATUS_PORT))
    excluded = exclude_inbound_port(
        status_port, _ann(annotations, "traffic.sidecar.istio.io/excludeInboundPorts", "")
    )
    args = [
        "istio-iptables",
        "-p",
        "15001",
        "-z",
        "15006",
        "-u",
        str(uid),
        "-m",
        _ann(annotations, "sidecar.istio.io/interceptionMode", "REDIRECT"),
        "-i",
        _ann(annotations, "traffic.sidecar.istio.io/includeOutboundIPRanges", "*"),
        "-x",
        _ann(annotations, "traffic.sidecar.istio.io/excludeOutboundIPRanges", ""),
        "-b",
        _ann(annotations, "traffic.sidecar.istio.io/includeInboundPorts", "*"),
        "-d",
        f"15090,15021,{excluded}" if excluded else "15090,15021",
    ]
    for key, flag in (
        ("traffic.sidecar.istio.io/includeOutboundPorts", "-q"),
        ("traffic.sidecar.istio.io/excludeOutboundPorts", "-o"),
        ("traffic.sidecar.istio.io/kubevirtInterfaces", "-k"),
        ("istio.io/reroute-virtual-interfaces", "-k"),
        ("traffic.sidecar.istio.io/excludeInterfaces", "-c"),
    ):
        if key in annotations:
            args += [flag, annotations[key]]
    args.append(
        "--log_output_level=" + _ann(annotations, "sidecar.istio.io/agentLogLevel", "default:info")
    )
    if cni:
        args += ["--run-validation", "--skip-rule-apply"]
    return args


def cni_annotations(annotations: dict[str, str]) -> dict[str, str]:
    """With CNI (`pilot.cni.enabled`) the template writes the redirection settings into
    pod annotations, where the istio-cni plugin reads them when it sets up the pod's network."""
    status_port = _ann(annotations, "status.sidecar.istio.io/port", str(STATUS_PORT))
    out = {
        "sidecar.istio.io/interceptionMode": _ann(
            annotations, "sidecar.istio.io/interceptionMode", "REDIRECT"
        )
    }
    include = _ann(annotations, "traffic.sidecar.istio.io/includeOutboundIPRanges", "*")
    if include:
        out["traffic.sidecar.istio.io/includeOutboundIPRanges"] = include
    exclude = _ann(annotations, "traffic.sidecar.istio.io/excludeOutboundIPRanges", "")
    if exclude:
        out["traffic.sidecar.istio.io/excludeOutboundIPRanges"] = exclude
    out["traffic.sidecar.istio.io/includeInboundPorts"] = _ann(
        annotations, "traffic.sidecar.istio.io/includeInboundPorts", "*"
    )
    out["traffic.sidecar.istio.io/excludeInboundPorts"] = exclude_inbound_port(
        status_port, _ann(annotations, "traffic.sidecar.istio.io/excludeInboundPorts", "")
    )
    for key in (
        "traffic.sidecar.istio.io/includeOutboundPorts",
        "traffic.sidecar.istio.io/excludeOutboundPorts",
        "traffic.sidecar.istio.io/kubevirtInterfaces",
        "istio.io/reroute-virtual-interfaces",
        "traffic.sidecar.istio.io/excludeInterfaces",
    ):
        if annotations.get(key):
            out[key] = annotations[key]
    return out


#: The template reads only annotations named `...istio.io/...`; past this many characters
#: of them a pod's containers are rendered afresh rather than kept in the cache.
TEMPLATE_CACHE_CHARS = 4096


def _template_key(annotations: dict[str, str]) -> tuple[tuple[str, str], ...] | None:
    """The annotations the injection template reads, as a cache key (None: too large to keep).

    Every annotation the template functions below read has `istio.io/` in its name
    (`sidecar.istio.io/`, `traffic.sidecar.istio.io/`, `status.sidecar.istio.io/`,
    `readiness.status.sidecar.istio.io/`, `istio.io/reroute-virtual-interfaces`), so
    rendering from these alone gives the same containers.
    """
    items = tuple(sorted((k, v) for k, v in annotations.items() if "istio.io/" in k))
    if sum(len(k) + len(v) for k, v in items) > TEMPLATE_CACHE_CHARS:
        return None
    return items


def istio_init_container(
    image: str, annotations: dict[str, str] | None = None, cni: bool = False
) -> dict[str, Any]:
    """`istio-init` (or, with CNI, `istio-validation`) from the injection template.

    istio-init programs the pod's iptables so that all TCP goes through
    Envoy: NET_ADMIN and NET_RAW, run as root. Its resources are the proxy's
    (the template's `resources` block is used for both). istio-validation
    only checks that the CNI plugin did it: no capabilities, uid 1337,
    read-only root.

    Rendered (and defaulted) once per image, mode and istio annotations; each call
    gets its own copy.
    """
    annotations = annotations or {}
    key = _template_key(annotations)
    if key is None:
        return _render_init_container(image, annotations, cni)
    return _fresh(_cached_init_container(image, key, cni))


def _fresh(frozen: bytes) -> Any:
    """A new copy of a rendered template kept as a pickle (our own bytes): the C unpickler
    builds it several times faster than a Python deep copy."""
    return pickle.loads(frozen)  # noqa: S301 - pickled by this module, from its own values


def _frozen(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


@functools.lru_cache(maxsize=128)
def _cached_init_container(image: str, key: tuple[tuple[str, str], ...], cni: bool) -> bytes:
    """The rendered template of `istio_init_container`, pickled."""
    return _frozen(_render_init_container(image, dict(key), cni))


def _render_init_container(image: str, annotations: dict[str, str], cni: bool) -> dict[str, Any]:
    if cni:
        security = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "runAsGroup": PROXY_UID,
            "runAsNonRoot": True,
            "runAsUser": PROXY_UID,
        }
    else:
        security = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
            "privileged": False,
            "readOnlyRootFilesystem": False,
            "runAsGroup": 0,
            "runAsNonRoot": False,
            "runAsUser": 0,
        }
    return _container_defaults(
        {
            "name": "istio-validation" if cni else "istio-init",
            "image": image,
            "args": iptables_args(annotations, cni=cni),
            "resources": istio_resources(annotations),
            "securityContext": security,
        }
    )


def _go_uint(value: str, bits: int) -> str | None:
    """Go's `strconv.ParseUint(value, 10, bits)` error text, or None when it parses."""
    if not value.isdigit() or not value.isascii():
        return f'strconv.ParseUint: parsing "{value}": invalid syntax'
    if int(value) >= 1 << bits:
        return f'strconv.ParseUint: parsing "{value}": value out of range'
    return None


def _port_list_error(name: str, ports: str) -> str | None:
    for port in ports.strip().split(",") if ports.strip() else []:
        err = _go_uint(port.strip(), 16)
        if err:
            return (
                f"{name} invalid: failed parsing port '{port}': failed parsing port '{port}': {err}"
            )
    return None


def _cidr_list_error(name: str, cidrs: str) -> str | None:
    for cidr in cidrs.split(",") if cidrs else []:
        quoted = json.dumps(cidr)
        if "/" not in cidr:
            return (
                f"{name} invalid: failed parsing cidr '{cidr}': netip.ParsePrefix({quoted}): no '/'"
            )
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as e:
            return f"{name} invalid: failed parsing cidr '{cidr}': netip.ParsePrefix({quoted}): {e}"
    return None


def validate_annotations(annotations: dict[str, str]) -> str | None:
    """`validate.go: validateAnnotations` (the annotations initlab reads): the first
    problem as upstream words it, or None. Upstream then refuses the pod."""
    checks = {
        "sidecar.istio.io/interceptionMode": lambda v: (
            None
            if v in ("REDIRECT", "TPROXY", "NONE")
            else f"interceptionMode invalid, use REDIRECT,TPROXY,NONE: {v}"
        ),
        "status.sidecar.istio.io/port": lambda v: (
            f"excludeInboundPorts invalid: failed parsing port '{v}': {e}"
            if (e := _go_uint(v.strip(), 16))
            else None
        ),
        "readiness.status.sidecar.istio.io/initialDelaySeconds": lambda v: _go_uint(v, 32),
        "readiness.status.sidecar.istio.io/periodSeconds": lambda v: _go_uint(v, 32),
        "readiness.status.sidecar.istio.io/failureThreshold": lambda v: _go_uint(v, 32),
        "traffic.sidecar.istio.io/includeOutboundIPRanges": lambda v: (
            None if v == "*" else _cidr_list_error("includeIPRanges", v)
        ),
        "traffic.sidecar.istio.io/excludeOutboundIPRanges": lambda v: _cidr_list_error(
            "excludeIPRanges", v
        ),
        "traffic.sidecar.istio.io/includeInboundPorts": lambda v: (
            None if v == "*" else _port_list_error("includeInboundPorts", v)
        ),
        "traffic.sidecar.istio.io/excludeInboundPorts": lambda v: _port_list_error(
            "excludeInboundPorts", v
        ),
        "traffic.sidecar.istio.io/excludeOutboundPorts": lambda v: _port_list_error(
            "excludeOutboundPorts", v
        ),
        "prometheus.istio.io/merge-metrics": lambda v: (
            None
            if parse_bool(v) is not None
            else f'strconv.ParseBool: parsing "{v}": invalid syntax'
        ),
    }
    for name in sorted(annotations):
        check = checks.get(name)
        problem = check(annotations[name]) if check else None
        if problem:
            return f"invalid value '{annotations[name]}' for annotation '{name}': {problem}"
    return None


def _proxy_config(annotations: dict[str, str]) -> dict[str, Any]:
    """`proxy.istio.io/config` (ProxyConfig as YAML or JSON); {} if absent or unreadable."""
    raw = annotations.get("proxy.istio.io/config")
    if not raw:
        return {}
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError:
        return {}
    return doc if isinstance(doc, dict) else {}


def istio_proxy_container(
    image: str,
    pod: dict[str, Any],
    native: bool,
    annotations: dict[str, str] | None = None,
    hold: bool = False,
    network: str = "",
) -> dict[str, Any]:
    """`istio-proxy` (Envoy + pilot-agent), from the same injection template.

    As a native sidecar it is an init container with `restartPolicy: Always`;
    its startupProbe makes the kubelet wait for Envoy before the next init
    container, and a preStop drains it. In classic mode with
    `holdApplicationUntilProxyStarts` it gets the postStart `pilot-agent wait`.
    """
    annotations = annotations if annotations is not None else _annotations(pod)
    key = _template_key(annotations)
    if key is None:
        c = _render_proxy_container(image, native, annotations, hold, network)
    else:
        c = _fresh(_cached_proxy_container(image, native, key, hold, network))
    # What the template takes from the pod itself, filled into the rendered copy.
    meta = pod_metadata(pod)
    apps = [n for n in _names(_list(pod_spec(pod), "containers")) if n != "istio-proxy"]
    env: list[dict[str, Any]] = c["env"]
    at = 0
    for i, e in enumerate(env):
        if e["name"] == "ISTIO_META_APP_CONTAINERS":
            e["value"] = ",".join(apps)
        elif e["name"] == "ISTIO_META_WORKLOAD_NAME":
            e["value"] = _workload_name(pod)
        elif e["name"] == "TRUST_DOMAIN":
            at = i + 1
    owner = workload_owner(pod)
    if owner is not None:
        ref = next(
            r
            for r in meta.get("ownerReferences") or []
            if isinstance(r, dict) and r.get("controller")
        )
        api = str(ref.get("apiVersion") or "v1")
        ns = str(meta.get("namespace") or "default")
        value = f"kubernetes://apis/{api}/namespaces/{ns}/{owner[0].lower()}s/{owner[1]}"
        env.insert(at, {"name": "ISTIO_META_OWNER", "value": value})
    return c


@functools.lru_cache(maxsize=128)
def _cached_proxy_container(
    image: str, native: bool, key: tuple[tuple[str, str], ...], hold: bool, network: str
) -> bytes:
    """The rendered template of `istio_proxy_container`, pickled."""
    return _frozen(_render_proxy_container(image, native, dict(key), hold, network))


def _render_proxy_container(
    image: str, native: bool, annotations: dict[str, str], hold: bool, network: str
) -> dict[str, Any]:
    """istio-proxy as the template renders it, defaulted, before the pod's own values
    (its app containers, its workload and owner) are filled in."""
    status_port = _ann(annotations, "status.sidecar.istio.io/port", str(STATUS_PORT))
    mode = _ann(annotations, "sidecar.istio.io/interceptionMode", "REDIRECT")
    c: dict[str, Any] = {"name": "istio-proxy", "image": image}
    if native:
        c["restartPolicy"] = "Always"
    c["ports"] = [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}]
    c["args"] = [
        "proxy",
        "sidecar",
        "--domain",
        "$(POD_NAMESPACE).svc.cluster.local",
        "--proxyLogLevel=" + _ann(annotations, "sidecar.istio.io/logLevel", "warning"),
        "--proxyComponentLogLevel="
        + _ann(annotations, "sidecar.istio.io/componentLogLevel", "misc:error"),
        "--log_output_level=" + _ann(annotations, "sidecar.istio.io/agentLogLevel", "default:info"),
    ]
    if hold and not native:
        c["lifecycle"] = {"postStart": {"exec": {"command": ["pilot-agent", "wait"]}}}
    elif native:
        c["lifecycle"] = {
            "preStop": {
                "exec": {
                    "command": [
                        "pilot-agent",
                        "request",
                        f"--debug-port={status_port}",
                        "POST",
                        "drain",
                    ]
                }
            }
        }
    field = {
        "POD_NAME": "metadata.name",
        "POD_NAMESPACE": "metadata.namespace",
        "INSTANCE_IP": "status.podIP",
        "SERVICE_ACCOUNT": "spec.serviceAccountName",
        "HOST_IP": "status.hostIP",
    }
    env: list[dict[str, Any]] = [
        {"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
        {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"},
    ]
    env += [{"name": k, "valueFrom": {"fieldRef": {"fieldPath": v}}} for k, v in field.items()]
    env += [
        {"name": "ISTIO_META_APP_CONTAINERS", "value": ""},
        {"name": "ISTIO_META_CLUSTER_ID", "value": "Kubernetes"},
        {"name": "ISTIO_META_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "ISTIO_META_INTERCEPTION_MODE", "value": mode},
        {"name": "ISTIO_META_WORKLOAD_NAME", "value": ""},
        {"name": "ISTIO_META_MESH_ID", "value": "cluster.local"},
        {"name": "TRUST_DOMAIN", "value": "cluster.local"},
    ]
    if network:
        env.append({"name": "ISTIO_META_NETWORK", "value": network})
    c["env"] = env
    if status_port != "0":
        ready = {"httpGet": {"path": "/healthz/ready", "port": 15021}}
        c["startupProbe"] = {
            **copy_json(ready),
            "initialDelaySeconds": 0,
            "periodSeconds": 1,
            "timeoutSeconds": 3,
            "failureThreshold": 600,
        }
        c["readinessProbe"] = {
            **copy_json(ready),
            "initialDelaySeconds": int(
                _ann(annotations, "readiness.status.sidecar.istio.io/initialDelaySeconds", "0")
            ),
            "periodSeconds": int(
                _ann(annotations, "readiness.status.sidecar.istio.io/periodSeconds", "15")
            ),
            "timeoutSeconds": 3,
            "failureThreshold": int(
                _ann(annotations, "readiness.status.sidecar.istio.io/failureThreshold", "4")
            ),
        }
    c["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsGroup": PROXY_UID,
        "runAsNonRoot": True,
        "runAsUser": PROXY_UID,
    }
    c["resources"] = istio_resources(annotations)
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
    for name, mount in sorted(_json_map(annotations, "sidecar.istio.io/userVolumeMount").items()):
        if isinstance(mount, dict):
            c["volumeMounts"].append({"name": name, **mount})
    return _container_defaults(c)


def _json_map(annotations: dict[str, str], key: str) -> dict[str, Any]:
    """A JSON-object annotation (`sidecar.istio.io/userVolume`...); {} if absent or not an object.
    Upstream refuses an unreadable one (`validateAnnotations`); initlab ignores it."""
    try:
        doc = json.loads(annotations.get(key) or "{}")
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


# -- post-processing (webhook.go) ----------------------------------------------------------

#: List fields strategic merge patch merges by key (`k8s.io/api/core/v1` patchMergeKey).
_MERGE_KEYS = {"env": "name", "ports": "containerPort", "volumeMounts": "mountPath"}


def merge_container(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """A strategic merge of one container over another (`applyContainer`):
    maps merge, keyed lists merge by key, other values are replaced."""
    out = copy_json(base)
    for k, v in overlay.items():
        if k in _MERGE_KEYS and isinstance(v, list) and isinstance(out.get(k), list):
            key = _MERGE_KEYS[k]
            items = out[k]
            for item in v:
                at = next(
                    (
                        i
                        for i, x in enumerate(items)
                        if isinstance(x, dict) and x.get(key) == item.get(key)
                    ),
                    None,
                )
                if at is None:
                    items.append(copy_json(item))
                else:
                    items[at] = {**items[at], **item}
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge_maps(out[k], v)
        else:
            out[k] = copy_json(v)
    return out


def _merge_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = copy_json(a)
    for k, v in b.items():
        out[k] = (
            _merge_maps(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        )
    return out


#: Go's field order of `corev1.Container` and `corev1.SecurityContext` (for the
#: `proxy.istio.io/overrides` annotation, which is `json.Marshal` output).
#: Go's field order of the `k8s.io/api/core/v1` types in a container (the
#: `proxy.istio.io/overrides` annotation is `json.Marshal` output).
_GO_ORDER: dict[str, list[str]] = {
    "container": (
        "name image command args workingDir ports envFrom env resources resizePolicy "
        "restartPolicy volumeMounts volumeDevices livenessProbe readinessProbe startupProbe "
        "lifecycle terminationMessagePath terminationMessagePolicy imagePullPolicy "
        "securityContext stdin stdinOnce tty"
    ).split(),
    "securityContext": (
        "capabilities privileged seLinuxOptions windowsOptions runAsUser runAsGroup runAsNonRoot "
        "readOnlyRootFilesystem allowPrivilegeEscalation procMount seccompProfile appArmorProfile"
    ).split(),
    "resources": ["limits", "requests", "claims"],
    "volumeMount": (
        "name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr"
    ).split(),
    "port": ["name", "hostPort", "containerPort", "protocol", "hostIP"],
    "env": ["name", "value", "valueFrom"],
    "probe": (
        "exec httpGet tcpSocket grpc initialDelaySeconds timeoutSeconds periodSeconds "
        "successThreshold failureThreshold terminationGracePeriodSeconds"
    ).split(),
    "handler": ["exec", "httpGet", "tcpSocket", "sleep"],
    "httpGet": ["path", "port", "host", "scheme", "httpHeaders"],
    "lifecycle": ["postStart", "preStop", "stopSignal"],
}
#: The API server's probe defaults (`SetDefaults_Probe`), left out of "as written".
_PROBE_API_DEFAULTS = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def _go_order(d: dict[str, Any], kind: str) -> dict[str, Any]:
    order = _GO_ORDER[kind]
    return {k: d[k] for k in sorted(d, key=lambda k: order.index(k) if k in order else len(order))}


def _handler_as_written(h: Any, kind: str) -> Any:
    if not isinstance(h, dict):
        return h
    out = dict(h)
    get = out.get("httpGet")
    if isinstance(get, dict):
        get = {k: v for k, v in get.items() if not (k == "scheme" and v == "HTTP")}
        out["httpGet"] = _go_order(get, "httpGet")
    if kind == "probe":
        out = {k: v for k, v in out.items() if _PROBE_API_DEFAULTS.get(k) != v}
    return _go_order(out, kind)


def _quantities(group: Any) -> Any:
    if not isinstance(group, dict):
        return group
    out = {}
    for k, v in group.items():
        try:
            out[k] = str(parse_quantity(v))
        except Exception:  # noqa: BLE001 - left as written; validation reports it
            out[k] = v
    return out


def _as_written(c: dict[str, Any]) -> dict[str, Any]:
    """A user's container as `json.Marshal` writes it: Go's field order, canonical
    quantities, `resources` always present (a struct, not a pointer), `image: auto`
    dropped, and the API server's defaults left out (upstream's goldens are
    rendered from undefaulted pods; a value the user wrote equal to a default is
    indistinguishable and left out too)."""
    out = copy_json(c)
    if out.get("terminationMessagePath") == "/dev/termination-log":
        out.pop("terminationMessagePath")
    if out.get("terminationMessagePolicy") == "File":
        out.pop("terminationMessagePolicy")
    if out.get("imagePullPolicy") == image_pull_policy_default(out.get("image")):
        out.pop("imagePullPolicy")
    if out.get("image") in ("auto", ""):
        out.pop("image")
    res: dict[str, Any] = out["resources"] if isinstance(out.get("resources"), dict) else {}
    out["resources"] = _go_order({k: _quantities(v) for k, v in res.items()}, "resources")
    if isinstance(out.get("securityContext"), dict):
        out["securityContext"] = _go_order(out["securityContext"], "securityContext")
    for key, kind in (("volumeMounts", "volumeMount"), ("ports", "port"), ("env", "env")):
        if isinstance(out.get(key), list):
            items = [_go_order(x, kind) if isinstance(x, dict) else x for x in out[key]]
            if key == "ports":
                items = [
                    {k: v for k, v in x.items() if not (k == "protocol" and v == "TCP")}
                    if isinstance(x, dict)
                    else x
                    for x in items
                ]
            out[key] = items
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if probe in out:
            out[probe] = _handler_as_written(out[probe], "probe")
    if isinstance(out.get("lifecycle"), dict):
        hooks = {k: _handler_as_written(v, "handler") for k, v in out["lifecycle"].items()}
        out["lifecycle"] = _go_order(hooks, "lifecycle")
    return _go_order(out, "container")


_PROBER_DEFAULTS = {"path": "/", "scheme": "HTTP"}


def _prober(handler: Any, timeout: Any = None) -> dict[str, Any] | None:
    """`kubeProbeToInternalProber`: the httpGet/tcpSocket/grpc action and the timeout,
    without the API server's defaults (see the module docstring)."""
    if not isinstance(handler, dict):
        return None
    for kind in ("httpGet", "tcpSocket", "grpc"):
        action = handler.get(kind)
        if isinstance(action, dict):
            action = {
                k: v
                for k, v in action.items()
                if not (kind == "httpGet" and _PROBER_DEFAULTS.get(k) == v)
            }
            out: dict[str, Any] = {kind: action}
            if timeout not in (None, 0, 1):
                out["timeoutSeconds"] = timeout
            return out
    return None


def dump_app_probers(pod: dict[str, Any], status_port: int) -> dict[str, Any]:
    """`app_probe.go: DumpAppProbers`: every container's probes and lifecycle hooks,
    keyed by the agent URL that will serve them, named ports resolved."""
    out: dict[str, Any] = {}
    spec = pod_spec(pod)
    for c in _list(spec, "initContainers") + _list(spec, "containers"):
        if not isinstance(c, dict) or c.get("name") == "istio-proxy":
            continue
        name = c.get("name")
        ports = {
            p.get("name"): p.get("containerPort") for p in c.get("ports") or [] if p.get("name")
        }
        entries: list[tuple[str, dict[str, Any] | None]] = []
        for probe, url in (
            ("readinessProbe", f"/app-health/{name}/readyz"),
            ("livenessProbe", f"/app-health/{name}/livez"),
            ("startupProbe", f"/app-health/{name}/startupz"),
        ):
            p = c.get(probe)
            entries.append(
                (url, _prober(p, p.get("timeoutSeconds")) if isinstance(p, dict) else None)
            )
        lifecycle: dict[str, Any] = c["lifecycle"] if isinstance(c.get("lifecycle"), dict) else {}
        entries.append((f"/app-lifecycle/{name}/prestopz", _prober(lifecycle.get("preStop"))))
        entries.append((f"/app-lifecycle/{name}/poststartz", _prober(lifecycle.get("postStart"))))
        for url, prober in entries:
            if prober is None:
                continue
            action = prober.get("httpGet") or prober.get("tcpSocket")
            if isinstance(action, dict):
                port = action.get("port")
                if isinstance(port, str):
                    if port not in ports:
                        continue
                    action["port"] = ports[port]
                elif port == status_port:
                    continue
            out[url] = prober
    return out


def _rewrite_handler(handler: Any, url: str, port: int, probe: bool) -> Any:
    """`convertAppProber` / `convertAppLifecycleHandler`: point it at the agent."""
    if not isinstance(handler, dict):
        return handler
    kinds = ("httpGet", "tcpSocket", "grpc") if probe else ("httpGet", "tcpSocket")
    kind = next((k for k in kinds if isinstance(handler.get(k), dict)), None)
    if kind is None:
        return handler
    out = copy_json(handler)
    if kind == "httpGet":
        action = out["httpGet"]
        if action.get("scheme") == "HTTPS":
            action["scheme"] = "HTTP"
    else:
        out.pop(kind)
        action = out["httpGet"] = {}
    action["port"] = port
    action["path"] = url
    return out


def rewrite_app_probes(pod: dict[str, Any], status_port: int) -> None:
    """`patchRewriteProbe`: every non-proxy container's probes and hooks to the agent."""
    spec = pod_spec(pod)
    for c in _list(spec, "containers") + _list(spec, "initContainers"):
        if not isinstance(c, dict) or c.get("name") == "istio-proxy":
            continue
        name = c.get("name")
        for probe, suffix in (
            ("readinessProbe", "readyz"),
            ("livenessProbe", "livez"),
            ("startupProbe", "startupz"),
        ):
            if isinstance(c.get(probe), dict):
                c[probe] = _rewrite_handler(
                    c[probe], f"/app-health/{name}/{suffix}", status_port, True
                )
        lifecycle = c.get("lifecycle")
        if isinstance(lifecycle, dict):
            for hook, suffix in (("preStop", "prestopz"), ("postStart", "poststartz")):
                if isinstance(lifecycle.get(hook), dict):
                    lifecycle[hook] = _rewrite_handler(
                        lifecycle[hook], f"/app-lifecycle/{name}/{suffix}", status_port, False
                    )


def _move(items: list[dict[str, Any]], name: str, first: bool) -> list[dict[str, Any]]:
    """`modifyContainers` with MoveFirst / MoveLast."""
    match = [c for c in items if c.get("name") == name]
    rest = [c for c in items if c.get("name") != name]
    if not match:
        return rest
    return match[-1:] + rest if first else rest + match[-1:]


def reorder(spec: dict[str, Any], hold: bool) -> None:
    """`webhook.go: reorderPod`."""
    spec["containers"] = _move(_list(spec, "containers"), "istio-proxy", first=hold)
    inits = _list(spec, "initContainers")
    if "istio-proxy" in _names(inits):
        # native sidecar: {istio-init | istio-validation} => proxy => the rest
        for name in ("enable-core-dump", "istio-proxy", "istio-validation", "istio-init"):
            inits = _move(inits, name, first=True)
    else:
        # "we want iptables setup last so we do not blackhole init containers"
        inits = _move(inits, "istio-validation", first=True)
        inits = _move(inits, "istio-init", first=False)
        inits = _move(inits, "enable-core-dump", first=False)
    spec["initContainers"] = inits


def _canonical_name(labels: dict[str, str], fallback: str) -> str:
    name = (
        labels.get("service.istio.io/canonical-name")
        or labels.get("app.kubernetes.io/name")
        or labels.get("app")
        or fallback
    )
    return name[:63].removesuffix("-")


def _workload_name(pod: dict[str, Any]) -> str:
    """`kube.GetDeployMetaFromPod`: the controlling workload's name, else the pod's."""
    owner = workload_owner(pod)
    if owner is not None:
        return owner[1]
    meta = pod_metadata(pod)
    return str(meta.get("name") or meta.get("generateName") or "")


def istio_inject(request: dict[str, Any], ctx: Context) -> Verdict:
    """Istio's sidecar injector (`webhook.go: inject` → `injectPod`), see the module docstring.

    Settings: `mode` (classic | native | cni; default: the version's),
    `version` (1.26 | 1.27), `kubernetesVersion` (of the nodes, for 1.27's
    auto mode), `holdApplicationUntilProxyStarts` (mesh-wide), `network`
    (values.global.network), `image`.
    """
    # The request's object is only read (`out` below is the injector's own copy).
    obj = request.get("object") if isinstance(request, dict) else None
    pod: dict[str, Any] = obj if isinstance(obj, dict) else {}
    spec, meta = pod_spec(pod), pod_metadata(pod)
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

    invalid = validate_annotations(annotations)
    if invalid:
        # injectPod fails; toAdmissionResponse answers with the error and allowed: false.
        return Verdict(
            allowed=False, message=f"failed to run injection template: {invalid}", note=invalid
        )
    settings = ctx.settings
    version = str(settings.get("version") or ISTIO_VERSION)
    mode = resolve_mode(settings)
    image = str(settings.get("image") or f"docker.io/istio/proxyv2:{version}")
    native_ann = annotations.get("sidecar.istio.io/nativeSidecar")
    native = native_ann == "true" if native_ann in ("true", "false") else mode == "native"
    cni = mode == "cni"
    hold = bool(_proxy_config(annotations).get("holdApplicationUntilProxyStarts")) or bool(
        settings.get("holdApplicationUntilProxyStarts")
    )
    intercept_none = annotations.get("sidecar.istio.io/interceptionMode") == "NONE"
    status_port = int(_ann(annotations, "status.sidecar.istio.io/port", str(STATUS_PORT)) or 0)

    out = copy_json(pod)
    if not isinstance(out.get("metadata"), dict):
        out["metadata"] = {}
    if not isinstance(out.get("spec"), dict):
        out["spec"] = {}
    o_meta, o_spec = out["metadata"], out["spec"]
    inits = [c for c in _list(o_spec, "initContainers") if isinstance(c, dict)]
    apps = [c for c in _list(o_spec, "containers") if isinstance(c, dict)]
    user_proxy = next((c for c in apps + inits if c.get("name") == "istio-proxy"), None)
    if native and user_proxy is not None and user_proxy in apps:
        # RunTemplate: with native sidecars a user's istio-proxy moves to initContainers.
        apps = [c for c in apps if c is not user_proxy]
        inits = inits + [user_proxy]

    # The template, merged over the pod (strategic merge: containers by name).
    template_inits: list[dict[str, Any]] = []
    if not (intercept_none and not native):
        if not intercept_none:
            template_inits.append(istio_init_container(image, annotations, cni=cni))
    proxy = istio_proxy_container(
        image, pod, native, annotations, hold, str(settings.get("network") or "")
    )
    if native:
        template_inits.append(proxy)
    template_apps = [] if native else [proxy]

    def merged(
        current: list[dict[str, Any]], injected: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        result = list(current)
        for c in injected:
            at = next((i for i, x in enumerate(result) if x.get("name") == c["name"]), None)
            if at is None:
                result.append(c)
            else:
                # reapplyOverwrittenContainers: the user's container wins, field by field.
                over = copy_json(result[at])
                if over.get("image") == "auto":
                    over.pop("image")
                result[at] = merge_container(c, over)
        return result

    o_spec["initContainers"] = merged(inits, template_inits)
    o_spec["containers"] = merged(apps, template_apps)

    # reapplyOverwrittenContainers records the user's versions of injected containers.
    overrides: dict[str, Any] = {}
    for key, injected, declared in (
        ("containers", template_apps, apps),
        ("initContainers", template_inits, inits),
    ):
        names = set(_names(injected))
        mine = [_as_written(c) for c in declared if c.get("name") in names]
        if mine:
            overrides[key] = mine
    if user_proxy is not None:
        # adjustInitContainerUser: the proxy's uid replaces istio-init's "-u".
        uid = (user_proxy.get("securityContext") or {}).get("runAsUser")
        init = next(
            (
                c
                for c in o_spec["initContainers"]
                if c.get("name") in ("istio-init", "istio-validation")
            ),
            None,
        )
        if init is not None and isinstance(uid, int) and uid != 0:
            args = init.get("args") or []
            if "-u" in args:
                args[args.index("-u") + 1] = str(uid)
            if init["name"] == "istio-validation":
                init["securityContext"]["runAsUser"] = uid
        gid = (user_proxy.get("securityContext") or {}).get("runAsGroup")
        if init is not None and init["name"] == "istio-validation" and isinstance(gid, int):
            init["securityContext"]["runAsGroup"] = gid

    # The template's volumes, then `sidecar.istio.io/userVolume`'s (sorted, as Go ranges a map).
    injected_volumes = _fresh(_ISTIO_VOLUMES_FROZEN) + [
        {"name": name, **source}
        for name, source in sorted(_json_map(annotations, "sidecar.istio.io/userVolume").items())
        if isinstance(source, dict)
    ]
    vol_names = [v["name"] for v in injected_volumes]
    kept = [
        v
        for v in _list(o_spec, "volumes")
        if not (isinstance(v, dict) and v.get("name") in vol_names)
    ]
    o_spec["volumes"] = kept + injected_volumes

    lbl = o_meta.get("labels")
    if not isinstance(lbl, dict):
        lbl = o_meta["labels"] = {}
    lbl["security.istio.io/tlsMode"] = labels.get("security.istio.io/tlsMode") or "istio"
    lbl["service.istio.io/canonical-name"] = _canonical_name(labels, _workload_name(pod))
    lbl["service.istio.io/canonical-revision"] = (
        labels.get("service.istio.io/canonical-revision")
        or labels.get("app.kubernetes.io/version")
        or labels.get("version")
        or "latest"
    )
    network = str(settings.get("network") or "")
    if network:
        # applyMetadata: values.global.network labels the pod (and the proxy's env).
        lbl["topology.istio.io/network"] = labels.get("topology.istio.io/network") or network
    ann = o_meta.get("annotations")
    if not isinstance(ann, dict):
        ann = o_meta["annotations"] = {}
    ann["istio.io/rev"] = "default"
    app_names = [n for n in _names(apps) if n != "istio-proxy"]
    if app_names:
        ann.setdefault("kubectl.kubernetes.io/default-logs-container", app_names[0])
        ann.setdefault("kubectl.kubernetes.io/default-container", app_names[0])
    if overrides:
        ann["proxy.istio.io/overrides"] = json.dumps(overrides, separators=(",", ":"))
    if cni:
        ann.update(cni_annotations(annotations))

    sidecar = next(
        c for c in o_spec["containers"] + o_spec["initContainers"] if c.get("name") == "istio-proxy"
    )
    # applyPrometheusMerge: scrape the agent, keep the app's settings in an env.
    scrape = next(
        (
            v
            for k, v in annotations.items()
            if k.replace("/", "_").replace(".", "_") == "prometheus_io_scrape"
        ),
        None,
    )
    if (
        parse_bool(scrape or "true") is not False
        and parse_bool(annotations.get("prometheus.istio.io/merge-metrics", "true")) is not False
    ):
        current = {
            k.split("/")[-1]: v for k, v in annotations.items() if k.startswith("prometheus.io/")
        }
        if current.get("port") != str(STATUS_PORT):
            if current:
                sidecar["env"].append(
                    {
                        "name": "ISTIO_PROMETHEUS_ANNOTATIONS",
                        "value": json.dumps(current, separators=(",", ":")),
                    }
                )
            for k in [k for k in ann if k.startswith("prometheus.io/")]:
                ann.pop(k)
            ann["prometheus.io/port"] = str(STATUS_PORT)
            ann["prometheus.io/path"] = "/stats/prometheus"
            ann["prometheus.io/scrape"] = "true"

    # applyRewrite: app probes to the agent.
    rewrite = parse_bool(annotations.get("sidecar.istio.io/rewriteAppHTTPProbers", ""))
    if rewrite is not False:
        probers = dump_app_probers(out, STATUS_PORT)
        if probers:
            sidecar["env"].append(
                {
                    "name": "ISTIO_KUBE_APP_PROBERS",
                    "value": json.dumps(probers, separators=(",", ":"), sort_keys=True),
                }
            )
        rewrite_app_probes(out, status_port)

    ann["sidecar.istio.io/status"] = json.dumps(
        {
            "initContainers": _names(template_inits) or None,
            "containers": _names(template_apps) or None,
            "volumes": vol_names,
            "imagePullSecrets": None,
            "revision": "default",
        },
        separators=(",", ":"),
    )
    reorder(o_spec, hold)
    if not o_spec["initContainers"]:
        o_spec.pop("initContainers")

    if native:
        how = "istio-proxy as a native sidecar (init container, restartPolicy: Always) before the user's init containers"
    elif cni:
        how = "istio-validation FIRST (redirection by the CNI plugin), istio-proxy as the last container"
    else:
        how = "istio-init LAST among init containers, istio-proxy as " + (
            "the FIRST container (holdApplicationUntilProxyStarts)"
            if hold
            else "the last container"
        )
    patch = _diff_patch(pod, out, owned=True)
    return Verdict(patch=patch, note=f"injected ({mode}, Istio {version}): {how}")


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
