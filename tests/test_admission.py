"""The admission chain (`initlab.admission.chain`) and the built-in injectors."""

from __future__ import annotations

import base64
import copy
import json
import os

import jsonpatch
import kubernetes_validate
import pytest
import yaml
from helpers import ROOT, statuses
from hypothesis import given, settings
from hypothesis import strategies as st

from initlab.admission import (
    WEBHOOKS,
    Registration,
    Verdict,
    Webhook,
    WebhookConfig,
    admit,
    selector_matches,
)
from initlab.admission.review import (
    InvalidResponse,
    denial_status,
    make_request,
    verify_response,
)
from initlab.api.loader import apply_defaults
from initlab.api.validation import validate_pod
from initlab.errors import InputError
from initlab.kubectl import render_admission

ISTIO_NS = {"istio-injection": "enabled"}


def _res() -> dict:
    return {
        "requests": {"cpu": "10m", "memory": "16Mi"},
        "limits": {"cpu": "50m", "memory": "32Mi"},
    }


@pytest.fixture
def pod() -> dict:
    """A pod with two user init containers, in a namespace-less manifest."""
    return apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web",
                "labels": {"app": "web", "app.kubernetes.io/component": "database-client"},
            },
            "spec": {
                "initContainers": [
                    {"name": "migrate", "image": "example/migrate:1.0", "resources": _res()},
                    {"name": "seed", "image": "example/seed:1.0", "resources": _res()},
                ],
                "containers": [
                    {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
                ],
            },
        }
    )


def _ann(pod: dict, **ann: str) -> dict:
    out = copy.deepcopy(pod)
    out["metadata"].setdefault("annotations", {}).update(ann)
    return out


def _vault(pod: dict, **extra: str) -> dict:
    return _ann(
        pod,
        **{
            "vault.hashicorp.com/agent-inject": "true",
            "vault.hashicorp.com/role": "web",
            "vault.hashicorp.com/agent-inject-secret-db-creds": "database/creds/web",
        },
        **extra,
    )


def _inits(result) -> list[str]:
    return [c["name"] for c in result.pod["spec"].get("initContainers", [])]


def _containers(result) -> list[str]:
    return [c["name"] for c in result.pod["spec"]["containers"]]


def _init(result, name: str) -> dict:
    return next(c for c in result.pod["spec"]["initContainers"] if c["name"] == name)


def _custom(name: str, handler, type_: str = "mutating", **reg) -> Webhook:
    return Webhook(name, type_, handler, (Registration(name=f"{name}.example.com", **reg),))


def _add_label(key: str, value: str):
    """A handler that adds one label (a change, every time it is not there yet)."""

    def handler(request, ctx):
        labels = request["object"]["metadata"].get("labels") or {}
        if labels.get(key) == value:
            return Verdict()
        path = "/metadata/labels/" + key.replace("~", "~0").replace("/", "~1")
        return Verdict(patch=[{"op": "add", "path": path, "value": value}])

    return handler


COMBOS = [
    ["istio"],
    ["istio-native"],
    ["linkerd"],
    ["vault"],
    ["kyverno-add-init"],
    ["istio", "kyverno-add-init", "vault", "kyverno-require-resources"],
    ["kyverno-add-init", "istio-native", "linkerd", "vault"],
    ["vault", "linkerd", "kyverno-add-init"],
]


def _everything(pod: dict) -> dict:
    p = _vault(pod)
    p["metadata"]["annotations"]["linkerd.io/inject"] = "enabled"
    return p


# -- patch fidelity and validity --------------------------------------------------------------


@pytest.mark.parametrize("hooks", COMBOS, ids=lambda h: "+".join(h))
def test_replaying_patches_on_the_request_gives_the_admitted_pod(pod, hooks):
    """Applying each returned JSONPatch in order to the object sent gives exactly the admitted pod."""
    result = admit(_everything(pod), hooks, ISTIO_NS)
    assert result.allowed, result.message
    doc = result.original
    for p in result.patches:
        doc = jsonpatch.apply_patch(doc, p["patch"])
    assert doc == result.pod
    assert result.pod != result.original
    assert all(not c.defaulted for c in result.calls)


@pytest.mark.parametrize("hooks", COMBOS, ids=lambda h: "+".join(h))
def test_every_admitted_pod_passes_api_validation(pod, hooks):
    """Injected init containers come out valid: the admitted pod passes validate_pod."""
    result = admit(_everything(pod), hooks, ISTIO_NS)
    assert result.allowed, result.message
    assert validate_pod(result.pod) == []


def test_admitted_pod_is_not_the_callers_object(pod):
    """admit never mutates its input."""
    before = copy.deepcopy(pod)
    admit(pod, ["istio"], ISTIO_NS)
    assert pod == before


# -- Istio ------------------------------------------------------------------------------------


def test_istio_init_runs_as_root_with_net_admin_and_net_raw(pod):
    """istio-init: the iptables args of the 1.26 template, root, NET_ADMIN and NET_RAW."""
    result = admit(pod, ["istio"], ISTIO_NS)
    init = _init(result, "istio-init")
    assert init["image"] == "docker.io/istio/proxyv2:1.26.0"
    assert init["args"] == [
        "istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
        "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020",
        "--log_output_level=default:info",
    ]  # fmt: skip
    sc = init["securityContext"]
    assert sc["capabilities"]["add"] == ["NET_ADMIN", "NET_RAW"]
    assert (sc["runAsUser"], sc["runAsNonRoot"]) == (0, False)


def test_istio_classic_puts_istio_init_last_after_the_users_init_containers(pod):
    """Classic mode (reorderPod): the user's init containers first, istio-init LAST; proxy last."""
    result = admit(pod, ["istio"], ISTIO_NS)
    assert _inits(result) == ["migrate", "seed", "istio-init"]
    assert _containers(result) == ["app", "istio-proxy"]
    assert "restartPolicy" not in result.pod["spec"]["containers"][1]


def test_istio_native_proxy_is_a_sidecar_right_after_istio_init(pod):
    """Native mode: istio-init, istio-proxy (restartPolicy Always, startupProbe), then the user's."""
    result = admit(pod, ["istio-native"], ISTIO_NS)
    assert _inits(result) == ["istio-init", "istio-proxy", "migrate", "seed"]
    assert _containers(result) == ["app"]
    proxy = _init(result, "istio-proxy")
    assert proxy["restartPolicy"] == "Always"
    assert proxy["startupProbe"]["httpGet"] == {
        "path": "/healthz/ready",
        "port": 15021,
        "scheme": "HTTP",
    }
    assert proxy["lifecycle"]["preStop"]["exec"]["command"][0] == "pilot-agent"


