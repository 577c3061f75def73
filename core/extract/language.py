"""Is a passage English? A cheap guess, good enough to tell a person their library is mixed.

English prose is full of a few short words ("the", "and", "of" …): about one word in three.
A passage with almost none of them, or written mostly in another script, is not English. No model,
no dictionary: the point is one sentence of advice (which text model to use), not tagging files.
"""

from __future__ import annotations

import re

from nearby.core.extract.passages import CJK

_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_ENGLISH_WORDS = ("the of and to in is that it for was on are as with be by this at from or have an not but which "
                  "you they we he she his her their has had were been will would can there what all if so")
_ENGLISH = frozenset(_ENGLISH_WORDS.split(" "))
# Fewer letters than this is a title or a list: no guess.
MIN_LETTERS = 60
# English prose runs at 25–45% of these words; other languages that share some ("a", "in") stay
# far below 10%.
ENGLISH_SHARE = 0.12


def looks_english(text: str) -> bool | None:
    """True for English prose, False for prose in another language, None when too short to tell."""
    letters = sum(ch.isalpha() for ch in text)
    if letters + 2 * len(CJK.findall(text)) < MIN_LETTERS:  # a Chinese character says as much as ~3 letters
        return None
    if len(_LATIN.findall(text)) < letters / 2:  # Cyrillic, Greek, Arabic, CJK …
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    return sum(w in _ENGLISH for w in words) / max(len(words), 1) >= ENGLISH_SHARE
