"""Upstream's node e2e tests of init containers and sidecars, ported as a scenario table.

Sources (kubernetes/kubernetes at commit 01ba738fd074afdfac0aa0e991ccb53152f9f357):

- `test/e2e_node/container_lifecycle_test.go` ("Containers Lifecycle");
- `test/e2e_node/pod_status_test.go` ("Pods status phase", the reboot case);
- `test/e2e/common/node/init_container.go` (the InitContainer conformance tests).

Each case is named after its upstream `It(...)` (with the enclosing `When(...)`
where several share a name) and asserts what upstream asserts, through
`initlab.simulate`. Upstream's containers run `ExecCommand(name, execCommand{...})`,
which logs `Starting`, `Started`, `Exiting` lines; its assertions
(`StartsBefore`, `ExitsBefore`, `RunTogether`, `HasRestarted`, ... in
`test/e2e_node/container_lifecycle_pod_construction.go`) read that log. Here the
same log is rebuilt from the simulation: a `Starting` for every `Started`
event, an `Exiting` at every terminated state's `finishedAt`.

How upstream's `execCommand` maps onto scenario behaviour: `Delay` -> `run`,
`ExitCode` -> `exit` (-1 is 255), `StartDelay` with a `test -f started`
startup probe -> `startup`, `TerminationSeconds` (the container traps SIGTERM,
sleeps, then exits with `ExitCode`) -> `onTerm: {exit: ExitCode, after:
TerminationSeconds}`; `sleep 10000` as PID 1 ignores SIGTERM -> `onTerm:
ignore`. An invalid registry image -> `pull: error`.

Cases that cannot be written as scenarios yet are listed in `NOT_EXPRESSIBLE`
with the reason; the list shrinks as the simulator learns the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from initlab.api.printers import parse_time
from initlab.kubelet.status import EPOCH
from initlab.sim.result import Result
from initlab.sim.simulator import simulate

UPSTREAM_COMMIT = "01ba738fd074afdfac0aa0e991ccb53152f9f357"
LIFECYCLE = "test/e2e_node/container_lifecycle_test.go"
POD_STATUS = "test/e2e_node/pod_status_test.go"
INIT_CONTAINER = "test/e2e/common/node/init_container.go"

IMAGE = "busybox:1.36"
ALTERNATE = "registry.k8s.io/e2e-test-images/agnhost:2.53"

# -- building pods the way upstream does -------------------------------------------------


def ctr(name: str, **kw: Any) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """A container spec and its behaviour; `sidecar=True` makes it a restartable init container.

    Keys that are container fields (`startupProbe`, `livenessProbe`, `lifecycle`,
    `image`) go to the spec; `behavior` is the list of attempts (None: the default).
    """
    spec: dict[str, Any] = {"name": name, "image": kw.pop("image", IMAGE)}
    if kw.pop("sidecar", False):
        spec["restartPolicy"] = "Always"
    for key in ("startupProbe", "livenessProbe", "readinessProbe", "lifecycle"):
        if key in kw:
            spec[key] = kw.pop(key)
    behavior = kw.pop("behavior", None)
    assert not kw, kw
    return spec, behavior


def run(delay: float | str, code: int = 0, **extra: Any) -> list[dict[str, Any]]:
    """`ExecCommand(name, execCommand{Delay: delay, ExitCode: code})`, every run alike."""
    return [{"run": delay, "exit": code, **extra}]


def pod(
    name: str,
    policy: str,
    inits: list[tuple[dict, Any]],
    apps: list[tuple[dict, Any]],
    events: list[dict[str, Any]] | None = None,
    until: float | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A scenario: the pod upstream creates, with each container's behaviour."""
    behavior = {c["name"]: b for c, b in inits + apps if b is not None}
    body: dict[str, Any] = {"restartPolicy": policy}
    if inits:
        body["initContainers"] = [c for c, _ in inits]
    body["containers"] = [c for c, _ in apps]
    body.update(spec)
    sc: dict[str, Any] = {
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body},
        "behavior": behavior,
        "events": events or [],
    }
    if until is not None:
        sc["until"] = until
    return sc


FAILING_EXEC = {"exec": {"command": ["sh", "-c", "exit 1"]}}
STARTED_FILE = {"exec": {"command": ["test", "-f", "started"]}}


# -- upstream's log assertions, over the simulation ---------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of upstream's shared container log: when, who, what."""

    t: float
    name: str
    command: str  # "Starting" or "Exiting"


def output(r: Result) -> list[Line]:
    """The log upstream's `parseOutput` reads, rebuilt from events and container statuses."""
    lines: list[tuple[float, int, int, Line]] = []
    for i, e in enumerate(r.events):
        if e["reason"] == "Started" and e["message"].startswith("Started container "):
            name = e["message"].removeprefix("Started container ")
            lines.append((e["t"], 1, i, Line(e["t"], name, "Starting")))
    seen: set[str] = set()
    for f in r.frames:
        st = f.status
        for s in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
            for state in (s.get("state") or {}, s.get("lastState") or {}):
                term = state.get("terminated")
                if not term or term.get("containerID") in seen:
                    continue
                seen.add(term.get("containerID"))
                t = (parse_time(term["finishedAt"]) - EPOCH).total_seconds()
                lines.append((t, 0, 0, Line(t, s["name"], "Exiting")))
    return [x[3] for x in sorted(lines, key=lambda x: (x[0], x[1], x[2]))]


