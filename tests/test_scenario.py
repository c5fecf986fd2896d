"""Loading scenarios: the format's fixed meanings, and clean errors for bad input."""

from __future__ import annotations

import textwrap

import pytest

from initlab.errors import InputError, InvalidError
from initlab.sim.scenario import STABLE_CAP, Attempt, load_scenario, parse_duration

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {
        "initContainers": [
            {
                "name": "init-db",
                "image": "busybox:1.36",
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            }
        ],
        "containers": [{"name": "app", "image": "nginx:1.27"}],
        "volumes": [{"name": "data", "emptyDir": {}}],
    },
}


def sc(**kw) -> dict:
    return {"pod": POD, **kw}


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (3, 3.0),
        (2.5, 2.5),
        ("5s", 5.0),
        ("2m", 120.0),
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("500ms", 0.5),
        ("7", 7.0),
    ],
)
def test_durations_are_seconds_or_kubernetes_strings(value, seconds):
    """`run: 3`, `run: "5s"`, `until: "2m"`."""
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["-1", -1, "5x", "", True, None, [1], "1d", float("nan")])
def test_bad_durations_raise_input_error_with_field(value):
    """A bad duration is an InputError naming the field."""
    with pytest.raises(InputError) as e:
        parse_duration(value, "behavior.app[0].run")
    assert e.value.field == "behavior.app[0].run"


def test_attempts_parse_every_key():
    """Each behaviour key becomes its Attempt field."""
    s = load_scenario(
        sc(
            behavior={
                "init-db": [
                    {
                        "run": "2s",
                        "exit": 3,
                        "oom": True,
                        "log": ["a", "b"],
                        "stop": 1,
                        "writes": [{"volume": "data", "path": "/data/x", "mode": "create"}],
                    },
                    {"waitFor": "service/db", "pull": "error"},
                    {"run": "forever", "startup": 2, "ready": "3s"},
                ]
            }
        )
    )
    a, b, c = s.behavior["init-db"]
    assert (a.run, a.exit, a.oom, a.log, a.stop) == (2.0, 3, True, ["a", "b"], 1.0)
    assert (a.writes[0].volume, a.writes[0].mode) == ("data", "create")
    assert (b.wait_for, b.pull_error) == ("db", True)
    assert (c.run, c.startup, c.ready) == (None, 2.0, 3.0)


def test_defaults_init_runs_1s_app_forever():
    """No behaviour: init containers run 1 s and exit 0; app containers and sidecars run forever."""
    s = load_scenario(sc())
    assert s.attempts_for("init-db", True, False) == [Attempt(run=1.0)]
    assert s.attempts_for("app", False, False) == [Attempt(run=None)]
    assert s.attempts_for("proxy", True, True) == [Attempt(run=None)]
    assert s.until is None and STABLE_CAP == 3600


def test_world_events_are_sorted_and_parsed():
    """`create-service NAME`, `restart-sandbox`, `delete-pod`."""
    s = load_scenario(
        sc(events=[{"at": "1m", "action": "delete-pod"}, {"at": 5, "action": "create-service db"}])
    )
    assert [(e.at, e.action, e.arg) for e in s.events] == [
        (5.0, "create-service", "db"),
        (60.0, "delete-pod", ""),
    ]


def test_bare_pod_manifest_is_a_scenario():
    """`initlab simulate pod.yaml` on a plain Pod manifest."""
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: nginx:1.27}]\n"
    s = load_scenario(text)
    assert s.name == "p" and s.behavior == {} and s.pod["spec"]["restartPolicy"] == "Always"


def test_pod_file_is_relative_to_the_scenario(tmp_path):
    """`podFile:` is read relative to the scenario file."""
    (tmp_path / "pods").mkdir()
    (tmp_path / "pods" / "p.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: fromfile}\n"
        "spec: {containers: [{name: a, image: nginx:1.27}]}\n"
    )
    (tmp_path / "s.yaml").write_text("podFile: pods/p.yaml\nuntil: 10\n")
    s = load_scenario(str(tmp_path / "s.yaml"))
    assert s.name == "fromfile" and s.until == 10


