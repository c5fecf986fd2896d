"""Check that the built book reads fully offline, and report page weights.

Usage: ``python tools/check_offline.py [_build/html] [--max-page-bytes N]``.
Exit 0 if clean, 1 if any page or asset would load something from another
host, a page references a local file that is missing, or a page is heavier than
the limit (2 MB by default).

What counts as a load from another host (``http://``, ``https://`` or ``//host``):

- HTML: any URL-valued attribute (``src``, ``srcset``, ``href`` of ``<link>``
  and of SVG elements, ``poster``, ``data``, ``background``, ``formaction``,
  ``manifest``, ``xlink:href``, every ``data-*`` attribute such as
  ``data-jupyter-widgets-cdn``) and a ``<meta http-equiv="refresh">`` target.
  Plain hyperlinks are fine: ``<a href>``, ``<area href>``, ``<form action>``
  (they load only when the reader clicks) and ``<link>`` whose ``rel`` is
  purely navigational (``canonical``, ``next``, ``prev``, ``search``...).
  ``style`` attributes and ``<style>`` blocks are read as CSS, executable
  ``<script>`` blocks as JavaScript; JSON script blocks (widget state) are data.
- CSS (``.css`` files and inline): ``url(...)`` and ``@import``, outside comments.
- JavaScript (``.js`` files and inline): the same CSS patterns inside strings,
  ``src=``/``href=`` assignments and HTML snippets, ``setAttribute("src", ...)``,
  loader calls (``fetch``, ``import``, ``importScripts``, ``require``,
  ``new Worker``, ``XMLHttpRequest.open``, ...), and any string that names a
  well-known CDN host. Comments (license headers, "see https://...") are ignored.

Vendored third-party code keeps a few inert CDN strings; ``ALLOWED`` lists each
one with the reason it is never fetched. Everything else is an offender.

Page weight is the size of the HTML file itself, which includes everything
inlined into it (stored outputs, images as data URIs, widget state, players).
Scripts and styles it references are shared by all pages and reported
separately as "with assets", for information.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_PAGE_BYTES = 2 * 1024 * 1024

EXTERNAL = re.compile(r"^\s*(?:(?:https?:)?//)", re.IGNORECASE)
_URL = r"(?P<url>(?:https?:)?//[^\s\"'`\\)<>]+)"

# (path glob relative to the site root, URL regex, why it is never fetched)
ALLOWED: tuple[tuple[str, str, str], ...] = (
    (
        "vendor/mathjax/*",
        r"^https://cdn\.jsdelivr\.net/npm/(speech-rule-engine|sre-mathmaps-ie|wicked-good-xpath)@",
        "speech-rule-engine fallbacks: MathJax's a11y/sre component points SRE at the local "
        "[mathjax]/sre/mathmaps; the other two load only in Internet Explorer",
    ),
    (
        "lite/build/*.js",
        r"^https://(github\.com/(jupyter|jupyterlite|jupyterlab)/|jupyter\.org/about|"
        r"jupyter-server\.readthedocs\.io/|discourse\.jupyter\.org/)",
        "JupyterLab's Help menu and About dialog: links a reader may click, never fetched",
    ),
    (
        "lite/extensions/@jupyterlite/pyodide-kernel-extension/static/*.js",
        r"^https://cdn\.jsdelivr\.net/pyodide/v[0-9.]+/full/pyodide\.mjs$",
        "the kernel's default pyodideUrl; lite/jupyter-lite.json sets a local one "
        "(check_lite_config below fails the build otherwise)",
    ),
    (
        "*pyodide/pyodide.mjs",
        r"^https://cdn\.jsdelivr\.net/pyodide/v\$\{\w+\}/full/$",
        "Pyodide's default cdnUrl: the players pass packageBaseUrl (the local _pyodide/), and "
        "tools/pyodide_dist.py prunes the lock to the files it ships, so nothing resolves there",
    ),
    (
        "lite/extensions/jupyterlab-jupytext/static/*.js",
        r"^https://jupytext\.org/",
        "jupytext's help links (its labextension comes with jupytext from the build venv)",
    ),
)

NAV_RELS = {
    "alternate",
    "author",
    "bookmark",
    "canonical",
    "external",
    "help",
    "index",
    "license",
    "me",
    "next",
    "nofollow",
    "noopener",
    "noreferrer",
    "prev",
    "search",
    "first",
    "last",
    "up",
}
URL_ATTRS = {
    "src",
    "srcset",
    "href",
    "poster",
    "data",
    "background",
    "formaction",
    "manifest",
    "xlink:href",
    "codebase",
    "archive",
    "icon",
    "lowsrc",
    "dynsrc",
}
JSON_SCRIPT = re.compile(r"(^|/|\+)json$", re.IGNORECASE)
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/x-thebe-config"}

CDN_HOSTS = (
    r"cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|"
    r"fonts\.gstatic\.com|code\.jquery\.com|ajax\.googleapis\.com|[a-z]+\.bootstrapcdn\.com|"
    r"use\.fontawesome\.com|kit\.fontawesome\.com|cdn\.plot\.ly|cdn\.bokeh\.org|"
    r"cdn\.mathjax\.org|polyfill\.io|esm\.sh|cdn\.skypack\.dev|ga\.jspm\.io|"
    r"www\.googletagmanager\.com|www\.google-analytics\.com|plausible\.io"
)
CSS_PATTERNS = (
    ("css url()", re.compile(r"url\(\s*\\?[\"']?\s*" + _URL, re.IGNORECASE)),
    ("css @import", re.compile(r"@import\s+(?:url\(\s*)?\\?[\"']?\s*" + _URL, re.IGNORECASE)),
)
JS_PATTERNS = CSS_PATTERNS + (
    (
        "js src/href",
        re.compile(
            r"\b(?:src|href|srcset|poster|data|action)\s*(?:=|:)\s*\\?[\"'`]\s*" + _URL,
            re.IGNORECASE,
        ),
    ),
    (
        "js setAttribute",
        re.compile(r"setAttribute\(\s*[\"'](?:src|href|srcset)[\"']\s*,\s*[\"'`]" + _URL),
    ),
    (
        "js loader call",
        re.compile(
            r"\b(?:fetch|import|importScripts|require|requirejs|loadScript|getScript|Worker|"
            r"SharedWorker|EventSource|WebSocket|open|ajax|get|load|sendBeacon)\s*\(\s*"
            r"(?:\[\s*)?(?:[\"'`](?:GET|POST)[\"'`]\s*,\s*)?[\"'`]" + _URL
        ),
    ),
    ("js CDN string", re.compile(r"[\"'`](?P<url>(?:https?:)?//(?:" + CDN_HOSTS + r")[^\"'`]*)")),
)
# Comments: a block comment or a line comment that starts at a line start or after
# whitespace (also after a literal "\n" inside a JS string holding CSS). "https://"
# never matches: its "//" follows a colon.
COMMENTS = re.compile(
    r"(?:(?<=^)|(?<=\s)|(?<=\\n)|(?<=\\t)|(?<=[;{}(,]))(?:/\*[\s\S]*?\*/|//[^\n]*)"
)
CSS_COMMENTS = re.compile(r"/\*[\s\S]*?\*/")


@dataclass
class Offender:
    path: str
    line: int
    kind: str
    url: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.url}"


@dataclass
class Report:
    offenders: list[Offender] = field(default_factory=list)
    missing: list[Offender] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # html path -> bytes
    with_assets: dict[str, int] = field(default_factory=dict)  # html + referenced local files

    def heavy(self, limit: int = MAX_PAGE_BYTES) -> list[tuple[str, int]]:
        return sorted(((p, n) for p, n in self.pages.items() if n > limit), key=lambda x: -x[1])

    def ok(self, limit: int = MAX_PAGE_BYTES) -> bool:
        return not self.offenders and not self.missing and not self.heavy(limit)


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """Replace matches with spaces, keeping newlines so line numbers stay right."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


