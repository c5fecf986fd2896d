"""Folded back-off resyncs give exactly what waking up for each resync gives.

A sync that only finds containers in crash-loop back-off is retried every
`ERROR_RESYNC` seconds; the simulator records the run of identical retries
before the next other wake-up as one block of events (`_FAST_RESYNCS`).
Each scenario here runs both ways and must give the same JSON, the same
events, the same trace and the same `kubectl describe` at every time
asked, with the fast path doing fewer simpy steps.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import BUSYBOX, SIDECAR, crash_pod

from initlab.kubectl import render_describe, render_trace
from initlab.sim import periodic, pod_worker, simulator
from initlab.sim.result import EventLog, Result
from initlab.sim.simulator import simulate

#: Crash loops whose back-off windows hold many quiet resyncs, and things that cut them short.
SCENARIOS: dict[str, dict[str, Any]] = {
    "init-default-cap": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "until": 3 * 3600,
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
    },
    "init-cap-60s": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "until": 1800,
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
        "kubelet": {"crashLoopBackOff": {"maxContainerRestartPeriod": "60s"}},
    },
    "init-cap-45s-fractional-run": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "until": 1500,
        "behavior": {"migrate": [{"run": 2.7, "exit": 1}]},
        "kubelet": {"crashLoopBackOff": {"maxContainerRestartPeriod": "45s"}},
    },
    "app-crashes": {
        "pod": crash_pod([], [{"name": "app", "image": "nginx"}]),
        "until": 5000,
        "behavior": {"app": [{"run": 3, "exit": 2}]},
    },
    "app-crashes-reduced-decay": {
        "pod": crash_pod([], [{"name": "app", "image": "nginx"}]),
        "until": 2000,
        "behavior": {"app": [{"run": 3, "exit": 2}]},
        "kubelet": {"featureGates": {"ReduceDefaultCrashLoopBackOffDecay": True}},
    },
    "sidecar-crashes-app-runs": {
        "pod": crash_pod([SIDECAR], [{"name": "app", "image": "nginx"}]),
        "until": 4000,
        "behavior": {"proxy": [{"run": 2, "exit": 1}], "app": [{"run": "forever"}]},
    },
    "two-sidecars-in-back-off": {
        "pod": crash_pod(
            [SIDECAR, {**SIDECAR, "name": "agent"}, {"name": "migrate", "image": BUSYBOX}],
            [{"name": "app", "image": "nginx"}],
        ),
        "until": 3000,
        "behavior": {
            "proxy": [{"run": 2, "exit": 1}],
            "agent": [{"run": 1, "exit": 1}],
            "migrate": [{"run": "forever"}],
        },
    },
    "world-events-mid-window": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "until": 4000,
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
        "events": [
            {"at": 1234, "action": "create-service db"},
            {"at": 1801.5, "action": "update", "patch": {"metadata": {"labels": {"a": "b"}}}},
            {"at": 2345, "action": "restart-kubelet"},
            {
                "at": 3333,
                "action": "update",
                "patch": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}},
            },
        ],
    },
    "deleted-during-back-off": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "until": 3000,
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
        "events": [{"at": 1717, "action": "delete-pod"}],
    },
    "active-deadline-in-back-off": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}],
            [{"name": "app", "image": "nginx"}],
            activeDeadlineSeconds=1000,
        ),
        "until": 2000,
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
    },
    "no-until-stops-at-the-cap": {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
    },
}


def _run(scenario: dict[str, Any], fast: bool, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Every cycle simulated (no fast-forward), with the resyncs folded or not."""
    with monkeypatch.context() as m:
        m.setattr(pod_worker, "_FAST_RESYNCS", fast)
        m.setattr(periodic, "_FAST_FORWARD", False)
        return simulate(scenario)


def _times(result: Result) -> Iterator[float]:
    """Times to describe at: every snapshot, and points inside and at the ends of windows."""
    for f in result.frames:
        yield f.t
    step = max(result.end / 40, 1.0)
    t = 0.0
    while t <= result.end:
        yield t
        yield t + 5
        t += step
    yield result.end


@pytest.mark.parametrize("name", SCENARIOS)
def test_folded_resyncs_give_the_same_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON, events, trace and describe at many times: the same with the fast path on and off."""
    slow = _run(SCENARIOS[name], False, monkeypatch)
    fast = _run(SCENARIOS[name], True, monkeypatch)
    assert "".join(fast.iter_json({})) == "".join(slow.iter_json({}))
    assert "".join(fast.iter_json({})) == json.dumps(fast.to_json(), indent=2, ensure_ascii=False)
    assert list(fast.event_records) == list(slow.event_records)
    assert fast.events == slow.events
    assert len(fast.event_records) == len(slow.event_records)
    assert render_trace(fast) == render_trace(slow)
    assert (fast.end, fast.capped, fast.stable, fast.deleted_at) == (
        slow.end,
        slow.capped,
        slow.stable,
        slow.deleted_at,
    )
    for t in sorted(set(_times(slow))):
        assert render_describe(fast, t) == render_describe(slow, t), t


@pytest.mark.parametrize("name", SCENARIOS)
def test_folded_resyncs_take_fewer_steps(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of these crash loops has quiet resyncs to fold: the fast path does fewer steps."""
    slow = _run(SCENARIOS[name], False, monkeypatch)
    fast = _run(SCENARIOS[name], True, monkeypatch)
    assert fast.steps < slow.steps
    assert fast.event_records._blocks and not slow.event_records._blocks


def test_event_log_block_expands_at_each_of_its_times() -> None:
    """append_repeated: the kinds, in order, at each time; len counts every event."""
    a = ("Warning", "BackOff", "spec.initContainers{a}", "Back-off a", "kubelet")
    b = ("Warning", "BackOff", "spec.initContainers{b}", "Back-off b", "kubelet")
    log = EventLog()
    log.append(5.0, a)
    log.append_repeated(array("d", [15.0, 25.0, 31.5]), [a, b])
    log.append(40.5, b)
    assert len(log) == 8
    assert list(log) == [
        (5, *a),
        (15, *a),
        (15, *b),
        (25, *a),
        (25, *b),
        (31.5, *a),
        (31.5, *b),
        (40.5, *b),
    ]
    assert log[4] == (25, *b) and log[-1] == (40.5, *b)
    assert log.kinds_since(1) == [a, b, a, b, a, b, b]


def test_event_log_runs_cut_a_block_at_until() -> None:
    """runs(until): a block counts only its times at or before `until`, without expanding."""
    a = ("Warning", "BackOff", "spec.containers{a}", "Back-off a", "kubelet")
    log = EventLog()
    log.append_repeated(array("d", [10.0 * j for j in range(1, 31)]), [a])
    assert list(log.runs(None)) == [(a, 30, 10.0, 300.0)]
    assert list(log.runs(55)) == [(a, 5, 10.0, 50.0)]
    assert list(log.runs(60)) == [(a, 6, 10.0, 60.0)]
    assert list(log.runs(9.9)) == []


def test_event_bound_counts_folded_events_as_the_user_sees_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MAX_EVENTS counts every event of a folded block: a crash loop past it is refused."""
    from initlab.errors import InputError

    monkeypatch.setattr(simulator, "MAX_EVENTS", 1_000)
    with pytest.raises(
        InputError, match=r"^until: this simulation would take more than 1000 events"
    ):
        simulate(SCENARIOS["init-default-cap"])
