"""The explorers' state: what each live explorer knows and shows, with no display.

Each class here holds one explorer's scenario, its simulated run, the
learner's choices and the last error, and computes every view the panel
shows as text or HTML (`views()`). `initlab.book.widgets` wraps each one in a
thin ipywidgets panel; tests and notebooks can drive these directly. This
module never imports ipywidgets.

Bad input never raises here: the error is one line (`.error`, with the field
path for an invalid pod) and the previous run stays.

- `ExplorerState`: step through a run (`kubectl get pod`, the events so far,
  the timeline with a cursor).
- `WhatIfState`: restartPolicy, a failing init container, a deadline, a native
  sidecar, a sandbox restart; re-simulated on every change.
- `ResourceState`: requests/limits in, effective request/limit, QoS and fit out.
- `AdmissionState`: mutating webhooks in, their patches and the start-up out.
- `DebugState`: a broken pod to diagnose from status, events and logs.
"""

from __future__ import annotations

import copy
import html
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from initlab.api.pod import (
    as_dict,
    as_float,
    as_list,
    init_containers,
    is_restartable_init_container,
    regular_containers,
)
from initlab.book import debug
from initlab.book.debug import DIAGNOSES, FIXES
from initlab.book.messages import one_line
from initlab.book.player import describe_events, get_table
from initlab.book.source import scenario_document, source_text
from initlab.book.svg import svg_timeline
from initlab.book.timeline import fmt_time, status_spans, timeline_of
from initlab.errors import InitlabError

__all__ = [
    "ExplorerState",
    "WhatIfState",
    "ResourceState",
    "AdmissionState",
    "DebugState",
    "CheckResult",
    "DEBUG_CASES",
    "DIAGNOSES",
    "FIXES",
    "RESOURCE_FIELDS",
    "RESTART_POLICIES",
    "pre_html",
    "error_html",
]


_UIDS = itertools.count(1)


def _next_uid(prefix: str) -> str:
    """Element-id prefix for one explorer's SVG: unique on the page, the same on every re-run."""
    return f"{prefix}{next(_UIDS)}"


def pre_html(text: str) -> str:
    """`text` as an escaped, monospaced block (a terminal's output)."""
    return (
        '<pre style="font-family:monospace;font-size:12px;background:#f7f7f7;padding:6px;'
        f'margin:4px 0;overflow-x:auto;white-space:pre">{html.escape(text)}</pre>'
    )


def error_html(error: str | None) -> str:
    """The one-line error as a red-edged box; "" when there is none."""
    if not error:
        return ""
    return (
        '<div style="color:#000;background:#FBE3D6;border-left:4px solid #D55E00;'
        f'padding:4px 8px;font-family:monospace;font-size:12px">{html.escape(error)}</div>'
    )


def _simulate(scenario: Any) -> tuple[Any, str | None]:
    """(Result, None) or (None, one-line error): a bad scenario never raises in an explorer."""
    from initlab.sim.simulator import simulate

    try:
        return simulate(scenario), None
    except Exception as e:  # noqa: BLE001 - a learner's typo must not raise in a widget
        return None, one_line(e)


def _editor_text(scenario: Any) -> str:
    """The scenario as the editor shows it: a file's own text, YAML for a dict, text as is."""
    if scenario is None:
        return ""
    try:
        return source_text(scenario) or ""
    except (OSError, ValueError, InitlabError, yaml.YAMLError):
        return str(scenario) if isinstance(scenario, str | Path) else ""


def _as_scenario(pod_or_scenario: Any) -> dict[str, Any]:
    """A scenario dict from a Pod dict, a scenario dict, YAML text or a path.

    Read by `initlab.sim.scenario.load_scenario` (the one reader: bounded,
    validated, one-line errors) and written back as the scenario format's
    mapping, which the what-if lab then edits.
    """
    from initlab.sim.scenario import load_scenario

    if isinstance(pod_or_scenario, str) and "\n" in pod_or_scenario:
        pod_or_scenario = (
            pod_or_scenario if pod_or_scenario.endswith("\n") else pod_or_scenario + "\n"
        )
    return copy.deepcopy(scenario_document(load_scenario(pod_or_scenario)))


