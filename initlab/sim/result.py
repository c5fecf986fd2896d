"""What a run leaves behind, as data the text views read (they never import the process).

A `Result` is one list of `Frame`s: each frame is one observed change of the
pod, with the snapshot a learner reads (`t`, `phase`, `status`, `ready`,
`restarts`, `conditions`, the container statuses) and the Pod object the API
held at that instant. A frame keeps references, not copies: the metadata,
spec and status dicts it points to are never mutated after they are
recorded (the simulation replaces them instead), so a 30-day crash loop
costs one status per change, not one pod.

Container logs are typed records: a `LogLine` is one line written at a time;
a `WaitLoop` is the docs' busybox `until nslookup NAME; do echo waiting for
NAME; sleep 2; done` loop, which expands into a line pair every
`POLL_SECONDS` until it ends. `kubectl logs` asks each record for its lines
up to a time.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from json.encoder import encode_basestring as _json_string
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from initlab.sim.scenario import Scenario

#: A `waitFor` loop polls every 2 s (the docs' `sleep 2`).
POLL_SECONDS = 2.0


def nslookup(service: str, namespace: str, found: bool) -> list[str]:
    """What busybox 1.28 `nslookup` prints in the docs' `until nslookup ...` loop."""
    fqdn = f"{service}.{namespace}.svc.cluster.local"
    head = [
        "Server:    10.96.0.10",
        "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local",
        "",
    ]
    if found:
        n = int(hashlib.sha256(fqdn.encode()).hexdigest()[:4], 16)
        return head + [f"Name:      {fqdn}", f"Address 1: 10.96.{n // 256}.{n % 256} {fqdn}"]
    return head + [f"nslookup: can't resolve '{fqdn}'"]


# -- logs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    """One line a container wrote at time `t`."""

    t: float
    text: str

    def lines(self, until: float, tail: int | None = None) -> list[str]:
        """The line, if it was written by `until`."""
        return [self.text] if self.t <= until else []