_IN_ANCHOR = re.compile(r"<(?:a|area)\s[^<>]*$", re.IGNORECASE)


def _scan(text: str, patterns, offset_line: int = 1) -> list[tuple[int, str, str]]:
    found = []
    for kind, pattern in patterns:
        for m in pattern.finditer(text):
            if kind == "js src/href" and _IN_ANCHOR.search(
                text, max(0, m.start() - 300), m.start()
            ):
                continue  # '<a href="https://...">' built by script: a hyperlink
            line = offset_line + text.count("\n", 0, m.start())
            found.append((line, kind, m.group("url")))
    return found


def scan_css(text: str, offset_line: int = 1) -> list[tuple[int, str, str]]:
    """External loads in CSS: (line, kind, url)."""
    return _scan(_blank(text, CSS_COMMENTS), CSS_PATTERNS, offset_line)


def scan_js(text: str, offset_line: int = 1) -> list[tuple[int, str, str]]:
    """External loads in JavaScript: (line, kind, url)."""
    return _scan(_blank(text, COMMENTS), JS_PATTERNS, offset_line)


def _urls_of(name: str, value: str) -> list[str]:
    if name == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self.local_refs: list[tuple[int, str]] = []
        self._raw: tuple[str, str, int] | None = None  # (tag, type, line) inside script/style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        amap = {k: (v or "") for k, v in attrs}
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.found += [(line, f"<{tag} style> {k}", u) for _, k, u in scan_css(value)]
                continue
            if tag in ("a", "area") and name == "href":
                continue
            if tag == "link" and name == "href":
                rels = set(amap.get("rel", "").lower().split())
                if rels and rels <= NAV_RELS:
                    continue
            if name in URL_ATTRS or name.startswith("data-"):
                for url in _urls_of(name, value):
                    if EXTERNAL.match(url):
                        self.found.append((line, f"<{tag} {name}>", url.strip()))
                    elif name in ("src", "href") and tag in ("script", "link", "img"):
                        self.local_refs.append((line, url))
        if tag == "meta" and amap.get("http-equiv", "").lower() == "refresh":
            m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", amap.get("content", ""), re.IGNORECASE)
            if m and EXTERNAL.match(m.group(1)):
                self.found.append((line, "<meta refresh>", m.group(1)))
        if tag in ("script", "style"):
            self._raw = (tag, amap.get("type", "").strip().lower(), line)

    def handle_endtag(self, tag: str) -> None:
        if self._raw and tag == self._raw[0]:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if not self._raw:
            return
        tag, typ, line = self._raw
        if tag == "style":
            self.found += [(ln, f"<style> {k}", u) for ln, k, u in scan_css(data, line)]
        elif JSON_SCRIPT.search(typ):
            return  # data (widget state, JSON-LD), never executed
        elif typ in JS_TYPES:
            self.found += [(ln, f"<script> {k}", u) for ln, k, u in scan_js(data, line)]


