"""PodSecurity: the Pod Security Standards, as the API server's built-in plugin enforces them.

Everything here follows `k8s.io/pod-security-admission` at tag v0.36.2
(Kubernetes v1.36.2, the mirror of kubernetes/kubernetes
`staging/src/k8s.io/pod-security-admission`):

- `policy/check_*.go`: one function per check and per policy version, with
  upstream's messages word for word (`ForbiddenReason`, `ForbiddenDetail`);
- `policy/registry.go` `NewEvaluator` / `populate` / `EvaluatePod`: which
  check implementation applies at a level and version (a restricted check
  may override a baseline one; a version newer than the newest check version
  is evaluated as that version; checks run in ID order, baseline first);
- `policy/checks.go` `AggregateCheckResults` / `ForbiddenDetail`: the
  reasons joined with ", ", each with its detail in parentheses;
- `api/helpers.go` `PolicyToEvaluate`, `ParseLevel`, `ParseVersion`: the
  namespace labels `pod-security.kubernetes.io/{enforce,audit,warn}[-version]`;
- `admission/admission.go` `ValidatePod` / `EvaluatePod`: enforce denies
  (`violates PodSecurity "<level>:<version>": <detail>`), audit adds the
  `pod-security.kubernetes.io/audit-violations` annotation, warn returns
  `would violate PodSecurity ...` warnings and admits;
- `admission/response.go` `forbiddenResponse`: `apierrors.NewForbidden`
  (`pods "<name>" is forbidden: ...`, code 403).

Not modelled: exemptions (usernames, runtime classes, namespaces) from the
AdmissionConfiguration, and the `emulationVersion` cap (the registry's
newest version is used, as on a v1.36 API server with default configuration).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from initlab.api.pod import as_dict, as_list, metadata, spec
from initlab.errors import FieldError

LABEL_PREFIX = "pod-security.kubernetes.io/"
PRIVILEGED, BASELINE, RESTRICTED = "privileged", "baseline", "restricted"
#: `api/constants.go` validLevels, in upstream's order (used in the error text).
LEVELS = (PRIVILEGED, BASELINE, RESTRICTED)
MODES = ("enforce", "audit", "warn")

#: `api.Version`: (major, minor), or LATEST.
Version = tuple[int, int]
LATEST: Version = (1, 1_000_000)  # "Latest is always consider newer, even than future versions."


def version_str(v: Version) -> str:
    """`Version.String()`: `latest` or `v1.N`."""
    return "latest" if v == LATEST else f"v{v[0]}.{v[1]}"


@dataclass(frozen=True)
class LevelVersion:
    """`api.LevelVersion`; `str()` is `String()`: `baseline:v1.33`."""

    level: str
    version: Version

    def __str__(self) -> str:
        return f"{self.level}:{version_str(self.version)}"


@dataclass(frozen=True)
class CheckResult:
    """`policy.CheckResult`."""

    allowed: bool
    reason: str = ""
    detail: str = ""


OK = CheckResult(True)
CheckFn = Callable[[dict[str, Any], dict[str, Any]], CheckResult]


@dataclass(frozen=True)
class VersionedCheck:
    minimum_version: Version
    check_pod: CheckFn
    override_check_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    versions: tuple[VersionedCheck, ...]


# -- helpers (policy/helpers.go, policy/visitor.go) -----------------------------------------


def _join_quote(items: list[str]) -> str:
    """`joinQuote`: `"a", "b"`."""
    return '"' + '", "'.join(items) + '"' if items else ""


def _go_quote(value: Any) -> str:
    """Go's `%q` for a string (control characters escaped, so a message stays one line)."""
    return json.dumps(str(value), ensure_ascii=False)


def _pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    """`visitContainers`: init containers, then containers, then ephemeral containers."""
    return (
        as_list(pod_spec.get("initContainers"))
        + as_list(pod_spec.get("containers"))
        + as_list(pod_spec.get("ephemeralContainers"))
    )


def _name(c: dict[str, Any]) -> str:
    return str(c.get("name", ""))


def _sc(obj: dict[str, Any]) -> dict[str, Any]:
    return as_dict(obj.get("securityContext"))


def _windows(pod_spec: dict[str, Any]) -> bool:
    return as_dict(pod_spec.get("os")).get("name") == "windows"


