"""`kubectl get pod` columns: upstream's printer and duration tables, surprises, hostile pods.

Upstream tables ported case by case:

- kubernetes/kubernetes `pkg/printers/internalversion/printers_test.go`:
  `TestPrintPod` (21 cases), `TestPrintPodWithRestartableInitContainer` (5),
  `TestPrintPodwide` (3), `TestPrintPodConditions` (3), `TestPrintPodList`
  (1 list, 2 pods), `TestPrintNonTerminatedPod` (5);
- kubernetes/apimachinery `pkg/util/duration/duration_test.go`:
  `TestHumanDuration` (10), `TestHumanDurationBoundaries` (37),
  `TestShortHumanDurationBoundaries` (19).

Go literals become API JSON dicts: `LastTerminationState` is `lastState`,
`make([]api.Container, 2)` is two empty objects, and `time.Now()` is a fixed
NOW. Upstream's `TableRow.Conditions` (the Completed row condition) has no
counterpart in `PodRow` and is not checked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from initlab.api.printers import (
    PodRow,
    human_duration,
    parse_time,
    print_pod,
    render_table,
    short_human_duration,
    tabwrite,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    """An RFC 3339 timestamp `seconds` before NOW (Go: time.Now().Add(-d))."""
    return (NOW - timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


MINUTE = 60
HOUR = 3600
DAY = 24 * HOUR

RUNNING = {"running": {}}
WAITING = {"waiting": {}}


def last_finished(seconds_ago: float) -> dict:
    """`LastTerminationState: {Terminated: {FinishedAt: now - d}}`."""
    return {"terminated": {"finishedAt": ago(seconds_ago)}}


def cells(row: PodRow, wide: bool = False) -> list[str]:
    return row.cells(wide)


# --------------------------------------------------------------------------- TestPrintPod

DELETE_TIME = ago(10)

TEST_PRINT_POD = [
    (  # Test name, num of containers, restarts, container ready status
        {
            "metadata": {"name": "test1"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"restartCount": 3},
                ],
            },
        },
        ["test1", "1/2", "podPhase", "6", "<unknown>"],
    ),
    (  # Test container error overwrites pod phase
        {
            "metadata": {"name": "test2"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"state": {"waiting": {"reason": "ContainerWaitingReason"}}, "restartCount": 3},
                ],
            },
        },
        ["test2", "1/2", "ContainerWaitingReason", "6", "<unknown>"],
    ),
    (  # Same as above but Terminated, and the first container overwrites the rest
        {
            "metadata": {"name": "test3"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [
                    {"state": {"waiting": {"reason": "ContainerWaitingReason"}}, "restartCount": 3},
                    {
                        "state": {"terminated": {"reason": "ContainerTerminatedReason"}},
                        "restartCount": 3,
                    },
                ],
            },
        },
        ["test3", "0/2", "ContainerWaitingReason", "6", "<unknown>"],
    ),
    (  # Test ready is not enough for reporting running
        {
            "metadata": {"name": "test4"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"ready": True, "restartCount": 3},
                ],
            },
        },
        ["test4", "1/2", "podPhase", "6", "<unknown>"],
    ),
    (  # Test ready is not enough for reporting running (pod reason wins over phase)
        {
            "metadata": {"name": "test5"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "reason": "podReason",
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"ready": True, "restartCount": 3},
                ],
            },
        },
        ["test5", "1/2", "podReason", "6", "<unknown>"],
    ),
    (  # 2 containers, one running and the other completed, w/o ready condition
        {
            "metadata": {"name": "test6"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "Running",
                "reason": "",
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 3,
                        "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                    },
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                ],
            },
        },
        ["test6", "1/2", "NotReady", "6", "<unknown>"],
    ),
    (  # 2 containers, one running and the other completed, with ready condition
        {
            "metadata": {"name": "test6"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "Running",
                "reason": "",
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 3,
                        "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                    },
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                ],
                "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": ago(0)}],
            },
        },
        ["test6", "1/2", "Running", "6", "<unknown>"],
    ),
    (  # 1 init container restarting and 1 container not running
        {
            "metadata": {"name": "test7"},
            "spec": {"initContainers": [{}], "containers": [{}]},
            "status": {
                "phase": "podPhase",
                "initContainerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(10),
                    }
                ],
                "containerStatuses": [{"ready": False, "restartCount": 0, "state": WAITING}],
            },
        },
        ["test7", "0/1", "Init:0/1", "3 (10s ago)", "<unknown>"],
    ),
    (  # 2 init containers, one restarting and the other not running, 1 container not running
        {
            "metadata": {"name": "test8"},
            "spec": {"initContainers": [{}, {}], "containers": [{}]},
            "status": {
                "phase": "podPhase",
                "initContainerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(10),
                    },
                    {"ready": False, "state": WAITING},
                ],
                "containerStatuses": [{"ready": False, "state": WAITING}],
            },
        },
        ["test8", "0/1", "Init:0/2", "3 (10s ago)", "<unknown>"],
    ),
    (  # 2 init containers, one completed without restarts and the other restarting
        {
            "metadata": {"name": "test9"},
            "spec": {"initContainers": [{}, {}], "containers": [{}]},
            "status": {
                "phase": "podPhase",
                "initContainerStatuses": [
                    {"ready": False, "state": {"terminated": {}}},
                    {
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(10),
                    },
                ],
                "containerStatuses": [{"ready": False, "state": WAITING}],
            },
        },
        ["test9", "0/1", "Init:1/2", "3 (10s ago)", "<unknown>"],
    ),
    (  # 2 init containers, one completed with restarts and the other restarting
        {
            "metadata": {"name": "test10"},
            "spec": {"initContainers": [{}, {}], "containers": [{}]},
            "status": {
                "phase": "podPhase",
                "initContainerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 2,
                        "state": {"terminated": {}},
                        "lastState": last_finished(2 * MINUTE),
                    },
                    {
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(10),
                    },
                ],
                "containerStatuses": [{"ready": False, "state": WAITING}],
            },
        },
        ["test10", "0/1", "Init:1/2", "5 (10s ago)", "<unknown>"],
    ),
    (  # 1 init container completed with restarts and one container restarting
        {
            "metadata": {"name": "test11"},
            "spec": {"initContainers": [{}], "containers": [{}]},
            "status": {
                "phase": "Running",
                "initContainerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 2,
                        "state": {"terminated": {}},
                        "lastState": last_finished(2 * MINUTE),
                    }
                ],
                "containerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 4,
                        "state": RUNNING,
                        "lastState": last_finished(20),
                    }
                ],
            },
        },
        ["test11", "0/1", "Running", "4 (20s ago)", "<unknown>"],
    ),
    (  # 1 container that restarted 5d ago
        {
            "metadata": {"name": "test12"},
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(5 * DAY),
                    }
                ],
            },
        },
        ["test12", "1/1", "Running", "3 (5d ago)", "<unknown>"],
    ),
    (  # 2 containers, one never restarted and the other restarted 10d ago
        {
            "metadata": {"name": "test13"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [
                    {"ready": True, "restartCount": 0, "state": RUNNING},
                    {
                        "ready": True,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(10 * DAY),
                    },
                ],
            },
        },
        ["test13", "2/2", "Running", "3 (10d ago)", "<unknown>"],
    ),
    (  # 2 containers, one restarted 5d ago and the other restarted 20d ago
        {
            "metadata": {"name": "test14"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 6,
                        "state": RUNNING,
                        "lastState": last_finished(5 * DAY),
                    },
                    {
                        "ready": True,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": last_finished(20 * DAY),
                    },
                ],
            },
        },
        ["test14", "2/2", "Running", "9 (5d ago)", "<unknown>"],
    ),
    (  # PodScheduled condition with reason SchedulingGated
        {
            "metadata": {"name": "test15"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "podPhase",
                "conditions": [
                    {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}
                ],
            },
        },
        ["test15", "0/2", "SchedulingGated", "0", "<unknown>"],
    ),
    (  # pod condition succeed
        {
            "metadata": {"name": "test16"},
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Succeeded",
                "containerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 0,
                        "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                    }
                ],
            },
        },
        ["test16", "0/1", "Completed", "0", "<unknown>"],
    ),
    (  # pod condition failed
        {
            "metadata": {"name": "test17"},
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Failed",
                "containerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 0,
                        "state": {"terminated": {"reason": "Error", "exitCode": 1}},
                    }
                ],
            },
        },
        ["test17", "0/1", "Error", "0", "<unknown>"],
    ),
    (  # pod condition succeed with deletion
        {
            "metadata": {"name": "test18", "deletionTimestamp": DELETE_TIME},
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Succeeded",
                "containerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 0,
                        "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                    }
                ],
            },
        },
        ["test18", "0/1", "Completed", "0", "<unknown>"],
    ),
    (  # pod condition running with deletion
        {
            "metadata": {"name": "test19", "deletionTimestamp": DELETE_TIME},
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [{"ready": False, "restartCount": 0, "state": RUNNING}],
            },
        },
        ["test19", "0/1", "Terminating", "0", "<unknown>"],
    ),
    (  # pod condition pending with deletion
        {
            "metadata": {"name": "test20", "deletionTimestamp": DELETE_TIME},
            "spec": {"containers": [{}]},
            "status": {"phase": "Pending"},
        },
        ["test20", "0/1", "Terminating", "0", "<unknown>"],
    ),
]


@pytest.mark.parametrize(
    ("pod", "expected"),
    TEST_PRINT_POD,
    ids=[f"{i}-{c[1][0]}" for i, c in enumerate(TEST_PRINT_POD)],
)
def test_upstream_print_pod(pod, expected):
    """Upstream TestPrintPod: every case gives kubectl's exact cells."""
    assert cells(print_pod(pod, now=NOW)) == expected


