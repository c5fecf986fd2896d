"""The `initlab` command line (the contract is in docs/contracts.md).

Exit codes: 0 success; 1 an invalid object (the API server would reject
it); 2 unusable input (unreadable, not YAML, no pod, bad arguments); 3 an
internal error, reported in one line (and a bug to report). Errors go to
stderr, one line per problem, `<field path>: <Type>: <detail>`; never a
Python traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from initlab import __version__
from initlab.api.versions import DEFAULT as DEFAULT_VERSION
from initlab.api.versions import SUPPORTED, major_minor
from initlab.errors import FieldError, InitlabError, InputError, InvalidError, bounded, one_line

EPILOG_SCENARIO = """\
scenario format (YAML or JSON; a bare Pod manifest works too):
  pod: {apiVersion: v1, kind: Pod, ...}   # or  podFile: relative/path.yaml
  until: 600                # seconds of simulated time (default: until stable)
  kubernetesVersion: "1.33" # the release whose rules apply (1.29 to 1.35; default 1.35)
  cluster: default          # as a default cluster stores it: service-account token volume,
                            # not-ready/unreachable tolerations, priority 0 (default: bare)
  node: {cpu: "2", memory: "4Gi"}
  behavior:                 # per container: attempts in order; the last repeats
    init-db:
      - {run: 3, exit: 1}   # runs 3 s, exits 1
      - {run: 2, exit: 0}
    app:   [{run: forever}]
    proxy: [{run: forever, startup: 2}]   # sidecar: startupProbe passes after 2 s
  events:
    - {at: 120, action: restart-sandbox}
  kubelet:                  # optional; KubeletConfiguration's names
    crashLoopBackOff: {maxContainerRestartPeriod: 60s}   # cap 1-300 s (default 300 s)
    featureGates: {ReduceDefaultCrashLoopBackOffDecay: true}   # 1 s initial, 60 s cap
  namespace:                # optional; the pod is admitted there first (as initlab admit)
    labels: {pod-security.kubernetes.io/enforce: baseline}
    limitRanges: [{metadata: {name: defaults}, spec: {limits: [...]}}]
    resourceQuotas: [{metadata: {name: compute}, spec: {hard: {...}}, status: {used: {...}}}]

behaviour keys, per attempt:
  run: N | "forever"        seconds (or "5s", "2m") before the container exits
  exit: N                   exit code (default 0)
  startup: N                sidecar: startupProbe succeeds N s after start
  ready: N                  readinessProbe succeeds N s after start
  oom: true                 killed on its memory limit: OOMKilled, exit 137
  pull: error               the image pull fails: ErrImagePull, ImagePullBackOff
  waitFor: service/NAME     runs until the Service exists, then exits 0
  writes: [{volume, path, mode}]   mode create (fails if the file exists),
                            overwrite or append; emptyDir files outlive restarts
  log: [lines]              what `kubectl logs -c NAME` prints
  stop: N                   seconds it takes to stop after SIGTERM (exit 143;
                            SIGKILL at the end of the grace period: exit 137)
  onTerm: {exit: 0, after: 3}   its answer to SIGTERM: that exit code, 3 s later
  onTerm: ignore            ignores SIGTERM (sleep as PID 1): SIGKILL, exit 137
  postStart: N              seconds its lifecycle.postStart hook runs (the next
                            container starts after it); {run: N, exit: 1}: the
                            hook fails (FailedPostStartHook, the container is killed)
  preStop: N | forever      seconds its lifecycle.preStop hook runs before SIGTERM,
                            out of the grace period; {run: N, exit: 1}: FailedPreStopHook
  startup: fail             its startupProbe never passes: killed after
                            failureThreshold failures, and started again
  liveness: {failAfter: N}  its livenessProbe fails from N s after start:
                            Unhealthy events, then killed and restarted
  readiness: [{failFrom: N, failUntil: M}]   its readinessProbe, once passed,
                            fails from N to M s after start: not ready meanwhile
world events (at: seconds):
  restart-sandbox | delete-pod | create-service NAME | delete-service NAME
  restart-kubelet           the kubelet restarts; the containers keep running
                            (removeExitedContainers: true also drops exited ones)
  update                    patch: {spec: {initContainers: [{name: init, image: X}]}}
                            (strategic merge; validated as the API server does)

