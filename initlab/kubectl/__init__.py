"""What a person reads: `kubectl get -w`, `describe`, events and logs of a simulated run."""

from initlab.kubectl.render import (
    render_describe,
    render_events,
    render_logs,
    render_trace,
    render_watch,
)

__all__ = ["render_describe", "render_events", "render_logs", "render_trace", "render_watch"]
