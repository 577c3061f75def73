import numpy as np

from nearby.core.media.ocr import ctc_decode, regions


def test_ctc_best_path_merges_repeats_and_drops_blanks() -> None:
    alphabet = ["a", "b", "l", "o"]
    steps = [0, 1, 1, 0, 1, 3, 3, 0, 0, 4, 4]  # blank a a blank a l l blank blank o o → "aalo"
    probs = np.full((len(steps), 5), 0.01, dtype=np.float32)
    probs[np.arange(len(steps)), steps] = 0.9
    text, confidence = ctc_decode(probs, alphabet)
    assert text == "aalo" and confidence == np.float32(0.9)
    assert ctc_decode(np.eye(5, dtype=np.float32)[[0, 0, 0]], alphabet) == ("", 0.0)


def test_regions_are_8_connected_with_their_mean_probability() -> None:
    mask = np.zeros((8, 10), dtype=bool)
    mask[1:3, 1:4] = True  # a block
    mask[3, 4] = True  # touching it diagonally: the same region
    mask[6, 6:9] = True  # apart
    prob = np.where(mask, 0.8, 0.1).astype(np.float32)
    prob[6, 6:9] = 0.6
    found = sorted(regions(mask, prob), key=lambda b: b.top)
    assert [(b.left, b.top, b.right, b.bottom) for b in found] == [(1, 1, 5, 4), (6, 6, 9, 7)]
    assert [round(b.score, 2) for b in found] == [0.8, 0.6]
