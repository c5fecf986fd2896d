"""What a person reads: `kubectl get -w`, `describe`, events and logs of a simulated run, admission."""

from initlab.kubectl.admission import render_admission
from initlab.kubectl.render import (
    render_describe,
    render_events,
    render_logs,
    render_trace,
    render_watch,
)

__all__ = [
    "render_admission",
    "render_describe",
    "render_events",
    "render_logs",
    "render_trace",
    "render_watch",
]
