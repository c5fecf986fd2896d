"""What a run leaves behind, as data the text views read (they never import the process).

`nslookup` is what the docs' busybox `until nslookup ...` loop prints; a
`waitFor` container's log is recorded as one entry that expands into a line
pair every `POLL_SECONDS`.
"""

from __future__ import annotations

import hashlib

#: A `waitFor` loop polls every 2 s (the docs' `sleep 2`).
POLL_SECONDS = 2.0


def nslookup(service: str, namespace: str, found: bool) -> list[str]:
    """What busybox 1.28 `nslookup` prints in the docs' `until nslookup ...` loop."""
    fqdn = f"{service}.{namespace}.svc.cluster.local"
    head = [
        "Server:    10.96.0.10",
        "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local",
        "",
    ]
    if found:
        n = int(hashlib.sha256(fqdn.encode()).hexdigest()[:4], 16)
        return head + [f"Name:      {fqdn}", f"Address 1: 10.96.{n // 256}.{n % 256} {fqdn}"]
    return head + [f"nslookup: can't resolve '{fqdn}'"]
