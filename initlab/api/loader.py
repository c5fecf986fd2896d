"""Loading manifests safely, and the API server's defaults.

Untrusted text goes through `yaml.safe_load` semantics (a `SafeLoader`
subclass) with three extra bounds, because a learner may point the CLI at
anything:

- size: 3 MiB, the API server's own request-body limit
  (`staging/src/k8s.io/apiserver/pkg/server/config.go`: `MaxRequestBodyBytes
  = 3 * 1024 * 1024`);
- nesting depth: 64 levels (a Pod needs about 15);
- alias expansion: at most 10,000 nodes once aliases are expanded, so a
  "billion laughs" document is refused before anything walks it.

Duplicate mapping keys are refused, as `kubectl apply` does in strict mode
(`sigs.k8s.io/yaml`: `mapping key "x" already defined`).

Defaults follow `pkg/apis/core/v1/defaults.go` (`SetDefaults_Pod`,
`SetDefaults_PodSpec`, `SetDefaults_Container`, `SetDefaults_Probe`,
`SetDefaults_ContainerPort`): only the fields whose value changes what the
simulator, the resource helpers or validation see.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from initlab.errors import InputError

MAX_BYTES = 3 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 10_000
MAX_DOCUMENTS = 1_000

#: kind -> path of the pod template inside the object.
TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}


@dataclass
class Manifest:
    """A pod as the API server would store it, and where it came from."""

    pod: dict[str, Any]
    raw: dict[str, Any]
    kind: str = "Pod"
    name: str = ""
    spec_path: str = "spec"
    source: str = "<input>"
    documents: list[Any] = field(default_factory=list)

    @property
    def is_template(self) -> bool:
        return self.kind != "Pod"


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting, alias bombs and duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise InputError(
                f"nesting deeper than {MAX_DEPTH} levels (line {mark.line + 1})", "yaml"
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = key_node.value
                if key in seen and key != "<<":
                    raise InputError(
                        f'mapping key "{key}" already defined at line {key_node.start_mark.line + 1}',
                        "yaml",
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: Node, budget: int) -> int:
    """Count nodes as if every alias were copied out; stop past `budget`."""
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        count += 1
        if count > budget:
            return count
        if isinstance(n, SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, MappingNode):
            for k, v in n.value:
                stack.append(k)
                stack.append(v)
    return count


def parse_documents(text: str | bytes, source: str = "<input>") -> list[Any]:
    """Parse YAML or JSON text into documents, within the bounds above."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise InputError(f"{source}: larger than {MAX_BYTES} bytes (the API server's limit)")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InputError(f"{source}: not UTF-8 text (byte {e.start})") from None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError(f"{source}: larger than {MAX_BYTES} bytes (the API server's limit)")
    if "\x00" in text:
        raise InputError(f"{source}: contains a NUL byte; not a text manifest")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            doc = json.loads(text, object_pairs_hook=_no_duplicate_pairs)
            _check_json_depth(doc, source)
            return [doc]
        except json.JSONDecodeError:
            pass  # may still be YAML flow style
        except InputError as e:
            if e.field != "json":
                raise
            raise InputError(f"{source}: {e.message}") from None
        except RecursionError:
            raise InputError(f"{source}: nesting deeper than {MAX_DEPTH} levels") from None
    docs: list[Any] = []
    try:
        loader = _BoundedLoader(text)
    except yaml.YAMLError as e:  # the reader refuses control characters up front
        raise InputError(f"{source}: not valid YAML: {_yaml_problem(e)}") from None
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if _expanded_size(node, MAX_NODES) > MAX_NODES:
                raise InputError(
                    f"{source}: more than {MAX_NODES} nodes once aliases are expanded "
                    "(an alias bomb?)"
                )
            docs.append(loader.construct_document(node))
            if len(docs) > MAX_DOCUMENTS:
                raise InputError(f"{source}: more than {MAX_DOCUMENTS} documents")
    except InputError as e:
        if e.field == "yaml":
            raise InputError(f"{source}: {e.message}") from None
        raise
    except ConstructorError as e:
        problem = (e.problem or "cannot construct").strip()
        line = f" (line {e.problem_mark.line + 1})" if e.problem_mark else ""
        raise InputError(f"{source}: not plain YAML: {problem}{line}") from None
    except yaml.YAMLError as e:
        raise InputError(f"{source}: not valid YAML: {_yaml_problem(e)}") from None
    except RecursionError:
        raise InputError(f"{source}: nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    return [d for d in docs if d is not None]


def _yaml_problem(e: yaml.YAMLError) -> str:
    """One line from a PyYAML error: the problem and where it is."""
    if isinstance(e, yaml.reader.ReaderError):
        return f"unacceptable character #x{e.character:04x} at position {e.position}"
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"{problem}{where}"


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise InputError(f'duplicate key "{k}" in JSON object', "json")
        out[k] = v
    return out


def _check_json_depth(doc: Any, source: str) -> None:
    stack = [(doc, 1)]
    while stack:
        obj, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{source}: nesting deeper than {MAX_DEPTH} levels")
        if isinstance(obj, dict):
            stack.extend((v, depth + 1) for v in obj.values())
        elif isinstance(obj, list):
            stack.extend((v, depth + 1) for v in obj)


def _iter_objects(docs: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    """Documents in order, with `kind: List` items expanded."""
    out: list[tuple[int, dict[str, Any]]] = []
    for i, doc in enumerate(docs):
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("kind"), str)
            and doc["kind"].endswith("List")
        ):
            items = doc.get("items")
            if isinstance(items, list):
                out.extend((i, item) for item in items if isinstance(item, dict))
                continue
        if isinstance(doc, dict):
            out.append((i, doc))
    return out


