"""kubectl's renderings of a run: describe, logs (including --previous)."""

from __future__ import annotations

import os
import re

import pytest
from helpers import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initlab import simulate
from initlab.cli import main
from initlab.kubectl import render_describe, render_logs


def example(name: str) -> str:
    """The path of examples/NAME.yaml, as a user passes it on the command line."""
    return str(EXAMPLES / f"{name}.yaml")


MULTILINE = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "script"},
        "spec": {
            "initContainers": [
                {
                    "name": "setup",
                    "image": "busybox:1.36",
                    "command": ["sh", "-c", "set -x\nmkdir -p /data\necho done"],
                }
            ],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    },
    "until": 20,
}


def test_describe_indents_every_line_of_a_multiline_command():
    """describeContainerCommand splits each command item on newlines, all at LEVEL_3."""
    text = render_describe(simulate(MULTILINE), 20)
    block = text[text.index("    Command:") :].splitlines()[1:6]
    assert block == [
        "      sh",
        "      -c",
        "      set -x",
        "      mkdir -p /data",
        "      echo done",
    ]


def test_image_ids_are_normalized_like_containerd():
    """Every Image ID carries its registry: docker.io/library/... or docker.io/org/..."""
    text = render_describe(simulate(example("git-clone-httpd")), 30)
    repos = set(re.findall(r"Image ID:\s+(\S+)@sha256:", text))
    assert repos and all(r.startswith("docker.io/") for r in repos), repos


def test_logs_previous_reads_the_last_terminated_run():
    """`kubectl logs -c migrate --previous` shows the failed run while the next one waits."""
    result = simulate(example("flaky-migration-always"))
    assert render_logs(result, "migrate", 18, previous=True) == (
        "migrating\nERROR: connection refused\n"
    )


def test_logs_previous_without_a_termination_is_the_api_servers_error():
    """No previous termination: BadRequest `previous terminated container ... not found`."""
    result = simulate(example("flaky-migration-always"))
    assert render_logs(result, "migrate", 3, previous=True) == (
        'Error from server (BadRequest): previous terminated container "migrate" in pod '
        '"web" not found\n'
    )


def test_a_failed_create_prints_only_its_error():
    """`mkdir x && echo created`: when mkdir fails, the echo never runs."""
    result = simulate(example("non-idempotent-init"))
    rerun = render_logs(result, "init-schema", 200)
    assert "File exists" in rerun
    assert rerun.strip().count("\n") == 0, rerun


def test_describe_shows_limits_and_requests_of_each_container():
    """describeResources: the 64Mi limit is on screen; `memory:` shares its tabwriter column
    block with `Environment:` below it, so its value sits two spaces past that label."""
    text = render_describe(simulate(example("oom-init")), 60)
    block = text[text.index("    Restart Count:") :].splitlines()[1:5]
    assert block == [
        "    Limits:",
        "      memory:  64Mi",
        "    Requests:",
        "      memory:     64Mi",
    ]


DESCRIBE_GOLDEN = [
    ("myapp-pod", "30"),
    ("flaky-migration-always", "18"),
    ("sidecar-mesh-proxy", None),
    ("oom-init", "60"),
    ("job-log-shipper", None),
]


@pytest.mark.parametrize(("name", "at"), DESCRIBE_GOLDEN, ids=[n for n, _ in DESCRIBE_GOLDEN])
def test_describe_golden_through_the_cli(name, at, capsys):
    """`initlab simulate NAME.yaml --describe [--at T]` prints exactly examples/NAME.describe.out."""
    args = ["simulate", example(name), "--describe"]
    if at is not None:
        args += ["--at", at]
    assert main(args) == 0
    out = capsys.readouterr().out
    golden = EXAMPLES / f"{name}.describe.out"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out)
    assert out == golden.read_text()


def test_logs_of_a_waiting_container_is_kubectls_bad_request(capsys):
    """`--logs` of a container that has not started: BadRequest on stderr, nothing on stdout, exit 1."""
    code = main(["simulate", example("myapp-pod"), "--logs", "myapp-container", "--at", "10"])
    out = capsys.readouterr()
    assert (code, out.out) == (1, "")
    assert out.err == (
        'Error from server (BadRequest): container "myapp-container" in pod "myapp-pod" '
        "is waiting to start: PodInitializing\n"
    )


def test_logs_without_a_container_names_the_default_on_stderr(capsys):
    """Without -c, kubectl picks the first app container and says so on stderr."""
    code = main(["simulate", example("myapp-pod"), "--logs"])
    out = capsys.readouterr()
    assert (code, out.out) == (0, "The app is running!\n")
    assert out.err == (
        'Defaulted container "myapp-container" out of: myapp-container, '
        "init-myservice (init), init-mydb (init)\n"
    )


def test_logs_of_an_unknown_container_is_kubectls_own_error(capsys):
    """kubectl refuses a container the pod does not have before asking the server."""
    code = main(["simulate", example("myapp-pod"), "--logs", "nope"])
    out = capsys.readouterr()
    assert (code, out.out, out.err) == (
        1,
        "",
        "error: container nope is not valid for pod myapp-pod\n",
    )


