"""More documents people keep: OpenDocument (.odt, .ods, .odp), Excel and PowerPoint (.xlsx, .pptx), EPUB,
CSV/TSV, e-mail (.eml, .mbox)."""

from __future__ import annotations

import shutil
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from nearby.core.errors import UnsupportedFile
from nearby.core.extract import extract
from nearby.core.extract.archive import MAX_UNPACKED_BYTES
from nearby.core.library import Library
from nearby.core.progress import run_to_end

ODF = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
       'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"><office:body>{}</office:body>'
       '</office:document-content>')
META = ('<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>{}</dc:title></office:meta>'
        '</office:document-meta>')


def write_odf(path: Path, body: str, title: str = "", manifest: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as odf:
        odf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odf.writestr("content.xml", ODF.format(body))
        if title:
            odf.writestr("meta.xml", META.format(title))
        if manifest:
            odf.writestr("META-INF/manifest.xml", manifest)
    return path


def write_epub(path: Path, chapters: list[str], title: str = "", drm: bool = False) -> Path:
    items = "".join(f'<item id="c{i}" href="text/ch{i}.xhtml" media-type="application/xhtml+xml"/>'
                    for i in range(len(chapters)))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                      'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                      '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                      '</rootfiles></container>')
        book.writestr("OEBPS/content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
                      'version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
                      f"<dc:title>{title}</dc:title></metadata><manifest>{items}</manifest>"
                      f"<spine>{spine}</spine></package>")
        for i, text in enumerate(chapters):
            book.writestr(f"OEBPS/text/ch{i}.xhtml", f"<html><head><title>Chapter {i + 1}</title></head>"
                          f"<body><h1>Chapter {i + 1}</h1><p>{text}</p></body></html>")
        if drm:
            book.writestr("META-INF/encryption.xml", '<encryption><EncryptedData/></encryption>')
    return path


def write_eml(path: Path, subject: str, body: str, html: bool = False) -> Path:
    message = EmailMessage()
    message["Subject"], message["From"] = subject, "Ada <ada@example.org>"
    message["Date"] = "Tue, 3 Jun 2025 09:00 +0000"
    if html:
        message.set_content(f"<html><body><p>{body}</p></body></html>", subtype="html")
    else:
        message.set_content(body)
    path.write_bytes(bytes(message))
    return path


def test_opendocument_text_sheets_and_slides(tmp_path: Path) -> None:
    odt = extract(write_odf(tmp_path / "a.odt", '<office:text><text:h>Allotment rules</text:h>'
                            '<text:p>Bonfires are not allowed after <text:span>noon</text:span>.</text:p>'
                            '<table:table><table:table-row><table:table-cell><text:p>Plot 7</text:p></table:table-cell>'
                            '<table:table-cell><text:p>Mrs Okafor</text:p></table:table-cell></table:table-row>'
                            '</table:table></office:text>', title="Allotment handbook"))
    assert odt.title == "Allotment handbook" and len(odt.sections) == 1
    assert odt.sections[0].text == "Allotment rules\n\nBonfires are not allowed after noon.\n\nPlot 7 | Mrs Okafor"
    sheets = '<office:spreadsheet>' + "".join(
        f'<table:table table:name="{name}"><table:table-row table:number-rows-repeated="1048000">'
        f'<table:table-cell><text:p>{cell}</text:p></table:table-cell><table:table-cell/></table:table-row>'
        '</table:table>' for name, cell in (("Budget", "Rent 950"), ("Savings", "ISA 4000"))) + '</office:spreadsheet>'
    ods = extract(write_odf(tmp_path / "b.ods", sheets))
    assert [(s.page, s.text) for s in ods.sections] == [(1, "Budget\n\nRent 950"), (2, "Savings\n\nISA 4000")]
    slides = '<office:presentation>' + "".join(
        f'<draw:page draw:name="s{i}"><draw:frame><draw:text-box><text:p>{t}</text:p></draw:text-box></draw:frame>'
        f'</draw:page>' for i, t in enumerate(("Quarterly results", "Hiring plan"))) + '</office:presentation>'
    odp = extract(write_odf(tmp_path / "c.odp", slides))
    assert [(s.page, s.text) for s in odp.sections] == [(1, "Quarterly results"), (2, "Hiring plan")]
    assert odp.title == "c"


