"""Test helpers shared across test modules: repository paths, the folded STATUS column and
the crash-loop pods of the simulator's shortcut tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The example scenarios and their golden outputs.
EXAMPLES = ROOT / "examples"


def folded(values: Iterable[str]) -> list[str]:
    """`values` with consecutive repeats folded into one."""
    out: list[str] = []
    for v in values:
        if not out or out[-1] != v:
            out.append(v)
    return out


def statuses(result: Any) -> list[str]:
    """A run's STATUS column as `kubectl get -w` prints it: consecutive repeats folded."""
    return folded(s["status"] for s in result.timeline)


BUSYBOX = "busybox:1.36"
#: A native sidecar (an init container with `restartPolicy: Always`).
SIDECAR = {"name": "proxy", "image": "envoyproxy/envoy:v1.31.0", "restartPolicy": "Always"}


def crash_pod(
    init: list[dict[str, Any]], apps: list[dict[str, Any]], **spec: Any
) -> dict[str, Any]:
    """A Pod named `crash` with these init and regular containers and other spec fields."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "crash"},
        "spec": {"initContainers": init, "containers": apps, **spec},
    }
