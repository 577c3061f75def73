"""Songs end to end with the real models: formats, tags, sampling, bad files, words → songs,
mixed lists, and sound-alikes."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from nearby.core.errors import UnsupportedFile
from nearby.core.library import Library
from nearby.core.media.audio import EXCERPTS, excerpt_starts, open_song
from nearby.core.progress import IndexSummary, run_to_end
from nearby.core.search.why import why_text
from nearby.core.settings import Settings

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval" / "songs"
FORMATS = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "ogg": ("OGG", "VORBIS"),
           "opus": ("OGG", "OPUS"), "mp3": ("MP3", "MPEG_LAYER_III")}


def index(library: Library, *folders: Path) -> IndexSummary:
    return run_to_end(library.index(list(folders)))


def tone(seconds: float, rate: int = 44_100) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.fixture(scope="module")
def song_library(tmp_path_factory: pytest.TempPathFactory, text_embedder: object) -> tuple[Library, Path]:
    root = tmp_path_factory.mktemp("songs")
    shutil.copytree(EVAL, root / "music")
    (root / "docs").mkdir()
    (root / "docs" / "tax.txt").write_text("File the annual income tax return before the end of April.")
    (root / "docs" / "piano.txt").write_text("Practise scales on the piano slowly, every day, for finger strength.")
    library = Library(root / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    summary = index(library, root)
    assert summary.added == 8 and not summary.failures
    return library, root


@pytest.mark.parametrize("ext", FORMATS)
def test_every_format_decodes_to_16k_mono_windows(tmp_path: Path, ext: str) -> None:
    fmt, subtype = FORMATS[ext]
    rate = 48_000 if ext == "opus" else 44_100
    stereo = np.stack([tone(5, rate), tone(5, rate)], axis=1)
    sf.write(tmp_path / f"a.{ext}", stereo, rate, format=fmt, subtype=subtype)
    song = open_song(tmp_path / f"a.{ext}", 16_000)
    assert song.duration == pytest.approx(5, abs=0.1)
    assert len(song.excerpts) == 1 and song.excerpts[0].ndim == 1
    assert len(song.excerpts[0]) == pytest.approx(3.05 * 16_000, rel=0.02)


def test_tags_are_read(tmp_path: Path) -> None:
    path = tmp_path / "tagged.flac"
    with sf.SoundFile(path, "w", 44_100, 1, format="FLAC") as f:
        f.title, f.artist, f.album, f.genre = "Clair de Lune", "Debussy", "Suite bergamasque", "Classical"
        f.write(tone(2))
    tags = open_song(path, 16_000).tags
    assert (tags["title"], tags["artist"], tags["album"], tags["genre"]) == (
        "Clair de Lune", "Debussy", "Suite bergamasque", "Classical")


def test_long_songs_are_sampled_across_their_length() -> None:
    starts = excerpt_starts(240.0)
    assert len(starts) == EXCERPTS and starts[0] == pytest.approx(24.0) and starts[-1] < 216.0
    assert np.all(np.diff(starts) > 15)
    assert excerpt_starts(7.0) == [0.0, 3.05]


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("empty.mp3", lambda p: p.write_bytes(b""), "empty"),
    ("letter.mp3", lambda p: p.write_text("Dear Sir, this is not a song at all." * 50), "decode|damaged"),
    ("noise.flac", lambda p: p.write_bytes(np.random.default_rng(1).bytes(20_000)), "decode|damaged"),
    ("cut.ogg", lambda p: p.write_bytes((EVAL / "evening.ogg").read_bytes()[:400]), "decode|damaged|sound"),
    ("blip.wav", lambda p: sf.write(p, tone(0.3), 44_100), "too short"),
])
def test_bad_audio_is_refused_with_a_reason(tmp_path: Path, name: str, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    make(path)
    with pytest.raises(UnsupportedFile, match=reason):
        open_song(path, 16_000)


def test_bad_songs_are_skipped_and_the_rest_indexed(tmp_path: Path, text_embedder: object) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    shutil.copy(EVAL / "friday.ogg", folder / "good.ogg")
    (folder / "zero.mp3").write_bytes(b"")
    (folder / "fake.flac").write_text("not audio")
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    summary = index(library, folder)
    assert summary.added == 1 and {Path(f.path).name for f in summary.failures} == {"zero.mp3", "fake.flac"}


@pytest.mark.parametrize(("query", "expected"), [
    ("calm piano", "evening.ogg"), ("electronic dance beat", "friday.ogg"), ("ambient soundscape", "drift.ogg"),
])
def test_words_find_songs_by_their_sound(song_library: tuple[Library, Path], query: str, expected: str) -> None:
    library, _ = song_library
    hit = library.search(query, k=1, kind="song")[0]
    assert hit.name == expected, hit.snippet
    assert hit.snippet.startswith("Sounds like") and hit.meta["duration"] == pytest.approx(20, abs=0.5)


def test_a_song_whose_tags_cannot_hear_the_instrument_is_no_good_match(song_library: tuple[Library, Path]) -> None:
    """No tag names a saxophone: no song is a good match for "jazz saxophone music", and each says
    why; an instrument the tags hear keeps its song ("calm piano" → the piano song)."""
    library, _ = song_library
    cut = Settings().min_score
    hits = library.search("jazz saxophone music", k=3, kind="song")
    assert hits and all(h.score < cut for h in hits) and hits[0].why["unseen"] == ["saxophone"]
    assert "did not hear saxophone" in why_text(hits[0].why, classes=False)
    piano = library.search("calm piano", k=1, kind="song")[0]
    assert piano.name == "evening.ogg" and piano.score >= cut and "unseen" not in piano.why


def test_one_query_interleaves_songs_and_documents(song_library: tuple[Library, Path]) -> None:
    library, _ = song_library
    hits = library.search("tax return deadline", k=4)
    assert (hits[0].name, hits[0].kind) == ("tax.txt", "document")
    kinds = [h.kind for h in library.search("slow piano music", k=4)]
    assert "song" in kinds and "document" in kinds


def test_a_cut_of_a_song_finds_the_song(song_library: tuple[Library, Path]) -> None:
    library, root = song_library
    audio, rate = sf.read(EVAL / "garage.ogg")
    sf.write(root / "music" / "garage-cut.mp3", audio[4 * rate : 12 * rate], rate, format="MP3")
    index(library, root)
    hits = library.similar(root / "music" / "garage-cut.mp3", k=2)
    assert hits[0].name == "garage.ogg" and all(h.kind == "song" for h in hits)