def test_job_template_is_accepted():
    """A Job's pod template works as the scenario's pod."""
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "a", "image": "busybox:1.36"}],
                }
            }
        },
    }
    s = load_scenario({"pod": job})
    assert s.name == "j" and s.pod["metadata"]["labels"]["job-name"] == "j"


BAD = {
    "unknown top-level key": ({"pod": POD, "behaviour": {}}, "behaviour"),
    "unknown container": (sc(behavior={"nope": [{"run": 1}]}), "behavior.nope"),
    "bad run": (sc(behavior={"init-db": [{"run": "soon"}]}), "behavior.init-db[0].run"),
    "bad exit": (sc(behavior={"init-db": [{"exit": 300}]}), "behavior.init-db[0].exit"),
    "unknown attempt key": (
        sc(behavior={"init-db": [{"crash": True}]}),
        "behavior.init-db[0].crash",
    ),
    "empty attempts": (sc(behavior={"init-db": []}), "behavior.init-db"),
    "bad waitFor": (sc(behavior={"init-db": [{"waitFor": "db"}]}), "behavior.init-db[0].waitFor"),
    "bad volume": (
        sc(behavior={"init-db": [{"writes": [{"volume": "x", "path": "/a"}]}]}),
        "behavior.init-db[0].writes[0].volume",
    ),
    "bad mode": (
        sc(behavior={"init-db": [{"writes": [{"volume": "data", "path": "/a", "mode": "rm"}]}]}),
        "behavior.init-db[0].writes[0].mode",
    ),
    "bad action": (sc(events=[{"at": 1, "action": "reboot"}]), "events[0].action"),
    "service without name": (
        sc(events=[{"at": 1, "action": "create-service"}]),
        "events[0].action",
    ),
    "until too long": (sc(until="1000h"), "until"),
    "too many attempts": (sc(behavior={"init-db": [{"run": 1}] * 1001}), "behavior.init-db"),
    "bad node": (sc(node={"cpu": "lots"}), "node.cpu"),
    "pod not a mapping": ({"pod": "x"}, "pod"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_unusable_scenarios_raise_input_error_with_field_path(name):
    """Every unusable scenario is an InputError with a field path, never another exception."""
    doc, field = BAD[name]
    with pytest.raises(InputError) as e:
        load_scenario(doc)
    assert e.value.field == field


def test_invalid_pod_raises_invalid_error():
    """A pod the API server would reject is InvalidError (exit 1)."""
    bad = {
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": []},
        }
    }
    with pytest.raises(InvalidError):
        load_scenario(bad)


def test_a_pod_that_cannot_decode_is_refused_in_the_api_servers_words():
    """A mistyped field stops the pod before validation, as the API server's decoder does."""
    from initlab.api.decoding import DecodeError

    bad = {"pod": {"metadata": {"name": "p"}, "spec": {"containers": "x"}}}
    with pytest.raises(DecodeError) as info:
        load_scenario(bad)
    assert info.value.exit_code == 1
    assert str(info.value) == (
        'Error from server (BadRequest): Pod in version "v1" cannot be handled as a Pod: '
        "json: cannot unmarshal string into Go struct field PodSpec.spec.containers "
        "of type []v1.Container"
    )


@pytest.mark.parametrize(
    "text", ["kind: [\n", "42\n", "", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"]
)
def test_garbage_text_is_input_error(text):
    """Not YAML, not a mapping, empty, or no Pod: InputError."""
    with pytest.raises(InputError):
        load_scenario(text if "\n" in text else text + "\n")


def test_yaml_text_scenario():
    """A scenario given as YAML text."""
    text = textwrap.dedent(
        """\
        pod:
          apiVersion: v1
          kind: Pod
          metadata: {name: t}
          spec:
            containers: [{name: a, image: nginx:1.27}]
        until: 2m
        """
    )
    assert load_scenario(text).until == 120


# -- kubernetesVersion ---------------------------------------------------------------------


def _versioned(version, **extra):
    return {
        "pod": {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "x"}]}},
        "kubernetesVersion": version,
        **extra,
    }


def test_kubernetes_version_selects_the_release():
    """`kubernetesVersion: "v1.31.4"` reads as release 1.31."""
    assert load_scenario(_versioned("v1.31.4")).kubernetes_version == "1.31"


