"""Make similarity.json: an English semantic-similarity set from WordNet 3.0 (run once, by hand).

    python tests/data/eval/make_siblings.py /usr/share/wordnet/data.noun

Each entry is a noun's definition (its gloss, without examples or the word itself); definitions
of nouns with the same direct hypernym are "siblings" (kinds of the same thing: tabby, Persian,
Siamese…), picked by WordNet's lexicographers. A text model is good at similarity when each
definition finds its siblings first among all the others (mean average precision), with no help
from shared head words. Groups are drawn at random (seed fixed) from hypernyms with 4+ hyponyms
whose definitions are 6–30 words. WordNet 3.0 licence: see LICENSES.md.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

GROUPS = 120
PER_GROUP = 3


def main(data_noun: str) -> None:
    glosses: dict[str, tuple[str, str]] = {}  # offset → (first lemma, definition)
    children: dict[str, list[str]] = {}
    for line in Path(data_noun).read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        offset, words = fields[0], int(fields[3], 16)
        lemma = fields[4].replace("_", " ")
        pointers = fields[4 + 2 * words + 1:]
        definition = gloss.split(";")[0].strip().strip('"')
        if not 6 <= len(definition.split()) <= 30 or lemma.lower() in definition.lower():
            continue
        glosses[offset] = (lemma, definition)
        for i in range(0, len(pointers) - 3, 4):
            if pointers[i] == "@" and pointers[i + 2] == "n":
                children.setdefault(pointers[i + 1], []).append(offset)
    parents = sorted(p for p, kids in children.items() if len([k for k in kids if k in glosses]) >= 4)
    rng = random.Random(2026)
    entries = []
    for group, parent in enumerate(rng.sample(parents, GROUPS)):
        for offset in rng.sample([k for k in children[parent] if k in glosses], PER_GROUP):
            lemma, definition = glosses[offset]
            entries.append({"group": group, "word": lemma, "text": re.sub(r"\s+", " ", definition)})
    out = Path(__file__).with_name("similarity.json")
    out.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(entries)} definitions in {GROUPS} groups → {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet/data.noun")
