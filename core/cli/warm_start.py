"""Start loading what a search needs while the rest of Nearby is still being imported.

A CLI search is a whole process: imports (~0.3 s on 2 cores), the text model's session (~0.2 s),
then the first pass over the vectors, whose memory map is faulted in page by page on first touch
(~0.1 s at 1M passages). The model's session and the page faults run in native code that lets go
of the interpreter, so both start on threads here, first, and the imports go on meanwhile.
Anything that fails here is left for the search itself to meet and report.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nearby.core.library_file import default_library_path, library_text_model, prefault_vectors

if TYPE_CHECKING:
    from nearby.core.inference.text_embedder import Embedder

log = logging.getLogger(__name__)
WARMED_COMMANDS = frozenset({"search", "similar"})


def library_argument(argv: Sequence[str]) -> Path:
    """The library the command line names (--library X or --library=X), else the default one."""
    for i, arg in enumerate(argv):
        if arg == "--library" and i + 1 < len(argv):
            return Path(argv[i + 1]).expanduser()
        if arg.startswith("--library="):
            return Path(arg.split("=", 1)[1]).expanduser()
    return default_library_path()


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand of a command line (the first word that is neither an option nor its value)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--library":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def warm_start(library: Path) -> Embedder | None:
    """The library's text model, its session loading on a thread, and its vector index being
    mapped in on another; None where there is no library file yet (nothing to warm)."""
    if not library.is_file() or library.stat().st_size == 0:
        return None  # no library yet, or an empty file the CLI refuses: nothing to warm, nothing to touch
    embedder = library_text_model(library)
    from nearby.core.inference.text_embedder import TextEmbedder

    if isinstance(embedder, TextEmbedder):
        embedder.for_one_query()
        _thread(lambda: embedder.embed_one(""))
        _thread(lambda: prefault_vectors(library, embedder.dim))
    return embedder


def _thread(work: Callable[[], object]) -> None:
    def run() -> None:
        try:
            work()
        except Exception as exc:  # the search meets it again, and says what to do
            log.debug("warm start: %s", exc)

    threading.Thread(target=run, name="nearby-warm-start", daemon=True).start()