def test_istio_cni_puts_istio_validation_first_without_capabilities(pod):
    """CNI mode: no istio-init; istio-validation first, uid 1337, no NET_ADMIN, validation-only args."""
    result = admit(pod, ["istio-cni"], ISTIO_NS)
    assert _inits(result) == ["istio-validation", "migrate", "seed"]
    assert _containers(result) == ["app", "istio-proxy"]
    v = _init(result, "istio-validation")
    assert v["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert (v["securityContext"]["runAsUser"], v["securityContext"]["runAsNonRoot"]) == (1337, True)
    assert v["args"][-2:] == ["--run-validation", "--skip-rule-apply"]


def test_istio_hold_application_puts_the_proxy_first_with_pilot_agent_wait(pod):
    """holdApplicationUntilProxyStarts: istio-proxy is containers[0] with postStart pilot-agent wait."""
    p = _ann(pod, **{"proxy.istio.io/config": '{ "holdApplicationUntilProxyStarts": true }'})
    result = admit(p, ["istio"], ISTIO_NS)
    assert _containers(result) == ["istio-proxy", "app"]
    hook = result.pod["spec"]["containers"][0]["lifecycle"]["postStart"]
    assert hook == {"exec": {"command": ["pilot-agent", "wait"]}}


def test_istio_mesh_wide_hold_setting_does_the_same(pod):
    """The mesh-wide setting (values.global.proxy.holdApplicationUntilProxyStarts) holds every pod."""
    hook = WebhookConfig("istio", settings={"holdApplicationUntilProxyStarts": True})
    assert _containers(admit(pod, [hook], ISTIO_NS)) == ["istio-proxy", "app"]


@pytest.mark.parametrize(
    ("version", "kubernetes", "native"),
    [("1.26.0", "1.33", False), ("1.27.0", "1.33", True), ("1.27.0", "1.32", False)],
)
def test_istio_default_mode_follows_the_version(pod, version, kubernetes, native):
    """ENABLE_NATIVE_SIDECARS: false in 1.26; from 1.27 "auto" = native on Kubernetes >= 1.33 nodes."""
    hook = WebhookConfig(
        "istio", settings={"mode": None, "version": version, "kubernetesVersion": kubernetes}
    )
    result = admit(pod, [hook], ISTIO_NS)
    assert ("istio-proxy" in _inits(result)) is native


def test_istio_proxy_resource_annotations_size_istio_init_too(pod):
    """sidecar.istio.io/proxyCPU and friends set istio-proxy's AND istio-init's resources."""
    ann = {"sidecar.istio.io/proxyCPU": "300m", "sidecar.istio.io/proxyMemoryLimit": "512Mi"}
    result = admit(_ann(pod, **ann), ["istio"], ISTIO_NS)
    for c in (_init(result, "istio-init"), result.pod["spec"]["containers"][-1]):
        assert c["resources"]["requests"]["cpu"] == "300m"
        assert c["resources"]["limits"] == {"memory": "512Mi"}


def test_istio_traffic_annotations_change_istio_init_args(pod):
    """traffic.sidecar.istio.io/* become istio-iptables flags (-i, -x, -o, -d with the status port)."""
    ann = {
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8",
        "traffic.sidecar.istio.io/excludeOutboundPorts": "5432",
        "traffic.sidecar.istio.io/excludeInboundPorts": "9000",
    }
    args = _init(admit(_ann(pod, **ann), ["istio"], ISTIO_NS), "istio-init")["args"]
    assert args[args.index("-i") + 1] == "10.0.0.0/8"
    assert args[args.index("-o") + 1] == "5432"
    assert args[args.index("-d") + 1] == "15090,15021,9000,15020"


def test_istio_rewrites_http_probes_to_the_agent(pod):
    """An app's HTTP probe goes to the agent on 15020; the original is kept in ISTIO_KUBE_APP_PROBERS."""
    p = copy.deepcopy(pod)
    p["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 80}}
    result = admit(apply_defaults(p), ["istio"], ISTIO_NS)
    app = result.pod["spec"]["containers"][0]
    assert app["readinessProbe"]["httpGet"] == {
        "path": "/app-health/app/readyz",
        "port": 15020,
        "scheme": "HTTP",
    }
    env = {e["name"]: e.get("value") for e in result.pod["spec"]["containers"][-1]["env"]}
    assert json.loads(env["ISTIO_KUBE_APP_PROBERS"]) == {
        "/app-health/app/readyz": {"httpGet": {"path": "/ready", "port": 80}}
    }


def test_istio_merges_a_user_declared_istio_proxy(pod):
    """A user's istio-proxy container overrides the template field by field; its uid reaches istio-init."""
    p = copy.deepcopy(pod)
    p["spec"]["containers"].append(
        {"name": "istio-proxy", "image": "auto", "securityContext": {"runAsUser": 1234}}
    )
    result = admit(apply_defaults(p), ["istio"], ISTIO_NS)
    proxy = result.pod["spec"]["containers"][-1]
    assert proxy["image"] == "docker.io/istio/proxyv2:1.26.0"
    assert proxy["securityContext"]["runAsUser"] == 1234
    assert proxy["securityContext"]["readOnlyRootFilesystem"] is True
    args = _init(result, "istio-init")["args"]
    assert args[args.index("-u") + 1] == "1234"
    overrides = json.loads(result.pod["metadata"]["annotations"]["proxy.istio.io/overrides"])
    assert overrides["containers"][0]["securityContext"] == {"runAsUser": 1234}


@pytest.mark.parametrize(
    ("hook", "value", "native"),
    [("istio", "true", True), ("istio-native", "false", False)],
)
def test_native_sidecar_annotation_overrides_the_setting(pod, hook, value, native):
    """sidecar.istio.io/nativeSidecar on the pod wins over istiod's ENABLE_NATIVE_SIDECARS."""
    result = admit(_ann(pod, **{"sidecar.istio.io/nativeSidecar": value}), [hook], ISTIO_NS)
    assert ("istio-proxy" in _inits(result)) is native
    assert ("istio-proxy" in _containers(result)) is not native


def test_istio_adds_its_volumes_and_status_annotation(pod):
    """The template's volumes are added and sidecar.istio.io/status lists what was injected."""
    result = admit(pod, ["istio"], ISTIO_NS)
    vols = {v["name"]: v for v in result.pod["spec"]["volumes"]}
    for name in ("istio-envoy", "istio-data", "istio-podinfo", "istiod-ca-cert", "istio-token"):
        assert name in vols
    assert vols["istio-envoy"]["emptyDir"] == {"medium": "Memory"}
    status = json.loads(result.pod["metadata"]["annotations"]["sidecar.istio.io/status"])
    assert status["initContainers"] == ["istio-init"]
    assert status["containers"] == ["istio-proxy"]
    assert result.pod["metadata"]["labels"]["security.istio.io/tlsMode"] == "istio"


def test_istio_injection_is_idempotent(pod):
    """Admitting an already injected pod again returns an empty patch and changes nothing."""
    once = admit(pod, ["istio-native"], ISTIO_NS)
    twice = admit(once.pod, ["istio-native"], ISTIO_NS)
    assert [p["patch"] for p in twice.patches] == [[]]
    assert twice.pod == once.pod


@pytest.mark.parametrize("where", ["annotations", "labels"])
@pytest.mark.parametrize("value", ["false", "no", "off"])
def test_istio_opt_out_by_annotation_or_label(pod, where, value):
    """sidecar.istio.io/inject other than y/yes/true/on (label or annotation) opts the pod out."""
    p = copy.deepcopy(pod)
    p["metadata"].setdefault(where, {})["sidecar.istio.io/inject"] = value
    result = admit(p, ["istio"], ISTIO_NS)
    assert result.allowed
    assert _inits(result) == ["migrate", "seed"]
    assert result.pod == result.original


def test_istio_label_false_is_caught_by_the_object_selector(pod):
    """With the label, the API server does not even call Istio: objectSelector NotIn [false]."""
    p = copy.deepcopy(pod)
    p["metadata"]["labels"]["sidecar.istio.io/inject"] = "false"
    result = admit(p, ["istio"], ISTIO_NS)
    assert [c.called for c in result.calls] == [False, False]
    assert "objectSelector" in result.calls[0].skipped


def test_istio_needs_the_namespace_label(pod):
    """Without istio-injection=enabled on the namespace, neither Istio webhook is called."""
    result = admit(pod, ["istio"])
    assert [c.called for c in result.calls] == [False, False]
    assert result.calls[0].skipped.startswith(
        'namespaceSelector istio-injection in (enabled) does not match namespace "default"'
    )
    assert result.pod == result.original


def test_istio_object_webhook_injects_a_labelled_pod_in_an_unlabelled_namespace(pod):
    """sidecar.istio.io/inject=true as a pod label selects object.sidecar-injector.istio.io."""
    p = copy.deepcopy(pod)
    p["metadata"]["labels"]["sidecar.istio.io/inject"] = "true"
    result = admit(p, ["istio"])
    assert [(c.name, c.called) for c in result.calls] == [
        ("namespace.sidecar-injector.istio.io", False),
        ("object.sidecar-injector.istio.io", True),
    ]
    assert _inits(result)[-1] == "istio-init"


def test_istio_skips_kube_system(pod):
    """Istio never injects in kube-system (IgnoredNamespaces)."""
    p = copy.deepcopy(pod)
    p["metadata"]["namespace"] = "kube-system"
    result = admit(p, ["istio"], ISTIO_NS)
    assert result.pod == result.original


# -- Linkerd ----------------------------------------------------------------------------------


def test_linkerd_appends_linkerd_init_and_puts_the_proxy_first(pod):
    """linkerd-init goes LAST among init containers; the proxy is containers[0] (linkerd-await)."""
    result = admit(_ann(pod, **{"linkerd.io/inject": "enabled"}), ["linkerd"])
    assert _inits(result) == ["migrate", "seed", "linkerd-init"]
    assert _containers(result) == ["linkerd-proxy", "app"]
    init = _init(result, "linkerd-init")
    assert init["securityContext"]["capabilities"]["add"] == ["NET_ADMIN", "NET_RAW"]
    ops = [(o["op"], o["path"]) for o in result.patches[0]["patch"]]
    assert ("add", "/spec/initContainers/-") in ops
    assert ("add", "/spec/containers/0") in ops


def test_linkerd_native_sidecar_annotation(pod):
    """2.15 native sidecar: linkerd-init at index 0, the proxy (restartable) at 1, then the user's."""
    ann = {
        "linkerd.io/inject": "enabled",
        "config.alpha.linkerd.io/proxy-enable-native-sidecar": "true",
    }
    result = admit(_ann(pod, **ann), ["linkerd"])
    assert _inits(result) == ["linkerd-init", "linkerd-proxy", "migrate", "seed"]
    assert _init(result, "linkerd-proxy")["restartPolicy"] == "Always"
    assert _containers(result) == ["app"]


def test_linkerd_cni_mode_adds_the_network_validator_instead_of_linkerd_init(pod):
    """With linkerd-cni: linkerd-network-validator (no capabilities) where linkerd-init was."""
    hook = WebhookConfig("linkerd", settings={"mode": "cni"})
    result = admit(_ann(pod, **{"linkerd.io/inject": "enabled"}), [hook])
    assert _inits(result) == ["migrate", "seed", "linkerd-network-validator"]
    v = _init(result, "linkerd-network-validator")
    assert v["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert "linkerd-proxy-init-xtables-lock" not in {
        vol["name"] for vol in result.pod["spec"]["volumes"]
    }


def test_linkerd_2_14_knows_no_native_sidecar(pod):
    """The native-sidecar annotation arrived in 2.15: 2.14 injects the classic way."""
    ann = {
        "linkerd.io/inject": "enabled",
        "config.alpha.linkerd.io/proxy-enable-native-sidecar": "true",
    }
    hook = WebhookConfig("linkerd", settings={"version": "2.14"})
    result = admit(_ann(pod, **ann), [hook])
    assert _inits(result) == ["migrate", "seed", "linkerd-init"]
    assert _containers(result) == ["linkerd-proxy", "app"]


def test_linkerd_skip_ports_become_proxy_init_args(pod):
    """config.linkerd.io/skip-{inbound,outbound}-ports replace the defaults in linkerd-init's args."""
    ann = {
        "linkerd.io/inject": "enabled",
        "config.linkerd.io/skip-inbound-ports": "22",
        "config.linkerd.io/skip-outbound-ports": "5432",
    }
    args = _init(admit(_ann(pod, **ann), ["linkerd"]), "linkerd-init")["args"]
    assert args[args.index("--inbound-ports-to-ignore") + 1] == "4190,4191,22"
    assert args[args.index("--outbound-ports-to-ignore") + 1] == "5432"


def test_linkerd_namespace_annotation_and_pod_opt_out(pod):
    """The namespace's linkerd.io/inject: enabled applies unless the pod says disabled."""
    ns_ann = {"linkerd.io/inject": "enabled"}
    injected = admit(pod, ["linkerd"], namespace_annotations=ns_ann)
    opted_out = admit(
        _ann(pod, **{"linkerd.io/inject": "disabled"}), ["linkerd"], namespace_annotations=ns_ann
    )
    assert "linkerd-init" in _inits(injected)
    assert opted_out.pod == opted_out.original


def test_linkerd_refuses_a_pod_that_has_a_sidecar_already(pod):
    """Linkerd does not inject next to Istio, nor twice."""
    meshed = admit(_ann(pod, **{"linkerd.io/inject": "enabled"}), ["istio", "linkerd"], ISTIO_NS)
    assert "linkerd-init" not in _inits(meshed)
    once = admit(_ann(pod, **{"linkerd.io/inject": "enabled"}), ["linkerd"])
    twice = admit(once.pod, ["linkerd"])
    assert twice.pod == once.pod
    # the injected label linkerd.io/control-plane-ns keeps the API server from calling it at all
    assert not twice.calls[0].called and "linkerd.io/control-plane-ns" in twice.calls[0].skipped


# -- Vault ------------------------------------------------------------------------------------


def test_vault_agent_init_is_appended_last_with_the_secrets_volume(pod):
    """vault-agent-init goes last; vault-secrets (emptyDir Memory) is mounted at /vault/secrets."""
    result = admit(_vault(pod), ["vault"])
    assert _inits(result) == ["migrate", "seed", "vault-agent-init"]
    assert _containers(result) == ["app", "vault-agent"]
    vols = {v["name"]: v for v in result.pod["spec"]["volumes"]}
    assert vols["vault-secrets"] == {"name": "vault-secrets", "emptyDir": {"medium": "Memory"}}
    for c in result.pod["spec"]["initContainers"] + result.pod["spec"]["containers"]:
        assert {"name": "vault-secrets", "mountPath": "/vault/secrets"} in c["volumeMounts"]
    assert result.pod["metadata"]["annotations"]["vault.hashicorp.com/agent-inject-status"] == (
        "injected"
    )


def test_vault_agent_init_first_removes_and_readds_the_init_containers(pod):
    """agent-init-first: the patch removes the list and re-adds it with the agent first."""
    result = admit(_vault(pod, **{"vault.hashicorp.com/agent-init-first": "true"}), ["vault"])
    assert _inits(result) == ["vault-agent-init", "migrate", "seed"]
    ops = [(o["op"], o["path"]) for o in result.patches[0]["patch"]]
    assert ops.index(("remove", "/spec/initContainers")) < ops.index(
        ("add", "/spec/initContainers")
    )


def test_vault_pre_populate_only_has_no_sidecar(pod):
    """agent-pre-populate-only: the init container only, no vault-agent sidecar."""
    result = admit(
        _vault(pod, **{"vault.hashicorp.com/agent-pre-populate-only": "true"}), ["vault"]
    )
    assert _inits(result)[-1] == "vault-agent-init"
    assert _containers(result) == ["app"]


def test_vault_lists_the_requested_secrets(pod):
    """Each agent-inject-secret-<name> becomes /vault/secrets/<name> in the agent's config."""
    result = admit(_vault(pod), ["vault"])
    env = {e["name"]: e.get("value") for e in _init(result, "vault-agent-init")["env"]}
    cfg = json.loads(base64.b64decode(env["VAULT_CONFIG"]))
    assert [t["destination"] for t in cfg["template"]] == ["/vault/secrets/db-creds"]
    assert cfg["exit_after_auth"] is True
    assert "db-creds ← database/creds/web" in result.calls[0].note


def test_vault_without_a_role_is_denied_whatever_the_failure_policy(pod):
    """A denial is not a call failure: failurePolicy Ignore does not let the pod through."""
    p = _vault(pod)
    del p["metadata"]["annotations"]["vault.hashicorp.com/role"]
    result = admit(p, ["vault"])
    assert result.calls[0].failure_policy == "Ignore"
    assert not result.allowed
    assert result.message == (
        'admission webhook "vault.hashicorp.com" denied the request: '
        "error validating agent configuration: no Vault role found"
    )


def test_vault_refuses_system_namespaces(pod):
    """vault-k8s refuses kube-system and kube-public, in its own words."""
    p = _vault(pod)
    p["metadata"]["namespace"] = "kube-system"
    result = admit(p, ["vault"])
    assert not result.allowed
    assert result.message.endswith(
        "error with request namespace: cannot inject into system namespaces: kube-system"
    )


def test_vault_configmap_needs_no_role(pod):
    """With agent-configmap the agent's config comes from the ConfigMap: no role needed."""
    p = _vault(pod, **{"vault.hashicorp.com/agent-configmap": "agent-config"})
    del p["metadata"]["annotations"]["vault.hashicorp.com/role"]
    result = admit(p, ["vault"])
    assert result.allowed, result.message
    agent = _init(result, "vault-agent-init")
    assert agent["args"] == [
        "touch /home/vault/.vault-token && vault agent -config=/vault/configs/config-init.hcl"
    ]
    assert {"name": "vault-config", "mountPath": "/vault/configs", "readOnly": True} in agent[
        "volumeMounts"
    ]


def test_vault_unreadable_inject_annotation_is_denied(pod):
    """agent-inject is read with Go's ParseBool: "yes" is an error, and the pod is refused."""
    p = _vault(pod)
    p["metadata"]["annotations"]["vault.hashicorp.com/agent-inject"] = "yes"
    result = admit(p, ["vault"])
    assert not result.allowed
    assert 'strconv.ParseBool: parsing "yes": invalid syntax' in result.message


def test_vault_agents_share_the_service_account_token_read_only(pod):
    """The first container's ServiceAccount token mount is mounted read-only into the agents."""
    p = _vault(pod)
    p["spec"]["volumes"] = [{"name": "kube-api-access", "emptyDir": {}}]
    p["spec"]["containers"][0]["volumeMounts"] = [
        {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    ]
    result = admit(p, ["vault"])
    agent = _init(result, "vault-agent-init")
    assert {
        "name": "kube-api-access",
        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
        "readOnly": True,
    } in agent["volumeMounts"]


def test_vault_is_idempotent(pod):
    """agent-inject-status: injected makes a second pass a no-op."""
    once = admit(_vault(pod), ["vault"])
    twice = admit(once.pod, ["vault"])
    assert twice.patches[0]["patch"] == [] and twice.pod == once.pod


# -- Kyverno-style ----------------------------------------------------------------------------


def test_kyverno_adds_wait_for_db_only_to_matching_pods(pod):
    """The mutate rule matches app.kubernetes.io/component=database-client and appends wait-for-db."""
    matched = admit(pod, ["kyverno-add-init"])
    other = copy.deepcopy(pod)
    other["metadata"]["labels"]["app.kubernetes.io/component"] = "frontend"
    unmatched = admit(other, ["kyverno-add-init"])
    assert _inits(matched) == ["migrate", "seed", "wait-for-db"]
    assert _inits(unmatched) == ["migrate", "seed"]


def test_kyverno_require_resources_denies_in_kyvernos_words(pod):
    """An init container without limits is refused with Kyverno's blocked-policy message."""
    p = copy.deepcopy(pod)
    del p["spec"]["initContainers"][1]["resources"]["limits"]
    result = admit(p, ["kyverno-require-resources"])
    assert not result.allowed
    assert result.message == (
        'admission webhook "validate.kyverno.svc-fail" denied the request: '
        "\n\nresource Pod/default/web was blocked due to the following policies \n\n"
        "require-init-resources:\n  init-containers-have-resources: 'validation error: "
        "Init containers must set CPU and memory requests and limits. rule "
        "init-containers-have-resources failed at path /spec/initContainers/1/resources/limits/'\n"
    )
    assert result.status["code"] == 400


def test_injected_init_containers_satisfy_the_resources_policy(pod):
    """istio-init, vault-agent-init, linkerd-init and wait-for-db all set requests and limits."""
    hooks = ["istio-native", "vault", "kyverno-add-init", "kyverno-require-resources"]
    result = admit(_vault(pod), hooks, ISTIO_NS)
    assert result.allowed, result.message


# -- the chain: failure policy, timeouts, reinvocation, denial ----------------------------------


def test_timeout_with_failure_policy_fail_rejects_the_pod(pod):
    """A webhook that times out under failurePolicy Fail fails the request as an internal error."""
    result = admit(pod, [WebhookConfig("istio", behavior="timeout")], ISTIO_NS)
    assert not result.allowed
    assert result.status["code"] == 500
    assert result.message == (
        'Internal error occurred: failed calling webhook "namespace.sidecar-injector.istio.io": '
        'failed to call webhook: Post "https://istiod.istio-system.svc:443/inject?timeout=10s": '
        "context deadline exceeded"
    )


def test_timeout_with_failure_policy_ignore_fails_open_after_the_timeout(pod):
    """Under Ignore the pod is created without the injection, after waiting timeoutSeconds."""
    cfg = WebhookConfig("istio", behavior="timeout", failure_policy="Ignore", timeout_seconds=3)
    result = admit(pod, [cfg, "kyverno-add-init"], ISTIO_NS)
    assert result.allowed
    assert result.calls[0].ignored and result.calls[0].failure.endswith(
        '"https://istiod.istio-system.svc:443/inject?timeout=3s": context deadline exceeded'
    )
    assert result.seconds == 3
    assert _inits(result) == ["migrate", "seed", "wait-for-db"]


def test_unreachable_webhook_is_a_call_failure(pod):
    """A Service without endpoints: the API server's "no endpoints available" failure."""
    result = admit(pod, [WebhookConfig("kyverno-add-init", behavior="unreachable")])
    assert not result.allowed
    assert result.message.endswith('no endpoints available for service "kyverno-svc"')


def test_response_with_the_wrong_uid_is_an_invalid_response(pod):
    """The API server checks response.uid; a mismatch is a call failure, not a denial."""
    result = admit(pod, [WebhookConfig("kyverno-add-init", behavior="bad-uid")])
    assert not result.allowed
    assert "received invalid webhook response: expected response.uid=" in result.message
    ignored = admit(
        pod, [WebhookConfig("kyverno-add-init", behavior="bad-uid", failure_policy="Ignore")]
    )
    assert ignored.allowed and ignored.pod == ignored.original


def test_if_needed_webhook_is_reinvoked_once_when_a_later_webhook_changes_the_pod(pod):
    """IfNeeded: kyverno runs, Istio changes the pod, kyverno runs once more (round 1)."""
    result = admit(pod, ["kyverno-add-init", "istio"], ISTIO_NS)
    assert [(c.name, c.round, c.called) for c in result.calls] == [
        ("mutate.kyverno.svc-fail", 0, True),
        ("namespace.sidecar-injector.istio.io", 0, True),
        ("object.sidecar-injector.istio.io", 0, False),
        ("mutate.kyverno.svc-fail", 1, True),
    ]
    assert result.calls[-1].reinvoked and not result.calls[-1].changed


def test_never_policy_and_last_webhook_are_not_reinvoked(pod):
    """Istio (Never) is not reinvoked after Kyverno changes the pod; nothing runs a third time."""
    result = admit(pod, ["istio", "kyverno-add-init"], ISTIO_NS)
    assert [c.round for c in result.calls] == [0, 0, 0]


def test_reinvocation_sees_the_later_change():
    """A reinvoked webhook gets the object as later webhooks left it, and its change is kept."""
    seen = []

    def mirror(request, ctx):
        labels = request["object"]["metadata"].get("labels") or {}
        seen.append(dict(labels))
        if labels.get("b") == "2" and labels.get("a-saw-b") != "yes":
            return Verdict(
                patch=[{"op": "add", "path": "/metadata/labels/a-saw-b", "value": "yes"}]
            )
        if "a" not in labels:
            return Verdict(patch=[{"op": "add", "path": "/metadata/labels/a", "value": "1"}])
        return Verdict()

    a = _custom("a", mirror, reinvocation_policy="IfNeeded")
    b = _custom("b", _add_label("b", "2"))
    pod = apply_defaults(
        {
            "metadata": {"name": "p", "labels": {}},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
        }
    )
    result = admit(pod, [a, b])
    assert [c.round for c in result.calls] == [0, 0, 1]
    assert seen == [{}, {"a": "1", "b": "2"}]
    assert result.pod["metadata"]["labels"] == {"a": "1", "b": "2", "a-saw-b": "yes"}


def test_denial_message_is_the_api_servers(pod):
    """A denial reads `admission webhook "<name>" denied the request: <message>` and stops the chain."""
    deny = _custom("deny", lambda r, c: Verdict(allowed=False, message="no init containers today"))
    result = admit(pod, [deny, "kyverno-add-init"])
    assert not result.allowed
    assert result.message == (
        'admission webhook "deny.example.com" denied the request: no init containers today'
    )
    assert [c.name for c in result.calls] == ["deny.example.com"]


@pytest.mark.parametrize(
    ("status", "message", "code"),
    [
        (None, 'admission webhook "w" denied the request without explanation', 400),
        ({"reason": "Forbidden"}, 'admission webhook "w" denied the request: Forbidden', 400),
        ({"message": "m", "code": 403}, 'admission webhook "w" denied the request: m', 403),
        ({"message": "m", "code": 200}, 'admission webhook "w" denied the request: m', 400),
    ],
)
def test_to_status_err_table(status, message, code):
    """`ToStatusErr`: message, else reason, else "without explanation"; codes under 400 become 400."""
    out = denial_status("w", status)
    assert (out["message"], out["code"], out["status"]) == (message, code, "Failure")


def test_a_mutation_that_breaks_validation_makes_the_pod_invalid(pod):
    """After mutation the API server validates: a duplicate init container name is Invalid (422)."""
    dup = {"name": "migrate", "image": "busybox:1.36"}
    hook = _custom(
        "dup",
        lambda r, c: Verdict(patch=[{"op": "add", "path": "/spec/initContainers/-", "value": dup}]),
    )
    result = admit(pod, [hook])
    assert not result.allowed
    assert result.status["code"] == 422
    assert (
        result.message
        == 'Pod "web" is invalid: spec.initContainers[2].name: Duplicate value: "migrate"'
    )


@pytest.mark.parametrize(
    ("mutating", "response", "error"),
    [
        (True, {"uid": "other", "allowed": True}, 'expected response.uid="u", got "other"'),
        (True, {"uid": "u", "allowed": True, "patch": "W10="}, "webhook returned response.patch but not response.patchType"),
        (True, {"uid": "u", "allowed": True, "patchType": "JSONPatch"}, "webhook returned response.patchType but not response.patch"),
        (False, {"uid": "u", "allowed": True, "patch": "W10=", "patchType": "JSONPatch"}, "validating webhook may not return response.patch"),
        (False, {"uid": "u", "allowed": True, "patchType": "JSONPatch"}, "validating webhook may not return response.patchType"),
        (True, {"uid": "u", "allowed": True, "patch": "%%%", "patchType": "JSONPatch"}, "received undecodable patch in webhook response"),
    ],
)  # fmt: skip
def test_verify_admission_response_table(mutating, response, error):
    """`VerifyAdmissionResponse`: uid echo, patch and patchType together, none from validators."""
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}
    with pytest.raises(InvalidResponse) as e:
        verify_response("u", mutating, review)
    assert str(e.value).startswith(error)


def test_wrong_kind_of_response_is_refused():
    """A response that is not an admission.k8s.io/v1 AdmissionReview is refused."""
    review = {
        "apiVersion": "admission.k8s.io/v1beta1",
        "kind": "AdmissionReview",
        "response": {"uid": "u"},
    }
    with pytest.raises(InvalidResponse, match="expected webhook response of admission.k8s.io/v1"):
        verify_response("u", True, review)


def test_a_patch_that_does_not_apply_is_an_internal_error(pod):
    """A JSONPatch that cannot be applied fails the request whatever the failurePolicy."""
    hook = _custom(
        "broken",
        lambda r, c: Verdict(patch=[{"op": "replace", "path": "/spec/nothing/here", "value": 1}]),
        failure_policy="Ignore",
    )
    result = admit(pod, [hook])
    assert not result.allowed
    assert result.status["code"] == 500
    assert result.message.startswith("Internal error occurred: ")


def test_unknown_webhook_is_an_input_error(pod):
    """An unknown name lists the built-ins."""
    with pytest.raises(InputError) as e:
        admit(pod, ["envoy"])
    assert 'unknown webhook "envoy"' in str(e.value)
    assert "istio" in str(e.value)


def test_wrongly_typed_pod_does_not_raise():
    """A pod with `containers: "x"` goes through every webhook and comes back invalid, no exception."""
    bad = {
        "metadata": {"name": "x", "annotations": {"linkerd.io/inject": "enabled"}},
        "spec": {"containers": "x", "initContainers": 5},
    }
    result = admit(bad, list(WEBHOOKS), ISTIO_NS)
    assert not result.allowed and result.status["code"] == 400
    assert result.message == (
        'Pod in version "v1" cannot be handled as a Pod: '
        'spec.containers: Invalid value: "x": must be of type array'
    )
    assert result.calls == []
    for name in WEBHOOKS:  # and the handlers themselves cope with it
        WEBHOOKS[name].review(make_request(bad, "u", namespace="default")["request"])


# -- AdmissionReview ------------------------------------------------------------------------


def test_admission_review_request_shape(pod):
    """Each webhook receives an admission.k8s.io/v1 AdmissionReview for CREATE pods."""
    result = admit(pod, ["kyverno-add-init"], dry_run=True)
    review = result.calls[0].request
    assert review["apiVersion"] == "admission.k8s.io/v1" and review["kind"] == "AdmissionReview"
    req = review["request"]
    assert req["kind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert req["resource"] == {"group": "", "version": "v1", "resource": "pods"}
    assert (req["operation"], req["namespace"], req["name"], req["dryRun"]) == (
        "CREATE",
        "default",
        "web",
        True,
    )
    assert req["object"] == result.original
    assert req["userInfo"]["username"] == "kubernetes-admin"
    resp = result.calls[0].response
    assert resp["response"]["uid"] == req["uid"]
    assert resp["response"]["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(resp["response"]["patch"])) == result.patches[0]["patch"]


def test_request_for_generate_name_pod_has_no_name():
    """A pod with only generateName has no request.name yet."""
    review = make_request({"metadata": {"generateName": "web-"}}, "u", namespace="default")
    assert "name" not in review["request"]


def test_to_json_shape(pod):
    """to_json has the admitted pod, each patch by webhook, allowed, warnings and the log."""
    out = admit(pod, ["istio", "kyverno-require-resources"], ISTIO_NS).to_json()
    assert set(out) >= {"pod", "patches", "allowed", "warnings", "log"}
    assert [p["webhook"] for p in out["patches"]] == ["istio"]
    assert [entry["called"] for entry in out["log"]] == [True, False, True]
    json.dumps(out)


# -- selectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "labels", "match"),
    [
        (None, {}, True),
        ({}, {"a": "b"}, True),
        ({"matchLabels": {"a": "b"}}, {"a": "b"}, True),
        ({"matchLabels": {"a": "b"}}, {"a": "c"}, False),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["b", "c"]}]},
            {"a": "c"},
            True,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["b"]}]}, {}, True),
        (
            {"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["b"]}]},
            {"a": "b"},
            False,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "x"}, False),
        (
            {"matchLabels": {"x": "1"}, "matchExpressions": [{"key": "a", "operator": "Exists"}]},
            {"a": "1"},
            False,
        ),
    ],
)
def test_label_selector_semantics(selector, labels, match):
    """matchLabels AND matchExpressions; NotIn matches a missing key; empty matches all."""
    assert selector_matches(selector, labels) is match


