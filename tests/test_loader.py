"""Loading manifests: formats, workload templates, defaults, hostile text."""

from __future__ import annotations

import io
import json
import os
import re
import sys

import pytest

from initlab.api.loader import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    apply_defaults,
    image_pull_policy_default,
    load_path,
    load_text,
    parse_documents,
    read_bounded,
    read_input,
    resolve_relative,
)
from initlab.api.validation import validate_pod
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
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        "values) once aliases are expanded",
    ),
    "deep-yaml": ("a: " + "[" * 300 + "]" * 300, "nesting"),
    "deep-json": ("[" * 100_000 + "]" * 100_000, "nesting"),
    # go-yaml ignores tags it does not know: no code runs, the value is plain data.
    "python-tag": ("!!python/object/apply:os.system ['echo pwned']", "not a Kubernetes object"),
    "python-name": ("kind: !!python/name:os.system\n", "no Pod"),
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


# -- YAML as kubectl reads it ---------------------------------------------------------------
#
# Each row is what `kubectl label --local -f FILE z=1 -o json` (kubectl v1.32.4, which
# converts YAML to JSON with sigs.k8s.io/yaml's go-yaml v2) printed for `k: <text>`.

KUBECTL_SCALARS = [
    ("2001-02-30", "2001-02-30"),  # an invalid date is a string, not an error
    ("2001-02-03", "2001-02-03"),  # timestamps stay strings
    ("2001-02-03T04:05:06Z", "2001-02-03T04:05:06Z"),
    ("1:30", "1:30"),  # no sexagesimal numbers
    ("12:30:45.5", "12:30:45.5"),
    ("y", True),  # YAML 1.1 booleans, y and n included
    ("n", False),
    ("Off", False),
    ("tRue", "tRue"),
    ("~", None),
    ("NULL", None),
    ("0777", 511),  # Go's ParseInt(s, 0, 64): a leading 0 is octal
    ("0o17", 15),
    ("0x1F", 31),
    ("0b101", 5),
    ("-0b11", -3),
    ("1_000", 1000),  # underscores are dropped
    ("0x_1F", 31),
    ("+12", 12),
    ("08", 8),  # not octal, so a float 8, which JSON makes 8
    ("1e3", 1000),  # yamlStyleFloat: no dot needed
    ("1.5e+3", 1500),
    ("1.", 1),
    (".5", 0.5),
    ("0.1_5", 0.15),
    ("123456789012345678901234567890", 1.2345678901234568e29),
    ("9223372036854775808", 9.223372036854776e18),  # beyond int64: a float
    ("-9223372036854775808", -9223372036854775808),
    ("1e400", "1e400"),  # beyond float64: a string
    ("0xFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFF"),
    ("NaN", "NaN"),
    ("=", "="),
    ("1,000", "1,000"),
    ("0x", "0x"),
    ("_1", "_1"),
]


@pytest.mark.parametrize(("text", "value"), KUBECTL_SCALARS)
def test_plain_scalars_read_as_kubectl_reads_them(text, value):
    """A plain scalar becomes the JSON value kubectl's YAML-to-JSON conversion gives it."""
    got = parse_documents(f"k: {text}\n")[0]["k"]
    assert got == value and type(got) is type(value)


def test_cpu_one_thirty_is_an_invalid_quantity_not_ninety_cpus():
    """`cpu: 1:30` is the string "1:30" (kubectl), which is not a quantity."""
    text = POD.replace(
        "    image: busybox:1.28\n",
        "    image: busybox:1.28\n    resources: {limits: {cpu: 1:30}}\n",
        1,
    )
    errors = validate_pod(load_text(text).pod)
    assert [str(e) for e in errors][0].startswith(
        'spec.initContainers[0].resources.limits[cpu]: Invalid value: "1:30": quantities must match'
    )


def test_unquoted_dates_in_labels_args_and_env_are_strings():
    """kubectl accepts unquoted dates where a string is expected; so does validation."""
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {day: 2001-02-03}\n"
        "spec:\n  containers:\n  - name: a\n    image: x\n    args: [2001-02-30]\n"
        "    env: [{name: WHEN, value: 2001-02-03T04:05:06Z}]\n"
    )
    m = load_text(text)
    c = m.pod["spec"]["containers"][0]
    assert (m.pod["metadata"]["labels"]["day"], c["args"], c["env"][0]["value"]) == (
        "2001-02-03",
        ["2001-02-30"],
        "2001-02-03T04:05:06Z",
    )
    assert validate_pod(m.pod) == []


def test_mapping_keys_become_strings_as_kubectl_writes_them():
    """Non-string keys are spelled as sigs.k8s.io/yaml does (floats with 32-bit 'g')."""
    doc = parse_documents("{1: a, 1.5: b, y: c, 0x10: e, 1e3: f, 123456789012345678901234: h}")
    assert doc == [
        {"1": "a", "1.5": "b", "true": "c", "16": "e", "1000": "f", "1.2345679e+23": "h"}
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("k: .inf\n", "json: unsupported value: +Inf"),
        ("k: .NaN\n", "json: unsupported value: NaN"),
        ('k: "\\ud800"\n', "found invalid Unicode character escape code"),
        ("a: &x [1, *x]\n", "anchor 'x' value contains itself"),
        ("~: d\n", "a mapping key cannot be null"),
        ("[1, 2]: i\n", "invalid map key"),
    ],
)
def test_yaml_kubectl_refuses_is_refused_in_its_words(text, words):
    """What kubectl cannot convert to JSON is an input error naming the same problem."""
    with pytest.raises(InputError, match=re.escape(words)):
        parse_documents(text, "f")


