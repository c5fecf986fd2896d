"""A crash loop written out from its repeating cycle gives exactly what simulating it gives.

`initlab.sim.periodic.FastForward` stops simulating once the last three
cycles repeat exactly and writes the rest of the run from the last one.
Each scenario here runs both ways (`_FAST_FORWARD` on and off) and must
give the same JSON, events, trace, `kubectl describe`, `kubectl logs`
(also `--previous`), snapshots and Pod objects at every time asked. The
scenarios that must not be fast-forwarded (a timer on another rhythm, an
attempt list not yet used up, times that are not exact in a float) are
named, and checked to be simulated in full.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import BUSYBOX, EXAMPLES, SIDECAR, crash_pod

from initlab.cli import main
from initlab.kubectl import render_describe, render_trace
from initlab.kubectl.logs import render_logs
from initlab.sim import periodic, simulator
from initlab.sim.periodic import Learner, NotPeriodic, PeriodicFrames, Shift
from initlab.sim.result import Result
from initlab.sim.scenario import load_scenario
from initlab.sim.simulator import simulate

HOUR = 3600


def _init_loop(until: float | None, **extra: Any) -> dict[str, Any]:
    scenario: dict[str, Any] = {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}], [{"name": "app", "image": "nginx"}]
        ),
        "behavior": {"migrate": [{"run": 2, "exit": 1}]},
        **extra,
    }
    if until is not None:
        scenario["until"] = until
    return scenario


#: Crash loops that settle into an exact cycle: written out from it.
FAST: dict[str, dict[str, Any]] = {
    "init-default-cap": _init_loop(6 * HOUR),
    "init-default-cap-1.29": _init_loop(2 * HOUR, kubernetesVersion="1.29"),
    "init-default-cap-1.31": _init_loop(2 * HOUR, kubernetesVersion="1.31"),
    "no-until-stops-at-the-cap": _init_loop(None),
    "init-cap-60s": _init_loop(
        HOUR, kubelet={"crashLoopBackOff": {"maxContainerRestartPeriod": "60s"}}
    ),
    "init-cap-45s-half-second-offset": {
        **_init_loop(HOUR, kubelet={"crashLoopBackOff": {"maxContainerRestartPeriod": "45s"}}),
        "behavior": {"migrate": [{"run": 2.5, "exit": 1}, {"run": 2, "exit": 1}]},
    },
    "init-logs-and-volume-writes": {
        "pod": crash_pod(
            [
                {
                    "name": "migrate",
                    "image": BUSYBOX,
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                }
            ],
            [{"name": "app", "image": "nginx"}],
            volumes=[{"name": "data", "emptyDir": {}}],
        ),
        "until": 2 * HOUR,
        "behavior": {
            "migrate": [
                {
                    "run": 3,
                    "exit": 1,
                    "log": ["connecting to db", "error: connection refused"],
                    "writes": [{"volume": "data", "path": "/data/attempts", "mode": "append"}],
                }
            ]
        },
    },
    "app-crashes": {
        "pod": crash_pod([], [{"name": "app", "image": "nginx"}]),
        "until": 2 * HOUR,
        "behavior": {"app": [{"run": 3, "exit": 2}]},
    },
    "app-crashes-on-failure": {
        "pod": crash_pod([], [{"name": "app", "image": "nginx"}], restartPolicy="OnFailure"),
        "until": 2 * HOUR,
        "behavior": {"app": [{"run": 4, "exit": 1}]},
    },
    "app-crashes-reduced-decay": {
        "pod": crash_pod([], [{"name": "app", "image": "nginx"}]),
        "until": HOUR,
        "behavior": {"app": [{"run": 3, "exit": 2}]},
        "kubelet": {"featureGates": {"ReduceDefaultCrashLoopBackOffDecay": True}},
    },
    "sidecar-crashes-app-runs": {
        "pod": crash_pod([SIDECAR], [{"name": "app", "image": "nginx"}]),
        "until": 3 * HOUR,
        "behavior": {"proxy": [{"run": 2, "exit": 1}], "app": [{"run": "forever"}]},
    },
    "sidecar-with-startup-probe-crashes": {
        "pod": crash_pod(
            [{**SIDECAR, "startupProbe": {"exec": {"command": ["true"]}, "periodSeconds": 1}}],
            [{"name": "app", "image": "nginx"}],
        ),
        "until": 2 * HOUR,
        "behavior": {"proxy": [{"run": 6, "exit": 1, "startup": 2}]},
    },
    "crash-loop-after-a-late-world-event": {
        **_init_loop(3 * HOUR),
        "events": [
            {"at": 1234, "action": "create-service db"},
            {"at": 2345, "action": "restart-kubelet"},
        ],
    },
    "deadline-after-until": _init_loop(2 * HOUR, pod=None)
    | {
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}],
            [{"name": "app", "image": "nginx"}],
            activeDeadlineSeconds=3 * HOUR,
        )
    },
}

#: Runs that must be simulated in full: nothing repeats exactly before they end.
SLOW: dict[str, dict[str, Any]] = {
    # 2.7 s runs: sums of such times are not exact in a float
    "fractional-run": {
        **_init_loop(HOUR, kubelet={"crashLoopBackOff": {"maxContainerRestartPeriod": "45s"}}),
        "behavior": {"migrate": [{"run": 2.7, "exit": 1}]},
    },
    # a cycle of 47.5 s: the API's whole-second timestamps step by 47 and 48 s in turn
    "cycle-of-47.5-seconds": {
        **_init_loop(HOUR, kubelet={"crashLoopBackOff": {"maxContainerRestartPeriod": "45s"}}),
        "behavior": {"migrate": [{"run": 2.5, "exit": 1}]},
    },
    # twelve failures, then success: the cycles at the cap repeat, the attempts do not
    "attempts-not-used-up": {
        **_init_loop(2 * HOUR),
        "behavior": {"migrate": [{"run": 2, "exit": 1}] * 12 + [{"run": 2, "exit": 0}]},
    },
    # the deadline's sync is pending on another rhythm; then the pod fails
    "active-deadline-in-the-loop": {
        **_init_loop(2 * HOUR),
        "pod": crash_pod(
            [{"name": "migrate", "image": BUSYBOX}],
            [{"name": "app", "image": "nginx"}],
            activeDeadlineSeconds=HOUR,
        ),
    },
    # a world event late in the run is pending all along
    "world-event-near-the-end": {
        **_init_loop(2 * HOUR),
        "events": [{"at": 2 * HOUR - 100, "action": "delete-pod"}],
    },
    # two crash loops on different rhythms
    "two-sidecars-in-back-off": {
        "pod": crash_pod(
            [SIDECAR, {**SIDECAR, "name": "agent"}, {"name": "migrate", "image": BUSYBOX}],
            [{"name": "app", "image": "nginx"}],
        ),
        "until": HOUR,
        "behavior": {
            "proxy": [{"run": 2, "exit": 1}],
            "agent": [{"run": 1, "exit": 1}],
            "migrate": [{"run": "forever"}],
        },
    },
}


def _run(scenario: dict[str, Any], fast: bool, monkeypatch: pytest.MonkeyPatch) -> Result:
    with monkeypatch.context() as m:
        m.setattr(periodic, "_FAST_FORWARD", fast)
        return simulate(scenario)


def _times(result: Result) -> Iterator[float]:
    """Times to look at: about 60 through the run, some just after a frame, and the end."""
    step = max(result.end / 60, 1.0)
    t = 0.0
    while t <= result.end:
        yield t
        yield t + 3
        t += step
    for f in list(result.frames)[-8:]:
        yield f.t
    yield result.end


def _same_run(fast: Result, slow: Result) -> None:
    assert "".join(fast.iter_json({})) == "".join(slow.iter_json({}))
    assert json.dumps(fast.to_json()) == json.dumps(slow.to_json())
    assert list(fast.event_records) == list(slow.event_records)
    assert len(fast.event_records) == len(slow.event_records)
    assert render_trace(fast) == render_trace(slow)
    assert (fast.end, fast.capped, fast.stable, fast.deleted_at, fast.hooks) == (
        slow.end,
        slow.capped,
        slow.stable,
        slow.deleted_at,
        slow.hooks,
    )
    assert fast.logs == slow.logs
    assert len(fast.frames) == len(slow.frames)
    assert [f.pod for f in fast.frames] == [f.pod for f in slow.frames]
    names = list(slow.logs)
    for t in sorted(set(_times(slow))):
        assert render_describe(fast, t) == render_describe(slow, t), t
        assert fast.at(t) == slow.at(t), t
        for name in names:
            for previous in (False, True):
                assert render_logs(fast, name, t, previous) == render_logs(
                    slow, name, t, previous
                ), (t, name, previous)


@pytest.mark.parametrize("name", FAST)
def test_a_repeating_crash_loop_is_written_out_the_same(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fast-forwarded: every output equals the fully simulated run, in far fewer steps."""
    slow = _run(FAST[name], False, monkeypatch)
    fast = _run(FAST[name], True, monkeypatch)
    assert isinstance(fast.frames, PeriodicFrames) and isinstance(slow.frames, list)
    assert fast.steps < slow.steps
    _same_run(fast, slow)


