"""The package's layers: imports only point down, as the book's table of contents reads.

    cli ─▶ kubectl ─▶ sim ─▶ kubelet ─▶ api ─▶ errors
               └─▶ admission ──────────▶ api
    book ─▶ everything                     (nothing imports book)

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
    "book": {"errors", "api", "kubelet", "admission", "sim", "kubectl", "book", ""},
    "": {"errors", "api", "kubelet", "admission", "sim", "kubectl", "book", "cli", ""},
}
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
            if node.module == "initlab":  # a submodule, or a name of the package face
                names += [
                    f"initlab.{a.name}"
                    if (PACKAGE / a.name).exists() or (PACKAGE / f"{a.name}.py").exists()
                    else "initlab"
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