def test_default_cluster_adds_token_volume_tolerations_and_priority():
    """ServiceAccount, DefaultTolerationSeconds and Priority admission, as a default cluster stores the pod."""
    from initlab.api.cluster import admit_to_default_cluster, token_volume_name

    pod = simulate(example("myapp-pod")).pods[0]
    admitted = admit_to_default_cluster(pod)
    spec = admitted["spec"]
    vname = token_volume_name("default", "myapp-pod")
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", vname)
    assert spec["serviceAccountName"] == "default"
    assert [v["name"] for v in spec["volumes"]] == [vname]
    assert all(
        c["volumeMounts"][-1]
        == {
            "name": vname,
            "readOnly": True,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
        }
        for c in spec["initContainers"] + spec["containers"]
    )
    assert spec["tolerations"] == [
        {"key": k, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        for k in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
    ]
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert "volumes" not in pod["spec"]


def test_default_cluster_respects_automount_false_and_existing_tolerations():
    """No token volume when automounting is off; a pod that tolerates not-ready keeps its own."""
    from initlab.api.cluster import admit_to_default_cluster

    pod = {
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "automountServiceAccountToken": False,
            "priorityClassName": "system-node-critical",
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists"}],
            "containers": [{"name": "c", "image": "x"}],
        },
    }
    spec = admit_to_default_cluster(pod)["spec"]
    assert "volumes" not in spec and "volumeMounts" not in spec["containers"][0]
    assert [t["key"] for t in spec["tolerations"]] == [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ]
    assert spec["priority"] == 2000001000


def test_events_by_snapshot_gives_the_players_rows_with_ages():
    """Per snapshot, the Events rows as kubectl lists them then: folded, sorted, ages from that instant."""
    from initlab.kubectl import events_by_snapshot

    result = simulate(example("flaky-migration-always"))
    snaps = events_by_snapshot(result)
    assert [s["t"] for s in snaps] == [s["t"] for s in result.timeline]
    last = snaps[-1]["rows"]
    assert last[0] == {
        "type": "Normal",
        "reason": "Scheduled",
        "age": f"{int(result.timeline[-1]['t'])}s",
        "from": "default-scheduler",
        "message": "Successfully assigned default/web to node-1",
    }
    started = [r for r in last if r["reason"] == "Started"][0]
    assert started["age"] == "5s (x3 over 22s)"
    assert started["message"] == "spec.initContainers{migrate}: Container started"


@pytest.mark.parametrize(
    ("given", "want"),
    [("", "1.35"), ("1.29", "1.32"), ("1.33", "1.33"), ("v1.34.5", "1.34"), ("1.36", "1.35")],
)
def test_kubectl_layout_follows_the_kubernetes_version_within_range(given, want):
    """The describe layout is that of kubectl of the same minor, within 1.32-1.35."""
    from initlab.kubectl.events import kubectl_version_for

    assert kubectl_version_for(given) == want


def test_a_bad_kubectl_version_is_an_input_error(capsys):
    """`--kubectl-version banana` is one line on stderr, exit 2."""
    assert main(["simulate", example("myapp-pod"), "--describe", "--kubectl-version", "x"]) == 2
    assert capsys.readouterr().err == '--kubectl-version: not a kubectl version like 1.35: "x"\n'


def test_scenario_cluster_default_stores_the_admitted_pod():
    """`cluster: default` in a scenario: the simulated pod carries the token volume and tolerations."""
    import yaml

    scenario = yaml.safe_load((EXAMPLES / "myapp-pod.yaml").read_text())
    text = render_describe(simulate({**scenario, "cluster": "default"}), 47)
    assert "Service Account:  default" in text
    assert "Priority:         0" in text
    assert "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-" in text
    assert (
        "Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"
        in text
    )


def test_scenario_cluster_must_be_bare_or_default(capsys, tmp_path):
    """Any other `cluster:` value is a one-line input error naming the field, exit 2."""
    f = tmp_path / "s.yaml"
    f.write_text((EXAMPLES / "myapp-pod.yaml").read_text() + "cluster: kind\n")
    assert main(["simulate", str(f)]) == 2
    assert capsys.readouterr().err == 'cluster: must be "bare" or "default", not "kind"\n'


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = st.sampled_from(
    [
        "metadata",
        "spec",
        "status",
        "labels",
        "annotations",
        "containers",
        "initContainers",
        "volumes",
        "tolerations",
        "env",
        "ports",
        "state",
        "lastState",
        "conditions",
        "containerStatuses",
        "initContainerStatuses",
        "resources",
        "livenessProbe",
        "podIPs",
        "volumeMounts",
        "name",
        "image",
        "priority",
        "nodeName",
        "deletionTimestamp",
        "startTime",
    ]
)
_PODS = st.recursive(
    _JSON,
    lambda inner: st.dictionaries(_FIELDS, inner, max_size=5) | st.lists(inner, max_size=2),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pod=st.dictionaries(_FIELDS, _PODS, max_size=4))
def test_describe_and_decoding_never_raise_on_any_json(pod):
    """Any JSON-shaped object: describe_pod prints text and the decoder answers, neither raises."""
    from datetime import UTC, datetime

    from initlab.api.decoding import first_decode_error
    from initlab.kubectl.describe import describe_pod

    text = describe_pod(pod, [], datetime(2026, 1, 1, tzinfo=UTC), "1.35")
    assert text.startswith("Name:") and "\x1b" not in text and "\r" not in text
    assert first_decode_error(pod) is None or first_decode_error(pod).startswith("json: ")
