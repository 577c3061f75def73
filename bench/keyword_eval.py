"""Keyword queries typed plainly (names, codes, file names) and descriptive ones, over planted notes
among real prose (the standard library's docstrings): the wanted file's rank with keywords lifted
into the list (core/search/keywords.py) and with meaning alone, in the same run.

    python -m bench.keyword_eval
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search import rank

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval" / "keywords.json"
PROSE_FILES = 200


@contextmanager
def meaning_only() -> Iterator[None]:
    """Search with the keyword side off (no BM25, no file names): meaning alone."""
    with mock.patch.object(rank, "keyword_words", lambda *args: []), \
            mock.patch.object(rank, "keyword_matches", lambda *args, **kwargs: {}), \
            mock.patch.object(rank, "named_files", lambda *args: {}):
        yield


def rank_of(library: Library, query: str, expected: str, family: bool = False, holding: bool = False) -> int | None:
    """Rank of the expected file (with ``family``: of it or one of its near-copies; with ``holding``:
    of it or a file whose passage holds every word of the query — a near-copy made for another
    query of the same note keeps this query's code, as car-4.txt keeps KX19 TPO)."""
    stem = Path(expected).stem
    for n, hit in enumerate(library.search(query, k=10), 1):
        if hit.name == expected or (family and Path(hit.name).stem.startswith(stem)):
            return n
        if holding and all(word.lower() in hit.snippet.lower() for word in query.split()):
            return n
    return None


SIBLINGS = 5  # near-copies of each keyword note with another code or name: meaning alone cannot tell them apart
_OTHER_NAMES = ("Adeyemi", "Kowalczyk", "Pemberton", "Halloran", "Lindqvist", "Moreau")


def sibling_word(word: str, n: int) -> str:
    """Another code or name of the same shape: digits shifted, or another surname."""
    if any(c.isdigit() for c in word):
        return "".join(str((int(c) + n) % 10) if c.isdigit() else c for c in word)
    if word.isalpha() and len(word) > 4:
        return _OTHER_NAMES[n % len(_OTHER_NAMES)]
    return "".join(chr((ord(c) - 65 + n) % 26 + 65) if c.isupper() else c for c in word)


def siblings(cases: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """Notes like each keyword query's note, its keyword swapped (file names too)."""
    import re

    out: dict[str, str] = {}
    for query, name in cases["keyword"]:
        text = cases["notes"][name]
        for n in range(1, SIBLINGS + 1):
            changed = text
            for word in query.split():
                changed = re.sub(re.escape(word), sibling_word(word, n), changed, flags=re.IGNORECASE)
            stem = re.sub(re.escape(query.split()[0]), sibling_word(query.split()[0], n), Path(name).stem,
                          flags=re.IGNORECASE)
            if changed != text:
                out[f"{stem}-{n}.txt" if stem == Path(name).stem else f"{stem}.txt"] = changed
    return out


def build(folder: Path) -> Library:
    from tests.documents import write_notes, write_prose_corpus

    cases = json.loads(EVAL.read_text())
    write_prose_corpus(folder / "prose", PROSE_FILES)
    write_notes(folder / "notes", cases["notes"])
    write_notes(folder / "similar notes", siblings(cases))
    library = Library(folder / "lib.sqlite", with_media=False)
    run_to_end(library.index([folder / "prose", folder / "notes", folder / "similar notes"]))
    return library


def evaluate(library: Library) -> dict[str, dict[str, float]]:
    cases = json.loads(EVAL.read_text())
    out: dict[str, dict[str, float]] = {}
    for label, patch in (("with keywords", None), ("meaning only", meaning_only)):
        with patch() if patch else contextmanager(lambda: iter([None]))():
            keyword = [rank_of(library, q, f, holding=True) for q, f in cases["keyword"]]
            descriptive = [rank_of(library, q, f, family=True) for q, f in cases["descriptive"]]
        out[label] = {"keyword_top3": sum(r is not None and r <= 3 for r in keyword) / len(keyword),
                      "descriptive_top1": sum(r == 1 for r in descriptive) / len(descriptive),
                      "descriptive_top3": sum(r is not None and r <= 3 for r in descriptive) / len(descriptive)}
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        library = build(Path(tmp))
        results = evaluate(library)
        cases = json.loads(EVAL.read_text())
        for q, f in cases["keyword"]:
            print(f"  {q!r:24} → {[h.name for h in library.search(q, k=3)]}  (want {f})")
        library.close()
    print(f"== keywords ({len(cases['keyword'])} keyword, {len(cases['descriptive'])} descriptive queries, "
          f"{len(cases['notes'])} notes among {PROSE_FILES} prose files)")
    for label, r in results.items():
        print(f"{label:14}: keyword file in top 3 {r['keyword_top3']:.0%} | descriptive top-1 "
              f"{r['descriptive_top1']:.0%}, top-3 {r['descriptive_top3']:.0%}")


if __name__ == "__main__":
    main()
