"""What a bare init container does, read from its command: the idiom table.

A scenario says how each container behaves (`behavior:`). A learner's own
manifest says nothing of the kind, so the simulator must assume something,
and it says what it assumed. For the idioms people actually write in init
containers it assumes what a real cluster would do; everything else keeps
the 1-second default and is reported as not recognised.

The table is small on purpose. Each row is a whole-script pattern (the
container's `command` + `args`, or the script of `sh -c`), never a guess
from a fragment:

| idiom (the whole script) | behaviour |
|---|---|
| `until nslookup NAME; do ...; done` | `waitFor: service/NAME` |
| `until nc -z HOST PORT; do ...; done` | `waitFor: service/HOST` |
| `until wget [--spider] ... URL; do ...; done` | `waitFor: service/HOST` (of the URL) |
| `until curl ... URL; do ...; done` | `waitFor: service/HOST` (of the URL) |
| `until pg_isready -h HOST ...; do ...; done` | `waitFor: service/HOST` |
| `while ! PROBE; do ...; done` | the same as `until PROBE` |
| `sleep N` (`Ns`, `Nm`, `Nh`) | `run: N` (exits 0) |
| `exit N` | `exit: N` at once |

`NAME`/`HOST` may be a DNS name (`mydb.default.svc.cluster.local`, or the
docs' `myservice.$(cat .../namespace).svc.cluster.local`): its first label
is the Service. A loop body may only `sleep` and `echo`; after `done`, and
before `sleep N` or `exit N`, only `echo` may run (anything else might fail
or take time, so the script is not recognised). Between statements, `;`,
`&&` and newlines all count.

What initlab cannot know stays visible: the text trace starts with an
`# assumed:` line per container and the JSON result has `assumed`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from initlab.api.pod import as_list

SHELLS = {"sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash", "/usr/bin/env sh"}

#: A DNS-1123 label: what a Service name is.
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smh]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Assumption:
    """What the simulator assumes of a container with no behaviour.

    `behaviour` uses the scenario's own keys (`{"waitFor": "service/db"}`,
    `{"run": 5}`, `{"exit": 1}`, or the default); `idiom` names the table row
    that matched, or is "" when nothing did.
    """

    behaviour: dict[str, Any]
    idiom: str

    @property
    def recognised(self) -> bool:
        return bool(self.idiom)

    def describe(self) -> str:
        """One line for the trace header, e.g. `waitFor: service/mydb (until nslookup)`."""
        parts = ", ".join(f"{k}: {v}" for k, v in self.behaviour.items())
        if self.idiom:
            return f"{parts} ({self.idiom})"
        if self.behaviour.get("run") == "forever":
            return f"{parts} (the default for app containers and sidecars)"
        return f"{parts} (the default for init containers: its command is not in the idiom table)"


def argv(container: dict[str, Any]) -> list[str] | None:
    """The process's argv as the kubelet builds it: `command` + `args`.

    None when `command` is absent: the image's ENTRYPOINT is not in the
    manifest, so nothing can be read from it.
    """
    command = container.get("command")
    args = container.get("args") or []
    if not isinstance(command, list) or not command or not isinstance(args, list):
        return None
    if not all(isinstance(a, str) for a in command + args):
        return None
    return [*command, *args]


def script_of(container: dict[str, Any]) -> str | None:
    """The shell script a container runs (`sh -c SCRIPT`), or its argv joined as one."""
    av = argv(container)
    if av is None:
        return None
    if av[0] in SHELLS and len(av) >= 3 and av[1] in ("-c", "-ec", "-ce"):
        return av[2]
    if av[:2] == ["/usr/bin/env", "sh"] and len(av) >= 4 and av[2] == "-c":
        return av[3]
    return shlex.join(av)


def _statements(script: str) -> list[str]:
    """Split on `;`, `&&` and newlines, outside quotes; drop empty statements."""
    out, cur, quote = [], "", ""
    i = 0
    while i < len(script):
        ch = script[i]
        if quote:
            cur += ch
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch in ";\n" or script.startswith("&&", i):
            out.append(cur.strip())
            cur = ""
            if ch == "&":
                i += 1
        else:
            cur += ch
        i += 1
    out.append(cur.strip())
    return [s for s in out if s]


#: `$(...)` command substitutions (no nesting): one word, whatever spaces they hold.
_SUBST = re.compile(r"\$\([^()]*\)")


def _words(statement: str) -> list[str] | None:
    try:
        return shlex.split(_SUBST.sub("_subst_", statement))
    except ValueError:
        return None


def _harmless(statement: str) -> bool:
    """`echo ...`, `printf ...` or a `sleep N`: nothing that can fail or matter."""
    w = _words(statement)
    if not w:
        return False
    return w[0] in ("echo", "printf", ":", "true") or _sleep(statement) is not None


def _sleep(statement: str) -> float | None:
    w = _words(statement)
    if not w or w[0] != "sleep" or len(w) != 2:
        return None
    m = _DURATION.match(w[1])
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def _exit(statement: str) -> int | None:
    w = _words(statement)
    if w and w[0] == "exit" and len(w) == 2 and w[1].isdigit():
        return int(w[1]) % 256
    return None


def _service(host: str) -> str | None:
    """The Service a host name resolves to: its first DNS label (port and scheme removed)."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.split("/", 1)[0].rsplit("@", 1)[-1]
    host = re.sub(r":\d+$", "", host)
    label = host.split(".", 1)[0]
    return label if _LABEL.match(label) else None


