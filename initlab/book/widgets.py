"""Live explorers for Jupyter (ipywidgets 8): change the pod, see the new run at once.

Each explorer is a plain Python object with a pure API (tests and the book
drive it with no display) and a `.widget` to show in a notebook. Bad input
never raises: the panel shows the one-line error (`.error`) and keeps the
previous run on screen.

- `explore(scenario)`: step through a run: `kubectl get pod`, the
  `describe` events so far and the timeline with a cursor, all in sync.
- `what_if(pod)`: restartPolicy, a failing init container, a deadline, a
  native sidecar, a sandbox restart; re-simulates on every change.
- `resource_explorer(pod)`: edit requests/limits, see the effective
  request/limit, the QoS class and whether the pod fits on a node.
- `admission_explorer(pod)`: pick webhooks, see their patches and the
  resulting start-up.
- `debug_lab(case)`: a broken pod to diagnose from status, events and logs.

In a static page the widgets render but their callbacks never run, so the
book pairs each explorer with `initlab.player` (see playback.py).
"""

from __future__ import annotations

import copy
import html
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as W
import yaml

from initlab.api.pod import as_dict
from initlab.book import debug, plots
from initlab.book.debug import DIAGNOSES, FIXES
from initlab.book.player import describe_events, get_table, svg_timeline
from initlab.errors import InitlabError

__all__ = [
    "Explorer",
    "WhatIf",
    "ResourceExplorer",
    "AdmissionExplorer",
    "DebugLab",
    "CheckResult",
    "explore",
    "what_if",
    "resource_explorer",
    "admission_explorer",
    "debug_lab",
    "DEBUG_CASES",
    "DIAGNOSES",
    "FIXES",
]


_UIDS = itertools.count(1)


def _next_uid(prefix: str) -> str:
    """Element-id prefix for one panel's SVG: unique on the page, the same on every re-run."""
    return f"{prefix}{next(_UIDS)}"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _pre(text: str) -> str:
    return (
        '<pre style="font-family:monospace;font-size:12px;background:#f7f7f7;padding:6px;'
        f'margin:4px 0;overflow-x:auto;white-space:pre">{_esc(text)}</pre>'
    )


def _error_html(error: str | None) -> str:
    if not error:
        return ""
    return (
        '<div style="color:#000;background:#FBE3D6;border-left:4px solid #D55E00;'
        f'padding:4px 8px;font-family:monospace;font-size:12px">{_esc(error)}</div>'
    )


def _one_line(e: BaseException) -> str:
    """The one-line message a learner sees: initlab's own for InitlabError."""
    if isinstance(e, InitlabError):
        return str(e).splitlines()[0] if str(e) else type(e).__name__
    if isinstance(e, yaml.YAMLError):
        return "not valid YAML: " + " ".join(str(e).split())
    return f"{type(e).__name__}: {' '.join(str(e).split())}"


def _simulate(scenario: Any) -> tuple[Any, str | None]:
    """(Result, None) or (None, one-line error): explorers never let a bad scenario raise."""
    import initlab

    try:
        return initlab.simulate(scenario), None
    except Exception as e:  # noqa: BLE001 - a learner's typo must not raise in a widget
        return None, _one_line(e)


def _scenario_text(scenario: Any) -> str:
    if isinstance(scenario, dict):
        return yaml.safe_dump(scenario, sort_keys=False)
    if isinstance(scenario, Path):
        try:
            return scenario.read_text()
        except OSError:
            return str(scenario)
    return str(scenario) if scenario is not None else ""


def _as_scenario(pod_or_scenario: Any) -> dict[str, Any]:
    """A scenario dict from a Pod dict, a scenario dict, YAML text or a path.

    Read by `initlab.sim.scenario.load_scenario` (the one reader: bounded,
    validated, one-line errors) and written back as the scenario format's
    mapping, which the what-if lab then edits.
    """
    from initlab.book.live import scenario_document
    from initlab.sim.scenario import load_scenario

    if isinstance(pod_or_scenario, str) and "\n" in pod_or_scenario:
        pod_or_scenario = (
            pod_or_scenario if pod_or_scenario.endswith("\n") else pod_or_scenario + "\n"
        )
    return copy.deepcopy(scenario_document(load_scenario(pod_or_scenario)))


