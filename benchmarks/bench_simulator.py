"""How fast is the simulator? One pod-hour, 200 pods, and a 30-day crash loop.

The pod has three init containers; the second one crash-loops for the whole
simulated hour (so the kubelet keeps backing off and re-syncing). Each
figure is compared with a bare simpy loop that performs the same number of
`env.step()` calls in the same process, so the ratio says how much work the
kubelet model adds per simpy step, whatever the machine.

The heaviest legitimate scenario is a crash loop at the default back-off for
30 days (the longest `until`): about 26,000 snapshots and 290,000 events.
It is timed once (CPU seconds of this process, steadier than wall time on a
shared machine) and its peak memory is measured in a second run under
`tracemalloc`.

The same month is then run through the CLI as a user runs it, each in a
child process (`python -m initlab simulate FILE`, the text trace, and
`-o json`, output discarded): CPU seconds and peak RSS of the child, from
`os.wait4`. The ratio is against the bare simpy loop of the same number of
steps measured in this run; the simulation alone is about 5x of it, so what
is above that is the output path (rendering the trace, encoding the JSON).

Targets: one pod-hour <= 20 ms; 200 pods <= 50x the bare loop; the 30-day
crash loop < 2 s and < 100 MB.
Run: `python benchmarks/bench_simulator.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import simpy

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


def crash_loop_30_days() -> dict[str, float]:
    """CPU seconds and peak traced memory (MB) of the 30-day crash loop, and its size."""
    scenario = load_scenario(CRASH_30_DAYS)
    t0 = time.process_time()
    result = simulate(scenario)
    seconds = time.process_time() - t0
    bare = _bare_loop(result.steps)
    del result
    tracemalloc.start()
    result = simulate(scenario)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "peak_mb": peak / 1e6,
        "snapshots": len(result.frames),
        "events": len(result.event_records),
        "simpy_steps": result.steps,
        "bare_seconds": bare,
        "ratio": seconds / bare if bare else float("inf"),
    }


def _child(argv: list[str]) -> tuple[float, float, int]:
    """CPU seconds (user + system), peak RSS (MB) and stdout bytes of one child process."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit {proc.returncode}")
        size = out.seek(0, os.SEEK_END)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size


def crash_loop_30_days_cli(steps: int) -> dict[str, dict[str, float]]:
    """The 30-day crash loop through `python -m initlab simulate`: text trace and `-o json`."""
    bare = min(_bare_loop(steps) for _ in range(3))
    startup, _, _ = _child([sys.executable, "-c", "import initlab.cli"])
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "crash-30-days.yaml")
        path.write_text(json.dumps(CRASH_30_DAYS))  # JSON is YAML
        for label, extra in (("text", []), ("-o json", ["-o", "json"])):
            argv = [sys.executable, "-m", "initlab", "simulate", str(path), *extra]
            seconds, rss_mb, size = _child(argv)
            figures[label] = {
                "seconds": seconds,
                "peak_rss_mb": rss_mb,
                "output_mb": size / 1e6,
                "startup_seconds": startup,
                "bare_seconds": bare,
                "ratio": seconds / bare if bare else float("inf"),
            }
    return figures


def _bare_loop(steps: int) -> float:
    """Seconds for a bare simpy process doing `steps` env.step() calls."""
    env = simpy.Environment()

    def ticker(env: simpy.Environment):
        while True:
            yield env.timeout(1)

    env.process(ticker(env))
    t0 = time.perf_counter()
    for _ in range(steps):
        env.step()
    return time.perf_counter() - t0


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
        seconds, steps = _best(lambda n=n: _run_pods(n), rep)
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
        f"{int(month['simpy_steps'])} steps; bare loop {1000 * month['bare_seconds']:.0f} ms, "
        f"ratio {month['ratio']:.1f}"
    )
    for label, f in crash_loop_30_days_cli(int(month["simpy_steps"])).items():
        figures[f"crash loop, 30 days, CLI {label}"] = f
        print(
            f"crash loop, 30 days, `initlab simulate` {label}: {f['seconds']:.2f} s CPU, "
            f"peak RSS {f['peak_rss_mb']:.0f} MB, {f['output_mb']:.1f} MB out "
            f"(interpreter + imports {f['startup_seconds']:.2f} s); "
            f"ratio {f['ratio']:.1f} to the bare loop"
        )
    return figures


if __name__ == "__main__":
    main()
