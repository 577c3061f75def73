"""A model's files in the models folder, and its ONNX sessions, opened on first use."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from nearby.core.errors import ModelFailed, ModelMissing
from nearby.models.locate import INSTALL_COMMAND, missing_files, model_dir
from nearby.models.spec import ModelSpec

if TYPE_CHECKING:
    import onnxruntime as ort


class DescribedModel(Protocol):
    """What every model, embedder and pipeline tells about itself: the record a vector table keeps."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def dim(self) -> int: ...


class LazySessions:
    """ONNX sessions of the files in one folder, each opened on first use on the best provider."""

    def __init__(self, folder: Path, failure_hint: str, custom_ops: bool = False) -> None:
        self.folder = folder
        self.failure_hint = failure_hint  # the fix a user is told when a file will not load
        self.custom_ops = custom_ops  # the graphs use onnxruntime-extensions' operators
        self.optimise = True  # False: open without graph optimisations (see InstalledModel.for_one_query)
        self._sessions: dict[str, ort.InferenceSession] = {}
        self._lock = threading.Lock()

    def loaded(self) -> list[ort.InferenceSession]:
        with self._lock:
            return list(self._sessions.values())

    def get(self, file: str) -> ort.InferenceSession:
        with self._lock:
            if file not in self._sessions:
                from nearby.core.inference.providers import create_session, extensions_library

                try:
                    library = extensions_library() if self.custom_ops else None
                except ImportError as exc:
                    raise ModelFailed(f"{self.folder.name} needs onnxruntime-extensions, which is not installed "
                                      f"({exc}). Install it with `pip install onnxruntime-extensions`.") from exc
                try:
                    self._sessions[file] = create_session(str(self.folder / file), library, self.optimise)
                except Exception as exc:
                    raise ModelFailed(f"{self.folder / file} could not be loaded ({exc}). {self.failure_hint}") from exc
            return self._sessions[file]


class InstalledModel:
    """Base of every embedder and reader: where its files are, whether they are all there, and
    sessions that open lazily (so the CLI and the window start fast) and fail with the fix."""

    role = "model"  # how messages name it: "text model", "image model" …

    def __init__(self, spec: ModelSpec, models_root: Path | str | None = None) -> None:
        self.spec = spec
        self.folder = model_dir(spec, models_root)
        self._sessions = LazySessions(self.folder, f"Delete that folder and run `{INSTALL_COMMAND}` again.",
                                      spec.needs_extensions)
        self._lock = threading.RLock()

    def for_one_query(self) -> None:
        """Open this model's sessions quickly, for a process that runs it once or twice (a CLI
        search): onnxruntime's graph optimisations take 0.2 of the MiniLM session's 0.24 s to
        open and save ~25 ms a run; the vectors agree to 3e-5."""
        self._sessions.optimise = False

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def dim(self) -> int:
        return self.spec.dim

    @property
    def planned_provider(self) -> str:
        """The execution provider its sessions run on, or will be opened on first (not loading the
        model for it: `nearby status` and the window's status bar ask, and a load costs ~0.5 s)."""
        loaded = self._sessions.loaded()
        if loaded:
            return str(loaded[0].get_providers()[0])
        from nearby.core.inference.providers import available_providers, candidate_providers

        return candidate_providers(available_providers())[0]

    def is_installed(self) -> bool:
        return not missing_files(self.spec, self.folder.parent)

    def check_installed(self) -> None:
        """Raise ModelMissing, with the fix, when the model's files are not all in place."""
        missing = missing_files(self.spec, self.folder.parent)
        if missing:
            raise ModelMissing(
                f"The {self.role} {self.spec.name} is not installed (missing {', '.join(missing)} in "
                f"{self.folder}). Run `{INSTALL_COMMAND} {self.spec.name}` (or set NEARBY_MODELS to the folder "
                "that holds it)."
            )

    def session(self, file: str = "model.onnx") -> ort.InferenceSession:
        """The session of one of the model's ONNX files, opened on the best execution provider."""
        self.check_installed()
        return self._sessions.get(file)
