"""The per-spec caches of the simulated pod cannot go stale: a replaced spec is read anew."""

from __future__ import annotations

import simpy

from initlab.kubelet.probes import hash_container
from initlab.sim.containers import ContainerRuntime
from initlab.sim.context import PodContext, Services
from initlab.sim.scenario import load_scenario

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {
        "initContainers": [{"name": "init", "image": "busybox:1.36"}],
        "containers": [{"name": "app", "image": "nginx:1.27"}],
    },
}


def _context() -> PodContext:
    return PodContext(load_scenario({"pod": POD}), simpy.Environment())


def test_containers_are_read_again_when_the_spec_is_replaced() -> None:
    """`containers()` answers from the spec it was read from; update_spec gives new lists."""
    ctx = _context()
    inits, apps = ctx.containers()
    assert [c["name"] for c in inits] == ["init"]
    assert ctx.containers()[1] is apps
    ctx.update_spec(containers=[{"name": "web", "image": "nginx:1.28"}])
    assert [c["name"] for c in ctx.containers()[1]] == ["web"]
    assert [c["name"] for c in ctx.containers()[0]] == ["init"]


def test_pod_is_made_anew_when_a_part_is_replaced() -> None:
    """`pod` is shared while metadata, spec and status are the same objects, else rebuilt."""
    ctx = _context()
    first = ctx.pod
    assert ctx.pod is first
    ctx.status = {"phase": "Running"}
    assert ctx.pod is not first
    assert ctx.pod["status"] == {"phase": "Running"}
    ctx.update_metadata(labels={"a": "b"})
    assert ctx.pod["metadata"]["labels"] == {"a": "b"}
    ctx.update_spec(nodeName="node-2")
    assert ctx.pod["spec"]["nodeName"] == "node-2"


def test_container_hash_follows_a_replaced_container_spec() -> None:
    """The runtime's hash cache answers per spec object: a changed container gets its own hash."""
    ctx = _context()
    runtime = ContainerRuntime(ctx, Services(ctx.env))
    old = ctx.containers()[1][0]
    assert runtime._hash(old) == hash_container(old)
    ctx.update_spec(containers=[{**old, "image": "nginx:1.28"}])
    new = ctx.containers()[1][0]
    assert runtime._hash(new) == hash_container(new)
    assert runtime._hash(new) != runtime._hash(old)
