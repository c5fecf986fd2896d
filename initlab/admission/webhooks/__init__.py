"""Built-in admission webhooks that inject init containers, after real projects.

- `base.py` — the data model (`Registration`, `Verdict`, `Context`, `Webhook`)
  and the AdmissionReview answer;
- `istio.py`, `linkerd.py`, `vault.py` — the injectors, each after its
  project's own code at a named version;
- `kyverno.py` — two Kyverno-style policies;
- here: the registry `WEBHOOKS`.
"""

from __future__ import annotations

from typing import Any

from initlab.admission.webhooks.base import (
    Context,
    Handler,
    Registration,
    Verdict,
    Webhook,
    answer,
    to_response,
)
from initlab.admission.webhooks.istio import (
    ISTIO_MODES,
    ISTIO_REGISTRATIONS,
    ISTIO_VERSION,
    ISTIO_VERSIONS,
    istio_inject,
)
from initlab.admission.webhooks.kyverno import (
    KYVERNO_MUTATE_REGISTRATIONS,
    KYVERNO_VALIDATE_REGISTRATIONS,
    kyverno_add_init,
    kyverno_require_resources,
)
from initlab.admission.webhooks.linkerd import (
    LINKERD_MODES,
    LINKERD_REGISTRATIONS,
    LINKERD_VERSION,
    LINKERD_VERSIONS,
    linkerd_inject,
)
from initlab.admission.webhooks.vault import VAULT_REGISTRATIONS, VAULT_VERSION, vault_inject
from initlab.api.versions import parse_version
from initlab.errors import InputError

__all__ = [
    "ISTIO_VERSION",
    "LINKERD_VERSION",
    "VAULT_VERSION",
    "SETTINGS",
    "WEBHOOKS",
    "Context",
    "Handler",
    "Registration",
    "Verdict",
    "Webhook",
    "answer",
    "parse_setting",
    "to_response",
]

# -- the registry ----------------------------------------------------------------------------

WEBHOOKS: dict[str, Webhook] = {
    "istio": Webhook(
        key="istio",
        type="mutating",
        handler=istio_inject,
        registrations=ISTIO_REGISTRATIONS,
        settings={"version": ISTIO_VERSION},
        summary="Istio sidecar injector in its version's default mode (1.26: classic, "
        "istio-init last among init containers, istio-proxy the last container; from 1.27 "
        "native on Kubernetes >= 1.33)",
        source="istio/istio 1.26.0 pkg/kube/inject; istio-discovery/files/injection-template.yaml",
    ),
    "istio-native": Webhook(
        key="istio-native",
        type="mutating",
        handler=istio_inject,
        registrations=ISTIO_REGISTRATIONS,
        settings={"version": ISTIO_VERSION, "mode": "native"},
        summary="Istio with native sidecars (ENABLE_NATIVE_SIDECARS; the default from 1.27 "
        "on Kubernetes >= 1.33): istio-init, istio-proxy (restartPolicy: Always), then the "
        "user's init containers",
        source="istio/istio 1.26.0 pkg/kube/inject (reorderPod); injection-template.yaml",
    ),
    "istio-cni": Webhook(
        key="istio-cni",
        type="mutating",
        handler=istio_inject,
        registrations=ISTIO_REGISTRATIONS,
        settings={"version": ISTIO_VERSION, "mode": "cni"},
        summary="Istio with the CNI plugin: istio-validation first, no istio-init; traffic "
        "is redirected before any container runs",
        source="istio/istio 1.26.0 injection-template.yaml (pilot.cni.enabled)",
    ),
    "linkerd": Webhook(
        key="linkerd",
        type="mutating",
        handler=linkerd_inject,
        registrations=LINKERD_REGISTRATIONS,
        settings={"native": False},
        summary="Linkerd proxy injector: linkerd-init + linkerd-proxy (linkerd.io/inject: enabled)",
        source="linkerd/linkerd2 controller/proxy-injector; charts/patch/templates/patch.json",
    ),
    "vault": Webhook(
        key="vault",
        type="mutating",
        handler=vault_inject,
        registrations=VAULT_REGISTRATIONS,
        summary="Vault Agent injector: vault-agent-init (+ vault-agent) and /vault/secrets",
        source="hashicorp/vault-k8s agent-inject/agent/agent.go (Patch)",
    ),
    "kyverno-add-init": Webhook(
        key="kyverno-add-init",
        type="mutating",
        handler=kyverno_add_init,
        registrations=KYVERNO_MUTATE_REGISTRATIONS,
        summary="Kyverno-style mutate policy: add wait-for-db to database clients",
        source="kyverno ClusterPolicy mutate.patchStrategicMerge (kyverno/policies samples)",
    ),
    "kyverno-require-resources": Webhook(
        key="kyverno-require-resources",
        type="validating",
        handler=kyverno_require_resources,
        registrations=KYVERNO_VALIDATE_REGISTRATIONS,
        summary="Kyverno-style validate policy: init containers need requests and limits",
        source="kyverno/policies best-practices/require-requests-limits",
    ),
}


