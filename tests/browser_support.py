"""Shared helpers for the browser tests (test_browser.py, test_jupyter_live.py).

Plain functions and classes, not fixtures: each test module wraps them in its
own fixtures. Chromium is Debian's (`/usr/bin/chromium`) driven by Python
playwright; `playwright install` is never run (it downloads a browser).

- `require_chromium()`: skip without a browser, except on CI where a missing
  browser is a bug (`.ci/run` installs it) and fails the test.
- `built_site(tmp_path_factory)`: one strict build of the book per test run,
  shared by pytest-xdist workers (`once`: computed under a file lock, as JSON).
- `serve(folder)`: the folder over HTTP on 127.0.0.1, an ephemeral port.
- `Watch(page, origin)`: blocks and records every request to another host,
  and records console errors, page errors, failed requests and HTTP errors.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import ROOT

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A prebuilt site to test instead of building one (e.g. `make book`'s _build/html).
SITE_ENV = "INITLAB_BOOK_HTML"


def require_chromium() -> None:
    """Skip when Debian chromium is absent; on CI (env CI set) fail instead."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("python playwright is not installed (pip install -r requirements.txt)")
    if not missing:
        return
    reason = "; ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but {reason}", pytrace=False)
    pytest.skip(reason)


def launch(playwright: Any) -> Any:
    """Debian chromium, headless, with the project's flags (never `playwright install`)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- the book


def _tool(name: str) -> ModuleType:
    """Import tools/<name>.py (tools/ is a folder of scripts, not a package)."""
    module_name = f"initlab_tools_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build_book(out: Path) -> tuple[int, str, Path]:
    """(exit code, log, html folder) of `jupyter-book build . --path-output OUT -W -n --keep-going`."""
    vendor_js = _tool("vendor_js")
    try:
        vendor_js.vendor()
    except vendor_js.VendorError as exc:
        pytest.fail(f"cannot vendor the book's JavaScript: {exc}")
    pyodide_dist = _tool("pyodide_dist")
    try:
        pyodide_dist.build()
    except pyodide_dist.DistError as exc:
        pytest.fail(f"cannot build the book's Pyodide: {exc}")
    lite = _tool("lite")
    try:
        lite.build()
    except SystemExit as exc:
        pytest.fail(f"cannot build the book's JupyterLite: {exc}")
    proc = subprocess.run(
        [str(JUPYTER_BOOK), "build", ".", "--path-output", str(out), "-W", "-n", "--keep-going"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    return proc.returncode, log, out / "_build" / "html"


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by the pytest-xdist workers of this run (this run's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-of-USER/pytest-N/: this run's workers only
    shared = base / "browser-shared"
    shared.mkdir(exist_ok=True)
    return shared


def once(
    tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], Any]
) -> Any:
    """`compute(shared folder)` run by one xdist worker per test run; the others wait and reuse it.

    The result must be JSON; it is stored as `<name>.json` under a file lock,
    so the costly steps (building the book, touring it in chromium) run once
    however the tests are spread over workers.
    """
    shared = shared_dir(tmp_path_factory)
    result = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result.exists():
                result.write_text(json.dumps(compute(shared)))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return json.loads(result.read_text())


def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book's HTML, built once per test run (xdist workers share it).

    With `INITLAB_BOOK_HTML=folder` that prebuilt site is tested instead.
    """
    prebuilt = os.environ.get(SITE_ENV)
    if prebuilt:
        site = Path(prebuilt).resolve()
        if not (site / "index.html").is_file():
            pytest.fail(f"{SITE_ENV}={prebuilt}: no index.html there", pytrace=False)
        return site

    def build(shared: Path) -> dict[str, Any]:
        code, log, html = build_book(shared / "book")
        return {"code": code, "log": log[-4000:], "html": str(html)}

    done = once(tmp_path_factory, "book", build)
    if done["code"] != 0:
        pytest.fail(
            f"jupyter-book build failed (exit {done['code']}):\n{done['log']}", pytrace=False
        )
    return Path(done["html"])


def site_pages(site: Path) -> list[str]:
    """Every reader-facing page of a built site, as URL paths relative to its root.

    Leaves out the theme's template fragments under _static/ and the vendored
    packages' own demo pages under vendor/, and JupyterLite's app pages under lite/
    (test_browser.py opens a chapter there on its own).
    """
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.split("/", 1)[0] in ("_static", "vendor", "_sources", "_images", "lite", "_pyodide"):
            continue
        pages.append(rel)
    return pages


# --------------------------------------------------------------------------- serving


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on http://127.0.0.1:<ephemeral port>/ from a thread; yields the origin."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- watching a page


@dataclass
class Watch:
    """Everything that went wrong on a page: attach before navigating.

    Requests to any origin but `origin` (and data:/blob: URLs) are aborted and
    listed in `external`; `console` holds console errors, `errors` uncaught
    exceptions, `failed` requests that failed (other than the aborted ones)
    and `http` responses with status >= 400.
    """

    page: Any
    origin: str
    external: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.route("**/*", self._route)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", self._on_failed)
        self.page.on("response", self._on_response)

    def _local(self, url: str) -> bool:
        return url.startswith((self.origin + "/", "data:", "blob:")) or url == self.origin

    def _route(self, route: Any) -> None:
        url = route.request.url
        if self._local(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            self.console.append(f"{msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})")

    def _on_failed(self, request: Any) -> None:
        if self._local(request.url):
            self.failed.append(f"{request.url}: {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.http.append(f"{response.status} {response.url}")

    def problems(self, allow: tuple[re.Pattern[str], ...] = ()) -> list[str]:
        """Every recorded problem, minus those matching an allow-list pattern."""
        found = (
            [f"external request blocked: {u}" for u in self.external]
            + [f"console error: {m}" for m in self.console]
            + [f"page error: {m}" for m in self.errors]
            + [f"request failed: {m}" for m in self.failed]
            + [f"HTTP {m}" for m in self.http]
        )
        return [p for p in found if not any(a.search(p) for a in allow)]

    def clear(self) -> None:
        """Forget what was recorded so far (before the next navigation)."""
        for bucket in (self.external, self.console, self.errors, self.failed, self.http):
            bucket.clear()
