"""`nearby status`: what it prints, and its quick path (core/library_status.py: read_status)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from nearby.core.library_status import LibraryStatus


def print_status(status: LibraryStatus, as_json: bool, out: TextIO = sys.stdout) -> None:
    from nearby.core.cli.output import printable
    from nearby.core.library_status import decoder_lines

    if as_json:
        print(json.dumps(status.to_json(), indent=2), file=out)
        return
    print(f"library   {status.path}\nfiles     {status.items} ({status.passages} passages)\n"
          f"skipped   {status.skipped}\nmodel     {status.model}\nprovider  {status.provider}", file=out)
    if status.switching_to:
        print(f"switching to {status.switching_to}, unfinished: `nearby models use {status.switching_to}` "
              "finishes it", file=out)
    for kind, count in sorted(status.by_kind.items()):
        print(f"{kind + 's':9} {count}", file=out)
    for kind, model in sorted(status.media_models.items()):
        print(f"{kind} model {model}", file=out)
    for folder in status.folders:
        print(f"folder    {printable(folder)}", file=out)
    for line in decoder_lines(status.decoders):
        print(f"decoder   {line}", file=out)


def quick_answer(argv: Sequence[str]) -> int | None:
    """`[--library X] status [--json]` answered from the library file alone (its exit code), or
    None: another command line, or a library only the full path can answer for."""
    from nearby.core.cli.output import tolerant_streams
    from nearby.core.library_file import default_library_path

    library: str | None = None
    rest: list[str] = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--library" and args:
            library = args.pop(0)
        elif arg.startswith("--library="):
            library = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if rest not in (["status"], ["status", "--json"]) or library == "":
        return None
    path = Path(library) if library is not None else default_library_path()
    status = read_status_quietly(path.expanduser(), str(path))
    if status is None:
        return None
    tolerant_streams()
    try:
        print_status(status, rest[-1] == "--json")
    except BrokenPipeError:  # `nearby status | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def read_status_quietly(path: Path, shown_as: str) -> LibraryStatus | None:
    """read_status, any fault left to the full path (which explains it)."""
    from nearby.core.library_status import read_status

    try:
        return read_status(path, shown_as)
    except Exception:  # noqa: BLE001 - the full path meets the same fault and says what to do
        return None
