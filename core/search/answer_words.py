"""Answer words concept arithmetic does not offer unless the person typed them.

Word vectors learned from the web carry its prejudices: flipping the signs of `king - man + woman`
answered "black person" and "dead person". An answer is left out when it is a slur, or a phrase
that labels people by who they are or by death ("black person", "dead man") — unless the expression
itself holds that word (a person asking about death gets answers about death). Words alone that
name colours, places or peoples ("black", "jewish", "french") stay: they answer real questions
(`Paris - France + Italy`); it is the pairing with a person that turns them into a label.
"""

from __future__ import annotations

from collections.abc import Iterable


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Nouns for a person: a phrase joining one with a word below labels people.
PERSON = _set("person people man men woman women boy boys girl girls child children guy guys kid kids "
              "baby babies lady ladies gentleman folk folks")
# Who someone is (race, ethnicity, religion, sexuality, disability, body) or their death.
IDENTITY = _set("black white brown yellow red asian african arab arabic indian jewish jew jews muslim "
                "christian catholic hindu gay lesbian queer trans transgender disabled handicapped blind deaf "
                "crippled fat ugly obese poor illegal foreign immigrant negro colored coloured mixed "
                "dead dying killed murdered drowned suicidal")
DEATH = _set("dead death die died dies dying kill killed killing murder murdered murders suicide corpse corpses "
             "corpse-like slain slaughtered")
# Slurs: never offered unless typed (a short list of the common English ones; the check is by token).
SLURS = _set("nigger nigga negro kike spic chink gook wetback faggot fag dyke tranny retard retarded "
             "cripple raghead towelhead coon darkie paki gypsy")


def offered(answer: str, typed: Iterable[str]) -> bool:
    """Whether an answer word or phrase may be shown for an expression whose words are ``typed``."""
    said = {t.lower() for t in typed}
    words = [w for w in answer.lower().replace("-", " ").split() if w]
    unsaid = [w for w in words if w not in said]
    if any(w in SLURS for w in unsaid):
        return False
    if any(w in DEATH for w in unsaid):
        return False
    return not (any(w in PERSON for w in words) and any(w in IDENTITY for w in unsaid))
