"""The webhook data model: `Registration`, `Verdict`, `Context`, `Webhook`, and helpers.

Each webhook is a pure function from an AdmissionReview `request` (and what
it knows about the namespace) to a `Verdict`: allowed or not, a JSONPatch,
warnings. The same function answers in the simulated chain (`chain.py`) and
over HTTP (`server.py`).

Every webhook also carries its `Registration`s: the entries of the
Mutating/ValidatingWebhookConfiguration that the real project installs
(selectors, `failurePolicy`, `reinvocationPolicy`, timeout, service), since
those decide *whether* the API server calls it at all.

One simplification, on purpose: the API server defaults the object again
after every patch (`mutating/dispatcher.go`: `o.GetObjectDefaulter().Default`
after `patchObj.Apply`). Real injectors leave `terminationMessagePath`,
`imagePullPolicy`... to that step; ours put those defaults in the patch
themselves, so that replaying the returned patches on the request object
gives exactly the admitted pod.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import jsonpatch

from initlab.admission.review import make_response
from initlab.api.defaults import copy_json, default_pod_in_place
from initlab.api.loader import apply_defaults
from initlab.api.pod import metadata as pod_metadata

# -- the data model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """One `webhooks[]` entry of a Mutating/ValidatingWebhookConfiguration.

    Defaults are the admissionregistration.k8s.io/v1 defaults
    (`pkg/apis/admissionregistration/v1/defaults.go`): failurePolicy Fail,
    reinvocationPolicy Never, timeoutSeconds 10, empty selectors match all.
    """

    name: str
    service: str = "webhook.default.svc:443"
    path: str = "/"
    namespace_selector: Mapping[str, Any] | None = None
    object_selector: Mapping[str, Any] | None = None
    failure_policy: str = "Fail"
    reinvocation_policy: str = "Never"
    timeout_seconds: int = 10
    side_effects: str = "None"

    def url(self) -> str:
        """The URL the API server posts to, with its `?timeout=` parameter (`client.Post().Timeout`)."""
        return f"https://{self.service}{self.path}?timeout={self.timeout_seconds}s"


@dataclass
class Verdict:
    """What a webhook decides: the fields of an AdmissionReview response, unencoded."""

    allowed: bool = True
    patch: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    reason: str = ""
    code: int | None = None
    warnings: list[str] = field(default_factory=list)
    note: str = ""  # why it did (or did not) mutate, for the learner's log


@dataclass(frozen=True)
class Context:
    """What the webhook knows besides the request: its settings and the namespace.

    Real injectors read the Namespace from the API (Linkerd's namespace
    annotation); over HTTP we do not have it, so both may be empty.
    """

    settings: Mapping[str, Any] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    namespace_annotations: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[dict[str, Any], Context], Verdict]


@dataclass(frozen=True)
class Webhook:
    """A built-in webhook: its handler, its registrations and where it comes from."""

    key: str
    type: str  # "mutating" | "validating"
    handler: Handler
    registrations: tuple[Registration, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    source: str = ""

    @property
    def mutating(self) -> bool:
        return self.type == "mutating"

    def review(self, request: dict[str, Any], ctx: Context | None = None) -> Verdict:
        """Call the handler with this webhook's settings (unless the context carries its own)."""
        ctx = ctx or Context()
        if not ctx.settings:
            ctx = Context(dict(self.settings), ctx.namespace_labels, ctx.namespace_annotations)
        return self.handler(request, ctx)


# -- helpers ----------------------------------------------------------------------------


def _str_map(m: Any) -> dict[str, str]:
    return {k: v for k, v in m.items() if isinstance(v, str)} if isinstance(m, dict) else {}


def _annotations(pod: dict[str, Any]) -> dict[str, str]:
    return _str_map(pod_metadata(pod).get("annotations"))


def _labels(pod: dict[str, Any]) -> dict[str, str]:
    return _str_map(pod_metadata(pod).get("labels"))


