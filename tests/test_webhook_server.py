"""The AdmissionReview v1 webhook server (`initlab.admission.server`), over real sockets."""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import jsonpatch
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initlab.admission import make_server
from initlab.admission.review import make_request
from initlab.api.loader import apply_defaults
from initlab.errors import InputError

MAX_BODY = 64 * 1024


def _pod(**labels: str) -> dict:
    return apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "labels": dict(labels)},
            "spec": {
                "initContainers": [{"name": "migrate", "image": "example/migrate:1.0"}],
                "containers": [{"name": "app", "image": "nginx:1.27"}],
            },
        }
    )


def _review(pod: dict, uid: str = "0b0a5b3e-6f7c-4a53-9a3c-2a9f0e1c0001") -> dict:
    return make_request(pod, uid, namespace="default")


def _start(server):
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return thread


@pytest.fixture
def server():
    """A server for istio + the kyverno-style webhooks on 127.0.0.1, an ephemeral port."""
    srv = make_server(
        ["istio", "kyverno-add-init", "kyverno-require-resources"],
        "127.0.0.1",
        0,
        max_body=MAX_BODY,
    )
    thread = _start(srv)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def _post(server, path: str, body: bytes, content_type: str = "application/json", headers=None):
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        hdrs = {"Content-Type": content_type, **(headers or {})}
        conn.request("POST", path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, data
    finally:
        conn.close()


def _post_json(server, path: str, doc: dict):
    status, data = _post(server, path, json.dumps(doc).encode())
    return status, json.loads(data)


def test_mutate_echoes_uid_and_returns_a_base64_json_patch(server):
    """/mutate answers 200 with response.uid = request.uid and a JSONPatch that applies."""
    pod = _pod(**{"app.kubernetes.io/component": "database-client"})
    review = _review(pod)
    status, out = _post_json(server, "/mutate", review)
    assert status == 200
    assert (out["apiVersion"], out["kind"]) == ("admission.k8s.io/v1", "AdmissionReview")
    resp = out["response"]
    assert resp["uid"] == review["request"]["uid"]
    assert resp["allowed"] is True and resp["patchType"] == "JSONPatch"
    ops = json.loads(base64.b64decode(resp["patch"]))
    admitted = jsonpatch.apply_patch(pod, ops)
    names = [c["name"] for c in admitted["spec"]["initContainers"]]
    assert names == ["migrate", "istio-init", "wait-for-db"]  # classic Istio: istio-init last


def test_per_webhook_path_runs_only_that_webhook(server):
    """/mutate/kyverno-add-init runs the Kyverno-style policy alone."""
    pod = _pod(**{"app.kubernetes.io/component": "database-client"})
    status, out = _post_json(server, "/mutate/kyverno-add-init", _review(pod))
    ops = json.loads(base64.b64decode(out["response"]["patch"]))
    assert status == 200
    assert [c["name"] for c in jsonpatch.apply_patch(pod, ops)["spec"]["initContainers"]] == [
        "migrate",
        "wait-for-db",
    ]


def test_validate_denies_with_status_and_no_patch(server):
    """/validate answers allowed false with a status message and never a patch."""
    status, out = _post_json(server, "/validate", _review(_pod()))
    resp = out["response"]
    assert status == 200
    assert resp["allowed"] is False
    assert "patch" not in resp and "patchType" not in resp
    assert resp["status"]["status"] == "Failure"
    assert "rule init-containers-have-resources failed at path" in resp["status"]["message"]


def test_already_injected_pod_gets_no_patch(server):
    """Idempotent over HTTP too: the second answer has no patch."""
    pod = _pod()
    _, first = _post_json(server, "/mutate/istio", _review(pod))
    injected = jsonpatch.apply_patch(pod, json.loads(base64.b64decode(first["response"]["patch"])))
    _, second = _post_json(server, "/mutate/istio", _review(injected))
    assert second["response"] == {"uid": second["response"]["uid"], "allowed": True}


BAD_BODIES = [
    ("not json", b"{nope", "application/json"),
    ("not utf-8", b'{"a": "\xff\xfe"}', "application/json"),
    ("a list", b"[]", "application/json"),
    ("wrong apiVersion", json.dumps({"apiVersion": "admission.k8s.io/v1beta2", "kind": "AdmissionReview", "request": {"uid": "u"}}).encode(), "application/json"),
    ("wrong kind", json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "Pod", "request": {"uid": "u"}}).encode(), "application/json"),
    ("missing request", json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}).encode(), "application/json"),
    ("missing uid", json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}).encode(), "application/json"),
    ("object not a map", json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "object": 3}}).encode(), "application/json"),
    ("deep nesting", b"[" * 5000 + b"]" * 5000, "application/json"),
    ("deep but parseable", b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "object": {"x": ' + b"[" * 150 + b"]" * 150 + b"}}}", "application/json"),
    ("duplicate keys", b'{"apiVersion": "admission.k8s.io/v1", "apiVersion": "x"}', "application/json"),
    ("wrong content type", json.dumps(_review(_pod())).encode(), "text/plain"),
    ("empty body", b"", "application/json"),
]  # fmt: skip


def test_bad_bodies_get_400_with_a_json_error_and_the_server_keeps_serving(server):
    """Each malformed request is refused with 400 and {"error": ...}; a good one then works."""
    for label, body, ctype in BAD_BODIES:
        status, data = _post(server, "/mutate", body, ctype)
        assert status == 400, label
        error = json.loads(data)["error"]
        assert isinstance(error, str) and error, label
    status, out = _post_json(server, "/mutate", _review(_pod()))
    assert status == 200 and out["response"]["allowed"] is True


def test_oversize_body_is_refused_with_413(server):
    """A body over max_body is refused with 413 before it is read; the server survives."""
    big = b"{" + b" " * (MAX_BODY + 10) + b"}"
    status, data = _post(server, "/mutate", big)
    assert status == 413
    assert "too large" in json.loads(data)["error"]
    assert _post_json(server, "/mutate", _review(_pod()))[0] == 200


def test_healthz_and_unknown_paths(server):
    """/healthz says ok; an unknown path or webhook is 404."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/healthz")
    resp = conn.getresponse()
    assert (resp.status, resp.read()) == (200, b"ok")
    conn.close()
    assert _post(server, "/nope", b"{}")[0] == 404
    assert _post(server, "/mutate/vault", b"{}")[0] == 404
    assert _post(server, "/validate/istio", b"{}")[0] == 404


def test_binds_loopback_by_default():
    """Without a host, the server listens on 127.0.0.1 only."""
    srv = make_server(["istio"], port=0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
    finally:
        srv.server_close()


def test_unknown_webhook_and_half_tls_are_input_errors():
    """Bad arguments are InputErrors, not tracebacks."""
    with pytest.raises(InputError):
        make_server(["envoy"], port=0)
    with pytest.raises(InputError):
        make_server(["istio"], port=0, tls_cert="cert.pem")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_server_speaks_https(tmp_path: Path):
    """With a certificate and key the server speaks HTTPS, as the API server requires."""
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    srv = make_server(["istio"], "127.0.0.1", 0, str(cert), str(key))
    thread = _start(srv)
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPSConnection("127.0.0.1", srv.server_address[1], context=ctx)
        review = _review(_pod())
        conn.request("POST", "/mutate", json.dumps(review), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        out = json.loads(resp.read())
        conn.close()
        assert resp.status == 200
        assert out["response"]["uid"] == review["request"]["uid"]
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_a_port_in_use_is_a_clear_input_error():
    """Binding a busy port says so in one line (exit 2 from the CLI), not an internal error."""
    busy = make_server(["istio"], "127.0.0.1", 0)
    try:
        port = busy.server_address[1]
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}"):
            make_server(["istio"], "127.0.0.1", port)
    finally:
        busy.server_close()


# -- availability: one idle socket stalls nobody ---------------------------------------------


def test_an_idle_connection_does_not_block_other_clients_or_the_probe(tls_files):
    """A TCP connection that never sends a ClientHello leaves /healthz and /mutate answering."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key, handshake_timeout=3)
    thread = _start(srv)
    port = srv.server_address[1]
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
    try:
        ctx = ssl.create_default_context(cafile=cert)
        for path in ("/healthz", "/mutate"):
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=2)
            if path == "/healthz":
                conn.request("GET", path)
            else:
                body = json.dumps(_review(_pod()))
                conn.request("POST", path, body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            assert resp.status == 200, path
            resp.read()
            conn.close()
        # The server gives up on the silent clients by itself: it closes them (EOF).
        idle[0].settimeout(10)
        assert idle[0].recv(1) == b""
    finally:
        for s in idle:
            s.close()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def _tls_post(port: int, ctx: ssl.SSLContext, review: dict, conn=None, timeout: float = 10):
    """POST a review over TLS (on `conn` if given, kept open); (status, parsed body, conn)."""
    conn = conn or http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout)
    conn.request("POST", "/mutate", json.dumps(review), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read()), conn


