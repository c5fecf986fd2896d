"""Built-in admission webhooks that inject init containers, after real projects.

- `base.py` — the data model (`Registration`, `Verdict`, `Context`, `Webhook`)
  and the AdmissionReview answer;
- `istio.py`, `linkerd.py`, `vault.py` — the injectors, each after its
  project's own code at a named version;
- `kyverno.py` — two Kyverno-style policies;
- here: the registry `WEBHOOKS`.
"""

from __future__ import annotations

from initlab.admission.webhooks.base import (
    Context,
    Handler,
    Registration,
    Verdict,
    Webhook,
    answer,
    to_response,
)
from initlab.admission.webhooks.istio import ISTIO_REGISTRATIONS, ISTIO_VERSION, istio_inject
from initlab.admission.webhooks.kyverno import (
    KYVERNO_MUTATE_REGISTRATIONS,
    KYVERNO_VALIDATE_REGISTRATIONS,
    kyverno_add_init,
    kyverno_require_resources,
)
from initlab.admission.webhooks.linkerd import (
    LINKERD_REGISTRATIONS,
    LINKERD_VERSION,
    linkerd_inject,
)
from initlab.admission.webhooks.vault import VAULT_REGISTRATIONS, VAULT_VERSION, vault_inject

__all__ = [
    "ISTIO_VERSION",
    "LINKERD_VERSION",
    "VAULT_VERSION",
    "WEBHOOKS",
    "Context",
    "Handler",
    "Registration",
    "Verdict",
    "Webhook",
    "answer",
    "to_response",
]

# -- the registry ----------------------------------------------------------------------------

WEBHOOKS: dict[str, Webhook] = {
    "istio": Webhook(
        key="istio",
        type="mutating",
        handler=istio_inject,
        registrations=ISTIO_REGISTRATIONS,
        settings={"version": ISTIO_VERSION, "mode": "classic"},
        summary="Istio 1.26 sidecar injector, classic mode: istio-init last among init "
        "containers, istio-proxy the last container",
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