def find(lines: list[Line], name: str, command: str, start: int = 0) -> int:
    """`findIndex`: the first line of `name` saying `command` at or after `start`, else -1."""
    for i in range(start, len(lines)):
        if lines[i].name == name and lines[i].command == command:
            return i
    return -1


def starts_before(r: Result, lhs: str, rhs: str) -> None:
    """`StartsBefore`: rhs starts after lhs first started (works for restarts of one name)."""
    out = output(r)
    i = find(out, lhs, "Starting")
    assert i != -1, f"{lhs} never started"
    assert find(out, rhs, "Starting", i + 1) != -1, f"{rhs} did not start after {lhs}"


def exits_before(r: Result, lhs: str, rhs: str) -> None:
    """`ExitsBefore`: rhs exits after lhs first exited."""
    out = output(r)
    i = find(out, lhs, "Exiting")
    assert i != -1, f"{lhs} never exited"
    assert find(out, rhs, "Exiting", i + 1) != -1, f"{rhs} did not exit after {lhs}"


def run_together(r: Result, lhs: str, rhs: str, lhs_first: bool = False) -> None:
    """`RunTogether` (`RunTogetherLhsFirst`): each started before the other finished."""
    out = output(r)
    ls, rs = find(out, lhs, "Starting"), find(out, rhs, "Starting")
    lf, rf = find(out, lhs, "Exiting"), find(out, rhs, "Exiting")
    assert ls != -1 and rs != -1, f"{lhs} or {rhs} never started"
    assert lf == -1 or rs < lf, f"{rhs} started after {lhs} finished"
    assert rf == -1 or ls < rf, f"{lhs} started after {rhs} finished"
    if lhs_first:
        assert ls < rs, f"{lhs} did not start first"


def starts(r: Result, name: str) -> None:
    """`Starts`."""
    assert find(output(r), name, "Starting") != -1, f"{name} never started"


def doesnt_start(r: Result, name: str) -> None:
    """`DoesntStart`."""
    assert find(output(r), name, "Starting") == -1, f"{name} started"


def exits(r: Result, name: str) -> None:
    """`Exits`."""
    assert find(output(r), name, "Exiting") != -1, f"{name} never exited"


def start_count(r: Result, name: str) -> int:
    return sum(1 for x in output(r) if x.name == name and x.command == "Starting")


def has_restarted(r: Result, name: str) -> None:
    """`HasRestarted`: started more than once."""
    assert start_count(r, name) > 1, f"{name} did not restart"


def has_not_restarted(r: Result, name: str) -> None:
    """`HasNotRestarted`: started at most once."""
    assert start_count(r, name) <= 1, f"{name} restarted"


def status_of(r: Result, name: str, t: float | None = None) -> dict[str, Any]:
    """The API status of a container at time t (default: the end)."""
    st = r.frames[-1].status if t is None else r.frames[r.index_at(t)].status
    for s in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
        if s["name"] == name:
            return s
    raise AssertionError(f"no status for {name}")


def phase(r: Result) -> str:
    return str(r.frames[-1].status.get("phase"))


def phases(r: Result) -> list[str]:
    return [f.snap["phase"] for f in r.frames]


def ever(r: Result, pred: Callable[[dict[str, Any]], bool]) -> bool:
    """Some frame's Pod status satisfies `pred` (upstream's WaitForPodCondition)."""
    return any(pred(f.status) for f in r.frames)


def terminated(r: Result, expected: dict[str, tuple[int, str]]) -> None:
    """`expectPodTerminationContainerStatuses`: exit code and reason per container."""
    for name, (code, reason) in expected.items():
        term = (status_of(r, name).get("state") or {}).get("terminated")
        assert term is not None, f"{name} is not terminated"
        assert (term["exitCode"], term["reason"]) == (code, reason), (name, term)


def waiting_reason_seen(r: Result, name: str, reason: str) -> bool:
    return ever(
        r,
        lambda st: any(
            s["name"] == name and (s["state"].get("waiting") or {}).get("reason") == reason
            for s in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or [])
        ),
    )


# -- the table ----------------------------------------------------------------------------


@dataclass
class Case:
    """One upstream `It`: its name, the `When` it sits in, its file, scenario and checks."""

    it: str
    when: str
    scenario: dict[str, Any]
    check: Callable[[Result], None]
    source: str = LIFECYCLE
    version: str | None = None
    marks: list[Any] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.when} / {self.it}"


@cache
def _run(key: str, version: str | None) -> Result:
    import json

    return simulate(json.loads(key), kubernetes_version=version)


def result(case: Case) -> Result:
    """Simulate a case's scenario once (Ordered blocks share one pod, as upstream's do)."""
    import json

    return _run(json.dumps(case.scenario, sort_keys=True), case.version)


def all_of(*checks: Callable[[Result], None]) -> Callable[[Result], None]:
    def check(r: Result) -> None:
        for c in checks:
            c(r)

    return check


CASES: list[Case] = []


def case(it: str, when: str, scenario: dict[str, Any], *checks: Callable[[Result], None], **kw):
    CASES.append(Case(it, when, scenario, all_of(*checks), **kw))


# ---- "Running a pod with init containers and regular containers, restartPolicy=Never" ----

