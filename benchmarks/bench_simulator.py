"""How fast is the simulator? One pod-hour, 200 pods, and a 30-day crash loop.

The pod has three init containers; the second one crash-loops for the whole
simulated hour (so the kubelet keeps backing off and re-syncing). Each
figure is compared with a bare simpy loop that performs as many
`env.step()` calls, in the same process, as the run takes without its
shortcuts (one wake-up per resync, every cycle simulated),
so the ratio says how much the run costs per step of the unfolded model,
whatever the machine.

The heaviest legitimate scenario is a crash loop at the default back-off for
30 days (the longest `until`): about 26,000 snapshots and 290,000 events.
It is timed once (CPU seconds of this process, steadier than wall time on a
shared machine), with the cyclic collector's first pass after it (the run
keeps the collector off, so that pass is its cost too); its peak memory is
measured in a second run under `tracemalloc`. The same run with the
simulator's shortcuts off (`pod_worker._FAST_RESYNCS`: every 10 s resync a
simpy wake-up and a sync; `periodic._FAST_FORWARD`: every cycle of the
loop simulated, none written out from the last) is the baseline measured in
the same process, and the bare simpy loop gets that run's number of steps.

The same month is then run through the CLI as a user runs it, each in a
child process (`python -m initlab simulate FILE`, the text trace, and
`-o json`, output discarded): CPU seconds and peak RSS of the child, from
`os.wait4`. Two ratios, both against CPU seconds measured in this run: to
`simulate()` of the same scenario in this process (what the output path
adds: rendering the trace, encoding the JSON), and to the bare simpy loop of
the unfolded run's number of steps.

Targets: one pod-hour <= 20 ms; 200 pods <= 50x the bare loop; the 30-day
crash loop < 2 s and < 100 MB.
Run: `python benchmarks/bench_simulator.py`.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import simpy

from initlab.sim import periodic, pod_worker
from initlab.sim.scenario import load_scenario
from initlab.sim.simulator import simulate

SCENARIO: dict[str, Any] = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "bench"},
        "spec": {
            "initContainers": [
                {"name": "fetch", "image": "busybox:1.36"},
                {"name": "migrate", "image": "busybox:1.36"},
                {"name": "warm", "image": "busybox:1.36"},
            ],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    },
    "until": 3600,
    "behavior": {"migrate": [{"run": 2, "exit": 1}]},
}


#: A crash loop at the default back-off (10 s doubling to 5 min) for 30 days.
CRASH_30_DAYS: dict[str, Any] = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "crash"},
        "spec": {
            "initContainers": [{"name": "migrate", "image": "busybox:1.36"}],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    },
    "until": 30 * 24 * 3600,
    "behavior": {"migrate": [{"run": 2, "exit": 1}]},
}


@contextmanager
def _shortcuts(on: bool) -> Iterator[None]:
    """The simulator's two shortcuts (folded back-off resyncs, fast-forwarded cycles) on or
    off: off, every resync is a simpy wake-up and every cycle is simulated."""
    saved = pod_worker._FAST_RESYNCS, periodic._FAST_FORWARD
    pod_worker._FAST_RESYNCS = periodic._FAST_FORWARD = on
    try:
        yield
    finally:
        pod_worker._FAST_RESYNCS, periodic._FAST_FORWARD = saved


def _timed_simulate(scenario: Any, fast: bool) -> tuple[float, Any]:
    """CPU seconds of simulate() plus the collector's first pass after it, and the Result."""
    with _shortcuts(fast):
        gc.collect()
        t0 = time.process_time()
        result = simulate(scenario)
        gc.collect()
        return time.process_time() - t0, result


def crash_loop_30_days() -> dict[str, float]:
    """CPU seconds and peak traced memory (MB) of the 30-day crash loop, its size, and the
    same run without folding the back-off resyncs (the baseline, in this process)."""
    scenario = load_scenario(CRASH_30_DAYS)
    seconds, result = _timed_simulate(scenario, fast=True)
    snapshots, events, steps = len(result.frames), len(result.event_records), result.steps
    del result
    slow_seconds, slow = _timed_simulate(scenario, fast=False)
    slow_steps = slow.steps
    del slow
    bare = _bare_loop(slow_steps, time.process_time)
    gc.collect()
    tracemalloc.start()
    simulate(scenario)  # its peak: the whole Result, at the end of the run
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "peak_mb": peak / 1e6,
        "snapshots": snapshots,
        "events": events,
        "simpy_steps": steps,
        "slow_seconds": slow_seconds,
        "slow_steps": slow_steps,
        "speedup": slow_seconds / seconds,
        "bare_seconds": bare,
        "ratio": seconds / bare if bare else float("inf"),
    }


#: Runs `python -m initlab ARGS`, then reports the process's own peak RSS on stderr. The
#: kernel's ru_maxrss of a child carries its parent's peak across fork and exec, and this
#: parent has just run the simulation; VmHWM belongs to the child's own address space.
_RUN_AND_REPORT_PEAK = """
import runpy, sys
try:
    runpy.run_module("initlab", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status:
        peak = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    sys.stderr.write("VmHWM " + peak[0] + "\\n")
"""


