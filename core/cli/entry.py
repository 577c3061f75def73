"""The `nearby` command's entry point: a search starts loading its model before the rest of the CLI
is imported (core/warm_start.py), then the CLI runs as usual."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    embedder = None
    from nearby.core.cli import warm_start

    if warm_start.command_of(args) == "status":  # from the library file alone, when it can be
        from nearby.core.cli.status import quick_answer

        done = quick_answer(args)
        if done is not None:
            return done

    if warm_start.command_of(args) in warm_start.WARMED_COMMANDS:
        try:
            embedder = warm_start.warm_start(warm_start.library_argument(args))
        except Exception:  # noqa: BLE001 - the command meets the same fault and says what to do
            embedder = None
    from nearby.core.cli import commands as cli

    return cli.main(args, embedder)


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script (and the bundle's `Nearby --cli`).

    A warmed command (search, similar) leaves without tearing the runtime down, on every path:
    its warm-start threads may still be inside onnxruntime, and an interpreter shutting down
    around them aborts the process ("terminate called without an active exception", rc 134) —
    an argument error exits before the model has even loaded. Skipping the teardown also saves
    ~70 ms of a 0.6 s search. Output is flushed first.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse's usage errors and --help
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
        if not isinstance(exit_.code, int | None):
            print(exit_.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    from nearby.core.cli import warm_start

    if warm_start.command_of(args) in warm_start.WARMED_COMMANDS:
        import logging
        import os

        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can reach the reader
                stream.flush()
        logging.shutdown()
        os._exit(code)
    raise SystemExit(code)