def _injected_names(out: dict) -> list[str]:
    """The init containers after applying the response's patch to the bench pod."""
    patch = json.loads(base64.b64decode(out["response"]["patch"]))
    pod = jsonpatch.apply_patch(_pod(), patch)
    return [c["name"] for c in pod["spec"]["initContainers"]]


def test_more_idle_connections_than_workers_stall_nobody(tls_files):
    """Three times as many silent connections as worker threads: /mutate is still answered."""
    from initlab.admission.server import WORKERS

    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key, handshake_timeout=5)
    thread = _start(srv)
    port = srv.server_address[1]
    ctx = ssl.create_default_context(cafile=cert)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3 * WORKERS)]
    # Also idle after the handshake, and halfway through a request's headers and body.
    quiet = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1") for _ in range(3 * WORKERS)]  # fmt: skip
    for i, s in enumerate(quiet):
        s.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\n" if i % 2 else b"")
        if i % 3 == 0:
            s.sendall(b"Content-Type: application/json\r\nContent-Length: 99\r\n\r\n{")
    try:
        status, out, conn = _tls_post(port, ctx, _review(_pod()), timeout=3)
        conn.close()
        assert status == 200 and _injected_names(out) == ["migrate", "istio-init"]
    finally:
        for s in idle + quiet:
            s.close()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_no_tls_session_tickets_are_sent(tls_files):
    """The API server never resumes a TLS session, so the server makes no TLS 1.3 tickets."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key)
    thread = _start(srv)
    try:
        ctx = ssl.create_default_context(cafile=cert)
        status, _, conn = _tls_post(srv.server_address[1], ctx, _review(_pod()))
        sock = conn.sock
        assert status == 200 and sock is not None and sock.version() == "TLSv1.3"
        assert sock.session is not None and not sock.session.has_ticket
        conn.close()
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_fifty_concurrent_tls_clients_all_get_their_own_answer(tls_files):
    """50 clients at once, a new TLS connection per request: every uid echoed, none reset."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key)
    thread = _start(srv)
    port = srv.server_address[1]
    ctx = ssl.create_default_context(cafile=cert)
    answers: dict[str, tuple[int, str, list[str]]] = {}
    failures: list[str] = []
    start = threading.Barrier(50)

    def client(i: int) -> None:
        start.wait()
        for j in range(3):
            uid = f"00000000-0000-4000-8000-{i:06d}{j:06d}"
            try:
                status, out, conn = _tls_post(port, ctx, _review(_pod(), uid), timeout=30)
                conn.close()
                answers[uid] = (status, out["response"]["uid"], _injected_names(out))
            except (OSError, http.client.HTTPException) as e:
                failures.append(f"{uid}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)
    assert failures == []
    assert len(answers) == 150
    assert all(a == (200, uid, ["migrate", "istio-init"]) for uid, a in answers.items())


def test_a_kept_alive_connection_serves_request_after_request(tls_files):
    """HTTP/1.1 keep-alive: five reviews on one TLS connection, each answered with its uid."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key)
    thread = _start(srv)
    ctx = ssl.create_default_context(cafile=cert)
    conn = None
    try:
        for i in range(5):
            uid = f"11111111-0000-4000-8000-00000000000{i}"
            status, out, conn = _tls_post(srv.server_address[1], ctx, _review(_pod(), uid), conn)
            assert (status, out["response"]["uid"]) == (200, uid)
        assert conn is not None and conn.sock is not None  # never reconnected
    finally:
        if conn is not None:
            conn.close()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_pipelined_requests_are_answered_in_order(server):
    """Two requests sent back to back before reading: two answers, in order, then close."""
    first, second = _review(_pod(), "uid-first"), _review(_pod(), "uid-second")
    data = b""
    for doc, close in ((first, False), (second, True)):
        body = json.dumps(doc).encode()
        data += (
            f"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n"
        ).encode() + body
    reply = _raw(server, data)
    assert reply.count(b"HTTP/1.1 200 ") == 2
    assert reply.index(b"uid-first") < reply.index(b"uid-second")


def test_an_idle_kept_alive_connection_is_closed_after_the_read_timeout():
    """A connection kept open with no next request is closed by the server (EOF)."""
    srv = make_server(["istio"], "127.0.0.1", 0, read_timeout=0.3)
    thread = _start(srv)
    try:
        with socket.create_connection(srv.server_address[:2], timeout=5) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = b""
            while not reply.endswith(b"ok"):
                reply += s.recv(4096)
            assert reply.startswith(b"HTTP/1.1 200 ")
            assert s.recv(1) == b""  # closed by the server, not by our 5 s timeout
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_expect_100_continue_gets_an_interim_response_before_the_body(server):
    """A client that waits for "100 Continue" gets it, then the answer once it sends the body."""
    body = json.dumps(_review(_pod())).encode()
    head = (
        f"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Expect: 100-continue\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(server.server_address[:2], timeout=5) as s:
        s.sendall(head)
        assert s.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.count(b"100 Continue") == 0


def test_past_max_connections_a_new_connection_is_closed_until_one_ends():
    """At the connection limit a newcomer is closed unanswered; once one closes, it is served."""
    srv = make_server(["istio"], "127.0.0.1", 0)
    srv.max_connections = 3
    thread = _start(srv)
    probe = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"

    def healthz(s: socket.socket) -> bytes:
        """The reply to one probe, b"" if the server closed (or reset) the connection."""
        reply = b""
        try:
            s.sendall(probe)
            while not reply.endswith(b"ok"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except ConnectionError:
            return b""
        return reply

    kept = [socket.create_connection(srv.server_address[:2], timeout=5) for _ in range(3)]
    try:
        assert all(healthz(s).startswith(b"HTTP/1.1 200 ") for s in kept)  # all three held open
        with socket.create_connection(srv.server_address[:2], timeout=5) as extra:
            assert healthz(extra) == b""
        kept.pop().close()
        for _ in range(50):  # the server notices the close within a turn of its reactor
            with socket.create_connection(srv.server_address[:2], timeout=5) as again:
                if healthz(again).startswith(b"HTTP/1.1 200 "):
                    break
        else:
            pytest.fail("no connection served after one of the three closed")
    finally:
        for s in kept:
            s.close()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz HTTP/0.9\r\n\r\n",
        b"GET /healthz HTTP/2.0\r\n\r\n",
        b"POST /mutate\r\n\r\n",
        b"\x00\x01\x02\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n",
    ],
    ids=["http-0.9", "http-2.0", "no-version-post", "binary", "long-line", "101-headers"],
)
def test_a_broken_request_line_is_answered_with_a_status_line(server, request_bytes):
    """No reply is a bare HTTP/0.9 body: each starts with an HTTP/1.1 status line, 4xx or 5xx."""
    reply = _raw(server, request_bytes)
    assert reply[:9] == b"HTTP/1.1 " and reply[9:10] in (b"4", b"5"), reply[:80]


_fragments = st.sampled_from(
    [b"GET", b"POST", b"\xff", b" ", b"/mutate", b"/healthz", b"*", b"HTTP/1.1", b"HTTP/1.0",
     b"junk", b"\r\n", b"\n", b"Content-Length: 2\r\n", b"Content-Length: -1\r\n",
     b"Content-Length: 300\r\n", b"Content-Type: application/json\r\n", b"Expect: 100-continue\r\n",
     b"Transfer-Encoding: gzip\r\n", b"Connection: keep-alive\r\n", b"X: \x85\x1b\r\n", b":\r\n",
     b"{}", b"\x00" * 8, b'{"apiVersion": "admission.k8s.io/v1"}']
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_fragments, max_size=14))
def test_any_raw_request_gets_a_status_line_or_a_close_and_the_server_keeps_serving(parts):
    """Whatever bytes arrive: a reply with a status line or none at all, no traceback, and then
    /healthz still answers."""
    srv = make_server(["istio"], "127.0.0.1", 0, read_timeout=0.2)
    thread = _start(srv)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            try:
                reply = _raw(srv, b"".join(parts))
            except ConnectionResetError:
                reply = b""
            assert reply == b"" or reply.startswith(b"HTTP/1.1 "), reply[:80]
            assert _raw(srv, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n").endswith(b"ok")
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)
    assert "Traceback" not in err.getvalue() and "error while serving" not in err.getvalue()


def test_the_listen_backlog_is_fit_for_a_server():
    """The backlog is the system's maximum, not socketserver's 5."""
    srv = make_server(["istio"], port=0)
    try:
        assert srv.request_queue_size == socket.SOMAXCONN >= 128
    finally:
        srv.server_close()


# -- every request answered properly --------------------------------------------------------


def _raw(server, data: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes, return everything the server sends back before closing."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "length",
    ["-1", "1e3", "0x10", " 12 3", "\u0661\u0662", "²", "9" * 5000, "99999999999999999999"],
    ids=[
        "negative",
        "float",
        "hex",
        "spaces",
        "arabic-digits",
        "superscript",
        "5000-digits",
        "over-int64",
    ],
)
def test_a_bad_content_length_gets_400_and_no_traceback(server, capfd, length):
    """A Content-Length that is not a plain number gets 400 and one log line, no traceback."""
    head = f"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    reply = _raw(server, head.encode("utf-8") + b"{}")
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"bad Content-Length" in reply
    assert "Traceback" not in capfd.readouterr().err


def _http10(body: bytes, extra: str = "") -> bytes:
    return (
        f"POST /mutate HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_an_http_1_0_request_is_answered_with_connection_close_and_then_closed(server):
    """HTTP/1.0 (as ab sends): the whole answer, `Connection: close`, then the server closes."""
    body = json.dumps(_review(_pod())).encode()
    reply = _raw(server, _http10(body), timeout=5)  # returns only once the server closes
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nConnection: close" in head
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert len(payload) == length and json.loads(payload)["response"]["allowed"] is True


def test_an_http_1_0_keep_alive_request_is_answered_with_keep_alive_and_the_connection_reused(
    server,
):
    """HTTP/1.0 with `Connection: keep-alive`: the answer says keep-alive; a second one follows."""
    body = json.dumps(_review(_pod())).encode()
    with socket.create_connection(server.server_address[:2], timeout=5) as s:
        for _ in range(2):
            s.sendall(_http10(body, "Connection: keep-alive\r\n"))
            reply = b""
            while b"\r\n\r\n" not in reply:
                reply += s.recv(65536)
            head, _, payload = reply.partition(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            while len(payload) < length:
                payload += s.recv(65536)
            assert b"\r\nConnection: keep-alive" in head and head.startswith(b"HTTP/1.1 200 ")


def test_a_request_with_untrusted_framing_is_answered_with_connection_close(server):
    """Two different Content-Lengths: the 400 says `Connection: close`, and the server closes."""
    head = b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    reply = _raw(server, head)
    assert reply.startswith(b"HTTP/1.1 400 ") and b"\r\nConnection: close\r\n" in reply


def test_a_tls_connection_the_server_closes_ends_with_close_notify(tls_files):
    """Over TLS the server ends with TLS's close_notify: a strict client reads a clean end,
    not "unexpected eof" (what made ab count every HTTP/1.0 answer as a failure)."""
    cert, key = tls_files
    srv = make_server(["istio"], "127.0.0.1", 0, cert, key)
    thread = _start(srv)
    try:
        ctx = ssl.create_default_context(cafile=cert)
        raw = socket.create_connection(srv.server_address[:2], timeout=5)
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1", suppress_ragged_eofs=False) as s:
            s.sendall(_http10(json.dumps(_review(_pod())).encode()))
            reply = b""
            while chunk := s.recv(65536):  # SSLEOFError here if the TCP end came alone
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200 ") and b"\r\nConnection: close\r\n" in reply
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_two_different_content_lengths_get_400(server):
    """Conflicting Content-Length headers are refused (request smuggling)."""
    head = b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    assert _raw(server, head).startswith(b"HTTP/1.1 400 ")


def test_a_body_shorter_than_its_content_length_gets_400_after_the_read_timeout():
    """A client that announces 100 bytes and sends 2 is answered 400 once the read times out."""
    srv = make_server(["istio"], "127.0.0.1", 0, read_timeout=0.5)
    thread = _start(srv)
    try:
        head = b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}"
        reply = _raw(srv, head)
        assert reply.startswith(b"HTTP/1.1 400 ") and b"body shorter than" in reply
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_the_request_log_escapes_control_characters(server, capfd):
    """An escape sequence in the request line is logged escaped, on one line."""
    _raw(server, b"GET /\x1b[31mred\x85 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    err = capfd.readouterr().err
    assert "\x1b" not in err and "\x85" not in err
    assert "\\u001b[31mred\\u0085" in err


@pytest.mark.parametrize("operation", ["DELETE", "UPDATE", "CONNECT"])
def test_operations_an_injector_ignores_are_allowed_without_a_patch(server, operation):
    """Injectors act on CREATE only: DELETE (no object), UPDATE and CONNECT pass unpatched."""
    review = _review(_pod())
    review["request"]["operation"] = operation
    if operation == "DELETE":
        review["request"]["oldObject"], review["request"]["object"] = (
            review["request"]["object"],
            None,
        )
    status, out = _post_json(server, "/mutate", review)
    assert status == 200
    assert out["response"] == {"uid": review["request"]["uid"], "allowed": True}


def test_validating_webhooks_allow_a_delete(server):
    """A DELETE carries no new object: the validating webhooks allow it."""
    review = _review(_pod())
    review["request"].update(operation="DELETE", oldObject=review["request"]["object"], object=None)
    status, out = _post_json(server, "/validate", review)
    assert (status, out["response"]["allowed"]) == (200, True)


def test_an_unknown_operation_gets_400(server):
    """An operation the API server never sends is a bad request."""
    review = _review(_pod())
    review["request"]["operation"] = "PATCH"
    status, out = _post_json(server, "/mutate", review)
    assert status == 400 and "request.operation" in out["error"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
POD_PATHS = [
    ("metadata", "labels"),
    ("metadata", "annotations"),
    ("metadata", "name"),
    ("spec", "initContainers"),
    ("spec", "containers"),
    ("spec", "volumes"),
    ("spec", "containers", 0, "resources"),
    ("spec", "containers", 0, "image"),
    ("spec", "initContainers", 0, "restartPolicy"),
]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(POD_PATHS), json_values, st.sampled_from(["/mutate", "/validate"]))
def test_malformed_objects_get_400_or_a_denial_never_500(server, path, value, route):
    """Whatever a field of the pod holds, the answer is 200 (allowed or denied) or 400."""
    pod = _pod(**{"sidecar.istio.io/inject": "true"})
    node = pod
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    status, data = _post(server, route, json.dumps(_review(pod)).encode())
    assert status in (200, 400), data
    out = json.loads(data)
    assert ("response" in out) if status == 200 else ("error" in out)
