"""What a person reads of an admission: each plugin's and webhook's decision, the patches, the diff.

The verdict line is kubectl's: `Error from server (Forbidden): pods "web" is
forbidden: ...`, or `pod/web created` followed by the API server's warnings
(`Warning: would violate PodSecurity ...`), as `kubectl apply` prints them.
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from initlab.admission.chain import AdmissionResult, PluginDecision, WebhookCall
from initlab.api.defaults import apply_defaults
from initlab.api.pod import init_containers, is_restartable_init_container, metadata
from initlab.api.printers import escape_terminal


def _yaml(obj: Any) -> str:
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=1000)


def _plugin_lines(d: PluginDecision) -> list[str]:
    head = f"[{d.type}] {d.plugin} (built-in admission plugin)"
    if d.reinvoked:
        head += " — run again on reinvocation (a webhook changed the pod)"
    lines = [head]
    lines += [f"  {n}" for n in d.notes]
    if d.patch:
        n = len(d.patch)
        lines.append(f"  changed the pod: {n} operation{'s' if n != 1 else ''}")
    if d.allowed:
        lines.append("  allowed")
    else:
        lines.append(f"  forbidden: {d.message}")
    lines += [f"  warning: {w}" for w in d.warnings]
    lines += [f"  audit annotation {k}: {v}" for k, v in d.audit_annotations.items()]
    return lines


def _webhook_lines(c: WebhookCall) -> list[str]:
    head = f"[{c.type}] {c.name} ({c.webhook})"
    if c.reinvoked:
        head += " — reinvoked (reinvocationPolicy: IfNeeded)"
    lines = [head]
    if not c.called:
        return lines + [f"  not called: {c.skipped}"]
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
        return lines
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
    return lines


def render_admission(result: AdmissionResult, original_pod: dict[str, Any] | None = None) -> str:
    """Each decision in the API server's order, each JSONPatch, the diff, the verdict.

    The diff is a unified diff of the pod as YAML, before (as the API server
    received it, defaulted) and after admission.
    """
    before = result.original if original_pod is None else apply_defaults(original_pod)
    meta = metadata(before)
    lines = [
        f"Admission of Pod {meta.get('namespace', 'default')}/{meta.get('name', '')} "
        "(CREATE pods, admission.k8s.io/v1)",
        "",
    ]
    for step in result.log:
        if isinstance(step, PluginDecision):
            lines += _plugin_lines(step)
        else:
            lines += _webhook_lines(step)
    for p in (p for p in result.patches if p["patch"]):
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
        lines += diff or ["No change: the admitted pod is the pod as sent."]
        lines.append("")
        order = [
            str(c.get("name", "?")) + (" (sidecar)" if is_restartable_init_container(c) else "")
            for c in init_containers(result.pod)
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
    lines += [f"Warning: {w}" for w in result.warnings]
    return escape_terminal("\n".join(lines) + "\n")