# --------------------------------------------------------------------------- Explorer


class Explorer:
    """Step through one simulated run: get line, events so far, timeline with cursor.

    `.snapshot` is the snapshot at the cursor, `.step()` / `.back()` move it,
    `.load(scenario)` re-simulates (keeping the previous run if the new one
    is bad, with `.error` set).
    """

    def __init__(self, scenario: Any = None) -> None:
        self.result: Any = None
        self.error: str | None = None
        self.index = 0
        self._uid = _next_uid("ilx")
        self._title = W.HTML()
        self._back = W.Button(description="◀ back", layout=W.Layout(width="90px"))
        self._step = W.Button(description="step ▶", layout=W.Layout(width="90px"))
        self._play = W.Play(interval=800, min=0, max=0, value=0, description="play")
        self._slider = W.IntSlider(
            min=0,
            max=0,
            value=0,
            description="snapshot",
            continuous_update=True,
            layout=W.Layout(width="420px"),
        )
        W.jslink((self._play, "value"), (self._slider, "value"))
        self._time = W.HTML()
        self._timeline = W.HTML()
        self._get = W.HTML()
        self._events = W.HTML()
        self._errorbox = W.HTML()
        self._source = W.Textarea(
            value=_scenario_text(scenario),
            rows=10,
            layout=W.Layout(width="100%"),
            placeholder="a scenario (YAML) or a Pod manifest",
        )
        self._run = W.Button(description="simulate", button_style="primary")
        self._back.on_click(lambda _b: self.back())
        self._step.on_click(lambda _b: self.step())
        self._run.on_click(lambda _b: self.load(self._source.value))
        self._slider.observe(self._on_slider, names="value")
        editor = W.Accordion(children=[W.VBox([self._source, self._run])])
        editor.set_title(0, "edit the scenario")
        editor.selected_index = None
        self.widget = W.VBox(
            [
                self._title,
                W.HBox([self._back, self._play, self._step, self._slider, self._time]),
                self._errorbox,
                self._timeline,
                self._get,
                self._events,
                editor,
            ]
        )
        if scenario is not None:
            self.load(scenario)

    # -- pure API
    @property
    def snapshots(self) -> list[dict[str, Any]]:
        """Every snapshot of the current run ([] before a successful load)."""
        return plots.timeline_of(self.result) if self.result is not None else []

    @property
    def snapshot(self) -> dict[str, Any]:
        """The snapshot at the cursor (the snapshot shape of docs/contracts.md); {} before a successful load."""
        snaps = self.snapshots
        return snaps[self.index] if snaps else {}

    @property
    def t(self) -> float:
        """Simulated time at the cursor, seconds."""
        return plots._num(self.snapshot.get("t"))

    def step(self) -> dict[str, Any]:
        """Move to the next snapshot (stays on the last one); returns it."""
        return self.goto(self.index + 1)

    def back(self) -> dict[str, Any]:
        """Move to the previous snapshot (stays on the first one); returns it."""
        return self.goto(self.index - 1)

    def goto(self, index: int) -> dict[str, Any]:
        """Move the cursor to snapshot `index` (clamped)."""
        n = len(self.snapshots)
        self.index = max(0, min(index, n - 1)) if n else 0
        if self._slider.value != self.index:
            self._slider.value = self.index  # observer re-renders
        else:
            self._render()
        return self.snapshot

    def load(self, scenario: Any) -> Explorer:
        """Re-simulate `scenario` (dict, YAML text or path) and re-render from its start.

        A bad scenario leaves the previous run in place and sets `.error`.
        """
        result, error = _simulate(scenario)
        self.error = error
        if result is not None:
            self.result = result
            self.index = 0
            n = len(self.snapshots)
            self._slider.value = 0
            self._slider.max = max(n - 1, 0)
            self._play.max = max(n - 1, 0)
            if not isinstance(scenario, str) or "\n" in scenario:
                self._source.value = _scenario_text(scenario)
        self._render()
        return self

    @property
    def get_text(self) -> str:
        """`kubectl get pod` (header + row) at the cursor."""
        return get_table(self.result, self.t, self.index) if self.result is not None else ""

    @property
    def events_text(self) -> str:
        """`kubectl describe pod` Events up to the cursor."""
        return describe_events(self.result, self.t) if self.result is not None else ""

    # -- rendering
    def _on_slider(self, change: dict[str, Any]) -> None:
        self.index = int(change["new"])
        self._render()

    def _render(self) -> None:
        self._errorbox.value = _error_html(self.error)
        if self.result is None:
            self._timeline.value = ""
            self._get.value = self._events.value = ""
            self._title.value = "<b>no run yet</b>"
            return
        name = plots._dict(plots.pod_of(self.result).get("metadata")).get("name") or "pod"
        snap = self.snapshot
        self._title.value = f"<b>{_esc(name)}</b>: step through the start-up"
        self._time.value = (
            f"<code>t = {_esc(plots.fmt_time(self.t))}  "
            f"({self.index + 1}/{len(self.snapshots)})  {_esc(snap.get('status', ''))}</code>"
        )
        self._timeline.value = svg_timeline(self.result, self.t, prefix=self._uid)
        self._get.value = _pre(self.get_text)
        self._events.value = _pre(self.events_text)