def test_unknown_tags_are_ignored_like_go_yaml():
    """Tags go-yaml does not resolve leave plain data: a string, a mapping, a list."""
    assert parse_documents("a: !!timestamp 2001-01-01\nb: !foo 12\nc: !!set {x}\n") == [
        {"a": "2001-01-01", "b": "12", "c": {"x": None}}
    ]


# -- JSON as apimachinery decodes it ---------------------------------------------------------


def test_json_numbers_decode_as_int64_or_float64():
    """Beyond int64 a JSON integer is a float64 (kubectl prints 1.2345678901234568e+22)."""
    assert parse_documents('{"a": 12345678901234567890123, "b": 7, "c": 1.5}') == [
        {"a": 1.2345678901234568e22, "b": 7, "c": 1.5}
    ]


@pytest.mark.parametrize("number", ["1e400", "9" * 5000, "-" + "9" * 400])
def test_json_numbers_beyond_float64_are_refused(number):
    """kubectl: `cannot unmarshal number ... into Go value of type float64`; one short line."""
    with pytest.raises(InputError) as info:
        parse_documents('{"a": ' + number + "}", "f")
    assert "cannot unmarshal number" in str(info.value) and len(str(info.value)) < 200


def test_json_lone_surrogates_become_replacement_characters():
    """Go's encoding/json turns a lone surrogate escape into U+FFFD, in keys and values."""
    assert parse_documents('{"k\\udc00": ["\\ud800x", "\\ud83d\\ude00"]}') == [
        {"k\ufffd": ["\ufffdx", "\U0001f600"]}
    ]


# -- size limits, the same for YAML and JSON --------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_node_limit_is_the_same_for_yaml_and_json(fmt):
    """A list of MAX_NODES - 1 items (MAX_NODES nodes) passes; one more item is refused."""
    sep = ", " if fmt == "json" else ","
    ok = "[" + sep.join(["0"] * (MAX_NODES - 1)) + "]"
    over = "[" + sep.join(["0"] * MAX_NODES) + "]"
    if fmt == "yaml":
        ok, over = "--- " + ok, "--- " + over
    assert len(parse_documents(ok)[0]) == MAX_NODES - 1
    with pytest.raises(InputError, match=f"more than {MAX_NODES} nodes"):
        parse_documents(over, "f")


def test_alias_expansion_counts_toward_the_node_limit():
    """Aliases count as the copies they stand for; the error says so."""
    with pytest.raises(InputError) as info:
        load_text(HOSTILE["alias-bomb"][0], "bomb")
    assert "once aliases are expanded" in str(info.value)


def test_nesting_limit_is_the_same_for_yaml_and_json():
    """Depth 64 passes and 65 is refused, in both formats."""
    for depth, ok in ((MAX_DEPTH, True), (MAX_DEPTH + 1, False)):
        text = "[" * depth + "]" * depth
        for doc in (text, "--- " + text):
            if ok:
                parse_documents(doc)
            else:
                with pytest.raises(InputError, match=f"nesting deeper than {MAX_DEPTH}"):
                    parse_documents(doc)


# -- one bounded reader -----------------------------------------------------------------------


def test_a_fifo_is_refused_without_blocking(tmp_path):
    """A named pipe is refused before a byte is read (no writer: reading would hang)."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a FIFO, not a file"):
        read_bounded(fifo)


def test_a_device_is_refused_before_reading():
    """`/dev/zero` is a device: refused, not read for ever."""
    with pytest.raises(InputError, match="is a device, not a file"):
        read_bounded("/dev/zero")


def test_stdin_is_read_with_the_bound(monkeypatch):
    """Standard input stops at MAX_BYTES + 1 bytes: an endless stream is refused."""

    class Endless(io.RawIOBase):
        read_calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            Endless.read_calls += 1
            b[:] = b"a" * len(b)
            return len(b)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless())))
    with pytest.raises(InputError, match="<stdin>: larger than"):
        read_input("-")


@pytest.mark.parametrize(
    ("rel", "words"),
    [
        ("/etc/passwd", "is an absolute path"),
        ("../secret.yaml", "leads outside the scenario's directory"),
        ("sub/../../secret.yaml", "leads outside the scenario's directory"),
        ("link.yaml", "leads outside the scenario's directory"),
    ],
)
def test_relative_paths_stay_inside_the_scenario_directory(tmp_path, rel, words):
    """Absolute paths, `..` escapes and symlinks out of the directory are refused."""
    base = tmp_path / "scenarios"
    (base / "sub").mkdir(parents=True)
    (tmp_path / "secret.yaml").write_text("x: 1\n")
    (base / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(InputError, match=words):
        resolve_relative(base, rel, "podFile")
    assert resolve_relative(base, rel, "podFile", allow_outside=True).name in (
        "passwd",
        "secret.yaml",
        "link.yaml",
    )


def test_relative_paths_inside_the_directory_are_allowed(tmp_path):
    """`pods/app.yaml` and `sub/../app.yaml` resolve inside the directory."""
    assert resolve_relative(tmp_path, "pods/app.yaml", "podFile") == tmp_path / "pods/app.yaml"
    assert resolve_relative(tmp_path, "sub/../app.yaml", "podFile") == tmp_path / "sub/../app.yaml"
