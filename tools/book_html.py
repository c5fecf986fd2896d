"""Sphinx extension for the book's HTML: no dead controls, nothing from another host.

Loaded by ``_config.yml`` (``sphinx.local_extensions``). At read time, before
myst-nb renders a notebook, it:

- removes every ipywidgets output (``application/vnd.jupyter.widget-view+json``)
  and the notebook's widget state (``metadata.widgets``). In a static page
  the widgets' Python callbacks never run, so their buttons would be dead;
  the notebooks keep them for Jupyter and JupyterLite, where a kernel runs
  them. Each removed output becomes one line saying where the explorer runs,
  and the page loads neither require.js nor the ipywidgets html-manager;
- keeps the players' shared script and style once per page (each notebook
  output carries them, so that it works alone in Jupyter);
- drops every stylesheet or script whose URL is absolute (a theme or
  extension default pointing at a CDN), at page-context time;
- makes ``repository.url`` the one setting for online buttons: when it is
  empty, the repository, issues and launch (Binder, JupyterHub, Colab)
  buttons are turned off instead of pointing at a placeholder;
- adds a "JupyterLite" launch link on every chapter when the build has the
  book's own JupyterLite (``lite/``, see ``tools/lite.py``), with a URL
  relative to the page (so it works at any depth and from any sub-path);
- cuts the theme's Font Awesome bundle (1.5 MB of JavaScript, every icon)
  down to the icons the site uses, so a chapter's first view stays small.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTE = (
    '<p class="initlab-widget-note">[A live ipywidgets explorer: it runs with a Python '
    "kernel, in Jupyter or in JupyterLite.]</p>"
)


def strip_widgets(nb: dict[str, Any]) -> int:
    """Remove widget outputs and widget state from a notebook dict; return how many outputs."""
    removed = 0
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs")
        if not isinstance(outputs, list):
            continue
        kept = []
        for out in outputs:
            data = out.get("data") if isinstance(out, dict) else None
            if isinstance(data, dict) and WIDGET_VIEW in data:
                removed += 1
                kept.append(
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/html": NOTE, "text/plain": "(a live explorer)"},
                    }
                )
            else:
                kept.append(out)
        cell["outputs"] = kept
    meta = nb.get("metadata")
    if isinstance(meta, dict):
        meta.pop("widgets", None)
    return removed


def _assets() -> list[str]:
    """The players' shared script and style texts (initlab/book/assets), longest first."""
    try:
        from initlab.book.player import asset
    except ImportError:  # pragma: no cover - the book is built with initlab installed
        return []
    texts = [asset(name) for name in ("player.js", "debuglab.js", "player.css")]
    return sorted((t for t in texts if len(t) > 200), key=len, reverse=True)


def dedupe_assets(nb: dict[str, Any], assets: list[str]) -> int:
    """Keep each player asset (script, style) once per page: the first output that has it.

    Every player output carries them so that it works alone in Jupyter; on one
    page the later copies are dead weight (the script defines its functions once).
    Returns the bytes removed.
    """
    seen: set[str] = set()
    removed = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs") or []:
            data = out.get("data") if isinstance(out, dict) else None
            if not isinstance(data, dict) or "text/html" not in data:
                continue
            html = data["text/html"]
            html = "".join(html) if isinstance(html, list) else html
            for text in assets:
                if text in html:
                    if text in seen:
                        removed += len(text) * html.count(text)
                        html = html.replace(text, "")
                    else:
                        first = html.index(text) + len(text)
                        removed += len(text) * html[first:].count(text)
                        html = html[:first] + html[first:].replace(text, "")
                        seen.add(text)
            data["text/html"] = html
    return removed


def _source_read(app: Any, docname: str, source: list[str]) -> None:
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    try:
        nb = json.loads(source[0])
    except ValueError:
        return  # not JSON: let myst-nb report it
    changed = strip_widgets(nb) + dedupe_assets(nb, _assets())
    if changed or "widgets" in json.dumps(nb.get("metadata", {})):
        source[0] = json.dumps(nb, ensure_ascii=False)