def _last(result: Any) -> dict[str, Any]:
    """The last snapshot of a run ({} when there is none)."""
    snaps = timeline_of(result) if result is not None else []
    return snaps[-1] if snaps else {}


# --------------------------------------------------------------------------- explorer


class ExplorerState:
    """Step through one simulated run: get line, events so far, timeline with cursor.

    `.snapshot` is the snapshot at the cursor, `.step()` / `.back()` / `.goto()`
    move it, `.load(scenario)` re-simulates (keeping the previous run if the new
    one is bad, with `.error` set). `.source` is the scenario as the editor shows it.
    """

    def __init__(self, scenario: Any = None) -> None:
        self.result: Any = None
        self.error: str | None = None
        self.index = 0
        self.source = _editor_text(scenario)
        self.prefix = _next_uid("ilx")
        if scenario is not None:
            self.load(scenario)

    @property
    def snapshots(self) -> list[dict[str, Any]]:
        """Every snapshot of the current run ([] before a successful load)."""
        return timeline_of(self.result) if self.result is not None else []

    @property
    def last_index(self) -> int:
        """The cursor's largest value (0 with no run)."""
        return max(len(self.snapshots) - 1, 0)

    @property
    def snapshot(self) -> dict[str, Any]:
        """The snapshot at the cursor (the snapshot shape of docs/contracts.md); {} with no run."""
        snaps = self.snapshots
        return snaps[self.index] if snaps else {}

    @property
    def t(self) -> float:
        """Simulated time at the cursor, seconds."""
        return as_float(self.snapshot.get("t"))

    def step(self) -> dict[str, Any]:
        """Move to the next snapshot (stays on the last one); returns it."""
        return self.goto(self.index + 1)

    def back(self) -> dict[str, Any]:
        """Move to the previous snapshot (stays on the first one); returns it."""
        return self.goto(self.index - 1)

    def goto(self, index: int) -> dict[str, Any]:
        """Move the cursor to snapshot `index` (clamped); returns that snapshot."""
        self.index = max(0, min(int(index), self.last_index))
        return self.snapshot

    def load(self, scenario: Any) -> ExplorerState:
        """Re-simulate `scenario` (dict, YAML text or path) and move to its start.

        A bad scenario leaves the previous run in place and sets `.error`; the
        editor text becomes what was submitted either way.
        """
        result, self.error = _simulate(scenario)
        self.source = _editor_text(scenario)
        if result is not None:
            self.result = result
            self.index = 0
        return self

    @property
    def get_text(self) -> str:
        """`kubectl get pod` (header + row) at the cursor."""
        return get_table(self.result, self.t, self.index) if self.result is not None else ""

    @property
    def events_text(self) -> str:
        """`kubectl describe pod` Events up to the cursor."""
        return describe_events(self.result, self.t) if self.result is not None else ""

    @property
    def clock_text(self) -> str:
        """`t = 12s  (3/9)  Init:1/2`: the time, the cursor and STATUS at the cursor."""
        if self.result is None:
            return ""
        return (
            f"t = {fmt_time(self.t)}  ({self.index + 1}/{len(self.snapshots)})  "
            f"{self.snapshot.get('status', '')}"
        )

    def views(self) -> dict[str, str]:
        """The panel's outputs as HTML: title, clock, error, timeline, get and events."""
        if self.result is None:
            return dict.fromkeys(("clock", "timeline", "get", "events"), "") | {
                "title": "<b>no run yet</b>",
                "error": error_html(self.error),
            }
        return {
            "title": f"<b>{html.escape(self.result.name or 'pod')}</b>: step through the start-up",
            "clock": f"<code>{html.escape(self.clock_text)}</code>",
            "error": error_html(self.error),
            "timeline": svg_timeline(self.result, self.t, prefix=self.prefix),
            "get": pre_html(self.get_text),
            "events": pre_html(self.events_text),
        }


