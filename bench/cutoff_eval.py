"""Does the good-match cut-off ever hide a right answer? `python -m bench.cutoff_eval [--library DIR]`

A small mixed library like a person's first folder: the judged set's 45 documents
(tests/data/eval/hybrid.json: notes, letters, bills, a journal entry about a dog on a beach) and the
mixed eval's documents, 36 everyday photos (tests/data/eval/images, images-heldout2) and 6 songs.
With no kind named, every query about something in it should show its file at or above the
settings' cut-off (0.35), and queries about nothing in it (tests/data/eval/nothing.json, less those
this library does hold) should show nothing ("nothing matches"). Issue 23's targets: zero right
answers hidden; "nothing matches" for at least 90% of the off-topic queries.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.eval_quality import DOCUMENTS, EVAL
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.settings import Settings

# Results asked for, as the window asks: a file the nearest few leave out can rise above the cut-off
# once they are held under it.
SHOWN = Settings().result_count
PICTURES = ("images", "images-heldout2")
# Off-topic queries this library does answer: the judged set holds a best man's speech and a
# sourdough starter.
ANSWERED_HERE = ("wedding speech for my brother", "baking sourdough with rye flour")


def build(folder: Path) -> Library:
    hybrid = json.loads((EVAL / "hybrid.json").read_text())
    intent = json.loads((EVAL / "intent.json").read_text())
    docs = folder / "documents"
    docs.mkdir(parents=True)
    for name, text in {**hybrid["documents"], **DOCUMENTS, **intent["documents"]}.items():
        (docs / name).write_text(text, encoding="utf-8")
    for name in PICTURES:
        shutil.copytree(EVAL / name, folder / name)
    shutil.copytree(EVAL / "songs", folder / "songs")
    library = Library(folder / "lib.sqlite")
    run_to_end(library.index([docs, *(folder / name for name in PICTURES), folder / "songs"]))
    return library


def cases() -> tuple[list[tuple[str, str, str]], list[str]]:
    """(class, query, wanted file) about the library; queries about nothing in it."""
    hybrid = json.loads((EVAL / "hybrid.json").read_text())
    queries = json.loads((EVAL / "queries.json").read_text())
    about = [("document", q, wanted[0]) for q, wanted in hybrid["queries"]["descriptions"]]
    about += [("picture", q, f) for name in ("text_to_image", "text_to_image_heldout2") for q, f in queries[name]]
    about += [("song", q, f) for q, f in queries["text_to_song"]]
    nothing = [q for q in json.loads((EVAL / "nothing.json").read_text())["about_nothing_here"]
               if q not in ANSWERED_HERE]
    return about, nothing


@dataclass
class Outcome:
    about: int
    hidden: list[tuple[str, str, str, float, str]]  # (class, query, wanted, its score, the top file)
    nothing: int
    shown: list[tuple[str, str, float]]  # off-topic (query, top file, score) at or above the cut-off


def measure(library: Library, cut: float) -> Outcome:
    about, nothing = cases()
    hidden = []
    for cls, query, wanted in about:
        hits = library.search(query, k=SHOWN)
        score = next((h.score for h in hits if h.name == wanted), 0.0)
        if score < cut:
            hidden.append((cls, query, wanted, round(score, 3), hits[0].name if hits else "-"))
    shown = []
    for query in nothing:
        hits = library.search(query, k=SHOWN)
        if hits and hits[0].score >= cut:
            shown.append((query, hits[0].name, round(hits[0].score, 3)))
    return Outcome(len(about), hidden, len(nothing), shown)


def main() -> None:
    args = sys.argv[1:]
    keep = Path(args[args.index("--library") + 1]) if "--library" in args else None
    cut = Settings().min_score
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        library = Library(folder / "lib.sqlite") if keep and (keep / "lib.sqlite").exists() else build(folder)
        try:
            result = measure(library, cut)
        finally:
            library.close()
    for cls, query, wanted, score, top in result.hidden:
        print(f"  HIDDEN {cls:8} {query!r:44} {wanted} {score:.2f} (top: {top})")
    for query, name, score in result.shown:
        print(f"  SHOWN  {query!r:44} {name} {score:.2f}")
    clean = result.nothing - len(result.shown)
    print(f"right answers hidden by the cut-off ({cut}): {len(result.hidden)}/{result.about} (target 0); "
          f"\"nothing matches\" {clean}/{result.nothing} ({clean / result.nothing:.0%}; target 90%)")


if __name__ == "__main__":
    main()
