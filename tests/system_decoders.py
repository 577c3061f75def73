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
