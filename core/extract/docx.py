"""Word documents (.docx): paragraphs and table cells, in document order."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.registry import Extracted, Section

# A Word file's parts unpacked: a long novel's XML is ~10 MB, pictures are not read. A "zip bomb"
# (a small file whose parts unpack to gigabytes) is refused from its directory before anything
# is unpacked; zipfile then reads no member past the size the directory gives it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_READ_PARTS = (".xml", ".rels")


def check_unpacked_size(path: Path) -> None:
    """Refuse a Word file whose XML parts would unpack to more than MAX_UNPACKED_BYTES."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(i.file_size for i in archive.infolist() if i.filename.lower().endswith(_READ_PARTS))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsupportedFile("the Word file is damaged or not a Word file (its zip directory cannot be read); "
                              "open and re-save it in Word or LibreOffice to index it") from exc
    if total > MAX_UNPACKED_BYTES:
        raise UnsupportedFile(f"the Word file's text parts would unpack to {total / 2**20:,.0f} MB "
                              f"(at most {MAX_UNPACKED_BYTES // 2**20} MB): a damaged or malicious file")


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
            blocks.append("".join(t.text or "" for t in child.iter() if _is(t, "}t")))
        elif tag == "tbl":
            for row in child.iter():
                if _is(row, "}tr"):
                    cells = ["".join(t.text or "" for t in cell.iter() if _is(t, "}t"))
                             for cell in row if _is(cell, "}tc")]
                    blocks.append(" | ".join(c for c in cells if c))
    title = (document.core_properties.title or "").strip() or path.stem
    return Extracted(title=title, sections=(Section("\n\n".join(blocks)),))


def _is(element: object, suffix: str) -> bool:
    tag = getattr(element, "tag", None)
    return isinstance(tag, str) and tag.endswith(suffix)
