"""The grammar of concept arithmetic: terms joined by + and -, each optionally weighted.

    king - man + woman
    Paris - France + Italy
    "beach.jpg" + snow - 2:summer
    0.5:./holiday/beach.jpg + "ice cream"

An operator counts only with spaces on both sides (or at the very start): ``-word`` glued to a
word keeps its plain-search meaning, "must not contain". A term is a word, several words (a
phrase), a "quoted phrase or file name", or a path (``/…``, ``~/…``, ``./…``, ``../…``). A
weight is ``W:`` in front of a term, a positive number; ``-`` subtracts, there are no negative
weights. Which quoted names are files is decided later, against the library.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from nearby.core.errors import BadRequest

# Longer expressions are refused: nobody types them, and each term costs an embedding.
MAX_EXPRESSION_CHARS = 1000
MAX_TERMS = 24
MAX_WEIGHT = 100.0
# Smaller weights are refused: 1e-320 underflows to nothing, and a term weighed 1/1000 of the
# others changes no answer anyway.
MIN_WEIGHT = 0.001
OPERATORS = {"+": 1, "-": -1, "−": -1}  # the typographic minus too
# An operator with white space on both sides, or one at the very start followed by white space.
_SPLIT = re.compile(r"(?:(?<=\s)|^)([+\-−])(?=\s)")
_DANGLING = re.compile(r"(?:^|\s)([+\-−])$")
_WEIGHT = re.compile(r"^\s*([^\s:\"]+):(?!/)")  # "2:snow", "0.5:./x.jpg"; not "C:/…" paths
_PATH_START = ("/", "~/", "./", "../", "~")


class ExpressionError(BadRequest):
    """An arithmetic expression that cannot be read; the message says what was expected where."""


@dataclass(frozen=True)
class Term:
    """One term: its text (a word, phrase, quoted name or path), weight and sign (+1 or -1)."""

    text: str
    weight: float = 1.0
    sign: int = 1
    quoted: bool = False  # written in quotes: a phrase, or the name of a file in the library

    @property
    def looks_like_path(self) -> bool:
        return self.text.startswith(_PATH_START)

    @property
    def signed_weight(self) -> float:
        return self.sign * self.weight


def is_expression(text: str) -> bool:
    """True when the text uses arithmetic: an operator with spaces around it (or a leading one)."""
    return bool(_SPLIT.search(text.strip()))


def parse_expression(text: str) -> list[Term]:
    """Read an expression into its terms.

    Raises:
        ExpressionError: empty terms, a dangling operator, a bad weight, a stray quote, or an
            expression too long; the message names the place.
    """
    text = text.strip()
    if not text:
        raise ExpressionError("The expression is empty: type terms joined by + and -, e.g. king - man + woman.")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"The expression is {len(text):,} characters long; at most {MAX_EXPRESSION_CHARS:,} "
                              "are read. Shorten it.")
    dangling = _DANGLING.search(text)
    if dangling:
        raise ExpressionError(f"The expression ends with '{dangling.group(1)}' (character {len(text)}): "
                              "put a word, phrase or file after it.")
    pieces = _SPLIT.split(text)
    terms: list[Term] = []
    sign, position = 1, 0
    if pieces and pieces[0].strip() == "" and len(pieces) > 1:
        pieces = pieces[1:]  # a leading operator: its sign belongs to the first term
        sign = OPERATORS[pieces[0]]
        position = len(pieces[0])
        pieces = pieces[1:]
    for index, piece in enumerate(pieces):
        if index % 2 == 1:  # an operator
            sign = OPERATORS[piece]
            position += len(piece)
            continue
        if not piece.strip():
            where = "at the start" if position == 0 else f"after character {position}"
            raise ExpressionError(f"Expected a word, phrase or file {where}, but found nothing: "
                                  "every + or - needs a term on both sides.")
        terms.append(_term(piece, sign, position))
        position += len(piece)
    if len(terms) > MAX_TERMS:
        raise ExpressionError(f"The expression has {len(terms)} terms; at most {MAX_TERMS} are used.")
    return terms


def _term(piece: str, sign: int, position: int) -> Term:
    weight = 1.0
    body = piece.strip()
    match = _WEIGHT.match(body)
    if match:
        weight = _weight(match.group(1), position)
        body = body[match.end():].strip()
        if not body:
            raise ExpressionError(f"Expected a word, phrase or file after the weight {match.group(1)}: "
                                  f"(character {position + 1}).")
    quoted = body.startswith('"')
    if quoted:
        if len(body) < 2 or not body.endswith('"') or body.count('"') != 2:
            raise ExpressionError(f"A quote opened at character {position + piece.index(chr(34)) + 1} is not "
                                  'closed where the term ends: write "a phrase" or "file name.jpg".')
        body = body[1:-1].strip()
        if not body:
            raise ExpressionError(f'Empty quotes at character {position + 1}: put a phrase or a file name inside.')
    elif '"' in body:
        raise ExpressionError(f"A stray quote in the term {body!r} (character {position + 1}): quote whole terms.")
    return Term(" ".join(body.split()), weight, sign, quoted)


def _weight(raw: str, position: int) -> float:
    try:
        weight = float(raw)
    except ValueError:
        raise ExpressionError(f"{raw!r} before ':' (character {position + 1}) is not a number; write a weight "
                              "like 2:snow or 0.5:./beach.jpg.") from None
    if not math.isfinite(weight) or weight < MIN_WEIGHT or weight > MAX_WEIGHT:
        raise ExpressionError(f"The weight {raw} (character {position + 1}) must be a number above 0 (at least "
                              f"{MIN_WEIGHT:g}) and at most {MAX_WEIGHT:g}; to subtract a term, write - before it.")
    return weight
