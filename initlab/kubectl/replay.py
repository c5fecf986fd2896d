"""`initlab replay`: a real `kubectl get pod NAME -w -o json` stream, as initlab's timeline.

`kubectl get -w -o json` prints each version of the pod as a JSON object,
one after another (not a JSON array); `--output-watch-events` wraps each in
`{"type": "MODIFIED", "object": {...}}`; `-o yaml` separates them with
`---`. All three are read, as is a `kind: List` or a JSON array.

Each pod becomes a snapshot in the shape `initlab simulate -o json` gives
(`docs/contracts.md`): STATUS, READY and RESTARTS by `printPod` at the
moment of that version. A watch event carries no time of its own: the
moment is the newest `metadata.managedFields[].time` (the API server stamps
it on every update), else the newest timestamp in the status; a version
with neither is placed at the previous one. Times are seconds since the first version's
`creationTimestamp`, so a real run and a simulated one line up from 0.

`compare()` puts the STATUS sequence of a real run beside a simulated one:
the kubelet's timing jitter and image pulls show up as shifted times, a
missing or extra STATUS as a real difference.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from initlab.api.loader import check_json, json_decoder, parse_documents
from initlab.api.pod import as_dict, as_int, as_list, metadata
from initlab.api.printers import (
    HEADERS,
    escape_terminal,
    parse_time,
    print_pod,
    table_cell,
    tabwrite,
)
from initlab.errors import InputError

#: A watch stream is many pods: more than the API server's one-object limit, still bounded.
MAX_STREAM_BYTES = 64 * 1024 * 1024
MAX_VERSIONS = 20_000


def _json_objects(text: str, source: str) -> list[Any]:
    """Concatenated JSON values (`kubectl get -w -o json`), each whole."""
    decoder = json_decoder()  # apimachinery's numbers, as every JSON initlab reads
    out: list[Any] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return out
        try:
            value, i = decoder.raw_decode(text, i)
        except InputError as e:  # a number beyond float64, a duplicate key, NaN
            raise InputError(f"{source}: object #{len(out) + 1}: {e.message}") from None
        except json.JSONDecodeError as e:
            what = "truncated" if e.pos >= n - 1 or "Unterminated" in e.msg else "not JSON"
            raise InputError(
                f"{source}: object #{len(out) + 1} is {what} ({e.msg} at line {e.lineno} "
                f"column {e.colno}); save the stream with `kubectl get pod NAME -w -o json > FILE`"
            ) from None
        out.append(check_json(value, f"{source}: object #{len(out) + 1}"))
        if len(out) > MAX_VERSIONS:
            raise InputError(f"{source}: more than {MAX_VERSIONS} objects in the stream")


def read_stream(data: bytes, source: str = "<stream>") -> list[dict[str, Any]]:
    """The pod versions of a watch stream, oldest first; a one-line InputError otherwise."""
    if len(data) > MAX_STREAM_BYTES:
        raise InputError(f"{source}: larger than {MAX_STREAM_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    if not text.strip():
        raise InputError(f"{source}: empty, no pod in it")
    if text.lstrip().startswith(("{", "[")):
        docs = _json_objects(text, source)
    else:
        docs = parse_documents(text, source)
    pods: list[dict[str, Any]] = []
    for doc in docs:
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if isinstance(item, dict) and str(item.get("kind", "")).endswith("List"):
                items_ = as_list(item.get("items"))
            elif isinstance(item, dict) and "object" in item and "type" in item:
                items_ = [as_dict(item.get("object"))]  # --output-watch-events
            else:
                items_ = [item]
            for obj in items_:
                if not isinstance(obj, dict) or obj.get("kind") != "Pod":
                    kind = obj.get("kind") if isinstance(obj, dict) else type(obj).__name__
                    raise InputError(
                        f"{source}: object #{len(pods) + 1} is not a Pod (kind {kind!r}); "
                        "replay reads `kubectl get pod NAME -w -o json`"
                    )
                pods.append(obj)
    if not pods:
        raise InputError(f"{source}: no Pod in it")
    names = {str(metadata(p).get("name")) for p in pods}
    if len(names) > 1:
        raise InputError(
            f"{source}: more than one pod in the stream ({', '.join(sorted(names)[:3])}); "
            "watch one pod: `kubectl get pod NAME -w -o json`"
        )
    return pods


def _newest(obj: Any, depth: int = 0) -> datetime | None:
    """The newest RFC 3339 time in a pod's status (the moment this version was written)."""
    best: datetime | None = None
    if depth > 10:
        return None
    if isinstance(obj, dict):
        values = list(obj.values())
    elif isinstance(obj, list):
        values = obj[:200]
    else:
        return None
    for v in values:
        t = parse_time(v) if isinstance(v, str) else _newest(v, depth + 1)
        if t is not None and (best is None or t > best):
            best = t
    return best


