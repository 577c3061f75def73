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

# Each inference call holds at most this many tokens (rows × the longest row, after sorting by
# length so padding stays small): 8 passages of 256 tokens, or 32 of 64. Memory grows with the
# batch's tokens (and attention with their square): batches of 32 full passages peaked at 1.7 GiB
# when indexing, 8 at 0.57 GiB with ~12% less CPU a passage; short texts still go many at a time.
TOKEN_BUDGET = 2048
MAX_ROWS = 64
TOKENIZE_AT_ONCE = 1024  # texts tokenized together (their ids are padded to the longest)
# A graph that tokenizes inside is given strings: their tokens are guessed from their length.
CHARS_PER_TOKEN = 4


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
        texts = [as_unicode(t) for t in texts]
        session, tokenizer = self._load()
        if tokenizer is None:  # the graph tokenizes: feed the strings themselves
            name = self.spec.tensors.inputs[0] if self.spec.tensors else session.get_inputs()[0].name
            guesses = [len(t) // CHARS_PER_TOKEN + 2 for t in texts]
            for idx in token_batches(guesses):
                vectors = session.run(None, {name: np.array([texts[i] for i in idx], dtype=object)})[0]
                out[idx] = normalise(np.asarray(vectors, dtype=np.float32))
            return out
        names = set(self.spec.tensors.inputs) if self.spec.tensors else {i.name for i in session.get_inputs()}
        for first in range(0, len(texts), TOKENIZE_AT_ONCE):
            chunk = list(texts[first : first + TOKENIZE_AT_ONCE])
            encodings = tokenizer.encode_batch(chunk)  # padded to the longest; each batch is cut to its own
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            lengths = mask.sum(axis=1)
            for idx in token_batches(lengths.tolist()):
                width = max(1, int(lengths[idx].max()))
                feeds = {"input_ids": ids[idx, :width], "attention_mask": mask[idx, :width]}
                feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
                hidden = session.run(None, {k: v for k, v in feeds.items() if k in names})[0]
                out[[first + i for i in idx]] = mean_pool_normalise(hidden, feeds["attention_mask"])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def word_pieces(self, word: str) -> int | None:
        """How many pieces the model's vocabulary cuts a word into (1: a word it knows whole), or
        None for a graph that tokenizes inside."""
        _, tokenizer = self._load()
        if tokenizer is None:
            return None
        return sum(1 for t in tokenizer.encode(as_unicode(word), add_special_tokens=False).tokens)


def as_unicode(text: str) -> str:
    """Text the tokenizers accept: lone surrogates (bytes of a command line or a file name that
    were not UTF-8) become U+FFFD; the tokenizer refuses them with a TypeError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "replace").decode("utf-8", "replace")
    return text


def _only_escapes(text: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


def token_batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indices of texts grouped for inference: sorted by length, each group within TOKEN_BUDGET
    (its size × its longest) and MAX_ROWS."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = max(1, lengths[i])  # sorted: the newcomer is the longest
        if current and ((len(current) + 1) * longest > TOKEN_BUDGET or len(current) == MAX_ROWS):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


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