# -- settings --------------------------------------------------------------------------------

_BOOL = {"true": True, "false": False}


def _istio_version(value: str) -> str:
    minor = ".".join(value.lstrip("v").split(".")[:2])
    if minor not in ISTIO_VERSIONS:
        raise ValueError(
            f"Istio {value} is not modelled (initlab models {', '.join(ISTIO_VERSIONS)})"
        )
    return value


def _linkerd_version(value: str) -> str:
    key = value.removeprefix("stable-").removeprefix("version-")
    key = ".".join(key.split(".")[:2])
    if key not in LINKERD_VERSIONS:
        known = ", ".join(LINKERD_VERSIONS)
        raise ValueError(f"Linkerd {value} is not modelled (initlab models {known})")
    return key


def _kubernetes_version(value: str) -> str:
    try:
        return parse_version(value, "--webhook-setting")
    except InputError as e:
        raise ValueError(e.message) from None


def _choice(options: tuple[str, ...]) -> Any:
    def check(value: str) -> str:
        if value not in options:
            raise ValueError(
                f'Unsupported value: "{value}": supported values: '
                + ", ".join(f'"{o}"' for o in options)
            )
        return value

    return check


def _bool(value: str) -> bool:
    if value.lower() not in _BOOL:
        raise ValueError(f'"{value}" is not true or false')
    return _BOOL[value.lower()]


_ISTIO_SETTINGS: dict[str, Any] = {
    "mode": _choice(ISTIO_MODES),
    "version": _istio_version,
    "kubernetesVersion": _kubernetes_version,
    "holdApplicationUntilProxyStarts": _bool,
    "network": str,
    "image": str,
}
#: The settings each built-in webhook reads, with their parsers (for the command line).
SETTINGS: dict[str, dict[str, Any]] = {
    "istio": _ISTIO_SETTINGS,
    "istio-native": _ISTIO_SETTINGS,
    "istio-cni": _ISTIO_SETTINGS,
    "linkerd": {"mode": _choice(LINKERD_MODES), "version": _linkerd_version},
    "vault": {},
    "kyverno-add-init": {"host": str, "port": str},
    "kyverno-require-resources": {},
}


def parse_setting(text: str, field: str = "--webhook-setting") -> tuple[str, str, Any]:
    """`WEBHOOK.KEY=VALUE` → (webhook, key, parsed value), or an InputError naming the field."""
    target, sep, value = text.partition("=")
    hook, dot, key = target.partition(".")
    if not sep or not dot or not hook or not key:
        raise InputError(f'expected WEBHOOK.KEY=VALUE, got "{text}"', field)
    if hook not in SETTINGS:
        raise InputError(f'unknown webhook "{hook}" (built-in: {", ".join(SETTINGS)})', field)
    parsers = SETTINGS[hook]
    if key not in parsers:
        known = ", ".join(parsers) or "none"
        raise InputError(f'webhook "{hook}" has no setting "{key}" (settings: {known})', field)
    try:
        return hook, key, parsers[key](value)
    except ValueError as e:
        raise InputError(str(e), field) from None