Containers with no behaviour run 1 s and exit 0 (init) or run forever (app).
"""


# -- helpers ----------------------------------------------------------------


def _emit_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False, ensure_ascii=False)
    sys.stdout.write("\n")


def _emit_chunks(chunks: Iterable[str]) -> None:
    """Write JSON text as it is produced (`Result.iter_json`), then the newline `_emit_json` adds."""
    write = sys.stdout.write
    for chunk in chunks:
        write(chunk)
    write("\n")


def _load_valid(path: str):  # -> Manifest
    """Load a manifest and refuse it (exit 1) if the API server would."""
    from initlab.api.loader import load_path
    from initlab.api.validation import validate_pod

    manifest = load_path(path)
    errors = validate_pod(
        manifest.pod, spec_path=manifest.spec_path, require_name=not manifest.is_template
    )
    if errors:
        raise InvalidError(errors, manifest.kind, manifest.name)
    return manifest


def _quantity_arg(flag: str, value: str | None):
    if value is None:
        return None
    from initlab.api.quantity import Quantity, QuantityError

    try:
        q = Quantity.parse(value)
    except QuantityError as e:
        raise InputError(f"{e}", flag) from None
    if q.value < 0:
        raise InputError("must be greater than or equal to 0", flag)
    return q


def _seconds_arg(flag: str, value: str | None) -> float | None:
    """A time argument: seconds or a duration, at most the 30 days a scenario's `until` may be."""
    if value is None:
        return None
    from initlab.sim.scenario import MAX_UNTIL, parse_duration

    seconds = parse_duration(value, flag)  # an InputError naming the flag if it is not one
    if seconds > MAX_UNTIL:
        raise InputError(f"at most {int(MAX_UNTIL)} seconds (30 days)", flag)
    return seconds


def _schema_errors(manifest: Any, version: str) -> list[FieldError]:
    """Check the manifest against the official OpenAPI schema (kubernetes-validate)."""

    try:
        import kubernetes_validate
        from kubernetes_validate.utils import all_versions
    except ImportError:
        raise InputError(
            "needs the optional OpenAPI schemas: pip install 'initlab[schema]'", "--schema"
        ) from None

    supported = {".".join(v.split(".")[:2]) for v in all_versions()}
    release = major_minor(version)
    if release is None or f"{release[0]}.{release[1]}" not in supported:
        by_release = sorted(supported, key=lambda v: major_minor(v) or (0, 0))
        raise InputError(
            f'no OpenAPI schema for Kubernetes "{version}" '
            f"(kubernetes-validate ships {by_release[0]} to {by_release[-1]})",
            "--schema",
        )
    version = f"{release[0]}.{release[1]}"
    obj = None
    for doc in manifest.documents:
        if isinstance(doc, dict) and doc.get("kind") == manifest.kind:
            obj = doc
            break
    if obj is None:
        obj = manifest.raw
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        path = _json_path(list(e.path))
        message = e.message
        if e.validator == "additionalProperties":
            unknown = message.split("'")[1] if "'" in message else "?"
            full = f"{path}.{unknown}" if path else unknown
            return [FieldError(full, "Invalid value", f'unknown field "{full}" (schema {version})')]
        return [FieldError(path or "<root>", "Invalid value", f"{message} (schema {version})")]
    except kubernetes_validate.InvalidSchemaError as e:
        raise InputError(f"schema check failed: {str(e).splitlines()[0]}", "--schema") from None
    return []


def _json_path(parts: list[Any]) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


# -- commands ---------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from initlab.api.loader import load_path
    from initlab.api.validation import validate_pod

    manifest = load_path(args.file)
    errors = validate_pod(
        manifest.pod, spec_path=manifest.spec_path, require_name=not manifest.is_template
    )
    if args.schema:
        errors += _schema_errors(manifest, args.schema)
    if args.output == "json":
        _emit_json({"valid": not errors, "errors": [e.to_json() for e in errors]})
    elif errors:
        for e in errors:
            print(e, file=sys.stderr)
    else:
        kind = manifest.kind.lower()
        print(f"{kind}/{manifest.name or '(unnamed)'} is valid")
    return 1 if errors else 0


