"""HTML pages: visible text only, no scripts, styles or navigation chrome."""

from __future__ import annotations

from pathlib import Path

from nearby.core.extract.plain import decode_text
from nearby.core.extract.registry import Extracted, Section

# Elements whose text is not the page's content.
_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "svg", "form")
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section", "article",
           "blockquote", "pre", "dt", "dd", "table", "ul", "ol")


def html_to_text(markup: str) -> tuple[str, str]:
    """Return (title, visible text) of an HTML document, with a blank line between blocks."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")  # pure Python: no lxml, nothing fetched
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP):
        tag.decompose()
    if soup.title:
        soup.title.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    return title, soup.get_text()


def read_html(path: Path) -> Extracted:
    title, text = html_to_text(decode_text(path.read_bytes()))
    return Extracted(title=title or path.stem, sections=(Section(text),))
