"""Playing a song from the result list: QtMultimedia when it loads, else the system's player."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices

log = logging.getLogger(__name__)


class Player(QObject):
    """One player for the whole window: starting a song stops the one before."""

    changed = Signal(str)  # the path now playing, or "" when stopped or paused
    position = Signal(str, int, int)  # the song loaded, where it is and how long it is (milliseconds)
    failed = Signal(str)  # a song could not be played, in words that say what to do
    said = Signal(str)  # what happened instead (opened in the system's player)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None
        self._output: Any = None
        self.current = ""  # the song loaded, playing or paused
        # Whether in-app playback works; found out at the first play, so that the window does
        # not load QtMultimedia (and FFmpeg) at start for people who never play a song.
        self.available: bool | None = None

    def _create(self) -> bool:
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        except ImportError as exc:  # e.g. Linux without libpulse0: fall back to the system player
            log.warning("in-app playback unavailable (%s); songs open in the system's player", exc)
            return False
        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        self._player.playbackStateChanged.connect(self._state_changed)
        self._player.errorOccurred.connect(self._error)
        self._player.positionChanged.connect(
            lambda ms: self.position.emit(self.current, int(ms), int(self._player.duration())))
        self._player.durationChanged.connect(
            lambda ms: self.position.emit(self.current, int(self._player.position()), int(ms)))
        return True

    @staticmethod
    def has_output() -> bool:
        """Whether the computer has a sound output at all (without one, "playing" would be a lie)."""
        try:
            from PySide6.QtMultimedia import QMediaDevices
        except ImportError:
            return False
        return bool(QMediaDevices.audioOutputs())

    def seek(self, ms: int) -> None:
        if self._player is not None:
            self._player.setPosition(ms)

    def toggle(self, path: str) -> None:
        """Play ``path``, or pause it if it is the song playing now."""
        if self.available is None:
            self.available = self.has_output() and self._create()
        if not self.available:
            name = QUrl.fromLocalFile(path).fileName()
            if QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
                self.said.emit(f"No sound output in Nearby here: {name} opened in your music player")
            else:
                self.failed.emit(f"{name} cannot be played: this computer has no sound output Nearby can use and "
                                 "no music player is set to open it. Connect speakers or headphones (or start the "
                                 "sound service), or install a music player, then press Play again.")
            return
        if path == self.current:
            self._player.pause() if self.is_playing() else self._player.play()
            return
        self.current = path
        self._player.setSource(QUrl.fromLocalFile(path))
        self._player.play()

    @property
    def playing(self) -> str:
        return self.current if self.is_playing() else ""

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()

    def is_playing(self) -> bool:
        if self._player is None:
            return False
        from PySide6.QtMultimedia import QMediaPlayer

        return bool(self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)

    def _state_changed(self, _state: object) -> None:
        self.changed.emit(self.playing)

    def _error(self, _error: object, words: str) -> None:
        name = QUrl.fromLocalFile(self.current).fileName() if self.current else "The song"
        self.failed.emit(f"{name} cannot be played here ({words or 'the sound system refused it'}). Open it in "
                         "your music player instead (Open).")