def scan_html(text: str) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """External loads in an HTML page, and its local script/style/img references."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.found, parser.local_refs


def _allowed(rel_path: str, url: str) -> bool:
    return any(fnmatch.fnmatch(rel_path, glob) and re.search(rx, url) for glob, rx, _ in ALLOWED)


def _local_target(site: Path, page: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # data:, mailto:, javascript:, fragment-only
    return (page.parent / unquote(parts.path)).resolve()


def check_lite_config(site: Path) -> list[str]:
    """JupyterLite (site/lite/), if built, must load Pyodide locally and never fall back to PyPI."""
    config_path = site / "lite" / "jupyter-lite.json"
    if not config_path.is_file():
        return []
    config = json.loads(config_path.read_text())["jupyter-config-data"]
    settings = config.get("litePluginSettings", {})
    kernel = settings.get("@jupyterlite/pyodide-kernel-extension:kernel", {})
    url = str(kernel.get("pyodideUrl", ""))
    problems = []
    if not url.endswith("pyodide.mjs") or EXTERNAL.match(url):
        problems.append(f"lite/jupyter-lite.json: pyodideUrl {url!r} is not a local file")
    elif not (config_path.parent / url).resolve().is_file():
        problems.append(f"lite/jupyter-lite.json: pyodideUrl {url!r} is missing")
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("lite/jupyter-lite.json: disablePyPIFallback is not true")
    return problems


def check_site(site: Path) -> Report:
    """Scan every .html, .css, .js and .mjs file under site."""
    site = site.resolve()
    report = Report()
    for problem in check_lite_config(site):
        report.external.append(Offender("lite/jupyter-lite.json", 0, "lite config", problem))
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".css", ".js", ".mjs"):
            continue
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html" and rel.startswith("_static/"):
            continue  # theme templates (webpack-macros.html), not pages
        if path.suffix == ".html":
            found, refs = scan_html(text)
            size = path.stat().st_size
            report.pages[rel] = size
            seen = set()
            for line, url in refs:
                target = _local_target(site, path, url)
                if target is None or target in seen:
                    continue
                seen.add(target)
                if target.is_file():
                    size += target.stat().st_size
                else:
                    report.missing.append(Offender(rel, line, "missing local file", url))
            report.with_assets[rel] = size
        elif path.suffix == ".css":
            found = scan_css(text)
        else:
            found = scan_js(text)
        for line, kind, url in found:
            if not _allowed(rel, url):
                report.offenders.append(Offender(rel, line, kind, url))
    return report


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="_build/html", type=Path)
    parser.add_argument("--max-page-bytes", type=int, default=MAX_PAGE_BYTES)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"check_offline: {args.site}/index.html not found: build the book first (make book)")
        return 2
    report = check_site(args.site)
    for off in report.offenders:
        print(f"external load: {off}")
    for off in report.missing:
        print(f"missing: {off}")
    print(f"{len(report.pages)} pages; largest (HTML incl. inlined content | with assets):")
    for page, size in sorted(report.pages.items(), key=lambda x: -x[1])[:5]:
        print(f"  {_mb(size):>9}  {_mb(report.with_assets[page]):>9}  {page}")
    for page, size in report.heavy(args.max_page_bytes):
        print(f"too heavy: {page}: {_mb(size)} > {_mb(args.max_page_bytes)}")
    if report.ok(args.max_page_bytes):
        print("offline check: OK (no external loads, no missing files, pages within limit)")
        return 0
    print(
        f"offline check: FAILED ({len(report.offenders)} external loads, "
        f"{len(report.missing)} missing files, {len(report.heavy(args.max_page_bytes))} heavy pages)"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