def test_namespace_name_label_is_always_there(pod):
    """kubernetes.io/metadata.name is set on every namespace, so selectors may use it."""
    result = admit(pod, ["kyverno-add-init"], namespace_labels={})
    p = copy.deepcopy(pod)
    p["metadata"]["namespace"] = "kyverno"
    skipped = admit(p, ["kyverno-add-init"])
    assert result.calls[0].called and not skipped.calls[0].called


# -- rendering and manifests ----------------------------------------------------------------------


def test_render_shows_each_webhook_the_patch_and_the_diff(pod):
    """The text output names each webhook, prints its JSONPatch and a unified diff."""
    result = admit(pod, ["istio", "kyverno-add-init"], ISTIO_NS)
    text = render_admission(result, pod)
    assert "[mutating] namespace.sidecar-injector.istio.io (istio)" in text
    assert "JSONPatch from namespace.sidecar-injector.istio.io:" in text
    assert "--- pod (as sent)\n+++ pod (admitted)" in text
    assert "+  - name: istio-init" in text
    assert text.rstrip().endswith("pod/web created")
    assert "order the kubelet runs them: migrate, seed, istio-init, wait-for-db" in text


def test_render_denial_is_kubectls_error_line(pod):
    """A denied request prints `Error from server: admission webhook ... denied the request: ...`."""
    p = _vault(pod)
    del p["metadata"]["annotations"]["vault.hashicorp.com/role"]
    text = render_admission(admit(p, ["vault"]), p)
    assert text.rstrip().endswith(
        'Error from server: admission webhook "vault.hashicorp.com" denied the request: '
        "error validating agent configuration: no Vault role found"
    )


