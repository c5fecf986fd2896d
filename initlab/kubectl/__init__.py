"""What a person reads: `kubectl get -w`, `describe`, events and logs of a simulated run, admission."""

from initlab.kubectl.admission import render_admission
from initlab.kubectl.describe import describe_pod, render_describe, render_events
from initlab.kubectl.events import events_by_snapshot
from initlab.kubectl.logs import kubectl_logs, render_logs
from initlab.kubectl.watch import render_trace, render_watch

__all__ = [
    "describe_pod",
    "events_by_snapshot",
    "kubectl_logs",
    "render_admission",
    "render_describe",
    "render_events",
    "render_logs",
    "render_trace",
    "render_watch",
]
