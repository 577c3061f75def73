"""Did the picture model see what the query asks for? The query's things, as ImageNet classes.

A picture reaches a typed query through its classes' names (core/media/bridge.py): a photo of a horse
is near "a giraffe" because "sorrel horse" is near "giraffe" in meaning, and its score said nothing
about whether the classifier saw a giraffe. But ImageNet's classes are WordNet nouns, so for a
query's word that names a thing ImageNet covers ("cat": tabby, Persian, Siamese …; "car": cab,
convertible, jeep …), the picture's own classes can confirm or deny it; for one it does not
cover whose parent it does ("giraffe", a ruminant: ox, bison, impala …), those are what the
classifier would most likely say of one (models/picture_words.json, made from WordNet by
models/dev/make_picture_words.py). People and ideas give no verdict, and the picture keeps its score.
Things a photo can show that ImageNet has no class or near kin for (a rose, the moon, a waterfall)
give no verdict either — unless they are plants, which ImageNet all but cannot see, or the picture's
classifier is sure it shows something else (an espresso at 75% is no kitchen, however close the two
are in words): cannot_show.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nearby.core.search.look_words import PIXEL_COLOURS
from nearby.core.search.why import STOP_WORDS

DATA = Path(__file__).resolve().parent.parent.parent / "models" / "picture_words.json"
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
# Words that name a picture, not what it shows ("a photo of a cat").
MEDIUM = frozenset(("photo", "photos", "picture", "pictures", "image", "images", "photograph", "photographs",
                    "shot", "shots", "snapshot", "snapshots", "pic", "pics", "selfie", "scan", "view"))
LONGEST = 3
# Colour names that are also things (an orange, a violet, a lime): before another word they say its
# colour, and the picture is judged by that word alone.
COLOURS = frozenset(("red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "white", "black",
                     "brown", "grey", "gray", "gold", "golden", "silver", "lime", "olive", "cream", "tan"))


@dataclass(frozen=True)
class Things:
    """The classes a query's things would show as: ``words`` names them, ``kin`` each one's labels."""

    words: tuple[str, ...]
    kin: tuple[frozenset[str], ...]
    units: int  # the query's words that carry meaning (not stop words), things or not
    # Things a photo can show that ImageNet has no class or kin for ("a rose", "a waterfall"): a
    # picture cannot be seen to show them, only to show something else.
    unseeable: tuple[str, ...] = ()
    # Those of them that are plants: ImageNet has two plant classes (daisy, lady's slipper) for
    # thousands of kinds, so a picture's closeness in class names to "a rose" or "trees" is noise.
    plants: tuple[str, ...] = ()
    # Words judged by their kin that also ask for any plant ("a potted plant": a factory, with a
    # sawmill for kin, or the green thing): a picture whose classifier saw some plant gets no verdict.
    any_plant: tuple[str, ...] = ()

    @property
    def labels(self) -> frozenset[str]:
        return frozenset().union(*self.kin)


@dataclass(frozen=True)
class _Table:
    labels: tuple[str, ...]
    groups: tuple[tuple[int, ...], ...]
    words: dict[str, int]
    plurals: dict[str, str]
    unjudged: frozenset[str]  # names of several words with no verdict, read whole ("starry night")
    unseeable: frozenset[str]  # things a photo can show with no class or kin ("rose", "circuit board")
    plants: frozenset[str]  # … of them, the plants
    plant_labels: frozenset[str]  # the classes that are plants seen (daisy, yellow lady's slipper)
    any_plant: frozenset[str]  # words with kin that also ask for any plant ("plant")
    plant_holders: frozenset[str]  # classes whose photos show some plant, being none (a plant pot)


@cache
def _table() -> _Table | None:
    if not DATA.is_file():
        return None
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return _Table(tuple(data["labels"]), tuple(tuple(g) for g in data["groups"]), data["words"], data["plurals"],
                  frozenset(data.get("unjudged", ())), frozenset((*data.get("unseeable", ()), *data.get("plants", ()))),
                  frozenset(data.get("plants", ())), frozenset(data.get("plant_labels", ())),
                  frozenset(data.get("any_plant", ())), frozenset(data.get("plant_holders", ())))


@cache
def known_labels() -> frozenset[str]:
    """Every class name the table knows (a picture model with other classes gets no verdicts)."""
    table = _table()
    return frozenset(table.labels) if table else frozenset()


def query_things(query: str) -> Things | None:
    """The ImageNet classes the query's things would show as, and the things it names that ImageNet
    has no class or kin for; None when it names no thing a photo could show (people, ideas)."""
    table = _table()
    if table is None:
        return None
    tokens = [t for t in _WORD.findall(query.lower()) if t not in MEDIUM]
    found: list[tuple[int, int, str, int]] = []  # (start, end, word, group)
    unseeable: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(LONGEST, len(tokens) - i), 0, -1):
            if size == 1 and tokens[i] in STOP_WORDS:
                continue
            if size == 1 and tokens[i] in COLOURS and i + 1 < len(tokens) and tokens[i + 1] not in STOP_WORDS:
                continue  # a colour said of the next word ("an orange flower"), not a thing (an orange)
            if size > 1 and tokens[i] in PIXEL_COLOURS and _coloured(table, tokens[i:i + size]):
                continue  # "a yellow jacket": a jacket that is yellow (its pixels say), not a wasp
            phrase = " ".join(tokens[i:i + size])
            forms = _base_forms(table, phrase)
            if any(form in table.unseeable for form in forms):
                unseeable.append(next(form for form in forms if form in table.unseeable))
                i += size  # read whole, whatever its words could be ("circuit board")
                break
            if size > 1 and any(form in table.unjudged for form in forms):
                i += size
                break
            hit = next(((form, table.words[form]) for form in forms if form in table.words), None)
            if hit is not None:
                found.append((i, i + size, *hit))
                i += size
                break
        else:
            i += 1
    if not found and not unseeable:
        return None
    # Any of them seen will do: "an orange flower" is judged as an orange or a flower, and "a rocket
    # launch" as a rocket or a launch (a boat, to WordNet), since which word is the thing asked for
    # and which describes it is not for a word list to tell.
    kin = tuple(frozenset(table.labels[c] for c in table.groups[group]) for *_, group in found)
    units = len([t for t in tokens if t not in STOP_WORDS])
    words = tuple(word for _, _, word, _ in found)
    return Things(words, kin, max(units, len(found)), tuple(unseeable),
                  tuple(word for word in unseeable if word in table.plants),
                  tuple(word for word in words if word in table.any_plant))


def cannot_show(things: Things, labels: Sequence[str], shares: Sequence[float], sure: float) -> bool:
    """Whether a picture reached through its classes is no good match for a query whose things
    ImageNet cannot name (and none it could judge): a plant, unless the classifier saw one (ImageNet
    has a few plant classes for thousands of kinds, so "a rose" was the red retina photo at 0.87 by
    closeness in class names alone; a photo seen as a daisy may well be the flowers asked for), or
    anything else when the classifier put at least ``sure`` of its belief on its top classes (an
    espresso at 75% is no kitchen). An unsure classifier and a thing that is not a plant (the moon's
    photo seen as a nematode at 31%) say nothing either way."""
    table = _table()
    if table is None or things.words or not things.unseeable or not labels or not known_labels().issuperset(labels):
        return False
    if things.plants:
        return not table.plant_labels & set(labels)
    return sum(shares) >= sure


def may_show_a_plant(things: Things, labels: Sequence[str]) -> bool:
    """Whether a picture none of whose classes is the query's things' kin may still show them: one
    of them asks for any plant too ("a potted plant": a factory, with a sawmill for kin, or the green
    thing) and the classifier saw some plant (a daisy, a plant pot). Not for a kind of plant: a plant
    pot is no sunflower, nor an oak."""
    table = _table()
    if table is None or not things.any_plant:
        return False
    return bool((table.plant_labels | table.plant_holders) & set(labels))


def seen_words(things: Things, labels: Sequence[str], shares: Sequence[float], least: float) -> list[str] | None:
    """The query's things a picture's classifier saw (at least ``least`` of its belief — its top
    classes' shares — on the thing's kin); None when the picture's classes are not ImageNet's (no
    verdict)."""
    if not labels or not known_labels().issuperset(labels):
        return None
    return [word for word, kin in zip(things.words, things.kin, strict=True)
            if sum(share for label, share in zip(labels, shares, strict=False) if label in kin) >= least]


def _coloured(table: _Table, words: Sequence[str]) -> bool:
    """Whether a name that starts with a colour a picture's pixels are checked for is read as that
    colour said of a thing: it is colours alone ("white and blue"), or its kin and its last words'
    share no class (WordNet's "yellow jacket" is a wasp; a red fox is a fox, and red wine a wine).
    Not for a colour no pixels tell: "a black cat" stays WordNet's marten, whose verdict holds an
    orange cat down, as it should, and a black one, as it should not — an orange cat at 0.99 for "a
    black cat" would claim what nothing in the index knows."""
    if all(word in COLOURS or word in STOP_WORDS for word in words):
        return True
    rest = next((form for form in _base_forms(table, " ".join(words[1:])) if form in table.words), None)
    name = next((form for form in _base_forms(table, " ".join(words)) if form in table.words), None)
    if rest is None:
        return False
    return name is None or not set(table.groups[table.words[name]]) & set(table.groups[table.words[rest]])


def _base_forms(table: _Table, phrase: str) -> list[str]:
    """The phrase and its singulars (WordNet's irregular plurals, then its suffix rules)."""
    forms = [phrase]
    if phrase in table.plurals:
        forms.append(table.plurals[phrase])
    for suffix, ending in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x"),
                           ("ses", "s"), ("zes", "z"), ("men", "man"), ("s", "")):
        if phrase.endswith(suffix) and len(phrase) > len(suffix) + 2:
            forms.append(phrase[: -len(suffix)] + ending)
    return forms


