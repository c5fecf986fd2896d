"""initlab: a faithful simulator and executable textbook for Kubernetes init containers."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "simulate", "player"]


def __getattr__(name: str) -> Any:
    # Lazy: `import initlab` stays cheap for the CLI; heavy modules load on use.
    if name == "simulate":
        from initlab.simulator import simulate

        return simulate
    if name == "player":
        from initlab.playback import player

        return player
    raise AttributeError(name)