def test_epub_chapters_in_reading_order(tmp_path: Path) -> None:
    book = extract(write_epub(tmp_path / "b.epub", ["The storm broke the mast.", "They reached the harbour."],
                              title="A Voyage"))
    assert book.title == "A Voyage" and [s.page for s in book.sections] == [1, 2]
    assert "storm broke the mast" in book.sections[0].text and "harbour" in book.sections[1].text


def test_csv_rows_read_under_their_header(tmp_path: Path) -> None:
    rows = "\n".join(f"2024-0{1 + i % 9}-01,Groceries {i},{i * 3}.50" for i in range(45))
    (tmp_path / "spend.csv").write_text("date,what,amount\n" + rows + "\n")
    table = extract(tmp_path / "spend.csv")
    assert len(table.sections) == 3 and table.sections[0].text.splitlines()[0] == \
        "date: 2024-01-01; what: Groceries 0; amount: 0.50"
    (tmp_path / "t.tsv").write_text("name\tcity\nAda\tLondon\n")
    assert extract(tmp_path / "t.tsv").sections[0].text == "name: Ada; city: London"


def test_email_and_mailboxes(tmp_path: Path) -> None:
    plain = extract(write_eml(tmp_path / "a.eml", "Boiler service", "The engineer comes on Tuesday at nine."))
    assert plain.title == "Boiler service"
    assert plain.sections[0].text.startswith("Subject: Boiler service\nFrom: Ada <ada@example.org>\nDate:")
    assert plain.sections[0].text.endswith("The engineer comes on Tuesday at nine.")
    html = extract(write_eml(tmp_path / "b.eml", "Tickets", "Your seats are in <b>row F</b>.", html=True))
    assert "Your seats are in row F." in html.sections[0].text
    box = tmp_path / "old.mbox"
    box.write_bytes(b"".join(b"From ada@example.org Tue Jun  3 09:00:00 2025\n" + (tmp_path / n).read_bytes() + b"\n"
                             for n in ("a.eml", "b.eml")))
    mails = extract(box)
    assert [s.page for s in mails.sections] == [1, 2] and "row F" in mails.sections[1].text


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("truncated.odt", lambda p: p.write_bytes(write_odf(p, "<office:text/>").read_bytes()[:40]), "damaged"),
    ("text.epub", lambda p: p.write_text("just text, not a book"), "not what its name says"),
    ("locked.odt", lambda p: write_odf(p, "<office:text/>", manifest="<manifest><encryption-data/></manifest>"),
     "password"),
    ("drm.epub", lambda p: write_epub(p, ["secret"], drm=True), "DRM"),
    ("broken.ods", lambda p: write_odf(p, "<office:spreadsheet><table:table>"), "damaged"),
    ("binary.csv", lambda p: p.write_bytes(b"\x00\x01\x02" * 100), "binary"),
    ("empty.eml", lambda p: p.write_bytes(b"\n"), "not an e-mail message"),
    ("word.rtf", lambda p: p.write_bytes(b"PK\x03\x04" + bytes(100)), "not an RTF document"),
    ("nested.rtf", lambda p: p.write_bytes(b"{\\rtf1 " + b"{" * 100_000 + b"x"), "nests deeper"),
    ("styles-only.rtf", lambda p: p.write_bytes(b"{\\rtf1{\\fonttbl{\\f0 Arial;}}{\\*\\x y}}"), "no text found"),
])
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, name: str, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    make(path)
    with pytest.raises(UnsupportedFile, match=reason):
        extract(path)


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.odt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as odf, \
            odf.open("content.xml", "w", force_zip64=True) as part:
        chunk = b"<a>" + b" " * (1 << 20)
        for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 2):
            part.write(chunk)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(UnsupportedFile, match="unpack to"):
        extract(path)


