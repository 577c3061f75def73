"""Documents written by other programs than Nearby's tests, for its readers to meet real writers' output:

    python -m venv /tmp/writers && /tmp/writers/bin/pip install openpyxl python-pptx ebooklib odfpy docutils
    /tmp/writers/bin/python tests/data/formats/make_formats.py tests/data/formats

openpyxl (.xlsx), python-pptx (.pptx, with speaker notes), ebooklib (.epub), odfpy (.odt, .ods, .odp)
and docutils' ODF writer (lease.odt). launch.heic is tests/data/eval/images/launch.jpg (public
domain) scaled to 480 px and encoded by pillow-heif. Everything here is generated (same licence as
the repository); tests/core/test_formats.py reads them. Each file holds one distinctive sentence
among filler that every file shares.
"""

# ruff: noqa: I001 - each writer imported where it is used: only this script needs them
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

FILLER = ["The meeting started on time and the agenda was approved.", "Coffee and biscuits were served in the break.",
          "Minutes of the previous session were read aloud.", "Any other business was postponed to next month."]


def workbook(out: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(["Item", "Cost", "Note"])
    for i in range(40):
        sheet.append([f"Line {i}", i * 3.5, FILLER[i % 4]])
    garden = book.create_sheet("Garden")
    garden.append(["Task", "When"])
    garden.append(["Prune the apple trees before the sap rises in late winter", "February"])
    book.properties.title = "Household accounts"
    book.save(out / "accounts.xlsx")


def deck(out: Path) -> None:
    from pptx import Presentation

    presentation = Presentation()
    slide = None
    for title, body in (("Welcome", FILLER[0]),
                        ("Results", "Our volunteers planted three hundred oak saplings along the river bank"),
                        ("Questions", FILLER[3])):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    assert slide is not None
    slide.notes_slide.notes_text_frame.text = "Remember to thank the garden centre that donated the spades."
    presentation.core_properties.title = "Tree planting report"
    presentation.save(out / "trees.pptx")


def book(out: Path) -> None:
    from ebooklib import epub

    novel = epub.EpubBook()
    novel.set_identifier("keeper-1")
    novel.set_title("The Keeper")
    novel.set_language("en")
    chapters = []
    keeper = "The old keeper climbed the spiral stairs to light the lamp as the fog rolled over the reef."
    texts = (FILLER[1] * 5, keeper, FILLER[2] * 5)
    for i, text in enumerate(texts, 1):
        chapter = epub.EpubHtml(title=f"Chapter {i}", file_name=f"chap_{i}.xhtml", lang="en")
        chapter.content = f"<h1>Chapter {i}</h1><p>{text}</p>"
        novel.add_item(chapter)
        chapters.append(chapter)
    novel.toc = chapters
    novel.add_item(epub.EpubNcx())
    novel.add_item(epub.EpubNav())
    novel.spine = ["nav", *chapters]
    epub.write_epub(str(out / "keeper.epub"), novel)


def nest(parent: Any, *children: Any) -> Any:
    """An ODF element with its children added (odfpy builds trees one addElement at a time)."""
    for child in children:
        parent.addElement(child)
    return parent


def opendocuments(out: Path) -> None:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet, OpenDocumentText
    from odf.style import MasterPage, PageLayout
    from odf.table import Table, TableCell, TableRow
    from odf.text import H, P

    text = OpenDocumentText()
    text.text.addElement(H(outlinelevel=1, text="Choir news"))
    for line in FILLER:
        text.text.addElement(P(text=line))
    text.text.addElement(P(text="The choir will sing carols at the hospital on Christmas Eve."))
    text.save(str(out / "choir.odt"))

    sheet = OpenDocumentSpreadsheet()
    table = Table(name="Boats")
    for row in (["Boat", "Job"], ["Dinghy", "Sand and varnish the wooden tiller of the sailing dinghy"]):
        table.addElement(nest(TableRow(), *(nest(TableCell(), P(text=value)) for value in row)))
    sheet.spreadsheet.addElement(table)
    sheet.save(str(out / "boats.ods"))

    slides = OpenDocumentPresentation()
    layout = PageLayout(name="layout")
    slides.automaticstyles.addElement(layout)
    master = MasterPage(name="Default", pagelayoutname=layout)
    slides.masterstyles.addElement(master)
    for line in (FILLER[0], "Bees need clean water and wildflowers near the hive all summer"):
        frame = nest(Frame(width="20cm", height="5cm", x="1cm", y="1cm"), nest(TextBox(), P(text=line)))
        slides.presentation.addElement(nest(Page(masterpagename=master), frame))
    slides.save(str(out / "bees.odp"))


def docutils_odt(out: Path) -> None:
    from docutils.core import publish_file

    source = out / "lease.rst"
    source.write_text("Lease notes\n===========\n\n" + "\n\n".join(FILLER)
                      + "\n\nThe landlord returns the deposit within thirty days of the inspection.\n")
    publish_file(source_path=str(source), destination_path=str(out / "lease.odt"), writer_name="odf_odt")
    source.unlink()


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(exist_ok=True)
    for write in (workbook, deck, book, opendocuments, docutils_odt):
        write(target)
