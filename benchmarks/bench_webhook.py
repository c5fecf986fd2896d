"""The TLS webhook server under 50 concurrent clients, against a bare http.server in the same run.

Both servers run in this process on 127.0.0.1 (ephemeral ports) with the same
throwaway ECDSA P-256 certificate (the API server only calls webhooks over TLS):

- **webhook**: `initlab webhook serve`'s server answering `/mutate` (Istio
  injection: decode, admit, JSONPatch, encode), with as many serving
  processes as the command starts by default on this machine
  (`default_processes()`, forked from this one), each one thread doing its
  own turns, sharing the listening socket (backlog `SOMAXCONN`); and, in the
  "1 proc" column, the same server as one process (this one: a reactor
  thread and a pool of `WORKERS` threads), what `processes` adds;
- **bare**: the stdlib's `ThreadingHTTPServer` with its listening socket
  wrapped in TLS, as the `ssl` docs show, answering `{}` after reading the
  body: the baseline any Python server starts from (handshake in the accept
  loop, a thread per connection, backlog 5).

A separate process (its own interpreter, so client and server do not share
a GIL) runs `CLIENTS` threads; each sends `PER_CLIENT` requests back to back,
opening a new TLS connection per request (the harshest case: a handshake
every time), or, in the "per client" columns, reusing one connection opened
before the clock starts, as the API server's HTTP client keeps its own.
The client is a prepared request over a raw TLS socket (not `http.client`), so
that it takes as little as it can of the two cores it shares with the server.

Reported per column: requests/s, p50 and p99 latency (connect + handshake +
request + response), resets (connections refused, reset or dropped), the
CPU time (user + system, all threads) the server's processes (this one and
its serving processes, read from `/proc`) and the client's process spent per
request, the number of serving processes, and the 1-minute load average
when it started:
on a shared machine the latency moves with the load; the CPU per request
much less. Each server first answers a few requests, unmeasured (warm-up).
With 50 requests always in flight, the mean latency is 50 / the rate
(Little's law), so p99 follows the CPU each request costs both sides.
The ratios (webhook / bare) say what admission costs, whatever the machine.
Traffic never leaves loopback and the run stops by itself.

Run: `python -m benchmarks webhook`.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import re
import resource
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from initlab.admission import make_server
from initlab.admission.server import WebhookServer, default_processes

CLIENTS = 50
PER_CLIENT = 20
#: Serving processes, as `initlab webhook serve` starts by default on this machine.
PROCESSES = default_processes()

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


def _exchange(sock: socket.socket, request: bytes) -> int:
    """Send one request, read its whole response (Content-Length framed); the status code."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed before the response headers")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    match = _LENGTH.search(head)
    length = int(match.group(1)) if match else 0
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed before the end of the response body")
        body += chunk
    return int(head[9:12])


_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)


def _warm_up(port: int, path: str, body: bytes, cafile: str, n: int = 5) -> None:
    """A few requests before the clock starts, one at a time, so that the first column does
    not also measure the server's first-use work (lazy imports, caches)."""
    ctx = ssl.create_default_context(cafile=cafile)
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body

    def one_by_one() -> None:
        for _ in range(n):
            raw = socket.create_connection(("127.0.0.1", port), timeout=30)
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                _exchange(sock, request)

    # As many at once as there are serving processes, so that each likely gets some.
    threads = [threading.Thread(target=one_by_one) for _ in range(PROCESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _client_load(
    port: int, path: str, body: bytes, cafile: str, out: Any, keep_alive: bool = False
) -> None:
    """In a child process: CLIENTS threads, PER_CLIENT requests each, a new connection each
    (or, with `keep_alive`, one connection per client, as the API server reuses its own).

    The client is lean (a prepared request over a raw TLS socket, not `http.client`) so
    that it takes as little as it can of the CPU it shares with the server.
    """
    ctx = ssl.create_default_context(cafile=cafile)
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        + ("" if keep_alive else "Connection: close\r\n")
        + "\r\n"
    ).encode() + body
    latencies: list[float] = []
    resets: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def connect() -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        return ctx.wrap_socket(raw, server_hostname="127.0.0.1")

    def client() -> None:
        sock: ssl.SSLSocket | None = None
        if keep_alive:  # connected before the clock starts: the steady state of reuse
            try:
                sock = connect()
            except OSError as e:
                with lock:
                    resets.append(type(e).__name__)
        start.wait()
        for _ in range(PER_CLIENT):
            t0 = time.perf_counter()
            try:
                if sock is None:
                    sock = connect()
                status = _exchange(sock, request)
                problem = "" if status == 200 else f"HTTP {status}"
            except OSError as e:
                problem = type(e).__name__
                status = 0
            if sock is not None and (problem or not keep_alive):
                sock.close()
                sock = None
            with lock:
                if problem:
                    resets.append(problem)
                else:
                    latencies.append(time.perf_counter() - t0)
        if sock is not None:
            sock.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    out.put(
        {
            "elapsed": elapsed,
            "latencies": latencies,
            "resets": resets,
            "client_cpu": cpu.ru_utime + cpu.ru_stime,
        }
    )


def _measure(
    port: int,
    path: str,
    body: bytes,
    cafile: str,
    keep_alive: bool = False,
    server: WebhookServer | None = None,
) -> dict[str, Any]:
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    proc = mp.Process(target=_client_load, args=(port, path, body, cafile, queue, keep_alive))
    load = os.getloadavg()[0]
    before = _cpu(server)
    proc.start()
    result = queue.get(timeout=600)
    server_cpu = _cpu(server) - before  # this process only serves while the child loads it
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
        "server_cpu_ms": server_cpu / max(1, len(lat) + len(result["resets"])) * 1000,
        "client_cpu_ms": result["client_cpu"] / max(1, len(lat) + len(result["resets"])) * 1000,
        "processes": server.processes if server is not None else 1,
        "load_before": load,
    }


