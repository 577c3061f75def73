"""Normalising extracted text and cutting it into overlapping passages along sentence lines."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from nearby.core.extract import Section

# A passage of up to ~110 words is ~150 word-piece tokens: inside the 256-token window the model
# reads, near the 128 tokens it was trained on, and short enough for a focused snippet.
MAX_WORDS = 110
# The last sentence of a passage starts the next one, if it is this short, so that a thought
# split between two passages is still found whole in one of them.
MAX_OVERLAP_WORDS = 35
# Passages shorter than this are merged into a neighbour: a lone heading embeds poorly.
MIN_WORDS = 8
# A document past this many passages is indexed only that far (about 300 pages of prose).
MAX_PASSAGES_PER_FILE = 5000
# A passage is cut at this many characters: 110 words of prose are ~700; more is one "word" with no
# spaces (base64, a minified file), which the model would read only 256 tokens of anyway.
MAX_PASSAGE_CHARS = 2000

# Terminal punctuation (with closing quotes or brackets) followed by space and a capital or digit;
# or a Chinese/Japanese full stop, which needs neither (those scripts put no space after it).
_SENTENCE_END = re.compile(r"[.!?…。！？]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])|[。！？]+[」』”’）)]*")
# Chinese and Japanese characters (Han, kana): written without spaces, each about one token, so
# each counts as a word when passages are measured and cut.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TERMINAL = frozenset(".!?…。！？:;\"'”’)]")
# A full stop after these is not the end of a sentence ("Dr. Smith", "e.g. This").
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "etc", "e.g", "i.e",
                            "fig", "no", "vol", "pp", "p", "ca", "cf", "approx", "inc", "ltd", "co"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Passage:
    text: str
    page: int | None = None


def normalise(text: str) -> str:
    """NFKC (ligatures like ﬁ become fi), unify line ends, collapse runs of spaces.

    Paragraph breaks (blank lines) survive as ``\\n\\n``; single line breaks inside a paragraph
    are the layout of the source (PDF lines, hard-wrapped text) and become spaces.
    """
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "")  # soft hyphens from PDFs split words invisibly
    paragraphs = (_SPACES.sub(" ", p.replace("\n", " ")).strip() for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences; words of an over-long sentence are cut into pieces."""
    out: list[str] = []
    for sentence in _split_sentences(paragraph):
        words = sentence.split()
        for start in range(0, len(words), MAX_WORDS):
            piece = " ".join(words[start : start + MAX_WORDS])
            if _count(piece) <= MAX_WORDS:
                out.append(piece)
            else:  # Chinese or Japanese with no spaces: cut by characters
                out.extend(piece[i : i + MAX_WORDS] for i in range(0, len(piece), MAX_WORDS))
    return [p for p in out if p]


def keyword_text(text: str | None) -> str | None:
    """What the keyword index (FTS5, unicode61) is given for a passage: its text, with a space
    around each Chinese and Japanese character. Those scripts use no spaces, so unicode61 would
    make a whole sentence one token and "寿司" would match nothing; one character a token lets
    a quoted phrase match anywhere, in order. Queries go through the same function."""
    if text is None:
        return None
    return CJK.sub(r" \g<0> ", text) if CJK.search(text) else text


def _split_sentences(paragraph: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start : match.start()].split()
        if match.group().startswith(".") and before and before[-1].lower().rstrip(".") in _ABBREVIATIONS:
            continue
        pieces.append(paragraph[start : match.end()].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return [p for p in pieces if p]


def _count(sentence: str) -> int:
    """Words in a sentence, each Chinese or Japanese character counting as one."""
    return sentence.count(" ") + 1 + len(CJK.findall(sentence))


def _join(units: list[str]) -> str:
    """Join sentences; a unit without final punctuation (a heading, a list item) gets a dash
    after it, so that "Sourdough" + "Feed the starter." reads "Sourdough — Feed the starter."."""
    out = units[0]
    for unit in units[1:]:
        if CJK.match(out[-1]) or out[-1] in "。！？」』":
            out += unit  # these scripts join sentences with no space
        else:
            out += (" " if out[-1] in _TERMINAL else " — ") + unit
    return out


def split_section(text: str) -> list[str]:
    """Group a section's sentences into passages of at most MAX_WORDS, overlapping by one sentence."""
    units: list[str] = []
    for paragraph in normalise(text).split("\n\n"):
        units.extend(sentences(paragraph))
    passages: list[str] = []
    current: list[str] = []
    words = 0
    for sentence in units:
        n = _count(sentence)
        if current and words + n > MAX_WORDS:
            passages.append(_join(current))
            tail = current[-1]
            overlap = _count(tail) <= MAX_OVERLAP_WORDS and _count(tail) + n <= MAX_WORDS
            current, words = ([tail], _count(tail)) if overlap else ([], 0)
        current.append(sentence)
        words += n
    if current:
        last = _join(current)
        if passages and words < MIN_WORDS and _count(passages[-1]) + words <= MAX_WORDS:
            passages[-1] = passages[-1] + " " + last
        else:
            passages.append(last)
    return passages


def split_passages(sections: Iterable[Section]) -> list[Passage]:
    """All passages of a document, each remembering its page where the format has pages."""
    out: list[Passage] = []
    for section in sections:
        for text in split_section(section.text):
            out.append(Passage(text=text[:MAX_PASSAGE_CHARS], page=section.page))
            if len(out) >= MAX_PASSAGES_PER_FILE:
                return out
    return out


# A snippet shows about three lines of a result: enough to judge it without opening the file.
SNIPPET_CHARS = 300


def snippet_of(text: str, limit: int = SNIPPET_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