def cmd_resources(args: argparse.Namespace) -> int:
    from initlab.api.resources import resources_report
    from initlab.kubectl.resources import render_resources

    node = None
    cpu = _quantity_arg("--node-cpu", args.node_cpu)
    memory = _quantity_arg("--node-memory", args.node_memory)
    if cpu is not None or memory is not None:
        node = {}
        if cpu is not None:
            node["cpu"] = cpu
        if memory is not None:
            node["memory"] = memory
    manifest = _load_valid(args.file)
    report = resources_report(manifest.pod, node)
    if args.output == "json":
        _emit_json(report.to_json())
    else:
        print(render_resources(report), end="")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    from initlab.api.loader import parse_documents, pods_in, read_input
    from initlab.api.printers import parse_time, print_pod, render_table

    data, source = read_input(args.file)
    docs = parse_documents(data, source)
    pods = pods_in(docs)
    if not pods:
        raise InputError(f"{source}: no Pod found (kubectl get renders Pods)")
    from initlab.api.decoding import check_decodes

    for pod in pods:
        check_decodes(pod, source)  # the API server could not have stored a mistyped Pod
    now = None
    if args.now:
        now = parse_time(args.now)
        if now is None:
            raise InputError(f'not an RFC 3339 time: "{args.now}"', "--now")
    else:
        now = datetime.now(UTC)
    rows = [print_pod(p, now) for p in pods]
    if args.output == "json":
        _emit_json(rows[0].to_json() if len(rows) == 1 else [r.to_json() for r in rows])
    else:
        print(render_table(rows))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from initlab.api.versions import parse_version
    from initlab.kubectl.events import kubectl_version_for
    from initlab.sim.scenario import load_scenario
    from initlab.sim.simulator import collector_paused, simulate

    if args.kubectl_version is not None:
        kubectl_version_for(args.kubectl_version)  # a bad version is an input error before the run
    version = None
    if args.kubernetes_version is not None:
        version = parse_version(args.kubernetes_version, "--kubernetes-version")
    until = _seconds_arg("--until", args.until)
    at = _seconds_arg("--at", args.at)
    scenario = load_scenario(
        _scenario_source(args.scenario), allow_outside_paths=args.allow_outside_paths
    )
    # a long run is a million objects and neither it nor its printing makes reference cycles
    with collector_paused():
        result = simulate(scenario, until=until, kubernetes_version=version)
        return _print_run(args, scenario, result, at)


def _print_run(args: argparse.Namespace, scenario: Any, result: Any, at: float | None) -> int:
    """What `initlab simulate` prints of a run: JSON, logs, describe or the trace."""
    from initlab.kubectl import kubectl_logs, render_describe, render_trace
    from initlab.kubectl.events import kubectl_version_for

    if args.output == "json":
        if at is not None:
            _emit_json(result.at(at))
        else:
            assumed = {k: a.behaviour for k, a in scenario.assumed.items()}
            _emit_chunks(result.iter_json({"assumed": assumed}))
        return 0
    if args.logs is not None:
        # `kubectl logs`: the text on stdout; "Defaulted container" and errors on stderr, exit 1
        out = kubectl_logs(result, args.logs or None, at, previous=args.previous)
        sys.stdout.write(out.stdout)
        sys.stderr.write(out.stderr)
        return out.exit_code
    if args.describe or at is not None:
        t = result.final["t"] if at is None else at
        kubectl = kubectl_version_for(args.kubectl_version or result.kubernetes_version)
        print(render_describe(result, t, kubectl), end="")
    else:
        print(_assumed_header(scenario) + render_trace(result), end="")
    return 0


def _scenario_source(arg: str) -> str:
    """A path as given, or the file of a shipped example named so (`initlab simulate myapp-pod`)."""
    import os

    from initlab.api.loader import example_path, shipped_examples

    if arg == "-" or os.path.lexists(arg):
        return arg
    shipped = example_path(arg)
    if shipped is not None:
        return str(shipped)
    names = ", ".join(shipped_examples())
    raise InputError(f"{arg}: no such file, nor a shipped example (shipped: {names})")


def _assumed_header(scenario: Any) -> str:
    """`# assumed:` lines: what the trace rests on for containers the scenario did not describe."""
    lines = []
    created = {e.arg for e in scenario.events if e.action == "create-service"}
    for name, a in scenario.assumed.items():
        lines.append(f"# assumed: {name}: {a.describe()}")
        svc = str(a.behaviour.get("waitFor", "")).removeprefix("service/")
        if svc and svc not in created:
            lines.append(
                f"#   Service {svc} never appears here; to see it created, write a scenario with "
                f"events: [{{at: 30, action: create-service {svc}}}]"
            )
    from initlab.api.printers import escape_terminal

    return escape_terminal("".join(f"{line}\n" for line in lines))


