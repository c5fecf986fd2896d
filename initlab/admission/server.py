"""A real admission webhook server: AdmissionReview v1 over HTTP(S), stdlib only.

Routes:

- `POST /mutate` — every configured mutating webhook, in order, each on the
  object the previous one produced; one combined JSONPatch comes back (the
  patches concatenated, which is valid because JSON Patch applies in order);
- `POST /mutate/<name>`, `POST /validate/<name>` — one webhook;
- `POST /validate` — every configured validating webhook; the first denial wins;
- `GET /healthz` (also `/readyz`, `/livez`) — `ok`.

The API server posts `Content-Type: application/json` and expects HTTP 200
with an AdmissionReview whose `response.uid` echoes `request.uid`. It listens
on 127.0.0.1 unless told otherwise; a real cluster needs TLS
(`tls_cert`/`tls_key`), see deploy/webhook/README.md.

Every request gets a proper answer:

- a body that is not an AdmissionReview the API server could have sent gets
  HTTP 400 and `{"error": "..."}` — not JSON, not UTF-8, a missing
  `request.uid` or `operation`, or an object the API server could not have
  decoded into a Pod (a wrongly typed field: it refuses those before
  admission, `pkg/apis/core/v1` decoding);
- a missing `Content-Length` gets 411; one that is not a plain decimal
  number of at most 18 digits, or two that differ, gets 400 (Go's net/http:
  `strconv.ParseUint(cl, 10, 63)` → "bad Content-Length"); one over
  `max_body` (3 MiB, the API server's own limit) gets 413 without the body
  being read; a body shorter than announced gets 400 once the read times out;
- operations other than `CREATE` are allowed with no patch by the mutating
  webhooks: the injectors register for `CREATE` only (Istio's and Linkerd's
  `MutatingWebhookConfiguration` rules say `operations: ["CREATE"]`), as a
  pod's init containers cannot change after creation; the validating webhooks
  check the object of a `CREATE` or `UPDATE`, and allow `DELETE` and
  `CONNECT`, which carry no new object;
- a webhook that fails on an object (an `InitlabError`) denies it in the
  AdmissionReview, with code 400 and the one-line reason.

Availability and cost: one thread (the reactor, `serve_forever`) only
accepts and waits: on new connections, on connections waiting for bytes or
for room to write, and on their deadlines. A bounded pool of `WORKERS`
threads does the work, one turn at a time, never waiting on a client: the
TLS handshake (non-blocking, at most `handshake_timeout` from accept), the
reads (a request's bytes are gathered as they come, `read_timeout` between
them and `BODY_DEADLINE` for the whole request), the answer, and the write
(what the client is not reading yet waits in the reactor, `read_timeout`).
A client that connects and never speaks costs a socket and blocks nobody;
50 clients cost no 50 threads. Connections are kept alive (HTTP/1.1), as
the API server reuses its connections to a webhook, and served fairly: after
each answer the connection goes to the back of the line. The listen backlog
is the system's maximum (`socket.SOMAXCONN`), not socketserver's default of
5, and at most `MAX_CONNECTIONS` connections are open at once (more are
closed at once rather than queued without bound).
The request log escapes control characters, one line per request.

Several processes (`processes=`, `--processes`; Linux): `serve_forever`
forks that many, all accepting from the one listening socket, and watches
them (`WebhookServer._supervise`). One Python process runs one thread at a
time, so a handshake-per-request load is bound to one core however many
workers it has; processes use them all. Each process then has no workers:
its reactor takes the turns itself (`workers=0`), in the order they come,
with the same deadlines and never waiting on a client. Measured (the
webhook benchmark), the hand-offs between reactor and workers had cost a
third of the server's CPU per request.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import io
import json
import math
import os
import queue
import re
import select
import selectors
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jsonpatch

from initlab.admission.review import API_VERSION, KIND, make_response
from initlab.admission.webhooks import Context, Webhook, answer
from initlab.api.loader import MAX_DEPTH, decode_json
from initlab.errors import InitlabError, InputError, bounded, one_line

MAX_BODY = 3 * 1024 * 1024
#: Connections served at once; past it a new connection is closed at once.
MAX_CONNECTIONS = 256
#: Seconds a client may take to finish the TLS handshake.
HANDSHAKE_TIMEOUT = 5.0
#: Seconds any single read may wait (request line, headers, body, keep-alive idle).
READ_TIMEOUT = 10.0
#: Seconds a whole request (headers and body) may take, however it trickles in.
BODY_DEADLINE = 30.0
#: Worker threads: they handshake, read and answer, and never wait on a client.
WORKERS = 4
#: Connections a process accepts per wake-up when several share the listening socket.
ACCEPT_BATCH = 1
#: The most processes `default_processes` picks (more are asked for with `processes=`).
MAX_DEFAULT_PROCESSES = 4
#: The most processes accepted at all.
MAX_PROCESSES = 64
#: Seconds a stopping process has to finish before it is killed.
STOP_TIMEOUT = 5.0
#: A process that dies sooner than this after it started is replaced only this long after.
RESTART_DELAY = 1.0
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")


class BadRequest(Exception):
    """A request we refuse, with the reason we send back."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


