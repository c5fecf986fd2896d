"""The package's layers: imports only point down, as the book's table of contents reads.

    cli ─▶ kubectl ─▶ sim ─▶ kubelet ─▶ api ─▶ errors
               └─▶ admission ──────────▶ api
    book ─▶ everything but the package face (nothing imports book)

Inside book/ the modules are ranked too (`BOOK_ORDER`, bottom to top): each
imports only book modules ranked below it, so there is no circle.

Every module's imports (function-local ones included) are read from its AST.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "initlab"

#: For each layer, the layers (and third-party roots) it may import.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "api": {"errors", "api"},
    "kubelet": {"errors", "api", "kubelet"},
    "admission": {"errors", "api", "admission"},
    "sim": {"errors", "api", "kubelet", "admission", "sim"},
    "kubectl": {"errors", "api", "kubelet", "admission", "sim.result", "kubectl"},
    "cli": {"errors", "api", "kubelet", "admission", "sim", "kubectl", "cli", ""},
    "book": {"errors", "api", "kubelet", "admission", "sim", "kubectl", "book"},
    "": {"errors", "api", "kubelet", "admission", "sim", "kubectl", "book", "cli", ""},
}
#: book/ from the bottom up: a book module imports only book modules listed before it.
BOOK_ORDER = [
    "messages",  # the reader's one-line error
    "quiz",  # quick checks, self-contained
    "source",  # the scenario as editable YAML
    "timeline",  # the view model of a run: lanes, spans, states (no drawing)
    "svg",  # the timeline drawn as inline SVG
    "plots",  # matplotlib figures (falls back to svg)
    "player",  # the kernel-free player
    "debug",  # the debug lab's cases and page
    "live",  # the browser runtime: run_json, check_json
    "explorers",  # the explorers' state
    "widgets",  # the explorers' ipywidgets panels
]
#: Third-party roots a layer must never import.
FORBIDDEN_THIRD_PARTY = {
    "api": {"simpy", "ipywidgets", "matplotlib"},
    "kubelet": {"simpy", "ipywidgets", "matplotlib"},
    "admission": {"simpy", "ipywidgets", "matplotlib"},
    "sim": {"ipywidgets", "matplotlib"},
    "kubectl": {"simpy", "ipywidgets", "matplotlib"},
    "cli": {"ipywidgets", "matplotlib"},
}


def _layer(module: str) -> str:
    """`initlab.kubelet.backoff` → `kubelet`; `initlab.cli` → `cli`; `initlab` → ``."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in ("__init__", "__main__"):
        return ""
    return parts[0].removesuffix(".py")


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        out.append((".".join(rel.parts).removesuffix(".__init__"), path))
    return out


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            folder = PACKAGE.joinpath(*parts[1:])
            if parts[0] == "initlab" and (folder / "__init__.py").exists():
                # `from initlab(.pkg) import x`: a submodule, or a name of the package itself
                names += [
                    f"{node.module}.{a.name}"
                    if (folder / a.name).exists() or (folder / f"{a.name}.py").exists()
                    else node.module
                    for a in node.names
                ]
            else:
                names.append(node.module)
    return names


def _allowed(layer: str, target: str) -> bool:
    """May a module of `layer` import the initlab module `target`?"""
    rest = target.split(".")[1:]
    if not rest:
        return "" in ALLOWED[layer]
    for grant in ALLOWED[layer]:
        if grant and rest[: len(grant.split("."))] == grant.split("."):
            return True
    return rest[0] in ("__init__",) and "" in ALLOWED[layer]


MODULES = _modules()


@pytest.mark.parametrize("module,path", MODULES, ids=[m for m, _ in MODULES])
def test_module_imports_only_point_down(module, path):
    """No module imports a layer above its own; kubelet/, api/, kubectl/ never import simpy."""
    layer = _layer(module)
    bad = []
    for name in _imports(path):
        root = name.split(".")[0]
        if root == "initlab":
            if not _allowed(layer, name):
                bad.append(name)
        elif root in FORBIDDEN_THIRD_PARTY.get(layer, set()):
            bad.append(name)
    assert not bad, f"{module} ({layer or 'package face'}) imports {bad}"


def test_nothing_outside_book_imports_book():
    """The book's front-ends depend on initlab; initlab never depends on them."""
    offenders = [
        m
        for m, path in MODULES
        if _layer(m) not in ("book", "")
        and any(n.startswith("initlab.book") for n in _imports(path))
    ]
    assert offenders == []


def test_layer_rule_catches_an_upward_import(tmp_path):
    """The rule itself bites: a kubelet module importing the simulation is refused."""
    assert not _allowed("kubelet", "initlab.sim.simulator")
    assert not _allowed("kubectl", "initlab.sim.simulator")
    assert _allowed("kubectl", "initlab.sim.result")
    assert not _allowed("api", "initlab.kubelet.status")
    bad = tmp_path / "x.py"
    bad.write_text("import simpy\nfrom initlab.sim import simulate\n")
    assert _imports(bad) == ["simpy", "initlab.sim"]


def _book_rank_violations(module: str, path: Path) -> list[str]:
    """The book modules `module` imports that are not ranked below it in BOOK_ORDER."""
    rank = BOOK_ORDER.index(module.split(".")[2])
    bad = []
    for name in _imports(path):
        parts = name.split(".")
        if parts[:2] != ["initlab", "book"] or len(parts) == 2:
            continue  # not book/, or the book package itself (it imports nothing)
        if parts[2] not in BOOK_ORDER or BOOK_ORDER.index(parts[2]) >= rank:
            bad.append(name)
    return bad


BOOK_MODULES = [(m, p) for m, p in MODULES if m.startswith("initlab.book.")]


def test_every_book_module_has_a_rank():
    """A new book module must say where it sits: BOOK_ORDER names every module of book/."""
    assert sorted(m.split(".")[2] for m, _ in BOOK_MODULES) == sorted(BOOK_ORDER)


@pytest.mark.parametrize("module,path", BOOK_MODULES, ids=[m for m, _ in BOOK_MODULES])
def test_book_modules_import_only_modules_below_them(module, path):
    """Inside book/ every import (function-local ones too) points down BOOK_ORDER: no circle."""
    assert _book_rank_violations(module, path) == []


def test_book_rank_rule_catches_an_upward_import(tmp_path):
    """The rule itself bites: the player calling the browser runtime, even from inside a function."""
    bad = tmp_path / "player.py"
    bad.write_text(
        "from initlab.book import timeline\n"
        "from initlab.book.svg import svg_timeline\n"
        "def player():\n"
        "    from initlab.book.live import run_json\n"
        "    from initlab.book import debug, plots\n"
        "    import initlab.book.player\n"
    )
    assert _book_rank_violations("initlab.book.player", bad) == [
        "initlab.book.live",
        "initlab.book.debug",
        "initlab.book.player",
    ]
    # Read as the runtime, the same imports point down, but for the runtime importing itself.
    assert _book_rank_violations("initlab.book.live", bad) == ["initlab.book.live"]


def test_book_never_imports_the_package_face(tmp_path):
    """`import initlab` from book/ points back up (initlab.player is built on book/): refused."""
    assert not _allowed("book", "initlab")
    assert _allowed("book", "initlab.sim.simulator")
    bad = tmp_path / "player.py"
    bad.write_text("def f():\n    import initlab\n    return initlab.simulate\n")
    assert _imports(bad) == ["initlab"]
