"""Groups on the map, named in words a person understands.

Groups are found on the 2-D layout (k-means, seeded), so a group is what the eye sees as one.
Each is named by the words that set its files apart: words frequent in its files' text (titles,
first passages, a picture's or song's description) and rare in the rest of the library, plus
the vocabulary word nearest the group's centre in meaning when the word answers are installed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Container, Sequence
from pathlib import Path

import numpy as np

MAX_CLUSTERS = 40  # more names than this crowd a map rather than explain it
FILES_PER_CLUSTER = 12  # about how many files one named group holds on a small map
LABEL_WORDS = 3
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOPWORD_TEXT = """
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can cannot could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just let me more most my myself no nor not now of off on once only or other ought our ours
ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up use used using very was we were what when
where which while who whom why will with would you your yours yourself yourselves one two three may
might must shall new get gets got make makes made like also many much well way ways see seen said
says return returns value values true false none object objects photo picture image music song songs
file files note notes page pages looks sounds next photos pictures images photograph photographs
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())  # words that name no group
# Words of file names, not of what files hold: cameras', scanners' and programs' names for files, and
# file types ("img · black · camera" was a group's name).
_FILE_NAME_TOKENS_TEXT = """
img imgs dsc dscn dscf pxl mvimg dcim imag scan scans scanned screenshot screenshots screen capture copy
final draft untitled doc docx pdf jpg jpeg png heic heif gif tif tiff bmp webp txt md markdown html htm
odt ods odp xlsx xls pptx ppt csv tsv eml mbox epub rtf mp3 ogg oga opus flac wav aif aiff m4a aac wma
edited edit backup bak tmp temp export exported whatsapp camera pic pics vid video audio rec recording
raw thumb thumbnail thumbnails sample samples test tests version ver rev misc stuff
"""
FILE_NAME_TOKENS = frozenset(_FILE_NAME_TOKENS_TEXT.split())
# Licence, web and publishing boilerplate ("org · copyright · gnu" was a group's name).
_BOILERPLATE_TEXT = """
copyright copyrighted license licence licensed licenses licences licensing gnu gpl lgpl agpl apache mit bsd
rights reserved warranty warranties liability www http https com org net html email mail click
subscribe unsubscribe cookie cookies privacy policy terms conditions disclaimer permission permissions
distribute distributed distribution redistribution redistribute software foundation inc ltd llc gmbh
author authors published publisher publishing isbn contents appendix figure fig attribution creative
commons domain trademark trademarks edition printed reprinted online website download downloaded
"""
BOILERPLATE = frozenset(_BOILERPLATE_TEXT.split())
# Bare verbs ("sits · palace · berlin"): a group is named by things and topics.
_VERBS_TEXT = """
sits sat sitting stands stood standing lies lay lying goes went gone going comes came coming takes took
taken taking gives gave given giving finds found finding tells told telling looks looked looking uses
used using seems seemed seeming begins began begun keeps kept keeping holds held holding brings brought
writes wrote written writing feels felt becomes became leaves left puts putting means meant sets runs
ran running turns turned calls called asks asked tries tried shows showed shown knows knew known thinks
thought wants wanted needs needed gets got lets saw sees done does did having being makes making
started starts moved moves worked works played plays lived lives opened opens closed closes helps helped
"""
VERBS = frozenset(_VERBS_TEXT.split())
NOT_NAMES = STOPWORDS | FILE_NAME_TOKENS | BOILERPLATE | VERBS


def name_worthy(word: str) -> bool:
    """Whether a word may name a group on the map: no stop word, file-name token, boilerplate or
    bare verb, no digits."""
    return word not in NOT_NAMES and not any(ch.isdigit() for ch in word)


def cluster_count(n: int) -> int:
    return max(1, min(MAX_CLUSTERS, round(n / FILES_PER_CLUSTER), n))