def parse_review(body: bytes) -> dict[str, Any]:
    """Decode and check an AdmissionReview request; BadRequest says what is wrong.

    The JSON is decoded as the loader decodes any JSON (apimachinery's numbers,
    duplicate keys refused, lone surrogates replaced, the node and depth bounds).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    try:
        doc = decode_json(text, "body")
    except RecursionError:
        raise BadRequest(f"body: nesting deeper than {MAX_DEPTH} levels") from None
    except InputError as e:
        raise BadRequest(str(e)) from None
    except ValueError as e:
        raise BadRequest(f"body is not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise BadRequest("expected a JSON object (an AdmissionReview)")
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != KIND:
        got = json.dumps([doc.get("apiVersion"), doc.get("kind")], ensure_ascii=True)
        raise BadRequest(f"expected apiVersion {API_VERSION} and kind {KIND}, got {bounded(got)}")
    req = doc.get("request")
    if not isinstance(req, dict):
        raise BadRequest("missing request")
    if not isinstance(req.get("uid"), str) or not req["uid"]:
        raise BadRequest("missing request.uid")
    operation = req.get("operation", "CREATE")
    if operation not in OPERATIONS:
        raise BadRequest(f"request.operation must be one of {', '.join(OPERATIONS)}")
    obj = req.get("object")
    if obj is not None and not isinstance(obj, dict):
        raise BadRequest("request.object must be an object")
    if operation in ("CREATE", "UPDATE"):
        if obj is None:
            raise BadRequest(f"request.object is required for {operation}")
        _check_decodable(obj)
    return doc


def _check_decodable(obj: dict[str, Any]) -> None:
    """Refuse an object the API server could not have decoded into a Pod."""
    from initlab.api.validation import decoding_errors

    kind = obj.get("kind", "Pod")
    if kind != "Pod":
        raise BadRequest(f"request.object must be a Pod, not {bounded(json.dumps(kind))}")
    errors = decoding_errors(obj)
    if errors:
        raise BadRequest(f"request.object cannot be decoded as a Pod: {errors[0]}")


def run_chain(hooks: list[Webhook], review: dict[str, Any], mutating: bool) -> dict[str, Any]:
    """Answer one AdmissionReview with several webhooks of one type."""
    request = review["request"]
    uid = request["uid"]
    operation = request.get("operation", "CREATE")
    if operation not in (("CREATE",) if mutating else ("CREATE", "UPDATE")):
        return make_response(uid, True)  # not an operation these webhooks act on
    warnings: list[str] = []
    try:
        if not mutating:
            for hook in hooks:
                resp = answer(hook, review, Context())["response"]
                warnings += resp.get("warnings") or []
                if not resp.get("allowed"):
                    status = resp.get("status") or {}
                    return make_response(
                        uid,
                        False,
                        message=str(status.get("message", "")),
                        code=status.get("code"),
                        reason=str(status.get("reason", "")),
                        warnings=warnings,
                    )
            return make_response(uid, True, warnings=warnings)
        obj = request.get("object") or {}
        ops: list[dict[str, Any]] = []
        for i, hook in enumerate(hooks):
            step = {**review, "request": {**request, "object": obj}}
            verdict = hook.review(step["request"], Context())
            warnings += verdict.warnings
            if not verdict.allowed:
                return make_response(
                    uid,
                    False,
                    message=verdict.message,
                    code=verdict.code,
                    reason=verdict.reason,
                    warnings=warnings,
                )
            if verdict.patch:
                if i + 1 < len(hooks):  # the next webhook sees this one's result
                    obj = jsonpatch.apply_patch(obj, verdict.patch)
                ops += verdict.patch
        return make_response(uid, True, patch=ops, warnings=warnings)
    except InitlabError as e:  # the object is one the webhook cannot work on
        return make_response(uid, False, message=str(e), code=400, reason="BadRequest")


def _content_length(values: list[str]) -> int | None:
    """The one Content-Length, as Go's net/http reads it; BadRequest if it is not one."""
    if not values:
        return None
    distinct = {v.strip() for v in values}
    if len(distinct) != 1:
        raise BadRequest("conflicting Content-Length headers")
    text = distinct.pop()
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise BadRequest(f"bad Content-Length {bounded(json.dumps(text), 40)}")
    return int(text)