def _deploy_docs() -> list[tuple[str, dict]]:
    out = []
    for path in sorted((ROOT / "deploy" / "webhook").glob("*.yaml")):
        out += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d]
    return out


@pytest.mark.parametrize(
    ("name", "doc"), _deploy_docs(), ids=lambda x: x if isinstance(x, str) else x["kind"]
)
def test_webhook_manifests_are_valid_for_kubernetes_1_33(name, doc):
    """deploy/webhook/*.yaml pass the official 1.33 schema in strict mode."""
    kubernetes_validate.validate(doc, "1.33", strict=True)


def test_strict_schema_check_catches_a_typo():
    """The manifest check can fail: a misspelt field is refused."""
    _, doc = next(d for d in _deploy_docs() if d[1]["kind"] == "MutatingWebhookConfiguration")
    bad = copy.deepcopy(doc)
    bad["webhooks"][0]["failurePolicyy"] = "Fail"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, "1.33", strict=True)


def test_registered_paths_are_served():
    """The configuration's paths name built-in webhooks of the right type."""
    for _, doc in _deploy_docs():
        if doc["kind"] not in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            continue
        for wh in doc["webhooks"]:
            kind, _, name = wh["clientConfig"]["service"]["path"].strip("/").partition("/")
            assert WEBHOOKS[name].mutating == (kind == "mutate")
            assert (doc["kind"] == "MutatingWebhookConfiguration") == (kind == "mutate")


