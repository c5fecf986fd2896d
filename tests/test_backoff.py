"""Crash-loop and image back-off: client-go Backoff with the kubelet's settings."""

from __future__ import annotations

import pytest

from initlab.kubelet.backoff import (
    Backoff,
    crash_loop_settings,
    do_backoff,
    go_duration,
    new_crash_loop_backoff,
    new_image_backoff,
)

KEY = "pod_ns_uid_c"


def restart_times(exits_after: float, n: int, bo: Backoff | None = None) -> list[float]:
    """Start times of a container that exits `exits_after` s after each start.

    The kubelet retries exactly when the back-off expires (and at once
    when there is no back-off).
    """
    bo = bo or new_crash_loop_backoff()
    t, starts, last_exit = 0.0, [0.0], None
    for _ in range(n):
        last_exit = t + exits_after
        now = last_exit
        d = do_backoff(bo, KEY, last_exit, now, "c", "p")
        if d.in_backoff:
            now = d.until
            d = do_backoff(bo, KEY, last_exit, now, "c", "p")
            assert not d.in_backoff
        t = now
        starts.append(t)
    return starts


def test_first_failure_restarts_at_once_then_doubles_to_300s():
    """waits 0, 10, 20, 40, 80, 160, 300, 300 after each exit."""
    starts = restart_times(1, 8)
    waits = [round(b - a - 1) for a, b in zip(starts, starts[1:], strict=False)]
    assert waits == [0, 10, 20, 40, 80, 160, 300, 300]


def test_backoff_resets_when_container_ran_more_than_600s():
    """The kubelet's HasExpiredFunc: 600 s between last update and latest exit resets the delay."""
    bo = new_crash_loop_backoff()
    assert not do_backoff(bo, KEY, 0, 0, "c", "p").in_backoff  # creates 10 s
    assert do_backoff(bo, KEY, 5, 6, "c", "p").in_backoff  # 1 s after exit: wait
    assert not do_backoff(bo, KEY, 5, 15, "c", "p").in_backoff  # now 20 s
    assert bo.get(KEY) == 20
    # Runs 601 s after the last update (t=15), exits at 616: back to the start.
    assert not do_backoff(bo, KEY, 616, 617, "c", "p").in_backoff
    assert bo.get(KEY) == 10


def test_backoff_not_reset_at_exactly_600s():
    """`> 600 s`, not `>=`: a run of exactly 600 s keeps the record."""
    bo = new_crash_loop_backoff()
    do_backoff(bo, KEY, 0, 0, "c", "p")
    assert do_backoff(bo, KEY, 600, 601, "c", "p").in_backoff


def test_waiting_message_uses_go_duration_and_pod_ref():
    """`doBackOff`: "back-off 20s restarting failed container=<c> pod=<name>_<ns>(<uid>)"."""
    bo = new_crash_loop_backoff()
    do_backoff(bo, KEY, 0, 0, "init-db", "web_default(u)")
    do_backoff(bo, KEY, 1, 11, "init-db", "web_default(u)")
    d = do_backoff(bo, KEY, 12, 13, "init-db", "web_default(u)")
    assert d.message == "back-off 20s restarting failed container=init-db pod=web_default(u)"
    assert d.until == 32


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (10, "10s"),
        (80, "1m20s"),
        (160, "2m40s"),
        (300, "5m0s"),
        (3600, "1h0m0s"),
        (1.5, "1.5s"),
        (0.5, "500ms"),
    ],
)
def test_go_duration_matches_time_duration_string(seconds, text):
    """Go's `time.Duration.String()`, as the back-off message prints it."""
    assert go_duration(seconds) == text


def test_crash_loop_max_lowers_initial_when_cap_is_below_it():
    """`KubeletCrashLoopBackOffMax`: a 5 s cap makes the initial delay 5 s too."""
    assert crash_loop_settings(5) == (5.0, 5.0)
    assert crash_loop_settings(100) == (10.0, 100.0)
    assert crash_loop_settings() == (10.0, 300.0)


def test_reduced_decay_gate_gives_1s_to_60s():
    """`ReduceDefaultCrashLoopBackOffDecay`: 1 s initial, 60 s cap."""
    assert crash_loop_settings(reduced_decay=True) == (1.0, 60.0)
    bo = new_crash_loop_backoff(reduced_decay=True)
    starts = restart_times(0, 9, bo)
    waits = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert waits == [0, 1, 2, 4, 8, 16, 32, 60, 60]


@pytest.mark.parametrize("cap", [0, 0.5, 301])
def test_crash_loop_max_out_of_range_is_refused(cap):
    """maxContainerRestartPeriod must be 1-300 s."""
    with pytest.raises(ValueError):
        crash_loop_settings(cap)


def test_image_backoff_is_measured_from_the_last_update():
    """`IsInBackOffSinceUpdate`: image pulls wait 10, 20, 40 s from the failed pull."""
    bo = new_image_backoff()
    bo.next("img", 0, 0)
    assert bo.is_in_backoff_since_update("img", 9.9)
    assert not bo.is_in_backoff_since_update("img", 10)
    bo.next("img", 10, 10)
    assert bo.get("img") == 20 and bo.is_in_backoff_since_update("img", 29)


def test_default_expiry_is_twice_the_maximum():
    """client-go `hasExpired`: a record idle for more than 2 x max is forgotten."""
    bo = new_image_backoff()
    bo.next("k", 0, 0)
    bo.next("k", 1, 1)
    bo.gc(602)
    assert bo.get("k") == 0
