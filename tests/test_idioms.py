"""The idiom table: what a bare init container is assumed to do, read from its command."""

from __future__ import annotations

import json

import pytest

import initlab
from initlab.cli import main
from initlab.sim.idioms import infer

NS = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"

#: (script, behaviour, idiom): each row of the table, as learners write it.
RECOGNISED = [
    (
        f"until nslookup myservice.{NS}.svc.cluster.local; do echo waiting for myservice; sleep 2; done",
        {"waitFor": "service/myservice"},
        "until nslookup",
    ),
    (
        "until nc -z db 5432; do echo waiting; sleep 1; done; echo ready",
        {"waitFor": "service/db"},
        "until nc -z",
    ),
    (
        "until nc -vz -w 2 redis.cache.svc 6379; do sleep 2; done",
        {"waitFor": "service/redis"},
        "until nc -z",
    ),
    (
        "until wget --spider -q http://api:8080/healthz; do sleep 2; done",
        {"waitFor": "service/api"},
        "until wget",
    ),
    (
        "while ! curl -sf http://backend.default.svc/health; do sleep 1; done",
        {"waitFor": "service/backend"},
        "while ! curl",
    ),
    (
        "until pg_isready -h postgres -p 5432; do echo waiting for db; sleep 2; done",
        {"waitFor": "service/postgres"},
        "until pg_isready",
    ),
    (
        "until pg_isready --host=pg -U app\ndo\n  sleep 2\ndone",
        {"waitFor": "service/pg"},
        "until pg_isready",
    ),
    ("sleep 10", {"run": 10}, "sleep N"),
    ("echo starting && sleep 2m", {"run": 120}, "sleep N"),
    ("exit 3", {"run": 0, "exit": 3}, "exit N"),
    ("echo config missing; exit 1", {"run": 0, "exit": 1}, "exit N"),
]

#: Near misses: one step past the table, so the 1-second default stays (and is stated).
NEAR_MISSES = [
    "until nslookup db; do sleep 2; done; ./migrate.sh",  # work after the loop
    "until nslookup db; do rm -rf /tmp/x; sleep 2; done",  # a body that does something
    "until nslookup $SVC; do sleep 2; done",  # the Service is not in the manifest
    "until nc -z db; do sleep 1; done",  # no port
    "until curl http://a http://b; do sleep 1; done",  # two URLs
    "sleep $DELAY",
    "sleep 5 && ./run.sh",
    "exit $CODE",
    "git clone https://example.com/repo /data",
    "python manage.py migrate",
]


@pytest.mark.parametrize(
    "script,behaviour,idiom", RECOGNISED, ids=[r[2] + ":" + r[0][:30] for r in RECOGNISED]
)
def test_each_idiom_maps_to_its_behaviour(script, behaviour, idiom):
    """`sh -c SCRIPT` in an init container is read as the table says."""
    a = infer({"name": "init", "command": ["sh", "-c", script]})
    assert (a.behaviour, a.idiom) == (behaviour, idiom)


@pytest.mark.parametrize("script", NEAR_MISSES)
def test_a_near_miss_keeps_the_stated_default(script):
    """Anything outside the table keeps the 1-second default, and says so."""
    a = infer({"name": "init", "command": ["/bin/sh", "-c", script]})
    assert not a.recognised
    assert a.behaviour == {"run": 1, "exit": 0}
    assert "not in the idiom table" in a.describe()


def test_exec_form_sleep_is_read_without_a_shell():
    """`command: [sleep, "30"]` runs 30 s; `args` are appended to `command` as the kubelet does."""
    assert infer({"command": ["sleep"], "args": ["30"]}).behaviour == {"run": 30}


def test_no_command_means_the_image_entrypoint_which_the_manifest_does_not_show():
    """Without `command`, nothing can be read: the default holds."""
    assert not infer({"name": "i", "image": "busybox", "args": ["sleep", "5"]}).recognised


def test_app_containers_and_sidecars_run_until_the_end():
    """Only regular init containers are read; the others run forever, stated."""
    a = infer({"command": ["sh", "-c", "sleep 3600"]}, is_init=False)
    assert a.behaviour == {"run": "forever"} and "app containers" in a.describe()