def test_each_format_is_indexed_and_found_by_its_own_sentence(tmp_path: Path, text_embedder: object) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    write_odf(folder / "minutes.odt", "<office:text><text:p>The choir agreed to rehearse the carols in the "
              "village hall every Thursday.</text:p></office:text>")
    write_odf(folder / "budget.ods", '<office:spreadsheet><table:table table:name="Boat"><table:table-row>'
              "<table:table-cell><text:p>Repainting the hull of the sailing dinghy</text:p></table:table-cell>"
              "</table:table-row></table:table></office:spreadsheet>")
    write_odf(folder / "talk.odp", "<office:presentation><draw:page><draw:frame><draw:text-box><text:p>Beekeeping "
              "for beginners: hives, smoke and honey</text:p></draw:text-box></draw:frame></draw:page>"
              "</office:presentation>")
    write_epub(folder / "novel.epub", ["A lighthouse keeper rescued sailors from a shipwreck in the gale."])
    (folder / "birds.csv").write_text("species,count\nGolden eagle nesting on the cliff,2\n")
    write_eml(folder / "mail.eml", "Dentist", "Your appointment for the root canal is moved to Friday.")
    write_xlsx(folder / "garden.xlsx", {"Seeds": [["Runner beans sown along the south fence", "12"]]})
    write_pptx(folder / "deck.pptx", [["Revenue grew thanks to the new bakery branch"]])
    (folder / "letter.rtf").write_bytes(rb"{\rtf1\ansi{\fonttbl{\f0 Calibri;}}\f0 The landlord will return "
                                        rb"the deposit once the flat is inspected.\par}")
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    summary = run_to_end(library.index([folder]))
    assert summary.added == 9 and not summary.failures
    for query, name in (("choir practice for christmas songs", "minutes.odt"), ("painting a small boat", "budget.ods"),
                        ("keeping bees", "talk.odp"), ("a keeper saves shipwrecked sailors", "novel.epub"),
                        ("eagles nesting", "birds.csv"), ("dental appointment rescheduled", "mail.eml"),
                        ("planting beans by the fence", "garden.xlsx"), ("bakery sales growth", "deck.pptx"),
                        ("when is the deposit returned", "letter.rtf")):
        assert library.search(query, k=1)[0].name == name, query