def explore(scenario: Any) -> Explorer:
    """An `Explorer` on `scenario` (dict, YAML text, path or a bare Pod manifest)."""
    return Explorer(scenario)


# --------------------------------------------------------------------------- what-if


_DEFAULT_SIDECAR: dict[str, Any] = {
    "name": "sidecar",
    "image": "busybox:1.36",
    "restartPolicy": "Always",
    "command": ["sh", "-c", "while true; do sleep 3600; done"],
}


class WhatIf:
    """Change one thing about a pod and see the run change: re-simulated on every change.

    Controls (also settable in Python with `.set(...)`): `restart_policy`
    (Always/OnFailure/Never), `fail` (an init container's name or None),
    `failures` (how many attempts fail before one succeeds), `exit_code`,
    `deadline` (activeDeadlineSeconds, 0 = none), `sidecar` (a native
    sidecar declared first), `sandbox_restart_at` (seconds, 0 = never).
    """

    def __init__(self, pod_or_scenario: Any) -> None:
        self.error: str | None = None
        self.result: Any = None
        try:
            self.base = _as_scenario(pod_or_scenario)
        except Exception as e:  # noqa: BLE001
            self.base = {"pod": {}}
            self.error = _one_line(e)
        pod = plots._dict(self.base.get("pod"))
        spec = plots._dict(pod.get("spec"))
        inits = [plots._dict(c) for c in plots._list(spec.get("initContainers"))]
        self._sidecars = [c for c in inits if c.get("restartPolicy") == "Always"]
        self.init_names = [str(c.get("name")) for c in inits if c.get("restartPolicy") != "Always"]
        self.options: dict[str, Any] = {
            "restart_policy": spec.get("restartPolicy") or "Always",
            "fail": None,
            "failures": 1,
            "exit_code": 1,
            "deadline": int(plots._num(spec.get("activeDeadlineSeconds"))),
            "sidecar": bool(self._sidecars),
            "sandbox_restart_at": next(
                (
                    int(plots._num(plots._dict(e).get("at")))
                    for e in plots._list(self.base.get("events"))
                    if plots._dict(e).get("action") == "restart-sandbox"
                ),
                0,
            ),
        }
        o = self.options
        self._w = {
            "restart_policy": W.ToggleButtons(
                options=["Always", "OnFailure", "Never"],
                value=o["restart_policy"],
                description="restartPolicy",
            ),
            "fail": W.Dropdown(
                options=[("(none)", None)] + [(n, n) for n in self.init_names],
                value=None,
                description="failing init",
            ),
            "failures": W.IntSlider(min=0, max=10, value=1, description="fails ×"),
            "exit_code": W.BoundedIntText(min=1, max=255, value=1, description="exit code"),
            "deadline": W.BoundedIntText(
                min=0, max=86400, value=o["deadline"], description="deadline s"
            ),
            "sidecar": W.Checkbox(value=o["sidecar"], description="native sidecar"),
            "sandbox_restart_at": W.BoundedIntText(
                min=0, max=86400, value=0, description="sandbox restart at s"
            ),
        }
        for key, w in self._w.items():
            w.observe(lambda ch, k=key: self.set(**{k: ch["new"]}), names="value")
        self._errorbox = W.HTML()
        self._summary = W.HTML()
        self._timeline = W.HTML()
        self._events = W.HTML()
        w = self._w
        self.widget = W.VBox(
            [
                W.HBox([w["restart_policy"], w["sidecar"]]),
                W.HBox([w["fail"], w["failures"], w["exit_code"]]),
                W.HBox([w["deadline"], w["sandbox_restart_at"]]),
                self._errorbox,
                self._summary,
                self._timeline,
                self._events,
            ]
        )
        self._uid = _next_uid("ilw")
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
        inits = [
            c
            for c in plots._list(spec.get("initContainers"))
            if plots._dict(c).get("restartPolicy") != "Always"
        ]
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
        events = [
            e
            for e in plots._list(sc.get("events"))
            if plots._dict(e).get("action") != "restart-sandbox"
        ]
        if o["sandbox_restart_at"]:
            events.append({"at": int(o["sandbox_restart_at"]), "action": "restart-sandbox"})
        if events:
            sc["events"] = events
        else:  # the base scenario's sandbox restart is switched off too
            sc.pop("events", None)
        if "until" not in sc:
            sc["until"] = 600
        return sc

    def set(self, **options: Any) -> WhatIf:
        """Change options (keys as in `.options`) and re-simulate."""
        unknown = set(options) - set(self.options)
        if unknown:
            self.error = f"unknown option(s): {', '.join(sorted(unknown))}"
            self._render()
            return self
        changed = {k: v for k, v in options.items() if self.options[k] != v}
        if not changed:
            return self
        self.options.update(changed)
        for k, v in changed.items():
            if self._w[k].value != v:
                self._w[k].value = v  # the observer calls set() again: nothing changed then
        self.rerun()
        return self

    def rerun(self) -> Any:
        """Simulate the current scenario; on error keep the previous run and set `.error`."""
        result, error = _simulate(self.scenario)
        self.error = error
        if result is not None:
            self.result = result
        self._render()
        return self.result

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot of the current run."""
        snaps = plots.timeline_of(self.result) if self.result is not None else []
        return snaps[-1] if snaps else {}

    @property
    def statuses(self) -> list[str]:
        """STATUS as it changed through the run (consecutive repeats folded)."""
        return [text for _a, _b, text in plots.status_spans(self.result)] if self.result else []

    def _render(self) -> None:
        self._errorbox.value = _error_html(self.error)
        if self.result is None:
            return
        t = plots._num(self.final.get("t"))
        self._summary.value = _pre(
            get_table(self.result, t) + "\nphase: " + str(self.final.get("phase", ""))
        )
        self._timeline.value = svg_timeline(self.result, None, prefix=self._uid)
        self._events.value = _pre(describe_events(self.result, t))


def what_if(pod_or_scenario: Any) -> WhatIf:
    """A `WhatIf` lab on a Pod or scenario (dict, YAML text or path)."""
    return WhatIf(pod_or_scenario)


# --------------------------------------------------------------------------- resources

_FIELDS = ("requests.cpu", "limits.cpu", "requests.memory", "limits.memory")


class ResourceExplorer:
    """Edit each container's requests/limits; see the effective request/limit, QoS and fit.

    Numbers come from `initlab.api.resources` on the pod after API defaulting (a
    limit without a request sets the request: `SetDefaults_Pod`). A bad
    quantity shows its validation error inline and the numbers stay at the
    last good pod.
    """

    def __init__(self, pod: dict[str, Any], node: dict[str, str] | None = None) -> None:
        self.pod = copy.deepcopy(pod) if isinstance(pod, dict) else {}
        self.node = dict(node or {"cpu": "2", "memory": "4Gi"})
        self.errors: list[str] = []
        self.report: dict[str, Any] = {}
        self.insufficient: list[str] = []
        self._good = self.pod
        rows = [W.HTML("<b>container</b>")] + [W.HTML(f"<b>{f}</b>") for f in _FIELDS]
        self._boxes: dict[tuple[str, str], W.Text] = {}
        for kind, c in self._containers():
            name = str(c.get("name"))
            label = name + {"sidecar": " (sidecar)", "init": " (init)", "app": ""}[kind]
            rows.append(W.HTML(_esc(label)))
            for f in _FIELDS:
                box = W.Text(
                    value=self._value(c, f), layout=W.Layout(width="110px"), continuous_update=False
                )
                box.observe(lambda ch, n=name, ff=f: self.set(n, ff, ch["new"]), names="value")
                self._boxes[(name, f)] = box
                rows.append(box)
        self._node = {
            k: W.Text(
                value=str(self.node.get(k, "")),
                description=f"node {k}",
                layout=W.Layout(width="200px"),
                continuous_update=False,
            )
            for k in ("cpu", "memory")
        }
        for k, box in self._node.items():
            box.observe(lambda ch, kk=k: self.set_node(**{kk: ch["new"]}), names="value")
        self._errorbox = W.HTML()
        self._out = W.HTML()
        grid = W.GridBox(
            rows, layout=W.Layout(grid_template_columns="minmax(140px, auto) repeat(4, 120px)")
        )
        self.widget = W.VBox([grid, W.HBox(list(self._node.values())), self._errorbox, self._out])
        self._compute()

    @property
    def error(self) -> str | None:
        """The first problem, or None."""
        return self.errors[0] if self.errors else None

    def _containers(self) -> list[tuple[str, dict[str, Any]]]:
        spec = plots._dict(self.pod.get("spec"))
        out = []
        for c in plots._list(spec.get("initContainers")):
            c = plots._dict(c)
            out.append(("sidecar" if c.get("restartPolicy") == "Always" else "init", c))
        out += [("app", plots._dict(c)) for c in plots._list(spec.get("containers"))]
        return out

    @staticmethod
    def _value(c: dict[str, Any], f: str) -> str:
        kind, res = f.split(".")
        v = plots._dict(plots._dict(c.get("resources")).get(kind)).get(res)
        return "" if v is None else str(v)

    def set(self, container: str, field: str, value: str) -> ResourceExplorer:
        """Set `field` ("requests.cpu", "limits.memory", ...) of `container`; "" removes it."""
        if field not in _FIELDS:
            self.errors = [f"unknown field {field!r}: one of {', '.join(_FIELDS)}"]
            self._render()
            return self
        target = next((c for _k, c in self._containers() if c.get("name") == container), None)
        if target is None:
            self.errors = [f'no container named "{container}" in this pod']
            self._render()
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
        box = self._boxes.get((container, field))
        if box is not None and box.value != value:
            box.value = value
        self._compute()
        return self

    def set_node(self, **allocatable: str) -> ResourceExplorer:
        """Set the node's allocatable cpu/memory ("" = not checked)."""
        for k, v in allocatable.items():
            if str(v).strip():
                self.node[k] = str(v).strip()
            else:
                self.node.pop(k, None)
            if k in self._node and self._node[k].value != str(v):
                self._node[k].value = str(v)
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
            self._good = apply_defaults(self.pod)
            report = resources_report(self._good, node or None)
            self.report = report.to_json()
            fit = report.fit
            self.insufficient = list(fit.insufficient) if fit else []
        self._render()

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

    def _render(self) -> None:
        self._errorbox.value = "".join(_error_html(e) for e in self.errors)
        r = self.report
        if not r:
            self._out.value = ""
            return
        steps = r.get("initPhase", {}).get("steps", [])
        lines = [
            f"QoS class: {r.get('qosClass')}",
            f"effective requests: {_kv(r.get('requests', {}))}",
            f"effective limits:   {_kv(r.get('limits', {}))}",
            "",
        ]
        lines.append("while init runs (each step also holds the sidecars declared before it):")
        for s in steps:
            role = "sidecar " if s.get("sidecar") else "init    "
            lines.append(f"  {role}{s.get('name')}: {_kv(s.get('requests', {}))}")
        app = r.get("initPhase", {}).get("appPhase", {})
        lines.append(f"  app phase (containers + sidecars): {_kv(app.get('requests', {}))}")
        if "fits" in r:
            verdict = "fits" if r["fits"] else "does NOT fit: " + ", ".join(self.insufficient)
            lines.append("")
            lines.append(f"on a node with {_kv(self.node)}: {verdict}")
        self._out.value = _pre("\n".join(lines))


