"""Hypothesis strategies: valid pods and scenarios, for the fuzzing tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

IMAGES = ["busybox:1.28", "alpine:3.20", "nginx:1.27", "postgres:16", "envoyproxy/envoy:v1.31.0"]


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    """Requests (and sometimes equal or larger limits) the API server accepts."""
    out: dict[str, Any] = {}
    cpu = draw(st.none() | st.integers(min_value=1, max_value=4000))
    mem = draw(st.none() | st.integers(min_value=1, max_value=4096))
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if cpu is not None:
        requests["cpu"] = f"{cpu}m"
        if draw(st.booleans()):
            limits["cpu"] = f"{cpu + draw(st.integers(0, 1000))}m"
    if mem is not None:
        requests["memory"] = f"{mem}Mi"
        if draw(st.booleans()):
            limits["memory"] = f"{mem + draw(st.integers(0, 512))}Mi"
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


@st.composite
def pods(draw: st.DrawFn, max_init: int = 4, max_app: int = 2) -> dict[str, Any]:
    """A valid Pod: regular init containers, native sidecars, app containers."""
    n_init = draw(st.integers(min_value=0, max_value=max_init))
    n_app = draw(st.integers(min_value=1, max_value=max_app))
    init = []
    for i in range(n_init):
        c: dict[str, Any] = {"name": f"init-{i}", "image": draw(st.sampled_from(IMAGES))}
        if draw(st.integers(0, 3)) == 0:
            c["name"] = f"sidecar-{i}"
            c["restartPolicy"] = "Always"
            if draw(st.booleans()):
                c["startupProbe"] = {"exec": {"command": ["true"]}, "periodSeconds": 1}
        res = draw(resources())
        if res:
            c["resources"] = res
        init.append(c)
    apps = []
    for i in range(n_app):
        c = {"name": f"app-{i}", "image": draw(st.sampled_from(IMAGES))}
        res = draw(resources())
        if res:
            c["resources"] = res
        apps.append(c)
    spec: dict[str, Any] = {
        "restartPolicy": draw(st.sampled_from(["Always", "OnFailure", "Never"])),
        "containers": apps,
    }
    if init:
        spec["initContainers"] = init
    if draw(st.integers(0, 4)) == 0:
        spec["activeDeadlineSeconds"] = draw(st.integers(min_value=1, max_value=900))
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fuzz"}, "spec": spec}


def _attempt(draw: st.DrawFn, regular_init: bool) -> dict[str, Any]:
    kind = draw(st.integers(0, 9))
    if not regular_init and kind < 4:
        return {"run": "forever"}
    if kind == 0:
        return {"run": draw(st.integers(0, 30)), "oom": True}
    return {"run": draw(st.integers(0, 60)), "exit": draw(st.sampled_from([0, 0, 0, 1, 2, 137]))}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A pod plus behaviours (failures, OOM, sidecars) and world events."""
    pod = draw(pods())
    spec = pod["spec"]
    behavior: dict[str, list[dict[str, Any]]] = {}
    for c in spec.get("initContainers", []):
        if draw(st.booleans()):
            regular = c.get("restartPolicy") != "Always"
            n = draw(st.integers(1, 4))
            attempts = [_attempt(draw, regular) for _ in range(n)]
            if not regular and "startupProbe" in c:
                attempts = [{**a, "startup": draw(st.integers(0, 10))} for a in attempts]
            behavior[c["name"]] = attempts
    for c in spec["containers"]:
        if draw(st.booleans()):
            behavior[c["name"]] = [_attempt(draw, False) for _ in range(draw(st.integers(1, 3)))]
    events = []
    for _ in range(draw(st.integers(0, 2))):
        events.append(
            {
                "at": draw(st.integers(1, 600)),
                "action": draw(st.sampled_from(["restart-sandbox", "delete-pod"])),
            }
        )
    scenario: dict[str, Any] = {"pod": pod, "until": draw(st.integers(30, 1800))}
    if behavior:
        scenario["behavior"] = behavior
    if events:
        scenario["events"] = sorted(events, key=lambda e: e["at"])
    return scenario
