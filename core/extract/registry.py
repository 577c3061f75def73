"""Which reader handles which file extension."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.files import check_size


@dataclass(frozen=True)
class Section:
    """A run of text from one place in a file (a PDF page, or the whole of a plain file)."""

    text: str
    page: int | None = None


@dataclass(frozen=True)
class Extracted:
    title: str
    sections: tuple[Section, ...]


# Text formats are read whole into memory; beyond this a file is almost surely a log or a dump,
# not a document anyone searches by meaning, and would cost minutes of embedding.
MAX_TEXT_BYTES = 20 * 1024 * 1024
# PDFs, Word, OpenDocument and EPUB files are compressed containers, a mailbox holds years of mail: allow more.
MAX_CONTAINER_BYTES = 300 * 1024 * 1024

Reader = Callable[[Path], Extracted]


def _readers() -> dict[str, Reader]:
    from nearby.core.extract import docx, epub, html, mail, ooxml, opendocument, pdf, plain, rtf, table

    return {
        ".txt": plain.read_plain, ".text": plain.read_plain, ".rst": plain.read_plain,
        ".org": plain.read_plain, ".log": plain.read_plain,
        ".md": plain.read_markdown, ".markdown": plain.read_markdown,
        ".html": html.read_html, ".htm": html.read_html, ".xhtml": html.read_html,
        ".pdf": pdf.read_pdf, ".docx": docx.read_docx,
        ".odt": opendocument.read_opendocument, ".ods": opendocument.read_opendocument,
        ".odp": opendocument.read_opendocument, ".epub": epub.read_epub,
        ".csv": table.read_table, ".tsv": table.read_table,
        ".eml": mail.read_eml, ".mbox": mail.read_mbox, ".xlsx": ooxml.read_xlsx, ".pptx": ooxml.read_pptx,
        ".rtf": rtf.read_rtf,
    }


EXTENSIONS: frozenset[str] = frozenset(
    {".txt", ".text", ".rst", ".org", ".log", ".md", ".markdown", ".html", ".htm", ".xhtml",
     ".pdf", ".docx", ".odt", ".ods", ".odp", ".epub", ".csv", ".tsv", ".eml", ".mbox", ".xlsx", ".pptx", ".rtf"}
)
# Compressed containers (mostly pictures and fonts), mailboxes (years of mail), and RTF (its
# pictures are written out as hex, two bytes a byte): larger files.
CONTAINERS = frozenset({".pdf", ".docx", ".odt", ".ods", ".odp", ".epub", ".mbox", ".xlsx", ".pptx", ".rtf"})


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


def size_limit(path: Path) -> int:
    """The largest document of this type Nearby reads (containers are mostly pictures and fonts)."""
    return MAX_CONTAINER_BYTES if path.suffix.lower() in CONTAINERS else MAX_TEXT_BYTES


def extract(path: Path) -> Extracted:
    """Read a document's text.

    Raises:
        UnsupportedFile: unknown type, unreadable, empty, too large, corrupt or encrypted.
    """
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise UnsupportedFile(f"{suffix or 'files without an extension'} is not a supported document type")
    check_size(path, size_limit(path))
    try:
        result = _readers()[suffix](path)
    except UnsupportedFile:
        raise
    except PermissionError as exc:
        raise UnsupportedFile("permission denied; give your user read access to index it") from exc
    except OSError as exc:
        raise UnsupportedFile(f"cannot be read ({exc.strerror or exc})") from exc
    if not any(s.text.strip() for s in result.sections):
        raise UnsupportedFile("no text found (a scanned document? its pages are pictures)" if suffix == ".pdf"
                              else "no text found: the file holds no readable words")
    return result
