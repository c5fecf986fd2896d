"""`kubectl describe pod`, line by line as kubectl prints it.

A port of kubectl `pkg/describe/describe.go` (kubernetes/kubectl v0.35.2, also
checked against v0.32.4, v0.33.9 and v0.34.5): `describePod`,
`describeContainers` and the functions they call. As in kubectl, everything
goes through one `PrefixWriter` (`prefixWriter.Write`: two spaces per level,
then cli-runtime's `WriteEscaped`) into one Go tabwriter (`tabbedString`:
minwidth 0, tabwidth 8, padding 2), so columns align across consecutive
lines, and `DescribeEvents` flushes it before the Events table.

Version differences (`kubectl_version`):

- kubectl >= 1.35 prefixes an event's message with its involved object's
  `fieldPath` (`DescribeEvents`);
- kubectl >= 1.34 names a port after its number, `8080/TCP (http)`
  (`describeContainerPorts`, `describeContainerHostPorts`);
- kubectl >= 1.33 prints a projected Secret's or ConfigMap's `Optional: false`
  (`printProjectedVolumeSource`), older ones the raw pointer.

Times are printed as kubectl prints them with `TZ=UTC` (`time.RFC1123Z` of
the local time); ages are HumanDuration from `now`. The in-tree volume
plugins removed from Kubernetes (GCE PD, AWS EBS, Cinder, ...) print as
kubectl's `<unknown>` fallback here: initlab does not model them.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from initlab.api.pod import as_dict, as_int, as_list, as_str
from initlab.api.printers import TabWriter, escape_terminal, human_duration, parse_time
from initlab.api.quantity import Quantity, QuantityError
from initlab.api.resources import get_pod_qos
from initlab.kubectl.events import (
    DEFAULT_KUBECTL_VERSION,
    event_objects,
    event_rows,
    go_sort,
    kubectl_minor,
    kubectl_version_for,
)
from initlab.kubelet.status import instant

#: describe.go `skipAnnotations`.
SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}
#: describe.go `maxAnnotationLen`.
MAX_ANNOTATION_LEN = 140


class PrefixWriter:
    """describe.go `prefixWriter` over the one `tabbedString` tabwriter."""

    def __init__(self) -> None:
        self.tw = TabWriter(0, 8, 2)
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        """`Write(level, format, ...)`: the already formatted text, indented, escaped."""
        self.tw.write(escape_terminal("  " * level + text))

    def write_line(self, text: str) -> None:
        """`WriteLine(a...)`: `fmt.Sprintln`."""
        self.tw.write(escape_terminal(text + "\n"))

    def flush(self) -> None:
        """`Flush()`: format what is buffered; later lines start new column blocks."""
        self._parts.append(self.tw.flush())

    def text(self) -> str:
        """Everything written, flushed (what `tabbedString` returns)."""
        return "".join(self._parts) + self.tw.flush()


def go_value(value: Any) -> str:
    """Go's `%v` of a decoded JSON scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def rfc1123z(value: Any) -> str:
    """`metav1.Time.Time.Format(time.RFC1123Z)` in UTC; Go's zero time when unset."""
    dt = parse_time(value)
    if dt is None:
        dt = datetime(1, 1, 1, tzinfo=UTC)
    dt = dt.astimezone(UTC)
    return f"{dt:%a, %d %b} {dt.year:04d} {dt:%H:%M:%S} +0000"  # Go pads the year to 4 digits


def _quantity(value: Any) -> str:
    """`resource.Quantity.String()`: the canonical form."""
    try:
        return str(Quantity.parse(value))
    except QuantityError:
        return str(value)


def _since(value: Any, now: datetime) -> str:
    ts = parse_time(value)
    if ts is None:
        return "<unknown>"
    return human_duration(now - ts)


# -- small printers ---------------------------------------------------------------------


def _print_labels(w: PrefixWriter, title: str, labels: Any, inner: str = "\t") -> None:
    """`printLabelsMultilineWithIndent(w, "", title, "\\t", labels, skip)`."""
    w.write(0, f"{title}:{inner}")
    labels = as_dict(labels)
    if not labels:
        w.write_line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i != 0:
            w.write(0, inner)
        w.write(0, f"{key}={go_value(labels[key])}\n")


def _shorten(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) > limit:
        return raw[:limit].decode(errors="replace") + "..."
    return text