def find_clusters(positions: np.ndarray, seed: int = 7, tries: int = 3, rounds: int = 100) -> np.ndarray:
    """A cluster number for each point (0 … k-1), from its place on the map: k-means on the 2-D
    points (k-means++ starts, the best of ``tries``). In numpy: importing scikit-learn's KMeans took
    1.2 s and held the interpreter lock long enough to freeze the window for ~50 ms."""
    n = len(positions)
    k = cluster_count(n)
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    points = positions.astype(np.float64)
    rng = np.random.default_rng(seed)
    best, best_cost = np.zeros(n, dtype=np.int64), np.inf
    for _ in range(tries):
        centres = _plus_plus(points, k, rng)
        labels = np.zeros(n, dtype=np.int64)
        for _ in range(rounds):
            distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new_labels = distances.argmin(axis=1)
            if np.array_equal(new_labels, labels) and _ > 0:
                break
            labels = new_labels
            for c in range(k):
                members = points[labels == c]
                centres[c] = members.mean(axis=0) if len(members) else points[rng.integers(n)]
        cost = float(((points - centres[labels]) ** 2).sum())
        if cost < best_cost:
            best, best_cost = labels, cost
    # Numbered by size, biggest first: stable names for the same map.
    order = np.argsort(-np.bincount(best, minlength=k), kind="stable")
    return np.argsort(order)[best].astype(np.int64)


def _plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ starting centres: each next one drawn with probability ∝ squared distance."""
    centres = [points[rng.integers(len(points))]]
    nearest = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = nearest.sum()
        pick = rng.choice(len(points), p=nearest / total) if total > 0 else rng.integers(len(points))
        centres.append(points[pick])
        nearest = np.minimum(nearest, ((points - points[pick]) ** 2).sum(axis=1))
    return np.array(centres)


def words_of(text: str, path: str = "") -> set[str]:
    """The words that may name a file's group: no stop words, file-name tokens, boilerplate or bare
    verbs; a word of the file's name only if its text says it too (a title made of the file's name
    would otherwise name groups "img" or "scan")."""
    tokens = [w.strip("'-") for w in _WORD.findall(text.lower())]
    named = {w.strip("'-") for w in _WORD.findall(Path(path).stem.lower().replace("_", " "))} if path else set()
    counts = Counter(tokens)
    return {w for w in counts if name_worthy(w) and (w not in named or counts[w] >= 2)}


def verb_form(word: str, known: Container[str]) -> bool:
    """A verb's -ing or -ed form whose stem the same texts use ("copying" beside "copy", "approved"
    beside "approve"): it names an action, not a group's topic."""
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        return any(s in known for s in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""))
    if word.endswith("ed") and len(word) > 4:
        return any(s in known for s in (word[:-1], word[:-2], word[:-3] if word[-3] == word[-4] else ""))
    return False


def distinctive_words(texts: Sequence[str], labels: np.ndarray, k: int, paths: Sequence[str] | None = None,
                      vocabulary: Container[str] = ()) -> dict[int, list[str]]:
    """For each cluster, its words ranked by how much more often its files use them than the rest
    (verb forms left out: those whose stem the texts or the ``vocabulary`` know)."""
    bags = [words_of(t, paths[i] if paths else "") for i, t in enumerate(texts)]
    overall = Counter(w for bag in bags for w in bag)
    verbs = {w for w in overall if verb_form(w, overall) or verb_form(w, vocabulary)}
    bags = [bag - verbs for bag in bags]
    n = len(bags)
    out: dict[int, list[str]] = {}
    for c in range(k):
        members = [bags[i] for i in np.flatnonzero(labels == c)]
        inside = Counter(w for bag in members for w in bag)
        need = 2 if len(members) >= 4 else 1
        scored = [((count / len(members)) * math.log((n + 1) / overall[w]), w)
                  for w, count in inside.items() if count >= need]
        out[c] = [w for _, w in sorted(scored, key=lambda s: (-s[0], s[1]))[:LABEL_WORDS]]
    return out
