"""initlab's injectors against their projects' own golden files.

44 upstream cases (tests/data/injection/cases.json, inputs beside it): Istio
1.26.0 `pkg/kube/inject/testdata/inject/*.yaml` and their `.injected`
goldens, Linkerd stable-2.14.10 / version-2.15 `cli/cmd/testdata` and
proxy-injector cases, vault-k8s v1.7.0 handler and agent cases. Each case is
admitted through initlab's chain with the webhook and settings upstream's
test used; the admitted pod is read into field groups (init and container
order, proxy placement, the init container's args, securityContext and
resources, the proxy's args, ports, probes, hooks and mounts, volumes,
annotations and labels added, rewritten app probes) and every group must
equal upstream's. Beyond those cases, 57 more Istio goldens (every input its
`inject_test.go` runs with default settings) and 5 goldens with other settings
(Istio CNI, mesh-wide hold, Linkerd CNI) and 7 Linkerd goldens with default
values are compared group by group with the golden file itself.

`python tests/test_injection_goldens.py` prints the field-check count of the 44 cases.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from initlab.admission import WebhookConfig, admit  # noqa: E402
from initlab.api.loader import load_path  # noqa: E402
from initlab.api.quantity import parse as parse_quantity  # noqa: E402

DATA = ROOT / "tests" / "data" / "injection"
CASES: list[dict[str, Any]] = json.loads((DATA / "cases.json").read_text())["cases"]

INIT_NAMES = ("istio-init", "istio-validation", "linkerd-init", "linkerd-network-validator")
PROXY_NAMES = ("istio-proxy", "linkerd-proxy")
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


# -- reading a pod into field groups --------------------------------------------------------


def _cpu(q: Any) -> str:
    """CPU in millicores, the unit upstream's values files write (`2` → `2000m`)."""
    return f"{int(parse_quantity(str(q)).value * 1000)}m"


