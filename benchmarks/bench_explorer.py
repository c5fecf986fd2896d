"""Explorer cost: `Explorer.load()` (re-simulate + re-render) against a bare matplotlib draw.

The baseline is one 10x3-inch matplotlib figure drawn on the Agg canvas in
the same run, so the ratio travels between machines. Targets: load ≤ 3x the
baseline (a learner's change shows at once); the kernel-free player of a
10-minute scenario ≤ 1 MB (the book stays light).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

#: The docs' myapp-pod (kubernetes.io "Init Containers"), its two waits finishing in turn.
#: The official docs' myapp-pod, as shipped in examples/ (a path: `.load()` reads it too).
MYAPP = str(Path(__file__).resolve().parent.parent / "examples" / "myapp-pod.yaml")


def ten_minutes() -> dict[str, Any]:
    """A 10-minute run: a crash-looping init container beside a native sidecar."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "crashy"},
        "spec": {
            "initContainers": [
                {"name": "proxy", "image": "envoyproxy/envoy:v1.31", "restartPolicy": "Always"},
                {"name": "migrate", "image": "busybox:1.36"},
            ],
            "containers": [{"name": "app", "image": "busybox:1.36"}],
        },
    }
    return {"pod": pod, "until": 600, "behavior": {"migrate": [{"run": 3, "exit": 1}]}}


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _bare_draw() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3))
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(range(50), [i % 7 for i in range(50)])
    ax.set_title("baseline")
    canvas.draw()


def main() -> dict[str, Any]:
    """Measure, print a small table, return the figures."""
    from initlab.book.player import player
    from initlab.book.widgets import explore

    explorer = explore(MYAPP)
    _bare_draw()  # warm up imports and font caches before timing either side
    explorer.load(MYAPP)
    baseline = _median(_bare_draw, 7)
    load = _median(lambda: explorer.load(MYAPP), 7)
    from initlab.book import plots

    result = explorer.result
    figure = _median(lambda: plots.timeline(result, t=9).canvas.draw(), 5)
    size = player(ten_minutes()).size
    out = {
        "load_s": round(load, 4),
        "bare_draw_s": round(baseline, 4),
        "load_ratio": round(load / baseline, 2),
        "load_ratio_target": 3.0,
        "timeline_figure_ratio": round(figure / baseline, 2),
        "player_10min_bytes": size,
        "player_10min_target_bytes": 1_000_000,
    }
    print(f"{'measure':<34}{'value':>12}{'target':>12}")
    print(f"{'Explorer.load() median (s)':<34}{load:>12.4f}")
    print(f"{'bare 10x3in matplotlib draw (s)':<34}{baseline:>12.4f}")
    print(f"{'load / bare draw':<34}{out['load_ratio']:>12.2f}{'≤ 3':>12}")
    print(f"{'plots.timeline draw / bare draw':<34}{figure / baseline:>12.2f}")
    print(f"{'player, 10-minute run (bytes)':<34}{size:>12,}{'≤ 1,000,000':>12}")
    return out


if __name__ == "__main__":
    main()
