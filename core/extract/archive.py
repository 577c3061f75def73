"""Zip-based documents (Word, OpenDocument, EPUB): their directory measured before anything is
unpacked. A "zip bomb" (a small file whose parts unpack to gigabytes) is refused from its directory;
zipfile then reads no member past the size the directory gives it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nearby.core.errors import UnsupportedFile

# A document's text parts unpacked: a long novel's XML is ~10 MB; pictures and fonts are not read.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
TEXT_PARTS = (".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx")


def check_unpacked_size(path: Path, what: str, fix: str) -> None:
    """Refuse a zip document whose text parts would unpack past MAX_UNPACKED_BYTES, or whose zip
    directory cannot be read (``what`` names it: "the Word file"; ``fix`` says how to mend it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(i.file_size for i in archive.infolist() if i.filename.lower().endswith(TEXT_PARTS))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsupportedFile(f"{what} is damaged or not what its name says (its zip directory cannot be read); "
                              f"{fix}") from exc
    if total > MAX_UNPACKED_BYTES:
        raise UnsupportedFile(f"{what}'s text parts would unpack to {total / 2**20:,.0f} MB "
                              f"(at most {MAX_UNPACKED_BYTES // 2**20} MB): a damaged or malicious file")


def read_member(archive: zipfile.ZipFile, name: str, what: str) -> bytes:
    """One member's bytes, or UnsupportedFile saying which part is missing or damaged."""
    try:
        return archive.read(name)
    except KeyError as exc:
        raise UnsupportedFile(f"{what} has no {name}: damaged, or not what its name says") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # a truncated or bad member
        raise UnsupportedFile(f"{what}'s {name} cannot be unpacked (a damaged file)") from exc
    except RuntimeError as exc:  # zipfile: "File … is encrypted, password required"
        raise UnsupportedFile(f"{what} is encrypted; save a copy without a password to index it") from exc


@contextmanager
def opened(path: Path, what: str, fix: str, locked: tuple[str, bytes, str] | None = None) -> Iterator[zipfile.ZipFile]:
    """The document's zip, its size checked (check_unpacked_size); refused with ``locked``'s message
    when its part (an encryption manifest) holds its marker: a password or DRM keeps the text
    unreadable, and saying so beats calling the file damaged."""
    check_unpacked_size(path, what, fix)
    with zipfile.ZipFile(path) as document:
        if locked is not None:
            part, marker, message = locked
            if part in set(document.namelist()) and marker in read_member(document, part, what):
                raise UnsupportedFile(message)
        yield document
