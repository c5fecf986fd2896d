"""The API server's own admission plugins that decide about init containers.

- `limitranger.py` — LimitRanger: defaults and bounds from the namespace's LimitRanges;
- `podsecurity.py` — PodSecurity: the Pod Security Standards, versioned;
- `resourcequota.py` — ResourceQuota: what a pod is charged and when it is refused;
- `namespace.py` — the namespace that configures them (labels, LimitRanges, ResourceQuotas).

Each is a set of pure functions over plain dicts; `initlab.admission.chain`
calls them at their place in the API server's plugin order.
"""
