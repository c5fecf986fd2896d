"""The Kubernetes releases initlab models, and each rule that changed between them.

A learner's cluster runs one release; several behaviours this book teaches
changed release by release. A scenario (or `--kubernetes-version`) names the
release, and every version-dependent rule asks `holds(RULE, version)`.

`RULES` is the one table: rule, the first release in which it holds, and
the upstream change that introduced it. `book/fidelity.md` prints the same
table. A release outside `SUPPORTED` is refused (`parse_version`), never
approximated: before 1.29 sidecars (restartable init containers) were off
by default and behave differently enough that initlab does not model them.

This module is pure data and decides nothing itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from initlab.errors import InputError

#: The releases initlab models, oldest first.
SUPPORTED: tuple[str, ...] = ("1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35")
#: The newest release whose behaviour initlab models: the default.
DEFAULT = SUPPORTED[-1]


@dataclass(frozen=True)
class Rule:
    """A behaviour that holds from release `since` on (and not before)."""

    key: str
    since: str
    summary: str
    upstream: str  # the change that introduced it
    source: str  # where it lives upstream (repository path + function)


SIDECARS_ON_BY_DEFAULT = "sidecars-on-by-default"
CRASH_LOOP_MAX_RESTART_PERIOD = "crash-loop-max-restart-period"
PHASE_PENDING_WHILE_REGULAR_INIT_RUNS = "phase-pending-while-regular-init-runs"
REDUCED_CRASH_LOOP_DECAY = "reduced-crash-loop-decay"
PHASE_SIDECAR_CURRENT_SANDBOX = "phase-sidecar-current-sandbox"
CRASH_LOOP_MAX_ON_BY_DEFAULT = "crash-loop-max-on-by-default"
DESCRIBE_EVENT_FIELD_PATH = "describe-event-field-path"
CREATED_EVENT_COLON = "created-event-colon"
PULLED_EVENT_IMAGE_SIZE = "pulled-event-image-size"
IMAGE_PULL_BACKOFF_CARRIES_ERROR = "image-pull-backoff-carries-error"
PULLED_PRESENT_CAN_BE_ACCESSED = "pulled-present-can-be-accessed"
CONTAINER_EVENTS_WITHOUT_NAME = "container-events-without-name"

RULES: tuple[Rule, ...] = (
    Rule(
        SIDECARS_ON_BY_DEFAULT,
        "1.29",
        "Init containers with `restartPolicy: Always` are sidecars (SidecarContainers beta, "
        "on by default); at termination they stop after the regular containers, in reverse order",
        "kubernetes/kubernetes#121579 (beta), #120620 (termination order)",
        "pkg/features/kube_features.go SidecarContainers; "
        "pkg/kubelet/kuberuntime/kuberuntime_termination_order.go",
    ),
    Rule(
        PULLED_EVENT_IMAGE_SIZE,
        "1.30",
        "The kubelet's `Pulled` event after a pull ends `... (<d> including waiting). "
        "Image size: <n> bytes.` (before: `... (<d> including waiting)`)",
        "kubernetes/kubernetes#121719 (CHANGELOG-1.30.md: `image_pull_duration_seconds`)",
        "pkg/kubelet/images/image_manager.go EnsureImageExists",
    ),
    Rule(
        CRASH_LOOP_MAX_RESTART_PERIOD,
        "1.32",
        "`crashLoopBackOff.maxContainerRestartPeriod` in the KubeletConfiguration caps the "
        "crash-loop back-off (feature gate KubeletCrashLoopBackOffMax, alpha, off by default)",
        "kubernetes/kubernetes#128374",
        "pkg/kubelet/kubelet.go newCrashLoopBackOff",
    ),
    Rule(
        PHASE_PENDING_WHILE_REGULAR_INIT_RUNS,
        "1.32",
        "getPhase counts pending regular init containers apart: the pod is Pending while one "
        "runs, even after a regular container has run (a node reboot re-runs them)",
        "kubernetes/kubernetes#126653",
        "pkg/kubelet/kubelet_pods.go getPhase",
    ),
    Rule(
        CREATED_EVENT_COLON,
        "1.32",
        "The kubelet's `Created` event reads `Created container: <name>` (before: "
        "`Created container <name>`); `Started container <name>` is unchanged",
        "kubernetes/kubernetes, pull request not identified: v1.31.0 kubelets print no colon, "
        "v1.32.0 kubelets do",
        "pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer",
    ),
    Rule(
        IMAGE_PULL_BACKOFF_CARRIES_ERROR,
        "1.32",
        "An `ImagePullBackOff` container's waiting message carries the last pull's error: "
        '`Back-off pulling image "<image>": ErrImagePull: <error>` (the `BackOff` event '
        "is unchanged)",
        "kubernetes/kubernetes#127918",
        "pkg/kubelet/images/image_manager.go EnsureImageExists (prevPullErrMsg)",
    ),
    Rule(
        REDUCED_CRASH_LOOP_DECAY,
        "1.33",
        "Feature gate ReduceDefaultCrashLoopBackOffDecay (alpha, off by default): crash-loop "
        "back-off starts at 1 s and is capped at 60 s",
        "kubernetes/kubernetes#130711",
        "pkg/kubelet/kubelet.go newCrashLoopBackOff",
    ),
    Rule(
        PHASE_SIDECAR_CURRENT_SANDBOX,
        "1.33",
        "getPhase decides 'initialized' for pending sidecars from the current sandbox's "
        "containers only (HasAnyActiveRegularContainerStarted): a pod with sidecars is Pending "
        "again while it re-initializes after a sandbox re-creation",
        "kubernetes/kubernetes#128516",
        "pkg/kubelet/kubelet_pods.go generateAPIPodStatus, getPhase; "
        "pkg/kubelet/container/helpers.go HasAnyActiveRegularContainerStarted",
    ),
    Rule(
        CRASH_LOOP_MAX_ON_BY_DEFAULT,
        "1.35",
        "KubeletCrashLoopBackOffMax is beta and on by default: "
        "`crashLoopBackOff.maxContainerRestartPeriod` applies without a feature gate",
        "kubernetes/kubernetes#135044",
        "pkg/features/kube_features.go KubeletCrashLoopBackOffMax",
    ),
    Rule(
        PULLED_PRESENT_CAN_BE_ACCESSED,
        "1.35",
        "KubeletEnsureSecretPulledImages (KEP-2535) is beta and on by default: the `Pulled` "
        'event of an image already on the node reads `Container image "<image>" already '
        "present on machine and can be accessed by the pod` (before: `... already present on "
        "machine`)",
        "kubernetes/kubernetes#135228 (beta); #128152 (alpha, 1.33, off by default)",
        "pkg/kubelet/images/image_manager.go EnsureImageExists; "
        "pkg/features/kube_features.go KubeletEnsureSecretPulledImages",
    ),
    Rule(
        DESCRIBE_EVENT_FIELD_PATH,
        "1.35",
        "`kubectl describe` prefixes an event's message with its involved object's fieldPath, "
        "e.g. `spec.initContainers{init-db}: Container started`",
        "kubernetes/kubernetes#133627",
        "staging/src/k8s.io/kubectl/pkg/describe/describe.go DescribeEvents",
    ),
    Rule(
        CONTAINER_EVENTS_WITHOUT_NAME,
        "1.35",
        "The kubelet's `Created` and `Started` events no longer name the container: "
        "`Container created`, `Container started` (before: `Created container: <name>`, "
        "`Started container <name>`); the event's fieldPath still names it",
        "kubernetes/kubernetes#134043",
        "pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer",
    ),
)

_BY_KEY = {r.key: r for r in RULES}
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


@lru_cache(maxsize=64)
def major_minor(version: object) -> tuple[int, int] | None:
    """`"1.33"`, `"v1.33.2"` or `"1.26.0"` → `(1, 33)`...; None if it is no such version.

    The one parser for release numbers, Kubernetes' and the injectors' alike.
    """
    m = _VERSION.fullmatch(str(version).strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def _minor(version: str) -> tuple[int, int]:
    parsed = major_minor(version)
    if parsed is None:
        raise ValueError(f"not a release number: {version!r}")
    return parsed


def parse_version(value: object, field_path: str = "kubernetesVersion") -> str:
    """`"1.33"` or `"v1.33.2"` → `"1.33"`; an unsupported release is an InputError.

    A number is refused: YAML reads `1.30` as the number 1.3.
    """
    if not isinstance(value, str):
        raise InputError(
            f'must be a string such as "{DEFAULT}" (quote it: YAML reads 1.30 as the number 1.3)',
            field_path,
        )
    m = _VERSION.fullmatch(value.strip())
    if m is None:
        raise InputError(
            f'invalid Kubernetes version "{value}": expected e.g. "{DEFAULT}"', field_path
        )
    version = f"{int(m.group(1))}.{int(m.group(2))}"
    if version not in SUPPORTED:
        raise InputError(
            f"Kubernetes {version} is not modelled: initlab models "
            f"{SUPPORTED[0]} to {SUPPORTED[-1]}",
            field_path,
        )
    return version


@lru_cache(maxsize=256)
def holds(key: str, version: str | None = None) -> bool:
    """Whether the rule `key` holds in `version` (default: the newest modelled release)."""
    return _minor(version or DEFAULT) >= _minor(_BY_KEY[key].since)


def rule(key: str) -> Rule:
    """The rule named `key`."""
    return _BY_KEY[key]


def markdown_table() -> str:
    """The table `book/fidelity.md` carries: rule, from which release, upstream change."""
    lines = [
        "| Rule | From | Upstream change | Where upstream |",
        "|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(f"| {r.summary} | {r.since} | {r.upstream} | `{r.source}` |")
    return "\n".join(lines) + "\n"