def _mem(q: Any) -> str:
    """Memory in the largest binary unit that divides it (`1073741824` → `1Gi`)."""
    n = int(parse_quantity(str(q)).value)
    for unit, size in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def _resources(res: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in ("requests", "limits"):
        g = (res or {}).get(group) or {}
        if g:
            out[group] = {
                k: (_cpu(v) if k == "cpu" else _mem(v) if k == "memory" else str(v))
                for k, v in g.items()
            }
    return out


_PROBE_ZERO = {
    "initialDelaySeconds": 0,
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def _probe(p: Any) -> Any:
    """A probe as the API server stores it: defaults filled, zero values shown."""
    if not isinstance(p, dict):
        return p
    out = {**_PROBE_ZERO, **p}
    if isinstance(out.get("httpGet"), dict):
        out["httpGet"] = {"path": "/", "scheme": "HTTP", **out["httpGet"]}
    return out


def _security(sc: Any) -> Any:
    """A securityContext with its capability lists as sets (sorted): order carries no meaning."""
    if not isinstance(sc, dict) or not isinstance(sc.get("capabilities"), dict):
        return sc
    caps = {k: sorted(v) for k, v in sc["capabilities"].items()}
    return {**sc, "capabilities": caps}


def _mounts(c: dict[str, Any]) -> list[str]:
    return sorted(
        f"{m['name']}:{m['mountPath']}" + (":ro" if m.get("readOnly") else "")
        for m in c.get("volumeMounts") or []
    )


def _volume_kind(v: dict[str, Any]) -> str:
    kinds = [k for k in v if k != "name"]
    if not kinds:
        return "emptyDir"
    kind = kinds[0]
    if kind == "emptyDir" and (v[kind] or {}).get("medium"):
        return f"emptyDir({v[kind]['medium']})"
    return kind


def _added(before: dict[str, str], after: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in after.items():
        if before.get(k) == v:
            continue
        out[k] = json.loads(v) if k == "sidecar.istio.io/status" else v
    return out


def _find(items: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any] | None:
    return next((c for c in items if c.get("name") in names), None)


def field_groups(case: dict[str, Any], result: Any, original: dict[str, Any]) -> dict[str, Any]:
    """The admitted pod read into the groups `expected` names."""
    pod = result.pod
    spec = pod.get("spec", {})
    inits: list[dict[str, Any]] = spec.get("initContainers") or []
    apps: list[dict[str, Any]] = spec.get("containers") or []
    patched = any(p["patch"] for p in result.patches)
    if not result.allowed:
        decision = f"denied: {result.message}"
    else:
        decision = "injected" if patched else "not injected"
    g: dict[str, Any] = {"decision": decision}
    g["init order"] = [c["name"] for c in inits]
    g["container order"] = [c["name"] for c in apps]

    init = _find(inits, INIT_NAMES)
    proxy = _find(inits, PROXY_NAMES) or _find(apps, PROXY_NAMES)
    where = "initContainers" if proxy is not None and proxy in inits else "containers"
    g["proxy placement"] = (
        None if proxy is None else {"list": where, "restartPolicy": proxy.get("restartPolicy")}
    )
    g["init args"] = (
        None
        if init is None
        else {"name": init["name"], "args": init.get("args"), "command": init.get("command")}
    )
    g["init securityContext"] = None if init is None else _security(init.get("securityContext"))
    g["init resources"] = None if init is None else _resources(init.get("resources"))
    g["proxy args"] = None if proxy is None else proxy.get("args")
    g["proxy ports"] = None if proxy is None else proxy.get("ports") or []
    g["proxy securityContext"] = None if proxy is None else _security(proxy.get("securityContext"))
    g["proxy resources"] = None if proxy is None else _resources(proxy.get("resources"))
    g["proxy probes"] = None if proxy is None else {p: _probe(proxy.get(p)) for p in PROBES}
    g["proxy lifecycle"] = None if proxy is None else proxy.get("lifecycle")
    g["proxy volumeMounts"] = None if proxy is None else _mounts(proxy)

    before = {v["name"] for v in original.get("spec", {}).get("volumes") or []}
    g["volumes added"] = sorted(
        f"{v['name']}: {_volume_kind(v)}"
        for v in spec.get("volumes") or []
        if v["name"] not in before
    )
    meta, ometa = pod.get("metadata", {}), original.get("metadata", {})
    g["annotations added"] = _added(ometa.get("annotations") or {}, meta.get("annotations") or {})
    g["labels added"] = _added(ometa.get("labels") or {}, meta.get("labels") or {})

    hooks: dict[str, Any] = {}
    for c in inits + apps:
        if c.get("name") in PROXY_NAMES:
            continue
        found = {
            k: _probe(c[k]) if k in PROBES else c[k] for k in (*PROBES, "lifecycle") if c.get(k)
        }
        if found:
            hooks[c["name"]] = found
    if proxy is not None:
        for env in proxy.get("env") or []:
            if env.get("name") == "ISTIO_KUBE_APP_PROBERS":
                hooks["(istio-proxy env ISTIO_KUBE_APP_PROBERS)"] = json.loads(env["value"])
    g["app probes and hooks"] = hooks

    ops = [p for call in result.patches for p in call["patch"]]
    g["patch ops (outside /spec/volumes)"] = [
        [p["op"], p["path"]] for p in ops if not p["path"].startswith("/spec/volumes")
    ]
    agent = _find(inits, ("vault-agent-init",))
    if agent is not None:
        g["agent-init command and args"] = {"command": agent["command"], "args": agent["args"]}
        g["agent-init resources"] = _resources(agent.get("resources"))
        g["agent-init volumeMounts"] = _mounts(agent)
    return g


# -- running a case ------------------------------------------------------------------------


def case_pod(case: dict[str, Any]) -> dict[str, Any]:
    """The case's input as initlab loads it, with the case's edits applied."""
    manifest = load_path(DATA / case["input"])
    pod = copy.deepcopy(manifest.pod)
    meta = pod.setdefault("metadata", {})
    edits = case.get("edits") or {}
    if "annotations" in edits:
        meta["annotations"] = {**(meta.get("annotations") or {}), **edits["annotations"]}
    if "apiVersion" in edits:
        pod["apiVersion"] = edits["apiVersion"]
    if "metadata.name" in edits:
        meta["name"] = edits["metadata.name"]
    if "volumes" in edits:
        pod["spec"]["volumes"] = (pod["spec"].get("volumes") or []) + edits["volumes"]
    if case.get("namespace"):
        meta["namespace"] = case["namespace"]
    return pod


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    pod = case_pod(case)
    result = admit(pod, [case["webhook"]], case["namespace_labels"])
    return field_groups(case, result, result.original)


def group_matches(name: str, expected: Any, got: Any) -> bool:
    """Equal, with two allowances upstream's goldens need: a value `*` in expected
    annotations or labels matches any value (versions, hashes), and a denial
    matches when the message contains the quoted text."""
    if name == "decision" and isinstance(expected, str) and expected.startswith("denied"):
        text = expected.split("'")[1]
        return isinstance(got, str) and got.startswith("denied") and text in got
    if name in ("annotations added", "labels added") and isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return False
        return all(v == "*" or got[k] == v for k, v in expected.items())
    return bool(expected == got)


def score() -> tuple[int, int, list[str]]:
    ok = total = 0
    misses: list[str] = []
    for case in CASES:
        got = run_case(case)
        for name, expected in case["expected"].items():
            total += 1
            if group_matches(name, expected, got.get(name)):
                ok += 1
            else:
                misses.append(f"{case['id']}: {name}")
    return ok, total, misses


# -- more upstream goldens, read directly ------------------------------------------------------

#: Upstream goldens for settings the 44 cases do not use: (id, input, golden, webhook
#: settings, annotations the test adds, webhook). Expected groups are read from the golden.
GOLDEN_FILES: list[tuple[str, str, str, dict[str, Any], dict[str, str], str]] = [
    (
        "istio/hello.cni",
        "istio/hello.yaml",
        "istio/hello.yaml.cni.injected",
        {"network": "network1"},
        {},
        "istio-cni",
    ),
    (
        "istio/proxy-override-runas.cni",
        "istio/proxy-override-runas.yaml",
        "istio/proxy-override-runas.yaml.cni.injected",
        {},
        {},
        "istio-cni",
    ),
    (
        "istio/hello.proxyHoldsApplication",
        "istio/hello.yaml",
        "istio/hello.proxyHoldsApplication.yaml.injected",
        {"holdApplicationUntilProxyStarts": True},
        {},
        "istio",
    ),
    (
        "istio/hello-probes.proxyHoldsApplication",
        "istio/hello-probes.yaml",
        "istio/hello-probes.proxyHoldsApplication.yaml.injected",
        {"holdApplicationUntilProxyStarts": True},
        {},
        "istio",
    ),
    (
        "linkerd/no_init_container (cniEnabled)",
        "linkerd/inject_emojivoto_deployment.input.yml",
        "linkerd/inject_emojivoto_deployment_no_init_container.golden.yml",
        {"mode": "cni", "version": "2.14"},
        {"linkerd.io/inject": "enabled"},
        "linkerd",
    ),
]
#: Values that name the build or the cluster, not the injector's behaviour.
_ANY_VALUE = ("linkerd.io/created-by", "linkerd.io/proxy-version", "linkerd.io/trust-root-sha256")


def _golden_groups(golden: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    def shape(pod: dict[str, Any]) -> Any:
        spec, meta = pod.get("spec", {}), pod.get("metadata", {})
        names = [c["name"] for k in ("initContainers", "containers") for c in spec.get(k) or []]
        return names, meta.get("annotations") or {}, meta.get("labels") or {}

    changed = shape(golden) != shape(original)
    patch = [{"op": "add", "path": "/"}] if changed else []
    admitted = SimpleNamespace(pod=golden, patches=[{"patch": patch}], allowed=True, message="")
    g = field_groups({}, admitted, original)
    g.pop("patch ops (outside /spec/volumes)")
    for k in _ANY_VALUE:
        if k in g["annotations added"]:
            g["annotations added"][k] = "*"
    return g


@pytest.mark.parametrize("entry", GOLDEN_FILES, ids=[e[0] for e in GOLDEN_FILES])
def test_injector_matches_upstream_golden_file(entry: tuple[Any, ...]) -> None:
    """Settings beyond the 44 cases (Istio CNI, mesh-wide hold, Linkerd CNI): every field
    group of the admitted pod equals the one read from upstream's golden file."""
    _, input_path, golden_path, settings, annotations, webhook = entry
    pod = copy.deepcopy(load_path(DATA / input_path).pod)
    pod["metadata"]["annotations"] = {**(pod["metadata"].get("annotations") or {}), **annotations}
    hook = WebhookConfig(webhook, settings=settings, namespace_selector=None, object_selector=None)
    result = admit(pod, [hook])
    golden = load_path(DATA / golden_path).pod
    expected = _golden_groups(golden, result.original)
    got = field_groups({}, result, result.original)
    wrong = {
        name: {"expected": value, "got": got.get(name)}
        for name, value in expected.items()
        if not group_matches(name, value, got.get(name))
    }
    assert wrong == {}


ISTIO_DEFAULT_GOLDENS: list[str] = json.loads((DATA / "cases.json").read_text())[
    "istio_default_goldens"
]["inputs"]


def _lowercase_name(pod: dict[str, Any]) -> dict[str, Any]:
    """Upstream names two Deployments `statusPort`, which the API server refuses: lowercased."""
    meta = pod["metadata"]
    meta["name"] = meta["name"].lower()
    for ref in meta.get("ownerReferences") or []:
        ref["name"] = ref["name"].lower()
    return pod


@pytest.mark.parametrize("name", ISTIO_DEFAULT_GOLDENS)
def test_istio_default_golden(name: str) -> None:
    """Istio 1.26.0's golden for each input its inject_test.go runs with default settings:
    every field group of the admitted pod equals the golden's (injected or left alone)."""
    pod = _lowercase_name(copy.deepcopy(load_path(DATA / "istio" / name).pod))
    hook = WebhookConfig("istio", namespace_selector=None, object_selector=None)
    result = admit(pod, [hook])
    golden = _lowercase_name(load_path(DATA / "istio" / f"{name}.injected").pod)
    expected = _golden_groups(golden, result.original)
    got = field_groups({}, result, result.original)
    wrong = {
        k: {"expected": v, "got": got.get(k)}
        for k, v in expected.items()
        if not group_matches(k, v, got.get(k))
    }
    assert wrong == {}


#: Istio 1.26.0 inject_test.go cases that must fail: input, text the error contains
#: (upstream compares it lowercased).
ISTIO_BAD_ANNOTATIONS = [
    ("traffic-annotations-bad-includeipranges.yaml", "includeipranges"),
    ("traffic-annotations-bad-excludeipranges.yaml", "excludeipranges"),
    ("traffic-annotations-bad-includeinboundports.yaml", "includeinboundports"),
    ("traffic-annotations-bad-excludeinboundports.yaml", "excludeinboundports"),
    ("traffic-annotations-bad-excludeoutboundports.yaml", "excludeoutboundports"),
]


@pytest.mark.parametrize(("name", "error"), ISTIO_BAD_ANNOTATIONS)
def test_istio_refuses_a_bad_traffic_annotation(name: str, error: str) -> None:
    """validateAnnotations: an unreadable traffic annotation fails injection, and the pod."""
    pod = copy.deepcopy(load_path(DATA / "istio" / name).pod)
    hook = WebhookConfig("istio", namespace_selector=None, object_selector=None)
    result = admit(pod, [hook])
    assert not result.allowed
    assert error in result.message.lower()
    assert "failed to run injection template: invalid value" in result.message


LINKERD_DEFAULT_GOLDENS: list[str] = json.loads((DATA / "cases.json").read_text())[
    "linkerd_default_goldens"
]["names"]


@pytest.mark.parametrize("name", LINKERD_DEFAULT_GOLDENS)
def test_linkerd_default_golden(name: str) -> None:
    """Linkerd stable-2.14.10's goldens for manual injection with default values:
    every field group of the admitted pod equals the golden's."""
    pod = copy.deepcopy(load_path(DATA / "linkerd" / f"{name}.input.yml").pod)
    pod["metadata"].setdefault("annotations", {})["linkerd.io/inject"] = "enabled"
    hook = WebhookConfig(
        "linkerd", settings={"version": "2.14"}, namespace_selector=None, object_selector=None
    )
    result = admit(pod, [hook])
    golden = load_path(DATA / "linkerd" / f"{name}.golden.yml").pod
    expected = _golden_groups(golden, result.original)
    got = field_groups({}, result, result.original)
    wrong = {
        k: {"expected": v, "got": got.get(k)}
        for k, v in expected.items()
        if not group_matches(k, v, got.get(k))
    }
    assert wrong == {}


#: The rest of vault-k8s v1.7.0 `agent-inject/handler_test.go` TestHandlerHandle: name,
#: annotations, extra mount on web-init (basicSpecWithMounts), expected error text or the
#: op+path list outside /spec/volumes (upstream strips values before comparing).
_V = "vault.hashicorp.com/"
_BASIC_OPS = [
    ["add", "/spec/containers/0/volumeMounts/-"],
    ["add", "/spec/initContainers/-"],
    ["add", "/spec/initContainers/0/volumeMounts/-"],
    ["add", "/spec/containers/-"],
    ["add", "/metadata/annotations/vault.hashicorp.com~1agent-inject-status"],
]
VAULT_HANDLER_CASES: list[tuple[str, dict[str, str], bool, Any]] = [
    (
        "tls pod injection",
        {_V + "agent-inject": "true", _V + "agent-configmap": "demo", _V + "tls-secret": "demo"},
        False,
        _BASIC_OPS,
    ),
    (
        "tls no configmap pod injection",
        {_V + "agent-inject": "true", _V + "role": "demo", _V + "tls-secret": "demo"},
        False,
        _BASIC_OPS,
    ),
    (
        "copy volume mounts pod injection",
        {
            _V + "agent-inject": "true",
            _V + "role": "demo",
            _V + "agent-copy-volume-mounts": "web-init",
        },
        True,
        _BASIC_OPS,
    ),
    (
        "invalid default template",
        {
            _V + "agent-inject": "true",
            _V + "role": "demo",
            _V + "agent-inject-default-template": "foobar",
        },
        False,
        "invalid default template type",
    ),
    (
        "shareProcessNamespaceAdded",
        {
            _V + "agent-inject": "true",
            _V + "role": "demo",
            _V + "agent-share-process-namespace": "true",
        },
        False,
        [*_BASIC_OPS[:3], ["add", "/spec/shareProcessNamespace"], *_BASIC_OPS[3:]],
    ),
]


@pytest.mark.parametrize("case", VAULT_HANDLER_CASES, ids=[c[0] for c in VAULT_HANDLER_CASES])
def test_vault_handler_case(case: tuple[str, dict[str, str], bool, Any]) -> None:
    """vault-k8s TestHandlerHandle: the same refusal, or the same patch operations."""
    _, annotations, with_mounts, expected = case
    pod = copy.deepcopy(load_path(DATA / "vault" / "handler_test.basicSpec.json").pod)
    pod["metadata"]["namespace"] = "test"
    pod["metadata"]["annotations"] = dict(annotations)
    if with_mounts:
        extra = {"name": "tobecopied", "mountPath": "/etc/somewhereelse"}
        pod["spec"]["initContainers"][0]["volumeMounts"].append(extra)
        pod["spec"]["volumes"].append({"name": "tobecopied", "emptyDir": {}})
    result = admit(pod, ["vault"])
    if isinstance(expected, str):
        assert not result.allowed and expected in result.message
        return
    ops = [[o["op"], o["path"]] for p in result.patches for o in p["patch"]]
    assert [o for o in ops if not o[1].startswith("/spec/volumes")] == expected
    if with_mounts:
        agent = next(
            c for c in result.pod["spec"]["initContainers"] if c["name"] == "vault-agent-init"
        )
        assert {"name": "tobecopied", "mountPath": "/etc/somewhereelse"} in agent["volumeMounts"]


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_injector_matches_upstream_golden(case: dict[str, Any]) -> None:
    """Every field group of the admitted pod equals upstream's golden."""
    got = run_case(case)
    wrong = {
        name: {"expected": expected, "got": got.get(name)}
        for name, expected in case["expected"].items()
        if not group_matches(name, expected, got.get(name))
    }
    assert wrong == {}


def test_group_matching_can_fail() -> None:
    """The comparison is not vacuous: a changed arg or a missing label is a miss."""
    case = next(c for c in CASES if c["id"] == "istio/hello")
    got = run_case(case)
    bad_args = copy.deepcopy(got["init args"])
    bad_args["args"][2] = "15002"
    assert not group_matches("init args", case["expected"]["init args"], bad_args)
    labels = dict(got["labels added"])
    labels.pop("security.istio.io/tlsMode")
    assert not group_matches("labels added", case["expected"]["labels added"], labels)


if __name__ == "__main__":
    ok, total, misses = score()
    for m in misses:
        print("miss:", m)
    print(f"{ok}/{total} field checks match upstream's goldens")
