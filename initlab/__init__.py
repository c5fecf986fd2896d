"""initlab: a faithful simulator and executable textbook for Kubernetes init containers."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "simulate", "player"]

#: Submodules reachable as attributes after a bare `import initlab`.
_SUBMODULES = {"admission", "api", "book", "cli", "errors", "kubectl", "kubelet", "sim"}


def __getattr__(name: str) -> Any:
    # Lazy: `import initlab` stays cheap for the CLI; heavy modules load on use.
    if name == "simulate":
        from initlab.sim.simulator import simulate

        return simulate
    if name == "player":
        from initlab.book.player import player

        return player
    if name in _SUBMODULES:
        return importlib.import_module(f"initlab.{name}")
    raise AttributeError(f"module 'initlab' has no attribute {name!r}")
