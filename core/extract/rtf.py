"""Rich Text Format (.rtf: WordPad, TextEdit, old Word), read with a small tokenizer.

No maintained permissive RTF parser fits (striprtf is one regular expression over the whole file,
with no page breaks, title or font code pages), and the part of RTF that carries text is small:
groups in braces, control words, ``\\'hh`` bytes in the document's (or the font's) code page,
``\\uN`` characters with their fallbacks skipped. Groups that hold no text a person wrote (font and
colour tables, pictures as hex, embedded objects, field instructions, headers and footers, and any
``\\*`` destination a reader may ignore) are skipped whole; ``\\binN`` data is jumped over. The
title comes from ``{\\info{\\title …}}``; ``\\page`` breaks number the sections as pages.
Nothing in the file is executed: it is only read as text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.registry import Extracted, Section

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([^\\{}]+)")
# Destinations whose text is not the document's (RTF 1.9.1 spec; \* marks any other).
SKIPPED = frozenset({
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "objdata", "themedata", "colorschememapping",
    "latentstyles", "datastore", "listtable", "listoverridetable", "rsidtbl", "generator", "filetbl", "revtbl",
    "pgdsctbl", "fldinst", "header", "headerl", "headerr", "headerf", "footer", "footerl", "footerr", "footerf",
    "bkmkstart", "bkmkend", "xmlnstbl", "mmathPr", "nonshppict", "shpinst", "sp", "template", "userprops",
    "operator", "author", "company", "keywords", "comment", "doccomm", "category", "creatim", "revtim", "printim",
    "buptim", "listtext", "pntext", "pntxta", "pntxtb", "factoidname", "wgrffmtfilter", "passwordhash",
})
# \fcharsetN → code page, for documents from before Unicode that switch fonts to change script.
CHARSETS = {0: 1252, 2: 1252, 77: 10000, 128: 932, 129: 949, 134: 936, 136: 950, 161: 1253, 162: 1254,
            163: 1258, 177: 1255, 178: 1256, 186: 1257, 204: 1251, 222: 874, 238: 1250}
SYMBOLS = {"par": "\n", "line": "\n", "sect": "\n", "row": "\n", "cell": "\t", "tab": "\t",
           "emdash": "\u2014", "endash": "\u2013", "lquote": "\u2018", "rquote": "\u2019",
           "ldblquote": "\u201c", "rdblquote": "\u201d", "bullet": "\u2022", "emspace": " ", "enspace": " "}
ESCAPES = {b"~": "\u00a0", b"_": "\u2011", b"-": "", b"{": "{", b"}": "}", b"\\": "\\", b"\n": "\n", b"\r": "\n"}
MAX_DEPTH = 5_000  # deeper nesting is a malformed or malicious file, not a document


class _State:
    __slots__ = ("codepage", "font", "sink", "uc")

    def __init__(self, sink: str = "body", uc: int = 1, font: int | None = None, codepage: int = 1252) -> None:
        self.sink, self.uc, self.font, self.codepage = sink, uc, font, codepage

    def copy(self) -> _State:
        return _State(self.sink, self.uc, self.font, self.codepage)


def read_rtf(path: Path) -> Extracted:
    data = path.read_bytes()
    if not data.lstrip()[:5] == b"{\\rtf":
        raise UnsupportedFile("not an RTF document (it does not begin with {\\rtf); damaged, or named wrongly")
    pages, title = _parse(data)
    sections = tuple(Section(text, page=number + 1 if len(pages) > 1 else None)
                     for number, text in enumerate(pages) if text.strip())
    return Extracted(title=title or path.stem, sections=sections)


def _parse(data: bytes) -> tuple[list[str], str]:  # noqa: C901 - one tokenizer, its cases side by side
    pages: list[list[str]] = [[]]
    title: list[str] = []
    fonts: dict[int, int] = {}  # font number → code page
    state, stack = _State(), list[_State]()
    pending = bytearray()  # \'hh bytes, decoded together (a double-byte code page needs pairs)
    fresh = False  # just after "{": a destination word may follow
    starred = False
    skip = 0  # fallback characters still to drop after \uN
    default_codepage = 1252
    pos, size = 0, len(data)

    def flush() -> None:
        if pending:
            out(_decode(bytes(pending), state.codepage))
            pending.clear()

    def out(text: str) -> None:
        if state.sink == "body":
            pages[-1].append(text)
        elif state.sink == "title":
            title.append(text)

    while pos < size:
        match = _TOKEN.match(data, pos)
        if match is None:  # a lone backslash at the end
            break
        pos = match.end()
        word, arg, hexa, escape, brace, text = match.groups()
        if brace is not None:
            flush()
            skip = 0
            if brace == b"{":
                if len(stack) >= MAX_DEPTH:
                    raise UnsupportedFile("the RTF document nests deeper than any document does (damaged or malicious)")
                stack.append(state)
                state = state.copy()
                fresh, starred = True, False
            else:
                state = stack.pop() if stack else state
                fresh = False
            continue
        if escape == b"*":
            starred = fresh
            continue
        if word is not None:
            name = word.decode("ascii")
            if fresh:
                fresh = False
                if name == "title":  # inside {\info}, which is skipped otherwise
                    flush()
                    state.sink = "title"
                    continue
                if starred or name in SKIPPED:
                    flush()
                    state.sink = "fonttbl" if name == "fonttbl" else "skip"
                    if name != "fonttbl":
                        continue
            if skip:
                skip -= 1
                continue
            number = int(arg) if arg else None
            if name == "bin" and number:
                pos += max(0, number)
                continue
            if name == "u" and number is not None:
                flush()
                out(chr(number + 65536 if number < 0 else number) if -32768 <= number < 65536 else "")
                skip = state.uc
            elif name == "uc" and number is not None:
                state.uc = max(0, number)
            elif name == "ansicpg" and number:
                default_codepage = state.codepage = number
            elif name == "f" and number is not None:
                flush()
                state.font = number
                if state.sink == "fonttbl":
                    fonts.setdefault(number, default_codepage)
                else:
                    state.codepage = fonts.get(number, default_codepage)
            elif name == "fcharset" and number is not None and state.font is not None:
                fonts[state.font] = CHARSETS.get(number, default_codepage)
            elif name in ("page", "pagebb") and state.sink == "body":
                flush()
                pages.append([])
            elif name in SYMBOLS:
                flush()
                out(SYMBOLS[name])
            continue
        fresh = False
        if hexa is not None:
            if skip:
                skip -= 1
                continue
            pending.append(int(hexa, 16))
            continue
        if escape is not None:
            if skip:
                skip -= 1
                continue
            flush()
            out(ESCAPES.get(escape, ""))
            continue
        if text is not None:
            chunk = text.replace(b"\r", b"").replace(b"\n", b"")
            if skip:
                dropped = min(skip, len(chunk))
                chunk, skip = chunk[dropped:], skip - dropped
            if chunk and state.sink in ("body", "title"):
                flush()
                out(_decode(chunk, state.codepage))
    flush()
    return [_tidy("".join(page)) for page in pages], _tidy(" ".join("".join(title).split()))


def _decode(raw: bytes, codepage: int) -> str:
    try:
        return raw.decode(codecs.lookup(f"cp{codepage}" if codepage != 10000 else "mac_roman").name, "replace")
    except LookupError:  # a code page Python does not know: its ASCII part is still right
        return raw.decode("cp1252", "replace")


def _tidy(text: str) -> str:
    # Characters past U+FFFF come as two \uN halves of a surrogate pair: joined here (a lone half
    # becomes U+FFFD, which SQLite can store).
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    lines = (" ".join(line.split()) for line in text.split("\n"))  # a tab or a table's cell: a space
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