def _cpu(server: WebhookServer | None = None) -> float:
    """CPU seconds (user + system) this process has used, all its threads, and the server's
    serving processes if it has several (from `/proc/PID/stat`: they run until shutdown,
    so `RUSAGE_CHILDREN` would not count them yet)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    for pid in server.worker_pids if server is not None else []:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _serve(server: ThreadingHTTPServer) -> int:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main() -> dict[str, Any]:
    """Measure the webhook (three workloads) and the bare server, print a table, return figures."""
    if shutil.which("openssl") is None:
        raise RuntimeError("bench_webhook needs the openssl command for a test certificate")
    create = json.dumps(REVIEW).encode()
    # The same review as an UPDATE, which the injector allows untouched: the server's own cost.
    update = json.dumps({**REVIEW, "request": {**REVIEW["request"], "operation": "UPDATE"}})
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = _certificate(Path(tmp))
        webhook = make_server(["istio"], "127.0.0.1", 0, cert, key, processes=PROCESSES)
        # The same server as one process (with its pool of worker threads), in this one.
        single = make_server(["istio"], "127.0.0.1", 0, cert, key, processes=1)
        bare = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
        bare.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        bare.socket = ctx.wrap_socket(bare.socket, server_side=True)
        try:
            with contextlib.redirect_stderr(io.StringIO()):  # the servers' access logs
                # The serving processes are forked first, while no other thread here is inside
                # OpenSSL (a fork copies the locks other threads hold, held, into the child).
                port = _serve(webhook)
                while len(webhook.worker_pids) < PROCESSES:
                    time.sleep(0.01)
                bare_port, single_port = _serve(bare), _serve(single)
                for body in (update.encode(), create):  # lazy imports, first-use caches
                    _warm_up(port, "/mutate", body, cert)
                    _warm_up(single_port, "/mutate", body, cert)
                _warm_up(bare_port, "/", create, cert)
                columns = {
                    "webhook_update": _measure(
                        port, "/mutate", update.encode(), cert, server=webhook
                    ),
                    "webhook_create_istio": _measure(port, "/mutate", create, cert, server=webhook),
                    "webhook_create_istio_keep_alive": _measure(
                        port, "/mutate", create, cert, keep_alive=True, server=webhook
                    ),
                    "webhook_create_istio_one_process": _measure(
                        single_port, "/mutate", create, cert, server=single
                    ),
                    "bare": _measure(bare_port, "/", create, cert),
                    "bare_keep_alive": _measure(bare_port, "/", create, cert, keep_alive=True),
                }
        finally:
            for server in (webhook, single, bare):
                server.shutdown()
                server.server_close()

    def rounded(d: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in d.items()}

    served, injected, b = (
        columns["webhook_update"],
        columns["webhook_create_istio"],
        columns["bare"],
    )
    reused, b_reused = columns["webhook_create_istio_keep_alive"], columns["bare_keep_alive"]
    out: dict[str, Any] = {
        "clients": CLIENTS,
        "requests": CLIENTS * PER_CLIENT,
        **{name: rounded(c) for name, c in columns.items()},
        "p99_update_over_bare": round(served["p99_ms"] / b["p99_ms"], 2),
        "p99_create_over_bare": round(injected["p99_ms"] / b["p99_ms"], 2),
        "p99_keep_alive_over_bare": round(reused["p99_ms"] / b_reused["p99_ms"], 2),
        "p99_create_over_one_process": round(
            injected["p99_ms"] / columns["webhook_create_istio_one_process"]["p99_ms"], 2
        ),
    }
    print(f"{CLIENTS} concurrent TLS clients, {CLIENTS * PER_CLIENT} requests each column")
    heads = ("UPDATE", "CREATE (Istio)", "CREATE (Istio)", "CREATE, 1 proc", "bare server", "bare server")  # fmt: skip
    conns = ("per request", "per request", "per client", "per request", "per request", "per client")  # fmt: skip
    print(f"{'':<18}" + "".join(f"{h:>15}" for h in heads))
    print(f"{'connection':<18}" + "".join(f"{h:>15}" for h in conns))
    for key, label in (
        ("rps", "requests/s"),
        ("p50_ms", "p50 ms"),
        ("p99_ms", "p99 ms"),
        ("resets", "resets"),
        ("server_cpu_ms", "server CPU ms/req"),
        ("client_cpu_ms", "client CPU ms/req"),
        ("processes", "server processes"),
        ("load_before", "load average"),
    ):
        print(f"{label:<18}" + "".join(_cell(c[key]) for c in columns.values()))
    print(
        f"p99 over bare: UPDATE (the server) {out['p99_update_over_bare']:.2f}, "
        f"CREATE (Istio injection) {out['p99_create_over_bare']:.2f}, "
        f"CREATE with keep-alive {out['p99_keep_alive_over_bare']:.2f}; "
        f"CREATE over one process: {out['p99_create_over_one_process']:.2f}"
    )
    return out


def _cell(value: float | int) -> str:
    return f"{value:>15.1f}" if isinstance(value, float) else f"{value:>15}"


if __name__ == "__main__":
    main()
