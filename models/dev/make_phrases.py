"""Writes models/phrases.txt: common two-word phrases for concept arithmetic's vocabulary.

    python -m nearby.models.dev.make_phrases     # needs Debian's wordnet-base (/usr/share/wordnet)

Taken from WordNet 3.0's two-word lemmas ("ice_cream", "new_york") whose both words are among the
GloVe vocabulary's words: first those seen in WordNet's sense-tagged corpus (by count), then the
rest by how frequent their rarer word is. The WordNet licence asks for its notice on every copy:
it heads the file.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

import numpy as np

from nearby.models.catalog import GLOVE_WORDS
from nearby.models.locate import model_dir

WORDNET = Path("/usr/share/wordnet")
OUT = Path(__file__).resolve().parent.parent / "phrases.txt"
KEEP = 5_000
NOTICE = Path("/usr/share/doc/wordnet-base/copyright")


def main() -> int:
    counts: collections.Counter[str] = collections.Counter()
    for line in (WORDNET / "cntlist.rev").read_text().splitlines():
        key, _, n = line.split()
        counts[key.split("%")[0]] += int(n)
    lemmas = set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (WORDNET / f"index.{pos}").read_text().splitlines():
            lemma = line.split(" ", 1)[0]
            if not line.startswith(" ") and re.fullmatch(r"[a-z]+_[a-z]+", lemma):
                lemmas.add(lemma)
    with np.load(model_dir(GLOVE_WORDS) / "vocabulary.npz") as data:
        rank = {w: i for i, w in enumerate(str(data["words"]).split("\n"))}
    rank = {w: i for w, i in rank.items() if " " not in w}  # words only, not the phrases already added
    known = [lemma for lemma in lemmas if all(part in rank for part in lemma.split("_"))]
    known.sort(key=lambda lemma: (-counts[lemma], max(rank[p] for p in lemma.split("_")), lemma))
    notice = NOTICE.read_text().split("License: WordNet3.0", 1)[1].split("\n\nFiles:", 1)[0]
    header = "# Two-word phrases from WordNet 3.0 (make_phrases.py). WordNet's licence:\n" + "".join(
        f"# {line.strip().lstrip('.')}\n" for line in notice.splitlines())
    OUT.write_text(header + "\n".join(lemma.replace("_", " ") for lemma in known[:KEEP]) + "\n")
    print(f"wrote {min(KEEP, len(known))} phrases to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
