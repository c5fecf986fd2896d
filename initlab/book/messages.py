"""What a reader sees when a run cannot be made: one line, never a traceback.

The lowest module of `initlab.book`: the debug lab, the browser runtime and the
explorers all turn an exception into this one line.
"""

from __future__ import annotations

import yaml

from initlab.errors import InitlabError

__all__ = ["one_line"]


def one_line(e: BaseException) -> str:
    """The one-line message a reader sees: initlab's own for an InitlabError, never a traceback."""
    if isinstance(e, InitlabError):
        text = str(e).splitlines()[0] if str(e) else type(e).__name__
    elif isinstance(e, yaml.YAMLError):
        text = "not valid YAML: " + " ".join(str(e).split())
    else:
        text = f"internal error: {type(e).__name__}: {' '.join(str(e).split())}"
    return text[:500]
