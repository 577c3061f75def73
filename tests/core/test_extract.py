from pathlib import Path

import pytest

from nearby.core.errors import UnsupportedFile
from nearby.core.extract import extract, is_supported
from nearby.core.extract.html import read_html
from nearby.core.extract.plain import read_markdown
from tests.documents import write_docx, write_pdf


def text_of(path: Path) -> str:
    return "\n".join(s.text for s in extract(path).sections)


def test_plain_text_in_common_encodings(tmp_path: Path) -> None:
    (tmp_path / "u8.txt").write_text("Crème brûlée for dessert.", encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes("\ufeffNaïve café".encode("utf-8"))
    (tmp_path / "u16.txt").write_text("Grüße aus Köln", encoding="utf-16")
    (tmp_path / "win.txt").write_bytes("Smart “quotes” and a café".encode("cp1252"))
    assert text_of(tmp_path / "u8.txt") == "Crème brûlée for dessert."
    assert text_of(tmp_path / "bom.txt") == "Naïve café"
    assert text_of(tmp_path / "u16.txt") == "Grüße aus Köln"
    assert text_of(tmp_path / "win.txt") == "Smart “quotes” and a café"


def test_markdown_loses_markup_and_keeps_heading_as_title(tmp_path: Path) -> None:
    md = tmp_path / "notes.md"
    md.write_text("# Garden plans\n\nPlant **tomatoes** in [May](http://x).\n\n<script>alert(1)</script>\n")
    result = extract(md)
    text = result.sections[0].text
    assert result.title == "Garden plans"
    assert "Plant tomatoes in May." in " ".join(text.split())
    assert "**" not in text and "http://x" not in text


def test_html_keeps_visible_text_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Trip</title><style>p{color:red}</style></head><body>"
                    "<nav>Home | About</nav><p>We hiked to the glacier.</p><script>var x=1;</script>"
                    "<p>Then we ate.</p></body></html>")
    result = extract(page)
    text = " ".join(result.sections[0].text.split())
    assert result.title == "Trip"
    assert text == "We hiked to the glacier. Then we ate."


def test_pdf_pages_and_title(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "r.pdf", ["First page about tides.", "Second page about moons."], title="Sea")
    result = extract(pdf)
    assert result.title == "Sea"
    assert [(" ".join(s.text.split()), s.page) for s in result.sections] == [
        ("First page about tides.", 1), ("Second page about moons.", 2)]


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    doc = write_docx(tmp_path / "d.docx", ["Minutes of the meeting.", "Budget approved."],
                     table=[["Item", "Cost"], ["Chairs", "120"]], title="Minutes")
    result = extract(doc)
    assert result.title == "Minutes"
    text = result.sections[0].text
    assert "Minutes of the meeting." in text and "Budget approved." in text and "Chairs | 120" in text


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "empty"),
    ("binary.txt", bytes(range(256)) * 8, "binary"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "damaged"),
    ("fake.pdf", b"this is not a pdf at all", "damaged"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "damaged"),
    ("blank.md", b"   \n\n  ", "no text"),
])
def test_bad_files_raise_unsupported_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedFile, match=reason):
        extract(path)


def test_truncated_pdf_is_reported(tmp_path: Path) -> None:
    whole = write_pdf(tmp_path / "whole.pdf", ["Some text " * 50]).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(UnsupportedFile):
        extract(cut)


def test_encrypted_pdf_says_so(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    source = write_pdf(tmp_path / "plain.pdf", ["Secret plans."])
    writer = pypdf.PdfWriter(clone_from=str(source))
    writer.encrypt(user_password="hunter2", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(UnsupportedFile, match="encrypted"):
        extract(locked)


def test_huge_text_file_is_refused_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nearby.core.extract.registry as registry

    monkeypatch.setattr(registry, "MAX_TEXT_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    with pytest.raises(UnsupportedFile, match="too large"):
        extract(big)


def test_unreadable_file_says_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("private")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)  # tests run as root, where chmod 000 is no barrier
    with pytest.raises(UnsupportedFile, match="permission"):
        extract(locked)


def test_unknown_types_are_not_supported(tmp_path: Path) -> None:
    assert is_supported(Path("a.PDF")) and is_supported(Path("b.Md"))
    assert not is_supported(Path("c.exe")) and not is_supported(Path("noext"))
    with pytest.raises(UnsupportedFile, match="not a supported"):
        extract(tmp_path / "x.exe")


def test_tables_read_as_rows_of_cells_in_markdown_and_html(tmp_path: Path) -> None:
    """A pipe table in Markdown (and an HTML table) reads as its rows, the cells apart: no pipes,
    no dashes, no cells run together."""
    note = tmp_path / "cities.md"
    note.write_text("# Cities\n\n| city | country |\n|---|---|\n| Rome | Italy |\n| Lyon | France |\n")
    text = read_markdown(note).sections[0].text
    assert "|" not in text and "---" not in text
    assert "Rome · Italy" in text.splitlines() and "city · country" in text.splitlines()
    page = tmp_path / "cities.html"
    page.write_text("<table><tr><th>city</th>\n<th>country</th></tr><tr><td>Rome</td> <td>Italy</td></tr></table>")
    assert "Rome · Italy" in read_html(page).sections[0].text.splitlines()


def test_a_pictures_alt_text_is_read_in_markdown_and_html(tmp_path: Path) -> None:
    """A Markdown note of pictures alone was skipped as 'no text found (a scanned document…)'."""
    note = tmp_path / "trip.md"
    note.write_text("![the red barn at sunset](barn.jpg)\n\n![a heron on the pond](heron.jpg)\n")
    page = tmp_path / "page.html"
    page.write_text('<html><body><p>Seen: <img src="x.png" alt="a lighthouse in fog"></p></body></html>')
    assert "red barn at sunset" in extract(note).sections[0].text and "heron" in extract(note).sections[0].text
    assert "a lighthouse in fog" in extract(page).sections[0].text
