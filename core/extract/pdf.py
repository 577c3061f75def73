"""PDF text, page by page, with pdfium (fast, permissive licence, no scripts run)."""

from __future__ import annotations

from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.inflation import check_inflation
from nearby.core.extract.registry import Extracted, Section

# Past this many pages a PDF is a scanned archive or a data dump; the rest is left out.
MAX_PAGES = 3000


def read_pdf(path: Path) -> Extracted:
    import pypdfium2 as pdfium

    check_inflation(path)  # before pdfium inflates anything whole
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnsupportedFile("the PDF is encrypted with a password; save an unlocked copy to index it") from exc
        raise UnsupportedFile(f"the PDF is damaged or not a PDF ({exc})") from exc
    try:
        title = (doc.get_metadata_dict().get("Title") or "").strip() or path.stem
        sections = []
        for number in range(min(len(doc), MAX_PAGES)):
            page = doc[number]
            textpage = page.get_textpage()
            sections.append(Section(textpage.get_text_bounded(), page=number + 1))
            textpage.close()
            page.close()
        return Extracted(title=title, sections=tuple(sections))
    except pdfium.PdfiumError as exc:
        raise UnsupportedFile(f"the PDF is damaged ({exc})") from exc
    finally:
        doc.close()


def page_png(path: Path, page: int, longest: int = 1000) -> bytes:
    """One page (1-based) drawn as a PNG whose longest side is ``longest`` px: a detail pane's preview.
    Raises UnsupportedFile when the page cannot be drawn (a damaged or locked PDF, no such page)."""
    import io

    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise UnsupportedFile(f"the PDF cannot be opened ({exc})") from exc
    try:
        if not 1 <= page <= len(doc):
            raise UnsupportedFile(f"the PDF has no page {page} (it has {len(doc)})")
        sheet = doc[page - 1]
        width, height = sheet.get_size()
        image = sheet.render(scale=longest / max(width, height, 1.0)).to_pil()
        sheet.close()
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()
    except pdfium.PdfiumError as exc:
        raise UnsupportedFile(f"the PDF page cannot be drawn ({exc})") from exc
    finally:
        doc.close()