DOCS_MYAPP = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "myapp-pod", "labels": {"app.kubernetes.io/name": "MyApp"}},
    "spec": {
        "containers": [
            {
                "name": "myapp-container",
                "image": "busybox:1.28",
                "command": ["sh", "-c", "echo The app is running! && sleep 3600"],
            }
        ],
        "initContainers": [
            {
                "name": "init-myservice",
                "image": "busybox:1.28",
                "command": [
                    "sh",
                    "-c",
                    f"until nslookup myservice.{NS}.svc.cluster.local; do echo waiting for myservice; sleep 2; done",
                ],
            },
            {
                "name": "init-mydb",
                "image": "busybox:1.28",
                "command": [
                    "sh",
                    "-c",
                    f"until nslookup mydb.{NS}.svc.cluster.local; do echo waiting for mydb; sleep 2; done",
                ],
            },
        ],
    },
}


def test_the_docs_myapp_pod_simulated_bare_stays_init_0_of_2():
    """No Service exists, so the first init container loops: Init:0/2, as the docs show."""
    r = initlab.simulate({"pod": DOCS_MYAPP, "until": 300})
    assert r.final["status"] == "Init:0/2"
    assert r.final["phase"] == "Pending"


def test_the_docs_myapp_pod_initializes_once_its_services_exist():
    """With the docs' two `kubectl apply` of the Services, the recognised loops end."""
    r = initlab.simulate(
        {
            "pod": DOCS_MYAPP,
            "events": [
                {"at": 30, "action": "create-service myservice"},
                {"at": 45, "action": "create-service mydb"},
            ],
        }
    )
    assert r.final["status"] == "Running"


def test_the_trace_header_and_json_state_every_assumption(tmp_path, capsys):
    """`initlab simulate` on a bare manifest says what it assumed, in text and in JSON."""
    path = tmp_path / "myapp.json"
    path.write_text(json.dumps(DOCS_MYAPP))
    assert main(["simulate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == [
        "# assumed: init-myservice: waitFor: service/myservice (until nslookup)",
        "#   Service myservice never appears here; to see it created, write a scenario with "
        "events: [{at: 30, action: create-service myservice}]",
    ]
    assert "# assumed: myapp-container: run: forever (the default for app containers" in out
    assert main(["simulate", str(path), "-o", "json"]) == 0
    assumed = json.loads(capsys.readouterr().out)["assumed"]
    assert assumed == {
        "init-myservice": {"waitFor": "service/myservice"},
        "init-mydb": {"waitFor": "service/mydb"},
        "myapp-container": {"run": "forever"},
    }


def test_a_described_container_is_never_assumed():
    """A scenario's own `behavior` wins; only the rest is assumed."""
    s = initlab.sim.scenario.load_scenario(
        {"pod": DOCS_MYAPP, "behavior": {"init-myservice": [{"run": 2}]}}
    )
    assert set(s.assumed) == {"init-mydb", "myapp-container"}


KUBERNETES_PATTERNS_POD = {
    # Kubernetes Patterns, "Init Container": git clone into an emptyDir, then httpd serves it.
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "www", "labels": {"app": "www"}},
    "spec": {
        "initContainers": [
            {
                "name": "download",
                "image": "axeclbr/git",
                "command": [
                    "git",
                    "clone",
                    "https://github.com/mdn/beginner-html-site-scripted",
                    "/var/lib/data",
                ],
                "volumeMounts": [{"mountPath": "/var/lib/data", "name": "source"}],
            }
        ],
        "containers": [
            {
                "name": "run",
                "image": "docker.io/centos/httpd",
                "ports": [{"containerPort": 80}],
                "volumeMounts": [{"mountPath": "/var/www/html", "name": "source"}],
            }
        ],
        "volumes": [{"emptyDir": {}, "name": "source"}],
    },
}


def test_an_unrecognised_init_command_runs_one_second_and_says_so():
    """Kubernetes Patterns' git-clone pod: not an idiom, so 1 s and exit 0, stated."""
    s = initlab.sim.scenario.load_scenario({"pod": KUBERNETES_PATTERNS_POD})
    assert s.assumed["download"].describe() == (
        "run: 1, exit: 0 (the default for init containers: its command is not in the idiom table)"
    )
    assert initlab.simulate(s).final["status"] == "Running"
