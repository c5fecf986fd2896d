"""Live explorers for Jupyter (ipywidgets 8): change the pod, see the new run at once.

Each explorer is a thin panel over a pure state object of
`initlab.book.explorers` (`.state`): the panel builds the controls
(`.controls`, by name) and the outputs (`.outputs`), wires each control to one
state method, and shows the state's `views()`. The state's attributes read
through the panel too (`explore(...).snapshot`, `what_if(...).statuses`).
Bad input never raises: the panel shows the one-line error (`.error`) and
keeps the previous run on screen.

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
book pairs each explorer with `initlab.player` (see player.py).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from initlab.book.explorers import (
    DEBUG_CASES,
    DIAGNOSES,
    FIXES,
    RESOURCE_FIELDS,
    RESTART_POLICIES,
    AdmissionState,
    CheckResult,
    DebugState,
    ExplorerState,
    ResourceState,
    WhatIfState,
)

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


def _forward(name: str) -> Any:
    """A read-only attribute of a panel: its state's `name`."""
    return property(lambda self: getattr(self.state, name), doc=f"`.state.{name}`")


class _Panel:
    """What every panel has: its state, named controls and outputs, and the root widget."""

    state: Any
    controls: dict[str, Any]
    outputs: dict[str, W.HTML]
    widget: W.Box
    #: The state's one-line error, or None when the last change worked.
    error = _forward("error")

    def _render(self) -> None:
        """Show the state's views in the outputs of the same names."""
        for key, value in self.state.views().items():
            if self.outputs[key].value != value:
                self.outputs[key].value = value


def _outputs(*names: str) -> dict[str, W.HTML]:
    return {name: W.HTML() for name in names}


# --------------------------------------------------------------------------- explorer


class Explorer(_Panel):
    """Step through one simulated run (`ExplorerState`): buttons, a slider, a play control.

    Controls: `back`, `step`, `play`, `slider` (the cursor), `source` (the
    scenario editor) and `simulate`.
    """

    result = _forward("result")
    index = _forward("index")
    snapshots = _forward("snapshots")
    snapshot = _forward("snapshot")
    t = _forward("t")
    get_text = _forward("get_text")
    events_text = _forward("events_text")

    def __init__(self, scenario: Any = None) -> None:
        self.state = ExplorerState(scenario)
        self.controls = {
            "back": W.Button(description="◀ back", layout=W.Layout(width="90px")),
            "play": W.Play(interval=800, min=0, max=0, value=0, description="play"),
            "step": W.Button(description="step ▶", layout=W.Layout(width="90px")),
            "slider": W.IntSlider(
                min=0,
                max=0,
                value=0,
                description="snapshot",
                continuous_update=True,
                layout=W.Layout(width="420px"),
            ),
            "source": W.Textarea(
                value=self.state.source,
                rows=10,
                layout=W.Layout(width="100%"),
                placeholder="a scenario (YAML) or a Pod manifest",
            ),
            "simulate": W.Button(description="simulate", button_style="primary"),
        }
        c = self.controls
        W.jslink((c["play"], "value"), (c["slider"], "value"))
        c["back"].on_click(lambda _b: self.back())
        c["step"].on_click(lambda _b: self.step())
        c["simulate"].on_click(lambda _b: self.load(c["source"].value))
        c["slider"].observe(lambda ch: self.goto(ch["new"]), names="value")
        self.outputs = _outputs("title", "clock", "error", "timeline", "get", "events")
        o = self.outputs
        editor = W.Accordion(children=[W.VBox([c["source"], c["simulate"]])])
        editor.set_title(0, "edit the scenario")
        editor.selected_index = None
        self.widget = W.VBox(
            [
                o["title"],
                W.HBox([c["back"], c["play"], c["step"], c["slider"], o["clock"]]),
                o["error"],
                o["timeline"],
                o["get"],
                o["events"],
                editor,
            ]
        )
        self._show()

    def _show(self) -> None:
        c = self.controls
        c["slider"].value = self.state.index  # first: the index always fits the new range
        c["slider"].max = c["play"].max = self.state.last_index
        if c["source"].value != self.state.source:
            c["source"].value = self.state.source
        self._render()

    def step(self) -> dict[str, Any]:
        """Move to the next snapshot (stays on the last one); returns it."""
        snap = self.state.step()
        self._show()
        return snap

    def back(self) -> dict[str, Any]:
        """Move to the previous snapshot (stays on the first one); returns it."""
        snap = self.state.back()
        self._show()
        return snap

    def goto(self, index: int) -> dict[str, Any]:
        """Move the cursor to snapshot `index` (clamped)."""
        snap = self.state.goto(index)
        self._show()
        return snap

    def load(self, scenario: Any) -> Explorer:
        """Re-simulate `scenario`; a bad one keeps the previous run and sets `.error`."""
        self.state.load(scenario)
        self._show()
        return self


def explore(scenario: Any) -> Explorer:
    """An `Explorer` on `scenario` (dict, YAML text, path or a bare Pod manifest)."""
    return Explorer(scenario)


# --------------------------------------------------------------------------- what-if


