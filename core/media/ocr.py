"""Reading the text in pictures (screenshots, scans, signs, slides) with PP-OCRv4, numpy only.

Detection: the DB model gives each pixel a text probability; pixels above a threshold are
grouped into connected regions (run-length labelling, no OpenCV), each region's box is kept if
its mean probability is high, then grown (DB learns shrunk regions). Recognition: each box is
cut from the picture, scaled to 48 px high and read by the CTC model (best path decoding).
Boxes are axis-aligned: straight or slightly tilted text reads well, rotated text does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nearby.core.inference.installed_model import InstalledModel
from nearby.models.catalog import DEFAULT_OCR_MODEL, get_model
from nearby.models.spec import ModelSpec, OcrSettings

if TYPE_CHECKING:
    import onnxruntime as ort
    from PIL import Image

MIN_BOX_SIDE = 4  # pixels, in the detection map: smaller regions are specks, not text
MAX_LINES = 200  # per picture: a page of small print, not a texture mistaken for text
MAX_LINE_WIDTH = 1600  # pixels at 48 px high: longer boxes are cut, the model reads ~25 px a char


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int
    score: float


def _runs(row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def regions(mask: np.ndarray, prob: np.ndarray) -> list[Box]:
    """Connected regions (8-connected) of a binary mask, as boxes with their mean probability."""
    parent: list[int] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs: list[tuple[int, int, int]] = []  # (row, start, end)
    previous: list[int] = []
    for r in range(mask.shape[0]):
        starts, ends = _runs(mask[r])
        current = []
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            index = len(runs)
            runs.append((r, s, e))
            parent.append(index)
            for j in previous:
                _, ps, pe = runs[j]
                if s <= pe and ps <= e:  # overlapping or diagonal neighbours
                    a, b = find(j), find(index)
                    if a != b:
                        parent[b] = a
            current.append(index)
        previous = current
    groups: dict[int, list[float]] = {}
    for i, (r, s, e) in enumerate(runs):
        g = groups.setdefault(find(i), [r, s, r + 1, e, 0.0, 0.0])  # top, left, bottom, right, sum, count
        g[0], g[1], g[2], g[3] = min(g[0], r), min(g[1], s), max(g[2], r + 1), max(g[3], e)
        g[4] += float(prob[r, s:e].sum())
        g[5] += e - s
    return [Box(int(g[1]), int(g[0]), int(g[3]), int(g[2]), g[4] / g[5]) for g in groups.values()]


def ctc_decode(probs: np.ndarray, alphabet: list[str]) -> tuple[str, float]:
    """Best-path CTC: argmax per step, repeats merged, blanks (index 0) dropped."""
    best = probs.argmax(axis=1)
    keep = (best != 0) & np.concatenate(([True], best[1:] != best[:-1]))
    if not keep.any():
        return "", 0.0
    chars = "".join(alphabet[i - 1] for i in best[keep] if 0 < i <= len(alphabet))
    return chars, float(probs.max(axis=1)[keep].mean())


class TextReader(InstalledModel):
    """Finds and reads lines of text in a picture. Sessions open on first use."""

    role = "text reader"

    def __init__(self, spec: ModelSpec | None = None, models_root: Path | str | None = None) -> None:
        super().__init__(spec or get_model(DEFAULT_OCR_MODEL), models_root)
        self._alphabet: list[str] = []

    @property
    def settings(self) -> OcrSettings:
        assert isinstance(self.spec.preprocessing, OcrSettings)
        return self.spec.preprocessing

    def _load(self) -> tuple[ort.InferenceSession, ort.InferenceSession]:
        with self._lock:
            det, rec = self.session("det.onnx"), self.session("rec.onnx")
            if not self._alphabet:  # the recogniser carries its alphabet in its metadata
                self._alphabet = rec.get_modelmeta().custom_metadata_map.get("character", "").split("\n") + [" "]
            return det, rec

    def detect(self, image: Image.Image) -> list[Box]:
        """Text boxes in picture coordinates, top to bottom, left to right."""
        from PIL import Image as PILImage

        det, _ = self._load()
        s = self.settings
        scale = min(1.0, s.det_max_side / max(image.size))
        w, h = (max(32, round(side * scale / 32) * 32) for side in image.size)
        pixels = np.asarray(image.resize((w, h), PILImage.Resampling.BILINEAR), dtype=np.float32) / 255.0
        tensor = ((pixels - s.det_mean) / s.det_std).transpose(2, 0, 1)[None]
        prob = det.run(None, {det.get_inputs()[0].name: tensor})[0][0, 0]
        mask = prob > s.pixel_threshold
        mask[1:, 1:] |= mask[:-1, :-1]  # a 2×2 dilation, as PaddleOCR does, joins broken strokes
        sx, sy = image.size[0] / w, image.size[1] / h
        boxes = []
        for box in regions(mask, prob):
            bw, bh = box.right - box.left, box.bottom - box.top
            if box.score < s.box_threshold or min(bw, bh) < MIN_BOX_SIDE:
                continue
            grow = bw * bh * s.unclip_ratio / (2 * (bw + bh))
            boxes.append(Box(max(0, int((box.left - grow) * sx)), max(0, int((box.top - grow) * sy)),
                             min(image.size[0], int((box.right + grow) * sx) + 1),
                             min(image.size[1], int((box.bottom + grow) * sy) + 1), box.score))
        return sorted(boxes, key=lambda b: (b.top // max(1, (b.bottom - b.top) // 2), b.left))[:MAX_LINES]

    def read_box(self, image: Image.Image, box: Box) -> tuple[str, float]:
        from PIL import Image as PILImage

        _, rec = self._load()
        s = self.settings
        crop = image.crop((box.left, box.top, box.right, box.bottom))
        width = min(MAX_LINE_WIDTH, max(s.rec_height, round(crop.width * s.rec_height / max(1, crop.height))))
        line = np.asarray(crop.resize((width, s.rec_height), PILImage.Resampling.BILINEAR), dtype=np.float32)
        tensor = ((line / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None]
        probs = rec.run(None, {rec.get_inputs()[0].name: tensor})[0][0]
        return ctc_decode(probs, self._alphabet)

    def read(self, image: Image.Image) -> list[str]:
        """The lines of text found in an upright RGB picture, in reading order."""
        lines = []
        for box in self.detect(image):
            if box.bottom - box.top > 1.5 * (box.right - box.left):
                continue  # vertical text would need the rotation classifier
            text, confidence = self.read_box(image, box)
            if text.strip() and confidence >= self.settings.min_confidence:
                lines.append(text.strip())
        return lines
