"""The debug lab: broken pods as data, graded by simulating the learner's fix.

Each case is a file `initlab/book/debug_cases/<id>.yaml` (package data, so the
same cases run in Jupyter and, through Pyodide, in the published book):

```yaml
title: orders never leaves Init:0/1        # what the learner is told
goal: Make orders reach Running.
manifest: |                                # the Pod (or Job, Deployment ...) the learner edits
  apiVersion: v1
  kind: Pod
  ...
world:                                     # the cluster around the pod, fixed: scenario keys
  until: 120                               # but `pod` (until, node, events, behavior, kubelet)
  services: [orders-db]                    # Services that exist from the start
rules:                                     # behaviour chosen by what the edited manifest says
  - container: load-cache
    if: {memoryLimitBelow: 64Mi}           # memoryLimitBelow, commandHas, imageIn, envHas, runAsUser
    then: [{run: 3, oom: true}]
    else: [{run: 3}]
hints: [...]
grade:
  phase: [Running]                         # the pod's phase at the end of the run
  status: [Running]                        # (optional) STATUS at the end of the run
  healthy: [load-cache]                    # these containers exist and never failed
  keep: [load-cache]                       # these containers must still be in the pod
answer: [oom, more-memory]                 # keys of DIAGNOSES and FIXES (the notebook quiz)
explain: ...                               # shown once the fix passes
```

A learner's text may also carry `kind: Service` documents: each becomes a
Service that exists from the start (`create-service NAME` at 0 s), as
`kubectl apply -f` of both files would make it.

The simulator does not model memory use, programs in an image or a mesh's
network rules; a case states them as `rules` (e.g. "load-cache needs 64Mi"),
and the simulator does the rest (restart policy, back-off, phase, STATUS).
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from initlab.api.pod import (
    as_dict,
    as_int,
    as_list,
    init_containers,
    metadata,
    regular_containers,
)
from initlab.api.pod import spec as pod_spec
from initlab.api.pod import status as pod_status
from initlab.book.messages import one_line
from initlab.book.player import asset, get_table
from initlab.errors import InputError

__all__ = ["DebugCase", "Grade", "cases", "case", "DIAGNOSES", "FIXES", "CONDITIONS"]

#: Every diagnosis the lab offers: the learner must tell them apart.
DIAGNOSES: dict[str, str] = {
    "service-name": "an init container waits for a Service that does not exist",
    "crash": "an init container exits non-zero each time; the kubelet retries with back-off",
    "never": "restartPolicy Never: a single init failure fails the whole pod",
    "oom": "an init container is killed for going over its memory limit (OOMKilled)",
    "image": "an init container's image cannot be pulled",
    "not-idempotent": "an init step fails when it runs again on the same volume",
    "command": "an init container's command does not exist in its image (exit 127)",
    "sidecar-as-app": "a helper declared as an app container keeps the Job's pod running",
    "mesh-network": "an init container has no network: the mesh redirects its traffic",
    "deadline": "activeDeadlineSeconds ends the pod before the back-off lets init succeed",
    "sidecar-as-init": "a helper that never exits is declared as a regular init container",
    "webhook-dropped": "an admission webhook dropped restartPolicy: Always from a sidecar",
    "app-image": "the app container's image cannot be pulled (the init containers are done)",
}
#: Every fix the lab offers.
FIXES: dict[str, str] = {
    "fix-service-name": "correct the Service name the init container waits for",
    "create-service": "create the Service the init container waits for",
    "onfailure": "use restartPolicy OnFailure (or Always) so the kubelet retries init steps",
    "more-memory": "raise the init container's memory limit",
    "fix-image": "correct the image reference (or add an imagePullSecret)",
    "idempotent": "make the init step idempotent (mkdir -p, CREATE ... IF NOT EXISTS)",
    "read-logs": "read `kubectl logs POD -c INIT --previous` and fix the failing command",
    "fix-command": "correct the command's path or name",
    "native-sidecar": "declare the helper as a native sidecar (an init container, restartPolicy Always)",
    "mesh-uid": "run the init container as the proxy's user (runAsUser: 1337) so its traffic bypasses the mesh",
    "delete-pod": "delete the pod so that it is created again",
    "longer-deadline": "give activeDeadlineSeconds room for the back-off (or wait instead of exiting)",
}


def _quantity(text: Any) -> float:
    from initlab.api.quantity import Quantity

    return float(Quantity.parse(str(text)).value)


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return init_containers(pod) + regular_containers(pod)


def _command(c: dict[str, Any]) -> str:
    parts = [*(c.get("command") or []), *(c.get("args") or [])]
    return " ".join(str(p) for p in parts)


def _memory_limit_below(c: dict[str, Any], pod: dict[str, Any], arg: Any) -> bool:
    limits = as_dict(as_dict(c.get("resources")).get("limits"))
    if "memory" not in limits:
        return False  # no limit: the kernel does not kill it at a cgroup limit
    return _quantity(limits["memory"]) < _quantity(arg)


def _command_has(c: dict[str, Any], pod: dict[str, Any], arg: Any) -> bool:
    return str(arg) in _command(c)


def _image_in(c: dict[str, Any], pod: dict[str, Any], arg: Any) -> bool:
    return str(c.get("image", "")) in [str(a) for a in (arg if isinstance(arg, list) else [arg])]


def _env_has(c: dict[str, Any], pod: dict[str, Any], arg: Any) -> bool:
    return any(
        e.get("name") == arg and str(e.get("value", "")).strip() for e in as_list(c.get("env"))
    )


def _run_as_user(c: dict[str, Any], pod: dict[str, Any], arg: Any) -> bool:
    """The container's securityContext.runAsUser, else the pod's (as the kubelet resolves it)."""
    own = as_dict(c.get("securityContext")).get("runAsUser")
    if own is None:
        own = as_dict(pod_spec(pod).get("securityContext")).get("runAsUser")
    return own == arg


#: The conditions a rule may test: name -> (container, pod, argument) -> bool.
CONDITIONS = {
    "memoryLimitBelow": _memory_limit_below,
    "commandHas": _command_has,
    "imageIn": _image_in,
    "envHas": _env_has,
    "runAsUser": _run_as_user,
}


@dataclass(frozen=True)
class Grade:
    """The verdict on a learner's manifest: passed, one line why, and the run it came from."""

    passed: bool
    message: str
    result: Any = None
    error: str | None = None

    def __bool__(self) -> bool:
        return self.passed


