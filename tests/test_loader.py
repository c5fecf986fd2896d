"""Loading manifests: formats, workload templates, defaults, hostile text."""

from __future__ import annotations

import json

import pytest

from initlab.api.loader import (
    MAX_BYTES,
    apply_defaults,
    image_pull_policy_default,
    load_path,
    load_text,
)
from initlab.errors import InputError

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
spec:
  initContainers:
  - name: init-myservice
    image: busybox:1.28
  containers:
  - name: myapp-container
    image: busybox:1.28
"""


def test_pod_yaml_loads_with_api_defaults():
    """A bare Pod gets restartPolicy Always, File termination messages and a pull policy."""
    m = load_text(POD)
    spec = m.pod["spec"]
    assert (m.kind, m.name, m.spec_path) == ("Pod", "myapp-pod", "spec")
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    init = spec["initContainers"][0]
    assert init["terminationMessagePolicy"] == "File"
    assert init["imagePullPolicy"] == "IfNotPresent"
    assert m.pod["metadata"]["namespace"] == "default"


def test_loading_does_not_change_the_raw_object():
    """Defaults go on a copy: the user's object is kept as written."""
    m = load_text(POD)
    assert "restartPolicy" not in m.raw["spec"]


def test_json_manifest_loads_like_yaml():
    """JSON input gives the same pod as YAML input."""
    import yaml

    as_json = json.dumps(yaml.safe_load(POD))
    assert load_text(as_json).pod == load_text(POD).pod


def test_first_pod_of_a_multi_document_file_is_used():
    """Other kinds before the Pod are skipped."""
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n" + POD
    assert load_text(text).name == "myapp-pod"


def test_list_items_are_searched():
    """`kind: List` (kubectl get -o yaml) is unwrapped."""
    import yaml

    doc = {"apiVersion": "v1", "kind": "List", "items": [yaml.safe_load(POD)]}
    assert load_text(json.dumps(doc)).name == "myapp-pod"


@pytest.mark.parametrize(
    ("kind", "wrap", "spec_path", "pod_name"),
    [
        ("Deployment", lambda t: {"spec": {"template": t}}, "spec.template.spec", "web"),
        ("StatefulSet", lambda t: {"spec": {"template": t}}, "spec.template.spec", "web-0"),
        ("DaemonSet", lambda t: {"spec": {"template": t}}, "spec.template.spec", "web"),
        ("ReplicaSet", lambda t: {"spec": {"template": t}}, "spec.template.spec", "web"),
        ("Job", lambda t: {"spec": {"template": t}}, "spec.template.spec", "web"),
        (
            "CronJob",
            lambda t: {"spec": {"jobTemplate": {"spec": {"template": t}}}},
            "spec.jobTemplate.spec.template.spec",
            "web",
        ),
    ],
)
def test_workload_pod_templates_are_accepted(kind, wrap, spec_path, pod_name):
    """A workload's pod template becomes a Pod, and errors point into the template."""
    template = {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
    obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"}, **wrap(template)}
    m = load_text(json.dumps(obj))
    assert (m.kind, m.spec_path, m.pod["metadata"]["name"]) == (kind, spec_path, pod_name)
    assert m.pod["kind"] == "Pod"
    assert m.pod["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("busybox", "Always"),
        ("busybox:latest", "Always"),
        ("busybox:1.28", "IfNotPresent"),
        ("registry:5000/team/app", "Always"),
        ("registry:5000/team/app:v2", "IfNotPresent"),
        ("busybox@sha256:" + "a" * 64, "IfNotPresent"),
    ],
)
def test_image_pull_policy_defaults_from_the_tag(image, policy):
    """`:latest` or no tag pulls Always; a tag or digest pulls IfNotPresent."""
    assert image_pull_policy_default(image) == policy


def test_limits_without_requests_default_the_requests():
    """SetDefaults_Pod copies a limit into a missing request, for init containers too."""
    pod = {
        "spec": {
            "initContainers": [{"name": "i", "resources": {"limits": {"cpu": "1"}}}],
            "containers": [
                {"name": "a", "resources": {"limits": {"memory": "1Gi"}, "requests": {"cpu": "1"}}}
            ],
        }
    }
    spec = apply_defaults(pod)["spec"]
    assert spec["initContainers"][0]["resources"]["requests"] == {"cpu": "1"}
    assert spec["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}


def test_defaults_tolerate_wrongly_typed_fields():
    """Defaulting never raises; validation reports the problem later."""
    for spec in (None, [], "x", {"containers": "x"}, {"containers": [1, None, "a"]}):
        apply_defaults({"spec": spec})


HOSTILE = {
    "alias-bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "alias",
    ),
    "deep-yaml": ("a: " + "[" * 300 + "]" * 300, "nesting"),
    "deep-json": ("[" * 100_000 + "]" * 100_000, "nesting"),
    "python-tag": ("!!python/object/apply:os.system ['echo pwned']", "not plain YAML"),
    "python-name": ("kind: !!python/name:os.system\n", "not plain YAML"),
    "duplicate-key": ("kind: Pod\nkind: Pod\n", 'mapping key "kind" already defined'),
    "broken-yaml": ("kind: [\n", "not valid YAML"),
    "tab-indent": ("kind: Pod\nspec:\n\tcontainers: []\n", "not valid YAML"),
    "scalar": ("just a string", "not a Kubernetes object"),
    "list": ("- a\n- b\n", "not a Kubernetes object"),
    "empty": ("", "empty"),
    "only-comments": ("# nothing\n", "empty"),
    "wrong-kind": ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", "no Pod"),
    "no-kind": ("metadata: {name: x}\n", "no Pod"),
    "deployment-no-template": ("kind: Deployment\nspec: {}\n", "no pod template"),
    "nul-byte": ("kind: Pod\x00\n", "NUL"),
    "duplicate-json-key": ('{"kind": "Pod", "kind": "Pod"}', "duplicate key"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_gives_one_clear_input_error(name):
    """Each malformed or hostile input is refused with a short message naming the problem."""
    text, words = HOSTILE[name]
    with pytest.raises(InputError) as info:
        load_text(text, name)
    message = str(info.value)
    assert words in message
    assert "\n" not in message and len(message) < 300


def test_oversized_file_is_refused_before_parsing(tmp_path):
    """A file over the API server's 3 MiB limit is refused without being parsed."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (20 * 1024 * 1024))
    with pytest.raises(InputError, match="larger than"):
        load_path(path)
    assert MAX_BYTES == 3 * 1024 * 1024


def test_non_utf8_bytes_are_refused(tmp_path):
    """Binary garbage is reported as not UTF-8 text."""
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\xfa kind: Pod")
    with pytest.raises(InputError, match="not UTF-8"):
        load_path(path)


def test_missing_file_and_directory_are_input_errors(tmp_path):
    """Unreadable paths are exit-2 input errors with the path in the message."""
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_path(tmp_path)


def test_input_errors_keep_untrusted_text_on_one_line():
    """A key with a newline in it is quoted escaped, so the error stays one line."""
    with pytest.raises(InputError) as info:
        load_text('{"a\\nb": 1, "a\\nb": 2}', "odd")
    assert str(info.value) == 'odd: duplicate key "a\\nb" in JSON object'
    assert "\n" not in str(info.value)
