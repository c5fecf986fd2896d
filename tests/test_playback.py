"""The kernel-free player: self-contained, escaped, complete, small."""

from __future__ import annotations

import html
import json
import re

import pytest
from browser_support import launch, require_chromium
from helpers import EXAMPLES
from scenarios import MYAPP

import initlab
from initlab.book.player import (
    Player,
    describe_events,
    get_table,
    player,
    text_of,
)
from initlab.book.svg import svg_timeline
from initlab.kubectl import render_events

TEN_MINUTES = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "crashy"},
        "spec": {
            "initContainers": [
                {"name": "proxy", "image": "envoy", "restartPolicy": "Always"},
                {"name": "migrate", "image": "busybox:1.36"},
            ],
            "containers": [{"name": "app", "image": "busybox:1.36"}],
        },
    },
    "until": 600,
    "behavior": {"migrate": [{"run": 3, "exit": 1}]},
}


def _payload(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S)
    assert m, "no JSON payload"
    return json.loads(m.group(1))


def test_initlab_player_is_the_lazy_entry_point():
    """`initlab.player` is `initlab.player.player` and returns a Player with HTML."""
    p = initlab.player(MYAPP)
    assert isinstance(p, Player)
    assert p._repr_html_() == p.html


def test_player_html_has_no_external_reference(myapp):
    """No http(s) URL and no protocol-relative src/href: the page works offline."""
    page = player(myapp).html
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page)
    assert "require(" not in page and "<link" not in page


def test_every_snapshot_status_is_in_the_payload(myapp):
    """The embedded JSON carries every snapshot, with its STATUS and `kubectl get` table."""
    data = _payload(player(myapp).html)
    assert [s[0] for s in data["snaps"]] == [s["t"] for s in myapp.timeline]
    assert [s[6] for s in data["snaps"]] == [s["status"] for s in myapp.timeline]
    for i, snap in enumerate(data["snaps"]):
        table = text_of(data, snap[2])
        assert snap[6] in table.splitlines()[1]
        assert table == get_table(myapp, snap[0], i)


def test_payload_describe_and_logs_are_kubectls_own(myapp):
    """Per snapshot, describe (head + events) and logs are the kubectl renderers' text."""
    from initlab.kubectl import render_describe, render_logs

    data = _payload(player(myapp).html)
    assert data["containers"] == ["init-myservice", "init-mydb", "myapp-container"]
    for t, _clock, _get, head, events, logs, _status in data["snaps"]:
        assert text_of(data, head) + text_of(data, events) + "\n" == render_describe(myapp, t)
        for c, k in logs.items():
            assert text_of(data, k) == render_logs(myapp, c, t).rstrip("\n")


def test_payload_watch_is_the_get_w_trace(myapp):
    """`watch` is `kubectl get pod -w`: the header, then one row per snapshot."""
    from initlab.kubectl import render_watch

    data = _payload(player(myapp).html)
    assert "\n".join(data["watch"]) + "\n" == render_watch(myapp)
    assert len(data["watch"]) == len(data["snaps"]) + 1


def test_payload_clock_is_kubectls_human_duration():
    """The clock text is computed in Python (HumanDuration), not in the page."""
    data = _payload(player(TEN_MINUTES).html)
    clocks = {s[1] for s in data["snaps"]}
    assert "t = 0s" in clocks and any(c.startswith("t = ") and "m" in c for c in clocks)


@pytest.mark.parametrize(
    ("t", "message"),
    [
        (float("inf"), "time inf is out of range"),
        (float("nan"), "time nan is out of range"),
        (1e12, "time 1000000000000.0 is out of range"),
        (-1, "time -1 is out of range"),
        ("soon", "time 'soon' is not a number"),
    ],
)
def test_player_refuses_non_finite_or_absurd_times(t, message):
    """A Result JSON with t = inf, nan, 1e12, -1 or text is a one-line InputError, at once."""
    from initlab.errors import InputError

    result = {"timeline": [{"t": 0, "status": "Pending"}, {"t": t, "status": "Running"}]}
    with pytest.raises(InputError) as e:
        player(result)
    assert str(e.value).startswith("timeline[1].t: " + message)