W = "A pod initializes successfully (restartPolicy=Never)"
SERIAL = pod(
    "initcontainer-test-pod",
    "Never",
    [ctr(f"init-{i}", behavior=run(1)) for i in (1, 2, 3)],
    [ctr("regular-1", startupProbe=STARTED_FILE, behavior=run(1, startup=5))],
)
case(
    "should launch init container serially before a regular container",
    W,
    SERIAL,
    lambda r: starts_before(r, "init-1", "init-2"),
    lambda r: exits_before(r, "init-1", "init-2"),
    lambda r: starts_before(r, "init-2", "init-3"),
    lambda r: exits_before(r, "init-2", "init-3"),
    lambda r: starts_before(r, "init-3", "regular-1"),
    lambda r: exits_before(r, "init-3", "regular-1"),
)

W = "an init container fails (restartPolicy=Never)"
case(
    "should not launch regular containers if an init container fails",
    W,
    pod(
        "initcontainer-test-pod-failure",
        "Never",
        [ctr("init-1", behavior=run(1, 1))],
        [ctr("regular-1", behavior=run(1))],
    ),
    lambda r: assert_eq(phase(r), "Failed"),
    lambda r: starts(r, "init-1"),
    lambda r: exits(r, "init-1"),
    lambda r: doesnt_start(r, "regular-1"),
)


def assert_eq(a: Any, b: Any) -> None:
    assert a == b, f"{a!r} != {b!r}"


POST_START_1 = {"postStart": {"exec": {"command": ["sh", "-c", "sleep 1"]}}}
W = "The regular container has a PostStart hook (restartPolicy=Never)"
HOOKED = pod(
    "initcontainer-test-pod-with-post-start",
    "Never",
    [ctr("init-1", behavior=run(1))],
    [ctr("regular-1", lifecycle=POST_START_1, behavior=run(10, postStart=1))],
)
case(
    "should run Init container to completion before call to PostStart of regular container",
    W,
    HOOKED,
    # The hook runs inside startContainer, right after regular-1 started.
    lambda r: starts_before(r, "init-1", "regular-1"),
    lambda r: assert_less(exit_times(r, "init-1")[0], start_times(r, "regular-1")[0]),
)

W = "running a Pod with a failed regular container (restartPolicy=Always)"
case(
    "should restart failing container when pod restartPolicy is Always",
    W,
    pod(
        "container-must-be-restarted",
        "Always",
        [],
        [ctr("regular-1", behavior=run(1, 1))],
        until=120,
    ),
    lambda r: starts(r, "regular-1"),
    lambda r: starts_before(r, "regular-1", "regular-1"),
    lambda r: exits_before(r, "regular-1", "regular-1"),
    lambda r: assert_true(status_of(r, "regular-1")["restartCount"] >= 3),
)


def assert_true(v: bool) -> None:
    assert v


def assert_less(a: float, b: float) -> None:
    assert a < b, f"{a} >= {b}"


def start_times(r: Result, name: str) -> list[float]:
    return [x.t for x in output(r) if x.name == name and x.command == "Starting"]


def exit_times(r: Result, name: str) -> list[float]:
    return [x.t for x in output(r) if x.name == name and x.command == "Exiting"]


W = "Running a pod with multiple containers and a PostStart hook (restartPolicy=Never)"
case(
    "should not launch second container before PostStart of the first container completed",
    W,
    pod(
        "post-start-blocks-second-container",
        "Never",
        [],
        [
            ctr("regular-1", lifecycle=POST_START_1, behavior=run(10, postStart=1)),
            ctr("regular-2", behavior=run(1)),
        ],
    ),
    # PostStart-regular-1 starts with regular-1 and runs 1 s; regular-2 starts after it ends.
    lambda r: assert_true(start_times(r, "regular-2")[0] >= start_times(r, "regular-1")[0] + 1),
)

W = "an init container fails to start because of a bad image (restartPolicy=Never)"
BAD_INIT = pod(
    "bad-image",
    "Never",
    [ctr("init1-1", behavior=run(600, pull="error"))],
    [ctr("regular-1", behavior=run(1))],
    until=120,
)
case(
    "should mark a Pod as failed and produce log",
    W,
    BAD_INIT,
    lambda r: assert_true(waiting_reason_seen(r, "init1-1", "ImagePullBackOff")),
)
case("should not start an init container", W, BAD_INIT, lambda r: doesnt_start(r, "init1-1"))
case("should not start a regular container", W, BAD_INIT, lambda r: doesnt_start(r, "regular-1"))

W = "A regular container restarts with init containers (restartPolicy=Always)"
case(
    "shouldn't restart init containers upon regular container restart",
    W,
    pod(
        "initcontainer-test-pod",
        "Always",
        [ctr(f"init-{i}", behavior=run(1)) for i in (1, 2, 3)],
        [ctr("regular-1", behavior=run(10, 255))],
        until=240,
    ),
    lambda r: starts_before(r, "init-1", "init-2"),
    lambda r: exits_before(r, "init-1", "init-2"),
    lambda r: starts_before(r, "init-2", "init-3"),
    lambda r: exits_before(r, "init-2", "init-3"),
    lambda r: starts_before(r, "init-3", "regular-1"),
    lambda r: exits_before(r, "init-3", "regular-1"),
    lambda r: has_not_restarted(r, "init-1"),
    lambda r: has_not_restarted(r, "init-2"),
    lambda r: has_not_restarted(r, "init-3"),
    lambda r: has_restarted(r, "regular-1"),
    lambda r: assert_true(status_of(r, "regular-1")["restartCount"] >= 3),
)