def pods_in(docs: list[Any]) -> list[dict[str, Any]]:
    """Every Pod among the documents (`kind: List` unwrapped), as written: for `get`."""
    return [obj for _, obj in _iter_objects(docs) if obj.get("kind") == "Pod"]


def find_pod(docs: list[Any], source: str = "<input>") -> Manifest:
    """The first Pod, or the first workload's pod template, among the documents."""
    objects = _iter_objects(docs)
    kinds: list[str] = []
    for _, obj in objects:
        kind = obj.get("kind")
        if kind == "Pod":
            return Manifest(
                pod=apply_defaults(obj),
                raw=obj,
                kind="Pod",
                name=_name(obj),
                source=source,
                documents=docs,
            )
        if isinstance(kind, str) and kind in TEMPLATE_PATHS:
            return _from_template(obj, kind, source, docs)
        kinds.append(str(kind) if kind is not None else "(no kind)")
    if not docs:
        raise InputError(f"{source}: empty, no Kubernetes object in it")
    if not objects:
        raise InputError(f"{source}: not a Kubernetes object (a {type(docs[0]).__name__})")
    found = ", ".join(dict.fromkeys(kinds))
    raise InputError(
        f"{source}: no Pod or pod template found (kinds: {found}); "
        "expected kind Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob"
    )


def _name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        name = meta.get("name") or meta.get("generateName") or ""
        return name if isinstance(name, str) else ""
    return ""


def _from_template(obj: dict[str, Any], kind: str, source: str, docs: list[Any]) -> Manifest:
    path = TEMPLATE_PATHS[kind]
    node: Any = obj
    for i, key in enumerate(path):
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            where = ".".join(path[: i + 1])
            raise InputError(f"{source}: {kind} has no pod template", where)
    template = node
    owner = _name(obj) or kind.lower()
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    pod_name = f"{owner}-0" if kind == "StatefulSet" else owner
    namespace = None
    if isinstance(obj.get("metadata"), dict):
        namespace = obj["metadata"].get("namespace")
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {**copy.deepcopy(meta), "name": pod_name},
        "spec": copy.deepcopy(template.get("spec")),
    }
    if namespace:
        pod["metadata"]["namespace"] = namespace
    if kind in ("Job", "CronJob"):
        labels = pod["metadata"].setdefault("labels", {})
        if isinstance(labels, dict):
            labels.setdefault("job-name", owner)
    return Manifest(
        pod=apply_defaults(pod),
        raw=pod,
        kind=kind,
        name=owner,
        spec_path=".".join(path) + ".spec",
        source=source,
        documents=docs,
    )