def test_upstream_print_pod_table_has_every_case():
    """All 21 TestPrintPod cases are ported (test6 appears twice upstream)."""
    assert len(TEST_PRINT_POD) == 21


# ----------------------------------------------------- TestPrintPodWithRestartableInitContainer

SIDECARS = [
    {"name": "restartable-init-1", "restartPolicy": "Always"},
    {"name": "restartable-init-2", "restartPolicy": "Always"},
]

TEST_PRINT_POD_WITH_RESTARTABLE_INIT = [
    (  # 2 restartable init containers, the first one running but not started
        {
            "metadata": {"name": "test1"},
            "spec": {"initContainers": SIDECARS, "containers": [{}]},
            "status": {
                "phase": "Pending",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "started": False,
                        "lastState": last_finished(10),
                    },
                    {
                        "name": "restartable-init-2",
                        "ready": False,
                        "state": WAITING,
                        "started": False,
                    },
                ],
                "containerStatuses": [{"ready": False, "restartCount": 0, "state": WAITING}],
                "conditions": [{"type": "Initialized", "status": "False"}],
            },
        },
        ["test1", "0/3", "Init:0/2", "3 (10s ago)", "<unknown>"],
    ),
    (  # the first one started and the second one running but not started
        {
            "metadata": {"name": "test1"},
            "spec": {"initContainers": SIDECARS, "containers": [{}]},
            "status": {
                "phase": "Pending",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "started": True,
                        "lastState": last_finished(10),
                    },
                    {
                        "name": "restartable-init-2",
                        "ready": False,
                        "state": RUNNING,
                        "started": False,
                    },
                ],
                "containerStatuses": [{"ready": False, "restartCount": 0, "state": WAITING}],
                "conditions": [{"type": "Initialized", "status": "False"}],
            },
        },
        ["test1", "0/3", "Init:1/2", "3 (10s ago)", "<unknown>"],
    ),
    (  # 2 restartable init containers started and 1 container running
        {
            "metadata": {"name": "test2"},
            "spec": {"initContainers": SIDECARS, "containers": [{}]},
            "status": {
                "phase": "Running",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "ready": False,
                        "restartCount": 3,
                        "state": RUNNING,
                        "started": True,
                        "lastState": last_finished(10),
                    },
                    {
                        "name": "restartable-init-2",
                        "ready": False,
                        "state": RUNNING,
                        "started": True,
                    },
                ],
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 4,
                        "state": RUNNING,
                        "lastState": last_finished(20),
                    }
                ],
                "conditions": [{"type": "Initialized", "status": "True"}],
            },
        },
        ["test2", "1/3", "Running", "7 (10s ago)", "<unknown>"],
    ),
    (  # 2 restartable init containers completed with non-zero and 1 container completed
        {
            "metadata": {"name": "test3"},
            "spec": {"initContainers": SIDECARS, "containers": [{}]},
            "status": {
                "phase": "Succeeded",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "ready": False,
                        "restartCount": 3,
                        "state": {"terminated": {"reason": "Error", "exitCode": 137}},
                        "started": False,
                        "lastState": last_finished(10),
                    },
                    {
                        "name": "restartable-init-2",
                        "ready": False,
                        "state": {"terminated": {"reason": "Error", "exitCode": 137}},
                        "started": False,
                    },
                ],
                "containerStatuses": [
                    {
                        "ready": False,
                        "restartCount": 4,
                        "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                        "lastState": last_finished(20),
                    }
                ],
                "conditions": [{"type": "Initialized", "status": "True"}],
            },
        },
        ["test3", "0/3", "Completed", "7 (10s ago)", "<unknown>"],
    ),
    (  # container statuses for non-existent initContainers and containers
        {
            "metadata": {"name": "test4"},
            "spec": {
                "initContainers": [
                    {"name": "init1", "image": "initimage"},
                    {"name": "sidecar1", "image": "sidecarimage", "restartPolicy": "Always"},
                ],
                "containers": [{"name": "container1", "image": "containerimage"}],
            },
            "status": {
                "phase": "Running",
                "initContainerStatuses": [
                    {"name": "initinvalid"},
                    {"name": "init1"},
                    {"name": "sidecar1"},
                ],
                "containerStatuses": [{"name": "containerinvalid"}, {"name": "container1"}],
            },
        },
        ["test4", "0/2", "Init:0/2", "0", "<unknown>"],
    ),
]


