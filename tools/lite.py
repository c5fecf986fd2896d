"""Build the book's JupyterLite: the chapter notebooks, runnable in the reader's browser, offline.

    python tools/lite.py            # lite-dist/lite/ (the book has it at _build/html/lite/)

JupyterLite (jupyterlite-core and jupyterlite-pyodide-kernel 0.8.6, pinned in
requirements.txt) runs a Python kernel in the browser on the same local
Pyodide the players use (``tools/pyodide_dist.py``): nothing comes from a CDN,
``disablePyPIFallback`` is on and ``pyodideUrl`` is local. The build runs
offline once ``pyodide-dist`` exists.

The notebooks JupyterLite gets are copies of ``notebooks/*.ipynb`` with:

- the kernelspec renamed to JupyterLite's ``python`` (else a "Select Kernel"
  dialog opens);
- ``%matplotlib inline`` lines removed (there is no matplotlib in Pyodide;
  ``initlab.book.plots``' figures, ``timeline``, ``resources_over_time`` and
  ``admission_diff``, then return their inline SVG drawings);
- schema checks skipped, saying so: ``kubernetes_validate`` needs ``rpds-py``,
  compiled code with no Pyodide build on any registry. Where a cell only
  imports it and calls ``.validate(...)`` (or only calls ``.validate(...)``,
  imported by an earlier cell), a stub takes its place that prints "schema
  check skipped" and the rest of the cell runs (so names it defines exist for
  later cells);
- every other cell that cannot run in a browser made into a comment that
  says why, with its stored output kept; running it prints why and what a real
  kernel printed: other uses of ``kubernetes_validate`` (e.g. the schema files
  it ships), or ``subprocess`` other than ``python -m initlab``.

``examples/`` and ``notebooks/manifests/`` go in as files, so the chapters'
relative paths (``../examples/x.yaml``, ``manifests/y.yaml``) work. The lock
JupyterLite reads lists ipywidgets among initlab's dependencies (the kernel
loads packages from a cell's own imports, and ``import initlab.book.widgets``
names only initlab).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_ROOT = ROOT / "lite-dist"  # listed in html_extra_path
OUT = OUT_ROOT / "lite"  # lands at _build/html/lite/
PYODIDE = ROOT / "pyodide-dist" / "_pyodide"

KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}

#: (pattern in a cell's source, why the cell cannot run in the browser)
CANNOT_RUN: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\bkubernetes_validate\b|--schema\b"),
        "kubernetes-validate needs rpds-py, compiled code that no registry builds for Pyodide",
    ),
    (
        re.compile(r"\bsubprocess\b"),
        "it starts a process (the initlab command line); a browser has no processes",
    ),
)
MAGIC = re.compile(r"^%matplotlib\b.*$\n?", re.M)
SCHEMA_IMPORT = re.compile(r"^(?P<indent>[ \t]*)import kubernetes_validate[ \t]*$", re.M)
SCHEMA_USES = re.compile(r"kubernetes_validate(?!\.validate\()(?![ \t]*$)")
SCHEMA_STUB = """\
# JupyterLite: kubernetes-validate cannot run in the browser (it needs rpds-py, compiled
# code that no registry builds for Pyodide). Its schema checks are skipped and say so;
# everything else in this cell runs.
class _SchemaSkipped:
    def validate(self, *args, **kwargs):
        print("(schema check skipped in JupyterLite: kubernetes-validate is not available)")


kubernetes_validate = _SchemaSkipped()
"""


SUBPROCESS_STUB = """\
# JupyterLite: a browser has no processes, so `python -m initlab ...` runs initlab's
# command line in this kernel instead (initlab.cli.main: same arguments, same output).
import contextlib as _contextlib
import io as _io
import subprocess


