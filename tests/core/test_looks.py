"""Colour and light words read from pixels (core/media/looks.py)."""

import numpy as np
from PIL import Image

from nearby.core.media.looks import looks, phrase


def filled(*rows: tuple[int, int, int]) -> Image.Image:
    """A 90×90 picture of horizontal bands, top to bottom."""
    band = 90 // len(rows)
    pixels = np.concatenate([np.full((band, 90, 3), rgb, dtype=np.uint8) for rgb in rows])
    return Image.fromarray(pixels)


def test_greys_are_black_and_white() -> None:
    ramp = np.tile(np.linspace(0, 255, 90, dtype=np.uint8)[:, None, None], (1, 90, 3))
    assert looks(Image.fromarray(ramp)) == ["black and white"]
    assert looks(Image.fromarray(ramp).convert("L")) == ["black and white"], "grey-level files too"


def test_a_dark_picture_and_a_white_one() -> None:
    assert "dark" in looks(filled((10, 10, 20), (30, 25, 20)))
    assert looks(filled((250, 250, 250))) == ["black and white", "white"]


def test_colours_are_named_by_their_share() -> None:
    assert looks(filled((240, 120, 20))) == ["orange"]
    assert looks(filled((30, 160, 40), (30, 160, 40), (200, 30, 30))) == ["green", "red"]
    assert looks(filled((30, 160, 40), *[(128, 128, 128)] * 8)) == [], "a thin band of colour is not named"


def test_a_blue_band_on_top_is_sky_and_many_colours_are_colourful() -> None:
    assert looks(filled((90, 150, 230), (120, 100, 60), (120, 100, 60)))[0] == "blue sky"
    many = filled((220, 30, 30), (240, 200, 30), (30, 160, 40), (40, 60, 220), (200, 60, 200))
    assert "colourful" in looks(many)


def test_the_words_become_one_phrase() -> None:
    assert phrase(["dark", "blue"]) == "dark, blue" and phrase([]) == ""
