"""The classroom path end to end: the live widgets in a real JupyterLab, with the .venv kernel.

A JupyterLab server starts on 127.0.0.1 (random free port, a token, no
browser, no news, no update check, a read-only extension manager; config,
data and runtime folders in a temporary directory) on a generated notebook.
Debian chromium opens it, runs all cells, steps the explorer and changes the
what-if lab's restartPolicy; the Python callbacks run in the kernel and the
displayed STATUS must follow what the simulator says.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_support import ROOT, Watch, free_port, require_chromium

pytestmark = pytest.mark.browser

EXPLORE_SCENARIO = ROOT / "examples" / "myapp-pod.yaml"
WHAT_IF_SCENARIO = ROOT / "examples" / "flaky-migration-onfailure.yaml"
START_TIMEOUT_S = 90
TIMEOUT_MS = 60_000  # first kernel start + imports on a busy 2-core machine
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@dataclass
class Lab:
    """A running JupyterLab: where to reach it and how to read its log."""

    url: str
    token: str
    proc: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        """The server log's last lines, for failure messages."""
        return self.log.read_text(errors="replace")[-3000:]


#: The book's build tools (`make book`) install JupyterLite's Pyodide kernel extension into the
#: .venv; a real JupyterLab finds it too and cannot load it (its shared module exists only inside
#: JupyterLite). That one console error is harmless to the classroom path and is the only one let
#: through; anything else still fails the test.
LITE_KERNEL_EXTENSION = re.compile(
    r"^console error: Error: Shared module @jupyterlite/services doesn't exist in shared scope default"
    r"[\s\S]*@jupyterlite/pyodide-kernel-extension/static/remoteEntry"
)


def _notebook() -> dict[str, Any]:
    """A notebook: which Python runs the kernel, an explorer, a what-if lab."""

    def code(k: int, src: str) -> dict[str, Any]:
        cell = {"cell_type": "code", "metadata": {}, "source": src, "outputs": []}
        return {"id": f"cell-{k}", **cell, "execution_count": None}

    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "cells": [
            code(0, "import sys\nprint('KERNEL-PREFIX', sys.prefix)"),
            code(
                1,
                "import initlab\n"
                "from initlab.book.widgets import explore\n"
                f"e = explore({str(EXPLORE_SCENARIO)!r})\n"
                "e.widget",
            ),
            code(2, f"w = initlab.book.widgets.what_if({str(WHAT_IF_SCENARIO)!r})\nw.widget"),
        ],
    }


def _get(url: str, timeout: float = 5) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - 127.0.0.1 only
        return int(r.status)


