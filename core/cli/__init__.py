"""The `nearby` command line: a room of its own, using core's public surface (the Library facade,
its errors, kinds, progress and search results), never storage or indexing directly.

    entry.py       the console script: warms a search's model before the rest is imported
    commands.py    the argument parser and the commands
    arithmetic.py, map.py, models.py, filters.py   the bigger commands' own parts
    output.py, progress.py, warm_start.py          printing, progress lines, the early model load

This module stays light (the entry point imports it before the model has started loading).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """`nearby ARGS…` without the warm start or the fast exit (tests, `python -m nearby.core.cli`)."""
    from nearby.core.cli.commands import main as commands_main

    return commands_main(argv)
