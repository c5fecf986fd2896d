"""The chapters: each stored notebook matches its MyST source and is a real chapter.

nbval (run by `make test` over notebooks/) re-executes every notebook and
compares its outputs; this file checks what nbval cannot: that nobody edited
a notebook without its source (or the reverse), and that the book has the
chapters the table of contents promises.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _nb_tool():
    spec = importlib.util.spec_from_file_location("initlab_tools_nb", ROOT / "tools" / "nb.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part.get("chapters", [])]


def test_every_notebook_matches_its_source(capsys):
    """tools/nb.py check: no stored notebook drifted from notebooks/src/*.md."""
    assert _nb_tool().check() == 0, capsys.readouterr().out


def test_every_chapter_in_the_toc_exists_with_stored_outputs():
    """Each chapter listed in _toc.yml is a notebook whose code cells were executed."""
    chapters = [f for f in _toc_files() if f.startswith("notebooks/")]
    assert chapters
    for chapter in chapters:
        nb = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code, chapter
        assert all(c.execution_count for c in code), f"{chapter}: unexecuted cells"


def test_every_notebook_is_in_the_toc():
    """No chapter is written and then forgotten by the table of contents."""
    listed = set(_toc_files())
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{path.stem}" in listed, path.name
