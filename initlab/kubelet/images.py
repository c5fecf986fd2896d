"""The image manager's event and waiting messages, release by release.

`pkg/kubelet/images/image_manager.go` `EnsureImageExists` (and, from v1.31,
its helpers `imagePullPrecheck`, `imageNotPresentOnNeverPolicyError` and
`pullImage`) records every image event through `logIt`, on the container's
object reference (`spec.initContainers{name}` / `spec.containers{name}`):

| reason | type | message |
|---|---|---|
| `Pulled` | Normal | `Container image "<image>" already present on machine` (rule `pulled-present-can-be-accessed`: `... and can be accessed by the pod` from v1.35) |
| `ErrImageNeverPull` | Warning | `Container image "<image>" is not present with pull policy of Never` |
| `BackOff` | Normal | `Back-off pulling image "<image>"` |
| `Pulling` | Normal | `Pulling image "<image>"` |
| `Failed` | Warning | `Failed to pull image "<image>": <error>` |
| `Pulled` | Normal | `Successfully pulled image "<image>" in <d> (<d> including waiting)` and, from v1.30 (rule `pulled-event-image-size`), `. Image size: <n> bytes.` |

`EnsureImageExists` returns a message with its error, and `startContainer`
(`pkg/kubelet/kuberuntime/kuberuntime_container.go`) turns the error into a
Warning `Failed` event `Error: <reason>` (`start_error_message`) and the
message into the container's `waiting.message`; from v1.32 the
`ImagePullBackOff` message carries the error of the last pull (rule
`image-pull-backoff-carries-error`).

Unchanged from v1.29 to v1.35 apart from the three rules (image_manager.go
at a v1.28/v1.29 commit, a v1.30/v1.31 commit, a v1.33 commit and master
after v1.35): `Pulling`, `Failed`, `BackOff`, `ErrImageNeverPull` and
`Error: <reason>` read the same in every release initlab models.

Pure: strings in, a string out.
"""

from __future__ import annotations

from initlab.api.versions import (
    IMAGE_PULL_BACKOFF_CARRIES_ERROR,
    PULLED_EVENT_IMAGE_SIZE,
    PULLED_PRESENT_CAN_BE_ACCESSED,
    holds,
)


def go_quote(s: str) -> str:
    """Go's `%q` for an image reference: double quotes, `\\` and `"` escaped."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pulled_present_message(image: str, version: str | None = None) -> str:
    """The `Pulled` event for an image already on the node (`EnsureImageExists`).

    - up to v1.34: `Container image "<image>" already present on machine`
      (`fmt.Sprintf("Container image %q already present on machine", ...)`).
    - from v1.35 (rule `pulled-present-can-be-accessed`): `... already
      present on machine and can be accessed by the pod`. KEP-2535 (ensure
      secret pulled images, kubernetes/kubernetes#128152, alpha in v1.33)
      prints it when the feature gate `KubeletEnsureSecretPulledImages` is on
      and the image pull manager's `MustAttemptImagePull` finds the pod may
      use the image (an image pulled without credentials, or preloaded, is
      accessible to every pod); with the gate off it prints the old wording.
      The gate is on by default from v1.35 (beta, kubernetes/kubernetes#135228;
      `pkg/features/kube_features.go`: alpha 1.33 default false, beta 1.35
      default true). initlab models the default gates, and pulls without
      credentials, so every image already present gets the new wording from
      v1.35 and the old one before.
    """
    msg = f"Container image {go_quote(image)} already present on machine"
    if holds(PULLED_PRESENT_CAN_BE_ACCESSED, version):
        msg += " and can be accessed by the pod"
    return msg


def pulled_message(
    image: str, pulled_in: str, with_waiting: str, size: int, version: str | None = None
) -> str:
    """The `Pulled` event after a successful pull; durations as Go prints them (`1s`).

    `fmt.Sprintf("Successfully pulled image %q in %v (%v including
    waiting)", ...)` up to v1.29; from v1.30 (rule `pulled-event-image-size`,
    kubernetes/kubernetes#121719, which added `pullResult.imageSize` for the
    `image_pull_duration_seconds` metric) `... including waiting). Image
    size: %v bytes.` -- with a full stop after `bytes` only.
    """
    msg = f"Successfully pulled image {go_quote(image)} in {pulled_in} ({with_waiting} including waiting)"
    if holds(PULLED_EVENT_IMAGE_SIZE, version):
        msg += f". Image size: {size} bytes."
    return msg


def pulling_message(image: str) -> str:
    """The `Pulling` event: `Pulling image "<image>"` (v1.29 to v1.35)."""
    return f"Pulling image {go_quote(image)}"


def pull_failed_message(image: str, error: str) -> str:
    """The Warning `Failed` event of a failed pull: `Failed to pull image "<image>": <error>`."""
    return f"Failed to pull image {go_quote(image)}: {error}"


def never_pull_message(image: str) -> str:
    """`ErrImageNeverPull` event and waiting message: the image is absent, the policy Never."""
    return f"Container image {go_quote(image)} is not present with pull policy of Never"


def pull_backoff_event_message(image: str) -> str:
    """The Normal `BackOff` event while the image pull backs off: `Back-off pulling image "<image>"`."""
    return f"Back-off pulling image {go_quote(image)}"


def pull_backoff_waiting_message(
    image: str, last_error: str | None, version: str | None = None
) -> str:
    """The `ImagePullBackOff` waiting message (`containerStatuses[*].state.waiting.message`).

    Up to v1.31 it is the event's `Back-off pulling image "<image>"`. From
    v1.32 (rule `image-pull-backoff-carries-error`, kubernetes/kubernetes#127918,
    `pullImage`: `prevPullErrMsg`) the kubelet appends the last pull's error as
    `<reason>: <message>`, e.g. `Back-off pulling image "x": ErrImagePull:
    rpc error: ...`; `last_error` is that `<reason>: <message>` (None when the
    kubelet has none, e.g. after a kubelet restart).
    """
    msg = pull_backoff_event_message(image)
    if last_error and holds(IMAGE_PULL_BACKOFF_CARRIES_ERROR, version):
        msg += f": {last_error}"
    return msg


def start_error_message(reason: str) -> str:
    """The Warning `Failed` event `startContainer` records when it cannot start: `Error: <reason>`.

    `kuberuntime_container.go` `startContainer`: `recordContainerEvent(...,
    events.FailedToCreateContainer, "Error: %v", s.Message())`, where the
    gRPC status message of `ErrImagePull` is `ErrImagePull` (v1.29 to v1.35).
    """
    return f"Error: {reason}"