# -- example scenarios: the admitted pod, then what it does at start-up --------------------------

PSQL_REFUSED = (
    'psql: error: connection to server at "db.default.svc.cluster.local" (10.96.12.7), '
    "port 5432 failed: Connection refused"
)
ISTIO_VALIDATION_LOG = [
    "info  Starting iptables validation. This check verifies that iptables rules are properly "
    "established for the network.",
    "info  Validation passed, iptables rules established",
]
ISTIO_INIT_LOG = [
    "info  Istio iptables environment: ENVOY_PORT=15001 INBOUND_CAPTURE_PORT=15006 PROXY_UID=1337",
    "info  Running iptables-restore with: *nat -N ISTIO_INBOUND -N ISTIO_REDIRECT -N ISTIO_OUTPUT",
]

EXAMPLES: dict[str, dict] = {
    "admission-istio-classic-init-bypasses-mesh": {
        "webhooks": ["istio"],
        "user_init": True,
        "until": 60,
        "comment": """\
Istio's classic sidecar and an init container that needs the network.
`pod:` is what `initlab admit` returns for a pod with one init container, `migrate`,
in a namespace labelled istio-injection=enabled (webhook: istio, Istio 1.26, classic
mode). Istio's injector puts istio-init LAST among the init containers (reorderPod:
"we want iptables setup last so we do not blackhole init containers"). So `migrate`
runs first, before any iptables rule exists: it reaches the database directly and
succeeds -- but its traffic bypasses the mesh (no mTLS, no egress policy). Then
istio-init installs the redirection, then the app and istio-proxy start. Compare
admission-istio-cni-init-needs-network (the real trap) and
admission-istio-native-init-needs-network (the fix).""",
        "behavior": {
            "migrate": [{"run": 2, "log": ["migrated to version 42"]}],
            "istio-init": [{"run": 1, "log": ISTIO_INIT_LOG}],
        },
    },
    "admission-istio-cni-init-needs-network": {
        "webhooks": ["istio-cni"],
        "user_init": True,
        "until": 180,
        "comment": """\
The same pod with Istio's CNI plugin (webhook: istio-cni). There is no istio-init:
the CNI plugin installs the redirection when the pod's network is set up, before any
container runs, and the injector puts istio-validation FIRST to check it. So when
`migrate` dials the database, iptables already sends its connection to Envoy on
15001 -- but Envoy (istio-proxy) is an app container, started only after every init
container has succeeded. Nobody listens: Connection refused, again and again ->
Init:CrashLoopBackOff. Istio's documented workarounds: run the init container as
uid 1337, exclude its ports or IP ranges from redirection, or native sidecars
(admission-istio-native-init-needs-network).""",
        "behavior": {
            "istio-validation": [{"run": 1, "log": ISTIO_VALIDATION_LOG}],
            "migrate": [{"run": 2, "exit": 2, "log": [PSQL_REFUSED]}],
        },
    },
    "admission-istio-native-init-needs-network": {
        "webhooks": ["istio-native"],
        "user_init": True,
        "until": 60,
        "comment": """\
The same pod injected with native sidecars (webhook: istio-native: istiod's
ENABLE_NATIVE_SIDECARS=true, the annotation sidecar.istio.io/nativeSidecar: "true", or
Istio >= 1.27 on Kubernetes >= 1.33 nodes, where it is the default). The order is now
istio-init, then istio-proxy as an init container with restartPolicy: Always, then
`migrate`: the kubelet waits for the proxy's startupProbe before starting `migrate`,
which goes through a running Envoy -- inside the mesh, with mTLS -- and reaches the
database. Then the app starts; the proxy keeps running beside it (READY counts it: 2/2).""",
        "behavior": {
            "istio-init": [{"run": 1, "log": ISTIO_INIT_LOG}],
            "istio-proxy": [{"run": "forever", "startup": 2, "ready": 2}],
            "migrate": [{"run": 2, "log": ["migrated to version 42"]}],
        },
    },
    "admission-istio-init-rerun": {
        "webhooks": ["istio"],
        "user_init": False,
        "until": 400,
        "comment": """\
istio-init was not idempotent (before istio-iptables learnt to check for its own
rules): run a second time in a network namespace that still holds its ISTIO_*
chains, `iptables-restore` fails with "iptables: Chain already exists." Here the
pod sandbox is re-created at t=60 s and every init container runs again; the
behaviour scripts that second run to meet the old chains (as when the runtime
keeps the pod's network namespace). The re-run fails, and keeps failing with
back-off: a pod that was Running never runs again.""",
        "behavior": {
            "istio-init": [
                {"run": 1, "log": ISTIO_INIT_LOG},
                {"run": 1, "exit": 1, "log": ISTIO_INIT_LOG + ["iptables: Chain already exists."]},
            ]
        },
        "events": [{"at": 60, "action": "restart-sandbox"}],
    },
}


