"""Crash-loop and image-pull back-off, as the kubelet computes them.

Ported from client-go `util/flowcontrol/backoff.go` (`Backoff`: per-key
entries, `Next`, `Get`, `IsInBackOffSince`, `IsInBackOffSinceUpdate`,
`hasExpired`) with the kubelet's settings from `pkg/kubelet/kubelet.go`
(`newCrashLoopBackOff` and the `HasExpiredFunc` override) and the decision of
`pkg/kubelet/kuberuntime/kuberuntime_manager.go` `doBackOff`.

Time is plain seconds (floats). Jitter is zero, as in the kubelet (which
builds its back-offs with `flowcontrol.NewBackOff`, no jitter).

The effect a learner sees: the first failure restarts at once, then
the waits are 10, 20, 40, 80, 160, 300, 300... seconds; a container that ran
for more than 10 minutes (600 s between the last back-off update and its
latest exit) starts again from the beginning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: `kubecontainer.InitialCrashLoopBackOff` (pkg/kubelet/container/runtime.go).
INITIAL_CRASH_LOOP_BACKOFF = 10.0
#: `kubecontainer.MaxCrashLoopBackOff` = `MaxContainerBackOff` (300 s).
MAX_CRASH_LOOP_BACKOFF = 300.0
#: The kubelet's `HasExpiredFunc` override: a record older than this resets.
CRASH_LOOP_RESET = 600.0
#: `ReduceDefaultCrashLoopBackOffDecay` (alpha since 1.33): 1 s initial, 60 s cap.
REDUCED_INITIAL = 1.0
REDUCED_MAX = 60.0
#: Image pulls: `backOffPeriod` 10 s to `MaxContainerBackOff` 300 s (pkg/kubelet/kubelet.go).
IMAGE_BACKOFF_INITIAL = 10.0
IMAGE_BACKOFF_MAX = 300.0


@dataclass
class BackoffEntry:
    """client-go `backoffEntry`: the current delay and when it was last moved."""

    backoff: float
    last_update: float


def default_has_expired(event_time: float, last_update: float, max_duration: float) -> bool:
    """client-go `hasExpired`: stable once it was fine for twice the maximum duration."""
    return event_time - last_update > max_duration * 2


def crash_loop_has_expired(event_time: float, last_update: float, max_duration: float) -> bool:
    """`pkg/kubelet/kubelet.go`: `eventTime.Sub(lastUpdate) > 600*time.Second`."""
    return event_time - last_update > CRASH_LOOP_RESET


@dataclass
class Backoff:
    """client-go `flowcontrol.Backoff` with a caller-supplied clock (seconds).

    `now` is passed explicitly to the methods that read the clock, so the
    object stays a pure data structure (the simulator owns time).
    """

    initial: float
    maximum: float
    has_expired: Callable[[float, float, float], bool] = default_has_expired
    entries: dict[str, BackoffEntry] = field(default_factory=dict)

    def get(self, key: str) -> float:
        """`Get`: the current delay for a key (0 if none)."""
        entry = self.entries.get(key)
        return entry.backoff if entry else 0.0

    def next(self, key: str, event_time: float, now: float) -> None:
        """`Next`: move the key's delay to the next mark, capped at the maximum.

        A missing or expired entry starts again at the initial delay;
        `lastUpdate` becomes the current time (not `event_time`).
        """
        entry = self.entries.get(key)
        if entry is None or self.has_expired(event_time, entry.last_update, self.maximum):
            entry = BackoffEntry(backoff=self.initial, last_update=now)
            self.entries[key] = entry
        else:
            entry.backoff = min(entry.backoff * 2, self.maximum)
        entry.last_update = now

    def is_in_backoff_since(self, key: str, event_time: float, now: float) -> bool:
        """`IsInBackOffSince`: is `now - event_time` still inside the key's delay?"""
        entry = self.entries.get(key)
        if entry is None:
            return False
        if self.has_expired(event_time, entry.last_update, self.maximum):
            return False
        return now - event_time < entry.backoff

    def is_in_backoff_since_update(self, key: str, now: float) -> bool:
        """`IsInBackOffSinceUpdate`: measured from the last update (image pulls use it)."""
        entry = self.entries.get(key)
        if entry is None:
            return False
        if self.has_expired(now, entry.last_update, self.maximum):
            return False
        return now - entry.last_update < entry.backoff

    def expires_at(self, key: str, event_time: float) -> float | None:
        """When `is_in_backoff_since(key, event_time, now)` turns false (None: no entry)."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        return event_time + entry.backoff

    def gc(self, now: float) -> None:
        """`GC`: drop entries that have expired relative to `now`."""
        for key in [
            k for k, e in self.entries.items() if self.has_expired(now, e.last_update, self.maximum)
        ]:
            del self.entries[key]


def crash_loop_settings(
    max_restart_period: float | None = None, reduced_decay: bool = False
) -> tuple[float, float]:
    """`newCrashLoopBackOff`: (initial, maximum) for the container restart back-off.

    `reduced_decay` is the `ReduceDefaultCrashLoopBackOffDecay` gate (1 s / 60 s).
    `max_restart_period` is `crashLoopBackOff.maxContainerRestartPeriod`
    (`KubeletCrashLoopBackOffMax`, 1-300 s); an initial delay above the cap is
    lowered to the cap.
    """
    initial, maximum = INITIAL_CRASH_LOOP_BACKOFF, MAX_CRASH_LOOP_BACKOFF
    if reduced_decay:
        initial, maximum = REDUCED_INITIAL, REDUCED_MAX
    if max_restart_period is not None:
        if not 1 <= max_restart_period <= 300:
            raise ValueError("maxContainerRestartPeriod must be between 1s and 300s")
        maximum = float(max_restart_period)
        if maximum < initial:
            initial = maximum
    return initial, maximum


def new_crash_loop_backoff(
    max_restart_period: float | None = None, reduced_decay: bool = False
) -> Backoff:
    """The kubelet's `crashLoopBackOff`: 10 s -> 300 s, reset after 600 s."""
    initial, maximum = crash_loop_settings(max_restart_period, reduced_decay)
    return Backoff(initial, maximum, crash_loop_has_expired)