# --------------------------------------------------------------------------- what-if

#: The pod-level restart policies, in the order the panel offers them.
RESTART_POLICIES = ("Always", "OnFailure", "Never")

_DEFAULT_SIDECAR: dict[str, Any] = {
    "name": "sidecar",
    "image": "busybox:1.36",
    "restartPolicy": "Always",
    "command": ["sh", "-c", "while true; do sleep 3600; done"],
}


def _bad_option(options: dict[str, Any], init_names: list[str]) -> str | None:
    """The one-line complaint about an option value the lab cannot apply, or None."""
    policy = options.get("restart_policy", "Always")
    if policy not in RESTART_POLICIES:
        return f"restart_policy: Unsupported value: {policy!r}: supported values: " + ", ".join(
            f'"{p}"' for p in RESTART_POLICIES
        )
    fail = options.get("fail")
    if fail is not None and fail not in init_names:
        known = ", ".join(init_names) or "none"
        return f"fail: {fail!r} is not an init container of this pod (init containers: {known})"
    return None


class WhatIfState:
    """Change one thing about a pod and see the run change: re-simulated on every change.

    Options (`.set(...)`): `restart_policy` (Always/OnFailure/Never), `fail` (an
    init container's name or None), `failures` (how many attempts fail before
    one succeeds), `exit_code`, `deadline` (activeDeadlineSeconds, 0 = none),
    `sidecar` (a native sidecar declared first), `sandbox_restart_at` (seconds,
    0 = never).
    """

    def __init__(self, pod_or_scenario: Any) -> None:
        self.error: str | None = None
        self.result: Any = None
        try:
            self.base = _as_scenario(pod_or_scenario)
        except Exception as e:  # noqa: BLE001 - a learner's typo must not raise in a widget
            self.base = {"pod": {}}
            self.error = one_line(e)
        pod = as_dict(self.base.get("pod"))
        spec = as_dict(pod.get("spec"))
        inits = init_containers(pod)
        self._sidecars = [c for c in inits if is_restartable_init_container(c)]
        #: The (non-sidecar) init containers a learner can make fail.
        self.init_names = [
            str(c.get("name")) for c in inits if not is_restartable_init_container(c)
        ]
        self.options: dict[str, Any] = {
            "restart_policy": spec.get("restartPolicy") or "Always",
            "fail": None,
            "failures": 1,
            "exit_code": 1,
            "deadline": int(as_float(spec.get("activeDeadlineSeconds"))),
            "sidecar": bool(self._sidecars),
            "sandbox_restart_at": next(
                (
                    int(as_float(e.get("at")))
                    for e in as_list(self.base.get("events"))
                    if e.get("action") == "restart-sandbox"
                ),
                0,
            ),
        }
        self.prefix = _next_uid("ilw")
        if self.error is None:  # an unreadable pod keeps its own error, not the empty pod's
            self.rerun()

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario the current options describe (what is simulated)."""
        o = self.options
        sc = copy.deepcopy(self.base)
        pod = sc.setdefault("pod", {})
        spec = pod.setdefault("spec", {}) if isinstance(pod, dict) else {}
        spec["restartPolicy"] = o["restart_policy"]
        if o["deadline"]:
            spec["activeDeadlineSeconds"] = int(o["deadline"])
        else:
            spec.pop("activeDeadlineSeconds", None)
        inits = [c for c in init_containers(pod) if not is_restartable_init_container(c)]
        if o["sidecar"]:
            sidecars = copy.deepcopy(self._sidecars) or [copy.deepcopy(_DEFAULT_SIDECAR)]
            inits = sidecars + inits
        if inits:
            spec["initContainers"] = inits
        else:
            spec.pop("initContainers", None)
        behavior = as_dict(sc.get("behavior"))
        sc["behavior"] = behavior
        if o["sidecar"] and not self._sidecars:
            behavior.setdefault(_DEFAULT_SIDECAR["name"], [{"run": "forever"}])
        if o["fail"]:
            run = 2
            attempts = [{"run": run, "exit": int(o["exit_code"])}] * int(o["failures"])
            behavior[o["fail"]] = [*attempts, {"run": run, "exit": 0}]
        events = [e for e in as_list(sc.get("events")) if e.get("action") != "restart-sandbox"]
        if o["sandbox_restart_at"]:
            events.append({"at": int(o["sandbox_restart_at"]), "action": "restart-sandbox"})
        if events:
            sc["events"] = events
        else:  # the base scenario's sandbox restart is switched off too
            sc.pop("events", None)
        if "until" not in sc:
            sc["until"] = 600
        return sc

    def set(self, **options: Any) -> WhatIfState:
        """Change options (keys as in `.options`) and re-simulate; an unknown key is `.error`."""
        unknown = set(options) - set(self.options)
        if unknown:
            self.error = f"unknown option(s): {', '.join(sorted(unknown))}"
            return self
        bad = _bad_option(options, self.init_names)
        if bad:
            self.error = bad
            return self
        changed = {k: v for k, v in options.items() if self.options[k] != v}
        if changed:
            self.options.update(changed)
            self.rerun()
        return self

    def rerun(self) -> Any:
        """Simulate the current scenario; on error keep the previous run and set `.error`."""
        result, self.error = _simulate(self.scenario)
        if result is not None:
            self.result = result
        return self.result

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot of the current run."""
        return _last(self.result)

    @property
    def statuses(self) -> list[str]:
        """STATUS as it changed through the run (consecutive repeats folded)."""
        return [text for _a, _b, text in status_spans(self.result)] if self.result else []

    @property
    def summary_text(self) -> str:
        """`kubectl get pod` at the end of the run, then the pod's phase."""
        if self.result is None:
            return ""
        t = as_float(self.final.get("t"))
        return get_table(self.result, t) + "\nphase: " + str(self.final.get("phase", ""))

    def views(self) -> dict[str, str]:
        """The panel's outputs as HTML: error, summary, timeline and events (at the end)."""
        if self.result is None:
            return {"error": error_html(self.error), "summary": "", "timeline": "", "events": ""}
        t = as_float(self.final.get("t"))
        return {
            "error": error_html(self.error),
            "summary": pre_html(self.summary_text),
            "timeline": svg_timeline(self.result, None, prefix=self.prefix),
            "events": pre_html(describe_events(self.result, t)),
        }