def test_the_readers_stop_at_their_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past each cap: a sheet's rows, a book's chapters, a mailbox's messages, a table's rows and cells."""
    from nearby.core.extract import epub, mail, opendocument, table

    monkeypatch.setattr(opendocument, "MAX_ROWS", 2)
    rows = "".join(f"<table:table-row><table:table-cell><text:p>row {i}</text:p></table:table-cell></table:table-row>"
                   for i in range(5))
    sheet = extract(write_odf(tmp_path / "s.ods", f'<office:spreadsheet><table:table table:name="T">{rows}'
                              "</table:table></office:spreadsheet>"))
    assert sheet.sections[0].text == "T\n\nrow 0\n\nrow 1"
    monkeypatch.setattr(epub, "MAX_CHAPTERS", 2)
    assert len(extract(write_epub(tmp_path / "b.epub", ["one", "two", "three"])).sections) == 2
    monkeypatch.setattr(mail, "MAX_MESSAGES", 1)
    monkeypatch.setattr(mail, "MAX_BODY_CHARS", 10)
    write_eml(tmp_path / "a.eml", "Hello", "0123456789abcdef")
    box = tmp_path / "m.mbox"
    box.write_bytes((b"From a@b Tue Jun  3 09:00:00 2025\n" + (tmp_path / "a.eml").read_bytes() + b"\n") * 3)
    mails = extract(box)
    assert len(mails.sections) == 1 and mails.sections[0].text.endswith("\n\n0123456789")
    monkeypatch.setattr(table, "MAX_ROWS", 3)
    monkeypatch.setattr(table, "MAX_FIELD", 5)
    (tmp_path / "t.csv").write_text("a,b\n" + "".join(f"{i},abcdefgh\n" for i in range(6)))
    assert extract(tmp_path / "t.csv").sections[0].text.splitlines() == [f"a: {i}; b: abcde" for i in range(3)]


_RELS = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
_REL = '<Relationship Id="{}" Target="{}" Type="x"/>'
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """A minimal workbook: the first cell of each row a shared string, the rest inline numbers."""
    strings: list[str] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        entries = "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                          for i, name in enumerate(sheets))
        book.writestr("xl/workbook.xml",
                      f'<workbook xmlns="{_SML}" xmlns:r="{_R}"><sheets>{entries}</sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels", _RELS.format(
            "".join(_REL.format(f"rId{i + 1}", f"worksheets/sheet{i + 1}.xml") for i in range(len(sheets)))))
        for i, rows in enumerate(sheets.values()):
            xml_rows = ""
            for row in rows:
                strings.append(row[0])
                cells = f'<c t="s"><v>{len(strings) - 1}</v></c>' + "".join(f"<c><v>{v}</v></c>" for v in row[1:])
                xml_rows += f"<row>{cells}</row>"
            book.writestr(f"xl/worksheets/sheet{i + 1}.xml", f'<worksheet xmlns="{_SML}"><sheetData>{xml_rows}'
                          "</sheetData></worksheet>")
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_SML}">' + "".join(f"<si><t>{s}</t></si>" for s in strings)
                      + "</sst>")
    return path


def write_pptx(path: Path, slides: list[list[str]]) -> Path:
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as deck:
        deck.writestr("[Content_Types].xml", "<Types/>")
        ids = "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 1}"/>' for i in range(len(slides)))
        deck.writestr("ppt/presentation.xml", f'<p:presentation xmlns:p="{p}" xmlns:r="{_R}"><p:sldIdLst>{ids}'
                      "</p:sldIdLst></p:presentation>")
        deck.writestr("ppt/_rels/presentation.xml.rels", _RELS.format(
            "".join(_REL.format(f"rId{i + 1}", f"slides/slide{i + 1}.xml") for i in range(len(slides)))))
        for i, paragraphs in enumerate(slides):
            body = "".join(f"<a:p><a:r><a:t>{t}</a:t></a:r></a:p>" for t in paragraphs)
            deck.writestr(f"ppt/slides/slide{i + 1}.xml", f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld>{body}'
                          "</p:cSld></p:sld>")
    return path


def test_excel_sheets_and_powerpoint_slides(tmp_path: Path) -> None:
    book = extract(write_xlsx(tmp_path / "b.xlsx", {"Trips": [["Lisbon flights", "420"]], "Fuel": [["Diesel", "7"]]}))
    assert [(s.page, s.text) for s in book.sections] == [(1, "Trips\n\nLisbon flights | 420"),
                                                         (2, "Fuel\n\nDiesel | 7")]
    deck = extract(write_pptx(tmp_path / "d.pptx", [["Roadmap", "Launch in May"], ["Risks"]]))
    assert [(s.page, s.text) for s in deck.sections] == [(1, "Roadmap\n\nLaunch in May"), (2, "Risks")]
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(UnsupportedFile, match="password-protected"):
        extract(locked)
    (tmp_path / "fake.pptx").write_text("not a presentation")
    with pytest.raises(UnsupportedFile, match="not what its name says"):
        extract(tmp_path / "fake.pptx")


WORD_RTF = rb"""{\rtf1\ansi\ansicpg1252\uc1\deff0{\fonttbl{\f0\froman\fcharset0\fprq2{\*\panose 0202}Times;}
{\f1\fswiss\fcharset204 Arial Cyr;}}{\colortbl;\red0\green0\blue0;}{\stylesheet{\ql \f0 Normal;}}
{\info{\title Boiler service notes}{\author Ann}{\creatim\yr2024\mo3\dy1}}{\*\rsidtbl \rsid123}
{\header \pard Confidential header\par}
\pard\plain\f0 The caf\'e9 owner said the boiler\'92s pressure valve leaks.\par
Ma\u241\'3fana we replace the \b gasket\b0 ; cost \u8364\'3f120.\par
{\field{\*\fldinst HYPERLINK "http://example.com"}{\fldrslt see the manual}}\par
{\pict\pngblip\picw10\pich10 89504e470d0a1a0a0000000d49484452
00000001000000010802000000907753de}\par
\f1 \'cf\'f0\'e8\'e2\'e5\'f2\f0  world\page
Second page: \{braces\}, a tab\tab here, an emoji \u-10179\'3f\u-8704\'3f done.\par
{\*\unknowndest secret stuff}\bin3 {}x\par
}"""


def test_rtf_text_title_code_pages_and_pages(tmp_path: Path) -> None:
    """What Word and WordPad write: the title from {\\info}, \\'hh bytes in the document's and
    the font's code page, \\uN characters (their fallbacks dropped, surrogate pairs joined), field
    results kept and their instructions, headers, pictures, tables and \\* destinations skipped."""
    path = tmp_path / "notes.rtf"
    path.write_bytes(WORD_RTF)
    read = extract(path)
    assert read.title == "Boiler service notes"
    assert [s.page for s in read.sections] == [1, 2]
    first, second = read.sections[0].text, read.sections[1].text
    assert first.splitlines() == ["The café owner said the boiler’s pressure valve leaks.",
                                  "Mañana we replace the gasket; cost €120.", "see the manual", "",
                                  "Привет world"]
    assert second == "Second page: {braces}, a tab here, an emoji \U0001f600 done."  # \\bin's 3 bytes "{}x" jumped over
    for hidden in ("Confidential", "HYPERLINK", "Times", "Ann", "secret", "8950", "rsid"):
        assert hidden not in first + second


def test_a_large_rtf_with_pictures_reads_its_text(tmp_path: Path) -> None:
    """~39 MB of hex pictures after a sentence (past the 20 MB of a plain text file): skipped whole."""
    picture = b"{\\pict\\jpegblip\n" + (b"0123456789abcdef" * 8 + b"\n") * 30_000 + b"}"
    body = picture * 10
    path = tmp_path / "scrapbook.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Holiday scrapbook with photos of the fjords.\\par " + body + b"}")
    assert path.stat().st_size > 35_000_000
    assert extract(path).sections[0].text == "Holiday scrapbook with photos of the fjords."


def test_a_passage_names_its_place_in_the_files_own_words(tmp_path: Path, text_embedder: object) -> None:
    """Slide 2 of a deck, sheet 2 of a workbook, chapter 2 of a book, message 2 of a mailbox: in the
    hit, its JSON, its "why" and the CLI's result line."""
    import io

    from nearby.core.cli.commands import _print_hits
    from nearby.core.search.why import why_text

    folder = tmp_path / "files"
    folder.mkdir()
    write_pptx(folder / "deck.pptx", [["Welcome to the quarterly review"],
                                      ["Revenue grew thanks to the new bakery branch"]])
    write_xlsx(folder / "garden.xlsx", {"Tools": [["Spade, rake and hoe", "3"]],
                                        "Seeds": [["Runner beans sown along the south fence", "12"]]})
    write_epub(folder / "novel.epub", ["The village slept under snow.",
                                       "A lighthouse keeper rescued sailors from a shipwreck in the gale."])
    with open(folder / "box.mbox", "w") as box:
        for subject, body in (("Hello", "Lunch on Monday?"), ("Dentist", "The root canal is moved to Friday.")):
            box.write(f"From a@b Thu Jan  1 00:00:00 2025\nSubject: {subject}\nFrom: ada@example.org\n\n{body}\n\n")
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    assert run_to_end(library.index([folder])).added == 4
    for query, name, place in (("bakery sales growth", "deck.pptx", "slide 2"),
                               ("planting beans by the fence", "garden.xlsx", "sheet 2"),
                               ("a keeper saves shipwrecked sailors", "novel.epub", "chapter 2"),
                               ("dental appointment rescheduled", "box.mbox", "message 2")):
        hit = library.search(query, k=1)[0]
        assert (hit.name, hit.place, hit.to_json()["place"]) == (name, place, place), query
        assert why_text(hit.why).endswith(place)
        out = io.StringIO()
        _print_hits([hit], False, out)
        assert f"{name} ({place})" in out.getvalue()