@pytest.mark.parametrize(
    ("pod", "expected"),
    TEST_PRINT_POD_WITH_RESTARTABLE_INIT,
    ids=[f"{i}-{c[1][0]}" for i, c in enumerate(TEST_PRINT_POD_WITH_RESTARTABLE_INIT)],
)
def test_upstream_print_pod_with_restartable_init_container(pod, expected):
    """Upstream TestPrintPodWithRestartableInitContainer: sidecars in READY, STATUS, RESTARTS."""
    assert cells(print_pod(pod, now=NOW)) == expected


def test_upstream_restartable_init_table_has_every_case():
    """All 5 TestPrintPodWithRestartableInitContainer cases are ported."""
    assert len(TEST_PRINT_POD_WITH_RESTARTABLE_INIT) == 5


# --------------------------------------------------------------------------- TestPrintPodwide

READINESS_GATES = [
    {"conditionType": "condition1"},
    {"conditionType": "condition2"},
    {"conditionType": "condition3"},
]
GATE_CONDITIONS = [
    {"type": "condition1", "status": "False"},
    {"type": "condition2", "status": "True"},
]
TWO_CONTAINERS_ONE_READY = [
    {"ready": True, "restartCount": 3, "state": RUNNING},
    {"restartCount": 3},
]

TEST_PRINT_POD_WIDE = [
    (  # NodeName and PodIP are not none
        {
            "metadata": {"name": "test1"},
            "spec": {
                "containers": [{}, {}],
                "nodeName": "test1",
                "readinessGates": READINESS_GATES,
            },
            "status": {
                "conditions": GATE_CONDITIONS,
                "phase": "podPhase",
                "podIPs": [{"ip": "1.1.1.1"}],
                "containerStatuses": TWO_CONTAINERS_ONE_READY,
                "nominatedNodeName": "node1",
            },
        },
        ["test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3"],
    ),
    (  # dual-stack: the first pod IP is shown
        {
            "metadata": {"name": "test1"},
            "spec": {
                "containers": [{}, {}],
                "nodeName": "test1",
                "readinessGates": READINESS_GATES,
            },
            "status": {
                "conditions": GATE_CONDITIONS,
                "phase": "podPhase",
                "podIPs": [{"ip": "1.1.1.1"}, {"ip": "2001:db8::"}],
                "containerStatuses": TWO_CONTAINERS_ONE_READY,
                "nominatedNodeName": "node1",
            },
        },
        ["test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3"],
    ),
    (  # NodeName and PodIP are none
        {
            "metadata": {"name": "test2"},
            "spec": {"containers": [{}, {}], "nodeName": ""},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"state": {"waiting": {"reason": "ContainerWaitingReason"}}, "restartCount": 3},
                ],
            },
        },
        [
            "test2",
            "1/2",
            "ContainerWaitingReason",
            "6",
            "<unknown>",
            "<none>",
            "<none>",
            "<none>",
            "<none>",
        ],
    ),
]


@pytest.mark.parametrize(("pod", "expected"), TEST_PRINT_POD_WIDE)
def test_upstream_print_pod_wide(pod, expected):
    """Upstream TestPrintPodwide: IP, NODE, NOMINATED NODE and READINESS GATES cells."""
    assert cells(print_pod(pod, now=NOW), wide=True) == expected


# ------------------------------------------------- TestPrintPodConditions, NonTerminated, List


