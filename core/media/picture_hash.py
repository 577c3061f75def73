"""A picture's perceptual hash: 64 bits of which way its brightness changes across a 9×8 grid
(a "difference hash"), under each of its four right-angle turns. A resized, re-encoded, brightened
or slightly cropped copy differs from the original in a few bits, another picture in ~32; a turned
copy matches one of the turns. Made at indexing (kept in the item's meta) and used by
core/search/duplicates.py."""

from __future__ import annotations

from typing import Any

import numpy as np


def turned_hashes(image: Any) -> list[int]:
    """The hash of a PIL image under 0°, 90°, 180° and 270° turns (a thumbnail-sized copy does as
    well as the picture: the hash reads a 9×8 grid)."""
    grey = image.convert("L")
    grey.thumbnail((256, 256))
    return [_dhash(grey.rotate(angle, expand=True)) for angle in (0, 90, 180, 270)]


def as_text(hashes: list[int]) -> list[str]:
    return [f"{h:016x}" for h in hashes]


def from_text(values: object) -> list[int] | None:
    if not isinstance(values, list) or len(values) != 4:
        return None
    try:
        return [int(str(v), 16) for v in values]
    except ValueError:
        return None


def distance(turns: list[int], other: list[int]) -> int:
    """Bits apart: the other picture upright against the closest of these turns."""
    return min(bin(other[0] ^ turned).count("1") for turned in turns)


def _dhash(grey: Any) -> int:
    from PIL import Image

    pixels = np.asarray(grey.resize((9, 8), Image.Resampling.LANCZOS), dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).flatten()
    return int(sum(1 << i for i, bit in enumerate(bits) if bit))
