"""API validation of a Pod, as the Kubernetes API server does it.

A port of `pkg/apis/core/validation/validation.go` (kubernetes/kubernetes
@000f26050b9b, the v1.33 era) for everything a learner meets with init
containers, with apimachinery's messages
(`pkg/util/validation/validation.go`, `field/errors.go`). Functions keep
upstream's names in their docstrings and report errors in upstream's order.

How the input is read
---------------------
The API server first *decodes* the JSON into Go structs, then *defaults*
(`pkg/apis/core/v1/defaults.go`), then *validates*. We do the same three
steps on the plain dict:

- **Decoding.** A wrongly typed field (`containers: "x"`, `ports: 5`,
  `image: 3`) would make the real server refuse the whole request with a
  decoding error such as ``json: cannot unmarshal string into Go struct field
  PodSpec.spec.containers of type []v1.Container``. We report it instead as
  ``<path>: Invalid value: "x": must be of type array`` (the JSON-schema type
  name: string, integer, boolean, array, object), then skip that field and
  keep validating everything else, so a learner sees every problem at once.
  The bad value is printed only when it is a JSON scalar. `null` is what Go
  makes of it: the field is absent.
- **Defaulting.** Absent (or `""`, or `null`) fields get the API server's
  defaults before validation, exactly as `SetDefaults_*` do: `restartPolicy:
  Always`, `dnsPolicy: ClusterFirst`, `terminationGracePeriodSeconds: 30`,
  `imagePullPolicy`, `terminationMessagePolicy: File`, port `protocol: TCP`,
  probe timings, `httpGet.path: /` and `scheme: HTTP`, `fieldRef.apiVersion:
  v1`, a volume with no source becomes `emptyDir: {}`, and (for a Pod, not a
  template) requests default to limits. Input is never mutated.
  Upstream's unit tests call the validators on *undefaulted* objects; pass
  ``options=UPSTREAM_UNIT_TEST_OPTIONS`` to do the same.
- **Validation.** Feature gates are taken at their v1.33 defaults:
  `InPlacePodVerticalScaling` on (so `resizePolicy` on init containers is
  allowed, V7), `RelaxedEnvironmentVariableValidation` on (env names may be
  any printable ASCII but `=`), `PodLifecycleSleepActionAllowZero` on,
  `ContainerRestartRules` off (V2/V8 apply), `PodLevelResources` off.

Not ported (accepted silently): volume-source internals beyond the source
count, `emptyDir.sizeLimit` and the required `hostPath.path`,
`secret.secretName`, `configMap.name`, `persistentVolumeClaim.claimName`; `volumeDevices`;
`mountPropagation`; hugepages value divisibility; resource claims;
securityContext beyond `privileged`/`allowPrivilegeEscalation`; pod
securityContext, affinity, tolerations (except on update), topology spread,
readiness gates, annotations size, OS-specific rules; ephemeral containers
beyond "cannot be set on create"; unknown-field (strict decoding) errors;
type errors inside a subtree validation never reads (e.g. the contents of a
forbidden init-container probe).
Errors from Go map iteration (resources, labels) come in the dict's order;
upstream's order there is random.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from initlab.api.decoding import json_kind
from initlab.api.defaults import default_pod_spec
from initlab.api.pod import as_dict, as_list, as_str
from initlab.api.quantity import Quantity, QuantityError
from initlab.errors import (
    DUPLICATE,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    NOT_SUPPORTED,
    REQUIRED,
    FieldError,
)

__all__ = [
    "UPSTREAM_UNIT_TEST_OPTIONS",
    "ValidationOptions",
    "decoding_errors",
    "default_pod_spec",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "validate_pod",
    "validate_pod_spec",
    "validate_pod_update",
]

MAX_INT32 = 2**31 - 1
_INT64_MAX = 2**63 - 1
_INT64_MIN = -(2**63)


@dataclass(frozen=True)
class ValidationOptions:
    """`PodValidationOptions` plus the gates and steps that change the answer.

    Defaults are what a v1.33+ API server does with a new Pod.
    """

    apply_defaults: bool = True
    allow_sidecar_resize_policy: bool = True  # InPlacePodVerticalScaling (beta, on)
    allow_relaxed_env_var_names: bool = True  # RelaxedEnvironmentVariableValidation
    allow_sleep_zero: bool = True  # PodLifecycleSleepActionAllowZero
    allow_privileged: bool = True  # kube-apiserver --allow-privileged (kind/kubeadm: true)


#: What upstream's `validation_test.go` uses: `PodValidationOptions{}`, no defaulting.
UPSTREAM_UNIT_TEST_OPTIONS = ValidationOptions(
    apply_defaults=False,
    allow_sidecar_resize_policy=False,
    allow_relaxed_env_var_names=False,
    allow_sleep_zero=False,
    allow_privileged=False,
)
_DEFAULT_OPTIONS = ValidationOptions()

# -- apimachinery pkg/util/validation ---------------------------------------------

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_RE = re.compile(_QNAME_FMT)
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_ENV_VAR_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_RE = re.compile(_ENV_VAR_FMT)
_CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_KEY_RE = re.compile(_CONFIG_KEY_FMT)
_HTTP_HEADER_FMT = "[-A-Za-z0-9]+"
_HTTP_HEADER_RE = re.compile(_HTTP_HEADER_FMT)
_PORT_NAME_CHARS_RE = re.compile("[-a-z0-9]+")
_RELAXED_ENV_MSG = (
    "a valid environment variable name must consist only of printable ASCII "
    "characters other than '='"
)


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """`RegexError`, with its double space before each "or"."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    msg += " (e.g. "
    for i, ex in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += f"'{ex}', "
    return msg + f"regex used for validation is '{fmt}')"


def max_len_error(n: int) -> str:
    """`MaxLenError`."""
    return f"must be no more than {n} characters"


def inclusive_range_error(lo: int, hi: int) -> str:
    """`InclusiveRangeError`."""
    return f"must be between {lo} and {hi}, inclusive"


def _blen(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


def is_dns1123_label(value: str) -> list[str]:
    """`IsDNS1123Label`: container, volume and port-less names."""
    errs = []
    if _blen(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(
                regex_error(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                    "characters or '-', and must start and end with an alphanumeric character",
                    _DNS1123_LABEL_FMT,
                    "my-name",
                    "123-abc",
                )
            )
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """`IsDNS1123Subdomain`: Pod names, node names, service-account names."""
    errs = []
    if _blen(value) > 253:
        errs.append(max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(
            regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errs


def _mask_trailing_dash(name: str) -> str:
    """apimachinery `maskTrailingDash` (it drops two characters; upstream quirk kept)."""
    if name.endswith("-"):
        return name[: max(len(name) - 2, 0)] + "a"
    return name


def is_qualified_name(value: str) -> list[str]:
    """`IsQualifiedName` (= `content.IsLabelKey`): resource names, label keys."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in is_dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name "
            + regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif _blen(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _QNAME_RE.fullmatch(name):
        errs.append(
            "name part " + regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """`IsValidLabelValue`."""
    errs = []
    if _blen(value) > 63:
        errs.append(max_len_error(63))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(
            regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, "
                "'-', '_' or '.', and must start and end with an alphanumeric character",
                _LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


def _has_chdir_prefix(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def is_env_var_name(value: str) -> list[str]:
    """`IsEnvVarName` (the strict rule, before RelaxedEnvironmentVariableValidation)."""
    errs = []
    if not _ENV_VAR_RE.fullmatch(value):
        errs.append(
            regex_error(
                "a valid environment variable name must consist of alphabetic characters, "
                "digits, '_', '-', or '.', and must not start with a digit",
                _ENV_VAR_FMT,
                "my.env-name",
                "MY_ENV.NAME",
                "MyEnvName1",
            )
        )
    return errs + _has_chdir_prefix(value)


def is_relaxed_env_var_name(value: str) -> list[str]:
    """`IsRelaxedEnvVarName`: printable ASCII (space included) except '='."""
    errs = []
    if not value:
        errs.append("environment variable name must be non-empty")
    if any(not (0x20 <= ord(c) <= 0x7E) or c == "=" for c in value):
        errs.append(_RELAXED_ENV_MSG)
    return errs


def is_config_map_key(value: str) -> list[str]:
    """`IsConfigMapKey`."""
    errs = []
    if _blen(value) > 253:
        errs.append(max_len_error(253))
    if not _CONFIG_KEY_RE.fullmatch(value):
        errs.append(
            regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                _CONFIG_KEY_FMT,
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    return errs + _has_chdir_prefix(value)


def is_valid_port_num(port: int) -> list[str]:
    """`IsValidPortNum`."""
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


def is_valid_port_name(port: str) -> list[str]:
    """`IsValidPortName` (IANA_SVC_NAME)."""
    errs = []
    if _blen(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARS_RE.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


# -- error constructors (apimachinery field/errors.go) ------------------------------


def _safe(value: Any) -> Any:
    """A bad value ErrorBody can always render (cycles and odd keys become strings)."""
    try:
        json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:200]
    return value


def _required(path: str, detail: str = "") -> FieldError:
    return FieldError(path, REQUIRED, detail)


def _forbidden(path: str, detail: str) -> FieldError:
    return FieldError(path, FORBIDDEN, detail)


def _invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(path, INVALID, detail, _safe(value))


def _duplicate(path: str, value: Any) -> FieldError:
    return FieldError(path, DUPLICATE, "", _safe(value))


def _not_found(path: str, value: Any) -> FieldError:
    return FieldError(path, NOT_FOUND, "", _safe(value))


def _not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    detail = ""
    if supported:
        detail = "supported values: " + ", ".join(json.dumps(v) for v in supported)
    return FieldError(path, NOT_SUPPORTED, detail, _safe(value))


# -- decoding: types ------------------------------------------------------------------

_BAD = object()  # a field of the wrong type: already reported, skip it
_JSON_TYPES = {
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _type_error(path: str, value: Any, expected: str) -> FieldError:
    """A decoding error, reported as a field error (see the module docstring)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        return FieldError(path, INVALID, f"must be of type {expected}", value)
    # Scalars were handled above: what is left is an array, an object or a non-JSON value.
    return FieldError(path, INVALID, f"must be of type {expected}, not {json_kind(value)}")


def _as(value: Any, expected: str, path: str, errs: list[FieldError]) -> Any:
    """Decode `value` as a JSON `expected` type: the value, None if absent, or _BAD."""
    if value is None:
        return None
    # Every integer field is at most an int64: beyond it, Go's decoder refuses the number.
    if expected in ("integer", "int-or-string"):
        if isinstance(value, str) and expected == "int-or-string":
            return value
        if isinstance(value, bool):
            pass
        elif isinstance(value, int | float) and _INT64_MIN <= value <= _INT64_MAX:
            if isinstance(value, int):
                return value
            if value.is_integer():
                return int(value)
    elif isinstance(value, _JSON_TYPES[expected]):
        return value
    errs.append(_type_error(path, value, expected))
    return _BAD


def _field(obj: dict[str, Any], key: str, expected: str, path: str, errs: list[FieldError]) -> Any:
    return _as(obj.get(key), expected, f"{path}.{key}", errs)


def _str(obj: dict[str, Any], key: str, path: str, errs: list[FieldError]) -> str | None:
    """A string field: its value, "" if absent, None if wrongly typed."""
    v = _field(obj, key, "string", path, errs)
    if v is _BAD:
        return None
    return v or ""


def _objects(
    obj: dict[str, Any], key: str, path: str, errs: list[FieldError]
) -> list[tuple[int, dict[str, Any]]] | None:
    """A list-of-objects field as (index, item) for the well-typed items; None if not a list."""
    v = _field(obj, key, "array", path, errs)
    if v is _BAD:
        return None
    out = []
    for i, item in enumerate(v or []):
        item = _as(item, "object", f"{path}.{key}[{i}]", errs)
        if item is None:
            item = {}
        if item is not _BAD:
            out.append((i, item))
    return out


# Defaulting lives in initlab/api/defaults.py (`pkg/apis/core/v1/defaults.go`).

_VOLUME_SOURCES = [
    # (json key, path segment used in upstream's "more than 1 volume type" error)
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),  # sic: upstream's typo
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
    ("image", "image"),
]


# -- volumes --------------------------------------------------------------------------


_SOURCE_REQUIRED = {
    "hostPath": "path",
    "secret": "secretName",
    "configMap": "name",
    "persistentVolumeClaim": "claimName",
}


def _validate_volume_source(vol: dict[str, Any], path: str, errs: list[FieldError]) -> None:
    """`validateVolumeSource`: exactly one source (only a few sources are checked in depth)."""
    n = 0
    for key, segment in _VOLUME_SOURCES:
        src = vol.get(key)
        if src is None:
            continue
        if n > 0:
            errs.append(_forbidden(f"{path}.{segment}", "may not specify more than 1 volume type"))
            continue
        n += 1
        src = _as(src, "object", f"{path}.{key}", errs)
        if src is _BAD:
            continue
        if key == "emptyDir" and src.get("sizeLimit") is not None:
            q = _quantity(src["sizeLimit"], f"{path}.emptyDir.sizeLimit", errs)
            if q is not None and q.value < 0:
                errs.append(
                    _forbidden(
                        f"{path}.emptyDir.sizeLimit",
                        "SizeLimit field must be a valid resource quantity",
                    )
                )
        elif key in _SOURCE_REQUIRED:  # e.g. validateConfigMapVolumeSource
            sub = _SOURCE_REQUIRED[key]
            if _str(src, sub, f"{path}.{key}", errs) == "":
                errs.append(_required(f"{path}.{key}.{sub}"))
    if n == 0:
        errs.append(_required(path, "must specify a volume type"))


def _validate_volumes(
    spec: dict[str, Any], path: str, errs: list[FieldError]
) -> dict[str, dict[str, Any]]:
    """`ValidateVolumes`: names unique DNS labels; returns only the volumes without errors."""
    vols: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for i, vol in _objects(spec, "volumes", path, errs) or []:
        idx = f"{path}.volumes[{i}]"
        el: list[FieldError] = []
        _validate_volume_source(vol, idx, el)
        name = _str(vol, "name", idx, el)
        if name is None:
            errs.extend(el)
            continue
        if not name:
            el.append(_required(f"{idx}.name"))
        else:
            el += [_invalid(f"{idx}.name", name, m) for m in is_dns1123_label(name)]
        if name in names:
            el.append(_duplicate(f"{idx}.name", name))
        if not el:
            names.add(name)
            vols[name] = vol
        else:
            errs.extend(el)
    return vols


# -- containers: common ------------------------------------------------------------


def _validate_ports(ctr: dict[str, Any], path: str, errs: list[FieldError]) -> None:
    """`validateContainerPorts`."""
    names: set[str] = set()
    for i, port in _objects(ctr, "ports", path, errs) or []:
        idx = f"{path}.ports[{i}]"
        name = _str(port, "name", idx, errs)
        if name:
            msgs = is_valid_port_name(name)
            if msgs:
                errs += [_invalid(f"{idx}.name", name, m) for m in msgs]
            elif name in names:
                errs.append(_duplicate(f"{idx}.name", name))
            else:
                names.add(name)
        cp = _field(port, "containerPort", "integer", idx, errs)
        if cp is not _BAD:
            if not cp:
                errs.append(_required(f"{idx}.containerPort"))
            else:
                errs += [_invalid(f"{idx}.containerPort", cp, m) for m in is_valid_port_num(cp)]
        hp = _field(port, "hostPort", "integer", idx, errs)
        if hp not in (_BAD, None, 0):
            errs += [_invalid(f"{idx}.hostPort", hp, m) for m in is_valid_port_num(hp)]
        proto = _str(port, "protocol", idx, errs)
        if proto == "":
            errs.append(_required(f"{idx}.protocol"))
        elif proto is not None and proto not in ("TCP", "UDP", "SCTP"):
            errs.append(_not_supported(f"{idx}.protocol", proto, ["SCTP", "TCP", "UDP"]))


_ENV_FIELD_PATHS = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
]
_ENV_RESOURCE_PATHS = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
]
_SUBSCRIPTED = re.compile(r"^(metadata\.(?:labels|annotations))\['(.*)'\]$")


def _env_name_errors(name: str, opts: ValidationOptions) -> list[str]:
    if opts.allow_relaxed_env_var_names:
        return is_relaxed_env_var_name(name)
    return is_env_var_name(name)


def _validate_key_selector(sel: dict[str, Any], path: str, errs: list[FieldError]) -> None:
    """`validateConfigMapKeySelector` / `validateSecretKeySelector`."""
    name = _str(sel, "name", path, errs)
    if name is not None:
        errs += [_invalid(f"{path}.name", name, m) for m in is_dns1123_subdomain(name)]
    key = _str(sel, "key", path, errs)
    if key == "":
        errs.append(_required(f"{path}.key"))
    elif key is not None:
        errs += [_invalid(f"{path}.key", key, m) for m in is_config_map_key(key)]


def _validate_value_from(ev: dict[str, Any], path: str, errs: list[FieldError]) -> None:
    """`validateEnvVarValueFrom`."""
    vf = _field(ev, "valueFrom", "object", path, errs)
    if vf in (None, _BAD):
        return
    path = f"{path}.valueFrom"
    n = 0
    fr = _field(vf, "fieldRef", "object", path, errs)
    if fr is not None:
        n += 1
        if fr is not _BAD:
            p = f"{path}.fieldRef"
            api = _str(fr, "apiVersion", p, errs)
            fp = _str(fr, "fieldPath", p, errs)
            if api == "":
                errs.append(_required(f"{p}.apiVersion"))
            elif fp == "":
                errs.append(_required(f"{p}.fieldPath"))
            elif fp is not None and api is not None:
                m = _SUBSCRIPTED.match(fp)
                if m:
                    key = m.group(2).lower() if "annotations" in m.group(1) else m.group(2)
                    errs += [_invalid(p, key, e) for e in is_qualified_name(key)]
                elif fp not in _ENV_FIELD_PATHS:
                    errs.append(_not_supported(f"{p}.fieldPath", fp, _ENV_FIELD_PATHS))
    rf = _field(vf, "resourceFieldRef", "object", path, errs)
    if rf is not None:
        n += 1
        if rf is not _BAD:
            p = f"{path}.resourceFieldRef"
            res = _str(rf, "resource", p, errs)
            if res == "":
                errs.append(_required(f"{p}.resource"))
            elif res is not None and res not in _ENV_RESOURCE_PATHS:
                if not res.startswith(("limits.hugepages-", "requests.hugepages-")):
                    errs.append(_not_supported(f"{p}.resource", res, _ENV_RESOURCE_PATHS))
    for key in ("configMapKeyRef", "secretKeyRef"):
        sel = _field(vf, key, "object", path, errs)
        if sel is not None:
            n += 1
            if sel is not _BAD:
                _validate_key_selector(sel, f"{path}.{key}", errs)
    if n == 0:
        errs.append(
            _invalid(
                path,
                "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` "
                "or `secretKeyRef`",
            )
        )
    elif ev.get("value") not in (None, ""):
        errs.append(_invalid(path, "", "may not be specified when `value` is not empty"))
    elif n > 1:
        errs.append(_invalid(path, "", "may not have more than one field specified at a time"))


def _validate_env(
    ctr: dict[str, Any], path: str, opts: ValidationOptions, errs: list[FieldError]
) -> None:
    """`ValidateEnv` then `ValidateEnvFrom`."""
    for i, ev in _objects(ctr, "env", path, errs) or []:
        idx = f"{path}.env[{i}]"
        name = _str(ev, "name", idx, errs)
        if name == "":
            errs.append(_required(f"{idx}.name"))
        elif name is not None:
            errs += [_invalid(f"{idx}.name", name, m) for m in _env_name_errors(name, opts)]
        _field(ev, "value", "string", idx, errs)
        _validate_value_from(ev, idx, errs)
    for i, ef in _objects(ctr, "envFrom", path, errs) or []:
        idx = f"{path}.envFrom[{i}]"
        prefix = _str(ef, "prefix", idx, errs)
        if prefix:
            errs += [_invalid(f"{idx}.prefix", prefix, m) for m in _env_name_errors(prefix, opts)]
        n = 0
        for key in ("configMapRef", "secretRef"):
            ref = _field(ef, key, "object", idx, errs)
            if ref is None:
                continue
            n += 1
            if ref is _BAD:
                continue
            name = _str(ref, "name", f"{idx}.{key}", errs)
            if name == "":
                errs.append(_required(f"{idx}.{key}.name"))
            elif name is not None:
                msgs = is_dns1123_subdomain(_mask_trailing_dash(name))
                errs += [_invalid(f"{idx}.{key}.name", name, m) for m in msgs]
        if n == 0:
            errs.append(
                _invalid(
                    f"{path}.envFrom", "", "must specify one of: `configMapRef` or `secretRef`"
                )
            )
        elif n > 1:
            errs.append(
                _invalid(
                    f"{path}.envFrom", "", "may not have more than one field specified at a time"
                )
            )


def _validate_local_descending_path(value: str, path: str, errs: list[FieldError]) -> None:
    """`validateLocalDescendingPath`."""
    if value.startswith("/"):
        errs.append(_invalid(path, value, "must be a relative path"))
    if ".." in value.replace("\\", "/").split("/"):
        errs.append(_invalid(path, value, "must not contain '..'"))


def _validate_volume_mounts(
    ctr: dict[str, Any], path: str, vols: dict[str, dict[str, Any]], errs: list[FieldError]
) -> None:
    """`ValidateVolumeMounts`: every mount names a declared (valid) volume."""
    mount_points: set[str] = set()
    base = f"{path}.volumeMounts"
    for i, mnt in _objects(ctr, "volumeMounts", path, errs) or []:
        idx = f"{base}[{i}]"
        name = _str(mnt, "name", idx, errs)
        if name is not None:
            if not name:
                errs.append(_required(f"{idx}.name"))
            if name not in vols:
                errs.append(_not_found(f"{idx}.name", name))
        mp = _str(mnt, "mountPath", idx, errs)
        if mp is not None:
            if not mp:
                errs.append(_required(f"{idx}.mountPath"))
            if mp in mount_points:
                errs.append(_invalid(f"{idx}.mountPath", mp, "must be unique"))
            mount_points.add(mp)
        sub = _str(mnt, "subPath", idx, errs)
        if name is not None and isinstance(vols.get(name), dict) and "image" in vols[name]:
            if sub:
                errs.append(_invalid(f"{idx}.subPath", sub, "not allowed in image volume sources"))
        if sub:
            # upstream passes the list path, not the item path (sic)
            _validate_local_descending_path(sub, f"{base}.subPath", errs)
        expr = _str(mnt, "subPathExpr", idx, errs)
        if expr:
            if sub:
                errs.append(
                    _invalid(
                        f"{idx}.subPathExpr", expr, "subPathExpr and subPath are mutually exclusive"
                    )
                )
            _validate_local_descending_path(expr, f"{base}.subPathExpr", errs)
        _field(mnt, "readOnly", "boolean", idx, errs)


# -- resources ------------------------------------------------------------------------

_STANDARD_RESOURCES = {
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
}
_INTEGER_RESOURCES = {
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
}


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _is_native(name: str) -> bool:
    """`IsNativeResource`: no domain, or a *kubernetes.io/ domain."""
    return "/" not in name or "kubernetes.io/" in name


def _is_extended(name: str) -> bool:
    """`IsExtendedResourceName`: e.g. `nvidia.com/gpu`."""
    if _is_native(name) or name.startswith("requests."):
        return False
    return not is_qualified_name("requests." + name)


def _overcommit_allowed(name: str) -> bool:
    """`IsOvercommitAllowed`: native resources except hugepages."""
    return _is_native(name) and not _is_hugepages(name)


def _resource_name_errors(name: str, path: str) -> list[FieldError]:
    """`validateContainerResourceName` (via `validateResourceName`)."""
    errs = [_invalid(path, name, m) for m in is_qualified_name(name)]
    if errs:
        return errs
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not name.startswith(
            ("hugepages-", "requests.hugepages-")
        ):
            errs.append(_invalid(path, name, "must be a standard resource type or fully qualified"))
        if name not in ("cpu", "memory", "ephemeral-storage") and not _is_hugepages(name):
            errs.append(_invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native(name) and not _is_extended(name):
        errs.append(_invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def _quantity(raw: Any, path: str, errs: list[FieldError]) -> Quantity | None:
    """Decode a `resource.Quantity` (a JSON string or number); None if it does not parse."""
    try:
        return Quantity.parse(raw.strip() if isinstance(raw, str) else raw)
    except QuantityError as e:
        bad = raw if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else None
        if bad is None:
            errs.append(FieldError(path, INVALID, str(e)))
        else:
            errs.append(FieldError(path, INVALID, str(e), bad))
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        errs.append(FieldError(path, INVALID, "unable to parse quantity"))
    return None


def _quantity_value_errors(name: str, q: Quantity, path: str) -> list[FieldError]:
    """`ValidateResourceQuantityValue`: non-negative; integer for integer resources."""
    errs = []
    if q.value < 0:
        errs.append(_invalid(path, str(q), "must be greater than or equal to 0"))
    if (name in _INTEGER_RESOURCES or _is_extended(name)) and q.milli() % 1000 != 0:
        errs.append(_invalid(path, str(q), "must be an integer"))
    return errs


def _validate_resources(ctr: dict[str, Any], path: str, errs: list[FieldError]) -> None:
    """`ValidateContainerResourceRequirements` (`validateResourceRequirements`)."""
    res = _field(ctr, "resources", "object", path, errs)
    if res in (None, _BAD):
        return
    path = f"{path}.resources"
    lim_path, req_path = f"{path}.limits", f"{path}.requests"
    limits = _field(res, "limits", "object", path, errs)
    requests = _field(res, "requests", "object", path, errs)
    limits = {} if limits in (None, _BAD) else limits
    requests = {} if requests in (None, _BAD) else requests
    parsed_limits: dict[str, Quantity] = {}
    lim_cpu_mem = req_cpu_mem = lim_huge = req_huge = False
    for name, raw in limits.items():
        p = f"{lim_path}[{name}]"
        errs += _resource_name_errors(str(name), p)
        q = _quantity(raw, p, errs)
        if q is not None:
            parsed_limits[str(name)] = q
            errs += _quantity_value_errors(str(name), q, p)
        lim_huge |= _is_hugepages(str(name))
        lim_cpu_mem |= name in ("cpu", "memory")
    for name, raw in requests.items():
        name = str(name)
        p = f"{req_path}[{name}]"
        errs += _resource_name_errors(name, p)
        q = _quantity(raw, p, errs)
        if q is not None:
            errs += _quantity_value_errors(name, q, p)
            if name in limits:
                lim = parsed_limits.get(name)
                if lim is None:
                    pass
                elif q != lim and not _overcommit_allowed(name):
                    errs.append(
                        _invalid(req_path, str(q), f"must be equal to {name} limit of {lim}")
                    )
                elif q > lim:
                    errs.append(
                        _invalid(
                            req_path, str(q), f"must be less than or equal to {name} limit of {lim}"
                        )
                    )
            elif not _overcommit_allowed(name):
                errs.append(
                    _required(lim_path, "Limit must be set for non overcommitable resources")
                )
        req_huge |= _is_hugepages(name)
        req_cpu_mem |= name in ("cpu", "memory")
    if not lim_cpu_mem and not req_cpu_mem and (req_huge or lim_huge):
        errs.append(_forbidden(path, "HugePages require cpu or memory"))


def _validate_resize_policy(
    ctr: dict[str, Any], path: str, pod_restart_policy: str, errs: list[FieldError]
) -> list[Any] | None:
    """`validateResizePolicy`; returns the list (for V7) or None when absent/bad."""
    pl = _field(ctr, "resizePolicy", "array", path, errs)
    if pl in (None, _BAD):
        return None
    path = f"{path}.resizePolicy"
    seen: set[str] = set()
    for i, p in enumerate(pl):
        if not isinstance(p, dict):
            errs.append(_type_error(f"{path}[{i}]", p, "object"))
            continue
        rn = as_str(p.get("resourceName"))
        rp = as_str(p.get("restartPolicy"))
        if rn in seen:
            errs.append(_duplicate(f"{path}[{i}]", rn))
        seen.add(rn)
        if rn == "":
            errs.append(_required(path))
        elif rn not in ("cpu", "memory"):
            errs.append(_not_supported(path, rn, ["cpu", "memory"]))
        if rp == "":
            errs.append(_required(path))
        elif rp not in ("NotRequired", "RestartContainer"):
            errs.append(_not_supported(path, rp, ["NotRequired", "RestartContainer"]))
        if pod_restart_policy == "Never" and rp != "NotRequired":
            errs.append(_invalid(path, rp, "must be 'NotRequired' when `restartPolicy` is 'Never'"))
    return pl


def _validate_security_context(
    ctr: dict[str, Any], path: str, opts: ValidationOptions, errs: list[FieldError]
) -> None:
    """`ValidateSecurityContext` (privileged and privilege-escalation rules only)."""
    sc = _field(ctr, "securityContext", "object", path, errs)
    if sc in (None, _BAD):
        return
    path = f"{path}.securityContext"
    priv = _field(sc, "privileged", "boolean", path, errs)
    if priv is True and not opts.allow_privileged:
        errs.append(_forbidden(f"{path}.privileged", "disallowed by cluster policy"))
    ape = _field(sc, "allowPrivilegeEscalation", "boolean", path, errs)
    if ape is False:
        if priv is True:
            errs.append(
                _invalid(
                    path,
                    sc,
                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
                )
            )
        caps = sc.get("capabilities")
        adds = caps.get("add") if isinstance(caps, dict) else None
        if isinstance(adds, list) and "CAP_SYS_ADMIN" in adds:
            errs.append(
                _invalid(
                    path,
                    sc,
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` "
                    "CAP_SYS_ADMIN",
                )
            )


def _validate_container_common(
    ctr: dict[str, Any],
    path: str,
    vols: dict[str, dict[str, Any]],
    pod_restart_policy: str,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> list[Any] | None:
    """`validateContainerCommon`: what regular, init and sidecar containers share (V1)."""
    name = _str(ctr, "name", path, errs)
    if name == "":
        errs.append(_required(f"{path}.name"))
    elif name is not None:
        errs += [_invalid(f"{path}.name", name, m) for m in is_dns1123_label(name)]
    image = _str(ctr, "image", path, errs)
    if image == "":
        errs.append(_required(f"{path}.image"))
    tmp = _str(ctr, "terminationMessagePolicy", path, errs)
    if tmp == "":
        errs.append(_required(f"{path}.terminationMessagePolicy"))
    elif tmp is not None and tmp not in ("File", "FallbackToLogsOnError"):
        errs.append(
            _not_supported(
                f"{path}.terminationMessagePolicy", tmp, ["File", "FallbackToLogsOnError"]
            )
        )
    for key in ("command", "args"):
        items = _field(ctr, key, "array", path, errs)
        for i, item in enumerate(items if isinstance(items, list) else []):
            _as(item, "string", f"{path}.{key}[{i}]", errs)
    _validate_ports(ctr, path, errs)
    _validate_env(ctr, path, opts, errs)
    _validate_volume_mounts(ctr, path, vols, errs)
    ipp = _str(ctr, "imagePullPolicy", path, errs)
    if ipp == "":
        errs.append(_required(f"{path}.imagePullPolicy"))
    elif ipp is not None and ipp not in ("Always", "IfNotPresent", "Never"):
        errs.append(
            _not_supported(f"{path}.imagePullPolicy", ipp, ["Always", "IfNotPresent", "Never"])
        )
    _validate_resources(ctr, path, errs)
    resize = _validate_resize_policy(ctr, path, pod_restart_policy, errs)
    _validate_security_context(ctr, path, opts, errs)
    return resize


# -- probes and lifecycle -------------------------------------------------------------


def _validate_port_num_or_name(port: Any, path: str, errs: list[FieldError]) -> None:
    """`ValidatePortNumOrName` on an IntOrString (absent = int 0)."""
    port = _as(port, "int-or-string", path, errs)
    if port is _BAD:
        return
    if isinstance(port, str):
        errs += [_invalid(path, port, m) for m in is_valid_port_name(port)]
    else:
        port = port or 0
        errs += [_invalid(path, port, m) for m in is_valid_port_num(port)]


_HANDLER_KINDS = ("exec", "httpGet", "tcpSocket", "grpc", "sleep")


def _validate_handler(
    handler: dict[str, Any],
    kinds: tuple[str, ...],
    grace: int | None,
    path: str,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> None:
    """`validateHandler`: exactly one action, each validated."""
    n = 0
    for kind in _HANDLER_KINDS:
        if kind not in kinds or handler.get(kind) is None:
            continue
        p = f"{path}.{kind}"
        if n > 0:
            errs.append(_forbidden(p, "may not specify more than 1 handler type"))
            continue
        n += 1
        action = _as(handler[kind], "object", p, errs)
        if action is _BAD:
            continue
        if kind == "exec":
            cmd = _field(action, "command", "array", p, errs)
            if cmd is not _BAD and not cmd:
                errs.append(_required(f"{p}.command"))
        elif kind == "httpGet":
            hp = _str(action, "path", p, errs)
            if hp == "":
                errs.append(_required(f"{p}.path"))
            _validate_port_num_or_name(action.get("port"), f"{p}.port", errs)
            scheme = _str(action, "scheme", p, errs)
            if scheme is not None and scheme not in ("HTTP", "HTTPS"):
                errs.append(_not_supported(f"{p}.scheme", scheme, ["HTTP", "HTTPS"]))
            for j, h in _objects(action, "httpHeaders", p, errs) or []:
                hn = _str(h, "name", f"{p}.httpHeaders[{j}]", errs)
                if hn is not None and not _HTTP_HEADER_RE.fullmatch(hn):
                    msg = regex_error(
                        "a valid HTTP header must consist of alphanumeric characters or '-'",
                        _HTTP_HEADER_FMT,
                        "X-Header-Name",
                    )
                    errs.append(_invalid(f"{p}.httpHeaders", hn, msg))
        elif kind == "tcpSocket":
            _validate_port_num_or_name(action.get("port"), f"{p}.port", errs)
        elif kind == "grpc":
            port = _field(action, "port", "integer", p, errs)
            if port is not _BAD:
                errs += [_invalid(f"{p}.port", port or 0, m) for m in is_valid_port_num(port or 0)]
        elif kind == "sleep":
            secs = _field(action, "seconds", "integer", p, errs)
            if secs is _BAD or grace is None:
                continue
            secs = secs or 0
            if opts.allow_sleep_zero:
                if secs < 0 or secs > grace:
                    msg = f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"
                    errs.append(_invalid(p, secs, msg))
            elif secs <= 0 or secs > grace:
                msg = (
                    "must be greater than 0 and less than terminationGracePeriodSeconds "
                    f"({grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate "
                    "for zero sleep."
                )
                errs.append(_invalid(p, secs, msg))
    if n == 0:
        errs.append(_required(path, "must specify a handler type"))


def _validate_lifecycle(
    lc: dict[str, Any],
    grace: int | None,
    path: str,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> None:
    """`validateLifecycle`: postStart then preStop."""
    for hook in ("postStart", "preStop"):
        h = _field(lc, hook, "object", path, errs)
        if h not in (None, _BAD):
            kinds = ("exec", "httpGet", "tcpSocket", "sleep")
            _validate_handler(h, kinds, grace, f"{path}.{hook}", opts, errs)


def _validate_probe(
    kind: str,
    probe: dict[str, Any],
    grace: int | None,
    path: str,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> None:
    """`validateProbe` + `validate{Liveness,Readiness,Startup}Probe`."""
    _validate_handler(probe, ("exec", "httpGet", "tcpSocket", "grpc"), grace, path, opts, errs)
    values = {}
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        v = _field(probe, key, "integer", path, errs)
        values[key] = v
        if v not in (None, _BAD) and v < 0:
            errs.append(_invalid(f"{path}.{key}", v, "must be greater than or equal to 0"))
    tgps = _field(probe, "terminationGracePeriodSeconds", "integer", path, errs)
    if tgps not in (None, _BAD) and tgps <= 0:
        errs.append(
            _invalid(f"{path}.terminationGracePeriodSeconds", tgps, "must be greater than 0")
        )
    st = values["successThreshold"]
    if kind in ("livenessProbe", "startupProbe") and st is not _BAD and (st or 0) != 1:
        errs.append(_invalid(f"{path}.successThreshold", st or 0, "must be 1"))
    if kind == "readinessProbe" and tgps not in (None, _BAD):
        errs.append(
            _invalid(
                f"{path}.terminationGracePeriodSeconds", tgps, "must not be set for readinessProbes"
            )
        )


def _validate_probes_and_lifecycle(
    ctr: dict[str, Any],
    path: str,
    grace: int | None,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> None:
    lc = _field(ctr, "lifecycle", "object", path, errs)
    if lc not in (None, _BAD):
        _validate_lifecycle(lc, grace, f"{path}.lifecycle", opts, errs)
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = _field(ctr, kind, "object", path, errs)
        if probe not in (None, _BAD):
            _validate_probe(kind, probe, grace, f"{path}.{kind}", opts, errs)


# -- container lists -------------------------------------------------------------------


def _host_port_errors(
    items: list[tuple[int, dict[str, Any]]], path: str, seen: set[str]
) -> list[FieldError]:
    """`AccumulateUniqueHostPorts`: "<protocol>/<hostIP>/<hostPort>" must be unique."""
    errs = []
    for ci, ctr in items:
        ports = ctr.get("ports")
        if not isinstance(ports, list):
            continue
        for pi, port in enumerate(ports):
            if not isinstance(port, dict):
                continue
            hp = _as(port.get("hostPort"), "integer", "", [])
            if hp in (None, _BAD, 0):
                continue
            proto, ip = as_str(port.get("protocol")), as_str(port.get("hostIP"))
            key = f"{proto}/{ip}/{hp}"
            if key in seen:
                errs.append(_duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            else:
                seen.add(key)
    return errs


def _name_of(ctr: dict[str, Any]) -> str | None:
    name = ctr.get("name")
    if name is None:
        return ""
    return name if isinstance(name, str) else None


def _validate_containers(
    spec: dict[str, Any],
    path: str,
    vols: dict[str, dict[str, Any]],
    grace: int | None,
    restart_policy: str,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> None:
    """`validateContainers`: at least one; names unique; V8 no `restartPolicy`; host ports."""
    items = _objects(spec, "containers", path, errs)
    if items is None:
        return
    base = f"{path}.containers"
    if not spec.get("containers"):
        errs.append(_required(base))
        return
    names: set[str] = set()
    for i, ctr in items:
        idx = f"{base}[{i}]"
        _validate_container_common(ctr, idx, vols, restart_policy, opts, errs)
        name = _name_of(ctr)
        if name is not None:
            if name in names:
                errs.append(_duplicate(f"{idx}.name", name))
            else:
                names.add(name)
        _validate_probes_and_lifecycle(ctr, idx, grace, opts, errs)
        if ctr.get("restartPolicy") is not None:
            errs.append(
                _forbidden(f"{idx}.restartPolicy", "may not be set for non-init containers")
            )
    errs += _host_port_errors(items, base, set())


_INIT_FORBIDDEN = "may not be set for init containers without restartPolicy=Always"


def _validate_init_containers(
    spec: dict[str, Any],
    path: str,
    vols: dict[str, dict[str, Any]],
    grace: int | None,
    restart_policy: str,
    opts: ValidationOptions,
    errs: list[FieldError],
) -> None:
    """`validateInitContainers`: V1–V7."""
    items = _objects(spec, "initContainers", path, errs)
    if not items:
        return
    base = f"{path}.initContainers"
    names: set[str] = set()
    regular = spec.get("containers")
    if isinstance(regular, list):
        for ctr in regular:
            if isinstance(ctr, dict) and _name_of(ctr) is not None:
                names.add(_name_of(ctr) or "")
    for i, ctr in items:
        idx = f"{base}[{i}]"
        resize = _validate_container_common(ctr, idx, vols, restart_policy, opts, errs)
        restart_always = False
        rp = _field(ctr, "restartPolicy", "string", idx, errs)
        if rp not in (None, _BAD):
            if rp != "Always":  # V2: validateInitContainerRestartPolicy
                errs.append(_not_supported(f"{idx}.restartPolicy", rp, ["Always"]))
            restart_always = rp == "Always"
        name = _name_of(ctr)
        if name is not None:  # V3: against regular names first, then earlier init names
            if name in names:
                errs.append(_duplicate(f"{idx}.name", name))
            elif name:
                names.add(name)
        errs += _host_port_errors([(i, ctr)], base, set())  # V4: one init container at a time
        if restart_always:  # V6: a sidecar is validated like a regular container
            _validate_probes_and_lifecycle(ctr, idx, grace, opts, errs)
        else:  # V5: one Forbidden per field, contents not validated
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if ctr.get(key) is not None:
                    errs.append(_forbidden(f"{idx}.{key}", _INIT_FORBIDDEN))
        if not opts.allow_sidecar_resize_policy and resize:  # V7
            errs.append(
                _invalid(f"{idx}.resizePolicy", resize, "must not be set for init containers")
            )


# -- the pod spec ----------------------------------------------------------------------


def _validate_names(spec: dict[str, Any], path: str, errs: list[FieldError]) -> None:
    """The DNS names `ValidatePodSpec` checks after the policies."""
    for key, check in (
        ("serviceAccountName", is_dns1123_subdomain),
        ("nodeName", is_dns1123_subdomain),
    ):
        v = _str(spec, key, path, errs)
        if v:
            errs += [_invalid(f"{path}.{key}", v, m) for m in check(v)]


def _validate_spec(
    spec: Any, path: str, opts: ValidationOptions, is_pod: bool, errs: list[FieldError]
) -> None:
    """`ValidatePodSpec`, in upstream's order."""
    if spec is None:
        spec = {}
    spec = _as(spec, "object", path, errs)
    if spec is _BAD:
        return
    if opts.apply_defaults:
        spec = default_pod_spec(spec, is_pod)
    grace = _field(spec, "terminationGracePeriodSeconds", "integer", path, errs)
    if grace is None:
        errs.append(_required(f"{path}.terminationGracePeriodSeconds"))
    if grace is _BAD:
        grace = None
    rp = _str(spec, "restartPolicy", path, errs)
    vols = _validate_volumes(spec, path, errs)
    _validate_containers(spec, path, vols, grace, rp or "", opts, errs)
    _validate_init_containers(spec, path, vols, grace, rp or "", opts, errs)
    # validatePodHostNetworkDeps
    if _field(spec, "hostNetwork", "boolean", path, errs) is True:
        for i, ctr in enumerate(spec.get("containers") or []):
            ports = ctr.get("ports") if isinstance(ctr, dict) else None
            for j, port in enumerate(ports if isinstance(ports, list) else []):
                if not isinstance(port, dict):
                    continue
                hp, cp = port.get("hostPort") or 0, port.get("containerPort") or 0
                if (is_pod or hp != 0) and hp != cp:
                    errs.append(
                        _invalid(
                            f"{path}.containers[{i}].ports[{j}].hostPort",
                            hp,
                            "must match `containerPort` when `hostNetwork` is true",
                        )
                    )
    # validateRestartPolicy (V9): note upstream's order of supported values
    if rp == "":
        errs.append(_required(f"{path}.restartPolicy"))
    elif rp is not None and rp not in ("Always", "OnFailure", "Never"):
        errs.append(_not_supported(f"{path}.restartPolicy", rp, ["Always", "OnFailure", "Never"]))
    dns = _str(spec, "dnsPolicy", path, errs)
    dns_values = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    if dns == "":
        errs.append(_required(f"{path}.dnsPolicy"))
    elif dns is not None and dns not in dns_values:
        errs.append(_not_supported(f"{path}.dnsPolicy", dns, dns_values))
    dns_config = _field(spec, "dnsConfig", "object", path, errs)
    if dns == "None":
        if dns_config is None:
            errs.append(
                _required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None")
            )
        elif dns_config is not _BAD and not dns_config.get("nameservers"):
            errs.append(
                _required(
                    f"{path}.dnsConfig.nameservers",
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                )
            )
    _validate_names(spec, path, errs)
    ads = _field(spec, "activeDeadlineSeconds", "integer", path, errs)
    if ads not in (None, _BAD) and not 1 <= ads <= MAX_INT32:
        errs.append(
            _invalid(f"{path}.activeDeadlineSeconds", ads, inclusive_range_error(1, MAX_INT32))
        )
    for key in ("hostname", "subdomain"):
        v = _str(spec, key, path, errs)
        if v:
            errs += [_invalid(f"{path}.{key}", v, m) for m in is_dns1123_label(v)]
    pcn = _str(spec, "priorityClassName", path, errs)
    if pcn:
        errs += [_invalid(f"{path}.priorityClassName", pcn, m) for m in is_dns1123_subdomain(pcn)]
    if is_pod:  # validateContainersOnlyForPod
        for key in ("containers", "initContainers"):
            for i, ctr in enumerate(spec.get(key) if isinstance(spec.get(key), list) else []):
                image = ctr.get("image") if isinstance(ctr, dict) else None
                if isinstance(image, str) and image != image.strip():
                    errs.append(
                        _invalid(
                            f"{path}.{key}[{i}].image",
                            image,
                            "must not have leading or trailing whitespace",
                        )
                    )
    ephemeral = _field(spec, "ephemeralContainers", "array", path, errs)
    if ephemeral not in (None, _BAD) and ephemeral:
        if is_pod:
            errs.append(_forbidden(f"{path}.ephemeralContainers", "cannot be set on create"))
        else:
            errs.append(
                _forbidden(
                    f"{path}.ephemeralContainers",
                    "ephemeral containers not allowed in pod template",
                )
            )


def validate_pod_spec(
    spec: dict, path: str = "spec", *, options: ValidationOptions | None = None
) -> list[FieldError]:
    """Validate a PodSpec (`ValidatePodSpec` + the Pod-only container checks).

    `path` prefixes every field, e.g. "spec.template.spec". Never raises.
    """
    errs: list[FieldError] = []
    _validate_spec(spec, path, options or _DEFAULT_OPTIONS, path == "spec", errs)
    return errs


# -- metadata and the pod --------------------------------------------------------------


def _validate_metadata(meta: Any, path: str, require_name: bool, errs: list[FieldError]) -> None:
    """`ValidateObjectMeta` with `ValidatePodName` (DNS-1123 subdomain)."""
    meta = _as(meta, "object", path, errs)
    if meta is _BAD:
        return
    meta = meta or {}
    gen = _str(meta, "generateName", path, errs)
    if gen:
        msgs = is_dns1123_subdomain(_mask_trailing_dash(gen))
        errs += [_invalid(f"{path}.generateName", gen, m) for m in msgs]
    name = _str(meta, "name", path, errs)
    if require_name and name == "" and not gen:
        errs.append(_required(f"{path}.name", "name or generateName is required"))
    elif name:
        errs += [_invalid(f"{path}.name", name, m) for m in is_dns1123_subdomain(name)]
    ns = _str(meta, "namespace", path, errs)
    if ns:
        errs += [_invalid(f"{path}.namespace", ns, m) for m in is_dns1123_label(ns)]
    labels = _field(meta, "labels", "object", path, errs)
    for k, v in (labels if isinstance(labels, dict) else {}).items():
        k = str(k)
        errs += [_invalid(f"{path}.labels", k, m) for m in is_qualified_name(k)]
        v = _as(v, "string", f"{path}.labels[{k}]", errs)
        if isinstance(v, str):
            errs += [_invalid(f"{path}.labels", v, m) for m in is_valid_label_value(v)]
    ann = _field(meta, "annotations", "object", path, errs)
    for k, v in (ann if isinstance(ann, dict) else {}).items():
        k = str(k)
        errs += [_invalid(f"{path}.annotations", k, m) for m in is_qualified_name(k.lower())]
        _as(v, "string", f"{path}.annotations[{k}]", errs)


def _spec_at(pod: dict[str, Any], spec_path: str) -> Any:
    """The spec at `spec_path` if the dict has that shape, else `pod["spec"]`."""
    node: Any = pod
    for part in spec_path.split("."):
        if not isinstance(node, dict) or part not in node:
            return pod.get("spec")
        node = node[part]
    return node


def decoding_errors(pod: Any) -> list[FieldError]:
    """The errors that make the API server refuse the object while decoding it.

    Wrongly typed fields (`must be of type ...`): the real server never
    defaults, admits or validates such an object, so neither should a webhook.
    """
    return [e for e in validate_pod(pod) if e.detail.startswith("must be of type")]


def validate_pod(
    pod: dict,
    spec_path: str = "spec",
    require_name: bool = True,
    *,
    options: ValidationOptions | None = None,
) -> list[FieldError]:
    """Every error the API server would report for this Pod (or pod template), in its order.

    `validatePodMetadataAndSpec` + `ValidatePodCreate`. For a template,
    `spec_path` is e.g. "spec.template.spec" and metadata is reported at
    "spec.template.metadata"; `pod` may be the whole workload or a pod-shaped
    dict. Never raises, whatever the input.
    """
    opts = options or _DEFAULT_OPTIONS
    errs: list[FieldError] = []
    if not isinstance(pod, dict):
        errs.append(_type_error("<root>", pod, "object"))
        return errs
    is_pod = spec_path == "spec"
    meta_path = "metadata" if is_pod else spec_path.rsplit(".", 1)[0] + ".metadata"
    meta = pod.get("metadata")
    if not is_pod:
        parent = _spec_at(pod, spec_path.rsplit(".", 1)[0]) if "." in spec_path else None
        if isinstance(parent, dict) and "spec" in parent and parent is not pod:
            meta = parent.get("metadata")
    _validate_metadata(meta, meta_path, require_name, errs)
    _validate_spec(_spec_at(pod, spec_path), spec_path, opts, is_pod, errs)
    return errs


# -- updates ---------------------------------------------------------------------------

_UPDATABLE = [
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
]


def _diff(old: Any, new: Any, path: str, out: list[str]) -> None:
    """A short list of changed paths (our stand-in for upstream's `cmp.Diff`)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in list(old) + [k for k in new if k not in old]:
            _diff(old.get(k), new.get(k), f"{path}.{k}", out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _diff(a, b, f"{path}[{i}]", out)
    elif old != new:
        out.append(f"  {path}: {_short(old)} -> {_short(new)}")


def _short(v: Any) -> str:
    try:
        s = json.dumps(v, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _container_update_errors(new: Any, old: Any, path: str, errs: list[FieldError]) -> bool:
    """`ValidateContainerUpdates`: same count; images non-empty. True means stop."""
    new = new if isinstance(new, list) else []
    old = old if isinstance(old, list) else []
    if len(new) != len(old):
        errs.append(_forbidden(path, "pod updates may not add or remove containers"))
        return True
    for i, ctr in enumerate(new):
        image = ctr.get("image") if isinstance(ctr, dict) else None
        if not image:
            errs.append(_required(f"{path}[{i}].image"))
        elif isinstance(image, str) and image.strip() != image:
            errs.append(
                _invalid(
                    f"{path}[{i}].image", image, "must not have leading or trailing whitespace"
                )
            )
    return False


def validate_pod_update(
    old: dict, new: dict, *, options: ValidationOptions | None = None
) -> list[FieldError]:
    """`ValidatePodUpdate`: of the spec, only images, a lower `activeDeadlineSeconds`,
    added tolerations and removed scheduling gates may change.

    The Forbidden message is upstream's; its trailing diff is our own short
    list of changed paths, not Go's `cmp.Diff`. `resourceVersion` is not
    required (kubectl fills it in). Never raises.
    """
    opts = options or _DEFAULT_OPTIONS
    errs: list[FieldError] = []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return (
            validate_pod(new) if isinstance(new, dict) else [_type_error("<root>", new, "object")]
        )
    om, nm = as_dict(old.get("metadata")), as_dict(new.get("metadata"))
    for key in ("name", "namespace"):
        if (nm.get(key) or "") != (om.get(key) or "") and not (
            key == "namespace" and not nm.get(key)
        ):
            errs.append(_invalid(f"metadata.{key}", nm.get(key) or "", "field is immutable"))
    errs += validate_pod(new, options=opts)
    os_, ns_ = old.get("spec"), new.get("spec")
    if not isinstance(os_, dict) or not isinstance(ns_, dict):
        return errs
    if opts.apply_defaults:
        os_, ns_ = default_pod_spec(os_), default_pod_spec(ns_)
    if _container_update_errors(
        ns_.get("containers"), os_.get("containers"), "spec.containers", errs
    ):
        return errs
    if _container_update_errors(
        ns_.get("initContainers"), os_.get("initContainers"), "spec.initContainers", errs
    ):
        return errs
    new_ads, old_ads = ns_.get("activeDeadlineSeconds"), os_.get("activeDeadlineSeconds")
    if isinstance(new_ads, int) and not isinstance(new_ads, bool):
        if new_ads < 0 or new_ads > MAX_INT32:
            errs.append(
                _invalid("spec.activeDeadlineSeconds", new_ads, inclusive_range_error(0, MAX_INT32))
            )
            return errs
        if isinstance(old_ads, int) and old_ads < new_ads:
            errs.append(
                _invalid(
                    "spec.activeDeadlineSeconds",
                    new_ads,
                    "must be less than or equal to previous value",
                )
            )
            return errs
    elif new_ads is None and old_ads is not None:
        errs.append(
            _invalid(
                "spec.activeDeadlineSeconds",
                None,
                "must not update from a positive integer to nil value",
            )
        )
    raw_old_tols = os_.get("tolerations")
    old_tols: list[Any] = raw_old_tols if isinstance(raw_old_tols, list) else []
    new_tols = as_list(ns_.get("tolerations"))
    for t in old_tols:
        plain = (
            {k: v for k, v in t.items() if k != "tolerationSeconds"} if isinstance(t, dict) else t
        )
        if not any(
            (
                isinstance(n, dict)
                and {k: v for k, v in n.items() if k != "tolerationSeconds"} == plain
            )
            for n in new_tols
        ):
            errs.append(
                _forbidden(
                    "spec.tolerations",
                    "existing toleration can not be modified except its tolerationSeconds",
                )
            )
            break
    old_gates = {
        g["name"]
        for g in _list(os_.get("schedulingGates"))
        if isinstance(g, dict) and isinstance(g.get("name"), str)
    }
    for i, g in enumerate(_list(ns_.get("schedulingGates"))):
        if isinstance(g, dict) and isinstance(g.get("name"), str) and g["name"] not in old_gates:
            errs.append(
                _forbidden(
                    f"spec.schedulingGates[{i}].name",
                    f"only deletion is allowed, but found new scheduling gate '{g.get('name')}'",
                )
            )
    munged = dict(ns_)
    for key in ("containers", "initContainers"):
        if isinstance(munged.get(key), list):
            munged[key] = [
                {**c, "image": o.get("image")} if isinstance(c, dict) and isinstance(o, dict) else c
                for c, o in zip(munged[key], _list(os_.get(key)), strict=False)
            ]
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged.pop(key, None)
        if key in os_:
            munged[key] = os_[key]
    old_tgps = os_.get("terminationGracePeriodSeconds")
    if (
        isinstance(old_tgps, int)
        and old_tgps < 0
        and munged.get("terminationGracePeriodSeconds") == 1
    ):
        munged["terminationGracePeriodSeconds"] = old_tgps
    try:
        changed = munged != os_
        changes: list[str] = []
        if changed:
            _diff(os_, munged, "spec", changes)
    except RecursionError:
        changed, changes = True, []
    if changed:
        detail = "pod updates may not change fields other than " + ",".join(_UPDATABLE)
        errs.append(_forbidden("spec", detail + "\n" + "\n".join(changes)))
    return errs
