"""Everything the index keeps about one picture: description, vectors, metadata, thumbnail."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np

from nearby.core.extract.passages import snippet_of, split_section
from nearby.core.inference.image_embedder import ImageEmbedder
from nearby.core.inference.text_embedder import Embedder
from nearby.core.media.bridge import BridgedPipeline, name_words
from nearby.core.media.images import open_picture, small_copy, write_thumbnail
from nearby.core.media.looks import looks, phrase
from nearby.core.media.ocr import TextReader
from nearby.core.media.picture_hash import as_text, turned_hashes
from nearby.core.media.pipeline import AnalysedMedia

# Fewer characters than this is noise read from texture, or a lone digit: not worth a passage.
MIN_TEXT_CHARS = 4
DESCRIPTION_TEXT_CHARS = 80
# Looking for text costs ~150 ms a picture on 2 cores, 5× the picture model. Pictures without
# a camera in their EXIF (screenshots, scans, downloads, slides) are always read; camera photos
# only when one of their likely classes usually carries writing.
TEXT_BEARING = frozenset({
    "website", "menu", "dust jacket", "envelope", "comic book", "crossword", "traffic or street sign",
    "scoreboard", "monitor", "CRT monitor", "television", "notebook computer", "laptop computer",
    "desktop computer", "ring binder", "product packet / packaging", "cardboard box / carton",
    "digital clock", "library", "bookstore", "bookcase", "slide rule", "vending machine", "pill bottle",
    "tobacco shop", "restaurant", "mailbox", "odometer", "hand-held computer",
})


class PicturePipeline(BridgedPipeline):
    """Decodes, classifies, bridges, reads and thumbnails pictures for the indexer."""

    kind = "image"
    native_table = "image_vectors"
    # A picture's vector mixes its 50 likeliest classes with their probabilities flattened
    # (square roots, temperature 2): when ImageNet has no class for what a photo shows (the moon,
    # a brick wall, grass), its top guess is confidently wrong ("nematode", "solar thermal
    # collector", "doormat") and the runners-up carry what is right. `python -m bench.eval_quality
    # --pictures`, camera names, top-1 / top-3: tuning set 8/8 → 8/10 of 12; held-out pictures
    # 4/6 → 8/12 of 13; with their own names 10/11 → 11/11. (Chosen among 5-100 classes and
    # temperatures 1-3; WordNet glosses or hypernyms in the class texts did no better.)
    mixed_classes = 50
    mixing_temperature = 2.0
    # "+looks": colour and light words from the pixels join the vector (core/media/looks.py).
    bridge_revision = "mix50-t2+looks"

    def __init__(self, text: Embedder, images: ImageEmbedder | None = None,
                 reader: TextReader | None = None) -> None:
        self.images = images or ImageEmbedder()
        self.reader = reader or TextReader()
        super().__init__(text, self.images)

    def _worth_reading(self, meta: dict[str, object], probabilities: np.ndarray) -> bool:
        if not self.reader.is_installed():
            return False
        if "camera" not in meta:
            return True
        return any(label in TEXT_BEARING for label, _ in self.bridge().top_classes(probabilities))

    def analyse(self, path: Path, sha256: str) -> AnalysedMedia:
        """Raises UnsupportedFile for pictures that cannot be decoded."""
        picture = open_picture(path)
        analysis = self.images.analyse(picture.image)
        bridge = self.bridge()
        classes = bridge.top_classes(analysis.probabilities, 3)
        likely = ", ".join(f"{label} ({p:.0%})" for label, p in classes)
        # One small copy for the thumbnail, the hash and the colour words (which read 64×64: the same
        # words as from the whole picture on all 115 eval and sample photos).
        small = small_copy(picture.image)
        seen = looks(small, str(picture.meta.get("taken", "")))
        meta_words = (", ".join(seen), picture.meta.get("taken", "")[:10], picture.meta.get("camera", ""))
        details = [d for d in meta_words if d]
        lines = self.reader.read(picture.image) if self._worth_reading(picture.meta, analysis.probabilities) else []
        written = " ".join(lines)
        if len(written) >= MIN_TEXT_CHARS:
            details.append(f"Text: {snippet_of(written, DESCRIPTION_TEXT_CHARS)}")
        description = f"Looks like {likely}" + (f" · {' · '.join(details)}" if details else "")
        meta = dict(picture.meta, labels=[label for label, _ in classes],
                    label_shares=[round(p, 3) for _, p in classes], looks=seen,
                    dhash=as_text(turned_hashes(small)))  # for duplicates (core/search/duplicates.py)
        extra: tuple[tuple[str, np.ndarray], ...] = ()
        if len(written) >= MIN_TEXT_CHARS:
            meta["text"] = "\n".join(lines)
            passages = split_section("\n".join(lines))
            extra = tuple(zip(passages, self.text.embed(passages), strict=True))
        with contextlib.suppress(OSError):  # a read-only cache costs the thumbnail, not the picture
            meta["thumbnail"] = str(write_thumbnail(picture, sha256, small))
        return AnalysedMedia(
            title=path.stem, description=description,
            text_vector=bridge.vector(analysis.probabilities, name_words(path), phrase(seen)),
            native_vector=analysis.features, meta=json.dumps(meta), extra_passages=extra,
        )
