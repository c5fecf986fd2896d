"""Fuzzing: thousands of generated pods, scenarios and malformed bytes.

Invariants come from the kubelet rules (the kubelet source, cited in initlab/kubelet) and the CLI
contract: nothing raises except the documented errors.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import threading

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import pods, scenarios

from initlab.admission import make_server
from initlab.api.loader import apply_defaults, load_text
from initlab.api.resources import init_phases, pod_requests, qos_class
from initlab.api.validation import validate_pod
from initlab.cli import main
from initlab.errors import InitlabError
from initlab.sim.simulator import simulate

FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(pods())
def test_generated_pods_are_valid(pod):
    """The pod strategy only makes pods the API server accepts (so later invariants mean something)."""
    assert validate_pod(apply_defaults(pod)) == []


@FUZZ
@given(pods())
def test_effective_request_covers_every_init_step(pod):
    """PodRequests >= what any init step reserves (itself + earlier sidecars)."""
    pod = apply_defaults(pod)
    total = pod_requests(pod)
    for step in init_phases(pod):
        for name, q in step.requests.items():
            assert total[name] >= q
    assert qos_class(pod) in ("Guaranteed", "Burstable", "BestEffort")


@FUZZ
@given(st.binary(max_size=2048))
def test_loader_never_raises_anything_but_input_errors_on_bytes(data):
    """Random bytes give a pod or an InitlabError, never another exception."""
    try:
        load_text(data, "fuzz")
    except InitlabError:
        pass


@FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "kind",
                        "spec",
                        "containers",
                        "initContainers",
                        "name",
                        "image",
                        "resources",
                        "requests",
                        "limits",
                        "cpu",
                        "restartPolicy",
                        "metadata",
                        "ports",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_validation_never_raises_on_arbitrary_structures(junk):
    """Any JSON-like structure as a pod gives FieldErrors, not exceptions."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": junk}
    text = json.dumps(pod)
    try:
        manifest = load_text(text, "fuzz")
    except InitlabError:
        return
    for error in validate_pod(manifest.pod):
        assert str(error)


# -- the simulator -----------------------------------------------------------

SIM_FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _state(status: dict) -> str:
    return next(iter(status.get("state") or {"waiting": {}}))


@SIM_FUZZ
@given(scenarios())
def test_simulator_invariants_hold_for_generated_scenarios(scenario):
    """Kubelet invariants over generated pods, failures, deadlines and sandbox restarts.

    - the simulation ends, within its `until` plus the termination grace;
    - never two regular init containers running at once (computeInitContainerActions);
    - an app container runs only when every regular init container exited 0;
    - phase Failed only by the rules: restartPolicy Never, DeadlineExceeded, or deletion;
    - READY's total = app containers + sidecars (printPod);
    - restart counts never fall, except init containers after a sandbox re-creation
      (purgeInitContainers removes their records and logs, so the count restarts).
    """
    result = simulate(scenario)
    spec = scenario["pod"]["spec"]
    init_specs = {c["name"]: c for c in spec.get("initContainers", [])}
    regular = {n for n, c in init_specs.items() if c.get("restartPolicy") != "Always"}
    total = len(spec["containers"]) + len(init_specs) - len(regular)
    grace = 30 + 5
    assert result.timeline and result.final["t"] <= scenario["until"] + grace
    sandbox_changes = [e["t"] for e in result.events if e["reason"] == "SandboxChanged"]
    deleted = any(e["action"] == "delete-pod" for e in scenario.get("events", []))
    last_counts: dict[str, tuple[float, int]] = {}
    for snap in result.timeline:
        inits = snap.get("initContainerStatuses") or []
        apps = snap.get("containerStatuses") or []
        running_regular = [
            s["name"] for s in inits if s["name"] in regular and _state(s) == "running"
        ]
        assert len(running_regular) <= 1, (snap["t"], running_regular)
        if any(_state(s) == "running" for s in apps):
            for s in inits:
                if s["name"] in regular:
                    term = (s.get("state") or {}).get("terminated") or {}
                    assert term.get("exitCode") == 0, (snap["t"], s)
        if snap["phase"] == "Failed":
            reason = result.pod_at(snap["t"])["status"].get("reason")
            assert spec["restartPolicy"] == "Never" or reason == "DeadlineExceeded" or deleted
        assert int(snap["ready"].split("/")[1]) == total
        for s in inits + apps:
            key = s["name"]
            count = s.get("restartCount", 0)
            since, before = last_counts.get(key, (0, 0))
            if count < before:  # allowed only after a sandbox re-creation purged it
                assert key in init_specs and any(since <= t <= snap["t"] for t in sandbox_changes)
            if count != before:
                last_counts[key] = (snap["t"], count)


# -- the webhook server --------------------------------------------------------


