"""Does every chapter run in JupyterLite, in the reader's browser, with the network cut?

The book's JupyterLite (``tools/lite.py``: the chapter notebooks on the local
Pyodide of ``tools/pyodide_dist.py``) is served on 127.0.0.1 and opened in
Debian chromium (never ``playwright install``); every request to another host
is aborted. For each of the 13 chapters, in a fresh browser context (a fresh
kernel and browser storage): open the notebook, wait for the Pyodide kernel,
*Run All Cells* (the ``notebook:run-all-cells`` command the Run menu calls),
wait until the kernel is idle, then read the notebook's model and count:

- code cells;
- cells that ran (they have an execution count);
- cells with an error output, and each error's first line;
- cells that print why they skip a step the browser cannot do (``tools/lite.py``
  stubs a schema check, and the cell says so);
- cells not run at all (``tools/lite.py`` made the whole cell a comment; running
  it prints why, and what a real kernel printed);
- whether the chapter ran to the end (its last code cell ran);
- cells whose printed text differs from the notebook's stored output (from a
  real kernel), listed with the first line that differs: a stale notebook, or a
  cell that behaves differently in the browser. Object addresses, PNG-vs-SVG
  figure reprs and the lines that say why a step is skipped are ignored.

The figure is a count, not a speed: the README row cites the totals. The
seconds each Run All took are printed beside the kernel's start-up in the
same page (open the notebook until the Pyodide kernel is idle), for scale.

Run: ``python -m benchmarks lite`` (builds ``lite-dist/`` first), or
``python benchmarks/bench_lite.py [03 10 ...]`` for some chapters only.
The app is exposed to the page (``exposeAppInBrowser``, a JupyterLab page
option, set by rewriting ``jupyter-lite.json`` in flight) so the counts come
from the notebook model, not from scraping prompts.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from itertools import zip_longest
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LITE_ROOT = ROOT / "lite-dist"  # lite-dist/lite/ is the JupyterLite site
SKIP_NOTE = "# Not run in JupyterLite:"  # tools/lite.py: the whole cell is a comment
SAYS_WHY = "in JupyterLite"  # tools/lite.py: what a cell prints for a step it skips
KERNEL_TIMEOUT_MS = 180_000
RUN_TIMEOUT_MS = 900_000

# Read the open notebook's code cells from its model: execution count, errors, stderr.
CELLS_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.filter(c => c.model.type === 'code').map(c => {
    const outs = c.model.outputs.toJSON();
    const text = v => (Array.isArray(v) ? v.join('') : String(v ?? ''));
    return {
      source: c.model.sharedModel.getSource(),
      count: c.model.executionCount,
      errors: outs.filter(o => o.output_type === 'error')
                  .map(o => `${o.ename.replace(/^<class '(.*)'>$/, '$1')}: ${text(o.evalue)}`
                    .split('\\n')[0]),
      stderr: outs.filter(o => o.output_type === 'stream' && o.name === 'stderr')
                  .map(o => text(o.text).split('\\n')[0]),
      outputs: outs.map(o => ({
        type: o.output_type,
        mimes: Object.keys(o.data || {}),
        text: (o.output_type === 'stream' ? text(o.text) : text((o.data || {})['text/plain'])),
      })),
    };
  });
}"""

KERNEL_IDLE_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && !w.sessionContext.isDisposed;
}"""


def _expose_app(route: Any) -> None:
    """Serve jupyter-lite.json with exposeAppInBrowser set (window.jupyterapp)."""
    response = route.fetch()
    config = json.loads(response.text())
    config.setdefault("jupyter-config-data", {})["exposeAppInBrowser"] = "true"
    route.fulfill(response=response, body=json.dumps(config))


def run_chapter(browser: Any, origin: str, name: str, code_cells: int) -> dict[str, Any]:
    """Open one chapter in JupyterLite, Run All, and count what ran and what failed."""
    from browser_support import Watch

    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, origin)
    page.route("**/lite/jupyter-lite.json", _expose_app)
    try:
        t0 = time.perf_counter()
        page.goto(f"{origin}/lite/lab/index.html?path=notebooks/{name}")
        page.wait_for_function(
            """n => window.jupyterapp && window.jupyterapp.shell.currentWidget
                 && window.jupyterapp.shell.currentWidget.content
                 && window.jupyterapp.shell.currentWidget.content.widgets
                      .filter(c => c.model.type === 'code').length >= n""",
            arg=code_cells,
            timeout=KERNEL_TIMEOUT_MS,
        )
        page.wait_for_function(KERNEL_IDLE_JS, timeout=KERNEL_TIMEOUT_MS, polling=100)
        kernel_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        page.evaluate(
            "() => window.jupyterapp.commands.execute('notebook:run-all-cells')",
        )
        # The command returns once every cell is queued and done (or the run stopped at an
        # error); then the kernel goes idle.
        page.wait_for_function(
            """() => ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                       .some(p => p.textContent.includes('*'))""",
            timeout=RUN_TIMEOUT_MS,
            polling=250,
        )
        page.wait_for_function(KERNEL_IDLE_JS, timeout=RUN_TIMEOUT_MS, polling=250)
        run_s = time.perf_counter() - t1
        cells = page.evaluate(CELLS_JS)
    finally:
        context.close()
    ran = [c for c in cells if c["count"] is not None]
    failed = [c for c in cells if c["errors"]]
    return {
        "code": len(cells),
        "ran": len(ran),
        "errors": len(failed),
        "clean": sum(1 for c in ran if not c["errors"]),
        "say_why": sum(1 for c in cells if any(SAYS_WHY in o["text"] for o in c["outputs"])),
        "not_run": sum(1 for c in cells if c["source"].startswith(SKIP_NOTE)),
        "to_the_end": bool(cells) and cells[-1]["count"] is not None,
        "kernel_s": round(kernel_s, 1),
        "run_s": round(run_s, 1),
        "failures": [
            {
                "cell": i + 1,
                "first_line": c["source"].splitlines()[0] if c["source"] else "",
                "error": c["errors"][0],
            }
            for i, c in enumerate(cells)
            if c["errors"]
        ],
        "stderr": [
            {"cell": i + 1, "line": c["stderr"][0]} for i, c in enumerate(cells) if c["stderr"]
        ],
        "problems": watch.problems(),
        "cells": cells,
    }


COLUMNS = ("cells", "ran", "errors", "say why", "not run", "differ", "end", "kernel s", "run s")
NOISE = (
    re.compile(r" at 0x[0-9a-f]+"),  # object reprs' addresses
    re.compile(r"^<Figure size .*>$|^<initlab\.book\.plots\.SvgFigure>$", re.M),  # PNG vs SVG
    re.compile(r"^.*in JupyterLite.*\n?|^In Jupyter, this cell printed:\n", re.M),  # says why
)


def _text(outputs: list[dict[str, Any]]) -> str:
    """A cell's printed text (streams and text/plain), without what may differ harmlessly."""
    text = "".join(
        "".join(o["text"]) if "text" in o else "".join(o.get("data", {}).get("text/plain", ""))
        for o in outputs
    )
    for noise in NOISE:
        text = noise.sub("", text)
    return text.strip()