def _child(args: list[str]) -> tuple[float, float, int]:
    """CPU seconds (user + system), peak RSS (MB) and stdout bytes of `python -m initlab ARGS`."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    argv = [sys.executable, "-c", _RUN_AND_REPORT_PEAK, *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        report = err.read().decode(errors="replace").split()
        if proc.returncode != 0 or "VmHWM" not in report:
            raise RuntimeError(f"initlab {' '.join(args)}: exit {proc.returncode}: {report[-20:]}")
        size = out.seek(0, os.SEEK_END)
    peak_kb = int(report[report.index("VmHWM") + 1])
    return usage.ru_utime + usage.ru_stime, peak_kb / 1024, size


def crash_loop_30_days_cli(steps: int, simulate_seconds: float) -> dict[str, dict[str, float]]:
    """The 30-day crash loop through `python -m initlab simulate`: text trace and `-o json`."""
    # CPU seconds on both sides: a shared machine stretches wall time, not CPU time
    bare = min(_bare_loop(steps, time.process_time) for _ in range(3))
    startup, _, _ = _child(["--version"])
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "crash-30-days.yaml")
        path.write_text(json.dumps(CRASH_30_DAYS))  # JSON is YAML
        for label, extra in (("text", []), ("-o json", ["-o", "json"])):
            seconds, rss_mb, size = _child(["simulate", str(path), *extra])
            figures[label] = {
                "seconds": seconds,
                "peak_rss_mb": rss_mb,
                "output_mb": size / 1e6,
                "startup_seconds": startup,
                "simulate_seconds": simulate_seconds,
                "ratio_to_simulate": seconds / simulate_seconds,
                "bare_seconds": bare,
                "ratio": seconds / bare if bare else float("inf"),
            }
    return figures


def _bare_loop(steps: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds (of `clock`) for a bare simpy process doing `steps` env.step() calls."""
    env = simpy.Environment()

    def ticker(env: simpy.Environment):
        while True:
            yield env.timeout(1)

    env.process(ticker(env))
    t0 = clock()
    for _ in range(steps):
        env.step()
    return clock() - t0


def _run_pods(n: int) -> tuple[float, int]:
    scenario = load_scenario(SCENARIO)
    t0 = time.perf_counter()
    steps = 0
    for _ in range(n):
        steps += simulate(scenario).steps
    return time.perf_counter() - t0, steps


def _best(fn, repeat: int) -> tuple[float, int]:
    best: tuple[float, int] | None = None
    for _ in range(repeat):
        r = fn()
        if best is None or r[0] < best[0]:
            best = r
    assert best is not None
    return best


def main(repeat: int = 5) -> dict[str, dict[str, float]]:
    """Run both benchmarks; print a table; return the figures."""
    figures: dict[str, dict[str, float]] = {}
    for label, n, rep in (("1 pod, 1 h", 1, repeat), ("200 pods, 1 h", 200, max(1, repeat // 5))):
        seconds, _ = _best(lambda n=n: _run_pods(n), rep)
        # the bare loop does the steps of the run without its shortcuts, as before them
        with _shortcuts(False):
            steps = n * simulate(load_scenario(SCENARIO)).steps
        bare = min(_bare_loop(steps) for _ in range(rep))
        figures[label] = {
            "pods": n,
            "seconds": seconds,
            "ms_per_pod_hour": 1000 * seconds / n,
            "simpy_steps": steps,
            "bare_seconds": bare,
            "ratio": seconds / bare if bare else float("inf"),
        }
    print(f"{'benchmark':<15} {'ms/pod-hour':>12} {'simpy steps':>12} {'bare ms':>9} {'ratio':>7}")
    for label, f in figures.items():
        print(
            f"{label:<15} {f['ms_per_pod_hour']:>12.2f} {int(f['simpy_steps']):>12} "
            f"{1000 * f['bare_seconds']:>9.2f} {f['ratio']:>7.1f}"
        )
    month = crash_loop_30_days()
    figures["crash loop, 30 days"] = month
    print(
        f"crash loop, 30 days: {month['seconds']:.2f} s CPU (target < 2 s), "
        f"peak {month['peak_mb']:.0f} MB traced (target < 100 MB); "
        f"{int(month['snapshots'])} snapshots, {int(month['events'])} events, "
        f"{int(month['simpy_steps'])} steps; simulating every resync and cycle "
        f"{month['slow_seconds']:.2f} s CPU, {int(month['slow_steps'])} steps "
        f"({month['speedup']:.1f}x); bare loop of those steps "
        f"{1000 * month['bare_seconds']:.0f} ms, ratio {month['ratio']:.1f}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for label, f in crash_loop_30_days_cli(int(month["slow_steps"]), month["seconds"]).items():
        figures[f"crash loop, 30 days, CLI {label}"] = f
        print(
            f"crash loop, 30 days, `initlab simulate` {label}: {f['seconds']:.2f} s CPU, "
            f"peak RSS {f['peak_rss_mb']:.0f} MB, {f['output_mb']:.1f} MB out "
            f"(`initlab --version` alone {f['startup_seconds']:.2f} s); "
            f"ratio {f['ratio_to_simulate']:.2f} to simulate() alone "
            f"({f['simulate_seconds']:.2f} s), {f['ratio']:.1f} to the bare loop "
            f"({f['bare_seconds']:.2f} s CPU)"
        )
    return figures


if __name__ == "__main__":
    main()
