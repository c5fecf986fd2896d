"""What a person reads: `kubectl get pod -w`, `kubectl describe pod`, `kubectl logs -c`.

Every row of `render_watch` is `initlab.api.printers.print_pod` applied to the
simulated Pod object at that instant, so READY/STATUS/RESTARTS/AGE are by
construction what kubectl prints. The Events table follows kubectl
`pkg/describe/describe.go` `DescribeEvents`: sorted by last timestamp, Age
`X` or `X (xN over Y)`, From the reporting component, and (kubectl >= 1.35)
the message prefixed with the involved object's fieldPath. The rest of
`describe` keeps the fields a learner needs for init containers (State,
Last State, Ready, Restart Count, Conditions); volumes, mounts,
tolerations and the like are left out.

`render_logs` follows the kubelet's `validateContainerLogStatus`
(`pkg/kubelet/kubelet_pods.go`) and kubectl's error wording.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from initlab.api.printers import HEADERS, human_duration, parse_time, print_pod, tabwrite
from initlab.kubelet.status import EPOCH
from initlab.sim.result import LogRecord


def _now(t: float) -> datetime:
    return EPOCH + timedelta(seconds=t)


def _fmt_t(t: float) -> int | float:
    return int(t) if float(t).is_integer() else t


def render_watch(result: Any) -> str:
    """`kubectl get pod -w`: the header, then one line per observed change."""
    lines = [list(HEADERS)]
    for snap, pod in zip(result.timeline, result.pods, strict=True):
        lines.append(print_pod(pod, _now(snap["t"])).cells())
    return tabwrite(lines) + "\n"


def _tabwrite_describe(rows: list[list[str]], padding: int = 2) -> list[str]:
    """Go tabwriter as `kubectl describe` configures it (minwidth 0, padding 2)."""
    widths: list[int] = []
    for cells in rows:
        for j, cell in enumerate(cells[:-1]):
            w = len(cell) + padding
            if j == len(widths):
                widths.append(w)
            elif w > widths[j]:
                widths[j] = w
    return ["".join(c.ljust(widths[j]) for j, c in enumerate(r[:-1])) + r[-1] for r in rows]


def render_events(result: Any, t: float | None = None, field_path_prefix: bool = True) -> str:
    """The `Events:` block of `kubectl describe pod` at time t (default: the end)."""
    t = result.end if t is None else t
    events = result.aggregated_events(t)
    if not events:
        return "Events:  <none>\n"
    rows = [
        ["  Type", "Reason", "Age", "From", "Message"],
        ["  ----", "------", "----", "----", "-------"],
    ]
    for e in events:
        first = human_duration(t - e["firstT"])
        if e["count"] > 1:
            age = f"{human_duration(t - e['lastT'])} (x{e['count']} over {first})"
        else:
            age = first
        msg = e["message"].strip()
        if field_path_prefix and e["object"] != "Pod":
            msg = f"{e['object']}: {msg}"
        rows.append([f"  {e['type']}", e["reason"], age, e["from"], msg])
    return "Events:\n" + "\n".join(_tabwrite_describe(rows)) + "\n"


def render_trace(result: Any) -> str:
    """The CLI's default output: the `get -w` trace, then the describe Events at the end."""
    out = render_watch(result)
    out += "\n" + render_events(result, result.end)
    if result.capped:
        out += (
            f"\n# stopped at {_fmt_t(result.end)}s: the pod had not settled "
            "(set `until:` to simulate longer)\n"
        )
    elif getattr(result, "deleted_at", None) is not None:
        out += f"\n# pod deleted at {_fmt_t(result.deleted_at)}s\n"
    return out


# -- describe ----------------------------------------------------------------------


def _rfc1123z(value: Any) -> str:
    dt = parse_time(value)
    return dt.strftime("%a, %d %b %Y %H:%M:%S +0000") if dt else "<unknown>"


def _block(pairs: list[tuple[str, str]], indent: str) -> list[str]:
    rows = [[f"{indent}{k}:", v] for k, v in pairs]
    return _tabwrite_describe(rows)


def _state_lines(state: dict[str, Any], label: str, indent: str) -> list[tuple[str, str]]:
    if not state:
        return [(f"{indent}{label}", "<none>")] if label == "Last State" else []
    out: list[tuple[str, str]] = []
    if "running" in state:
        out.append((f"{indent}{label}", "Running"))
        out.append((f"{indent}  Started", _rfc1123z(state["running"].get("startedAt"))))
    elif "terminated" in state:
        term = state["terminated"]
        out.append((f"{indent}{label}", "Terminated"))
        out.append((f"{indent}  Reason", str(term.get("reason", ""))))
        if term.get("message"):
            out.append((f"{indent}  Message", str(term["message"])))
        out.append((f"{indent}  Exit Code", str(term.get("exitCode", 0))))
        out.append((f"{indent}  Started", _rfc1123z(term.get("startedAt"))))
        out.append((f"{indent}  Finished", _rfc1123z(term.get("finishedAt"))))
    elif "waiting" in state:
        out.append((f"{indent}{label}", "Waiting"))
        reason = (state["waiting"] or {}).get("reason")
        if reason:
            out.append((f"{indent}  Reason", str(reason)))
    return out


