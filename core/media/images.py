"""Opening pictures safely: first frame, EXIF orientation, size limits, metadata, thumbnails."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nearby.core.cache import cache_root
from nearby.core.errors import UnsupportedFile
from nearby.core.files import check_size
from nearby.core.media.decoders import decoded_picture

if TYPE_CHECKING:
    from PIL import Image

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
# iPhone photos. The only wheel that decodes them (pillow-heif) is GPL-2 as a binary, so Nearby
# does not ship it: where the user has installed it, it reads them; otherwise a system decoder
# does (libheif's heif-dec, macOS's sips, FFmpeg: core/media/decoders.py), or they are skipped
# with a reason that names what to install.
HEIF_EXTENSIONS = frozenset({".heic", ".heif"})
# Pictures above this many pixels are refused: a 200-megapixel panorama is rare, a "decompression
# bomb" (a tiny file that claims 100k × 100k pixels) is an attack; both would exhaust memory.
MAX_PIXELS = 200_000_000
# JPEG decodes at 1/2, 1/4 or 1/8 scale (draft mode, below); every other format decodes whole, at
# 3-4 bytes a pixel and a few copies on the way to RGB: a 60-megapixel PNG or TIFF needs ~1 GB.
MAX_FULL_DECODE_PIXELS = 60_000_000
MAX_IMAGE_BYTES = 500 * 1024 * 1024
THUMBNAIL_SIZE = 256  # longest side, in pixels: two rows of results at high DPI
THUMBNAIL_QUALITY = 85
# Decode at least this large: the model needs 297 px on the shorter side; JPEG "draft" mode
# decodes big photos at 1/2, 1/4 or 1/8 scale straight from the DCT, several times faster.
DECODE_MIN_SIDE = 600

_EXIF_IFD = 0x8769
_DATE_TAGS = (0x9003, 0x9004, 0x0132)  # DateTimeOriginal, DateTimeDigitized, DateTime
_MAKE, _MODEL = 0x010F, 0x0110


@cache
def heif_supported() -> bool:
    """Whether pillow-heif is installed (and now registered with Pillow)."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


PICTURE_EXTENSIONS = IMAGE_EXTENSIONS | HEIF_EXTENSIONS  # HEIC always: read by a decoder, or skipped saying which


@dataclass(frozen=True)
class Picture:
    """A decoded picture, upright, RGB, and what its file says about it."""

    image: Image.Image
    width: int
    height: int
    meta: dict[str, Any] = field(default_factory=dict)


def open_picture(path: Path) -> Picture:
    """Decode the first frame of an image file, applying its EXIF orientation.

    Raises:
        UnsupportedFile: not an image, truncated, too large, or unreadable.
    """
    check_size(path, MAX_IMAGE_BYTES)
    if path.suffix.lower() in HEIF_EXTENSIONS and not heif_supported():
        with decoded_picture(path) as copy:
            return _open(copy)
    return _open(path)


def _open(path: Path) -> Picture:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    _allow_large_png_text()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                width, height = im.size
                limit = MAX_PIXELS if im.format == "JPEG" else MAX_FULL_DECODE_PIXELS
                if width * height > limit:
                    raise UnsupportedFile(f"the picture is {width}×{height} pixels, too large to index safely "
                                          f"(at most {limit // 1_000_000} megapixels"
                                          + ("" if im.format == "JPEG" else "; a JPEG copy may be up to 200") + ")")
                meta = _exif_meta(im)
                im.draft("RGB", (DECODE_MIN_SIDE, DECODE_MIN_SIDE))
                upright = ImageOps.exif_transpose(im) or im
                rgb = to_rgb(upright)
    except UnsupportedFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsupportedFile("the picture claims more pixels than can be indexed safely") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedFile("not a picture Nearby can read (unknown or damaged format)") from exc
    except PermissionError as exc:
        raise UnsupportedFile("permission denied; give your user read access to index it") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # Pillow's errors for truncated data
        raise UnsupportedFile(f"the picture is damaged or truncated ({exc})") from exc
    meta.update(width=width, height=height)
    return Picture(rgb, width, height, meta)


# A PNG's text chunks (XMP, a photo editor's history) may hold more than Pillow's 1 MB default,
# which it refuses as "Too much memory used in text chunks (MAX_TEXT_CHUNK)": a good picture then
# read as damaged. Still bounded: a text chunk that inflates past this is a bomb.
PNG_TEXT_CHUNK_BYTES = 32 << 20


def _allow_large_png_text() -> None:
    from PIL import PngImagePlugin

    PngImagePlugin.MAX_TEXT_CHUNK = max(PngImagePlugin.MAX_TEXT_CHUNK, PNG_TEXT_CHUNK_BYTES)
    PngImagePlugin.MAX_TEXT_MEMORY = max(PngImagePlugin.MAX_TEXT_MEMORY, 2 * PNG_TEXT_CHUNK_BYTES)


def to_rgb(im: Image.Image) -> Image.Image:
    """8-bit RGB for the models: deep images rescaled, transparency laid on white (as viewers show it)."""
    from PIL import Image as PILImage

    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(im, dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
        return PILImage.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        return PILImage.alpha_composite(white, rgba).convert("RGB")
    return im.convert("RGB")


def _exif_meta(im: Image.Image) -> dict[str, Any]:
    try:
        exif = im.getexif()
        detail = exif.get_ifd(_EXIF_IFD)
    except Exception:  # broken EXIF must not cost the picture itself
        return {}
    meta: dict[str, Any] = {}
    for tag in _DATE_TAGS:
        value = detail.get(tag) or exif.get(tag)
        if isinstance(value, str) and value.strip("\x00 "):
            meta["taken"] = value.strip("\x00 ").replace(":", "-", 2)
            break
    camera = " ".join(str(exif.get(t, "")).strip("\x00 ") for t in (_MAKE, _MODEL)).strip()
    if camera:
        meta["camera"] = camera
    return meta


def thumbnail_dir() -> Path:
    return cache_root() / "thumbnails"


def thumbnail_path(sha256: str) -> Path:
    return thumbnail_dir() / sha256[:2] / f"{sha256}.jpg"


def small_copy(image: Image.Image, side: int = THUMBNAIL_SIZE) -> Image.Image:
    """The picture at most ``side`` pixels on its longest side, made without copying the whole picture
    first (shrunk by whole factors, then resampled): the thumbnail, and what the hash reads."""
    from PIL import Image as PILImage

    scale = min(1.0, side / max(image.size))
    if scale >= 1.0:
        return image.copy()
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    factor = max(1, int(max(image.size) / side))  # a box filter by a whole factor (cheap), still ≥ side
    shrunk = image.reduce(factor) if factor > 1 else image
    return shrunk.resize(size, PILImage.Resampling.BICUBIC)


def write_thumbnail(picture: Picture, sha256: str, small: Image.Image | None = None) -> Path:
    """Save a small JPEG of the picture in the cache (named by content, so moves keep it); ``small``:
    a small_copy of it already made."""
    target = thumbnail_path(sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    small = small if small is not None else small_copy(picture.image)
    partial = target.with_suffix(".partial")
    small.save(partial, "JPEG", quality=THUMBNAIL_QUALITY)
    partial.replace(target)
    return target
