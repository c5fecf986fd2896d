"""What the API server does with a Pod: read it, default it, validate it, size it, print it.

Pure functions, no simulation: `loader` (bounded YAML/JSON reading, workload
templates), `quantity` (resource quantities), `validation` (`validation.go`),
`resources` (`PodRequests`/`PodLimits`, QoS, node fit) and `printers`
(`printPod`, the server-side `kubectl get` columns).
"""
