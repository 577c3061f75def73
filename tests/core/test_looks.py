"""Colour and light words read from pixels (core/media/looks.py)."""

import numpy as np
from PIL import Image

from nearby.core.media.looks import looks, phrase
from nearby.core.search.look_words import LACKING_Z, LOOKS_Z, PARTIAL_Z, look_request


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


def test_a_query_asks_for_colour_words_in_its_own_wording() -> None:
    for query in ("Black & white photos", "black-and-white photos", "B&W", "monochrome pictures"):
        request = look_request(query)
        assert request is not None and request.words == {"black and white"} and request.only, query
    request = look_request("something colorful")
    assert request is not None and request.words == {"colourful"} and request.only
    request = look_request("a red car under a blue sky")
    assert request is not None and request.words == {"red", "blue sky"} and not request.only
    assert look_request("a photo of a cat") is None
    assert look_request("redwood forest") is None, "whole words only"


def test_pictures_with_the_colours_asked_for_are_lifted() -> None:
    only = look_request("a dark photo")
    assert only is not None
    low, lower = only.lift(1.0, {"looks": ["dark", "blue"]}), only.lift(0.5, {"looks": ["dark"]})
    assert low >= LOOKS_Z and lower >= LOOKS_Z and low > lower, "good matches, in their order by meaning"
    assert LACKING_Z - 1 < only.lift(9.0, {"looks": ["blue"]}) < LACKING_Z, "lacking: weaker at most"
    assert only.lift(5.0, {"looks": ["blue"]}) < only.lift(9.0, {"looks": ["blue"]}), "in their order"
    assert only.lift(0.5, {"looks": []}) == 0.5 and only.lift(1.0, {"looks": []}) <= 1.0, "under the cap: kept"
    assert only.lift(9.0, {}) == 9.0, "a picture never looked at keeps its score"
    partial = look_request("a dark street")
    assert partial is not None and partial.lift(1.0, {"looks": ["dark"]}) == 1.0 + PARTIAL_Z
    night = look_request("night")
    assert night is not None and night.lift(9.0, {"looks": []}) == 9.0, "no hour: no telling"
    assert night.lift(9.0, {"looks": [], "taken": "2024-07-01 14:00:00"}) < LACKING_Z


def test_a_dim_picture_taken_late_is_a_night_picture() -> None:
    dim = filled((40, 45, 70), (20, 20, 30))
    assert "night" in looks(dim, "2024-07-01 23:40:00") and "night" in looks(dim, "2024-07-02 03:05:00")
    assert "night" not in looks(dim, "2024-07-01 14:00:00") and "night" not in looks(dim), "by day, or no hour"
    assert "night" not in looks(filled((230, 220, 200)), "2024-07-01 23:40:00"), "a lit room at night"
    request = look_request("photos taken at night")
    assert request is not None and request.words == {"night"} and request.only