def _two_container_pod(name: str, phase: str, second_ready: bool = False) -> dict:
    second = {"restartCount": 3}
    if second_ready:
        second["ready"] = True
    return {
        "metadata": {"name": name, "labels": {"a": "1", "b": "2"}},
        "spec": {"containers": [{}, {}]},
        "status": {
            "phase": phase,
            "containerStatuses": [{"ready": True, "restartCount": 3, "state": RUNNING}, second],
        },
    }


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        (_two_container_pod("test1", "Running"), ["test1", "1/2", "Running", "6", "<unknown>"]),
        (_two_container_pod("test1", "Succeeded"), ["test1", "1/2", "Succeeded", "6", "<unknown>"]),
        (_two_container_pod("test2", "Failed"), ["test2", "1/2", "Failed", "6", "<unknown>"]),
    ],
)
def test_upstream_print_pod_conditions(pod, expected):
    """Upstream TestPrintPodConditions: the phase shows when no container gives a reason."""
    assert cells(print_pod(pod, now=NOW)) == expected


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        (_two_container_pod("test1", "Running"), ["test1", "1/2", "Running", "6", "<unknown>"]),
        (_two_container_pod("test2", "Pending"), ["test2", "1/2", "Pending", "6", "<unknown>"]),
        (_two_container_pod("test3", "Unknown"), ["test3", "1/2", "Unknown", "6", "<unknown>"]),
        (_two_container_pod("test4", "Succeeded"), ["test4", "1/2", "Succeeded", "6", "<unknown>"]),
        (
            _two_container_pod("test5", "Failed", second_ready=True),
            ["test5", "1/2", "Failed", "6", "<unknown>"],
        ),
    ],
)
def test_upstream_print_non_terminated_pod(pod, expected):
    """Upstream TestPrintNonTerminatedPod: every phase prints as itself."""
    assert cells(print_pod(pod, now=NOW)) == expected


def test_upstream_print_pod_list():
    """Upstream TestPrintPodList: each pod of a list gets its own row."""
    pods = [
        {
            "metadata": {"name": "test1"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                ],
            },
        },
        {
            "metadata": {"name": "test2"},
            "spec": {"containers": [{}]},
            "status": {
                "phase": "podPhase",
                "containerStatuses": [{"ready": True, "restartCount": 1, "state": RUNNING}],
            },
        },
    ]
    assert [cells(print_pod(p, now=NOW)) for p in pods] == [
        ["test1", "2/2", "podPhase", "6", "<unknown>"],
        ["test2", "1/1", "podPhase", "1", "<unknown>"],
    ]


# --------------------------------------------------------------------------- HumanDuration

S = 1.0
MS = 1e-3
NS = 1e-9
M = 60.0
H = 3600.0

HUMAN_DURATION = [  # TestHumanDuration
    (S, "1s"),
    (70 * S, "70s"),
    (190 * S, "3m10s"),
    (70 * M, "70m"),
    (47 * H, "47h"),
    (49 * H, "2d1h"),
    ((8 * 24 + 2) * H, "8d"),
    ((367 * 24) * H, "367d"),
    ((365 * 2 * 24 + 25) * H, "2y1d"),
    ((365 * 8 * 24 + 2) * H, "8y"),
]

HUMAN_DURATION_BOUNDARIES = [  # TestHumanDurationBoundaries
    (-2 * S, "<invalid>"),
    (-2 * S + NS, "0s"),
    (0, "0s"),
    (S - MS, "0s"),
    (2 * M - MS, "119s"),
    (2 * M, "2m"),
    (2 * M + S, "2m1s"),
    (10 * M - MS, "9m59s"),
    (10 * M, "10m"),
    (10 * M + S, "10m"),
    (3 * H - MS, "179m"),
    (3 * H, "3h"),
    (3 * H + M, "3h1m"),
    (8 * H - MS, "7h59m"),
    (8 * H, "8h"),
    (8 * H + 59 * M, "8h"),
    (2 * 24 * H - MS, "47h"),
    (2 * 24 * H, "2d"),
    (2 * 24 * H + H, "2d1h"),
    (8 * 24 * H - MS, "7d23h"),
    (8 * 24 * H, "8d"),
    (8 * 24 * H + 23 * H, "8d"),
    (2 * 365 * 24 * H - MS, "729d"),
    (2 * 365 * 24 * H, "2y"),
    (2 * 365 * 24 * H + 23 * H, "2y"),
    (2 * 365 * 24 * H + 23 * H + 59 * M, "2y"),
    (2 * 365 * 24 * H + 24 * H - MS, "2y"),
    (2 * 365 * 24 * H + 24 * H, "2y1d"),
    (3 * 365 * 24 * H, "3y"),
    (4 * 365 * 24 * H, "4y"),
    (5 * 365 * 24 * H, "5y"),
    (6 * 365 * 24 * H, "6y"),
    (7 * 365 * 24 * H, "7y"),
    (8 * 365 * 24 * H - MS, "7y364d"),
    (8 * 365 * 24 * H, "8y"),
    (8 * 365 * 24 * H + 364 * 24 * H, "8y"),
    (9 * 365 * 24 * H, "9y"),
]

SHORT_HUMAN_DURATION_BOUNDARIES = [  # TestShortHumanDurationBoundaries
    (-2 * S, "<invalid>"),
    (-2 * S + NS, "0s"),
    (0, "0s"),
    (S - MS, "0s"),
    (S, "1s"),
    (2 * S - MS, "1s"),
    (M - MS, "59s"),
    (M, "1m"),
    (2 * M - MS, "1m"),
    (H - MS, "59m"),
    (H, "1h"),
    (2 * H - MS, "1h"),
    (24 * H - MS, "23h"),
    (24 * H, "1d"),
    (2 * 24 * H - MS, "1d"),
    (365 * 24 * H - MS, "364d"),
    (365 * 24 * H, "1y"),
    (2 * 365 * 24 * H - MS, "1y"),
    (2 * 365 * 24 * H, "2y"),
]


@pytest.mark.parametrize(("seconds", "want"), HUMAN_DURATION + HUMAN_DURATION_BOUNDARIES)
def test_upstream_human_duration(seconds, want):
    """Upstream TestHumanDuration + TestHumanDurationBoundaries (apimachinery)."""
    assert human_duration(seconds) == want


@pytest.mark.parametrize(("seconds", "want"), SHORT_HUMAN_DURATION_BOUNDARIES)
def test_upstream_short_human_duration(seconds, want):
    """Upstream TestShortHumanDurationBoundaries (apimachinery)."""
    assert short_human_duration(seconds) == want