def _drop_remote(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    for key in ("css_files", "script_files"):
        files = context.get(key)
        if files:
            context[key] = [
                f
                for f in files
                if not str(getattr(f, "filename", f)).startswith(("http://", "https://", "//"))
            ]


def _online_buttons(app: Any, config: Any) -> None:
    """repository.url is the one setting: set, the repository/issues/launch buttons appear;
    empty, none of them (no placeholder links)."""
    options = config.html_theme_options
    if str(options.get("repository_url") or "").strip():
        options["use_repository_button"] = True
        options["use_issues_button"] = True
        return
    options["use_repository_button"] = False
    options["use_issues_button"] = False
    options["use_edit_page_button"] = False
    options["use_source_button"] = False
    launch = dict(options.get("launch_buttons") or {})
    for key in ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "thebe"):
        launch.pop(key, None)
    options["launch_buttons"] = launch


LITE_DIR = "lite"


def _lite_button(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """A "JupyterLite" link to this chapter in the book's own lite/ (relative to the page)."""
    if not pagename.startswith("notebooks/") or not app.config.initlab_lite:
        return
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    depth = pagename.count("/")
    url = "../" * depth + f"{LITE_DIR}/lab/index.html?path={pagename}.ipynb"
    link = {
        "type": "link",
        "text": "JupyterLite",
        "tooltip": "Open in JupyterLite (runs in this browser, offline; needs http)",
        "icon": "fas fa-flask",
        "url": url,
        "label": "jupyterlite-button",
    }
    for b in buttons:
        if isinstance(b, dict) and b.get("label") == "launch-buttons":
            b["buttons"].append(link)
            return
    buttons.append(
        {
            "type": "group",
            "tooltip": "Launch interactive content",
            "icon": "fas fa-rocket",
            "buttons": [link],
            "label": "launch-buttons",
        }
    )


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("initlab_lite", False, "html")
    app.connect("config-inited", _online_buttons)
    app.connect("source-read", _source_read)
    app.connect("html-page-context", _drop_remote, priority=900)
    app.connect("html-page-context", _lite_button, priority=600)
    app.connect("build-finished", _subset_icons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- Font Awesome

#: One icon in Font Awesome's JS bundle: name:[width,height,[aliases],"unicode",path(s)].
_ICON = re.compile(
    r'(?P<sep>[{,])(?P<name>"[^"]+"|[A-Za-z_$][\w$]*):'
    r'\[\d+,\d+,\[(?P<aliases>[^\]]*)\],"[0-9a-f]+",(?:"[^"]*"|\["[^"]*","[^"]*"\])\]'
)
_USED = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
FONTAWESOME = "_static/scripts/fontawesome.js"


def used_icons(site: Path) -> set[str]:
    """Every `fa-NAME` in the site's pages and scripts (except the icon bundle itself)."""
    names: set[str] = set()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".js") and path.as_posix().find("_pyodide") < 0:
            if path.as_posix().endswith(FONTAWESOME) or "/lite/" in path.as_posix():
                continue
            names.update(_USED.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def subset_fontawesome(text: str, keep: set[str]) -> tuple[str, int, int]:
    """Drop icons not in `keep` (by name or alias) from the bundle: (text, kept, total)."""
    counts = [0, 0]

    def repl(m: re.Match[str]) -> str:
        counts[1] += 1
        name = m.group("name").strip('"')
        aliases = {a.strip('"') for a in m.group("aliases").split(",") if a.startswith('"')}
        if name in keep or aliases & keep:
            counts[0] += 1
            return m.group(0)
        return m.group("sep") if m.group("sep") == "{" else ""

    out = _ICON.sub(repl, text)
    out = out.replace("{,", "{")
    return out, counts[0], counts[1]


def _subset_icons(app: Any, exception: Exception | None) -> None:
    """The theme ships every Font Awesome icon (1.5 MB of JS on each first view); keep the used."""
    if exception is not None or app.builder.format != "html":
        return
    site = Path(app.outdir)
    bundle = site / FONTAWESOME
    if not bundle.is_file():
        return
    text = bundle.read_text(encoding="utf-8")
    out, kept, total = subset_fontawesome(text, used_icons(site))
    if total < 500 or kept == 0:  # not the bundle layout this was written for: leave it
        return
    bundle.write_text(out, encoding="utf-8")