def _containers(
    title: str, specs: list[dict[str, Any]], statuses: list[dict[str, Any]]
) -> list[str]:
    if not specs:
        return []
    lines = [f"{title}:"]
    by_name = {s.get("name"): s for s in statuses or []}
    for c in specs:
        name = str(c.get("name"))
        s = by_name.get(name, {})
        lines.append(f"  {name}:")
        pairs: list[tuple[str, str]] = []
        if s.get("containerID"):
            pairs.append(("Container ID", s["containerID"]))
        pairs.append(("Image", str(c.get("image", ""))))
        if s.get("imageID"):
            pairs.append(("Image ID", s["imageID"]))
        if c.get("restartPolicy"):
            pairs.append(("Restart Policy", str(c["restartPolicy"])))
        rows: list[list[str]] = [[f"    {k}:", v] for k, v in pairs]
        cmd = c.get("command")
        extra: list[str] = []
        # describeContainerCommand: each item split on newlines, each line at LEVEL_3.
        if isinstance(cmd, list) and cmd:
            extra.append("    Command:")
            extra.extend(f"      {line}" for x in cmd for line in str(x).split("\n"))
        args = c.get("args")
        if isinstance(args, list) and args:
            extra.append("    Args:")
            extra.extend(f"      {line}" for x in args for line in str(x).split("\n"))
        state_rows = [
            [f"    {k}:", v]
            for k, v in _state_lines(s.get("state") or {}, "State", "")
            + _state_lines(s.get("lastState") or {}, "Last State", "")
        ]
        tail = [
            ["    Ready:", "True" if s.get("ready") else "False"],
            ["    Restart Count:", str(s.get("restartCount", 0))],
        ]
        state_rows = [
            [f"    {r[0].strip()}" if not r[0].startswith("      ") else r[0], r[1]]
            for r in state_rows
        ]
        # describe indents sub-fields of a state by two more spaces
        fixed = []
        for k, v in state_rows:
            key = k.strip()
            sub = key.rstrip(":") in ("Reason", "Message", "Exit Code", "Started", "Finished")
            fixed.append([("      " if sub else "    ") + key, v])
        lines.extend(_tabwrite_describe(rows))
        lines.extend(extra)
        lines.extend(_tabwrite_describe(fixed + tail))
        lines.extend(_resource_lines(c.get("resources")))
    return lines


def _resource_lines(resources: Any) -> list[str]:
    """`describeContainerResources`: Limits then Requests, names sorted, canonical quantities."""
    from initlab.api.quantity import Quantity, QuantityError

    out: list[str] = []
    if not isinstance(resources, dict):
        return out
    for title in ("limits", "requests"):
        values = resources.get(title)
        if not isinstance(values, dict) or not values:
            continue
        out.append(f"    {title.capitalize()}:")
        rows = []
        for name in sorted(values):
            try:
                shown = str(Quantity.parse(values[name]))
            except QuantityError:
                shown = str(values[name])
            rows.append([f"      {name}:", shown])
        out.extend(_tabwrite_describe(rows))
    return out


