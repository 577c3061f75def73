"""Pictures for the window loaded off the GUI thread: thumbnails for the grid, previews for the pane.

A paint asks for a picture; when it is not loaded yet the painter draws a placeholder and the
picture is decoded on the thread pool (QImage is safe off the GUI thread, QPixmap is not), then
``ready`` asks the views to paint again. Decoding a screenful of JPEGs on the GUI thread would
block it for well over 50 ms.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap

log = logging.getLogger(__name__)

# Pictures kept decoded: a few screens of a grid (a thumbnail ≤ ~250 KB as a pixmap, a sharp tile
# for a high-DPI screen ~0.75-3 MB, a preview ~4 MB), within a memory budget.
CACHE_PICTURES = 600
CACHE_BYTES = 256 * 1024 * 1024


class _Loaded(QObject):
    done = Signal(str, int, QImage)  # path, size asked for, the picture (null when unreadable)


class _Load(QRunnable):
    def __init__(self, path: str, size: int, signals: _Loaded) -> None:
        super().__init__()
        self.path, self.size, self.signals = path, size, signals

    def run(self) -> None:
        reader = QImageReader(self.path)
        reader.setAutoTransform(True)  # EXIF orientation, as the camera held it
        if self.size:
            full = reader.size()
            if full.isValid() and max(full.width(), full.height()) > self.size:
                reader.setScaledSize(full.scaled(QSize(self.size, self.size), Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            log.info("cannot show %s: %s", self.path, reader.errorString())
        self.signals.done.emit(self.path, self.size, image)


class PictureCache(QObject):
    """Decoded pictures by (path, longest side); loads what it lacks in the background."""

    ready = Signal(str)  # a picture asked for has been loaded: paint again

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._pixmaps: OrderedDict[tuple[str, int], QPixmap] = OrderedDict()
        self.bytes = 0  # held by the pixmaps now
        self._loading: set[tuple[str, int]] = set()
        self._signals = _Loaded()
        self._signals.done.connect(self._loaded)

    def get(self, path: str | None, size: int = 0) -> QPixmap | None:
        """The picture if loaded (``size`` 0: as stored), else None and a load is started."""
        if not path:
            return None
        key = (path, size)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        if key not in self._loading:
            self._loading.add(key)
            self.pool.start(_Load(path, size, self._signals))
        return None

    def _loaded(self, path: str, size: int, image: QImage) -> None:
        self._loading.discard((path, size))
        pixmap = QPixmap.fromImage(image)  # null stays null: drawn as a placeholder
        self._pixmaps[(path, size)] = pixmap
        self.bytes += _bytes(pixmap)
        while len(self._pixmaps) > 1 and (len(self._pixmaps) > CACHE_PICTURES or self.bytes > CACHE_BYTES):
            _, oldest = self._pixmaps.popitem(last=False)
            self.bytes -= _bytes(oldest)
        self.ready.emit(path)


def _bytes(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4


_shared: PictureCache | None = None


def pictures() -> PictureCache:
    """The window's one picture cache (created on the GUI thread at first use)."""
    global _shared
    if _shared is None:
        # A child of the application: destroyed with it, not by Python's teardown after it.
        _shared = PictureCache(parent=QCoreApplication.instance())
        _shared.destroyed.connect(_forget)
    return _shared


def _forget() -> None:
    global _shared
    _shared = None
