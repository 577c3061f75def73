"""A PDF's compressed streams are measured before pdfium reads it: pdfium inflates a content
stream whole in memory, so a few kilobytes that inflate to 2 GB took 3.1 GB of memory. Each
Flate stream that is not a picture is inflated here in small steps, keeping nothing, and a PDF
with a stream past MAX_STREAM_BYTES is refused as what it is."""

from __future__ import annotations

import mmap
import re
import zlib
from pathlib import Path

from nearby.core.errors import UnsupportedFile

# No page's text needs a stream this large (a 3,000-page book's text is ~10 MB); a picture may,
# and pictures are not measured (text extraction does not decode them).
MAX_STREAM_BYTES = 256 << 20
_STEP_IN = 1 << 16  # compressed bytes fed at a time
_STEP_OUT = 8 << 20  # inflated bytes taken at a time (all that is ever held)
_STREAM = re.compile(rb"stream\r?\n")
_DICT_LOOKBACK = 2048  # the stream's dictionary ends just before the keyword


def check_inflation(path: Path) -> None:
    """Raise UnsupportedFile for a PDF with a text stream that inflates past MAX_STREAM_BYTES."""
    try:
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for match in _STREAM.finditer(data):  # type: ignore[call-overload]
                start = match.end()
                head = bytes(data[max(0, match.start() - _DICT_LOOKBACK):match.start()])
                dictionary = head[head.rfind(b"<<"):] if b"<<" in head else b""
                if b"/FlateDecode" in dictionary and b"/Image" not in dictionary:
                    _measure(data, start)
    except (OSError, ValueError):
        return  # unreadable or empty: pdfium says what is wrong with it


def _measure(data: mmap.mmap, start: int) -> None:
    inflater = zlib.decompressobj()
    total, at = 0, start
    try:
        while at < len(data) and not inflater.eof:
            chunk = inflater.unconsumed_tail or data[at:at + _STEP_IN]
            if not inflater.unconsumed_tail:
                at += len(chunk)
            total += len(inflater.decompress(chunk, _STEP_OUT))
            if total > MAX_STREAM_BYTES:
                raise UnsupportedFile(f"a compression bomb: one of its streams inflates past "
                                      f"{MAX_STREAM_BYTES >> 20} MB; not read")
    except zlib.error:
        return  # not Flate data after all (or damaged): pdfium judges it