# ---- "A node reboots" (Serial) -------------------------------------------------------------

W = "A node reboots"
REBOOT = pod(
    "initialized-pod",
    "Always",
    [ctr(f"init-{i}", behavior=run(5)) for i in (1, 2, 3)],
    [ctr("regular-1", behavior=run(30))],
    # Upstream stops the sandbox as soon as the pod runs, before regular-1 exits on its own.
    events=[{"at": 25, "action": "restart-sandbox"}],
    until=200,
)


def _restarted_in_order(r: Result, names: list[str]) -> None:
    """Each first start and each second start in declaration order (FindIndex ... IsBefore)."""
    firsts = [start_times(r, n)[0] for n in names]
    seconds = [start_times(r, n)[1] for n in names]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts), firsts
    assert seconds == sorted(seconds) and len(set(seconds)) == len(seconds), seconds


case(
    "should restart the containers in right order after the node reboot",
    W,
    REBOOT,
    lambda r: _restarted_in_order(r, ["init-1", "init-2", "init-3", "regular-1"]),
    lambda r: assert_true(status_of(r, "regular-1")["restartCount"] >= 2),
    lambda r: assert_eq(phase(r), "Running"),
)

W = "A node running restartable init containers reboots"
REBOOT_SIDECAR = pod(
    "initialized-pod",
    "Always",
    [
        ctr("init-1", behavior=run(5)),
        ctr("restartable-init-2", sidecar=True, behavior=run(300)),
        ctr("init-3", behavior=run(5)),
    ],
    [ctr("regular-1", behavior=run(300))],
    events=[{"at": 60, "action": "restart-sandbox"}],
    until=120,
)


def _pending_while_reinitializing(r: Result) -> None:
    """After the reboot, init-1 counts on and the pod is Pending until re-initialized."""
    after = [f for f in r.frames if f.t > 60]
    first = next(
        f
        for f in after
        if any(
            s["name"] == "init-1" and s["restartCount"] >= 1
            for s in f.status.get("initContainerStatuses") or []
        )
    )
    assert first.status["phase"] == "Pending", first.status["phase"]


case(
    "should restart the containers in right order after the node reboot",
    W,
    REBOOT_SIDECAR,
    _pending_while_reinitializing,
    lambda r: _restarted_in_order(r, ["init-1", "restartable-init-2", "init-3", "regular-1"]),
    lambda r: assert_eq(status_of(r, "regular-1")["state"].keys() >= {"running"}, True),
)

W = "Pods status phase"
for _label, _inits in (
    ("", [ctr("init", behavior=run(30))]),
    (
        " (with a restartable init container)",
        [ctr("init", behavior=run(30)), ctr("restartable-init", sidecar=True, behavior=run(300))],
    ),
):
    case(
        "should be pending during the execution of the init container after the node reboot",
        W + _label,
        pod(
            "initialized-pod",
            "Always",
            _inits,
            [ctr("regular", behavior=run(300))],
            events=[{"at": 60, "action": "restart-sandbox"}],
            until=180,
        ),
        # Once the init container re-runs after the reboot, the pod is Pending until it ends.
        lambda r: assert_true(
            all(
                f.status["phase"] == "Pending"
                for f in r.frames
                if f.t > 62
                and any(
                    s["name"] == "init" and "running" in s["state"]
                    for s in f.status.get("initContainerStatuses") or []
                )
            )
        ),
        lambda r: assert_eq(phase(r), "Running"),
        source=POD_STATUS,
    )

# ---- sidecars: restartPolicy=Never, three init containers and two sidecars (Ordered) ------

W = "using a Pod with restartPolicy=Never, three init container and two restartable init containers"
THREE_TWO = pod(
    "restartable-init-containers-start-serially",
    "Never",
    [
        ctr("init-1", behavior=run(1)),
        ctr("restartable-init-1", sidecar=True, behavior=run(600)),
        ctr("init-2", behavior=run(1)),
        ctr("restartable-init-2", sidecar=True, behavior=run(600)),
        ctr("init-3", behavior=run(1)),
    ],
    [ctr("regular-1", behavior=run(1))],
)
for _it, *_checks in (
    ("should finish and produce log", lambda r: assert_eq(phase(r), "Succeeded")),
    (
        "should run the first init container to completion before starting first restartable init container",
        lambda r: starts_before(r, "init-1", "restartable-init-1"),
        lambda r: exits_before(r, "init-1", "restartable-init-1"),
    ),
    (
        "should run first init container and first restartable init container together",
        lambda r: run_together(r, "restartable-init-1", "init-2", lhs_first=True),
    ),
    (
        "should run second init container to completion before starting second restartable init container",
        lambda r: starts_before(r, "init-2", "restartable-init-2"),
        lambda r: exits_before(r, "init-2", "restartable-init-2"),
    ),
    (
        "should start second restartable init container before third init container",
        lambda r: starts_before(r, "restartable-init-2", "init-3"),
    ),
    (
        "should run both restartable init containers and third init container together",
        lambda r: run_together(r, "restartable-init-1", "restartable-init-2"),
        lambda r: run_together(r, "restartable-init-1", "init-3"),
        lambda r: run_together(r, "restartable-init-2", "init-3"),
    ),
    (
        "should run third init container to completion before starting regular container",
        lambda r: starts_before(r, "init-3", "regular-1"),
        lambda r: exits_before(r, "init-3", "regular-1"),
    ),
    (
        "should run both restartable init containers and a regular container together",
        lambda r: run_together(r, "restartable-init-1", "regular-1"),
        lambda r: run_together(r, "restartable-init-2", "regular-1"),
    ),
):
    case(_it, W, THREE_TWO, *_checks)


