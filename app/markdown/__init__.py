"""The one Markdown parser the site uses, with its plugins."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

from .answers import answers_plugin
from .blocks import component_plugin, heading_ids_plugin
from .citations import citation_plugin
from .glossary_links import glossary_links_plugin
from .table_labels import table_labels_plugin


@cache
def parser() -> MarkdownIt:
    """CommonMark plus tables; raw HTML off, so content cannot inject markup."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    citation_plugin(md)
    heading_ids_plugin(md)
    component_plugin(md)
    glossary_links_plugin(md)
    table_labels_plugin(md)
    answers_plugin(md)
    return md