def load_text(text: str | bytes, source: str = "<input>") -> Manifest:
    """Parse text and return its first pod (defaulted)."""
    return find_pod(parse_documents(text, source), source)


def read_bounded(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """Read a file, refusing anything over `limit` bytes before reading it all."""
    p = Path(path)
    label = str(path)
    try:
        if p.is_dir():
            raise InputError(f"{label}: is a directory")
        with p.open("rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as e:
        raise InputError(f"{label}: cannot read: {e.strerror or e}") from None
    if len(data) > limit:
        why = " (the API server's limit)" if limit == MAX_BYTES else ""
        raise InputError(f"{label}: larger than {limit} bytes{why}")
    return data


def read_input(path: str | Path) -> tuple[bytes, str]:
    """(bytes, label) of a file, or of standard input for `-`, within the size limit."""
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"<stdin>: larger than {MAX_BYTES} bytes (the API server's limit)")
        return data, "<stdin>"
    return read_bounded(path), str(path)


def load_path(path: str | Path) -> Manifest:
    """Read a manifest file (`-` for standard input) and return its first pod."""
    data, label = read_input(path)
    return load_text(data, label)


# -- defaults -----------------------------------------------------------------


def image_pull_policy_default(image: Any) -> str:
    """`SetDefaults_Container`: Always for `:latest` or no tag, else IfNotPresent.

    A digest (`@sha256:`) counts as a tag (`pkg/apis/core/v1/defaults.go`,
    which uses `parsers.ParseImageName`).
    """
    if not isinstance(image, str) or not image:
        return "IfNotPresent"
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def _default(obj: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` when absent, null or "" -- Go defaults a field on its zero value."""
    if obj.get(key) in (None, ""):
        obj[key] = value


_PROBE_DEFAULTS = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def _default_container(c: dict[str, Any]) -> None:
    _default(c, "terminationMessagePath", "/dev/termination-log")
    _default(c, "terminationMessagePolicy", "File")
    _default(c, "imagePullPolicy", image_pull_policy_default(c.get("image")))
    ports = c.get("ports")
    if isinstance(ports, list):
        for p in ports:
            if isinstance(p, dict):
                _default(p, "protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        pr = c.get(probe)
        if isinstance(pr, dict):
            for k, v in _PROBE_DEFAULTS.items():
                if pr.get(k) in (None, 0):
                    pr[k] = v
    res = c.get("resources")
    if isinstance(res, dict):
        _default_requests_from_limits(res)


def _default_requests_from_limits(res: dict[str, Any]) -> None:
    """`SetDefaults_Pod`: a limit with no request makes the request equal to the limit."""
    limits = res.get("limits")
    if not isinstance(limits, dict) or not limits:
        return
    requests = res.get("requests")
    if requests is None:
        requests = res["requests"] = {}
    if isinstance(requests, dict):
        for k, v in limits.items():
            requests.setdefault(k, v)


def apply_defaults(pod: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of `pod` with the API server's defaults applied.

    Never raises on wrongly typed fields: it defaults what it can and leaves
    the rest for validation to report.
    """
    out = copy.deepcopy(pod)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        _default(meta, "namespace", "default")
    spec = out.get("spec")
    if not isinstance(spec, dict):
        return out
    _default(spec, "restartPolicy", "Always")
    _default(spec, "terminationGracePeriodSeconds", 30)
    _default(spec, "dnsPolicy", "ClusterFirst")
    _default(spec, "schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    for key in ("initContainers", "containers"):
        containers = spec.get(key)
        if isinstance(containers, list):
            for c in containers:
                if isinstance(c, dict):
                    _default_container(c)
    res = spec.get("resources")
    if isinstance(res, dict):
        _default_requests_from_limits(res)
    return out