# The broadest WordNet nouns ("entity", "object", "organism", "artifact") cover hundreds of classes and
# name nothing a person would write on a group of photos.
BROADEST_GROUP = 250
COMMON_SHARE = 0.4  # a noun names a group of pictures when it covers at least this share of them


def common_words(shown: Sequence[Sequence[str]], count: int = 2, ranks: Mapping[str, int] | None = None) -> list[str]:
    """Words (WordNet nouns) for what most of these pictures show, from each picture's likeliest
    classes: the noun covering most of them, more specific ones preferred ("dog" over "carnivore"),
    then one that is not merely a broader word for the first. Each noun is called by its commonest
    word (``ranks``: a word's place in a vocabulary by frequency; else its shortest). For a map
    group's name."""
    table = _table()
    if table is None:
        return []
    index = {label: i for i, label in enumerate(table.labels)}
    members = [m for m in ({index[label] for label in labels if label in index} for labels in shown) if m]
    if not members:
        return []
    covering, words_of_group = _covering()
    names = {g: _commonest(words, ranks) for g, words in words_of_group.items()}
    names = {g: name for g, name in names.items() if name}
    seen: Counter[int] = Counter()
    for classes in members:
        seen.update(set().union(*(covering[c] for c in classes)))

    def score(group: int) -> float:
        size = len(table.groups[group])
        return seen[group] * (1.0 - 0.6 * math.log(size) / math.log(len(table.labels)))

    chosen: list[int] = []
    least = max(2, math.ceil(COMMON_SHARE * len(members)))  # a name that covers a few of many says little
    for group in sorted((g for g in seen if len(table.groups[g]) <= BROADEST_GROUP and g in names
                         and seen[g] >= least),
                        key=lambda g: (-score(g), names[g])):
        if len(chosen) == count:
            break
        if any(set(table.groups[group]) >= set(table.groups[c]) for c in chosen):
            continue  # a broader word for one already chosen ("animal" after "dog")
        chosen.append(group)
    if chosen:
        return [names[g] for g in chosen]
    # Pictures with little in common: their commonest classes, by the class's last word ("plant pot",
    # "coonhound" for "Black and Tan Coonhound").
    counts = Counter(table.labels[c] for classes in members for c in classes)
    return [label.lower() if len(label.split()) <= 2 else label.split()[-1].lower()
            for label, _ in counts.most_common(count)]


@cache
def _covering() -> tuple[tuple[frozenset[int], ...], dict[int, tuple[str, ...]]]:
    """For each class, the noun groups that cover it; for each group, its words."""
    table = _table()
    assert table is not None
    covering: list[set[int]] = [set() for _ in table.labels]
    for group, classes in enumerate(table.groups):
        for c in classes:
            covering[c].add(group)
    words: dict[int, list[str]] = {}
    for word, group in table.words.items():
        words.setdefault(group, []).append(word)
    return tuple(frozenset(g) for g in covering), {g: tuple(sorted(w)) for g, w in words.items()}


def _commonest(words: Sequence[str], ranks: Mapping[str, int] | None) -> str:
    """The word a person would use: the commonest one-word name in the vocabulary (not "jak" for
    jackfruit, nor "salyut" for a space station), else the shortest one-word name."""
    single = [w for w in words if " " not in w and "-" not in w]
    if ranks is not None:
        known = [w for w in single if w in ranks]
        return min(known, key=lambda w: ranks[w]) if known else ""
    return min(single, key=lambda w: (len(w), w)) if single else ""
