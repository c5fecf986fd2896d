"""The simulation: simpy processes that wait and apply the kubelet's decisions.

Nothing here decides behaviour: `initlab.kubelet.actions` says which containers to
kill and start, `initlab.kubelet.backoff` says whether a restart must wait,
`initlab.kubelet.status` says what the API status looks like, and
`initlab.api.printers.print_pod` says what `kubectl get` prints. The process
is split the way the kubelet splits `kuberuntime_{manager,container,image}.go`:

- `initlab.sim.pod_worker`: the pod worker and what one `SyncPod` applies;
- `initlab.sim.containers`: the fake container runtime (images, start, a
  container's run, exit, kill, probes);
- `initlab.sim.world`: the scheduler, Services and the scenario's events;
- `initlab.sim.context`: the pod's identity, clock, API object and events;
- `initlab.sim.result`: what a run leaves behind (frames, events, logs);
- `initlab.sim.periodic`: a crash loop that repeats itself exactly is
  simulated until three cycles match, then written out from the last one.

This module wires them together and runs the clock: `simulate()`.

How a sync runs (`pkg/kubelet/kubelet.go` `SyncPod`): first the API status
is generated from what the runtime reported *at the start* of the sync and
published; then `computePodActions` runs and its actions are applied; then
the reason cache is updated from the results. So, as on a real node, what
`kubectl get -w` shows lags the runtime by one sync: an init container that
crashes shows `Init:Error` first, and `Init:CrashLoopBackOff` only at the
next sync, after the kubelet decided to back off.

Timing model (seconds; every value is a simplification, stated here):

- `SYNC_LATENCY` = 1: PLEG relist period. A container that starts or exits
  is noticed, and the pod synced, 1 s later.
- `SANDBOX_SECONDS` = 1: creating a pod sandbox (RunPodSandbox + CNI).
- `PULL_SECONDS` = 1: pulling an image (or failing to). Images are not on
  the node at time 0; `IfNotPresent` then finds them "already present".
- `ERROR_RESYNC` = 10: a sync that ends in an error (back-off, failed pull)
  is retried 10 s later (pod worker `backOffPeriod`; its jitter is dropped),
  and also exactly when a crash-loop or image back-off expires. The real
  kubelet restarts at the first re-sync after the expiry, so real gaps are
  a few seconds longer than 10, 20, 40...
- Probe results trigger a sync at once, as the probe managers' update
  channels do. A startup or readiness probe passes at its scripted time
  (`startup`, `ready`; default `initialDelaySeconds`); `startup: fail` and
  `liveness: {failAfter: N}` make a probe fail on the prober's schedule
  (`initlab.kubelet.probes`: runs every `periodSeconds` from the start,
  skipped inside `initialDelaySeconds`, Failure after `failureThreshold`
  failures in a row), each failed run an `Unhealthy` event; the kubelet
  then kills the container (and starts it again unless the pod's
  restartPolicy says no; a sidecar always). Readiness never turns false
  after passing, and the prober's start-up jitter is not modelled.
- A container answers SIGTERM as its `onTerm` says: exit CODE `after`
  seconds (default: 143 after `stop`, 0 s), or `ignore` it; past its
  grace period it is SIGKILLed with 137.
- An `update` event patches the Pod (strategic merge), validated as the
  API server validates updates; the kubelet restarts a running container
  or sidecar whose definition changed (its spec hash) and never re-runs a
  regular init container for it. `restart-kubelet` empties the kubelet's
  memory (reason cache, back-offs) while the containers keep running. A
  terminating pod's containers all get `Killing` at once; sidecars wait
  their turn (`kuberuntime_termination_order.go`), each on its own timer of
  the grace period, so those still waiting when it ends stop together.
- A `lifecycle.postStart` hook takes the scenario's `postStart` seconds
  (default 0) and blocks the sync: the next container starts after it; a
  failing one kills its container (`FailedPostStartHook`). A
  `lifecycle.preStop` hook runs for `preStop` seconds when its container is
  stopped, before SIGTERM and before a sidecar waits its turn, and its
  whole seconds come off the grace period.
- `restart-sandbox` kills the sandbox and its containers at once (exit
  137), like a node reboot or a lost pause container; the kubelet then
  re-creates it. The first init container, started by the re-creating
  sync, counts on (`restartCount` old + 1: startContainer reads the pod
  status from before `purgeInitContainers`); the later ones start at 0
  (the kubelet counts the log files, which the purge removed); regular
  containers keep counting.
- The Kubernetes release (`kubernetesVersion`, default the newest modelled)
  selects the version-dependent rules (`initlab.api.versions`).

Time 0 is the pod's creation; API timestamps count from
`initlab.kubelet.status.EPOCH`. The pod UID is derived from namespace and name
(uuid5), so the same scenario always produces identical output. With no
`until`, the simulation runs until nothing is left to happen, or at most
`STABLE_CAP` (3600 s) -- a crash loop never settles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import simpy

from initlab.errors import InputError
from initlab.sim import periodic
from initlab.sim.containers import PULL_SECONDS, SYNC_LATENCY, ContainerRuntime
from initlab.sim.context import DEFAULT_NODE, PodContext, Services, pod_uid
from initlab.sim.periodic import FastForward
from initlab.sim.pod_worker import ERROR_RESYNC, SANDBOX_SECONDS, PodWorker
from initlab.sim.result import Frame, Result
from initlab.sim.scenario import MAX_UNTIL, STABLE_CAP, Scenario, load_scenario
from initlab.sim.world import World

__all__ = [
    "MAX_EVENTS",
    "MAX_FRAMES",
    "MAX_STEPS",
    "DEFAULT_NODE",
    "ERROR_RESYNC",
    "PULL_SECONDS",
    "SANDBOX_SECONDS",
    "SYNC_LATENCY",
    "PodSimulation",
    "Result",
    "pod_uid",
    "simulate",
]


#: The work one simulation may do: simpy steps, recorded frames (observed changes of the
#: pod) and events. A 30-day crash loop at the default back-off has 26,000 frames and
#: 290,000 events; simulated in full it takes 575,000 steps (with its shortcuts, 115).
MAX_STEPS = 5_000_000
MAX_FRAMES = 100_000
MAX_EVENTS = 1_000_000
#: Bounds are checked every this many steps.
CHECK_EVERY = 4096
#: From this many (frames, events, steps) on, the rate so far projects them to the end.
PROJECT_AFTER = 100


def check_work(steps: int, frames: int, events: int, now: float, end: float) -> None:
    """Refuse a run whose work passes (or, at its rate so far, will pass) a bound.

    One line naming the bound and how far `until` would have to drop; raised
    early, from the rate so far, so that a scenario that would record
    millions of changes is refused in about a second instead of filling memory.
    """
    worst: tuple[float, str, int, float] | None = None
    for what, done, limit in (
        ("snapshots of the pod", frames, MAX_FRAMES),
        ("events", events, MAX_EVENTS),
        ("simpy steps", steps, MAX_STEPS),
    ):
        rate_known = done >= PROJECT_AFTER and now > 0
        projected = done * end / now if rate_known else float(done)
        if projected <= limit:
            continue
        fits = limit * now / done if rate_known else now
        if worst is None or fits < worst[0]:
            worst = (fits, what, limit, projected)
    if worst is not None:
        fits, what, limit, projected = worst
        raise InputError(
            f"this simulation would take more than {limit} {what} (about {int(projected)} "
            f"by {end:.0f} s{' at its rate so far' if now < end else ''}); "
            f"lower until to about {int(fits)} s or less",
            "until",
        )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the clock runs, back as it was after.

    A long run keeps hundreds of thousands of container statuses alive and
    makes almost no reference cycles (a 30-day crash loop leaves about 60
    objects for the collector), so its full passes over the growing heap
    free nothing and cost a fifth of the run. Reference counting still
    frees everything else at once. The CLI keeps it off while it prints a
    run as well (what it prints is built from the run and makes no cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class PodSimulation:
    """One pod on one node, from creation to `until` (or until stable)."""

    def __init__(
        self, scenario: Scenario, until: float | None = None, kubernetes_version: str | None = None
    ) -> None:
        self.sc = scenario
        if until is not None and not 0 <= until <= MAX_UNTIL:
            raise InputError(f"must be between 0 and {int(MAX_UNTIL)} seconds (30 days)", "until")
        self.until = scenario.until if until is None else until
        self.env = simpy.Environment()
        self.ctx = PodContext(scenario, self.env, kubernetes_version)
        self.services = Services(self.env)
        self.containers = ContainerRuntime(self.ctx, self.services)
        self.worker = PodWorker(self.ctx, self.containers)
        self.world = World(self.ctx, self.services, self.containers, self.worker)

    def run(self) -> Result:
        """Run the clock to `until` (or until nothing is left to happen, at most STABLE_CAP)."""
        env = self.env
        ctx = self.ctx
        env.process(self.world.schedule())
        env.process(self.world.run())
        env.process(self.worker.run())
        until = self.until
        cap = until if until is not None else STABLE_CAP
        self.worker.horizon = cap
        steps = 0
        capped = False
        check_at = CHECK_EVERY
        ahead = FastForward(ctx, self.containers, cap) if periodic._FAST_FORWARD else None
        with collector_paused():
            while True:
                nxt = env.peek()
                if nxt == float("inf") or ctx.gone:
                    break
                if ahead is not None and nxt > env.now and ahead.due() and ahead.boundary():
                    # the rest repeats the last cycle: bound it, then write it out
                    check_work(steps, *ahead.totals(), cap, cap)
                    ahead.write()
                    capped = until is None  # a crash loop never settles
                    break
                if nxt > cap:
                    capped = until is None
                    break
                env.step()
                steps += 1
                if steps >= check_at:
                    check_at += CHECK_EVERY
                    check_work(steps, len(ctx.frames), len(ctx.events), env.now, cap)
        frames: Sequence[Frame] = ctx.frames
        if ahead is not None and ahead.frames is not None:
            frames = ahead.frames  # bounded before it was written
        else:
            check_work(steps, len(frames), len(ctx.events), env.now, env.now)
        end = cap if (until is not None or capped) else env.now
        if ctx.gone:
            end = ctx.deleted_at if ctx.deleted_at is not None else env.now
        return Result(
            frames=frames,
            event_records=ctx.events,
            end=float(end),
            capped=capped,
            stable=not capped and until is None,
            deleted_at=ctx.deleted_at,
            steps=steps,
            name=ctx.name,
            namespace=ctx.namespace,
            logs={name: list(runs) for name, runs in self.containers.history.items()},
            scenario=self.sc,
            kubernetes_version=ctx.version,
            hooks=ctx.hooks,
        )


def simulate(
    scenario: Any, until: float | None = None, kubernetes_version: str | None = None
) -> Result:
    """Run a scenario (a `Scenario`, a dict, YAML text or a path) and return its `Result`.

    `until` (seconds) and `kubernetes_version` (e.g. "1.31") override the
    scenario's own; the scenario is never changed.
    """
    from initlab.api.versions import parse_version

    version = None
    if kubernetes_version is not None:
        version = parse_version(kubernetes_version, "kubernetes_version")
    return PodSimulation(load_scenario(scenario), until, version).run()
