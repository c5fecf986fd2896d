"""Build chapter notebooks from their MyST-markdown sources.

A chapter is written as `notebooks/src/NN-topic.md` (jupytext's MyST
format: prose as markdown, code in ```{code-cell} ipython3 blocks) and
stored, executed, as `notebooks/NN-topic.ipynb` — the file the book and
nbval read (notebooks are stored with outputs).

    python tools/nb.py build [SRC ...]   # convert + execute (all when none given)
    python tools/nb.py check             # exit 1 if a notebook drifted from its source

Execution stores ipywidgets state, so the static book can render the
widgets' last view (their callbacks need a kernel; the players do not).
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"
OUT = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _target(src: Path) -> Path:
    return OUT / (src.stem + ".ipynb")


def _convert(src: Path) -> nbformat.NotebookNode:
    nb = jupytext.read(src, fmt="md:myst")
    nb.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
    return nb


def coalesce_streams(nb: nbformat.NotebookNode) -> None:
    """Merge a cell's consecutive stdout (or stderr) outputs into one, as Jupyter shows them.

    The kernel flushes its streams on a timer, so one `print` can arrive in two
    outputs; stored apart, the book would break that printed line in two.
    """
    for cell in nb.cells:
        merged: list[nbformat.NotebookNode] = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                last is not None
                and out.get("output_type") == "stream"
                and last.get("output_type") == "stream"
                and out.get("name") == last.get("name")
            ):
                last["text"] = "".join(last["text"]) + "".join(out["text"])
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged


def build(sources: list[Path]) -> int:
    failed = 0
    for src in sources:
        nb = _convert(src)
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(OUT)}},
            store_widget_state=True,
        )
        try:
            client.execute()
        except Exception as e:  # report and go on to the next chapter
            print(f"{src.name}: execution failed: {type(e).__name__}: {e}"[:2000], file=sys.stderr)
            failed += 1
            continue
        coalesce_streams(nb)
        nbformat.validate(nb)
        nbformat.write(nb, _target(src))
        print(f"built {_target(src).relative_to(ROOT)}")
    return 1 if failed else 0


def _sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def check() -> int:
    """Every source has a notebook, and their cells say the same thing."""
    bad = 0
    for target in sorted(OUT.glob("*.ipynb")):
        if not (SRC / f"{target.stem}.md").exists():
            print(f"{target.relative_to(ROOT)}: has no source notebooks/src/{target.stem}.md")
            bad += 1
    for src in sorted(SRC.glob("*.md")):
        target = _target(src)
        if not target.exists():
            print(f"{target.relative_to(ROOT)}: missing; run tools/nb.py build {src}")
            bad += 1
            continue
        if _sources(_convert(src)) != _sources(nbformat.read(target, as_version=4)):
            print(f"{target.relative_to(ROOT)}: differs from {src.relative_to(ROOT)}; rebuild it")
            bad += 1
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("build", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "check":
        return check()
    sources = [Path(a) for a in argv[1:]] or sorted(SRC.glob("*.md"))
    return build(sources)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
