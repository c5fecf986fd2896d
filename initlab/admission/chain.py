"""The API server's admission chain for `CREATE pods`: built-in plugins and dynamic webhooks.

What happens between `kubectl apply` and the pod being stored, as
kube-apiserver v1.33-v1.36 does it. The plugins run in the order of
`pkg/kubeapiserver/options/plugins.go` `AllOrderedPlugins`; of the
default-on ones, these act on a pod's init containers:

    LimitRanger (mutating + validating) ... PodSecurity (validating) ...
    MutatingAdmissionWebhook ... ValidatingAdmissionWebhook ... ResourceQuota

1. The object is decoded and **defaulted** (a wrongly typed field is a
   `BadRequest` before any plugin sees it).
2. **Mutating admission**, plugin by plugin: `LimitRanger.Admit` defaults
   requests and limits from the namespace's LimitRanges
   (`controllers/limitranger.py`), then the **mutating webhooks**, one after
   the other (`mutating/dispatcher.go: Dispatch`). For each: does it apply?
   (`generic/webhook.go: ShouldCallHook`: `rules`, `namespaceSelector` on the
   namespace's labels, `objectSelector` on the object's labels). If so it
   receives an AdmissionReview, answers, its JSONPatch is applied and the
   object defaulted again. A denial stops everything (`admission webhook
   "<name>" denied the request: <message>`, `errors/statuserror.go:
   ToStatusErr`); a failed call (`ErrCallingWebhook`) fails the request with
   `failurePolicy: Fail` and is skipped with `Ignore`.
3. **Reinvocation** (`staging/src/k8s.io/apiserver/pkg/admission/reinvocation.go`
   `reinvoker.Admit`): if any webhook changed the object, the *whole*
   mutating chain runs a second time: "Calling admit a second time will
   reinvoke all in-tree plugins as well as any webhook plugins that need to
   be reinvoked". So LimitRanger runs again and defaults the containers a
   webhook injected after its first run. Webhooks are called again only if
   `reinvocationPolicy: IfNeeded` and marked (`mutating/reinvocationcontext.go`):
   a change marks every IfNeeded webhook called before it (since the previous
   change); and when the in-tree plugins changed the object since the last
   webhook ran, the IfNeeded webhooks called after the last change are marked
   too (`IsOutputChangedSinceLastWebhookInvocation`). Never a third round;
   a webhook skipped in the first round is not called in the second.
4. **Validation** of the result (`validate_pod`): an injected init container
   that breaks a rule makes the whole pod invalid (422).
5. **Validating admission**, in plugin order, stopping at the first error:
   `LimitRanger.Validate` (min, max, ratios), `PodSecurity`
   (`controllers/podsecurity.py`; its warnings are returned even when the
   pod is admitted), the **validating webhooks** (called in parallel
   upstream, here in order; the first denial in order is reported), and
   `ResourceQuota` last (`controllers/resourcequota.py`), which charges the
   pod only once everything else has admitted it.

The built-in plugins act only when the namespace gives them something to
enforce (a LimitRange, `pod-security.kubernetes.io/*` labels, a
ResourceQuota); the report lists a plugin only then. Not modelled: the other
built-in plugins (ServiceAccount, Priority, DefaultTolerationSeconds...),
admission policies (CEL), `matchConditions`, sorting of configurations by
name (we keep the order you give), UPDATE/DELETE.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import jsonpatch

from initlab.admission.controllers import limitranger, podsecurity, resourcequota
from initlab.admission.controllers.namespace import Namespace
from initlab.admission.review import (
    InvalidResponse,
    denial_status,
    forbidden_status,
    internal_error_status,
    make_request,
    request_uid,
    status_error,
    verify_response,
)
from initlab.admission.webhooks import (
    WEBHOOKS,
    Context,
    Registration,
    Webhook,
    to_response,
)
from initlab.api.defaults import apply_defaults
from initlab.api.pod import metadata
from initlab.errors import InitlabError, InputError, one_line

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


def lookup(name: str, field_name: str = "webhooks") -> Webhook:
    """A built-in webhook by name, or an InputError (naming `field_name`) listing them."""
    hook = WEBHOOKS.get(name)
    if hook is None:
        known = ", ".join(WEBHOOKS)
        raise InputError(f'unknown webhook "{name}" (built-in: {known})', field_name)
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
    def plugin(self) -> str:
        """The admission plugin that made the call."""
        return (
            "MutatingAdmissionWebhook" if self.type == "mutating" else "ValidatingAdmissionWebhook"
        )

    @property
    def reinvoked(self) -> bool:
        return self.round == 1

    def to_json(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
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
class PluginDecision:
    """One decision of a built-in admission plugin (LimitRanger, PodSecurity, ResourceQuota)."""

    plugin: str
    type: str  # "mutating" | "validating"
    round: int = 0
    allowed: bool = True
    #: The plugin's error, as it words it (the chain adds `pods "<name>" is forbidden: `).
    message: str = ""
    patch: list[dict[str, Any]] = field(default_factory=list)
    #: What it did, one line each (what LimitRanger set, the policy, a quota's charge).
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)

    called = True

    @property
    def changed(self) -> bool:
        return bool(self.patch)

    @property
    def reinvoked(self) -> bool:
        return self.round == 1

    def to_json(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "type": self.type,
            "round": self.round,
            "reinvoked": self.reinvoked,
            "allowed": self.allowed,
            "message": self.message or None,
            "patch": self.patch,
            "changed": self.changed,
            "notes": self.notes,
            "warnings": self.warnings,
            "auditAnnotations": self.audit_annotations,
            **self.detail,
        }


Step = WebhookCall | PluginDecision


@dataclass
class AdmissionResult:
    """The outcome of `admit`: the pod as stored (or not), the patches, the log."""

    pod: dict[str, Any]
    original: dict[str, Any]
    allowed: bool = True
    status: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    #: Every decision, webhook calls and built-in plugins, in the order the API server made them.
    log: list[Step] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)

    @property
    def calls(self) -> list[WebhookCall]:
        """The webhook calls of the log, in order."""
        return [s for s in self.log if isinstance(s, WebhookCall)]

    @property
    def decisions(self) -> list[PluginDecision]:
        """The built-in plugins' decisions of the log, in order."""
        return [s for s in self.log if isinstance(s, PluginDecision)]

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
            "auditAnnotations": self.audit_annotations,
            "seconds": self.seconds,
            "log": [s.to_json() for s in self.log],
        }


