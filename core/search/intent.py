"""Intent: words in a query that name a kind of file ("photo of a cat", "calm piano music", "the pdf
about the lease") favour that kind in the one mixed list. The words stay in the query's meaning;
the named kind's files are lifted by INTENT_Z, about one step of the score's curve (0.5 → 0.66)."""

from __future__ import annotations

import re

INTENT_Z = 1.0
_WORDS = {
    "image": ("photo photos photograph photographs picture pictures pic pics image images screenshot screenshots "
              "snapshot snapshots selfie selfies"),
    "song": "song songs music track tracks tune tunes album playlist audio recording recordings",
    "document": "pdf pdfs document documents doc docs note notes letter letters report reports memo essay article",
}
_KIND_OF = {word: kind for kind, words in _WORDS.items() for word in words.split(" ")}


def intended_kind(query: str) -> str | None:
    """The one kind a query's words name, or None (none named, or several)."""
    kinds = {_KIND_OF[w] for w in re.findall(r"\w+", query.lower()) if w in _KIND_OF}
    return kinds.pop() if len(kinds) == 1 else None
