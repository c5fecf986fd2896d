"""initlab: a faithful simulator and executable textbook for Kubernetes init containers."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "simulate", "player"]

#: Submodules reachable as attributes after a bare `import initlab`.
_SUBMODULES = {
    "admission", "backoff", "cli", "errors", "kubectl", "kubelet", "loader", "playback",
    "plots", "podstatus", "printers", "quantity", "quiz", "resources", "scenario",
    "simulator", "validation", "widgets",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    # Lazy: `import initlab` stays cheap for the CLI; heavy modules load on use.
    if name == "simulate":
        from initlab.simulator import simulate

        return simulate
    if name == "player":
        from initlab.playback import player

        return player
    if name in _SUBMODULES:
        return importlib.import_module(f"initlab.{name}")
    raise AttributeError(f"module 'initlab' has no attribute {name!r}")