class AdmissionRefused(InitlabError):
    """The API server refused the pod (exit 1); `str()` is what kubectl prints."""

    exit_code = 1

    def __init__(self, result: AdmissionResult) -> None:
        status = result.status or {}
        reason = status.get("reason")
        text = f"Error from server ({reason}): " if reason else "Error from server: "
        super().__init__(one_line(text + result.message))
        self.result = result


# -- the chain ------------------------------------------------------------------------------------


def _labels_of(obj: dict[str, Any]) -> dict[str, str]:
    labels = metadata(obj).get("labels")
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
    name = metadata(pod).get("name") or ""
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
            raise InputError(f"not a webhook: {w!r}", "webhooks")
        hook, regs = w.resolve()
        out += [(hook, r, w.behavior) for r in regs]
    return out


Planned = tuple[Webhook, Registration, str]


class _Stop(Exception):
    """The chain stopped: `result.status` says why."""


@dataclass
class _ReinvokeContext:
    """`mutating/reinvocationcontext.go` `webhookReinvokeContext`, with the chain's flag."""

    last_webhook_output: dict[str, Any] | None = None
    previously_invoked: set[int] = field(default_factory=set)
    reinvoke: set[int] = field(default_factory=set)
    should_reinvoke: bool = False  # `ReinvocationContext.SetShouldReinvoke`

    def require_reinvoking_previously_invoked(self) -> None:
        self.reinvoke |= self.previously_invoked
        self.previously_invoked = set()


