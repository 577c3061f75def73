"""Does the cut-off between good and weaker matches mean what it says? (`python -m bench.nothing_eval`)

One mixed library (the eval pictures and songs, the mixed and look-alike documents, and 200 real
prose files); queries about things in it should have their file first and shown by default (score at
least the settings' min_score); queries about nothing in it (tests/data/eval/nothing.json) should
show nothing by default ("nothing matches"). Issue 9's targets: first ≥ 80%, shown ≥ 90%, nothing
matches ≥ 90%.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from bench.eval_quality import DOCUMENTS, EVAL, rank_of
from nearby.core.library import Library
from nearby.core.settings import Settings
from tests.documents import write_prose_corpus

# Results asked for, as the window asks: a file the nearest few leave out can rise above the cut-off
# once they are held under it.
SHOWN = Settings().result_count
PROSE_FILES = 200


def build(root: Path) -> Library:
    intent = json.loads((EVAL / "intent.json").read_text())
    shutil.copytree(EVAL / "images", root / "pictures")
    shutil.copytree(EVAL / "songs", root / "songs")
    (root / "docs").mkdir()
    for name, text in {**DOCUMENTS, **intent["documents"]}.items():
        (root / "docs" / name).write_text(text)
    write_prose_corpus(root / "prose", PROSE_FILES)
    library = Library(root.parent / "lib.sqlite")
    for _ in library.index([root]):
        pass
    return library


def main() -> dict[str, float]:
    queries = json.loads((EVAL / "queries.json").read_text())
    intent = json.loads((EVAL / "intent.json").read_text())
    about = [*queries["mixed"], *intent["queries"]]
    nothing = json.loads((EVAL / "nothing.json").read_text())["about_nothing_here"]
    cut = Settings().min_score
    with tempfile.TemporaryDirectory() as tmp:
        library = build(Path(tmp) / "files")
        first = shown = 0
        print(f"== good matches and \"nothing matches\" (cut-off {cut}; {len(about)} queries about the library, "
              f"{len(nothing)} about nothing in it; {PROSE_FILES} prose files among them)")
        for query, expected in about:
            hits = library.search(query, k=10)
            rank = rank_of(hits, expected)
            score = next((h.score for h in hits if h.name == expected), 0.0)
            first += rank == 1
            shown += score >= cut
            print(f"  {'ok ' if rank == 1 and score >= cut else 'MISS'} {query!r:42} → {expected} rank {rank} "
                  f"score {score:.2f} (top: {hits[0].name} {hits[0].score:.2f})")
        empty = 0
        for query in nothing:
            top = library.search(query, k=SHOWN)
            best = top[0].score if top else 0.0
            empty += best < cut
            print(f"  {'ok ' if best < cut else 'SHOWN'} {query!r:42} top {top[0].name if top else '-'} {best:.2f}")
        library.close()
    rates = {"first": first / len(about), "shown": shown / len(about), "nothing": empty / len(nothing)}
    print(f"wanted file first {first}/{len(about)} ({rates['first']:.0%}; target 80%), shown by default "
          f"{shown}/{len(about)} ({rates['shown']:.0%}; target 90%), \"nothing matches\" {empty}/{len(nothing)} "
          f"({rates['nothing']:.0%}; target 90%)")
    return rates


if __name__ == "__main__":
    main()
