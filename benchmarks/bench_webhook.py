"""The TLS webhook server under 50 concurrent clients, against a bare http.server in the same run.

Both servers run in this process on 127.0.0.1 (ephemeral ports) with the same
throwaway TLS certificate (the API server only calls webhooks over TLS):

- **webhook**: `initlab webhook serve`'s server answering `/mutate` (Istio
  injection: decode, admit, JSONPatch, encode), handshake in each
  connection's thread, backlog `SOMAXCONN`;
- **bare**: the stdlib's `ThreadingHTTPServer` with its listening socket
  wrapped in TLS, as the `ssl` docs show, answering `{}` after reading the
  body: the baseline any Python server starts from (handshake in the accept
  loop, backlog 5).

A separate process (its own interpreter, so client and server do not share
a GIL) runs `CLIENTS` threads; each opens a new TLS connection per request
(the harshest case: a handshake every time) and sends `PER_CLIENT` requests;
a last run reuses one connection per client, as the API server's own HTTP
client does.
Reported per server: requests/s, p50 and p99 latency (connect + handshake +
request + response), and resets (connections refused, reset or dropped).
The ratios (webhook / bare) say what admission costs, whatever the machine.
Traffic never leaves loopback and the run stops by itself.

Run: `python -m benchmarks webhook`.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import multiprocessing
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from initlab.admission import make_server

CLIENTS = 50
PER_CLIENT = 20

REVIEW: dict[str, Any] = {
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
    protocol_version = "HTTP/1.1"

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


def _certificate(directory: Path) -> tuple[str, str]:
    cert, key = directory / "tls.crt", directory / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-keyout", str(key), "-out", str(cert),
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def _client_load(
    port: int, path: str, body: bytes, cafile: str, out: Any, keep_alive: bool = False
) -> None:
    """In a child process: CLIENTS threads, PER_CLIENT requests each, a new connection each
    (or, with `keep_alive`, one connection per client, as the API server reuses its own)."""
    ctx = ssl.create_default_context(cafile=cafile)
    latencies: list[float] = []
    resets: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client() -> None:
        start.wait()
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
        for _ in range(PER_CLIENT):
            t0 = time.perf_counter()
            if not keep_alive:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                problem = "" if ok else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as e:
                problem = type(e).__name__
                conn.close()
            if not keep_alive:
                conn.close()
            with lock:
                if problem:
                    resets.append(problem)
                else:
                    latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put({"elapsed": time.perf_counter() - t0, "latencies": latencies, "resets": resets})


def _measure(
    port: int, path: str, body: bytes, cafile: str, keep_alive: bool = False
) -> dict[str, Any]:
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    proc = mp.Process(target=_client_load, args=(port, path, body, cafile, queue, keep_alive))
    proc.start()
    result = queue.get(timeout=600)
    proc.join(60)
    lat = sorted(result["latencies"])

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {
        "rps": len(lat) / result["elapsed"],
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "resets": len(result["resets"]),
        "reset_kinds": sorted(set(result["resets"])),
    }


def _serve(server: ThreadingHTTPServer) -> int:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def _row(label: str, *values: float | int) -> str:
    fmt = "{:>16.1f}" if isinstance(values[0], float) else "{:>16}"
    return f"{label:<16}" + "".join(fmt.format(x) for x in values)


def main() -> dict[str, Any]:
    """Measure the webhook (three workloads) and the bare server, print a table, return figures."""
    if shutil.which("openssl") is None:
        raise RuntimeError("bench_webhook needs the openssl command for a test certificate")
    create = json.dumps(REVIEW).encode()
    # The same review as an UPDATE, which the injector allows untouched: the server's own cost.
    update = json.dumps({**REVIEW, "request": {**REVIEW["request"], "operation": "UPDATE"}})
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = _certificate(Path(tmp))
        webhook = make_server(["istio"], "127.0.0.1", 0, cert, key)
        bare = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
        bare.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        bare.socket = ctx.wrap_socket(bare.socket, server_side=True)
        try:
            with contextlib.redirect_stderr(io.StringIO()):  # the servers' access logs
                port = _serve(webhook)
                served = _measure(port, "/mutate", update.encode(), cert)
                injected = _measure(port, "/mutate", create, cert)
                reused = _measure(port, "/mutate", create, cert, keep_alive=True)
                b = _measure(_serve(bare), "/", create, cert)
        finally:
            for server in (webhook, bare):
                server.shutdown()
                server.server_close()

    def rounded(d: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in d.items()}

    out = {
        "clients": CLIENTS,
        "requests": CLIENTS * PER_CLIENT,
        "webhook_update": rounded(served),
        "webhook_create_istio": rounded(injected),
        "webhook_create_istio_keep_alive": rounded(reused),
        "bare": rounded(b),
        "p99_update_over_bare": round(served["p99_ms"] / b["p99_ms"], 2),
        "p99_create_over_bare": round(injected["p99_ms"] / b["p99_ms"], 2),
    }
    columns = (served, injected, reused, b)
    print(f"{CLIENTS} concurrent TLS clients, {CLIENTS * PER_CLIENT} requests each column")
    print(f"{'':<16}{'UPDATE':>16}{'CREATE (Istio)':>16}{'CREATE, reused':>16}{'bare server':>16}")
    print(
        f"{'connection':<16}{'per request':>16}{'per request':>16}{'per client':>16}{'per request':>16}"
    )
    for key, label in (("rps", "requests/s"), ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms")):
        print(_row(label, *(c[key] for c in columns)))
    print(_row("resets", *(c["resets"] for c in columns)))
    print(
        f"p99 over bare: UPDATE (the server) {out['p99_update_over_bare']:.2f}, "
        f"CREATE (Istio injection) {out['p99_create_over_bare']:.2f}"
    )
    return out


if __name__ == "__main__":
    main()
