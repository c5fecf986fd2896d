"""How long does the book take to build, how heavy are its pages, how fast is it live?

The build is compared with a bare Sphinx build of a one-page project in the
same run (same machine, same Python), so the ratio says what the chapters,
notebooks and theme add. Page weight is each page's HTML (with everything
inlined: players, figures) against the 2 MB budget.

In the page (Debian chromium, the built book served on 127.0.0.1, every other
host blocked):

- first view: bytes transferred when a first-time reader opens each chapter
  (HTML, CSS, JS, fonts, images; the 1.5 MB target), with Pyodide not loaded;
- Python ready: from the first "Run" of a player to initlab imported in
  Pyodide, against the baseline of loading the bare Pyodide core in a blank
  page of the same site, in the same browser, in the same run;
- re-simulation: a second Run of the same player (simulate + precompute every
  view in Python), against the same page's first Run.

Run: `python -m benchmarks book`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUDGET = 2 * 1024 * 1024


def _timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t0


def _bare_sphinx(tmp: Path) -> float:
    src = tmp / "bare"
    src.mkdir()
    (src / "conf.py").write_text("project = 'bare'\n")
    (src / "index.rst").write_text("Bare\n====\n\nOne page.\n")
    return _timed(
        [str(BIN / "sphinx-build"), "-q", "-b", "html", str(src), str(tmp / "bare-out")], tmp
    )


FIRST_VIEW_TARGET = 1.5e6


def _first_view_bytes(context: Any, url: str) -> int:
    """Bytes of every response a fresh page load transfers (until the network is idle)."""
    page = context.new_page()
    sizes: list[int] = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    page.goto(url, wait_until="networkidle")
    page.close()
    return sum(sizes)


BARE_CORE = """<!DOCTYPE html><html><body><script type="module">
const t0 = performance.now();
const m = await import("./_pyodide/pyodide.mjs");
await m.loadPyodide({indexURL: new URL("./_pyodide/", location).href});
document.body.setAttribute("data-ms", (performance.now() - t0).toFixed(0));
</script></body></html>"""


def live(site: Path) -> dict[str, Any]:
    """In chromium: first-view bytes of every chapter, Python-ready and re-simulation times."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import launch, serve
    from playwright.sync_api import sync_playwright

    (site / "_bench_core.html").write_text(BARE_CORE)
    out: dict[str, Any] = {"first_view_bytes": {}}
    try:
        with serve(site) as origin, sync_playwright() as p:
            browser = launch(p)
            try:
                for chapter in sorted(site.glob("notebooks/*.html")):
                    context = browser.new_context()
                    context.route(
                        "**/*",
                        lambda r: r.continue_() if r.request.url.startswith(origin) else r.abort(),
                    )
                    rel = chapter.relative_to(site).as_posix()
                    out["first_view_bytes"][rel] = _first_view_bytes(context, f"{origin}/{rel}")
                    context.close()
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{origin}/_bench_core.html")
                page.wait_for_function("document.body.hasAttribute('data-ms')", timeout=120_000)
                core_ms = float(page.get_attribute("body", "data-ms"))
                context.close()
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{origin}/notebooks/03-failure-and-restart.html")
                player = page.locator(".initlab-player:has(button.ilp-edit)").first
                player.locator("button.ilp-edit").click()
                runs = []
                for _ in range(6):
                    player.locator("button.ilp-run").click()
                    page.wait_for_function(
                        "el => el.hasAttribute('data-run-ms') && !el.querySelector('.ilp-run').disabled",
                        arg=player.element_handle(),
                        timeout=120_000,
                    )
                    runs.append(float(player.get_attribute("data-run-ms")))
                ready_ms = float(player.get_attribute("data-python-ready-ms"))
                context.close()
            finally:
                browser.close()
    finally:
        (site / "_bench_core.html").unlink()
    resim = sorted(runs[1:])[len(runs[1:]) // 2]
    out.update(
        bare_core_ms=core_ms,
        python_ready_ms=ready_ms,
        ready_ratio=round(ready_ms / core_ms, 2),
        first_run_ms=runs[0],
        resimulate_ms=resim,
        resimulate_ratio=round(resim / runs[0], 3),
    )
    heaviest = max(out["first_view_bytes"].items(), key=lambda kv: kv[1])
    print(f"{'in the page':<44}{'value':>12}")
    print(f"{'bare Pyodide core ready (ms, baseline)':<44}{core_ms:>12.0f}")
    print(f"{'initlab ready after first Run (ms)':<44}{ready_ms:>12.0f}")
    print(f"{'ready / bare core':<44}{out['ready_ratio']:>12.2f}")
    print(f"{'first Run, simulate + views (ms)':<44}{runs[0]:>12.1f}")
    print(f"{'re-simulation, median of 5 (ms)':<44}{resim:>12.1f}")
    for rel, size in out["first_view_bytes"].items():
        print(f"{'first view ' + rel:<52}{size / 1e6:>7.2f} MB")
    print(f"{'heaviest first view / 1.5 MB target':<44}{heaviest[1] / FIRST_VIEW_TARGET:>12.2f}")
    return out


def main() -> dict[str, Any]:
    """Build the book into a temporary folder, time it, weigh its pages, measure it live."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "vendor_js.py")], check=True)
    subprocess.run([sys.executable, str(ROOT / "tools" / "pyodide_dist.py")], check=True)
    subprocess.run([sys.executable, str(ROOT / "tools" / "lite.py")], check=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bare = _bare_sphinx(tmp)
        book = _timed(
            [str(BIN / "jupyter-book"), "build", ".", "--path-output", str(tmp / "book"), "-W", "-n",
             "--keep-going"],
            ROOT,
        )  # fmt: skip
        site = tmp / "book" / "_build" / "html"
        pages = sorted(
            ((p.stat().st_size, p.relative_to(site))
             for p in site.rglob("*.html") if "lite" not in p.relative_to(site).parts[:1]),
            reverse=True,
        )  # fmt: skip
        live_figures = live(site)
        shutil.rmtree(tmp / "book", ignore_errors=True)
    heaviest, name = pages[0]
    out = {
        "book_build_s": round(book, 2),
        "bare_sphinx_s": round(bare, 2),
        "build_ratio": round(book / bare, 1),
        "pages": len(pages),
        "heaviest_page": str(name),
        "heaviest_page_bytes": heaviest,
        "heaviest_vs_budget": round(heaviest / BUDGET, 3),
    }
    print(f"{'measure':<36}{'value':>14}")
    print(f"{'book build (s)':<36}{book:>14.2f}")
    print(f"{'bare one-page sphinx build (s)':<36}{bare:>14.2f}")
    print(f"{'book / bare':<36}{out['build_ratio']:>14.1f}")
    print(f"{'pages':<36}{len(pages):>14}")
    print(f"{'heaviest page (bytes) ' + str(name):<36}{heaviest:>14,}")
    print(f"{'heaviest / 2 MB budget':<36}{out['heaviest_vs_budget']:>14.3f}")
    out["live"] = live_figures
    return out


if __name__ == "__main__":
    main()
