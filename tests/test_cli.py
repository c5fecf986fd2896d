"""The command-line contract (docs/contracts.md): outputs, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest
from helpers import EXAMPLES

from initlab.cli import main

MYAPP = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: myapp-pod
      labels: {app.kubernetes.io/name: MyApp}
    spec:
      containers:
      - name: myapp-container
        image: busybox:1.28
        command: ['sh', '-c', 'echo The app is running! && sleep 3600']
      initContainers:
      - name: init-myservice
        image: busybox:1.28
        command: ['sh', '-c', "until nslookup myservice; do echo waiting for myservice; sleep 2; done"]
      - name: init-mydb
        image: busybox:1.28
        command: ['sh', '-c', "until nslookup mydb; do echo waiting for mydb; sleep 2; done"]
    """
)

PROBE_ON_INIT = MYAPP.replace(
    "  - name: init-mydb\n",
    "    readinessProbe: {exec: {command: [cat, /tmp/ready]}}\n  - name: init-mydb\n",
)

SIDECAR_STACK = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata: {name: stack}
    spec:
      initContainers:
      - name: proxy
        image: envoyproxy/envoy:v1.31.0
        restartPolicy: Always
        resources: {requests: {cpu: 10m}}
      - name: migrate
        image: flyway/flyway:10
        resources: {requests: {cpu: 200m}}
      containers:
      - name: app
        image: nginx:1.27
        resources: {requests: {cpu: 100m}}
    """
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse --help / usage errors
        code = e.code if isinstance(e.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def write(tmp_path):
    """Write text to a file in tmp_path and return its path as a string."""

    def _write(name: str, text: str | bytes) -> str:
        p = tmp_path / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text)
        return str(p)

    return _write


def test_validate_accepts_the_docs_myapp_pod(capsys, write):
    """The official docs' example is valid: exit 0 and a one-line verdict."""
    code, out, err = run(capsys, "validate", write("p.yaml", MYAPP))
    assert (code, out, err) == (0, "pod/myapp-pod is valid\n", "")


def test_validate_rejects_a_probe_on_an_init_container_in_kubernetes_words(capsys, write):
    """A readinessProbe on a regular init container is Forbidden, as the API server says."""
    code, out, err = run(capsys, "validate", write("p.yaml", PROBE_ON_INIT))
    assert code == 1
    assert err == (
        "spec.initContainers[0].readinessProbe: Forbidden: "
        "may not be set for init containers without restartPolicy=Always\n"
    )


def test_validate_json_has_the_contract_shape(capsys, write):
    """`-o json` prints valid + errors with field, type and detail."""
    code, out, _ = run(capsys, "validate", write("p.yaml", PROBE_ON_INIT), "-o", "json")
    assert code == 1
    assert json.loads(out) == {
        "valid": False,
        "errors": [
            {
                "field": "spec.initContainers[0].readinessProbe",
                "type": "Forbidden",
                "detail": "may not be set for init containers without restartPolicy=Always",
            }
        ],
    }


