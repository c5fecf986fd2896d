"""Reading manifests safely, and as kubectl reads them.

Untrusted text (a learner's file, a classroom autograder's input) is read
with bounds that hold *while* it is read and parsed, never after:

- size: 3 MiB, the API server's own request-body limit
  (`staging/src/k8s.io/apiserver/pkg/server/config.go`: `MaxRequestBodyBytes
  = 3 * 1024 * 1024`), read in one bounded read from a regular file or
  standard input; FIFOs, devices and directories are refused before reading;
- nesting depth: 64 levels (a Pod needs about 15);
- nodes: at most `MAX_NODES` mappings, sequences, keys and scalars per input,
  counted as the YAML is composed (aliases count as the copies they stand
  for, so a "billion laughs" document stops at the limit) and, for JSON, as
  the decoded document is walked: the same rule for both formats.

`MAX_NODES` is 100,000, for both formats. A 3 MiB file written densely
has about 350,000 nodes (70,000 environment variables of 5 nodes each);
composing YAML costs 4-15 µs a node with libyaml's parser (more in pure
Python, as in Pyodide), so such a file is refused after its first 100,000
nodes, in about 1.5 s and 66 MB (it took 22 s and 470 MB to refuse when
the count came after parsing), while a pod of 64 containers with 300
environment variables each (96,000 nodes, 800 kB) is accepted from YAML
and JSON alike: far beyond any pod a person writes. The error names what
was exceeded: bytes, nesting, nodes, or nodes once aliases are expanded.

YAML is read as kubectl reads it: `sigs.k8s.io/yaml` converts YAML to JSON
with its fork of go-yaml v2 (`goyaml.v2/resolve.go: resolve`), so

- timestamps stay strings (`2001-02-30` and `2001-02-03T04:05:06Z` alike);
- there are no sexagesimal numbers: `1:30` is the string "1:30";
- booleans are YAML 1.1's, `y`/`n` included; nulls are `~`, `null`, `Null`,
  `NULL` and the empty scalar;
- integers are Go's `strconv.ParseInt(s, 0, 64)` with `_` removed (`0777` is
  octal 511, `0o17`, `0x1F`, `0b101`), then `ParseUint`, then a float if it
  matches `^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$` (`1e3`
  is 1000); a number too large for a float64 stays a string;
- `.inf` and `.nan` cannot become JSON (`json: unsupported value: +Inf`);
- `"\\ud800"` is refused (`found invalid Unicode character escape code`);
- a number that went through JSON is an integer when its JSON text is one
  (an integral float below 1e21 that fits an int64), otherwise a float;
- mapping keys become strings (`1` → "1", `y` → "true", a float in Go's
  `FormatFloat(f, 'g', -1, 32)`); a null or collection key is refused;
- unknown tags are ignored: a tagged scalar is a string, a tagged mapping
  or sequence is a mapping or sequence; an anchor that contains itself is
  refused (`anchor 'x' value contains itself`).

JSON is decoded as apimachinery decodes it (`UseNumber`, then int64 or
float64): an integer beyond int64 becomes a float, a number beyond float64
is refused (`cannot unmarshal number ... into Go value of type float64`),
and a lone surrogate escape becomes U+FFFD, as Go's `encoding/json` does.

Duplicate mapping keys are refused, as `kubectl apply` does in strict mode
(`sigs.k8s.io/yaml`: `mapping key "x" already defined`); plain `kubectl
create` keeps the last.

Defaults are `initlab.api.defaults` (re-exported here as `apply_defaults`).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import math
import os
import re
import stat
import struct
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from initlab.api.decoding import check_decodes
from initlab.api.defaults import apply_defaults, image_pull_policy_default
from initlab.errors import InputError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Manifest",
    "apply_defaults",
    "check_json",
    "decode_json",
    "example_path",
    "examples_dir",
    "find_pod",
    "image_pull_policy_default",
    "json_decoder",
    "load_path",
    "load_text",
    "parse_documents",
    "pods_in",
    "read_bounded",
    "read_input",
    "resolve_relative",
    "shipped_examples",
]

MAX_BYTES = 3 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000
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


# -- reading: one bounded reader for every input ------------------------------------


def _too_large(label: str, limit: int = MAX_BYTES) -> InputError:
    why = " (the API server's limit)" if limit == MAX_BYTES else ""
    return InputError(f"{label}: larger than {limit} bytes{why}")


def _read_at_most(fd: int, limit: int) -> bytes:
    """Read until EOF or `limit` bytes, whichever comes first."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_bounded(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` of them; anything else is refused.

    The file is opened non-blocking and checked with `fstat` before a byte is
    read, so a FIFO, a device (`/dev/zero`) or a directory is refused in one
    line instead of hanging or reading forever.
    """
    label = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except (OSError, ValueError) as e:
        raise InputError(f"{label}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = (
                "a directory"
                if stat.S_ISDIR(mode)
                else "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "not a regular file"
            )
            raise InputError(f"{label}: is {what}, not a file")
        data = _read_at_most(fd, limit + 1)
    except OSError as e:
        raise InputError(f"{label}: cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(label, limit)
    return data


def read_stdin(limit: int = MAX_BYTES) -> bytes:
    """Standard input, at most `limit` bytes (a pipe or a terminal is fine here)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # no standard input at all (pythonw, a closed descriptor)
        raise InputError("<stdin>: no standard input to read")
    try:
        data = stream.read(limit + 1)
    except OSError as e:
        raise InputError(f"<stdin>: cannot read: {e.strerror or e}") from None
    if isinstance(data, str):  # a text stream stood in for stdin (tests, notebooks)
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        raise _too_large("<stdin>", limit)
    return data