def cmd_admit(args: argparse.Namespace) -> int:
    from initlab.admission import admit
    from initlab.admission.controllers import namespace as ns
    from initlab.kubectl import render_admission

    manifest = _load_valid(args.file)
    namespace = ns.load(_labels(args.namespace_label), args.limitrange, args.quota)
    result = admit(manifest.pod, _webhook_configs(args), namespace=namespace)
    if args.output == "json":
        _emit_json({**result.to_json(), "assumed": namespace.assumed})
    else:
        for note in namespace.assumed:
            print(f"# assumed: {note}")
        print(render_admission(result, manifest.pod), end="")
    return 0 if result.allowed else 1


def _webhook_configs(args: argparse.Namespace) -> list[Any]:
    """--webhook names, with their --webhook-setting WEBHOOK.KEY=VALUE applied."""
    from initlab.admission import WebhookConfig
    from initlab.admission.chain import lookup
    from initlab.admission.webhooks import parse_setting

    settings: dict[str, dict[str, Any]] = {}
    for text in args.webhook_setting or []:
        hook, key, value = parse_setting(text)
        settings.setdefault(hook, {})[key] = value
    names = list(args.webhook or [])
    for name in names:
        lookup(name, "--webhook")
    unused = sorted(set(settings) - set(names))
    if unused:
        raise InputError(f"no --webhook {unused[0]} to apply the setting to", "--webhook-setting")
    return [WebhookConfig(n, settings=settings[n]) if n in settings else n for n in names]


def _labels(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f'expected KEY=VALUE, got "{pair}"', "--namespace-label")
        out[key] = value
    return out


def cmd_webhook_serve(args: argparse.Namespace) -> int:
    from initlab.admission.chain import lookup
    from initlab.admission.server import default_processes, serve

    for name in args.webhook:
        lookup(name, "--webhook")
    if not 0 <= args.port <= 65535:
        raise InputError("must be between 0 and 65535, inclusive", "--port")
    processes = default_processes() if args.processes is None else args.processes
    serve(args.webhook, args.host, args.port, args.tls_cert, args.tls_key, processes=processes)
    return 0


def _read_docs(path: str) -> tuple[list[Any], str]:
    from initlab.api.loader import parse_documents, read_input

    data, label = read_input(path)
    return parse_documents(data, label), label


def _time_arg(flag: str, value: str | None) -> datetime | None:
    from initlab.api.printers import parse_time

    if value is None:
        return None
    t = parse_time(value)
    if t is None:
        raise InputError(f"{flag}: not an RFC 3339 time like 2026-01-02T15:04:05Z: {value!r}")
    return t


def cmd_explain(args: argparse.Namespace) -> int:
    from initlab.kubectl.explain import explain, render_explanation, split_input

    docs, label = _read_docs(args.file)
    pod, events = split_input(docs, label)
    if args.events:
        more, elabel = _read_docs(args.events)
        events += split_input([pod, *more], elabel)[1]
    from initlab.api.versions import DEFAULT, parse_version

    version = DEFAULT
    if args.kubernetes_version:
        version = parse_version(args.kubernetes_version, "--kubernetes-version")
    ex = explain(pod, events, _time_arg("--now", args.now), version)
    if args.output == "json":
        _emit_json(ex.to_json())
    else:
        print(render_explanation(ex), end="")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from initlab.api.loader import read_input
    from initlab.kubectl.explain import split_input
    from initlab.kubectl.replay import (
        MAX_STREAM_BYTES,
        compare,
        read_stream,
        render_comparison,
        render_replay,
        replay,
    )

    data, label = read_input(args.stream, MAX_STREAM_BYTES)
    # read_stream refuses more than MAX_STREAM_BYTES, so stdin is bounded too
    pods = read_stream(data, label)
    events: list[dict[str, Any]] = []
    if args.events:
        docs, elabel = _read_docs(args.events)
        events = split_input([pods[-1], *docs], elabel)[1]
    r = replay(pods, events)
    cmp = None
    if args.against:
        from initlab.sim.simulator import simulate

        until = max(r.timeline[-1]["t"], 1.0)
        sim = simulate(args.against, until=until)
        cmp = compare(r.timeline, sim.timeline)
    if args.output == "json":
        out = r.to_json()
        if cmp is not None:
            out["comparison"] = cmp
        _emit_json(out)
    elif cmp is not None:
        print(render_comparison(cmp), end="")
    else:
        print(render_replay(r), end="")
    return 0


