"""Fuzzing: thousands of generated pods, scenarios and malformed bytes.

Invariants come from the kubelet rules (the kubelet source, cited in initlab/kubelet) and the CLI
contract: nothing raises except the documented errors.
"""

from __future__ import annotations

import http.client
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
