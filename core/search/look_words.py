"""Colour and light words in a query ("black and white photos", "something red", "a red car"),
matched against the words read from each picture's pixels (core/media/looks.py, kept in its meta).

Those words reach a picture's vector with a small weight only (more would blur what it shows), so
on meaning alone "a black and white photo" ranked the right pictures first but below the good-match
cut-off: a trait many pictures share never stands out from the kind's own scores. Matching the words
themselves fixes that: a query of nothing but colour and light words (and kind words) makes every
picture that has them a good match, in their order by meaning, and the others weaker ones; a query
with more ("a red car") lifts them a step, so the red car comes before the other cars.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from nearby.core.search.calibration import capped, z_of

# A picture with every colour word of a colour-only query scores at least this (squash scale).
LOOKS_SCORE = 0.6
LOOKS_Z = z_of(LOOKS_SCORE)
# The lift, in z, when the query says more than colours ("a red car"): one step of the curve.
PARTIAL_Z = 1.0
# A picture without the colours a query asks for scores at most this: its closeness in meaning
# comes from class names ("lime" for "green") or from the rest of the query ("a red car" and a blue
# car), and the pixels have just contradicted it.
LACKING_SCORE = 0.3
LACKING_Z = z_of(LACKING_SCORE)
# Query wording → the word core/media/looks.py writes; longest phrases first.
_SAYINGS = (
    ("black and white", "black and white"), ("black-and-white", "black and white"),
    ("black & white", "black and white"), ("b&w", "black and white"),
    ("monochrome", "black and white"), ("greyscale", "black and white"), ("grayscale", "black and white"),
    ("blue sky", "blue sky"), ("blue skies", "blue sky"), ("colourful", "colourful"), ("colorful", "colourful"),
    ("multicoloured", "colourful"), ("multicolored", "colourful"), ("at night", "night"), ("by night", "night"),
    ("night-time", "night"), ("nighttime", "night"), ("night", "night"), ("dark", "dark"), ("white", "white"),
    ("red", "red"), ("orange", "orange"), ("yellow", "yellow"), ("green", "green"), ("blue", "blue"),
    ("purple", "purple"), ("violet", "purple"), ("pink", "pink"),
)
# The colour names a picture's pixels are checked for (not black, brown or grey: too little of a
# photo is ever plainly one of them to say).
PIXEL_COLOURS = frozenset(saying for saying, word in _SAYINGS
                          if " " not in saying and word not in ("black and white", "colourful", "dark", "night"))
# Words that add nothing to a colour query's meaning ("a photo that is mostly red").
_FILLER_WORDS = (
    "a an the of in on with and or some something anything things stuff that is are mostly all my any "
    "photo photos photograph photographs picture pictures pic pics image images shot shots snapshot "
    "snapshots colour colours color colors coloured colored tone tones toned one ones taken made")
_FILLER = frozenset(_FILLER_WORDS.split())


@dataclass(frozen=True)
class LookRequest:
    words: frozenset[str]  # as core/media/looks.py names them
    only: bool  # the query says nothing else

    def lacks(self, meta: dict[str, object]) -> bool:
        """Whether a picture's pixels (its meta's colour words) lack what the query asks for; not
        when they were never looked at (a joint model's picture, or one analysed before colour
        words) or there is no hour to tell night by."""
        seen = meta.get("looks")
        if not isinstance(seen, list) or ("night" in self.words and not meta.get("taken")):
            return False
        return not self.words <= set(seen)

    def lift(self, z: float, meta: dict[str, object]) -> float:
        """A picture's z once its colour words (in its meta) are weighed."""
        seen = meta.get("looks")
        if not isinstance(seen, list):
            return z  # not looked at (a joint model's picture, or analysed before colour words)
        if "night" in self.words and not meta.get("taken"):
            return z  # no hour to tell night by
        if self.lacks(meta):
            return capped(z, LACKING_Z)  # "a red car" and a blue one: a car, not the one asked for
        if self.only:
            return max(z, LOOKS_Z + 0.5 * (1.0 + math.tanh(z / 2)))  # above the floor, in their order
        return z + PARTIAL_Z


def look_request(query: str) -> LookRequest | None:
    """The colour and light words a query asks for, or None if it names none."""
    text = f" {re.sub(r'[^a-z&-]+', ' ', query.lower())} "
    words = set()
    for saying, word in _SAYINGS:
        if f" {saying} " in text:
            words.add(word)
            text = text.replace(f" {saying} ", " ")
    if not words:
        return None
    rest = [w for w in text.split() if w not in _FILLER]
    return LookRequest(frozenset(words), only=not rest)