@pytest.fixture(scope="module")
def webhook_url():
    """A real AdmissionReview server on 127.0.0.1 (ephemeral port) for the module."""
    server = make_server(["istio", "kyverno-require-resources"], "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _post(port: int, path: str, body: bytes, content_type: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        payload = response.read()
        if response.status >= 400:
            assert "error" in json.loads(payload)  # a JSON message, always
        return response.status
    finally:
        conn.close()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.binary(max_size=4096)
    | st.text(max_size=2048).map(str.encode)
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["apiVersion", "kind", "request", "uid", "object", "spec"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode()),
    path=st.sampled_from(["/mutate", "/validate"]),
    content_type=st.sampled_from(["application/json", "text/plain", ""]),
)
def test_webhook_server_answers_malformed_bodies_and_keeps_serving(
    webhook_url, body, path, content_type
):
    """Garbage gets a 4xx JSON error (never a 5xx crash) and the server stays up."""
    status = _post(webhook_url, path, body, content_type)
    assert status in (200, 400, 413, 415), status
    assert _post(webhook_url, "/validate", b"{}", "application/json") == 400


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(
            ["run", "exit", "startup", "ready", "oom", "pull", "waitFor", "writes", "log",
             "volume", "path", "mode", "stop", "at", "action", "cpu", "memory"]
        ),
        inner,
        max_size=4,
    ),
    max_leaves=25,
)  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(behavior=_JUNK, events=_JUNK, until=_JUNK, node=_JUNK)
@example(behavior=None, events=None, until="\n", node=None)  # once gave a two-line message
def test_malformed_scenarios_give_input_errors_not_crashes(behavior, events, until, node):
    """Arbitrary values in behavior/events/until/node: a run or an InitlabError, nothing else."""
    scenario = {
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "fuzz"},
            "spec": {
                "initContainers": [{"name": "run", "image": "busybox:1.36"}],
                "containers": [{"name": "app", "image": "nginx:1.27"}],
            },
        },
        "behavior": {"run": behavior} if not isinstance(behavior, dict) else behavior,
        "events": events,
        "until": until,
        "node": node,
    }
    try:
        simulate(scenario)
    except InitlabError as e:
        assert str(e) and "\n" not in str(e)


# -- the command line: exit 0, 1 or 2, whatever the file or the arguments ----------------------

#: YAML scalars (as written in the file) that once reached exit 3, and their neighbours.
HOSTILE_YAML = [
    "1:30", "12:30:45.5", "2001-02-30", "2001-02-03", "2001-02-03T04:05:06Z", "0777", "08",
    "0x1F", "0b101", "1e3", "1_000", ".inf", "-.inf", ".nan", "y", "n", "~", "=", "<<", "-0",
    "1" * 5000, "9" * 400, "-" + "9" * 4400, '"' + "1" * 5000 + '"', '"' + "9" * 999 + 'Ei"',
    '"1e1000"', '"0.0000000001"', "18446744073709551616", "1e308", "-1e308", '"\\u2028"',
    '"a\\x85b\\e[31m"', '"\\ud800"', '"\\U0001F600"', "!!binary aGk=", "!!timestamp 2001-02-30",
    "!!int 1_000", "!!float 1e400", "!!int abc", "!foo bar", "*nope", "[]", "{}", "[1, [2]]",
    "'x' ", '""', "-1", "2147483648", "9223372036854775808", "3.5", "Always", "OnFailure",
]  # fmt: skip
#: JSON literals for the same slots.
HOSTILE_JSON = [
    "1" + "0" * 5000, "1e400", "-1e400", '"\\ud800"', '"\\udc00x"', "NaN", "Infinity", "1.0",
    "12345678901234567890123", '"2001-02-30"', '"1:30"', "[]", "{}", "null", "true", "-0.0",
    '"' + "x" * 100_000 + '"', "[" * 80 + "]" * 80, '"\\u0000"', '"\\u2029"',
]  # fmt: skip

_SLOTS = [
    "name", "label", "image", "arg", "env", "cpu", "memory", "grace", "deadline", "policy",
    "port", "phase", "restarts", "started",
]  # fmt: skip
_POD_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {{app: {label}}}
  creationTimestamp: "2024-01-01T00:00:00Z"
spec:
  terminationGracePeriodSeconds: {grace}
  activeDeadlineSeconds: {deadline}
  restartPolicy: {policy}
  initContainers:
  - name: init
    image: {image}
    args: [{arg}]
    resources: {{limits: {{cpu: {cpu}, memory: {memory}}}}}
  containers:
  - name: app
    image: busybox:1.36
    env: [{{name: X, value: {env}}}]
    ports: [{{containerPort: {port}}}]
status:
  phase: {phase}
  startTime: {started}
  initContainerStatuses:
  - {{name: init, ready: false, restartCount: {restarts}, state: {{waiting: {{reason: CrashLoopBackOff}}}}}}
