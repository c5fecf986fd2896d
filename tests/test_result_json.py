"""`Result.iter_json` writes what `json.dump(to_json(), indent=2, ensure_ascii=False)` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from initlab.sim.result import EventLog, Frame, Result
from initlab.sim.scenario import load_scenario
from initlab.sim.simulator import simulate

EXAMPLES = sorted(Path(__file__).parent.parent.joinpath("examples").glob("*.yaml"))


def _dumped(result: Result, extra: dict) -> str:
    return json.dumps({**result.to_json(), **extra}, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("path", EXAMPLES[:12], ids=lambda p: p.stem)
def test_iter_json_is_byte_identical_to_json_dump(path: Path) -> None:
    """Every shipped example streams to the same bytes json.dump prints."""
    result = simulate(load_scenario(str(path)))
    extra = {"assumed": {"app": {"run": 2}}}
    assert "".join(result.iter_json(extra)) == _dumped(result, extra)


def test_iter_json_with_no_events_and_odd_values() -> None:
    """No events, non-ASCII text, NaN and an empty snapshot encode as json.dump does."""
    snap = {"t": 1.5, "phase": "Pending", "status": "Ünïcode\u2028", "conditions": {}}
    frames = [
        Frame(snap=snap, head={}, metadata={}, spec={}, status={}),
        Frame(snap={}, head={}, metadata={}, spec={}, status={}),
        Frame(
            snap={"t": float("nan"), "x": [1, {"a": None}]},
            head={},
            metadata={},
            spec={},
            status={},
        ),
    ]
    result = Result(frames=frames, event_records=EventLog(), end=2.0, kubernetes_version="1.35")
    assert "".join(result.iter_json({})) == _dumped(result, {})


def test_iter_json_reuses_shared_values_and_times_events() -> None:
    """A value shared by consecutive snapshots and float event times come out unchanged."""
    shared = {"Ready": False}
    frames = [
        Frame(snap={"t": t, "conditions": shared}, head={}, metadata={}, spec={}, status={})
        for t in (0, 1, 2.25)
    ]
    events = EventLog([(0.5, "Normal", "Pulled", "spec.initContainers{a}", "done", "kubelet")])
    result = Result(frames=frames, event_records=events, end=3.0)
    assert "".join(result.iter_json({"assumed": {}})) == _dumped(result, {"assumed": {}})


class _Int(int):
    pass


ODD_VALUES = [
    {"a": (1, 2, [3, {}]), "b": [], "c": {"d": None, "e": True, "f": False}},
    {"float": [1e16, -0.0, 2.5, float("inf"), float("-inf")], "big": 10**30},
    {"text": 'quote " backslash \\ tab \t newline \n ünï \u2028 \x00'},
    {1: "int key", None: "none key", 2.5: "float key"},
    [_Int(3), {"nested": [[], [[]], {"x": [{}]}]}],
    "top-level string",
    17,
    None,
]


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("level", [0, 1, 3])
def test_encode_writes_what_json_dump_writes_nested(value: object, level: int) -> None:
    """_encode(v, level) is json.dumps(v, indent=2, ensure_ascii=False) indented `level` deep."""
    from initlab.sim.result import _encode

    want = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert _encode(value, level) == want


def test_iter_json_reuses_unchanged_list_items_and_encodes_changed_ones() -> None:
    """A status list sharing some items with the previous snapshot's encodes as json.dump does."""
    same = {"name": "a", "state": {"running": {}}}
    frames = [
        Frame(
            snap={"t": 0, "s": [same, {"name": "b", "n": 1}]},
            head={},
            metadata={},
            spec={},
            status={},
        ),
        Frame(
            snap={"t": 1, "s": [same, {"name": "b", "n": 2}]},
            head={},
            metadata={},
            spec={},
            status={},
        ),
        Frame(
            snap={"t": 2, "s": [{"name": "b", "n": 2}, same, (1, 2)]},
            head={},
            metadata={},
            spec={},
            status={},
        ),
        Frame(snap={"t": 3, "s": [{1: "odd key"}]}, head={}, metadata={}, spec={}, status={}),
    ]
    result = Result(frames=frames, event_records=EventLog(), end=4.0)
    assert "".join(result.iter_json({})) == _dumped(result, {})
