"""The window's filters on the command line: `--folder DIR --type EXT --after DATE --before DATE`
for `nearby search` and `nearby similar`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from nearby.core.search.filters import Filters


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--folder", type=Path, help="only files in this folder (any depth)")
    p.add_argument("--type", dest="types", action="append", default=[], metavar="EXT",
                   help="only files of this type, e.g. pdf (repeat, or pdf,docx, for several)")
    p.add_argument("--after", type=day, metavar="DATE", help="only files modified on or after DATE (YYYY-MM-DD)")
    p.add_argument("--before", type=day, metavar="DATE", help="only files modified before DATE (YYYY-MM-DD)")


def day(text: str) -> float:
    """A YYYY-MM-DD date as the start of that day, local time, in seconds since the epoch."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").timestamp()
    except (ValueError, OverflowError, OSError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-03-31") from None


def filters_from(args: argparse.Namespace) -> Filters:
    """The Filters the options ask for (the folder as an absolute path, as the library keeps it)."""
    extensions = tuple(sorted({"." + e.strip().lstrip(".").lower() for each in args.types
                               for e in each.split(",") if e.strip().lstrip(".")}))
    folder = str(Path(args.folder).expanduser().resolve()) if args.folder else None
    return Filters(kind=getattr(args, "kind", None), folder=folder, extensions=extensions,
                   since=args.after, until=args.before)