def test_mail_attachments_are_read_as_the_files_they_are(tmp_path: Path, text_embedder: object) -> None:
    """A PDF and a Word file sent by mail, and a forwarded message, are found through their
    message ("attachment N" of the .eml; inside its message in a mailbox); a photo is named; a
    broken attachment is left out without costing the message."""
    import mailbox

    from tests.documents import write_docx, write_pdf

    pdf = write_pdf(tmp_path / "quote.pdf", ["The roofer quotes 4,200 euros to replace the slate tiles and gutters."])
    docx = write_docx(tmp_path / "minutes.docx", ["The allotment society voted to buy a shared rotavator."])
    forwarded = EmailMessage()
    forwarded["Subject"], forwarded["From"] = "Vet reminder", "clinic@example.org"
    forwarded.set_content("Your cat is due for her rabies booster vaccination next week.")
    message = EmailMessage()
    message["Subject"], message["From"] = "Papers for Saturday", "Ada <ada@example.org>"
    message.set_content("See the attached documents.")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename="quote.pdf")
    message.add_attachment(docx.read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename="minutes.docx")
    message.add_attachment(b"\xff\xd8\xff" + bytes(100), maintype="image", subtype="jpeg", filename="beach.jpg")
    message.add_attachment(b"%PDF-1.4 broken", maintype="application", subtype="pdf", filename="broken.pdf")
    message.attach(_as_part(forwarded))
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "papers.eml").write_bytes(bytes(message))
    box = mailbox.mbox(str(folder / "archive.mbox"))
    box.add(message)
    box.close()

    read = extract(folder / "papers.eml")
    assert "Attachments: quote.pdf, minutes.docx, beach.jpg, broken.pdf, a forwarded message" in read.sections[0].text
    assert [s.page for s in read.sections] == [None, 1, 2, 3]
    assert read.sections[1].text.startswith("Attachment quote.pdf of the message “Papers for Saturday”")
    assert "rabies booster" in read.sections[3].text

    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    assert run_to_end(library.index([folder])).added == 2
    for query, place in (("cost of new roof tiles", "attachment 1"),
                         ("buying a rotavator for the allotment", "attachment 2"),
                         ("cat vaccination appointment", "attachment 3")):
        hits = {h.name: h for h in library.search(query, k=2)}
        assert set(hits) == {"papers.eml", "archive.mbox"}, query
        assert hits["papers.eml"].place == place and hits["archive.mbox"].place == "message 1"
    assert library.search("photo of the beach", k=1)[0].name in {"papers.eml", "archive.mbox"}


