"""Scenarios: a pod, how each of its containers behaves, and what the world does.

The format is docs/contracts.md's, with these fixed meanings (also in `initlab
simulate --help`):

```yaml
pod: {apiVersion: v1, kind: Pod, ...}   # or podFile: path relative to the scenario
until: 600                 # seconds or "10m"; default: until stable (cap STABLE_CAP)
kubernetesVersion: "1.33"  # the release whose rules apply (default: the newest modelled)
cluster: default           # store the pod as a default cluster does (api/cluster.py): token
                           # volume and mounts, default tolerations, priority 0; default: bare
node: {cpu: "2", memory: "4Gi", name: node-1}
behavior:                  # per container: attempts in order; the last one repeats
  init-db:
    - {run: 3, exit: 1}    # runs 3 s, exits 1
    - {run: 2}             # exit defaults to 0
  app: [{run: forever, ready: 5}]
events:
  - {at: 120, action: restart-sandbox}
```

Per attempt: `run` (seconds, "5s"/"2m", or "forever"), `exit` (code,
default 0), `startup` (the startupProbe passes N s after start), `ready`
(the readinessProbe passes N s after start), `oom: true` (after `run`, the
kernel kills it: reason OOMKilled, exit 137), `pull: error` (the image
pull fails: ErrImagePull, then ImagePullBackOff), `waitFor: service/NAME`
(polls every 2 s like the docs' `until nslookup NAME; do ...; sleep 2;
done` and exits 0 once the Service exists), `writes: [{volume, path,
mode}]` (mode `create` fails with exit 1 if the file already exists,
`overwrite`, `append`; emptyDir files live as long as the pod), `log:
[lines]` (what `kubectl logs -c` prints), `stop` (seconds it takes to stop
after SIGTERM; default 0), `onTerm` (its answer to SIGTERM: `{exit: CODE,
after: SECONDS}`, default exit 143 after `stop`; `ignore`: it runs until
SIGKILL, exit 137), `postStart` (seconds the container's
`lifecycle.postStart` hook runs, or `{run: N, exit: CODE}`; the next
container starts after it; a non-zero exit kills the container), `preStop`
(the same for `lifecycle.preStop`, which runs before SIGTERM and uses up
the grace period; `forever` hangs until the grace period ends),
`startup: fail` (the startupProbe never passes), `liveness: {failAfter: N}`
(the livenessProbe fails from N s after start), `readiness: [{failFrom: N,
failUntil: M}]` (the readinessProbe, once passed, fails in these windows).

World events: `restart-sandbox`, `delete-pod`, `create-service NAME`,
`delete-service NAME`, `update` (with `patch:` a strategic merge patch of
the Pod), `restart-kubelet` (with `removeExitedContainers: true`, the
runtime's exited records are gone too).

Containers with no behaviour run 1 s and exit 0 (init containers) or run
forever (app containers and sidecars). A bare Pod manifest (or a workload
with a pod template) is a scenario with no behaviour and no events.

Every problem raises `InputError` (unusable scenario, with a field path such
as `behavior.init-db[0].run`) or `InvalidError` (the pod is invalid).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from initlab.api.cluster import admit_to_default_cluster
from initlab.api.versions import (
    CRASH_LOOP_MAX_ON_BY_DEFAULT,
    CRASH_LOOP_MAX_RESTART_PERIOD,
    REDUCED_CRASH_LOOP_DECAY,
    holds,
    parse_version,
    rule,
)
from initlab.api.versions import DEFAULT as DEFAULT_VERSION
from initlab.errors import InputError, InvalidError
from initlab.sim.idioms import Assumption, assumptions

#: With no `until`, stop here if the pod never settles (a crash loop never does).
STABLE_CAP = 3600.0
#: Longest simulated time accepted.
MAX_UNTIL = 30 * 24 * 3600.0
MAX_CONTAINERS = 64
MAX_ATTEMPTS = 1000
MAX_EVENTS = 1000
MAX_WRITES = 100
MAX_LOG_LINES = 1000

ACTIONS = (
    "restart-sandbox",
    "delete-pod",
    "create-service",
    "delete-service",
    "update",
    "restart-kubelet",
)
WRITE_MODES = ("create", "overwrite", "append")
ATTEMPT_KEYS = {
    "run",
    "exit",
    "startup",
    "ready",
    "oom",
    "pull",
    "waitFor",
    "writes",
    "log",
    "stop",
    "postStart",
    "onTerm",
    "liveness",
    "preStop",
    "readiness",
}
SCENARIO_KEYS = {
    "pod",
    "podFile",
    "until",
    "node",
    "behavior",
    "events",
    "kubelet",
    "kubernetesVersion",
    "namespace",
    "cluster",
}

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: Any, field_path: str = "") -> float:
    """Seconds from a number or a Kubernetes/Go-style duration string ("5s", "2m", "1m30s")."""
    if isinstance(value, bool):
        raise InputError(f'invalid duration "{value}": expected seconds or e.g. "5s"', field_path)
    if isinstance(value, int | float):
        if value != value or value < 0 or value == float("inf"):
            raise InputError(f"invalid duration {value}: must be a non-negative number", field_path)
        return float(value)
    if isinstance(value, str):
        s = value.strip()
        try:
            n = float(s)
        except ValueError:
            n = None
        if n is not None:
            return parse_duration(n, field_path)
        if _DURATION.match(s):
            return sum(float(n) * _UNITS[u] for n, u in _PART.findall(s))
    raise InputError(f'invalid duration "{value}": expected seconds or e.g. "5s", "2m"', field_path)


@dataclass
class Write:
    """One file an attempt writes into a volume."""

    volume: str
    path: str
    mode: str = "overwrite"


@dataclass
class Attempt:
    """How one run of a container behaves."""

    run: float | None = 1.0  # None: forever
    exit: int = 0
    startup: float | None = None
    ready: float | None = None
    oom: bool = False
    pull_error: bool = False
    wait_for: str | None = None
    writes: list[Write] = field(default_factory=list)
    log: list[str] | None = None
    stop: float = 0.0
    #: Seconds the container's `lifecycle.postStart` hook runs (the next container waits).
    post_start: float | None = None
    #: The postStart hook's exit code (non-zero: FailedPostStartHook, the container is killed).
    post_start_exit: int = 0
    #: Seconds its `lifecycle.preStop` hook runs (None: until the grace period ends).
    pre_stop: float | None = 0.0
    #: The preStop hook's exit code (non-zero: FailedPreStopHook; termination goes on).
    pre_stop_exit: int = 0
    #: The startup probe never passes (`startup: fail`).
    startup_fail: bool = False
    #: The liveness probe fails from this many seconds after start (`liveness: {failAfter: N}`).
    liveness_fail_after: float | None = None
    #: Windows (from, until) in which the readinessProbe fails after it passed (until None: for good).
    readiness_fails: list[tuple[float, float | None]] = field(default_factory=list)
    #: How it answers SIGTERM: exit code, and seconds to exit (None: ignores it until SIGKILL).
    on_term_exit: int = 143
    on_term_ignore: bool = False


@dataclass
class WorldEvent:
    """Something the world does at a time: `action` and its argument (a Service name)."""

    at: float
    action: str
    arg: str = ""
    #: `update`: the patch (strategic merge on the Pod) or the new Pod.
    patch: dict[str, Any] | None = None
    #: `restart-kubelet`: the runtime's exited container records are removed meanwhile.
    remove_exited: bool = False


@dataclass
class Scenario:
    """A loaded, checked scenario; `pod` has the API server's defaults applied."""

    pod: dict[str, Any]
    behavior: dict[str, list[Attempt]] = field(default_factory=dict)
    events: list[WorldEvent] = field(default_factory=list)
    until: float | None = None
    node: dict[str, Any] = field(default_factory=dict)
    source: str = "<scenario>"
    #: KubeletConfiguration `crashLoopBackOff.maxContainerRestartPeriod` (seconds), if set.
    max_restart_period: float | None = None
    #: The `ReduceDefaultCrashLoopBackOffDecay` feature gate (1 s initial, 60 s cap).
    reduced_decay: bool = False
    #: What is assumed of each container the scenario gives no behaviour (`sim/idioms.py`).
    assumed: dict[str, Assumption] = field(default_factory=dict)
    #: The Kubernetes release whose rules apply (`initlab.api.versions`).
    kubernetes_version: str = DEFAULT_VERSION

    @property
    def name(self) -> str:
        meta = self.pod.get("metadata") or {}
        return str(meta.get("name") or "pod")

    def attempts_for(self, container: str, is_init: bool, is_sidecar: bool) -> list[Attempt]:
        """The attempts of a container, or its default (init: 1 s exit 0; others: forever)."""
        if container in self.behavior:
            return self.behavior[container]
        if is_init and not is_sidecar:
            return [Attempt(run=1.0)]
        return [Attempt(run=None)]


