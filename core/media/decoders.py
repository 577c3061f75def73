"""System decoders: programs already on the computer that read what no bundled wheel may.

M4A/AAC and WMA songs and HEIC pictures need patent-encumbered or GPL decoders that Nearby cannot
ship, but most computers have one: FFmpeg or GStreamer on Linux desktops, Core Audio's `afconvert`
and `sips` on every Mac, libheif's `heif-dec`. They are tried in order, each as a child process
with a time limit and a cap on what it may write, reading only the local file:

- the file's first bytes must be the format its name says (an MP4 box, an ADTS frame, an ASF
  header), so a "song" that is really a playlist of web addresses never reaches a decoder;
- FFmpeg is told the container (`-f mov`) and allowed the file and pipe protocols only;
- the child gets no standard input, and a bundle's own libraries are kept out of its way.

Where none is found the file is skipped with a reason that names what to install, and it is tried
again at the next update once a decoder is there (see ``worth_retrying``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from nearby.core.errors import UnsupportedFile

if TYPE_CHECKING:  # numpy only where a song is decoded: `nearby status` reads this module too
    import numpy as np

# Songs no bundled decoder reads, by the FFmpeg demuxer that reads each (told, never guessed).
SYSTEM_SONGS = {".m4a": "mov", ".aac": "aac", ".wma": "asf"}
SYSTEM_PICTURES = {".heic": "mov", ".heif": "mov"}
# Songs are decoded whole at the model's rate, up to this much (20 min at 16 kHz: 77 MB of
# float32); the windows that stand for a longer recording are spread over its first 20 minutes.
MAX_SONG_SECONDS = 20 * 60
DECODE_TIMEOUT_S = 120  # a 20-minute song decodes in ~2 s; a decoder stuck on a damaged file is stopped
MAX_PICTURE_BYTES = 1 << 30  # the decoded copy of one picture (a 100-megapixel PNG is ~300 MB)
# Part of the skip reason when no decoder is found: the indexer tries such files again once one is.
MISSING = "needs a decoder this computer lacks"
# Where package managers put programs that a desktop session's PATH (a Mac's Finder, a menu
# launcher) may not include.
EXTRA_DIRS = ("/opt/homebrew/bin", "/usr/local/bin", "/opt/local/bin", "/usr/bin", "/snap/bin")


@dataclass(frozen=True)
class Decoder:
    name: str  # as people know it: "FFmpeg"
    programs: tuple[str, ...]  # the first of these found runs it
    songs: bool
    pictures: bool


DECODERS = (
    Decoder("FFmpeg", ("ffmpeg",), songs=True, pictures=True),
    Decoder("GStreamer", ("gst-launch-1.0",), songs=True, pictures=False),
    Decoder("Core Audio", ("afconvert",), songs=True, pictures=False),
    Decoder("libheif", ("heif-dec", "heif-convert"), songs=False, pictures=True),
    Decoder("sips", ("sips",), songs=False, pictures=True),
)


@dataclass(frozen=True)
class Found:
    decoder: Decoder
    program: str  # its full path


@cache
def found() -> tuple[Found, ...]:
    """The system decoders on this computer, in the order they are tried (cached: call
    ``found.cache_clear()`` after installing one in a running process)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *EXTRA_DIRS])
    out = []
    for decoder in DECODERS:
        for program in decoder.programs:
            where = shutil.which(program, path=search)
            if where:
                out.append(Found(decoder, where))
                break
    return tuple(out)


def for_songs() -> tuple[Found, ...]:
    return tuple(f for f in found() if f.decoder.songs)


def for_pictures() -> tuple[Found, ...]:
    return tuple(f for f in found() if f.decoder.pictures)


def install_hint(pictures: bool = False) -> str:
    """What to install, in this system's words."""
    if sys.platform == "darwin":
        return "install FFmpeg (brew install ffmpeg)"  # afconvert and sips come with macOS
    if sys.platform == "win32":
        return "install FFmpeg (winget install ffmpeg) and restart Nearby"
    return ("install libheif's tools or FFmpeg (sudo apt install libheif-examples, or ffmpeg)" if pictures
            else "install FFmpeg (sudo apt install ffmpeg, or your distribution's ffmpeg package)")


def worth_retrying(reason: str, suffix: str) -> bool:
    """Whether a file skipped for want of a decoder (``reason``) can be read now."""
    if MISSING not in reason:
        return False
    return bool(for_pictures() if suffix.lower() in SYSTEM_PICTURES else for_songs())