def render_describe(result: Any, t: float | None = None) -> str:
    """`kubectl describe pod` at time t: the pod, its containers, conditions, events."""
    t = result.end if t is None else t
    pod = result.pod_at(t)
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    st = pod.get("status") or {}
    labels = meta.get("labels") or {}
    label_lines = [f"{k}={v}" for k, v in sorted(labels.items())] or ["<none>"]
    status = str(st.get("phase", "Pending"))
    if meta.get("deletionTimestamp"):
        # describe.go: `Terminating (lasts %s)` with translateTimestampSince(deletionTimestamp);
        # the timestamp is in the future while the grace period runs, so kubectl prints
        # "<invalid>" (HumanDuration of a negative duration), exactly as on a real cluster.
        since = (_now(t) - parse_time(meta["deletionTimestamp"])).total_seconds()
        status = f"Terminating (lasts {human_duration(since)})"
    pairs = [
        ("Name", str(meta.get("name", ""))),
        ("Namespace", str(meta.get("namespace", "default"))),
        ("Priority", "0"),
        ("Service Account", str(spec.get("serviceAccountName", "default"))),
        (
            "Node",
            f"{spec['nodeName']}/{st.get('hostIP', '')}" if spec.get("nodeName") else "<none>",
        ),
    ]
    if st.get("startTime"):
        pairs.append(("Start Time", _rfc1123z(st["startTime"])))
    pairs.append(("Labels", label_lines[0]))
    rows = [[f"{k}:", v] for k, v in pairs]
    rows.extend(["", extra] for extra in label_lines[1:])
    rows.append(["Annotations:", "<none>"])
    rows.append(["Status:", status])
    if meta.get("deletionTimestamp"):
        rows.append(["Termination Grace Period:", f"{meta.get('deletionGracePeriodSeconds', 30)}s"])
    if st.get("reason"):
        rows.append(["Reason:", str(st["reason"])])
    if st.get("message"):
        rows.append(["Message:", str(st["message"])])
    rows.append(["IP:", str(st.get("podIP", ""))])
    lines = _tabwrite_describe(rows)
    if st.get("podIP"):
        lines += ["IPs:", f"  IP:  {st['podIP']}"]
    else:
        lines += ["IPs:  <none>"]
    lines += _containers(
        "Init Containers", spec.get("initContainers") or [], st.get("initContainerStatuses") or []
    )
    lines += _containers(
        "Containers", spec.get("containers") or [], st.get("containerStatuses") or []
    )
    conds = st.get("conditions") or []
    if conds:
        lines.append("Conditions:")
        crow = [["  Type", "Status"]] + [[f"  {c['type']}", f"{c['status']} "] for c in conds]
        lines += _tabwrite_describe(crow)
    lines.append(f"QoS Class:  {st.get('qosClass', 'BestEffort')}")
    return "\n".join(lines) + "\n" + render_events(result, t)


# -- logs -----------------------------------------------------------------------------


def render_logs(
    result: Any, container: str | None = None, t: float | None = None, previous: bool = False
) -> str:
    """`kubectl logs POD [-c CONTAINER] [--previous]` at time t (default: the end).

    `previous` reads the container named by `lastState.terminated.containerID`,
    as the kubelet does; with no previous termination the API server answers
    `previous terminated container "<c>" in pod "<pod>" not found`.

    Without `-c`, kubectl picks the first app container (the
    `kubectl.kubernetes.io/default-container` annotation aside). A container
    that has not started gives the API server's BadRequest, e.g. `container
    "myapp-container" in pod "myapp-pod" is waiting to start: PodInitializing`.
    """
    t = result.end if t is None else t
    pod = result.pod_at(t)
    name = result.name
    spec = pod.get("spec") or {}
    st = pod.get("status") or {}
    inits = [c.get("name") for c in spec.get("initContainers") or []]
    apps = [c.get("name") for c in spec.get("containers") or []]
    if container is None:
        container = apps[0] if apps else ""
    if container not in inits and container not in apps:
        return f"error: container {container} is not valid for pod {name}\n"
    statuses = st.get("initContainerStatuses" if container in inits else "containerStatuses") or []
    s = next((x for x in statuses if x.get("name") == container), None)
    state = (s or {}).get("state") or {
        "waiting": {"reason": "PodInitializing" if inits else "ContainerCreating"}
    }
    last = (s or {}).get("lastState") or {}
    cid = None
    if previous:
        cid = (last.get("terminated") or {}).get("containerID")
        if not cid:
            return _bad_request(
                f'previous terminated container "{container}" in pod "{name}" not found'
            )
    elif "running" in state:
        cid = s.get("containerID") if s else None
    elif "terminated" in state:
        cid = state["terminated"].get("containerID") or (last.get("terminated") or {}).get(
            "containerID"
        )
        if not cid:
            return _bad_request(f'container "{container}" in pod "{name}" is terminated')
    elif "terminated" in last:
        cid = last["terminated"].get("containerID")
    else:
        reason = (state.get("waiting") or {}).get("reason", "")
        if reason == "ErrImagePull":
            why = "image can't be pulled"
        elif reason == "ImagePullBackOff":
            why = "trying and failing to pull image"
        else:
            why = reason
        return _bad_request(f'container "{container}" in pod "{name}" is waiting to start: {why}')
    for run in result.logs.get(container, []):
        if run.id == cid:
            return "".join(f"{line}\n" for line in log_lines(run.records, t))
    return ""


#: `render_logs` prints at most this many lines (the newest).
MAX_LOG_LINES = 2000


def log_lines(records: list[LogRecord], t: float) -> list[str]:
    """A container's output up to time t, at most the newest `MAX_LOG_LINES` lines."""
    out: list[str] = []
    for record in records:
        out.extend(record.lines(t, MAX_LOG_LINES))
        if len(out) > 2 * MAX_LOG_LINES:
            out = out[-MAX_LOG_LINES:]
    return out[-MAX_LOG_LINES:]


def _bad_request(message: str) -> str:
    return f"Error from server (BadRequest): {message}\n"