def test_player_refuses_an_event_at_an_absurd_time():
    """Events are checked too: an event at 1e12 s names its index."""
    from initlab.errors import InputError

    result = {"timeline": [{"t": 0, "status": "Pending"}], "events": [{"t": 1e12}]}
    with pytest.raises(InputError, match=r"^events\[0\]\.t: time"):
        player(result)


def test_player_accepts_thirty_days():
    """30 days (the simulator's own limit) is drawn."""
    result = {"timeline": [{"t": 0, "status": "Pending"}, {"t": 30 * 86400, "status": "Running"}]}
    assert player(result).size > 0


def test_get_table_matches_kubectl_watch_lines(myapp):
    """The player's `kubectl get` rows are the CLI's `get -w` rows at each snapshot."""
    from initlab.kubectl import render_watch

    watch = render_watch(myapp).splitlines()[1:]
    mine = [
        get_table(myapp, s["t"], i).splitlines()[1].split() for i, s in enumerate(myapp.timeline)
    ]
    assert [line.split() for line in watch] == mine


def test_player_events_match_describe(myapp):
    """The Python events text equals kubectl.render_events (the JS mirrors it)."""
    for snap in myapp.timeline:
        assert describe_events(myapp, snap["t"]) == render_events(myapp, snap["t"]).rstrip("\n")


def test_user_strings_are_escaped():
    """A `<script>` in a name or message never appears raw; `</` is `<\\/` in the JSON."""
    evil = "<script>alert(1)</script>"
    result = {
        "name": evil,
        "timeline": [
            {
                "t": 0,
                "status": "Init:0/1",
                "ready": "0/1",
                "restarts": 0,
                "phase": "Pending",
                "initContainerStatuses": [{"name": evil, "state": {"running": {}}}],
                "containerStatuses": [],
            },
            {
                "t": 3,
                "status": evil,
                "ready": "0/1",
                "restarts": 0,
                "phase": "Pending",
                "initContainerStatuses": [],
                "containerStatuses": [],
            },
        ],
        "events": [
            {
                "t": 1,
                "type": "Warning",
                "reason": "BackOff",
                "object": f"spec.initContainers{{{evil}}}",
                "message": evil,
            }
        ],
    }
    page = player(result).html
    assert evil not in page
    assert html.escape(evil) in page  # shown, escaped, in the SVG
    raw = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S).group(1)
    assert "</" not in raw and "<\\/script>" in raw
    data = _payload(page)
    assert text_of(data, data["snaps"][1][2]).splitlines()[1].split()[2] == evil.split()[0]
    assert evil in text_of(data, data["snaps"][1][4])  # the event message round-trips


def test_two_players_on_one_page_have_distinct_ids(myapp):
    """Element ids carry a per-player prefix, so two identical players do not collide."""
    a, b = player(myapp).html, player(myapp).html
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b


def test_player_has_controls_and_slider_over_every_snapshot(myapp):
    """Play, step and back buttons, and a slider from 0 to the last snapshot."""
    page = player(myapp).html
    for cls in ("ilp-play", "ilp-step", "ilp-back"):
        assert f'class="{cls}"' in page
    assert f'max="{len(myapp.timeline) - 1}"' in page
    assert page.count('class="cursor"') == 1


def test_svg_timeline_draws_every_container_lane(myapp):
    """The inline SVG names each container and the STATUS band."""
    svg = svg_timeline(myapp, 9)
    for name in ("STATUS", "init-myservice", "init-mydb", "myapp-container"):
        assert f">{name}</text>" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_ten_minute_player_is_under_one_megabyte():
    """A 10-minute crash-loop run fits in a player well under 1 MB."""
    p = player(TEN_MINUTES)
    assert 0 < p.size <= 1_000_000


def test_hour_long_crash_loop_player_renders():
    """An hour that never stabilises still produces a player with every snapshot."""
    sc = dict(TEN_MINUTES, until=3600)
    result = initlab.simulate(sc)
    p = player(result)
    assert len(_payload(p.html)["snaps"]) == len(result.timeline)
    assert p.size <= 1_000_000


def test_player_save_writes_a_standalone_page(tmp_path, myapp):
    """save() writes a complete HTML document containing the player."""
    path = player(myapp).save(tmp_path / "p.html")
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and 'class="initlab-player"' in text