def _relax_for_user_namespace(pod_spec: dict[str, Any]) -> bool:
    """`relaxPolicyForUserNamespacePod`: `hostUsers: false`."""
    return pod_spec.get("hostUsers") is False


def _setters(pod_bad: bool, containers: list[str]) -> list[str]:
    out = ["pod"] if pod_bad else []
    if containers:
        out.append(
            f"{_pluralize('container', 'containers', len(containers))} {_join_quote(containers)}"
        )
    return out


# -- the checks (policy/check_*.go) ---------------------------------------------------------


def allow_privilege_escalation_1_8(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_allowPrivilegeEscalation.go` `allowPrivilegeEscalation_1_8`."""
    bad = [
        _name(c)
        for c in _containers(s)
        if _sc(c).get("allowPrivilegeEscalation") is None
        or _sc(c).get("allowPrivilegeEscalation") is not False
    ]
    if bad:
        return CheckResult(
            False,
            "allowPrivilegeEscalation != false",
            f"{_pluralize('container', 'containers', len(bad))} {_join_quote(bad)} must set "
            "securityContext.allowPrivilegeEscalation=false",
        )
    return OK


def allow_privilege_escalation_1_25(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`allowPrivilegeEscalation_1_25`: Windows pods are exempt from v1.25."""
    return OK if _windows(s) else allow_privilege_escalation_1_8(meta, s)


_APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def app_armor_profile_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_appArmorProfile.go` `appArmorProfile_1_0`."""
    allowed_types = ("RuntimeDefault", "Localhost")
    setters: list[str] = []
    bad_values: set[str] = set()
    pod_profile = _sc(s).get("appArmorProfile")
    if pod_profile is not None:
        t = str(as_dict(pod_profile).get("type", ""))
        if t not in allowed_types:
            setters.append("pod")
            bad_values.add(t)
    bad_containers = []
    for c in _containers(s):
        prof = _sc(c).get("appArmorProfile")
        if prof is not None:
            t = str(as_dict(prof).get("type", ""))
            if t not in allowed_types:
                bad_containers.append(_name(c))
                bad_values.add(t)
    if bad_containers:
        setters.append(
            f"{_pluralize('container', 'containers', len(bad_containers))} "
            f"{_join_quote(bad_containers)}"
        )
    forbidden = []
    for k, v in as_dict(meta.get("annotations")).items():
        v = str(v)
        ok = not v or v == "runtime/default" or v.startswith("localhost/")
        if str(k).startswith(_APPARMOR_ANNOTATION_PREFIX) and not ok:
            forbidden.append(f"{k}={_go_quote(v)}")
    values = sorted(bad_values)
    if forbidden:
        values += sorted(forbidden)
        setters.append(_pluralize("annotation", "annotations", len(forbidden)))
    if setters:
        return CheckResult(
            False,
            _pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(values)),
            f"{' and '.join(setters)} must not set AppArmor profile type to {_join_quote(values)}",
        )
    return OK


#: `capabilities_allowed_1_0`: the container runtime's default set.
CAPABILITIES_ALLOWED_1_0 = frozenset(
    "AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_BIND_SERVICE SETFCAP SETGID "
    "SETPCAP SETUID SYS_CHROOT".split()
)


def _caps(c: dict[str, Any], key: str) -> list[str]:
    return [str(x) for x in (as_dict(_sc(c).get("capabilities")).get(key) or [])]


def capabilities_baseline_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_capabilities_baseline.go` `capabilitiesBaseline_1_0`."""
    bad: list[str] = []
    caps: set[str] = set()
    for c in _containers(s):
        if _sc(c).get("capabilities") is None:
            continue
        added = [x for x in _caps(c, "add") if x not in CAPABILITIES_ALLOWED_1_0]
        if added:
            caps.update(added)
            bad.append(_name(c))
    if bad:
        return CheckResult(
            False,
            "non-default capabilities",
            f"{_pluralize('container', 'containers', len(bad))} {_join_quote(bad)} must not "
            f"include {_join_quote(sorted(caps))} in securityContext.capabilities.add",
        )
    return OK


def capabilities_restricted_1_22(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_capabilities_restricted.go` `capabilitiesRestricted_1_22`."""
    missing_drop: list[str] = []
    adding: list[str] = []
    forbidden: set[str] = set()
    for c in _containers(s):
        if _sc(c).get("capabilities") is None:
            missing_drop.append(_name(c))
            continue
        if "ALL" not in _caps(c, "drop"):
            missing_drop.append(_name(c))
        added = [x for x in _caps(c, "add") if x != "NET_BIND_SERVICE"]
        if added:
            forbidden.update(added)
            adding.append(_name(c))
    details = []
    if missing_drop:
        details.append(
            f"{_pluralize('container', 'containers', len(missing_drop))} "
            f'{_join_quote(missing_drop)} must set securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{_pluralize('container', 'containers', len(adding))} {_join_quote(adding)} must "
            f"not include {_join_quote(sorted(forbidden))} in securityContext.capabilities.add"
        )
    if details:
        return CheckResult(False, "unrestricted capabilities", "; ".join(details))
    return OK


def capabilities_restricted_1_25(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`capabilitiesRestricted_1_25`: Windows pods are exempt from v1.25."""
    return OK if _windows(s) else capabilities_restricted_1_22(meta, s)


def host_namespaces_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_hostNamespaces.go` `hostNamespaces_1_0`."""
    found = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if s.get(k) is True]
    if found:
        return CheckResult(False, "host namespaces", ", ".join(found))
    return OK


def host_path_volumes_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_hostPathVolumes.go` `hostPathVolumes_1_0`."""
    vols = [str(v.get("name", "")) for v in as_list(s.get("volumes")) if v.get("hostPath")]
    if vols:
        return CheckResult(
            False,
            "hostPath volumes",
            f"{_pluralize('volume', 'volumes', len(vols))} {_join_quote(vols)}",
        )
    return OK


def host_ports_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_hostPorts.go` `hostPorts_1_0` (the ports sort as strings: `sets.String.List`)."""
    bad: list[str] = []
    ports: set[str] = set()
    for c in _containers(s):
        used = [str(p.get("hostPort")) for p in as_list(c.get("ports")) if p.get("hostPort")]
        if used:
            ports.update(used)
            bad.append(_name(c))
    if bad:
        return CheckResult(
            False,
            "hostPort",
            f"{_pluralize('container', 'containers', len(bad))} {_join_quote(bad)} "
            f"{_pluralize('uses', 'use', len(bad))} "
            f"{_pluralize('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}",
        )
    return OK


def _bad_hosts(handler: Any) -> list[str]:
    h = as_dict(handler)
    return [
        str(as_dict(h.get(k)).get("host"))
        for k in ("httpGet", "tcpSocket")
        if as_dict(h.get(k)).get("host")
    ]


def host_probes_and_host_lifecycle_1_34(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_hostProbesAndhostLifecycle.go` `hostProbesAndHostLifecycleV1Dot34` (from v1.34)."""
    bad: set[str] = set()
    hosts: set[str] = set()
    for c in _containers(s):
        lc = as_dict(c.get("lifecycle"))
        for handler in (
            c.get("livenessProbe"),
            c.get("readinessProbe"),
            c.get("startupProbe"),
            lc.get("postStart"),
            lc.get("preStop"),
        ):
            found = _bad_hosts(handler)
            if found:
                bad.add(_name(c))
                hosts.update(found)
    if bad:
        return CheckResult(
            False,
            "probe or lifecycle host",
            f"{_pluralize('container', 'containers', len(bad))} {_join_quote(sorted(bad))} "
            f"{_pluralize('uses', 'use', len(bad))} "
            f"{_pluralize('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
            f"{_join_quote(sorted(hosts))}",
        )
    return OK


def privileged_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_privileged.go` `privileged_1_0`."""
    bad = [_name(c) for c in _containers(s) if _sc(c).get("privileged") is True]
    if bad:
        return CheckResult(
            False,
            "privileged",
            f"{_pluralize('container', 'containers', len(bad))} {_join_quote(bad)} must not "
            "set securityContext.privileged=true",
        )
    return OK


def proc_mount_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_procMount_baseline.go` `procMount_1_0`."""
    bad: list[str] = []
    types: set[str] = set()
    for c in _containers(s):
        pm = _sc(c).get("procMount")
        if pm is not None and pm != "Default":
            bad.append(_name(c))
            types.add(str(pm))
    if bad:
        return CheckResult(
            False,
            "procMount",
            f"{_pluralize('container', 'containers', len(bad))} {_join_quote(bad)} must not "
            f"set securityContext.procMount to {_join_quote(sorted(types))}",
        )
    return OK


def proc_mount_1_35_baseline(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`procMount1_35baseline`: any procMount in a user namespace (`hostUsers: false`)."""
    return OK if _relax_for_user_namespace(s) else proc_mount_1_0(meta, s)


#: `restrictedVolumes_1_0`: the volume sources restricted allows.
_ALLOWED_VOLUME_SOURCES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
_RESTRICTED_VOLUME_SOURCES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def restricted_volumes_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_restrictedVolumes.go` `restrictedVolumes_1_0`."""
    bad: list[str] = []
    types: set[str] = set()
    for v in as_list(s.get("volumes")):
        if any(v.get(k) is not None for k in _ALLOWED_VOLUME_SOURCES):
            continue
        bad.append(str(v.get("name", "")))
        kind = next((k for k in _RESTRICTED_VOLUME_SOURCES if v.get(k) is not None), "unknown")
        types.add(kind)
    if bad:
        return CheckResult(
            False,
            "restricted volume types",
            f"{_pluralize('volume', 'volumes', len(bad))} {_join_quote(bad)} "
            f"{_pluralize('uses', 'use', len(bad))} "
            f"{_pluralize('restricted volume type', 'restricted volume types', len(types))} "
            f"{_join_quote(sorted(types))}",
        )
    return OK


def run_as_non_root_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_runAsNonRoot.go` `runAsNonRoot1_0`."""
    pod_value = _sc(s).get("runAsNonRoot")
    pod_bad = pod_value is not None and pod_value is not True
    pod_ok = pod_value is True
    explicit: list[str] = []
    implicit: list[str] = []
    for c in _containers(s):
        v = _sc(c).get("runAsNonRoot")
        if v is not None:
            if v is not True:
                explicit.append(_name(c))
        elif not pod_ok:
            implicit.append(_name(c))
    setters = _setters(pod_bad, explicit)
    if setters:
        return CheckResult(
            False,
            "runAsNonRoot != true",
            f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false",
        )
    if implicit:
        return CheckResult(
            False,
            "runAsNonRoot != true",
            f"pod or {_pluralize('container', 'containers', len(implicit))} "
            f"{_join_quote(implicit)} must set securityContext.runAsNonRoot=true",
        )
    return OK


def run_as_non_root_1_35(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`runAsNonRoot1_35`: any value in a user namespace (`hostUsers: false`)."""
    return OK if _relax_for_user_namespace(s) else run_as_non_root_1_0(meta, s)


def run_as_user_1_23(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_runAsUser.go` `runAsUser1_23`."""

    def zero(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v == 0

    bad = [_name(c) for c in _containers(s) if zero(_sc(c).get("runAsUser"))]
    setters = _setters(zero(_sc(s).get("runAsUser")), bad)
    if setters:
        return CheckResult(
            False, "runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0"
        )
    return OK


def run_as_user_1_35(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`runAsUser1_35`: any value in a user namespace (`hostUsers: false`)."""
    return OK if _relax_for_user_namespace(s) else run_as_user_1_23(meta, s)


SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}


def _se_linux_options(s: dict[str, Any], allowed: frozenset[str]) -> CheckResult:
    """`check_seLinuxOptions.go` `seLinuxOptions`."""
    bad_types: set[str] = set()
    flags = {"user": False, "role": False}

    def valid(opts: dict[str, Any]) -> bool:
        ok = True
        t = str(opts.get("type") or "")
        if t not in allowed:
            ok = False
            bad_types.add(t)
        for k in ("user", "role"):
            if opts.get(k):
                ok = False
                flags[k] = True
        return ok

    pod_bad = _sc(s).get("seLinuxOptions") is not None and not valid(
        as_dict(_sc(s).get("seLinuxOptions"))
    )
    bad = [
        _name(c)
        for c in _containers(s)
        if _sc(c).get("seLinuxOptions") is not None
        and not valid(as_dict(_sc(c).get("seLinuxOptions")))
    ]
    setters = _setters(pod_bad, bad)
    if setters:
        data = []
        if bad_types:
            data.append(
                f"{_pluralize('type', 'types', len(bad_types))} {_join_quote(sorted(bad_types))}"
            )
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        return CheckResult(
            False,
            "seLinuxOptions",
            f"{' and '.join(setters)} set forbidden securityContext.seLinuxOptions: "
            + "; ".join(data),
        )
    return OK


def se_linux_options_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`seLinuxOptions1_0`."""
    return _se_linux_options(s, SELINUX_TYPES_1_0)


def se_linux_options_1_31(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`seLinuxOptions1_31`: `container_engine_t` is allowed from v1.31."""
    return _se_linux_options(s, SELINUX_TYPES_1_31)


_SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def _valid_seccomp(t: Any) -> bool:
    return t in ("Localhost", "RuntimeDefault")


def _seccomp_type(obj: dict[str, Any]) -> str:
    return str(as_dict(_sc(obj).get("seccompProfile")).get("type", ""))


def seccomp_profile_baseline_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_seccompProfile_baseline.go` `seccompProfileBaseline_1_0` (annotations)."""
    annotations = as_dict(meta.get("annotations"))

    def valid(v: Any) -> bool:
        v = str(v)
        return v in ("runtime/default", "docker/default") or v.startswith("localhost/")

    forbidden: set[str] = set()
    if _SECCOMP_POD_ANNOTATION in annotations and not valid(annotations[_SECCOMP_POD_ANNOTATION]):
        forbidden.add(
            f"{_SECCOMP_POD_ANNOTATION}={_go_quote(annotations[_SECCOMP_POD_ANNOTATION])}"
        )
    for c in _containers(s):
        key = _SECCOMP_CONTAINER_PREFIX + _name(c)
        if key in annotations and not valid(annotations[key]):
            forbidden.add(f"{key}={_go_quote(annotations[key])}")
    if forbidden:
        return CheckResult(
            False,
            "seccompProfile",
            f"forbidden {_pluralize('annotation', 'annotations', len(forbidden))} "
            + ", ".join(sorted(forbidden)),
        )
    return OK


def seccomp_profile_baseline_1_19(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`seccompProfileBaseline_1_19` (the seccompProfile fields)."""
    bad_values: set[str] = set()
    pod_bad = False
    if _sc(s).get("seccompProfile") is not None and not _valid_seccomp(_seccomp_type(s)):
        pod_bad = True
        bad_values.add(_seccomp_type(s))
    bad = []
    for c in _containers(s):
        if _sc(c).get("seccompProfile") is not None and not _valid_seccomp(_seccomp_type(c)):
            bad.append(_name(c))
            bad_values.add(_seccomp_type(c))
    setters = _setters(pod_bad, bad)
    if setters:
        return CheckResult(
            False,
            "seccompProfile",
            f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
            f"{_join_quote(sorted(bad_values))}",
        )
    return OK


def seccomp_profile_restricted_1_19(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_seccompProfile_restricted.go` `seccompProfileRestricted_1_19`."""
    bad_values: set[str] = set()
    pod_bad = pod_set = False
    if _sc(s).get("seccompProfile") is not None:
        if _valid_seccomp(_seccomp_type(s)):
            pod_set = True
        else:
            pod_bad = True
            bad_values.add(_seccomp_type(s))
    explicit: list[str] = []
    implicit: list[str] = []
    for c in _containers(s):
        if _sc(c).get("seccompProfile") is not None:
            if not _valid_seccomp(_seccomp_type(c)):
                explicit.append(_name(c))
                bad_values.add(_seccomp_type(c))
        elif not pod_set:
            implicit.append(_name(c))
    setters = _setters(pod_bad, explicit)
    if setters:
        return CheckResult(
            False,
            "seccompProfile",
            f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
            f"{_join_quote(sorted(bad_values))}",
        )
    if implicit:
        return CheckResult(
            False,
            "seccompProfile",
            f"pod or {_pluralize('container', 'containers', len(implicit))} "
            f"{_join_quote(implicit)} must set securityContext.seccompProfile.type to "
            '"RuntimeDefault" or "Localhost"',
        )
    return OK


def seccomp_profile_restricted_1_25(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`seccompProfileRestricted_1_25`: Windows pods are exempt from v1.25."""
    return OK if _windows(s) else seccomp_profile_restricted_1_19(meta, s)


SYSCTLS_1_0 = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
        """`check_sysctls.go` `sysctls` with one version's allowed set."""
        bad = [
            str(x.get("name", ""))
            for x in as_list(_sc(s).get("sysctls"))
            if str(x.get("name", "")) not in allowed
        ]
        if bad:
            return CheckResult(False, "forbidden sysctls", ", ".join(bad))
        return OK

    return check


def windows_host_process_1_0(meta: dict[str, Any], s: dict[str, Any]) -> CheckResult:
    """`check_windowsHostProcess.go` `windowsHostProcess_1_0`."""

    def host_process(obj: dict[str, Any]) -> bool:
        return as_dict(_sc(obj).get("windowsOptions")).get("hostProcess") is True

    bad = [_name(c) for c in _containers(s) if host_process(c)]
    setters = _setters(host_process(s), bad)
    if setters:
        return CheckResult(
            False,
            "hostProcess",
            f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true",
        )
    return OK


def _v(minor: int) -> Version:
    return (1, minor)


#: The default checks (`DefaultChecks()`), with their versioned implementations.
CHECKS: tuple[Check, ...] = (
    Check(
        "allowPrivilegeEscalation",
        RESTRICTED,
        (
            VersionedCheck(_v(8), allow_privilege_escalation_1_8),
            VersionedCheck(_v(25), allow_privilege_escalation_1_25),
        ),
    ),
    Check("appArmorProfile", BASELINE, (VersionedCheck(_v(0), app_armor_profile_1_0),)),
    Check("capabilities_baseline", BASELINE, (VersionedCheck(_v(0), capabilities_baseline_1_0),)),
    Check(
        "capabilities_restricted",
        RESTRICTED,
        (
            VersionedCheck(_v(22), capabilities_restricted_1_22, ("capabilities_baseline",)),
            VersionedCheck(_v(25), capabilities_restricted_1_25, ("capabilities_baseline",)),
        ),
    ),
    Check("hostNamespaces", BASELINE, (VersionedCheck(_v(0), host_namespaces_1_0),)),
    Check("hostPathVolumes", BASELINE, (VersionedCheck(_v(0), host_path_volumes_1_0),)),
    Check("hostPorts", BASELINE, (VersionedCheck(_v(0), host_ports_1_0),)),
    Check(
        "hostProbesAndHostLifecycle",
        BASELINE,
        (VersionedCheck(_v(34), host_probes_and_host_lifecycle_1_34),),
    ),
    Check("privileged", BASELINE, (VersionedCheck(_v(0), privileged_1_0),)),
    Check(
        "procMount",
        BASELINE,
        (
            VersionedCheck(_v(0), proc_mount_1_0),
            VersionedCheck(_v(35), proc_mount_1_35_baseline),
        ),
    ),
    Check(
        "procMount_restricted",
        RESTRICTED,
        (VersionedCheck(_v(35), proc_mount_1_0, ("procMount",)),),
    ),
    Check(
        "restrictedVolumes",
        RESTRICTED,
        (VersionedCheck(_v(0), restricted_volumes_1_0, ("hostPathVolumes",)),),
    ),
    Check(
        "runAsNonRoot",
        RESTRICTED,
        (
            VersionedCheck(_v(0), run_as_non_root_1_0),
            VersionedCheck(_v(35), run_as_non_root_1_35),
        ),
    ),
    Check(
        "runAsUser",
        RESTRICTED,
        (VersionedCheck(_v(23), run_as_user_1_23), VersionedCheck(_v(35), run_as_user_1_35)),
    ),
    Check(
        "seLinuxOptions",
        BASELINE,
        (
            VersionedCheck(_v(0), se_linux_options_1_0),
            VersionedCheck(_v(31), se_linux_options_1_31),
        ),
    ),
    Check(
        "seccompProfile_baseline",
        BASELINE,
        (
            VersionedCheck(_v(0), seccomp_profile_baseline_1_0),
            VersionedCheck(_v(19), seccomp_profile_baseline_1_19),
        ),
    ),
    Check(
        "seccompProfile_restricted",
        RESTRICTED,
        (
            VersionedCheck(_v(19), seccomp_profile_restricted_1_19, ("seccompProfile_baseline",)),
            VersionedCheck(_v(25), seccomp_profile_restricted_1_25, ("seccompProfile_baseline",)),
        ),
    ),
    Check(
        "sysctls",
        BASELINE,
        (
            VersionedCheck(_v(0), _sysctls(SYSCTLS_1_0)),
            VersionedCheck(_v(27), _sysctls(SYSCTLS_1_27)),
            VersionedCheck(_v(29), _sysctls(SYSCTLS_1_29)),
            VersionedCheck(_v(32), _sysctls(SYSCTLS_1_32)),
        ),
    ),
    Check("windowsHostProcess", BASELINE, (VersionedCheck(_v(0), windows_host_process_1_0),)),
)


class Registry:
    """`policy/registry.go` `checkRegistry`: the check functions per level and minor version."""

    def __init__(self, checks: tuple[Check, ...] = CHECKS) -> None:
        self.max_version: Version = max(c.versions[-1].minimum_version for c in checks)
        restricted_ids = sorted(c.id for c in checks if c.level == RESTRICTED)
        baseline_ids = sorted(c.id for c in checks if c.level == BASELINE)
        ordered = baseline_ids + restricted_ids  # baseline checks first, then restricted
        per_level: dict[str, dict[int, dict[str, VersionedCheck]]] = {BASELINE: {}, RESTRICTED: {}}
        for c in checks:  # inflateVersions
            for i, vc in enumerate(c.versions):
                end = (
                    c.versions[i + 1].minimum_version[1]
                    if i + 1 < len(c.versions)
                    else self.max_version[1] + 1
                )
                for minor in range(vc.minimum_version[1], end):
                    per_level[c.level].setdefault(minor, {})[c.id] = vc
        self.baseline: dict[int, list[CheckFn]] = {}
        self.restricted: dict[int, list[CheckFn]] = {}
        for minor in range(0, self.max_version[1] + 1):
            restricted = dict(per_level[RESTRICTED].get(minor, {}))
            overrides = {o for vc in restricted.values() for o in vc.override_check_ids}
            baseline = per_level[BASELINE].get(minor, {})
            for cid, vc in baseline.items():
                if cid not in overrides:
                    restricted[cid] = vc
            self.restricted[minor] = [restricted[i].check_pod for i in ordered if i in restricted]
            self.baseline[minor] = [baseline[i].check_pod for i in ordered if i in baseline]

    def evaluate_pod(self, lv: LevelVersion, pod: dict[str, Any]) -> list[CheckResult]:
        """`EvaluatePod`: privileged allows all; a version past the newest is the newest."""
        if lv.level == PRIVILEGED:
            return []
        version = self.max_version if lv.version > self.max_version else lv.version
        table = self.baseline if lv.level == BASELINE else self.restricted
        meta, s = metadata(pod), spec(pod)
        return [check(meta, s) for check in table.get(version[1], [])]


REGISTRY = Registry()


@dataclass(frozen=True)
class Aggregate:
    """`AggregateCheckResult`."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    details: tuple[str, ...] = ()

    @property
    def forbidden_detail(self) -> str:
        """`ForbiddenDetail()`: `reason (detail), reason (detail)`."""
        return ", ".join(
            f"{r} ({d})" if d else r for r, d in zip(self.reasons, self.details, strict=True)
        )


def aggregate(results: list[CheckResult]) -> Aggregate:
    """`AggregateCheckResults`."""
    bad = [r for r in results if not r.allowed]
    return Aggregate(
        not bad,
        tuple(r.reason or "unknown forbidden reason" for r in bad),
        tuple(r.detail for r in bad),
    )


# -- the namespace's policy (api/helpers.go) -------------------------------------------------

_VERSION_RE = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")


@dataclass(frozen=True)
class Policy:
    """`api.Policy`: the level and version of each mode."""

    enforce: LevelVersion
    audit: LevelVersion
    warn: LevelVersion

    def fully_privileged(self) -> bool:
        return PRIVILEGED == self.enforce.level == self.audit.level == self.warn.level


DEFAULT_POLICY = Policy(*(LevelVersion(PRIVILEGED, LATEST) for _ in MODES))


def _parse_level(value: str) -> tuple[str, str]:
    if value in LEVELS:
        return value, ""
    return RESTRICTED, "must be one of " + ", ".join(LEVELS)


def _parse_version(value: str) -> tuple[Version, str]:
    if value == "latest":
        return LATEST, ""
    m = _VERSION_RE.match(value)
    if not m or int(m.group(1)) > 2**63 - 1:  # strconv.Atoi overflows
        return LATEST, 'must be "latest" or "v1.x"'
    return (1, int(m.group(1))), ""


def policy_to_evaluate(
    labels: dict[str, str], defaults: Policy = DEFAULT_POLICY
) -> tuple[Policy, list[FieldError]]:
    """`PolicyToEvaluate`: the labels over the defaults, and the label errors.

    An invalid enforce level fails closed (restricted); invalid audit and
    warn levels fail open (privileged); with no warn label, warn follows a
    stricter enforce level (and its version, without a warn-version label).
    """
    errors: list[FieldError] = []
    modes = {"enforce": defaults.enforce, "audit": defaults.audit, "warn": defaults.warn}
    has_level = {m: False for m in MODES}
    has_version = {m: False for m in MODES}
    for mode in MODES:
        level, version = modes[mode].level, modes[mode].version
        key = LABEL_PREFIX + mode
        if key in labels:
            level, err = _parse_level(labels[key])
            if err:
                errors.append(
                    FieldError(f"metadata.labels[{key}]", "Invalid value", err, labels[key])
                )
                if mode != "enforce":
                    level = PRIVILEGED
            has_level[mode] = not err if mode == "enforce" else True
        vkey = key + "-version"
        if vkey in labels:
            has_version[mode] = True
            version, err = _parse_version(labels[vkey])
            if err:
                errors.append(
                    FieldError(f"metadata.labels[{vkey}]", "Invalid value", err, labels[vkey])
                )
        modes[mode] = LevelVersion(level, version)
    if not has_level["warn"] and has_level["enforce"]:
        if _strictness(modes["enforce"].level) > _strictness(modes["warn"].level):
            modes["warn"] = LevelVersion(
                modes["enforce"].level,
                modes["warn"].version if has_version["warn"] else modes["enforce"].version,
            )
    return Policy(modes["enforce"], modes["audit"], modes["warn"]), errors


def _strictness(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


def has_labels(labels: dict[str, str]) -> bool:
    """Whether a namespace sets any `pod-security.kubernetes.io/` label."""
    return any(k.startswith(LABEL_PREFIX) for k in labels)


# -- the plugin's decision (admission/admission.go) -----------------------------------------


@dataclass
class PodSecurityDecision:
    """What `ValidatePod` answers: allowed, the denial message, warnings, audit annotations."""

    policy: Policy
    allowed: bool = True
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)


def evaluate(
    pod: dict[str, Any], labels: dict[str, str], registry: Registry = REGISTRY
) -> PodSecurityDecision:
    """`Admission.ValidatePod` + `EvaluatePod` for `CREATE pods`.

    `message` is the error of `forbiddenResponse` without the
    `pods "<name>" is forbidden: ` prefix the chain adds.
    """
    policy, errors = policy_to_evaluate(labels)
    decision = PodSecurityDecision(policy)
    if not errors and policy.fully_privileged():
        decision.audit_annotations["enforce-policy"] = str(LevelVersion(PRIVILEGED, LATEST))
        return decision
    if errors:
        agg = errors[0].__str__() if len(errors) == 1 else "[" + ", ".join(map(str, errors)) + "]"
        decision.audit_annotations["error"] = f"Failed to parse policy: {agg}"
    cache: dict[LevelVersion, Aggregate] = {}
    decision.audit_annotations["enforce-policy"] = str(policy.enforce)
    result = aggregate(registry.evaluate_pod(policy.enforce, pod))
    if not result.allowed:
        decision.allowed = False
        decision.message = f'violates PodSecurity "{policy.enforce}": {result.forbidden_detail}'
    cache[policy.enforce] = result
    audit = cache.get(policy.audit) or aggregate(registry.evaluate_pod(policy.audit, pod))
    cache[policy.audit] = audit
    if not audit.allowed:
        decision.audit_annotations["audit-violations"] = (
            f'would violate PodSecurity "{policy.audit}": {audit.forbidden_detail}'
        )
    if decision.allowed:
        warn = cache.get(policy.warn) or aggregate(registry.evaluate_pod(policy.warn, pod))
        if not warn.allowed:
            decision.warnings.append(
                f'would violate PodSecurity "{policy.warn}": {warn.forbidden_detail}'
            )
    return decision