def read_input(path: str | Path, limit: int = MAX_BYTES) -> tuple[bytes, str]:
    """(bytes, label) of a file, or of standard input for `-`, within `limit` bytes."""
    if str(path) == "-":
        return read_stdin(limit), "<stdin>"
    return read_bounded(path, limit), str(path)


def resolve_relative(
    base_dir: str | Path, rel: str, field_path: str, allow_outside: bool = False
) -> Path:
    """`rel` inside `base_dir`: absolute paths and `..` or symlink escapes are refused.

    A scenario from a learner must not read `/etc/shadow` through `podFile`;
    `allow_outside=True` (the CLI's `--allow-outside-paths`) lifts that.
    """
    if "\x00" in rel:
        raise InputError("a path cannot contain a NUL character", field_path)
    candidate = Path(rel)
    base = Path(base_dir)
    if allow_outside:
        return candidate if candidate.is_absolute() else base / candidate
    if candidate.is_absolute():
        raise InputError(
            f'"{rel}" is an absolute path; podFile is relative to the scenario '
            "(--allow-outside-paths allows it)",
            field_path,
        )
    try:
        root = base.resolve()
        target = (base / candidate).resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop
        raise InputError(f'cannot resolve "{rel}": {e}', field_path) from None
    if target != root and root not in target.parents:
        raise InputError(
            f'"{rel}" leads outside the scenario\'s directory (--allow-outside-paths allows it)',
            field_path,
        )
    return base / candidate