"""
_DEFAULTS_YAML = {
    "name": "p", "label": "web", "image": "busybox:1.36", "arg": "x", "env": "v", "cpu": "100m",
    "memory": "64Mi", "grace": "30", "deadline": "600", "policy": "Always", "port": "80",
    "phase": "Pending", "restarts": "1", "started": '"2024-01-01T00:00:01Z"',
}  # fmt: skip
_DEFAULTS_JSON = {k: json.dumps(v) for k, v in _DEFAULTS_YAML.items()}
_DEFAULTS_JSON.update(
    grace="30", deadline="600", port="80", restarts="1", started='"2024-01-01T00:00:01Z"'
)


def _pod_json(values: dict[str, str]) -> str:
    v = values
    return (
        f'{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": {v["name"]}, '
        f'"labels": {{"app": {v["label"]}}}, "creationTimestamp": "2024-01-01T00:00:00Z"}}, '
        f'"spec": {{"terminationGracePeriodSeconds": {v["grace"]}, '
        f'"activeDeadlineSeconds": {v["deadline"]}, "restartPolicy": {v["policy"]}, '
        f'"initContainers": [{{"name": "init", "image": {v["image"]}, "args": [{v["arg"]}], '
        f'"resources": {{"limits": {{"cpu": {v["cpu"]}, "memory": {v["memory"]}}}}}}}], '
        f'"containers": [{{"name": "app", "image": "busybox:1.36", '
        f'"env": [{{"name": "X", "value": {v["env"]}}}], "ports": [{{"containerPort": {v["port"]}}}]}}]}}, '
        f'"status": {{"phase": {v["phase"]}, "startTime": {v["started"]}, '
        f'"initContainerStatuses": [{{"name": "init", "ready": false, '
        f'"restartCount": {v["restarts"]}, "state": {{"waiting": {{"reason": "CrashLoopBackOff"}}}}}}]}}}}'
    )


@st.composite
def hostile_files(draw: st.DrawFn) -> str:
    """A pod manifest (YAML or JSON) with a few of its fields replaced by hostile values."""
    as_json = draw(st.booleans())
    pool = HOSTILE_JSON if as_json else HOSTILE_YAML
    values = dict(_DEFAULTS_JSON if as_json else _DEFAULTS_YAML)
    for slot in draw(st.lists(st.sampled_from(_SLOTS), max_size=4, unique=True)):
        values[slot] = draw(
            st.sampled_from(pool)
            | st.integers().map(str)
            | st.floats(allow_nan=False, allow_infinity=False).map(repr)
            | st.text(max_size=12).map(json.dumps)
        )
    return _pod_json(values) if as_json else _POD_YAML.format(**values)


_TIMES = [
    "1e300",
    "1e400",
    "-1",
    "nan",
    "inf",
    "31d",
    "2592001",
    "0",
    "5",
    "10s",
    "2m",
    "1h",
    "",
    " 5 ",
    "5s5",
]
_QUANTITIES = [
    "9" * 2000,
    "1e1000",
    "-1",
    "1:30",
    "2",
    "1500m",
    "4Gi",
    "",
    "1" * 999 + "Ei",
    "0.1n",
]
_NOWS = [
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2001-02-30T00:00:00Z",
    "x",
    "1e300",
    "2024-01-01T00:10:00Z",
]
_WEBHOOKS = ["istio", "istio-native", "linkerd", "vault", "kyverno-add-init", "kyverno-require-resources", "nope"]  # fmt: skip


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command and its options, drawn from values that are valid, absurd or garbage."""
    text = st.text(max_size=10)
    command = draw(
        st.sampled_from(["validate", "resources", "get", "simulate", "admit", "explain", "replay"])
    )
    argv = [command]
    if draw(st.booleans()):
        argv += ["-o", "json"]
    if command == "resources":
        for flag in ("--node-cpu", "--node-memory"):
            if draw(st.booleans()):
                argv += [flag, draw(st.sampled_from(_QUANTITIES) | text)]
    elif command in ("get", "explain") and draw(st.booleans()):
        argv += ["--now", draw(st.sampled_from(_NOWS) | text)]
    elif command == "simulate":
        argv += ["--until", draw(st.sampled_from(_TIMES[3:]) | text)]  # a bounded run
        if draw(st.booleans()):
            argv += ["--at", draw(st.sampled_from(_TIMES) | text)]
        if draw(st.booleans()):
            argv += draw(st.sampled_from([["--describe"], ["--logs", "init"], ["--logs", "nope"]]))
    elif command == "admit":
        for _ in range(draw(st.integers(1, 2))):
            argv += ["--webhook", draw(st.sampled_from(_WEBHOOKS))]
        if draw(st.booleans()):
            argv += [
                "--namespace-label",
                draw(st.sampled_from(["a=b", "=", "x", "istio-injection=enabled"]) | text),
            ]
    return argv


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(argv=command_lines(), content=hostile_files())
@example(argv=["validate"], content=_POD_YAML.format(**{**_DEFAULTS_YAML, "cpu": "1" * 5000}))
@example(argv=["simulate", "--until", "1e300"], content=_POD_YAML.format(**_DEFAULTS_YAML))
@example(
    argv=["validate", "-o", "json"], content=_pod_json({**_DEFAULTS_JSON, "name": '"\\ud800"'})
)
def test_the_cli_exits_0_1_or_2_on_any_file_and_arguments(tmp_path_factory, argv, content):
    """Every command that reads a file never exits 3 and never prints a traceback."""
    path = tmp_path_factory.mktemp("cli") / "input.yaml"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([argv[0], str(path), *argv[1:]])
        except SystemExit as e:  # argparse refuses an argument
            code = e.code
    assert code in (0, 1, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert err.getvalue().count("\n") == 1  # one line for unusable input
