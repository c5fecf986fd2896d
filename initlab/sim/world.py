"""The world around the pod: the scheduler, Services, and the scenario's events.

- The scheduler (`pkg/scheduler/schedule_one.go`): the pod fits the
  scenario's node or not, by `initlab.api.resources.fits` (the
  `NodeResourcesFit` filter); if not, the pod stays Pending with
  `PodScheduled=False/Unschedulable` and a `FailedScheduling` event naming
  each insufficient resource; if so, it is bound (`spec.nodeName`) and
  `Scheduled` is recorded.
- The namespace's Services (`initlab.sim.context.Services`: what a
  `waitFor` container's DNS lookups find), created and deleted here.
- The scenario's world events, at their times: `create-service NAME`,
  `delete-service NAME`, `restart-sandbox` (the sandbox dies, like a node
  reboot), `delete-pod` (the API server sets `deletionTimestamp`), `update`
  (a patch of the Pod, validated as the API server validates updates:
  `initlab.api.validation.validate_pod_update`; a refused one leaves the pod
  unchanged and is recorded as a Warning `UpdateRejected` event carrying
  the API server's error, where `kubectl` would print `The Pod "web" is
  invalid: ...`), `restart-kubelet` (the kubelet restarts; the containers
  keep running).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from initlab.api.resources import fits, qos_class
from initlab.kubelet.actions import effective_grace_period
from initlab.kubelet.status import rfc3339
from initlab.sim.containers import ContainerRuntime
from initlab.sim.context import PodContext, Services
from initlab.sim.pod_worker import PodWorker


def failed_scheduling_message(insufficient: list[str]) -> str:
    """The scheduler's `FitError` message on a one-node cluster (`schedule_one.go`).

    `pkg/scheduler/framework/types.go` `FitError.Error`: `0/1 nodes are
    available: <reasons>.` then the preemption plugin's own FitError after
    `preemption: ` (`default_preemption.go` `PostFilter`; the reason `No
    preemption victims found for incoming pod` from `SelectVictimsOnNode`).
    The same from v1.29 to v1.35: the doubled full stop at the end
    (`...incoming pod..`) went in v1.28 (kubernetes/kubernetes#117588).
    """
    short = ", ".join(f"1 {reason}" for reason in insufficient)
    return (
        f"0/1 nodes are available: {short}. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    )


class World:
    """The scheduler and the scenario's world events, around one pod."""

    def __init__(
        self,
        ctx: PodContext,
        services: Services,
        containers: ContainerRuntime,
        worker: PodWorker,
    ) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.services = services
        self.containers = containers
        self.worker = worker

    def schedule(self) -> Generator[simpy.Event, Any, None]:
        """The API server creates the pod; the scheduler binds it; the kubelet picks it up."""
        ctx = self.ctx
        qos = qos_class(ctx.pod)
        ctx.status = {"phase": "Pending", "qosClass": qos}
        ctx.record()
        node = {k: v for k, v in ctx.sc.node.items() if k in ("cpu", "memory")}
        fit = fits(ctx.pod, node)
        if not fit.fits:
            why = failed_scheduling_message(fit.insufficient)
            ctx.status = {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": why,
                        "lastProbeTime": None,
                        "lastTransitionTime": rfc3339(0),
                    }
                ],
                "qosClass": qos,
            }
            ctx.event("Warning", "FailedScheduling", "Pod", why, source="default-scheduler")
            ctx.record()
            self.worker.done = True
            return
        ctx.update_spec(nodeName=ctx.node)
        ctx.status = {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": rfc3339(0),
                }
            ],
            "qosClass": qos,
        }
        self.worker.scheduled = True
        ctx.event(
            "Normal",
            "Scheduled",
            "Pod",
            f"Successfully assigned {ctx.namespace}/{ctx.name} to {ctx.node}",
            source="default-scheduler",
        )
        ctx.record()
        self.worker.request_sync(0)
        yield from ()

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The scenario's world events, each at its time."""
        for we in self.ctx.sc.events:
            if we.at > self.env.now:
                yield self.env.timeout(we.at - self.env.now)
            if self.ctx.gone:
                return
            if we.action == "create-service":
                self.services.create(we.arg)
            elif we.action == "delete-service":
                self.services.delete(we.arg)
            elif we.action == "restart-sandbox":
                self.containers.kill_sandbox()
            elif we.action == "delete-pod":
                self.delete_pod()
            elif we.action == "update":
                self.update_pod(we.patch or {})
            elif we.action == "restart-kubelet":
                self.worker.restart_kubelet(we.remove_exited)

    def update_pod(self, patch: dict[str, Any]) -> None:
        """`kubectl patch pod` (strategic merge): validated as an update, then the kubelet syncs.

        `ValidatePodUpdate` (`pkg/apis/core/validation/validation.go`) lets a
        running pod change only images, a lower `activeDeadlineSeconds`, added
        tolerations (and labels and annotations in metadata); anything else is
        refused with the API server's own error, and the pod stays as it was.
        """
        from initlab.api.patch import strategic_merge
        from initlab.api.validation import validate_pod_update

        ctx = self.ctx
        old = ctx.pod
        new = strategic_merge({k: v for k, v in old.items() if k != "status"}, patch)
        new["status"] = old["status"]
        errors = validate_pod_update(old, new)
        if errors:
            text = "; ".join(str(e) for e in errors)
            if len(errors) > 1:
                text = f"[{', '.join(str(e) for e in errors)}]"
            ctx.event(
                "Warning",
                "UpdateRejected",
                "Pod",
                f'Pod "{ctx.name}" is invalid: {text}',
                source="kube-apiserver",
            )
            return
        meta = new.get("metadata") if isinstance(new.get("metadata"), dict) else {}
        keep = {"name": ctx.name, "uid": ctx.uid}
        ctx.metadata = {**meta, **keep, "creationTimestamp": ctx.metadata["creationTimestamp"]}
        ctx.spec = new["spec"]
        ctx.record()
        if not self.worker.done:
            self.worker.request_sync(0)

    def delete_pod(self) -> None:
        """`kubectl delete pod`: the API server sets deletionTimestamp; the kubelet terminates."""
        ctx = self.ctx
        if ctx.metadata.get("deletionTimestamp"):
            return
        grace = effective_grace_period(ctx.pod)
        ctx.update_metadata(
            deletionGracePeriodSeconds=int(grace),
            deletionTimestamp=rfc3339(self.env.now + grace),
        )
        ctx.record()
        if self.worker.done or not self.worker.scheduled:
            self.worker.remove()
            return
        self.worker.request_sync(0)
