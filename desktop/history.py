"""Back and Forward across what the window showed: searches, similar-lists, chosen files, the map.

A place is what it takes to show a view again (the query and filters, the file whose look-alikes
were shown, the files chosen on the map); going back shows it again, as a browser would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nearby.core.search.hits import SearchHit

# Places kept behind the current one; a person rarely goes back further, and each is small.
HISTORY_LIMIT = 100


@dataclass(frozen=True)
class Place:
    """One view the window showed."""

    what: str  # "search" (or browsing, with no query), "similar", "files" (a lasso's) or "map"
    query: str = ""
    kind: str | None = None  # the kind filter at the time
    source: SearchHit | None = None  # "similar": the file whose look-alikes were shown
    files: tuple[SearchHit, ...] = field(default_factory=tuple)  # "files": the files chosen
    caption: str = ""


class History:
    """A list of places and where in it the window is."""

    def __init__(self) -> None:
        self._places: list[Place] = []
        self._chosen: list[str | None] = []  # the file chosen at each place, chosen again on return
        self._at = -1

    @property
    def chosen(self) -> str | None:
        """The file that was chosen at the current place, if any."""
        return self._chosen[self._at] if self._at >= 0 else None

    def note_chosen(self, path: str) -> None:
        if self._at >= 0:
            self._chosen[self._at] = path

    @property
    def current(self) -> Place | None:
        return self._places[self._at] if self._at >= 0 else None

    def visit(self, place: Place) -> None:
        """A new place: forward history is dropped; the same place twice is kept once."""
        if place == self.current:
            return
        # A search typed word by word replaces the one before instead of adding a step per word.
        current = self.current
        if current is not None and current.what == place.what == "search" and current.kind == place.kind \
                and place.query.startswith(current.query) and current.query:
            self._places[self._at] = place
            del self._places[self._at + 1:]
            del self._chosen[self._at + 1:]
            return
        del self._places[self._at + 1:]
        del self._chosen[self._at + 1:]
        self._places.append(place)
        self._chosen.append(None)
        if len(self._places) > HISTORY_LIMIT:
            del self._places[0]
            del self._chosen[0]
        self._at = len(self._places) - 1

    def can_go_back(self) -> bool:
        return self._at > 0

    def can_go_forward(self) -> bool:
        return self._at < len(self._places) - 1

    def back(self) -> Place | None:
        if not self.can_go_back():
            return None
        self._at -= 1
        return self._places[self._at]

    def forward(self) -> Place | None:
        if not self.can_go_forward():
            return None
        self._at += 1
        return self._places[self._at]
