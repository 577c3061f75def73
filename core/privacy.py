"""Private by default: what Nearby writes (library, thumbnails, caches, log) is for its owner only.

The library holds the text of every indexed document and thumbnails of every picture; under a
common umask of 022 they would be readable by every account on the machine. The entry points
(the CLI, the window, the bundle) set the process's umask to 077, and a library file made by an
older Nearby is narrowed when it is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_by_default() -> None:
    """Files and folders this process creates from now on: owner only."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def narrow(path: Path) -> None:
    """Make an existing file of ours owner-only (a library made before this rule)."""
    if os.name != "posix":
        return
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(stat.S_IMODE(info.st_mode) & ~(stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        pass  # not ours to change: leave it
