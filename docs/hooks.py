"""MkDocs hook: the site's ``index.md`` is the README, with its links made relative to ``docs/``,
so that the README is the front page of both the repository and the site, written once."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_MARKER = "<!-- the README: docs/hooks.py -->"


def readme_as_index() -> str:
    text = (ROOT / "README.md").read_text()
    # docs/x.md -> x.md; anything else outside docs/ is named, not linked (the site holds docs/ only).
    text = re.sub(r"\]\(docs/", "](", text)
    return re.sub(r"\[([^\]]+)\]\((?!https?:|#)([^)]*?)\)", _outside_link, text)


def _outside_link(match: re.Match) -> str:
    label, target = match.group(1), match.group(2)
    if (ROOT / "docs" / target.split("#")[0]).exists():
        return match.group(0)
    return f"{label} (`{target}`)"


def on_page_markdown(markdown: str, page, config, files) -> str:
    if README_MARKER in markdown:
        markdown = markdown.replace(README_MARKER, readme_as_index())
    return markdown
