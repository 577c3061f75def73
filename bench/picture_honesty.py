"""Honest picture scores: `python -m bench.picture_honesty [--library PATH]`.

Over the evaluation photos (tests/data/eval/images*, 50 pictures), with the product's own search:
- absent objects: queries about things none of the photos shows (ABSENT, written before measuring;
  checked against the pictures by eye): how many show no picture at or above the good-match
  cut-off (Settings.min_score, 0.35). Target: ≥ 9 in 10.
- present objects: the eval's text → picture queries: how many show their picture at or above the
  cut-off. Target: ≥ 90% of what is shown today.
Prints both, and for each absent query its best picture and score.

Measured on 2026-12-06 (main after 786e6e9): absent objects 0/20 clean (their best pictures scored
0.37–0.87: "a giraffe" → the horse drawing 0.83, "the Eiffel tower" → a palace 0.87); present
objects 31/49 shown. A picture's score did not hear its classifier.

Now each picture reached through its classes is judged by them (core/search/picture_words.py: the
query's things as the ImageNet classes a photo of them would get, from WordNet; and a colour asked
for and missing caps a picture as before): absent objects 19/20 clean (left: "a waterfall", which
no class covers); present objects 25/49 shown, 24 of the 31 shown before kept (77%). The 7 lost are pictures the
classifier took for something else — a horse drawing seen as hounds, an orange flower as a
honeycomb (twice), a lawn as a doormat, a pagoda as a palace, a uniform as a suit, a circuit board
as a modem — found before by closeness in words alone, the same way "a giraffe" found the drawing.

2026-12-07, the WordNet table reviewed (models/dev/make_picture_words.py): no kin reached far up or
through catch-all groups (grass is no daisy, a circuit board no microphone, an oak no eggnog, a
flower no fruit); names of several words read whole ("circuit board", not "circuit" and "board");
a colour before a word is its colour ("an orange flower" is no orange); a young animal is judged as
its kind (a kitten as a cat); a word said of people far more than of a thing names a person ("kids
playing" are no young goats); a rarer sense that is a class counts (the pineapple fruit). Things a
photo can show that ImageNet cannot name give no verdict (the moon, a waterfall) — unless they are
plants, which it all but cannot see (two plant classes, daisy and lady's slipper, for thousands of
kinds: "a rose" was the red retina photo at 0.87 in the sample collection), or the picture's
classifier is sure (75% on its top classes) of something else: an espresso photo is no kitchen
(core/search/picture_words.py cannot_show). Measured now with the window's 50 results (the nearest
5 hid pictures that rise once the nearest are held under the cut-off).
Absent objects 18/20 (left: "a snowman" 0.36 and "a waterfall" 0.49, over pictures the classifier
could not name); present objects 26/49 shown, 25 of the 31 kept (81%; 77% before) — the lawn and the
circuit board back; lost: the horse drawing seen as hounds, the pagoda as a palace, the uniform as a
suit, and the orange flower ("a flower", "an orange flower") and the lawn ("grass"), which were
shown by the closeness of "honeycomb" and "doormat" to their words alone. MORE_PRESENT (33 queries
in new words, written before measuring): 19 → 21 shown. MORE_ABSENT (49 more absent things): 36 →
36 clean. Without the plant rule: 28 kept (90%), 22/33, but 30/49 (a rose, a tulip, a palm tree …
shown by closeness in class names).

2026-12-07, later: a photo the classifier named rightly held down for the plain word, counted over
ImageNet's own names (22 of its 1,000 class names as queries; 196 words naming a class's near
parent: "a turtle" and a loggerhead, "a bike" and a mountain bike, "a sink", "a rooster", "a
potted plant") — 11 and 41 now, the numbers above unchanged (a rarer sense's classes, the class
bearing the word's name, a colour the pixels tell before a word: "a yellow jacket" is no wasp;
"plant" as any plant). Read in all their
senses, words WordNet never tagged went to 38 but lost "colourful sweets" (judged by dessert
dishes, the sweets seen as pool balls): not taken.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.settings import Settings

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"
FOLDERS = ("images", "images-heldout", "images-heldout2")
# Things no evaluation photo shows (checked against every picture by eye before measuring).
ABSENT = ("a giraffe", "an elephant", "a bicycle", "a sailing boat", "a pizza", "a snowman", "a guitar",
          "a lighthouse", "a zebra", "a tennis racket", "the Eiffel tower", "a penguin", "a violin", "a hamburger",
          "a tractor", "a red car", "a birthday cake", "a waterfall", "a pair of scissors", "a shark")
PRESENT_SETS = ("text_to_image", "text_to_image_heldout", "text_to_image_heldout2")
# Results asked for, as the window asks (Settings.result_count): a picture the nearest few leave out
# can still score above the cut-off once they are held under it.
SHOWN = Settings().result_count
# Written 2026-12-07 before measuring, checked by eye against the photos: the present pictures in new
# words, and more absent things (everyday ones ImageNet has no class for among them).
MORE_PRESENT = (
    ("a tabby cat", "chelsea.jpg"), ("a kitten's face", "chelsea.jpg"), ("silver coins", "collection.jpg"),
    ("the universe", "deep-field.jpg"), ("a black horse silhouette", "drawing.jpg"),
    ("a wall clock", "drawing-0002.png"),
    ("a rocket on the launch pad", "launch.jpg"), ("espresso", "morning.jpg"), ("a cup of tea", "morning.jpg"),
    ("an astronaut in a spacesuit", "portrait.jpg"), ("a photographer with a camera", "scan-001.jpg"),
    ("a Chinese tower by the lake", "IMG_1006.jpg"), ("a dahlia", "IMG_1007.jpg"), ("a naval officer", "IMG_1008.jpg"),
    ("a red apple", "IMG_2002.jpg"), ("a baboon", "IMG_2003.jpg"), ("a mandrill", "IMG_2003.jpg"),
    ("a green circuit board with chips", "IMG_2004.jpg"), ("a hotel building", "IMG_2005.jpg"),
    ("a swallowtail butterfly on a leaf", "IMG_2006.jpg"), ("citrus fruit", "IMG_2007.jpg"),
    ("a soccer player kicking the ball", "IMG_2009.jpg"), ("a squirrel in a tree", "IMG_2010.jpg"),
    ("Van Gogh", "IMG_2011.jpg"), ("a silver car", "IMG_2013.jpg"), ("a puppy", "IMG_2014.jpg"),
    ("candy", "IMG_2015.jpg"), ("a houseplant in a pot", "IMG_2017.jpg"), ("a small bird", "IMG_2018.jpg"),
    ("a no parking sign", "IMG_2019.jpg"), ("a signpost", "IMG_2020.jpg"), ("a succulent in a pot", "IMG_2024.jpg"),
    ("a shop front", "IMG_2029.jpg"))
MORE_ABSENT = (
    "a kangaroo", "a motorbike", "a train", "an aeroplane", "a sheep", "a banana", "a bear", "an umbrella", "a laptop",
    "a pineapple", "a hot air balloon", "a swimming pool", "a bus", "a snake", "a frog", "a tiger", "a crab", "a piano",
    "a wristwatch", "a fire truck", "a sandwich", "a spider", "a teddy bear", "a goat", "an oak tree", "a bar of soap",
    "a cigarette", "fireworks", "a maple leaf", "a cake", "a kitchen", "a statue", "a kite", "a rose", "a sunflower",
    "a tulip", "a glass of wine", "a library", "a bookshelf", "a Christmas tree", "a palm tree",
    "a bouquet of flowers", "a wooden table", "a bed", "a window", "a dolphin", "a whale", "a cow", "a chicken")


def build(library_path: Path) -> Library:
    library = Library(library_path)
    if library.status().items == 0:
        with tempfile.TemporaryDirectory() as tmp:
            for folder in FOLDERS:
                shutil.copytree(EVAL / folder, Path(tmp) / folder)
            run_to_end(library.index([Path(tmp) / f for f in FOLDERS]))
    return library


def measure(library: Library, cut: float) -> dict[str, object]:
    queries = json.loads((EVAL / "queries.json").read_text())
    absent = []
    for query in ABSENT:
        hits = library.search(query, k=SHOWN, kind="image")
        best = hits[0] if hits else None
        absent.append((query, best.name if best else "-", round(best.score, 3) if best else 0.0))
    present = [(q, f) for name in PRESENT_SETS for q, f in queries[name]]
    shown = _shown(library, present, cut)
    more_shown = _shown(library, MORE_PRESENT, cut)
    more_absent = []
    for query in MORE_ABSENT:
        hits = library.search(query, k=SHOWN, kind="image")
        more_absent.append((query, hits[0].name if hits else "-", round(hits[0].score, 3) if hits else 0.0))
    return {"absent": absent, "absent_clean": sum(s < cut for _, _, s in absent), "absent_total": len(absent),
            "present": shown, "present_shown": sum(ok for *_, ok in shown), "present_total": len(shown),
            "more_present_shown": sum(ok for *_, ok in more_shown), "more_present_total": len(more_shown),
            "more_absent": more_absent, "more_absent_clean": sum(s < cut for _, _, s in more_absent),
            "more_absent_total": len(more_absent)}


def _shown(library: Library, present: Sequence[tuple[str, str]], cut: float) -> list[tuple[str, str, float, bool]]:
    shown = []
    for query, wanted in present:
        hits = library.search(query, k=SHOWN, kind="image")
        score = next((h.score for h in hits if h.name == wanted), 0.0)
        shown.append((query, wanted, round(score, 3), score >= cut))
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.picture_honesty", description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, help="reuse (or make) the eval library here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    cut = Settings().min_score
    with tempfile.TemporaryDirectory() as tmp:
        library = build(args.library or Path(tmp) / "eval.sqlite")
        try:
            result = measure(library, cut)
        finally:
            library.close()
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"absent objects: {result['absent_clean']}/{result['absent_total']} show no picture ≥ {cut}")
    for query, name, score in result["absent"]:  # type: ignore[attr-defined]
        print(f"  {'ok  ' if score < cut else 'SHOW'} {query!r}: best {name} {score}")
    print(f"present objects: {result['present_shown']}/{result['present_total']} show their picture ≥ {cut}")
    for query, wanted, score, ok in result["present"]:  # type: ignore[attr-defined]
        if not ok:
            print(f"  hidden {query!r}: {wanted} {score}")
    print(f"more present (new words): {result['more_present_shown']}/{result['more_present_total']} shown; "
          f"more absent things: {result['more_absent_clean']}/{result['more_absent_total']} show no picture ≥ {cut}")
    for query, name, score in result["more_absent"]:  # type: ignore[attr-defined]
        if score >= cut:
            print(f"  SHOW {query!r}: best {name} {score}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
