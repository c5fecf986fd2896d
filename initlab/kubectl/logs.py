"""`kubectl logs POD [-c CONTAINER] [--previous]` of a simulated run: streams and exit code.

Two halves, as on a real cluster:

- the server's answer (`container_log`): the kubelet's
  `validateContainerLogStatus` (kubernetes `pkg/kubelet/kubelet_pods.go`) picks
  the container instance to read or refuses with its words; the kubelet's
  HTTP server answers a refusal with 400, which the API server passes on as a
  BadRequest Status; a pod with no node yet has no logs to stream: an empty
  answer (`pkg/registry/core/pod/strategy.go` `LogLocation`, kubernetes v1.35);
- kubectl's side (`kubectl_logs`): `pkg/polymorphichelpers/logsforobject.go`
  picks the container: the `kubectl.kubernetes.io/default-container`
  annotation, else the first app container, and then prints
  `Defaulted container "app" out of: app, init-a (init)` on stderr when the
  pod has more than one container (`podcmd.AllContainerNames`: app, then
  ephemeral, then init containers); an unknown container is kubectl's own
  `error: container x is not valid for pod p`; a server error is printed as
  `Error from server (BadRequest): ...` (`cmdutil.CheckErr`). Both exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from initlab.api.pod import as_dict, as_list
from initlab.api.printers import escape_terminal
from initlab.sim.result import LogRecord

#: `kubectl logs` prints at most this many lines (the newest) here.
MAX_LOG_LINES = 2000

#: `podcmd.DefaultContainerAnnotationName`.
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


@dataclass(frozen=True)
class LogAnswer:
    """The API server's answer to `GET pods/NAME/log`: the text, or a BadRequest message."""

    text: str = ""
    error: str = ""


@dataclass(frozen=True)
class CommandOutput:
    """What a command printed: stdout, stderr and its exit code."""

    stdout: str
    stderr: str
    exit_code: int


def _name(c: dict[str, Any]) -> str:
    n = c.get("name")
    return n if isinstance(n, str) else ""


def container_log(
    result: Any, container: str, t: float | None = None, previous: bool = False
) -> LogAnswer:
    """The server's answer for one container of the simulated pod at time t."""
    t = result.end if t is None else t
    pod = result.pod_at(t)
    meta, spec, st = (
        as_dict(pod.get("metadata")),
        as_dict(pod.get("spec")),
        as_dict(pod.get("status")),
    )
    name = meta.get("name") if isinstance(meta.get("name"), str) else result.name
    inits = [_name(c) for c in as_list(spec.get("initContainers"))]
    apps = [_name(c) for c in as_list(spec.get("containers"))]
    if container not in inits and container not in apps:
        return LogAnswer(error=f"container {container} is not valid for pod {name}")
    if not spec.get("nodeName"):
        # LogLocation: "If pod has not been assigned a host, return an empty location", and
        # LocationStreamer answers a nil location with an empty 200 (unlike exec and attach,
        # whose streamLocation says "pod p does not have a host assigned")
        return LogAnswer()
    statuses = as_list(st.get("containerStatuses")) + as_list(st.get("initContainerStatuses"))
    s = next((x for x in statuses if x.get("name") == container), None)
    if s is None:
        # the kubelet's own status: every container waits until the pod's first sync
        s = {"state": {"waiting": {"reason": "PodInitializing" if inits else "ContainerCreating"}}}
    state, last = as_dict(s.get("state")), as_dict(s.get("lastState"))
    running, terminated, waiting = (
        state.get("running"),
        state.get("terminated"),
        state.get("waiting"),
    )
    last_term = (
        as_dict(last.get("terminated")) if isinstance(last.get("terminated"), dict) else None
    )
    who = f'"{container}" in pod "{name}"'
    if previous:
        if last_term is None or not last_term.get("containerID"):
            return LogAnswer(error=f"previous terminated container {who} not found")
        cid = last_term["containerID"]
    elif isinstance(running, dict):
        cid = s.get("containerID")
    elif isinstance(terminated, dict):
        cid = terminated.get("containerID")
        if not cid:
            if last_term is not None and last_term.get("containerID"):
                cid = last_term["containerID"]
            else:
                return LogAnswer(error=f"container {who} is terminated")
    elif last_term is not None:
        if not last_term.get("containerID"):
            return LogAnswer(error=f"container {who} is terminated")
        cid = last_term["containerID"]
    elif isinstance(waiting, dict):
        reason = str(waiting.get("reason") or "")
        if reason == "ErrImagePull":
            why = "image can't be pulled"
        elif reason == "ImagePullBackOff":
            why = "trying and failing to pull image"
        else:
            why = reason
        return LogAnswer(error=f"container {who} is waiting to start: {why}")
    else:
        return LogAnswer(error=f"container {who} is waiting to start - no logs yet")
    for run in result.logs.get(container, []):
        if run.id == cid:
            return LogAnswer(text="".join(f"{line}\n" for line in log_lines(run.records, t)))
    return LogAnswer()


def kubectl_logs(
    result: Any, container: str | None = None, t: float | None = None, previous: bool = False
) -> CommandOutput:
    """`kubectl logs POD [-c CONTAINER] [--previous]`: stdout, stderr and exit code."""
    t = result.end if t is None else t
    pod = result.pod_at(t)
    meta, spec = as_dict(pod.get("metadata")), as_dict(pod.get("spec"))
    name = meta.get("name") if isinstance(meta.get("name"), str) else result.name
    apps = [_name(c) for c in as_list(spec.get("containers"))]
    inits = [_name(c) for c in as_list(spec.get("initContainers"))]
    ephemeral = [_name(c) for c in as_list(spec.get("ephemeralContainers"))]
    stderr = ""
    container = container or ""
    if not container:
        wanted = as_dict(meta.get("annotations")).get(DEFAULT_CONTAINER_ANNOTATION)
        if isinstance(wanted, str) and wanted:
            if wanted in apps or wanted in inits or wanted in ephemeral:
                container = wanted
            else:
                stderr += f'Default container name "{wanted}" not found in pod {name}\n'
        if not container:
            container = apps[0] if apps else ""
            if len(apps) > 1 or inits or ephemeral:
                names = apps + [f"{n} (ephem)" for n in ephemeral] + [f"{n} (init)" for n in inits]
                stderr += f'Defaulted container "{container}" out of: {", ".join(names)}\n'
    if container not in apps and container not in inits and container not in ephemeral:
        return CommandOutput(
            "", stderr + f"error: container {container} is not valid for pod {name}\n", 1
        )
    answer = container_log(result, container, t, previous)
    if answer.error:
        return CommandOutput("", stderr + f"Error from server (BadRequest): {answer.error}\n", 1)
    # kubectl writes the container's bytes as they are; initlab escapes ESC and CR in them
    # (cli-runtime's terminal escaper), so a scenario's log lines cannot drive the terminal.
    return CommandOutput(escape_terminal(answer.text), stderr, 0)


def render_logs(
    result: Any, container: str | None = None, t: float | None = None, previous: bool = False
) -> str:
    """What `kubectl logs` shows in a terminal: stderr then stdout, as one text."""
    out = kubectl_logs(result, container, t, previous)
    return out.stderr + out.stdout


def log_lines(records: list[LogRecord], t: float) -> list[str]:
    """A container's output up to time t, at most the newest `MAX_LOG_LINES` lines."""
    out: list[str] = []
    for record in records:
        out.extend(record.lines(t, MAX_LOG_LINES))
        if len(out) > 2 * MAX_LOG_LINES:
            out = out[-MAX_LOG_LINES:]
    return out[-MAX_LOG_LINES:]
