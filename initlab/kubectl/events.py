"""Events as the API server stores them and as `kubectl describe pod` lists them.

The one home of event folding and of the Events table:

- `fold_events`: client-go `tools/record/events_cache.go` `EventLogger.eventObserve`
  (the `EventCorrelator`'s logger): an event identical to an earlier one in
  source, involved object, type, reason and message is not stored again; the
  stored one gets `count + 1` and a new `lastTimestamp`. The correlator's
  `EventAggregator` (10 *similar* events with different messages within
  10 minutes become one "(combined from similar events)") is not modelled:
  the simulated kubelet repeats its messages word for word.
- `event_objects`: the core/v1 Event objects an API server lists for the pod
  at time t, in the server's order (by name, `<pod>.<hex unix nanos>`, client-go
  `tools/record/event.go` `makeEvent`). The kubelet's events carry
  `firstTimestamp`, `lastTimestamp` and `count`; the scheduler records through
  `events.k8s.io/v1` (`k8s.io/client-go/tools/events`), so its events carry
  `eventTime` and `reportingComponent` and no `lastTimestamp`.
- `event_rows`: kubectl `pkg/describe/describe.go` `DescribeEvents`: sorted with
  Go's `sort.Sort` (pdqsort, not stable; `go_sort` below) by `lastTimestamp`
  (`pkg/util/event/sorted_event_list.go`), Age `X` or `X (xN over Y)`, From the
  source component (else the reporting controller), and from kubectl 1.35 the
  message prefixed by the involved object's `fieldPath`.
- `events_by_snapshot`: the same rows, ages precomputed, for each snapshot of a
  run: what the book's player shows, as data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from initlab.api.printers import human_duration, parse_time
from initlab.kubelet.status import EPOCH, instant
from initlab.sim.result import EventLog

#: The kubectl version whose layout initlab prints when none is named.
DEFAULT_KUBECTL_VERSION = "1.35"


def kubectl_minor(version: str) -> int:
    """The minor number of a kubectl version such as "1.35", "v1.35.2" or "1.32.4-dispatcher"."""
    text = version.strip().removeprefix("v")
    parts = text.split(".")
    try:
        if len(parts) < 2 or int(parts[0]) != 1:
            raise ValueError
        return int(parts[1].split("-")[0])
    except ValueError:
        from initlab.errors import InputError

        raise InputError(
            f'not a kubectl version like 1.35: "{version}"', "--kubectl-version"
        ) from None


#: The kubectl layouts initlab reproduces (each checked against that kubectl binary).
KUBECTL_VERSIONS = ("1.32", "1.33", "1.34", "1.35")


def kubectl_version_for(version: str) -> str:
    """The kubectl layout to print for a Kubernetes or kubectl version: the same minor,
    brought into `KUBECTL_VERSIONS` (kubectl supports one minor of skew each way); an empty
    version gives the newest."""
    if not version:
        return KUBECTL_VERSIONS[-1]
    minor = min(max(kubectl_minor(version), 32), 35)
    return f"1.{minor}"


@dataclass(frozen=True)
class FoldedEvent:
    """One stored Event: the first occurrence and how often it repeated, up to some time."""

    type: str
    reason: str
    object: str
    message: str
    source: str
    count: int
    first: float
    last: float
    seq: int

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "reason": self.reason,
            "object": self.object,
            "message": self.message,
            "from": self.source,
            "count": self.count,
            "firstT": self.first,
            "lastT": self.last,
        }


#: The fields of an `EventLog` kind, as `Result.events` names them.
_KIND_KEYS = ("type", "reason", "object", "message", "from")


def _source(event: dict[str, Any]) -> str:
    src = event.get("from")
    if isinstance(src, str) and src:
        return src
    return "default-scheduler" if event.get("reason") == "Scheduled" else "kubelet"


def _t(event: dict[str, Any]) -> float:
    t = event.get("t")
    return float(t) if isinstance(t, int | float) and not isinstance(t, bool) else 0.0


def _fold_key(event: dict[str, Any]) -> tuple[str, ...]:
    """What makes two events the same to `eventObserve`: source, object, type, reason, message."""
    return (
        _source(event),
        str(event.get("object") or "Pod"),
        str(event.get("type", "")),
        str(event.get("reason", "")),
        str(event.get("message", "")),
    )


def fold_events(
    events: Iterable[dict[str, Any]] | EventLog, t: float | None = None
) -> list[FoldedEvent]:
    """client-go `EventLogger.eventObserve`: the events stored up to time t, in order of creation.

    `events` is dicts as `Result.events` lists them, or a run's `EventLog`
    itself, whose repeated blocks are folded without expanding them (the
    same answer: each block is that many identical events).
    """
    folded: dict[tuple[str, ...], list[Any]] = {}  # key -> [count, first, last]
    if isinstance(events, EventLog):
        keys: dict[tuple[str, ...], tuple[str, ...]] = {}
        for kind, count, first, last in events.runs(t):
            key = keys.get(kind)
            if key is None:
                key = keys[kind] = _fold_key(dict(zip(_KIND_KEYS, kind, strict=True)))
            seen = folded.get(key)
            if seen is None:
                folded[key] = [count, float(first), float(last)]
            else:
                seen[0] += count
                seen[2] = float(last)
    else:
        for e in events:
            et = _t(e)
            if t is not None and et > t:
                continue
            key = _fold_key(e)
            seen = folded.get(key)
            if seen is None:
                folded[key] = [1, et, et]
            else:
                seen[0] += 1
                seen[2] = et
    return [
        FoldedEvent(
            type=key[2],
            reason=key[3],
            object=key[1],
            message=key[4],
            source=key[0],
            count=count,
            first=first,
            last=last,
            seq=seq,
        )
        for seq, (key, (count, first, last)) in enumerate(folded.items())
    ]


def _rfc3339(t: float, micro: bool = False) -> str:
    dt = instant(t)
    if micro:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def event_objects(
    events: Iterable[dict[str, Any]] | EventLog,
    t: float | None,
    pod_name: str,
    namespace: str = "default",
    uid: str = "",
) -> list[dict[str, Any]]:
    """The core/v1 Events an API server would list for the pod at time t, in its (name) order."""
    out = []
    for f in fold_events(events, t):
        first_ns = int(round(f.first * 1e9)) + f.seq  # unique, and in creation order
        unix_ns = int(EPOCH.timestamp()) * 1_000_000_000 + first_ns
        involved: dict[str, Any] = {
            "kind": "Pod",
            "namespace": namespace,
            "name": pod_name,
            "uid": uid,
            "apiVersion": "v1",
        }
        if f.object != "Pod":
            involved["fieldPath"] = f.object
        obj: dict[str, Any] = {
            "kind": "Event",
            "apiVersion": "v1",
            "metadata": {
                "name": f"{pod_name}.{unix_ns:x}",
                "namespace": namespace,
                "creationTimestamp": _rfc3339(f.first),
            },
            "involvedObject": involved,
            "reason": f.reason,
            "message": f.message,
            "type": f.type,
        }
        if f.source == "default-scheduler":
            # k8s.io/client-go/tools/events: eventTime, reportingController; no legacy fields.
            obj.update(
                {
                    "source": {},
                    "firstTimestamp": None,
                    "lastTimestamp": None,
                    "eventTime": _rfc3339(f.first, micro=True),
                    "action": "Binding" if f.reason == "Scheduled" else "Scheduling",
                    "reportingComponent": "default-scheduler",
                    "reportingInstance": "default-scheduler-control-plane",
                }
            )
        else:
            obj.update(
                {
                    "source": {"component": f.source, "host": "node-1"},
                    "firstTimestamp": _rfc3339(f.first),
                    "lastTimestamp": _rfc3339(f.last),
                    "count": f.count,
                    "eventTime": None,
                    "reportingComponent": f.source,
                    "reportingInstance": "node-1",
                }
            )
        out.append(obj)
    out.sort(key=lambda o: o["metadata"]["name"])
    return out


# -- Go's sort.Sort ------------------------------------------------------------------


def go_sort(items: list[Any], less: Callable[[Any, Any], bool]) -> None:
    """Go's `sort.Sort` (go/src/sort/sort.go, zsortinterface.go; Go >= 1.19): pdqsort, in place.

    Not stable: equal elements end where Go's exact sequence of swaps puts
    them, which is what kubectl prints for events with equal timestamps.
    """
    n = len(items)
    if n <= 1:
        return
    _pdqsort(items, less, 0, n, n.bit_length())


def _insertion_sort(d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and less(d[j], d[j - 1]):
            d[j], d[j - 1] = d[j - 1], d[j]
            j -= 1


def _sift_down(
    d: list[Any], less: Callable[[Any, Any], bool], lo: int, hi: int, first: int
) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and less(d[first + child], d[first + child + 1]):
            child += 1
        if not less(d[first + root], d[first + child]):
            return
        d[first + root], d[first + child] = d[first + child], d[first + root]
        root = child


def _heap_sort(d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int) -> None:
    first, lo, hi = a, 0, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(d, less, i, hi, first)
    for i in range(hi - 1, -1, -1):
        d[first], d[first + i] = d[first + i], d[first]
        _sift_down(d, less, lo, i, first)


_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2
_MASK64 = (1 << 64) - 1


def _pdqsort(d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int, limit: int) -> None:
    was_balanced = True
    was_partitioned = True
    while True:
        length = b - a
        if length <= 12:
            _insertion_sort(d, less, a, b)
            return
        if limit == 0:
            _heap_sort(d, less, a, b)
            return
        if not was_balanced:
            _break_patterns(d, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(d, less, a, b)
        if hint == _DECREASING:
            _reverse_range(d, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if was_balanced and was_partitioned and hint == _INCREASING:
            if _partial_insertion_sort(d, less, a, b):
                return
        if a > 0 and not less(d[a - 1], d[pivot]):
            a = _partition_equal(d, less, a, b, pivot)
            continue
        mid, already = _partition(d, less, a, b, pivot)
        was_partitioned = already
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            was_balanced = left >= threshold
            _pdqsort(d, less, a, mid, limit)
            a = mid + 1
        else:
            was_balanced = right >= threshold
            _pdqsort(d, less, mid + 1, b, limit)
            b = mid


def _partition(
    d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int, pivot: int
) -> tuple[int, bool]:
    d[a], d[pivot] = d[pivot], d[a]
    i, j = a + 1, b - 1
    while i <= j and less(d[i], d[a]):
        i += 1
    while i <= j and not less(d[j], d[a]):
        j -= 1
    if i > j:
        d[j], d[a] = d[a], d[j]
        return j, True
    d[i], d[j] = d[j], d[i]
    i += 1
    j -= 1
    while True:
        while i <= j and less(d[i], d[a]):
            i += 1
        while i <= j and not less(d[j], d[a]):
            j -= 1
        if i > j:
            break
        d[i], d[j] = d[j], d[i]
        i += 1
        j -= 1
    d[j], d[a] = d[a], d[j]
    return j, False


def _partition_equal(
    d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int, pivot: int
) -> int:
    d[a], d[pivot] = d[pivot], d[a]
    i, j = a + 1, b - 1
    while True:
        while i <= j and not less(d[a], d[i]):
            i += 1
        while i <= j and less(d[a], d[j]):
            j -= 1
        if i > j:
            break
        d[i], d[j] = d[j], d[i]
        i += 1
        j -= 1
    return i


def _partial_insertion_sort(d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int) -> bool:
    max_steps, shortest_shifting = 5, 50
    i = a + 1
    for _ in range(max_steps):
        while i < b and not less(d[i], d[i - 1]):
            i += 1
        if i == b:
            return True
        if b - a < shortest_shifting:
            return False
        d[i], d[i - 1] = d[i - 1], d[i]
        if i - a >= 2:
            j = i - 1
            while j >= 1:
                if not less(d[j], d[j - 1]):
                    break
                d[j], d[j - 1] = d[j - 1], d[j]
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b:
                if not less(d[j], d[j - 1]):
                    break
                d[j], d[j - 1] = d[j - 1], d[j]
                j += 1
    return False


def _break_patterns(d: list[Any], a: int, b: int) -> None:
    length = b - a
    if length >= 8:
        random = length
        modulus = 1 << length.bit_length()
        idx = a + (length // 4) * 2 - 1
        while idx <= a + (length // 4) * 2 + 1:
            random ^= (random << 13) & _MASK64
            random ^= random >> 7
            random ^= (random << 17) & _MASK64
            other = random & (modulus - 1)
            if other >= length:
                other -= length
            d[idx], d[a + other] = d[a + other], d[idx]
            idx += 1


def _choose_pivot(
    d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int
) -> tuple[int, int]:
    shortest_ninther, max_swaps = 50, 4 * 3
    n = b - a
    swaps = [0]
    i = a + n // 4 * 1
    j = a + n // 4 * 2
    k = a + n // 4 * 3
    if n >= 8:
        if n >= shortest_ninther:
            i = _median(d, less, i - 1, i, i + 1, swaps)
            j = _median(d, less, j - 1, j, j + 1, swaps)
            k = _median(d, less, k - 1, k, k + 1, swaps)
        j = _median(d, less, i, j, k, swaps)
    if swaps[0] == 0:
        return j, _INCREASING
    if swaps[0] == max_swaps:
        return j, _DECREASING
    return j, _UNKNOWN


def _order2(
    d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int, swaps: list[int]
) -> tuple[int, int]:
    if less(d[b], d[a]):
        swaps[0] += 1
        return b, a
    return a, b


def _median(
    d: list[Any], less: Callable[[Any, Any], bool], a: int, b: int, c: int, swaps: list[int]
) -> int:
    a, b = _order2(d, less, a, b, swaps)
    b, c = _order2(d, less, b, c, swaps)
    a, b = _order2(d, less, a, b, swaps)
    return b


def _reverse_range(d: list[Any], a: int, b: int) -> None:
    i, j = a, b - 1
    while i < j:
        d[i], d[j] = d[j], d[i]
        i += 1
        j -= 1


# -- the Events table ------------------------------------------------------------------

#: Go's `unicode.IsSpace` (what `strings.TrimSpace` trims): not Python's str.strip set.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def go_trim_space(text: str) -> str:
    """Go's `strings.TrimSpace`."""
    return text.strip(_GO_SPACE)