@dataclass
class DebugCase:
    """One broken pod: its manifest, the world around it, and how a fix is graded."""

    id: str
    title: str
    goal: str
    manifest: str
    world: dict[str, Any] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    grade_rule: dict[str, Any] = field(default_factory=dict)
    answer: tuple[str, str] = ("", "")
    explain: str = ""

    # -- the scenario

    def scenario(self, text: str | None = None) -> dict[str, Any]:
        """The scenario the learner's manifest (default: the broken one) runs in."""
        from initlab.api.loader import find_pod, parse_documents

        source = self.manifest if text is None else text
        docs = parse_documents(source, "manifest")
        services = []
        others = []
        for d in docs:
            if isinstance(d, dict) and d.get("kind") == "Service":
                name = metadata(d).get("name")
                if not isinstance(name, str) or not name:
                    raise InputError("a Service needs metadata.name", "metadata.name")
                services.append(name)
            elif d is not None:
                others.append(d)
        pod = copy.deepcopy(find_pod(others, "manifest").raw)
        world = copy.deepcopy(self.world)
        sc: dict[str, Any] = {"pod": pod}
        for key in ("until", "node", "kubelet"):
            if key in world:
                sc[key] = world[key]
        behavior = dict(world.get("behavior") or {})
        names = {str(c.get("name")) for c in _containers(pod)}
        for rule in self.rules:
            target = next((c for c in _containers(pod) if c.get("name") == rule["container"]), None)
            if target is None:
                continue
            ((cond, arg),) = rule["if"].items()
            behavior[rule["container"]] = copy.deepcopy(
                rule["then"] if CONDITIONS[cond](target, pod, arg) else rule["else"]
            )
        behavior = {k: v for k, v in behavior.items() if k in names}
        if behavior:
            sc["behavior"] = behavior
        events = list(world.get("events") or [])
        events += [{"at": 0, "action": f"create-service {s}"} for s in world.get("services", [])]
        events += [{"at": 0, "action": f"create-service {s}"} for s in services]
        if events:
            sc["events"] = events
        return sc

    def run(self, text: str | None = None) -> Any:
        """Simulate the learner's manifest (default: the broken one)."""
        from initlab.sim.simulator import simulate

        return simulate(self.scenario(text))

    # -- what the learner sees

    def symptoms(self, result: Any = None) -> dict[str, str]:
        """`kubectl get`, `describe` and `logs` at the end of the run: what a learner can see."""
        from initlab.kubectl import render_describe, render_logs

        result = self.run() if result is None else result
        t = result.end
        name = result.name
        out = {
            "get": f"$ kubectl get pod {name}\n" + get_table(result, t),
            "describe": f"$ kubectl describe pod {name}\n"
            + render_describe(result, t).rstrip("\n"),
        }
        logs = []
        pod = result.pod_at(t)
        for c in _containers(pod):
            cname = c.get("name")
            text = render_logs(result, cname, t).rstrip("\n")
            if text and "BadRequest" not in text:
                logs.append(f"$ kubectl logs {name} -c {cname}\n{text}")
            prev = render_logs(result, cname, t, previous=True).rstrip("\n")
            if prev and "BadRequest" not in prev and prev != text:
                logs.append(f"$ kubectl logs {name} -c {cname} --previous\n{prev}")
        out["logs"] = (
            "\n\n".join(logs) or f"$ kubectl logs {name}\n(no container has logged anything)"
        )
        return out

    # -- grading

    def grade(self, text: str) -> Grade:
        """Simulate the learner's manifest and check it against the case's rule.

        Passes when the pod's phase at the end is one of `grade.phase`, every
        container in `grade.keep` is still in the pod, and every container in
        `grade.healthy` exists and never failed (restartCount 0, no non-zero
        exit in its state or last state).
        """
        try:
            result = self.run(text)
        except Exception as e:  # noqa: BLE001 - a learner's typo is a message, not a traceback
            return Grade(False, one_line(e), None, one_line(e))
        rule = self.grade_rule
        pod = result.pod_at(result.end)
        st = pod_status(pod)
        names = {str(c.get("name")) for c in _containers(pod)}
        missing = [c for c in [*rule.get("keep", []), *rule.get("healthy", [])] if c not in names]
        if missing:
            return Grade(
                False,
                f"the pod no longer has {', '.join(missing)}: fix it rather than remove it",
                result,
            )
        statuses = {
            s.get("name"): s
            for key in ("initContainerStatuses", "containerStatuses")
            for s in as_list(st.get(key))
        }
        for c in rule.get("healthy", []):
            s = statuses.get(c) or {}
            failed = as_int(s.get("restartCount")) > 0 or any(
                as_int(as_dict(as_dict(s.get(k)).get("terminated")).get("exitCode")) != 0
                for k in ("state", "lastState")
            )
            if failed:
                return Grade(
                    False, f"not yet: {c} still fails (see its logs and Last State)", result
                )
        phase = str(st.get("phase", ""))
        want = list(rule.get("phase", ["Running"]))
        final = str(result.timeline[-1].get("status", ""))
        if "status" in rule and final not in rule["status"]:
            return Grade(
                False,
                f"not yet: at {result.end:g}s STATUS is {final}; "
                f"the goal is {' or '.join(rule['status'])}",
                result,
            )
        if phase not in want:
            return Grade(
                False,
                f"not yet: at {result.end:g}s the pod is {phase} (STATUS {final}); "
                f"the goal is {' or '.join(want)}",
                result,
            )
        return Grade(True, f"Fixed: the pod is {phase}. {self.explain}".strip(), result)


