"""The webhook server with several serving processes (`processes=`, `--processes`; Linux)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from initlab.admission import make_server
from initlab.admission import server as server_module
from initlab.admission.review import make_request
from initlab.api.loader import apply_defaults
from initlab.errors import InputError

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="several processes need os.fork")

ROOT = Path(__file__).resolve().parent.parent


def _review() -> dict:
    pod = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
        }
    )
    return make_request(pod, "0b0a5b3e-6f7c-4a53-9a3c-2a9f0e1c0002", namespace="default")


def _serve(srv: server_module.WebhookServer, poll: float = 0.5) -> threading.Thread:
    """`srv.serve_forever(poll)` in a daemon thread, started."""
    thread = threading.Thread(target=srv.serve_forever, args=(poll,), daemon=True)
    thread.start()
    return thread


def _start(srv: server_module.WebhookServer, processes: int = 2) -> threading.Thread:
    thread = _serve(srv)
    _wait(lambda: len(srv.worker_pids) == processes)
    return thread


def _stop(srv: server_module.WebhookServer, thread: threading.Thread) -> None:
    srv.shutdown()
    srv.server_close()
    thread.join(10)


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _gone(pid: int) -> bool:
    """Exited and reaped: no such process any more (a zombie would still answer kill 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _get(port: int, path: str, ctx: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    if ctx is None:
        conn: http.client.HTTPConnection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _mutate(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        body = json.dumps(_review())
        conn.request("POST", "/mutate", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200
        return json.loads(resp.read())
    finally:
        conn.close()


def test_two_processes_answer_and_shutdown_reaps_both():
    """Both processes serve the one port; shutdown() returns once both exited and were reaped."""
    srv = make_server(["istio"], "127.0.0.1", 0, processes=2)
    thread = _start(srv)
    pids = srv.worker_pids
    port = srv.server_address[1]
    try:
        assert len(pids) == 2 and os.getpid() not in pids
        assert _get(port, "/healthz") == (200, b"ok")
        assert _mutate(port)["response"]["patchType"] == "JSONPatch"
    finally:
        _stop(srv, thread)
    assert srv.worker_pids == []
    assert [_gone(pid) for pid in pids] == [True, True]
    assert not thread.is_alive()


def test_a_serving_process_that_dies_is_reported_and_replaced(capfd):
    """A child killed by SIGKILL: one line on stderr, a new child, the port still answered."""
    srv = make_server(["istio"], "127.0.0.1", 0, processes=2)
    thread = _start(srv)
    port = srv.server_address[1]
    try:
        victim, survivor = srv.worker_pids
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: victim not in srv.worker_pids and len(srv.worker_pids) == 2)
        assert survivor in srv.worker_pids
        assert _gone(victim)  # reaped: no zombie
        for _ in range(4):
            assert _get(port, "/healthz") == (200, b"ok")
    finally:
        _stop(srv, thread)
    err = capfd.readouterr().err
    assert f"webhook process {victim} was killed by SIGKILL; starting another\n" in err


def test_idle_connections_stall_no_process(tls_files):
    """More silent TLS connections than all processes' workers: /healthz and /mutate answer."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key, handshake_timeout=5, processes=2)
    thread = _start(srv)
    port = srv.server_address[1]
    n = 3 * server_module.WORKERS * 2
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
    try:
        ctx = ssl.create_default_context(cafile=cert)
        assert _get(port, "/healthz", ctx) == (200, b"ok")
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=3)
        conn.request("POST", "/mutate", json.dumps(_review()), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["response"]["allowed"] is True
        conn.close()
    finally:
        for s in idle:
            s.close()
        _stop(srv, thread)


def test_http_1_0_and_the_escaped_log_hold_in_a_child_process(capfd):
    """A child answers HTTP/1.0 with Connection: close and logs the request line escaped."""
    srv = make_server(["istio"], "127.0.0.1", 0, processes=2)
    thread = _start(srv)
    try:
        with socket.create_connection(srv.server_address[:2], timeout=5) as s:
            s.sendall(b"GET /\x1b[31mhealthz HTTP/1.0\r\n\r\n")
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
    finally:
        _stop(srv, thread)
    assert reply.startswith(b"HTTP/1.1 404 ") and b"\r\nConnection: close\r\n" in reply
    err = capfd.readouterr().err
    assert "\x1b" not in err and "\\u001b[31mhealthz" in err


def _serve_cli(*args: str) -> tuple[subprocess.Popen[str], int]:
    """`initlab webhook serve ... --port 0` in a subprocess; the process and its port."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "initlab",
            "webhook",
            "serve",
            "--webhook",
            "istio",
            "--port",
            "0",
            *args,
        ],  # fmt: skip
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("serving istio on http://127.0.0.1:"), line
    port = int(line.split("http://127.0.0.1:")[1].split(" ")[0])
    return proc, port


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return sorted(found)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_cli_server_stops_every_process(sig):
    """SIGTERM or SIGINT to `initlab webhook serve --processes 2`: it exits, children reaped."""
    proc, port = _serve_cli("--processes", "2")
    try:
        _wait(lambda: len(_children(proc.pid)) == 2)
        children = _children(proc.pid)
        assert _get(port, "/healthz") == (200, b"ok")
        proc.send_signal(sig)
        code = proc.wait(15)
    finally:
        proc.kill()
        proc.wait()
    assert code == (0 if sig == signal.SIGTERM else 130)
    assert [_gone(pid) for pid in children] == [True, True]


def test_the_parent_dying_stops_its_serving_processes():
    """SIGKILL to the parent (no cleanup at all): its children see their pipe close and exit."""
    proc, port = _serve_cli("--processes", "2")
    try:
        _wait(lambda: len(_children(proc.pid)) == 2)
        children = _children(proc.pid)
        proc.kill()
        proc.wait()

        def exited(pid: int) -> bool:  # reaped by init, or a zombie waiting for it to be
            try:
                return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
            except OSError:
                return True

        _wait(lambda: all(exited(pid) for pid in children))
    finally:
        proc.kill()
        proc.wait()


def test_processes_outside_1_to_64_are_an_input_error():
    """`processes=0` or 65 is refused with the option's name, before anything is bound."""
    for n in (0, 65):
        with pytest.raises(InputError, match=r"--processes.*between 1 and 64"):
            make_server(["istio"], "127.0.0.1", 0, processes=n)


def test_the_cli_refuses_processes_zero_with_exit_2():
    """`--processes 0`: one line naming the option, exit 2, no traceback."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "initlab",
            "webhook",
            "serve",
            "--webhook",
            "istio",
            "--processes",
            "0",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["--processes: must be between 1 and 64, inclusive"]


@pytest.mark.parametrize(
    ("cpus", "quota", "expected"),
    [(8, None, 4), (2, None, 2), (1, None, 1), (8, 1.5, 2), (8, 0.5, 1), (3, 16.0, 3)],
)
def test_default_processes_is_the_usable_cpus_at_most_four(monkeypatch, cpus, quota, expected):
    """The default: CPUs in the affinity mask, within the cgroup quota (rounded up), at most 4."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)))
    monkeypatch.setattr(server_module, "_cgroup_cpu_quota", lambda: quota)
    assert server_module.default_processes() == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
    ids=["v2-quota", "v2-max", "v1-quota", "v1-unlimited", "no-cgroup"],
)
def test_the_cgroup_cpu_quota_is_read_from_v2_or_v1_files(tmp_path, files, expected):
    """cgroup v2 `cpu.max` or v1 `cfs_quota_us / cfs_period_us`; none without a quota."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert server_module._cgroup_cpu_quota(str(tmp_path)) == expected


def test_several_processes_take_their_turns_in_their_one_thread():
    """By default one process has `WORKERS` worker threads; each of several has none."""
    one = make_server(["istio"], "127.0.0.1", 0)
    several = make_server(["istio"], "127.0.0.1", 0, processes=2)
    try:
        assert (one.workers, several.workers) == (server_module.WORKERS, 0)
    finally:
        one.server_close()
        several.server_close()


def test_workers_outside_0_to_max_connections_are_an_input_error():
    """A negative pool, or one larger than the connections it could serve, is refused."""
    for n in (-1, server_module.MAX_CONNECTIONS + 1):
        with pytest.raises(InputError, match=r"workers.*between 0 and 256"):
            make_server(["istio"], "127.0.0.1", 0, workers=n)


def test_with_no_worker_threads_silent_and_half_sent_connections_stall_nobody(tls_files):
    """workers=0: the reactor takes every turn, and silent clients still block no one."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key, workers=0)
    thread = _serve(srv, 0.05)
    port = srv.server_address[1]
    ctx = ssl.create_default_context(cafile=cert)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(8)]
    quiet = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1") for _ in range(8)]  # fmt: skip
    for i, s in enumerate(quiet):
        s.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\n" if i % 2 else b"")
        if i % 3 == 0:
            s.sendall(b"Content-Type: application/json\r\nContent-Length: 99\r\n\r\n{")
    try:
        assert _get(port, "/healthz", ctx) == (200, b"ok")
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=3)
        conn.request("POST", "/mutate", json.dumps(_review()), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["response"]["allowed"] is True
        conn.close()
    finally:
        for s in idle + quiet:
            s.close()
        _stop(srv, thread)


def test_with_no_worker_threads_pipelined_requests_are_answered_in_order():
    """workers=0: two requests sent at once get two answers, in order, then the close."""
    srv = make_server(["istio"], "127.0.0.1", 0, workers=0)
    thread = _serve(srv, 0.05)
    data = b""
    for uid, close in (("uid-first", ""), ("uid-second", "Connection: close\r\n")):
        review = _review()
        review["request"]["uid"] = uid
        body = json.dumps(review).encode()
        data += (
            f"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{close}\r\n"
        ).encode() + body
    try:
        with socket.create_connection(srv.server_address[:2], timeout=5) as s:
            s.sendall(data)
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
    finally:
        _stop(srv, thread)
    assert reply.count(b"HTTP/1.1 200 ") == 2
    assert reply.index(b"uid-first") < reply.index(b"uid-second")


def test_a_fork_the_system_refuses_is_reported_and_retried(monkeypatch, capfd):
    """fork() failing (EAGAIN: too many processes) is one line on stderr, then a retry."""
    import errno

    real_fork, calls = os.fork, []

    def fork() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(server_module, "RESTART_DELAY", 0.2)
    srv = make_server(["istio"], "127.0.0.1", 0, processes=2)
    thread = _start(srv)
    try:
        assert len(calls) == 3
        assert _get(srv.server_address[1], "/healthz") == (200, b"ok")
    finally:
        _stop(srv, thread)
    err = capfd.readouterr().err
    assert (
        err.count("cannot start a webhook process: Resource temporarily unavailable; retrying\n")
        == 1
    )


def test_forking_leaves_the_parents_garbage_collector_unfrozen():
    """The objects frozen for the children's copy-on-write are unfrozen in the parent."""
    import gc

    before = gc.get_freeze_count()
    srv = make_server(["istio"], "127.0.0.1", 0, processes=2)
    thread = _start(srv)
    try:
        assert gc.get_freeze_count() == before
    finally:
        _stop(srv, thread)


def test_sigterm_stops_a_one_process_cli_server_with_exit_0():
    """`--processes 1`: SIGTERM ends the server as cleanly as Ctrl-C, exit 0, no traceback."""
    proc, port = _serve_cli("--processes", "1")
    try:
        assert _children(proc.pid) == []
        assert _get(port, "/healthz") == (200, b"ok")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
        assert proc.stderr is not None
        rest = proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    assert code == 0
    assert "Traceback" not in rest


def test_with_no_worker_threads_a_parked_connection_is_watched_before_the_reactor_waits(
    monkeypatch, tls_files
):
    """workers=0: a turn that parks a connection (mid-handshake) registers it before the
    next wait, so its next bytes wake the reactor (not the 50 ms deadline scan)."""
    import selectors

    unwatched: list[int] = []
    srv = make_server(["istio"], "127.0.0.1", 0, *tls_files, workers=0)

    class Recording(selectors.DefaultSelector):
        def select(self, timeout=None):
            unwatched.append(len(srv._returning))
            return super().select(timeout)

    monkeypatch.setattr(selectors, "DefaultSelector", Recording)
    thread = _serve(srv, 0.05)
    try:
        ctx = ssl.create_default_context(cafile=tls_files[0])
        for _ in range(3):
            assert _get(srv.server_address[1], "/healthz", ctx) == (200, b"ok")
    finally:
        _stop(srv, thread)
    assert len(unwatched) > 3 and set(unwatched) == {0}


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="Linux's TCP_QUICKACK")
def test_the_end_of_each_tls_handshake_is_acknowledged_at_once(monkeypatch, tls_files):
    """After each handshake the server sets TCP_QUICKACK: the ACK of the client's Finished
    leaves now, so a client with Nagle on does not hold its request back for it."""
    calls: list[tuple[int, int, int]] = []
    real = ssl.SSLSocket.setsockopt

    def record(self, level, option, value):  # the server's sockets are SSLSockets here
        calls.append((level, option, value))
        return real(self, level, option, value)

    monkeypatch.setattr(ssl.SSLSocket, "setsockopt", record)
    srv = make_server(["istio"], "127.0.0.1", 0, *tls_files, workers=0)
    thread = _serve(srv, 0.05)
    try:
        ctx = ssl.create_default_context(cafile=tls_files[0])
        for _ in range(3):
            assert _get(srv.server_address[1], "/healthz", ctx) == (200, b"ok")
    finally:
        _stop(srv, thread)
    assert calls.count((socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)) == 3