# ---- sidecars under each pod restartPolicy --------------------------------------------------


def _sidecar_blocks(policy: str) -> None:
    """The `When(...)` blocks upstream repeats for restartPolicy Never, OnFailure and Always."""
    suffix = f" (restartPolicy={policy})"
    keeps_running = policy == "Always"

    w = "a restartable init container runs continuously" + suffix
    sc = pod(
        "restartable-init-container-run-continuously",
        policy,
        [ctr("restartable-init-1", sidecar=True, behavior=run(600))],
        [ctr("regular-1", behavior=run(1))],
        until=120 if keeps_running else None,
    )
    if keeps_running:
        case(
            "should keep running a Pod continuously and produce log",
            w,
            sc,
            lambda r: assert_true(status_of(r, "regular-1")["restartCount"] >= 2),
        )
        case(
            "should not restart a restartable init container",
            w,
            sc,
            lambda r: has_not_restarted(r, "restartable-init-1"),
        )
        case("should start a regular container", w, sc, lambda r: has_restarted(r, "regular-1"))
    else:
        case(
            "should complete a Pod successfully and produce log",
            w,
            sc,
            lambda r: assert_eq(phase(r), "Succeeded"),
        )
        case(
            "should not restart a restartable init container",
            w,
            sc,
            lambda r: has_not_restarted(r, "restartable-init-1"),
        )
        case("should run a regular container to completion", w, sc, lambda r: exits(r, "regular-1"))

    w = "a restartable init container fails to start because of a bad image" + suffix
    # Upstream's restartPolicy=Always block creates this pod with restartPolicy Never.
    sc = pod(
        "restartable-init-runs-with-pod",
        "Never" if policy == "Always" else policy,
        [ctr("restartable-init-1", sidecar=True, behavior=run(600, pull="error"))],
        [ctr("regular-1", behavior=run(1))],
        until=120,
    )
    first = (
        "should continuously run Pod keeping it Pending and produce log"
        if keeps_running
        else "should mark a Pod as failed and produce log"
    )
    case(
        first,
        w,
        sc,
        lambda r: assert_true(waiting_reason_seen(r, "restartable-init-1", "ImagePullBackOff")),
    )
    case(
        "should not start a restartable init container",
        w,
        sc,
        lambda r: doesnt_start(r, "restartable-init-1"),
    )
    case("should not start a regular container", w, sc, lambda r: doesnt_start(r, "regular-1"))

    for code in (0, 1):
        w = (
            f"a restartable init container starts and exits with exit code {code} continuously"
            + suffix
        )
        sc = pod(
            f"restartable-init-container-exit-{code}-continuously",
            policy,
            [
                ctr("restartable-init-1", sidecar=True, behavior=run(5, code)),
                ctr("init-1", behavior=run(5)),
            ],
            [ctr("regular-1", behavior=run(60))],
            until=120 if keeps_running else None,
        )
        if keeps_running:
            case(
                "should keep running a Pod continuously and produce log",
                w,
                sc,
                lambda r: assert_true(status_of(r, "regular-1")["restartCount"] >= 1),
            )
        else:
            case(
                "should complete a Pod successfully and produce log",
                w,
                sc,
                lambda r: assert_eq(phase(r), "Succeeded"),
            )
        case(
            "should restart a restartable init container before the regular container started",
            w,
            sc,
            lambda r: starts_before(r, "restartable-init-1", "regular-1"),
        )
        case(
            "should restart a restartable init container after the regular container started",
            w,
            sc,
            lambda r: starts_before(r, "regular-1", "restartable-init-1"),
        )
        if keeps_running:
            case("should start a regular container", w, sc, lambda r: starts(r, "regular-1"))
        else:
            case(
                "should run a regular container to completion",
                w,
                sc,
                lambda r: exits(r, "regular-1"),
            )

    if policy == "Never":
        w = "an Init container before restartable init container fails" + suffix
        sc = pod(
            "init-container-fails-before-restartable-init-starts",
            policy,
            [
                ctr("init-1", behavior=run(1, 1)),
                ctr("restartable-init-1", sidecar=True, behavior=run(600)),
            ],
            [ctr("regular-1", behavior=run(600))],
        )
        case(
            "should mark a Pod as failed and produce log",
            w,
            sc,
            lambda r: assert_eq(phase(r), "Failed"),
        )
        case("should mark an Init container as failed", w, sc, lambda r: exits(r, "init-1"))
        case(
            "should not start restartable init container",
            w,
            sc,
            lambda r: doesnt_start(r, "restartable-init-1"),
        )

        w = "an Init container after restartable init container fails" + suffix
        sc = pod(
            "restartable-init-container-fails-before-init-container",
            policy,
            [
                ctr("restartable-init-1", sidecar=True, behavior=run(5, 1)),
                ctr("init-1", behavior=run(1, 1)),
            ],
            [ctr("regular-1", behavior=run(600))],
        )
        case(
            "should mark a Pod as failed and produce log",
            w,
            sc,
            lambda r: assert_eq(phase(r), "Failed"),
        )
        case("should mark an Init container as failed", w, sc, lambda r: exits(r, "init-1"))
        case(
            "should be running restartable init container and a failed Init container in parallel",
            w,
            sc,
            lambda r: run_together(r, "restartable-init-1", "init-1"),
        )
    else:
        w = "an Init container before restartable init container continuously fails" + suffix
        sc = pod(
            "init-container-fails-before-restartable-init-starts",
            policy,
            [
                ctr("init-1", behavior=run(1, 1)),
                ctr("restartable-init-1", sidecar=True, behavior=run(600)),
            ],
            [ctr("regular-1", behavior=run(600))],
            until=120,
        )
        pending_3 = (
            "should continuously run Pod keeping it Pending",
            w,
            sc,
            lambda r: assert_eq(set(phases(r)), {"Pending"}),
            lambda r: assert_true(status_of(r, "init-1")["restartCount"] >= 3),
        )
        case(*pending_3)
        case(
            "should have Init container restartCount greater than 0",
            w,
            sc,
            lambda r: has_restarted(r, "init-1"),
        )
        case(
            "should not start restartable init container",
            w,
            sc,
            lambda r: doesnt_start(r, "restartable-init-1"),
        )

        w = "an Init container after restartable init container fails" + suffix
        sc = pod(
            "restartable-init-container-fails-before-init-container",
            policy,
            [
                ctr("restartable-init-1", sidecar=True, behavior=run(5, 1)),
                ctr("init-1", behavior=run(1, 1)),
            ],
            [ctr("regular-1", behavior=run(600))],
            until=120,
        )
        case(
            "should continuously run Pod keeping it Pending",
            w,
            sc,
            lambda r: assert_eq(set(phases(r)), {"Pending"}),
            lambda r: assert_true(status_of(r, "init-1")["restartCount"] >= 3),
        )
        case(
            "should have Init container restartCount greater than 0",
            w,
            sc,
            lambda r: has_restarted(r, "init-1"),
        )
        case(
            "should be running restartable init container and a failed Init container in parallel",
            w,
            sc,
            lambda r: run_together(r, "restartable-init-1", "init-1"),
        )


