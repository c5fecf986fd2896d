"""The simulation: the scenario format and the simpy process that waits and applies.

The kubelet's decisions come from `initlab.kubelet`; this package only moves
time forward, runs the fake container runtime and the world around the pod,
and records what happened.
"""

from initlab.sim.simulator import simulate

__all__ = ["simulate"]
