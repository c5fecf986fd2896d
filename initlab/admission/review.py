"""The AdmissionReview `admission.k8s.io/v1` wire format, both ends of it.

The API server side builds the request (`webhookrequest.CreateAdmissionObjects`
in `staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/request/
admissionreview.go`) and checks the answer (`VerifyAdmissionResponse`, same
file). The webhook side answers with `allowed`, `warnings`, a `status` when
it denies, and for a mutation `patchType: JSONPatch` plus the patch,
base64-encoded in JSON because the Go field is `[]byte`.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Any

from initlab.api.pod import metadata

API_VERSION = "admission.k8s.io/v1"
KIND = "AdmissionReview"

POD_KIND = {"group": "", "version": "v1", "kind": "Pod"}
POD_RESOURCE = {"group": "", "version": "v1", "resource": "pods"}

#: Who creates the pod in our requests: kubeadm's admin user, as `kubectl apply` on kind.
DEFAULT_USER = {
    "username": "kubernetes-admin",
    "groups": ["kubeadm:cluster-admins", "system:authenticated"],
}


class InvalidResponse(Exception):
    """The webhook's answer breaks the protocol (`received invalid webhook response: ...`)."""


def request_uid(namespace: str, name: str, webhook: str, round_: int) -> str:
    """A UID for the request. Real API servers use a random UUID; ours is a
    name-based UUID (RFC 4122 v5) so that a learner's output is reproducible."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"initlab:{namespace}/{name}/{webhook}/{round_}"))


def make_request(
    pod: dict[str, Any],
    uid: str,
    *,
    namespace: str,
    dry_run: bool = False,
    user_info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An AdmissionReview v1 for `CREATE pods`, as `CreateAdmissionObjects` builds it.

    `name` is omitted when the pod only has a `generateName` (the API server
    has not picked the name yet when admission runs).
    """
    meta = metadata(pod)
    request: dict[str, Any] = {
        "uid": uid,
        "kind": dict(POD_KIND),
        "resource": dict(POD_RESOURCE),
        "requestKind": dict(POD_KIND),
        "requestResource": dict(POD_RESOURCE),
    }
    name = meta.get("name")
    if isinstance(name, str) and name:
        request["name"] = name
    request.update(
        {
            "namespace": namespace,
            "operation": "CREATE",
            "userInfo": json.loads(json.dumps(user_info or DEFAULT_USER)),
            "object": json.loads(json.dumps(pod)),
            "oldObject": None,
            "dryRun": dry_run,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        }
    )
    return {"apiVersion": API_VERSION, "kind": KIND, "request": request}