for _policy in ("Never", "OnFailure", "Always"):
    _sidecar_blocks(_policy)

W = "running restartable init containers with startup probes"
case(
    "should launch restartable init containers serially considering the startup probe",
    W,
    pod(
        "restartable-init-containers-start-serially",
        "Never",
        [
            ctr(
                "restartable-init-1",
                sidecar=True,
                startupProbe=STARTED_FILE,
                behavior=run(600, startup=10),
            ),
            ctr(
                "restartable-init-2",
                sidecar=True,
                startupProbe=STARTED_FILE,
                behavior=run(600, startup=10),
            ),
        ],
        [ctr("regular-1", behavior=run(1))],
    ),
    lambda r: starts_before(r, "restartable-init-1", "restartable-init-2"),
    lambda r: starts_before(r, "restartable-init-2", "regular-1"),
    # upstream's StartDelay: each waits for the previous one's startup probe (10 s)
    lambda r: assert_true(
        start_times(r, "restartable-init-2")[0] >= start_times(r, "restartable-init-1")[0] + 10
    ),
)

# ---- test/e2e/common/node/init_container.go (conformance) -----------------------------------

W = "InitContainer [NodeConformance]"
INIT_OK = [ctr("init1", behavior=run(1)), ctr("init2", behavior=run(1))]


def _initialized(r: Result) -> dict[str, Any]:
    return next(c for c in r.frames[-1].status["conditions"] if c["type"] == "Initialized")


case(
    "should invoke init containers on a RestartNever pod",
    W,
    pod("pod-init-never", "Never", INIT_OK, [ctr("run1", behavior=run(1))]),
    lambda r: assert_eq(phase(r), "Succeeded"),
    lambda r: assert_eq(_initialized(r)["status"], "True"),
    lambda r: assert_eq(
        [status_of(r, n)["state"]["terminated"]["exitCode"] for n in ("init1", "init2")], [0, 0]
    ),
    source=INIT_CONTAINER,
)
case(
    "should invoke init containers on a RestartAlways pod",
    W,
    pod("pod-init-always", "Always", INIT_OK, [ctr("run1", behavior=run("forever"))], until=60),
    lambda r: assert_eq(phase(r), "Running"),
    lambda r: assert_eq(_initialized(r)["status"], "True"),
    lambda r: assert_eq(
        [status_of(r, n)["state"]["terminated"]["exitCode"] for n in ("init1", "init2")], [0, 0]
    ),
    source=INIT_CONTAINER,
)
case(
    "should not start app containers if init containers fail on a RestartAlways pod",
    W,
    pod(
        "pod-init-fail-always",
        "Always",
        [ctr("init1", behavior=run(0, 1)), ctr("init2", behavior=run(0))],
        [ctr("run1", behavior=run("forever"))],
        until=200,
    ),
    lambda r: assert_eq(set(phases(r)), {"Pending"}),
    lambda r: assert_true(status_of(r, "init1")["restartCount"] >= 3),
    lambda r: assert_eq(status_of(r, "init2")["state"], {"waiting": {"reason": "PodInitializing"}}),
    lambda r: assert_eq(
        (_initialized(r)["status"], _initialized(r).get("reason"), _initialized(r).get("message")),
        ("False", "ContainersNotInitialized", "containers with incomplete status: [init1 init2]"),
    ),
    lambda r: doesnt_start(r, "run1"),
    source=INIT_CONTAINER,
)
case(
    "should not start app containers and fail the pod if init containers fail on a RestartNever pod",
    W,
    pod(
        "pod-init-fail-never",
        "Never",
        [ctr("init1", behavior=run(0)), ctr("init2", behavior=run(0, 1))],
        [ctr("run1", behavior=run("forever"))],
    ),
    lambda r: assert_eq(phase(r), "Failed"),
    lambda r: assert_eq(status_of(r, "init2")["state"]["terminated"]["exitCode"], 1),
    lambda r: assert_eq(
        (_initialized(r)["status"], _initialized(r).get("reason"), _initialized(r).get("message")),
        ("False", "ContainersNotInitialized", "containers with incomplete status: [init2]"),
    ),
    lambda r: doesnt_start(r, "run1"),
    source=INIT_CONTAINER,
)