def test_upstream_duration_tables_have_every_case():
    """10 + 37 HumanDuration cases and 19 ShortHumanDuration cases are ported."""
    assert (len(HUMAN_DURATION), len(HUMAN_DURATION_BOUNDARIES)) == (10, 37)
    assert len(SHORT_HUMAN_DURATION_BOUNDARIES) == 19


def test_human_duration_accepts_a_timedelta():
    """A timedelta is read to the microsecond: 2m - 1ms is still 119s."""
    assert human_duration(timedelta(minutes=2) - timedelta(milliseconds=1)) == "119s"
    assert human_duration(timedelta(days=2, hours=1)) == "2d1h"


@pytest.mark.parametrize("junk", [float("nan"), float("inf"), "5m", None, True])
def test_human_duration_of_a_non_number_is_invalid(junk):
    """Non-numbers never raise; they print as "<invalid>"."""
    assert human_duration(junk) == "<invalid>"


# --------------------------------------------------------------------------- parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T12:00:00Z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T12:00:00.5Z", datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)),
        (
            "2026-03-01T12:00:00.123456789Z",
            datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        ),
        ("2026-03-01T14:00:00+02:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T07:30:00-04:30", datetime(2026, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_parse_time_reads_rfc3339(text, expected):
    """Z, offsets and any number of fractional digits give the same instant."""
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "",
        "yesterday",
        "2026-03-01",
        "2026-03-01 12:00:00",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T12:00:00",
        "2026-03-01T12:00:00+25:00",
        12,
        ["2026-03-01T12:00:00Z"],
    ],
)
def test_parse_time_returns_none_on_junk(junk):
    """Anything that is not an RFC 3339 timestamp gives None, never an exception."""
    assert parse_time(junk) is None


def test_parse_time_passes_yaml_datetimes_through():
    """`yaml.safe_load` turns unquoted timestamps into datetimes; naive ones are UTC."""
    aware = datetime(2026, 3, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert parse_time(aware) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_time(datetime(2026, 3, 1, 12)) == datetime(2026, 3, 1, 12, tzinfo=UTC)


# --------------------------------------------------------------------------- AGE


def _pod_created(created) -> dict:
    return {"metadata": {"name": "p", "creationTimestamp": created}, "status": {}}


@pytest.mark.parametrize(
    ("created", "age"),
    [
        (ago(6 * MINUTE), "6m"),
        (ago(190), "3m10s"),
        (ago(5 * DAY), "5d"),
        (ago(0.5), "0s"),
        ((NOW + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "0s"),
        ((NOW + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ"), "<invalid>"),
        (None, "<unknown>"),
        ("0001-01-01T00:00:00Z", "<unknown>"),
        (datetime(2026, 3, 1, 11, 0), "60m"),
    ],
)
def test_age_is_human_duration_since_creation(created, age):
    """translateTimestampSince: HumanDuration(now - creationTimestamp), "<unknown>" when unset."""
    assert print_pod(_pod_created(created), now=NOW).age == age


def test_now_defaults_to_the_wall_clock():
    """Without `now`, AGE is measured from the current time."""
    created = (datetime.now(UTC) - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert print_pod(_pod_created(created)).age == "30h"


# --------------------------------------------------------------------------- surprises

APP = {"name": "app", "image": "busybox:1.28"}
INIT = {"name": "init-db", "image": "busybox:1.28"}
SIDECAR = {"name": "proxy", "image": "envoy", "restartPolicy": "Always"}


def test_restarts_forget_regular_init_container_restarts_once_initialized():
    """the container pass resets RESTARTS to the sidecar count, so init restarts vanish."""
    initializing = {
        "metadata": {"name": "web"},
        "spec": {"initContainers": [INIT], "containers": [APP]},
        "status": {
            "phase": "Pending",
            "initContainerStatuses": [
                {
                    "name": "init-db",
                    "restartCount": 2,
                    "state": RUNNING,
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(30)}},
                }
            ],
            "containerStatuses": [
                {"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}
            ],
        },
    }
    assert cells(print_pod(initializing, now=NOW)) == [
        "web",
        "0/1",
        "Init:0/1",
        "2 (30s ago)",
        "<unknown>",
    ]
    done = {
        **initializing,
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True"},
            ],
            "initContainerStatuses": [
                {
                    "name": "init-db",
                    "restartCount": 2,
                    "ready": True,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(30)}},
                }
            ],
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 0, "state": RUNNING}
            ],
        },
    }
    row = print_pod(done, now=NOW)
    assert (row.status, row.restarts, row.restarts_display) == ("Running", 0, "0")


def test_sidecar_restarts_stay_in_the_count_after_initialization():
    """sidecar restarts (and their date) survive the reset; init restarts do not."""
    pod = {
        "metadata": {"name": "web"},
        "spec": {"initContainers": [INIT, SIDECAR], "containers": [APP]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}],
            "initContainerStatuses": [
                {
                    "name": "init-db",
                    "restartCount": 5,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(10)}},
                },
                {
                    "name": "proxy",
                    "restartCount": 2,
                    "ready": True,
                    "started": True,
                    "state": RUNNING,
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(3 * MINUTE)}},
                },
            ],
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 1, "state": RUNNING}
            ],
        },
    }
    row = print_pod(pod, now=NOW)
    assert (row.ready, row.status, row.restarts, row.restarts_display) == (
        "2/2",
        "Running",
        3,
        "3 (3m ago)",
    )


def test_sidecars_count_in_the_ready_denominator():
    """READY's total is app containers + sidecars; regular init containers never count."""
    pod = {
        "metadata": {"name": "web"},
        "spec": {"initContainers": [INIT, SIDECAR], "containers": [APP]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}],
            "initContainerStatuses": [
                {"name": "init-db", "state": {"terminated": {"exitCode": 0}}},
                {"name": "proxy", "ready": False, "started": True, "state": RUNNING},
            ],
            "containerStatuses": [{"name": "app", "ready": True, "state": RUNNING}],
        },
    }
    assert print_pod(pod, now=NOW).ready == "1/2"
    pod["status"]["initContainerStatuses"][1]["ready"] = True
    assert print_pod(pod, now=NOW).ready == "2/2"