def _stop(lab: Lab) -> None:
    """Shut kernels and server down, then make sure every process we started is gone."""
    import psutil

    try:
        tree = [psutil.Process(lab.proc.pid), *psutil.Process(lab.proc.pid).children(True)]
    except psutil.NoSuchProcess:
        tree = []
    # Kernels run in their own session (jupyter_client), so a process-group kill
    # would miss them: ask the server first, then kill what is left by pid.
    try:
        req = urllib.request.Request(
            f"{lab.url}/api/shutdown?token={lab.token}", method="POST", data=b""
        )
        urllib.request.urlopen(req, timeout=5).close()  # noqa: S310 - 127.0.0.1 only
    except OSError:
        pass
    try:
        lab.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(lab.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    _gone, alive = psutil.wait_procs(tree, timeout=5)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
    if lab.proc.poll() is None:
        lab.proc.kill()
        lab.proc.wait(timeout=5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 serving a temp folder with the generated notebook."""
    require_chromium()
    base = tmp_path_factory.mktemp("jupyter")
    root, config, data, runtime, ipython = (
        base / d for d in ("root", "config", "data", "runtime", "ipython")
    )
    for d in (root, config, data, runtime, ipython):
        d.mkdir()
    (root / "live.ipynb").write_text(json.dumps(_notebook(), indent=1))
    # The news/update prompt is a front-end setting: answer it "never" up front.
    settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(data),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "IPYTHONDIR": str(ipython),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    cmd = [
        sys.executable,  # the .venv: its kernelspec python3 (--sys-prefix) runs the kernel
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--ServerApp.terminals_enabled=False",
        "--ServerApp.log_level=INFO",
    ]
    if os.geteuid() == 0:
        cmd.append("--ServerApp.allow_root=True")  # CI containers often run as root
    log = base / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Lab(f"http://127.0.0.1:{port}", token, proc, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{server.tail()}")
            try:
                if _get(f"{server.url}/api/status?token={token}") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT_S}s:\n{server.tail()}")
            time.sleep(0.25)
        yield server
    finally:
        _stop(server)


def _status(pre_text: str) -> str:
    """STATUS from a `kubectl get pod` table (header line + one row)."""
    lines = [line for line in pre_text.splitlines() if line.strip()]
    header = next(i for i, line in enumerate(lines) if line.startswith("NAME"))
    head, row = lines[header], lines[header + 1]
    return row[head.index("STATUS") : head.index("RESTARTS")].strip()


def _expected_explorer_statuses() -> list[str]:
    """What the same explorer says in Python, snapshot by snapshot (no display)."""
    from initlab.book.widgets import explore

    return [str(s.get("status")) for s in explore(str(EXPLORE_SCENARIO)).snapshots]


def _wait_text(pre: Any, done: Callable[[str], bool], timeout: float = 15) -> str:
    """The text of `pre` once `done(text)`, or whatever it shows after `timeout` seconds.

    Polls through the locator: an HTML widget replaces its element on every
    update (a handle would go stale), and the kernel re-renders a panel as
    several widget updates, so the get table may arrive a moment after the clock.
    """
    deadline = time.monotonic() + timeout
    while True:
        text = pre.inner_text()
        if done(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def test_live_widgets_run_their_callbacks_in_jupyterlab(lab: Lab, browser: Any) -> None:
    """Run all cells; the explorer's step moves STATUS, restartPolicy=Never fails the pod."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, lab.url)
    try:
        page.goto(f"{lab.url}/lab/tree/live.ipynb?token={lab.token}")
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        cells.nth(2).wait_for()
        # Run only once the kernel is up: an earlier Run All is silently dropped.
        page.locator(
            '.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]'
        ).wait_for()
        # Run > Run All Cells (the notebook:run-all-cells command). While the kernel
        # session is still connecting, JupyterLab drops the command without a word
        # (the prompts stay "[ ]:"), so issue it again until every cell is queued.
        queued = re.compile(r"\[(\*|\d+)\]")
        last_prompt = cells.nth(2).locator(".jp-InputArea-prompt")

        def run_all() -> None:
            for _attempt in range(5):
                page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
                page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
                try:
                    last_prompt.filter(has_text=queued).wait_for(timeout=5000)
                    return
                except PlaywrightTimeout:
                    continue

        run_all()

        # The kernel is the project's .venv.
        prefix = cells.nth(0).locator(".jp-OutputArea-output", has_text="KERNEL-PREFIX")
        prefix.wait_for()
        assert prefix.inner_text().split()[-1] == sys.prefix

        # The explorer: read STATUS, step until it changes, compare with the simulator.
        # JupyterLab may open two kernel sessions for a new notebook and shut one down;
        # cells queued on that one are dropped (seen once on CI: prompts back to "[ ]:",
        # the kernel idle, no output). If the kernel stays idle with no explorer for 3 s,
        # Run All again (at most 3 times; never while a cell runs).
        explorer = cells.nth(1).locator(".jp-OutputArea-output")
        get = explorer.locator("pre").filter(has_text=re.compile(r"^NAME\s+READY"))
        idle = page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]')
        deadline = time.monotonic() + 3 * TIMEOUT_MS / 1000
        idle_since: float | None = None
        reruns = 0
        while get.count() == 0 and time.monotonic() < deadline:
            now = time.monotonic()
            idle_since = (idle_since or now) if idle.count() > 0 else None
            if idle_since is not None and now - idle_since > 3 and reruns < 3:
                run_all()
                reruns += 1
                idle_since = None
            time.sleep(0.25)
        if get.count() == 0:
            shown_output = cells.nth(1).locator(".jp-OutputArea").inner_text()
            raise AssertionError(f"the explorer never rendered; cell 1 shows: {shown_output!r}")
        expected = _expected_explorer_statuses()
        changes = next(k for k, st in enumerate(expected) if st != expected[0])
        clock = explorer.locator("code", has_text=re.compile(r"^t = "))
        shown = [_status(get.inner_text())]
        step = explorer.locator("button", has_text="step ▶")
        for k in range(1, changes + 1):
            step.click()
            clock.filter(has_text=f"({k + 1}/{len(expected)})").wait_for()
            text = _wait_text(get, lambda text, k=k: _status(text) == expected[k])
            shown.append(_status(text))
        assert shown == expected[: changes + 1]
        assert shown[-1] != shown[0]

        # The what-if lab: restartPolicy Never fails the pod on the first init failure.
        lab_out = cells.nth(2).locator(".jp-OutputArea-output")
        summary = lab_out.locator("pre").filter(has_text=re.compile(r"^NAME\s+READY"))
        summary.wait_for()
        before = summary.inner_text()
        assert _status(before) == "Running" and before.rstrip().endswith("phase: Running")
        lab_out.locator(".widget-toggle-button", has_text=re.compile(r"^Never$")).click()
        after = _wait_text(summary, lambda text: text != before)
        assert _status(after) == "Init:Error"
        assert after.rstrip().endswith("phase: Failed")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "jupyter-live.png"))
        # Nothing left 127.0.0.1 (no news, no update check, no CDN), nothing failed.
        assert watch.problems(allow=(LITE_KERNEL_EXTENSION,)) == []
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "jupyter-live-failure.png"))
        print(lab.tail())
        raise
    finally:
        context.close()
