"""Make models/picture_words.json: which ImageNet classes each everyday noun stands for.

    python -m nearby.models.dev.make_picture_words WNIDS LABELS   # needs Debian's wordnet-base

WNIDS is the ImageNet-1k class list in class order (one WordNet id a line, n01440764 first; timm's
wheel ships it as timm/data/_info/imagenet_synsets.txt); LABELS the picture model's labels.json
(the same classes' names, as the index stores them). ImageNet's classes are WordNet noun synsets,
so WordNet says which classes a photo of the thing a word names would likely be given: its kin, the
classes under the narrowest of its ancestors that holds at least MIN_CLASSES of them (and at most
MAX_CLASSES): "cat" → tabby, Persian, Siamese, Egyptian Mau, cougar, lynx …; "giraffe", no class of
its own → ruminant: ox, bison, impala, gazelle …; "robin" → the small songbirds, since a robin seen
as a brambling is a bird seen. A word is read in its common senses (those tagged in WordNet's
corpus, or the first) that name physical things: animals, artefacts, food, natural objects,
plants. People are left out (ImageNet has almost no classes of people, so its silence about a
person says nothing), as are words whose kin would be a catch-all ("natural object" holds fruit
and stones alike) or wider than MAX_CLASSES ("animal"). The search uses this to tell whether a
picture's classifier saw what a query asks for (core/search/picture_words.py).

The WordNet licence asks for its notice on every copy: the file carries it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
NOTICE = Path("/usr/share/doc/wordnet-base/copyright")
OUT = Path(__file__).resolve().parent.parent / "picture_words.json"
# A word's kin: the narrowest of its ancestors covering at least MIN_CLASSES classes (room for the
# classifier's confusions: a robin seen as a brambling is a bird seen), at most MAX_CLASSES (a
# giraffe seen as a hound is not a giraffe seen). Chosen with `python -m bench.picture_honesty`
# among 2-5 and 20-150: wider kin let "a tractor" find the taxi, narrower lost the robin.
MIN_CLASSES = 3
MAX_CLASSES = 20
PERSON_RATIO = 3  # a word names a person when tagged so this many times as often as a thing (+1)
WIDEST = 150  # the most classes a parent covering a thing widely may hold (dog 118; not animal, 398)
# WordNet's lexicographer files of things a photo can show (animals, artefacts, food, natural
# objects, plants): a word's other senses ("flower" as a prime, "cat" as a CT scan) are not looked at.
PHYSICAL = {"05", "06", "13", "17", "20"}
# A kin judges a thing only where ImageNet has a class for at least one in 100 of the kinds of thing
# under it: a photo of trees gets a lakeshore or a valley, not one of vascular plants' two classes
# (daisy, lady's slipper, for 4,392 kinds of plant); a kitchen is no patio, the one class for 349
# kinds of area; a book no comic book (1 for 226 kinds of product). Baked goods (4 classes for 264
# kinds), fungi (7 for 309), ruminants (9 for 162) judge.
COVERED = 1 / 100
NEAR = 2  # hypernym steps: a near ancestor (a tennis racket is a racket, a beacon a tower)
MAX_WORDS = 3  # lemmas of up to three words ("tennis racket", "grand piano", "eiffel tower")
# People (person, individual …; and Homo, human being, as an animal): ImageNet has almost no classes
# of people, so its silence about one says nothing.
PEOPLE = ("00007846", "02471762")
# Groups WordNet reaches through what things are made of or used for, whose classes have nothing in
# common to look at: "part, portion", "substance", "relation", "agent" (eggnog, espresso, red wine …
# for an oak, soap, a cigarette, a playing card), "piece" (baby bib, bath towel … for a tie beam),
# "drug" and "drug of abuse", "ingredient", "support" and "supporting structure" (a tripod, a pier
# for timber; a honeycomb for a sawhorse), "mechanism", "system" (an iPod, a maze, a television);
# "plant part", "plant organ", "reproductive structure", whose classes are all fruit (a flower or a
# leaf is not seen as an apple); "framework" (a honeycomb and a plate rack for a window).
CATCH_ALL = frozenset(("13809207", "03892891", "00019613", "00031921", "14778436", "03932203", "03248958",
                       "03247620", "07809096", "03570709", "04359589", "04361095", "03738472", "04377057",
                       "13086908", "13087625", "11675842", "03391770"))
# WordNet's names of taxa ("genus rana", "family tytonidae"): no one asks a photo for one.
TAXA = frozenset(("genus", "family", "subfamily", "order", "suborder", "superorder", "class", "subclass",
                  "superfamily", "phylum", "subphylum", "tribe", "division", "kingdom"))
_YOUNG = re.compile(r"(?:a |the )?young (?:of )?(?:domestic |various )?([a-z]+)\b")
FLORA = "00017222"  # plant, flora: its classes (daisy, yellow lady's slipper) are plants seen
# Classes whose photos show some plant though they are none: "pot, flowerpot" ("a container in which
# plants are cultivated"; the eval's potted plant and potted aloe were seen as one). Evidence for a
# query asking for any plant ("a plant"), not for a kind of plant (a sunflower, an oak).
PLANT_HOLDERS = ("03991062",)
INSTRUMENT = "03800933"  # musical instrument: what a song model may or may not hear


def read_nouns() -> tuple[dict[str, list[str]], dict[str, list[str]], set[str], set[str], set[str], set[str]]:
    """synset offset → its lemmas; synset offset → its hypernyms (and instance hypernyms, and for a
    young animal the animal its gloss names); the synsets of physical things (PHYSICAL), of WordNet's
    top categories, of messages shown (communication: a street sign, a web site), and of plants."""
    lemmas: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    physical: set[str] = set()
    tops: set[str] = set()
    shown: set[str] = set()
    plants: set[str] = set()
    grown: list[tuple[str, str]] = []
    for line in (WORDNET / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split(" | ")[0].split()
        offset, count = fields[0], int(fields[3], 16)
        words = [fields[4 + 2 * i].lower().replace("_", " ") for i in range(count)]
        words = [w.split("(")[0] for w in words]  # "crane(n)" markers
        rest = fields[4 + 2 * count:]
        pointers = int(rest[0])
        ups = [rest[1 + 4 * i + 1] for i in range(pointers) if rest[1 + 4 * i] in ("@", "@i")]
        lemmas[offset] = words
        parents[offset] = ups
        if fields[1] in PHYSICAL:
            physical.add(offset)
        if fields[1] == "03":
            tops.add(offset)
        if fields[1] == "10":
            shown.add(offset)
        if fields[1] == "20":
            plants.add(offset)
        young = _YOUNG.match(line.split(" | ", 1)[1]) if fields[1] == "05" and " | " in line else None
        if young:
            grown.append((offset, young.group(1)))
    # "Plant, flora" itself is one of WordNet's top categories, not in its plants' file: the green
    # sense of "a potted plant" (whose commoner sense is a factory, with a sawmill for kin).
    physical.add(FLORA)
    plants.add(FLORA)
    # A young animal is a kind of young mammal to WordNet, not of its kind ("kitten: young domestic
    # cat"): the animal its gloss names is made a parent, so a kitten is judged as a cat.
    first = {name: offsets[0] for name, offsets, _ in senses()}
    for offset, name in grown:
        if first.get(name) in physical and first[name] not in parents[offset]:
            parents[offset].append(first[name])
    return lemmas, parents, physical, tops, shown, plants


def ancestors(offset: str, parents: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [offset]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo += parents.get(node, [])
    return seen


def tag_counts() -> dict[str, dict[str, int]]:
    """lemma → {synset offset: how often WordNet's sense-tagged corpus used the lemma in that sense}
    (cntlist.rev gives each sense by its number in index.noun's order)."""
    order = {}
    for line in (WORDNET / "index.noun").read_text(encoding="latin-1").splitlines():
        if not line.startswith(" "):
            fields = line.split()
            order[fields[0]] = fields[-int(fields[2]):]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (WORDNET / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, number, count = line.split()
        lemma, _, rest = key.partition("%")
        if rest.startswith("1:") and lemma in order and int(number) <= len(order[lemma]):
            counts[lemma.replace("_", " ")][order[lemma][int(number) - 1]] = int(count)
    return counts


def senses() -> list[tuple[str, list[str], list[str]]]:
    """(lemma, its common noun senses' synset offsets, its other senses'): the common ones are those
    seen in WordNet's sense-tagged corpus, or the first (most frequent) when none was, from index.noun."""
    out = []
    for line in (WORDNET / "index.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split()
        count = int(fields[2])
        tagged = int(fields[-count - 1])
        offsets = fields[-count:]
        out.append((fields[0].replace("_", " "), offsets[:max(1, tagged)], offsets[max(1, tagged):]))
    return out


def main(wnids: Path, labels_file: Path) -> None:
    lemmas, parents, physical, tops, shown, plants = read_nouns()
    classes = [w.strip()[1:] for w in wnids.read_text().split() if w.strip()]
    assert len(classes) == 1000, len(classes)
    covers: dict[str, set[int]] = defaultdict(set)  # synset → the classes at or under it
    for index, offset in enumerate(classes):
        for node in ancestors(offset, parents):
            covers[node].add(index)
    class_index = {offset: i for i, offset in enumerate(classes)}
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    below: dict[str, int] = defaultdict(int)  # synset → the kinds of thing at or under it
    for offset in lemmas:
        for node in ancestors(offset, parents):
            below[node] += 1
    nodes: dict[frozenset[int], int] = {}
    exact: dict[str, int] = {}
    unjudged: list[str] = []
    unseeable: list[str] = []  # things a photo can show that ImageNet has no class or kin for
    unseen_plants: list[str] = []  # plants, which it has two classes for (daisy, lady's slipper)
    any_plant: list[str] = []  # words with kin that also ask for any plant, in a common sense ("plant")
    named = defaultdict(set)  # a class's name as the index shows it ("sink", "rooster") → the class
    for index, label in enumerate(labels):
        named[label.split(" (")[0].lower()].add(index)
    counts = tag_counts()
    for name, common, rare in senses():
        if len(name.split()) > MAX_WORDS or not name.replace(" ", "").replace("-", "").isalpha():
            continue
        seen: set[int] = set()
        thing = False  # a physical thing (not a person) in one of its common senses
        plant = False  # … a plant
        person = {o for o in [*common, *rare] if any(p in ancestors(o, parents) for p in PEOPLE)}
        said = counts.get(name, {})
        # A word people use for a person far more often than for a thing names one: "kids playing"
        # are no young goats (53 to 0 in WordNet's tagged corpus), while a tiger is a big cat as
        # often as a fierce person (1 to 1).
        as_person = sum(said.get(o, 0) for o in person)
        as_thing = sum(said.get(o, 0) for o in [*common, *rare] if o in physical and o not in person)
        if as_person >= PERSON_RATIO * (as_thing + 1):
            continue
        someone = bool(person & set(common))  # a baby, an old man: no thing to say it is not
        # A rarer sense that is an ImageNet class counts too where WordNet's common sense is the plant
        # (the pineapple people photograph is the fruit) or the class bears the very name (a library
        # as a building); not a notebook computer for a notebook, nor a bird for a kite.
        fruit = [o for o in rare if o in physical and o in class_index
                 and (any(c in plants for c in common) or labels[class_index[o]].lower() == name)]
        for offset in [*common, *fruit]:
            if offset in person:
                continue
            if offset not in physical:
                # A message shown (a street sign, a web page) is a "sign" in WordNet's sense of
                # communication: judged by the classes near under it; its ancestors are ideas.
                seen |= {c for c in covers.get(offset, ()) if offset in shown
                         and distances(classes[c], parents).get(offset, NEAR + 1) <= NEAR}
                continue
            thing = thing or offset in common
            plant = plant or (offset in common and offset in plants)
            group = _kin(offset, parents, covers, tops, below)
            if group is not None:
                seen |= covers[group]
        if seen:
            # A word judged by its common senses is also seen in the classes its rarer senses are (a
            # computer mouse for "a mouse"; a sea turtle for "a turtle", a mountain bike for "a bike",
            # whose first senses, untagged, are a turtleneck and a motorbike): a photo of one is no
            # photo of something else. (Not where the common senses give no verdict: the notebook computer
            # would then judge every paper notebook; nor a sense wider than MAX_CLASSES.)
            seen |= {c for o in rare if o in physical and o not in person
                     and len(covers.get(o, ())) <= MAX_CLASSES for c in covers.get(o, ())}
        if thing and not someone:
            # The class the index shows by this very name is one (ImageNet's washbasin, which it
            # calls a sink; its "adult male bird", a rooster), for a word that names a thing.
            seen |= named.get(name, set())
        if seen:
            exact[name] = nodes.setdefault(frozenset(seen), len(nodes))
            if FLORA in common:  # "plant": a factory (a sawmill's kin), and any green thing
                any_plant.append(name)
        elif thing and not someone and name.split()[0] not in TAXA:
            (unseen_plants if plant else unseeable).append(name)
        elif " " in name:
            unjudged.append(name)
    # Names of several words that give no verdict, though a word of theirs does: read whole, so that a
    # circuit board is not judged as a circuit and a board, nor a painting's starry night as a night.
    unjudged = [name for name in unjudged if any(word in exact for word in name.split())]
    instruments = sorted({name for offset, names in lemmas.items() if INSTRUMENT in ancestors(offset, parents)
                          for name in names if name.replace(" ", "").isalpha() and len(name.split()) <= MAX_WORDS})
    plurals = {}
    instrument_names = set(instruments)
    for line in (WORDNET / "noun.exc").read_text(encoding="latin-1").splitlines():
        inflected, base = line.split()[:2]
        inflected, base = inflected.replace("_", " "), base.replace("_", " ")
        if base in exact or base in instrument_names:
            plurals[inflected] = base
    notice = NOTICE.read_text().split("License: WordNet3.0", 1)[1].split("\n\nFiles:", 1)[0]
    out = {
        "about": "Which ImageNet-1k classes (by index) each noun covers, from WordNet 3.0 "
                 "(models/dev/make_picture_words.py). WordNet's licence:" + notice,
        "labels": labels,
        "groups": [sorted(group) for group, _ in sorted(nodes.items(), key=lambda kv: kv[1])],
        "words": dict(sorted(exact.items())),
        "plurals": dict(sorted(plurals.items())),
        "unjudged": sorted(unjudged),
        "unseeable": sorted(unseeable),
        "plants": sorted(unseen_plants),
        "plant_labels": sorted(labels[i] for i in covers[FLORA]),
        "any_plant": sorted(any_plant),
        "plant_holders": sorted(labels[class_index[o]] for o in PLANT_HOLDERS),
        "instruments": instruments,
    }
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(exact)} words, {len(nodes)} class groups, "
          f"{OUT.stat().st_size / 1e6:.2f} MB")


def _kin(offset: str, parents: dict[str, list[str]], covers: dict[str, set[int]], tops: set[str],
         below: dict[str, int]) -> str | None:
    """The synset whose classes are the thing's kin: the narrowest of its ancestors (itself included)
    covering at least MIN_CLASSES classes, or the widest covering at most MAX_CLASSES when the next
    is wider; never a catch-all (WordNet's top categories: "natural object" holds fruit and stones
    alike). The classes a picture of the thing could be taken for and still be about it (a robin
    seen as a brambling is a bird seen; a giraffe seen as a hound is not)."""
    own = len(covers.get(offset, ()))
    if own > MAX_CLASSES:
        return offset  # a thing ImageNet covers widely (dog: 118 breeds) is judged by its own classes
    kin = sorted((len(covers[node]), node) for node in ancestors(offset, parents)
                 if covers.get(node) and node not in tops and node not in CATCH_ALL
                 and len(covers[node]) >= COVERED * below[node])
    # A kind of a thing ImageNet covers widely is judged by that thing's classes (a puppy, a young dog,
    # by the 118 breeds of dog), as the thing itself is.
    wide = sorted((len(covers[up]), up) for up in parents.get(offset, [])
                  if MAX_CLASSES < len(covers.get(up, ())) <= WIDEST and up not in tops and up not in CATCH_ALL)
    if not own and wide:
        return wide[0][1]
    # Fewer kin than MIN_CLASSES only from the thing itself or a near ancestor (a tennis racket is a
    # racket): a painting is no comic book, its one kin under "creation", nor a circuit board a
    # microphone, nor grass a daisy.
    steps = distances(offset, parents)
    kin = [(size, node) for size, node in kin if size >= MIN_CLASSES or steps[node] <= NEAR]
    for size, node in kin:
        if size >= MIN_CLASSES:
            return node if size <= MAX_CLASSES else max((n for n in kin if n[0] <= MAX_CLASSES), default=(0, None))[1]
    return kin[-1][1] if kin and kin[-1][0] <= MAX_CLASSES else None


def distances(offset: str, parents: dict[str, list[str]]) -> dict[str, int]:
    """Each ancestor's fewest hypernym steps up from ``offset`` (itself 0)."""
    steps = {offset: 0}
    todo = [offset]
    while todo:
        node = todo.pop(0)
        for up in parents.get(node, []):
            if up not in steps:
                steps[up] = steps[node] + 1
                todo.append(up)
    return steps


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