#: Upstream cases not expressible as scenarios yet: (It, When, why not).
NOT_EXPRESSIBLE: list[tuple[str, str, str]] = []


def _not_yet(it: str, when: str, why: str) -> None:
    NOT_EXPRESSIBLE.append((it, when, why))


UPDATE = "no spec updates at runtime (world event `update`)"
LIVENESS = "no liveness probes that fail"
STARTUP_FAIL = "no startup probes that fail"
PRESTOP = "no preStop hooks"
KUBELET_RESTART = "no kubelet restart (world event `restart-kubelet`)"
ON_TERM = "no SIGTERM answer other than exit 143 after `stop`"
PROBE_RUNS = "probe executions are not observable in a simulation (upstream reads each run's log)"

for _p in ("restartPolicy=Always", "and restartPolicy=OnFailure", "and restartPolicy=Never"):
    _not_yet(
        f"should successfully restart when the image is updated{', ' if _p.startswith('r') else ' '}{_p}",
        "the regular container has its image updated",
        UPDATE,
    )
for _p in ("Always", "OnFailure", "Never"):
    _not_yet(
        f"Should not start a regular container, restartPolicy={_p}",
        "the regular container has its image updated during initialization",
        UPDATE,
    )
    _not_yet(
        f"should not update the image when restartPolicy={_p}",
        "The regular container has its image updated during termination",
        UPDATE,
    )
    _not_yet(
        f"Should begin initializing the pod, restartPolicy={_p}",
        "initializing an init container after a restartable init container",
        UPDATE,
    )
    _not_yet(
        f"should update the image when restartPolicy={_p}",
        "the image is updated after the restartable init container's startup probe fails",
        f"{UPDATE}; {STARTUP_FAIL}",
    )
    _not_yet(
        f"should update the image when restartPolicy={_p}",
        "A restartable init container has its image changed after its liveness probe fails",
        f"{UPDATE}; {LIVENESS}",
    )
    _not_yet(
        f"should terminate gracefully when restartPolicy={_p}",
        "A restartable init container has its image updated during pod termination",
        f"{UPDATE}; {ON_TERM}",
    )
    _not_yet(
        "should restart when updated with a new image",
        f"a restartable init container runs continuously (restartPolicy={_p})",
        UPDATE,
    )
for _p in ("Always", "OnFailure"):
    _not_yet(
        f"should update the image when restartPolicy={_p}",
        "The regular container has its image updated after a failed startup probe",
        f"{UPDATE}; {STARTUP_FAIL}",
    )
    _not_yet(
        f"should update the image when restartPolicy={_p}",
        "The regular container has its image updated after a failed liveness probe",
        f"{UPDATE}; {LIVENESS}",
    )
_not_yet(
    "should not restart init container when updated with a new image after finishing",
    "the init container is updated with a new image",
    UPDATE,
)
_not_yet(
    "should not restart the init container if the image is updated during initialization",
    "the init container is updated with a new image",
    UPDATE,
)
_not_yet(
    "should not restart the init container if the image is updated during termination",
    "the init container is updated with a new image",
    UPDATE,
)
_not_yet(
    "should respect termination grace period seconds", "a pod cannot terminate gracefully", ON_TERM
)
_not_yet(
    "should respect termination grace period seconds with long-running preStop hook",
    "a pod cannot terminate gracefully",
    PRESTOP,
)
_not_yet(
    "should call the container's preStop hook and terminate it if its startup probe fails",
    "A regular container has a PreStop hook",
    f"{PRESTOP}; {STARTUP_FAIL}",
)
_not_yet(
    "should call the container's preStop hook and terminate it if its liveness probe fails",
    "A regular container has a PreStop hook",
    f"{PRESTOP}; {LIVENESS}",
)
_not_yet(
    "should execute readiness probe while in preStop, but not liveness",
    "a pod is terminating because its liveness probe fails",
    PROBE_RUNS,
)
_not_yet(
    "should not continue running liveness probes for restartable init containers and "
    "restart them while in preStop",
    "a pod is terminating because its liveness probe fails",
    PROBE_RUNS,
)
for _w in (
    "a Pod is initialized and running",
    "a Pod is initializing the long-running init container",
):
    _not_yet(
        "should not restart any completed init container after the kubelet restart",
        f"The kubelet restarts; {_w}",
        KUBELET_RESTART,
    )
    _not_yet(
        "should not restart any completed init container, even after the completed init "
        "container statuses have been removed and the kubelet restarted",
        f"The kubelet restarts; {_w}",
        KUBELET_RESTART,
    )
