"""Admission: the API server's webhook chain and the injectors that add init containers.

- `chain.py` — `admit(pod, webhooks)`: mutating webhooks (with reinvocation),
  validation, validating webhooks, exactly as kube-apiserver orders them;
  `render_admission` for people.
- `webhooks.py` — Istio, Linkerd, Vault and Kyverno-style webhooks, after
  the real projects, and the registry `WEBHOOKS`.
- `review.py` — the AdmissionReview v1 wire format.
- `server.py` — a real HTTP(S) webhook server speaking AdmissionReview v1.
"""

from __future__ import annotations

from typing import Any

from initlab.admission.chain import (
    AdmissionResult,
    WebhookCall,
    WebhookConfig,
    admit,
    render_admission,
    selector_matches,
)
from initlab.admission.webhooks import WEBHOOKS, Context, Registration, Verdict, Webhook

__all__ = [
    "WEBHOOKS",
    "AdmissionResult",
    "Context",
    "Registration",
    "Verdict",
    "Webhook",
    "WebhookCall",
    "WebhookConfig",
    "admit",
    "make_server",
    "render_admission",
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