def example_source_pod(user_init: bool) -> dict:
    """The pod the admission examples start from, before any webhook."""
    spec: dict = {}
    if user_init:
        spec["initContainers"] = [
            {
                "name": "migrate",
                "image": "postgres:17",
                "command": ["sh", "-c", "psql -h db.default.svc.cluster.local -f up.sql"],
                "resources": _res(),
            }
        ]
    spec["containers"] = [
        {
            "name": "app",
            "image": "nginx:1.27",
            "ports": [{"containerPort": 80}],
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
        }
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": spec,
    }


def _example_text(name: str, spec: dict, pod: dict) -> str:
    """The scenario file: the comment, then until, the admitted pod, the behaviour, events."""
    doc: dict = {"until": spec["until"], "pod": pod, "behavior": spec["behavior"]}
    if spec.get("events"):
        doc["events"] = spec["events"]
    head = "".join(f"# {line}".rstrip() + "\n" for line in spec["comment"].splitlines())
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_admission_examples_hold_the_admitted_pod(name):
    """examples/admission-*.yaml carry exactly what admit() returns for their source pod
    (UPDATE_GOLDEN=1 rewrites them)."""
    spec = EXAMPLES[name]
    path = ROOT / "examples" / f"{name}.yaml"
    result = admit(example_source_pod(spec["user_init"]), spec["webhooks"], ISTIO_NS)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(_example_text(name, spec, result.pod))
    doc = yaml.safe_load(path.read_text())
    assert doc["pod"] == result.pod
    assert doc["behavior"] == spec["behavior"]