_not_yet(
    "should handle an update during the node reboot",
    "A node is rebooting and receives an update request",
    UPDATE,
)
_not_yet(
    "should handle an update during the kubelet restart",
    "A node is rebooting and receives an update request",
    f"{UPDATE}; {KUBELET_RESTART}",
)
_not_yet(
    "should call the container's preStop hook and not launch next container if the "
    "restartable init container's startup probe fails",
    "running restartable init containers with startup probes; using a PreStop hook",
    f"{PRESTOP}; {STARTUP_FAIL}",
)
_not_yet(
    "should call the container's preStop hook and start the next container if the "
    "restartable init container's liveness probe fails",
    "running restartable init containers with liveness probes",
    f"{PRESTOP}; {LIVENESS}",
)
_not_yet(
    "should terminate sidecars in reverse order after all main containers have exited",
    "A pod with restartable init containers is terminating",
    ON_TERM,
)
_not_yet(
    "should terminate sidecars simultaneously if prestop doesn't exit",
    "The PreStop hooks don't exit",
    PRESTOP,
)
_not_yet(
    "should call sidecar container PreStop hook simultaneously",
    "the restartable init containers have multiple PreStop hooks",
    PRESTOP,
)
_not_yet(
    "should not hang in termination if terminated during initialization",
    "Restartable init containers are terminated during initialization",
    PRESTOP,
)
_not_yet(
    "should terminate restartable init containers gracefully if there is a non-started "
    "restartable init container",
    "there is a non-started restartable init container",
    f"{STARTUP_FAIL}; {ON_TERM}",
)
_not_yet(
    "should mark pod as succeeded if any of the restartable init containers have terminated "
    "with non-zero exit code",
    "The restartable init containers exit with non-zero exit code",
    ON_TERM,
)
_not_yet(
    "should mark pod as succeeded if any of the restartable init containers have terminated "
    "with non-zero exit code by prestop hook",
    "The restartable init containers exit with non-zero exit code by prestop hook",
    PRESTOP,
)
_not_yet(
    "should mark pod as failed if regular container has exceeded its termination grace "
    "period seconds",
    "The regular container has exceeded its termination grace period seconds",
    ON_TERM,
)
_not_yet(
    "should mark pod as succeeded if any of the restartable init containers have exceeded "
    "its termination grace period seconds",
    "The restartable init containers have exceeded its termination grace period seconds",
    ON_TERM,
)
_not_yet(
    "should mark pod as failed if any of the prestop hook in regular container has exceeded "
    "its termination grace period seconds",
    "The regular containers have exceeded its termination grace period seconds by prestop hook",
    PRESTOP,
)
_not_yet(
    "should mark pod as succeeded if any of the prestop hook in restartable init containers "
    "have exceeded its termination grace period seconds",
    "The restartable init containers have exceeded its termination grace period seconds by "
    "prestop hook",
    PRESTOP,
)
_not_yet(
    "should continue probing and allow regular container to start after the restartable init "
    "container recovers",
    "A restartable init container with startup probe fails initially",
    STARTUP_FAIL,
)
for _it in (
    "has no probe",
    "has startupProbe",
    "has readinessProbe",
    "has startupProbe and readinessProbe",
    "has multiple containers",
    "has multiple containers with startupProbes",
    "has multiple containers with readinessProbes",
    "has multiple containers with startup and readiness probes",
):
    _not_yet(
        f"should not affect pod status when pod {_it}",
        "Not Change Container Status; a Pod is running",
        KUBELET_RESTART,
    )
for _it in (
    "has no probe",
    "has startupProbe",
    "has readinessProbe",
    "has startupProbe and readinessProbe",
):
    _not_yet(
        f"should not affect pod status when restartable init container {_it}",
        "Not Change Container Status; a Pod is running with a restartable init container",
        KUBELET_RESTART,
    )


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_upstream_node_e2e(c: Case) -> None:
    """The simulation shows what upstream's node e2e test asserts on a real node."""
    c.check(result(c))


def test_every_upstream_case_is_ported_or_listed_once():
    """No case is both ported and listed as not expressible, and none is listed twice."""
    ported = {(c.it, c.when) for c in CASES}
    listed = [(it, when) for it, when, _ in NOT_EXPRESSIBLE]
    assert len(listed) == len(set(listed))
    assert not ported & set(listed)
    assert len(ported) == len(CASES)


def test_output_orders_an_exit_before_a_start_at_the_same_second():
    """The rebuilt log puts an `Exiting` before a `Starting` recorded at the same time."""
    r = result(CASES[0])
    out = output(r)
    assert [x.command for x in out if x.name == "init-1"] == ["Starting", "Exiting"]
    assert out[0] == Line(start_times(r, "init-1")[0], "init-1", "Starting")