def test_crash_looping_sidecar_after_startup_shows_init_crash_loop_back_off():
    """the init pass sets Init:CrashLoopBackOff and a running app never overwrites it."""
    pod = {
        "metadata": {"name": "web"},
        "spec": {"initContainers": [SIDECAR], "containers": [APP]},
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "False"},
            ],
            "initContainerStatuses": [
                {
                    "name": "proxy",
                    "ready": False,
                    "started": False,
                    "restartCount": 4,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(40)}},
                }
            ],
            "containerStatuses": [{"name": "app", "ready": True, "state": RUNNING}],
        },
    }
    assert cells(print_pod(pod, now=NOW)) == [
        "web",
        "1/2",
        "Init:CrashLoopBackOff",
        "4 (40s ago)",
        "<unknown>",
    ]


def test_first_initialized_condition_decides():
    """isPodInitializedConditionTrue returns at the first Initialized condition."""
    pod = {
        "metadata": {"name": "p"},
        "spec": {"initContainers": [SIDECAR], "containers": [APP]},
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "False"},
                {"type": "Initialized", "status": "True"},
            ],
            "initContainerStatuses": [
                {"name": "proxy", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ],
            "containerStatuses": [{"name": "app", "ready": True, "state": RUNNING}],
        },
    }
    # No container pass: the running, ready app is not counted.
    assert print_pod(pod, now=NOW).ready == "0/2"


# --------------------------------------------------------------------------- other statuses


def _init_pod(init_status: dict, phase: str = "Pending") -> dict:
    return {
        "metadata": {"name": "p"},
        "spec": {"initContainers": [INIT, {"name": "init-2"}], "containers": [APP]},
        "status": {
            "phase": phase,
            "initContainerStatuses": [
                {"name": "init-db", **init_status},
                {"name": "init-2", "state": {"waiting": {"reason": "PodInitializing"}}},
            ],
            "containerStatuses": [
                {"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}
            ],
        },
    }


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ({"waiting": {"reason": "PodInitializing"}}, "Init:0/2"),
        ({"waiting": {}}, "Init:0/2"),
        (RUNNING, "Init:0/2"),
        ({"waiting": {"reason": "CrashLoopBackOff"}}, "Init:CrashLoopBackOff"),
        ({"waiting": {"reason": "ErrImagePull"}}, "Init:ErrImagePull"),
        ({"terminated": {"exitCode": 1, "reason": "Error"}}, "Init:Error"),
        ({"terminated": {"exitCode": 137, "reason": "OOMKilled"}}, "Init:OOMKilled"),
        ({"terminated": {"exitCode": 137, "signal": 9}}, "Init:Signal:9"),
        ({"terminated": {"exitCode": 3}}, "Init:ExitCode:3"),
        ({"terminated": {"exitCode": 0, "reason": "Completed"}}, "Init:1/2"),
    ],
)
def test_init_status_follows_the_first_unfinished_init_container(state, status):
    """Init:<reason> for failures and waits, Init:i/N otherwise (PodInitializing is not a reason)."""
    assert print_pod(_init_pod({"state": state}), now=NOW).status == status


def test_pod_initializing_shows_when_init_is_done_and_the_app_is_not_created():
    """the kubelet's default waiting reason PodInitializing becomes STATUS."""
    pod = _init_pod({"state": {"terminated": {"exitCode": 0, "reason": "Completed"}}})
    pod["status"]["initContainerStatuses"][1]["state"] = {"terminated": {"exitCode": 0}}
    assert cells(print_pod(pod, now=NOW)) == ["p", "0/1", "PodInitializing", "0", "<unknown>"]


@pytest.mark.parametrize(
    ("terminated", "status"),
    [
        ({"exitCode": 137, "signal": 9}, "Signal:9"),
        ({"exitCode": 2}, "ExitCode:2"),
        ({"exitCode": 1, "reason": "Error"}, "Error"),
    ],
)
def test_app_container_termination_without_reason_shows_signal_or_exit_code(terminated, status):
    """a terminated container without a reason prints Signal:<n> or ExitCode:<code>."""
    pod = {
        "metadata": {"name": "p"},
        "spec": {"containers": [APP]},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "app", "state": {"terminated": terminated}}],
        },
    }
    assert print_pod(pod, now=NOW).status == status


def test_deleted_running_pod_is_terminating():
    """a deletionTimestamp on a non-terminal pod prints Terminating, whatever init shows."""
    pod = _init_pod({"state": {"waiting": {"reason": "CrashLoopBackOff"}}})
    pod["metadata"]["deletionTimestamp"] = ago(5)
    assert print_pod(pod, now=NOW).status == "Terminating"


@pytest.mark.parametrize("phase", ["Running", "Failed", "Succeeded"])
def test_deleted_pod_on_a_lost_node_is_unknown(phase):
    """status.reason NodeLost with a deletionTimestamp prints Unknown, even for a terminal pod."""
    pod = {
        "metadata": {"name": "p", "deletionTimestamp": ago(5)},
        "spec": {"containers": [APP]},
        "status": {"phase": phase, "reason": "NodeLost"},
    }
    assert print_pod(pod, now=NOW).status == "Unknown"


def test_node_lost_without_deletion_shows_the_reason():
    """without a deletionTimestamp, status.reason NodeLost is printed as is."""
    pod = {"metadata": {"name": "p"}, "status": {"phase": "Running", "reason": "NodeLost"}}
    assert print_pod(pod, now=NOW).status == "NodeLost"


