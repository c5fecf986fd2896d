"""Decoding a Pod as the API server does: a field of the wrong JSON type refuses the object.

Before defaulting or validating, the API server decodes the request body into
Go structs (`k8s.io/api/core/v1` types, `sigs.k8s.io/json`, a fork of Go's
`encoding/json`). A value whose JSON type cannot go into the field's Go type
stops the request with the decoder's `UnmarshalTypeError`

    json: cannot unmarshal object into Go struct field PodSpec.spec.initContainers of type []v1.Container

(`Error()`: "Go struct field " + the innermost struct's name + "." + the JSON
field names from the top, joined with dots, without list indices; the type
is the Go type after dereferencing pointers), wrapped by the API server's
`transformDecodeError` (`k8s.io/apiserver/pkg/endpoints/handlers/rest.go`):
`Pod in version "v1" cannot be handled as a Pod: ...`, a BadRequest.

kubectl sends YAML as JSON made by `sigs.k8s.io/yaml` (`json.Marshal` of a
map: keys sorted), and Go keeps the *first* type error of the walk, so
`first_decode_error` walks keys in sorted order. `null` is the zero value,
never an error; unknown fields are ignored here (strict field validation is
the server's next step). Numbers into integer fields must be integers in
range (`number 1.5`, `number 3000000000` for an int32).

The table below holds the Go types of the Pod fields initlab reads. Values
with their own `UnmarshalJSON` (`resource.Quantity`, `intstr.IntOrString`,
`metav1.Time`) and the sub-structs it does not list are checked only for
being JSON objects where a struct is expected; their deeper contents are
left to validation.
"""

from __future__ import annotations

import json
from typing import Any

from initlab.errors import InitlabError, bounded, one_line

# A Go type: ("struct", "Name") | ("slice", elem) | ("map", elem, "go name") | ("scalar", kind, "go name")
# | ("custom",) for types with their own UnmarshalJSON.
GoType = tuple[Any, ...]

STRING: GoType = ("scalar", "string", "string")
BOOL: GoType = ("scalar", "bool", "bool")
INT32: GoType = ("scalar", "int32", "int32")
INT64: GoType = ("scalar", "int64", "int64")
CUSTOM: GoType = ("custom",)
STRINGS: GoType = ("slice", STRING)
STRING_MAP: GoType = ("map", STRING, "map[string]string")
RESOURCE_LIST: GoType = ("map", CUSTOM, "v1.ResourceList")


def _named(name: str) -> GoType:
    """A named string type, e.g. v1.RestartPolicy."""
    return ("scalar", "string", name)


def _struct(name: str) -> GoType:
    return ("struct", name)


def _slice(name: str) -> GoType:
    return ("slice", _struct(name))