class WhatIf(_Panel):
    """Change one thing about a pod and see the run change (`WhatIfState`).

    One control per option, by the option's name: `restart_policy`, `fail`,
    `failures`, `exit_code`, `deadline`, `sidecar`, `sandbox_restart_at`.
    """

    result = _forward("result")
    base = _forward("base")
    init_names = _forward("init_names")
    options = _forward("options")
    scenario = _forward("scenario")
    final = _forward("final")
    statuses = _forward("statuses")

    def __init__(self, pod_or_scenario: Any) -> None:
        self.state = WhatIfState(pod_or_scenario)
        o = self.state.options
        self.controls = {
            "restart_policy": W.ToggleButtons(
                options=list(RESTART_POLICIES),
                value=o["restart_policy"],
                description="restartPolicy",
            ),
            "fail": W.Dropdown(
                options=[("(none)", None)] + [(n, n) for n in self.state.init_names],
                value=o["fail"],
                description="failing init",
            ),
            "failures": W.IntSlider(min=0, max=10, value=o["failures"], description="fails ×"),
            "exit_code": W.BoundedIntText(
                min=1, max=255, value=o["exit_code"], description="exit code"
            ),
            "deadline": W.BoundedIntText(
                min=0, max=86400, value=o["deadline"], description="deadline s"
            ),
            "sidecar": W.Checkbox(value=o["sidecar"], description="native sidecar"),
            "sandbox_restart_at": W.BoundedIntText(
                min=0, max=86400, value=o["sandbox_restart_at"], description="sandbox restart at s"
            ),
        }
        for key, control in self.controls.items():
            control.observe(lambda ch, k=key: self.set(**{k: ch["new"]}), names="value")
        self.outputs = _outputs("error", "summary", "timeline", "events")
        c, out = self.controls, self.outputs
        self.widget = W.VBox(
            [
                W.HBox([c["restart_policy"], c["sidecar"]]),
                W.HBox([c["fail"], c["failures"], c["exit_code"]]),
                W.HBox([c["deadline"], c["sandbox_restart_at"]]),
                out["error"],
                out["summary"],
                out["timeline"],
                out["events"],
            ]
        )
        self._render()

    def set(self, **options: Any) -> WhatIf:
        """Change options (keys as in `.options`) and re-simulate; the controls follow."""
        before = (dict(self.state.options), self.state.error)
        self.state.set(**options)
        if (self.state.options, self.state.error) != before:
            for key, control in self.controls.items():
                if control.value != self.state.options[key]:
                    control.value = self.state.options[key]  # its observer finds nothing new
            self._render()
        return self

    def rerun(self) -> Any:
        """Simulate the current options again; returns the run shown."""
        result = self.state.rerun()
        self._render()
        return result


def what_if(pod_or_scenario: Any) -> WhatIf:
    """A `WhatIf` lab on a Pod or scenario (dict, YAML text or path)."""
    return WhatIf(pod_or_scenario)


# --------------------------------------------------------------------------- resources


class ResourceExplorer(_Panel):
    """Edit each container's requests/limits; see the effective request/limit, QoS and fit.

    Controls: one text box per container and field, keyed `"name/requests.cpu"`,
    and `node cpu`, `node memory` for the node's allocatable.
    """

    pod = _forward("pod")
    node = _forward("node")
    errors = _forward("errors")
    report = _forward("report")
    insufficient = _forward("insufficient")
    effective_requests = _forward("effective_requests")
    effective_limits = _forward("effective_limits")
    qos_class = _forward("qos_class")
    fits = _forward("fits")

    def __init__(self, pod: dict[str, Any], node: dict[str, str] | None = None) -> None:
        self.state = ResourceState(pod, node)
        self.controls = {}
        grid: list[W.Widget] = [W.HTML("<b>container</b>")]
        grid += [W.HTML(f"<b>{f}</b>") for f in RESOURCE_FIELDS]
        for name, label, values in self.state.rows():
            grid.append(W.HTML(html.escape(label)))
            for f in RESOURCE_FIELDS:
                box = W.Text(
                    value=values[f], layout=W.Layout(width="110px"), continuous_update=False
                )
                box.observe(lambda ch, n=name, ff=f: self.set(n, ff, ch["new"]), names="value")
                self.controls[f"{name}/{f}"] = box
                grid.append(box)
        for k in ("cpu", "memory"):
            box = W.Text(
                value=self.state.node.get(k, ""),
                description=f"node {k}",
                layout=W.Layout(width="200px"),
                continuous_update=False,
            )
            box.observe(lambda ch, kk=k: self.set_node(**{kk: ch["new"]}), names="value")
            self.controls[f"node {k}"] = box
        self.outputs = _outputs("error", "report")
        self.widget = W.VBox(
            [
                W.GridBox(
                    grid,
                    layout=W.Layout(grid_template_columns="minmax(140px, auto) repeat(4, 120px)"),
                ),
                W.HBox([self.controls["node cpu"], self.controls["node memory"]]),
                self.outputs["error"],
                self.outputs["report"],
            ]
        )
        self._render()

    def _show(self) -> None:
        values = {f"{name}/{f}": v for name, _l, row in self.state.rows() for f, v in row.items()}
        values |= {f"node {k}": self.state.node.get(k, "") for k in ("cpu", "memory")}
        for key, box in self.controls.items():
            if key in values and box.value != values[key]:
                box.value = values[key]
        self._render()

    def set(self, container: str, field: str, value: str) -> ResourceExplorer:
        """Set `field` ("requests.cpu", "limits.memory", ...) of `container`; "" removes it."""
        self.state.set(container, field, value)
        self._show()
        return self

    def set_node(self, **allocatable: str) -> ResourceExplorer:
        """Set the node's allocatable cpu/memory ("" = not checked)."""
        self.state.set_node(**allocatable)
        self._show()
        return self