# --------------------------------------------------------------------------- resources

#: The resource fields the resource explorer edits, per container.
RESOURCE_FIELDS = ("requests.cpu", "limits.cpu", "requests.memory", "limits.memory")


def _kv(rl: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(rl.items())) or "<none>"


class ResourceState:
    """Edit each container's requests/limits; see the effective request/limit, QoS and fit.

    Numbers come from `initlab.api.resources` on the pod after API defaulting (a
    limit without a request sets the request: `SetDefaults_Pod`). A bad
    quantity is reported with its validation error (field path included) and
    the numbers stay at the last good pod.
    """

    def __init__(self, pod: dict[str, Any], node: dict[str, str] | None = None) -> None:
        self.pod = copy.deepcopy(pod) if isinstance(pod, dict) else {}
        self.node = dict(node or {"cpu": "2", "memory": "4Gi"})
        self.errors: list[str] = []
        self.report: dict[str, Any] = {}
        self.insufficient: list[str] = []
        self._compute()

    @property
    def error(self) -> str | None:
        """The first problem, or None."""
        return self.errors[0] if self.errors else None

    def containers(self) -> list[tuple[str, dict[str, Any]]]:
        """(role, container) in spec order: role is "sidecar", "init" or "app"."""
        out = [
            ("sidecar" if is_restartable_init_container(c) else "init", c)
            for c in init_containers(self.pod)
        ]
        return out + [("app", c) for c in regular_containers(self.pod)]

    def rows(self) -> list[tuple[str, str, dict[str, str]]]:
        """One row per container: (name, label, {field: value or ""}) for the edit grid."""
        suffix = {"sidecar": " (sidecar)", "init": " (init)", "app": ""}
        return [
            (str(c.get("name")), str(c.get("name")) + suffix[role], self._values(c))
            for role, c in self.containers()
        ]

    @staticmethod
    def _values(c: dict[str, Any]) -> dict[str, str]:
        out = {}
        for f in RESOURCE_FIELDS:
            kind, res = f.split(".")
            v = as_dict(as_dict(c.get("resources")).get(kind)).get(res)
            out[f] = "" if v is None else str(v)
        return out

    def set(self, container: str, field: str, value: str) -> ResourceState:
        """Set `field` ("requests.cpu", "limits.memory", ...) of `container`; "" removes it."""
        if field not in RESOURCE_FIELDS:
            self.errors = [f"unknown field {field!r}: one of {', '.join(RESOURCE_FIELDS)}"]
            return self
        target = next((c for _k, c in self.containers() if c.get("name") == container), None)
        if target is None:
            self.errors = [f'no container named "{container}" in this pod']
            return self
        kind, res = field.split(".")
        resources = target.setdefault("resources", {})
        section = resources.setdefault(kind, {})
        value = str(value).strip()
        if value:
            section[res] = value
        else:
            section.pop(res, None)
            if not section:
                resources.pop(kind, None)
        self._compute()
        return self

    def set_node(self, **allocatable: str) -> ResourceState:
        """Set the node's allocatable cpu/memory ("" = not checked)."""
        for k, v in allocatable.items():
            if str(v).strip():
                self.node[k] = str(v).strip()
            else:
                self.node.pop(k, None)
        self._compute()
        return self

    def _compute(self) -> None:
        from initlab.api.loader import apply_defaults
        from initlab.api.quantity import Quantity, QuantityError
        from initlab.api.resources import resources_report
        from initlab.api.validation import validate_pod

        errors = [
            str(e) for e in validate_pod(self.pod, require_name=False) if ".resources" in e.field
        ]
        node: dict[str, Any] = {}
        for k, v in self.node.items():
            try:
                node[k] = Quantity.parse(v)
            except QuantityError as e:
                errors.append(f"node {k}: {e}")
        self.errors = errors
        if not errors:
            report = resources_report(apply_defaults(self.pod), node or None)
            self.report = report.to_json()
            self.insufficient = list(report.fit.insufficient) if report.fit else []

    @property
    def effective_requests(self) -> dict[str, str]:
        """`PodRequests` of the last good pod: what the scheduler reserves."""
        return dict(self.report.get("requests", {}))

    @property
    def effective_limits(self) -> dict[str, str]:
        """`PodLimits` of the last good pod."""
        return dict(self.report.get("limits", {}))

    @property
    def qos_class(self) -> str:
        """The pod's QoS class (Guaranteed, Burstable or BestEffort)."""
        return str(self.report.get("qosClass", ""))

    @property
    def fits(self) -> bool | None:
        """Whether the pod fits on the node (None when no node is set)."""
        return self.report.get("fits")

    @property
    def report_text(self) -> str:
        """QoS, effective requests/limits, each init step's request and the node fit, as text."""
        r = self.report
        if not r:
            return ""
        lines = [
            f"QoS class: {r.get('qosClass')}",
            f"effective requests: {_kv(r.get('requests', {}))}",
            f"effective limits:   {_kv(r.get('limits', {}))}",
            "",
            "while init runs (each step also holds the sidecars declared before it):",
        ]
        for s in r.get("initPhase", {}).get("steps", []):
            role = "sidecar " if s.get("sidecar") else "init    "
            lines.append(f"  {role}{s.get('name')}: {_kv(s.get('requests', {}))}")
        app = r.get("initPhase", {}).get("appPhase", {})
        lines.append(f"  app phase (containers + sidecars): {_kv(app.get('requests', {}))}")
        if "fits" in r:
            verdict = "fits" if r["fits"] else "does NOT fit: " + ", ".join(self.insufficient)
            lines += ["", f"on a node with {_kv(self.node)}: {verdict}"]
        return "\n".join(lines)

    def views(self) -> dict[str, str]:
        """The panel's outputs as HTML: every error, then the report."""
        text = self.report_text
        return {
            "error": "".join(error_html(e) for e in self.errors),
            "report": pre_html(text) if text else "",
        }


