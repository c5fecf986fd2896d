"""The image manager's event and waiting messages at each Kubernetes release.

Upstream `pkg/kubelet/images/image_manager.go` `EnsureImageExists`; the
version rules are `pulled-event-image-size` (1.30),
`image-pull-backoff-carries-error` (1.32) and `pulled-present-can-be-accessed`
(1.35) in `initlab.api.versions.RULES`.
"""

from __future__ import annotations

import pytest
import yaml
from helpers import EXAMPLES

from initlab.kubelet.images import (
    go_quote,
    never_pull_message,
    pull_backoff_event_message,
    pull_backoff_waiting_message,
    pull_failed_message,
    pulled_message,
    pulled_present_message,
    pulling_message,
    start_error_message,
)
from initlab.sim.simulator import simulate

PRESENT = 'Container image "nginx:1.27" already present on machine'
NOT_FOUND = (
    'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/'
    'busybox:1.288": failed to resolve reference "docker.io/library/busybox:1.288": '
    "docker.io/library/busybox:1.288: not found"
)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.29", PRESENT),
        ("1.33", PRESENT),
        ("1.34", PRESENT),
        ("1.35", PRESENT + " and can be accessed by the pod"),
    ],
)
def test_pulled_present_message_gains_can_be_accessed_from_1_35(version, message):
    """KubeletEnsureSecretPulledImages is on by default from 1.35 (alpha, off, in 1.33-1.34)."""
    assert pulled_present_message("nginx:1.27", version) == message


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.29", 'Successfully pulled image "busybox:1.28" in 1s (1s including waiting)'),
        (
            "1.30",
            'Successfully pulled image "busybox:1.28" in 1s (1s including waiting). '
            "Image size: 4242 bytes.",
        ),
        (
            "1.35",
            'Successfully pulled image "busybox:1.28" in 1s (1s including waiting). '
            "Image size: 4242 bytes.",
        ),
    ],
)
def test_pulled_message_states_the_image_size_from_1_30(version, message):
    """`Image size: N bytes.` came with kubernetes#121719 (v1.30)."""
    assert pulled_message("busybox:1.28", "1s", "1s", 4242, version) == message


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.29", 'Back-off pulling image "busybox:1.288"'),
        ("1.31", 'Back-off pulling image "busybox:1.288"'),
        ("1.32", f'Back-off pulling image "busybox:1.288": ErrImagePull: {NOT_FOUND}'),
        ("1.35", f'Back-off pulling image "busybox:1.288": ErrImagePull: {NOT_FOUND}'),
    ],
)
def test_pull_backoff_waiting_message_carries_the_pull_error_from_1_32(version, message):
    """kubernetes#127918 (v1.32) appends `<reason>: <message>` of the last failed pull."""
    got = pull_backoff_waiting_message("busybox:1.288", f"ErrImagePull: {NOT_FOUND}", version)
    assert got == message


def test_pull_backoff_waiting_message_without_a_last_error_is_the_event_text():
    """No recorded pull error (`prevPullErrMsg` has no entry): just `Back-off pulling image`."""
    assert pull_backoff_waiting_message("x:1", None, "1.35") == 'Back-off pulling image "x:1"'


def test_messages_that_read_the_same_in_every_release():
    """Pulling, Failed, BackOff, ErrImageNeverPull and `Error: X` did not change 1.29-1.35."""
    assert pulling_message("busybox:1.28") == 'Pulling image "busybox:1.28"'
    assert pull_failed_message("a:1", "boom") == 'Failed to pull image "a:1": boom'
    assert pull_backoff_event_message("a:1") == 'Back-off pulling image "a:1"'
    assert never_pull_message("a:1") == (
        'Container image "a:1" is not present with pull policy of Never'
    )
    assert start_error_message("ErrImagePull") == "Error: ErrImagePull"


def test_go_quote_escapes_quotes_and_backslashes():
    """`%q` escapes `"` and `\\` (an image reference never has them, but the input may)."""
    assert go_quote('a"b\\c') == '"a\\"b\\\\c"'


def _events(example: str, version: str, reason: str) -> list[str]:
    """The messages of the `reason` events of `example` simulated at `version`."""
    sc = yaml.safe_load((EXAMPLES / example).read_text())
    sc["kubernetesVersion"] = version
    return [e["message"] for e in simulate(sc).events if e["reason"] == reason]


@pytest.mark.parametrize(
    ("version", "suffix"), [("1.34", ""), ("1.35", " and can be accessed by the pod")]
)
def test_simulated_pulled_events_of_present_images_follow_the_version(version, suffix):
    """myapp-pod: init-mydb and the app find busybox:1.28 present; wording by release."""
    present = 'Container image "busybox:1.28" already present on machine' + suffix
    pulled = _events("myapp-pod.yaml", version, "Pulled")
    assert pulled[1:] == [present, present]


@pytest.mark.parametrize(
    ("version", "tail"), [("1.29", ")"), ("1.30", "). Image size: 20624483 bytes.")]
)
def test_simulated_pull_event_states_the_size_from_1_30(version, tail):
    """myapp-pod: the first pull of busybox:1.28, with the image size from 1.30."""
    first = _events("myapp-pod.yaml", version, "Pulled")[0]
    assert first == 'Successfully pulled image "busybox:1.28" in 1s (1s including waiting' + tail


def _backoff_waiting_messages(version: str) -> list[str]:
    """The distinct ImagePullBackOff waiting messages of image-pull-error at `version`."""
    sc = yaml.safe_load((EXAMPLES / "image-pull-error.yaml").read_text())
    sc["kubernetesVersion"] = version
    out = []
    for snap in simulate(sc).timeline:
        state = (snap["initContainerStatuses"] or [{}])[0].get("state", {})
        waiting = state.get("waiting") or {}
        if waiting.get("reason") == "ImagePullBackOff" and waiting["message"] not in out:
            out.append(waiting["message"])
    return out


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.31", 'Back-off pulling image "busybox:1.288"'),
        ("1.32", f'Back-off pulling image "busybox:1.288": ErrImagePull: {NOT_FOUND}'),
    ],
)
def test_simulated_image_pull_backoff_waiting_message_follows_the_version(version, message):
    """image-pull-error: the ImagePullBackOff waiting message, by release."""
    assert _backoff_waiting_messages(version) == [message]


def test_simulated_image_pull_backoff_event_is_the_same_at_1_31_and_1_35():
    """The BackOff event keeps `Back-off pulling image "<image>"` whatever the release."""
    for version in ("1.31", "1.35"):
        backoff = set(_events("image-pull-error.yaml", version, "BackOff"))
        assert backoff == {'Back-off pulling image "busybox:1.288"'}
