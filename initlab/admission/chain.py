"""The API server's admission chain for `CREATE pods`, with dynamic webhooks.

What happens between `kubectl apply` and the pod being stored, as
kube-apiserver does it (Kubernetes docs, "Dynamic Admission Control";
`staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/`):

1. The object is decoded and **defaulted**.
2. **Mutating webhooks**, one after the other (`mutating/dispatcher.go:
   Dispatch`). For each: does it apply? (`generic/webhook.go: ShouldCallHook`:
   `rules`, then `namespaceSelector` on the namespace's labels,
   `objectSelector` on the object's labels — `predicates/namespace`,
   `predicates/object`). If so it receives an AdmissionReview, answers, and
   its JSONPatch is applied; the object is defaulted again.
   - a denial stops everything: `admission webhook "<name>" denied the
     request: <message>` (`errors/statuserror.go: ToStatusErr`), whatever
     the failurePolicy;
   - a call that fails (timeout, no endpoints, a malformed answer) is an
     `ErrCallingWebhook`: with `failurePolicy: Fail` the request fails
     (`Internal error occurred: failed calling webhook ...`); with
     `Ignore` it "fails open" and the chain goes on;
   - reinvocation (`reinvocationPolicy: IfNeeded`): when a webhook changes
     the object, every *earlier* IfNeeded webhook is marked; after the
     first pass, the marked ones are called once more, in order
     (`mutating/reinvocationcontext.go`, `admission/reinvocation.go`). Never
     a third time, and a webhook skipped in the first pass is not called in
     the second.
3. **Validation** of the result (`validate_pod`): an injected init
   container that breaks a rule makes the whole pod invalid.
4. **Validating webhooks** (`validating/dispatcher.go`): called in
   parallel upstream (here in order); any denial rejects the pod; no patch.

Not modelled: the in-tree admission plugins (ServiceAccount, LimitRanger,
PodSecurity...), `matchConditions`, `matchPolicy` equivalents, sorting of
configurations by name (we keep the order you give), UPDATE/DELETE.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field, replace
from typing import Any

import jsonpatch
import yaml

from initlab.admission.review import (
    InvalidResponse,
    denial_status,
    internal_error_status,
    make_request,
    request_uid,
    verify_response,
)
from initlab.admission.webhooks import (
    WEBHOOKS,
    Context,
    Registration,
    Webhook,
    to_response,
)
from initlab.api.loader import apply_defaults
from initlab.errors import InputError

#: What a configured webhook does when called, for teaching failures.
BEHAVIORS = ("respond", "timeout", "unreachable", "bad-uid")

_UNSET: Any = object()


@dataclass(frozen=True)
class WebhookConfig:
    """A webhook as installed in the cluster: a built-in (or a `Webhook`) plus overrides.

    `behavior` makes the backend misbehave: `timeout` (answers after
    timeoutSeconds), `unreachable` (the Service has no endpoints), `bad-uid`
    (answers with another request's uid). Selectors given here replace the
    real project's; pass `None` for "match everything".
    """

    webhook: str | Webhook
    failure_policy: str | None = None
    reinvocation_policy: str | None = None
    timeout_seconds: int | None = None
    namespace_selector: Any = _UNSET
    object_selector: Any = _UNSET
    behavior: str = "respond"
    settings: dict[str, Any] | None = None

    def resolve(self) -> tuple[Webhook, list[Registration]]:
        """The webhook and its registrations with the overrides applied."""
        if isinstance(self.webhook, Webhook):
            hook = self.webhook
        else:
            hook = lookup(self.webhook)
        if self.behavior not in BEHAVIORS:
            raise InputError(
                f'unsupported value "{self.behavior}": supported values: '
                + ", ".join(f'"{b}"' for b in BEHAVIORS),
                "behavior",
            )
        if self.settings:
            hook = Webhook(
                hook.key,
                hook.type,
                hook.handler,
                hook.registrations,
                {**hook.settings, **self.settings},
                hook.summary,
                hook.source,
            )
        regs = []
        for r in hook.registrations:
            changes: dict[str, Any] = {}
            if self.failure_policy is not None:
                _check_enum(self.failure_policy, ("Fail", "Ignore"), "failurePolicy")
                changes["failure_policy"] = self.failure_policy
            if self.reinvocation_policy is not None:
                _check_enum(self.reinvocation_policy, ("Never", "IfNeeded"), "reinvocationPolicy")
                changes["reinvocation_policy"] = self.reinvocation_policy
            if self.timeout_seconds is not None:
                if not 1 <= self.timeout_seconds <= 30:
                    raise InputError(
                        "Invalid value: the timeout value must be between 1 and 30 seconds",
                        "timeoutSeconds",
                    )
                changes["timeout_seconds"] = self.timeout_seconds
            if self.namespace_selector is not _UNSET:
                changes["namespace_selector"] = self.namespace_selector
            if self.object_selector is not _UNSET:
                changes["object_selector"] = self.object_selector
            regs.append(replace(r, **changes))
        return hook, regs


def _check_enum(value: str, allowed: tuple[str, ...], field_name: str) -> None:
    if value not in allowed:
        supported = ", ".join(f'"{a}"' for a in allowed)
        raise InputError(f'Unsupported value: "{value}": supported values: {supported}', field_name)


def lookup(name: str) -> Webhook:
    """A built-in webhook by name, or an InputError listing them."""
    hook = WEBHOOKS.get(name)
    if hook is None:
        known = ", ".join(WEBHOOKS)
        raise InputError(f'unknown webhook "{name}" (built-in: {known})', "--webhook")
    return hook


# -- label selectors --------------------------------------------------------------------------


def selector_matches(selector: Any, labels: dict[str, str]) -> bool:
    """`metav1.LabelSelectorAsSelector` + `Matches`: matchLabels AND every matchExpression.

    In: the key is present and its value is listed. NotIn: absent, or its
    value is not listed. Exists / DoesNotExist: on the key only. A nil or
    empty selector matches everything (`predicates/*/matcher.go`:
    `selector.Empty()` → true).
    """
    if not selector:
        return True
    if not isinstance(selector, dict):
        raise InputError("must be a label selector", "namespaceSelector")
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key")
        op = expr.get("operator")
        values = expr.get("values") or []
        if op == "In":
            ok = key in labels and labels[key] in values
        elif op == "NotIn":
            ok = key not in labels or labels[key] not in values
        elif op == "Exists":
            ok = key in labels
        elif op == "DoesNotExist":
            ok = key not in labels
        else:
            raise InputError(f'"{op}" is not a valid label selector operator', "matchExpressions")
        if not ok:
            return False
    return True


def describe_selector(selector: Any) -> str:
    """A selector in `kubectl describe` style: `istio-injection in (enabled),!istio.io/rev`."""
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for e in selector.get("matchExpressions") or []:
        op, key, vals = e.get("operator"), e.get("key"), ",".join(e.get("values") or [])
        parts.append(
            {
                "In": f"{key} in ({vals})",
                "NotIn": f"{key} notin ({vals})",
                "Exists": f"{key}",
                "DoesNotExist": f"!{key}",
            }.get(op, f"{key} {op}")
        )
    return ",".join(parts)


# -- the result ---------------------------------------------------------------------------------


@dataclass
class WebhookCall:
    """One line of the chain's log: a webhook considered, called or not, and what came of it."""

    webhook: str  # the built-in's key, e.g. "istio"
    name: str  # the admission webhook's name, e.g. "namespace.sidecar-injector.istio.io"
    type: str
    round: int = 0
    called: bool = False
    skipped: str = ""
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    allowed: bool | None = None
    patch: list[dict[str, Any]] = field(default_factory=list)
    changed: bool = False
    defaulted: list[dict[str, Any]] = field(default_factory=list)
    failure: str = ""
    ignored: bool = False
    failure_policy: str = "Fail"
    reinvocation_policy: str = "Never"
    seconds: float = 0.0
    note: str = ""

    @property
    def reinvoked(self) -> bool:
        return self.round == 1

    def to_json(self) -> dict[str, Any]:
        return {
            "webhook": self.webhook,
            "name": self.name,
            "type": self.type,
            "round": self.round,
            "reinvoked": self.reinvoked,
            "called": self.called,
            "skipped": self.skipped or None,
            "failurePolicy": self.failure_policy,
            "reinvocationPolicy": self.reinvocation_policy,
            "allowed": self.allowed,
            "patch": self.patch,
            "changed": self.changed,
            "failure": self.failure or None,
            "ignoredFailure": self.ignored,
            "seconds": self.seconds,
            "note": self.note or None,
            "request": self.request,
            "response": self.response,
        }


@dataclass
class AdmissionResult:
    """The outcome of `admit`: the pod as stored (or not), the patches, the log."""

    pod: dict[str, Any]
    original: dict[str, Any]
    allowed: bool = True
    status: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    calls: list[WebhookCall] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(self.status.get("message", "")) if self.status else ""

    @property
    def patches(self) -> list[dict[str, Any]]:
        """Each applied mutating response, in order: `{"webhook", "name", "round", "patch"}`."""
        return [
            {"webhook": c.webhook, "name": c.name, "round": c.round, "patch": c.patch}
            for c in self.calls
            if c.type == "mutating" and c.called and c.allowed and not c.failure
        ]

    @property
    def seconds(self) -> float:
        """How long admission took, counting only webhook time (timeouts add up)."""
        return sum(c.seconds for c in self.calls)

    def to_json(self) -> dict[str, Any]:
        return {
            "pod": self.pod,
            "patches": self.patches,
            "allowed": self.allowed,
            "status": self.status,
            "message": self.message or None,
            "warnings": self.warnings,
            "seconds": self.seconds,
            "log": [c.to_json() for c in self.calls],
        }


# -- the chain ------------------------------------------------------------------------------------


def _labels_of(obj: dict[str, Any]) -> dict[str, str]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    labels = meta.get("labels")
    return (
        {k: v for k, v in labels.items() if isinstance(v, str)} if isinstance(labels, dict) else {}
    )


def _failure_text(reg: Registration, behavior: str) -> str:
    """`ErrCallingWebhook.Error()`: `failed calling webhook "<name>": failed to call webhook: ...`."""
    url = reg.url()
    service = reg.service.split(".", 1)[0]
    reason = {
        "timeout": f'Post "{url}": context deadline exceeded',
        "unreachable": f'Post "{url}": no endpoints available for service "{service}"',
    }[behavior]
    return f'failed calling webhook "{reg.name}": failed to call webhook: {reason}'


def _invalid_message(pod: dict[str, Any], errors: list[Any]) -> str:
    """`apierrors.NewInvalid`: `Pod "<name>" is invalid: <err>` or `[<err>, <err>]`."""
    meta = pod.get("metadata") if isinstance(pod.get("metadata"), dict) else {}
    name = meta.get("name") or ""
    agg = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(str(e) for e in errors) + "]"
    return f'Pod "{name}" is invalid: {agg}'


def _resolve(webhooks: list[Any]) -> list[tuple[Webhook, Registration, str]]:
    out = []
    for w in webhooks:
        if isinstance(w, str):
            w = WebhookConfig(w)
        elif isinstance(w, Webhook):
            w = WebhookConfig(w)
        if not isinstance(w, WebhookConfig):
            raise InputError(f"not a webhook: {w!r}", "--webhook")
        hook, regs = w.resolve()
        out += [(hook, r, w.behavior) for r in regs]
    return out


def admit(
    pod: dict[str, Any],
    webhooks: list[str] | list[WebhookConfig] | list[Any],
    namespace_labels: dict[str, str] | None = None,
    *,
    namespace_annotations: dict[str, str] | None = None,
    dry_run: bool = False,
    user_info: dict[str, Any] | None = None,
    validate: bool = True,
) -> AdmissionResult:
    """Send `pod` through the admission chain (`CREATE pods`) with these webhooks.

    `webhooks` are built-in names (see `WEBHOOKS`) or `WebhookConfig`s, in
    the order the API server would call them; mutating ones run first, then
    validating ones. `namespace_labels` are the labels of the pod's
    namespace; `kubernetes.io/metadata.name` is added as the API server
    does for every namespace. Raises InputError for an unknown webhook.
    """
    plan = _resolve(list(webhooks))
    original = apply_defaults(pod) if isinstance(pod, dict) else {}
    obj = copy.deepcopy(original)
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    namespace = str(meta.get("namespace") or "default")
    name = str(meta.get("name") or meta.get("generateName") or "")
    ns_labels = {**(namespace_labels or {}), "kubernetes.io/metadata.name": namespace}
    ctx_ns = (ns_labels, dict(namespace_annotations or {}))
    result = AdmissionResult(pod=obj, original=original)
    undecodable = _decoding_errors(original) if validate else []
    if undecodable:
        # The API server could not even decode this into a Pod: no webhook ever sees it.
        result.allowed = False
        result.status = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f'Pod in version "v1" cannot be handled as a Pod: {undecodable[0]}',
            "reason": "BadRequest",
            "code": 400,
        }
        return result

    def call(hook: Webhook, reg: Registration, behavior: str, round_: int) -> WebhookCall:
        rec = WebhookCall(
            webhook=hook.key,
            name=reg.name,
            type=hook.type,
            round=round_,
            called=True,
            failure_policy=reg.failure_policy,
            reinvocation_policy=reg.reinvocation_policy,
        )
        uid = request_uid(namespace, name, reg.name, round_)
        review = make_request(
            result.pod, uid, namespace=namespace, dry_run=dry_run, user_info=user_info
        )
        rec.request = review
        if behavior in ("timeout", "unreachable"):
            rec.failure = _failure_text(reg, behavior)
            rec.seconds = float(reg.timeout_seconds) if behavior == "timeout" else 0.0
            return rec
        ctx = Context(dict(hook.settings), ctx_ns[0], ctx_ns[1])
        try:
            wire = json.loads(json.dumps(review))
            verdict_in = hook.review(wire["request"], ctx)
            rec.note = verdict_in.note
            response = to_response(hook, wire["request"], verdict_in)
            if behavior == "bad-uid":
                response["response"]["uid"] = request_uid(namespace, name, reg.name, 99)
            response = json.loads(json.dumps(response))
        except Exception as e:  # a bug in a handler is a webhook answering 500
            rec.failure = (
                f'failed calling webhook "{reg.name}": failed to call webhook: '
                f"an error on the server ({type(e).__name__}) has prevented the request "
                "from succeeding"
            )
            return rec
        rec.response = response
        try:
            verdict = verify_response(uid, hook.mutating, response)
        except InvalidResponse as e:
            rec.failure = (
                f'failed calling webhook "{reg.name}": received invalid webhook response: {e}'
            )
            return rec
        rec.allowed = verdict["allowed"]
        rec.patch = verdict["patch"]
        result.warnings += verdict["warnings"]
        return rec

    def handle_failure(rec: WebhookCall) -> bool:
        """Fail or fail open; True when the chain must stop."""
        if not rec.failure:
            return False
        if rec.failure_policy == "Ignore":
            rec.ignored = True
            return False
        result.allowed = False
        result.status = internal_error_status(rec.failure)
        return True

    def deny(rec: WebhookCall) -> None:
        result.allowed = False
        status = (rec.response or {}).get("response", {}).get("status")
        result.status = denial_status(rec.name, status)

    # -- mutating: first pass, then the reinvocation pass -------------------------------------
    mutating = [(h, r, b) for h, r, b in plan if h.mutating]
    validating = [(h, r, b) for h, r, b in plan if not h.mutating]
    previously: set[int] = set()
    reinvoke: set[int] = set()
    should_reinvoke = False
    for round_ in (0, 1):
        if round_ == 1 and not should_reinvoke:
            break
        for i, (hook, reg, behavior) in enumerate(mutating):
            if round_ == 1 and i not in reinvoke:
                continue
            skip = _skip_reason(reg, ns_labels, result.pod, namespace)
            if skip:
                if round_ == 0:
                    result.calls.append(
                        WebhookCall(hook.key, reg.name, hook.type, skipped=skip, round=round_)
                    )
                continue
            rec = call(hook, reg, behavior, round_)
            result.calls.append(rec)
            if handle_failure(rec):
                return result
            if rec.allowed is False:
                deny(rec)
                return result
            if rec.patch and not rec.failure:
                try:
                    patched = jsonpatch.apply_patch(result.pod, rec.patch)
                except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as e:
                    result.allowed = False
                    result.status = internal_error_status(str(e))
                    rec.failure = f"the patch does not apply: {e}"
                    return result
                rec.changed = patched != result.pod
                defaulted = apply_defaults(patched)
                rec.defaulted = list(jsonpatch.make_patch(patched, defaulted).patch)
                result.pod = defaulted
            if round_ == 0:
                if rec.changed:
                    reinvoke |= previously
                    previously = set()
                    should_reinvoke = True
                if reg.reinvocation_policy == "IfNeeded":
                    previously.add(i)

    # -- validation of the mutated object -----------------------------------------------------
    if validate:
        errors = _validate(result.pod)
        if errors:
            result.allowed = False
            result.status = {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": _invalid_message(result.pod, errors),
                "reason": "Invalid",
                "code": 422,
            }
            return result

    # -- validating webhooks ---------------------------------------------------------------
    first_error: dict[str, Any] | None = None
    for hook, reg, behavior in validating:
        skip = _skip_reason(reg, ns_labels, result.pod, namespace)
        if skip:
            result.calls.append(WebhookCall(hook.key, reg.name, hook.type, skipped=skip))
            continue
        rec = call(hook, reg, behavior, 0)
        result.calls.append(rec)
        if rec.failure:
            if reg.failure_policy == "Ignore":
                rec.ignored = True
            elif first_error is None:
                first_error = internal_error_status(rec.failure)
            continue
        if rec.allowed is False and first_error is None:
            status = (rec.response or {}).get("response", {}).get("status")
            first_error = denial_status(rec.name, status)
    if first_error is not None:
        result.allowed = False
        result.status = first_error
    return result


