"""Comma- and tab-separated tables (.csv, .tsv): rows grouped into passages, the header kept.

Each row reads as "column: value" pairs under the header's names (a row of bare numbers means
nothing on its own), ROWS_PER_SECTION rows a section, so that a passage stays a readable block of
records; the delimiter is sniffed from the first lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.plain import decode_text
from nearby.core.extract.registry import Extracted, Section

ROWS_PER_SECTION = 20
MAX_ROWS = 200_000
MAX_FIELD = 2_000  # characters of one cell (a pasted document in a cell is cut)


def read_table(path: Path) -> Extracted:
    text = decode_text(path.read_bytes())
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(reader, [])]
        sections: list[Section] = []
        block: list[str] = []
        for number, row in enumerate(reader, 1):
            if number > MAX_ROWS:
                break
            cells = [(header[i] if i < len(header) and header[i] else f"column {i + 1}", c.strip()[:MAX_FIELD])
                     for i, c in enumerate(row)]
            line = "; ".join(f"{name}: {value}" for name, value in cells if value)
            if line:
                block.append(line)
            if len(block) == ROWS_PER_SECTION:
                sections.append(Section("\n".join(block)))
                block = []
    except csv.Error as exc:
        raise UnsupportedFile(f"the table could not be read ({exc}); check it opens in a spreadsheet") from exc
    if block or not sections:
        sections.append(Section("\n".join(block) if block else " | ".join(header)))
    return Extracted(title=path.stem, sections=tuple(sections))
