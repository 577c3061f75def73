"""Where in its file a passage is, in the file's own words: page 3 of a PDF, slide 3 of a deck,
sheet 2 of a workbook, chapter 4 of a book, message 12 of a mailbox, attachment 1 of an e-mail.
The readers number their sections (Section.page); the unit is the file type's."""

from __future__ import annotations

from pathlib import PurePath

UNITS = {".pdf": "page", ".rtf": "page", ".pptx": "slide", ".odp": "slide", ".xlsx": "sheet", ".ods": "sheet",
         ".epub": "chapter", ".mbox": "message", ".eml": "attachment"}


def unit_of(path: str) -> str:
    return UNITS.get(PurePath(path).suffix.lower(), "page")


def place_name(path: str, page: int | None) -> str:
    """"slide 3", "page 12"; "" where the file is one section."""
    return f"{unit_of(path)} {page}" if page else ""


def short_place(path: str, page: int | None) -> str:
    """As a result line shows it: "p. 12" for pages, "slide 3" for the rest."""
    unit = unit_of(path)
    return "" if not page else f"p. {page}" if unit == "page" else f"{unit} {page}"
