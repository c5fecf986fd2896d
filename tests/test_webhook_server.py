"""The AdmissionReview v1 webhook server (`initlab.admission.server`), over real sockets."""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import ssl
import subprocess
import threading
from pathlib import Path

import jsonpatch
import pytest

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
