"""initlab's Go text/tabwriter port against Go's own test table (src/text/tabwriter/tabwriter_test.go).

Every case of Go's table with flags 0 and a non-tab padding character is
ported, written all at once, byte by byte and in Fibonacci-sized slices as
Go's `check` does; escape, HTML, AlignRight, Debug and tab padding are not
used by kubectl and not ported.
"""

from __future__ import annotations

import pytest

from initlab.api.printers import TabWriter

GO_CASES = [
    ("1a", 8, 0, 1, ".", "", ""),
    ("2", 8, 0, 1, ".", "\n\n\n", "\n\n\n"),
    ("3", 8, 0, 1, ".", "a\nb\nc", "a\nb\nc"),
    ("4a", 8, 0, 1, ".", "\t", ""),
    ("5", 8, 0, 1, ".", "*\t*", "*.......*"),
    ("5b", 8, 0, 1, ".", "*\t*\n", "*.......*\n"),
    ("5c", 8, 0, 1, ".", "*\t*\t", "*.......*"),
    ("6", 8, 0, 1, ".", "\t\n", "........\n"),
    ("7a", 8, 0, 1, ".", "a) foo", "a) foo"),
    ("7b", 8, 0, 1, " ", "b) foo\tbar", "b) foo  bar"),
    ("7c", 8, 0, 1, ".", "c) foo\tbar\t", "c) foo..bar"),
    ("7d", 8, 0, 1, ".", "d) foo\tbar\n", "d) foo..bar\n"),
    ("7e", 8, 0, 1, ".", "e) foo\tbar\t\n", "e) foo..bar.....\n"),
    ("8", 8, 0, 1, "*", "Hello, world!\n", "Hello, world!\n"),
    ("9a", 1, 0, 0, ".", "1\t2\t3\t4\n11\t222\t3333\t44444\n", "1.2..3...4\n11222333344444\n"),
    ("9c", 1, 0, 0, ".", "1\t2\t3\t4\f11\t222\t3333\t44444\n", "1234\n11222333344444\n"),
    ("10a", 5, 0, 0, ".", "1\t2\t3\t4\n", "1....2....3....4\n"),
    ("10b", 5, 0, 0, ".", "1\t2\t3\t4\t\n", "1....2....3....4....\n"),
    (
        "11",
        8,
        0,
        1,
        ".",
        "本\tb\tc\naa\t本本本\tcccc\tddddd\naaa\tbbbb\n",
        "本.......b.......c\naa......本本本.....cccc....ddddd\naaa.....bbbb\n",
    ),
    (
        "12b",
        2,
        0,
        0,
        " ",
        "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n",
        "a  b  c\naa bbbcccc\naaabbbb\n",
    ),
    (
        "12c",
        8,
        0,
        1,
        "_",
        "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n",
        "a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n",
    ),
    (
        "13a",
        4,
        0,
        1,
        "-",
        "4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n"
        "666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n",
        "4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n"
        "666666-666666-666666----4444\n1------1------999999999-0000000000\n",
    ),
    (
        "13b",
        4,
        0,
        3,
        ".",
        "4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n"
        "666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n",
        "4444........333...22...1...333\n999999999...22\n7...........22\n"
        "....................88888888\n\n666666...666666...666666......4444\n"
        "1........1........999999999...0000000000\n",
    ),
    ("15a", 4, 0, 0, ".", "a\t\tb", "a.......b"),
]


def _chunks(src: str, how: str) -> list[str]:
    if how == "all":
        return [src]
    if how == "bytes":
        return list(src)
    out, i, d = [], 0, 0
    while i < len(src):
        out.append(src[i : i + d])
        i, d = i + d, d + 1
        if i + d > len(src):
            d = len(src) - i
    return out


@pytest.mark.parametrize("how", ["all", "bytes", "fibonacci"])
@pytest.mark.parametrize(
    ("name", "minwidth", "tabwidth", "padding", "padchar", "src", "want"),
    GO_CASES,
    ids=[c[0] for c in GO_CASES],
)
def test_go_tabwriter_table(name, minwidth, tabwidth, padding, padchar, src, want, how):
    """Go's tabwriter_test.go case gives Go's output, however the text is split into writes."""
    tw = TabWriter(minwidth, tabwidth, padding, padchar)
    for chunk in _chunks(src, how):
        tw.write(chunk)
    assert tw.flush() == want


def test_a_line_without_a_tab_ends_the_column_block():
    """describe's `Init Containers:` line flushes: the lines after it align on their own."""
    tw = TabWriter(0, 8, 2)
    tw.write("Name:\tweb\nInit Containers:\n  a:\n    Image:\tbusybox\n")
    assert tw.flush() == "Name:  web\nInit Containers:\n  a:\n    Image:  busybox\n"


ROWS = [
    [["NAME", "READY"], ["a", "1/1"], ["long-name", "0/2"]],
    [["x\ty", "z"], ["1", "2"]],
    [["v\vw", "q"], ["line\nbreak", "r"], ["ff\fx", "s"]],
    [[], ["only"], ["", ""], ["a", "b", "c"]],
]


@pytest.mark.parametrize("rows", ROWS)
def test_write_row_writes_what_write_of_the_joined_row_writes(rows: list[list[str]]) -> None:
    """write_row(cells) == write("\\t".join(cells) + "\\n"), tabs and line ends inside cells too."""
    fast, slow = TabWriter(6, 4, 3), TabWriter(6, 4, 3)
    for cells in rows:
        fast.write_row(cells)
        slow.write("\t".join(cells) + "\n")
    assert fast.flush() == slow.flush()


def test_write_row_after_a_partial_cell_continues_it() -> None:
    """A cell left open by write() is ended by write_row's first cell, as write() would."""
    fast, slow = TabWriter(6, 4, 3), TabWriter(6, 4, 3)
    for tw in (fast, slow):
        tw.write("open")
    fast.write_row(["more", "x"])
    slow.write("more\tx\n")
    assert fast.flush() == slow.flush() == "openmore   x\n"
