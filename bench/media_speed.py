"""Pictures and songs indexed per second, against their models alone, with decoding separated.

Pictures: the 12 evaluation pictures, each saved 4 times at 1600 px (a phone photo's decode
cost matters); three copies of four carry a camera in their EXIF, like phone photos, and one
does not, like a screenshot or a scan, which Nearby always searches for text. Songs: the 6
evaluation pieces looped to 3 minutes each (a typical song), as Ogg Vorbis. The full run
includes hashing, thumbnails, the text bridge, reading text, and SQLite writes.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from nearby.core.inference.audio_embedder import AudioEmbedder
from nearby.core.inference.image_embedder import ImageEmbedder
from nearby.core.library import Library
from nearby.core.media.audio import open_song
from nearby.core.media.images import open_picture
from nearby.core.media.ocr import TextReader

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"
COPIES = 4
PHOTO_SIDE = 1600
SONG_SECONDS = 180


def make_pictures(folder: Path) -> list[Path]:
    paths = []
    for src in sorted((EVAL / "images").iterdir()):
        im = Image.open(src).convert("RGB")
        big = im.resize((PHOTO_SIDE, round(PHOTO_SIDE * im.height / im.width)), Image.Resampling.BICUBIC)
        for i in range(COPIES):
            path = folder / f"{src.stem}-{i}.jpg"
            exif = Image.Exif()
            if i < COPIES - 1:
                exif[0x010F], exif[0x0110] = "Google", "Pixel 7"
            big.rotate(i * 0.5).save(path, "JPEG", quality=88, exif=exif)
            paths.append(path)
    return paths


def make_songs(folder: Path) -> list[Path]:
    import soundfile as sf

    paths = []
    for src in sorted((EVAL / "songs").iterdir()):
        audio, rate = sf.read(src)
        long = np.tile(audio, SONG_SECONDS * rate // len(audio) + 1)[: SONG_SECONDS * rate]
        path = folder / f"{src.stem}-long.ogg"
        # libsndfile's Vorbis encoder crashes on very large single writes: feed it in blocks.
        with sf.SoundFile(path, "w", rate, 1, format="OGG", subtype="VORBIS") as out:
            for start in range(0, len(long), rate):
                out.write(long[start : start + rate].astype(np.float32))
        paths.append(path)
    return paths


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def index_time(folder: Path, library_file: Path, warm: Path | None = None) -> float:
    """Seconds to index the folder; ``warm``: a folder indexed first, untimed (the models loaded, as in
    the app after its first file: the time per file, not the start)."""
    library = Library(library_file)
    if warm is not None:
        for _ in library.index([warm]):
            pass
    t0 = time.perf_counter()
    for _ in library.index([folder]):
        pass
    seconds = time.perf_counter() - t0
    library.close()
    return seconds


def report(label: str, n: int, t_decode: float, t_model: float, t_full: float, unit: str) -> None:
    print(f"{label}: {n} {unit}")
    print(f"  decode alone  {t_decode:6.2f} s  ({n / t_decode:6.1f} {unit}/s)")
    print(f"  model alone   {t_model:6.2f} s  ({n / t_model:6.1f} {unit}/s)")
    print(f"  full index    {t_full:6.2f} s  ({n / t_full:6.1f} {unit}/s)")
    print(f"  ratio full/(decode+model) {t_full / (t_decode + t_model):.2f}x, full/model {t_full / t_model:.2f}x")


def main() -> None:
    images, audio = ImageEmbedder(), AudioEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        pics, songs = Path(tmp) / "pics", Path(tmp) / "songs"
        pics.mkdir()
        songs.mkdir()
        pic_paths, song_paths = make_pictures(pics), make_songs(songs)
        images.analyse(Image.new("RGB", (300, 300)))  # load the sessions before timing
        print(f"== media speed (provider {images.session().get_providers()[0]})")
        decoded, t_decode = timed(lambda: [open_picture(p).image for p in pic_paths])
        _, t_model = timed(lambda: [images.analyse(im) for im in decoded])
        t_full = index_time(pics, Path(tmp) / "pics.sqlite")
        report(f"pictures ({PHOTO_SIDE} px JPEG)", len(pic_paths), t_decode, t_model, t_full, "pictures")
        # Photos without text (issue 28's yardstick: ≤ 1.3× decode + model): the camera copies whose
        # classes the reader passes by, indexed on their own.
        from nearby.core.inference.text_embedder import TextEmbedder
        from nearby.core.media.pictures import PicturePipeline

        pipeline = PicturePipeline(TextEmbedder(), images)
        plain = Path(tmp) / "plain"
        plain.mkdir()
        for n, (p, im) in enumerate(zip(pic_paths, decoded, strict=True)):
            if not p.stem.endswith(f"-{COPIES - 1}") and not pipeline._worth_reading(  # noqa: SLF001
                    open_picture(p).meta, images.analyse(im).probabilities):
                (plain / f"IMG_{2000 + n}.jpg").write_bytes(p.read_bytes())  # named as a phone names them
        plain_paths = sorted(plain.iterdir())
        plain_decoded, t_plain_decode = timed(lambda: [open_picture(p).image for p in plain_paths])
        _, t_plain_model = timed(lambda: [images.analyse(im) for im in plain_decoded])
        # Warmed by the 12 other pictures indexed first, untimed: the models loaded and the library's
        # one-off work done (the score calibration's query vectors, the colour phrases' vectors), so that
        # what is timed is the cost per picture, as in a library of thousands.
        warm = Path(tmp) / "warm"
        warm.mkdir()
        for p in pic_paths:
            if p.stem.endswith(f"-{COPIES - 1}"):
                (warm / p.name).write_bytes(p.read_bytes())
        t_plain = index_time(plain, Path(tmp) / "plain.sqlite", warm)
        report("photos without text (camera photos whose classes the text reader passes by)", len(plain_paths),
               t_plain_decode, t_plain_model, t_plain, "pictures")
        print("  (target: full/(decode+model) ≤ 1.3x; the models loaded and the library's one-off vectors made first)")
        reader = TextReader()
        unread = [im for p, im in zip(pic_paths, decoded, strict=True) if p.stem.endswith(f"-{COPIES - 1}")]
        _, t_ocr = timed(lambda: [reader.read(im) for im in unread])
        print(f"  text reading  {t_ocr:6.2f} s for the {len(unread)} pictures without a camera "
              f"({t_ocr / len(unread) * 1000:.0f} ms each; camera photos are read only if they look like text)")
        audio.analyse(open_song(song_paths[0], 16_000).excerpts)
        clips, t_decode = timed(lambda: [open_song(p, 16_000).excerpts for p in song_paths])
        _, t_model = timed(lambda: [audio.analyse(c) for c in clips])
        t_full = index_time(songs, Path(tmp) / "songs.sqlite")
        report(f"songs ({SONG_SECONDS // 60} min Ogg Vorbis, 10 windows of 3 s each)", len(song_paths),
               t_decode, t_model, t_full, "songs")
        minutes = len(song_paths) * SONG_SECONDS / 60
        print(f"  = {minutes / t_full:.1f} minutes of music indexed per second")