@pytest.mark.parametrize("name", SLOW)
def test_a_run_that_does_not_repeat_exactly_is_simulated_in_full(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not fast-forwarded (a list of frames, the same steps), and the same as with it off."""
    slow = _run(SLOW[name], False, monkeypatch)
    fast = _run(SLOW[name], True, monkeypatch)
    assert isinstance(fast.frames, list) and fast.steps == slow.steps
    _same_run(fast, slow)


def test_periodic_frames_index_slice_and_iterate_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing (also negative), slicing and iterating give the same frames, in time order."""
    frames = _run(FAST["init-default-cap"], True, monkeypatch).frames
    assert isinstance(frames, PeriodicFrames)
    listed = list(frames)
    assert len(listed) == len(frames)
    assert [frames[i].snap for i in range(len(frames))] == [f.snap for f in listed]
    assert frames[-1].snap == listed[-1].snap and frames[-len(frames)].snap == listed[0].snap
    assert [f.snap for f in frames[5:400:7]] == [f.snap for f in listed[5:400:7]]
    times = [f.t for f in listed]
    assert times == sorted(times) and times[-1] <= 6 * HOUR
    with pytest.raises(IndexError):
        frames[len(frames)]


def test_the_month_long_crash_loop_is_written_out_in_a_few_hundred_steps() -> None:
    """30 days at the default back-off: 25,766 snapshots and 283,249 events, under 200 steps."""
    result = simulate(_init_loop(30 * 24 * HOUR))
    assert (len(result.frames), len(result.event_records)) == (25_766, 283_249)
    assert result.steps < 200
    runs = result.logs["migrate"]
    assert len(runs) == 8_588 and runs[-1].restart_count == result.final["restarts"] == 8_587
    assert [r.restart_count for r in runs] == list(range(8_588))


def test_a_written_out_run_is_still_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot bound counts the written-out frames: past it, the run is refused."""
    from initlab.errors import InputError

    monkeypatch.setattr(simulator, "MAX_FRAMES", 150)
    with pytest.raises(InputError, match=r"^until: this simulation would take more than 150 snap"):
        simulate(_init_loop(6 * HOUR))


def test_the_cli_prints_a_written_out_run_as_a_simulated_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`initlab simulate` (trace and -o json) prints the same bytes either way."""
    path = tmp_path / "loop.yaml"
    path.write_text(json.dumps(_init_loop(4 * HOUR)))
    printed = {}
    for fast in (True, False):
        monkeypatch.setattr(periodic, "_FAST_FORWARD", fast)
        for args in ([], ["-o", "json"]):
            assert main(["simulate", str(path), *args]) == 0
            printed[fast, tuple(args)] = capsys.readouterr().out
    assert printed[True, ()] == printed[False, ()]
    assert printed[True, ("-o", "json")] == printed[False, ("-o", "json")]


# -- learning a cycle's step -------------------------------------------------------------


def test_learner_finds_numbers_timestamps_and_ids_moving_on() -> None:
    """Numbers and timestamps move by a step, ids name the next run; the rest is the same."""
    runs = {"id-a": ("c", 10.0, 1), "id-b": ("c", 312.0, 2)}
    a = {"t": 10, "at": "2026-01-01T00:00:10Z", "id": "id-a", "name": "c", "ok": True}
    b = {"t": 312, "at": "2026-01-01T00:05:12Z", "id": "id-b", "name": "c", "ok": True}
    prog = Learner(runs).learn(a, b)
    assert prog == ("d", {"t": ("n", 302), "at": ("ts", 302), "id": ("id", 302.0, 1)})
    made: list[tuple[str, float, int]] = []

    def make_id(name: str, start: float, n: int) -> str:
        made.append((name, start, n))
        return f"{name}/{start}/{n}"

    out = Shift(3, runs, make_id).apply(prog, b)
    assert out == {
        "t": 1218,
        "at": "2026-01-01T00:20:18Z",
        "id": "c/1218.0/5",
        "name": "c",
        "ok": True,
    }
    assert made == [("c", 1218.0, 5)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"reason": "Error"}, {"reason": "Completed"}),
        ({"k": 1}, {"j": 1}),
        ([1, 2], [1, 2, 3]),
        ({"ok": True}, {"ok": False}),
        ({"n": 1}, {"n": "1"}),
    ],
)
def test_learner_refuses_what_a_fixed_step_cannot_describe(a: Any, b: Any) -> None:
    """Another string, other keys, another length, a flipped flag, another type: NotPeriodic."""
    with pytest.raises(NotPeriodic):
        Learner({}).learn(a, b)


