"""The `nearby` command: index, search, similar, status, skipped.

Output for people goes to stdout; progress and messages go to stderr, so `--json` output can
be piped. Exit codes: 0 ok, 1 a Nearby error (the message says how to fix it), 2 bad usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from nearby.core.cli import arithmetic as cli_arithmetic
from nearby.core.cli import filters as cli_filters
from nearby.core.cli import map as cli_map
from nearby.core.cli import models as cli_models
from nearby.core.cli.output import printable, tolerant_streams
from nearby.core.cli.progress import IndexProgressPrinter, interrupt_cancels
from nearby.core.cli.status import print_status
from nearby.core.cli.warm_start import command_of
from nearby.core.errors import BadRequest, NearbyError, explain_storage_failure
from nearby.core.files import exists
from nearby.core.inference.text_embedder import Embedder, as_unicode
from nearby.core.kinds import KINDS
from nearby.core.library import Library
from nearby.core.library_file import LIBRARY_ENV, default_library_path
from nearby.core.library_status import decoder_advice, needs_decoder
from nearby.core.logfile import configure_logging
from nearby.core.privacy import private_by_default
from nearby.core.progress import CancelToken, run_to_end
from nearby.core.search.duplicates import DuplicateGroup
from nearby.core.search.hits import SearchHit
from nearby.core.search.query import parse_query
from nearby.core.search.taste import LESS, LIKE
from nearby.core.version import version


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nearby", description="Find your own files by what they mean, offline.")
    parser.add_argument("--version", action="version", version=f"nearby {version()}")
    parser.add_argument("--library", type=Path, default=None,
                        help=f"library file (default: ${LIBRARY_ENV}, else {default_library_path()})")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="index folders or files (recursive, incremental)")
    p.add_argument("paths", nargs="*", type=Path, help="folders or files; none = every folder indexed before")
    p = sub.add_parser("search", help="search by meaning")
    p.add_argument("query", nargs="?", help='words; "exact phrases"; -words to leave out (quote the whole query)')
    _result_options(p)
    p.add_argument("--all", action="store_true",
                   help="every result, weaker matches too (by default only good matches: score ≥ min_score)")
    p.add_argument("--dash-word", dest="dash_words", action="append", default=[], help=argparse.SUPPRESS)
    p = sub.add_parser("similar", help="files most like an indexed file (pictures: look-alikes), or like "
                       "several together (the mean of their vectors)")
    p.add_argument("path", type=Path, nargs="+", metavar="PATH")
    _result_options(p, with_kind=False)
    p = sub.add_parser("status", help="what the library holds and how it runs")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("skipped", help="files that could not be indexed, and why")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("like", help="mark files you like: `nearby suggest` finds more like them")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--less", action="store_true", help='mark them "less like this" instead: not suggested, '
                                                       "nor files much like them")
    p = sub.add_parser("unlike", help="take the mark (like, or less like this) off files")
    p.add_argument("paths", nargs="+", type=Path)
    p = sub.add_parser("likes", help="the files you liked, newest first")
    p.add_argument("--less", action="store_true", help='the files marked "less like this" instead')
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("suggest", help="files close to what you liked, not liked yet (for you)")
    p.add_argument("-k", type=int, default=10, help="number of suggestions (default 10)")
    p.add_argument("--kind", choices=KINDS, help="only suggestions of this kind")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p = sub.add_parser("duplicates", help="files that are the same thing twice (copies, resized photos, re-saved "
                                          "documents, re-encoded songs), in groups, with which to keep")
    p.add_argument("--kind", choices=KINDS, help="only this kind of file")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("watch", help="keep the library up to date as files change, until Ctrl-C")
    p.add_argument("folders", nargs="*", type=Path, help="folders to watch (default: every folder of the library)")
    p = sub.add_parser("remove", help="remove a folder from the library (its files are not touched)")
    p.add_argument("folder", type=Path)
    p = sub.add_parser("self-test", help="index the sample collection in a throw-away library and check the answers")
    p.add_argument("--sample", type=Path, help="the sample folder (default: the one shipped with Nearby)")
    cli_arithmetic.add_commands(sub)
    cli_map.add_command(sub)
    cli_models.add_command(sub)
    return parser


NOTHING_CLOSEST = 3  # weaker matches offered when nothing matches well


def _result_options(p: argparse.ArgumentParser, with_kind: bool = True) -> None:
    p.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    if with_kind:
        p.add_argument("--kind", choices=KINDS, help="only results of this kind")
    cli_filters.add_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON array")


def main(argv: Sequence[str] | None = None, embedder: Embedder | None = None) -> int:
    """The CLI. ``embedder``: the library's text model, already loading (see core/warm_start.py).

    Never a traceback: Nearby's errors are their message (exit 1; 2 for what the arguments ask
    that cannot be done), a fault of the library file is explained, and anything else is one
    line here with the details in the log file.
    """
    tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(_query_words_first(list(sys.argv[1:] if argv is None else argv)))
    if args.command == "search":
        args.query = as_unicode(" ".join(q for q in (args.query, *args.dash_words) if q))
        if not args.query.strip():
            parser.error("search needs a query: nearby search 'notes about the budget'")
        if not parse_query(args.query).text_for_meaning.strip():
            parser.error(f"{args.query!r} only says what to leave out; add words to look for: "
                         f"nearby search 'licence {args.query}'")
    private_by_default()
    if args.command == "self-test":  # its own throw-away library, not the person's; no log file either
        from nearby.core.selftest import run_self_test

        return 0 if run_self_test(args.sample) else 1
    log_file = configure_logging()
    library: Library | None = None
    try:
        library = Library(args.library, embedder=embedder)
        return _run(args, library)
    except BadRequest as exc:
        print(f"nearby: {exc}", file=sys.stderr)
        return 2
    except NearbyError as exc:
        print(f"nearby: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nearby status | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last net: one line, the details in the log
        explained = explain_storage_failure(exc, library.path if library else args.library)
        if explained is not None:
            print(f"nearby: {explained}", file=sys.stderr)
            return 1
        logging.getLogger(__name__).exception("nearby %s failed", args.command)
        print(f"nearby: {args.command} failed unexpectedly ({type(exc).__name__}: {printable(str(exc))[:300]}). "
              f"Nothing in the library was lost; the details are in {log_file}. Please report this.",
              file=sys.stderr)
        return 1
    finally:
        if library is not None:
            library.close()


# Options of `search` that take a value: a -word right after one of them is its value, not a query word.
_VALUED = frozenset({"-k", "--kind", "--folder", "--type", "--after", "--before", "--library"})
_DASH_WORD = re.compile(r"-[^\W\d_][\w.@#/'-]+")


def _query_words_first(argv: list[str]) -> list[str]:
    """`nearby search garden -draft` as a person means it: -words after `search` that are no
    option of its own are words to leave out, part of the query (argparse would refuse them as
    unknown options, or read -kitchen as -k itchen). They travel in --dash-word."""
    if command_of(argv) != "search":
        return argv
    out, after, previous = [], False, ""
    for arg in argv:
        if arg == "--":
            after = False  # what follows is positional anyway
        if after and previous not in _VALUED and _DASH_WORD.fullmatch(arg) and arg not in ("-k", "-h"):
            out.append(f"--dash-word={arg}")
        else:
            out.append(arg)
        after = after or arg == "search"
        previous = arg
    return out


def _run(args: argparse.Namespace, library: Library) -> int:
    for extra in (cli_arithmetic, cli_map, cli_models):
        done = extra.run(args, library)
        if done is not None:
            return done
    if args.command == "index":
        return _index(library, args.paths)
    if args.command in ("search", "similar"):
        if args.k < 1:
            print("nearby: -k must be at least 1", file=sys.stderr)
            return 2
        filters = cli_filters.filters_from(args)
        if args.command == "similar":
            _print_hits(library.similar(args.path, args.k, filters), args.json, sys.stdout)
            return 0
        hits = library.search(args.query, args.k, args.kind, filters=filters)
        if args.all:
            _print_hits(hits, args.json, sys.stdout)
            return 0
        good = [h for h in hits if h.score >= library.settings.min_score]
        weaker = len(hits) - len(good)
        _print_hits(good, args.json, sys.stdout, closest=[] if good or args.json else hits[:NOTHING_CLOSEST])
        if weaker and (good or args.json):
            sys.stdout.flush()  # the note follows the results, also where both go to one pipe
            print(f"({weaker} weaker match{'es' if weaker != 1 else ''} not shown: `nearby search --all` shows them)",
                  file=sys.stderr)
        return 0
    if args.command == "watch":
        return _watch(library, args.folders)
    if args.command == "remove":
        removed = library.remove_folder(args.folder)
        print(f"removed {args.folder} from the library ({removed} files forgotten; the files themselves are untouched)",
              file=sys.stderr)
        return 0
    if args.command == "status":
        print_status(library.status(), args.json)
        return 0
    if args.command in ("like", "unlike", "likes", "suggest"):
        return _taste(library, args)
    if args.command == "duplicates":
        _print_duplicates(library.duplicates(args.kind), args.json)
        return 0
    failures = library.failures()
    if args.json:
        print(json.dumps([{"path": p, "reason": r, "needs_decoder": needs_decoder(r)} for p, r in failures],
                         indent=2))
    else:
        for path, reason in failures:
            print(f"{printable(path)}\n    {reason}")
        advice = decoder_advice(failures)
        if advice:
            print(f"\n{advice}")
    return 0


def _index(library: Library, paths: list[Path]) -> int:
    # A file or folder gone since it was indexed is brought up to date (removed), not refused.
    missing = [p for p in paths if not exists(p) and not library.holds(p)]
    if missing:
        print(f"nearby: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    roots: list[Path | str] = list(paths) or list(library.folders(with_paused=False))
    if not roots:
        print("nearby: nothing to index; name a folder: nearby index ~/Documents", file=sys.stderr)
        return 2
    cancel = CancelToken()
    printer = IndexProgressPrinter(sys.stderr)
    try:
        with interrupt_cancels(cancel):
            summary = run_to_end(library.index(roots, cancel), printer.show)
    except KeyboardInterrupt:  # a second Ctrl-C: stop now; the batch in flight is rolled back
        printer.finish()
        print("nearby: indexing stopped; what was committed is kept, `nearby index` resumes", file=sys.stderr)
        return 130
    printer.finish()
    for failure in summary.failures:
        print(f"skipped {printable(failure.path)}: {failure.reason}", file=sys.stderr)
    for problem in summary.problems:
        print(f"nearby: {problem}", file=sys.stderr)
    print(summary.describe(), file=sys.stderr)
    hint = library.language_hint() if summary.added else None
    if hint:
        print(f"nearby: {hint}", file=sys.stderr)
    if summary.still_skipped:
        print("`nearby skipped` lists the files that could not be indexed, and why", file=sys.stderr)
    return 130 if summary.cancelled else 0


def _watch(library: Library, folders: list[Path]) -> int:
    """Catch up with what changed while nobody watched, then apply changes as they happen."""
    roots = [str(f) for f in folders] or library.folders(with_paused=False)
    if not roots:
        print("nearby: nothing to watch; name a folder: nearby watch ~/Documents", file=sys.stderr)
        return 2
    code = _index(library, folders)  # the catch-up rescan (no folders named: every folder of the library)
    if code != 0:
        return code

    def apply(changed: list[Path], deleted: list[Path]) -> None:
        summary = run_to_end(library.apply_changes(changed, deleted))
        for failure in summary.failures:
            print(f"skipped {printable(failure.path)}: {failure.reason}", file=sys.stderr)
        if summary.changed:
            print(summary.describe(), file=sys.stderr, flush=True)

    watcher = library.watcher(apply)
    watcher.start(roots)
    print(f"watching {len(watcher.folders)} folder(s); Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        watcher.stop()


def _taste(library: Library, args: argparse.Namespace) -> int:
    """like / unlike / likes / suggest."""
    if args.command == "like":
        marked = library.like(args.paths, LESS if args.less else LIKE)
        print(f"{'marked less like this' if args.less else 'liked'}: {len(marked)} file{'s' * (len(marked) != 1)}")
    elif args.command == "unlike":
        library.unlike(args.paths)
    elif args.command == "likes":
        marks = library.likes(LESS if args.less else LIKE)
        if args.json:
            print(json.dumps([{"path": row.path, "kind": row.kind, "marked_at": at} for row, at in marks], indent=2,
                             ensure_ascii=False))
        else:
            for row, _ in marks:
                print(printable(row.path))
            if not marks:
                print("nothing marked yet: `nearby like FILE` marks a file you like")
    else:
        suggestions = library.suggest(args.kind, args.k)
        if args.json:
            print(json.dumps([s.to_json() for s in suggestions], indent=2, ensure_ascii=False))
        elif not suggestions:
            print("no suggestions: like a few files first (`nearby like FILE`)")
        for rank, s in enumerate([] if args.json else suggestions, 1):
            print(f"{rank:>2}. {s.score:.3f}  {s.kind:<8} {printable(s.path)}\n    because you liked "
                  f"{printable(Path(s.because).name)}")
    return 0


def _print_duplicates(groups: list[DuplicateGroup], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"groups": [g.to_json() for g in groups]}, indent=2, ensure_ascii=False))
        return
    if not groups:
        print("no duplicates")
        return
    for group in groups:
        print(f"{group.reason} ({len(group.files)} {group.kind}s)")
        for file in group.files:
            mark = "keep " if file.path == group.keep else "     "
            print(f"  {mark}{printable(file.path)}  ({file.size / 1024:,.0f} KB)")
    spare = sum(f.size for g in groups for f in g.files if f.path != g.keep)
    print(f"\n{len(groups)} groups; {sum(len(g.files) - 1 for g in groups)} files could go "
          f"({spare / 2**20:,.1f} MB). Nearby deletes nothing: review and remove them yourself.")


def _print_hits(hits: list[SearchHit], as_json: bool, out: TextIO, closest: list[SearchHit] | None = None) -> None:
    """Results as lines (or one JSON array). With no results, ``closest``: weaker matches offered
    under a "nothing matches" line."""
    if as_json:
        out.write(json.dumps([h.to_json() for h in hits], indent=2, ensure_ascii=False) + "\n")
        return
    if not hits and closest:
        out.write("nothing matches well; the closest (weaker) matches:\n")
        hits = closest
    elif not hits:
        out.write("no results\n")
    for rank, hit in enumerate(hits, 1):
        where = f" ({hit.short_place})" if hit.page else ""
        out.write(f"{rank:>2}. {hit.score:.3f}  {hit.kind:<8} {printable(hit.path)}{where}\n")
        if hit.snippet:
            out.write(f"    {printable(hit.snippet)}\n")

