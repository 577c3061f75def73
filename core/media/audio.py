"""Opening songs: tags, duration, and a few short excerpts decoded as 16 kHz mono.

Decoding is libsndfile's (through soundfile: WAV, FLAC, Ogg Vorbis, Opus, MP3, AIFF), resampling
soxr's. M4A/AAC and WMA, which no wheel may decode, go to a decoder of the system's (FFmpeg,
GStreamer, Core Audio: core/media/decoders.py), as does a bundled format libsndfile cannot parse
when one is there. A long song is not decoded whole: EXCERPTS windows of 3 s, spread
evenly between 10% and 90% of its length (skipping silent intros and fade-outs), stand for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.errors import UnsupportedFile
from nearby.core.files import check_size
from nearby.core.media import decoders
from nearby.core.media.decoders import SYSTEM_SONGS, decode_song, for_songs

BUNDLED_AUDIO = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"})
AUDIO_EXTENSIONS = BUNDLED_AUDIO | frozenset(SYSTEM_SONGS)
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
    return _tag_block(path)[0]


def _tag_block(path: Path) -> tuple[dict[str, Any], float]:
    """The song's tags, and the length its header gives (0 when unknown)."""
    from tinytag import TinyTag

    try:
        tag = TinyTag.get(str(path))
    except Exception:  # tags are a bonus: a broken tag block must not cost the song
        return {}, 0.0
    out = {name: str(getattr(tag, name)).strip() for name in _TAGS if getattr(tag, name, None)}
    return {k: v for k, v in out.items() if v and v.lower() != "none"}, float(tag.duration or 0.0)


def open_song(path: Path, rate: int) -> Song:
    """Decode the windows of a song, mono at ``rate`` Hz, and read its tags.

    Raises:
        UnsupportedFile: not audio, damaged, too short, empty or unreadable; or a format that
            needs a system decoder, and none is found (the reason names what to install).
    """
    check_size(path, MAX_AUDIO_BYTES)
    if path.suffix.lower() in SYSTEM_SONGS:
        return _system_song(path, rate)
    try:
        return _bundled_song(path, rate)
    except _Undecodable as exc:
        if not for_songs():
            raise
        # libsndfile refuses some MP3s (odd headers, an MP4 named .mp3) that FFmpeg reads; where
        # the system's decoder cannot either, libsndfile's reason is the one given.
        try:
            return _system_song(path, rate)
        except UnsupportedFile:
            raise exc from None


class _Undecodable(UnsupportedFile):
    """libsndfile could not parse the file (a system decoder may)."""


def _bundled_song(path: Path, rate: int) -> Song:
    import soundfile as sf
    import soxr

    try:
        with sf.SoundFile(str(path)) as f:
            native, frames = f.samplerate, f.frames
            duration = frames / native if native else 0.0
            _check_duration(duration)
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
        raise _Undecodable(f"not audio Nearby can decode, or damaged{detail}") from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise UnsupportedFile(f"the audio could not be decoded ({exc})") from exc
    if not excerpts:
        raise UnsupportedFile("no sound could be decoded from the file")
    return Song(excerpts, duration, read_tags(path))


def _system_song(path: Path, rate: int) -> Song:
    """A song decoded whole (its first 20 minutes) by a system decoder, at the model's rate."""
    samples = decode_song(path, rate)
    tags, length = _tag_block(path)
    decoded = len(samples) / rate
    _check_duration(decoded)
    window = int(EXCERPT_SECONDS * rate)
    excerpts = [samples[int(start * rate):int(start * rate) + window] for start in excerpt_starts(decoded)]
    excerpts = [e for e in excerpts if len(e) >= rate * MIN_SECONDS]
    if not excerpts:
        raise UnsupportedFile("no sound could be decoded from the file")
    # A recording longer than the decoded part (it stops at 20 minutes) has its header's length.
    long = decoded >= decoders.MAX_SONG_SECONDS - 1 and length > decoded
    return Song(excerpts, length if long else decoded, tags)


def _check_duration(duration: float) -> None:
    if duration <= 0:
        raise UnsupportedFile("no sound could be decoded from the file (damaged, or not audio?)")
    if duration < MIN_SECONDS:
        raise UnsupportedFile(f"too short to listen to ({duration:.1f} s; songs of at least "
                              f"{MIN_SECONDS:g} s are indexed)")