def check_signature(path: Path) -> None:
    """Refuse a file whose first bytes are not the format its name says (see the module's notes).

    Raises:
        UnsupportedFile: another format, or unreadable.
    """
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise UnsupportedFile(f"cannot be read ({exc.strerror or exc})") from exc
    if suffix in (".m4a", ".heic", ".heif"):
        ok = head[4:8] == b"ftyp"
    elif suffix == ".aac":
        ok = head[:3] == b"ID3" or head[:4] == b"ADIF" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0)
    elif suffix == ".wma":
        ok = head[:8] == bytes.fromhex("3026b2758e66cf11")
    else:
        ok = True  # a bundled format whose own decoder failed: FFmpeg is told nothing and may try
    if not ok:
        raise UnsupportedFile(f"not a {suffix[1:].upper()} file (its first bytes are another format's; "
                              "damaged, or named wrongly)")


def child_env() -> dict[str, str]:
    """The environment for a decoder: a bundle's library path (PyInstaller sets it to the bundle's
    own libraries) restored to what the system had, so that the decoder loads its own."""
    env = dict(os.environ)
    if getattr(sys, "frozen", False):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        env.pop("LD_LIBRARY_PATH", None)
        if original:
            env["LD_LIBRARY_PATH"] = original
    return env


def run(argv: list[str], max_bytes: int, timeout: float = DECODE_TIMEOUT_S) -> bytes:
    """Run a decoder; its standard output, cut at ``max_bytes``.

    Raises:
        UnsupportedFile: it failed (its last line of errors says why), or overran its time.
    """
    try:
        with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=child_env()) as child:
            try:
                out, err = _communicate(child, max_bytes, timeout)
            except subprocess.TimeoutExpired as exc:
                raise UnsupportedFile(f"{Path(argv[0]).name} took over {timeout:.0f} s to decode it "
                                      "(a damaged file?)") from exc
    except OSError as exc:
        raise UnsupportedFile(f"{Path(argv[0]).name} could not be started ({exc.strerror or exc})") from exc
    if child.returncode not in (0, None) and not out:
        raise UnsupportedFile(f"{Path(argv[0]).name} could not decode it ({_reason(err)})")
    return out


def _reason(errors: bytes) -> str:
    """A decoder's first line of errors (the cause; later lines are its consequences) in plain
    words: FFmpeg's "[in#0 @ 0x…] moov atom not found" → "moov atom not found"."""
    import re

    lines = errors.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return "no reason given"
    line = re.sub(r"^(\[[^\]]*\]\s*)+", "", lines[0])
    line = re.sub(r"^(error[^:]*:\s*)+", "", line, flags=re.IGNORECASE).strip()
    return (line[:1].lower() + line[1:])[:200] or "no reason given"


def _communicate(child: subprocess.Popen[bytes], max_bytes: int, timeout: float) -> tuple[bytes, bytes]:
    """The child's output, kept up to ``max_bytes`` (then the child is stopped: what it wrote so far
    is kept; 0 keeps nothing, for decoders that write a file), and its first MB of errors."""
    import threading

    assert child.stdout is not None and child.stderr is not None
    errors: list[bytes] = []
    stderr = child.stderr
    # stderr drained in the background: a chatty decoder blocks on a full pipe otherwise.
    drain = threading.Thread(target=lambda: errors.append(stderr.read(1 << 20)), daemon=True)
    drain.start()
    late = threading.Event()

    def stop() -> None:
        late.set()
        child.kill()

    timer = threading.Timer(timeout, stop)
    timer.start()
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := child.stdout.read(1 << 20):
            if max_bytes:
                chunks.append(chunk[: max_bytes - size])
                size += len(chunks[-1])
                if size >= max_bytes:
                    child.kill()
                    break
        child.wait()
    finally:
        timer.cancel()
    drain.join(timeout=5)
    if late.is_set():
        raise subprocess.TimeoutExpired(child.args, timeout)
    return b"".join(chunks), b"".join(errors)


def decode_song(path: Path, rate: int, max_seconds: float | None = None) -> np.ndarray:
    """A song as float32 mono samples at ``rate`` Hz (its first ``max_seconds``), through the
    first system decoder that reads it.

    Raises:
        UnsupportedFile: no decoder found (naming what to install), or none could read it.
    """
    import numpy as np

    chain = for_songs()
    if not chain:
        raise UnsupportedFile(f"{path.suffix[1:].upper()} songs: Nearby {MISSING}; {install_hint()}")
    check_signature(path)
    max_seconds = max_seconds or MAX_SONG_SECONDS
    cap = int(max_seconds * rate) * 4
    failure: UnsupportedFile | None = None
    for one in chain:
        try:
            samples = np.frombuffer(_song_bytes(one, path, rate, max_seconds, cap), dtype="<f4")
        except UnsupportedFile as exc:
            failure = exc
            continue
        if len(samples):
            return samples.astype(np.float32)
        failure = UnsupportedFile(f"{one.decoder.name} found no sound in it")
    assert failure is not None
    raise failure


