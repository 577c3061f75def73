"""The keyword side of a search: the query's words ranked by BM25 over the keyword index (FTS5),
as a share of what the query's words could score, for fusion with the meaning side
(core/search/rank.py).

BM25 rewards a passage for holding the query's words, the rarer the more (a code or a name is
rare; "new" is not), saturating with repeats and discounting long passages. Its raw score grows
with the number and rarity of the query's words, so it says nothing on its own about whether a
passage answers: a share does. A passage's share is its BM25 over the sum of the query words'
IDFs: about 1 for a passage of ordinary length holding every word once, 0.3 for one holding only
the commoner third of them, 0 for none. Words the library does not hold count in the sum (a
query about a giraffe in a library without one is mostly unanswered by a note that holds "zoo").
Every passage counts: a document's, the text read in a picture, and a picture's or song's
description (its class and tag names: "Looks like tabby cat" holds "cat", as a note about the cat
does, so the keyword side favours neither kind).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from nearby.core.extract.passages import keyword_text
from nearby.core.search.keywords import EDGES, is_code
from nearby.core.search.why import STOP_WORDS
from nearby.core.storage.row_filter import OPEN, RowFilter
from nearby.core.storage.store import Store

# Passages read from the ranked matches: enough for the files a result page shows, several times.
TOP_PASSAGES = 200
# A word in more than this share of passages (and at least COMMON_MIN of them) is left out: it
# barely moves BM25 (IDF under 3) and would make FTS5 score most of the library.
COMMON_SHARE = 0.05
COMMON_MIN = 1000
# The most words read from a query (a pasted paragraph is matched by meaning).
MAX_WORDS = 32
_TOKEN = re.compile(r"[^\W_]+")
# English inflections cut before a prefix match (longest first).
_SUFFIXES = ("es", "s")


@dataclass(frozen=True)
class KeywordMatch:
    passage: int
    kind: str
    place: int  # the passage's place in its file (a picture's or song's description is 0)
    share: float  # BM25 over the query words' summed IDF: ~1 holds them all (see the module doc)


def index_tokens(text: str) -> list[str]:
    """A text's tokens as the keyword index cuts them (unicode61: letters and digits; Chinese and
    Japanese one character each), lower case, in order."""
    return _TOKEN.findall((keyword_text(text) or "").lower())


def stem(token: str) -> str:
    """A word's stem for a prefix match ("tyres", "boxes" → "tyre", "box", matching every form),
    for words of five letters or more; shorter ones ("cat", "rent") match as they are, since their
    prefixes begin too many other words. Only plurals are cut: cutting -ed, -ing and -ly as well
    matched more unrelated words than it found (`python -m bench.hybrid_eval`)."""
    if len(token) < 5 or not token.isalpha():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4 and token[-len(suffix) - 1] not in "siu":
            return token[: -len(suffix)]  # not glass, status, analysis: their s is no plural's
    return token


@dataclass(frozen=True)
class Unit:
    """One thing the query asks the keyword index for: a word (every form of it, for a prefix) or
    a code's tokens as a phrase ("192.168.0.1" is 192 168 0 1 in that order, not four words)."""

    fts: str  # its FTS5 query
    text: str

    def passages(self, store: Store) -> int:
        if self.fts.endswith(" *"):
            return store.prefix_passages(self.text)
        if " " in self.text:
            return store.count_matching(self.fts)
        return store.term_passages(self.text)


def query_units(text: str) -> list[Unit]:
    """What BM25 weighs in a query: its words (no stop words), each once, a code as a phrase."""
    out: list[Unit] = []
    for word in text.split():
        tokens = index_tokens(word)
        if len(tokens) > 1 and is_code(word.strip(EDGES)):
            units = [Unit('"' + " ".join(tokens) + '"', " ".join(tokens))]
        else:
            units = []
            for token in tokens:
                if token in STOP_WORDS:
                    continue
                root = stem(token)
                prefix = len(root) >= 4 and root.isalpha() and len(token) >= 5
                units.append(Unit(f'"{root}"' + (" *" if prefix else ""), root))
        out += [u for u in units if u not in out]
    return out[:MAX_WORDS]


def idf(n: int, total: int) -> float:
    """FTS5's IDF, log((N - n + 0.5) / (n + 0.5)), at least 1e-6 (as bm25() has it)."""
    return max(math.log((total - n + 0.5) / (n + 0.5)), 1e-6)


def keyword_matches(store: Store, text: str, kind: str | None = None, only: RowFilter = OPEN,
                    files: int = TOP_PASSAGES, query: str | None = None) -> dict[int, KeywordMatch]:
    """item → its best passage by BM25 and that passage's share, for the files holding the words
    of ``text``, best first (at most ``files`` files of ``kind`` that ``only`` allows). The share
    is of the whole ``query``'s words (default: ``text`` is the query): a query's codes alone,
    found, are as much of the query as they are of its words."""
    units = query_units(text)
    if not units:
        return {}
    total = max(1, int(store.conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 1))
    every = query_units(query) if query is not None else units
    df = {u: u.passages(store) for u in dict.fromkeys([*units, *every])}
    common = max(COMMON_MIN, int(total * COMMON_SHARE))
    searched = [u.fts for u in units if df[u] <= common]
    if not searched:
        return {}
    mass = sum(idf(df[u], total) for u in dict.fromkeys([*units, *every]))
    out: dict[int, KeywordMatch] = {}
    ranked = store.passages_by_bm25(" OR ".join(searched))
    for read, (passage, item, each, place, score) in enumerate(ranked, 1):
        if item not in out and (kind is None or each == kind) and only.allows(item, passage):
            out[item] = KeywordMatch(passage, each, place, score / mass)
            if len(out) >= files:
                break
        if read >= TOP_PASSAGES * 20 and out:
            break  # the rest of a common word's passages, past every allowed file worth showing
    return out