def _as_part(message: EmailMessage) -> EmailMessage:
    part = EmailMessage()
    part.set_content(message)  # message/rfc822
    part.add_header("Content-Disposition", "attachment")
    return part


def test_mail_attachments_stop_at_their_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nearby.core.extract import mail

    message = EmailMessage()
    message["Subject"], message["From"] = "Notes", "ada@example.org"
    message.set_content("Three notes attached.")
    for number, size in ((1, 10), (2, 10), (3, 10), (4, 5000)):
        text = f"Note {number} about the garden. " + "x" * size
        message.add_attachment(text.encode(), maintype="text", subtype="plain", filename=f"note{number}.txt")
    path = tmp_path / "notes.eml"
    path.write_bytes(bytes(message))
    assert len(extract(path).sections) == 5
    monkeypatch.setattr(mail, "MAX_ATTACHMENTS", 2)
    assert [s.text.split("\n")[-1][:6] for s in extract(path).sections[1:]] == ["Note 1", "Note 2"]
    monkeypatch.setattr(mail, "MAX_ATTACHMENTS", 20)
    monkeypatch.setattr(mail, "MAX_ATTACHMENT_BYTES", 1000)  # the 5,000-byte note is left out
    assert len(extract(path).sections) == 4
    monkeypatch.setattr(mail, "MAX_ATTACHMENT_CHARS", 12)
    assert extract(path).sections[1].text.endswith("\n\nNote 1 about")


