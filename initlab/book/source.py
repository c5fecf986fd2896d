"""The scenario a player offers for editing, as YAML: a file's own text, else re-written.

`scenario_document(scenario)` writes a loaded `Scenario` back as the scenario
format's mapping (the inverse of `initlab.sim.scenario.load_scenario`), so a
player built from a `Result` can still show the YAML that reproduces it;
`source_text` picks what to show for whatever a player was given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from initlab.sim.scenario import Attempt, Scenario, load_scenario

__all__ = ["scenario_document", "scenario_yaml", "source_text"]


def _secs(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _attempt_document(a: Attempt) -> dict[str, Any]:
    """One attempt in the scenario format's keys (defaults left out)."""
    out: dict[str, Any] = {}
    out["run"] = "forever" if a.run is None else _secs(a.run)
    if a.exit:
        out["exit"] = a.exit
    for key in ("startup", "ready"):
        value = getattr(a, key)
        if value is not None:
            out[key] = _secs(value)
    if a.startup_fail:
        out["startup"] = "fail"
    if a.readiness_fails:
        out["readiness"] = [
            {"failFrom": _secs(f)} | ({"failUntil": _secs(u)} if u is not None else {})
            for f, u in a.readiness_fails
        ]
    if a.liveness_fail_after is not None:
        out["liveness"] = {"failAfter": _secs(a.liveness_fail_after)}
    if a.on_term_ignore:
        out["onTerm"] = "ignore"
    elif a.on_term_exit != 143:
        out["onTerm"] = {"exit": a.on_term_exit, "after": _secs(a.stop)}
    elif a.stop:
        out["stop"] = _secs(a.stop)
    if a.post_start is not None:
        ps = _secs(a.post_start)
        out["postStart"] = {"run": ps, "exit": a.post_start_exit} if a.post_start_exit else ps
    if a.pre_stop is None or a.pre_stop or a.pre_stop_exit:
        run = "forever" if a.pre_stop is None else _secs(a.pre_stop)
        out["preStop"] = {"run": run, "exit": a.pre_stop_exit} if a.pre_stop_exit else run
    if a.oom:
        out["oom"] = True
    if a.pull_error:
        out["pull"] = "error"
    if a.wait_for:
        out["waitFor"] = f"service/{a.wait_for}"
    if a.writes:
        out["writes"] = [{"volume": w.volume, "path": w.path, "mode": w.mode} for w in a.writes]
    if a.log is not None:
        out["log"] = list(a.log)
    return out


def _event_document(e: Any) -> dict[str, Any]:
    """One world event in the scenario format's keys."""
    out: dict[str, Any] = {"at": _secs(e.at), "action": f"{e.action} {e.arg}".strip()}
    if e.patch is not None:
        out["patch"] = e.patch
    if e.remove_exited:
        out["removeExitedContainers"] = True
    return out


def scenario_document(sc: Scenario) -> dict[str, Any]:
    """The scenario-format mapping that `load_scenario` turns back into `sc`.

    Behaviour the simulator assumed from an idiom (`sc.assumed`) is left out:
    loading the document assumes it again, and the YAML shows what a learner wrote.
    """
    doc: dict[str, Any] = {"pod": sc.pod}
    if sc.until is not None:
        doc["until"] = _secs(sc.until)
    if sc.node:
        doc["node"] = dict(sc.node)
    assumed = {name for name, a in sc.assumed.items() if a.recognised}
    behavior = {
        name: [_attempt_document(a) for a in attempts]
        for name, attempts in sc.behavior.items()
        if name not in assumed
    }
    if behavior:
        doc["behavior"] = behavior
    if sc.events:
        doc["events"] = [_event_document(e) for e in sc.events]
    kubelet: dict[str, Any] = {}
    if sc.max_restart_period is not None:
        kubelet["crashLoopBackOff"] = {
            "maxContainerRestartPeriod": f"{_secs(sc.max_restart_period)}s"
        }
    if sc.reduced_decay:
        kubelet["featureGates"] = {"ReduceDefaultCrashLoopBackOffDecay": True}
    if kubelet:
        doc["kubelet"] = kubelet
    return doc


def scenario_yaml(sc: Scenario) -> str:
    """`scenario_document(sc)` as block YAML, keys in the format's order."""
    return yaml.safe_dump(scenario_document(sc), sort_keys=False, default_flow_style=False)


def source_text(scenario: Any) -> str | None:
    """The YAML a player offers for editing: a file's own text (comments kept), else re-written.

    A path whose scenario uses `podFile` is re-written with the pod inline (the
    browser has no file to read). None when there is nothing to show.
    """
    if isinstance(scenario, Scenario):
        return scenario_yaml(scenario)
    if isinstance(scenario, dict):
        if "timeline" in scenario:  # a Result's JSON: no scenario in it
            return None
        return yaml.safe_dump(scenario, sort_keys=False, default_flow_style=False)
    if isinstance(scenario, Path) or (
        isinstance(scenario, str) and "\n" not in scenario and scenario.endswith((".yaml", ".yml"))
    ):
        path = Path(scenario)
        text = path.read_text(encoding="utf-8")
        if "podFile" in text:
            return scenario_yaml(load_scenario(path))
        return text
    if isinstance(scenario, str):
        return scenario
    sc = getattr(scenario, "scenario", None)  # a Result
    return scenario_yaml(sc) if isinstance(sc, Scenario) else None
