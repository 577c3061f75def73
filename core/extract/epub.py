"""E-books (.epub): the chapters in reading order, each a section numbered as its place.

An EPUB is a zip: META-INF/container.xml names the package file (.opf), whose manifest lists the
chapters (XHTML) and whose spine gives their reading order; its metadata holds the title. Chapters
are read with the same HTML reader as web pages (core/extract/html.py). DRM-protected books keep
their chapters encrypted (META-INF/encryption.xml): refused with what to do.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from xml.etree import ElementTree

from nearby.core.errors import UnsupportedFile
from nearby.core.extract import archive
from nearby.core.extract.html import html_to_text
from nearby.core.extract.plain import decode_text
from nearby.core.extract.registry import Extracted, Section

_CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
_OPF = "http://www.idpf.org/2007/opf"
_DC = "http://purl.org/dc/elements/1.1/"
WHAT = "the e-book"
FIX = "open and re-save it in an e-book editor such as Calibre to index it"
# Chapters read at most (a spine of thousands is a damaged or hostile file, not a book).
MAX_CHAPTERS = 5_000


def read_epub(path: Path) -> Extracted:
    with archive.opened(path, WHAT, FIX, ("META-INF/encryption.xml", b"EncryptedData",
                                           "the e-book is protected (DRM): only a copy without protection "
                                           "can be indexed")) as book:
        names = set(book.namelist())
        package = _package_path(archive.read_member(book, "META-INF/container.xml", WHAT))
        opf = _parse(archive.read_member(book, package, WHAT), package)
        title = (opf.findtext(f".//{{{_DC}}}title") or "").strip()
        items = {item.get("id"): item.get("href") for item in opf.iter(f"{{{_OPF}}}item")}
        order = [ref.get("idref") for ref in opf.iter(f"{{{_OPF}}}itemref")][:MAX_CHAPTERS]
        base = posixpath.dirname(package)
        sections: list[Section] = []
        for idref in order:
            href = items.get(idref)
            if not href:
                continue
            name = posixpath.normpath(posixpath.join(base, href.split("#", 1)[0]))
            if name not in names:
                continue
            _, text = html_to_text(decode_text(archive.read_member(book, name, WHAT)))
            if text.strip():
                sections.append(Section(text, page=len(sections) + 1))
    if not sections:
        raise UnsupportedFile(f"{WHAT} has no readable chapters: damaged, or not what its name says")
    return Extracted(title=title or path.stem, sections=tuple(sections))


def _package_path(container: bytes) -> str:
    root = _parse(container, "META-INF/container.xml")
    found = root.find(f".//{{{_CONTAINER}}}rootfile")
    path = found.get("full-path") if found is not None else None
    if not path:
        raise UnsupportedFile(f"{WHAT}'s container names no package file: damaged; {FIX}")
    return path


def _parse(data: bytes, name: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise UnsupportedFile(f"{WHAT}'s {name} is damaged ({exc}); {FIX}") from exc