# --------------------------------------------------------------------------- admission


class AdmissionState:
    """Pick mutating webhooks; see each one's JSONPatch and the admitted pod's start-up."""

    def __init__(
        self,
        pod: dict[str, Any],
        webhooks: list[str] | None = None,
        namespace_labels: dict[str, str] | None = None,
        namespace_annotations: dict[str, str] | None = None,
    ) -> None:
        from initlab.admission import WEBHOOKS

        self.pod = copy.deepcopy(pod) if isinstance(pod, dict) else {}
        # The namespace opts in, as a cluster admin would: Istio's label, Linkerd's annotation.
        self.namespace_labels = dict(
            namespace_labels if namespace_labels is not None else {"istio-injection": "enabled"}
        )
        self.namespace_annotations = dict(
            namespace_annotations
            if namespace_annotations is not None
            else {"linkerd.io/inject": "enabled"}
        )
        self.available = list(webhooks) if webhooks is not None else sorted(WEBHOOKS)
        self.selected: list[str] = []
        self.admission: Any = None
        self.result: Any = None
        self.error: str | None = None
        self.prefix = _next_uid("ila")
        self.select()

    @property
    def admitted(self) -> dict[str, Any]:
        """The pod after admission (the submitted pod before any webhook is picked)."""
        return self.admission.pod if self.admission is not None else self.pod

    @property
    def patches(self) -> list[dict[str, Any]]:
        """[{"webhook", "patch"}] as `AdmissionResult.to_json()` gives them."""
        return self.admission.patches if self.admission is not None else []

    def select(self, *webhooks: str) -> AdmissionState:
        """Admit the pod through `webhooks` (in order) and simulate the admitted pod."""
        from initlab.admission import admit

        self.selected = list(webhooks)
        try:
            self.admission = admit(
                copy.deepcopy(self.pod),
                list(webhooks),
                self.namespace_labels,
                namespace_annotations=self.namespace_annotations,
            )
        except Exception as e:  # noqa: BLE001 - an unknown webhook or bad pod: one line
            self.error = one_line(e)
            return self
        if not self.admission.allowed:
            # A denied pod is never stored, so nothing starts: no timeline to show.
            message = " ".join(self.admission.message.split()) or "denied"  # one line
            self.error = f"admission denied the pod: {message}"
            self.result = None
            return self
        result, self.error = _simulate({"pod": self.admitted})
        if result is not None:
            self.result = result
        return self

    @property
    def patch_text(self) -> str:
        """allowed, warnings and each webhook's JSONPatch, as indented JSON."""
        if self.admission is None:
            return ""
        a = self.admission
        return json.dumps(
            {"allowed": a.allowed, "warnings": a.warnings, "patches": a.patches}, indent=2
        )

    def views(self) -> dict[str, str]:
        """The panel's outputs as HTML: error, patches, and the admitted pod's timeline."""
        text = self.patch_text
        return {
            "error": error_html(self.error),
            "patch": pre_html(text) if text else "",
            "timeline": (
                svg_timeline(self.result, None, prefix=self.prefix)
                if self.result is not None
                else ""
            ),
        }


