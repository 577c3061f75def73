"""Text → unit-length float32 vectors with an ONNX sentence encoder and a tokenizers tokenizer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from nearby.core.errors import ModelFailed, ModelMissing
from nearby.core.inference.installed_model import DescribedModel, InstalledModel
from nearby.models.catalog import DEFAULT_TEXT_MODEL, get_model
from nearby.models.locate import INSTALL_COMMAND
from nearby.models.spec import ModelSpec, TextPreprocessing

if TYPE_CHECKING:
    import onnxruntime as ort
    from tokenizers import Tokenizer

# Texts per inference call. Larger batches stop paying off on 2 cores (models.md: 60 → 42 ms
# per chunk from batch 1 to 16), and batches are sorted by length so padding stays small.
BATCH_SIZE = 32


class Embedder(DescribedModel, Protocol):
    """What the indexer and search need from a text embedder (tests pass a fake one)."""

    @property
    def provider(self) -> str: ...
    @property
    def planned_provider(self) -> str: ...
    def check_installed(self) -> None: ...
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...
    def embed_one(self, text: str) -> np.ndarray: ...


class TextEmbedder(InstalledModel):
    """Embeds texts with one text model. The session is opened on first use, not on creation."""

    role = "text model"

    def __init__(self, spec: ModelSpec | None = None, models_root: Path | str | None = None) -> None:
        super().__init__(spec or get_model(DEFAULT_TEXT_MODEL), models_root)
        self._tokenizer: Tokenizer | None = None

    @property
    def provider(self) -> str:
        """The execution provider the session really runs on (loads the model)."""
        return self._load()[0].get_providers()[0]

    def check_installed(self) -> None:
        try:
            super().check_installed()
        except ModelMissing as exc:
            raise ModelMissing(f"{exc} Or re-index the library with an installed text model: "
                               "`nearby models use NAME` (`nearby models` lists them).") from None

    @property
    def preprocessing(self) -> TextPreprocessing:
        pre = self.spec.preprocessing
        assert isinstance(pre, TextPreprocessing), f"{self.spec.name} is not a text model"
        return pre

    def _load(self) -> tuple[ort.InferenceSession, Tokenizer | None]:
        """The session and, for a model that is fed token ids, its tokenizer (None when the
        graph takes raw strings and tokenizes inside)."""
        with self._lock:
            session = self.session()
            pre = self.preprocessing
            if self._tokenizer is None and pre.tokenizer == "wordpiece":
                from tokenizers import Tokenizer

                try:
                    tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                except Exception as exc:
                    raise ModelFailed(f"{self.folder / 'tokenizer.json'} could not be read ({exc}). "
                                      f"Reinstall the model with `{INSTALL_COMMAND}`.") from exc
                # Shipped tokenizer files may pad every input to a fixed length: pad only to the batch's longest.
                tokenizer.no_padding()
                tokenizer.enable_padding(pad_id=pre.pad_id, pad_token=pre.pad_token)
                tokenizer.enable_truncation(max_length=pre.max_tokens)
                self._tokenizer = tokenizer
            return session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Args:
            texts: any number of strings; empty strings are allowed.

        Returns:
            A float32 array of shape (len(texts), dim) whose rows have unit length.

        Raises:
            ModelMissing: the model is not installed.
            ModelFailed: onnxruntime could not load it.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start : start + BATCH_SIZE]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        session, tokenizer = self._load()
        if tokenizer is None:  # the graph tokenizes: feed the strings themselves
            name = self.spec.tensors.inputs[0] if self.spec.tensors else session.get_inputs()[0].name
            vectors = session.run(None, {name: np.array(texts, dtype=object)})[0]
            return normalise(np.asarray(vectors, dtype=np.float32))
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        names = set(self.spec.tensors.inputs) if self.spec.tensors else {i.name for i in session.get_inputs()}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in names})[0]
        return mean_pool_normalise(hidden, mask)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average token vectors over real (non-padding) tokens, then scale rows to unit length."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    return normalise(summed / np.clip(weights.sum(axis=1), 1.0, None))


class UnavailableTextModel:
    """Stands in for a library's text model that this Nearby cannot run (a newer Nearby's model, or
    one no longer in the catalog): the library opens, lists and reports; searching says what to do."""

    version = ""

    def __init__(self, name: str, dim: int, reason: str) -> None:
        self.name, self.dim, self.reason = name, dim, reason

    @property
    def provider(self) -> str:
        return "none"

    @property
    def planned_provider(self) -> str:
        return "none"

    def check_installed(self) -> None:
        raise ModelMissing(self.reason)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise ModelMissing(self.reason)

    def embed_one(self, text: str) -> np.ndarray:
        raise ModelMissing(self.reason)
