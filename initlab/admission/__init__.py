"""Admission: the API server's webhook chain and the injectors that add init containers.

- `chain.py` — `admit(pod, webhooks, namespace=...)`: the built-in plugins
  (LimitRanger, PodSecurity, ResourceQuota) and the webhooks, with
  reinvocation, validation and validating admission, exactly as
  kube-apiserver orders them (`initlab.kubectl.render_admission` prints it).
- `controllers/` — the built-in plugins and the namespace that configures them.
- `webhooks.py` — Istio, Linkerd, Vault and Kyverno-style webhooks, after
  the real projects, and the registry `WEBHOOKS`.
- `review.py` — the AdmissionReview v1 wire format.
- `server.py` — a real HTTP(S) webhook server speaking AdmissionReview v1.
"""

from __future__ import annotations

from typing import Any

from initlab.admission.chain import (
    AdmissionRefused,
    AdmissionResult,
    PluginDecision,
    WebhookCall,
    WebhookConfig,
    admit,
    selector_matches,
)
from initlab.admission.controllers.namespace import Namespace
from initlab.admission.webhooks import WEBHOOKS, Context, Registration, Verdict, Webhook

__all__ = [
    "WEBHOOKS",
    "AdmissionRefused",
    "AdmissionResult",
    "Context",
    "Namespace",
    "PluginDecision",
    "Registration",
    "Verdict",
    "Webhook",
    "WebhookCall",
    "WebhookConfig",
    "admit",
    "make_server",
    "selector_matches",
    "serve",
]


def serve(*args: Any, **kwargs: Any) -> None:
    """See `initlab.admission.server.serve` (imported on use: the chain needs no sockets)."""
    from initlab.admission.server import serve as _serve

    _serve(*args, **kwargs)


def make_server(*args: Any, **kwargs: Any) -> Any:
    """See `initlab.admission.server.make_server`."""
    from initlab.admission.server import make_server as _make_server

    return _make_server(*args, **kwargs)