@dataclass
class WaitLoop:
    """`until nslookup SVC; do echo waiting for SVC; sleep 2; done`, started at `start`.

    Each poll before `end` (when the Service appeared; None: still waiting)
    prints nslookup's failure and `waiting for SVC`.
    """

    start: float
    service: str
    namespace: str
    end: float | None = None

    @property
    def t(self) -> float:
        return self.start

    def polls(self, until: float) -> int:
        """How many failed polls ran by `until` (poll k runs at start + k * POLL_SECONDS)."""
        if until < self.start:
            return 0
        n = int((until - self.start) // POLL_SECONDS) + 1
        if self.end is not None:
            # polls strictly before `end` failed; the one at `end` found the Service
            n = min(n, int(-(-(self.end - self.start) // POLL_SECONDS)))
        return max(n, 0)

    def lines(self, until: float, tail: int | None = None) -> list[str]:
        """The loop's output up to `until`; only the last `tail` lines if given."""
        block = nslookup(self.service, self.namespace, False) + [f"waiting for {self.service}"]
        n = self.polls(until)
        if tail is not None:
            n = min(n, -(-tail // len(block)))
        out = block * n
        return out[-tail:] if tail is not None else out


LogRecord = LogLine | WaitLoop


@dataclass
class ContainerLog:
    """One run of a container: its runtime id, start, restartCount and what it wrote."""

    id: str
    start: float
    restart_count: int
    records: list[LogRecord] = field(default_factory=list)


# -- frames ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """One observed change: the snapshot and the parts of the Pod the API held then.

    `metadata`, `spec` and `status` are shared with neighbouring frames and
    never mutated; `pod` assembles a new Pod on each call (its own top level,
    metadata and spec dicts, as the API would return; deeper parts shared).
    """

    snap: dict[str, Any]
    head: dict[str, Any]  # the pod's top level as loaded: its key order, apiVersion, kind
    metadata: dict[str, Any]
    spec: dict[str, Any]
    status: dict[str, Any]
    #: The `kubectl get pod` cells of this pod at time `t`, as the simulator printed them
    #: when it took the frame (None: not known; `kubectl get -w` prints the pod itself).
    cells: tuple[str, ...] | None = None

    @property
    def t(self) -> float:
        return self.snap["t"]

    @property
    def pod(self) -> dict[str, Any]:
        """The Pod object as the API held it (fresh top level, metadata and spec; deeper shared)."""
        pod = dict(self.head)
        pod["metadata"] = dict(self.metadata)
        pod["spec"] = dict(self.spec)
        pod["status"] = self.status
        return pod


def _num(t: float) -> int | float:
    """Whole seconds as int (JSON prints 5, not 5.0)."""
    return int(t) if float(t).is_integer() else t


#: An event as recorded: (t, type, reason, involved object, message, source component).
EventRecord = tuple[Any, str, str, str, str, str]
EVENT_KEYS = ("t", "type", "reason", "object", "message", "from")


#: An event's kind: (type, reason, involved object, message, source component).
EventKind = tuple[str, str, str, str, str]


class EventLog:
    """Events in the order they were recorded, stored compactly.

    A crash loop records the same few events over and over (`BackOff` every
    10 s for a month is 260,000 events), so each distinct (type, reason,
    object, message, source) is kept once and an event is its time plus an
    index: 12 bytes instead of a dict. A run of identical back-off resyncs is
    kept as one *block* (`append_repeated`): the kinds one resync recorded,
    and the times it recurred at (8 bytes each). Iterating gives every event
    as an `EventRecord` tuple, blocks expanded; `len` counts the events as
    iterating gives them; `runs` folds a block without expanding it.
    """

    __slots__ = ("_times", "_kinds", "_table", "_index", "_blocks", "_len")

    def __init__(self, records: list[EventRecord] | None = None) -> None:
        #: Per entry: its (first) time and its index in `_table`.
        self._times = array("d")
        self._kinds = array("I")
        self._table: list[EventKind] = []
        self._index: dict[EventKind, int] = {}
        #: Entry index of a block's first kind -> (width, times): entries i .. i + width - 1
        #: recur, in that order, at each of `times` (ascending; `_times[i]` is `times[0]`).
        self._blocks: dict[int, tuple[int, array[float]]] = {}
        self._len = 0
        for r in records or []:
            self.append(r[0], r[1:])

    def _kind(self, kind: EventKind) -> int:
        i = self._index.get(kind)
        if i is None:
            i = self._index[kind] = len(self._table)
            self._table.append(kind)
        return i

    def append(self, t: float, kind: EventKind) -> None:
        self._times.append(t)
        self._kinds.append(self._kind(kind))
        self._len += 1

    def append_repeated(self, times: array[float], kinds: list[EventKind]) -> None:
        """The events `kinds` (in that order) at each of `times` (ascending)."""
        if not times or not kinds:
            return
        if len(times) > 1:
            self._blocks[len(self._times)] = (len(kinds), times)
        for kind in kinds:
            self._times.append(times[0])
            self._kinds.append(self._kind(kind))
        self._len += len(times) * len(kinds)

    def extend_shifted(
        self, entries: list[tuple[Sequence[float], tuple[int, ...]]], by: float, until: float
    ) -> None:
        """`entries` (from `entries`) again, each time moved on by `by`, those up to `until`."""
        for times, ks in entries:
            at = array("d", [t + by for t in times if t + by <= until])
            if not at:
                continue
            if len(at) > 1:
                self._blocks[len(self._times)] = (len(ks), at)
            for k in ks:
                self._times.append(at[0])
                self._kinds.append(k)
            self._len += len(at) * len(ks)

    def __len__(self) -> int:
        return self._len

    def entries(
        self, start: int = 0, stop: int | None = None
    ) -> Iterator[tuple[Sequence[float], tuple[int, ...]]]:
        """(times, kind indices) per entry or block from entry `start` (a `mark`) to `stop`
        (another, default the end), in order: the kinds happen, in order, at each of the times."""
        times, kinds, blocks = self._times, self._kinds, self._blocks
        i, n = start, len(times) if stop is None else stop
        while i < n:
            block = blocks.get(i)
            if block is None:
                yield (times[i],), (kinds[i],)
                i += 1
            else:
                width, at = block
                yield at, tuple(kinds[i : i + width])
                i += width

    def __iter__(self) -> Iterator[EventRecord]:
        table = self._table
        if not self._blocks:
            for t, k in zip(self._times, self._kinds, strict=True):
                yield (_num(t), *table[k])
            return
        for times, ks in self.entries():
            for t in times:
                n = _num(t)
                for k in ks:
                    yield (n, *table[k])

    def __getitem__(self, i: int) -> EventRecord:
        if not self._blocks:
            return (_num(self._times[i]), *self._table[self._kinds[i]])
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("event index out of range")
        for times, ks in self.entries():
            if i < len(times) * len(ks):
                j, w = divmod(i, len(ks))
                return (_num(times[j]), *self._table[ks[w]])
            i -= len(times) * len(ks)
        raise IndexError("event index out of range")  # pragma: no cover

    def mark(self) -> int:
        """A position to read back from with `kinds_since` (entries, not events)."""
        return len(self._times)

    def kinds_since(self, mark: int) -> list[EventKind]:
        """The kind of each event recorded since `mark`, in order."""
        return [self._table[k] for times, ks in self.entries(mark) for _ in times for k in ks]

    def runs(self, until: float | None = None) -> Iterator[tuple[EventKind, int, float, float]]:
        """(kind, count, first t, last t) per entry, and per kind of a block, in recording
        order, counting only the events at or before `until` (a block is not expanded)."""
        table = self._table
        for times, ks in self.entries():
            n = len(times) if until is None else bisect_right(times, until)
            if n:
                for k in ks:
                    yield table[k], n, times[0], times[n - 1]


#: The encoder `initlab simulate -o json` prints with (`json.dump(indent=2, ensure_ascii=False)`).
_JSON_INDENTED = json.JSONEncoder(indent=2, ensure_ascii=False)


class _Unusual(Exception):
    """A value `_encode_fast` leaves to the json module (a subclass, a non-string key...)."""


def _encode_fast(value: Any, nl: str) -> str:
    """What json.dump(indent=2, ensure_ascii=False) writes for `value`, each newline followed
    by `nl`'s indent: the same text, built directly (json's own indenting encoder is pure
    Python and a generator per level). Plain dicts with string keys, lists, tuples, strings,
    ints, floats, booleans and None; anything else raises `_Unusual`."""
    if isinstance(value, str):
        return _json_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value) if math.isfinite(value) else _JSON_INDENTED.encode(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = nl + "  "
        parts = []
        for k, v in value.items():
            if type(k) is not str:
                raise _Unusual
            parts.append(inner + _json_string(k) + ": " + _encode_fast(v, inner))
        return "{" + ",".join(parts) + nl + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = nl + "  "
        return "[" + ",".join([inner + _encode_fast(v, inner) for v in value]) + nl + "]"
    raise _Unusual


def _encode(value: Any, level: int) -> str:
    """`value` as json.dump(indent=2) writes it nested `level` deep.

    Nested output differs from top-level output only by the indent after each
    newline, and an encoded string never holds a raw newline.
    """
    try:
        return _encode_fast(value, "\n" + "  " * level)
    except _Unusual:
        text = _JSON_INDENTED.encode(value)
        return text.replace("\n", "\n" + "  " * level) if level else text


def _json_number(n: int | float) -> str:
    """An event time as json writes it (int, or float's repr; NaN/Infinity as json spells them)."""
    if isinstance(n, int) or math.isfinite(n):
        return repr(n)
    return _JSON_INDENTED.encode(n)


#: Per snapshot key: the object it held in the previous snapshot and its text, and for a list,
#: the text of each of its items by their id.
_Seen = dict[str, tuple[int, str, dict[int, str]]]


def _encode_snapshot(snap: dict[str, Any], last: _Seen) -> str:
    """A timeline entry nested two deep; `last` remembers the previous snapshot's values.

    A value that is the very object the previous snapshot held reuses its
    text; so does each item of a list that the previous snapshot's list at
    the same key held (a container status that did not change is shared).
    """
    parts = []
    for k, v in snap.items():
        if isinstance(v, dict | list) and v:
            seen = last.get(k)
            if seen is not None and seen[0] == id(v):
                text = seen[1]
            else:
                items: dict[int, str] = {}
                if type(v) is list:
                    before = seen[2] if seen is not None else {}
                    inner = "\n        "
                    try:
                        for item in v:
                            items[id(item)] = before.get(id(item)) or _encode_fast(item, inner)
                        text = "[" + ",".join(inner + items[id(i)] for i in v) + "\n      ]"
                    except _Unusual:
                        text = _encode(v, 3)
                else:
                    text = _encode(v, 3)
                last[k] = (id(v), text, items)
        elif isinstance(v, str):
            text = _json_string(v)
        else:
            text = _encode(v, 3)
        parts.append(_snapshot_key(k) + text)
    if not parts:
        return "{}"
    return "{" + ",".join(parts) + "\n    }"


@lru_cache(maxsize=256)
def _snapshot_key(key: Any) -> str:
    """A snapshot key's line start, as `_encode_snapshot` writes it."""
    return "\n      " + _encode(key, 3) + ": "


@dataclass
class Result:
    """What a simulation produced: frames, events, container logs, and how the run ended.

    Events are kept as compact records (`event_records`); `events` gives them
    as dicts, built on first use.
    """

    frames: Sequence[Frame]
    event_records: EventLog
    end: float
    capped: bool = False
    stable: bool = False
    deleted_at: float | None = None
    steps: int = 0
    name: str = ""
    namespace: str = "default"
    logs: dict[str, list[ContainerLog]] = field(default_factory=dict)
    scenario: Scenario | None = None
    kubernetes_version: str = ""
    #: Lifecycle hook runs, in start order: {container, hook: postStart|preStop, start, end,
    #: exit} (exit None: the grace period ended first). Hooks leave no event when they pass.
    hooks: list[dict[str, Any]] = field(default_factory=list)

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        """Every event, in order: `{"t", "type", "reason", "object", "message", "from"}`."""
        return [dict(zip(EVENT_KEYS, e, strict=True)) for e in self.event_records]

    @property
    def timeline(self) -> list[dict[str, Any]]:
        """The snapshots, one per frame (shared dicts: copy before changing them)."""
        return [f.snap for f in self.frames]

    @property
    def pods(self) -> list[dict[str, Any]]:
        """The Pod object of each frame."""
        return [f.pod for f in self.frames]

    @property
    def pod(self) -> dict[str, Any]:
        """The Pod object at the end of the run (the last frame's), without building the others."""
        return self.frames[-1].pod

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot."""
        return self.frames[-1].snap

    def index_at(self, t: float) -> int:
        """The index of the frame in force at time t (the first one before time 0)."""
        lo, hi = 0, len(self.frames)
        while lo < hi:  # the last frame with t <= given t
            mid = (lo + hi) // 2
            if self.frames[mid].snap["t"] <= t:
                lo = mid + 1
            else:
                hi = mid
        return max(lo - 1, 0)

    def at(self, t: float) -> dict[str, Any]:
        """The snapshot in force at time t (the first one before time 0)."""
        return copy.deepcopy(self.frames[self.index_at(t)].snap)

    def pod_at(self, t: float) -> dict[str, Any]:
        """The full Pod object (metadata, spec, status) as the API held it at time t."""
        return copy.deepcopy(self.frames[self.index_at(t)].pod)

    def to_json(self) -> dict[str, Any]:
        """`initlab simulate -o json`: `{"timeline", "events", "final", "kubernetesVersion"}`.

        The dicts are shared with the result, not copied: serialise them, do
        not change them.
        """
        events = [dict(zip(EVENT_KEYS[:5], e, strict=False)) for e in self.event_records]
        out: dict[str, Any] = {"timeline": self.timeline, "events": events, "final": self.final}
        if self.kubernetes_version:
            out["kubernetesVersion"] = self.kubernetes_version
        return out

    def iter_json(self, extra: dict[str, Any] | None = None) -> Iterator[str]:
        """`to_json()` plus `extra`'s keys, as `json.dump(indent=2, ensure_ascii=False)` writes it.

        The same bytes, in chunks, without building the event dicts or
        re-encoding what frames share: a 30-day crash loop is 26,000
        snapshots and 290,000 events, and most of each is the same as the
        one before. Each distinct event kind is encoded once; a snapshot
        value that is the very object the previous snapshot held is reused.
        """
        head: dict[str, Any] = {}
        if self.kubernetes_version:
            head["kubernetesVersion"] = self.kubernetes_version
        head.update(extra or {})
        yield '{\n  "timeline": ['
        last: _Seen = {}
        buf: list[str] = []
        for i, frame in enumerate(self.frames):
            buf.append(("," if i else "") + "\n    " + _encode_snapshot(frame.snap, last))
            if len(buf) >= 256:
                yield "".join(buf)
                buf = []
        yield "".join(buf) + '\n  ],\n  "events": '
        records = self.event_records
        if not len(records):
            yield "[]"
        else:
            tails = [
                "".join(
                    f',\n      "{k}": {_JSON_INDENTED.encode(v)}'
                    for k, v in zip(EVENT_KEYS[1:5], kind, strict=False)
                )
                + "\n    }"
                for kind in records._table
            ]
            # each event starts with its comma; the list's opening bracket replaces the first
            buf = []
            opening = "["
            lead = ',\n    {\n      "t": '
            for times, ks in records.entries():
                if len(ks) == 1:
                    tail = tails[ks[0]]
                    buf.extend(
                        [
                            lead + (str(int(t)) if t.is_integer() else _json_number(t)) + tail
                            for t in times
                        ]
                    )
                else:
                    for t in times:
                        at = lead + (str(int(t)) if t.is_integer() else _json_number(t))
                        buf.extend([at + tails[k] for k in ks])
                if len(buf) >= 4096:
                    yield opening + "".join(buf)[1:]
                    opening, buf = ",", []
            rest = "".join(buf)
            yield (opening + rest[1:] if rest else "") + "\n  ]"
        yield ',\n  "final": ' + _encode(self.final, 1)
        for key, value in head.items():
            yield ",\n  " + _encode(key, 1) + ": " + _encode(value, 1)
        yield "\n}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        """A Result from `to_json()` output (what `-o json` printed).

        The JSON carries snapshots, not whole Pod objects, so each frame's
        pod is rebuilt from its snapshot: phase, container statuses and the
        condition flags; metadata holds only the name when the events name
        no pod. Enough for the watch, events and timeline views.
        """
        from initlab.errors import InputError

        if not isinstance(data, dict) or not isinstance(data.get("timeline"), list):
            raise InputError('expected the JSON of `initlab simulate -o json` (a "timeline")')
        frames: list[Frame] = []
        for i, snap in enumerate(data["timeline"]):
            if not isinstance(snap, dict) or not isinstance(snap.get("t"), int | float):
                raise InputError("must be a snapshot with a numeric t", f"timeline[{i}]")
            details = snap.get("conditionDetails")
            status = {
                "phase": snap.get("phase", "Pending"),
                "conditions": [dict(c) for c in details if isinstance(c, dict)]
                if isinstance(details, list)
                else [
                    {"type": k, "status": "True" if v else "False"}
                    for k, v in (snap.get("conditions") or {}).items()
                ],
                "initContainerStatuses": snap.get("initContainerStatuses") or [],
                "containerStatuses": snap.get("containerStatuses") or [],
            }
            frames.append(
                Frame(
                    snap=snap,
                    head={"apiVersion": "v1", "kind": "Pod"},
                    metadata={"name": str(data.get("name") or "pod")},
                    spec={},
                    status=status,
                )
            )
        if not frames:
            raise InputError("must hold at least one snapshot", "timeline")
        records = EventLog()
        for e in data.get("events") or []:
            if isinstance(e, dict):
                scheduler = e.get("reason") in ("Scheduled", "FailedScheduling")
                source = e.get("from", "default-scheduler" if scheduler else "kubelet")
                t = e.get("t", 0)
                records.append(
                    float(t) if isinstance(t, int | float) else 0.0,
                    (
                        str(e.get("type", "")),
                        str(e.get("reason", "")),
                        str(e.get("object", "")),
                        str(e.get("message", "")),
                        str(source),
                    ),
                )
        return cls(
            frames=frames,
            event_records=records,
            end=float(frames[-1].snap["t"]),
            name=str(data.get("name") or "pod"),
            kubernetes_version=str(data.get("kubernetesVersion") or ""),
        )