def _initlab_here(cmd, capture_output=False, text=False, check=False, **kwargs):
    if [str(a) for a in cmd[1:3]] != ["-m", "initlab"]:
        raise OSError("JupyterLite cannot start processes: " + " ".join(map(str, cmd)))
    from initlab.cli import main

    out, err = _io.StringIO(), _io.StringIO()
    with _contextlib.redirect_stdout(out), _contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in cmd[3:]])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    done = subprocess.CompletedProcess(cmd, code or 0, out.getvalue(), err.getvalue())
    if check and done.returncode:
        raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr)
    return done


subprocess.run = _initlab_here
"""


def _schema_stubbed(source: str) -> str | None:
    """A cell whose only schema uses are `import` and `.validate(...)`, with the checks stubbed.

    The import may be in an earlier cell: the stub binds the name again, so the
    cell runs the same whether or not the earlier one ran.
    """
    if not re.search(r"\bkubernetes_validate\b", source):
        return None
    rest = SCHEMA_IMPORT.sub("", source)
    if SCHEMA_USES.search(rest.replace("kubernetes_validate.validate(", "")):
        return None
    return SCHEMA_STUB + SCHEMA_IMPORT.sub(lambda m: m.group("indent") + "pass", source)


def lite_cell(cell: dict) -> tuple[dict, str | None]:
    """The cell as JupyterLite gets it, and why it cannot run there (None if it can)."""
    if cell.get("cell_type") != "code":
        return cell, None
    source = "".join(cell.get("source", []))
    source = MAGIC.sub("", source)
    if re.search(r"\bsubprocess\b", source) and re.search(r'"-m", "initlab"', source):
        source = SUBPROCESS_STUB + source
    stubbed = _schema_stubbed(source)
    if stubbed is not None:
        source = stubbed
    if not re.search(r"\bkubernetes_validate\b(?!\s*=)", source.replace(SCHEMA_STUB, "")) or (
        stubbed is not None
    ):
        if "subprocess" not in source or SUBPROCESS_STUB in source:
            return dict(cell, source=source), None
    for pattern, why in CANNOT_RUN:
        if pattern.search(source):
            note = (
                f"# Not run in JupyterLite: {why}.\n"
                "# The output below was stored from a real Python kernel; running this cell\n"
                "# prints why, and that output. The cell, for Jupyter:\n"
            )
            commented = "\n".join("# " + line if line else "#" for line in source.splitlines())
            return dict(cell, source=note + commented + _says_why(why, cell)), why
    return dict(cell, source=MAGIC.sub("", source)), None


def _says_why(why: str, cell: dict) -> str:
    """Lines that print why the cell is not run, then the text a real kernel printed."""
    stored = "".join(
        str(_joined(out.get("text", "")))
        if out.get("output_type") == "stream"
        else str(_joined(out.get("data", {}).get("text/plain", "")))
        for out in cell.get("outputs", [])
    )
    lines = [f"\nprint({f'(not run in JupyterLite: {why})'!r})"]
    if stored:
        lines.append(f"print({'In Jupyter, this cell printed:'!r})")
        lines.append(f"print({stored!r}, end='')")
    return "\n".join(lines)


def _joined(value: object) -> object:
    """nbformat's multi-line strings (lists of lines) as one string: JupyterLite serves the
    file as is, and JupyterLab would show a list as comma-joined text."""
    return (
        "".join(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value)
        else value
    )


def _normalised(cell: dict) -> dict:
    cell = dict(cell, source=_joined(cell.get("source", "")))
    if "outputs" in cell:
        outputs = []
        for out in cell["outputs"]:
            out = dict(out)
            if "text" in out:
                out["text"] = _joined(out["text"])
            if isinstance(out.get("data"), dict):
                out["data"] = {k: _joined(v) for k, v in out["data"].items()}
            outputs.append(out)
        cell["outputs"] = outputs
        cell["execution_count"] = None  # a fresh kernel numbers the cells it runs
        for out in cell["outputs"]:
            if "execution_count" in out:
                out["execution_count"] = None
    return cell


def lite_notebook(nb: dict) -> tuple[dict, dict[str, int]]:
    """A notebook for JupyterLite and its counts: code cells, cells skipped with a note."""
    cells, skipped = [], 0
    for cell in nb.get("cells", []):
        new, why = lite_cell(_normalised(cell))
        skipped += why is not None
        cells.append(new)
    meta = dict(nb.get("metadata", {}), kernelspec=KERNELSPEC)
    meta["language_info"] = {"name": "python"}
    code = sum(c.get("cell_type") == "code" for c in cells)
    return dict(nb, cells=cells, metadata=meta), {"code": code, "skipped": skipped}


def _lock_for_lite(src: Path, dest: Path) -> None:
    """Pyodide for JupyterLite: the players' folder, with ipywidgets a dependency of initlab."""
    shutil.copytree(src, dest)
    lock_path = dest / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    deps = lock["packages"]["initlab"]["depends"]
    lock["packages"]["initlab"]["depends"] = sorted({*deps, "ipywidgets"})
    lock_path.write_text(json.dumps(lock, indent=1) + "\n")


