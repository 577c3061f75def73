"""A real FFmpeg for the tests of system decoders: imageio-ffmpeg's static build (a test
dependency, never shipped), put on PATH as `ffmpeg` the way a system package would be."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def ffmpeg_folder(folder: Path) -> Path:
    """A folder holding an `ffmpeg` program (a link to imageio-ffmpeg's build)."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")  # the test extra installs it
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "ffmpeg"
    if not link.exists():
        link.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    return folder


def encode(source: Path, target: Path, codec: str, **tags: str) -> Path:
    """Encode a song with FFmpeg (``codec``: aac for .m4a/.aac, wmav2 for .wma), tags set."""
    import imageio_ffmpeg

    metadata = [arg for name, value in tags.items() for arg in ("-metadata", f"{name}={value}")]
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-i", str(source),
                    "-c:a", codec, "-b:a", "96k", *metadata, str(target)], check=True, timeout=120)
    return target


# Stand-ins for GStreamer's and Core Audio's command-line programs, where the machine has neither:
# each takes its real program's arguments (a gst-launch pipeline description, afconvert's flags),
# checks them as the real one would read them, and decodes with FFmpeg.
_GST = '''#!{python}
import re, subprocess, sys
described = " ".join(sys.argv[1:])  # gst-launch parses its arguments joined as one description
assert sys.argv[1] == "-q" and "decodebin" in described and "fdsink fd=1" in described, described
location = re.search(r'location="((?:[^"\\\\]|\\\\.)*)"', described).group(1)
location = re.sub(r"\\\\(.)", r"\\1", location)
rate = re.search(r"audio/x-raw,format=F32LE,channels=1,rate=(\\d+)", described).group(1)
sys.exit(subprocess.call([{ffmpeg!r}, "-nostdin", "-loglevel", "error", "-i", "file:" + location, "-ac", "1",
                          "-ar", rate, "-f", "f32le", "pipe:1"]))
'''
_AFCONVERT = '''#!{python}
import re, subprocess, sys
args = sys.argv[1:]
assert args[:2] == ["-f", "caff"] and args[4:6] == ["-c", "1"], args
rate = re.fullmatch(r"LEF32@(\\d+)", args[3]).group(1)
sys.exit(subprocess.call([{ffmpeg!r}, "-nostdin", "-loglevel", "error", "-i", "file:" + args[6], "-ac", "1",
                          "-ar", rate, "-c:a", "pcm_f32le", "-f", "caf", "-y", args[7]]))
'''


def stand_in(folder: Path, program: str) -> Path:
    """A folder holding a stand-in `gst-launch-1.0` or `afconvert` (see above)."""
    import sys

    import imageio_ffmpeg

    folder.mkdir(parents=True, exist_ok=True)
    script = folder / program
    template = _GST if program == "gst-launch-1.0" else _AFCONVERT
    script.write_text(template.format(python=sys.executable, ffmpeg=imageio_ffmpeg.get_ffmpeg_exe()))
    script.chmod(0o755)
    return folder
