"""The pod worker: one sync at a time, and what one sync applies (`SyncPod`).

`pkg/kubelet/pod_workers.go` runs a pod's syncs one after another; a sync
requested while one runs makes the worker run again right after.
`pkg/kubelet/kubelet.go` `SyncPod` first generates and publishes the API
status from what the runtime reported at the start of the sync
(`generateAPIPodStatus`, here `initlab.kubelet.status.generate_api_pod_status`),
then `kuberuntime_manager.go` `SyncPod` computes the actions
(`initlab.kubelet.actions.compute_pod_actions`) and applies them in its
order: kill the pod or the listed containers, create the sandbox, start
init containers, start regular containers. The reason cache is updated
from each start's result.

Nothing here decides behaviour; it waits and applies.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from initlab.api.pod import is_restartable_init_container
from initlab.kubelet.actions import (
    EXITED,
    RUNNING,
    ContainerRecord,
    PodActions,
    compute_pod_actions,
    effective_grace_period,
)
from initlab.kubelet.backoff import Backoff, do_backoff, new_crash_loop_backoff
from initlab.kubelet.status import (
    DEADLINE_EXCEEDED,
    DEADLINE_MESSAGE,
    deadline_exceeded,
    generate_api_pod_status,
)
from initlab.sim.containers import SYNC_LATENCY, ContainerRuntime, StartFailure
from initlab.sim.context import PodContext, field_path, succeed_urgent

#: Creating a pod sandbox (RunPodSandbox + CNI), in seconds.
SANDBOX_SECONDS = 1.0
#: A sync that ends in an error is retried this much later (pod worker `backOffPeriod`).
ERROR_RESYNC = 10.0
#: Fold a run of identical back-off resyncs into one step (off: every resync is a simpy
#: wake-up, as the tests that compare both ways need).
_FAST_RESYNCS = True
#: Where `PodWorker._fingerprint` holds the reason cache.
_REASONS = 4


@dataclass(frozen=True)
class _BackoffRetry:
    """A sync that started nothing because of crash-loop back-off, as the next one would repeat it.

    While the state it was decided from (`fingerprint`) is unchanged and the
    earliest back-off has not expired (`until`), another sync decides the
    same: the same `BackOff` events, the same reasons, a retry `ERROR_RESYNC`
    later. Replaying it keeps a 30-day crash loop's thousands of retries cheap.
    """

    fingerprint: tuple[Any, ...]
    until: float
    events: list[tuple[str, str, str, str, str]]
    #: The fingerprint once the sync had written its reasons (CrashLoopBackOff) into the
    #: reason cache: the next sync publishes that status and then decides the same again.
    after: tuple[Any, ...] | None = None
    #: The back-off expiries the sync asked to be synced at, in order.
    expiries: tuple[float, ...] = ()


class PodWorker:
    """`podWorkers` for one pod, with the kubelet's per-pod state (status, back-off, reasons)."""

    def __init__(self, ctx: PodContext, containers: ContainerRuntime) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.containers = containers
        sc = ctx.sc
        self.crash_backoff: Backoff = new_crash_loop_backoff(
            sc.max_restart_period, sc.reduced_decay
        )
        #: `reasonCache`: why a container is waiting (CrashLoopBackOff, ErrImagePull, ...).
        self.reason_cache: dict[str, tuple[str, str]] = {}
        self.scheduled = False
        self.start_time: float | None = None
        self.evicted = False
        self.terminal_phase: str | None = None
        #: The worker has nothing left to do (terminal, unschedulable, or the pod is gone).
        self.done = False
        #: The syncs requested and not yet due: time -> its simpy timeout.
        self._pending: dict[float, simpy.Event] = {}
        self._last_fingerprint: tuple[Any, ...] | None = None
        self._dirty = False
        self._wake: simpy.Event | None = None
        #: computePodActions' answer for the last fingerprint it was asked about.
        self._actions: tuple[tuple[Any, ...], PodActions] | None = None
        #: The outcome of the last sync, if it only found containers in crash-loop back-off.
        self._retry: _BackoffRetry | None = None
        #: While a sync runs: the earliest back-off expiry among the containers it could not start.
        self._backoff_until: float | None = None
        #: While a sync runs: the back-off expiries it asked to be synced at.
        self._expiries: list[float] = []
        self._running_at_start: set[str] = set()
        #: The simulation ends at this time (inclusive): no resync past it is folded.
        self.horizon = float("inf")
        ctx.request_sync = self.request_sync

    # -- scheduling syncs ----------------------------------------------------------------

    def request_sync(self, delay: float = 0.0) -> None:
        """Sync the pod `delay` seconds from now (requests for the same instant merge)."""
        at = self.env.now + delay
        if at in self._pending:
            return
        due = self._pending[at] = self.env.timeout(delay)
        due.callbacks.append(self._on_due)

    def _on_due(self, ev: simpy.Event) -> None:
        self._pending.pop(self.env.now, None)
        self._dirty = True
        if self._wake is not None and not self._wake.triggered:
            succeed_urgent(self.env, self._wake)

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The worker loop: one sync at a time; requests during a sync run it again after."""
        while not self.ctx.gone and not self.done:
            if self._dirty:
                self._dirty = False
                yield from self.sync()
                continue
            self._wake = self.env.event()
            yield self._wake

    # -- the status ---------------------------------------------------------------------

    def _fingerprint(self) -> tuple[Any, ...]:
        """Everything the generated status depends on; equal fingerprints give equal statuses."""
        c = self.containers
        rt = c.runtime
        return (
            rt.has_sandbox,
            rt.sandbox_ready,
            rt.sandbox_attempt,
            tuple([(r.id, r.state, r.exit_code) for r in rt.containers]),
            tuple(sorted(self.reason_cache.items())) if self.reason_cache else (),  # _REASONS
            c.probe_generation,
            self.evicted,
            self.terminal_phase,
            self.ctx.metadata.get("deletionTimestamp"),
            id(self.ctx.spec),  # the spec is replaced, never mutated, when it changes
        )

    def publish(self) -> tuple[Any, ...]:
        """`generateAPIPodStatus` from the runtime as it is now; a frame if it changed.

        Returns the fingerprint of the state it was generated from.
        """
        fp = self._fingerprint()
        if fp == self._last_fingerprint:
            return fp  # nothing it depends on changed: the status would be identical
        self._last_fingerprint = fp
        ctx = self.ctx
        if self.start_time is None:
            self.start_time = self.env.now
            ads = ctx.spec.get("activeDeadlineSeconds")
            if isinstance(ads, int) and not isinstance(ads, bool) and ads >= 0:
                # active_deadline.go is consulted on every sync; the model syncs exactly then.
                self.request_sync(ads)
        c = self.containers
        prev = ctx.status
        inits, apps = ctx.containers()
        status, self.terminal_phase = generate_api_pod_status(
            ctx.pod,
            c.runtime,
            prev,
            now=self.env.now,
            start_time=self.start_time,
            pod_ip=c.sandbox_ip(),
            terminal_phase=self.terminal_phase,
            evicted=self.evicted,
            reason_cache=self.reason_cache,
            startup_results=c.startup_results,
            readiness_results=c.readiness_results,
            version=ctx.version,
            inits=inits,
            apps=apps,
        )
        changed = status != prev
        ctx.status = status
        if changed:
            ctx.record()
        return fp

    # -- the sync ----------------------------------------------------------------------------

    def sync(self) -> Generator[simpy.Event, Any, None]:
        """`SyncPod` (kubelet.go, then kuberuntime_manager.go) for the pod as it is now."""
        ctx = self.ctx
        c = self.containers
        if ctx.gone or self.done:
            return
        now = self.env.now
        if not self.evicted and deadline_exceeded(ctx.pod, self.start_time, now):
            self.evicted = True
            ctx.event("Normal", DEADLINE_EXCEEDED, "Pod", DEADLINE_MESSAGE)
        fp = self.publish()
        retry = self._retry
        if (
            retry is not None
            and now < retry.until
            and (retry.fingerprint == fp or (_FAST_RESYNCS and retry.after == fp))
        ):
            # Nothing changed since a sync that only found containers in back-off, and the
            # back-off has not expired: this sync decides the same, so replay its outcome.
            if retry.fingerprint != fp:
                # Only the reasons that sync wrote changed, and computePodActions and
                # doBackOff do not read them: a full sync would decide the same again,
                # asking again for the expiries (merged with those already asked for).
                for until in retry.expiries:
                    if until > now:
                        self.request_sync(until - now)
                retry = self._retry = _BackoffRetry(fp, retry.until, retry.events, fp)
            for kind in retry.events:
                ctx.events.append(now, kind)
            if not self._fold_resyncs(now, retry):
                self.request_sync(ERROR_RESYNC)
            return
        self._retry = None
        # The pod status this sync works from (`SyncPod`'s podStatus): startContainer reads
        # restart counts from it, even after purgeInitContainers dropped the records.
        status_at_start = list(c.runtime.containers)
        first_event = ctx.events.mark()
        self._running_at_start = {r.id for r in status_at_start if r.state == RUNNING}

        deleting = bool(ctx.metadata.get("deletionTimestamp"))
        if deleting or self.evicted or self.terminal_phase:
            self.reason_cache.clear()
            grace = effective_grace_period(ctx.pod)
            yield from c.kill(c.running_names(), grace)
            c.runtime.sandbox_ready = False
            self.publish()
            if self.terminal_phase or not c.running():
                self.done = True
                if deleting:
                    self.remove()
            return

        # computePodActions is a pure function of what the fingerprint covers but the
        # reason cache (it reads neither the reasons nor the API status they make).
        key = fp[:_REASONS] + fp[_REASONS + 1 :]
        if self._actions is None or self._actions[0] != key:
            self._actions = (
                key,
                compute_pod_actions(ctx.pod, c.runtime, c.startup_results, c.liveness_results),
            )
        actions = self._actions[1]
        errored = False
        only_backoff = not (
            actions.create_sandbox or actions.kill_pod or actions.containers_to_kill
        )
        if actions.create_sandbox and actions.sandbox_id:
            ctx.event(
                "Normal",
                "SandboxChanged",
                "Pod",
                "Pod sandbox changed, it will be killed and re-created.",
            )
        if actions.kill_pod:
            yield from c.kill(c.running_names(), effective_grace_period(ctx.pod))
            c.runtime.sandbox_ready = False
            if actions.create_sandbox:
                c.purge_init_containers({str(x.get("name")) for x in ctx.containers()[0]})
            else:
                self.request_sync(SYNC_LATENCY)
                return
        elif actions.containers_to_kill:
            for name, info in actions.containers_to_kill.items():
                yield from c.kill([name], effective_grace_period(ctx.pod), {name: info.message})

        if actions.create_sandbox:
            yield self.env.timeout(SANDBOX_SECONDS)
            c.create_sandbox(actions.attempt)
            self.request_sync(SYNC_LATENCY)

        inits, apps = ctx.containers()
        self._backoff_until = None
        self._expiries = []
        for idx in actions.init_containers_to_start:
            spec = inits[idx]
            ok = yield from self.start(spec, True, status_at_start)
            if not ok:
                errored = True
                only_backoff = only_backoff and self._backoff_until is not None
                if not is_restartable_init_container(spec):
                    break
            else:
                only_backoff = False
        else:
            for idx in actions.containers_to_start:
                ok = yield from self.start(apps[idx], False, status_at_start)
                if not ok:
                    errored = True
                    only_backoff = only_backoff and self._backoff_until is not None
                else:
                    only_backoff = False
        if errored:
            self.request_sync(ERROR_RESYNC)
            if only_backoff and self._backoff_until is not None and self.env.now == now:
                events = ctx.events.kinds_since(first_event)
                self._retry = _BackoffRetry(
                    fp, self._backoff_until, events, self._fingerprint(), tuple(self._expiries)
                )

    def _fold_resyncs(self, now: float, retry: _BackoffRetry) -> bool:
        """Run the resyncs that would replay `retry` before anything else happens, at once.

        A replayed sync records `retry.events` and asks for another sync
        `ERROR_RESYNC` later; so does every sync already requested (each
        chain of resyncs runs on). Until the next wake-up that is not one of
        these syncs (a world event, a probe, a container's exit: simpy's
        queue holds them all), the back-off's expiry (`retry.until`) or the
        end of the run (`horizon`), nothing changes, so those syncs decide
        the same. Their times are computed as the slow path computes them
        (each `t + ERROR_RESYNC`, merged when equal), their events recorded
        as one block, the requests they consumed withdrawn from the queue
        and the ones they leave scheduled. False (nothing done) if there is
        none to fold, the active deadline passes meanwhile, or a time could
        not be scheduled exactly; `_FAST_RESYNCS` off: always False.
        """
        if not _FAST_RESYNCS:
            return False
        env = self.env
        pending = self._pending
        ours = {id(ev) for ev in pending.values()}
        queue = env._queue  # (time, priority, id, event) heap: simpy's schedule
        other = min((q[0] for q in queue if id(q[3]) not in ours), default=float("inf"))
        due = min(other, retry.until)
        first = now + ERROR_RESYNC
        horizon = self.horizon
        times: array[float] = array("d")
        if not any(t < due and t <= horizon for t in pending):
            # one chain (the usual case): first, first + 10, ... while due
            t = first
            while t < due and t <= horizon:
                times.append(t)
                t += ERROR_RESYNC
            later = [] if t in pending else [t]
        else:
            heap = sorted({*pending, first})
            queued = set(heap)
            while heap and heap[0] < due and heap[0] <= horizon:
                t = heapq.heappop(heap)
                times.append(t)
                nxt = t + ERROR_RESYNC
                if nxt not in queued:
                    queued.add(nxt)
                    heapq.heappush(heap, nxt)
            later = [t for t in heap if t not in pending]
        if not times:
            return False
        if deadline_exceeded(self.ctx.pod, self.start_time, times[-1]) or any(
            now + (t - now) != t for t in later
        ):
            return False
        self.ctx.events.append_repeated(times, retry.events)
        consumed = {id(pending.pop(t)) for t in times if t in pending}
        if consumed:
            queue[:] = [q for q in queue if id(q[3]) not in consumed]
            heapq.heapify(queue)
        for t in sorted(later):
            self.request_sync(t - now)
        return True

    def start(
        self, spec: dict[str, Any], is_init: bool, status_at_start: list[ContainerRecord]
    ) -> Generator[simpy.Event, Any, bool]:
        """`SyncPod`'s `start`: the crash-loop back-off, then `startContainer`. True if started.

        Containers start one after another, in the order computePodActions
        lists them (`SyncPod` steps 6 and 7), each after the previous one's
        `startContainer` returned -- including its `postStart` hook.
        """
        ctx = self.ctx
        name = str(spec.get("name"))
        # doBackOff looks for the newest exited record in the sync's pod status: a
        # container this sync killed (liveness, changed definition) was running there.
        running = self._running_at_start
        last = next(
            (
                r
                for r in self.containers.runtime.containers
                if r.name == name and r.state == EXITED and r.id not in running
            ),
            None,
        )
        key = f"{ctx.name}_{ctx.namespace}_{ctx.uid}_{name}"
        decision = do_backoff(
            self.crash_backoff,
            key,
            last.finished_at if last else None,
            self.env.now,
            name,
            ctx.pod_ref,
        )
        if decision.in_backoff:
            until = decision.until if decision.until is not None else self.env.now
            self._backoff_until = (
                until if self._backoff_until is None else min(self._backoff_until, until)
            )
            ctx.event(
                "Warning",
                "BackOff",
                field_path(name, is_init),
                f"Back-off restarting failed container {name} in pod {ctx.pod_ref}",
            )
            self.reason_cache[name] = ("CrashLoopBackOff", decision.message)
            if decision.until is not None and decision.until > self.env.now:
                self._expiries.append(decision.until)
                self.request_sync(decision.until - self.env.now)
            return False
        prior = next((r for r in status_at_start if r.name == name), None)
        failure = yield from self.containers.start_container(spec, is_init, prior)
        if isinstance(failure, StartFailure):
            self.reason_cache[name] = (failure.reason, failure.message)
            return False
        self.reason_cache.pop(name, None)
        return True

    def restart_kubelet(self, remove_exited: bool = False) -> None:
        """The kubelet restarts; the sandbox and its running containers carry on.

        What the kubelet kept in memory is gone: the reason cache and the
        crash-loop and image back-off records (`kubelet.go` `NewMainKubelet`
        builds them empty). It rebuilds the pod from the runtime
        (`GetPodStatus`: restart counts live on the containers) and from
        the API's last status; the prober re-runs on the running containers
        and finds what it found before (the moments before its first runs,
        when `started` and `ready` may read false, are not modelled). With
        `remove_exited`, the runtime's exited container records were removed
        meanwhile (as upstream's e2e test does with `crictl rm`): then the
        API's last status is all the kubelet has of them, and an initialized
        pod's init containers are still not run again (`computeInitContainerActions`
        only looks at sidecars once a regular container runs).
        """
        from initlab.kubelet.backoff import new_image_backoff

        c = self.containers
        sc = self.ctx.sc
        self.reason_cache.clear()
        self.crash_backoff = new_crash_loop_backoff(sc.max_restart_period, sc.reduced_decay)
        c.image_backoff = new_image_backoff()
        if remove_exited:
            c.runtime.containers = [r for r in c.runtime.containers if r.state != EXITED]
        running = {r.id for r in c.runtime.containers if r.state == RUNNING}
        for results in (c.startup_results, c.readiness_results, c.liveness_results):
            for rid in [k for k in results if k not in running]:
                del results[rid]
        c.probe_generation += 1
        self._actions = None
        self._retry = None
        if not self.done:
            self.request_sync(SYNC_LATENCY)

    def remove(self) -> None:
        """The pod object leaves the API (its deletion finished)."""
        self.ctx.gone = True
        self.ctx.deleted_at = self.env.now
