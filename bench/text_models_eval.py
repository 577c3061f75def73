"""Each installed text model on the text evaluation sets (part of `python -m bench.eval_quality`).

- cross-language search (tests/data/eval/multilingual.json): 47 notes in 9 languages, 56 queries
  in 8, each naming the note it should find first; through a real library (index, then search);
- English similarity (tests/data/eval/similarity.json): 360 WordNet definitions in 120 groups
  of three kinds of the same thing; each definition should find its two siblings first among the
  other 359 (mean average precision; top-1 = the nearest is a sibling).

    python -m bench.text_models_eval [MODEL …]
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.models.catalog import MODELS, ModelSpec

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"


def cross_language(spec: ModelSpec) -> tuple[int, int, Counter[str], list[str]]:
    """(right first, queries, misses per query language, lines for each miss)."""
    data = json.loads((EVAL / "multilingual.json").read_text(encoding="utf-8"))
    misses: Counter[str] = Counter()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        folder.mkdir()
        for name, text in data["documents"].items():
            (folder / name).write_text(text, encoding="utf-8")
        library = Library(Path(tmp) / "lib.sqlite", TextEmbedder(spec), with_media=False)
        run_to_end(library.index([folder]))
        right = 0
        for language, query, wanted in data["queries"]:
            hits = library.search(query, k=1)
            first = Path(hits[0].path).name if hits else "nothing"
            if first == wanted:
                right += 1
            else:
                misses[language] += 1
                lines.append(f"    miss [{language}] {query!r}: {first} (wanted {wanted})")
        library.close()
    return right, len(data["queries"]), misses, lines


def english_similarity(spec: ModelSpec) -> tuple[float, float]:
    """(mean average precision of the siblings, share whose nearest other is a sibling)."""
    entries = json.loads((EVAL / "similarity.json").read_text(encoding="utf-8"))
    groups = np.array([e["group"] for e in entries])
    vectors = TextEmbedder(spec).embed([e["text"] for e in entries])
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    precisions, firsts = [], []
    for i in range(len(entries)):
        order = np.argsort(-scores[i])[:-1]  # every other definition, nearest first
        relevant = groups[order] == groups[i]
        ranks = np.flatnonzero(relevant) + 1
        precisions.append(float(np.mean(np.arange(1, len(ranks) + 1) / ranks)))
        firsts.append(bool(relevant[0]))
    return float(np.mean(precisions)), float(np.mean(firsts))


def installed_text_models() -> list[ModelSpec]:
    return [s for s in MODELS.values() if s.kind == "text" and TextEmbedder(s).is_installed()]


def main(names: list[str] | None = None) -> None:
    specs = [MODELS[n] for n in names] if names else installed_text_models()
    print("text models (cross-language: English and other queries over notes in 9 languages; "
          "English similarity: WordNet sibling definitions)")
    baseline = None
    for spec in specs:
        right, total, misses, lines = cross_language(spec)
        mean_ap, first = english_similarity(spec)
        baseline = baseline if baseline is not None else mean_ap
        by_language = ", ".join(f"{lang} {n}" for lang, n in sorted(misses.items())) or "none"
        print(f"  {spec.name:<22} cross-language top-1 {right}/{total} ({right / total:.0%}; misses by query "
              f"language: {by_language})")
        print(f"  {'':<22} English similarity MAP {mean_ap:.3f} (top-1 sibling {first:.0%}; "
              f"{mean_ap / baseline:.2f}× the first model's)")
        print("\n".join(lines[:8]))


if __name__ == "__main__":
    main(sys.argv[1:] or None)
