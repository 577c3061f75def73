"""HTML pages: visible text only, no scripts, styles or navigation chrome.

Read as a stream of tags (the standard library's tokenizer), never built into a tree: time and
memory grow with the file's size only. A page of 100,000 nested tags took a tree-building parser
more than five minutes; here it is one pass.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from nearby.core.extract.plain import decode_text
from nearby.core.extract.registry import Extracted, Section

# Elements whose text is not the page's content.
_DROP = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "svg", "form"})
_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section", "article",
                     "blockquote", "pre", "dt", "dd", "table", "ul", "ol"})
_SPACES = re.compile(r"\s+")
_BLANKS = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*")  # blank lines, and the spaces around them
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track",
                   "wbr"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._dropping: list[str] = []  # the open dropped elements, innermost last
        self._in_title = False
        self._pre = 0  # open <pre> elements
        self._cells = 0  # cells begun in the open table row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._dropping.append(tag)
        elif tag == "title":
            self._in_title = True
        elif tag in _BLOCKS and not self._dropping:
            self.parts.append("\n\n")
        elif tag in ("td", "th") and not self._dropping:
            # A row reads as its cells with a separator, not run together ("Rome Italy 2.8M").
            if self._cells:
                if self.parts:
                    self.parts[-1] = self.parts[-1].rstrip(" ")
                self.parts.append(" · ")
            self._cells += 1
        if tag == "tr":
            self._cells = 0
        self._pre += tag == "pre"
        self._alt_text(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS and not self._dropping:
            self.parts.append("\n\n")
        self._alt_text(tag, attrs)

    def _alt_text(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A picture's alt text is what it shows, in words (a Markdown note of pictures alone read
        as 'no text found')."""
        if tag == "img" and not self._dropping:
            alt = next((value for name, value in attrs if name == "alt" and value), "")
            if alt.strip():
                self.parts.append(f" {alt.strip()} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _DROP and tag in self._dropping:
            while self._dropping and self._dropping.pop() != tag:
                pass  # elements left open inside it close with it
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCKS and tag not in _VOID and not self._dropping:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._dropping:
            # Outside <pre>, a line break or an indent in the markup is one space on the page.
            self.parts.append(data if self._pre else _SPACES.sub(" ", data))


def html_to_text(markup: str) -> tuple[str, str]:
    """Return (title, visible text) of an HTML document, with a blank line between blocks."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = _BLANKS.sub("\n\n", "".join(parser.parts)).strip()
    return " ".join("".join(parser.title).split()), text


def read_html(path: Path) -> Extracted:
    title, text = html_to_text(decode_text(path.read_bytes()))
    return Extracted(title=title or path.stem, sections=(Section(text),))