def test_kubernetes_version_defaults_to_the_newest_modelled_release():
    """With no kubernetesVersion, the newest release initlab models applies."""
    from initlab.api.versions import DEFAULT, SUPPORTED

    sc = load_scenario({"pod": _versioned("1.35")["pod"]})
    assert sc.kubernetes_version == DEFAULT == SUPPORTED[-1] == "1.35"


@pytest.mark.parametrize(
    "version,message",
    [
        ("1.28", "Kubernetes 1.28 is not modelled: initlab models 1.29 to 1.35"),
        ("1.36", "Kubernetes 1.36 is not modelled: initlab models 1.29 to 1.35"),
        ("one", 'invalid Kubernetes version "one"'),
        (1.3, "quote it"),
    ],
)
def test_an_unmodelled_kubernetes_version_is_refused(version, message):
    """A release initlab does not model is an input error naming kubernetesVersion."""
    with pytest.raises(InputError) as info:
        load_scenario(_versioned(version))
    assert "kubernetesVersion" in str(info.value) and message in str(info.value)


def test_crash_loop_cap_needs_a_release_that_has_it():
    """maxContainerRestartPeriod exists from 1.32 (KubeletCrashLoopBackOffMax, PR #128374)."""
    kubelet = {"crashLoopBackOff": {"maxContainerRestartPeriod": "60s"}}
    with pytest.raises(InputError, match="needs Kubernetes 1.32 or later"):
        load_scenario(_versioned("1.31", kubelet=kubelet))


def test_crash_loop_cap_needs_its_gate_before_1_35():
    """In 1.32-1.34 the cap is alpha: without the gate it would be ignored, so it is refused."""
    kubelet = {"crashLoopBackOff": {"maxContainerRestartPeriod": "60s"}}
    with pytest.raises(InputError, match="KubeletCrashLoopBackOffMax: true"):
        load_scenario(_versioned("1.33", kubelet=kubelet))
    gated = {**kubelet, "featureGates": {"KubeletCrashLoopBackOffMax": True}}
    assert load_scenario(_versioned("1.33", kubelet=gated)).max_restart_period == 60


def test_reduced_decay_gate_needs_1_33():
    """ReduceDefaultCrashLoopBackOffDecay exists from 1.33 (PR #130711)."""
    kubelet = {"featureGates": {"ReduceDefaultCrashLoopBackOffDecay": True}}
    with pytest.raises(InputError, match="needs Kubernetes 1.33 or later"):
        load_scenario(_versioned("1.32", kubelet=kubelet))
    assert load_scenario(_versioned("1.33", kubelet=kubelet)).reduced_decay


def test_fidelity_page_carries_the_version_table():
    """book/fidelity.md prints `initlab.api.versions.RULES` as they are (one home, one table)."""
    from pathlib import Path

    from initlab.api.versions import markdown_table

    page = (Path(__file__).resolve().parent.parent / "book" / "fidelity.md").read_text()
    assert markdown_table() in page


@pytest.mark.parametrize(
    "text,release",
    [("1.33", (1, 33)), ("v1.33.2", (1, 33)), ("1.26.0", (1, 26)), (" 1.9 ", (1, 9))],
)
def test_release_numbers_parse_to_major_and_minor(text, release):
    """One parser reads Kubernetes and injector release numbers, with or without v and patch."""
    from initlab.api.versions import major_minor

    assert major_minor(text) == release


@pytest.mark.parametrize("text", ["one", "1", "1.33-beta", "", "1.2.3.4"])
def test_a_text_that_is_no_release_number_parses_to_none(text):
    """What is not MAJOR.MINOR[.PATCH] has no release: callers decide how to refuse it."""
    from initlab.api.versions import major_minor

    assert major_minor(text) is None


def test_istio_release_decides_the_default_injection_mode():
    """Istio 1.26 injects classic; from 1.27 native where nodes run Kubernetes >= 1.33."""
    from initlab.admission.webhooks.istio import resolve_mode

    assert resolve_mode({"version": "1.26.0"}) == "classic"
    assert resolve_mode({"version": "1.27.0", "kubernetesVersion": "1.33"}) == "native"
    assert resolve_mode({"version": "1.27.0", "kubernetesVersion": "1.32"}) == "classic"
