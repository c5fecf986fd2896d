"""Fuzzing: thousands of generated pods, scenarios and malformed bytes.

Invariants come from the kubelet rules (k8s-semantics.md §5) and the CLI
contract: nothing raises except the documented errors.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import pods

from initlab.errors import InitlabError
from initlab.loader import apply_defaults, load_text
from initlab.resources import init_phases, pod_requests, qos_class
from initlab.validation import validate_pod

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