# -- YAML as sigs.k8s.io/yaml reads it ----------------------------------------------

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_FALSES = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
_INFS = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf}
_INFS.update({"+.Inf": math.inf, "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf})
_INFS.update({"-.INF": -math.inf, ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan})
#: goyaml.v2 resolve.go `yamlStyleFloat`.
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
#: Go's `strconv.ParseInt(s, 0, 64)` syntax once `_` is gone: sign, base prefix, digits.
_GO_INT = re.compile(
    r"([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]+)|([1-9][0-9]*|0))"
)
_GO_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT64 = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"


def _go_int(plain: str) -> int | None:
    """`strconv.ParseInt(plain, 0, 64)`, then `ParseUint`: the integer, or None."""
    m = _GO_INT.fullmatch(plain)
    if not m or len(plain) > 70:
        return None
    sign, hexa, binary, octo, octal, dec = m.groups()
    if hexa is not None:
        n = int(hexa, 16)
    elif binary is not None:
        n = int(binary, 2)
    elif octo is not None:
        n = int(octo, 8)
    elif octal is not None:
        n = int(octal, 8)
    else:
        n = int(dec)
    n = -n if sign == "-" else n
    if -_INT64 <= n < _INT64 or (sign != "-" and n < 2**64):
        return n
    return None


def _go_float(text: str) -> float | None:
    """`strconv.ParseFloat(text, 64)` for decimal text: None on overflow (Go's ErrRange)."""
    if not _GO_FLOAT.fullmatch(text):
        return None
    f = float(text)
    return None if math.isinf(f) else f


def resolve_plain(value: str) -> str:
    """goyaml.v2 `resolve()` for a plain scalar: the tag kubectl gives it."""
    if value in _NULLS:
        return NULL_TAG
    if value in _TRUES or value in _FALSES:
        return BOOL_TAG
    if value == "<<":
        return MERGE_TAG
    if value in _INFS:
        return FLOAT_TAG
    first = value[0]
    if first == ".":
        return FLOAT_TAG if _go_float(value) is not None else STR_TAG
    if first in "+-0123456789":
        plain = value.replace("_", "")
        if _go_int(plain) is not None:
            return INT_TAG
        if _YAML_FLOAT.fullmatch(plain) and _go_float(plain) is not None:
            return FLOAT_TAG
    return STR_TAG


def as_json_number(n: int | float) -> int | float:
    """The number kubectl's YAML-to-JSON-to-object round trip leaves.

    An int64 stays an integer; a uint64 beyond it becomes a float (apimachinery
    decodes JSON numbers as int64, else float64); a float Go marshals without
    an exponent (integral, below 1e21) that fits an int64 comes back an integer.
    """
    if isinstance(n, int):
        return n if -_INT64 <= n < _INT64 else float(n)
    if n.is_integer() and abs(n) < 1e21 and -_INT64 <= n < _INT64:
        return int(n)
    return n


def _go_float32_key(f: float) -> str:
    """`strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml spells a float key."""
    try:
        f32 = struct.unpack("f", struct.pack("f", f))[0]
    except OverflowError:
        f32 = math.copysign(math.inf, f)
    if math.isinf(f32):
        return "+Inf" if f32 > 0 else "-Inf"
    if math.isnan(f32):
        return "NaN"
    if f32 == 0:
        return "-0" if math.copysign(1, f32) < 0 else "0"
    for digits in range(1, 10):  # the shortest decimal that reads back as this float32
        text = f"{f32:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            break
    mantissa, exp_text = text.split("e")
    exp = int(exp_text)
    sign = "-" if mantissa.startswith("-") else ""
    nd = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    if exp < -4 or exp >= 21:
        frac = f".{nd[1:]}" if len(nd) > 1 else ""
        return f"{sign}{nd[0]}{frac}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    point = exp + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{nd}"
    if point >= len(nd):
        return f"{sign}{nd}{'0' * (point - len(nd))}"
    return f"{sign}{nd[:point]}.{nd[point:]}"


def _at(mark: Any) -> str:
    """` (line N)` for a PyYAML mark, or nothing without one."""
    return f" (line {mark.line + 1})" if mark is not None else ""


def _key_string(key: Any, mark: Any) -> str:
    """sigs.k8s.io/yaml `convertToJSONableObject`: every mapping key becomes a string."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _go_float32_key(key)
    line = f" (line {mark.line + 1})" if mark else ""
    what = "null" if key is None else type(key).__name__
    raise InputError(f"a mapping key cannot be {what}{line}", "yaml")


class _KubectlLoader(yaml.SafeLoader):
    """PyYAML's safe reader, with go-yaml v2's resolver and bounds checked while composing.

    The composer and constructor are PyYAML's Python ones (so the bounds hold
    while composing); with libyaml installed, its C parser feeds them events,
    about four times faster than the pure-Python scanner (which Pyodide uses).
    """

    yaml_constructors: ClassVar[dict[Any, Any]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._init_bounds()

    def _init_bounds(self) -> None:
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[str, int] = {}

    # -- bounds, while composing --------------------------------------------------
    def _count(self, n: int, alias: bool) -> None:
        self._nodes += n
        if self._nodes > MAX_NODES:
            line = self.peek_event().start_mark.line + 1
            what = " once aliases are expanded" if alias else ""
            raise InputError(
                f"more than {MAX_NODES} nodes (mappings, lists, keys and values){what} "
                f"at line {line}",
                "yaml",
            )

    def compose_document(self) -> Node | None:
        self._sizes = {}
        return Composer.compose_document(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor is not None and event.anchor in self.anchors:
                size = self._sizes.get(event.anchor)
                if size is None:
                    raise InputError(
                        f"anchor '{event.anchor}' value contains itself{_at(event.start_mark)}",
                        "yaml",
                    )
                self._count(size, alias=True)
            return cast(Node, Composer.compose_node(self, parent, index))
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise InputError(
                f"nesting deeper than {MAX_DEPTH} levels (line {event.start_mark.line + 1})",
                "yaml",
            )
        self._count(1, alias=False)
        before = self._nodes
        try:
            node = cast(Node, Composer.compose_node(self, parent, index))
        finally:
            self._depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._sizes[anchor] = self._nodes - before + 1
        if isinstance(node, ScalarNode) and _SURROGATE.search(node.value):
            raise InputError(
                f"found invalid Unicode character escape code (line {node.start_mark.line + 1})",
                "yaml",
            )
        return node

    # -- goyaml.v2 resolve --------------------------------------------------------
    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            return resolve_plain(value)
        return Resolver.resolve(self, kind, value, implicit)

    # -- constructors: JSON values only -------------------------------------------
    def construct_null(self, node: ScalarNode) -> None:
        return None

    def construct_bool(self, node: ScalarNode) -> bool:
        value = self.construct_scalar(node)
        if value in _TRUES:
            return True
        if value in _FALSES:
            return False
        return self._not_a(node, "!!bool")

    def construct_int(self, node: ScalarNode) -> int | float:
        value = str(self.construct_scalar(node)).replace("_", "")
        n = _go_int(value)
        if n is None:
            f = _go_float(value) if _YAML_FLOAT.fullmatch(value) else None
            if f is None:
                return self._not_a(node, "!!int")
            return as_json_number(f)
        return as_json_number(n)

    def construct_float(self, node: ScalarNode) -> int | float:
        value = str(self.construct_scalar(node))
        if value in _INFS:
            inf = _INFS[value]
            word = "NaN" if math.isnan(inf) else "+Inf" if inf > 0 else "-Inf"
            raise InputError(
                f"json: unsupported value: {word}"
                f" (line {node.start_mark.line + 1}; a YAML .inf or .nan cannot become JSON)",
                "yaml",
            )
        f = _go_float(value.replace("_", ""))
        if f is None:
            return self._not_a(node, "!!float")
        return as_json_number(f)

    def construct_binary(self, node: ScalarNode) -> str:
        value = str(self.construct_scalar(node))
        try:
            data = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            return self._not_a(node, "!!binary")
        return data.decode("utf-8", "replace")

    def construct_plain_str(self, node: ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def construct_by_kind(self, node: Node) -> Any:
        """Unknown tags change nothing: a scalar is a string, a collection stays one."""
        if isinstance(node, MappingNode):
            return self.construct_yaml_map(node)
        if isinstance(node, SequenceNode):
            return self.construct_yaml_seq(node)
        return str(self.construct_scalar(cast(ScalarNode, node)))

    def _not_a(self, node: ScalarNode, tag: str) -> Any:
        raise InputError(
            f"cannot decode {node.value!r} as a {tag} (line {node.start_mark.line + 1})", "yaml"
        )

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise InputError(
                    f"invalid map key: a {'list' if isinstance(key, list) else 'mapping'} "
                    f"(line {key_node.start_mark.line + 1})",
                    "yaml",
                )
            key = _key_string(key, key_node.start_mark)
            if key in mapping:
                raise InputError(
                    f'mapping key "{key}" already defined at line {key_node.start_mark.line + 1}',
                    "yaml",
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


for _tag, _fn in {
    NULL_TAG: _KubectlLoader.construct_null,
    BOOL_TAG: _KubectlLoader.construct_bool,
    INT_TAG: _KubectlLoader.construct_int,
    FLOAT_TAG: _KubectlLoader.construct_float,
    STR_TAG: _KubectlLoader.construct_plain_str,
    "tag:yaml.org,2002:binary": _KubectlLoader.construct_binary,
    "tag:yaml.org,2002:seq": yaml.SafeLoader.construct_yaml_seq,
    "tag:yaml.org,2002:map": yaml.SafeLoader.construct_yaml_map,
    None: _KubectlLoader.construct_by_kind,
}.items():
    _KubectlLoader.add_constructor(_tag, _fn)

_CParser = getattr(getattr(yaml, "cyaml", None), "CParser", None)
if _CParser is not None:
    _C: Any = _CParser

    class _FastKubectlLoader(_KubectlLoader, _C):
        """The same loader with libyaml's parser producing the events."""

        # Compose in Python (with the bounds), not in libyaml's C composer.
        check_node = Composer.check_node
        get_node = Composer.get_node
        get_single_node = Composer.get_single_node
        check_event = _C.check_event
        peek_event = _C.peek_event
        get_event = _C.get_event
        dispose = _C.dispose

        def __init__(self, stream: str) -> None:
            _C.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._init_bounds()

    _Loader: type[_KubectlLoader] = _FastKubectlLoader
else:  # pragma: no cover - PyYAML without libyaml (Pyodide)
    _Loader = _KubectlLoader


# -- JSON as apimachinery decodes it -------------------------------------------------


def _json_int(text: str) -> int | float:
    """`UseNumber` then `Int64()`, else `Float64()` (no 4,300-digit int conversion)."""
    if len(text.lstrip("-")) <= 19:
        n = int(text)
        if -_INT64 <= n < _INT64:
            return n
    return _json_float(text)


def _json_float(text: str) -> float:
    f = float(text)
    if math.isinf(f):
        shown = text if len(text) <= 40 else f"{text[:40]}... ({len(text)} characters)"
        raise InputError(f"cannot unmarshal number {shown} into Go value of type float64", "json")
    return f


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if _SURROGATE.search(k):
            k = _SURROGATE.sub("\ufffd", k)
        if k in out:
            raise InputError(f'duplicate key "{k}" in JSON object', "json")
        out[k] = v
    return out


def _walk_json(doc: Any) -> Any:
    """Count nodes and depth (the YAML rules) and replace lone surrogates with U+FFFD."""
    nodes = 0

    def fix(s: str) -> str:
        return _SURROGATE.sub("\ufffd", s) if _SURROGATE.search(s) else s

    if isinstance(doc, str):
        return fix(doc)
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        obj, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise InputError(f"nesting deeper than {MAX_DEPTH} levels", "json")
        if isinstance(obj, dict):
            nodes += len(obj)  # keys are nodes, as in YAML
            for k, v in obj.items():
                if isinstance(v, str):
                    obj[k] = fix(v)
                    nodes += 1
                elif isinstance(v, dict | list):
                    stack.append((v, depth + 1))
                else:
                    nodes += 1
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                if isinstance(v, str):
                    obj[i] = fix(v)
                    nodes += 1
                elif isinstance(v, dict | list):
                    stack.append((v, depth + 1))
                else:
                    nodes += 1
        if nodes > MAX_NODES:
            raise InputError(
                f"more than {MAX_NODES} nodes (mappings, lists, keys and values)", "json"
            )
    return doc


def json_decoder() -> json.JSONDecoder:
    """A decoder with apimachinery's number rules and no duplicate keys (see `decode_json`).

    For a stream of concatenated values (`raw_decode`); pass each value to
    `check_json` for the node, depth and surrogate rules.
    """
    return json.JSONDecoder(
        object_pairs_hook=_no_duplicate_pairs,
        parse_int=_json_int,
        parse_float=_json_float,
        parse_constant=_no_constant,
    )


def check_json(doc: Any, source: str = "<input>") -> Any:
    """The JSON rules applied after decoding: nodes, depth, lone surrogates (U+FFFD)."""
    try:
        return _walk_json(doc)
    except InputError as e:
        raise InputError(f"{source}: {e.message}") from None


def decode_json(text: str, source: str = "<input>") -> Any:
    """One JSON document as apimachinery decodes it, within the same bounds as YAML.

    Raises `json.JSONDecodeError` for text that is not JSON (the caller may
    try YAML, whose flow style looks alike) and `InputError` for JSON it refuses.
    """
    try:
        doc = json.loads(
            text,
            object_pairs_hook=_no_duplicate_pairs,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_no_constant,
        )
        return _walk_json(doc)
    except InputError as e:
        raise InputError(f"{source}: {e.message}") from None
    except RecursionError:
        raise InputError(f"{source}: nesting deeper than {MAX_DEPTH} levels") from None


def _no_constant(name: str) -> Any:
    """`NaN` and `Infinity` are not JSON (Go refuses them)."""
    raise InputError(f"invalid character in JSON: {name} is not a JSON value", "json")


def parse_documents(text: str | bytes, source: str = "<input>") -> list[Any]:
    """Parse YAML or JSON text into documents, within the bounds above."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise _too_large(source)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InputError(f"{source}: not UTF-8 text (byte {e.start})") from None
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large(source)
    if "\x00" in text:
        raise InputError(f"{source}: contains a NUL byte; not a text manifest")
    if text.lstrip().startswith(("{", "[")):
        try:
            return [decode_json(text, source)]
        except json.JSONDecodeError:
            pass  # may still be YAML flow style
    docs: list[Any] = []
    try:
        loader = _Loader(text)
    except yaml.YAMLError as e:  # the reader refuses control characters up front
        raise InputError(f"{source}: not valid YAML: {_yaml_problem(e)}") from None
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
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
            check_decodes(obj, source)
            return Manifest(
                pod=apply_defaults(obj),
                raw=obj,
                kind="Pod",
                name=_name(obj),
                source=source,
                documents=docs,
            )
        if isinstance(kind, str) and kind in TEMPLATE_PATHS:
            manifest = _from_template(obj, kind, source, docs)
            check_decodes(obj, source, TEMPLATE_PATHS[kind])
            return manifest
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


def _owner_reference(obj: dict[str, Any], kind: str, name: str, namespace: Any) -> dict[str, Any]:
    """The controller reference a workload's pods carry (`metav1.NewControllerRef`), so that
    webhooks can name the workload as they do in a cluster (Istio's `GetDeployMetaFromPod`,
    Linkerd's owner retriever). A Deployment's pods are owned by its ReplicaSet, whose
    owner the webhooks look up; initlab has no ReplicaSet and names the Deployment
    directly. The uid is deterministic (uuid5)."""
    api = obj.get("apiVersion") if isinstance(obj.get("apiVersion"), str) else "v1"
    uid = uuid.uuid5(uuid.NAMESPACE_URL, f"initlab:{kind}/{namespace or 'default'}/{name}")
    return {
        "apiVersion": api,
        "kind": kind,
        "name": name,
        "uid": str(uid),
        "controller": True,
        "blockOwnerDeletion": True,
    }


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
    if kind != "PodTemplate" and "ownerReferences" not in pod["metadata"]:
        pod["metadata"]["ownerReferences"] = [_owner_reference(obj, kind, owner, namespace)]
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


def examples_dir() -> Path:
    """Where the shipped examples are: `initlab/examples/` in an installed wheel (setup.py
    copies them there), else the repository's own `examples/` (a source checkout)."""
    installed = Path(__file__).resolve().parent.parent / "examples"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "examples"


def shipped_examples() -> list[str]:
    """The names of the shipped example scenarios (`myapp-pod`, ...), sorted."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def example_path(name: str) -> Path | None:
    """The file of a shipped example given by name (`myapp-pod` or `myapp-pod.yaml`), or None."""
    stem = name.removesuffix(".yaml")
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        return None
    path = examples_dir() / f"{stem}.yaml"
    return path if path.is_file() else None


def load_text(text: str | bytes, source: str = "<input>") -> Manifest:
    """Parse text and return its first pod (defaulted)."""
    return find_pod(parse_documents(text, source), source)


def load_path(path: str | Path) -> Manifest:
    """Read a manifest file (`-` for standard input) and return its first pod."""
    data, label = read_input(path)
    return load_text(data, label)
