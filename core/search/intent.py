"""Intent: words in a query that name a kind of file ("photo of a cat", "calm piano music", "the pdf
about the lease") favour that kind in the one mixed list. The words stay in the query's meaning;
the named kind's files are lifted by up to INTENT_Z in proportion to their score: a good match
rises by up to one and a half steps of the score's curve (0.7 → 0.9), an unrelated one barely
(0.2 → 0.27), so that "a photo of the moon" does not make every photo a good match. A picture or
song seen through its class names seldom reads as close as a note about the same thing, and
someone who typed "music" wants the song (bench.nothing_eval and the intent eval: a lift of 1.0
left the piano and guitar songs behind notes about pianos and guitars)."""

from __future__ import annotations

import re

from nearby.core.search.calibration import squash

INTENT_Z = 3.0
_WORDS = {
    "image": ("photo photos photograph photographs picture pictures pic pics image images screenshot screenshots "
              "snapshot snapshots selfie selfies"),
    # Not "tune" or "track(s)": more often a verb or another thing ("how to tune a violin", "track my
    # parcel", "train tracks") than a song.
    "song": "song songs music tunes album playlist audio recording recordings",
    "document": "pdf pdfs document documents doc docs note notes letter letters report reports memo essay article",
}
_KIND_OF = {word: kind for kind, words in _WORDS.items() for word in words.split(" ")}


def intended_kind(query: str) -> str | None:
    """The one kind a query's words name, or None (none named, or several)."""
    kinds = {_KIND_OF[w] for w in re.findall(r"\w+", query.lower()) if w in _KIND_OF}
    return kinds.pop() if len(kinds) == 1 else None


def intent_lift(z: float) -> float:
    """How far a file of the named kind rises, in z: the named kind's good matches rise most, its
    unrelated files barely (a photo of the moon lifts the moon, not every photo above the cut-off)."""
    return INTENT_Z * squash(z)
