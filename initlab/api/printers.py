"""`kubectl get pod`: the NAME, READY, STATUS, RESTARTS and AGE columns.

A line-by-line port of the kubectl pod printer, so that a learner sees here
exactly what `kubectl get pod` would print for the same object:

- `pkg/printers/internalversion/printers.go` `printPod`,
  `hasPodReadyCondition`, `isPodInitializedConditionTrue`,
  `translateTimestampSince` (kubernetes/kubernetes);
- `pkg/api/pod/util.go` `IsRestartableInitContainer` (a "sidecar" is an init
  container whose `restartPolicy` is `Always`);
- `pkg/util/duration/duration.go` `HumanDuration`, `ShortHumanDuration`
  (kubernetes/apimachinery);
- `staging/src/k8s.io/cli-runtime/pkg/printers/tabwriter.go`
  `GetNewTabWriter` (minwidth 6, padding 3, pad with spaces) for the table.

`print_pod` renders any pod dict and never raises: a field of the wrong type
is treated as absent, as if the JSON had left it out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from initlab.api.pod import as_dict, as_str, is_restartable_init_container

__all__ = [
    "PodRow",
    "human_duration",
    "short_human_duration",
    "parse_time",
    "print_pod",
    "render_table",
    "tabwrite",
    "TabWriter",
    "escape_terminal",
    "table_cell",
    "is_restartable_init_container",
    "has_pod_ready_condition",
    "is_pod_initialized_condition_true",
    "HEADERS",
    "WIDE_HEADERS",
]

#: Column names as kubectl prints them (`AddHandlers` podColumnDefinitions, upper-cased).
HEADERS = ("NAME", "READY", "STATUS", "RESTARTS", "AGE")
#: The extra `-o wide` columns.
WIDE_HEADERS = ("IP", "NODE", "NOMINATED NODE", "READINESS GATES")

#: cli-runtime `printers/tabwriter.go`: tabwriterMinWidth, tabwriterPadding.
TABWRITER_MIN_WIDTH = 6
TABWRITER_PADDING = 3

#: `pkg/util/node` NodeUnreachablePodReason.
NODE_UNREACHABLE_POD_REASON = "NodeLost"
#: `k8s.io/api/core/v1` PodReasonSchedulingGated.
POD_REASON_SCHEDULING_GATED = "SchedulingGated"

_NS_PER_SECOND = 1_000_000_000
_NS_PER_MINUTE = 60 * _NS_PER_SECOND
_NS_PER_HOUR = 60 * _NS_PER_MINUTE

# Go's zero time.Time (0001-01-01T00:00:00Z): metav1.Time.IsZero() is true for it.
_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PodRow:
    """One row of `kubectl get pod`.

    `restarts` is the count; `restarts_display` is the RESTARTS cell as
    kubectl prints it ("3 (5m ago)"). The `-o wide` cells do not take part in
    equality, so a row compares by the default columns only.
    """

    name: str
    ready: str
    status: str
    restarts: int
    restarts_display: str
    age: str
    ip: str = field(default="<none>", compare=False)
    node: str = field(default="<none>", compare=False)
    nominated_node: str = field(default="<none>", compare=False)
    readiness_gates: str = field(default="<none>", compare=False)

    def to_json(self) -> dict[str, str]:
        """The `initlab get -o json` object: RESTARTS as a string without "(5m ago)" (docs/contracts.md)."""
        return {
            "name": self.name,
            "ready": self.ready,
            "status": self.status,
            "restarts": str(self.restarts),
        }

    def cells(self, wide: bool = False) -> list[str]:
        """The cells kubectl prints, in column order."""
        cells = [self.name, self.ready, self.status, self.restarts_display, self.age]
        if wide:
            cells += [self.ip, self.node, self.nominated_node, self.readiness_gates]
        return cells


# --------------------------------------------------------------------------- durations


def _trunc_div(a: int, b: int) -> int:
    """Integer division rounding toward zero, as Go's `/` on integers does."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _to_ns(seconds: float | int | timedelta) -> int | None:
    """A duration in whole nanoseconds (Go's time.Duration), or None if it is not a number."""
    if isinstance(seconds, timedelta):
        return (
            seconds.days * 86_400 * _NS_PER_SECOND
            + seconds.seconds * _NS_PER_SECOND
            + seconds.microseconds * 1000
        )
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    if isinstance(seconds, int):
        return seconds * _NS_PER_SECOND
    if not math.isfinite(seconds):
        return None
    return round(seconds * _NS_PER_SECOND)