def _list(spec: dict[str, Any], key: str) -> list[Any]:
    v = spec.get(key)
    return v if isinstance(v, list) else []


def _names(items: list[Any]) -> list[str]:
    return [c["name"] for c in items if isinstance(c, dict) and isinstance(c.get("name"), str)]


def _pod_of(request: dict[str, Any]) -> dict[str, Any]:
    obj = request.get("object") if isinstance(request, dict) else None
    return copy_json(obj) if isinstance(obj, dict) else {}


def workload_owner(pod: dict[str, Any]) -> tuple[str, str] | None:
    """The workload that controls the pod, as `(Kind, name)`: its controller
    ownerReference, a ReplicaSet resolved to its Deployment by the
    `pod-template-hash` suffix (Istio's `kube.GetDeployMetaFromPod`; Linkerd asks
    the API server, initlab has none). None for a bare pod."""
    meta = pod_metadata(pod)
    refs = meta.get("ownerReferences")
    for ref in refs if isinstance(refs, list) else []:
        if not (isinstance(ref, dict) and ref.get("controller") is True):
            continue
        kind, name = ref.get("kind"), ref.get("name")
        if not (isinstance(kind, str) and isinstance(name, str)):
            continue
        h = _labels(pod).get("pod-template-hash")
        if kind == "ReplicaSet" and h and name.endswith("-" + h):
            return "Deployment", name[: -len(h) - 1]
        return kind, name
    return None


