"""Mount points: a folder of the library is read as one tree on one disk; a drive or a bind mount
inside it (/etc bound into ~/Documents/etc, a USB stick under ~/media) is not crossed unless the
person adds it as a folder of its own."""

from __future__ import annotations

import os
from pathlib import Path

_MOUNTINFO = Path("/proc/self/mountinfo")


def mount_points() -> frozenset[Path]:
    """Every mount point of this system (Linux: bind mounts included, which share their device
    with the folder they are in, so st_dev alone cannot tell them); elsewhere empty, and
    ``is_mount`` asks the OS folder by folder."""
    try:
        lines = _MOUNTINFO.read_text(errors="replace").splitlines()
    except OSError:
        return frozenset()
    points = set()
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            points.add(Path(_unescape(fields[4])))
    return frozenset(points)


def is_mount(folder: Path, points: frozenset[Path]) -> bool:
    """Whether a folder is a mount point (from ``points`` where the system lists them)."""
    if points:
        return folder in points
    try:
        return os.path.ismount(folder)
    except OSError:
        return False


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in names as octal escapes (\\040 …)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) + 0 and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)
