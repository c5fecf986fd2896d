"""A real admission webhook server: AdmissionReview v1 over HTTP(S), stdlib only.

Routes:

- `POST /mutate` — every configured mutating webhook, in order, each on the
  object the previous one produced; one combined JSONPatch comes back (the
  patches concatenated, which is valid because JSON Patch applies in order);
- `POST /mutate/<name>`, `POST /validate/<name>` — one webhook;
- `POST /validate` — every configured validating webhook; the first denial wins;
- `GET /healthz` — `ok`.

The API server posts `Content-Type: application/json` and expects HTTP 200
with an AdmissionReview whose `response.uid` echoes `request.uid`. Anything
else we are sent gets HTTP 400 and `{"error": "..."}` and the server keeps
serving; bodies over `max_body` (3 MiB, the API server's own limit) get 413
without being read. It listens on 127.0.0.1 unless told otherwise; a real
cluster needs TLS (`tls_cert`/`tls_key`), see deploy/webhook/README.md.
"""

from __future__ import annotations

import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonpatch

from initlab.admission.review import API_VERSION, KIND, make_response
from initlab.admission.webhooks import Context, Webhook, answer
from initlab.errors import InputError

MAX_BODY = 3 * 1024 * 1024
MAX_DEPTH = 100


class BadRequest(Exception):
    """A body we refuse, with the reason we send back."""

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


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise BadRequest(f'duplicate key "{k}" in JSON object')
        out[k] = v
    return out


def parse_review(body: bytes) -> dict[str, Any]:
    """Decode and check an AdmissionReview request; BadRequest says what is wrong."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise BadRequest(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:
        raise BadRequest(f"body is not JSON: {e}") from None
    if not _depth_ok(doc):
        raise BadRequest(f"JSON nested deeper than {MAX_DEPTH} levels")
    if not isinstance(doc, dict):
        raise BadRequest("expected a JSON object (an AdmissionReview)")
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != KIND:
        raise BadRequest(
            f"expected apiVersion {API_VERSION} and kind {KIND}, got "
            f"{doc.get('apiVersion')!r} and {doc.get('kind')!r}"
        )
    req = doc.get("request")
    if not isinstance(req, dict):
        raise BadRequest("missing request")
    if not isinstance(req.get("uid"), str) or not req["uid"]:
        raise BadRequest("missing request.uid")
    if req.get("object") is not None and not isinstance(req.get("object"), dict):
        raise BadRequest("request.object must be an object")
    return doc


def run_chain(hooks: list[Webhook], review: dict[str, Any], mutating: bool) -> dict[str, Any]:
    """Answer one AdmissionReview with several webhooks of one type."""
    request = review["request"]
    uid = request["uid"]
    warnings: list[str] = []
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
    for hook in hooks:
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
            obj = jsonpatch.apply_patch(obj, verdict.patch)
            ops += verdict.patch
    return make_response(uid, True, patch=ops, warnings=warnings)


def _handler_class(hooks: list[Webhook], max_body: int) -> type[BaseHTTPRequestHandler]:
    by_name = {h.key: h for h in hooks}
    mutating = [h for h in hooks if h.mutating]
    validating = [h for h in hooks if not h.mutating]

    class Handler(BaseHTTPRequestHandler):
        server_version = "initlab-webhook/1"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

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
                self._send(404, {"error": f"no such path: {self.path}"})

        def do_POST(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            if path == "/mutate":
                hooks, is_mut = mutating, True
            elif path == "/validate":
                hooks, is_mut = validating, False
            elif path.startswith(("/mutate/", "/validate/")):
                kind, _, name = path[1:].partition("/")
                hook = by_name.get(name)
                if hook is None or hook.mutating != (kind == "mutate"):
                    self._discard_body()
                    self._send(404, {"error": f"no {kind} webhook {name!r} served here"})
                    return
                hooks, is_mut = [hook], hook.mutating
            else:
                self._discard_body()
                self._send(404, {"error": f"no such path: {self.path}"})
                return
            try:
                body = self._read_body()
                review = parse_review(body)
            except BadRequest as e:
                self._send(e.code, {"error": str(e)}, close=e.code in (411, 413))
                return
            try:
                out = run_chain(hooks, review, is_mut)
            except Exception as e:  # a handler bug must not kill the server
                self._send(500, {"error": f"internal error: {type(e).__name__}"})
                return
            self._send(200, out)

        def _discard_body(self) -> None:
            length = self.headers.get("Content-Length")
            if length and length.isdigit() and int(length) <= max_body:
                self.rfile.read(int(length))
            else:
                self.close_connection = True

        def _read_body(self) -> bytes:
            ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            length = self.headers.get("Content-Length")
            if self.headers.get("Transfer-Encoding"):
                raise BadRequest("chunked bodies are not accepted: send Content-Length", 411)
            if length is None:
                raise BadRequest("missing Content-Length", 411)
            if not length.isdigit():
                raise BadRequest("invalid Content-Length", 411)
            n = int(length)
            if n > max_body:
                raise BadRequest(f"request body too large: {n} bytes (limit {max_body})", 413)
            body = self.rfile.read(n)
            if ctype != "application/json":
                raise BadRequest(f'unsupported Content-Type "{ctype}": expected application/json')
            return body

    return Handler


def make_server(
    webhook_names: list[str],
    host: str = "127.0.0.1",
    port: int = 8443,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    max_body: int = MAX_BODY,
) -> ThreadingHTTPServer:
    """A ready (bound, not yet serving) server for these built-in webhooks.

    Port 0 picks a free port (`server.server_address[1]`). With a certificate
    and key, the socket is wrapped in TLS (TLS 1.2 at least), as the API
    server requires for webhooks.
    """
    from initlab.admission.chain import lookup

    hooks = [lookup(n) for n in webhook_names]
    if not hooks:
        raise InputError("at least one webhook is required", "--webhook")
    if bool(tls_cert) != bool(tls_key):
        raise InputError("--tls-cert and --tls-key go together", "--tls-cert")
    try:
        server = ThreadingHTTPServer((host, port), _handler_class(hooks, max_body))
    except OSError as e:  # port in use, address not on this machine, no permission
        raise InputError(f"cannot listen on {host}:{port}: {e.strerror or e}", "--port") from None
    server.daemon_threads = True
    if tls_cert and tls_key:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(tls_cert, tls_key)
        except (OSError, ssl.SSLError) as e:
            server.server_close()
            raise InputError(f"cannot load certificate/key: {e}", "--tls-cert") from None
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    return server


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
    addr = server.server_address
    names = ", ".join(webhook_names)
    print(
        f"serving {names} on {scheme}://{addr[0]}:{addr[1]} (/mutate, /validate, /healthz)",
        file=sys.stderr,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
