"""Why a result is in the list: what matched, in words a person can check.

Every hit carries a `why` (the CLI's `--json` prints it; the window's detail pane shows it):

    matched   how it got into the list: "meaning" (close in meaning to the query), "keywords" (it
              holds the query's names or codes), "file name" (its name holds one), "phrase" (it
              holds every "quoted phrase"), "colours" (a picture with the colours asked for),
              "look-alike" (find-similar), "combination" (concept arithmetic)
    words     the query's words found in its name, title or the passage that scored (highlighted)
    source    what was compared: "passage" (a document's text), "what the picture shows" (its
              classes), "text in the picture" (OCR), "what the song sounds like" (its tags)
    passage   the passage that scored (documents, and the text read in a picture: `ocr`)
    page      where that passage is (a PDF's page), when known
    classes   a picture's likeliest classes with their shares; `tags` a song's
    unseen    the query's things a picture's classifier did not see, or its instruments a song's
              tags did not hear (its score is held under the cut-off: core/search/picture_words.py,
              song_words.py)
    terms     concept arithmetic: each term with its similarity to the file

A picture reached through its classes says which classes and how sure the classifier was: a
"horse" at 31% found for "a dog" reads differently from a "tabby cat" at 80% found for "a cat".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from nearby.core.mapping.clusters import STOPWORDS
from nearby.core.search.hits import SearchHit

DESCRIBED_PICTURE = "Looks like "
UNSEEN = "unseen:"  # a reason's prefix: the query's things the picture's classifier did not see
DESCRIBED_SONG = "Sounds like "
# Words that say nothing about what a file is about: never "found" (a query is often a sentence).
# The map's list of words that name no group, and the plurals a query adds.
STOP_WORDS = STOPWORDS | frozenset(("photos", "pictures", "images", "document", "documents"))
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The words of a query worth looking for in a result (no stop words, no -excluded words)."""
    terms = []
    for raw in _WORD.findall(query):
        word = raw.strip("'’-").lower()
        if len(word) >= 2 and word not in STOP_WORDS and word not in terms:
            terms.append(word)
    excluded = {w.lstrip("-").lower() for w in query.split() if w.startswith("-")}
    return [t for t in terms if t not in excluded]


def found_words(terms: Iterable[str], hit: SearchHit) -> list[str]:
    """The terms found as whole words (or word starts: "bake" in "baking" is not, "tax" in "taxes" is)
    in the hit's file name, title or scoring passage."""
    text = " ".join((hit.name, hit.title, hit.snippet, str(hit.meta.get("text", ""))[:2000])).lower()
    return [t for t in terms if re.search(rf"(?<![\w]){re.escape(t)}", text)]


def explain(hit: SearchHit, matched: Sequence[str], terms: Sequence[str] = ()) -> SearchHit:
    """The hit with its `why` filled in (see the module doc)."""
    unseen = [m[len(UNSEEN):] for m in matched if m.startswith(UNSEEN)]
    matched = [m for m in matched if not m.startswith(UNSEEN)]
    why: dict[str, Any] = {"matched": list(dict.fromkeys(matched)) or ["meaning"],
                           "words": found_words(terms, hit)}
    if unseen:
        why["unseen"] = unseen[0].split(", ")
    labels = [str(x) for x in hit.meta.get("labels", [])]
    if hit.kind == "image":
        if hit.snippet.startswith(DESCRIBED_PICTURE) or not hit.snippet:
            why["source"] = "what the picture shows"
            shares = list(hit.meta.get("label_shares", []))
            why["classes"] = [[label, round(float(shares[i]), 3) if i < len(shares) else None]
                              for i, label in enumerate(labels)]
        else:
            why["source"] = "text in the picture"
            why["ocr"] = hit.snippet
    elif hit.kind == "song":
        why["source"] = "what the song sounds like"
        why["tags"] = labels
    else:
        why["source"] = "passage"
        why["passage"] = hit.snippet
    if hit.page:
        why["page"] = hit.page
        why["place"] = hit.place
    return replace(hit, why=why)


def why_text(why: dict[str, Any], classes: bool = True) -> str:
    """One line for people (the detail pane): what matched and what was found; ``classes`` False
    where the picture's classes are shown beside it already (the pane's "Looks like")."""
    parts = []
    matched = [m for m in why.get("matched", []) if m]
    if matched:
        parts.append("By " + " and ".join(matched))
    if why.get("words"):
        parts.append("words found: " + ", ".join(why["words"]))
    seen = [c for c in why.get("classes", []) if c and c[0]] if classes else []
    unseen = " or ".join(why.get("unseen", []))
    if seen:
        parts.append("the picture model sees " + ", ".join(
            f"{name} ({share:.0%})" if isinstance(share, float) else str(name) for name, share in seen)
            + (f", not {unseen}" if unseen else ""))
    elif unseen:
        parts.append(f"the {'song model did not hear' if why.get('tags') is not None else 'picture model did not see'}"
                     f" {unseen}")
    if why.get("ocr"):
        parts.append(f"text read in the picture: “{why['ocr']}”")
    if why.get("tags") and classes:
        parts.append("the song model hears " + ", ".join(why["tags"][:5]) + (f", not {unseen}" if unseen else ""))
    if why.get("terms"):
        parts.append("terms: " + ", ".join(f"{t['term']} {t['similarity']:+.2f}" for t in why["terms"]))
    if why.get("page"):
        parts.append(why.get("place") or f"page {why['page']}")
    if why.get("because"):
        parts.append(f"suggested because you liked {Path(why['because']).name}")
    return "; ".join(parts)