def test_classic_istio_user_init_runs_before_istio_init_and_succeeds():
    """Classic sidecar: migrate runs before istio-init (no redirection yet) and the pod runs."""
    from initlab import simulate

    result = simulate(ROOT / "examples" / "admission-istio-classic-init-bypasses-mesh.yaml")
    names = [s["name"] for s in result.final["initContainerStatuses"]]
    assert names == ["migrate", "istio-init"]
    assert result.final["status"] == "Running"
    assert result.final["ready"] == "2/2"
    assert "Init:CrashLoopBackOff" not in statuses(result)


def test_istio_cni_init_container_without_network_crash_loops():
    """Istio CNI: redirection precedes every container, so migrate cannot connect: Init:CrashLoopBackOff."""
    from initlab import simulate

    result = simulate(ROOT / "examples" / "admission-istio-cni-init-needs-network.yaml")
    assert "Init:CrashLoopBackOff" in statuses(result)
    assert result.final["phase"] == "Pending"
    first = result.final["initContainerStatuses"][0]
    assert first["name"] == "istio-validation"
    assert first["state"]["terminated"]["exitCode"] == 0


def test_native_istio_proxy_lets_the_init_container_reach_the_network():
    """Native sidecar: the proxy starts before `migrate`, which succeeds; the pod runs 2/2."""
    from initlab import simulate

    result = simulate(ROOT / "examples" / "admission-istio-native-init-needs-network.yaml")
    assert result.final["status"] == "Running"
    assert result.final["ready"] == "2/2"
    assert "Init:CrashLoopBackOff" not in statuses(result)


def test_istio_init_rerun_after_sandbox_recreation_is_stuck():
    """Re-running istio-init over its own state fails: Running, then stuck in Init."""
    from initlab import simulate

    result = simulate(ROOT / "examples" / "admission-istio-init-rerun.yaml")
    assert "Running" in statuses(result)
    assert result.final["status"] != "Running"
    istio_init = result.final["initContainerStatuses"][-1]
    assert istio_init["name"] == "istio-init"
    assert istio_init["lastState"]["terminated"]["exitCode"] == 1
    assert istio_init["restartCount"] >= 3


# -- webhook settings on the command line -------------------------------------------------------