def _skip_reason(
    reg: Registration, ns_labels: dict[str, str], obj: dict[str, Any], namespace: str
) -> str:
    if not selector_matches(reg.namespace_selector, ns_labels):
        return (
            f"namespaceSelector {describe_selector(reg.namespace_selector)} does not match "
            f'namespace "{namespace}" (labels: {_fmt_labels(ns_labels)})'
        )
    labels = _labels_of(obj)
    if not selector_matches(reg.object_selector, labels):
        return (
            f"objectSelector {describe_selector(reg.object_selector)} does not match "
            f"the pod's labels ({_fmt_labels(labels)})"
        )
    return ""


def _fmt_labels(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in labels.items()) or "<none>"


def _decoding_errors(pod: dict[str, Any]) -> list[Any]:
    """Wrongly typed fields, which the API server refuses while decoding, before admission."""
    return [
        e for e in _validate(pod) if str(getattr(e, "detail", "")).startswith("must be of type")
    ]


def _validate(pod: dict[str, Any]) -> list[Any]:
    from initlab.api.validation import validate_pod

    return list(validate_pod(pod))


# -- rendering ------------------------------------------------------------------------------------


def _yaml(obj: Any) -> str:
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=1000)


def render_admission(result: AdmissionResult, original_pod: dict[str, Any] | None = None) -> str:
    """What a person reads: each webhook's fate, its JSONPatch, the diff, the verdict.

    The diff is a unified diff of the pod as YAML, before (as the API server
    received it, defaulted) and after admission.
    """
    before = result.original if original_pod is None else apply_defaults(original_pod)
    lines: list[str] = []
    meta = before.get("metadata") if isinstance(before.get("metadata"), dict) else {}
    lines.append(
        f"Admission of Pod {meta.get('namespace', 'default')}/{meta.get('name', '')} "
        "(CREATE pods, admission.k8s.io/v1)"
    )
    lines.append("")
    for c in result.calls:
        head = f"[{c.type}] {c.name} ({c.webhook})"
        if c.reinvoked:
            head += " — reinvoked (reinvocationPolicy: IfNeeded)"
        lines.append(head)
        if not c.called:
            lines.append(f"  not called: {c.skipped}")
            continue
        uid = (c.request or {}).get("request", {}).get("uid", "")
        lines.append(f"  request uid {uid}, failurePolicy {c.failure_policy}")
        if c.failure:
            lines.append(f"  {c.failure}")
            if c.ignored:
                lines.append("  failurePolicy Ignore: failing open, the pod goes on without it")
            else:
                lines.append("  failurePolicy Fail: the request is rejected")
            if c.seconds:
                lines.append(f"  (the API server waited {c.seconds:g} s)")
            continue
        if c.allowed is False:
            lines.append("  allowed: false")
        elif c.type == "mutating":
            n = len(c.patch)
            lines.append(
                f"  allowed: true, patchType: JSONPatch, {n} operation{'s' if n != 1 else ''}"
                + ("" if c.changed or not n else " (no change)")
            )
        else:
            lines.append("  allowed: true")
        if c.note:
            lines.append(f"  {c.note}")
    patches = [p for p in result.patches if p["patch"]]
    for p in patches:
        lines.append("")
        round_note = " (reinvocation)" if p["round"] else ""
        lines.append(f"JSONPatch from {p['name']}{round_note}:")
        lines += ["  " + s for s in _yaml(p["patch"]).rstrip("\n").split("\n")]
    lines.append("")
    if result.allowed:
        diff = list(
            difflib.unified_diff(
                _yaml(before).splitlines(),
                _yaml(result.pod).splitlines(),
                "pod (as sent)",
                "pod (admitted)",
                lineterm="",
            )
        )
        if diff:
            lines += diff
        else:
            lines.append("No change: the admitted pod is the pod as sent.")
        lines.append("")
        inits = result.pod.get("spec", {}).get("initContainers") or []
        order = [
            c.get("name", "?") + (" (sidecar)" if c.get("restartPolicy") == "Always" else "")
            for c in inits
            if isinstance(c, dict)
        ]
        lines.append(
            "Init containers, in the order the kubelet runs them: " + (", ".join(order) or "none")
        )
        lines.append(f"pod/{meta.get('name', '')} created")
    else:
        status = result.status or {}
        reason = status.get("reason")
        if status.get("code") == 422:
            lines.append(f"The {result.message}")
        elif reason:
            lines.append(f"Error from server ({reason}): {result.message}")
        else:
            lines.append(f"Error from server: {result.message}")
    for w in result.warnings:
        lines.append(f"Warning: {w}")
    return "\n".join(lines) + "\n"