@dataclass
class Replay:
    """A replayed run: the pods as the cluster wrote them, and their snapshots."""

    pods: list[dict[str, Any]]
    times: list[datetime]
    origin: datetime
    events: list[dict[str, Any]]

    @property
    def timeline(self) -> list[dict[str, Any]]:
        return [self._snapshot(p, t) for p, t in zip(self.pods, self.times, strict=True)]

    def _snapshot(self, pod: dict[str, Any], t: datetime) -> dict[str, Any]:
        row = print_pod(pod, t)
        st = as_dict(pod.get("status"))
        return {
            "t": round((t - self.origin).total_seconds(), 3),
            "phase": str(st.get("phase", "")),
            "status": row.status,
            "ready": row.ready,
            "restarts": row.restarts,
            "conditions": {
                str(c.get("type")): c.get("status") == "True" for c in as_list(st.get("conditions"))
            },
            "initContainerStatuses": as_list(st.get("initContainerStatuses")),
            "containerStatuses": as_list(st.get("containerStatuses")),
        }

    def to_json(self) -> dict[str, Any]:
        """The shape of `initlab simulate -o json`, plus `source: replay`."""
        timeline = self.timeline
        return {
            "source": "replay",
            "timeline": timeline,
            "events": self.events,
            "final": timeline[-1],
        }


def _written_at(pod: dict[str, Any]) -> datetime | None:
    """When this version was written: the newest `managedFields` time, else the newest status time.

    A real API server stamps `metadata.managedFields[].time` on every update
    (the kubelet's status updates included), which is exactly the moment of
    the watch event; a pod without them falls back to its newest status time.
    """
    stamps = [parse_time(m.get("time")) for m in as_list(metadata(pod).get("managedFields"))]
    best = max((t for t in stamps if t is not None), default=None)
    return best or _newest(pod.get("status"))


def replay(pods: list[dict[str, Any]], events: list[dict[str, Any]] | None = None) -> Replay:
    """Place each pod version in time and turn events into the contract's event shape."""
    created = parse_time(metadata(pods[0]).get("creationTimestamp"))
    times: list[datetime] = []
    for p in pods:
        t = _written_at(p) or created
        if times and (t is None or t < times[-1]):
            t = times[-1]
        if t is None:
            raise InputError("the first pod has no creationTimestamp and no status times")
        times.append(t)
    origin = created or times[0]
    evs: list[dict[str, Any]] = []
    for e in events or []:
        t = (
            parse_time(e.get("lastTimestamp"))
            or parse_time(e.get("eventTime"))
            or parse_time(e.get("firstTimestamp"))
        )
        if t is None:
            continue
        involved = as_dict(e.get("involvedObject"))
        evs.append(
            {  # the contract's event, plus the API's count
                "t": round((t - origin).total_seconds(), 3),
                "type": str(e.get("type", "Normal")),
                "reason": str(e.get("reason", "")),
                "object": str(involved.get("fieldPath", "")),
                "message": str(e.get("message", "")),
                "count": as_int(e.get("count"), 1) or 1,
            }
        )
    evs.sort(key=lambda e: float(e["t"]))
    return Replay(pods, times, origin, evs)


def render_replay(r: Replay) -> str:
    """`kubectl get pod -w` as it was: one line per version, AGE at that version's time."""
    lines = [list(HEADERS)] + [
        [table_cell(c) for c in print_pod(p, t).cells()]
        for p, t in zip(r.pods, r.times, strict=True)
    ]
    return tabwrite(lines) + "\n"


def statuses(timeline: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """(t, STATUS) at each change of STATUS (repeats folded)."""
    out: list[tuple[float, str]] = []
    for snap in timeline:
        if not out or out[-1][1] != snap["status"]:
            out.append((float(snap["t"]), str(snap["status"])))
    return out


def compare(real: list[dict[str, Any]], simulated: list[dict[str, Any]]) -> dict[str, Any]:
    """The two STATUS sequences side by side: equal rows, shifted times, real differences."""
    a, b = statuses(real), statuses(simulated)
    rows: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=[s for _, s in a], b=[s for _, s in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            ra = a[i1 + k] if i1 + k < i2 else None
            sb = b[j1 + k] if j1 + k < j2 else None
            rows.append(
                {
                    "op": "same" if op == "equal" else "differs",
                    "real": list(ra) if ra else None,
                    "simulated": list(sb) if sb else None,
                }
            )
    return {"same": all(r["op"] == "same" for r in rows), "rows": rows}


def render_comparison(cmp: dict[str, Any]) -> str:
    """Side by side: `t STATUS` of the real run, `t STATUS` of the simulation, `|` where they differ."""

    def cell(x: list[Any] | None) -> str:
        return "" if x is None else f"{_secs(x[0])}  {x[1]}"

    width = max([len(cell(r["real"])) for r in cmp["rows"]] + [len("real (replayed)")])
    lines = [f"{'real (replayed)':<{width}}     simulated"]
    for r in cmp["rows"]:
        mark = " " if r["op"] == "same" else "|"
        lines.append(f"{cell(r['real']):<{width}}  {mark}  {cell(r['simulated'])}".rstrip())
    verdict = (
        "The same STATUS sequence; only the times differ (image pulls, the kubelet's sync timing)."
        if cmp["same"]
        else "The sequences differ where marked |."
    )
    return escape_terminal("\n".join(lines) + "\n\n" + verdict + "\n")


def _secs(t: float) -> str:
    return f"{int(t)}s" if float(t).is_integer() else f"{t:g}s"