@dataclass(frozen=True)
class EventRow:
    """One line of the Events table: the five cells kubectl prints."""

    type: str
    reason: str
    age: str
    source: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "type": self.type,
            "reason": self.reason,
            "age": self.age,
            "from": self.source,
            "message": self.message,
        }


def _since(value: Any, now: datetime) -> str:
    """describe.go `translateTimestampSince` / `translateMicroTimestampSince`."""
    ts = parse_time(value)
    if ts is None or ts.year == 1:
        return "<unknown>"
    return human_duration(now - ts)


def _last_timestamp(e: dict[str, Any]) -> datetime:
    ts = parse_time(e.get("lastTimestamp"))
    return ts if ts is not None else datetime.min.replace(tzinfo=EPOCH.tzinfo)


def event_rows(
    objects: list[dict[str, Any]], now: datetime, kubectl_version: str = DEFAULT_KUBECTL_VERSION
) -> list[EventRow]:
    """describe.go `DescribeEvents`: the rows of the Events table, in kubectl's order."""
    items = list(objects)
    go_sort(items, lambda x, y: _last_timestamp(x) < _last_timestamp(y))
    prefix = kubectl_minor(kubectl_version) >= 35
    rows = []
    for e in items:
        if e.get("eventTime"):
            first = _since(e.get("eventTime"), now)
        else:
            first = _since(e.get("firstTimestamp"), now)
        series = e.get("series")
        raw_count = e.get("count")
        count = raw_count if isinstance(raw_count, int) and not isinstance(raw_count, bool) else 0
        if isinstance(series, dict):
            age = f"{_since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
        elif count > 1:
            age = f"{_since(e.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            age = first
        source = str((e.get("source") or {}).get("component") or "") or str(
            e.get("reportingComponent") or ""
        )
        message = go_trim_space(str(e.get("message") or ""))
        path = str((e.get("involvedObject") or {}).get("fieldPath") or "")
        if prefix and path:
            message = f"{path}: {message}"
        rows.append(
            EventRow(str(e.get("type") or ""), str(e.get("reason") or ""), age, source, message)
        )
    return rows