def _kv(rl: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(rl.items())) or "<none>"


def resource_explorer(pod: dict[str, Any], node: dict[str, str] | None = None) -> ResourceExplorer:
    """A `ResourceExplorer` on `pod` (node allocatable defaults to 2 CPU / 4Gi)."""
    return ResourceExplorer(pod, node)


# --------------------------------------------------------------------------- admission


def _webhook_names() -> list[str]:
    try:
        from initlab.admission import webhooks

        names = getattr(webhooks, "WEBHOOKS", None)
        if isinstance(names, dict):
            return sorted(names)
        if isinstance(names, list | tuple):
            return [str(n) for n in names]
    except Exception:  # noqa: BLE001
        pass
    return []


class AdmissionExplorer:
    """Pick mutating webhooks; see each one's JSONPatch and the admitted pod's start-up."""

    def __init__(
        self,
        pod: dict[str, Any],
        webhooks: list[str] | None = None,
        namespace_labels: dict[str, str] | None = None,
        namespace_annotations: dict[str, str] | None = None,
    ) -> None:
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
        self.available = list(webhooks) if webhooks is not None else _webhook_names()
        self.selected: list[str] = []
        self.admission: Any = None
        self.result: Any = None
        self.error: str | None = None
        self._pick = W.SelectMultiple(
            options=self.available, description="webhooks", rows=min(max(len(self.available), 2), 8)
        )
        self._pick.observe(lambda ch: self.select(*ch["new"]), names="value")
        self._errorbox = W.HTML()
        self._patch = W.HTML()
        self._timeline = W.HTML()
        self._uid = _next_uid("ila")
        self.widget = W.VBox([self._pick, self._errorbox, self._patch, self._timeline])
        self.select()

    @property
    def admitted(self) -> dict[str, Any]:
        """The pod after admission (the submitted pod before any webhook is picked)."""
        if self.admission is None:
            return self.pod
        pod = getattr(self.admission, "pod", None)
        if isinstance(pod, dict):
            return pod
        return plots._dict(self.admission.to_json()).get("pod") or self.pod

    @property
    def patches(self) -> list[dict[str, Any]]:
        """[{"webhook", "patch"}] as `AdmissionResult.to_json()` gives them."""
        if self.admission is None:
            return []
        return list(plots._dict(self.admission.to_json()).get("patches") or [])

    def select(self, *webhooks: str) -> AdmissionExplorer:
        """Admit the pod through `webhooks` (in order) and simulate the admitted pod."""
        from initlab.admission import admit

        self.selected = list(webhooks)
        if tuple(self._pick.value) != tuple(webhooks) and all(
            w in self.available for w in webhooks
        ):
            self._pick.value = tuple(webhooks)
        try:
            self.admission = admit(
                copy.deepcopy(self.pod),
                list(webhooks),
                self.namespace_labels,
                namespace_annotations=self.namespace_annotations,
            )
            self.error = None
        except Exception as e:  # noqa: BLE001
            self.error = _one_line(e)
            self._render()
            return self
        if getattr(self.admission, "allowed", True) is False:
            # A denied pod is never stored, so nothing starts: no timeline to show.
            message = getattr(self.admission, "message", "") or "denied"
            self.error = f"admission denied the pod: {message}"
            self.result = None
            self._render()
            return self
        result, error = _simulate({"pod": self.admitted})
        self.error = error
        if result is not None:
            self.result = result
        self._render()
        return self

    def _render(self) -> None:
        self._errorbox.value = _error_html(self.error)
        if self.admission is not None:
            js = plots._dict(self.admission.to_json())
            text = json.dumps(
                {
                    "allowed": js.get("allowed"),
                    "warnings": js.get("warnings"),
                    "patches": js.get("patches"),
                },
                indent=2,
            )
            self._patch.value = _pre(text)
        self._timeline.value = (
            svg_timeline(self.result, None, prefix=self._uid) if self.result is not None else ""
        )


