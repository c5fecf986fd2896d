"""The API server's defaults for a Pod: the one place they are written.

A port of `pkg/apis/core/v1/defaults.go` (kubernetes/kubernetes v1.33) for
the fields a pod with init containers reaches, run on the plain dict after
decoding and before validation, as the API server does:

- `SetDefaults_PodSpec`: `dnsPolicy: ClusterFirst`, `restartPolicy: Always`,
  `securityContext: {}`, `terminationGracePeriodSeconds: 30`,
  `schedulerName: default-scheduler`;
- `SetDefaults_Pod` (a Pod only, not a pod template): requests default to
  limits, per container (`initContainers` included); `enableServiceLinks:
  true`; with `hostNetwork`, `defaultHostNetworkPorts` (hostPort =
  containerPort). `PodLevelResources` is off in v1.33, so pod-level
  requests are not defaulted;
- `SetDefaults_Container`: `imagePullPolicy` from the image's tag
  (`parsers.ParseImageName`), `terminationMessagePath: /dev/termination-log`,
  `terminationMessagePolicy: File`;
- `SetDefaults_ContainerPort` (generated from the `+default=` marker):
  `protocol: TCP`; `SetDefaults_Probe`: timeout 1, period 10, success 1,
  failure 3 (on zero); `SetDefaults_HTTPGetAction`: `path: /`, `scheme:
  HTTP`; `SetDefaults_ObjectFieldSelector`: `apiVersion: v1` (in env and in
  downwardAPI volumes and projections);
  `SetDefaults_Volume`: a volume with no source is an `emptyDir: {}`.

The namespace `default` is not a defaulting function: the API server takes
it from the request (`kubectl` sends the context's namespace).

Go defaults a field on its zero value: absent, `null` or `""` for a string,
absent or `null` for a pointer. Wrongly typed parts are left as they are,
for validation to report; nothing here raises. Inputs are never mutated.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from initlab.api.quantity import Quantity, QuantityError

__all__ = [
    "apply_defaults",
    "default_container",
    "default_pod_spec",
    "image_pull_policy_default",
]

#: `v1.TerminationMessagePathDefault`, `v1.TerminationMessageReadFile`.
TERMINATION_MESSAGE_PATH = "/dev/termination-log"
TERMINATION_MESSAGE_POLICY = "File"

PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1}
PROBE_DEFAULTS["failureThreshold"] = 3

#: Volume sources (`v1.VolumeSource`'s JSON names): a volume with none is an emptyDir.
VOLUME_SOURCE_KEYS = (
    "emptyDir hostPath gitRepo gcePersistentDisk awsElasticBlockStore secret nfs iscsi "
    "glusterfs flocker persistentVolumeClaim rbd cinder cephfs quobyte downwardAPI fc "
    "flexVolume configMap azureFile vsphereVolume photonPersistentDisk portworxVolume "
    "azureDisk storageos projected scaleIO csi ephemeral image"
).split()

# github.com/distribution/reference regexp.go, as `ParseNormalizedNamed` uses it.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"((?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)(?::({_TAG}))?(?:@({_DIGEST}))?"
)
_NAME_TOTAL_LENGTH_MAX = 255


def image_tag(image: Any) -> str:
    """`parsers.ParseImageName`'s tag: "latest" when none is given, "" for a digest or an error.

    `pkg/util/parsers/parsers.go`: a reference that does not parse (empty,
    upper-case repository, spaces) gives an error, which `SetDefaults_Container`
    ignores, so its tag is "". With neither tag nor digest the tag is "latest".
    """
    if not isinstance(image, str):
        return ""
    m = _REFERENCE.fullmatch(image)
    if m is None or len(m.group(1)) > _NAME_TOTAL_LENGTH_MAX:
        return ""
    tag, digest = m.group(2) or "", m.group(3) or ""
    if not tag and not digest:
        return "latest"
    return tag


def image_pull_policy_default(image: Any) -> str:
    """`SetDefaults_Container`: Always when the tag is `latest` (or absent), else IfNotPresent."""
    return "Always" if image_tag(image) == "latest" else "IfNotPresent"


def _zero(value: Any) -> bool:
    """Go's zero value of a string or pointer field, as JSON can spell it."""
    return value is None or value == ""


def _default_handler(handler: Any) -> None:
    """`SetDefaults_HTTPGetAction` on a probe or lifecycle handler's `httpGet`."""
    if isinstance(handler, dict) and isinstance(handler.get("httpGet"), dict):
        get = handler["httpGet"]
        if _zero(get.get("path")):
            get["path"] = "/"
        if _zero(get.get("scheme")):
            get["scheme"] = "HTTP"


def _decodable(raw: Any) -> bool:
    """Would the decoder accept this quantity? (An undecodable one never reaches defaulting.)"""
    try:
        Quantity.parse(raw.strip() if isinstance(raw, str) else raw)
    except QuantityError:
        return False
    return True


def _requests_from_limits(resources: Any) -> None:
    """`SetDefaults_Pod`: a limit with no request of the same name makes that request."""
    if not isinstance(resources, dict) or not isinstance(resources.get("limits"), dict):
        return
    requests = resources.get("requests")
    if requests is None:
        requests = resources["requests"] = {}
    if not isinstance(requests, dict):
        return
    for name, value in resources["limits"].items():
        # The real server refuses an undecodable limit before defaulting: report it once.
        if name not in requests and _decodable(value):
            requests[name] = copy_json(value)


