"""Fast-forward through a crash loop that repeats itself exactly.

A crash loop at its back-off cap is periodic: each cycle (the container
starts, runs, exits, waits out the back-off) gives the same snapshots,
events and log runs as the cycle before, moved on by the cycle's length,
with each restart count one higher and new container ids. A 30-day crash
loop at the default 5-minute cap is about 8,600 such cycles.

`FastForward` looks at the run at the end of each instant in which a
container started (a *boundary*). When the last three cycles between
boundaries are equally long, and

- simpy's queue (every pending wake-up up to the end of the run) is the
  same relative to each boundary, so no world event, deadline, probe or
  other timer is due on another rhythm;
- each container that started in them is on the last, repeating attempt
  of its scenario behaviour;
- no lifecycle hook ran, and the pod's metadata and spec stayed the same;
- the cycle is whole seconds long (API timestamps are whole seconds), and
  every time involved is a multiple of 1/1024 s (so the sums below are exact),

it learns, value by value, how the second cycle differs from the first (a
number or an RFC 3339 timestamp moves by a fixed amount, a container id
names the run one cycle later, anything else is equal: `Learner`), checks
that this predicts the third cycle exactly (snapshots, API statuses, the
`kubectl get` cells, events, log runs: `FastForward.verify`), and then
writes the rest of the run up to its end from the third cycle, instead of
simulating it: the events and log runs at once, the snapshots when they
are read (`PeriodicFrames`), so a month of them costs no memory.

Anything else falls back to simulating every cycle, which is always exact;
`tests/test_fast_forward.py` runs crash loops both ways and compares
everything a command prints. `_FAST_FORWARD` off: never fast-forward.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

from initlab.api.pod import is_restartable_init_container
from initlab.api.printers import print_pod
from initlab.kubelet.status import EPOCH, instant, rfc3339
from initlab.sim.result import ContainerLog, Frame, LogLine, LogRecord, WaitLoop, _num

if TYPE_CHECKING:
    from initlab.sim.containers import ContainerRuntime
    from initlab.sim.context import PodContext

#: Fast-forward periodic crash loops (off: simulate every cycle, as the tests that compare
#: both ways need).
_FAST_FORWARD = True

#: How a value changes from one cycle to the next: None (it does not), or
#: ("d", {key: program}) for a dict, ("l", (program, ...)) for a list, ("n", delta) for a
#: number, ("t", delta) for a time printed as an int when whole (`_num`), ("ts", seconds)
#: for an RFC 3339 timestamp, ("id", start delta, run delta) for a container id.
Program = tuple[Any, ...] | None

#: A run's identity: container name, start time, run number (its index in the history).
RunId = tuple[str, float, int]

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class NotPeriodic(Exception):
    """Two cycles differ in a way a fixed step cannot describe."""


def _exact(t: float) -> bool:
    """Whether `t` is a multiple of 1/1024: sums of such times are exact in a float."""
    return float(t * 1024).is_integer()


@lru_cache(maxsize=4096)
def _seconds(text: str) -> int | None:
    """Seconds since `EPOCH` of an RFC 3339 timestamp as `rfc3339` writes it, else None."""
    if not _TIMESTAMP.fullmatch(text):
        return None
    at = datetime(
        int(text[0:4]),
        int(text[5:7]),
        int(text[8:10]),
        int(text[11:13]),
        int(text[14:16]),
        int(text[17:19]),
        tzinfo=UTC,
    )
    return int((at - EPOCH).total_seconds())


class Learner:
    """Learns the `Program` that turns one cycle's values into the next one's."""

    def __init__(self, runs: dict[str, RunId]) -> None:
        self.runs = runs
        #: (id(a), id(b)) -> program: values shared in a cycle share their program.
        self._memo: dict[tuple[int, int], Program] = {}

    def learn(self, a: Any, b: Any) -> Program:
        """The program taking `a` (one cycle) to `b` (the next); NotPeriodic if none."""
        if a is b:
            return None
        key = (id(a), id(b))
        if key in self._memo:
            return self._memo[key]
        prog = self._learn(a, b)
        self._memo[key] = prog
        return prog

    def _learn(self, a: Any, b: Any) -> Program:
        kind = type(a)
        if kind is not type(b):
            if {kind, type(b)} == {int, float}:
                return ("t", b - a)  # a time as JSON prints it: whole seconds as an int
            raise NotPeriodic(f"{kind.__name__} became {type(b).__name__}")
        if kind is dict:
            if list(a) != list(b):
                raise NotPeriodic("keys differ")
            progs = {k: p for k, v in a.items() if (p := self.learn(v, b[k])) is not None}
            return ("d", progs) if progs else None
        if kind is list or kind is tuple:
            if len(a) != len(b):
                raise NotPeriodic("lengths differ")
            items = tuple(self.learn(x, y) for x, y in zip(a, b, strict=True))
            return ("l", items) if any(p is not None for p in items) else None
        if kind is int or kind is float:
            return ("n", b - a) if b != a else None
        if kind is str:
            if a == b:
                return None
            ra, rb = self.runs.get(a), self.runs.get(b)
            if ra is not None and rb is not None and ra[0] == rb[0]:
                return ("id", rb[1] - ra[1], rb[2] - ra[2])
            sa, sb = _seconds(a), _seconds(b)
            if sa is not None and sb is not None:
                return ("ts", sb - sa)
            raise NotPeriodic(f"{a!r} became {b!r}")
        if a == b:  # bool, None
            return None
        raise NotPeriodic(f"{a!r} became {b!r}")


class Shift:
    """Applies programs `m` cycles on: each number moved by `m` steps, ids renamed."""

    def __init__(
        self, m: int, runs: dict[str, RunId], make_id: Callable[[str, float, int], str]
    ) -> None:
        self.m = m
        self.runs = runs
        self.make_id = make_id
        #: (id(value), id(program)) -> result: a value shared in the cycle stays shared.
        self._memo: dict[tuple[int, int], Any] = {}

    def apply(self, prog: Program, value: Any) -> Any:
        if prog is None:
            return value
        key = (id(value), id(prog))
        done = self._memo.get(key)
        if done is not None:
            return done
        kind, m = prog[0], self.m
        out: Any
        if kind == "d":
            progs = prog[1]
            out = {k: (self.apply(progs[k], v) if k in progs else v) for k, v in value.items()}
        elif kind == "l":
            items = [self.apply(p, v) for p, v in zip(prog[1], value, strict=True)]
            out = tuple(items) if type(value) is tuple else items
        elif kind == "n":
            out = value + m * prog[1]
        elif kind == "t":
            out = _num(value + m * prog[1])
        elif kind == "ts":
            seconds = _seconds(value)
            assert seconds is not None  # learned from a timestamp
            out = rfc3339(seconds + m * prog[1])
        else:
            name, start, n = self.runs[value]
            out = self.make_id(name, start + m * prog[1], n + m * prog[2])
        self._memo[key] = out
        return out


@dataclass(frozen=True)
class _Step:
    """How one cycle follows the last simulated one."""

    #: The cycle's length in seconds (`Frame.t`, event and run times move by it).
    period: float
    #: The last simulated cycle: its frames, and its event entries (`EventLog.entries`).
    cycle: list[Frame]
    events: list[tuple[Sequence[float], tuple[int, ...]]]
    #: Per frame of the cycle: the programs of its snapshot and of its status.
    frames: tuple[tuple[Program, Program], ...]
    #: Per container: its runs in the cycle, and how restartCount moves per cycle.
    runs: dict[str, tuple[tuple[ContainerLog, ...], int]]
    #: Every run so far, by id (what the programs' container ids name).
    index: dict[str, RunId]


def _recurrences(t: float, period: float, horizon: float) -> int:
    """How many later cycles hold time `t` of the last simulated one: the m >= 1 with
    t + m * period <= horizon (checked by the sums themselves, as the times are made)."""
    k = max(int((horizon - t) // period), 0)
    while t + (k + 1) * period <= horizon:
        k += 1
    while k > 0 and t + k * period > horizon:
        k -= 1
    return k


def _shift_record(record: LogRecord, by: float) -> LogRecord:
    if isinstance(record, LogLine):
        return LogLine(record.t + by, record.text)
    return WaitLoop(
        record.start + by,
        record.service,
        record.namespace,
        None if record.end is None else record.end + by,
    )


def _later_runs(
    runs: tuple[ContainerLog, ...],
    m: int,
    period: float,
    index: dict[str, RunId],
    make_id: Callable[[str, float, int], str],
    drc: int,
) -> list[ContainerLog]:
    """The runs `m` cycles after `runs` (one container's runs in one cycle), each started
    `m` periods later, with `m` times `drc` more restarts and the id of its run number."""
    out = []
    per_cycle = len(runs)
    by = m * period
    for run in runs:
        name, _, n = index[run.id]
        out.append(
            ContainerLog(
                make_id(name, run.start + by, n + m * per_cycle),
                run.start + by,
                run.restart_count + m * drc,
                [_shift_record(r, by) for r in run.records],
            )
        )
    return out


class PeriodicFrames(Sequence[Frame]):
    """The frames of a run: those simulated, then the cycles made from the last one.

    Cycle `m` (1, 2, ...) after the last simulated cycle is made when read,
    by applying each frame's programs `m` times over; the cycle read last is
    kept. Frames past `horizon` (the run's end) are not part of the run.
    """

    def __init__(
        self,
        simulated: list[Frame],
        cycle: list[Frame],
        programs: tuple[tuple[Program, Program], ...],
        period: float,
        horizon: float,
        runs: dict[str, RunId],
        make_id: Callable[[str, float, int], str],
    ) -> None:
        self._simulated = simulated
        self._cycle = cycle
        self._programs = programs
        self._runs = runs
        self._make_id = make_id
        # frame j of the cycle recurs `reach[j]` more times before the horizon
        reach = [_recurrences(f.t, period, horizon) for f in cycle]
        full = reach[-1]  # frames come in time order: the last one recurs the fewest times
        self._len = len(simulated) + full * len(cycle) + sum(1 for k in reach if k > full)
        self._made: tuple[int, list[Frame]] | None = None

    def _made_cycle(self, m: int) -> list[Frame]:
        if self._made is not None and self._made[0] == m:
            return self._made[1]
        shift = Shift(m, self._runs, self._make_id)
        frames = [
            Frame(shift.apply(ps, f.snap), f.head, f.metadata, f.spec, shift.apply(pt, f.status))
            for f, (ps, pt) in zip(self._cycle, self._programs, strict=True)
        ]
        self._made = (m, frames)
        return frames

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> Frame: ...

    @overload
    def __getitem__(self, i: slice) -> list[Frame]: ...

    def __getitem__(self, i: int | slice) -> Frame | list[Frame]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("frame index out of range")
        if i < len(self._simulated):
            return self._simulated[i]
        m, j = divmod(i - len(self._simulated), len(self._cycle))
        return self._made_cycle(m + 1)[j]

    def __iter__(self) -> Iterator[Frame]:
        yield from self._simulated
        left, m = self._len - len(self._simulated), 1
        while left > 0:
            made = self._made_cycle(m)
            yield from made[:left]
            left -= len(made)
            m += 1


@dataclass(frozen=True)
class _Mark:
    """The run at a boundary: the time and how much of each output there was."""

    now: float
    frames: int
    events: int  # an `EventLog.mark`
    runs: tuple[tuple[str, int], ...]  # per container, its number of runs so far
    hooks: int
    pending: tuple[tuple[float, int, str], ...]  # simpy's queue, relative to `now`


class FastForward:
    """Watches a run for a crash loop that repeats exactly, and writes out the rest of it."""

    def __init__(self, ctx: PodContext, containers: ContainerRuntime, horizon: float) -> None:
        self.ctx = ctx
        self.containers = containers
        self.horizon = horizon
        self._runs_seen = 0
        self._marks: list[_Mark] = []
        #: After a failed check, skip this many boundaries before checking in full again.
        self._skip = 0
        self._misses = 0
        #: Set by `boundary` when the run repeats: how to write the rest of it (`write`).
        self.step: _Step | None = None
        #: Set by `write`: every frame of the run.
        self.frames: PeriodicFrames | None = None

    def due(self) -> bool:
        """Whether a container started since the last boundary."""
        return self.containers.runs != self._runs_seen

    def _mark(self) -> _Mark:
        ctx, env = self.ctx, self.ctx.env
        now = env.now
        pending = sorted(
            (t - now, prio, type(ev).__name__)
            for t, prio, _, ev in env._queue  # (time, priority, id, event): simpy's schedule
            if t <= self.horizon
        )
        return _Mark(
            now,
            len(ctx.frames),
            ctx.events.mark(),
            tuple((name, len(runs)) for name, runs in self.containers.history.items()),
            len(ctx.hooks),
            tuple(pending),
        )

    def boundary(self) -> bool:
        """At the end of an instant in which a container started: True if the rest of the
        run is written (stop simulating), else False (simulate on)."""
        self._runs_seen = self.containers.runs
        self._marks = [*self._marks[-3:], self._mark()]
        if len(self._marks) < 4:
            return False
        if self._skip:
            self._skip -= 1
            return False
        try:
            step = self.verify()
        except NotPeriodic:
            self._misses += 1
            self._skip = min(2**self._misses, 64) if self._misses > 2 else 0
            return False
        if step is None:
            return False
        self.step = step
        return True

    def _cheap_checks(self) -> float | None:
        """The cycle length, if the last three cycles look alike in size and schedule."""
        b0, b1, b2, b3 = self._marks
        period = b3.now - b2.now
        if not (b1.now - b0.now == b2.now - b1.now == period > 0):
            return None
        if not float(period).is_integer():
            return None  # API timestamps are whole seconds: they would step unevenly
        if b3.now + period > self.horizon:
            return None  # no whole cycle left to write
        if not (b3.frames - b2.frames == b2.frames - b1.frames == b1.frames - b0.frames > 0):
            return None
        if not (b0.hooks == b3.hooks and b1.pending == b2.pending == b3.pending):
            return None
        counts = [dict(b.runs) for b in self._marks]
        for name, n3 in counts[3].items():
            n0, n1, n2 = (c.get(name, 0) for c in counts[:3])
            if not n3 - n2 == n2 - n1 == n1 - n0:
                return None
        return period

    def _runs_index(self) -> dict[str, RunId]:
        return {
            run.id: (name, run.start, n)
            for name, runs in self.containers.history.items()
            for n, run in enumerate(runs)
        }

    def _cycle_frames(self, k: int) -> list[Frame]:
        a, b = self._marks[k - 1].frames, self._marks[k].frames
        return self.ctx.frames[a:b]

    def _cycle_events(self, k: int) -> list[tuple[Sequence[float], tuple[int, ...]]]:
        return list(self.ctx.events.entries(self._marks[k - 1].events, self._marks[k].events))

    def _cycle_runs(self, k: int) -> dict[str, tuple[ContainerLog, ...]]:
        before, after = dict(self._marks[k - 1].runs), dict(self._marks[k].runs)
        history = self.containers.history
        return {name: tuple(history[name][before.get(name, 0) : n]) for name, n in after.items()}

    def verify(self) -> _Step | None:
        """The step from one cycle to the next, if it predicts the last cycle exactly."""
        period = self._cheap_checks()
        if period is None:
            return None
        ctx = self.ctx
        c1, c2, c3 = (self._cycle_frames(k) for k in (1, 2, 3))
        times = [f.t for f in (*c1, *c2, *c3)]
        if not all(_exact(t) for t in times):
            return None
        for f in (*c1, *c2, *c3):
            if f.metadata is not ctx.metadata or f.spec is not ctx.spec or f.head is not ctx.head:
                return None
        runs1, runs2, runs3 = (self._cycle_runs(k) for k in (1, 2, 3))
        before = dict(self._marks[0].runs)
        for name, runs in runs3.items():
            if runs and not self._on_last_attempt(name, before.get(name, 0)):
                return None
        index = self._runs_index()
        make_id = self.containers.container_id
        # the frames: learn 1 -> 2, predict 3 from 2
        learner = Learner(index)
        programs = tuple(
            (learner.learn(a.snap, b.snap), learner.learn(a.status, b.status))
            for a, b in zip(c1, c2, strict=True)
        )
        shift = Shift(1, index, make_id)
        for (ps, pt), f2, f3 in zip(programs, c2, c3, strict=True):
            snap, status = shift.apply(ps, f2.snap), shift.apply(pt, f2.status)
            if snap != f3.snap or status != f3.status or snap["t"] != f2.t + period:
                raise NotPeriodic("the third cycle's frames differ")
            pod = Frame(snap, f3.head, f3.metadata, f3.spec, status).pod
            if (
                f3.cells is not None
                and tuple(print_pod(pod, instant(snap["t"])).cells()) != f3.cells
            ):
                raise NotPeriodic("the third cycle's kubectl get row differs")
        # the events: the same entries, each at the same times moved on by a period
        e1, e2, e3 = (self._cycle_events(k) for k in (1, 2, 3))
        for x, y in ((e1, e2), (e2, e3)):
            if len(x) != len(y):
                raise NotPeriodic("the cycles record different events")
            for (tx, kx), (ty, ky) in zip(x, y, strict=True):
                if kx != ky or len(tx) != len(ty):
                    raise NotPeriodic("the cycles record different events")
                if any(b - a != period or not _exact(b) for a, b in zip(tx, ty, strict=True)):
                    raise NotPeriodic("the cycles' events are not a period apart")
        # the log runs: started a period later, restartCount moved on the same each cycle
        drcs: dict[str, int] = {}
        for name, r3 in runs3.items():
            r1, r2 = runs1.get(name, ()), runs2.get(name, ())
            if not r3:
                continue
            drc = r2[0].restart_count - r1[0].restart_count
            drcs[name] = drc
            if _later_runs(r2, 1, period, index, make_id, drc) != list(r3):
                raise NotPeriodic("the third cycle's log runs differ")
            if not all(_exact(r.start) for r in r3):
                return None
        # learn again from the last two cycles: the programs to write the rest with
        learner = Learner(index)
        programs = tuple(
            (learner.learn(a.snap, b.snap), learner.learn(a.status, b.status))
            for a, b in zip(c2, c3, strict=True)
        )
        return _Step(
            period,
            c3,
            e3,
            programs,
            {name: (runs3[name], drc) for name, drc in drcs.items()},
            index,
        )

    def _on_last_attempt(self, name: str, run: int) -> bool:
        """Whether container `name`'s run number `run` (from 0) and all later ones use the
        last (repeating) attempt of its behaviour."""
        is_init = self.ctx.is_init(name)
        spec = self.ctx.spec_of(name)
        attempts = self.ctx.sc.attempts_for(name, is_init, is_restartable_init_container(spec))
        return run >= len(attempts) - 1

    def totals(self) -> tuple[int, int]:
        """How many frames and events the whole run will have once written (`write`)."""
        step = self.step
        assert step is not None
        horizon, period = self.horizon, step.period
        events = len(self.ctx.events) + sum(
            _recurrences(t, period, horizon) * len(ks) for times, ks in step.events for t in times
        )
        frames = len(self.ctx.frames) + sum(_recurrences(f.t, period, horizon) for f in step.cycle)
        return frames, events

    def write(self) -> None:
        """Write the cycles after the last simulated one, up to the horizon."""
        step = self.step
        assert step is not None
        ctx = self.ctx
        horizon = self.horizon
        period, index = step.period, step.index
        make_id = self.containers.container_id
        start = self._marks[2].now  # the cycle is what happened after this, up to the last mark
        m = 1
        while start + m * period < horizon:
            ctx.events.extend_shifted(step.events, m * period, horizon)
            for name, (runs, drc) in step.runs.items():
                later = _later_runs(runs, m, period, index, make_id, drc)
                self.containers.history[name].extend(r for r in later if r.start <= horizon)
            m += 1
        self.frames = PeriodicFrames(
            ctx.frames, step.cycle, step.frames, period, horizon, index, make_id
        )