def _probe(words: list[str]) -> tuple[str, str] | None:
    """(service, idiom) for a readiness probe command, or None."""
    cmd, rest = words[0], words[1:]
    positional = [w for w in rest if not w.startswith("-")]
    if cmd == "nslookup" and len(positional) == 1:
        svc = _service(positional[0])
        return (svc, "nslookup") if svc else None
    if cmd == "nc" and any(w[:1] == "-" and w[1:2] != "-" and "z" in w for w in rest):
        # `-w 2`-style option values stay among the positional words: HOST PORT come last.
        if (
            len(positional) >= 2
            and positional[-1].isdigit()
            and all(w.isdigit() for w in positional[:-2])
        ):
            svc = _service(positional[-2])
            return (svc, "nc -z") if svc else None
        return None
    if cmd in ("wget", "curl"):
        urls = [w for w in positional if "://" in w or re.match(r"^[a-z0-9.-]+(:\d+)?(/|$)", w)]
        # wget/curl options that take a value (-O FILE, -o FILE, -T N, -m N) leave their value
        # among the positional words; the URL is the one word that looks like one.
        urls = [u for u in urls if "://" in u] or urls
        if len(urls) == 1:
            svc = _service(urls[0])
            return (svc, f"{cmd}") if svc else None
        return None
    if cmd == "pg_isready":
        for i, w in enumerate(rest):
            if w == "-h" and i + 1 < len(rest):
                svc = _service(rest[i + 1])
                return (svc, "pg_isready") if svc else None
            if w.startswith("--host="):
                svc = _service(w.split("=", 1)[1])
                return (svc, "pg_isready") if svc else None
    return None


_LOOP = re.compile(
    r"^\s*(?:until\s+(?P<until>.+?)|while\s+!\s*(?P<whilenot>.+?))\s*[;\n]\s*do\b(?P<body>.*?)"
    r"[;\n]\s*done\b(?P<rest>.*)$",
    re.S,
)


def infer(container: dict[str, Any], is_init: bool = True) -> Assumption:
    """What to assume of a container with no behaviour: an idiom of the table, or the default.

    Only regular init containers are read: their script decides when
    initialization moves on. App containers and sidecars run until the end.
    """
    default = Assumption({"run": 1, "exit": 0} if is_init else {"run": "forever"}, "")
    if not is_init:
        return default
    script = script_of(container)
    if script is None:
        return default
    m = _LOOP.match(script)
    if m:
        keyword = "until" if m.group("until") else "while !"
        probe = _words((m.group("until") or m.group("whilenot") or "").strip())
        body = _statements(m.group("body"))
        rest = _statements(m.group("rest"))
        if probe and all(_harmless(s) for s in body) and all(_harmless(s) for s in rest):
            found = _probe(probe)
            if found:
                return Assumption({"waitFor": f"service/{found[0]}"}, f"{keyword} {found[1]}")
        return default
    statements = _statements(script)
    if not statements:
        return default
    *head, last = statements
    if not all(_harmless(s) and _sleep(s) is None for s in head):
        return default
    seconds = _sleep(last)
    if seconds is not None:
        return Assumption({"run": int(seconds) if seconds.is_integer() else seconds}, "sleep N")
    code = _exit(last)
    if code is not None:
        return Assumption({"run": 0, "exit": code}, "exit N")
    return default


def assumptions(pod: dict[str, Any], described: set[str]) -> dict[str, Assumption]:
    """For every container not in `described` (the scenario's `behavior`), what is assumed."""
    spec = pod.get("spec") if isinstance(pod, dict) else None
    spec = spec if isinstance(spec, dict) else {}
    out: dict[str, Assumption] = {}
    for c in as_list(spec.get("initContainers")):
        name = str(c.get("name"))
        if name not in described:
            out[name] = infer(c, is_init=c.get("restartPolicy") != "Always")
    for c in as_list(spec.get("containers")):
        name = str(c.get("name"))
        if name not in described:
            out[name] = infer(c, is_init=False)
    return out