def test_validate_reports_template_errors_at_their_path_in_the_workload(capsys, write):
    """Errors in a Deployment's template carry the spec.template.spec prefix."""
    deploy = textwrap.dedent(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              initContainers: [{name: init, image: busybox:1.28, restartPolicy: OnFailure}]
              containers: [{name: app, image: nginx:1.27}]
        """
    )
    code, _, err = run(capsys, "validate", write("d.yaml", deploy))
    assert code == 1
    assert err.startswith(
        'spec.template.spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure"'
    )


def test_validate_schema_flag_finds_unknown_fields(capsys, write):
    """--schema checks the official OpenAPI schema and names the unknown field."""
    bad = MYAPP.replace("    image: busybox:1.28\n", "    image: busybox:1.28\n    imagge: x\n", 1)
    code, _, err = run(capsys, "validate", write("p.yaml", bad), "--schema", "1.33")
    assert code == 1
    assert "imagge" in err and "Traceback" not in err


def test_validate_schema_flag_passes_a_valid_manifest(capsys, write):
    """A manifest kubectl would accept passes the schema check too."""
    code, _, err = run(capsys, "validate", write("p.yaml", MYAPP), "--schema", "1.33")
    assert (code, err) == (0, "")


def test_unknown_schema_version_is_unusable_input(capsys, write):
    """An unsupported schema version exits 2 with one line."""
    code, _, err = run(capsys, "validate", write("p.yaml", MYAPP), "--schema", "0.1")
    assert code == 2 and err.count("\n") == 1 and "--schema" in err


def test_resources_json_stacks_a_sidecar_under_later_init_containers(capsys, write):
    """Upstream's worked example: sidecar 10m, init 200m, app 100m -> 210m."""
    code, out, _ = run(capsys, "resources", write("p.yaml", SIDECAR_STACK), "-o", "json")
    assert code == 0
    report = json.loads(out)
    assert report["requests"]["cpu"] == "210m"
    assert report["qosClass"] == "Burstable"
    assert "fits" not in report


def test_resources_reports_fit_on_a_node(capsys, write):
    """--node-cpu below the effective request means the pod does not fit."""
    path = write("p.yaml", SIDECAR_STACK)
    code, out, _ = run(capsys, "resources", path, "--node-cpu", "200m", "-o", "json")
    assert code == 0 and json.loads(out)["fits"] is False
    code, out, _ = run(capsys, "resources", path, "--node-cpu", "1", "-o", "json")
    assert json.loads(out)["fits"] is True


def test_resources_refuses_a_bad_node_quantity(capsys, write):
    """A malformed --node-memory is exit 2 naming the flag."""
    code, _, err = run(capsys, "resources", write("p.yaml", MYAPP), "--node-memory", "lots")
    assert code == 2 and err.startswith("--node-memory: ")


def test_get_prints_kubectl_columns_for_a_pod_with_status(capsys, write):
    """`initlab get` renders READY/STATUS/RESTARTS as kubectl does."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "myapp-pod", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {
            "initContainers": [
                {"name": "init-myservice", "image": "busybox:1.28"},
                {"name": "init-mydb", "image": "busybox:1.28"},
            ],
            "containers": [{"name": "myapp-container", "image": "busybox:1.28"}],
        },
        "status": {
            "phase": "Pending",
            "initContainerStatuses": [
                {
                    "name": "init-myservice",
                    "ready": False,
                    "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {
                        "terminated": {
                            "exitCode": 1,
                            "reason": "Error",
                            "finishedAt": "2026-01-01T00:04:00Z",
                        }
                    },
                },
                {
                    "name": "init-mydb",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "PodInitializing"}},
                },
            ],
            "containerStatuses": [
                {
                    "name": "myapp-container",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "PodInitializing"}},
                }
            ],
        },
    }
    path = write("s.json", json.dumps(pod))
    code, out, _ = run(capsys, "get", path, "--now", "2026-01-01T00:05:00Z", "-o", "json")
    assert code == 0
    assert json.loads(out) == {
        "name": "myapp-pod",
        "ready": "0/1",
        "status": "Init:CrashLoopBackOff",
        "restarts": "3",
    }
    code, out, _ = run(capsys, "get", path, "--now", "2026-01-01T00:05:00Z")
    header, row = out.splitlines()
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split() == ["myapp-pod", "0/1", "Init:CrashLoopBackOff", "3", "(60s", "ago)", "5m"]


def test_simulate_json_has_timeline_events_and_final(capsys, write):
    """`simulate -o json` follows the contract: timeline, events, final snapshot."""
    code, out, _ = run(capsys, "simulate", write("p.yaml", MYAPP), "-o", "json", "--until", "60")
    assert code == 0
    data = json.loads(out)
    assert {"timeline", "events", "final", "assumed"} <= set(data)
    first = data["timeline"][0]
    for key in ("t", "phase", "status", "ready", "restarts", "conditions"):
        assert key in first
    assert data["final"] == data["timeline"][-1]


# -- bad input: every command, never a traceback ---------------------------

BAD_INPUTS = {
    "not-yaml": "kind: [\n",
    "alias-bomb": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
    "python-tag": "!!python/object/apply:os.system ['echo pwned']\n",
    "deep": "a: " + "[" * 500 + "]" * 500,
    "service": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
    "scalar": "42\n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00",
    "empty": "",
}

WRONG_TYPES = {
    "spec-is-list": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: []\n",
    "containers-is-string": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: x}\n",
    "container-is-int": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [3]}\n",
    "name-is-int": "apiVersion: v1\nkind: Pod\nmetadata: {name: 7}\n"
    "spec: {containers: [{name: 5, image: x}]}\n",
    "quantity-is-bool": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
    "spec: {containers: [{name: a, image: x, resources: {requests: {cpu: true}}}]}\n",
    "no-containers": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n",
    "metadata-is-string": "apiVersion: v1\nkind: Pod\nmetadata: x\n"
    "spec: {containers: [{name: a, image: x}]}\n",
}


@pytest.mark.parametrize("command", ["validate", "resources", "simulate", "admit"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_unusable_input_exits_2_with_one_line(capsys, write, command, name):
    """Unreadable or pod-less input is exit 2, one short line on stderr, no traceback."""
    argv = [command, write(f"{name}.yaml", BAD_INPUTS[name])]
    if command == "admit":
        argv += ["--webhook", "istio"]
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert err.count("\n") == 1 and len(err) < 400
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize("command", ["validate", "resources", "simulate", "admit"])
@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_wrongly_typed_pods_are_invalid_not_crashes(capsys, write, command, name):
    """A pod with wrongly typed fields is exit 1 with field paths, never a crash."""
    argv = [command, write(f"{name}.yaml", WRONG_TYPES[name])]
    if command == "admit":
        argv += ["--webhook", "istio"]
    code, _, err = run(capsys, *argv)
    assert code == 1, err
    lines = err.splitlines()
    assert lines and all(": " in line for line in lines)
    assert "Traceback" not in err and "internal error" not in err


def test_get_on_garbage_exits_2(capsys, write):
    """`get` on a non-pod file is exit 2 with one line."""
    code, _, err = run(capsys, "get", write("x.yaml", BAD_INPUTS["service"]))
    assert code == 2 and err.count("\n") == 1


def test_missing_file_exits_2(capsys, tmp_path):
    """A path that does not exist is exit 2 naming the path."""
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such file" in err


def test_bad_arguments_exit_2_in_one_line(capsys):
    """Usage errors are one line and exit 2."""
    code, _, err = run(capsys, "validate")
    assert code == 2 and err.count("\n") == 1


def test_python_dash_m_and_console_script_agree(write):
    """`python -m initlab` works the same as the console script."""
    path = write("p.yaml", PROBE_ON_INIT)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    a = subprocess.run(
        [sys.executable, "-m", "initlab", "validate", path], capture_output=True, text=True, env=env
    )
    script = os.path.join(os.path.dirname(sys.executable), "initlab")
    b = subprocess.run([script, "validate", path], capture_output=True, text=True, env=env)
    assert (a.returncode, a.stderr) == (b.returncode, b.stderr) == (1, a.stderr)
    assert "Forbidden" in a.stderr


@pytest.mark.parametrize("command", ["validate", "resources", "get", "simulate", "admit"])
def test_every_command_has_help(capsys, command):
    """`initlab COMMAND --help` explains the command and exits 0."""
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "usage: initlab " + command in out


def test_stdin_over_the_size_limit_is_refused(monkeypatch, capsys):
    """`initlab get -` reads standard input within the same 3 MiB bound as files."""
    import io

    big = io.BytesIO(b"a" * (4 * 1024 * 1024))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(big))
    code, _, err = run(capsys, "get", "-")
    assert code == 2 and "larger than" in err


class _Endless(io.RawIOBase):
    """A stream that never ends (like /dev/zero on standard input)."""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        b[:] = b"a" * len(b)
        return len(b)


def test_simulate_dash_reads_stdin_with_the_bound(monkeypatch, capsys):
    """`simulate -` stops reading an endless standard input at the 3 MiB bound."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Endless())))
    code, _, err = run(capsys, "simulate", "-")
    assert (code, err) == (
        2,
        f"<stdin>: larger than {3 * 1024 * 1024} bytes (the API server's limit)\n",
    )


def test_simulate_dash_simulates_a_pod_from_stdin(monkeypatch, capsys):
    """`simulate -` with a Pod on standard input runs it."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MYAPP.encode())))
    code, out, _ = run(capsys, "simulate", "-", "--until", "5")
    assert code == 0 and "myapp-pod" in out


@pytest.mark.parametrize("where", ["fifo", "directory"])
def test_a_fifo_or_directory_as_the_file_is_one_line_exit_2(capsys, tmp_path, where):
    """Not a regular file: refused at once (a FIFO with no writer would hang a reader)."""
    path = tmp_path / "input.yaml"
    os.mkfifo(path) if where == "fifo" else path.mkdir()
    for command in ("validate", "get", "simulate"):
        code, _, err = run(capsys, command, str(path))
        what = "a FIFO" if where == "fifo" else "a directory"
        assert (code, err) == (2, f"{path}: is {what}, not a file\n")


def test_pod_file_outside_the_scenario_needs_allow_outside_paths(capsys, tmp_path):
    """podFile `../pod.yaml` is refused, and read with --allow-outside-paths."""
    (tmp_path / "pod.yaml").write_text(MYAPP)
    (tmp_path / "s").mkdir()
    scenario = tmp_path / "s" / "scenario.yaml"
    scenario.write_text("podFile: ../pod.yaml\nuntil: 5\n")
    code, _, err = run(capsys, "simulate", str(scenario))
    assert code == 2
    assert err.startswith('podFile: "../pod.yaml" leads outside the scenario\'s directory')
    code, out, _ = run(capsys, "simulate", str(scenario), "--allow-outside-paths")
    assert code == 0 and "myapp-pod" in out


@pytest.mark.parametrize("flag", ["--until", "--at"])
@pytest.mark.parametrize("value", ["1e300", "2592001", "31d"])
def test_time_arguments_beyond_30_days_are_exit_2(capsys, write, flag, value):
    """`--until`/`--at` share `until:`'s 30-day bound; absurd values are input errors."""
    code, _, err = run(capsys, "simulate", write("p.yaml", MYAPP), flag, value)
    assert code == 2 and err.startswith(f"{flag}: ") and err.count("\n") == 1


def test_validate_schema_without_the_extra_says_what_to_install(capsys, write, monkeypatch):
    """Without kubernetes-validate, `--schema` exits 2 naming the `schema` extra."""
    monkeypatch.setitem(sys.modules, "kubernetes_validate", None)  # import fails
    code, _, err = run(capsys, "validate", write("p.yaml", MYAPP), "--schema", "1.33")
    assert (code, err) == (
        2,
        "--schema: needs the optional OpenAPI schemas: pip install 'initlab[schema]'\n",
    )


@pytest.mark.parametrize(
    "char",
    ["\u2028", "\u2029", "\x85", "\x9b", "\x1b", "\r"],
    ids=["LS", "PS", "NEL", "CSI", "ESC", "CR"],
)
def test_errors_stay_on_one_line_whatever_the_value_holds(capsys, write, char):
    """Line and paragraph separators, C0 and C1 controls in a value are escaped in the error."""
    escaped = json.dumps(char)[1:-1]  # "\u2028": YAML double quotes read JSON's escapes
    text = MYAPP.replace("name: myapp-pod", f'name: "my{escaped}pod"')
    code, _, err = run(capsys, "validate", write("p.yaml", text))
    assert code == 1 and err.count("\n") == 1 and char not in err
    assert escaped in err


def test_errors_quote_a_bounded_prefix_of_a_huge_value(capsys, write):
    """A 1 MB bad value is quoted by its first 256 characters and its length."""
    text = MYAPP.replace("name: myapp-pod", "name: " + "X" * 1_000_000)
    code, _, err = run(capsys, "validate", write("p.yaml", text))
    assert code == 1 and len(err) < 2000
    assert '"' + "X" * 256 + '... (1000000 characters)"' in err


def test_simulate_runs_a_shipped_example_by_name(capsys, monkeypatch, tmp_path):
    """`initlab simulate myapp-pod` works from any directory: the example ships with initlab."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "simulate", "myapp-pod", "--until", "5")
    assert code == 0 and out.startswith("NAME        READY   STATUS")


def test_an_unknown_scenario_name_lists_the_shipped_examples(capsys, monkeypatch, tmp_path):
    """A name that is neither a file nor an example says so and lists what ships."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "simulate", "no-such-example")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("no-such-example: no such file, nor a shipped example (shipped: ")
    assert "myapp-pod" in err


def test_every_example_file_is_a_shipped_example():
    """Each examples/*.yaml of the repository is found by its name."""
    from initlab.api.loader import example_path, shipped_examples

    root = EXAMPLES
    assert shipped_examples() == sorted(p.stem for p in root.glob("*.yaml"))
    assert example_path("myapp-pod") == example_path("myapp-pod.yaml") == root / "myapp-pod.yaml"
    assert example_path("../README") is None and example_path("debug/README.md") is None


MISTYPED_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: 5
  containers: [{name: app, image: nginx}]
"""

MISTYPED_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx, ports: [{containerPort: "80"}]}]
"""


@pytest.mark.parametrize("command", ["validate", "simulate", "admit", "resources"])
def test_a_pod_the_api_server_cannot_decode_is_refused_by_every_command(capsys, write, command):
    """`securityContext: 5` is a BadRequest from the decoder (exit 1), not a valid pod."""
    code, out, err = run(capsys, command, write("p.yaml", MISTYPED_POD))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.rstrip("\n").endswith(
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number '
        "into Go struct field PodSpec.spec.securityContext of type v1.PodSecurityContext"
    )


def test_a_workload_is_decoded_by_its_pod_template(capsys, write):
    """A string containerPort in a Deployment's template: the decoder's path from the top."""
    path = write("d.yaml", MISTYPED_DEPLOYMENT)
    code, _, err = run(capsys, "validate", path)
    assert code == 1
    assert err == (
        f'Error from server (BadRequest): error when creating "{path}": Deployment in version '
        '"v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32\n"
    )