def _handler_class(hooks: list[Webhook], max_body: int) -> type[BaseHTTPRequestHandler]:
    by_name = {h.key: h for h in hooks}
    mutating = [h for h in hooks if h.mutating]
    validating = [h for h in hooks if not h.mutating]

    class Handler(BaseHTTPRequestHandler):
        server_version = "initlab-webhook/1"
        protocol_version = "HTTP/1.1"
        # A request line with no version, or one too broken to read one, is answered
        # with a status line and headers, not as HTTP/0.9 (a bare body), which no
        # client of a webhook speaks (Go's net/http refuses it).
        default_request_version = "HTTP/1.0"

        def parse_request(self) -> bool:
            if not super().parse_request():
                return False
            if self.request_version.startswith("HTTP/0."):  # said outright: still refused
                self.request_version = self.default_request_version
                self.send_error(505, "HTTP/1.0 or HTTP/1.1 only")
                return False
            return True

        body_late = False  # set by the server: the request's deadline passed before its body
        framed_length = -1  # set by the server: the body length it framed, -1 if untrusted
        _connection_sent = False

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() == "connection":
                self._connection_sent = True
            super().send_header(keyword, value)

        def end_headers(self) -> None:
            """Say whether the connection stays open, as Go's net/http does: `Connection:
            close` when it closes after this response (an HTTP/1.0 request without
            keep-alive, a `Connection: close`, a request whose framing is not trusted),
            `Connection: keep-alive` to an HTTP/1.0 client that asked for it
            (`net/http/server.go: chunkWriter.writeHeader`)."""
            if not self._connection_sent and self.request_version != "HTTP/0.9":
                if self.close_connection or not _agrees(self, self.framed_length):
                    self.send_header("Connection", "close")
                elif self.request_version == "HTTP/1.0":
                    self.send_header("Connection", "keep-alive")
            super().end_headers()

        def handle_expect_100(self) -> bool:
            return True  # the server sent "100 Continue" itself, before it had the body

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            line = one_line(bounded(format % args, 512))
            sys.stderr.write(f"{self.address_string()} {line}\n")

        def _send(self, code: int, payload: Any, close: bool = False) -> None:
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path in ("/healthz", "/readyz", "/livez"):
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self._send(404, {"error": f"no such path: {bounded(self.path)}"})

        def do_POST(self) -> None:  # noqa: N802
            try:
                self._post()
            except BadRequest as e:
                self._send(e.code, {"error": str(e)}, close=True)

        def _post(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            if path == "/mutate":
                chain, is_mut = mutating, True
            elif path == "/validate":
                chain, is_mut = validating, False
            elif path.startswith(("/mutate/", "/validate/")):
                kind, _, name = path[1:].partition("/")
                hook = by_name.get(name)
                if hook is None or hook.mutating != (kind == "mutate"):
                    self._discard_body()
                    self._send(404, {"error": f"no {kind} webhook {bounded(name)!r} served here"})
                    return
                chain, is_mut = [hook], hook.mutating
            else:
                self._discard_body()
                self._send(404, {"error": f"no such path: {bounded(self.path)}"})
                return
            review = parse_review(self._read_body())
            self._send(200, run_chain(chain, review, is_mut))

        def _discard_body(self) -> None:
            try:
                n = _content_length(self.headers.get_all("Content-Length") or [])
            except BadRequest:
                n = None
            if n is not None and n <= max_body and not self.headers.get("Transfer-Encoding"):
                self._read_exactly(n)
            else:
                self.close_connection = True

        def _read_exactly(self, n: int) -> bytes:
            """n bytes of body, or BadRequest: the server hands over the whole request it
            received (each read with a timeout, the whole with a deadline), maybe short."""
            body = self.rfile.read(n)
            if len(body) < n:
                if self.body_late:
                    raise BadRequest(f"request not received within {BODY_DEADLINE:g} s", 408)
                raise BadRequest(f"body shorter than its Content-Length ({n} bytes)")
            return body

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding"):
                raise BadRequest("chunked bodies are not accepted: send Content-Length", 411)
            n = _content_length(self.headers.get_all("Content-Length") or [])
            if n is None:
                raise BadRequest("missing Content-Length", 411)
            if n > max_body:
                raise BadRequest(f"request body too large: {n} bytes (limit {max_body})", 413)
            ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            body = self._read_exactly(n)
            if ctype != "application/json":
                raise BadRequest(
                    f"unsupported Content-Type {bounded(json.dumps(ctype), 80)}: "
                    "expected application/json"
                )
            return body

    return Handler


class _Connection:
    """A client connection between turns of work: its socket, the bytes it has sent, the
    response not yet written, and the deadline of what it is waiting for."""

    __slots__ = (
        "sock",
        "address",
        "secure",
        "handshake_deadline",
        "request_deadline",
        "deadline",
        "buffer",
        "out",
        "closing",
        "eof",
        "expired",
        "continued",
        "closed",
    )

    def __init__(self, sock: socket.socket, address: Any, handshake_deadline: float) -> None:
        self.sock: socket.socket = sock
        self.address = address
        self.secure = False
        self.handshake_deadline = handshake_deadline
        self.request_deadline = 0.0  # set by the first byte of each request
        self.deadline = handshake_deadline
        self.buffer = bytearray()
        self.out = bytearray()
        self.closing = False  # close once `out` is written
        self.eof = False  # the client will send nothing more
        self.expired = False  # the reactor found its deadline passed
        self.continued = False  # "100 Continue" sent for the request in the buffer
        self.closed = False


_HEADER_END = re.compile(rb"\n\r?\n")
#: Linux's TCP_QUICKACK (send the ACK that is due now, not delayed), None elsewhere.
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
#: The largest request line + headers accepted (Go's `http.DefaultMaxHeaderBytes`, 1 MiB).
MAX_HEADER_BYTES = 1 << 20


def _frame(buffer: bytes | bytearray, max_body: int) -> tuple[int, int, bool] | None:
    """Where the request at the start of `buffer` ends: `(header_end, body_length, framed)`,
    or None while its header block is incomplete.

    `framed` is False when the headers give no length to trust (a bad or conflicting
    `Content-Length`, `Transfer-Encoding`, a body over `max_body`, a header block over
    `MAX_HEADER_BYTES`): the handler answers what it has and the connection closes.
    """
    found = _HEADER_END.search(buffer, 0, MAX_HEADER_BYTES + 4)
    if found is None:
        return (len(buffer), 0, False) if len(buffer) > MAX_HEADER_BYTES else None
    end = found.end()
    lengths: list[str] = []
    for line in bytes(buffer[:end]).split(b"\n")[1:]:
        name, colon, value = line.partition(b":")
        name = name.lower()
        if colon and name == b"transfer-encoding":
            return end, 0, False
        if colon and name == b"content-length":
            lengths.append(value.decode("latin-1"))
    try:
        n = _content_length(lengths)
    except BadRequest:
        return end, 0, False
    if n is None:
        return end, 0, True
    if n > max_body:
        return end, 0, False
    return end, n, True


class WebhookServer(HTTPServer):
    """An HTTP server with a reactor and a bounded pool of workers (see the module docstring)."""

    request_queue_size = socket.SOMAXCONN  # listen backlog (socketserver's default is 5)

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        tls: ssl.SSLContext | None = None,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
        read_timeout: float = READ_TIMEOUT,
        max_body: int = MAX_BODY,
        workers: int = WORKERS,
        processes: int = 1,
    ) -> None:
        if processes > 1 and not hasattr(os, "fork"):
            raise InputError("more than one process needs Linux (os.fork)", "--processes")
        # Before bind, which calls server_close if it fails.
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._returning: collections.deque[tuple[_Connection, int]] = collections.deque()
        self._open = 0  # connections accepted and not yet closed
        self._lock = threading.Lock()
        super().__init__(address, handler)
        self._handler = handler
        self.tls = tls
        self.handshake_timeout = handshake_timeout
        self.read_timeout = read_timeout
        self.max_body = max_body
        self.max_connections = max_connections
        self.workers = workers
        self.processes = processes
        self._jobs: queue.SimpleQueue[_Connection | None] = queue.SimpleQueue()
        self._children: dict[int, float] = {}  # serving processes (when `processes` > 1): start
        self._stop_fd: int | None = None  # a child's end of its parent's stop pipe
        self._stopping = False
        self._stopped = threading.Event()
        self._stopped.set()

    # -- the reactor: accepts, waits for readiness and deadlines, hands work to the pool --

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until `shutdown()` (or `request_stop()`): with one process, this thread only
        accepts and waits and the workers do the rest; with several, this thread starts
        and watches the processes that serve (see `_supervise`)."""
        if self.processes > 1:
            self._supervise()
        else:
            self._serve(poll_interval)

    def _serve(self, poll_interval: float) -> None:
        """The reactor: accept, wait for readiness and deadlines, hand work to the pool."""
        self._stopped.clear()
        pool = [
            threading.Thread(target=self._work, name=f"webhook-worker-{i}", daemon=True)
            for i in range(self.workers)
        ]
        for t in pool:
            t.start()
        selector = selectors.DefaultSelector()
        self.socket.setblocking(False)
        selector.register(self.socket, selectors.EVENT_READ, None)
        selector.register(self._wake_r, selectors.EVENT_READ, None)
        if self._stop_fd is not None:  # the parent's stop pipe: readable (EOF) means stop
            selector.register(self._stop_fd, selectors.EVENT_READ, None)
        # Several processes share the listening socket: each takes a few connections per
        # wake-up, not all that wait, so that an idle process gets its share.
        batch = ACCEPT_BATCH if self.processes > 1 else MAX_CONNECTIONS
        next_scan = 0.0
        try:
            while not self._stopping:
                for key, _ in selector.select(min(poll_interval, 0.05)):
                    if key.fileobj is self.socket:
                        self._accept_all(selector, batch)
                    elif key.fileobj == self._stop_fd:
                        self._stopping = True
                    elif key.fileobj is self._wake_r:
                        with contextlib.suppress(OSError):
                            self._wake_r.recv(4096)
                    else:
                        selector.unregister(key.fileobj)
                        self._jobs.put(key.data)
                now = time.monotonic()
                if now >= next_scan:  # deadlines, to about 50 ms
                    next_scan = now + 0.05
                    for key in list(selector.get_map().values()):
                        conn = key.data
                        if conn is not None and now >= conn.deadline:
                            selector.unregister(key.fileobj)
                            conn.expired = True
                            self._jobs.put(conn)
                if not pool:  # no workers: this thread does the turns itself, in order
                    self._run_turns()
                # Watched again before the next wait: connections parked until they are ready.
                while self._returning:
                    conn, events = self._returning.popleft()
                    try:
                        selector.register(conn.sock, events, conn)
                    except (ValueError, OSError):  # closed meanwhile
                        self._close(conn)
        finally:
            for key in list(selector.get_map().values()):
                if key.data is not None:
                    self._close(key.data)
            selector.close()
            for _ in pool:
                self._jobs.put(None)
            for t in pool:
                t.join(1)
            self._close_returning()
            self._stopping = False
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop `serve_forever` and wait until it has returned (and, with several processes,
        every one of them has exited and been reaped)."""
        self.request_stop()
        self._stopped.wait()

    def request_stop(self) -> None:
        """Ask `serve_forever` to stop, without waiting: safe in a signal handler."""
        self._stopping = True
        self._wake()

    @property
    def worker_pids(self) -> list[int]:
        """The processes serving now, when there are several (else empty)."""
        return sorted(self._children)

    # -- several processes: one listening socket, inherited by every process ---------------

    def _supervise(self) -> None:
        """Fork `processes` children that serve the listening socket, replace any that dies
        (with one line on stderr), and stop them all when asked.

        The socket is bound and listening before the fork and every child accepts from it:
        a connection waits in the one backlog until a child has room, so a busy child
        never holds connections another could serve (`SO_REUSEPORT` would hash each to a
        child, busy or not, and reset what waits in the queue of a child that dies). Each
        child holds the read end of a pipe whose write end only the parent holds: closing
        it stops them all, and so does the parent's death (EOF), so none outlives it. They
        ignore SIGINT: a Ctrl-C reaches the whole process group, and the parent stops
        them. Linux only (`os.fork`). A child is a copy of this process: forked while
        another thread holds a lock (OpenSSL's, during a handshake), it would wait on
        it forever, so the parent should have no other thread doing TLS (the command
        line has none; see `make_server`).
        """
        self._stopped.clear()
        import initlab.api.validation  # noqa: F401  # lazy imports, done once, shared by all

        gc.collect()
        stop_r, stop_w = os.pipe()
        restarts = [time.monotonic()] * self.processes  # when to start one (again)
        try:
            while not self._stopping:
                now = time.monotonic()
                while restarts and min(restarts) <= now and not self._stopping:
                    restarts.remove(min(restarts))
                    if not self._fork(stop_r, stop_w):  # out of processes or memory
                        restarts.append(now + RESTART_DELAY)
                with contextlib.suppress(InterruptedError):
                    select.select([self._wake_r], [], [], 0.1)
                with contextlib.suppress(OSError):
                    self._wake_r.recv(4096)
                now = time.monotonic()
                for pid, started in list(self._children.items()):
                    try:
                        done, status = os.waitpid(pid, os.WNOHANG)
                    except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored)
                        done, status = pid, 0
                    if not done:
                        continue
                    del self._children[pid]
                    if self._stopping:
                        break
                    lived = now - started
                    restarts.append(now if lived >= RESTART_DELAY else now + RESTART_DELAY)
                    sys.stderr.write(
                        f"webhook process {pid} {_exit_reason(status)}; starting another\n"
                    )
        finally:
            os.close(stop_w)  # every child reads EOF: it closes its connections and exits
            self._reap_all()
            os.close(stop_r)
            self._stopping = False
            self._stopped.set()

    def _fork(self, stop_r: int, stop_w: int) -> bool:
        """Start one serving process; False (and a line on stderr) if the system refuses."""
        for stream in (sys.stdout, sys.stderr):  # or the child would write them out again
            with contextlib.suppress(Exception):
                stream.flush()
        # In the child, what exists now stays shared copy-on-write: its collector leaves it.
        gc.freeze()
        try:
            pid = os.fork()
        except OSError as e:
            gc.unfreeze()
            sys.stderr.write(f"cannot start a webhook process: {e.strerror or e}; retrying\n")
            return False
        if pid:
            gc.unfreeze()  # the parent's collector as it was
            self._children[pid] = time.monotonic()
            return True
        code = 1
        try:  # the child: serve until the parent closes the pipe or dies
            os.close(stop_w)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self._children = {}
            self._wake_r.close()  # the parent's; this process wakes itself, no one else
            self._wake_w.close()
            self._wake_r, self._wake_w = socket.socketpair()
            self._wake_r.setblocking(False)
            self._wake_w.setblocking(False)
            self._returning = collections.deque()
            self._lock = threading.Lock()
            self._open = 0
            self._stopping = False
            self._stopped = threading.Event()
            self._stop_fd = stop_r
            self._serve(0.5)
            code = 0
        except BaseException as e:  # noqa: BLE001 - reported, and the parent starts another
            with contextlib.suppress(Exception):
                sys.stderr.write(
                    f"webhook process {os.getpid()} failed: {one_line(bounded(repr(e)))}\n"
                )
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
                sys.stdout.flush()
            os._exit(code)

    def _reap_all(self) -> None:
        """Wait for every child to exit (`STOP_TIMEOUT`, then SIGKILL) and reap it: no zombie."""
        deadline = time.monotonic() + STOP_TIMEOUT
        while self._children:
            for pid in list(self._children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:  # reaped by someone else
                    done = pid
                if done:
                    del self._children[pid]
            if not self._children:
                return
            if time.monotonic() >= deadline:
                for pid in list(self._children):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    with contextlib.suppress(ChildProcessError):
                        os.waitpid(pid, 0)
                    del self._children[pid]
                return
            time.sleep(0.01)

    def server_close(self) -> None:
        super().server_close()
        self._close_returning()
        self._wake_r.close()
        self._wake_w.close()

    def _close_returning(self) -> None:
        """Close what workers handed back after the reactor stopped looking."""
        while self._returning:
            self._close(self._returning.popleft()[0])

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full: a wake-up is pending anyway
            self._wake_w.send(b"x")

    def _accept_all(self, selector: selectors.BaseSelector, batch: int) -> None:
        for _ in range(batch):
            try:
                sock, address = self.socket.accept()
            except BlockingIOError:  # none left
                return
            except OSError:  # out of file descriptors: let some close rather than spin
                time.sleep(0.01)
                return
            with self._lock:
                full = self._open >= self.max_connections
                if not full:
                    self._open += 1
            if full:  # too many at once: close, do not queue
                self.shutdown_request(sock)
                continue
            sock.setblocking(False)
            now = time.monotonic()
            conn = _Connection(sock, address, now + self.handshake_timeout)
            conn.secure = self.tls is None
            if conn.secure:  # plain HTTP: its first wait is a read
                conn.deadline = now + self.read_timeout
            # To a worker once its first bytes (the ClientHello) are here, not before.
            selector.register(sock, selectors.EVENT_READ, conn)

    def _park(self, conn: _Connection, events: int, deadline: float) -> None:
        """Give the connection back to the reactor until it is ready or `deadline` passes."""
        if self._stopping:
            self._close(conn)
            return
        conn.deadline = deadline
        self._returning.append((conn, events))
        if self.workers:  # else this is the reactor's own thread, which takes it next
            self._wake()

    def _close(self, conn: _Connection) -> None:
        if conn.closed:
            return
        conn.closed = True
        if isinstance(conn.sock, ssl.SSLSocket) and conn.secure:
            # TLS's own end first (close_notify), or a client such as ab or curl
            # reports "unexpected eof" rather than the end of the response.
            with contextlib.suppress(OSError, ValueError):
                conn.sock.unwrap()
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            conn.sock.close()
        with self._lock:
            self._open -= 1

    # -- the workers: handshake, read, answer; never wait on a client ------------------------

    def _work(self) -> None:
        while True:
            conn = self._jobs.get()
            if conn is None:
                return
            self._turn(conn)

    def _run_turns(self) -> None:
        """With no workers (`workers=0`): take every waiting turn in this thread, in order."""
        while True:
            try:
                conn = self._jobs.get_nowait()
            except queue.Empty:
                return
            if conn is not None:
                self._turn(conn)

    def _turn(self, conn: _Connection) -> None:
        try:
            self._advance(conn)
        except Exception:
            self.handle_error(conn.sock, conn.address)
            self._close(conn)

    def _advance(self, conn: _Connection) -> None:
        """Take the connection as far as it goes without waiting, then park or close it."""
        now = time.monotonic()
        expired, conn.expired = conn.expired, False
        if not conn.secure:
            if expired:  # no handshake in time
                self._close(conn)
                return
            if not isinstance(conn.sock, ssl.SSLSocket):
                assert self.tls is not None
                try:
                    conn.sock = self.tls.wrap_socket(
                        conn.sock, server_side=True, do_handshake_on_connect=False
                    )
                except (OSError, ValueError):
                    self._close(conn)
                    return
            try:
                conn.sock.do_handshake()
            except ssl.SSLWantReadError:
                self._park(conn, selectors.EVENT_READ, conn.handshake_deadline)
                return
            except ssl.SSLWantWriteError:
                self._park(conn, selectors.EVENT_WRITE, conn.handshake_deadline)
                return
            except (OSError, ValueError):  # not TLS, or the client went away
                self._close(conn)
                return
            conn.secure = True
            conn.deadline = now + self.read_timeout
            if _QUICKACK is not None:
                # Acknowledge the client's last flight now. With no session tickets the
                # server sends nothing after the handshake, and Linux delays a bare ACK
                # up to 40 ms: a client with Nagle's algorithm on (Python's, OpenSSL's;
                # Go sets TCP_NODELAY) holds its request back until that ACK comes.
                with contextlib.suppress(OSError):
                    conn.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        served = False
        while True:
            if conn.out:
                written = self._flush(conn)
                if written is None:
                    return
                if not written:
                    if expired:  # the client stopped reading its response
                        self._close(conn)
                    else:
                        self._park(conn, selectors.EVENT_WRITE, now + self.read_timeout)
                    return
                expired = False  # that deadline was the write's
            if conn.closing:
                self._close(conn)
                return
            if served:  # one request per turn: the next waits its turn behind the others
                if conn.buffer:  # pipelined: it has all been read from the socket and TLS
                    self._jobs.put(conn)
                else:
                    self._park(conn, selectors.EVENT_READ, time.monotonic() + self.read_timeout)
                return
            self._fill(conn)
            if conn.buffer and not conn.request_deadline:
                conn.request_deadline = now + BODY_DEADLINE
            framed = _frame(conn.buffer, self.max_body)
            if framed is not None:
                end, length, trusted = framed
                complete = len(conn.buffer) >= end + length
                if complete or not trusted or conn.eof or expired:
                    late = expired and now >= conn.request_deadline
                    self._answer(conn, end, length, trusted and complete, late)
                    served = True
                    continue
                if not conn.continued and b"100-continue" in bytes(conn.buffer[:end]).lower():
                    conn.continued = True  # the handler never sees the client wait for this
                    conn.out += b"HTTP/1.1 100 Continue\r\n\r\n"
                    continue
            elif conn.eof or expired:  # gone, idle too long, or headers never finished
                self._close(conn)
                return
            deadline = now + self.read_timeout
            if conn.buffer:
                deadline = min(deadline, conn.request_deadline)
            self._park(conn, selectors.EVENT_READ, deadline)
            return

    def _fill(self, conn: _Connection) -> None:
        """Read what the client has sent, without waiting (and all TLS has decrypted)."""
        limit = MAX_HEADER_BYTES + self.max_body + 65536
        while len(conn.buffer) < limit and not conn.eof:
            try:
                data = conn.sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                return
            except OSError:
                data = b""
            if not data:
                conn.eof = True
                return
            conn.buffer += data

    def _flush(self, conn: _Connection) -> bool | None:
        """Write what is pending without waiting: True done, False would block, None closed."""
        while conn.out:
            try:
                sent = conn.sock.send(conn.out[: 1 << 18])
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                return False
            except OSError:
                self._close(conn)
                return None
            del conn.out[:sent]
        return True

    def _answer(self, conn: _Connection, end: int, length: int, keep: bool, late: bool) -> None:
        """Run the HTTP handler over the request at the start of the buffer; queue its reply."""
        data = bytes(conn.buffer[: end + length]) if keep else bytes(conn.buffer)
        cls = self._handler
        handler = cls.__new__(cls)  # BaseRequestHandler.__init__ would serve a whole stream
        handler.request = handler.connection = conn.sock
        handler.client_address = conn.address
        handler.server = self
        handler.rfile = io.BytesIO(data)
        handler.wfile = written = io.BytesIO()
        handler.close_connection = True
        handler.body_late = late  # type: ignore[attr-defined]
        handler.framed_length = length if keep else -1  # type: ignore[attr-defined]
        handler.handle_one_request()
        conn.out += written.getvalue()
        if keep and not handler.close_connection and _agrees(handler, length):
            del conn.buffer[: end + length]
            conn.request_deadline = 0.0
            conn.continued = False
        else:
            conn.closing = True
            conn.buffer.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One escaped line, not a traceback: a client that vanished is not a server error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError | ssl.SSLError | TimeoutError):
            return
        host = client_address[0] if isinstance(client_address, tuple) else "?"
        what = one_line(bounded(f"{type(exc).__name__}: {exc}"))
        sys.stderr.write(f"{host} error while serving a request: {what}\n")


