"""The `nearby arithmetic`, `nearby compare` and `nearby vocabulary` commands.

    nearby arithmetic "king - man + woman"              # words, then files
    nearby arithmetic '"beach.jpg" + snow - summer' --kind image --json
    nearby compare cat dog                              # one score in [0, 1]
    nearby compare ./a.pdf ./b.docx --json              # and the passages that agree most
    printf 'king - man + woman\\nParis - France + Italy\\n' | nearby arithmetic - --json

With ``-`` instead of the expression (or pair), one expression (one tab-separated pair) is read
per line from standard input and one JSON object written per line, so thousands are evaluated
in one process; a line that fails gives {"expression" or "a"/"b", "error"} and the rest go on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from nearby.core.cli.output import printable
from nearby.core.cli.progress import every_tenth
from nearby.core.errors import NearbyError
from nearby.core.kinds import KINDS
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.arithmetic import ArithmeticResult, Comparison
from nearby.models.locate import INSTALL_COMMAND

WORDS_DEFAULT = 10


def add_commands(sub: Any) -> None:
    p = sub.add_parser("arithmetic", help='concept arithmetic: "king - man + woman", "photo.jpg + snow - summer"')
    p.add_argument("expression", help="terms joined by + and - (weights as 2:term); - reads one per line from stdin")
    p.add_argument("-k", type=int, default=10, help="number of files (default 10; 0 for words only)")
    p.add_argument("--words", type=int, default=WORDS_DEFAULT, help=f"number of words (default {WORDS_DEFAULT})")
    p.add_argument("--kind", choices=KINDS, help="only files of this kind")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("compare", help="how close two words, phrases or files are")
    p.add_argument("a", help="a word, phrase or file; - reads tab-separated pairs from stdin")
    p.add_argument("b", nargs="?", help="a word, phrase or file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("vocabulary", help="prepare concept arithmetic's word answers (once, about a minute)")


def run(args: argparse.Namespace, library: Library) -> int | None:
    """Run one of these commands, or return None when the command is not one of them."""
    if args.command == "arithmetic":
        if args.k < 0 or args.words < 0:
            print("nearby: -k and --words must be 0 or more", file=sys.stderr)
            return 2
        _prepare_words(library)
        def one(expr: str) -> ArithmeticResult:
            return library.arithmetic(expr, args.k, args.words, args.kind)
        if args.expression == "-":
            return _stream(lambda line: one(line).to_json(), lambda line: {"expression": line})
        _print_arithmetic(one(args.expression), args.json, sys.stdout)
        return 0
    if args.command == "compare":
        if args.a == "-":
            return _stream(lambda line: library.compare(*_pair(line)).to_json(), _pair_json)
        if args.b is None:
            print("nearby: compare needs two things: nearby compare A B (or - to read pairs)", file=sys.stderr)
            return 2
        _print_comparison(library.compare(args.a, args.b), args.json, sys.stdout)
        return 0
    if args.command == "vocabulary":
        _prepare_words(library, announce=True)
        return 0
    return None


def _prepare_words(library: Library, announce: bool = False) -> None:
    """Make the text model's vectors of the vocabulary if they are not there yet (once)."""
    words = library.words
    if not words.available():
        if announce:
            raise NearbyError(f"The word vectors are not installed; run `{INSTALL_COMMAND}`.")
        return
    if words.prepared():
        if announce:
            print("the vocabulary is ready", file=sys.stderr)
        return
    run_to_end(words.prepare(), every_tenth("preparing word answers (once)"))


def _pair(line: str) -> tuple[str, str]:
    parts = line.split("\t")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise NearbyError("expected two things separated by one tab")
    return parts[0].strip(), parts[1].strip()


def _pair_json(line: str) -> dict[str, Any]:
    parts = line.split("\t")
    return {"a": parts[0], "b": parts[1] if len(parts) > 1 else None}


def _stream(answer: Callable[[str], dict[str, Any]], failed: Callable[[str], dict[str, Any]]) -> int:
    """One answer per line of standard input, as one JSON object per line."""
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        try:
            out = answer(line)
        except NearbyError as exc:
            out = {**failed(line), "error": str(exc)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _print_arithmetic(result: ArithmeticResult, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    for note in result.notes:
        print(f"nearby: {note}", file=sys.stderr)
    if result.words:
        out.write("words: " + ", ".join(f"{w} ({s:.2f})" for w, s in result.words) + "\n")
    for rank, found in enumerate(result.results, 1):
        hit = found.hit
        why = "  ".join(f"{printable(term)} {sim:+.2f}" for term, sim in found.contributions)
        out.write(f"{rank:>2}. {hit.score:.3f}  {hit.kind:<8} {printable(hit.path)}\n    {why}\n")
    if not result.results and not result.words:
        out.write("no results\n")


def _print_comparison(result: Comparison, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    out.write(f"{result.score:.3f}  {printable(result.a)}  ~  {printable(result.b)}\n")
    for a, b, sim in result.agreements:
        out.write(f"  {sim:.2f}  {a[:70]!r}\n        {b[:70]!r}\n")
