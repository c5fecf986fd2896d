"""Probes, container hashes and SIGTERM answers: the kubelet's pure decisions about them.

- `probe_settings`: a probe's timing fields with the API server's defaults
  (`pkg/apis/core/v1/defaults.go` `SetDefaults_Probe`: periodSeconds 10,
  failureThreshold 3, successThreshold 1, initialDelaySeconds 0).
- `probe_times` / `failure_time`: when `pkg/kubelet/prober/worker.go` runs a
  probe and when it reports `Failure`: the worker probes once when it starts
  (with the container) and then every `periodSeconds`; a probe inside
  `initialDelaySeconds` is skipped (`worker.doProbe`: "if
  int32(time.Since(c.State.Running.StartedAt.Time).Seconds()) <
  w.spec.InitialDelaySeconds { return true }"); the result turns to
  `Failure` only after `failureThreshold` failures in a row
  (`w.resultRun < int(w.spec.FailureThreshold)`), and then the worker holds
  (`w.onHold = true`) until a new container appears. Liveness and
  readiness workers do not probe before the startup probe has succeeded
  ("if w.probeType != startup && c.Started != nil && !*c.Started").
  The start-up jitter of a restarted kubelet is not modelled.
- `unhealthy_message`: the `Unhealthy` Warning event of each failed probe
  (`prober.go` `runProbeWithRetries` + `recordContainerEvent`:
  "%s probe failed: %s", the probe type capitalised, then the handler's
  output).
- `hash_container` / `container_changed`: `pkg/kubelet/container/helpers.go`
  `HashContainer` and `kuberuntime_manager.go` `containerChanged`: the
  kubelet keeps a hash of the container spec it started with (since v1.31
  the hash leaves out `resources`, for in-place resize); a different hash
  means "definition changed".
- `container_event_messages`: the `Created` / `Started` Normal events of
  `kuberuntime_container.go` `startContainer`, the one wording here that
  changed between the releases initlab models (rules `created-event-colon`,
  from v1.32, and `container-events-without-name`, from v1.35).

Kubernetes v1.29+ (native sidecars on by default); apart from
`container_event_messages`, nothing here changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from initlab.api.pod import as_dict
from initlab.api.versions import CONTAINER_EVENTS_WITHOUT_NAME, CREATED_EVENT_COLON, holds

DEFAULT_PERIOD = 10
DEFAULT_FAILURE_THRESHOLD = 3
DEFAULT_SUCCESS_THRESHOLD = 1


@dataclass(frozen=True)
class ProbeSettings:
    """The timing of one probe, defaults applied."""

    initial_delay: float = 0.0
    period: float = float(DEFAULT_PERIOD)
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD
    success_threshold: int = DEFAULT_SUCCESS_THRESHOLD


def _int(v: Any, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else default


def probe_settings(probe: Mapping[str, Any] | None) -> ProbeSettings:
    """`SetDefaults_Probe`: the probe's timing fields, defaulted."""
    p = probe if isinstance(probe, Mapping) else {}
    return ProbeSettings(
        initial_delay=float(_int(p.get("initialDelaySeconds"), 0)),
        period=float(max(_int(p.get("periodSeconds"), DEFAULT_PERIOD), 1)),
        failure_threshold=max(_int(p.get("failureThreshold"), DEFAULT_FAILURE_THRESHOLD), 1),
        success_threshold=max(_int(p.get("successThreshold"), DEFAULT_SUCCESS_THRESHOLD), 1),
    )