def resource_explorer(pod: dict[str, Any], node: dict[str, str] | None = None) -> ResourceExplorer:
    """A `ResourceExplorer` on `pod` (node allocatable defaults to 2 CPU / 4Gi)."""
    return ResourceExplorer(pod, node)


# --------------------------------------------------------------------------- admission


class AdmissionExplorer(_Panel):
    """Pick mutating webhooks (control `webhooks`); see their JSONPatches and the start-up."""

    pod = _forward("pod")
    namespace_labels = _forward("namespace_labels")
    namespace_annotations = _forward("namespace_annotations")
    available = _forward("available")
    selected = _forward("selected")
    admission = _forward("admission")
    result = _forward("result")
    admitted = _forward("admitted")
    patches = _forward("patches")

    def __init__(
        self,
        pod: dict[str, Any],
        webhooks: list[str] | None = None,
        namespace_labels: dict[str, str] | None = None,
        namespace_annotations: dict[str, str] | None = None,
    ) -> None:
        self.state = AdmissionState(pod, webhooks, namespace_labels, namespace_annotations)
        available = self.state.available
        self.controls = {
            "webhooks": W.SelectMultiple(
                options=available, description="webhooks", rows=min(max(len(available), 2), 8)
            )
        }
        self.controls["webhooks"].observe(lambda ch: self.select(*ch["new"]), names="value")
        self.outputs = _outputs("error", "patch", "timeline")
        self.widget = W.VBox([self.controls["webhooks"], *self.outputs.values()])
        self._render()

    def select(self, *webhooks: str) -> AdmissionExplorer:
        """Admit the pod through `webhooks` (in order) and simulate the admitted pod."""
        self.state.select(*webhooks)
        pick = self.controls["webhooks"]
        if tuple(pick.value) != webhooks and all(w in self.state.available for w in webhooks):
            pick.value = webhooks  # its observer selects the same webhooks again: no change
        self._render()
        return self


def admission_explorer(
    pod: dict[str, Any],
    webhooks: list[str] | None = None,
    namespace_labels: dict[str, str] | None = None,
    namespace_annotations: dict[str, str] | None = None,
) -> AdmissionExplorer:
    """An `AdmissionExplorer` on `pod` in a namespace opted in to Istio and Linkerd injection."""
    return AdmissionExplorer(pod, webhooks, namespace_labels, namespace_annotations)


# --------------------------------------------------------------------------- debug lab


class DebugLab(_Panel):
    """A broken pod (`DebugState`): read what kubectl shows, pick a diagnosis and a fix.

    Controls: `diagnosis` and `fix` (radio buttons) and the `check` button.
    """

    case = _forward("case")
    spec = _forward("spec")
    result = _forward("result")
    last = _forward("last")
    final = _forward("final")

    def __init__(self, case: str) -> None:
        self.state = DebugState(case)
        self.controls = {
            "diagnosis": W.RadioButtons(
                options=[(v, k) for k, v in DIAGNOSES.items()],
                value=None,
                description="diagnosis",
                layout=W.Layout(width="auto"),
            ),
            "fix": W.RadioButtons(
                options=[(v, k) for k, v in FIXES.items()],
                value=None,
                description="fix",
                layout=W.Layout(width="auto"),
            ),
            "check": W.Button(description="check my answer", button_style="info"),
        }
        c = self.controls
        c["check"].on_click(
            lambda _b: self.check({"diagnosis": c["diagnosis"].value, "fix": c["fix"].value})
        )
        self.outputs = _outputs("title", "error", "observations", "verdict")
        o = self.outputs
        self.widget = W.VBox(
            [o["title"], o["error"], o["observations"], c["diagnosis"], c["fix"], c["check"]]
            + [o["verdict"]]
        )
        self._render()

    def observations(self) -> str:
        """What the learner can see: `kubectl get`, the events, and the init logs if any."""
        return self.state.observations()

    def check(self, answer: Any) -> CheckResult:
        """Check `answer`: {"diagnosis": key, "fix": key} or a (diagnosis, fix) pair."""
        verdict = self.state.check(answer)
        self._render()
        return verdict


def debug_lab(case: str) -> DebugLab:
    """A `DebugLab` on one of `DEBUG_CASES` (typo-service, never-flaky, crashloop-init, ...)."""
    return DebugLab(case)
