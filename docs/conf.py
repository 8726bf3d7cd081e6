"""Sphinx configuration of trunkline's documentation site (MyST Markdown pages, the Furo theme).

Build: ``.venv/bin/sphinx-build -W -b html docs DIR`` (tests/test_docs_site.py does, warnings as errors).
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

project = "trunkline"
author = "the trunkline authors"
copyright = "the trunkline authors"  # noqa: A001 (the name Sphinx reads)

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_heading_anchors = 3  # `[...](count.md#the---json-record)` links to a section
html_theme = "furo"
html_title = "trunkline"
html_show_sourcelink = False

#: The repository's root: every relative link of a page must resolve to a file inside it.
REPO = Path(__file__).resolve().parent.parent
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(```|~~~)")
_log = logging.getLogger(__name__)


def _check_links(app: Sphinx, docname: str, source: list[str]) -> None:
    """Warn (an error under ``-W``) for a relative link leaving the repository or naming no file.

    MyST itself reports links to missing pages; this also catches links to other files, which MyST
    would otherwise turn into a download link or an external URL without complaint.
    """
    page = Path(app.env.doc2path(docname))
    fenced = False
    for number, line in enumerate(source[0].splitlines(), start=1):
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
        if fenced:
            continue
        for target in _LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # an absolute URL (http:, mailto:) or a section of this page
            resolved = (page.parent / target.split("#", 1)[0]).resolve()
            if not resolved.is_relative_to(REPO):
                _log.warning("link %s leaves the repository", target, location=(docname, number))
            elif not resolved.exists():
                _log.warning("link %s names no file", target, location=(docname, number))


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("source-read", _check_links)
    return {"parallel_read_safe": True}
