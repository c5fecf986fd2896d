"""`initlab replay`: a real `kubectl get pod -w -o json` stream as initlab's timeline."""

from __future__ import annotations

import copy
import json

import pytest
from helpers import EXAMPLES

import initlab
from initlab.cli import main
from initlab.errors import InputError
from initlab.kubectl.replay import compare, read_stream, replay, statuses

SCENARIOS = sorted(EXAMPLES.glob("*.yaml"))
MYAPP = str(EXAMPLES / "myapp-pod.yaml")


def _stream(pods: list[dict]) -> bytes:
    """What `kubectl get pod NAME -w -o json` writes: pretty JSON objects, one after another."""
    return "".join(json.dumps(p, indent=4) + "\n" for p in pods).encode()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_a_simulated_watch_stream_replays_to_the_same_status_sequence(path):
    """Round trip: simulate → JSON watch stream → replay gives the simulation's STATUS sequence."""
    result = initlab.simulate(str(path))
    r = replay(read_stream(_stream(result.pods)))
    assert [s for _, s in statuses(r.timeline)] == [s for _, s in statuses(result.timeline)]
    assert compare(r.timeline, result.timeline)["same"]


def _jittered_myapp() -> list[dict]:
    """myapp-pod as a real cluster might write it: an image pull makes everything 3 s later."""
    result = initlab.simulate(MYAPP)
    pods = copy.deepcopy(result.pods)
    for i, (snap, pod) in enumerate(zip(result.timeline, pods, strict=True)):
        written = snap["t"] + (3 if snap["t"] > 0 else 0)
        pod["metadata"]["managedFields"] = [
            {
                "manager": "kubelet",
                "operation": "Update",
                "subresource": "status",
                "time": f"2026-01-01T00:{int(written) // 60:02d}:{int(written) % 60:02d}Z",
            }
        ]
        pod["metadata"]["resourceVersion"] = str(1000 + i)
    return pods


def test_managed_fields_time_places_each_version_and_jitter_is_not_a_difference():
    """The API server's managedFields time is the watch event's moment; shifted times still compare equal."""
    pods = _jittered_myapp()
    r = replay(read_stream(_stream(pods)))
    real = statuses(r.timeline)
    assert real[2] == (34.0, "Init:1/2")  # the simulation says 31 s: 3 s of jitter
    sim = initlab.simulate(MYAPP)
    assert compare(r.timeline, sim.timeline)["same"]


def test_a_missing_status_is_a_real_difference():
    """A run that never reached Running differs from the simulation where it stops."""
    pods = [p for p in _jittered_myapp() if p["status"].get("phase") != "Running"]
    sim = initlab.simulate(MYAPP)
    cmp = compare(replay(read_stream(_stream(pods))).timeline, sim.timeline)
    assert not cmp["same"]
    assert cmp["rows"][-1] == {"op": "differs", "real": None, "simulated": [47.0, "Running"]}


def test_watch_events_and_yaml_streams_are_read_too():
    """`--output-watch-events` objects and `-o yaml` `---` streams give the same versions."""
    pods = _jittered_myapp()
    events = "".join(json.dumps({"type": "MODIFIED", "object": p}) + "\n" for p in pods).encode()
    assert read_stream(events) == pods
    import yaml

    text = "".join("---\n" + yaml.safe_dump(json.loads(json.dumps(p))) for p in pods[:3]).encode()
    assert [p["metadata"]["resourceVersion"] for p in read_stream(text)] == ["1000", "1001", "1002"]


@pytest.mark.parametrize(
    "data,words",
    [
        (
            b'{"kind": "Service", "metadata": {"name": "s"}}',
            "object #1 is not a Pod (kind 'Service')",
        ),
        (b'{"kind": "List", "items": [{"kind": "Node"}]}', "object #1 is not a Pod (kind 'Node')"),
        (
            b'{"kind": "Pod", "metadata": {"name": "p"}}\n{"kind": "Pod", "metad',
            "object #2 is truncated",
        ),
        (
            b'{"kind": "Pod", "metadata": {"name": "a"}} {"kind": "Pod", "metadata": {"name": "b"}}',
            "more than one pod",
        ),
        (b"   \n", "empty, no pod in it"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_streams_get_one_line_errors(data, words):
    """Not a Pod, a List of other things, a truncated stream, two pods: a one-line InputError."""
    with pytest.raises(InputError) as e:
        read_stream(data, "watch.json")
    assert words in str(e.value) and "\n" not in str(e.value)


def test_replay_cli_trace_comparison_and_exit_codes(tmp_path, capsys):
    """The CLI prints the real trace, or the side-by-side comparison; bad input exits 2."""
    path = tmp_path / "watch.json"
    path.write_bytes(_stream(_jittered_myapp()))
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "Init:1/2" in out
    scenario = MYAPP
    assert main(["replay", str(path), "--against", scenario]) == 0
    out = capsys.readouterr().out
    assert "34s  Init:1/2" in out and "31s  Init:1/2" in out
    assert "The same STATUS sequence" in out
    assert main(["replay", str(path), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "replay" and data["final"]["status"] == "Running"
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "Pod", "metadata": {"name": "p"}')
    assert main(["replay", str(bad)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
