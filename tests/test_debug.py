"""The debug lab as data (initlab/book/debug_cases): each case is broken as given, graded by simulation."""

from __future__ import annotations

import json

import pytest

#: A known-good fix per case: (text in the manifest, its replacement), applied in order.
CASE_FIXES: dict[str, list[tuple[str, str]]] = {
    "command-typo": [("/app/migrat.sh", "/app/migrate.sh")],
    "crashloop-init": [
        (
            'command: [sh, -c, "./migrate --db $DB_URL"]',
            'command: [sh, -c, "./migrate --db $DB_URL"]\n'
            '    env:\n    - {name: DB_URL, value: "postgres://db:5432/cart"}',
        )
    ],
    "image-pull": [("migrat:v1", "migrate:v1")],
    "istio-cni-init": [('-f up.sql"]', '-f up.sql"]\n    securityContext: {runAsUser: 1337}')],
    "job-sidecar": [
        ("      - name: log-shipper\n        image: fluent/fluent-bit:3.1\n", ""),
        (
            "      containers:\n",
            "      initContainers:\n      - name: log-shipper\n        image: fluent/fluent-bit:3.1\n"
            "        restartPolicy: Always\n      containers:\n",
        ),
    ],
    "missing-service": [
        (
            "image: nginx:1.27\n",
            "image: nginx:1.27\n---\napiVersion: v1\nkind: Service\nmetadata: {name: cache}\n"
            "spec:\n  selector: {app: cache}\n  ports: [{port: 6379}]\n",
        )
    ],
    "never-flaky": [("restartPolicy: Never", "restartPolicy: OnFailure")],
    "not-idempotent": [("mkdir /data/schema", "mkdir -p /data/schema")],
    "oom-init": [("limits: {memory: 32Mi}", "limits: {memory: 64Mi}")],
    "typo-service": [("orders-dbb", "orders-db")],
    "part1-which-init-waits": [
        ("nslookup cache; do echo waiting for cache", "nslookup redis; do echo waiting for redis")
    ],
    "part2-deadline-too-short": [("activeDeadlineSeconds: 60", "activeDeadlineSeconds: 300")],
    "part3-helper-never-exits": [
        (
            "image: envoyproxy/envoy:v1.31.0\n",
            "image: envoyproxy/envoy:v1.31.0\n    restartPolicy: Always\n",
        )
    ],
    "part4-webhook-dropped-sidecar": [
        (
            "  - name: log-shipper\n    image: busybox:1.36\n",
            "  - name: log-shipper\n    image: busybox:1.36\n    restartPolicy: Always\n",
        )
    ],
    "part5-app-image-after-init": [("shop/web:2.4.1", "shop/web:2.4")],
}


def _fixed(case_id: str) -> str:
    from initlab.book.debug import case

    text = case(case_id).manifest
    for old, new in CASE_FIXES[case_id]:
        assert old in text, (case_id, old)
        text = text.replace(old, new, 1)
    return text


def test_every_debug_case_has_a_fix_in_this_table():
    """Each case file is covered by a known-good fix below (a new case needs one)."""
    from initlab.book.debug import cases

    assert sorted(cases()) == sorted(CASE_FIXES)


@pytest.mark.parametrize("case_id", sorted(CASE_FIXES))
def test_debug_case_broken_manifest_is_not_graded_fixed(case_id):
    """The manifest as given reproduces the problem: grading it says "not yet"."""
    from initlab.book.debug import case

    grade = case(case_id).grade(case(case_id).manifest)
    assert not grade.passed and grade.message.startswith("not yet")


@pytest.mark.parametrize("case_id", sorted(CASE_FIXES))
def test_debug_case_fix_is_graded_fixed_by_simulation(case_id):
    """The fix, simulated, reaches the case's goal: "Fixed: the pod is ..."."""
    from initlab.book.debug import case

    grade = case(case_id).grade(_fixed(case_id))
    assert grade.passed, grade.message
    assert grade.message.startswith("Fixed: the pod is " + grade.result.final["phase"])


def test_debug_lab_refuses_a_fix_that_deletes_the_failing_container():
    """Removing the broken init container is not a fix: the lab says so."""
    from initlab.book.debug import case

    text = case("crashloop-init").manifest
    start = text.index("  initContainers:")
    end = text.index("  containers:")
    grade = case("crashloop-init").grade(text[:start] + text[end:])
    assert not grade.passed
    assert grade.message == "the pod no longer has migrate, migrate: fix it rather than remove it"


def test_debug_lab_service_documents_create_services():
    """A `kind: Service` document in the learner's text exists from the start of the run."""
    from initlab.book.debug import case

    sc = case("missing-service").scenario(_fixed("missing-service"))
    assert {"at": 0, "action": "create-service cache"} in sc["events"]


def test_debug_lab_rules_choose_behaviour_from_the_manifest():
    """oom-init: a 32Mi limit is OOMKilled, 64Mi is not (the case says load-cache needs 48Mi)."""
    from initlab.book.debug import case

    c = case("oom-init")
    assert c.scenario()["behavior"]["load-cache"] == [{"run": 3, "oom": True}]
    assert c.scenario(_fixed("oom-init"))["behavior"]["load-cache"] == [{"run": 3}]


def test_debug_lab_symptoms_are_get_describe_and_logs():
    """What the learner sees: kubectl get, describe and the logs, not the cause."""
    from initlab.book.debug import case

    sym = case("crashloop-init").symptoms()
    assert sym["get"].splitlines()[2].split()[2] == "Init:CrashLoopBackOff"
    assert sym["describe"].startswith("$ kubectl describe pod cart\nName:")
    assert "error: DB_URL is not set" in sym["logs"]


def test_check_json_answers_bad_yaml_with_one_line():
    """The page's grading call: bad YAML is one line, no traceback, not passed."""
    from initlab.book.live import check_json

    out = json.loads(check_json("oom-init", "pod: ["))
    assert out["passed"] is False and "\n" not in out["message"] and "YAML" in out["message"]


def test_debug_lab_html_is_self_contained():
    """The lab's HTML: every case, no external URL, the manifest escaped in a labelled textarea."""
    import re

    from initlab.book.debug import cases, lab

    page = lab().html
    for cid in cases():
        assert f'id="ildl-{cid}"' in page and f'<label for="ildl-{cid}-yaml">' in page
    assert "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page)


@pytest.mark.parametrize(
    ("condition", "container", "pod"),
    [
        ("runAsUser", {"securityContext": 5}, {"spec": {"securityContext": "x"}}),
        ("memoryLimitBelow", {"resources": "lots"}, {}),
        ("memoryLimitBelow", {"resources": {"limits": ["64Mi"]}}, {}),
        ("envHas", {"env": "DB_URL=x"}, {}),
        ("envHas", {"env": ["DB_URL=x"]}, {}),
    ],
    ids=["security-context", "resources", "limits", "env-string", "env-items"],
)
def test_debug_rule_conditions_read_a_mistyped_field_as_absent(condition, container, pod):
    """A rule's condition on a mistyped field is false, never an exception (validation reports it)."""
    from initlab.book.debug import CONDITIONS

    arg = {"runAsUser": 1337, "memoryLimitBelow": "64Mi", "envHas": "DB_URL"}[condition]
    assert CONDITIONS[condition](container, pod, arg) is False
