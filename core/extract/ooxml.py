"""Excel workbooks (.xlsx) and PowerPoint presentations (.pptx), read with the standard library.

Both are zips of XML (Office Open XML). A workbook's sheets, in the workbook's order, each become a
section headed by the sheet's name, one line a row (cells joined, shared strings looked up); a
presentation's slides, in the presentation's order, each a section of their paragraphs. The
number of the sheet or slide is the passage's place. A password-protected Office file is no zip
at all but an encrypted compound file: refused by name, as is an old binary .xls/.ppt renamed.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from nearby.core.errors import UnsupportedFile
from nearby.core.extract import archive
from nearby.core.extract.registry import Extracted, Section

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PRESENTATION = "http://schemas.openxmlformats.org/presentationml/2006/main"
_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DC = "http://purl.org/dc/elements/1.1/"
_COMPOUND = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: encrypted OOXML, or .xls/.ppt
MAX_ROWS = 100_000  # a sheet's rows read at most
FIX = "open and re-save it in Excel, PowerPoint or LibreOffice to index it"


def read_xlsx(path: Path) -> Extracted:
    what = "the workbook"
    with _opened(path, what) as book:
        strings = _shared_strings(book, what)
        sections: list[Section] = []
        for number, (name, part) in enumerate(_parts(book, "xl/workbook.xml", f"{{{_MAIN}}}sheet", what), 1):
            lines = [" | ".join(row) for row in _rows(archive.read_member(book, part, what), strings, what) if row]
            if lines:  # numbered by its place among the sheets, empty ones included (as the tabs show)
                sections.append(Section("\n\n".join([name, *lines]) if name else "\n\n".join(lines), page=number))
        title = _title(book)
    return Extracted(title=title or path.stem, sections=tuple(sections))


def read_pptx(path: Path) -> Extracted:
    what = "the presentation"
    with _opened(path, what) as deck:
        sections: list[Section] = []
        for number, (_, part) in enumerate(_parts(deck, "ppt/presentation.xml", f"{{{_PRESENTATION}}}sldId", what), 1):
            paragraphs = _paragraphs(_parse(archive.read_member(deck, part, what), what))
            notes = _notes(deck, part, what)
            if notes:
                paragraphs += ["Notes: " + notes[0], *notes[1:]]
            if paragraphs:  # numbered by its place in the deck, picture-only slides included
                sections.append(Section("\n\n".join(paragraphs), page=number))
        title = _title(deck)
    return Extracted(title=title or path.stem, sections=tuple(sections))


def _paragraphs(root: ElementTree.Element, runs_only: bool = False) -> list[str]:
    """A slide's (or its notes') paragraphs; ``runs_only`` leaves out fields (the slide number)."""
    out = []
    for paragraph in root.iter(f"{{{_DRAWING}}}p"):
        if runs_only:
            texts = (t.text or "" for run in paragraph.iter(f"{{{_DRAWING}}}r") for t in run.iter(f"{{{_DRAWING}}}t"))
        else:
            texts = (t.text or "" for t in paragraph.iter(f"{{{_DRAWING}}}t"))
        text = "".join(texts).strip()
        if text:
            out.append(text)
    return out


def _notes(deck: zipfile.ZipFile, slide: str, what: str) -> list[str]:
    """The speaker notes of a slide (the notes slide its relationships name), if any."""
    rels = posixpath.join(posixpath.dirname(slide), "_rels", posixpath.basename(slide) + ".rels")
    if rels not in set(deck.namelist()):
        return []
    for rel in _parse(archive.read_member(deck, rels, what), what).iter(f"{{{_PACKAGE_RELS}}}Relationship"):
        if (rel.get("Type") or "").endswith("/notesSlide") and rel.get("TargetMode") != "External":
            target = posixpath.normpath(posixpath.join(posixpath.dirname(slide), rel.get("Target") or ""))
            if target in set(deck.namelist()):
                return _paragraphs(_parse(archive.read_member(deck, target, what), what), runs_only=True)
    return []


@contextmanager
def _opened(path: Path, what: str) -> Iterator[zipfile.ZipFile]:
    with open(path, "rb") as handle:
        if handle.read(len(_COMPOUND)) == _COMPOUND:
            raise UnsupportedFile(f"{what} is password-protected (or an old binary Office file renamed); save a "
                                  "copy without a password, as .xlsx or .pptx, to index it")
    with archive.opened(path, what, FIX) as package:
        yield package


def _parts(package: zipfile.ZipFile, main: str, tag: str, what: str) -> Iterator[tuple[str, str]]:
    """(name, part path) of each sheet or slide the main part lists, in its order."""
    rels_path = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    targets = {rel.get("Id"): rel.get("Target") or ""
               for rel in _parse(archive.read_member(package, rels_path, what), what)
               .iter(f"{{{_PACKAGE_RELS}}}Relationship")}
    for entry in _parse(archive.read_member(package, main, what), what).iter(tag):
        target = targets.get(entry.get(f"{{{_RELATION}}}id"), "")
        if target:
            part = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(posixpath.dirname(main), target))
            yield entry.get("name") or "", part


def _shared_strings(book: zipfile.ZipFile, what: str) -> list[str]:
    if "xl/sharedStrings.xml" not in set(book.namelist()):
        return []
    root = _parse(archive.read_member(book, "xl/sharedStrings.xml", what), what)
    return ["".join(t.text or "" for t in item.iter(f"{{{_MAIN}}}t")) for item in root.iter(f"{{{_MAIN}}}si")]


def _rows(sheet: bytes, strings: list[str], what: str) -> Iterator[list[str]]:
    """Each row's non-empty cells, as text, streamed (a sheet's XML can be large)."""
    rows = 0
    try:
        for _, element in ElementTree.iterparse(io.BytesIO(sheet)):
            if element.tag != f"{{{_MAIN}}}row":
                continue
            rows += 1
            if rows > MAX_ROWS:
                return
            cells = []
            for cell in element.iter(f"{{{_MAIN}}}c"):
                kind, value = cell.get("t"), cell.findtext(f"{{{_MAIN}}}v")
                if kind == "s" and value is not None and value.isdigit() and int(value) < len(strings):
                    text = strings[int(value)]
                elif kind == "inlineStr":
                    text = "".join(t.text or "" for t in cell.iter(f"{{{_MAIN}}}t"))
                else:
                    text = value or ""
                if text.strip():
                    cells.append(text.strip())
            element.clear()
            yield cells
    except ElementTree.ParseError as exc:
        raise UnsupportedFile(f"{what} has a damaged sheet ({exc}); {FIX}") from exc


def _title(package: zipfile.ZipFile) -> str:
    if "docProps/core.xml" not in set(package.namelist()):
        return ""
    try:
        return (ElementTree.fromstring(package.read("docProps/core.xml")).findtext(f".//{{{_DC}}}title") or "").strip()
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return ""


def _parse(data: bytes, what: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise UnsupportedFile(f"{what}'s XML is damaged ({exc}); {FIX}") from exc
