"""One family of errors for everything the core can refuse; each message says how to fix it."""

from __future__ import annotations


class NearbyError(Exception):
    """Base of every error Nearby raises on purpose. ``str(err)`` is fit to show a user."""


class ModelMissing(NearbyError):
    """A model's files are not installed."""


class ModelFailed(NearbyError):
    """A model's files are present but onnxruntime could not load or run them."""


class UnsupportedFile(NearbyError):
    """A file cannot be read: wrong type, corrupt, encrypted, empty or too large.

    During indexing this is recorded against the file and the file is skipped.
    """


class LibraryError(NearbyError):
    """The library file cannot be opened or used."""


class LibraryTooNew(LibraryError):
    """The library file was written by a newer Nearby."""


class ModelMismatch(LibraryError):
    """The library's vectors were made by another model than the one loaded now."""


class NotIndexed(NearbyError):
    """An operation needs a file that is not in the library."""
