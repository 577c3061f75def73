"""Keywords: the names and codes in a plain query, which the text model cannot read, and file names.

A query's word counts as a keyword when it looks like a code (a digit, punctuation inside, capitals
inside: INV-2024-0917, v2.3, McAllister) or when it is rare in the library and unknown to the text
model's vocabulary (a name it cuts into word pieces: Okonkwo). A bare quantity (2014, 50%, 3.5, $40)
is not a code: "a purity rate of up to 50%" lifted every file holding "50%" above every meaning
match, and a query's year lifted every IMG_2014… photo; quoted ("50%") it is required as a phrase.
Keywords and numbers weigh heavily in the keyword side of the fusion (core/search/bm25.py,
rank.py), each in proportion to its share of the query; descriptive words ("bread", "photo of a
cat") lightly, since meaning already ranks by them. File names match a keyword as whole tokens
(core/storage/items.py: name_tokens), and a query of one or two words as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nearby.core.extract.passages import keyword_text
from nearby.core.search.why import STOP_WORDS
from nearby.core.storage.items import name_tokens
from nearby.core.storage.row_filter import OPEN, RowFilter
from nearby.core.storage.store import Store

# Rare: in at most this share of passages (and at least RARE_MIN of them may still count as rare).
RARE_SHARE = 0.002
RARE_MIN = 3
MAX_HITS = 20
NAMED_FILES_MAX = 3
_CODE = re.compile(r"\d|\w[-_./@#:+]\w|[a-z][A-Z]|^[A-Z]{2,}[a-z]*[A-Z]")
# A quantity: an integer, a decimal, thousands groups, a percentage, an amount, degrees (2014,
# 3.5, 1,000, 50%, $40, 21°C). Dates, times, versions and addresses (2024-01-15, 12:30, 1.2.3,
# 192.168.1.1) stay codes: they name one thing.
_NUMBER = re.compile(r"^[-+~≈]?[$€£¥]?(?:\d{1,3}(?:[,\u202f' ]\d{3})+|\d+)(?:[.,]\d+)?(?:%|°[CF]?|[kKmM])?$")


def is_code(word: str) -> bool:
    """A code: digits with letters or inner punctuation, inner capitals — not a bare number."""
    return bool(_CODE.search(word)) and not _NUMBER.match(word)
EDGES = "\"'“”‘’()[]{}<>,;:!?.…"


def query_words(text: str) -> list[str]:
    return [w for w in (raw.strip(EDGES) for raw in text.split()) if len(w) >= 2]


def numbers(text: str) -> list[str]:
    """The bare quantities in a query (2014, 50%, £1,150): BM25 weighs them in proportion to the
    rest of the query (core/search/rank.py), never as a code."""
    return [w for w in query_words(text) if _NUMBER.match(w.lstrip("£$€¥"))]


def keyword_words(store: Store, embedder: Any, text: str) -> list[str]:
    """The words of a query that are keywords (see the module doc)."""
    words = query_words(text)
    if not words:
        return []
    total = max(1, int(store.conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 1))
    rare = max(RARE_MIN, int(total * RARE_SHARE))
    chosen = []
    for word in words:
        if is_code(word):
            chosen.append(word)
            continue
        if _NUMBER.match(word):
            continue
        pieces = _word_pieces(embedder, word)
        if len(word) >= 4 and (pieces is None or pieces >= 2) and 0 < _document_frequency(store, word) <= rare:
            chosen.append(word)
    return chosen


def named_files(store: Store, words: Sequence[str], kind: str | None, only: RowFilter = OPEN,
                query: str = "") -> dict[int, float]:
    """item → the share of the query's words its file name holds (whole tokens), for files whose
    name holds a keyword; a query of one or two words is also looked for in file names as it is
    (a person typing "zephyr" may mean zephyr-roadmap.txt), where it names only a few files. Only
    files of ``kind`` that ``only`` allows."""
    short = query_words(query)
    names = [w for w in words if is_code(w) or len(w) >= 4]
    names += [w for w in short if len(short) <= 2 and len(w) >= 4 and w not in names and not _NUMBER.match(w)]
    wanted = [t for t in dict.fromkeys(name_tokens(query)) if t not in STOP_WORDS] or name_tokens(query)
    found: dict[int, float] = {}
    for word in names:
        # a keyword: every file so named (the filter may keep only a late one); else just enough to count
        named = store.items_with_name_containing(word, limit=None if word in words else NAMED_FILES_MAX + 1)
        if word not in words and len(named) > NAMED_FILES_MAX:
            continue  # a common word in many file names ("photo") says nothing
        for item, each in named[:MAX_HITS]:
            if (kind is None or each == kind) and only.allows_item(item) and item not in found:
                found[item] = 0.0
    paths = store.items_by_ids(list(found))
    for item in found:
        if item in paths:
            held = set(name_tokens(paths[item].path.replace("\\", "/").rsplit("/", 1)[-1]))
            found[item] = sum(t in held for t in wanted) / max(1, len(wanted))
    return found


def _document_frequency(store: Store, word: str) -> int:
    """Passages holding every token of the word (its tokens as the keyword index cuts them)."""
    tokens = re.findall(r"\w+", (keyword_text(word) or "").lower())
    if not tokens:
        return 0
    counts = [store.term_passages(t) for t in tokens]
    return min(counts)


def _word_pieces(embedder: Any, word: str) -> int | None:
    count = getattr(embedder, "word_pieces", None)
    return count(word) if callable(count) else None
