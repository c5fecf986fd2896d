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

Availability: the listening socket only accepts; each connection is served
in its own thread, where the TLS handshake happens, with a timeout on every
read (`handshake_timeout`, `read_timeout`), so a client that connects and
never speaks holds one thread for a few seconds and blocks nobody. The
listen backlog is the system's maximum (`socket.SOMAXCONN`), not
socketserver's default of 5, and at most `MAX_CONNECTIONS` connections are
served at once (more are closed at once rather than queued without bound).
The request log escapes control characters, one line per request.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonpatch

from initlab.admission.review import API_VERSION, KIND, make_response
from initlab.admission.webhooks import Context, Webhook, answer
from initlab.api.loader import decode_json
from initlab.errors import InitlabError, InputError, bounded, one_line

MAX_BODY = 3 * 1024 * 1024
MAX_DEPTH = 100
#: Connections served at once; past it a new connection is closed at once.
MAX_CONNECTIONS = 256
#: Seconds a client may take to finish the TLS handshake.
HANDSHAKE_TIMEOUT = 5.0
#: Seconds any single read may wait (request line, headers, body, keep-alive idle).
READ_TIMEOUT = 10.0
#: Seconds the whole body may take, however it trickles in.
BODY_DEADLINE = 30.0
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")


class BadRequest(Exception):
    """A request we refuse, with the reason we send back."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


def _depth_ok(doc: Any, limit: int = MAX_DEPTH) -> bool:
    stack = [(doc, 1)]
    while stack:
        obj, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(obj, dict):
            stack.extend((v, depth + 1) for v in obj.values())
        elif isinstance(obj, list):
            stack.extend((v, depth + 1) for v in obj)
    return True


def parse_review(body: bytes) -> dict[str, Any]:
    """Decode and check an AdmissionReview request; BadRequest says what is wrong.

    The JSON is decoded as the loader decodes any JSON (apimachinery's numbers,
    duplicate keys refused, lone surrogates replaced, the node bound).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    try:
        doc = decode_json(text, "body")
    except RecursionError:
        raise BadRequest(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except InputError as e:
        raise BadRequest(str(e)) from None
    except ValueError as e:
        raise BadRequest(f"body is not JSON: {e}") from None
    if not _depth_ok(doc):
        raise BadRequest(f"JSON nested deeper than {MAX_DEPTH} levels")
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


def _handler_class(
    hooks: list[Webhook], max_body: int, read_timeout: float = READ_TIMEOUT
) -> type[BaseHTTPRequestHandler]:
    by_name = {h.key: h for h in hooks}
    mutating = [h for h in hooks if h.mutating]
    validating = [h for h in hooks if not h.mutating]

    class Handler(BaseHTTPRequestHandler):
        server_version = "initlab-webhook/1"
        protocol_version = "HTTP/1.1"
        timeout = read_timeout  # StreamRequestHandler sets it on the socket: every read

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
            """n bytes of body, or BadRequest: each read has a timeout, the whole a deadline."""
            deadline = time.monotonic() + BODY_DEADLINE
            chunks: list[bytes] = []
            left = n
            while left > 0:
                if time.monotonic() > deadline:
                    raise BadRequest(f"body not received within {BODY_DEADLINE:g} s", 408)
                try:
                    chunk = self.rfile.read1(min(left, 1 << 16))
                except (TimeoutError, OSError):
                    chunk = b""
                if not chunk:
                    raise BadRequest(f"body shorter than its Content-Length ({n} bytes)")
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)

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


class WebhookServer(ThreadingHTTPServer):
    """A threading HTTP server whose accept loop only accepts (see the module docstring)."""

    daemon_threads = True
    request_queue_size = socket.SOMAXCONN  # listen backlog (socketserver's default is 5)

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        tls: ssl.SSLContext | None = None,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        super().__init__(address, handler)
        self.tls = tls
        self.handshake_timeout = handshake_timeout
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):  # too many at once: close, do not queue
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """In the connection's own thread: the TLS handshake (bounded), then HTTP."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(self.handshake_timeout)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError, ValueError):
            return  # no handshake in time, or not TLS: nothing to answer on
        try:
            super().finish_request(conn, client_address)
        finally:
            conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One escaped line, not a traceback: a client that vanished is not a server error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError | ssl.SSLError | TimeoutError):
            return
        host = client_address[0] if isinstance(client_address, tuple) else "?"
        what = one_line(bounded(f"{type(exc).__name__}: {exc}"))
        sys.stderr.write(f"{host} error while serving a request: {what}\n")


def make_server(
    webhook_names: list[str],
    host: str = "127.0.0.1",
    port: int = 8443,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    max_body: int = MAX_BODY,
    handshake_timeout: float = HANDSHAKE_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> WebhookServer:
    """A ready (bound, not yet serving) server for these built-in webhooks.

    Port 0 picks a free port (`server.server_address[1]`). With a certificate
    and key, each connection is wrapped in TLS (TLS 1.2 at least), as the API
    server requires for webhooks, in the connection's own thread.
    `handshake_timeout` and `read_timeout` bound each handshake and each read.
    """
    from initlab.admission.chain import lookup

    hooks = [lookup(n) for n in webhook_names]
    if not hooks:
        raise InputError("at least one webhook is required", "--webhook")
    if bool(tls_cert) != bool(tls_key):
        raise InputError("--tls-cert and --tls-key go together", "--tls-cert")
    ctx = None
    if tls_cert and tls_key:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(tls_cert, tls_key)
        except (OSError, ssl.SSLError) as e:
            raise InputError(f"cannot load certificate/key: {e}", "--tls-cert") from None
    try:
        return WebhookServer(
            (host, port),
            _handler_class(hooks, max_body, read_timeout),
            ctx,
            handshake_timeout=handshake_timeout,
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
) -> None:
    """Serve until interrupted (blocking)."""
    server = make_server(webhook_names, host, port, tls_cert, tls_key, max_body)
    scheme = "https" if tls_cert else "http"
    host_, port_ = server.server_address[:2]
    addr = (str(host_), port_)
    names = ", ".join(webhook_names)
    print(
        f"serving {names} on {scheme}://{addr[0]}:{addr[1]} (/mutate, /validate, /healthz)",
        file=sys.stderr,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
