"""Did the song model hear what the query asks for? The query's instruments and things, as tags.

A song reaches a typed query through its tags' names ("Sounds like piano, slow, solo"): every song
is a little like "jazz saxophone music", and the one whose tags are nearest scored as a good match
although the song model (MagnaTagATune's 50 tags) has no word for a saxophone. So a query naming an
instrument is judged by the song's tags: heard when a tag names it or its family (a violin is heard
as "violin" or "strings"), never when no tag could (saxophone, trumpet, organ); and a query about a
thing no song can be heard to be about ("a song about the sea": the sea, to WordNet, is a thing a
picture may show) finds no song a good match. Moods, genres and tempos ("calm", "rock", "fast")
give no verdict: the song keeps its score.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from nearby.core.search.picture_words import DATA, query_things
from nearby.core.search.why import STOP_WORDS
from nearby.models.catalog import MTT_TAGS

_WORD = re.compile(r"[a-z]+")
# Instruments → the MagnaTagATune tags that hear them (models/catalog.py MTT_TAGS).
HEARD: dict[str, frozenset[str]] = {
    "guitar": frozenset(("guitar",)), "piano": frozenset(("piano",)), "harpsichord": frozenset(("harpsichord",)),
    "violin": frozenset(("violin", "strings")), "fiddle": frozenset(("violin", "strings")),
    "viola": frozenset(("strings",)), "cello": frozenset(("cello", "strings")), "strings": frozenset(
        ("strings", "violin", "cello", "harp")), "harp": frozenset(("harp",)), "flute": frozenset(("flute",)),
    "sitar": frozenset(("sitar",)), "drum": frozenset(("drums", "beat", "beats")),
    "drums": frozenset(("drums", "beat", "beats")), "synthesizer": frozenset(("synth", "electronic")),
    "synth": frozenset(("synth", "electronic")),
}
# Words of the query about the music itself (its genre, mood, voice: the tags, and genres they lack),
# never things a song is about ("rock" is a genre here, not a stone; "house" a genre, not a building).
MUSIC = frozenset((*(word for tag in MTT_TAGS for word in tag.split()), "song", "songs", "music", "track",
                   "tracks", "tune", "tunes", "sound", "sounds", "album", "record", "recording", "piece", "melody",
                   "band", "playlist", "instrument", "instruments", "jazz", "blues", "reggae", "folk", "soul",
                   "punk", "hip", "hop", "rap", "house", "disco", "funk", "gospel", "swing", "lullaby", "lounge",
                   "chill", "rhythm", "bass", "guitarist", "pianist", "singer", "orchestra", "symphony", "concert",
                   "waltz", "march", "carol", "anthem", "ballad", "hymn"))


@dataclass(frozen=True)
class Heard:
    """What a query asks a song to sound like: instruments (each with the tags that hear it; none
    for one no tag can) and things no song can be heard to be about."""

    instruments: tuple[tuple[str, frozenset[str]], ...]
    things: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return (*(word for word, _ in self.instruments), *self.things)


@cache
def _instruments() -> frozenset[str]:
    return frozenset(json.loads(DATA.read_text(encoding="utf-8")).get("instruments", ())) if DATA.is_file() \
        else frozenset()


def query_heard(query: str) -> Heard | None:
    """The instruments and things a query asks a song to sound like, or None (no verdict)."""
    tokens = [t for t in _WORD.findall(query.lower()) if t not in STOP_WORDS]
    instruments = []
    for token in tokens:
        word = token if token in HEARD or token in _instruments() else token.rstrip("s")
        if word in HEARD or word in _instruments():
            instruments.append((word, HEARD.get(word, frozenset())))
    named = {word for word, _ in instruments}
    rest = [t for t in tokens if t not in MUSIC and t not in named and t.rstrip("s") not in named]
    pictured = query_things(" ".join(rest)) if rest and not instruments else None
    things = (*pictured.words, *pictured.unseeable) if pictured is not None else ()
    if not instruments and not things:
        return None
    return Heard(tuple(instruments), tuple(things))


def heard(request: Heard, tags: list[str]) -> bool:
    """Whether the song model heard the query in a song (its top tags): any of its instruments,
    when it names some (the rest of it is the music's genre or mood); never, for a query about
    things alone."""
    return any(hearing & set(tags) for _, hearing in request.instruments)