class _Chain:
    """One `CREATE pods` request through the admission chain."""

    def __init__(
        self,
        pod: dict[str, Any],
        plan: list[Planned],
        namespace: Namespace,
        *,
        dry_run: bool,
        user_info: dict[str, Any] | None,
        annotations: dict[str, str],
    ) -> None:
        original = apply_defaults(pod) if isinstance(pod, dict) else {}
        self.result = AdmissionResult(pod=copy.deepcopy(original), original=original)
        meta = metadata(original)
        self.namespace = str(meta.get("namespace") or "default")
        self.name = str(meta.get("name") or meta.get("generateName") or "")
        self.ns = namespace
        self.ns_labels = {**namespace.labels, "kubernetes.io/metadata.name": self.namespace}
        self.ns_annotations = annotations
        self.mutating = [p for p in plan if p[0].mutating]
        self.validating = [p for p in plan if not p[0].mutating]
        self.dry_run = dry_run
        self.user_info = user_info
        self.reinvocation = _ReinvokeContext()

    # -- outcomes ----------------------------------------------------------------------------

    def _fail(self, status: dict[str, Any]) -> None:
        self.result.allowed = False
        self.result.status = status
        raise _Stop

    def _forbid(self, message: str, name: str | None = None) -> None:
        """`admission.NewForbidden`: the object's name, else its generateName, else Unknown."""
        self._fail(
            forbidden_status(
                "pods", limitranger.pod_name(self.result.pod) if name is None else name, message
            )
        )

    # -- the request ---------------------------------------------------------------------------

    def run(self, validate: bool) -> AdmissionResult:
        try:
            if validate:
                self._decode()
            self._mutating_admission(0)
            if self.reinvocation.should_reinvoke:
                self._mutating_admission(1)
            if validate:
                self._validate_object()
            self._limit_ranger_validate()
            self._pod_security()
            self._validating_webhooks()
            self._resource_quota()
        except _Stop:
            pass
        return self.result

    def _decode(self) -> None:
        """Wrongly typed fields: the API server cannot decode the Pod; no plugin sees it."""
        undecodable = _decoding_errors(self.result.original)
        if undecodable:
            self._fail(
                status_error(
                    "BadRequest",
                    400,
                    f'Pod in version "v1" cannot be handled as a Pod: {undecodable[0]}',
                )
            )

    def _mutating_admission(self, round_: int) -> None:
        """One pass of the mutating chain: the in-tree plugins, then the webhooks."""
        self._limit_ranger_admit(round_)
        self._mutating_webhooks(round_)

    # -- LimitRanger ---------------------------------------------------------------------------

    def _limit_ranger_admit(self, round_: int) -> None:
        """`LimitRanger.Admit`: `PodMutateLimitFunc` for each LimitRange of the namespace."""
        if not self.ns.limit_ranges:
            return
        before = self.result.pod
        after = copy.deepcopy(before)
        notes: list[str] = []
        for lr in self.ns.limit_ranges:
            set_ = limitranger.mutate(after, lr)
            name = lr.get("metadata", {}).get("name", "")
            notes += [f"LimitRange {name}: set {n}" for n in set_]
        patch = list(jsonpatch.make_patch(before, after).patch)
        self.result.pod = after
        self.result.log.append(
            PluginDecision(
                "LimitRanger",
                "mutating",
                round_,
                patch=patch,
                notes=notes
                or ["nothing to set: every container states what the LimitRanges default"],
            )
        )

    def _limit_ranger_validate(self) -> None:
        """`LimitRanger.Validate`: `PodValidateLimitFunc`; the first LimitRange with errors refuses."""
        if not self.ns.limit_ranges:
            return
        decision = PluginDecision("LimitRanger", "validating")
        self.result.log.append(decision)
        for lr in self.ns.limit_ranges:
            errs = limitranger.validate(self.result.pod, lr)
            if errs:
                decision.allowed = False
                decision.message = limitranger.aggregate_message(errs)
                self._forbid(decision.message)
        decision.notes.append("every container and the pod within min, max and ratios")

    # -- PodSecurity -----------------------------------------------------------------------------

    def _pod_security(self) -> None:
        """`PodSecurity.Validate`: enforce, audit, warn (`controllers/podsecurity.py`)."""
        if not podsecurity.has_labels(self.ns.labels):
            return
        d = podsecurity.evaluate(self.result.pod, self.ns.labels)
        annotations = {podsecurity.LABEL_PREFIX + k: v for k, v in d.audit_annotations.items()}
        p = d.policy
        decision = PluginDecision(
            "PodSecurity",
            "validating",
            allowed=d.allowed,
            message=d.message,
            notes=[f"enforce={p.enforce} audit={p.audit} warn={p.warn}"],
            warnings=list(d.warnings),
            audit_annotations=annotations,
            detail={
                "policy": {"enforce": str(p.enforce), "audit": str(p.audit), "warn": str(p.warn)}
            },
        )
        self.result.log.append(decision)
        self.result.audit_annotations.update(annotations)
        self.result.warnings += d.warnings
        if not d.allowed:
            # `forbiddenResponse` uses the request's name: empty before generateName is resolved.
            meta = self.result.pod.get("metadata") or {}
            self._forbid(d.message, str(meta.get("name") or ""))

    # -- ResourceQuota ---------------------------------------------------------------------------

    def _resource_quota(self) -> None:
        """`ResourceQuota.Validate` → `CheckRequest` (`controllers/resourcequota.py`)."""
        if not self.ns.resource_quotas:
            return
        err, charges = resourcequota.check(self.result.pod, self.ns.resource_quotas)
        usage = resourcequota.usage(self.result.pod)
        decision = PluginDecision(
            "ResourceQuota",
            "validating",
            allowed=not err,
            message=err,
            notes=[
                f"quota {c.name}: requested {resourcequota.pretty(c.requested)}; "
                f"used {resourcequota.pretty(c.used)} -> {resourcequota.pretty(c.new_used)} "
                f"of {resourcequota.pretty(c.hard)}"
                for c in charges
            ],
            detail={
                "usage": {k: str(usage[k]) for k in sorted(usage)},
                "charges": [c.to_json() for c in charges],
            },
        )
        self.result.log.append(decision)
        if err:
            self._forbid(err)

    # -- webhooks ----------------------------------------------------------------------------------

    def _call(self, hook: Webhook, reg: Registration, behavior: str, round_: int) -> WebhookCall:
        rec = WebhookCall(
            webhook=hook.key,
            name=reg.name,
            type=hook.type,
            round=round_,
            called=True,
            failure_policy=reg.failure_policy,
            reinvocation_policy=reg.reinvocation_policy,
        )
        uid = request_uid(self.namespace, self.name, reg.name, round_)
        review = make_request(
            self.result.pod,
            uid,
            namespace=self.namespace,
            dry_run=self.dry_run,
            user_info=self.user_info,
        )
        rec.request = review
        if behavior in ("timeout", "unreachable"):
            rec.failure = _failure_text(reg, behavior)
            rec.seconds = float(reg.timeout_seconds) if behavior == "timeout" else 0.0
            return rec
        ctx = Context(dict(hook.settings), self.ns_labels, dict(self.ns_annotations))
        try:
            wire = json.loads(json.dumps(review))
            verdict_in = hook.review(wire["request"], ctx)
            rec.note = verdict_in.note
            response = to_response(hook, wire["request"], verdict_in)
            if behavior == "bad-uid":
                response["response"]["uid"] = request_uid(self.namespace, self.name, reg.name, 99)
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
        self.result.warnings += verdict["warnings"]
        return rec

    def _skip_reason(self, reg: Registration) -> str:
        return _skip_reason(reg, self.ns_labels, self.result.pod, self.namespace)

    def _mutating_webhooks(self, round_: int) -> None:
        """`mutatingDispatcher.Dispatch`, with its reinvocation bookkeeping."""
        ctx = self.reinvocation
        if round_ == 1 and ctx.last_webhook_output != self.result.pod:
            # The in-tree plugins changed the object on reinvocation: reinvoke eligible webhooks.
            ctx.require_reinvoking_previously_invoked()
        try:
            for i, (hook, reg, behavior) in enumerate(self.mutating):
                skip = self._skip_reason(reg)
                if skip:
                    if round_ == 0:
                        self.result.log.append(
                            WebhookCall(hook.key, reg.name, hook.type, skipped=skip, round=round_)
                        )
                    continue
                if round_ == 1 and i not in ctx.reinvoke:
                    continue
                rec = self._call(hook, reg, behavior, round_)
                self.result.log.append(rec)
                if rec.failure:
                    if rec.failure_policy != "Ignore":
                        self._fail(internal_error_status(rec.failure))
                    rec.ignored = True
                elif rec.allowed is False:
                    status = (rec.response or {}).get("response", {}).get("status")
                    self._fail(denial_status(rec.name, status))
                elif rec.patch:
                    self._apply_patch(rec)
                if rec.changed:
                    ctx.require_reinvoking_previously_invoked()
                    ctx.should_reinvoke = True
                if reg.reinvocation_policy == "IfNeeded":
                    ctx.previously_invoked.add(i)
        finally:
            ctx.last_webhook_output = copy.deepcopy(self.result.pod)

    def _apply_patch(self, rec: WebhookCall) -> None:
        try:
            patched = jsonpatch.apply_patch(self.result.pod, rec.patch)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as e:
            rec.failure = f"the patch does not apply: {e}"
            self._fail(internal_error_status(str(e)))
        rec.changed = patched != self.result.pod
        defaulted = apply_defaults(patched)
        rec.defaulted = list(jsonpatch.make_patch(patched, defaulted).patch)
        self.result.pod = defaulted

    def _validate_object(self) -> None:
        """The registry's `Validate` of the mutated object (422 Invalid)."""
        errors = _validate(self.result.pod)
        if errors:
            self._fail(status_error("Invalid", 422, _invalid_message(self.result.pod, errors)))

    def _validating_webhooks(self) -> None:
        """`validating/dispatcher.go`: every matching webhook is called; the first error wins."""
        first_error: dict[str, Any] | None = None
        for hook, reg, behavior in self.validating:
            skip = self._skip_reason(reg)
            if skip:
                self.result.log.append(WebhookCall(hook.key, reg.name, hook.type, skipped=skip))
                continue
            rec = self._call(hook, reg, behavior, 0)
            self.result.log.append(rec)
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
            self._fail(first_error)