def _print_annotations(w: PrefixWriter, annotations: Any) -> None:
    """`printAnnotationsMultiline`: long or multi-line values on lines of their own."""
    w.write(0, "Annotations:\t")
    annotations = as_dict(annotations)
    keys = sorted(k for k in annotations if k not in SKIP_ANNOTATIONS)
    if not keys:
        w.write_line("<none>")
        return
    indent = "\t"
    for i, key in enumerate(keys):
        if i != 0:
            w.write(0, indent)
        value = go_value(annotations[key]).removesuffix("\n")
        if len(value.encode()) + len(key.encode()) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                w.write(0, f"{indent}  {_shorten(line, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def _print_tolerations(w: PrefixWriter, tolerations: Any) -> None:
    """`printTolerationsMultilineWithIndent`: sorted by key (`sort.Slice`, not stable)."""
    w.write(0, "Tolerations:\t")
    items = as_list(tolerations)
    if not items:
        w.write_line("<none>")
        return
    go_sort(items, lambda a, b: as_str(a.get("key")) < as_str(b.get("key")))
    for i, tol in enumerate(items):
        if i != 0:
            w.write(0, "\t")
        key, value, effect = (
            as_str(tol.get("key")),
            as_str(tol.get("value")),
            as_str(tol.get("effect")),
        )
        w.write(0, key)
        if value:
            w.write(0, f"={value}")
        if effect:
            w.write(0, f":{effect}")
        if tol.get("operator") == "Exists" and not value:
            w.write(0, " op=Exists" if key or effect else "op=Exists")
        seconds = tol.get("tolerationSeconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            w.write(0, f" for {seconds}s")
        w.write(0, "\n")


def _format_label_selector(selector: Any) -> str:
    """apimachinery `metav1.FormatLabelSelector` (matchLabels and matchExpressions)."""
    sel = as_dict(selector)
    parts = [f"{k}={go_value(v)}" for k, v in sorted(as_dict(sel.get("matchLabels")).items())]
    for expr in as_list(sel.get("matchExpressions")):
        op, key = as_str(expr.get("operator")), as_str(expr.get("key"))
        values = [go_value(v) for v in expr.get("values") or []]
        if op == "In":
            parts.append(f"{key} in ({','.join(sorted(values))})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(sorted(values))})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    text = ",".join(parts)
    return text or "<none>"


def _describe_topology(w: PrefixWriter, constraints: Any) -> None:
    """`describeTopologySpreadConstraints`."""
    items = as_list(constraints)
    if not items:
        return
    go_sort(items, lambda a, b: as_str(a.get("topologyKey")) < as_str(b.get("topologyKey")))
    w.write(0, "Topology Spread Constraints:\t")
    for i, tsc in enumerate(items):
        if i != 0:
            w.write(0, "")
            w.write(0, "\t")
        w.write(0, f"{as_str(tsc.get('topologyKey'))}:")
        w.write(0, go_value(tsc.get("whenUnsatisfiable")))
        w.write(0, f" when max skew {as_int(tsc.get('maxSkew'))} is exceeded")
        if isinstance(tsc.get("labelSelector"), dict):
            w.write(0, f" for selector {_format_label_selector(tsc['labelSelector'])}")
        w.write(0, "\n")


# -- volumes ---------------------------------------------------------------------------


def _describe_volumes(w: PrefixWriter, volumes: Any, minor: int) -> None:
    """`describeVolumes` for the volume types a pod uses today."""
    items = as_list(volumes)
    if not items:
        w.write(0, "Volumes:\t<none>\n")
        return
    w.write(0, "Volumes:\n")
    for v in items:
        w.write(1, f"{go_value(v.get('name'))}:\n")
        if isinstance(v.get("hostPath"), dict):
            hp = v["hostPath"]
            kind = as_str(hp.get("type")) if hp.get("type") is not None else "<none>"
            w.write(
                2,
                "Type:\tHostPath (bare host directory volume)\n"
                f"    Path:\t{go_value(hp.get('path'))}\n"
                f"    HostPathType:\t{kind}\n",
            )
        elif isinstance(v.get("emptyDir"), dict):
            ed = v["emptyDir"]
            size = "<unset>"
            if ed.get("sizeLimit") is not None:
                try:
                    q = Quantity.parse(ed["sizeLimit"])
                    if q.value > 0:
                        size = str(q)
                except QuantityError:
                    pass
            w.write(
                2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{go_value(ed.get('medium'))}\n"
                f"    SizeLimit:\t{size}\n",
            )
        elif isinstance(v.get("secret"), dict):
            sec = v["secret"]
            w.write(
                2,
                "Type:\tSecret (a volume populated by a Secret)\n"
                f"    SecretName:\t{go_value(sec.get('secretName'))}\n"
                f"    Optional:\t{go_value(sec.get('optional') is True)}\n",
            )
        elif isinstance(v.get("configMap"), dict):
            cm = v["configMap"]
            w.write(
                2,
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                f"    Name:\t{go_value(cm.get('name'))}\n"
                f"    Optional:\t{go_value(cm.get('optional') is True)}\n",
            )
        elif isinstance(v.get("persistentVolumeClaim"), dict):
            pvc = v["persistentVolumeClaim"]
            w.write(
                2,
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
                "same namespace)\n"
                f"    ClaimName:\t{go_value(pvc.get('claimName'))}\n"
                f"    ReadOnly:\t{go_value(pvc.get('readOnly') is True)}\n",
            )
        elif isinstance(v.get("downwardAPI"), dict):
            w.write(
                2,
                "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
            )
            for item in as_list(v["downwardAPI"].get("items")):
                if isinstance(item.get("fieldRef"), dict):
                    w.write(
                        3,
                        f"{go_value(item['fieldRef'].get('fieldPath'))} -> {go_value(item.get('path'))}\n",
                    )
                if isinstance(item.get("resourceFieldRef"), dict):
                    w.write(
                        3,
                        f"{go_value(item['resourceFieldRef'].get('resource'))} -> {go_value(item.get('path'))}\n",
                    )
        elif isinstance(v.get("projected"), dict):
            _describe_projected(w, v["projected"], minor)
        elif isinstance(v.get("csi"), dict):
            _describe_csi(w, v["csi"])
        elif isinstance(v.get("image"), dict):
            img = v["image"]
            w.write(
                2,
                "Type:\tImage (a container image or OCI artifact)\n"
                f"    Reference:\t{go_value(img.get('reference'))}\n"
                f"    PullPolicy:\t{go_value(img.get('pullPolicy'))}\n",
            )
        else:
            w.write(1, "<unknown>\n")


def _optional_before_133(value: Any) -> str:
    """kubectl < 1.33 printed the `*bool` itself with `%v`: `<nil>` when unset, else a
    memory address (which no one can reproduce; shown here as Go's `%v` of the value)."""
    return "<nil>" if value is None else go_value(value)


def _describe_projected(w: PrefixWriter, projected: dict[str, Any], minor: int) -> None:
    """`printProjectedVolumeSource`; kubectl >= 1.33 prints `Optional: false` where older
    ones printed `SecretOptionalName:`/`ConfigMapOptional:` and the pointer (kubectl #129457)."""
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for source in as_list(projected.get("sources")):
        if isinstance(source.get("secret"), dict):
            sec = source["secret"]
            if minor >= 33:
                tail = f"    Optional:\t{go_value(sec.get('optional') is True)}\n"
            else:
                tail = f"    SecretOptionalName:\t{_optional_before_133(sec.get('optional'))}\n"
            w.write(2, f"SecretName:\t{go_value(sec.get('name'))}\n" + tail)
        elif isinstance(source.get("downwardAPI"), dict):
            w.write(2, "DownwardAPI:\ttrue\n")
        elif isinstance(source.get("configMap"), dict):
            cm = source["configMap"]
            if minor >= 33:
                tail = f"    Optional:\t{go_value(cm.get('optional') is True)}\n"
            else:
                tail = f"    ConfigMapOptional:\t{_optional_before_133(cm.get('optional'))}\n"
            w.write(2, f"ConfigMapName:\t{go_value(cm.get('name'))}\n" + tail)
        elif isinstance(source.get("serviceAccountToken"), dict):
            seconds = as_int(source["serviceAccountToken"].get("expirationSeconds"))
            w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")


def _describe_csi(w: PrefixWriter, csi: dict[str, Any]) -> None:
    """`printCSIVolumeSource`."""
    attrs = as_dict(csi.get("volumeAttributes"))
    w.write(
        2,
        "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n"
        f"    Driver:\t{go_value(csi.get('driver'))}\n"
        f"    FSType:\t{go_value(csi.get('fsType'))}\n"
        f"    ReadOnly:\t{go_value(csi.get('readOnly') is True)}\n",
    )
    if attrs:
        w.write(2, "VolumeAttributes:\t")
        for i, key in enumerate(sorted(attrs)):
            if i != 0:
                w.write(2, "\t")
            w.write(0, f"{key}={go_value(attrs[key])}\n")


# -- containers ------------------------------------------------------------------------


def _ports(ports: list[dict[str, Any]], field: str, named: bool) -> str:
    out = []
    for p in ports:
        text = f"{as_int(p.get(field))}/{as_str(p.get('protocol'))}"
        if named and as_str(p.get("name")):
            text = f"{text} ({p['name']})"
        out.append(text)
    return ", ".join(out)


def _int_or_string(value: Any) -> str:
    """`intstr.IntOrString.String()`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return as_str(value)


def describe_probe(probe: dict[str, Any]) -> str:
    """describe.go `DescribeProbe`."""
    attrs = (
        f"delay={as_int(probe.get('initialDelaySeconds'))}s "
        f"timeout={as_int(probe.get('timeoutSeconds'))}s "
        f"period={as_int(probe.get('periodSeconds'))}s "
        f"#success={as_int(probe.get('successThreshold'))} "
        f"#failure={as_int(probe.get('failureThreshold'))}"
    )
    if isinstance(probe.get("exec"), dict):
        cmd = " ".join(go_value(x) for x in probe["exec"].get("command") or [])
        return f"exec [{cmd}] {attrs}"
    if isinstance(probe.get("httpGet"), dict):
        hg = probe["httpGet"]
        scheme = as_str(hg.get("scheme")).lower()
        port = _int_or_string(hg.get("port"))
        host = as_str(hg.get("host"))
        if port:
            hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        else:
            hostport = host
        url = f"{scheme}://{hostport}" if scheme else f"//{hostport}" if hostport else ""
        path = as_str(hg.get("path"))
        if path and not path.startswith("/") and url:
            path = "/" + path
        return f"http-get {url}{path} {attrs}"
    if isinstance(probe.get("tcpSocket"), dict):
        ts = probe["tcpSocket"]
        return f"tcp-socket {as_str(ts.get('host'))}:{_int_or_string(ts.get('port'))} {attrs}"
    if isinstance(probe.get("grpc"), dict):
        g = probe["grpc"]
        return f"grpc <pod>:{as_int(g.get('port'))} {as_str(g.get('service'))} {attrs}"
    return f"unknown {attrs}"


def _field_value(pod: dict[str, Any], api_version: str, path: str) -> str:
    """describe.go `EnvValueRetriever`: the value kubectl shows for a `fieldRef`.

    kubectl converts the path with its own scheme (`k8s.io/kubectl/pkg/scheme`),
    which registers no Pod field-label conversions, so apimachinery's
    `DefaultMetaV1FieldSelectorConversion` applies: only `metadata.name` and
    `metadata.namespace` resolve; every other path shows empty, as the real
    kubectl prints `INSTANCE_IP:   (v1:status.podIP)`.
    """
    if api_version.count("/") > 1:
        return ""  # schema.ParseGroupVersion fails
    meta = as_dict(pod.get("metadata"))
    if path == "metadata.name":
        return as_str(meta.get("name"))
    if path == "metadata.namespace":
        return as_str(meta.get("namespace"))
    return ""


def _resource_value(ref: dict[str, Any], container: dict[str, Any]) -> str:
    """`resourcehelper.ExtractContainerResourceValue` (divisor 1 unless given)."""
    resource = as_str(ref.get("resource"))
    kind, _, name = resource.partition(".")
    values = as_dict(as_dict(container.get("resources")).get(kind))
    try:
        divisor = Quantity.parse(ref.get("divisor") or "1").value
        q = Quantity.parse(values[name]).value if name in values else 0
    except QuantityError:
        return ""
    if not divisor:
        return ""
    return str(math.ceil(q / divisor))


def _describe_env(w: PrefixWriter, pod: dict[str, Any], c: dict[str, Any]) -> None:
    """`describeContainerEnvVars`."""
    env = as_list(c.get("env"))
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        name = go_value(e.get("name"))
        vf = e.get("valueFrom")
        if not isinstance(vf, dict):
            for i, line in enumerate(as_str(e.get("value")).split("\n")):
                w.write(3, f"{name}:\t{line}\n" if i == 0 else f"\t{line}\n")
            continue
        if isinstance(vf.get("fieldRef"), dict):
            fr = vf["fieldRef"]
            value = _field_value(pod, as_str(fr.get("apiVersion")), as_str(fr.get("fieldPath")))
            w.write(
                3,
                f"{name}:\t{value} ({as_str(fr.get('apiVersion'))}:{as_str(fr.get('fieldPath'))})\n",
            )
        elif isinstance(vf.get("resourceFieldRef"), dict):
            rf = vf["resourceFieldRef"]
            resource = as_str(rf.get("resource"))
            value = _resource_value(rf, c)
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{name}:\t{value} ({resource})\n")
        elif isinstance(vf.get("secretKeyRef"), dict):
            r = vf["secretKeyRef"]
            w.write(
                3,
                f"{name}:\t<set to the key '{as_str(r.get('key'))}' in secret '{as_str(r.get('name'))}'>"
                f"\tOptional: {go_value(r.get('optional') is True)}\n",
            )
        elif isinstance(vf.get("configMapKeyRef"), dict):
            r = vf["configMapKeyRef"]
            w.write(
                3,
                f"{name}:\t<set to the key '{as_str(r.get('key'))}' of config map '{as_str(r.get('name'))}'>"
                f"\tOptional: {go_value(r.get('optional') is True)}\n",
            )


def _describe_env_from(w: PrefixWriter, c: dict[str, Any]) -> None:
    """`describeContainerEnvFrom`."""
    w.write(2, "Environment Variables from:\n")
    for e in as_list(c.get("envFrom")):
        kind, name, optional = "", "", False
        if isinstance(e.get("configMapRef"), dict):
            kind, ref = "ConfigMap", e["configMapRef"]
            name, optional = as_str(ref.get("name")), ref.get("optional") is True
        elif isinstance(e.get("secretRef"), dict):
            kind, ref = "Secret", e["secretRef"]
            name, optional = as_str(ref.get("name")), ref.get("optional") is True
        prefix = as_str(e.get("prefix"))
        if prefix:
            w.write(3, f"{name}\t{kind} with prefix '{prefix}'\tOptional: {go_value(optional)}\n")
        else:
            w.write(3, f"{name}\t{kind}\tOptional: {go_value(optional)}\n")


def _describe_mounts(w: PrefixWriter, c: dict[str, Any]) -> None:
    """`describeContainerVolumes`: mounts sorted by path (`sort.Sort`), then devices."""
    mounts = as_list(c.get("volumeMounts"))
    none = "" if mounts else "\t<none>"
    w.write(2, f"Mounts:{none}\n")
    go_sort(mounts, lambda a, b: as_str(a.get("mountPath")) < as_str(b.get("mountPath")))
    for m in mounts:
        flags = ["ro" if m.get("readOnly") is True else "rw"]
        if as_str(m.get("subPath")):
            flags.append(f"path={json.dumps(m['subPath'], ensure_ascii=False)}")
        w.write(
            3, f"{as_str(m.get('mountPath'))} from {as_str(m.get('name'))} ({','.join(flags)})\n"
        )
    devices = as_list(c.get("volumeDevices"))
    if devices:
        w.write(2, f"Devices:{none}\n")
        go_sort(devices, lambda a, b: as_str(a.get("devicePath")) < as_str(b.get("devicePath")))
        for d in devices:
            w.write(3, f"{as_str(d.get('devicePath'))} from {as_str(d.get('name'))}\n")


def _describe_resources(w: PrefixWriter, resources: Any, level: int) -> None:
    """`describeResources`: Limits then Requests, names sorted, canonical quantities."""
    res = as_dict(resources)
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = as_dict(res.get(key))
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{_quantity(values[name])}\n")


def _describe_status(w: PrefixWriter, name: str, state: dict[str, Any]) -> None:
    """`describeStatus`: Running, Waiting or Terminated with their details."""
    if isinstance(state.get("running"), dict):
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif isinstance(state.get("waiting"), dict):
        w.write(2, f"{name}:\tWaiting\n")
        if as_str(state["waiting"].get("reason")):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif isinstance(state.get("terminated"), dict):
        term = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if as_str(term.get("reason")):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if as_str(term.get("message")):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{as_int(term.get('exitCode'))}\n")
        if as_int(term.get("signal")) > 0:
            w.write(3, f"Signal:\t{term['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")


def _describe_containers(
    w: PrefixWriter,
    label: str,
    pod: dict[str, Any],
    containers: list[dict[str, Any]],
    statuses: list[dict[str, Any]],
    minor: int,
) -> None:
    """`describeContainers`."""
    by_name = {as_str(s.get("name")): s for s in statuses}
    w.write(0, f"{label}:" + ("" if containers else " <none>") + "\n")
    for c in containers:
        name = as_str(c.get("name"))
        status = by_name.get(name)
        w.write(1, f"{name}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{as_str(status.get('containerID'))}\n")
        w.write(2, f"Image:\t{as_str(c.get('image'))}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{as_str(status.get('imageID'))}\n")
        ports = as_list(c.get("ports"))
        port = _ports(ports, "containerPort", minor >= 34)
        if "," in port:
            w.write(2, f"Ports:\t{port}\n")
        else:
            w.write(2, f"Port:\t{port or '<none>'}\n")
        host = _ports(ports, "hostPort", minor >= 34)
        if "," in host:
            w.write(2, f"Host Ports:\t{host}\n")
        else:
            w.write(2, f"Host Port:\t{host or '<none>'}\n")
        seccomp = as_dict(as_dict(c.get("securityContext")).get("seccompProfile"))
        if as_dict(c.get("securityContext")).get("seccompProfile") is not None:
            w.write(2, f"SeccompProfile:\t{as_str(seccomp.get('type'))}\n")
            if seccomp.get("type") == "Localhost":
                w.write(3, f"LocalhostProfile:\t{as_str(seccomp.get('localhostProfile'))}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            items = c.get(key)
            if isinstance(items, list) and items:
                w.write(2, f"{title}:\n")
                for item in items:
                    for line in go_value(item).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _describe_status(w, "State", as_dict(status.get("state")))
            last = as_dict(status.get("lastState"))
            if isinstance(last.get("terminated"), dict):
                _describe_status(w, "Last State", last)
            w.write(2, f"Ready:\t{'True' if status.get('ready') is True else 'False'}\n")
            w.write(2, f"Restart Count:\t{as_int(status.get('restartCount'))}\n")
        _describe_resources(w, c.get("resources"), 2)
        for title, key in (
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ):
            if isinstance(c.get(key), dict):
                w.write(2, f"{title}:\t{describe_probe(c[key])}\n")
        if as_list(c.get("envFrom")):
            _describe_env_from(w, c)
        _describe_env(w, pod, c)
        _describe_mounts(w, c)


# -- the pod ---------------------------------------------------------------------------


def describe_pod(
    pod: dict[str, Any],
    events: list[dict[str, Any]] | None,
    now: datetime,
    kubectl_version: str = DEFAULT_KUBECTL_VERSION,
) -> str:
    """describe.go `describePod`: the text `kubectl describe pod` prints for this Pod and Events."""
    minor = kubectl_minor(kubectl_version)
    pod = as_dict(pod)
    meta, spec, st = (
        as_dict(pod.get("metadata")),
        as_dict(pod.get("spec")),
        as_dict(pod.get("status")),
    )
    w = PrefixWriter()
    w.write(0, f"Name:\t{as_str(meta.get('name'))}\n")
    w.write(0, f"Namespace:\t{as_str(meta.get('namespace'))}\n")
    if isinstance(spec.get("priority"), int) and not isinstance(spec.get("priority"), bool):
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if as_str(spec.get("priorityClassName")):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if as_str(spec.get("runtimeClassName")):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if as_str(spec.get("serviceAccountName")):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not as_str(spec.get("nodeName")):
        w.write(0, "Node:\t<none>\n")
    else:
        w.write(0, f"Node:\t{spec['nodeName']}/{as_str(st.get('hostIP'))}\n")
    if st.get("startTime") is not None:
        w.write(0, f"Start Time:\t{rfc1123z(st.get('startTime'))}\n")
    _print_labels(w, "Labels", meta.get("labels"))
    _print_annotations(w, meta.get("annotations"))
    phase = as_str(st.get("phase"))
    if meta.get("deletionTimestamp") is not None and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {_since(meta['deletionTimestamp'], now)})\n")
        w.write(
            0, f"Termination Grace Period:\t{as_int(meta.get('deletionGracePeriodSeconds'))}s\n"
        )
    else:
        w.write(0, f"Status:\t{phase}\n")
    if as_str(st.get("reason")):
        w.write(0, f"Reason:\t{st['reason']}\n")
    if as_str(st.get("message")):
        w.write(0, f"Message:\t{st['message']}\n")
    seccomp = as_dict(spec.get("securityContext")).get("seccompProfile")
    if isinstance(seccomp, dict):
        w.write(0, f"SeccompProfile:\t{as_str(seccomp.get('type'))}\n")
        if seccomp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{as_str(seccomp.get('localhostProfile'))}\n")
    w.write(0, f"IP:\t{as_str(st.get('podIP'))}\n")
    ips = as_list(st.get("podIPs"))
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{as_str(ip.get('ip'))}\n")
    for ref in as_list(meta.get("ownerReferences")):
        if ref.get("controller") is True:
            w.write(0, f"Controlled By:\t{as_str(ref.get('kind'))}/{as_str(ref.get('name'))}\n")
            break
    if as_str(st.get("nominatedNodeName")):
        w.write(0, f"NominatedNodeName:\t{st['nominatedNodeName']}\n")
    if isinstance(spec.get("resources"), dict):
        w.write(0, "Resources:\n")
        _describe_resources(w, spec["resources"], 1)
    inits = as_list(spec.get("initContainers"))
    if inits:
        _describe_containers(
            w, "Init Containers", pod, inits, as_list(st.get("initContainerStatuses")), minor
        )
    _describe_containers(
        w,
        "Containers",
        pod,
        as_list(spec.get("containers")),
        as_list(st.get("containerStatuses")),
        minor,
    )
    ephemeral = as_list(spec.get("ephemeralContainers"))
    if ephemeral:
        _describe_containers(
            w,
            "Ephemeral Containers",
            pod,
            ephemeral,
            as_list(st.get("ephemeralContainerStatuses")),
            minor,
        )
    conditions = as_list(st.get("conditions"))
    gates = as_list(spec.get("readinessGates"))
    if gates:
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for g in gates:
            gate = as_str(g.get("conditionType"))
            status = next(
                (go_value(c.get("status")) for c in conditions if c.get("type") == gate), "<none>"
            )
            w.write(1, f"{gate} \t{status} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{go_value(c.get('type'))} \t{go_value(c.get('status'))} \n")
    _describe_volumes(w, spec.get("volumes"), minor)
    w.write(0, f"QoS Class:\t{get_pod_qos(pod)}\n")
    _print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    _print_tolerations(w, spec.get("tolerations"))
    _describe_topology(w, spec.get("topologySpreadConstraints"))
    if events is not None:
        _describe_events(w, events, now, kubectl_version)
    return w.text()


def _describe_events(
    w: PrefixWriter, events: list[dict[str, Any]], now: datetime, kubectl_version: str
) -> None:
    """describe.go `DescribeEvents`: flush the tabwriter, then the table."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for r in event_rows(events, now, kubectl_version):
        w.write(1, f"{r.type}\t{r.reason}\t{r.age}\t{r.source}\t{r.message}\n")


def render_describe(result: Any, t: float | None = None, kubectl_version: str | None = None) -> str:
    """`kubectl describe pod` of a simulated run at time t (default: the end), as kubectl
    `kubectl_version` lays it out (default: the simulated Kubernetes version's, 1.32-1.35)."""
    t = result.end if t is None else t
    kubectl_version = kubectl_version or kubectl_version_for(
        getattr(result, "kubernetes_version", "")
    )
    pod = result.pod_at(t)
    meta = as_dict(pod.get("metadata"))
    records = getattr(result, "event_records", None)
    objects = event_objects(
        result.events if records is None else records,
        t,
        as_str(meta.get("name")) or result.name,
        as_str(meta.get("namespace")) or "default",
        as_str(meta.get("uid")),
    )
    return describe_pod(pod, objects, instant(t), kubectl_version)


def render_events(result: Any, t: float | None = None, kubectl_version: str | None = None) -> str:
    """The `Events:` block of `kubectl describe pod` at time t (default: the end), on its own."""
    t = result.end if t is None else t
    kubectl_version = kubectl_version or kubectl_version_for(
        getattr(result, "kubernetes_version", "")
    )
    records = getattr(result, "event_records", None)
    objects = event_objects(
        result.events if records is None else records, t, result.name, result.namespace
    )
    w = PrefixWriter()
    _describe_events(w, objects, instant(t), kubectl_version)
    return w.text()