# -- parser -----------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but bad arguments are one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="initlab",
        description="Kubernetes init containers, simulated faithfully: validate, size, "
        "render and simulate pods as the API server, scheduler and kubelet would.",
    )
    p.add_argument("--version", action="version", version=f"initlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def out(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "-o", "--output", choices=["text", "json"], default="text", help="output format"
        )

    sp = sub.add_parser(
        "validate",
        help="check a manifest as the API server would",
        description="Validate the first Pod (or pod template) in FILE with the API server's "
        "rules and words. Exit 1 if invalid.",
    )
    sp.add_argument("file", metavar="FILE", help="YAML or JSON manifest, or - for stdin")
    sp.add_argument(
        "--schema",
        metavar="VERSION",
        help="also check against the official OpenAPI schema of this Kubernetes version "
        "(e.g. 1.33; kubernetes-validate)",
    )
    out(sp)
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser(
        "resources",
        help="effective requests/limits, QoS class, init-phase breakdown, node fit",
        description="What the scheduler reserves for the pod (component-helpers PodRequests/"
        "PodLimits, sidecars included), its QoS class, and what each init step reserves.",
    )
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--node-cpu", metavar="Q", help="node allocatable CPU, e.g. 2 or 1500m")
    sp.add_argument("--node-memory", metavar="Q", help="node allocatable memory, e.g. 4Gi")
    out(sp)
    sp.set_defaults(func=cmd_resources)

    sp = sub.add_parser(
        "get",
        help="READY/STATUS/RESTARTS as `kubectl get pod` prints them",
        description="Render a Pod that has a status (e.g. `kubectl get pod -o yaml` output) "
        "as `kubectl get pod` would. It does not validate the pod.",
    )
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--now", metavar="TIME", help="the current time (RFC 3339) for AGE")
    out(sp)
    sp.set_defaults(func=cmd_get)

    sp = sub.add_parser(
        "simulate",
        help="run a scenario through the simulated kubelet",
        description="Simulate what the kubelet does with the pod: a `kubectl get pod -w` "
        "trace and the `kubectl describe` events.",
        epilog=EPILOG_SCENARIO,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sp.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="scenario file, a Pod manifest, - for stdin, or a shipped example's name "
        "(e.g. myapp-pod)",
    )
    sp.add_argument("--until", metavar="T", help="simulate this long (seconds or 5m)")
    sp.add_argument(
        "--kubernetes-version",
        metavar="X.Y",
        help=f"the Kubernetes release whose rules apply ({SUPPORTED[0]} to {SUPPORTED[-1]}; "
        f"default: the scenario's kubernetesVersion, else {DEFAULT_VERSION})",
    )
    sp.add_argument("--at", metavar="T", help="show the pod at this time (describe)")
    sp.add_argument("--describe", action="store_true", help="`kubectl describe pod` output")
    sp.add_argument(
        "--logs",
        metavar="CONTAINER",
        nargs="?",
        const="",
        help="`kubectl logs POD -c CONTAINER`; without CONTAINER, kubectl's default container",
    )
    sp.add_argument(
        "--kubectl-version",
        metavar="X.Y",
        help="lay describe out as this kubectl does (1.32 to 1.35; default: the Kubernetes "
        "version simulated, within that range)",
    )
    sp.add_argument(
        "--previous", action="store_true", help="with --logs: the previous terminated run"
    )
    sp.add_argument(
        "--allow-outside-paths",
        action="store_true",
        help="let podFile be an absolute path or lead outside the scenario's directory",
    )
    out(sp)
    sp.set_defaults(func=cmd_simulate)

    sp = sub.add_parser(
        "admit",
        help="run the pod through the API server's admission chain: built-in plugins and webhooks",
        description="Send the pod through the API server's admission chain, in its plugin "
        "order: LimitRanger, the named built-in mutating webhooks (with reinvocation), "
        "validation, LimitRanger's bounds, PodSecurity, the validating webhooks, ResourceQuota. "
        "The namespace is configured by its labels (pod-security.kubernetes.io/enforce=baseline, "
        "...), LimitRanges and ResourceQuotas. Prints each decision in order, each JSONPatch, "
        "the diff and the verdict; exit 1 when the pod is refused.",
    )
    sp.add_argument("file", metavar="FILE")
    sp.add_argument(
        "--webhook",
        metavar="NAME",
        action="append",
        help="a built-in webhook (repeatable, in order): istio, istio-native, istio-cni, linkerd, "
        "vault, kyverno-add-init, kyverno-require-resources",
    )
    sp.add_argument(
        "--webhook-setting",
        metavar="WEBHOOK.KEY=VALUE",
        action="append",
        help="a setting of a named webhook (repeatable), e.g. istio.version=1.27.0, "
        "istio.mode=classic|native|cni, istio.kubernetesVersion=1.33, "
        "istio.holdApplicationUntilProxyStarts=true, linkerd.version=2.14, "
        "linkerd.mode=classic|native|cni",
    )
    sp.add_argument(
        "--namespace-label",
        metavar="KEY=VALUE",
        action="append",
        help="a label of the pod's namespace (repeatable): for namespaceSelector and PodSecurity "
        "(pod-security.kubernetes.io/enforce|warn|audit[-version])",
    )
    sp.add_argument(
        "--limitrange",
        metavar="FILE",
        action="append",
        help="LimitRange(s) of the namespace, YAML or JSON (repeatable)",
    )
    sp.add_argument(
        "--quota",
        metavar="FILE",
        action="append",
        help="ResourceQuota(s) of the namespace with their status.used (repeatable)",
    )
    out(sp)
    sp.set_defaults(func=cmd_admit)

    sp = sub.add_parser(
        "explain",
        help="why a real pod's STATUS/READY/RESTARTS read as they do, and what happens next",
        description="Explain a pod as your cluster returned it (`kubectl get pod NAME -o yaml`): "
        "the printPod walk that gives STATUS, READY and RESTARTS and the container that decided "
        "them, the phase and conditions, what the kubelet does next and when (a crash loop's "
        "next restart from its back-off), what to run next and which chapter explains it.",
    )
    sp.add_argument("file", metavar="POD", help="`kubectl get pod NAME -o yaml` output, or -")
    sp.add_argument(
        "--events",
        metavar="FILE",
        help="`kubectl get events --field-selector involvedObject.name=NAME -o yaml` output",
    )
    sp.add_argument(
        "--now",
        metavar="TIME",
        help="the moment to explain (RFC 3339); default: the newest time in the input",
    )
    sp.add_argument(
        "--kubernetes-version",
        metavar="1.NN",
        help="the cluster's Kubernetes release (the phase rules differ; default: the newest modelled)",
    )
    out(sp)
    sp.set_defaults(func=cmd_explain)

    sp = sub.add_parser(
        "replay",
        help="a real `kubectl get pod -w -o json` stream as initlab's timeline",
        description="Read a real watch stream (`kubectl get pod NAME -w -o json > watch.json`) "
        "and print it as a `kubectl get -w` trace, or with --against beside a simulation of a "
        "scenario, STATUS by STATUS. `-o json` gives the same shape as `simulate -o json`.",
    )
    sp.add_argument("stream", metavar="STREAM", help="the saved watch stream, or -")
    sp.add_argument("--events", metavar="FILE", help="`kubectl get events ... -o yaml` output")
    sp.add_argument("--against", metavar="SCENARIO", help="simulate this scenario and compare")
    out(sp)
    sp.set_defaults(func=cmd_replay)

    sp = sub.add_parser("webhook", help="run a real AdmissionReview webhook server")
    wsub = sp.add_subparsers(dest="webhook_command", metavar="SUBCOMMAND", parser_class=_Parser)
    ws = wsub.add_parser(
        "serve",
        help="serve AdmissionReview v1 on /mutate and /validate",
        description="Serve the named built-in webhooks over HTTP(S) for a real API server.",
    )
    ws.add_argument("--webhook", metavar="NAME", action="append", required=True)
    ws.add_argument("--host", default="127.0.0.1")
    ws.add_argument("--port", type=int, default=8443)
    ws.add_argument("--tls-cert", metavar="FILE")
    ws.add_argument("--tls-key", metavar="FILE")
    ws.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="serving processes sharing the port (Linux; 1 to 64): each does its own TLS "
        "handshakes and JSON, so N processes use N cores. Default: the CPUs this process "
        "may use (affinity and cgroup CPU limit), at most 4; 1 where there is no fork",
    )
    ws.set_defaults(func=cmd_webhook_serve)

    def webhook_help(_: argparse.Namespace) -> int:
        sp.print_help(sys.stderr)
        return 2

    sp.set_defaults(func=webhook_help)
    return p


def _report(e: InitlabError) -> None:
    if isinstance(e, InvalidError):
        for err in e.errors:
            print(err, file=sys.stderr)
    else:
        print(str(e), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except InitlabError as e:
        _report(e)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except RecursionError:
        print("input nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print("input too large to process", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - the contract: never a traceback
        first = one_line(bounded(str(e).splitlines()[0])) if str(e).strip() else ""
        print(f"initlab: internal error: {type(e).__name__}: {first}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