def test_scheduling_gated_overrides_phase_and_reason():
    """a PodScheduled condition with reason SchedulingGated wins over status.reason."""
    pod = {
        "metadata": {"name": "gated"},
        "spec": {"initContainers": [INIT], "containers": [APP], "schedulingGates": [{"name": "x"}]},
        "status": {
            "phase": "Pending",
            "reason": "SomethingElse",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "SchedulingGated",
                    "message": "Scheduling is blocked due to non-empty scheduling gates",
                }
            ],
        },
    }
    assert cells(print_pod(pod, now=NOW)) == [
        "gated",
        "0/1",
        "SchedulingGated",
        "0",
        "<unknown>",
    ]


def test_restart_in_the_future_prints_invalid():
    """RESTARTS uses HumanDuration too: a finishedAt 5s in the future is "<invalid> ago"."""
    pod = {
        "metadata": {"name": "p"},
        "spec": {"containers": [APP]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "app",
                    "restartCount": 1,
                    "state": RUNNING,
                    "lastState": {
                        "terminated": {
                            "finishedAt": (NOW + timedelta(seconds=5)).isoformat(),
                        }
                    },
                }
            ],
        },
    }
    assert print_pod(pod, now=NOW).restarts_display == "1 (<invalid> ago)"


def test_duplicate_init_container_names_use_the_last_spec():
    """The spec is looked up by name in a map, so a later duplicate wins (as in Go)."""
    pod = {
        "metadata": {"name": "p"},
        "spec": {
            "initContainers": [{"name": "x", "restartPolicy": "Always"}, {"name": "x"}],
            "containers": [APP],
        },
        "status": {
            "phase": "Pending",
            "initContainerStatuses": [
                {"name": "x", "started": True, "ready": True, "state": RUNNING},
            ],
        },
    }
    # The status is not a sidecar's: it is treated as a running regular init container.
    assert (print_pod(pod, now=NOW).ready, print_pod(pod, now=NOW).status) == ("0/2", "Init:0/2")


# --------------------------------------------------------------------------- hostile input

EMPTY_ROW = PodRow("", "0/0", "", 0, "0", "<unknown>")

MALFORMED = [
    ({}, EMPTY_ROW),
    ("not a pod", EMPTY_ROW),
    (None, EMPTY_ROW),
    ({"metadata": "x", "spec": "x", "status": 5}, EMPTY_ROW),
    ({"metadata": None, "spec": None, "status": None}, EMPTY_ROW),
    (
        {
            "spec": {
                "containers": "x",
                "initContainers": [1, None, "a", {"name": "s", "restartPolicy": "Always"}],
            }
        },
        PodRow("", "0/1", "", 0, "0", "<unknown>"),
    ),
    (
        {
            "spec": {"containers": [{}]},
            "status": {
                "phase": ["Running"],
                "reason": 7,
                "initContainerStatuses": "x",
                "containerStatuses": [None, 3, {"state": "running", "restartCount": 2}],
            },
        },
        PodRow("", "0/1", "", 2, "2", "<unknown>"),
    ),
    (
        {
            "spec": {"initContainers": [{}], "containers": [{}]},
            "status": {
                "phase": "Pending",
                "initContainerStatuses": [{"state": {"terminated": "boom"}, "restartCount": "3"}],
            },
        },
        PodRow("", "0/1", "Init:0/1", 0, "0", "<unknown>"),
    ),
    (
        {
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [{"restartCount": True, "ready": "yes", "state": RUNNING}],
            },
        },
        PodRow("", "0/1", "Running", 0, "0", "<unknown>"),
    ),
    (
        {
            "spec": {"initContainers": [{}], "containers": [{}]},
            "status": {
                "phase": "Pending",
                "initContainerStatuses": [
                    {"state": {"terminated": {"exitCode": "1", "signal": "9", "reason": 5}}}
                ],
                "containerStatuses": [{"state": {"waiting": {"reason": "PodInitializing"}}}],
            },
        },
        PodRow("", "0/1", "PodInitializing", 0, "0", "<unknown>"),
    ),
    (
        {
            "metadata": {"name": 5, "creationTimestamp": "yesterday", "deletionTimestamp": 12},
            "status": {"phase": "Running"},
        },
        PodRow("", "0/0", "Running", 0, "0", "<unknown>"),
    ),
    (
        {
            "metadata": {"name": "p", "deletionTimestamp": "soon"},
            "spec": {"containers": [{}, {}]},
            "status": {
                "phase": "Running",
                "conditions": [None, {"type": 1, "status": True}, "Ready", {"type": "Ready"}],
                "containerStatuses": [
                    {"state": {"terminated": {"reason": "Completed"}}},
                    {"ready": True, "state": RUNNING},
                ],
            },
        },
        PodRow("p", "1/2", "NotReady", 0, "0", "<unknown>"),
    ),
    (
        {
            "spec": {"containers": [{}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [
                    {
                        "restartCount": 2,
                        "state": {"running": None, "waiting": None},
                        "lastState": {"terminated": {"finishedAt": "garbage"}},
                    },
                ],
            },
        },
        PodRow("", "0/1", "Running", 2, "2", "<unknown>"),
    ),
    (
        {
            "spec": {"containers": [{}], "nodeName": 3, "readinessGates": "x"},
            "status": {"phase": "Running", "podIPs": ["1.1.1.1"], "lastState": "x"},
        },
        PodRow("", "0/1", "Running", 0, "0", "<unknown>"),
    ),
]


@pytest.mark.parametrize(("pod", "expected"), MALFORMED)
def test_malformed_pod_renders_with_wrong_types_treated_as_absent(pod, expected):
    """print_pod never raises: a field of the wrong type counts as missing."""
    row = print_pod(pod, now=NOW)
    assert row == expected
    assert row.cells(wide=True)[5:] == ["<none>"] * 4


# --------------------------------------------------------------------------- JSON and table


def test_to_json_drops_the_ago_suffix():
    """The contract: `initlab get -o json` prints RESTARTS as a plain count string."""
    row = PodRow("web", "1/2", "Init:CrashLoopBackOff", 4, "4 (40s ago)", "5m")
    assert row.to_json() == {
        "name": "web",
        "ready": "1/2",
        "status": "Init:CrashLoopBackOff",
        "restarts": "4",
    }