def test_shift_keeps_shared_values_shared() -> None:
    """A value two places share (a snapshot's conditions and the status's) stays one object."""
    shared_a, shared_b = [{"t": 1}], [{"t": 2}]
    learner = Learner({})
    pa = learner.learn({"x": shared_a}, {"x": shared_b})
    pb = learner.learn({"y": shared_a}, {"y": shared_b})
    shift = Shift(1, {}, lambda *_: "")
    x = shift.apply(pa, {"x": shared_b})["x"]
    y = shift.apply(pb, {"y": shared_b})["y"]
    assert x == [{"t": 3}] and x is y


def _random_loop(rng: random.Random) -> dict[str, Any]:
    """A crash loop of random shape: which containers crash, how long they run, the cap,
    what the world does first."""
    crash = {"run": rng.choice([0, 1, 2, 2.5, 3, 7]), "exit": rng.choice([1, 2, 137])}
    if rng.random() < 0.3:
        crash["log"] = ["starting", "failed"]
    shape = rng.choice(["init", "app", "sidecar", "init-after-sidecar"])
    inits: list[dict[str, Any]] = []
    apps: list[dict[str, Any]] = [{"name": "app", "image": "nginx"}]
    behavior: dict[str, Any] = {}
    if shape == "init":
        inits = [{"name": "migrate", "image": BUSYBOX}]
        behavior["migrate"] = [crash]
    elif shape == "app":
        behavior["app"] = [crash]
    elif shape == "sidecar":
        inits = [SIDECAR]
        behavior["proxy"] = [crash]
    else:
        inits = [SIDECAR, {"name": "migrate", "image": BUSYBOX}]
        behavior["migrate"] = [crash]
    if rng.random() < 0.3:  # a first attempt of its own before the repeating one
        first = dict(crash, run=rng.choice([1, 4, 5.5]))
        behavior[next(iter(behavior))] = [first, crash]
    spec: dict[str, Any] = {}
    if shape == "app" and rng.random() < 0.5:
        spec["restartPolicy"] = "OnFailure"
    scenario: dict[str, Any] = {
        "pod": crash_pod(inits, apps, **spec),
        "until": rng.choice([1800, 3600, 7200]),
        "behavior": behavior,
        "kubernetesVersion": rng.choice(["1.29", "1.32", "1.35"]),
    }
    if rng.random() < 0.4:  # the world acts in the first half; the loop repeats after it
        actions = [
            {"action": "restart-kubelet"},
            {"action": "restart-sandbox"},
            {"action": "create-service db"},
            {"action": "update", "patch": {"metadata": {"labels": {"seen": "yes"}}}},
        ]
        scenario["events"] = sorted(
            (
                {"at": rng.randrange(60, scenario["until"] // 2), **rng.choice(actions)}
                for _ in range(rng.randint(1, 3))
            ),
            key=lambda e: e["at"],
        )
    cap = rng.choice([None, "30s", "60s", "45s"])
    if cap is not None:
        scenario["kubelet"] = {"crashLoopBackOff": {"maxContainerRestartPeriod": cap}}
        if scenario["kubernetesVersion"] != "1.35":
            scenario["kubelet"]["featureGates"] = {"KubeletCrashLoopBackOffMax": True}
            scenario["kubernetesVersion"] = "1.35"
    return scenario


@pytest.mark.parametrize("seed", range(60))
def test_random_crash_loops_are_the_same_either_way(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random crash loops: JSON, trace, events and logs equal with fast-forward on and off."""
    scenario = _random_loop(random.Random(seed))
    slow = _run(scenario, False, monkeypatch)
    fast = _run(scenario, True, monkeypatch)
    assert "".join(fast.iter_json({})) == "".join(slow.iter_json({}))
    assert render_trace(fast) == render_trace(slow)
    assert list(fast.event_records) == list(slow.event_records)
    assert fast.logs == slow.logs
    for t in (slow.end / 3, slow.end * 0.77, slow.end):
        assert render_describe(fast, t) == render_describe(slow, t)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_run_for_six_hours_is_the_same_either_way(
    path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The book's examples (probes, hooks, sidecars, Services, reboots) run for 6 hours."""
    scenario = load_scenario(path)
    runs = []
    for fast in (False, True):
        monkeypatch.setattr(periodic, "_FAST_FORWARD", fast)
        runs.append(simulate(scenario, until=6 * HOUR))
    slow, fast_run = runs
    assert "".join(fast_run.iter_json({})) == "".join(slow.iter_json({}))
    assert render_trace(fast_run) == render_trace(slow)
    assert fast_run.logs == slow.logs