def events_at(
    events: Iterable[dict[str, Any]] | EventLog,
    t: float,
    pod_name: str = "pod",
    kubectl_version: str = DEFAULT_KUBECTL_VERSION,
) -> list[EventRow]:
    """The Events rows of `kubectl describe pod` at simulated time t, from a run's event records."""
    objects = event_objects(events, t, pod_name)
    return event_rows(objects, instant(t), kubectl_version)


def events_by_snapshot(
    result: Any, kubectl_version: str = DEFAULT_KUBECTL_VERSION
) -> list[dict[str, Any]]:
    """For each snapshot of a run, `{"t": t, "rows": [{type, reason, age, from, message}, ...]}`.

    The rows are what `kubectl describe pod` lists at that instant (folded,
    sorted, ages as HumanDuration from that instant); a JSON-shaped result
    (`{"timeline", "events"}`) works as well as a simulator Result.
    """
    if isinstance(result, dict):
        timeline, events, name = result.get("timeline") or [], result.get("events") or [], "pod"
    else:
        timeline, name = result.timeline, result.name or "pod"
        events = getattr(result, "event_records", None)
        if events is None:
            events = result.events
    out = []
    for snap in timeline:
        t = _t(snap)
        rows = events_at(events, t, name, kubectl_version)
        out.append({"t": snap.get("t", t), "rows": [r.to_json() for r in rows]})
    return out