def _exit_reason(status: int) -> str:
    """How a child ended, from its `waitpid` status, in words."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"was killed by {name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def default_processes() -> int:
    """The serving processes `initlab webhook serve` starts by default: the CPUs this
    process may run on (its affinity, and its cgroup's CPU quota, as a container's CPU
    limit sets it), at most `MAX_DEFAULT_PROCESSES`; 1 where there is no `os.fork`."""
    if not hasattr(os, "fork") or not hasattr(os, "sched_getaffinity"):
        return 1
    cpus = float(len(os.sched_getaffinity(0)))
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, min(MAX_DEFAULT_PROCESSES, math.ceil(cpus)))


def _cgroup_cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """CPUs allowed by the cgroup's quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us`), None if none."""

    def read(name: str) -> str:
        try:
            with open(os.path.join(root, name), encoding="ascii") as f:
                return f.read(64).strip()
        except (OSError, UnicodeDecodeError):
            return ""

    fields = read("cpu.max").split()
    if len(fields) != 2:
        fields = [read("cpu/cpu.cfs_quota_us"), read("cpu/cpu.cfs_period_us")]
    try:
        quota, period = int(fields[0]), int(fields[1])
    except (ValueError, IndexError):  # "max", -1, or no cgroup files: no quota
        return None
    return quota / period if quota > 0 and period > 0 else None


