"""How long does the book take to build, and how heavy are its pages?

The build is compared with a bare Sphinx build of a one-page project in the
same run (same machine, same Python), so the ratio says what the chapters,
notebooks and theme add. Page weight is each page's HTML (with everything
inlined: players, figures, widget state) against the 2 MB budget of issue 6.

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


def main() -> dict[str, Any]:
    """Build the book into a temporary folder, time it, weigh its pages."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "vendor_js.py")], check=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bare = _bare_sphinx(tmp)
        book = _timed(
            [str(BIN / "jupyter-book"), "build", ".", "--path-output", str(tmp / "book"), "-W", "-n",
             "--keep-going"],
            ROOT,
        )  # fmt: skip
        pages = sorted(
            ((p.stat().st_size, p.relative_to(tmp / "book" / "_build" / "html"))
             for p in (tmp / "book" / "_build" / "html").rglob("*.html")),
            reverse=True,
        )  # fmt: skip
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
    return out


if __name__ == "__main__":
    main()