def first_probe_at(s: ProbeSettings, not_before: float = 0.0) -> float:
    """Seconds after the worker started: the first probe run at or after `not_before`
    that `initialDelaySeconds` does not skip (probes run at 0, period, 2*period, ...)."""
    earliest = max(s.initial_delay, not_before)
    k = -(-earliest // s.period)  # ceil
    return k * s.period


def failure_time(s: ProbeSettings, fails_from: float) -> tuple[list[float], float]:
    """Probes failing from `fails_from` s after start: (each failed run, when Failure is set).

    The last failed run is the one that reaches `failureThreshold`; the
    result is `Failure` from then on (the worker then holds).
    """
    first = first_probe_at(s, fails_from)
    runs = [first + i * s.period for i in range(s.failure_threshold)]
    return runs, runs[-1]


def handler_output(probe: Mapping[str, Any] | None) -> str:
    """What a failing probe of this handler reports (the event's text after the colon).

    exec: the command's output (upstream's e2e probes print nothing);
    httpGet: `HTTP probe failed with statuscode: 500` (`pkg/probe/http/http.go`,
    a 500 answer assumed); tcpSocket and grpc: the connection error.
    """
    p = probe if isinstance(probe, Mapping) else {}
    if isinstance(p.get("httpGet"), Mapping):
        return "HTTP probe failed with statuscode: 500"
    if isinstance(p.get("tcpSocket"), Mapping):
        port = p["tcpSocket"].get("port", "")
        return f"dial tcp :{port}: connect: connection refused"
    if isinstance(p.get("grpc"), Mapping):
        return "timeout: failed to connect service within 1s"
    return ""


def unhealthy_message(probe_type: str, probe: Mapping[str, Any] | None) -> str:
    """The `Unhealthy` event message: `Liveness probe failed: ...` (`prober.go`)."""
    return f"{probe_type.capitalize()} probe failed: {handler_output(probe)}"


def container_event_messages(name: str, version: str | None = None) -> tuple[str, str]:
    """The messages of the `Created` and `Started` events for container `name`.

    `pkg/kubelet/kuberuntime/kuberuntime_container.go` `startContainer`
    records them through `recordContainerEvent`:

    - from v1.35 (rule `container-events-without-name`,
      kubernetes/kubernetes#134043, first in v1.35.0-alpha.1; master at
      8a84988bd671): `"Container created"` and `"Container started"`. The
      event's `involvedObject.fieldPath` (`spec.initContainers{name}`) still
      names the container, and `kubectl describe` v1.35 prints it in front
      of the message.
    - v1.32 to v1.34 (rule `created-event-colon`): `"Created container: %v"`
      and `"Started container %v"` (master at fbba6b47ad98; kubeadm v1.32.0
      control-plane pods print `Created container: kube-apiserver`).
    - v1.29 to v1.31: `fmt.Sprintf("Created container %s", ...)` and
      `fmt.Sprintf("Started container %s", ...)`, the wording of
      kubernetes/kubernetes#73892 (v1.14); kubeadm and kind clusters of
      v1.29.0, v1.30.0 and v1.31.0 print `Created container kube-scheduler`.
      The pull request that added the colon was not identified. The v1.29 to
      v1.31 branches took go-vet printf fixes in January 2025 (cherry-picks
      of kubernetes/kubernetes#127422), so their later patch releases may
      print the colon; initlab models the .0 wording.
    """
    if holds(CONTAINER_EVENTS_WITHOUT_NAME, version):
        return "Container created", "Container started"
    if holds(CREATED_EVENT_COLON, version):
        return f"Created container: {name}", f"Started container {name}"
    return f"Created container {name}", f"Started container {name}"


def hook_failure_message(
    hook: Mapping[str, Any], container: str, pod_ref: str, code: int, pod_ip: str | None
) -> str:
    """The waiting message a failed hook leaves (`pkg/kubelet/lifecycle/handlers.go` `Run`).

    exec: `Exec lifecycle hook ([sh -c exit 1]) for Container "c" in Pod
    "p_ns(uid)" failed - error: command 'sh -c exit 1' exited with 1: ,
    message: ""` (the command printed nothing); httpGet: an HTTP hook fails
    only when the request cannot be made (a status code is not an error),
    here a refused connection.
    """
    exec_ = hook.get("exec") if isinstance(hook.get("exec"), Mapping) else None
    if exec_ is not None:
        cmd = [str(x) for x in exec_.get("command") or []]
        return (
            f'Exec lifecycle hook ([{" ".join(cmd)}]) for Container "{container}" in Pod '
            f"\"{pod_ref}\" failed - error: command '{' '.join(cmd)}' exited with {code}: , "
            'message: ""'
        )
    http = as_dict(hook.get("httpGet"))
    host = http.get("host") or pod_ip or ""
    port = http.get("port", "")
    path = http.get("path", "")
    url = f"{str(http.get('scheme', 'HTTP')).lower()}://{host}:{port}{path}"
    return (
        f'HTTP lifecycle hook ({path}) for Container "{container}" in Pod "{pod_ref}" '
        f'failed - error: Get "{url}": dial tcp {host}:{port}: connect: connection refused'
    )


# -- container hashes ------------------------------------------------------------------


def hash_container(container: Mapping[str, Any]) -> str:
    """`HashContainer`: a hash of the container spec without `resources` (v1.31+)."""
    body = {k: v for k, v in container.items() if k != "resources"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def container_changed(container: Mapping[str, Any], recorded_hash: str) -> bool:
    """`containerChanged`: the running container was started from another spec.

    An empty `recorded_hash` (a record made without one) never counts as changed.
    """
    return bool(recorded_hash) and hash_container(container) != recorded_hash


# -- how a process answers SIGTERM --------------------------------------------------------

#: 128 + SIGTERM(15): a process killed by an unhandled SIGTERM.
SIGTERM_EXIT = 143
#: 128 + SIGKILL(9): the runtime's SIGKILL at the end of the grace period.
SIGKILL_EXIT = 137


def termination_outcome(
    after: float | None, exit_code: int, grace: float
) -> tuple[float, int, str]:
    """When and how a container that got SIGTERM with `grace` seconds left ends.

    `after` is how long the process takes to exit after SIGTERM (None: it
    ignores SIGTERM, like `sleep` as PID 1). If it exits within the grace
    period it ends with its own code (reason Completed for 0, else Error);
    otherwise the runtime SIGKILLs it when the grace period ends (`StopContainer`
    with a timeout, `kuberuntime_container.go` `killContainer`): 137, Error.
    Returns (seconds after SIGTERM, exit code, reason).
    """
    if after is not None and after < grace:
        return after, exit_code, "Completed" if exit_code == 0 else "Error"
    return grace, SIGKILL_EXIT, "Error"