# --------------------------------------------------------------------------- debug lab


@dataclass(frozen=True)
class CheckResult:
    """The verdict on a learner's answer: both parts right, and why."""

    correct: bool
    diagnosis_ok: bool
    fix_ok: bool
    feedback: str

    def __bool__(self) -> bool:
        return self.correct


def _case_dict(c: debug.DebugCase) -> dict[str, Any]:
    """A debug case as the notebooks read it: title, the broken scenario, answer, explain."""
    return {
        "title": c.title,
        "goal": c.goal,
        "scenario": c.scenario(),
        "answer": c.answer,
        "explain": c.explain,
        "hints": list(c.hints),
    }


#: The broken pods of the debug lab (data: initlab/book/debug_cases/*.yaml), by id.
DEBUG_CASES: dict[str, dict[str, Any]] = {k: _case_dict(c) for k, c in debug.cases().items()}


class DebugState:
    """A broken pod: read status, events and logs, pick a diagnosis and a fix, get it checked."""

    def __init__(self, case: str) -> None:
        if case not in DEBUG_CASES:
            raise KeyError(f"unknown case {case!r}; cases: {', '.join(DEBUG_CASES)}")
        self.case = case
        self.spec = DEBUG_CASES[case]
        self.result, self.error = _simulate(self.spec["scenario"])
        self.last: CheckResult | None = None
        self._observations: str | None = None

    @property
    def title(self) -> str:
        """The case's title (the symptom the learner is told)."""
        return str(self.spec["title"])

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot: what `kubectl get` shows when the learner looks."""
        return _last(self.result)

    def observations(self) -> str:
        """What the learner can see: `kubectl get`, the events, and the init logs if any."""
        from initlab.kubectl import render_logs

        if self.result is None:
            return ""
        if self._observations is not None:  # the run never changes: read it once
            return self._observations
        # At the end of the run (its `until`), not at the last change: a pod stuck
        # in Init:0/1 for two minutes should say so in AGE and in the events' ages.
        t = self.result.end
        parts = [
            "$ kubectl get pod",
            get_table(self.result, t),
            "",
            describe_events(self.result, t),
        ]
        pod = as_dict(self.spec["scenario"].get("pod"))
        pod_name = self.result.name or "pod"
        for c in init_containers(pod):
            name = c.get("name")
            logs = render_logs(self.result, name, t)
            if logs:
                parts += ["", f"$ kubectl logs {pod_name} -c {name}", logs.rstrip()]
        self._observations = "\n".join(parts)
        return self._observations

    def check(self, answer: Any) -> CheckResult:
        """Check `answer`: {"diagnosis": key, "fix": key} or a (diagnosis, fix) pair."""
        if isinstance(answer, dict):
            diag, fix = answer.get("diagnosis"), answer.get("fix")
        elif isinstance(answer, list | tuple) and len(answer) == 2:
            diag, fix = answer
        else:
            diag = fix = None
        want_diag, want_fix = self.spec["answer"]
        d_ok, f_ok = diag == want_diag, fix == want_fix
        if d_ok and f_ok:
            feedback = "Right. " + self.spec["explain"]
        elif diag is None or fix is None:
            feedback = "Pick a diagnosis and a fix."
        elif not d_ok:
            feedback = "Not quite: look again at STATUS, RESTARTS and the events' reasons."
        else:
            feedback = "The diagnosis is right, but that fix would not help here."
        self.last = CheckResult(d_ok and f_ok, d_ok, f_ok, feedback)
        return self.last

    def views(self) -> dict[str, str]:
        """The panel's outputs as HTML: title, error, observations and the last verdict."""
        verdict = ""
        if self.last is not None:
            colour = "#009E73" if self.last.correct else "#D55E00"
            verdict = (
                f'<div style="border-left:4px solid {colour};padding:4px 8px">'
                f"{html.escape(self.last.feedback)}</div>"
            )
        return {
            "title": f"<b>{html.escape(self.title)}</b>",
            "error": error_html(self.error),
            "observations": pre_html(self.observations()),
            "verdict": verdict,
        }
