"""The `nearby` command: index, search, similar, status, skipped.

Output for people goes to stdout; progress and messages go to stderr, so `--json` output can
be piped. Exit codes: 0 ok, 1 a Nearby error (the message says how to fix it), 2 bad usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from nearby.core import cli_arithmetic, cli_filters, cli_map, cli_models
from nearby.core.cli_progress import IndexProgressPrinter, interrupt_cancels
from nearby.core.errors import NearbyError, explain_storage_failure
from nearby.core.inference.text_embedder import Embedder
from nearby.core.kinds import KINDS
from nearby.core.library import Library
from nearby.core.library_file import LIBRARY_ENV, default_library_path
from nearby.core.logfile import configure_logging
from nearby.core.privacy import private_by_default
from nearby.core.progress import CancelToken, run_to_end
from nearby.core.search.hits import SearchHit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nearby", description="Find your own files by what they mean, offline.")
    parser.add_argument("--library", type=Path, default=None,
                        help=f"library file (default: ${LIBRARY_ENV}, else {default_library_path()})")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="index folders or files (recursive, incremental)")
    p.add_argument("paths", nargs="*", type=Path, help="folders or files; none = every folder indexed before")
    p = sub.add_parser("search", help="search by meaning")
    p.add_argument("query")
    _result_options(p)
    p.add_argument("--all", action="store_true",
                   help="every result, weaker matches too (by default only good matches: score ≥ min_score)")
    p = sub.add_parser("similar", help="files most like an indexed file (pictures: look-alikes)")
    p.add_argument("path", type=Path)
    _result_options(p, with_kind=False)
    p = sub.add_parser("status", help="what the library holds and how it runs")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("skipped", help="files that could not be indexed, and why")
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
    """The CLI. ``embedder``: the library's text model, already loading (see core/warm_start.py)."""
    args = build_parser().parse_args(argv)
    private_by_default()
    configure_logging()
    if args.command == "self-test":  # its own throw-away library, not the person's
        from nearby.core.selftest import run_self_test

        return 0 if run_self_test(args.sample) else 1
    try:
        library = Library(args.library, embedder=embedder)
    except NearbyError as exc:
        print(f"nearby: {exc}", file=sys.stderr)
        return 1
    try:
        return _run(args, library)
    except NearbyError as exc:
        print(f"nearby: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nearby status | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        explained = explain_storage_failure(exc, library.path)
        if explained is None:
            raise
        print(f"nearby: {explained}", file=sys.stderr)
        return 1
    finally:
        library.close()


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
        status = library.status()
        if args.json:
            print(json.dumps(status.to_json(), indent=2))
        else:
            print(f"library   {status.path}\nfiles     {status.items} ({status.passages} passages)\n"
                  f"skipped   {status.skipped}\nmodel     {status.model}\nprovider  {status.provider}")
            if status.switching_to:
                print(f"switching to {status.switching_to}, unfinished: `nearby models use {status.switching_to}` "
                      "finishes it")
            for kind, count in sorted(status.by_kind.items()):
                print(f"{kind + 's':9} {count}")
            for kind, model in sorted(status.media_models.items()):
                print(f"{kind} model {model}")
            for folder in status.folders:
                print(f"folder    {folder}")
        return 0
    failures = library.failures()
    if args.json:
        print(json.dumps([{"path": p, "reason": r} for p, r in failures], indent=2))
    else:
        for path, reason in failures:
            print(f"{path}\n    {reason}")
    return 0


def _index(library: Library, paths: list[Path]) -> int:
    missing = [p for p in paths if not p.exists()]
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
        print(f"skipped {failure.path}: {failure.reason}", file=sys.stderr)
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
            print(f"skipped {failure.path}: {failure.reason}", file=sys.stderr)
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
        where = f" (p. {hit.page})" if hit.page else ""
        out.write(f"{rank:>2}. {hit.score:.3f}  {hit.kind:<8} {hit.path}{where}\n")
        if hit.snippet:
            out.write(f"    {hit.snippet}\n")


if __name__ == "__main__":
    raise SystemExit(main())