_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _load(name: str, text: str) -> DebugCase:
    import yaml

    raw = yaml.safe_load(text)
    case_id = name.removesuffix(".yaml")
    if not isinstance(raw, dict) or not _ID.match(case_id):
        raise InputError(f"debug case {name}: not a mapping", name)
    for key in ("title", "goal", "manifest", "grade"):
        if key not in raw:
            raise InputError(f"debug case {name}: missing {key}", key)
    for i, rule in enumerate(raw.get("rules") or []):
        if set(rule) != {"container", "if", "then", "else"} or len(rule["if"]) != 1:
            raise InputError(f"debug case {name}: rules[{i}] needs container, if, then, else")
        (cond,) = rule["if"]
        if cond not in CONDITIONS:
            raise InputError(f"debug case {name}: rules[{i}]: unknown condition {cond}")
    answer = raw.get("answer") or ["", ""]
    return DebugCase(
        id=case_id,
        title=raw["title"],
        goal=raw["goal"],
        manifest=raw["manifest"],
        world=raw.get("world") or {},
        rules=list(raw.get("rules") or []),
        hints=list(raw.get("hints") or []),
        grade_rule=raw["grade"],
        answer=(str(answer[0]), str(answer[1])),
        explain=str(raw.get("explain", "")).strip(),
    )


