"""Webhook server throughput on loopback, against a bare http.server in the same run.

Both servers run in this process on 127.0.0.1 (ephemeral ports); a bounded
client loop (a fixed number of requests, one keep-alive-free connection each,
two client threads) sends AdmissionReview requests to `/mutate` (Istio
injection: decode, admit, JSONPatch, encode) and the same bytes to a bare
handler that only reads the body and answers `{}`. The ratio says what
admission costs per request, whatever the machine. Traffic never leaves
loopback and the run stops by itself.

Run: `python -m benchmarks webhook`.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from initlab.admission import make_server

REQUESTS = 400
CLIENTS = 2

REVIEW = {
    "apiVersion": "admission.k8s.io/v1",
    "kind": "AdmissionReview",
    "request": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "namespace": "default",
        "operation": "CREATE",
        "userInfo": {"username": "bench"},
        "object": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "initContainers": [{"name": "migrate", "image": "flyway/flyway:10"}],
                "containers": [{"name": "app", "image": "nginx:1.27"}],
            },
        },
    },
}


class _Bare(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve(server: ThreadingHTTPServer) -> int:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def _load(port: int, path: str, body: bytes) -> float:
    """Requests per second for REQUESTS requests from CLIENTS threads."""
    per_client = REQUESTS // CLIENTS
    failures: list[int] = []

    def client() -> None:
        for _ in range(per_client):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed: {failures[:3]}")
    return per_client * CLIENTS / elapsed


def main() -> dict[str, Any]:
    """Measure both servers, print a small table, return the figures."""
    body = json.dumps(REVIEW).encode()
    webhook = make_server(["istio"], "127.0.0.1", 0)
    bare = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # the server's access log
            webhook_rps = _load(_serve(webhook), "/mutate", body)
        bare_rps = _load(_serve(bare), "/", body)
    finally:
        for server in (webhook, bare):
            server.shutdown()
            server.server_close()
    out = {
        "webhook_rps": round(webhook_rps),
        "bare_rps": round(bare_rps),
        "bare_over_webhook": round(bare_rps / webhook_rps, 2),
        "requests": REQUESTS,
    }
    print(f"{'measure':<40}{'value':>12}")
    print(f"{'webhook /mutate (istio), requests/s':<40}{webhook_rps:>12.0f}")
    print(f"{'bare http.server, requests/s':<40}{bare_rps:>12.0f}")
    print(f"{'bare / webhook (cost of admission)':<40}{out['bare_over_webhook']:>12.2f}")
    return out


if __name__ == "__main__":
    main()