# -- loading -------------------------------------------------------------------------


def load_scenario(
    source: Any, base_dir: str | Path | None = None, *, allow_outside_paths: bool = False
) -> Scenario:
    """A scenario from a dict, YAML/JSON text, or a file path (a bare Pod manifest works too).

    Files and `-` (standard input) go through the loader's one bounded reader;
    `podFile` must stay inside the scenario's directory unless `allow_outside_paths`.
    """
    from initlab.api.loader import parse_documents, read_input

    if isinstance(source, Scenario):
        return source
    label = "<scenario>"
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and not source.lstrip().startswith("{")
    ):
        path = Path(source)
        label = str(source)
        data, label = read_input(path)
        docs = parse_documents(data, label)
        base_dir = base_dir or (Path.cwd() if str(source) == "-" else path.parent)
    elif isinstance(source, str | bytes):
        docs = parse_documents(source, label)
    elif isinstance(source, dict):
        docs = [source]
    else:
        raise InputError(
            f"a scenario is a mapping, YAML text or a path, not {type(source).__name__}"
        )
    if not docs:
        raise InputError(f"{label}: empty, no scenario or Pod in it")
    doc = docs[0]
    if isinstance(doc, dict) and ("pod" in doc or "podFile" in doc):
        base = Path(base_dir) if base_dir else Path.cwd()
        scenario = _from_mapping(doc, label, base, allow_outside_paths)
    else:  # A bare manifest: the first Pod or workload template.
        scenario = Scenario(pod=_valid_pod_from_docs(docs, label), source=label)
    return _assume(scenario)


