"""LibreOffice and OpenDocument files: text (.odt), spreadsheets (.ods), presentations (.odp).

An OpenDocument file is a zip holding content.xml (the text, streamed here with the standard
library's XML parser: no DTDs, no external entities) and meta.xml (the title). A text document's
paragraphs, headings, lists and table rows come in document order as one section; a spreadsheet's
sheets and a presentation's slides each become a section of their own, numbered as the passage's
place (the detail pane shows it as its page). An encrypted file (a password set in LibreOffice)
keeps content.xml unreadable and says so in its manifest: it is refused with what to do.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree import ElementTree

from nearby.core.errors import UnsupportedFile
from nearby.core.extract import archive
from nearby.core.extract.registry import Extracted, Section

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
# Blocks of text: a paragraph, a heading; a table row is one line, its cells joined.
_BLOCKS = {f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"}
_ROW = f"{{{_TABLE}}}table-row"
_CELL = f"{{{_TABLE}}}table-cell"
_SHEET = f"{{{_TABLE}}}table"
_SLIDE = f"{{{_DRAW}}}page"
# A spreadsheet repeats empty rows and cells by count (table:number-rows-repeated="1048000"): read
# each once, and no more than this many rows a sheet.
MAX_ROWS = 100_000
WHAT = "the OpenDocument file"
FIX = "open and re-save it in LibreOffice to index it"


def read_opendocument(path: Path) -> Extracted:
    with archive.opened(path, WHAT, FIX, ("META-INF/manifest.xml", b"encryption-data",
                                           "the OpenDocument file is password-protected; save a copy without "
                                           "a password in LibreOffice to index it")) as odf:
        names = set(odf.namelist())
        content = archive.read_member(odf, "content.xml", WHAT)
        meta = odf.read("meta.xml") if "meta.xml" in names else b""
    sections = _sections(content, path.suffix.lower())
    return Extracted(title=_title(meta) or path.stem, sections=tuple(sections))


def _sections(content: bytes, suffix: str) -> list[Section]:
    """Sections in document order: one for a text document, one a sheet or slide otherwise."""
    split = _SHEET if suffix == ".ods" else _SLIDE if suffix == ".odp" else None
    sections: list[Section] = []
    lines: list[str] = []
    row: list[str] | None = None
    rows = 0
    number = 0  # of the sheet or slide: its place, empty ones included (as the tabs and slide list show)
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _ROW:
                    row = []
                    rows += 1
                continue
            if tag in _BLOCKS and row is None:
                text = "".join(element.itertext()).strip()
                if text:
                    lines.append(text)
                element.clear()  # keep memory flat on a long document (a cell's paragraphs wait for it)
            elif tag == _CELL and row is not None:
                text = " ".join(t.strip() for t in element.itertext() if t.strip())
                if text:
                    row.append(text)
            elif tag == _ROW and row is not None:
                if row and rows <= MAX_ROWS:
                    lines.append(" | ".join(row))
                row = None
                element.clear()
            elif tag == split:
                number += 1
                name = element.get(f"{{{_TABLE}}}name" if split == _SHEET else f"{{{_DRAW}}}name") or ""
                if lines:
                    heading = [name] if split == _SHEET and name else []
                    sections.append(Section("\n\n".join([*heading, *lines]), page=number))
                lines, rows = [], 0
                element.clear()
    except ElementTree.ParseError as exc:
        raise UnsupportedFile(f"{WHAT}'s text (content.xml) is damaged ({exc}); {FIX}") from exc
    if lines:
        sections.append(Section("\n\n".join(lines), page=number + 1 if split else None))
    return sections


def _title(meta: bytes) -> str:
    if not meta:
        return ""
    try:
        found = ElementTree.fromstring(meta).find(f".//{{{_DC}}}title")
    except ElementTree.ParseError:
        return ""
    return (found.text or "").strip() if found is not None else ""