def build(out: Path = OUT) -> dict[str, dict[str, int]]:
    """Build JupyterLite into `out`; returns the per-notebook cell counts."""
    if not (PYODIDE / "pyodide-lock.json").is_file():
        raise SystemExit("lite: no pyodide-dist/_pyodide: run `python tools/pyodide_dist.py` first")
    counts: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="initlab-lite-") as tmp:
        lite = Path(tmp) / "lite"
        files = lite / "files"
        (files / "notebooks").mkdir(parents=True)
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            nb, n = lite_notebook(json.loads(path.read_text(encoding="utf-8")))
            (files / "notebooks" / path.name).write_text(json.dumps(nb, ensure_ascii=False))
            counts[path.name] = n
        shutil.copytree(ROOT / "examples", files / "examples")
        if (ROOT / "notebooks" / "manifests").is_dir():
            shutil.copytree(ROOT / "notebooks" / "manifests", files / "notebooks" / "manifests")
        _lock_for_lite(PYODIDE, lite / "static" / "pyodide")
        (lite / "jupyter_lite_config.json").write_text(
            json.dumps(
                {
                    "LiteBuildConfig": {
                        "apps": ["lab", "notebooks"],
                        "no_sourcemaps": True,
                        "contents": ["files"],
                        "output_dir": str(Path(tmp) / "site"),
                    }
                }
            )
        )
        # Render every cell (no windowing): a reader's Ctrl+F finds any cell, and a test
        # can see every prompt.
        (lite / "overrides.json").write_text(
            json.dumps({"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}})
        )
        settings = {"@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}}
        (lite / "jupyter-lite.json").write_text(
            json.dumps(
                {
                    "jupyter-lite-schema-version": 0,
                    "jupyter-config-data": {"appName": "initlab", "litePluginSettings": settings},
                }
            )
        )
        proc = subprocess.run(
            [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite)],
            cwd=lite,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            raise SystemExit("lite: jupyter lite build failed:\n" + "\n".join(tail))
        check_config(Path(tmp) / "site")
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(Path(tmp) / "site", out)
    (out / "cells.json").write_text(json.dumps(counts, indent=1) + "\n")
    return counts


def check_config(site: Path) -> None:
    """The built site loads Pyodide locally and never falls back to PyPI."""
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    url = kernel.get("pyodideUrl", "")
    if "://" in url or url.startswith("//") or not url.endswith("pyodide.mjs"):
        raise SystemExit(f"lite: pyodideUrl is not local: {url!r}")
    if kernel.get("disablePyPIFallback") is not True:
        raise SystemExit("lite: disablePyPIFallback is not set")


def main() -> int:
    counts = build()
    code = sum(c["code"] for c in counts.values())
    skipped = sum(c["skipped"] for c in counts.values())
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file()) / 1e6
    print(
        f"lite-dist/lite: {len(counts)} notebooks, {code} code cells, {skipped} say why they "
        f"cannot run in the browser; {size:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
