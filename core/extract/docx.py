"""Word documents (.docx): paragraphs and table cells, in document order."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract import archive
from nearby.core.extract.registry import Extracted, Section


def check_unpacked_size(path: Path) -> None:
    """Refuse a Word file whose XML parts would unpack to more than MAX_UNPACKED_BYTES
    (core/extract/archive.py)."""
    archive.check_unpacked_size(path, "the Word file", "open and re-save it in Word or LibreOffice to index it")


def read_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_unpacked_size(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnsupportedFile(
            "the Word file is damaged, encrypted, or an old .doc saved as .docx; "
            "open and re-save it in Word or LibreOffice to index it"
        ) from exc
    except Exception as exc:  # lxml raises its own XMLSyntaxError for broken parts
        raise UnsupportedFile(f"the Word file could not be parsed ({type(exc).__name__})") from exc
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if not isinstance(child.tag, str):  # XML comments and processing instructions
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(_text(child))
        elif tag == "tbl":
            for row in child.iter():
                if _is(row, "}tr"):
                    cells = [_text(cell) for cell in row if _is(cell, "}tc")]
                    blocks.append(" | ".join(c for c in cells if c))
    title = (document.core_properties.title or "").strip() or path.stem
    return Extracted(title=title, sections=(Section("\n\n".join(blocks)),))


def _text(element: object) -> str:
    """A paragraph's (or cell's) text: its runs, a line break or a tab as a space (Word's Shift+Enter
    between two words must not glue them into one)."""
    parts = []
    for node in element.iter():  # type: ignore[attr-defined]
        if _is(node, "}t"):
            parts.append(node.text or "")
        elif _is(node, "}br") or _is(node, "}tab") or _is(node, "}cr"):
            parts.append(" ")
    return "".join(parts)


def _is(element: object, suffix: str) -> bool:
    tag = getattr(element, "tag", None)
    return isinstance(tag, str) and tag.endswith(suffix)