def human_duration(seconds: float | timedelta) -> str:
    """apimachinery `duration.HumanDuration`: "70s", "3m10s", "70m", "2d1h", "367d", "2y1d".

    ~2-3 significant figures. Anything down to -1.999 s prints "0s" (clock
    skew between machines is tolerated); further in the past is "<invalid>".
    Also accepts a `timedelta`.
    """
    d = _to_ns(seconds)
    if d is None:
        return "<invalid>"
    secs = _trunc_div(d, _NS_PER_SECOND)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60 * 2:
        return f"{secs}s"
    minutes = d // _NS_PER_MINUTE
    if minutes < 10:
        s = (d // _NS_PER_SECOND) % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = d // _NS_PER_HOUR
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def short_human_duration(seconds: float | timedelta) -> str:
    """apimachinery `duration.ShortHumanDuration`: one unit only ("59s", "1m", "23h", "1y").

    Not used by `printPod` (its AGE uses `HumanDuration`); kept for other
    kubectl columns that use the short form.
    """
    d = _to_ns(seconds)
    if d is None:
        return "<invalid>"
    secs = _trunc_div(d, _NS_PER_SECOND)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60:
        return f"{secs}s"
    minutes = d // _NS_PER_MINUTE
    if minutes < 60:
        return f"{minutes}m"
    hours = d // _NS_PER_HOUR
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{hours // 24 // 365}y"


# --------------------------------------------------------------------------- time

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def parse_time(value: str | datetime | None) -> datetime | None:
    """An RFC 3339 timestamp (metav1.Time's JSON form) as an aware datetime; None if unusable.

    Accepts "Z" or "+hh:mm" offsets and any number of fractional digits
    (kept to the microsecond). A `datetime` passes through (naive means
    UTC), because `yaml.safe_load` turns unquoted timestamps into datetimes.
    Junk, dates without a time, and impossible dates give None; it never raises.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    return _parse_rfc3339(value)


@lru_cache(maxsize=4096)
def _parse_rfc3339(value: str) -> datetime | None:
    """`parse_time` of a string (the same few timestamps are read again and again)."""
    m = _RFC3339.fullmatch(value.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac = m.group(7) or ""
    micro = int((frac + "000000")[:6])
    try:
        if m.group(8):
            tz = UTC
        else:
            sign = 1 if m.group(9) == "+" else -1
            oh, om = int(m.group(10)), int(m.group(11))
            if oh > 23 or om > 59:
                return None
            tz = timezone(sign * timedelta(hours=oh, minutes=om))
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def _timestamp(value: Any) -> datetime | None:
    """A metav1.Time field: None when absent, unparsable or Go's zero time (IsZero)."""
    t = parse_time(value)
    if t is None or t == _ZERO_TIME:
        return None
    return t


def _since(t: datetime, now: datetime) -> str:
    """`translateTimestampSince` with a known timestamp: HumanDuration(now - t)."""
    return human_duration(now - t)


# --------------------------------------------------------------------------- tolerant access


def _items(value: Any) -> list[dict[str, Any]]:
    """A list of objects; `null` entries decode to empty objects (as Go's json does), junk is dropped."""
    if not isinstance(value, list):
        return []
    for v in value:
        if not isinstance(v, dict):
            break
    else:
        return value  # all objects already (callers only read it)
    return [v if isinstance(v, dict) else {} for v in value if v is None or isinstance(v, dict)]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _state(status: dict[str, Any], key: str, which: str) -> dict[str, Any] | None:
    """`status.<key>.<which>` (e.g. state.terminated) if set, else None (Go's nil pointer)."""
    inner = as_dict(status.get(key)).get(which)
    return inner if isinstance(inner, dict) else None


def _finished_at(status: dict[str, Any]) -> datetime | None:
    """`lastState.terminated.finishedAt`, if any."""
    last = _state(status, "lastState", "terminated")
    return _timestamp(last.get("finishedAt")) if last is not None else None


def has_pod_ready_condition(conditions: Iterable[dict[str, Any]]) -> bool:
    """printers.go `hasPodReadyCondition`: some condition is Ready=True."""
    # `c.get(k) == "Ready"` is `as_str(c.get(k)) == "Ready"`: only a string equals a string
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def is_pod_initialized_condition_true(conditions: Iterable[dict[str, Any]]) -> bool:
    """printers.go `isPodInitializedConditionTrue`: the *first* Initialized condition decides."""
    for c in conditions:
        if c.get("type") == "Initialized":  # only a string equals a string: as_str is implied
            return c.get("status") == "True"
    return False


def _newer(current: datetime | None, candidate: datetime | None) -> datetime | None:
    """`if lastRestartDate.Before(&terminatedDate)`: keep the later of the two."""
    if candidate is None:
        return current
    if current is None or current < candidate:
        return candidate
    return current


# --------------------------------------------------------------------------- printPod


@dataclass(frozen=True)
class Step:
    """One decision of the printPod walk, for `initlab explain`.

    `column` is READY, STATUS or RESTARTS; `container` the container whose
    status decided it ("" for the pod itself); `value` what the column holds
    after this step; `why` the rule, in words.
    """

    column: str
    container: str
    value: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {
            "column": self.column,
            "container": self.container,
            "value": self.value,
            "why": self.why,
        }


def print_pod(
    pod: dict[str, Any], now: datetime | None = None, steps: list[Step] | None = None
) -> PodRow:
    """printers.go `printPod`: the row `kubectl get pod` prints for this pod.

    READY counts sidecars in its total; STATUS walks init containers first
    (the first unfinished one decides, `Init:i/N` or `Init:<reason>`), then
    app containers last-to-first (so the first container's reason wins);
    RESTARTS forgets regular init containers once the container pass runs.
    When `steps` is given, each decision of the walk is appended to it.
    """
    # the walk's decisions, for `initlab explain`: built only when asked for
    explain = steps is not None

    def note(column: str, container: str, value: str, why: str) -> None:
        if steps is not None:
            steps.append(Step(column, container, value, why))

    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)

    pod = as_dict(pod)
    meta = as_dict(pod.get("metadata"))
    spec = as_dict(pod.get("spec"))
    status = as_dict(pod.get("status"))
    conditions = _items(status.get("conditions"))

    restarts = 0
    sidecar_restarts = 0
    total = len(_items(spec.get("containers")))
    ready = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None

    phase = as_str(status.get("phase"))
    reason = phase
    if as_str(status.get("reason")):
        reason = as_str(status.get("reason"))
        if explain:
            note("STATUS", "", reason, f"status.reason is {reason!r}; it starts the walk")
    else:
        if explain:
            note("STATUS", "", reason, f"the walk starts from the phase, {phase!r}")

    # {type: PodScheduled, reason: SchedulingGated} -> "SchedulingGated".
    for c in conditions:
        # only a string equals a string: as_str(...) == "PodScheduled" is implied
        if c.get("type") == "PodScheduled" and c.get("reason") == POD_REASON_SCHEDULING_GATED:
            reason = POD_REASON_SCHEDULING_GATED
            if explain:
                note("STATUS", "", reason, "the PodScheduled condition's reason is SchedulingGated")

    spec_inits = _items(spec.get("initContainers"))
    init_by_name: dict[str, dict[str, Any]] = {}
    for c in spec_inits:
        init_by_name[as_str(c.get("name"))] = c  # a later duplicate wins, as in a Go map
        if is_restartable_init_container(c):
            total += 1

    initializing = False
    for i, cs in enumerate(_items(status.get("initContainerStatuses"))):
        count = _int(cs.get("restartCount"))
        finished = _finished_at(cs)
        restarts += count
        last_restart = _newer(last_restart, finished)
        sidecar = is_restartable_init_container(init_by_name.get(as_str(cs.get("name"))))
        if sidecar:
            sidecar_restarts += count
            last_sidecar_restart = _newer(last_sidecar_restart, finished)

        name = as_str(cs.get("name"))
        terminated = _state(cs, "state", "terminated")
        waiting = _state(cs, "state", "waiting")
        if terminated is not None and _int(terminated.get("exitCode")) == 0:
            if explain:
                note(
                    "STATUS",
                    name,
                    reason,
                    f"init container {name} exited 0: it is done, the walk goes on",
                )
            continue
        if sidecar and cs.get("started") is True:
            if cs.get("ready") is True:
                ready += 1
            if explain:
                note(
                    "STATUS",
                    name,
                    reason,
                    f"sidecar {name} has started"
                    + (
                        " and is ready (counted in READY)"
                        if cs.get("ready") is True
                        else ", not ready"
                    )
                    + ": the walk goes on",
                )
            continue
        if terminated is not None:
            # initialization has failed
            t_reason = as_str(terminated.get("reason"))
            if not t_reason:
                signal = _int(terminated.get("signal"))
                if signal != 0:
                    reason = f"Init:Signal:{signal}"
                else:
                    reason = f"Init:ExitCode:{_int(terminated.get('exitCode'))}"
            else:
                reason = "Init:" + t_reason
        elif waiting is not None and as_str(waiting.get("reason")) not in ("", "PodInitializing"):
            reason = "Init:" + as_str(waiting.get("reason"))
        else:
            reason = f"Init:{i}/{len(spec_inits)}"
        initializing = True
        if explain:
            what = (
                f"terminated with exit code {_int(terminated.get('exitCode'))}"
                if terminated is not None
                else f"waiting ({as_str(waiting.get('reason'))})"
                if waiting is not None and as_str(waiting.get("reason"))
                else "running"
                if _state(cs, "state", "running") is not None
                else "not started"
            )
            note(
                "STATUS",
                name,
                reason,
                f"init container {name} (#{i} of {len(spec_inits)}) is {what}: the first "
                "unfinished init container decides STATUS and stops the init walk",
            )
        break

    if not initializing or is_pod_initialized_condition_true(conditions):
        if initializing:
            if explain:
                note(
                    "STATUS",
                    "",
                    reason,
                    "but the Initialized condition is True (the pod had initialized), so the app "
                    "containers are read anyway and their reasons override",
                )
        if restarts != sidecar_restarts:
            if explain:
                note(
                    "RESTARTS",
                    "",
                    str(sidecar_restarts),
                    f"the container pass resets RESTARTS to the sidecars' {sidecar_restarts}: "
                    f"{restarts - sidecar_restarts} restart(s) of regular init containers are forgotten",
                )
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(_items(status.get("containerStatuses"))):
            name = as_str(cs.get("name"))
            restarts += _int(cs.get("restartCount"))
            last_restart = _newer(last_restart, _finished_at(cs))
            terminated = _state(cs, "state", "terminated")
            waiting = _state(cs, "state", "waiting")
            before = reason
            if waiting is not None and as_str(waiting.get("reason")):
                reason = as_str(waiting.get("reason"))
            elif terminated is not None and as_str(terminated.get("reason")):
                reason = as_str(terminated.get("reason"))
            elif terminated is not None:
                signal = _int(terminated.get("signal"))
                if signal != 0:
                    reason = f"Signal:{signal}"
                else:
                    reason = f"ExitCode:{_int(terminated.get('exitCode'))}"
            elif cs.get("ready") is True and _state(cs, "state", "running") is not None:
                has_running = True
                ready += 1
            if reason != before:
                if explain:
                    note(
                        "STATUS",
                        name,
                        reason,
                        f"container {name} is {'waiting' if waiting is not None else 'terminated'}"
                        f" with reason {reason!r}; app containers are read last to first, so the "
                        "first one with a reason wins",
                    )

        # back to "Running" if at least one container still reports running
        if reason == "Completed" and has_running:
            reason = "Running" if has_pod_ready_condition(conditions) else "NotReady"
            if explain:
                note("STATUS", "", reason, "Completed but a container still runs: Ready decides")

    deleting = _timestamp(meta.get("deletionTimestamp")) is not None
    if deleting and as_str(status.get("reason")) == NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
        if explain:
            note("STATUS", "", reason, "the pod is being deleted and its node is unreachable")
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
        if explain:
            note(
                "STATUS",
                "",
                reason,
                "metadata.deletionTimestamp is set and the pod is not finished",
            )

    restarts_display = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_display = f"{restarts} ({_since(last_restart, now)} ago)"

    created = _timestamp(meta.get("creationTimestamp"))
    age = "<unknown>" if created is None else _since(created, now)

    # -o wide
    pod_ips = _items(status.get("podIPs"))
    ip = as_str(pod_ips[0].get("ip")) if pod_ips else ""
    gates = _items(spec.get("readinessGates"))
    readiness_gates = "<none>"
    if gates:
        true_conditions = 0
        for gate in gates:
            for c in conditions:
                if as_str(c.get("type")) == as_str(gate.get("conditionType")):
                    if as_str(c.get("status")) == "True":
                        true_conditions += 1
                    break
        readiness_gates = f"{true_conditions}/{len(gates)}"

    return PodRow(
        name=as_str(meta.get("name")),
        ready=f"{ready}/{total}",
        status=reason,
        restarts=restarts,
        restarts_display=restarts_display,
        age=age,
        ip=ip or "<none>",
        node=as_str(spec.get("nodeName")) or "<none>",
        nominated_node=as_str(status.get("nominatedNodeName")) or "<none>",
        readiness_gates=readiness_gates,
    )


# --------------------------------------------------------------------------- table


_CELL_END = re.compile("[\t\v\n\f]")


class TabWriter:
    """A line-by-line port of Go's `text/tabwriter.Writer` (go/src/text/tabwriter/tabwriter.go).

    Text is cut into cells at `\\t` (and `\\v`); a column's width is the widest
    cell of a *column block* (consecutive lines that have a cell in that
    column) plus `padding`, at least `minwidth`; the last cell of a line is
    never padded. A line with no tab flushes the buffer, so it ends every
    block (`Write`: `ncells == 1`). Flags 0, pad with spaces; the Escape
    character and HTML filtering are not used by kubectl and not ported.
    kubectl uses two settings: `describe`'s `tabbedString` (0, 8, 2) and
    cli-runtime's `GetNewTabWriter` (6, 4, 3).
    """

    def __init__(
        self, minwidth: int = 0, tabwidth: int = 8, padding: int = 2, padchar: str = " "
    ) -> None:
        if padchar == "\t" or len(padchar) != 1:
            raise ValueError("padchar: one character other than a tab")
        self.minwidth = minwidth
        self.tabwidth = tabwidth
        self.padding = padding
        self.padchar = padchar
        self._out: list[str] = []
        self._cell = ""
        self._lines: list[list[tuple[str, bool]]] = [[]]
        self._widths: list[int] = []

    def write(self, text: str) -> None:
        """`Writer.Write`: split into cells; a line with a single cell flushes."""
        start = 0
        for m in _CELL_END.finditer(text):  # only the cell ends: a long trace is 1.6 MB of text
            i, ch = m.start(), m.group()
            self._cell += text[start:i]
            start = i + 1
            line = self._lines[-1]
            line.append((self._cell, ch == "\t"))
            self._cell = ""
            if ch in "\n\f":
                self._lines.append([])
                if ch == "\f" or len(line) == 1:
                    self._flush()
        self._cell += text[start:]

    def write_row(self, cells: list[str]) -> None:
        """`write("\\t".join(cells) + "\\n")`, without splitting again cells that hold no tab,
        vertical tab, newline or form feed (a long trace is 25,000 rows)."""
        text = "\t".join(cells)
        if (
            self._cell
            or not cells
            or text.count("\t") != len(cells) - 1
            or "\n" in text
            or "\v" in text
            or "\f" in text
        ):
            self.write(text + "\n")
            return
        line = self._lines[-1]
        line.extend([(c, True) for c in cells])
        line[-1] = (cells[-1], False)  # the newline ends the last cell
        self._lines.append([])
        if len(line) == 1:
            self._flush()

    def flush(self) -> str:
        """`Writer.Flush`: format what is buffered; returns everything written so far."""
        self._flush()
        out = "".join(self._out)
        self._out = []
        return out

    def _flush(self) -> None:
        if self._cell:
            self._lines[-1].append((self._cell, False))
            self._cell = ""
        self._format(0, len(self._lines))
        self._lines = [[]]
        self._widths = []

    def _write_lines(self, line0: int, line1: int) -> None:
        out = self._out
        for i in range(line0, line1):
            line = self._lines[i]
            for j, (text, _htab) in enumerate(line):
                out.append(text)
                if j < len(self._widths):
                    out.append(self.padchar * (self._widths[j] - len(text)))
            if i + 1 != len(self._lines):
                out.append("\n")

    def _format(self, line0: int, line1: int) -> None:
        column = len(self._widths)
        this = line0
        while this < line1:
            if column >= len(self._lines[this]) - 1:
                this += 1
                continue
            self._write_lines(line0, this)
            line0 = this
            width = self.minwidth
            while this < line1:
                line = self._lines[this]
                if column >= len(line) - 1:
                    break
                width = max(width, len(line[column][0]) + self.padding)
                this += 1
            self._widths.append(width)
            self._format(line0, this)
            self._widths.pop()
            line0 = this
        self._write_lines(line0, line1)


#: cli-runtime `pkg/printers/terminal.go` `terminalEscaper` (kubectl >= 1.23, issue #101695):
#: ESC becomes `^[` and carriage return `\\r`; nothing else is touched.
_TERMINAL_ESCAPES = {"\x1b": "^[", "\r": "\\r"}
_TERMINAL_RE = re.compile("[\x1b\r]")


def escape_terminal(text: str) -> str:
    """cli-runtime `printers.EscapeTerminal`: what kubectl writes for untrusted text."""
    return _TERMINAL_RE.sub(lambda m: _TERMINAL_ESCAPES[m.group()], text)


#: What `table_cell` changes: a cut (form feed, newline, carriage return) or an escape (ESC).
_CELL_SPECIAL = re.compile("[\f\n\r\x1b]")


def table_cell(value: str) -> str:
    """cli-runtime `tableprinter.go` `printRows`: a string cell is cut at its first `\\f`, `\\n`
    or `\\r` (then "..." is appended) and written through `WriteEscaped`."""
    if _CELL_SPECIAL.search(value) is None:
        return value  # nothing to cut or escape
    cut = re.search("[\f\n\r]", value)
    if cut is None:
        return escape_terminal(value)
    return escape_terminal(value[: cut.start()]) + "..."


def tabwrite(lines: Iterable[list[str]]) -> str:
    """The cells through cli-runtime's `GetNewTabWriter` (minwidth 6, tabwidth 4, padding 3).

    Cells are joined with tabs and written as kubectl's table printer writes
    them, so a tab inside a cell starts a new column there too. Rows are
    written as they come, so a generator of rows is never held whole.
    """
    tw = TabWriter(TABWRITER_MIN_WIDTH, 4, TABWRITER_PADDING)
    for cells in lines:
        tw.write_row(cells)
    return tw.flush().removesuffix("\n")


def render_table(rows: list[PodRow], wide: bool = False) -> str:
    """The `kubectl get pod` table (header + one line per row), without a trailing newline."""
    header = list(HEADERS) + (list(WIDE_HEADERS) if wide else [])
    return tabwrite([header] + [[table_cell(c) for c in row.cells(wide)] for row in rows])