@cache
def cases() -> dict[str, DebugCase]:
    """Every case shipped in initlab/book/debug_cases/, by id, in file-name order."""
    from importlib.resources import files

    folder = files("initlab.book") / "debug_cases"
    entries = sorted(
        (p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name
    )
    return {c.id: c for c in (_load(p.name, p.read_text(encoding="utf-8")) for p in entries)}


def case(case_id: str) -> DebugCase:
    """One case by id; a KeyError lists the ids."""
    all_cases = cases()
    if case_id not in all_cases:
        raise KeyError(f"unknown case {case_id!r}; cases: {', '.join(all_cases)}")
    return all_cases[case_id]


# --------------------------------------------------------------------------- the page


def _symptom_panes(sym: dict[str, str]) -> str:
    return "".join(
        f'<pre class="ildl-{key}" aria-label="kubectl {key}">{html.escape(sym[key])}</pre>'
        for key in ("get", "describe", "logs")
    )


class Lab:
    """The debug lab as HTML: symptoms, goal, hints, the manifest to edit, Check my fix.

    In the published book the page simulates the edited manifest with the real
    initlab (Pyodide, through `initlab.book.live.check_json`) and grades it with
    `DebugCase.grade`; offline and from file:// it says how to serve the book.
    `_repr_html_` makes a notebook cell ending with a Lab show it.
    """

    def __init__(self, case_ids: list[str] | None = None) -> None:
        all_cases = cases()
        self.ids = list(case_ids) if case_ids else list(all_cases)
        for cid in self.ids:
            case(cid)  # KeyError listing the ids
        self.html = self._render()

    def _repr_html_(self) -> str:
        return self.html

    def _render(self) -> str:
        parts = ['<div class="initlab-debuglab">', "<style>", asset("player.css"), "</style>"]
        for n, cid in enumerate(self.ids, start=1):
            c = case(cid)
            sym = c.symptoms()
            hints = "".join(f"<li>{html.escape(h)}</li>" for h in c.hints)
            parts += [
                f'<details class="ildl-case" id="ildl-{cid}" data-case="{cid}">',
                f"<summary><b>Case {n}: {html.escape(c.title)}</b></summary>",
                f'<p class="ildl-goal"><b>Goal:</b> {html.escape(c.goal)}</p>',
                "<p>What you see (the symptoms, not the cause):</p>",
                f'<div class="ildl-symptoms">{_symptom_panes(sym)}</div>',
                f"<details><summary>Hints</summary><ol>{hints}</ol></details>",
                f'<label for="ildl-{cid}-yaml">The manifest: fix it, then Check my fix '
                "(the page simulates it with initlab)</label>",
                f'<textarea id="ildl-{cid}-yaml" class="ilp-yaml" rows="16" spellcheck="false" '
                f'autocomplete="off">{html.escape(c.manifest)}</textarea>',
                '<div class="ilp-editor-buttons">',
                '<button type="button" class="ildl-check">✔ Check my fix</button>',
                '<button type="button" class="ilp-reset">Reset</button></div>',
                '<div class="ilp-status" role="status" aria-live="polite"></div>',
                "</details>",
            ]
        parts += [
            "<script>",
            asset("player.js"),
            "\n",
            asset("debuglab.js"),
            "</script>",
            "</div>",
        ]
        return "".join(parts)


def lab(*case_ids: str) -> Lab:
    """The debug lab on these cases (all of them when none is named)."""
    return Lab(list(case_ids) or None)