def new_image_backoff() -> Backoff:
    """The kubelet's image-pull back-off: `flowcontrol.NewBackOff(backOffPeriod, MaxContainerBackOff)`."""
    return Backoff(IMAGE_BACKOFF_INITIAL, IMAGE_BACKOFF_MAX)


@dataclass(frozen=True)
class BackoffDecision:
    """The result of `do_backoff`: wait or start, and the waiting message if waiting."""

    in_backoff: bool
    delay: float = 0.0
    message: str = ""
    until: float | None = None


def go_duration(seconds: float) -> str:
    """Go's `time.Duration.String()` for whole and fractional seconds: "10s", "1m20s", "5m0s"."""
    ns = round(seconds * 1e9)
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        if ns < 1000:
            return f"{sign}{ns}ns"
        if ns < 1_000_000:
            return sign + _trim(f"{ns / 1000:.3f}") + "µs"
        return sign + _trim(f"{ns / 1_000_000:.6f}") + "ms"
    hours, rem = divmod(ns, 3600 * 1_000_000_000)
    minutes, rem = divmod(rem, 60 * 1_000_000_000)
    secs = _trim(f"{rem / 1e9:.9f}") + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}"
    if minutes:
        return f"{sign}{minutes}m{secs}"
    return sign + secs


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def do_backoff(
    backoff: Backoff,
    key: str,
    last_exit: float | None,
    now: float,
    container: str,
    pod_ref: str,
) -> BackoffDecision:
    """`kuberuntime_manager.go` `doBackOff`: may this container start now?

    `last_exit` is `finishedAt` of the newest *exited* record of the
    container (None when there is none: then it starts, and no record is
    created). Otherwise, inside the delay it waits, with the error text
    `back-off 20s restarting failed container=<c> pod=<pod_ref>` that becomes
    the waiting message; outside, it starts and the delay moves on (`Next`).
    """
    if last_exit is None:
        return BackoffDecision(False)
    if backoff.is_in_backoff_since(key, last_exit, now):
        delay = backoff.get(key)
        msg = f"back-off {go_duration(delay)} restarting failed container={container} pod={pod_ref}"
        return BackoffDecision(True, delay, msg, backoff.expires_at(key, last_exit))
    backoff.next(key, last_exit, now)
    return BackoffDecision(False)


def delay_after_restarts(
    restarts: int, max_restart_period: float | None = None, reduced_decay: bool = False
) -> float:
    """The back-off after the latest exit of a container restarted `restarts` times in a row.

    The kubelet calls `Next` at each restart that follows a failure (the
    first failure restarts at once and creates the record), so the delay is
    the record after `restarts` calls: 0, then 10 s, 20 s, 40 s ... up to the
    cap, with no 10-minute gap in between. `initlab explain` uses it when a
    pod's waiting message does not state the delay.
    """
    initial, maximum = crash_loop_settings(max_restart_period, reduced_decay)
    b = Backoff(initial, maximum, crash_loop_has_expired)
    for i in range(min(max(restarts, 0), 64)):  # the cap is reached long before 64 doublings
        b.next("c", float(i), float(i))
    return b.get("c")
