"""Songs and pictures no bundled wheel may decode (M4A/AAC, WMA, HEIC), read through a decoder of
the system's (a real FFmpeg on PATH), skipped with a reason that names what to install where none
is found, and read once one is."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from nearby.core.cli import main
from nearby.core.errors import UnsupportedFile
from nearby.core.library import Library
from nearby.core.media import decoders
from nearby.core.media.audio import open_song
from nearby.core.media.images import open_picture
from nearby.core.progress import run_to_end
from tests.system_decoders import encode, ffmpeg_folder

DATA = Path(__file__).resolve().parent.parent / "data"
SONGS = DATA / "eval" / "songs"
HEIC = DATA / "formats" / "launch.heic"


@pytest.fixture
def with_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FFmpeg on PATH, and no other decoder of this machine's in the way."""
    folder = ffmpeg_folder(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr(decoders, "EXTRA_DIRS", ())
    decoders.found.cache_clear()
    yield folder
    decoders.found.cache_clear()


@pytest.fixture
def without_decoders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(decoders, "EXTRA_DIRS", ())
    decoders.found.cache_clear()
    yield
    decoders.found.cache_clear()


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The evening piece as M4A (AAC), raw AAC and WMA, tagged."""
    folder = tmp_path_factory.mktemp("encoded")
    ffmpeg_folder(folder / "bin")
    tags = {"title": "Evening Etude", "artist": "The Test Trio", "genre": "Classical"}
    return {ext: encode(SONGS / "evening.ogg", folder / f"evening.{ext}", codec, **tags)
            for ext, codec in (("m4a", "aac"), ("aac", "aac"), ("wma", "wmav2"))}


@pytest.mark.parametrize("ext", ["m4a", "aac", "wma"])
def test_songs_decode_through_ffmpeg_to_windows_at_the_models_rate(with_ffmpeg: Path, encoded: dict[str, Path],
                                                                    ext: str) -> None:
    song = open_song(encoded[ext], 16_000)
    assert song.duration == pytest.approx(20, abs=0.3)
    assert len(song.excerpts) >= 5 and all(len(e) == int(3.05 * 16_000) for e in song.excerpts)
    assert all(e.dtype == np.float32 and 0.01 < float(np.abs(e).max()) <= 1.5 for e in song.excerpts)
    if ext != "aac":  # raw ADTS carries no tags
        assert song.tags["title"] == "Evening Etude" and song.tags["artist"] == "The Test Trio"


def test_a_heic_picture_decodes_through_ffmpeg(with_ffmpeg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nearby.core.media import images

    monkeypatch.setattr(images, "heif_supported", lambda: False)  # as without the optional GPL wheel
    picture = open_picture(HEIC)
    assert (picture.width, picture.height) == (480, 320) and picture.image.mode == "RGB"
    assert 40 < float(np.asarray(picture.image).mean()) < 220  # a photo, not a blank


def test_a_file_that_is_not_its_format_never_reaches_a_decoder(with_ffmpeg: Path, tmp_path: Path) -> None:
    """A playlist of web addresses named .m4a would have FFmpeg fetch them: refused by its bytes."""
    playlist = tmp_path / "stream.m4a"
    playlist.write_text("#EXTM3U\n#EXTINF:-1,radio\nhttp://example.invalid/live.aac\n")
    with pytest.raises(UnsupportedFile, match="not a M4A file"):
        open_song(playlist, 16_000)
    broken = tmp_path / "broken.m4a"
    broken.write_bytes(b"\x00\x00\x00\x18ftypM4A " + bytes(200))
    with pytest.raises(UnsupportedFile, match="ffmpeg could not decode it|no sound"):
        open_song(broken, 16_000)


def test_a_decoder_is_stopped_at_its_time_and_size_limits() -> None:
    with pytest.raises(UnsupportedFile, match="took over 1 s"):
        decoders.run([sys.executable, "-c", "import time; time.sleep(60)"], 1000, timeout=1)
    out = decoders.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'x' * 50_000_000)"], 4096)
    assert out == b"x" * 4096
    with pytest.raises(UnsupportedFile, match=r"could not decode it \(the reason\)"):
        decoders.run([sys.executable, "-c", "import sys; sys.exit('the reason')"], 1000)


def test_without_a_decoder_songs_and_heic_are_skipped_naming_what_to_install_then_read_once_one_is(
        tmp_path: Path, encoded: dict[str, Path], text_embedder: object, monkeypatch: pytest.MonkeyPatch,
        without_decoders: None, capsys: pytest.CaptureFixture[str]) -> None:
    from nearby.core.media import images

    monkeypatch.setattr(images, "heif_supported", lambda: False)
    music = tmp_path / "music"
    music.mkdir()
    shutil.copy(SONGS / "friday.ogg", music)
    shutil.copy(encoded["m4a"], music)
    shutil.copy(HEIC, music)
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    first = run_to_end(library.index([music]))
    reasons = {Path(f.path).name: f.reason for f in first.failures}
    assert first.added == 1 and set(reasons) == {"evening.m4a", "launch.heic"}
    assert decoders.MISSING in reasons["evening.m4a"] and "ffmpeg" in reasons["evening.m4a"].lower()
    assert "pillow-heif" in reasons["launch.heic"]
    if sys.platform.startswith("linux"):
        assert "sudo apt install ffmpeg" in reasons["evening.m4a"]
    again = run_to_end(library.index([music]))  # nothing changed: not tried again
    assert again.still_skipped == 2 and not again.failures
    assert main(["--library", str(library.path), "skipped"]) == 0
    listed = capsys.readouterr().out
    assert "2 of these need a decoder of the system's: install" in listed and "then run `nearby index`" in listed
    assert main(["--library", str(library.path), "skipped", "--json"]) == 0
    assert {e["needs_decoder"] for e in json.loads(capsys.readouterr().out)} == {True}

    monkeypatch.setenv("PATH", str(ffmpeg_folder(tmp_path / "bin")))  # the person installs FFmpeg
    decoders.found.cache_clear()
    assert main(["--library", str(library.path), "skipped"]) == 0
    assert "one is installed now, and `nearby index` reads them" in capsys.readouterr().out
    third = run_to_end(library.index([music]))
    assert third.added == 2 and not third.failures
    assert library.search("Evening Etude", k=1, kind="song")[0].name == "evening.m4a"
    assert library.search("rocket launch", k=1, kind="image")[0].name == "launch.heic"


def test_an_m4a_copy_is_found_by_words_and_hears_like_its_ogg(tmp_path: Path, encoded: dict[str, Path],
                                                            text_embedder: object, with_ffmpeg: Path) -> None:
    music = tmp_path / "music"
    shutil.copytree(SONGS, music)
    for name in ("evening", "friday"):
        encode(SONGS / f"{name}.ogg", music / f"{name}-copy.m4a", "aac")
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    summary = run_to_end(library.index([music]))
    assert summary.added == 8 and not summary.failures
    calm = [h.name for h in library.search("calm piano", k=2, kind="song")]
    assert set(calm) == {"evening.ogg", "evening-copy.m4a"}
    for name in ("evening", "friday"):
        copy = [h.name for h in library.similar(music / f"{name}-copy.m4a", k=5) if h.name != f"{name}.ogg"][:3]
        original = [h.name for h in library.similar(music / f"{name}.ogg", k=5) if h.name != f"{name}-copy.m4a"][:3]
        assert library.similar(music / f"{name}-copy.m4a", k=1)[0].name == f"{name}.ogg"
        assert len(set(copy) & set(original)) >= 2, (copy, original)


def test_the_summary_names_the_decoder_found_or_what_to_install(with_ffmpeg: Path) -> None:
    found = decoders.summary()
    assert found["songs"] == {"formats": ["M4A", "AAC", "WMA"], "decoder": "FFmpeg",
                              "program": str(with_ffmpeg / "ffmpeg"), "install": None}
    decoders.found.cache_clear()


def test_a_bundled_format_libsndfile_refuses_goes_to_the_system_decoder(with_ffmpeg: Path, tmp_path: Path,
                                                                        encoded: dict[str, Path]) -> None:
    """An M4A named .mp3 (a download site's habit) is read by FFmpeg; a file that is not audio at
    all keeps libsndfile's reason."""
    misnamed = shutil.copy(encoded["m4a"], tmp_path / "evening.mp3")
    assert open_song(Path(misnamed), 16_000).duration == pytest.approx(20, abs=0.3)
    (tmp_path / "fake.flac").write_text("not audio")
    with pytest.raises(UnsupportedFile, match="not audio Nearby can decode"):
        open_song(tmp_path / "fake.flac", 16_000)


def test_a_song_longer_than_the_decoded_part_keeps_its_length_and_windows_inside_it(
        with_ffmpeg: Path, encoded: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_SONG_SECONDS only the start is decoded: the windows lie inside it, the length
    shown is the tags' (an audiobook-length file costs 20 minutes of decoding, not hours)."""
    monkeypatch.setattr(decoders, "MAX_SONG_SECONDS", 8)
    song = open_song(encoded["m4a"], 16_000)
    assert song.duration == pytest.approx(20, abs=0.3)  # from the file's header
    assert 1 <= len(song.excerpts) <= 3  # 8 s decoded: windows of 3.05 s inside it
    assert len(decoders.decode_song(encoded["m4a"], 16_000)) == 8 * 16_000


@pytest.mark.parametrize("program", ["gst-launch-1.0", "afconvert"])
def test_gstreamer_and_core_audio_are_given_their_own_arguments(tmp_path: Path, encoded: dict[str, Path],
                                                                 monkeypatch: pytest.MonkeyPatch, program: str) -> None:
    """Where FFmpeg is absent, GStreamer (Linux) or afconvert (macOS) decode: stand-ins that read
    their real program's arguments show a name with spaces, quotes and a backslash arrives whole."""
    from tests.system_decoders import stand_in

    monkeypatch.setenv("PATH", str(stand_in(tmp_path / "bin", program)))
    monkeypatch.setattr(decoders, "EXTRA_DIRS", ())
    decoders.found.cache_clear()
    try:
        assert [f.decoder.name for f in decoders.for_songs()] == [
            "GStreamer" if program == "gst-launch-1.0" else "Core Audio"]
        awkward = Path(shutil.copy(encoded["m4a"], tmp_path / 'Evening "live" at Joe\'s \\ café.m4a'))
        song = open_song(awkward, 16_000)
        assert song.duration == pytest.approx(20, abs=0.3) and len(song.excerpts) >= 5
        assert song.tags["title"] == "Evening Etude"
    finally:
        decoders.found.cache_clear()
