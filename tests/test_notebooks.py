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


def _quiz_answer_positions() -> list[int]:
    """The shown position of the first correct choice of every quiz question in the book."""
    import re

    positions = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                page = out.get("data", {}).get("text/html", "")
                if isinstance(page, list):
                    page = "".join(page)
                for question in re.findall(r'<div class="q">(.*?)<div class="fb"', page, re.S):
                    oks = re.findall(r'data-ok="([01])"', question)
                    if "1" in oks:
                        positions.append(oks.index("1"))
    return positions


def test_quiz_answers_are_not_always_the_first_button():
    """Across the book, at most half the right answers are the first choice, and some are third."""
    positions = _quiz_answer_positions()
    assert len(positions) >= 30
    assert positions.count(0) <= len(positions) / 2, positions
    assert positions.count(2) >= 3, positions


def test_exercise_checks_are_folded():
    """The code cell that checks an exercise hides its output until the reader asks."""
    import re

    unfolded = []
    for src in sorted((ROOT / "notebooks" / "src").glob("*.md")):
        text = src.read_text()
        for m in re.finditer(r"^(`{3,4})\{solution\}.*?^\1$", text, re.S | re.M):
            after = text[m.end() :]
            cell = re.search(r"^```\{code-cell\}[^\n]*\n(:tags: \[[^\]]*\])?", after, re.M)
            if cell and "hide-output" not in (cell.group(1) or ""):
                unfolded.append(f"{src.name}: check after {m.group(0).splitlines()[0]}")
    assert unfolded == []


def test_every_figure_has_alt_text():
    """A `{figure}` in a chapter carries an :alt: for screen readers."""
    import re

    missing = []
    for src in sorted((ROOT / "notebooks" / "src").glob("*.md")):
        for m in re.finditer(r"^```\{figure\}[^\n]*\n((?::[^\n]*\n)*)", src.read_text(), re.M):
            if ":alt:" not in m.group(1):
                missing.append(f"{src.name}: {m.group(0).splitlines()[0]}")
    assert missing == []


def test_file_numbers_are_chapter_numbers():
    """How-to-use stands unnumbered before chapter 1, so notebooks/NN-x.ipynb is chapter NN."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    first = toc["parts"][0]
    assert first.get("numbered") is False
    assert [c["file"] for c in first["chapters"]] == ["notebooks/00-how-to-use"]
    numbered = [
        c["file"]
        for part in toc["parts"][1:]
        if part.get("numbered", True)
        for c in part["chapters"]
    ]
    assert [int(f.split("/")[-1][:2]) for f in numbered] == list(range(1, len(numbered) + 1))


PHONE_COLUMN_PX = 358  # the text column of a chapter page on a 390 px phone


def test_diagrams_have_a_title_a_description_and_phone_sized_text():
    """Every book diagram names itself for screen readers, and its text is ≥ 10 px on a phone."""
    import re
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.w3.org/2000/svg"}
    diagrams = [
        p for p in sorted((ROOT / "book" / "images").glob("*.svg")) if p.name != "favicon.svg"
    ]
    assert len(diagrams) >= 5
    for path in diagrams:
        root = ET.parse(path).getroot()
        assert root.find("s:title", ns) is not None and root.find("s:desc", ns) is not None, (
            path.name
        )
        width = float(root.get("viewBox").split()[2])
        scale = min(1.0, PHONE_COLUMN_PX / width)
        sizes = [float(m) for m in re.findall(r"font-size:\s*([\d.]+)px", path.read_text())]
        assert sizes and min(sizes) * scale >= 10, (path.name, min(sizes) * scale)


def test_no_printed_line_is_stored_in_two_pieces():
    """A cell's consecutive stdout outputs are one (the book would break the line in two)."""
    split = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for k, cell in enumerate(nb.cells):
            outs = cell.get("outputs", [])
            for a, b in zip(outs, outs[1:], strict=False):
                if a.get("output_type") == b.get("output_type") == "stream" and a.get(
                    "name"
                ) == b.get("name"):
                    split.append(f"{path.name} cell {k}")
    assert split == []


def test_build_coalesces_a_print_the_kernel_flushed_in_two():
    """tools/nb.py merges stream outputs split by the kernel's flush timer, keeping the text."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('Always:', [1])")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Always:"),
        nbformat.v4.new_output("stream", name="stdout", text=" [1]\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    nb.cells = [cell]
    _nb_tool().coalesce_streams(nb)
    assert [(o["name"], o["text"]) for o in nb.cells[0].outputs] == [
        ("stdout", "Always: [1]\n"),
        ("stderr", "warning\n"),
        ("stdout", "after\n"),
    ]
