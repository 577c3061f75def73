"""Colour and light words read from a picture's pixels ("black and white", "dark", "blue sky", "orange"),
and "night" from the pixels and the hour it was taken.

The picture model knows 1000 objects and nothing of colour or light: "a black and white photo",
"something orange" or "a blue sky" found nothing. These words come from simple pixel statistics
on a small copy of the picture, so they are cheap (~1 ms) and say only what is plainly there.
They join the picture's bridge vector with a small weight (core/media/pictures.py) and its
description, so a person sees why a picture matched.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

SIDE = 64  # statistics on a 64×64 copy: colour proportions, not detail
# A pixel counts as coloured when its saturation and brightness are both at least these
# (greys, near-blacks and near-whites have unreliable hues).
MIN_SATURATION = 0.25
MIN_VALUE = 0.2
# A colour is named when at least this share of the picture has it; at most two are named.
MIN_SHARE = 0.18
# Under this share of coloured pixels, and with little tint overall, a picture is black and white.
GREY_SHARE = 0.03
# "Colourful": at least this many colours, each on at least this share of the coloured pixels
# (which cover at least twice that share of the picture).
MANY_COLOURS = 4
MANY_SHARE = 0.08
DARK = 0.2  # mean brightness (0-1) under which a picture is dark
DIM = 0.35  # … and under which a picture taken between NIGHT_FROM and NIGHT_UNTIL is a night picture
NIGHT_FROM, NIGHT_UNTIL = 21, 5
BRIGHT = 0.85
# Hue bands in degrees, upper bounds; red wraps around 0.
HUES = ((15, "red"), (40, "orange"), (68, "yellow"), (165, "green"), (255, "blue"), (290, "purple"),
        (340, "pink"), (360, "red"))


_UPPER = np.array([upper for upper, _ in HUES], dtype=np.float32)
_NAMES = np.array([name for _, name in HUES])


def _hsv(image: Image.Image) -> np.ndarray:
    # reducing_gap: a 12-MP photo is first shrunk by whole factors (cheap), then resampled (58 → 6 ms)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    small = rgb.resize((SIDE, SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(small.convert("HSV"), dtype=np.float32) / 255.0


def looks(image: Image.Image, taken: str = "") -> list[str]:
    """Plain colour and light words for a picture, most telling first; [] when nothing stands out.

    ``taken``: when the camera says it was taken ("2024-07-01 22:40:00", EXIF local time): a dim
    picture taken late is a night picture (a dim one by day is only dark; a lit room at night neither).
    """
    hsv = _hsv(image)
    h, s, v = hsv[..., 0] * 360.0, hsv[..., 1], hsv[..., 2]
    coloured = (s >= MIN_SATURATION) & (v >= MIN_VALUE)
    words: list[str] = []
    if coloured.mean() < GREY_SHARE and float(s.mean()) < 0.08:
        words.append("black and white")
    brightness = float(v.mean())
    if brightness < DIM and _late(taken):
        words.append("night")
    if brightness < DARK:
        words.append("dark")
    elif brightness > BRIGHT and not coloured.any():
        words.append("white")
    top = hsv[: SIDE // 3]
    sky = (top[..., 0] * 360 >= 185) & (top[..., 0] * 360 < 250) & (top[..., 1] >= 0.2) & (top[..., 2] >= 0.45)
    if sky.mean() >= 0.5:
        words.append("blue sky")
    if coloured.mean() >= GREY_SHARE:
        names = _NAMES[np.minimum(np.searchsorted(_UPPER, h[coloured], side="right"), len(HUES) - 1)]
        kinds, counts = np.unique(names, return_counts=True)
        share = counts / coloured.size
        for i in np.argsort(-share)[:2]:
            if share[i] >= MIN_SHARE and not (kinds[i] == "blue" and "blue sky" in words):
                words.append(str(kinds[i]))
        if coloured.mean() >= MANY_SHARE * 2 and (counts / counts.sum() >= MANY_SHARE).sum() >= MANY_COLOURS:
            words.append("colourful")
    return words


def _late(taken: str) -> bool:
    try:
        hour = int(taken[11:13])
    except ValueError:
        return False
    return hour >= NIGHT_FROM or hour < NIGHT_UNTIL


def phrase(words: list[str]) -> str:
    """The words as the text the bridge embeds ("dark, orange"), or '' for none. Plain words: "a dark,
    orange photo" also drew every query saying "photo" closer to every picture (and ranked no better)."""
    return ", ".join(words)
