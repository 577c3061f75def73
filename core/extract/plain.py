"""Plain text and Markdown."""

from __future__ import annotations

import codecs
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.registry import Extracted, Section

# Share of control characters above which decoded bytes are not text but binary.
MAX_CONTROL_SHARE = 0.02


def decode_text(data: bytes) -> str:
    """Decode bytes that should be text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    Raises:
        UnsupportedFile: the bytes are binary, or no encoding gives readable text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:65536]:
        raise UnsupportedFile("looks like a binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Older Windows documents are usually cp1252; bytes it cannot map mean it is not text.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise UnsupportedFile("the text encoding could not be recognised (not UTF-8 or cp1252)") from exc
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > MAX_CONTROL_SHARE * min(len(text), 65536):
        raise UnsupportedFile("looks like a binary file, not text")
    return text


def read_plain(path: Path) -> Extracted:
    return Extracted(title=path.stem, sections=(Section(decode_text(path.read_bytes())),))


def read_markdown(path: Path) -> Extracted:
    from markdown_it import MarkdownIt

    from nearby.core.extract.html import html_to_text

    source = decode_text(path.read_bytes())
    # html=False: raw HTML in Markdown is shown as text, never interpreted. Tables (GitHub's pipes)
    # read as rows of cells, not as pipes and dashes.
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(source)
    title, text = html_to_text(rendered)
    heading = next((ln.lstrip("# ").strip() for ln in source.splitlines() if ln.startswith("# ")), "")
    return Extracted(title=heading or title or path.stem, sections=(Section(text),))
