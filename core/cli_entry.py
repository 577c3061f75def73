"""The `nearby` command's entry point: a search starts loading its model before the rest of the CLI
is imported (core/warm_start.py), then the CLI runs as usual."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    embedder = None
    from nearby.core import warm_start

    if warm_start.command_of(args) in warm_start.WARMED_COMMANDS:
        embedder = warm_start.warm_start(warm_start.library_argument(args))
    from nearby.core import cli

    return cli.main(args, embedder)


def run() -> None:
    """The console script: a read-only command leaves without tearing the runtime down (its
    sessions, thread pools and modules: ~70 ms of a 0.6 s search); output is flushed first."""
    args = sys.argv[1:]
    code = main(args)
    from nearby.core import warm_start

    if warm_start.command_of(args) in warm_start.WARMED_COMMANDS:
        import logging
        import os

        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    raise SystemExit(code)
