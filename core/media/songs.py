"""Everything the index keeps about one song: description, vectors, tags."""

from __future__ import annotations

import json
from pathlib import Path

from nearby.core.inference.audio_embedder import AudioEmbedder
from nearby.core.inference.text_embedder import Embedder
from nearby.core.media.audio import open_song
from nearby.core.media.bridge import BridgedPipeline, name_words
from nearby.core.media.pipeline import AnalysedMedia

# Tags scoring under this are not worth showing in a description (musicnn's scores are
# independent sigmoids; most tags of most songs sit below 0.1).
SHOWN_TAG_SCORE = 0.15


def song_words(path: Path, tags: dict[str, str]) -> str:
    """What the file's tags and names say about a song, as text for the bridge."""
    parts = [tags.get("title", ""), tags.get("artist", ""), tags.get("album", ""), tags.get("genre", "")]
    said = ", ".join(p for p in parts if p)
    return said or name_words(path)


def duration_text(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02}"


class SongPipeline(BridgedPipeline):
    """Decodes a few windows of a song, tags them, and bridges the tags into the text space."""

    kind = "song"
    native_table = "song_vectors"

    def __init__(self, text: Embedder, audio: AudioEmbedder | None = None) -> None:
        self.audio = audio or AudioEmbedder()
        self.label_prompt = self.audio.pre.label_prompt
        super().__init__(text, self.audio)

    def analyse(self, path: Path, sha256: str) -> AnalysedMedia:
        """Raises UnsupportedFile for audio that cannot be decoded."""
        song = open_song(path, self.audio.pre.sample_rate)
        analysis = self.audio.analyse(song.excerpts)
        bridge = self.bridge()
        top = [(tag, s) for tag, s in bridge.top_classes(analysis.scores, 4) if s >= SHOWN_TAG_SCORE]
        sounds = ", ".join(tag for tag, _ in top) or "nothing distinctive"
        who = " — ".join(p for p in (song.tags.get("title", ""), song.tags.get("artist", "")) if p)
        description = f"Sounds like {sounds} · {duration_text(song.duration)}" + (f" · {who}" if who else "")
        meta = dict(song.tags, duration=round(song.duration, 1), labels=[tag for tag, _ in top])
        return AnalysedMedia(
            title=song.tags.get("title") or path.stem, description=description,
            text_vector=bridge.vector(analysis.scores, song_words(path, song.tags)),
            native_vector=analysis.features, meta=json.dumps(meta),
        )