#: struct name -> JSON field -> Go type (k8s.io/api core/v1 types.go, apimachinery meta/v1).
STRUCTS: dict[str, dict[str, GoType]] = {
    "Pod": {
        "apiVersion": STRING,
        "kind": STRING,
        "metadata": _struct("ObjectMeta"),
        "spec": _struct("PodSpec"),
        "status": _struct("PodStatus"),
    },
    "PodTemplateSpec": {
        "metadata": _struct("ObjectMeta"),
        "spec": _struct("PodSpec"),
    },
    "ObjectMeta": {
        "name": STRING,
        "generateName": STRING,
        "namespace": STRING,
        "uid": _named("types.UID"),
        "resourceVersion": STRING,
        "generation": INT64,
        "creationTimestamp": CUSTOM,
        "deletionTimestamp": CUSTOM,
        "deletionGracePeriodSeconds": INT64,
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "ownerReferences": _slice("OwnerReference"),
        "finalizers": STRINGS,
    },
    "OwnerReference": {
        "apiVersion": STRING,
        "kind": STRING,
        "name": STRING,
        "uid": _named("types.UID"),
        "controller": BOOL,
        "blockOwnerDeletion": BOOL,
    },
    "PodSpec": {
        "volumes": _slice("Volume"),
        "initContainers": _slice("Container"),
        "containers": _slice("Container"),
        "ephemeralContainers": _slice("EphemeralContainer"),
        "restartPolicy": _named("v1.RestartPolicy"),
        "terminationGracePeriodSeconds": INT64,
        "activeDeadlineSeconds": INT64,
        "dnsPolicy": _named("v1.DNSPolicy"),
        "nodeSelector": STRING_MAP,
        "serviceAccountName": STRING,
        "serviceAccount": STRING,
        "automountServiceAccountToken": BOOL,
        "nodeName": STRING,
        "hostNetwork": BOOL,
        "hostPID": BOOL,
        "hostIPC": BOOL,
        "shareProcessNamespace": BOOL,
        "securityContext": _struct("PodSecurityContext"),
        "imagePullSecrets": _slice("LocalObjectReference"),
        "hostname": STRING,
        "subdomain": STRING,
        "affinity": _struct("Affinity"),
        "schedulerName": STRING,
        "tolerations": _slice("Toleration"),
        "priorityClassName": STRING,
        "priority": INT32,
        "readinessGates": _slice("PodReadinessGate"),
        "runtimeClassName": STRING,
        "enableServiceLinks": BOOL,
        "preemptionPolicy": _named("v1.PreemptionPolicy"),
        "overhead": RESOURCE_LIST,
        "topologySpreadConstraints": _slice("TopologySpreadConstraint"),
        "resources": _struct("ResourceRequirements"),
    },
    "Container": {
        "name": STRING,
        "image": STRING,
        "command": STRINGS,
        "args": STRINGS,
        "workingDir": STRING,
        "ports": _slice("ContainerPort"),
        "envFrom": _slice("EnvFromSource"),
        "env": _slice("EnvVar"),
        "resources": _struct("ResourceRequirements"),
        "restartPolicy": _named("v1.ContainerRestartPolicy"),
        "volumeMounts": _slice("VolumeMount"),
        "volumeDevices": _slice("VolumeDevice"),
        "livenessProbe": _struct("Probe"),
        "readinessProbe": _struct("Probe"),
        "startupProbe": _struct("Probe"),
        "lifecycle": _struct("Lifecycle"),
        "terminationMessagePath": STRING,
        "terminationMessagePolicy": _named("v1.TerminationMessagePolicy"),
        "imagePullPolicy": _named("v1.PullPolicy"),
        "securityContext": _struct("SecurityContext"),
        "stdin": BOOL,
        "stdinOnce": BOOL,
        "tty": BOOL,
    },
    "ContainerPort": {
        "name": STRING,
        "hostPort": INT32,
        "containerPort": INT32,
        "protocol": _named("v1.Protocol"),
        "hostIP": STRING,
    },
    "EnvVar": {"name": STRING, "value": STRING, "valueFrom": _struct("EnvVarSource")},
    "VolumeMount": {
        "name": STRING,
        "readOnly": BOOL,
        "mountPath": STRING,
        "subPath": STRING,
        "subPathExpr": STRING,
    },
    "ResourceRequirements": {
        "limits": RESOURCE_LIST,
        "requests": RESOURCE_LIST,
        "claims": _slice("ResourceClaim"),
    },
    "Probe": {
        "exec": _struct("ExecAction"),
        "httpGet": _struct("HTTPGetAction"),
        "tcpSocket": _struct("TCPSocketAction"),
        "grpc": _struct("GRPCAction"),
        "initialDelaySeconds": INT32,
        "timeoutSeconds": INT32,
        "periodSeconds": INT32,
        "successThreshold": INT32,
        "failureThreshold": INT32,
        "terminationGracePeriodSeconds": INT64,
    },
    "ExecAction": {"command": STRINGS},
    "Volume": {
        "name": STRING,
        "emptyDir": _struct("EmptyDirVolumeSource"),
        "hostPath": _struct("HostPathVolumeSource"),
        "secret": _struct("SecretVolumeSource"),
        "configMap": _struct("ConfigMapVolumeSource"),
        "persistentVolumeClaim": _struct("PersistentVolumeClaimVolumeSource"),
        "projected": _struct("ProjectedVolumeSource"),
        "downwardAPI": _struct("DownwardAPIVolumeSource"),
    },
    "Toleration": {
        "key": STRING,
        "operator": _named("v1.TolerationOperator"),
        "value": STRING,
        "effect": _named("v1.TaintEffect"),
        "tolerationSeconds": INT64,
    },
    "PodStatus": {
        "phase": _named("v1.PodPhase"),
        "conditions": _slice("PodCondition"),
        "message": STRING,
        "reason": STRING,
        "nominatedNodeName": STRING,
        "hostIP": STRING,
        "podIP": STRING,
        "startTime": CUSTOM,
        "initContainerStatuses": _slice("ContainerStatus"),
        "containerStatuses": _slice("ContainerStatus"),
        "ephemeralContainerStatuses": _slice("ContainerStatus"),
        "qosClass": _named("v1.PodQOSClass"),
    },
    "PodCondition": {
        "type": _named("v1.PodConditionType"),
        "status": _named("v1.ConditionStatus"),
        "lastProbeTime": CUSTOM,
        "lastTransitionTime": CUSTOM,
        "reason": STRING,
        "message": STRING,
    },
    "ContainerStatus": {
        "name": STRING,
        "state": _struct("ContainerState"),
        "lastState": _struct("ContainerState"),
        "ready": BOOL,
        "restartCount": INT32,
        "image": STRING,
        "imageID": STRING,
        "containerID": STRING,
        "started": BOOL,
    },
    "ContainerState": {
        "waiting": _struct("ContainerStateWaiting"),
        "running": _struct("ContainerStateRunning"),
        "terminated": _struct("ContainerStateTerminated"),
    },
    "ContainerStateWaiting": {"reason": STRING, "message": STRING},
    "ContainerStateRunning": {"startedAt": CUSTOM},
    "ContainerStateTerminated": {
        "exitCode": INT32,
        "signal": INT32,
        "reason": STRING,
        "message": STRING,
        "startedAt": CUSTOM,
        "finishedAt": CUSTOM,
        "containerID": STRING,
    },
}

_INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def json_kind(value: Any) -> str:
    """encoding/json's name for a JSON value in an UnmarshalTypeError (`bool`, `object`,
    `array`, `string`, `number`); a value JSON cannot hold is named by its Python type."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _go_name(t: GoType) -> str:
    kind = t[0]
    if kind == "struct":
        return f"v1.{t[1]}"
    if kind == "slice":
        return "[]" + _go_name(t[1])
    if kind in ("map", "scalar"):
        return str(t[2])
    return "?"


def _number_text(value: Any) -> str:
    """The JSON number as written (a float that is whole prints as Go reads it back)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return repr(value)
    return str(value)


def _check(value: Any, t: GoType, struct: str, path: list[str]) -> str | None:
    """The first UnmarshalTypeError message for value decoded into Go type t, or None."""
    if value is None or t[0] == "custom":
        return None

    def err(what: str) -> str:
        where = ".".join(path)
        return f"json: cannot unmarshal {what} into Go struct field {struct}.{where} of type {_go_name(t)}"

    kind = t[0]
    if kind == "struct":
        if not isinstance(value, dict):
            return err(json_kind(value))
        fields = STRUCTS.get(t[1])
        if fields is None:
            return None
        for key in sorted(value):
            if key in fields:
                found = _check(value[key], fields[key], t[1], [*path, key])
                if found:
                    return found
        return None
    if kind == "slice":
        if not isinstance(value, list):
            return err(json_kind(value))
        for item in value:
            found = _check(item, t[1], struct, path)
            if found:
                return found
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return err(json_kind(value))
        for key in sorted(value):
            found = _check(value[key], t[1], struct, path)
            if found:
                return found
        return None
    scalar = t[1]
    if scalar == "string":
        return None if isinstance(value, str) else err(json_kind(value))
    if scalar == "bool":
        return None if isinstance(value, bool) else err(json_kind(value))
    # integers
    if isinstance(value, bool) or not isinstance(value, int | float):
        return err(json_kind(value))
    low, high = _INT_RANGE[scalar]
    if isinstance(value, float) and not value.is_integer():
        return err(f"number {_number_text(value)}")
    if not low <= int(value) <= high:
        return err(f"number {_number_text(value)}")
    return None


def first_decode_error(pod: Any) -> str | None:
    """The decoder's error for this Pod (`json: cannot unmarshal ...`), or None if it decodes."""
    if not isinstance(pod, dict):
        return None
    fields = STRUCTS["Pod"]
    for key in sorted(pod):
        if key in fields:
            found = _check(pod[key], fields[key], "Pod", [key])
            if found:
                return found
    return None


class DecodeError(InitlabError):
    """The API server cannot decode the object (a BadRequest, exit 1)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        self.message = one_line(bounded(message, 2000))
        super().__init__(self.message)


def first_template_decode_error(obj: Any, template_path: tuple[str, ...]) -> str | None:
    """The decoder's error inside a workload's pod template (a `PodTemplateSpec` at
    `template_path`, e.g. `spec.template` of a Deployment), or None.

    Only the template is checked: the workload's own fields (`replicas`,
    `selector`...) are not modelled.
    """
    node: Any = obj
    for key in template_path:
        node = node.get(key) if isinstance(node, dict) else None
    return _check(node, _struct("PodTemplateSpec"), "PodTemplateSpec", list(template_path))


def check_decodes(obj: Any, source: str = "", template_path: tuple[str, ...] | None = None) -> None:
    """Raise `DecodeError` with the API server's words if the object would not decode.

    `obj` is a Pod, or (with `template_path`) a workload checked by its pod template.
    """
    if template_path is None:
        found = first_decode_error(obj)
    else:
        found = first_template_decode_error(obj, template_path)
    if found is None:
        return
    kind = "Pod"
    api_version = "v1"
    if isinstance(obj, dict):
        kind = str(obj.get("kind") or kind)
        api_version = str(obj.get("apiVersion") or api_version)
    # transformDecodeError names the version without its group: apps/v1 -> "v1".
    version = api_version.rsplit("/", 1)[-1]
    # kubectl names the file it read; an in-memory source ("<scenario>") has none.
    where = f'error when creating "{source}": ' if source and not source.startswith("<") else ""
    quoted = json.dumps(version, ensure_ascii=False)  # Go's %q, for the printable case
    raise DecodeError(
        f"Error from server (BadRequest): {where}{kind} in version {quoted} "
        f"cannot be handled as a {kind}: {found}"
    )
