"""Opening songs: tags, duration, and a few short excerpts decoded as 16 kHz mono.

Decoding is libsndfile's (through soundfile: WAV, FLAC, Ogg Vorbis, Opus, MP3, AIFF), resampling
soxr's; no ffmpeg binary. A long song is not decoded whole: EXCERPTS windows of 3 s, spread
evenly between 10% and 90% of its length (skipping silent intros and fade-outs), stand for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.errors import UnsupportedFile
from nearby.core.files import check_size

AUDIO_EXTENSIONS = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"})
# Ten 3-second windows = 30 s of sound per song, whatever its length: enough to see a song's
# instruments and mood change (verse, chorus, bridge) at a fixed cost of ~0.7 s of model time.
EXCERPTS = 10
EXCERPT_SECONDS = 3.05  # a little over 3 s so that each window yields musicnn's 187 frames
MIN_SECONDS = 1.0
MAX_AUDIO_BYTES = 2 * 1024**3
SPREAD = (0.10, 0.90)  # part of a long song the windows are spread over
_TAGS = ("title", "artist", "album", "genre", "year")


@dataclass(frozen=True)
class Song:
    excerpts: list[np.ndarray]  # float32 mono at the requested rate
    duration: float  # seconds
    tags: dict[str, Any] = field(default_factory=dict)


def excerpt_starts(duration: float, excerpts: int = EXCERPTS, length: float = EXCERPT_SECONDS) -> list[float]:
    """Start times (s) of the windows that stand for a song of this length."""
    if duration <= excerpts * length:  # short: consecutive windows from the start
        return [i * length for i in range(max(1, int(duration // length)))]
    first, last = duration * SPREAD[0], duration * SPREAD[1] - length
    return [float(x) for x in np.linspace(first, last, excerpts)]


def read_tags(path: Path) -> dict[str, Any]:
    from tinytag import TinyTag

    try:
        tag = TinyTag.get(str(path))
    except Exception:  # tags are a bonus: a broken tag block must not cost the song
        return {}
    out = {name: str(getattr(tag, name)).strip() for name in _TAGS if getattr(tag, name, None)}
    return {k: v for k, v in out.items() if v and v.lower() != "none"}


def open_song(path: Path, rate: int) -> Song:
    """Decode the windows of a song, mono at ``rate`` Hz, and read its tags.

    Raises:
        UnsupportedFile: not audio, damaged, too short, empty or unreadable.
    """
    import soundfile as sf
    import soxr

    check_size(path, MAX_AUDIO_BYTES)
    try:
        with sf.SoundFile(str(path)) as f:
            native, frames = f.samplerate, f.frames
            duration = frames / native if native else 0.0
            if duration <= 0:
                raise UnsupportedFile("no sound could be decoded from the file (damaged, or not audio?)")
            if duration < MIN_SECONDS:
                raise UnsupportedFile(f"too short to listen to ({duration:.1f} s; songs of at least "
                                      f"{MIN_SECONDS:g} s are indexed)")
            excerpts = []
            for start in excerpt_starts(duration):
                f.seek(int(start * native))
                block = f.read(int(EXCERPT_SECONDS * native), dtype="float32", always_2d=True)
                if len(block) < native * MIN_SECONDS:
                    continue
                excerpts.append(soxr.resample(block.mean(axis=1), native, rate).astype(np.float32))
    except UnsupportedFile:
        raise
    except sf.LibsndfileError as exc:
        # libsndfile says "File does not exist or is not a regular file (possibly a pipe?)" of an
        # MP3 it cannot parse: its own words only where they describe the data.
        detail = "" if "does not exist" in exc.error_string else f" ({exc.error_string})"
        raise UnsupportedFile(f"not audio Nearby can decode, or damaged{detail}") from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise UnsupportedFile(f"the audio could not be decoded ({exc})") from exc
    if not excerpts:
        raise UnsupportedFile("no sound could be decoded from the file")
    return Song(excerpts, duration, read_tags(path))