def default_container(c: dict[str, Any], is_pod: bool = True, host_network: bool = False) -> None:
    """Default one container in place (`SetDefaults_Container` and the nested defaulters)."""
    if _zero(c.get("imagePullPolicy")):
        c["imagePullPolicy"] = image_pull_policy_default(c.get("image"))
    if _zero(c.get("terminationMessagePath")):
        c["terminationMessagePath"] = TERMINATION_MESSAGE_PATH
    if _zero(c.get("terminationMessagePolicy")):
        c["terminationMessagePolicy"] = TERMINATION_MESSAGE_POLICY
    ports = c.get("ports")
    if isinstance(ports, list):
        for p in ports:
            if isinstance(p, dict):
                if _zero(p.get("protocol")):
                    p["protocol"] = "TCP"
                if host_network and p.get("hostPort") in (None, 0):  # defaultHostNetworkPorts
                    p["hostPort"] = p.get("containerPort")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(key)
        if isinstance(probe, dict):
            _default_handler(probe)
            for k, v in PROBE_DEFAULTS.items():
                if probe.get(k) in (None, 0):
                    probe[k] = v
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for handler in lifecycle.values():
            _default_handler(handler)
    env = c.get("env")
    if isinstance(env, list):
        for e in env:
            vf = e.get("valueFrom") if isinstance(e, dict) else None
            _default_field_ref(vf.get("fieldRef") if isinstance(vf, dict) else None)
    if is_pod:
        _requests_from_limits(c.get("resources"))


def _default_spec_in_place(spec: dict[str, Any], is_pod: bool) -> None:
    if _zero(spec.get("dnsPolicy")):
        spec["dnsPolicy"] = "ClusterFirst"
    if _zero(spec.get("restartPolicy")):
        spec["restartPolicy"] = "Always"
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    if _zero(spec.get("schedulerName")):
        spec["schedulerName"] = "default-scheduler"
    if is_pod and spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    host_network = spec.get("hostNetwork") is True
    for key in ("initContainers", "containers"):
        containers = spec.get(key)
        if isinstance(containers, list):
            for i, c in enumerate(containers):
                if c is None:  # Go decodes a null list item into a zero Container
                    c = containers[i] = {}
                if isinstance(c, dict):
                    default_container(c, is_pod, is_pod and host_network)
    volumes = spec.get("volumes")
    if isinstance(volumes, list):
        for v in volumes:
            if not isinstance(v, dict):
                continue
            if all(v[k] is None for k in v if k in _VOLUME_SOURCES):  # no source set
                v["emptyDir"] = {}
            _default_downward_api(v.get("downwardAPI"))
            projected = v.get("projected")
            sources = projected.get("sources") if isinstance(projected, dict) else None
            for source in sources if isinstance(sources, list) else []:
                if isinstance(source, dict):
                    _default_downward_api(source.get("downwardAPI"))


_VOLUME_SOURCES = frozenset(VOLUME_SOURCE_KEYS)


def _default_downward_api(source: Any) -> None:
    """`SetDefaults_ObjectFieldSelector` on each item of a downwardAPI volume (or projection)."""
    items = source.get("items") if isinstance(source, dict) else None
    for item in items if isinstance(items, list) else []:
        _default_field_ref(item.get("fieldRef") if isinstance(item, dict) else None)


def _default_field_ref(ref: Any) -> None:
    """`SetDefaults_ObjectFieldSelector`: `apiVersion: v1`."""
    if isinstance(ref, dict) and _zero(ref.get("apiVersion")):
        ref["apiVersion"] = "v1"


_SCALARS = (str, int, float, bool, type(None))


def copy_json(value: Any) -> Any:
    """A deep copy of decoded JSON (plain dicts, lists and scalars), several times faster
    than `copy.deepcopy`, which it falls back to for anything else (so nothing is shared)
    and for a structure that contains itself (which decoded JSON never does)."""
    try:
        return _copy_json(value)
    except RecursionError:
        return copy.deepcopy(value)


def _copy_json(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [_copy_json(v) for v in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


def default_pod_spec(spec: Any, is_pod: bool = True) -> Any:
    """A defaulted copy of a PodSpec (`is_pod=False` for a template: no `SetDefaults_Pod`)."""
    if not isinstance(spec, dict):
        return spec
    out = copy_json(spec)
    _default_spec_in_place(out, is_pod)
    return out


def apply_defaults(pod: dict[str, Any]) -> dict[str, Any]:
    """A defaulted deep copy of a Pod, as the API server stores it on create."""
    return default_pod_in_place(copy_json(pod))


def default_pod_in_place(out: dict[str, Any]) -> dict[str, Any]:
    """`apply_defaults` without the copy, for a pod the caller owns; returns it."""
    meta = out.get("metadata")
    if isinstance(meta, dict) and _zero(meta.get("namespace")):
        meta["namespace"] = "default"
    spec = out.get("spec")
    if isinstance(spec, dict):
        _default_spec_in_place(spec, is_pod=True)
    return out
