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
