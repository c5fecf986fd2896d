"""kubectl's renderings of a run: describe, logs (including --previous)."""

from __future__ import annotations

import re
from pathlib import Path

from initlab import simulate
from initlab.kubectl import render_describe, render_logs

EXAMPLES = str(Path(__file__).resolve().parent.parent / "examples") + "/"

MULTILINE = {
    "pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "script"},
        "spec": {
            "initContainers": [
                {
                    "name": "setup",
                    "image": "busybox:1.36",
                    "command": ["sh", "-c", "set -x\nmkdir -p /data\necho done"],
                }
            ],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    },
    "until": 20,
}


def test_describe_indents_every_line_of_a_multiline_command():
    """describeContainerCommand splits each command item on newlines, all at LEVEL_3."""
    text = render_describe(simulate(MULTILINE), 20)
    block = text[text.index("    Command:") :].splitlines()[1:6]
    assert block == [
        "      sh",
        "      -c",
        "      set -x",
        "      mkdir -p /data",
        "      echo done",
    ]


def test_image_ids_are_normalized_like_containerd():
    """Every Image ID carries its registry: docker.io/library/... or docker.io/org/..."""
    text = render_describe(simulate(EXAMPLES + "git-clone-httpd.yaml"), 30)
    repos = set(re.findall(r"Image ID:\s+(\S+)@sha256:", text))
    assert repos and all(r.startswith("docker.io/") for r in repos), repos


def test_logs_previous_reads_the_last_terminated_run():
    """`kubectl logs -c migrate --previous` shows the failed run while the next one waits."""
    result = simulate(EXAMPLES + "flaky-migration-always.yaml")
    assert render_logs(result, "migrate", 18, previous=True) == (
        "migrating\nERROR: connection refused\n"
    )


def test_logs_previous_without_a_termination_is_the_api_servers_error():
    """No previous termination: BadRequest `previous terminated container ... not found`."""
    result = simulate(EXAMPLES + "flaky-migration-always.yaml")
    assert render_logs(result, "migrate", 3, previous=True) == (
        'Error from server (BadRequest): previous terminated container "migrate" in pod '
        '"web" not found\n'
    )


def test_a_failed_create_prints_only_its_error():
    """`mkdir x && echo created`: when mkdir fails, the echo never runs."""
    result = simulate(EXAMPLES + "non-idempotent-init.yaml")
    rerun = render_logs(result, "init-schema", 200)
    assert "File exists" in rerun
    assert rerun.strip().count("\n") == 0, rerun


def test_describe_shows_limits_and_requests_of_each_container():
    """describeContainerResources: the OOM-killed init container's 64Mi limit is on screen."""
    text = render_describe(simulate(EXAMPLES + "oom-init.yaml"), 60)
    block = text[text.index("    Restart Count:") :].splitlines()[1:5]
    assert block == ["    Limits:", "      memory:  64Mi", "    Requests:", "      memory:  64Mi"]