def _song_bytes(one: Found, path: Path, rate: int, seconds: float, cap: int) -> bytes:
    name = one.decoder.name
    if name == "FFmpeg":
        demuxer = SYSTEM_SONGS.get(path.suffix.lower())
        return run([one.program, "-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file,pipe",
                    *(["-f", demuxer] if demuxer else []), "-i", f"file:{path}", "-map", "0:a:0", "-vn",
                    "-ac", "1", "-ar", str(rate), "-t", str(seconds), "-f", "f32le", "pipe:1"], cap)
    if name == "GStreamer":
        # gst-launch parses its arguments as one pipeline description: the location is quoted.
        location = str(path).replace("\\", "\\\\").replace('"', '\\"')
        return run([one.program, "-q", "filesrc", f'location="{location}"', "!", "decodebin", "!", "audioconvert",
                    "!", "audioresample", "!", f"audio/x-raw,format=F32LE,channels=1,rate={rate}", "!",
                    "fdsink", "fd=1"], cap)
    with tempfile.TemporaryDirectory(prefix="nearby-decode-") as folder:  # Core Audio writes a file
        target = Path(folder) / "song.caf"
        run([one.program, "-f", "caff", "-d", f"LEF32@{rate}", "-c", "1", str(path), str(target)], 0)
        import soundfile as sf

        if not target.is_file() or target.stat().st_size > cap * 2:
            raise UnsupportedFile("afconvert wrote no readable sound")
        data, _ = sf.read(str(target), dtype="float32", frames=int(seconds * rate), always_2d=True)
        return data[:, 0].astype("<f4").tobytes()


@contextmanager
def decoded_picture(path: Path) -> Iterator[Path]:
    """A PNG copy of a picture (in a private temporary folder, gone afterwards), through the first
    system decoder that reads it.

    Raises:
        UnsupportedFile: no decoder found (naming what to install), or none could read it.
    """
    chain = for_pictures()
    if not chain:
        raise UnsupportedFile(f"{path.suffix[1:].upper()} pictures: Nearby {MISSING}; "
                              f"{install_hint(pictures=True)}, or pip install pillow-heif")
    check_signature(path)
    failure: UnsupportedFile | None = None
    with tempfile.TemporaryDirectory(prefix="nearby-decode-") as folder:
        for number, one in enumerate(chain):
            target = Path(folder) / f"picture-{number}.png"
            try:
                run(_picture_argv(one, path, target), 0)
                if not target.is_file() or target.stat().st_size == 0:
                    raise UnsupportedFile(f"{one.decoder.name} wrote no picture")
                if target.stat().st_size > MAX_PICTURE_BYTES:
                    raise UnsupportedFile("the decoded picture is too large to index safely")
            except UnsupportedFile as exc:
                failure = exc
                continue
            yield target
            return
    assert failure is not None
    raise failure


def _picture_argv(one: Found, path: Path, target: Path) -> list[str]:
    name = one.decoder.name
    if name == "FFmpeg":
        return [one.program, "-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file,pipe",
                "-f", "mov", "-i", f"file:{path}", "-frames:v", "1", "-update", "1", f"file:{target}"]
    if name == "libheif":
        return [one.program, str(path), str(target)]
    return [one.program, "-s", "format", "png", str(path), "--out", str(target)]  # sips


def summary() -> dict[str, dict[str, object]]:
    """What the system decoders let Nearby read here (for `nearby status` and Settings): per group
    (songs, pictures) its formats, the decoder that reads them (None: none found), its program,
    and what to install where none is found."""
    songs, pictures = for_songs(), for_pictures()
    return {
        "songs": {"formats": [s[1:].upper() for s in SYSTEM_SONGS],
                  "decoder": songs[0].decoder.name if songs else None,
                  "program": songs[0].program if songs else None,
                  "install": None if songs else install_hint()},
        "pictures": {"formats": ["HEIC"],
                     "decoder": "pillow-heif" if _pillow_heif() else (pictures[0].decoder.name if pictures else None),
                     "program": None if _pillow_heif() or not pictures else pictures[0].program,
                     "install": None if pictures or _pillow_heif() else install_hint(pictures=True)},
    }


def _pillow_heif() -> bool:
    """Whether the optional pillow-heif wheel is installed (found, not imported: quick)."""
    import importlib.util

    return importlib.util.find_spec("pillow_heif") is not None