def test_render_table_aligns_like_kubectl():
    """cli-runtime's tabwriter: each column is its widest cell + 3 spaces; AGE is not padded."""
    rows = [
        PodRow("myapp-pod", "0/1", "Init:0/2", 0, "0", "6m"),
        PodRow("web", "1/2", "Init:CrashLoopBackOff", 4, "4 (40s ago)", "5d"),
    ]
    assert render_table(rows) == (
        "NAME        READY   STATUS                  RESTARTS      AGE\n"
        "myapp-pod   0/1     Init:0/2                0             6m\n"
        "web         1/2     Init:CrashLoopBackOff   4 (40s ago)   5d"
    )


def test_render_table_without_rows_is_the_header():
    """An empty list still aligns the header (kubectl prints nothing, the caller decides)."""
    assert render_table([]) == "NAME   READY   STATUS   RESTARTS   AGE"


def test_render_wide_table_adds_ip_node_nominated_node_and_readiness_gates():
    """`-o wide` columns follow AGE, with "<none>" for unset values."""
    pod, _ = TEST_PRINT_POD_WIDE[0]
    other, _ = TEST_PRINT_POD_WIDE[2]
    table = render_table([print_pod(pod, now=NOW), print_pod(other, now=NOW)], wide=True)
    assert table == (
        "NAME    READY   STATUS                   RESTARTS   AGE         IP        NODE     "
        "NOMINATED NODE   READINESS GATES\n"
        "test1   1/2     podPhase                 6          <unknown>   1.1.1.1   test1    "
        "node1            1/3\n"
        "test2   1/2     ContainerWaitingReason   6          <unknown>   <none>    <none>   "
        "<none>           <none>"
    )


def test_tabwriter_minimum_width_is_six():
    """tabwriterMinWidth = 6: a short column is still six wide."""
    assert tabwrite([["a", "b"], ["cc", "d"]]) == "a     b\ncc    d"


# --------------------------------------------------------------------------- terminal escaping


def test_table_cell_escapes_esc_and_cuts_at_a_line_break():
    """cli-runtime printRows: cut at the first \\f, \\n or \\r then "...", ESC written as ^[."""
    from initlab.api.printers import table_cell

    assert table_cell("a\x1b[31mb") == "a^[[31mb"
    assert table_cell("img\nsecond") == "img..."
    assert table_cell("x\ry") == "x..."
    assert table_cell("tab\tkept") == "tab\tkept"


def test_escape_terminal_is_kubectls_replacer():
    """terminal.go terminalEscaper: only ESC and CR are replaced."""
    from initlab.api.printers import escape_terminal

    assert escape_terminal("\x1b]0;t\x07\r\x9b") == "^[]0;t\x07\\r\x9b"


def test_get_prints_escaped_names_like_kubectl(tmp_path, capsys):
    """`initlab get` of a pod named with ESC and CR prints kubectl's escaped, cut cell."""
    from initlab.cli import main

    f = tmp_path / "p.yaml"
    f.write_text(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: "evil\\u001b[2Jx\\rhidden"}\n'
        "spec: {containers: [{name: c, image: busybox}]}\n"
    )
    assert main(["get", str(f), "--now", "2026-01-01T00:00:00Z"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("evil^[[2Jx...   0/1")


# --------------------------------------------------------------------------- decoding

DECODE_CASES = [
    (
        "spec: {initContainers: {name: a}, containers: [{name: c, image: x}]}",
        "json: cannot unmarshal object into Go struct field PodSpec.spec.initContainers "
        "of type []v1.Container",
    ),
    (
        "spec: {containers: [{name: c, image: x, ports: [{containerPort: 1.5}]}]}",
        "json: cannot unmarshal number 1.5 into Go struct field "
        "ContainerPort.spec.containers.ports.containerPort of type int32",
    ),
    (
        "metadata: {name: p, labels: {a: 1}}\nspec: {containers: [{name: c, image: x}]}",
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string",
    ),
    (
        "spec: {containers: [{name: c, image: x}], priority: 3000000000}",
        "json: cannot unmarshal number 3000000000 into Go struct field PodSpec.spec.priority "
        "of type int32",
    ),
    (
        "spec: {restartPolicy: [Always], containers: [{name: c, image: x}]}",
        "json: cannot unmarshal array into Go struct field PodSpec.spec.restartPolicy "
        "of type v1.RestartPolicy",
    ),
    (
        "spec: {containers: [{name: c, image: 5}], activeDeadlineSeconds: x}",
        "json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds "
        "of type int64",
    ),
    (
        "spec: {containers: x}",
        "json: cannot unmarshal string into Go struct field "
        "PodSpec.spec.containers of type []v1.Container",
    ),
    ("spec: {containers: [{name: c, image: x, tty: yes}]}", None),
    (
        "spec: {containers: [{name: c, image: x, stdin: 'yes'}]}",
        "json: cannot unmarshal string "
        "into Go struct field Container.spec.containers.stdin of type bool",
    ),
]


@pytest.mark.parametrize(("body", "want"), DECODE_CASES)
def test_first_decode_error_is_the_go_decoders(body, want):
    """Go's first UnmarshalTypeError, in sorted key order (kubectl sends sorted JSON)."""
    import yaml

    from initlab.api.decoding import first_decode_error

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, **yaml.safe_load(body)}
    assert first_decode_error(pod) == want


def test_get_refuses_a_mistyped_pod_with_the_api_servers_words(tmp_path, capsys):
    """`initlab get` of `initContainers: {name: a}`: the BadRequest kubectl shows, exit 1."""
    from initlab.cli import main

    f = tmp_path / "bad.yaml"
    f.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n  initContainers: {name: a}\n  containers: [{name: c, image: busybox}]\n"
    )
    assert main(["get", str(f)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (
        f'Error from server (BadRequest): error when creating "{f}": Pod in version "v1" '
        "cannot be handled as a Pod: json: cannot unmarshal object into Go struct field "
        "PodSpec.spec.initContainers of type []v1.Container\n"
    )