def admission_explorer(
    pod: dict[str, Any],
    webhooks: list[str] | None = None,
    namespace_labels: dict[str, str] | None = None,
    namespace_annotations: dict[str, str] | None = None,
) -> AdmissionExplorer:
    """An `AdmissionExplorer` on `pod` in a namespace opted in to Istio and Linkerd injection."""
    return AdmissionExplorer(pod, webhooks, namespace_labels, namespace_annotations)


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


def _case_dict(c: Any) -> dict[str, Any]:
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


class DebugLab:
    """A broken pod: read status, events and logs, pick a diagnosis and a fix, get it checked."""

    def __init__(self, case: str) -> None:
        if case not in DEBUG_CASES:
            raise KeyError(f"unknown case {case!r}; cases: {', '.join(DEBUG_CASES)}")
        self.case = case
        self.spec = DEBUG_CASES[case]
        self.result, self.error = _simulate(self.spec["scenario"])
        self.last: CheckResult | None = None
        self._diag = W.RadioButtons(
            options=[(v, k) for k, v in DIAGNOSES.items()],
            value=None,
            description="diagnosis",
            layout=W.Layout(width="auto"),
        )
        self._fix = W.RadioButtons(
            options=[(v, k) for k, v in FIXES.items()],
            value=None,
            description="fix",
            layout=W.Layout(width="auto"),
        )
        self._check = W.Button(description="check my answer", button_style="info")
        self._verdict = W.HTML()
        self._check.on_click(
            lambda _b: self.check({"diagnosis": self._diag.value, "fix": self._fix.value})
        )
        self.widget = W.VBox(
            [
                W.HTML(f"<b>{_esc(self.spec['title'])}</b>"),
                W.HTML(_error_html(self.error)),
                W.HTML(_pre(self.observations())),
                self._diag,
                self._fix,
                self._check,
                self._verdict,
            ]
        )

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot: what `kubectl get` shows when the learner looks."""
        snaps = plots.timeline_of(self.result) if self.result is not None else []
        return snaps[-1] if snaps else {}

    def observations(self) -> str:
        """What the learner can see: `kubectl get`, the events, and the init logs if any."""
        if self.result is None:
            return ""
        # At the end of the run (its `until`), not at the last change: a pod stuck
        # in Init:0/1 for two minutes should say so in AGE and in the events' ages.
        t = plots._num(getattr(self.result, "end", None) or self.final.get("t"))
        parts = [
            "$ kubectl get pod",
            get_table(self.result, t),
            "",
            describe_events(self.result, t),
        ]
        try:
            from initlab.kubectl import render_logs

            pod = plots._dict(self.spec["scenario"]["pod"])
            pod_name = plots._dict(pod.get("metadata")).get("name", "pod")
            for c in plots._list(plots._dict(pod.get("spec")).get("initContainers")):
                name = plots._dict(c).get("name")
                logs = render_logs(self.result, name, t)
                if logs:
                    parts += ["", f"$ kubectl logs {pod_name} -c {name}", logs.rstrip()]
        except Exception:  # noqa: BLE001 - logs are a bonus, never a failure
            pass
        return "\n".join(parts)

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
        colour = "#009E73" if self.last.correct else "#D55E00"
        self._verdict.value = (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">{_esc(feedback)}</div>'
        )
        return self.last


def debug_lab(case: str) -> DebugLab:
    """A `DebugLab` on one of `DEBUG_CASES` (typo-service, never-flaky, crashloop-init)."""
    return DebugLab(case)