FORMATS = Path(__file__).resolve().parent.parent / "data" / "formats"


def test_files_written_by_other_programs_are_read_and_found_by_their_sentence(tmp_path: Path,
                                                                            text_embedder: object) -> None:
    """openpyxl, python-pptx, ebooklib, odfpy and docutils' files (tests/data/formats/make_formats.py):
    each distinctive sentence finds its file first, at its place (empty slides and sheets counted,
    speaker notes read); titles from the files' properties."""
    folder = tmp_path / "written"
    folder.mkdir()
    for name in ("accounts.xlsx", "trees.pptx", "keeper.epub", "choir.odt", "boats.ods", "bees.odp", "lease.odt"):
        shutil.copy(FORMATS / name, folder)
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    summary = run_to_end(library.index([folder]))
    assert summary.added == 7 and not summary.failures
    assert extract(folder / "accounts.xlsx").title == "Household accounts"
    assert extract(folder / "trees.pptx").title == "Tree planting report"
    assert extract(folder / "keeper.epub").title == "The Keeper"
    for query, name, place in (("when to prune apple trees", "accounts.xlsx", "sheet 2"),
                               ("volunteers planting oaks by the river", "trees.pptx", "slide 2"),
                               ("donated spades from the garden centre", "trees.pptx", "slide 3"),
                               ("lighthouse lamp in the fog", "keeper.epub", "chapter 2"),  # its nav page holds no text
                               ("singing carols in hospital at christmas", "choir.odt", ""),
                               ("varnishing the tiller of a boat", "boats.ods", "sheet 1"),
                               ("what bees need near their hive", "bees.odp", "slide 2"),
                               ("when is the deposit returned", "lease.odt", "")):
        hit = library.search(query, k=1)[0]
        assert (hit.name, hit.place) == (name, place), query


def test_slides_and_sheets_keep_their_numbers_past_empty_ones(tmp_path: Path) -> None:
    """A picture-only slide or an empty sheet still counts: slide 3 is called slide 3."""
    deck = extract(write_pptx(tmp_path / "deck.pptx", [["Welcome"], [], ["Thanks for listening"]]))
    assert [s.page for s in deck.sections] == [1, 3]
    book = extract(write_xlsx(tmp_path / "book.xlsx", {"Empty": [], "Plants": [["Tomatoes in the greenhouse", "4"]]}))
    assert [s.page for s in book.sections] == [2]
    slides = extract(write_odf(tmp_path / "talk.odp", "<office:presentation><draw:page/><draw:page><draw:frame>"
                               "<draw:text-box><text:p>Second slide</text:p></draw:text-box></draw:frame></draw:page>"
                               "</office:presentation>"))
    assert [s.page for s in slides.sections] == [2]


def test_a_word_line_break_or_tab_separates_words(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("first line")
    paragraph.add_run().add_break()
    paragraph.add_run("second line\tafter a tab")
    document.save(str(tmp_path / "breaks.docx"))
    assert extract(tmp_path / "breaks.docx").sections[0].text == "first line second line after a tab"