def admit(
    pod: dict[str, Any],
    webhooks: Sequence[str | WebhookConfig | Webhook] = (),
    namespace_labels: dict[str, str] | None = None,
    *,
    namespace: Namespace | None = None,
    namespace_annotations: dict[str, str] | None = None,
    dry_run: bool = False,
    user_info: dict[str, Any] | None = None,
    validate: bool = True,
) -> AdmissionResult:
    """Send `pod` through the admission chain (`CREATE pods`) with these webhooks.

    `webhooks` are built-in names (see `WEBHOOKS`) or `WebhookConfig`s, in
    the order the API server would call them; mutating ones run first, then
    validating ones. `namespace` gives the built-in plugins their objects
    (labels, LimitRanges, ResourceQuotas); `namespace_labels` are added to its
    labels, and `kubernetes.io/metadata.name` is added as the API server does
    for every namespace. Raises InputError for an unknown webhook.
    """
    plan = _resolve(list(webhooks))
    ns = namespace or Namespace()
    if namespace_labels:
        ns = replace(ns, labels={**ns.labels, **namespace_labels})
    chain = _Chain(
        pod,
        plan,
        ns,
        dry_run=dry_run,
        user_info=user_info,
        annotations=dict(namespace_annotations or {}),
    )
    return chain.run(validate)


def admit_or_raise(pod: dict[str, Any], namespace: Namespace) -> AdmissionResult:
    """The pod through the built-in plugins of `namespace` (no webhooks); AdmissionRefused if refused."""
    result = admit(pod, [], namespace=namespace)
    if not result.allowed:
        raise AdmissionRefused(result)
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
    from initlab.api.validation import decoding_errors

    return decoding_errors(pod)


def _validate(pod: dict[str, Any]) -> list[Any]:
    from initlab.api.validation import validate_pod

    return list(validate_pod(pod))
