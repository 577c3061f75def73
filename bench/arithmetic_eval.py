"""Concept arithmetic's quality, through the product's own code: `python -m bench.arithmetic_eval`
(also part of `python -m bench.eval_quality`).

- analogies: tests/data/arithmetic/pairs.txt, each category's pairs crossed (a:b :: c:?), 80
  questions a category drawn with a fixed seed; top-1 over the vocabulary (50,000 words, 5,000 phrases), the
  expression's own words excluded; in the joined space, and in each of its two parts alone;
- word similarity: Spearman correlation with tests/data/arithmetic/similarity.tsv's ratings, for
  the joined space and the text model alone (what `nearby compare` uses, as it follows people better);
- item arithmetic: tests/data/arithmetic/items.json over a library of notes.json, top-1, with
  the plain sum as a baseline; files named in an expression must never come back.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import numpy as np

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.words import WordSpace

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "arithmetic"
QUESTIONS_PER_CATEGORY = 80
SEED = 7


def analogy_questions() -> list[tuple[str, str, str, str, str]]:
    """(a, b, c, d, category): a is to b as c is to d."""
    categories: dict[str, list[list[str]]] = {}
    current = ""
    for line in (DATA / "pairs.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(":"):
            current = line[1:].strip()
            categories[current] = []
        else:
            categories[current].append(line.split())
    rng = random.Random(SEED)
    questions = []
    for category, pairs in categories.items():
        crossed = [(a, b, c, d, category) for a, b in pairs for c, d in pairs if a != c]
        rng.shuffle(crossed)
        questions += crossed[:QUESTIONS_PER_CATEGORY]
    return questions


def analogies(library: Library) -> tuple[float, dict[str, float]]:
    """Top-1 accuracy of `b - a + c` through Library.arithmetic (words only)."""
    right: dict[str, int] = {}
    asked: dict[str, int] = {}
    for a, b, c, d, category in analogy_questions():
        asked[category] = asked.get(category, 0) + 1
        words = library.arithmetic(f"{b} - {a} + {c}", k=0, n_words=1).words
        right[category] = right.get(category, 0) + int(bool(words) and words[0][0] == d)
    total = sum(right.values()) / sum(asked.values())
    return total, {c: right.get(c, 0) / asked[c] for c in asked}


def part_analogies(words: WordSpace) -> dict[str, float]:
    """The same questions in the static part and in the text part alone (3CosAdd), for comparison."""
    vocab, static = words._load_static()  # noqa: SLF001 - measuring the parts
    text = words.text_vectors()
    index = {w: i for i, w in enumerate(vocab)}
    out = {}
    for name, matrix in (("static (GloVe) alone", static), ("text model alone", text)):
        right = 0
        questions = analogy_questions()
        for a, b, c, d, _ in questions:
            if not all(w in index for w in (a, b, c, d)):
                continue
            scores = matrix @ (matrix[index[b]] - matrix[index[a]] + matrix[index[c]])
            scores[[index[a], index[b], index[c]]] = -np.inf
            for word in (a, b, c):  # as the product does: no phrase made with the question's words
                scores[words._phrases_with.get(word, [])] = -np.inf  # noqa: SLF001
            right += int(vocab[int(np.argmax(scores))] == d)
        out[name] = right / len(questions)
    return out


def spearman(x: list[float], y: list[float]) -> float:
    def ranks(values: list[float]) -> np.ndarray:
        order = np.argsort(values)
        r = np.empty(len(values))
        r[order] = np.arange(len(values))
        for value in set(values):  # ties share their mean rank
            tied = np.array(values) == value
            r[tied] = r[tied].mean()
        return r
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def word_similarity(library: Library) -> dict[str, tuple[float, float]]:
    """set → (Spearman of the joined space, Spearman of the text model alone)."""
    rows = [line.split("\t") for line in (DATA / "similarity.tsv").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    out = {}
    for name in sorted({r[0] for r in rows}):
        pairs = [(a, b, float(rating)) for s, a, b, rating in rows if s == name]
        joined = [float(library.words.vector(a) @ library.words.vector(b)) for a, b, _ in pairs]
        text = [library.compare(a, b).similarity for a, b, _ in pairs]
        ratings = [r for _, _, r in pairs]
        out[name] = (spearman(joined, ratings), spearman(text, ratings))
    return out


def item_arithmetic(library: Library, notes: Path) -> tuple[int, int, int, bool, list[str]]:
    """(balanced top-1, plain-sum top-1, questions, no named file ever returned, report lines)."""
    from nearby.core.search import arithmetic

    cases = json.loads((DATA / "items.json").read_text())
    balanced = plain = 0
    clean = True
    lines = []
    for case in cases:
        result = library.arithmetic(case["expression"], k=5, n_words=0, cwd=notes)
        named = {t.item.path for t in result.terms if t.item is not None}
        clean &= not named & {r.hit.path for r in result.results}
        got = Path(result.results[0].hit.path).name if result.results else "-"
        balanced += got == case["expected"]
        total = np.sum([t.term.signed_weight * t.vector for t in result.terms], axis=0)
        with library._readers.borrow() as store:  # noqa: SLF001 - the plain sum, for comparison
            near = [n for n in store.knn(arithmetic.ITEM_VECTORS, total / np.linalg.norm(total), 10)
                    if n.item_id not in {t.item.id for t in result.terms if t.item is not None}]
            first = store.items_by_ids([near[0].item_id])[near[0].item_id].path if near else "-"
        plain += Path(first).name == case["expected"]
        lines.append(f"  {'ok ' if got == case['expected'] else 'MISS'} {case['expression']!r} → {got}"
                     f" (plain sum: {Path(first).name})")
    return balanced, plain, len(cases), clean, lines


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        for name, text in json.loads((DATA / "notes.json").read_text()).items():
            (notes / name).write_text(text)
        library = Library(Path(tmp) / "lib.sqlite", with_media=False)
        run_to_end(library.words.prepare())
        total, by_category = analogies(library)
        print(f"analogies ({len(analogy_questions())} questions, {len(library.words._load_static()[0]):,} words): "  # noqa: SLF001
              f"top-1 {total:.1%} in the joined space")
        print("  " + ", ".join(f"{c} {v:.0%}" for c, v in by_category.items()))
        for name, value in part_analogies(library.words).items():
            print(f"  {name}: {value:.1%}")
        for name, (joined, text) in word_similarity(library).items():
            print(f"word {name} (Spearman): text model alone (nearby compare) {text:.3f}, joined space {joined:.3f}")
        run_to_end(library.index([notes]))
        balanced, plain, n, clean, lines = item_arithmetic(library, notes)
        print(f"item arithmetic: the analogous file first {balanced}/{n} (plain sum {plain}/{n}); "
              f"named files never returned: {clean}")
        print("\n".join(lines))
        library.close()


if __name__ == "__main__":
    main()
