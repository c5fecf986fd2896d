"""The fake container runtime: images, create/start, a container's run, exit, kill, probes.

What `pkg/kubelet/kuberuntime/kuberuntime_container.go` (`startContainer`,
`killContainer`, `killContainersWithSyncResult`), `kuberuntime_image.go` +
`pkg/kubelet/images/image_manager.go` (`EnsureImageExists`) and the prober
do, with the CRI answered by the scenario: each container run follows the
scenario's next `Attempt` (how long it runs, its exit code, its log, ...).

The runtime keeps what the kubelet learns from the CRI: `runtime`
(`kubecontainer.PodStatus`: the sandbox and the container records, newest
first), and the probe results. It decides nothing: the pod worker
(`initlab.sim.pod_worker`) tells it what to start and kill.

Timing (see `initlab.sim.simulator` for the whole model): a pull takes
`PULL_SECONDS`; a container answers SIGTERM as its `onTerm` says (default:
exit 143 `stop` seconds later; `initlab.kubelet.probes.termination_outcome`)
or is SIGKILLed at the end of its grace period (exit 137); a killed sandbox
takes its containers down at once (exit 137). Probes follow
`initlab.kubelet.probes`: a startup probe passes at `startup` or, with
`startup: fail`, fails `failureThreshold` times; a liveness probe fails from
`liveness.failAfter`; each failed run is an `Unhealthy` Warning event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from initlab.api.pod import is_restartable_init_container
from initlab.kubelet.actions import (
    EXITED,
    FAILURE,
    MINIMUM_GRACE_PERIOD,
    RUNNING,
    SUCCESS,
    ContainerRecord,
    RuntimePodStatus,
    effective_grace_period,
    termination_order,
    termination_prereqs,
)
from initlab.kubelet.backoff import Backoff, new_image_backoff
from initlab.kubelet.images import (
    never_pull_message,
    pull_backoff_event_message,
    pull_backoff_waiting_message,
    pull_failed_message,
    pulled_message,
    pulled_present_message,
    pulling_message,
    start_error_message,
)
from initlab.kubelet.probes import (
    SIGTERM_EXIT,
    container_event_messages,
    failure_time,
    first_probe_at,
    hash_container,
    hook_failure_message,
    probe_settings,
    termination_outcome,
    unhealthy_message,
)
from initlab.kubelet.status import normalize_image
from initlab.sim.context import PodContext, Services, field_path
from initlab.sim.result import POLL_SECONDS, ContainerLog, LogLine, WaitLoop, nslookup
from initlab.sim.scenario import Attempt

#: Pulling an image (or failing to), in seconds.
PULL_SECONDS = 1.0
#: After a container starts or exits, the pod is synced this much later (PLEG relist).
SYNC_LATENCY = 1.0


def image_size(image: str) -> int:
    """An illustrative, deterministic image size for the Pulled event (not a real size)."""
    return 700_000 + int(hashlib.sha256(image.encode()).hexdigest()[:8], 16) % 50_000_000


@dataclass
class StartFailure:
    """Why a container did not start: the waiting reason and message the API will show."""

    reason: str
    message: str


class _Live:
    """A running container: its runtime record, behaviour and simpy process."""

    __slots__ = ("record", "attempt", "spec", "is_init", "proc", "log", "stopping")

    def __init__(self, record: ContainerRecord, attempt: Attempt, spec: dict, is_init: bool):
        self.record = record
        self.attempt = attempt
        self.spec = spec
        self.is_init = is_init
        self.proc: simpy.Process | None = None
        self.log: ContainerLog | None = None
        self.stopping = False


class ContainerRuntime:
    """The CRI as the kubelet sees it, for one pod."""

    def __init__(self, ctx: PodContext, services: Services) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.services = services
        self.runtime = RuntimePodStatus()
        self.image_backoff: Backoff = new_image_backoff()
        #: `imageManager.prevPullErrMsg`: the last failed pull's `<reason>: <message>` by
        #: back-off key, for the ImagePullBackOff waiting message. A kubelet restart leaves
        #: it stale but unread: the new image back-off is empty, so the next start pulls
        #: (which drops the entry) before any back-off can read it.
        self.last_pull_error: dict[str, str] = {}
        #: Prober results by container id (`proberesults.Manager`).
        self.startup_results: dict[str, str] = {}
        self.readiness_results: dict[str, str] = {}
        #: Bumped on every probe result written (`set_probe_result`): part of the sync fingerprint.
        self.probe_generation = 0
        self.liveness_results: dict[str, str] = {}
        self.images: set[str] = set()
        #: emptyDir contents: volume -> path -> text; they outlive container restarts.
        self.volumes: dict[str, dict[str, str]] = {}
        self.live: dict[str, _Live] = {}
        #: How many runs each container has had (selects the scenario's next attempt).
        self.starts: dict[str, int] = {}
        #: Every run of every container, for `kubectl logs`.
        self.history: dict[str, list[ContainerLog]] = {}
        #: How many runs have started, all containers together.
        self.runs = 0
        #: Events that fire when a container (by id) exits; `kill` waits on them.
        self._exit_waiters: dict[str, list[simpy.Event]] = {}
        #: `_hash`'s answers: id(container spec) -> (that spec, its hash).
        self._hashes: dict[int, tuple[dict[str, Any], str]] = {}

    def _hash(self, spec: dict[str, Any]) -> str:
        """`hash_container(spec)`, computed once per container spec object.

        A pod's specs are replaced, never mutated: another spec is another
        object, and the cache holds the object it hashed, so an `id` is never
        reused while its entry lives.
        """
        known = self._hashes.get(id(spec))
        if known is None or known[0] is not spec:
            known = self._hashes[id(spec)] = (spec, hash_container(spec))
        return known[1]

    def container_id(self, name: str, now: float, n: int) -> str:
        """The runtime id of container `name`'s run number `n` (from 0), started at `now`.

        Made up, deterministic: `containerd://` and the sha256 of pod UID, name, start and run.
        """
        return (
            "containerd://"
            + hashlib.sha256(f"{self.ctx.uid}/{name}/{now}/{n}".encode()).hexdigest()
        )

    def running(self) -> bool:
        """Any container record running."""
        return any(r.state == RUNNING for r in self.runtime.containers)

    def running_names(self) -> list[str]:
        return [r.name for r in self.runtime.containers if r.state == RUNNING]

    # -- sandbox ----------------------------------------------------------------------

    def create_sandbox(self, attempt: int) -> None:
        """`RunPodSandbox` has returned: a ready sandbox of this attempt."""
        rt = self.runtime
        rt.has_sandbox = True
        rt.sandbox_ready = True
        rt.sandbox_attempt = attempt
        rt.sandbox_id = hashlib.sha256(f"{self.ctx.uid}/sandbox/{attempt}".encode()).hexdigest()

    def sandbox_ip(self) -> str | None:
        """The ready sandbox's IP (an illustrative address from the pod CIDR), else None."""
        rt = self.runtime
        if not (rt.has_sandbox and rt.sandbox_ready):
            return None
        return f"10.244.0.{10 + (int(self.ctx.uid[:4], 16) + rt.sandbox_attempt) % 240}"

    def kill_sandbox(self) -> None:
        """The sandbox dies (node reboot, lost pause container): every container exits 137."""
        if not self.runtime.has_sandbox or not self.runtime.sandbox_ready:
            return
        self.runtime.sandbox_ready = False
        for live in list(self.live.values()):
            if live.proc is not None and live.proc.is_alive and not live.stopping:
                live.stopping = True
                live.proc.interrupt(("sandbox", 0.0))
        self.ctx.request_sync(SYNC_LATENCY)

    def purge_init_containers(self, names: set[str]) -> None:
        """`purgeInitContainers`: every record of these init containers goes, with its logs."""
        self.runtime.containers = [r for r in self.runtime.containers if r.name not in names]

    # -- start --------------------------------------------------------------------------

    def start_container(
        self, spec: dict[str, Any], is_init: bool, prior: ContainerRecord | None = None
    ) -> Generator[simpy.Event, Any, StartFailure | None]:
        """`startContainer`: ensure the image, create, start, run `postStart`. None or a failure.

        `prior` is the container's newest record in the pod status the sync
        started from: `restartCount` is its count + 1, else 0 (upstream then
        counts the container's log files, which a purge removed). After a
        sandbox re-creation that status predates `purgeInitContainers`, so
        the first init container counts on from its old record while the
        later ones, started by later syncs, begin at 0.

        A `lifecycle.postStart` hook runs synchronously after the container
        starts (`runner.Run` inside `startContainer`), so the sync -- and the
        next container -- waits for it; the scenario's `postStart: N` says
        how long it takes (default 0).
        """
        ctx = self.ctx
        name = str(spec.get("name"))
        obj = field_path(name, is_init)
        attempts = ctx.sc.attempts_for(name, is_init, is_restartable_init_container(spec))
        n = self.starts.get(name, 0)
        attempt = attempts[min(n, len(attempts) - 1)]

        failure = yield from self.ensure_image(spec, obj, attempt)
        if failure is not None:
            return failure

        restart_count = prior.restart_count + 1 if prior is not None else 0
        now = self.env.now
        cid = self.container_id(name, now, n)
        record = ContainerRecord(
            name=name,
            id=cid,
            state=RUNNING,
            image=str(spec.get("image", "")),
            created_at=now,
            started_at=now,
            restart_count=restart_count,
            sandbox=self.runtime.sandbox_attempt,
            hash=self._hash(spec),
        )
        self.starts[name] = n + 1
        self.runs += 1
        # GC: keep the newest exited record only (MaxPerPodContainer = 1), plus the new one.
        older = [r for r in self.runtime.containers if r.name == name]
        drop = {id(r) for r in older[1:]}
        self.runtime.containers = [record] + [
            r for r in self.runtime.containers if id(r) not in drop
        ]
        created, started = container_event_messages(name, ctx.version)
        ctx.event("Normal", "Created", obj, created)
        ctx.event("Normal", "Started", obj, started)
        live = _Live(record, attempt, spec, is_init)
        live.log = ContainerLog(cid, now, restart_count)
        self.live[name] = live
        self.history.setdefault(name, []).append(live.log)
        live.proc = self.env.process(self._run(live))
        self._schedule_probes(live)
        ctx.request_sync(SYNC_LATENCY)
        hook = (
            (spec.get("lifecycle") or {}).get("postStart")
            if isinstance(spec.get("lifecycle"), dict)
            else None
        )
        if isinstance(hook, dict):
            ran = attempt.post_start or 0.0
            if ran:
                yield self.env.timeout(ran)
            ctx.hooks.append(
                {
                    "container": name,
                    "hook": "postStart",
                    "start": now,
                    "end": now + ran,
                    "exit": attempt.post_start_exit,
                }
            )
            if attempt.post_start_exit and record.state == RUNNING:
                # startContainer: the hook failed -> event, killContainer, ErrPostStartHook
                ctx.event("Warning", "FailedPostStartHook", obj, "PostStartHook failed")
                yield from self.kill(
                    [name], effective_grace_period(ctx.pod), {name: "FailedPostStartHook"}
                )
                return StartFailure(
                    "PostStartHookError",
                    hook_failure_message(
                        hook, name, ctx.pod_ref, attempt.post_start_exit, self.sandbox_ip()
                    ),
                )
        return None

    def ensure_image(
        self, spec: dict[str, Any], obj: str, attempt: Attempt
    ) -> Generator[simpy.Event, Any, StartFailure | None]:
        """`image_manager.go` `EnsureImageExists`: pull policy, pull, image back-off."""
        ctx = self.ctx
        version = ctx.version
        image = str(spec.get("image", ""))
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        present = image in self.images and not attempt.pull_error
        if policy == "Never" and not present:
            msg = never_pull_message(image)
            ctx.event("Warning", "ErrImageNeverPull", obj, msg)
            ctx.event("Warning", "Failed", obj, start_error_message("ErrImageNeverPull"))
            return StartFailure("ErrImageNeverPull", msg)
        if present and policy != "Always":
            ctx.event("Normal", "Pulled", obj, pulled_present_message(image, version))
            return None
        key = f"{ctx.uid}_{image}"
        if self.image_backoff.is_in_backoff_since_update(key, self.env.now):
            ctx.event("Normal", "BackOff", obj, pull_backoff_event_message(image))
            ctx.event("Warning", "Failed", obj, start_error_message("ImagePullBackOff"))
            entry = self.image_backoff.entries[key]
            ctx.request_sync(entry.last_update + entry.backoff - self.env.now)
            msg = pull_backoff_waiting_message(image, self.last_pull_error.get(key), version)
            return StartFailure("ImagePullBackOff", msg)
        self.last_pull_error.pop(key, None)
        ctx.event("Normal", "Pulling", obj, pulling_message(image))
        yield self.env.timeout(PULL_SECONDS)
        if attempt.pull_error:
            ref = normalize_image(image)
            err = (
                f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
                f'failed to resolve reference "{ref}": {ref}: not found'
            )
            ctx.event("Warning", "Failed", obj, pull_failed_message(image, err))
            ctx.event("Warning", "Failed", obj, start_error_message("ErrImagePull"))
            self.image_backoff.next(key, self.env.now, self.env.now)
            self.last_pull_error[key] = f"ErrImagePull: {err}"
            ctx.request_sync(SYNC_LATENCY)
            return StartFailure("ErrImagePull", err)
        self.images.add(image)
        d = f"{PULL_SECONDS:g}s"
        ctx.event("Normal", "Pulled", obj, pulled_message(image, d, d, image_size(image), version))
        return None

    # -- probes ---------------------------------------------------------------------------

    def _schedule_probes(self, live: _Live) -> None:
        """The prober workers of a new container (`prober_manager.go` `AddPod`)."""
        spec = live.spec
        a = live.attempt
        startup = spec.get("startupProbe")
        started_at = 0.0  # liveness and readiness probe only once the startup probe passed
        if isinstance(startup, dict):
            s = probe_settings(startup)
            if a.startup_fail:
                runs, _ = failure_time(s, 0.0)
                self.env.process(self._failing(live.record, "startup", startup, runs))
                started_at = float("inf")
            else:
                started_at = a.startup if a.startup is not None else s.initial_delay
                self.env.process(self._probe(live.record, self.startup_results, started_at))
        ready = spec.get("readinessProbe")
        if isinstance(ready, dict) and started_at != float("inf"):
            delay = a.ready if a.ready is not None else probe_settings(ready).initial_delay
            delay = max(delay, started_at)
            self.env.process(self._probe(live.record, self.readiness_results, delay))
            if a.readiness_fails:
                self.env.process(self._readiness_windows(live.record, ready, delay, a))
        liveness = spec.get("livenessProbe")
        if (
            isinstance(liveness, dict)
            and a.liveness_fail_after is not None
            and started_at != float("inf")
        ):
            s = probe_settings(liveness)
            runs, _ = failure_time(s, max(a.liveness_fail_after, started_at))
            self.env.process(self._failing(live.record, "liveness", liveness, runs))

    def _probe(
        self, record: ContainerRecord, results: dict[str, str], delay: float
    ) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(delay)
        if record.state == RUNNING and not self.ctx.gone:
            self.set_probe_result(results, record.id, SUCCESS)
            self.ctx.request_sync(0)

    def set_probe_result(self, results: dict[str, str], container_id: str, result: str) -> None:
        """Write a prober result (`proberesults.Manager.Set`); every write goes through here."""
        results[container_id] = result
        self.probe_generation += 1

    def _failing(
        self, record: ContainerRecord, probe_type: str, probe: dict, runs: list[float]
    ) -> Generator[simpy.Event, Any, None]:
        """A probe failing at each of `runs` (seconds after start); Failure at the last one."""
        start = self.env.now
        message = unhealthy_message(probe_type, probe)
        obj = self.ctx.obj(record.name)
        for t in runs:
            yield self.env.timeout(start + t - self.env.now)
            if record.state != RUNNING or self.ctx.gone or self._stopping(record):
                return
            self.ctx.event("Warning", "Unhealthy", obj, message)
        results = self.startup_results if probe_type == "startup" else self.liveness_results
        self.set_probe_result(results, record.id, FAILURE)
        self.ctx.request_sync(0)

    def _readiness_windows(
        self, record: ContainerRecord, probe: dict, passed_at: float, a: Attempt
    ) -> Generator[simpy.Event, Any, None]:
        """Readiness after it passed: each `{failFrom, failUntil}` window of failing runs.

        The readiness worker never holds (`worker.go`: only liveness and startup
        do): every failed run is an `Unhealthy` event, the result turns to
        Failure after `failureThreshold` of them and back to Success after
        `successThreshold` passing runs once the window ends.
        """
        s = probe_settings(probe)
        start = self.env.now
        message = unhealthy_message("readiness", probe)
        obj = self.ctx.obj(record.name)
        for frm, until in a.readiness_fails:
            t = first_probe_at(s, max(frm, passed_at))
            failed = 0
            while until is None or t < until:
                yield self.env.timeout(start + t - self.env.now)
                if record.state != RUNNING or self.ctx.gone or self._stopping(record):
                    return
                self.ctx.event("Warning", "Unhealthy", obj, message)
                failed += 1
                if failed == s.failure_threshold:
                    self.set_probe_result(self.readiness_results, record.id, FAILURE)
                    self.ctx.request_sync(0)
                t += s.period
            if failed >= s.failure_threshold:
                t = first_probe_at(s, until) + (s.success_threshold - 1) * s.period
                yield self.env.timeout(start + t - self.env.now)
                if record.state != RUNNING or self.ctx.gone:
                    return
                self.set_probe_result(self.readiness_results, record.id, SUCCESS)
                self.ctx.request_sync(0)

    def _stopping(self, record: ContainerRecord) -> bool:
        live = self.live.get(record.name)
        return live is not None and live.record is record and live.stopping

    # -- a container's run ------------------------------------------------------------------

    def _run(self, live: _Live) -> Generator[simpy.Event, Any, None]:
        a = live.attempt
        log = live.log
        assert log is not None
        start = self.env.now
        code = a.exit
        reason = ""
        try:
            # The writes come first, as in `mkdir /data/x && echo done`: a failed
            # `create` prints only its error, not the attempt's own log lines.
            failed_write = False
            for w in a.writes:
                files = self.volumes.setdefault(w.volume, {})
                if w.mode == "create" and w.path in files:
                    log.records.append(
                        LogLine(start, f"mkdir: can't create directory '{w.path}': File exists")
                    )
                    failed_write = True
                    break
                if w.mode == "append":
                    files[w.path] = files.get(w.path, "") + f"{live.record.name}\n"
                else:
                    files[w.path] = f"{live.record.name}\n"
            if not failed_write and a.log:
                log.records.extend(LogLine(start, line) for line in a.log)
            if failed_write:
                code = 1
            elif a.wait_for is not None:
                svc = a.wait_for
                if not self.services.exists(svc):
                    loop = WaitLoop(start, svc, self.ctx.namespace)
                    log.records.append(loop)
                    yield self.services.wait_for(svc)
                    elapsed = self.env.now - start
                    polls = -(-elapsed // POLL_SECONDS)
                    wait = start + polls * POLL_SECONDS - self.env.now
                    if wait > 0:
                        yield self.env.timeout(wait)
                    loop.end = self.env.now
                log.records.extend(
                    LogLine(self.env.now, line) for line in nslookup(svc, self.ctx.namespace, True)
                )
                code = 0
            elif a.run is None:
                yield self.env.event()  # runs until killed
            else:
                if a.run > 0:
                    yield self.env.timeout(a.run)
                if a.oom:
                    code, reason = 137, "OOMKilled"
        except simpy.Interrupt as intr:
            assert isinstance(intr.cause, tuple)
            why, grace = intr.cause  # set by kill() / kill_sandbox(): (why, grace seconds)
            reason = ""
            if why == "sandbox":
                code = 137
            else:
                after = None if a.on_term_ignore else a.stop
                wait, code, reason = termination_outcome(after, a.on_term_exit, grace)
                if wait > 0:
                    yield self.env.timeout(wait)
                if code == SIGTERM_EXIT:
                    reason = ""  # the default answer: reason Error, as for any non-zero code
        self._exit(live, code, reason)

    def _exit(self, live: _Live, code: int, reason: str = "") -> None:
        rec = live.record
        if rec.state != RUNNING:
            return
        rec.state = EXITED
        rec.exit_code = code
        rec.reason = reason or ("Completed" if code == 0 else "Error")
        rec.finished_at = self.env.now
        if self.live.get(rec.name) is live:
            del self.live[rec.name]
        for ev in self._exit_waiters.pop(rec.id, []):
            if not ev.triggered:
                ev.succeed()
        self.ctx.request_sync(SYNC_LATENCY)

    # -- kill ----------------------------------------------------------------------------

    def kill(
        self, names: list[str], grace: float, messages: dict[str, str] | None = None
    ) -> Generator[simpy.Event, Any, None]:
        """`killContainersWithSyncResult`: stop these containers; return when all have exited.

        Every container gets its `Killing` event at once, as `killContainer`
        records it before its preStop hook and its `waitForTurn`
        (`kuberuntime_container.go`, v1.29+). Regular containers get SIGTERM at
        once; a sidecar waits its turn (`termination_prereqs`) on its own
        timer of `grace` seconds, then gets SIGTERM with what is left of the
        grace period, in whole seconds and at least 2 s. So when the grace
        period runs out, every sidecar still waiting is stopped together.
        """
        messages = messages or {}
        order = [n for wave in termination_order(self.ctx.pod, names) for n in wave]
        stopping: dict[str, _Live] = {}
        exited: dict[str, simpy.Event] = {}
        for name in order:
            live = self.live.get(name)
            if live is None or live.proc is None or not live.proc.is_alive or live.stopping:
                continue
            live.stopping = True
            self.ctx.event(
                "Normal",
                "Killing",
                self.ctx.obj(name),
                messages.get(name, f"Stopping container {name}"),
            )
            ev = self.env.event()
            self._exit_waiters.setdefault(live.record.id, []).append(ev)
            stopping[name] = live
            exited[name] = ev
        if not stopping:
            return
        prereqs = termination_prereqs(self.ctx.pod, list(stopping))
        start = self.env.now
        for name, live in stopping.items():
            waits = [exited[p] for p in prereqs.get(name, []) if p in exited]
            self.env.process(self._stop_in_turn(live, waits, grace, start))
        yield simpy.AllOf(self.env, list(exited.values()))

    def _stop_in_turn(
        self, live: _Live, waits: list[simpy.Event], grace: float, start: float
    ) -> Generator[simpy.Event, Any, None]:
        """`killContainer`: the preStop hook, `waitForTurn`, then StopContainer with what is left.

        `executePreStopHook` runs the hook for at most the grace period and
        takes the whole seconds it ran from it (a failed hook records
        `FailedPreStopHook` "PreStopHook failed" and termination goes on);
        then the sidecar waits its turn with what is left, and StopContainer
        gets the rest, at least 2 s (`minimumGracePeriodInSeconds`).
        """
        left = grace
        hook = (
            (live.spec.get("lifecycle") or {}).get("preStop")
            if isinstance(live.spec.get("lifecycle"), dict)
            else None
        )
        if isinstance(hook, dict) and left > 0:
            a = live.attempt
            began = self.env.now
            ran = left if a.pre_stop is None else min(a.pre_stop, left)
            if ran > 0:
                yield self.env.timeout(ran)
            finished = a.pre_stop is not None and a.pre_stop <= left
            self.ctx.hooks.append(
                {
                    "container": live.record.name,
                    "hook": "preStop",
                    "start": began,
                    "end": self.env.now,
                    "exit": a.pre_stop_exit if finished else None,
                }
            )
            if finished and a.pre_stop_exit and live.record.state == RUNNING:
                self.ctx.event(
                    "Warning",
                    "FailedPreStopHook",
                    self.ctx.obj(live.record.name),
                    "PreStopHook failed",
                )
            left -= int(self.env.now - began)
        if waits and left > 0:
            waited_from = self.env.now
            yield simpy.AnyOf(self.env, [simpy.AllOf(self.env, waits), self.env.timeout(left)])
            left -= int(self.env.now - waited_from)
        left = max(left, MINIMUM_GRACE_PERIOD)
        if live.proc is not None and live.proc.is_alive:
            live.proc.interrupt(("kill", float(left)))