def encode_patch(ops: list[dict[str, Any]]) -> str:
    """The `patch` field on the wire: JSON, base64 (Go marshals `[]byte` that way)."""
    raw = json.dumps(ops, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(raw).decode("ascii")


def decode_patch(b64: Any) -> list[dict[str, Any]]:
    """Inverse of `encode_patch`; raises InvalidResponse on anything else."""
    if not isinstance(b64, str):
        raise InvalidResponse("response.patch must be a base64 string")
    try:
        ops = json.loads(base64.b64decode(b64, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise InvalidResponse(f"received undecodable patch in webhook response: {e}") from None
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise InvalidResponse("received undecodable patch in webhook response: not a JSON Patch")
    return ops


def make_response(
    uid: str,
    allowed: bool,
    *,
    patch: list[dict[str, Any]] | None = None,
    message: str = "",
    code: int | None = None,
    reason: str = "",
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """A webhook's answer, as a webhook server writes it.

    An empty patch is sent as no patch at all (the API server treats both
    the same: `len(result.Patch) == 0` → unchanged).
    """
    response: dict[str, Any] = {"uid": uid, "allowed": allowed}
    if not allowed:
        status: dict[str, Any] = {"status": "Failure"}
        if message:
            status["message"] = message
        if reason:
            status["reason"] = reason
        if code is not None:
            status["code"] = code
        response["status"] = status
    if patch:
        response["patchType"] = "JSONPatch"
        response["patch"] = encode_patch(patch)
    if warnings:
        response["warnings"] = list(warnings)
    return {"apiVersion": API_VERSION, "kind": KIND, "response": response}


def verify_response(uid: str, mutating: bool, review: Any) -> dict[str, Any]:
    """`VerifyAdmissionResponse` for v1: the checks and their error strings.

    Returns `{"allowed", "patch" (list), "status", "warnings"}`.
    """
    if not isinstance(review, dict):
        raise InvalidResponse("webhook response was absent")
    resp = review.get("response")
    if not isinstance(resp, dict):
        raise InvalidResponse("webhook response was absent")
    if resp.get("uid") != uid:
        raise InvalidResponse(f'expected response.uid="{uid}", got "{resp.get("uid") or ""}"')
    gvk = f"{review.get('apiVersion') or ''}, Kind={review.get('kind') or ''}"
    if review.get("apiVersion") != API_VERSION or review.get("kind") != KIND:
        raise InvalidResponse(f"expected webhook response of {API_VERSION}, Kind={KIND}, got {gvk}")
    patch_type = resp.get("patchType") or ""
    has_patch = bool(resp.get("patch"))
    if patch_type and patch_type != "JSONPatch":
        raise InvalidResponse(f'unsupported patch type "{patch_type}"')
    if mutating and has_patch and not patch_type:
        raise InvalidResponse("webhook returned response.patch but not response.patchType")
    if mutating and not has_patch and patch_type:
        raise InvalidResponse("webhook returned response.patchType but not response.patch")
    if not mutating and has_patch:
        raise InvalidResponse("validating webhook may not return response.patch")
    if not mutating and patch_type:
        raise InvalidResponse("validating webhook may not return response.patchType")
    warnings = resp.get("warnings") or []
    return {
        "allowed": resp.get("allowed") is True,
        "patch": decode_patch(resp["patch"]) if has_patch else [],
        "status": resp.get("status") if isinstance(resp.get("status"), dict) else None,
        "warnings": [w for w in warnings if isinstance(w, str)],
    }


def status_error(
    reason: str, code: int, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A `metav1.Status` of failure, as `apierrors.StatusError.ErrStatus` carries it.

    `reason` is a `metav1.StatusReason` (`Forbidden`, `Invalid`, `BadRequest`,
    `InternalError`) or "" for none; `details` as `StatusDetails`, when given.
    """
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
    }
    if reason:
        status["reason"] = reason
    if details is not None:
        status["details"] = details
    status["code"] = code
    return status


def forbidden_status(resource: str, name: str, err: str) -> dict[str, Any]:
    """`apierrors.NewForbidden`: `pods "web" is forbidden: <err>` (403), `pods is forbidden: ...`
    when the name is still empty."""
    who = f'{resource} "{name}"' if name else resource
    return status_error(
        "Forbidden", 403, f"{who} is forbidden: {err}", {"name": name, "kind": resource}
    )


def denial_status(webhook_name: str, result: dict[str, Any] | None) -> dict[str, Any]:
    """`webhook/errors/statuserror.go: ToStatusErr` — the Status the API server returns.

    Message: `admission webhook "<name>" denied the request: <message>` (or
    the reason, or `without explanation`); a code under 400 becomes 400 and
    the status is always Failure.
    """
    result = dict(result or {})
    denied_by = f'admission webhook "{webhook_name}" denied the request'
    raw_code, raw_message, raw_reason = (
        result.get("code"),
        result.get("message"),
        result.get("reason"),
    )
    code = raw_code if isinstance(raw_code, int) and raw_code >= 400 else 400
    message = raw_message if isinstance(raw_message, str) else ""
    reason = raw_reason if isinstance(raw_reason, str) else ""
    if message:
        text = f"{denied_by}: {message}"
    elif reason:
        text = f"{denied_by}: {reason}"
    else:
        text = f"{denied_by} without explanation"
    return status_error(reason, code, text)


def internal_error_status(message: str) -> dict[str, Any]:
    """`apierrors.NewInternalError`: 500, reason InternalError, `Internal error occurred: ...`."""
    return status_error(
        "InternalError",
        500,
        f"Internal error occurred: {message}",
        {"causes": [{"message": message}]},
    )