def _ptr(*parts: str | int) -> str:
    """A JSON Pointer (RFC 6901): `~` → `~0`, `/` → `~1`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _DiffBuilder(jsonpatch.DiffBuilder):
    """jsonpatch 1.47's `DiffBuilder` (`json.dumps`, no moves), giving the same patch
    with less work per value:

    - a list item's key, which pairs up equal items, is `json.dumps(item,
      sort_keys=True)`: the same string as the library's `dumps(_sorted_members(item))`
      (members sorted by key at every level), made by the C encoder in one call instead
      of a Python copy of the item first (most of the diff's time, for an injected
      container), and not made at all for an item no other could equal (`_item_keys`);
    - two strings are compared as strings: `json.dumps` gives equal text exactly for
      equal strings, so its two encodings per string leaf are not needed.

    `_differing_runs` is the library's own code (jsonpatch 1.47, pinned in
    requirements.txt) but for the key; `tests/test_admission.py` pins that `_diff_patch`
    equals `JsonPatch.from_diff(..., optimization=False)` on generated documents.
    """

    def _compare_values(self, path: Any, key: Any, src: Any, dst: Any) -> None:
        if type(src) is str and type(dst) is str:
            if src != dst:
                self._item_replaced(path, key, dst, src)  # type: ignore[attr-defined]
            return
        super()._compare_values(path, key, src, dst)  # type: ignore[misc]

    def _differing_runs(self, src: list[Any], dst: list[Any]) -> list[tuple[int, int, int, int]]:
        return _differing_runs(src, dst)


def _differing_runs(src: list[Any], dst: list[Any]) -> list[tuple[int, int, int, int]]:
    """`DiffBuilder._differing_runs` of jsonpatch 1.47, keyed by `_item_keys`: the runs
    `src[i1:i2]` → `dst[j1:j2]` between the items both lists have."""
    try:
        src_keys, dst_keys = _item_keys(src, dst)
    except (TypeError, ValueError, RecursionError):
        return [(0, len(src), 0, len(dst))]
    shorter = min(len(src), len(dst))
    start = 0
    while start < shorter and src_keys[start] == dst_keys[start]:
        start += 1
    common_end = 0
    while common_end < shorter - start and src_keys[-1 - common_end] == dst_keys[-1 - common_end]:
        common_end += 1
    src_end, dst_end = len(src) - common_end, len(dst) - common_end
    positional_cost = jsonpatch._positional_cost  # type: ignore[attr-defined]

    costs: dict[tuple[int, int, int, int], int] = {}

    def cost(i1: int, i2: int, j1: int, j2: int) -> int:
        run = (i1, i2, j1, j2)
        if run not in costs:  # most often the one run is the whole list, by position
            costs[run] = abs((i2 - i1) - (j2 - j1)) + sum(
                positional_cost(src[i], dst[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=False)
                if src_keys[i] != dst_keys[j]
            )
        return costs[run]

    by_position = (start, src_end, start, dst_end)
    position_cost = cost(*by_position)
    limit = jsonpatch._EXACT_MATCH_LIMIT  # type: ignore[attr-defined]
    exact = (src_end - start) * (dst_end - start) <= limit
    if not exact:
        counts = collections.Counter(dst_keys[start:dst_end])
        comparisons = sum(counts[key] for key in src_keys[start:src_end])
        if comparisons > max(limit, position_cost**2):
            return [by_position]
    matcher = SequenceMatcher(
        None, src_keys[start:src_end], dst_keys[start:dst_end], autojunk=not exact
    )
    runs = [
        (start + i1, start + i2, start + j1, start + j2)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    if sum(cost(*run) for run in runs) > position_cost:
        return [by_position]
    return runs


def _item_keys(src: list[Any], dst: list[Any]) -> tuple[list[str], list[str]]:
    """Keys for the items of two lists, equal exactly when the items are equal in JSON
    (`json.dumps(item, sort_keys=True)`, see `_DiffBuilder`).

    Only equality between keys matters to the diff, so an item that no other item could
    equal gets a key of its own without being encoded: a `name` (a container's, a
    volume's) that no other object in the two lists has. Objects with no string `name`,
    and all other values, are encoded.
    """
    items = [*src, *dst]
    shapes = [v["name"] if type(v) is dict and type(v.get("name")) is str else None for v in items]
    seen = collections.Counter(shapes)
    keys = [
        json.dumps(v, sort_keys=True) if shape is None or seen[shape] > 1 else f"\0{i}"
        for i, (v, shape) in enumerate(zip(items, shapes, strict=True))
    ]
    return keys[: len(src)], keys[len(src) :]


class _NotDirect(Exception):
    """A value `_direct_diff` leaves to `_DiffBuilder` (not plain decoded JSON)."""


_JSON_LEAVES = (str, int, float, bool, type(None))


def _direct_diff(src: dict[str, Any], dst: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The patch `_DiffBuilder` makes, written directly: the same operations in the same
    order, without its bookkeeping of array items (needed for moves, which it does not
    make here) or its second pass over the operations; None for a document that is not
    plain decoded JSON, which `_DiffBuilder` then diffs itself.

    As the builder: in an object, the removed members (in `src`'s order), the added ones
    (in `dst`'s), then the common ones compared; in an array, the runs of
    `_differing_runs` compared by position (the array has become `dst[:j1] + src[i1:]`
    when a run starts, so paths use `dst`'s indices), where a pair that is neither two
    objects nor two arrays and differs in JSON is one `replace` (the builder's remove
    and add at one path, which its `execute` merges). `tests/test_admission.py` pins it
    against `JsonPatch.from_diff`.
    """
    ops: list[dict[str, Any]] = []
    try:
        _direct_object("", src, dst, ops)
    except (_NotDirect, RecursionError):
        return None
    return ops


def _ptr_key(key: Any) -> str:
    return "/" + str(key).replace("~", "~0").replace("/", "~1")


def _direct_object(path: str, src: dict[Any, Any], dst: dict[Any, Any], ops: list[Any]) -> None:
    for key in src:
        if key not in dst:
            ops.append({"op": "remove", "path": path + _ptr_key(key)})
    for key in dst:
        if key not in src:
            ops.append({"op": "add", "path": path + _ptr_key(key), "value": dst[key]})
    for key in src:
        if key in dst:
            _direct_value(path + _ptr_key(key), src[key], dst[key], ops)


def _direct_value(path: str, old: Any, new: Any, ops: list[Any]) -> None:
    kinds = (type(old), type(new))
    if kinds == (dict, dict):
        _direct_object(path, old, new, ops)
    elif kinds == (list, list):
        _direct_array(path, old, new, ops)
    elif kinds[0] not in (dict, list, *_JSON_LEAVES) or kinds[1] not in (dict, list, *_JSON_LEAVES):
        raise _NotDirect
    elif kinds == (str, str):
        if old != new:
            ops.append({"op": "replace", "path": path, "value": new})
    elif json.dumps(old) != json.dumps(new):
        ops.append({"op": "replace", "path": path, "value": new})


def _direct_array(path: str, src: list[Any], dst: list[Any], ops: list[Any]) -> None:
    for i1, i2, j1, j2 in _differing_runs(src, dst):
        paired = min(i2 - i1, j2 - j1)
        for key in range(j1, j1 + paired):
            _direct_value(f"{path}/{key}", src[i1 + key - j1], dst[key], ops)
        for _ in src[i1 + paired : i2]:
            ops.append({"op": "remove", "path": f"{path}/{j1 + paired}"})
        for key in range(j1 + paired, j2):
            ops.append({"op": "add", "path": f"{path}/{key}", "value": dst[key]})


def _diff_patch(
    original: dict[str, Any], mutated: dict[str, Any], owned: bool = False
) -> list[dict[str, Any]]:
    """A patch computed as a diff, as Istio (`jsonpatch.CreatePatch` in
    `pkg/kube/inject/webhook.go: createPatch`) and Kyverno do.

    Only `add`, `remove` and `replace`, as the Go library's `CreatePatch` makes
    (gomodules.xyz/jsonpatch v2 `handleValues`): python-jsonpatch's search for
    `move` operations is off, which also was most of the injector's time (it
    serialises every added value, the whole proxy container among them).
    This is `JsonPatch.from_diff(..., optimization=False)` (jsonpatch 1.47, pinned)
    without its `copy.deepcopy` of the operations, a third of the injector's time:
    their values are parts of `target`, a copy made here that nothing else holds.
    A test pins that both give the same patch. `owned`: `mutated` is the caller's own
    copy, nothing else holds it, so it is defaulted in place (and becomes `target`).
    """
    target = default_pod_in_place(mutated) if owned else apply_defaults(mutated)
    if type(original) is dict and type(target) is dict:
        ops = _direct_diff(original, target)
        if ops is not None:
            return ops
    builder = _DiffBuilder(original, target, json.dumps, optimization=False)
    builder._compare_values((), None, original, target)
    return list(builder.execute())


def _container_defaults(c: dict[str, Any]) -> dict[str, Any]:
    """Run a new container through the API server's defaulting (see module docstring)."""
    return apply_defaults({"spec": {"containers": [c]}})["spec"]["containers"][0]


def parse_bool(value: str) -> bool | None:
    """Go's `strconv.ParseBool` (`src/strconv/atob.go`): True, False, or None for invalid syntax.

    Istio reads its boolean annotations with it; Vault's `parseutil.ParseBool` does the same
    with a string.
    """
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def to_response(webhook: Webhook, request: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
    """A Verdict as an AdmissionReview response: echoes `request.uid` (the API
    server checks it), base64 JSON patch with `patchType: JSONPatch`; a
    validating webhook never sends a patch."""
    return make_response(
        str(request.get("uid", "")),
        verdict.allowed,
        patch=verdict.patch if (verdict.allowed and webhook.mutating) else None,
        message=verdict.message,
        code=verdict.code,
        reason=verdict.reason,
        warnings=verdict.warnings,
    )


def answer(webhook: Webhook, review: dict[str, Any], ctx: Context | None = None) -> dict[str, Any]:
    """The webhook server's side: an AdmissionReview with a `request` in, one with a `response` out."""
    request = review["request"]
    return to_response(webhook, request, webhook.review(request, ctx))