def _assume(scenario: Scenario) -> Scenario:
    """Containers with no behaviour: record what is assumed; recognised idioms become behaviour."""
    scenario.assumed = assumptions(scenario.pod, set(scenario.behavior))
    volumes: set[str] = set()
    for name, a in scenario.assumed.items():
        if a.recognised:
            scenario.behavior[name] = [_attempt(a.behaviour, f"assumed.{name}", volumes)]
    return scenario


def _valid_pod_from_docs(docs: list[Any], label: str) -> dict[str, Any]:
    from initlab.api.loader import find_pod

    manifest = find_pod(docs, label)
    _validate(
        manifest.pod, manifest.spec_path, not manifest.is_template, manifest.kind, manifest.name
    )
    return manifest.pod


def _validate(
    pod: dict[str, Any], spec_path: str, require_name: bool, kind: str, name: str
) -> None:
    from initlab.api.validation import validate_pod

    errors = validate_pod(pod, spec_path=spec_path, require_name=require_name)
    if errors:
        raise InvalidError(errors, kind, name)


def _from_mapping(
    doc: dict[str, Any], label: str, base_dir: Path, allow_outside_paths: bool = False
) -> Scenario:
    from initlab.api.loader import load_path, resolve_relative

    unknown = sorted(set(map(str, doc)) - SCENARIO_KEYS)
    if unknown:
        raise InputError(
            f'unknown field "{unknown[0]}" (expected one of: {", ".join(sorted(SCENARIO_KEYS))})',
            unknown[0],
        )
    if "pod" in doc and "podFile" in doc:
        raise InputError("give either pod or podFile, not both", "podFile")
    if "podFile" in doc:
        rel = doc["podFile"]
        if not isinstance(rel, str) or not rel:
            raise InputError("must be a path to a Pod manifest", "podFile")
        manifest = load_path(resolve_relative(base_dir, rel, "podFile", allow_outside_paths))
        _validate(
            manifest.pod, manifest.spec_path, not manifest.is_template, manifest.kind, manifest.name
        )
        pod = manifest.pod
    else:
        raw = doc["pod"]
        if not isinstance(raw, dict):
            raise InputError("must be a Pod manifest (a mapping)", "pod")
        docs = [raw if "kind" in raw else {"apiVersion": "v1", "kind": "Pod", **raw}]
        pod = _valid_pod_from_docs(docs, label)
    if doc.get("namespace") is not None:
        pod = _admitted(pod, doc["namespace"])
    cluster = doc.get("cluster", "bare")
    if cluster not in ("bare", "default"):
        raise InputError(f'must be "bare" or "default", not {json.dumps(cluster)}', "cluster")
    if cluster == "default":
        # ServiceAccount, Priority, DefaultTolerationSeconds admission (after LimitRanger)
        pod = admit_to_default_cluster(pod)

    spec = pod.get("spec") or {}
    inits = [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    apps = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    if len(inits) + len(apps) > MAX_CONTAINERS:
        raise InputError(f"more than {MAX_CONTAINERS} containers", "pod.spec")
    names = {str(c.get("name")) for c in inits + apps}
    volumes = {str(v.get("name")) for v in spec.get("volumes") or [] if isinstance(v, dict)}

    until = None
    if doc.get("until") is not None:
        until = parse_duration(doc["until"], "until")
        if until > MAX_UNTIL:
            raise InputError(f"at most {int(MAX_UNTIL)} seconds (30 days)", "until")

    node = doc.get("node") or {}
    if not isinstance(node, dict):
        raise InputError('must be a mapping like {cpu: "2", memory: 4Gi}', "node")
    node = _check_node(node)

    behavior_raw = doc.get("behavior") or {}
    if not isinstance(behavior_raw, dict):
        raise InputError("must map container names to lists of attempts", "behavior")
    behavior: dict[str, list[Attempt]] = {}
    for cname, attempts in behavior_raw.items():
        path = f"behavior.{cname}"
        if str(cname) not in names:
            raise InputError(
                f'no container named "{cname}" in the pod (containers: {", ".join(sorted(names))})',
                path,
            )
        if isinstance(attempts, dict):
            attempts = [attempts]
        if not isinstance(attempts, list) or not attempts:
            raise InputError("must be a non-empty list of attempts", path)
        if len(attempts) > MAX_ATTEMPTS:
            raise InputError(f"at most {MAX_ATTEMPTS} attempts", path)
        behavior[str(cname)] = [
            _attempt(a, f"{path}[{i}]", volumes) for i, a in enumerate(attempts)
        ]
        hooks = next((c.get("lifecycle") for c in inits + apps if c.get("name") == cname), None)
        has_post_start = isinstance(hooks, dict) and isinstance(hooks.get("postStart"), dict)
        has_pre_stop = isinstance(hooks, dict) and isinstance(hooks.get("preStop"), dict)
        spec_of = next((c for c in inits + apps if c.get("name") == cname), {})
        for i, a in enumerate(behavior[str(cname)]):
            if a.post_start is not None and not has_post_start:
                raise InputError(
                    f'container "{cname}" has no lifecycle.postStart hook to take this long',
                    f"{path}[{i}].postStart",
                )
            if "preStop" in attempts[i] and not has_pre_stop:
                raise InputError(
                    f'container "{cname}" has no lifecycle.preStop hook to run',
                    f"{path}[{i}].preStop",
                )
            if a.startup_fail and not isinstance(spec_of.get("startupProbe"), dict):
                raise InputError(
                    f'container "{cname}" has no startupProbe to fail', f"{path}[{i}].startup"
                )
            if a.readiness_fails and not isinstance(spec_of.get("readinessProbe"), dict):
                raise InputError(
                    f'container "{cname}" has no readinessProbe to fail', f"{path}[{i}].readiness"
                )
            if a.liveness_fail_after is not None and not isinstance(
                spec_of.get("livenessProbe"), dict
            ):
                raise InputError(
                    f'container "{cname}" has no livenessProbe to fail', f"{path}[{i}].liveness"
                )

    events_raw = doc.get("events") or []
    if not isinstance(events_raw, list):
        raise InputError("must be a list of {at, action}", "events")
    if len(events_raw) > MAX_EVENTS:
        raise InputError(f"at most {MAX_EVENTS} events", "events")
    events = [_world_event(e, f"events[{i}]") for i, e in enumerate(events_raw)]
    events.sort(key=lambda e: e.at)
    version = DEFAULT_VERSION
    if doc.get("kubernetesVersion") is not None:
        version = parse_version(doc["kubernetesVersion"], "kubernetesVersion")
    max_restart_period, reduced_decay = _kubelet_config(doc.get("kubelet"), version)
    return Scenario(
        pod=pod,
        behavior=behavior,
        events=events,
        until=until,
        node=node,
        source=label,
        max_restart_period=max_restart_period,
        reduced_decay=reduced_decay,
        kubernetes_version=version,
    )


def _admitted(pod: dict[str, Any], raw: Any) -> dict[str, Any]:
    """The pod as the API server stores it in the scenario's `namespace:` (its LimitRanges,
    PodSecurity labels and ResourceQuotas); refused → AdmissionRefused (exit 1)."""
    from initlab.admission.chain import admit_or_raise
    from initlab.admission.controllers.namespace import from_block

    return admit_or_raise(pod, from_block(raw, "namespace")).pod


def _kubelet_config(raw: Any, version: str = DEFAULT_VERSION) -> tuple[float | None, bool]:
    """The kubelet's crash-loop settings, in KubeletConfiguration's own field names.

    `kubelet: {crashLoopBackOff: {maxContainerRestartPeriod: 60s},
    featureGates: {KubeletCrashLoopBackOffMax: true, ReduceDefaultCrashLoopBackOffDecay: true}}`
    (`pkg/kubelet/kubelet.go` `newCrashLoopBackOff`; KEP-4603). Each exists
    from the release `initlab.api.versions` names; `maxContainerRestartPeriod`
    needs the `KubeletCrashLoopBackOffMax` gate before it was on by default
    (1.35). What the named release does not have is refused, not ignored.
    """
    if raw is None:
        return None, False
    if not isinstance(raw, dict):
        raise InputError("must be a mapping like {crashLoopBackOff: {...}}", "kubelet")
    unknown = sorted(set(map(str, raw)) - {"crashLoopBackOff", "featureGates"})
    if unknown:
        raise InputError(
            f'unknown field "{unknown[0]}" (expected crashLoopBackOff, featureGates)',
            f"kubelet.{unknown[0]}",
        )
    gates: dict[str, bool] = {}
    gates_raw = raw.get("featureGates")
    if gates_raw is not None:
        if not isinstance(gates_raw, dict):
            raise InputError("must map feature gate names to true/false", "kubelet.featureGates")
        for name, value in gates_raw.items():
            path = f"kubelet.featureGates.{name}"
            if name not in GATES:
                raise InputError(
                    f"unknown feature gate (initlab models {', '.join(sorted(GATES))})", path
                )
            if not isinstance(value, bool):
                raise InputError("must be true or false", path)
            _needs(GATES[name], version, path)
            gates[str(name)] = value
    period = None
    clb = raw.get("crashLoopBackOff")
    if clb is not None:
        if not isinstance(clb, dict) or set(map(str, clb)) - {"maxContainerRestartPeriod"}:
            raise InputError(
                "expected {maxContainerRestartPeriod: DURATION}", "kubelet.crashLoopBackOff"
            )
        if "maxContainerRestartPeriod" in clb:
            path = "kubelet.crashLoopBackOff.maxContainerRestartPeriod"
            _needs(CRASH_LOOP_MAX_RESTART_PERIOD, version, path)
            enabled = gates.get(
                "KubeletCrashLoopBackOffMax", holds(CRASH_LOOP_MAX_ON_BY_DEFAULT, version)
            )
            if not enabled:
                raise InputError(
                    f"has no effect in Kubernetes {version} without featureGates: "
                    "{KubeletCrashLoopBackOffMax: true} (on by default from "
                    f"{rule(CRASH_LOOP_MAX_ON_BY_DEFAULT).since})",
                    path,
                )
            period = parse_duration(clb["maxContainerRestartPeriod"], path)
            if not 1 <= period <= 300:
                raise InputError("must be between 1s and 300s, inclusive", path)
    return period, gates.get("ReduceDefaultCrashLoopBackOffDecay", False)


#: The kubelet feature gates a scenario may set, and the rule saying from which release.
GATES = {
    "KubeletCrashLoopBackOffMax": CRASH_LOOP_MAX_RESTART_PERIOD,
    "ReduceDefaultCrashLoopBackOffDecay": REDUCED_CRASH_LOOP_DECAY,
}


def _needs(key: str, version: str, path: str) -> None:
    """Refuse a setting the named Kubernetes release does not have."""
    if not holds(key, version):
        raise InputError(
            f"needs Kubernetes {rule(key).since} or later (kubernetesVersion is {version})", path
        )


def _check_node(node: dict[str, Any]) -> dict[str, Any]:
    from initlab.api.quantity import Quantity, QuantityError

    out: dict[str, Any] = {}
    for k, v in node.items():
        if k in ("cpu", "memory"):
            try:
                Quantity.parse(str(v))
            except QuantityError as e:
                raise InputError(f'invalid quantity "{v}": {e}', f"node.{k}") from None
            out[k] = str(v)
        elif k == "name":
            if not isinstance(v, str) or not v:
                raise InputError("must be a node name", "node.name")
            out[k] = v
        else:
            raise InputError(f'unknown field "{k}" (expected cpu, memory, name)', f"node.{k}")
    return out


def _attempt(raw: Any, path: str, volumes: set[str]) -> Attempt:
    if not isinstance(raw, dict):
        raise InputError("must be a mapping like {run: 3, exit: 1}", path)
    unknown = sorted(set(map(str, raw)) - ATTEMPT_KEYS)
    if unknown:
        raise InputError(
            f'unknown field "{unknown[0]}" (expected one of: {", ".join(sorted(ATTEMPT_KEYS))})',
            f"{path}.{unknown[0]}",
        )
    a = Attempt()
    if "run" in raw:
        run = raw["run"]
        if run == "forever":
            a.run = None
        else:
            a.run = parse_duration(run, f"{path}.run")
            if a.run > MAX_UNTIL:
                raise InputError(f"at most {int(MAX_UNTIL)} seconds", f"{path}.run")
    if "exit" in raw:
        code = raw["exit"]
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 255:
            raise InputError("must be an exit code from 0 to 255", f"{path}.exit")
        a.exit = code
    for key in ("startup", "ready", "stop"):
        if key in raw:
            if key == "startup" and raw[key] == "fail":
                a.startup_fail = True
                continue
            setattr(a, key, parse_duration(raw[key], f"{path}.{key}"))
    if "onTerm" in raw:
        _on_term(raw["onTerm"], f"{path}.onTerm", a)
    if "readiness" in raw:
        windows = raw["readiness"]
        if isinstance(windows, dict):
            windows = [windows]
        if not isinstance(windows, list) or not windows or len(windows) > MAX_ATTEMPTS:
            raise InputError(
                "must be a list of {failFrom: SECONDS, failUntil: SECONDS}", f"{path}.readiness"
            )
        last = 0.0
        for j, w in enumerate(windows):
            wp = f"{path}.readiness[{j}]"
            if (
                not isinstance(w, dict)
                or "failFrom" not in w
                or not set(map(str, w)) <= {"failFrom", "failUntil"}
            ):
                raise InputError("must be {failFrom: SECONDS, failUntil: SECONDS}", wp)
            frm = parse_duration(w["failFrom"], f"{wp}.failFrom")
            until = parse_duration(w["failUntil"], f"{wp}.failUntil") if "failUntil" in w else None
            if frm < last or (until is not None and until <= frm):
                raise InputError("windows must follow one another, each ending after it starts", wp)
            if until is None and j != len(windows) - 1:
                raise InputError("only the last window may last for good (no failUntil)", wp)
            a.readiness_fails.append((frm, until))
            last = until if until is not None else frm
    if "liveness" in raw:
        lv = raw["liveness"]
        if not isinstance(lv, dict) or set(map(str, lv)) != {"failAfter"}:
            raise InputError("must be {failAfter: SECONDS}", f"{path}.liveness")
        a.liveness_fail_after = parse_duration(lv["failAfter"], f"{path}.liveness.failAfter")
    if "postStart" in raw:
        a.post_start, a.post_start_exit = _hook(raw["postStart"], f"{path}.postStart", False)
    if "preStop" in raw:
        a.pre_stop, a.pre_stop_exit = _hook(raw["preStop"], f"{path}.preStop", True)
    if "oom" in raw:
        if not isinstance(raw["oom"], bool):
            raise InputError("must be true or false", f"{path}.oom")
        a.oom = raw["oom"]
    if "pull" in raw:
        if raw["pull"] not in ("error", "ok"):
            raise InputError('must be "error" (or "ok")', f"{path}.pull")
        a.pull_error = raw["pull"] == "error"
    if "waitFor" in raw:
        w = raw["waitFor"]
        if not isinstance(w, str) or not w.startswith("service/") or len(w) <= len("service/"):
            raise InputError('must be "service/NAME"', f"{path}.waitFor")
        a.wait_for = w.split("/", 1)[1]
    if "writes" in raw:
        ws = raw["writes"]
        if not isinstance(ws, list) or len(ws) > MAX_WRITES:
            raise InputError(
                f"must be a list of at most {MAX_WRITES} {{volume, path, mode}}", f"{path}.writes"
            )
        for j, w in enumerate(ws):
            wp = f"{path}.writes[{j}]"
            if (
                not isinstance(w, dict)
                or not isinstance(w.get("volume"), str)
                or not isinstance(w.get("path"), str)
            ):
                raise InputError(
                    "must be {volume: NAME, path: /file, mode: create|overwrite|append}", wp
                )
            if w["volume"] not in volumes:
                raise InputError(f'no volume named "{w["volume"]}" in the pod', f"{wp}.volume")
            mode = w.get("mode", "overwrite")
            if mode not in WRITE_MODES:
                raise InputError(f"must be one of {', '.join(WRITE_MODES)}", f"{wp}.mode")
            a.writes.append(Write(w["volume"], w["path"], mode))
    if "log" in raw:
        lines = raw["log"]
        if isinstance(lines, str):
            lines = lines.splitlines()
        if not isinstance(lines, list) or len(lines) > MAX_LOG_LINES:
            raise InputError(f"must be a list of at most {MAX_LOG_LINES} lines", f"{path}.log")
        a.log = [str(x) for x in lines]
    return a


def _hook(raw: Any, path: str, may_hang: bool) -> tuple[float | None, int]:
    """A lifecycle hook's run: SECONDS, or {run: SECONDS, exit: CODE}; `forever` for preStop."""
    body = raw if isinstance(raw, dict) else {"run": raw}
    if not set(map(str, body)) <= {"run", "exit"} or "run" not in body:
        raise InputError("must be SECONDS or {run: SECONDS, exit: CODE}", path)
    code = body.get("exit", 0)
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 255:
        raise InputError("must be an exit code from 0 to 255", f"{path}.exit")
    if body["run"] == "forever" and may_hang:
        return None, code
    seconds = parse_duration(body["run"], f"{path}.run" if isinstance(raw, dict) else path)
    if seconds > MAX_UNTIL:
        raise InputError(f"at most {int(MAX_UNTIL)} seconds", path)
    return seconds, code


def _on_term(raw: Any, path: str, a: Attempt) -> None:
    """`onTerm: ignore`, or `{exit: CODE, after: SECONDS}` (after defaults to `stop`)."""
    if raw == "ignore":
        a.on_term_ignore = True
        return
    if not isinstance(raw, dict) or not set(map(str, raw)) <= {"exit", "after"}:
        raise InputError('must be "ignore" or {exit: CODE, after: SECONDS}', path)
    if "exit" in raw:
        code = raw["exit"]
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 255:
            raise InputError("must be an exit code from 0 to 255", f"{path}.exit")
        a.on_term_exit = code
    if "after" in raw:
        a.stop = parse_duration(raw["after"], f"{path}.after")


EVENT_KEYS = {"at", "action", "patch", "removeExitedContainers"}


def _world_event(raw: Any, path: str) -> WorldEvent:
    if not isinstance(raw, dict) or "at" not in raw or "action" not in raw:
        raise InputError("must be {at: SECONDS, action: ...}", path)
    at = parse_duration(raw["at"], f"{path}.at")
    if at > MAX_UNTIL:
        raise InputError(f"at most {int(MAX_UNTIL)} seconds", f"{path}.at")
    action = raw["action"]
    if not isinstance(action, str):
        raise InputError(f"must be one of: {', '.join(ACTIONS)}", f"{path}.action")
    parts = action.split()
    verb = parts[0] if parts else ""
    if verb not in ACTIONS:
        raise InputError(
            f'unknown action "{action}" (expected one of: {", ".join(ACTIONS)})', f"{path}.action"
        )
    arg = ""
    if verb in ("create-service", "delete-service"):
        if len(parts) != 2:
            raise InputError(
                f'"{verb}" needs a Service name, e.g. "{verb} myservice"', f"{path}.action"
            )
        arg = parts[1]
    elif len(parts) != 1:
        raise InputError(f'"{verb}" takes no argument', f"{path}.action")
    unknown = sorted(set(map(str, raw)) - EVENT_KEYS)
    if unknown:
        raise InputError(
            f'unknown field "{unknown[0]}" (expected one of: {", ".join(sorted(EVENT_KEYS))})',
            f"{path}.{unknown[0]}",
        )
    patch = raw.get("patch")
    if verb == "update":
        if not isinstance(patch, dict) or not patch:
            raise InputError(
                "must be a patch of the Pod, e.g. {spec: {containers: [{name: app, image: ...}]}}",
                f"{path}.patch",
            )
    elif patch is not None:
        raise InputError('only an "update" takes a patch', f"{path}.patch")
    remove = raw.get("removeExitedContainers", False)
    if not isinstance(remove, bool):
        raise InputError("must be true or false", f"{path}.removeExitedContainers")
    if remove and verb != "restart-kubelet":
        raise InputError(
            'only "restart-kubelet" removes exited containers', f"{path}.removeExitedContainers"
        )
    return WorldEvent(at, verb, arg, patch=patch, remove_exited=remove)