@pytest.mark.browser
def test_player_runs_in_chromium_offline(tmp_path, myapp):
    """In headless Chromium the buttons step, no request leaves the page, no script error."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    path = tmp_path / "two.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset=utf-8></head><body>"
        + player(myapp).html
        + player(TEN_MINUTES).html
        + "</body></html>"
    )
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith("file:") else problems.append(r.url),
            )
            page.goto(path.as_uri())
            first, second = page.query_selector_all(".initlab-player")
            shown = []
            for i, snap in enumerate(myapp.timeline):
                if i:
                    first.query_selector(".ilp-step").click()
                get = first.query_selector(".ilp-get").inner_text().split("\n", 1)[1]
                events = first.query_selector(".ilp-events").inner_text().split("\n", 1)[1]
                assert get == get_table(myapp, snap["t"], i)
                assert events == describe_events(myapp, snap["t"])
                shown.append(get.splitlines()[1].split()[2])
            first.query_selector(".ilp-back").click()
            back = first.query_selector(".ilp-time").inner_text()
            untouched = second.query_selector(".ilp-time").inner_text()
            first.query_selector(".ilp-edit").click()
            first.query_selector(".ilp-run").click()
            from_file = first.query_selector(".ilp-status").inner_text()
        finally:
            browser.close()
    assert problems == []
    assert shown == [s["status"] for s in myapp.timeline]
    assert f"({len(myapp.timeline) - 1}/{len(myapp.timeline)})" in back
    assert "(1/" in untouched  # the other player on the page did not move
    assert "python -m http.server" in from_file and "file://" in from_file


def _examples() -> list:
    return sorted(
        p for p in EXAMPLES.glob("*.yaml") if "pod:" in p.read_text() or "podFile" in p.read_text()
    )


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_scenario_document_round_trips_every_example(path):
    """scenario_document(load_scenario(f)) simulates to the same trace as the file itself."""
    from initlab.book.source import scenario_yaml
    from initlab.kubectl import render_trace
    from initlab.sim.scenario import load_scenario

    text = scenario_yaml(load_scenario(path))
    assert render_trace(initlab.simulate(text)) == render_trace(initlab.simulate(path))


def test_player_from_a_result_offers_its_scenario_yaml(myapp):
    """A player built from a Result gets the YAML that reproduces the run as its source."""
    from initlab.book.live import run_json

    p = player(myapp)
    assert p.source and "init-myservice" in p.source
    again = json.loads(run_json(p.source))["data"]
    assert again["snaps"] == p.data["snaps"] and again["texts"] == p.data["texts"]
    assert again["lines"] == p.data["lines"]


def test_player_from_a_file_offers_the_file_text_with_its_comments():
    """From a path, the editor shows the file as written (comments kept)."""
    path = EXAMPLES / "flaky-migration-always.yaml"
    assert player(str(path)).source == path.read_text()


def test_player_from_result_json_has_no_editor(myapp):
    """A Result's JSON carries no scenario: no Edit and run button (no dead control)."""
    p = player(myapp.to_json())
    assert p.source is None and 'class="ilp-edit"' not in p.html


def test_run_json_answers_a_bad_scenario_with_one_line():
    """Bad YAML or an invalid pod is initlab's one-line message, never a traceback."""
    from initlab.book.live import run_json

    for text in (
        "pod: [1",
        "pod: {}",
        "",
        "pod:\n  metadata: {name: x}\n  spec: {containers: 3}\n",
    ):
        err = json.loads(run_json(text))["error"]
        assert err and "\n" not in err and "Traceback" not in err


def test_run_json_refuses_an_oversized_scenario():
    """A scenario over 256 KiB is refused before parsing."""
    from initlab.book.live import run_json

    assert "larger than" in json.loads(run_json("#" * 300_000))["error"]


def test_run_json_restart_policy_never_fails_the_pod():
    """Editing restartPolicy to Never in the browser's call: Init:Error, phase Failed."""

    from initlab.book.live import run_json

    path = EXAMPLES / "flaky-migration-always.yaml"
    text = path.read_text().replace("restartPolicy: Always", "restartPolicy: Never")
    data = json.loads(run_json(text))["data"]
    assert data["snaps"][-1][6] == "Init:Error"
    assert re.search(r"^Status:\s+Failed$", text_of(data, data["snaps"][-1][3]), re.M)
