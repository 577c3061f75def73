"""Choosing onnxruntime execution providers: the fastest one present that actually starts."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnxruntime as ort

log = logging.getLogger(__name__)

# Fastest first. Each of these wheels ships only some of them; CPU is always there.
PREFERRED = ("CUDAExecutionProvider", "DmlExecutionProvider", "CoreMLExecutionProvider",
             "CPUExecutionProvider")
CPU = "CPUExecutionProvider"
PROVIDER_ENV = "NEARBY_PROVIDER"  # e.g. "cpu" to force the CPU when a GPU driver misbehaves


def available_providers() -> list[str]:
    """onnxruntime's providers (importing it), noted in the cache folder for noted_providers."""
    import onnxruntime as ort

    available = list(ort.get_available_providers())
    key = _install_key()
    if key is not None:
        with contextlib.suppress(OSError):
            note = _note_path()
            note.parent.mkdir(parents=True, exist_ok=True)
            note.write_text(json.dumps({"onnxruntime": key, "available": available}))
    return available


def noted_providers() -> list[str] | None:
    """The providers noted by the last import of this same onnxruntime install, read without
    importing it (0.25 s with numpy: `nearby status` needs only their names); None if not noted."""
    key = _install_key()
    try:
        note = json.loads(_note_path().read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict) or note.get("onnxruntime") != key or key is None:
        return None
    available = note.get("available")
    return [str(p) for p in available] if isinstance(available, list) else None


def _install_key() -> str | None:
    """Where onnxruntime is installed and when: another wheel (onnxruntime-gpu) or version changes it."""
    import importlib.util

    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or not spec.origin:
        return None
    try:
        return f"{spec.origin}:{os.stat(spec.origin).st_mtime_ns}"
    except OSError:
        return None


def _note_path() -> Path:
    from nearby.core.cache import cache_root

    return cache_root() / "providers.json"


def candidate_providers(available: list[str]) -> list[str]:
    """Providers worth trying, best first, honouring $NEARBY_PROVIDER."""
    forced = os.environ.get(PROVIDER_ENV, "").strip().lower()
    ordered = [p for p in PREFERRED if p in available]
    if forced:
        ordered = [p for p in ordered if p.lower().startswith(forced)] + [CPU]
    return list(dict.fromkeys(ordered + [CPU]))


def create_session(model_path: str, custom_ops: str | None = None, optimise: bool = True) -> ort.InferenceSession:
    """Open an inference session on the best provider that starts, falling back to the CPU.

    A provider listed as available can still fail at session creation (a missing CUDA
    library, an old driver): that costs a warning, never the feature. ``custom_ops`` is the path
    of a library of custom operators the graph uses (onnxruntime-extensions' tokenizers).
    """
    import onnxruntime as ort

    available = available_providers()
    if "CUDAExecutionProvider" in available and hasattr(ort, "preload_dlls"):
        # onnxruntime-gpu finds CUDA and cuDNN from the nvidia-* wheels only once they are loaded.
        try:
            ort.preload_dlls()
        except Exception as exc:
            log.warning("could not preload CUDA libraries (%s); CUDA may fall back to the CPU", exc)
    options = ort.SessionOptions()
    options.log_severity_level = 3  # onnxruntime's own warnings would reach the user's terminal
    # Idle worker threads sleep instead of spinning: several sessions share few cores (the text
    # model's threads, spinning after a query's embedding, took the vector scan from 65 to 120 ms).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if not optimise:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    if custom_ops:
        options.register_custom_ops_library(custom_ops)
    last_error: Exception | None = None
    for provider in candidate_providers(available):
        chain = [provider] if provider == CPU else [provider, CPU]
        try:
            return ort.InferenceSession(model_path, sess_options=options, providers=chain)
        except Exception as exc:  # onnxruntime raises plain RuntimeError/Fail subclasses
            log.warning("execution provider %s failed to start (%s); trying the next", provider, exc)
            last_error = exc
    assert last_error is not None
    raise last_error


def extensions_library() -> str:
    """Path of onnxruntime-extensions' operator library (graphs that tokenize raw strings inside)."""
    from onnxruntime_extensions import get_library_path

    return str(get_library_path())
