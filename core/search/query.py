"""What a typed query asks for: words to match by meaning, "quoted phrases" every result must
contain, and -words or -"phrases" no result may contain (Semantra's and web search's convention)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nearby.core.extract.passages import keyword_text

# A "phrase" or -"phrase" anywhere; a -word only at the start of a word (well-known stays whole).
_TOKEN = re.compile(r'(-?)"([^"]*)"|(?<!\S)(-)(\w[\w.@#/-]*)')


@dataclass(frozen=True)
class ParsedQuery:
    meaning: str  # what the embedding is computed from
    required: tuple[str, ...] = ()  # phrases every hit must contain
    excluded: tuple[str, ...] = ()  # phrases no hit may contain

    @property
    def text_for_meaning(self) -> str:
        """The words to embed: the free words, else the required phrases themselves."""
        return self.meaning or " ".join(self.required)


def parse_query(text: str) -> ParsedQuery:
    required: list[str] = []
    excluded: list[str] = []

    def take(match: re.Match[str]) -> str:
        negated, phrase, dash, word = match.groups()
        if phrase is not None:
            (excluded if negated else required).append(phrase.strip())
        elif dash and word:
            excluded.append(word)
        return " "

    rest = _TOKEN.sub(take, text).replace('"', " ")  # an empty or unpaired quote means nothing
    return ParsedQuery(" ".join(rest.split()), tuple(p for p in required if p), tuple(p for p in excluded if p))


def fts_phrase(phrase: str) -> str:
    """A phrase as an FTS5 query: quoted, so its words match in order and nothing is an operator;
    Chinese and Japanese characters spaced as the index has them."""
    return '"' + (keyword_text(phrase) or "").replace('"', '""') + '"'