def _agrees(handler: BaseHTTPRequestHandler, length: int) -> bool:
    """Whether the handler read the request as framed (else the connection is not reused)."""
    headers = getattr(handler, "headers", None)
    if headers is None or length < 0:
        return False
    try:
        n = _content_length(headers.get_all("Content-Length") or [])
    except BadRequest:
        return False
    return (n or 0) == length and not headers.get("Transfer-Encoding")


def make_server(
    webhook_names: list[str],
    host: str = "127.0.0.1",
    port: int = 8443,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    max_body: int = MAX_BODY,
    handshake_timeout: float = HANDSHAKE_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    workers: int | None = None,
    processes: int = 1,
) -> WebhookServer:
    """A ready (bound, not yet serving) server for these built-in webhooks.

    Port 0 picks a free port (`server.server_address[1]`). With a certificate
    and key, each connection is wrapped in TLS (TLS 1.2 at least), as the API
    server requires for webhooks, in the connection's own thread.
    `handshake_timeout` and `read_timeout` bound each handshake and each read.
    With `processes` above 1 (Linux only), `serve_forever` forks that many processes
    that serve the one listening socket (`default_processes()` is what the command line
    uses). Fork before other threads of the process use TLS (or wait for `worker_pids`
    before they do): a child inherits the locks other threads held at the fork, held,
    and OpenSSL's would hang its first handshake. The command line forks from a process
    with no other thread. `workers` is the threads per process that take the turns of work; 0 has the
    reactor take them itself. By default `WORKERS` with one process and 0 with several:
    there the processes use the cores, and threads in one Python process, which runs
    one at a time, only add hand-offs (a third of the server's CPU per request).
    """
    if workers is None:
        workers = WORKERS if processes == 1 else 0
    if not 0 <= workers <= MAX_CONNECTIONS:
        raise InputError(f"must be between 0 and {MAX_CONNECTIONS}, inclusive", "workers")
    from initlab.admission.chain import lookup

    hooks = [lookup(n) for n in webhook_names]
    if not hooks:
        raise InputError("at least one webhook is required", "--webhook")
    if not 1 <= processes <= MAX_PROCESSES:
        raise InputError(f"must be between 1 and {MAX_PROCESSES}, inclusive", "--processes")
    if bool(tls_cert) != bool(tls_key):
        raise InputError("--tls-cert and --tls-key go together", "--tls-cert")
    ctx = None
    if tls_cert and tls_key:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        # No TLS 1.3 session tickets: the API server's client never resumes a session
        # (client-go `transport/transport.go: TLSConfigFor` sets no `ClientSessionCache`,
        # without which Go's crypto/tls drops tickets), so making them is wasted work.
        ctx.num_tickets = 0
        try:
            ctx.load_cert_chain(tls_cert, tls_key)
        except (OSError, ssl.SSLError) as e:
            raise InputError(f"cannot load certificate/key: {e}", "--tls-cert") from None
    try:
        return WebhookServer(
            (host, port),
            _handler_class(hooks, max_body),
            ctx,
            handshake_timeout=handshake_timeout,
            read_timeout=read_timeout,
            max_body=max_body,
            workers=workers,
            processes=processes,
        )
    except OSError as e:  # port in use, address not on this machine, no permission
        raise InputError(f"cannot listen on {host}:{port}: {e.strerror or e}", "--port") from None


def serve(
    webhook_names: list[str],
    host: str = "127.0.0.1",
    port: int = 8443,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    max_body: int = MAX_BODY,
    processes: int = 1,
) -> None:
    """Serve until interrupted (blocking); SIGTERM stops it as cleanly as Ctrl-C."""
    server = make_server(
        webhook_names, host, port, tls_cert, tls_key, max_body, processes=processes
    )
    scheme = "https" if tls_cert else "http"
    host_, port_ = server.server_address[:2]
    addr = (str(host_), port_)
    names = ", ".join(webhook_names)
    how = f", {processes} processes" if processes > 1 else ""
    print(
        f"serving {names} on {scheme}://{addr[0]}:{addr[1]} (/mutate, /validate, /healthz{how})",
        file=sys.stderr,
        flush=True,
    )
    previous = signal.signal(signal.SIGTERM, lambda *_: server.request_stop())
    try:
        server.serve_forever()
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