def differences(stored: dict[str, Any], cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Code cells whose printed text in JupyterLite differs from the notebook's stored output.

    The stored outputs come from a real Python kernel (``tools/nb.py``); a
    difference is either a stale notebook or a cell that behaves differently in
    the browser. Each: the cell's number and the first line that differs, from
    a little before where the two part.
    """
    code = [c for c in stored["cells"] if c.get("cell_type") == "code"]
    out = []
    for i, (before, after) in enumerate(zip(code, cells, strict=False)):
        a = _text(before.get("outputs", []))
        b = _text([{"text": o["text"]} for o in after["outputs"]])
        if a != b:
            pair = next(
                (
                    (x, y)
                    for x, y in zip_longest(a.splitlines(), b.splitlines(), fillvalue="")
                    if x != y
                ),
                (a[:80], b[:80]),
            )
            x, y = pair
            at = next(
                (k for k, (p, q) in enumerate(zip(x, y, strict=False)) if p != q),
                min(len(x), len(y)),
            )
            start = max(0, at - 20)  # from a little before where the two lines part
            out.append(
                {"cell": i + 1, "stored": x[start : start + 80], "lite": y[start : start + 80]}
            )
    return out


def _row(name: str, values: tuple[object, ...]) -> str:
    return f"{name:<36}" + "".join(f"{v!s:>9}" for v in values)


def measure(chapters: list[str] | None = None) -> dict[str, Any]:
    """Serve lite-dist/ on 127.0.0.1 and Run All in each chapter (all, or those named)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import launch, serve
    from playwright.sync_api import sync_playwright

    site = LITE_ROOT / "lite"
    counts = json.loads((site / "cells.json").read_text())
    names = [n for n in sorted(counts) if not chapters or any(n.startswith(c) for c in chapters)]
    out: dict[str, Any] = {}
    print(_row("chapter", COLUMNS))
    with serve(LITE_ROOT) as origin, sync_playwright() as p:
        browser = launch(p)
        try:
            for name in names:
                r = out[name] = run_chapter(browser, origin, name, counts[name]["code"])
                stored = json.loads((site / "files" / "notebooks" / name).read_text())
                r["differences"] = differences(stored, r["cells"])
                r["differ"] = len(r["differences"])
                end = "yes" if r["to_the_end"] else "NO"
                keys = ("code", "ran", "errors", "say_why", "not_run", "differ")
                print(_row(name, (*(r[k] for k in keys), end, r["kernel_s"], r["run_s"])))
                for f in r["failures"]:
                    print(f"    cell {f['cell']}: {f['error'][:150]}  <- {f['first_line'][:60]}")
                for e in r["stderr"]:
                    print(f"    cell {e['cell']} stderr: {e['line'][:150]}")
                for d in r["differences"]:
                    print(
                        f"    cell {d['cell']} differs: {d['stored'][:70]!r} -> {d['lite'][:70]!r}"
                    )
                sys.stdout.flush()
        finally:
            browser.close()
    return out


def main(chapters: list[str] | None = None) -> dict[str, Any]:
    """Build lite-dist/ (Pyodide + JupyterLite), then Run All in every chapter and count."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "pyodide_dist.py")], check=True)
    subprocess.run([sys.executable, str(ROOT / "tools" / "lite.py")], check=True)
    per = measure(chapters)
    keys = ("code", "ran", "errors", "say_why", "not_run", "differ", "clean")
    total = {k: sum(r[k] for r in per.values()) for k in keys}
    ends = sum(r["to_the_end"] for r in per.values())
    print(_row("total", (*(total[k] for k in keys[:-1]), ends)))
    print(
        f"{total['clean']} of {total['code']} code cells run without error "
        f"({total['say_why']} of them print why they skip a step, {total['not_run']} of them "
        f"are skipped whole); {ends} of {len(per)} chapters to the end; {total['differ']} "
        "print other text than the stored notebook"
    )
    for problem in sorted({p for r in per.values() for p in r["problems"]}):
        print(f"page problem: {problem[:200]}")
    chapters_out = {n: {k: v for k, v in r.items() if k != "cells"} for n, r in per.items()}
    return {"chapters": chapters_out, "total": total, "to_the_end": ends, "of": len(per)}


if __name__ == "__main__":
    main(sys.argv[1:] or None)
