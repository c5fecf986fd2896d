"""What the kubelet decides, as pure functions of (spec, runtime status, time).

`actions` (`computePodActions`), `backoff` (the crash-loop back-off) and
`status` (`generateAPIPodStatus`: container statuses, phase, conditions).
Nothing here waits or runs: the simulation in `initlab.sim` applies these
decisions. This package never imports simpy or `initlab.sim`.
"""
