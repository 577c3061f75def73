"""A library with planted topics, for suggestions: short notes on five subjects, each note a few
sentences drawn from its subject's own phrases (seeded: the same notes every run)."""

from __future__ import annotations

import random
from pathlib import Path

TOPICS = {
    "garden": ["the tomato seedlings need staking", "compost the autumn leaves", "prune the roses in March",
               "the raised bed by the fence", "sow runner beans after the frost", "slugs ate the lettuce",
               "water the greenhouse every morning", "dig in well-rotted manure", "divide the perennials"],
    "stars": ["Jupiter rose above the horizon", "the telescope's mirror needs collimating",
              "a meteor shower peaks in August", "the Andromeda galaxy through binoculars",
              "Saturn's rings were tilted", "light pollution hides the Milky Way", "the eclipse of the moon",
              "a red giant star in Orion", "track the comet's tail"],
    "money": ["the mortgage rate went up", "file the tax return by April", "move savings to an index fund",
              "the pension contribution doubled", "the credit card statement", "a budget for the household",
              "dividends from the shares", "the bank charged an overdraft fee", "inflation eroded the savings"],
    "football": ["the striker scored a penalty", "the goalkeeper saved a header", "a red card in extra time",
                 "the league table after twenty games", "the coach changed the formation",
                 "a corner kick into the box", "the derby ended in a draw", "the transfer window closes",
                 "the referee checked the video replay"],
    "kitchen": ["simmer the onions until soft", "knead the bread dough", "a pinch of saffron in the rice",
                "roast the chicken with lemon", "whisk the egg whites stiff", "the soup needs more salt",
                "bake the cake at 180 degrees", "marinate the lamb overnight", "chop the coriander finely"],
}


def write_topic_notes(folder: Path, per_topic: int = 12, seed: int = 29) -> dict[str, str]:
    """Notes ``<topic>-NN.txt``; returns file name → topic."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth = {}
    for topic, phrases in TOPICS.items():
        for number in range(per_topic):
            name = f"{topic}-{number:02}.txt"
            (folder / name).write_text(". ".join(p.capitalize() for p in rng.sample(phrases, 3)) + ".")
            truth[name] = topic
    return truth
