"""Hybrid ranking on a judged set that resembles a person's files (tests/data/eval/hybrid.json):
45 notes, letters, bills, recipes, plans and journal entries, each with near-copies that differ in
their codes, names and numbers (last year's bill, another quote), among 200 files of real prose
(the standard library's docstrings) and the keyword eval's notes. 90 queries in four classes —
codes, names, numbers, descriptions — written with their judgements before anything was measured.

nDCG@10 of the product's ranking against BM25 alone (the keyword index) and the model alone (the
nearest passages' files), per class, with a paired sign-flip test over the queries.

    python -m bench.hybrid_eval
"""

from __future__ import annotations

import json
import math
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.bm25 import keyword_matches
from nearby.core.search.rank import nearest_files
from nearby.core.storage.vectors import PASSAGE_VECTORS

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"
PROSE_FILES = 200
SIBLINGS = 3
_NAMES = ("Adeyemi", "Kowalczyk", "Pemberton", "Halloran", "Lindqvist", "Moreau", "Fairbairn")


def _changed(word: str, n: int) -> str:
    if any(c.isdigit() for c in word):
        return "".join(str((int(c) + n) % 10) if c.isdigit() else c for c in word)
    return _NAMES[(n + len(word)) % len(_NAMES)]


def siblings(cases: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """Near-copies of each document whose codes, names and numbers differ (another month's bill):
    the words of the code, name and number queries that the document holds, changed."""
    keys: dict[str, set[str]] = {}
    for cls in ("codes", "names", "numbers"):
        for query, _ in cases["queries"][cls]:
            for word in query.split():
                word = word.strip("£%,.")
                if any(c.isdigit() for c in word) or word[:1].isupper():
                    keys.setdefault(word, set())
    out: dict[str, str] = {}
    for name, text in cases["documents"].items():
        held = [w for w in keys if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text)]
        if not held:
            continue
        stem, suffix = name.rsplit(".", 1)
        for n in range(1, SIBLINGS + 1):
            changed = text
            for word in sorted(held, key=len, reverse=True):
                changed = re.sub(r"(?<!\w)" + re.escape(word) + r"(?!\w)", _changed(word, n), changed)
            out[f"{stem}-{n}.{suffix}"] = changed
    return out


def judgements(cases: dict) -> dict[str, list[tuple[str, set[str]]]]:  # type: ignore[type-arg]
    """Per class: (query, relevant file names). A description is answered by the document and its
    near-copies alike; a code, name or number only by the document that holds it."""
    copies = siblings(cases)
    out: dict[str, list[tuple[str, set[str]]]] = {}
    for cls, items in cases["queries"].items():
        for query, relevant in items:
            wanted = set(relevant)
            if cls == "descriptions":
                wanted |= {c for c in copies for r in relevant if c.startswith(r.rsplit(".", 1)[0] + "-")}
            out.setdefault(cls, []).append((query, wanted))
    return out


def ndcg(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    gain = sum(1 / math.log2(i + 2) for i, name in enumerate(ranked[:k]) if name in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal


def paired_p(a: np.ndarray, b: np.ndarray, rounds: int = 20000, seed: int = 7) -> float:
    """Two-sided p of a paired sign-flip (randomisation) test on the mean difference."""
    d = a - b
    observed = abs(d.mean())
    signs = np.random.default_rng(seed).choice((-1.0, 1.0), size=(rounds, len(d)))
    return float(((np.abs((signs * d).mean(axis=1)) >= observed - 1e-12).sum() + 1) / (rounds + 1))


def build(folder: Path, prose: int = PROSE_FILES, embedder: object | None = None) -> Library:
    """The judged set's library: its documents, their near-copies, the keyword eval's notes and
    ``prose`` files of real prose (the "technical" queries ask for those: all 200 of them)."""
    from tests.documents import write_notes, write_prose_corpus

    cases = json.loads((EVAL / "hybrid.json").read_text())
    notes = json.loads((EVAL / "keywords.json").read_text())["notes"]
    (folder / "prose").mkdir(parents=True) if not prose else write_prose_corpus(folder / "prose", prose)
    write_notes(folder / "papers", cases["documents"])
    write_notes(folder / "older papers", siblings(cases))
    write_notes(folder / "notes", notes)
    library = Library(folder / "lib.sqlite", embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([folder / "prose", folder / "papers", folder / "older papers", folder / "notes"]))
    return library


def rankers(library: Library) -> dict[str, Callable[[str], list[str]]]:
    def names(store, items: list[int]) -> list[str]:  # type: ignore[no-untyped-def]
        rows = store.items_by_ids(items)
        return [Path(rows[i].path).name for i in items]

    def model(query: str) -> list[str]:
        with library._readers.borrow() as store:
            vector = library.embedder.embed_one(query)
            return names(store, [n.item_id for n in nearest_files(store, PASSAGE_VECTORS, vector, 10, "document")])

    def bm25(query: str) -> list[str]:
        with library._readers.borrow() as store:
            found = keyword_matches(store, query, "document")
            return names(store, sorted(found, key=lambda i: -found[i].share)[:10])

    def product(query: str) -> list[str]:
        return [Path(h.path).name for h in library.search(query, k=10)]

    return {"model": model, "bm25": bm25, "product": product}


def evaluate(library: Library, classes: tuple[str, ...] | None = None) -> dict[str, dict[str, np.ndarray]]:
    cases = json.loads((EVAL / "hybrid.json").read_text())
    judged = {c: items for c, items in judgements(cases).items() if classes is None or c in classes}
    ranks = rankers(library)
    return {cls: {name: np.array([ndcg(rank(q), rel) for q, rel in items]) for name, rank in ranks.items()}
            for cls, items in judged.items()}


def report(scores: dict[str, dict[str, np.ndarray]]) -> None:
    methods = list(next(iter(scores.values())))
    every = {m: np.concatenate([scores[c][m] for c in scores]) for m in methods}
    print(f"{'class':<14}{'n':>4}" + "".join(f"{m:>10}" for m in methods))
    for cls, by in [*scores.items(), ("all", every)]:
        print(f"{cls:<14}{len(by[methods[0]]):>4}" + "".join(f"{by[m].mean():>10.3f}" for m in methods))
    for other in ("model", "bm25"):
        d = every["product"].mean() - every[other].mean()
        p = paired_p(every["product"], every[other])
        print(f"product − {other}: {d * 100:+.1f} nDCG points, paired p = {p:.4f}")


def main() -> None:
    """``--library DIR`` keeps the indexed library there and reuses it (tuning runs in seconds);
    ``--misses`` lists the queries the product ranks worse than one of its parts."""
    args = sys.argv[1:]
    keep = Path(args[args.index("--library") + 1]) if "--library" in args else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        library = Library(folder / "lib.sqlite", with_media=False) if keep and (keep / "lib.sqlite").exists() \
            else build(folder)
        try:
            scores = evaluate(library)
            if "--misses" in args:
                misses(library, scores)
        finally:
            library.close()
    report(scores)


def misses(library: Library, scores: dict[str, dict[str, np.ndarray]]) -> None:
    judged = judgements(json.loads((EVAL / "hybrid.json").read_text()))
    ranks = rankers(library)
    for cls, items in judged.items():
        for i, (query, relevant) in enumerate(items):
            by = {m: scores[cls][m][i] for m in scores[cls]}
            if by["product"] < max(by["model"], by["bm25"]) - 1e-9:
                print(f"{cls:<13} {query!r}: " + " ".join(f"{m} {v:.2f}" for m, v in by.items()),
                      "→", ranks["product"](query)[:3], "want", sorted(relevant)[:2])


if __name__ == "__main__":
    main()
