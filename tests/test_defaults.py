"""API defaulting: one implementation (`pkg/apis/core/v1/defaults.go`) for every caller."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initlab.api.defaults import (
    apply_defaults,
    copy_json,
    default_pod_spec,
    image_pull_policy_default,
)
from initlab.api.loader import load_text
from initlab.api.validation import validate_pod

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("", "IfNotPresent"),  # ParseImageName fails; SetDefaults_Container ignores the error
        ("Nginx", "IfNotPresent"),  # upper case: not a reference, same
        ("nginx", "Always"),  # no tag: "latest"
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        (f"nginx@{DIGEST}", "IfNotPresent"),  # a digest and no tag: tag ""
        (f"nginx:latest@{DIGEST}", "Always"),  # the tag is still "latest"
        ("localhost:5000/team/app", "Always"),
        ("localhost:5000/team/app:v2", "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_parse_image_name(image, policy):
    """`SetDefaults_Container`: Always only when ParseImageName's tag is "latest"."""
    assert image_pull_policy_default(image) == policy


containers = st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b", "c"])},
    optional={
        "image": st.sampled_from(["", "nginx", "nginx:1.27", f"x@{DIGEST}", "Bad Image"]),
        "imagePullPolicy": st.sampled_from(["", None, "Never"]),
        "resources": st.fixed_dictionaries(
            {},
            optional={
                "limits": st.dictionaries(
                    st.sampled_from(["cpu", "memory"]), st.sampled_from(["1", "2Gi", "x"])
                ),
                "requests": st.none()
                | st.dictionaries(st.sampled_from(["cpu", "memory"]), st.sampled_from(["1"])),
            },
        ),
        "ports": st.lists(
            st.fixed_dictionaries(
                {"containerPort": st.integers(1, 3)},
                optional={"protocol": st.sampled_from(["", "UDP"]), "hostPort": st.just(0)},
            ),
            max_size=2,
        ),
        "readinessProbe": st.fixed_dictionaries(
            {"httpGet": st.fixed_dictionaries({"port": st.just(80)})},
            optional={"periodSeconds": st.sampled_from([0, 5])},
        ),
    },
)
specs = st.fixed_dictionaries(
    {"containers": st.lists(containers | st.none(), min_size=1, max_size=3)},
    optional={
        "initContainers": st.lists(containers, max_size=2),
        "restartPolicy": st.sampled_from(["", "Never"]),
        "hostNetwork": st.booleans(),
        "volumes": st.lists(st.fixed_dictionaries({"name": st.just("v")}), max_size=1),
    },
)


@settings(max_examples=300, deadline=None)
@given(specs)
def test_the_loader_and_validation_default_a_pod_the_same_way(spec):
    """The pod the loader stores and the spec validation checks are defaulted identically."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    before = copy.deepcopy(pod)
    assert apply_defaults(pod)["spec"] == default_pod_spec(spec, is_pod=True)
    assert pod == before  # neither changes its input


def test_a_template_gets_no_requests_from_limits():
    """`SetDefaults_Pod` runs on Pods only: a pod template keeps requests unset."""
    spec = {"containers": [{"name": "a", "image": "x", "resources": {"limits": {"cpu": "1"}}}]}
    assert "requests" not in default_pod_spec(spec, is_pod=False)["containers"][0]["resources"]
    assert default_pod_spec(spec)["containers"][0]["resources"]["requests"] == {"cpu": "1"}


def test_an_undecodable_limit_is_not_copied_into_requests():
    """The API server refuses it while decoding; validation reports it once, on limits."""
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - {name: a, image: x, resources: {limits: {cpu: 1:30}}}\n"
    )
    errors = validate_pod(load_text(text).pod)
    assert [e.field for e in errors] == ["spec.containers[0].resources.limits[cpu]"]


def test_host_network_ports_default_their_host_port():
    """`defaultHostNetworkPorts`: with hostNetwork, hostPort = containerPort (Pods only)."""
    spec = {"hostNetwork": True, "containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}
    assert default_pod_spec(spec)["containers"][0]["ports"][0]["hostPort"] == 80
    assert "hostPort" not in default_pod_spec(spec, is_pod=False)["containers"][0]["ports"][0]


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200)
@given(json_documents)
def test_copy_json_equals_the_original_and_shares_no_dict_or_list(doc):
    """copy_json is a deep copy: equal (NaN aside), and no container is shared with the input."""

    def containers(x: object) -> list[int]:
        if isinstance(x, dict):
            return [id(x)] + [i for v in x.values() for i in containers(v)]
        if isinstance(x, list):
            return [id(x)] + [i for v in x for i in containers(v)]
        return []

    copied = copy_json(doc)
    assert repr(copied) == repr(doc)
    assert not set(containers(copied)) & set(containers(doc))


def test_copy_json_deep_copies_what_is_not_plain_json():
    """A set or a dict subclass inside is copied as copy.deepcopy would, not shared."""

    class Labels(dict):
        pass

    inner = {"k": [1]}
    doc = {"tags": {1, 2}, "labels": Labels(a=inner)}
    copied = copy_json(doc)
    assert copied == doc and type(copied["labels"]) is Labels
    assert copied["tags"] is not doc["tags"] and copied["labels"]["a"] is not inner
    assert copy.deepcopy(doc) == copied


def test_copy_json_copies_a_structure_that_contains_itself():
    """A cyclic list (no JSON decoder makes one) is copied as copy.deepcopy does, cycle kept."""
    loop: list = [1]
    loop.append({"again": loop})
    copied = copy_json(loop)
    assert copied is not loop and copied[1]["again"] is copied