def _admit_cli(capsys, *extra: str) -> tuple[int, str, str]:
    from initlab.cli import main

    path = ROOT / "tests" / "data" / "injection" / "istio" / "multi-init.yaml"
    code = main(["admit", str(path), "--namespace-label", "istio-injection=enabled", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_webhook_setting_selects_istio_1_27_native_default(capsys):
    """--webhook-setting istio.version=1.27.0: native sidecars, the 1.27 default on 1.35 nodes."""
    code, out, _ = _admit_cli(
        capsys, "--webhook", "istio", "--webhook-setting", "istio.version=1.27.0", "-o", "json"
    )
    assert code == 0
    inits = [c["name"] for c in json.loads(out)["pod"]["spec"]["initContainers"]]
    assert inits == ["istio-init", "istio-proxy", "init-one", "init-two"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("istio.version=1.25.0", "Istio 1.25.0 is not modelled (initlab models 1.26, 1.27)"),
        ("istio.mode=tproxy", 'Unsupported value: "tproxy"'),
        ("linkerd.version=2.13", "Linkerd 2.13 is not modelled"),
        ("istio.colour=blue", 'webhook "istio" has no setting "colour"'),
        ("istio", "expected WEBHOOK.KEY=VALUE"),
    ],
)
def test_cli_webhook_setting_refuses_what_initlab_does_not_model(capsys, setting, message):
    """An unmodelled version or unknown setting is refused in one line, exit 2."""
    code, _, err = _admit_cli(
        capsys, "--webhook", "istio", "--webhook", "linkerd", "--webhook-setting", setting
    )
    assert code == 2
    assert err.startswith("--webhook-setting: ") and message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("hook", ["istio", "istio-native", "istio-cni", "linkerd", "vault"])
def test_injectors_answer_wrongly_typed_pods_without_raising(hook):
    """A pod with null metadata/spec, junk containers or unreadable overrides is admitted with a patch that applies."""
    webhook = WEBHOOKS[hook]
    pods = [
        {"metadata": None, "spec": None},
        {
            "metadata": {
                "annotations": {
                    "linkerd.io/inject": "enabled",
                    "config.linkerd.io/admin-port": "abc",
                    "sidecar.istio.io/userVolume": "[1, 2]",
                    "proxy.istio.io/config": "::",
                    "vault.hashicorp.com/agent-inject": "true",
                    "vault.hashicorp.com/role": "r",
                }
            },
            "spec": {
                "containers": [
                    {"name": "a", "readinessProbe": {"httpGet": {"port": "nope"}}},
                    "junk",
                    7,
                ]
            },
        },
    ]
    for p in pods:
        verdict = webhook.review({"object": copy.deepcopy(p), "namespace": "default"})
        assert verdict.allowed is True
        jsonpatch.apply_patch(p, verdict.patch)  # the API server can apply what it answered


_keys = st.sampled_from(["metadata", "spec", "containers", "initContainers", "name", "image", "a"])
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.0, -0.0, 1.0, 2.5])
    | st.sampled_from(["x", "y", "nginx"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=5), st.dictionaries(_keys, _json, max_size=5))
def test_the_injectors_diff_is_jsonpatch_from_diff_without_moves(original, mutated):
    """_diff_patch equals jsonpatch's from_diff(optimization=False) of the defaulted pod: no move."""
    from initlab.admission.webhooks.base import _diff_patch

    before = copy.deepcopy(original)
    target = apply_defaults(mutated)
    expected = list(jsonpatch.JsonPatch.from_diff(original, target, optimization=False).patch)
    patch = _diff_patch(original, mutated)
    assert json.dumps(patch) == json.dumps(expected)  # the same operations, members in order
    assert {op["op"] for op in patch} <= {"add", "remove", "replace"}
    assert jsonpatch.apply_patch(original, patch) == target
    assert original == before


@settings(max_examples=300, deadline=None)
@given(st.lists(_json, max_size=5), st.lists(_json, max_size=5))
def test_list_item_keys_are_equal_exactly_when_the_items_are_equal_in_json(src, dst):
    """_item_keys pairs items as jsonpatch does: equal keys iff equal sorted-member JSON."""
    from initlab.admission.webhooks.base import _item_keys

    keys = [*_item_keys(src, dst)[0], *_item_keys(src, dst)[1]]
    texts = [json.dumps(jsonpatch._sorted_members(v)) for v in [*src, *dst]]
    for i, a in enumerate(texts):
        for j, b in enumerate(texts):
            assert (keys[i] == keys[j]) == (a == b)


def _istio_request(pod: dict) -> dict:
    return {"uid": "u", "namespace": "default", "operation": "CREATE", "object": pod}


def test_istio_injection_leaves_the_request_object_as_it_was():
    """The injector reads the request's object and never writes it (it diffs against it)."""
    pod = {
        "metadata": {"name": "web", "annotations": {"prometheus.io/port": "8080"}},
        "spec": {
            "volumes": [{"name": "data", "emptyDir": {}}],
            "initContainers": [{"name": "migrate", "image": "flyway"}],
            "containers": [
                {"name": "app", "image": "nginx", "readinessProbe": {"httpGet": {"port": 80}}},
                {"name": "istio-proxy", "securityContext": {"runAsUser": 1234}},
            ],
        },
    }
    before = copy.deepcopy(pod)
    for key in ("istio", "istio-native", "istio-cni"):
        verdict = WEBHOOKS[key].review(_istio_request(pod))
        assert verdict.allowed is True and verdict.patch
        assert pod == before, key


def test_istio_injected_containers_are_fresh_copies_of_the_rendered_template():
    """Changing one answer's injected containers does not change the next answer."""
    pod = {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "app", "image": "a"}]}}
    first = WEBHOOKS["istio"].review(_istio_request(copy.deepcopy(pod))).patch
    expected = copy.deepcopy(first)
    for op in first:  # scribble over every value the first answer handed out
        value = op.get("value")
        if isinstance(value, dict):
            value.clear()
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    item.clear()
    assert WEBHOOKS["istio"].review(_istio_request(copy.deepcopy(pod))).patch == expected


def test_istio_proxy_template_is_filled_with_each_pods_own_values():
    """Two pods with the same annotations share a rendered template but not its pod values."""

    def proxy_env(pod: dict) -> dict:
        patch = WEBHOOKS["istio"].review(_istio_request(pod)).patch
        proxy = next(op["value"] for op in patch if op["path"] == "/spec/containers/1")
        return {e["name"]: e.get("value") for e in proxy["env"]}

    owned = {
        "metadata": {
            "name": "api-7d4b9-x2x",
            "namespace": "shop",
            "labels": {"pod-template-hash": "7d4b9"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "api-7d4b9",
                    "controller": True,
                }
            ],
        },
        "spec": {"containers": [{"name": "api", "image": "a"}]},
    }
    bare = {"metadata": {"name": "solo"}, "spec": {"containers": [{"name": "x", "image": "b"}]}}
    env = proxy_env(owned)
    assert env["ISTIO_META_APP_CONTAINERS"] == "api"
    assert env["ISTIO_META_WORKLOAD_NAME"] == "api"
    assert env["ISTIO_META_OWNER"] == "kubernetes://apis/apps/v1/namespaces/shop/deployments/api"
    names = list(env)
    assert names.index("ISTIO_META_OWNER") == names.index("TRUST_DOMAIN") + 1
    env = proxy_env(bare)
    assert (env["ISTIO_META_APP_CONTAINERS"], env["ISTIO_META_WORKLOAD_NAME"]) == ("x", "solo")
    assert "ISTIO_META_OWNER" not in env
