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


class BadRequest(NearbyError):
    """What was asked cannot be carried out as given (an empty comparison, a query too long, an
    output file that cannot be written): the command line's usage errors (exit code 2)."""


class NotAFolder(NotIndexed, BadRequest):
    """A folder named to leave the library is none of its folders and holds none of its files."""


class LibraryPlace(LibraryError, BadRequest):
    """No library can be made where one was asked for (a folder, a path through a file, /proc),
    or the file named is another program's database."""


def explain_storage_failure(exc: BaseException, path: object) -> LibraryError | None:
    """A LibraryError in words a person can act on, for a fault of the library file that SQLite
    reported (damaged, read-only, disk full, locked …); None for anything else."""
    name = type(exc).__name__
    if name == "CorruptError" or name == "NotADBError":
        return LibraryError(
            f"The library file {path} is damaged ({exc}). Your files are not affected. Move the library file "
            "aside (keep it if you want to report this) and index your folders again into a new one: "
            "`nearby index FOLDER…` (the window's Add folder…).")
    if name in ("ReadOnlyError", "CantOpenError", "PermissionsError"):
        return LibraryError(f"The library file {path} cannot be written ({exc}). Check that it and its folder "
                            "belong to you and are writable, or choose another library file with --library.")
    if name == "FullError":
        return LibraryError(f"The disk holding {path} is full ({exc}). Free some space and run the same command "
                            "again: what was indexed before is kept, and indexing resumes where it stopped.")
    if name in ("BusyError", "LockedError"):
        return LibraryError(f"The library file {path} is busy: another Nearby is writing it. Try again when it "
                            "has finished.")
    if name == "IOError" or (isinstance(exc, OSError) and getattr(exc, "errno", None) == 28):
        return LibraryError(f"The library file {path} could not be read or written ({exc}). Check the disk.")
    return None
