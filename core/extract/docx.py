"""Word documents (.docx): paragraphs and table cells, in document order."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.registry import Extracted, Section


def read_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

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
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                             for cell in row if cell.tag.endswith("}tc")]
                    blocks.append(" | ".join(c for c in cells if c))
    title = (document.core_properties.title or "").strip() or path.stem
    return Extracted(title=title, sections=(Section("\n\n".join(blocks)),))
