"""Scenarios shared by the explorer tests (plots, widgets, player)."""

from __future__ import annotations

#: The official docs' myapp-pod: two init containers wait for Services created at 8 s and 15 s.
MYAPP = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "myapp-pod"},
        "spec": {
            "containers": [{"name": "myapp-container", "image": "busybox:1.28"}],
            "initContainers": [
                {"name": "init-myservice", "image": "busybox:1.28"},
                {"name": "init-mydb", "image": "busybox:1.28"},
            ],
        },
    },
    "behavior": {
        "init-myservice": [{"waitFor": "service/myservice"}],
        "init-mydb": [{"waitFor": "service/mydb"}],
    },
    "events": [
        {"at": 8, "action": "create-service myservice"},
        {"at": 15, "action": "create-service mydb"},
    ],
}

#: An init container that exits 1 after 2 s, crash-looping for an hour next to a native sidecar.
CRASH_HOUR = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "initContainers": [
                {"name": "proxy", "image": "envoy", "restartPolicy": "Always"},
                {"name": "migrate", "image": "busybox:1.36"},
            ],
            "containers": [{"name": "app", "image": "busybox:1.36"}],
        },
    },
    "until": 3600,
    "behavior": {"migrate": [{"run": 2, "exit": 1}]},
}
